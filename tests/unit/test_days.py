"""Local days across timezones and DST changes, and writing streaks over them."""

from __future__ import annotations

import datetime as dt

import pytest

from zik.days import WEEKDAYS, Streaks, local_date, local_hour, local_weekday, parse_day, streaks

D = dt.date


# -- the writer's own day --------------------------------------------------------------------------


def test_an_entry_late_in_the_evening_is_that_evenings_day_not_the_utc_one() -> None:
    # 23:30 in New York on 23 November (EST, UTC-5) is 04:30 UTC on the 24th.
    assert local_date("2026-11-24T04:30:00.000Z", "America/New_York") == D(2026, 11, 23)
    assert local_hour("2026-11-24T04:30:00.000Z", "America/New_York") == 23
    assert WEEKDAYS[local_weekday("2026-11-24T04:30:00.000Z", "America/New_York")] == "monday"
    # 00:30 in Tokyo (UTC+9) on the 24th is still the 23rd in UTC.
    assert local_date("2026-11-23T15:30:00.000Z", "Asia/Tokyo") == D(2026, 11, 24)
    assert local_date("2026-11-23T15:30:00.000Z", "UTC") == D(2026, 11, 23)


@pytest.mark.parametrize(
    ("instant", "timezone", "day", "hour"),
    [
        # New York springs forward on 8 March 2026 (02:00 EST -> 03:00 EDT): UTC-5 before, UTC-4 after.
        ("2026-03-08T04:30:00Z", "America/New_York", D(2026, 3, 7), 23),
        ("2026-03-08T06:59:00Z", "America/New_York", D(2026, 3, 8), 1),
        ("2026-03-08T07:00:00Z", "America/New_York", D(2026, 3, 8), 3),
        ("2026-03-09T03:30:00Z", "America/New_York", D(2026, 3, 8), 23),
        # ... and falls back on 1 November 2026: 01:xx happens twice, then UTC-5 again.
        ("2026-11-01T05:30:00Z", "America/New_York", D(2026, 11, 1), 1),
        ("2026-11-01T06:30:00Z", "America/New_York", D(2026, 11, 1), 1),
        ("2026-11-02T04:30:00Z", "America/New_York", D(2026, 11, 1), 23),
        # Paris: CET (UTC+1) to CEST (UTC+2) on 29 March 2026, back on 25 October 2026.
        ("2026-03-28T22:30:00Z", "Europe/Paris", D(2026, 3, 28), 23),
        ("2026-03-29T22:30:00Z", "Europe/Paris", D(2026, 3, 30), 0),
        ("2026-10-24T21:30:00Z", "Europe/Paris", D(2026, 10, 24), 23),
        ("2026-10-25T22:30:00Z", "Europe/Paris", D(2026, 10, 25), 23),
    ],
)
def test_local_days_and_hours_follow_daylight_saving(instant: str, timezone: str, day: dt.date, hour: int) -> None:
    assert local_date(instant, timezone) == day
    assert local_hour(instant, timezone) == hour


def test_instants_with_an_offset_or_none_are_read() -> None:
    assert local_date("2026-11-23T23:30:00-05:00", "America/New_York") == D(2026, 11, 23)
    assert local_hour("2026-11-23T08:15:00", "Europe/Paris") == 9  # no offset: UTC


def test_bad_timezones_and_instants_are_value_errors_naming_the_problem() -> None:
    with pytest.raises(ValueError, match="unknown timezone 'Mars/Olympus'"):
        local_date("2026-11-23T08:15:00.000Z", "Mars/Olympus")
    with pytest.raises(ValueError, match="IANA"):
        local_date("2026-11-23T08:15:00.000Z", "")
    with pytest.raises(ValueError, match="ISO 8601"):
        local_hour("yesterday", "UTC")
    with pytest.raises(ValueError, match="localDate"):
        parse_day("2026-13-01")


# -- streaks ---------------------------------------------------------------------------------------


def days(*numbers: int, month: int = 3) -> list[dt.date]:
    return [D(2026, month, n) for n in numbers]


def test_no_days_is_no_streak() -> None:
    assert streaks([], D(2026, 3, 10)) == Streaks(0, 0, None)


def test_a_streak_ending_today_or_yesterday_is_alive_and_breaks_after_a_missed_day() -> None:
    written = days(5, 6, 7, 8)
    assert streaks(written, D(2026, 3, 8)) == Streaks(4, 4, D(2026, 3, 8))
    assert streaks(written, D(2026, 3, 9)).current == 4  # today's entry may still come
    assert streaks(written, D(2026, 3, 10)) == Streaks(0, 4, D(2026, 3, 8))


def test_duplicates_and_any_order_are_fine_and_the_longest_run_is_kept() -> None:
    written = days(20, 2, 3, 1, 3, 19, 2, 4, 21, 20)
    assert streaks(written, D(2026, 3, 21)) == Streaks(3, 4, D(2026, 3, 21))
    assert streaks(iter(written), D(2026, 3, 21)) == Streaks(3, 4, D(2026, 3, 21))  # any iterable


def test_streaks_cross_month_year_and_dst_boundaries_by_calendar_day() -> None:
    over_new_year = [D(2025, 12, 30), D(2025, 12, 31), D(2026, 1, 1), D(2026, 1, 2)]
    assert streaks(over_new_year, D(2026, 1, 2)).current == 4
    # Entries written at 23:30 local on each evening around New York's spring-forward and fall-back.
    spring = ["2026-03-07T04:30:00Z", "2026-03-08T04:30:00Z", "2026-03-09T03:30:00Z", "2026-03-10T03:30:00Z"]
    autumn = ["2026-10-31T03:30:00Z", "2026-11-01T03:30:00Z", "2026-11-02T04:30:00Z", "2026-11-03T04:30:00Z"]
    for instants, last in ((spring, D(2026, 3, 9)), (autumn, D(2026, 11, 2))):
        local = [local_date(instant, "America/New_York") for instant in instants]
        assert len(set(local)) == 4, local
        assert streaks(local, last) == Streaks(4, 4, last)
    # The same instants read in UTC fall on other days: the streak is the writer's, not UTC's.
    assert next(local_date(i, "UTC") for i in spring) == D(2026, 3, 7)
    assert next(local_date(i, "America/New_York") for i in spring) == D(2026, 3, 6)


def test_paris_evenings_across_the_dst_change_make_one_streak() -> None:
    evenings = ["2026-03-27T22:30:00Z", "2026-03-28T22:30:00Z", "2026-03-29T21:30:00Z", "2026-03-30T21:30:00Z"]
    local = [local_date(instant, "Europe/Paris") for instant in evenings]
    assert local == days(27, 28, 29, 30)
    assert streaks(local, D(2026, 3, 31)).current == 4


def test_a_day_ahead_of_the_callers_today_extends_the_streak_it_touches() -> None:
    # The writer is already on the 11th while the caller's clock says the 10th.
    assert streaks(days(8, 9, 10, 11), D(2026, 3, 10)).current == 4
    assert streaks(days(8, 9, 11), D(2026, 3, 10)).current == 2


def test_strings_are_read_as_days() -> None:
    assert streaks(["2026-03-01", "2026-03-02", D(2026, 3, 3)], D(2026, 3, 3)).current == 3
