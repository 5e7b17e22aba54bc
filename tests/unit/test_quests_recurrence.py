"""zik.quests.recurrence: recurring-task rules and local days. Pure functions: no AWS, no clock."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from zik.quests.recurrence import (
    NEXT_OCCURRENCE_HORIZON,
    WEEKDAYS,
    RuleError,
    due_days,
    local_today,
    next_occurrence,
    normalise_rule,
    occurrences,
    occurs_on,
)

# Reads a day from the clock: make dates runs this module at every moved instant (see tests/unit/conftest.py).
pytestmark = pytest.mark.clock


def d(text: str) -> date:
    return date.fromisoformat(text)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def ds(*texts: str) -> list[date]:
    return [d(text) for text in texts]


# ------------------------------------------------------------------------------------- normalise


@pytest.mark.parametrize(
    ("rule", "start", "expected"),
    [
        ({"freq": "daily"}, "2026-01-08", {"freq": "daily", "interval": 1, "byWeekday": []}),
        ({"freq": "daily", "interval": 3}, "2026-01-08", {"freq": "daily", "interval": 3, "byWeekday": []}),
        ({"freq": "daily", "byWeekday": []}, "2026-01-08", {"freq": "daily", "interval": 1, "byWeekday": []}),
        # 2026-01-08 is a Thursday: the default weekday of a weekly rule.
        ({"freq": "weekly"}, "2026-01-08", {"freq": "weekly", "interval": 1, "byWeekday": ["TH"]}),
        ({"freq": "weekly"}, "2026-01-11", {"freq": "weekly", "interval": 1, "byWeekday": ["SU"]}),
        (
            {"freq": "weekly", "interval": 2, "byWeekday": ["SU", "FR", "MO", "FR"]},
            "2026-01-08",
            {"freq": "weekly", "interval": 2, "byWeekday": ["MO", "FR", "SU"]},
        ),
        ({"freq": "weekly", "byWeekday": ("WE",)}, "2026-01-08", {"freq": "weekly", "interval": 1, "byWeekday": ["WE"]}),
        ({"freq": "daily", "interval": 365}, "2026-01-08", {"freq": "daily", "interval": 365, "byWeekday": []}),
        # Keys that are not part of a rule are dropped.
        ({"freq": "daily", "title": "x"}, "2026-01-08", {"freq": "daily", "interval": 1, "byWeekday": []}),
    ],
)
def test_normalise_rule_fills_defaults(rule, start, expected):
    normalised = normalise_rule(rule, d(start))
    assert normalised == expected
    assert normalise_rule(normalised, d(start)) == normalised  # idempotent


def test_normalise_rule_does_not_mutate_its_input():
    rule = {"freq": "weekly", "byWeekday": ["FR", "MO"]}
    normalise_rule(rule, d("2026-01-08"))
    assert rule == {"freq": "weekly", "byWeekday": ["FR", "MO"]}


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"freq": "daily", "interval": 0}, "rule.interval"),
        ({"freq": "daily", "interval": -1}, "rule.interval"),
        ({"freq": "weekly", "interval": 366}, "rule.interval"),
        ({"freq": "daily", "interval": "2"}, "rule.interval"),
        ({"freq": "daily", "interval": 2.0}, "rule.interval"),
        ({"freq": "daily", "interval": True}, "rule.interval"),
        ({"freq": "daily", "interval": None}, "rule.interval"),
        ({}, "rule.freq"),
        ({"freq": "monthly"}, "rule.freq"),
        ({"freq": "Daily"}, "rule.freq"),
        ({"freq": 1}, "rule.freq"),
        ({"freq": ["daily"]}, "rule.freq"),
        ({"freq": "daily", "byWeekday": ["MO"]}, "rule.byWeekday"),
        ({"freq": "weekly", "byWeekday": []}, "rule.byWeekday"),
        ({"freq": "weekly", "byWeekday": ["MO", "XX"]}, "rule.byWeekday"),
        ({"freq": "weekly", "byWeekday": ["mo"]}, "rule.byWeekday"),
        ({"freq": "weekly", "byWeekday": [0]}, "rule.byWeekday"),
        ({"freq": "weekly", "byWeekday": [["MO"]]}, "rule.byWeekday"),
        ({"freq": "weekly", "byWeekday": "MO"}, "rule.byWeekday"),
        ({"freq": "weekly", "byWeekday": {"MO": True}}, "rule.byWeekday"),
        ("daily", "rule"),
        (None, "rule"),
    ],
)
def test_invalid_rules_name_the_field(rule, field):
    with pytest.raises(RuleError) as caught:
        normalise_rule(rule, d("2026-01-08"))
    assert caught.value.field == field
    assert caught.value.message and str(caught.value) == caught.value.message
    assert isinstance(caught.value, ValueError)


def test_occurrence_functions_validate_the_rule_too():
    bad = {"freq": "weekly", "interval": 0}
    for call in (
        lambda: occurs_on(bad, d("2026-01-01"), d("2026-01-01")),
        lambda: occurrences(bad, d("2026-01-01"), d("2026-01-01"), d("2026-02-01")),
        lambda: next_occurrence(bad, d("2026-01-01"), d("2026-01-01")),
    ):
        with pytest.raises(RuleError) as caught:
            call()
        assert caught.value.field == "rule.interval"


def test_datetimes_are_not_dates():
    with pytest.raises(TypeError):
        occurs_on({"freq": "daily"}, datetime(2026, 1, 1), d("2026-01-01"))
    with pytest.raises(TypeError):
        occurrences({"freq": "daily"}, d("2026-01-01"), "2026-01-01", d("2026-01-02"))


# ------------------------------------------------------------------------------------------ daily


@pytest.mark.parametrize(
    ("interval", "start", "first", "last", "expected"),
    [
        (1, "2026-01-30", "2026-01-01", "2026-02-03", ["2026-01-30", "2026-01-31", "2026-02-01", "2026-02-02", "2026-02-03"]),
        (2, "2026-01-30", "2026-01-01", "2026-02-05", ["2026-01-30", "2026-02-01", "2026-02-03", "2026-02-05"]),
        (3, "2026-01-30", "2026-01-01", "2026-02-08", ["2026-01-30", "2026-02-02", "2026-02-05", "2026-02-08"]),
        # The window starts after the start date: the phase is kept from the start date.
        (3, "2026-01-30", "2026-02-03", "2026-02-12", ["2026-02-05", "2026-02-08", "2026-02-11"]),
        (3, "2026-12-30", "2026-12-30", "2027-01-06", ["2026-12-30", "2027-01-02", "2027-01-05"]),
        (2, "2028-02-27", "2028-02-27", "2028-03-04", ["2028-02-27", "2028-02-29", "2028-03-02", "2028-03-04"]),
        (1, "2026-01-30", "2026-01-01", "2026-01-29", []),
        (1, "2026-01-30", "2026-02-05", "2026-02-01", []),  # an empty window
    ],
)
def test_daily_occurrences(interval, start, first, last, expected):
    rule = {"freq": "daily", "interval": interval}
    assert occurrences(rule, d(start), d(first), d(last)) == ds(*expected)


@pytest.mark.parametrize(
    ("interval", "day", "expected"),
    [
        (1, "2026-01-29", False),  # before the start
        (1, "2026-01-30", True),
        (1, "2026-01-31", True),
        (2, "2026-01-31", False),
        (2, "2026-02-01", True),
        (3, "2026-02-01", False),
        (3, "2026-02-02", True),
        (365, "2027-01-30", True),
        (365, "2027-01-29", False),
    ],
)
def test_daily_occurs_on(interval, day, expected):
    assert occurs_on({"freq": "daily", "interval": interval}, d("2026-01-30"), d(day)) is expected


# ----------------------------------------------------------------------------------------- weekly


@pytest.mark.parametrize(
    ("rule", "start", "first", "last", "expected"),
    [
        pytest.param(
            {"freq": "weekly", "interval": 2, "byWeekday": ["MO", "WE", "FR"]},
            "2025-12-17",  # a Wednesday; its week starts on Monday 2025-12-15
            "2025-12-01",
            "2026-02-01",
            [
                "2025-12-17",
                "2025-12-19",
                "2025-12-29",
                "2025-12-31",
                "2026-01-02",
                "2026-01-12",
                "2026-01-14",
                "2026-01-16",
                "2026-01-26",
                "2026-01-28",
                "2026-01-30",
            ],
            id="interval-2-across-a-year",
        ),
        pytest.param(
            {"freq": "weekly", "interval": 2, "byWeekday": ["TU", "TH", "SU"]},
            "2026-03-25",  # a Wednesday: Tuesday 03-24 of the first week is before the start
            "2026-03-01",
            "2026-04-26",
            ["2026-03-26", "2026-03-29", "2026-04-07", "2026-04-09", "2026-04-12", "2026-04-21", "2026-04-23", "2026-04-26"],
            id="interval-2-across-a-month",
        ),
        pytest.param(
            {"freq": "weekly", "byWeekday": ["MO", "FR"]},
            "2026-01-08",  # a Thursday
            "2026-01-05",
            "2026-01-19",
            ["2026-01-09", "2026-01-12", "2026-01-16", "2026-01-19"],
            id="mid-week-start",
        ),
        pytest.param(
            {"freq": "weekly", "interval": 2, "byWeekday": ["MO"]},
            "2026-01-08",  # Thursday: the Monday of its own week is before it, so the first is two weeks on
            "2026-01-01",
            "2026-02-16",
            ["2026-01-19", "2026-02-02", "2026-02-16"],
            id="mid-week-start-interval-2",
        ),
        pytest.param(
            {"freq": "weekly"},
            "2026-01-08",  # defaults to Thursdays
            "2026-01-01",
            "2026-01-31",
            ["2026-01-08", "2026-01-15", "2026-01-22", "2026-01-29"],
            id="default-weekday",
        ),
        pytest.param(
            {"freq": "weekly", "interval": 3, "byWeekday": ["SU"]},
            "2026-12-27",  # a Sunday, the last day of its week
            "2026-12-01",
            "2027-02-28",
            ["2026-12-27", "2027-01-17", "2027-02-07", "2027-02-28"],
            id="interval-3-sunday-across-a-year",
        ),
        pytest.param(
            {"freq": "weekly", "interval": 2, "byWeekday": ["MO", "WE", "FR"]},
            "2025-12-17",
            "2026-01-03",  # window opens in an off week
            "2026-01-13",
            ["2026-01-12"],
            id="window-in-an-off-week",
        ),
    ],
)
def test_weekly_occurrences(rule, start, first, last, expected):
    assert occurrences(rule, d(start), d(first), d(last)) == ds(*expected)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2025-12-15", False),  # Monday of the start week, before the start
        ("2025-12-17", True),
        ("2025-12-18", False),  # Thursday is not in byWeekday
        ("2025-12-22", False),  # off week
        ("2025-12-24", False),
        ("2025-12-29", True),
        ("2026-01-01", False),  # Thursday
        ("2026-01-02", True),
        ("2026-01-05", False),  # off week
        ("2026-01-12", True),
    ],
)
def test_weekly_occurs_on(day, expected):
    rule = {"freq": "weekly", "interval": 2, "byWeekday": ["MO", "WE", "FR"]}
    assert occurs_on(rule, d("2025-12-17"), d(day)) is expected


RULES = [{"freq": "daily", "interval": interval} for interval in (1, 2, 3, 7, 10)] + [
    {"freq": "weekly", "interval": interval, "byWeekday": list(days)}
    for interval in (1, 2, 3, 5)
    for days in (("MO",), ("SU",), ("TU", "SA"), ("MO", "WE", "FR"), WEEKDAYS)
]


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: f"{rule['freq']}-{rule['interval']}-{''.join(rule.get('byWeekday', []))}")
def test_occurrences_and_next_occurrence_agree_with_occurs_on(rule):
    """The computed answers match a day-by-day scan, for starts on every day of a week."""
    first, last = d("2025-12-20"), d("2026-04-10")
    for offset in range(7):
        start = d("2025-12-28") + timedelta(days=offset)
        scanned = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        scanned = [day for day in scanned if occurs_on(rule, start, day)]
        assert occurrences(rule, start, first, last) == scanned
        for after in (first + timedelta(days=n) for n in range(0, 60, 3)):
            expected = next((day for day in scanned if day > after), None)
            assert next_occurrence(rule, start, after) == expected


# -------------------------------------------------------------------------------- next_occurrence


@pytest.mark.parametrize(
    ("rule", "start", "after", "expected"),
    [
        ({"freq": "daily", "interval": 3}, "2026-01-01", "2026-01-01", "2026-01-04"),
        ({"freq": "daily", "interval": 3}, "2026-01-01", "2026-01-02", "2026-01-04"),
        ({"freq": "daily", "interval": 3}, "2026-01-01", "2025-06-01", "2026-01-01"),  # before the start
        ({"freq": "daily"}, "2026-12-31", "2026-12-31", "2027-01-01"),
        ({"freq": "weekly", "interval": 2, "byWeekday": ["MO", "FR"]}, "2026-01-05", "2026-01-05", "2026-01-09"),
        ({"freq": "weekly", "interval": 2, "byWeekday": ["MO", "FR"]}, "2026-01-05", "2026-01-09", "2026-01-19"),
        ({"freq": "weekly", "interval": 2, "byWeekday": ["MO"]}, "2026-01-08", "2025-12-31", "2026-01-19"),
        ({"freq": "daily", "interval": 365}, "2026-01-01", "2026-01-01", "2027-01-01"),
        ({"freq": "weekly", "interval": 104, "byWeekday": ["MO"]}, "2026-01-05", "2026-01-05", "2028-01-03"),
        # A start years away: the horizon counts from the start, not from `after`.
        ({"freq": "weekly", "byWeekday": ["WE"]}, "2030-01-01", "2026-01-01", "2030-01-02"),
        # Sparser than the two-year horizon.
        ({"freq": "weekly", "interval": 200, "byWeekday": ["MO"]}, "2026-01-05", "2026-01-05", None),
        ({"freq": "daily"}, "2026-01-01", "9999-12-31", None),
    ],
)
def test_next_occurrence(rule, start, after, expected):
    assert next_occurrence(rule, d(start), d(after)) == (d(expected) if expected else None)


def test_next_occurrence_horizon_is_two_years():
    assert timedelta(days=730) <= NEXT_OCCURRENCE_HORIZON <= timedelta(days=731)


# ------------------------------------------------------------------------------------ local_today


@pytest.mark.parametrize(
    ("zone", "instant", "expected"),
    [
        ("UTC", "2026-03-08T23:59:59", "2026-03-08"),
        ("America/New_York", "2026-03-08T09:30:00", "2026-03-08"),
        ("America/New_York", "2026-03-08T04:30:00", "2026-03-07"),
        ("Europe/London", "2026-03-08T04:30:00", "2026-03-08"),
        ("Asia/Tokyo", "2026-03-08T15:00:00", "2026-03-09"),
        ("Asia/Tokyo", "2026-03-08T14:59:59", "2026-03-08"),
        ("Pacific/Kiritimati", "2026-03-08T10:30:00", "2026-03-09"),  # UTC+14
        ("Pacific/Pago_Pago", "2026-03-08T10:30:00", "2026-03-07"),  # UTC-11
        # Asia/Kathmandu is UTC+05:45: local midnight of 2026-03-08 is 2026-03-07T18:15Z.
        ("Asia/Kathmandu", "2026-03-07T18:14:59", "2026-03-07"),
        ("Asia/Kathmandu", "2026-03-07T18:15:00", "2026-03-08"),
        ("Asia/Kathmandu", "2026-12-31T18:15:00", "2027-01-01"),
    ],
)
def test_local_today(zone, instant, expected):
    assert local_today(zone, utc(instant)) == d(expected)


@pytest.mark.parametrize(
    ("zone", "instant", "expected"),
    [
        # America/New_York springs forward 2026-03-08 (EST -5 -> EDT -4): a 23-hour local day.
        pytest.param("America/New_York", "2026-03-08T04:59:59", "2026-03-07", id="ny-spring-before-midnight"),
        pytest.param("America/New_York", "2026-03-08T05:00:00", "2026-03-08", id="ny-spring-midnight"),
        pytest.param("America/New_York", "2026-03-08T06:59:59", "2026-03-08", id="ny-spring-before-jump"),
        pytest.param("America/New_York", "2026-03-08T07:00:00", "2026-03-08", id="ny-spring-after-jump"),
        pytest.param("America/New_York", "2026-03-09T03:59:59", "2026-03-08", id="ny-spring-next-before-midnight"),
        pytest.param("America/New_York", "2026-03-09T04:00:00", "2026-03-09", id="ny-spring-next-midnight"),
        # ... and falls back 2026-11-01 (EDT -4 -> EST -5): a 25-hour local day.
        pytest.param("America/New_York", "2026-11-01T03:59:59", "2026-10-31", id="ny-fall-before-midnight"),
        pytest.param("America/New_York", "2026-11-01T04:00:00", "2026-11-01", id="ny-fall-midnight"),
        pytest.param("America/New_York", "2026-11-01T05:30:00", "2026-11-01", id="ny-fall-first-0130"),
        pytest.param("America/New_York", "2026-11-01T06:30:00", "2026-11-01", id="ny-fall-second-0130"),
        pytest.param("America/New_York", "2026-11-02T04:59:59", "2026-11-01", id="ny-fall-next-before-midnight"),
        pytest.param("America/New_York", "2026-11-02T05:00:00", "2026-11-02", id="ny-fall-next-midnight"),
        # Europe/London: BST starts 2026-03-29 at 01:00Z and ends 2026-10-25 at 01:00Z.
        pytest.param("Europe/London", "2026-03-28T23:59:59", "2026-03-28", id="london-spring-before-midnight"),
        pytest.param("Europe/London", "2026-03-29T00:00:00", "2026-03-29", id="london-spring-midnight"),
        pytest.param("Europe/London", "2026-03-29T22:59:59", "2026-03-29", id="london-spring-next-before-midnight"),
        pytest.param("Europe/London", "2026-03-29T23:00:00", "2026-03-30", id="london-spring-next-midnight"),
        pytest.param("Europe/London", "2026-10-24T22:59:59", "2026-10-24", id="london-fall-before-midnight"),
        pytest.param("Europe/London", "2026-10-24T23:00:00", "2026-10-25", id="london-fall-midnight"),
        pytest.param("Europe/London", "2026-10-25T23:59:59", "2026-10-25", id="london-fall-next-before-midnight"),
        pytest.param("Europe/London", "2026-10-26T00:00:00", "2026-10-26", id="london-fall-next-midnight"),
        # Australia/Lord_Howe: +11:00 in summer, +10:30 in winter (a 30-minute DST). It ends
        # 2026-04-05 (a 24.5-hour day) and starts again 2026-10-04 (a 23.5-hour day).
        pytest.param("Australia/Lord_Howe", "2026-04-04T12:59:59", "2026-04-04", id="lhi-end-before-midnight"),
        pytest.param("Australia/Lord_Howe", "2026-04-04T13:00:00", "2026-04-05", id="lhi-end-midnight"),
        pytest.param("Australia/Lord_Howe", "2026-04-05T13:29:59", "2026-04-05", id="lhi-end-next-before-midnight"),
        pytest.param("Australia/Lord_Howe", "2026-04-05T13:30:00", "2026-04-06", id="lhi-end-next-midnight"),
        pytest.param("Australia/Lord_Howe", "2026-07-01T13:29:59", "2026-07-01", id="lhi-winter-before-midnight"),
        pytest.param("Australia/Lord_Howe", "2026-07-01T13:30:00", "2026-07-02", id="lhi-winter-midnight"),
        pytest.param("Australia/Lord_Howe", "2026-10-03T13:29:59", "2026-10-03", id="lhi-start-before-midnight"),
        pytest.param("Australia/Lord_Howe", "2026-10-03T13:30:00", "2026-10-04", id="lhi-start-midnight"),
        pytest.param("Australia/Lord_Howe", "2026-10-04T12:59:59", "2026-10-04", id="lhi-start-next-before-midnight"),
        pytest.param("Australia/Lord_Howe", "2026-10-04T13:00:00", "2026-10-05", id="lhi-start-next-midnight"),
    ],
)
def test_local_today_around_midnight_on_dst_days(zone, instant, expected):
    assert local_today(zone, utc(instant)) == d(expected)


def test_the_same_instant_can_be_two_different_days_apart():
    instant = utc("2026-03-08T10:30:00")
    assert local_today("Pacific/Kiritimati", instant) - local_today("Pacific/Pago_Pago", instant) == timedelta(days=2)


def test_local_today_accepts_any_aware_instant():
    from zoneinfo import ZoneInfo

    instant = datetime(2026, 3, 7, 23, 30, tzinfo=ZoneInfo("America/New_York"))  # 2026-03-08T04:30Z
    assert local_today("Europe/London", instant) == d("2026-03-08")
    assert local_today("America/New_York", instant) == d("2026-03-07")


def test_local_today_defaults_to_now():
    before = datetime.now(UTC).date()
    today = local_today("UTC")
    after = datetime.now(UTC).date()
    assert before <= today <= after
    assert abs((local_today("Pacific/Kiritimati") - local_today("Pacific/Pago_Pago")).days) <= 2


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "../../etc/passwd", "/etc/localtime", "America", None, 5])
def test_unknown_timezone_is_a_rule_error(zone):
    with pytest.raises(RuleError) as caught:
        local_today(zone, utc("2026-03-08T09:30:00"))
    assert caught.value.field == "timezone"
    with pytest.raises(RuleError):
        due_days(zone, utc("2026-03-08T09:30:00"))


def test_local_today_refuses_a_naive_instant():
    with pytest.raises(ValueError):
        local_today("UTC", datetime(2026, 3, 8, 9, 30))


# --------------------------------------------------------------------------------------- due_days


@pytest.mark.parametrize(
    ("zone", "instant", "days_ahead", "expected"),
    [
        ("America/New_York", "2026-03-08T04:30:00", 1, ["2026-03-07", "2026-03-08"]),
        ("America/New_York", "2026-03-08T09:30:00", 1, ["2026-03-08", "2026-03-09"]),
        ("America/New_York", "2026-03-08T09:30:00", 0, ["2026-03-08"]),
        ("America/New_York", "2026-03-08T09:30:00", 3, ["2026-03-08", "2026-03-09", "2026-03-10", "2026-03-11"]),
        ("Pacific/Kiritimati", "2026-12-31T10:00:00", 1, ["2027-01-01", "2027-01-02"]),
        ("Pacific/Pago_Pago", "2026-12-31T10:00:00", 1, ["2026-12-30", "2026-12-31"]),
        ("Asia/Kathmandu", "2028-02-28T18:15:00", 1, ["2028-02-29", "2028-03-01"]),
    ],
)
def test_due_days(zone, instant, days_ahead, expected):
    assert due_days(zone, utc(instant), days_ahead=days_ahead) == ds(*expected)


@pytest.mark.parametrize("days_ahead", [-1, 1.5, True, "1"])
def test_due_days_rejects_a_bad_days_ahead(days_ahead):
    with pytest.raises(ValueError):
        due_days("UTC", utc("2026-03-08T09:30:00"), days_ahead=days_ahead)


# ---------------------------------------------------------------------- daylight saving transitions

DST_DAYS = [
    pytest.param("America/New_York", "2026-03-08", 23, id="new-york-spring-forward"),
    pytest.param("America/New_York", "2026-11-01", 25, id="new-york-fall-back"),
    pytest.param("Europe/London", "2026-03-29", 23, id="london-spring-forward"),
    pytest.param("Europe/London", "2026-10-25", 25, id="london-fall-back"),
    pytest.param("Australia/Lord_Howe", "2026-04-05", 24.5, id="lord-howe-dst-ends"),
    pytest.param("Australia/Lord_Howe", "2026-10-04", 23.5, id="lord-howe-dst-starts"),
    pytest.param("Asia/Kathmandu", "2026-03-08", 24, id="kathmandu-no-dst"),
]


@pytest.mark.parametrize(("zone", "transition", "hours"), DST_DAYS)
def test_local_days_are_contiguous_across_dst(zone, transition, hours):
    """Sampling every 15 minutes of UTC: each local day appears once, in order, as long as it lasts."""
    day = d(transition)
    instant = utc(f"{transition}T00:00:00") - timedelta(days=3)
    end = utc(f"{transition}T00:00:00") + timedelta(days=3)
    seen: list[date] = []
    while instant < end:
        seen.append(local_today(zone, instant))
        instant += timedelta(minutes=15)

    assert seen == sorted(seen)
    distinct = sorted(set(seen))
    assert distinct == [distinct[0] + timedelta(days=n) for n in range(len(distinct))]
    quarters = Counter(seen)
    assert quarters[day] == hours * 4
    for neighbour in (day - timedelta(days=1), day + timedelta(days=1)):
        assert quarters[neighbour] == 96


@pytest.mark.parametrize(("zone", "transition", "hours"), DST_DAYS)
def test_a_daily_rule_yields_one_task_per_local_day_across_dst(zone, transition, hours):
    """What the generator does: run hourly, take due_days, keep the ones the rule fires on."""
    start = d(transition) - timedelta(days=10)
    daily = {"freq": "daily"}
    every_other = {"freq": "daily", "interval": 2}
    written: set[date] = set()
    written_other: set[date] = set()
    instant = utc(f"{transition}T00:00:00") - timedelta(days=3)
    end = utc(f"{transition}T00:00:00") + timedelta(days=3)
    while instant < end:
        due = due_days(zone, instant, days_ahead=1)
        assert len(due) == 2 and due[1] - due[0] == timedelta(days=1)
        for day in due:
            if occurs_on(daily, start, day):
                written.add(day)  # the generator's writes are idempotent per (task, day)
            if occurs_on(every_other, start, day):
                written_other.add(day)
        instant += timedelta(minutes=30)  # half-hours catch Lord Howe and Kathmandu midnights

    days = sorted(written)
    assert days == [days[0] + timedelta(days=n) for n in range(len(days))]
    assert d(transition) in written
    assert days == occurrences(daily, start, days[0], days[-1])
    others = sorted(written_other)
    assert all((b - a).days == 2 for a, b in itertools.pairwise(others))
    assert others == occurrences(every_other, start, days[0], days[-1])
