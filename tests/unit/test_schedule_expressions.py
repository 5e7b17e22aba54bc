"""zik_local.schedule.next_fire: when `zik dev --schedules` fires an EventBridge schedule expression next.

Every case is computed in UTC (EventBridge rules run in UTC). 2026-03-06 is a Friday, 2026-03-08 a Sunday.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from zik_local.schedule import ScheduleError, next_fire


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# -- rate() -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("expression", "step"),
    [
        ("rate(1 minute)", timedelta(minutes=1)),
        ("rate(5 minutes)", timedelta(minutes=5)),
        ("rate(1 hour)", timedelta(hours=1)),
        ("rate(12 hours)", timedelta(hours=12)),
        ("rate(1 day)", timedelta(days=1)),
        ("rate(7 days)", timedelta(days=7)),
        ("  rate(2 hours)  ", timedelta(hours=2)),
    ],
)
def test_rate_fires_one_period_later(expression: str, step: timedelta) -> None:
    after = utc("2026-03-10T10:17:42")

    assert next_fire(expression, after) == after + step


def test_rate_answers_in_utc_whatever_the_zone_asked_in() -> None:
    after = datetime(2026, 3, 10, 12, 0, tzinfo=timezone(timedelta(hours=2)))

    fired = next_fire("rate(1 hour)", after)

    assert fired == utc("2026-03-10T11:00:00")
    assert fired.utcoffset() == timedelta(0)


# -- cron(): plain values, strictly after --------------------------------------------------------------
@pytest.mark.parametrize(
    ("after", "expected"),
    [
        ("2026-03-10T05:59:59", "2026-03-10T06:00:00"),
        ("2026-03-10T06:00:00", "2026-03-11T06:00:00"),  # strictly after: not the same minute again
        ("2026-03-10T06:00:30", "2026-03-11T06:00:00"),
        ("2026-03-31T23:59:00", "2026-04-01T06:00:00"),
        ("2026-12-31T07:00:00", "2027-01-01T06:00:00"),
    ],
)
def test_cron_daily(after: str, expected: str) -> None:
    assert next_fire("cron(0 6 * * ? *)", utc(after)) == utc(expected)


def test_cron_fires_at_the_minute_seconds_dropped() -> None:
    fired = next_fire("cron(* * * * ? *)", utc("2026-03-10T10:17:42.5"))

    assert fired == utc("2026-03-10T10:18:00")


# -- cron(): ranges, lists, steps, names ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        # ranges
        ("cron(0 9-17 ? * * *)", "2026-03-10T17:30:00", "2026-03-11T09:00:00"),
        ("cron(0 9-17 ? * * *)", "2026-03-10T12:30:00", "2026-03-10T13:00:00"),
        ("cron(30 8 10-12 * ? *)", "2026-03-12T09:00:00", "2026-04-10T08:30:00"),
        # lists
        ("cron(15,45 * * * ? *)", "2026-03-10T10:15:00", "2026-03-10T10:45:00"),
        ("cron(15,45 * * * ? *)", "2026-03-10T10:45:00", "2026-03-10T11:15:00"),
        ("cron(0 6,18 * * ? *)", "2026-03-10T07:00:00", "2026-03-10T18:00:00"),
        # steps
        ("cron(0/15 * * * ? *)", "2026-03-10T10:16:00", "2026-03-10T10:30:00"),
        ("cron(*/20 * * * ? *)", "2026-03-10T10:41:00", "2026-03-10T11:00:00"),
        ("cron(5/20 * * * ? *)", "2026-03-10T10:26:00", "2026-03-10T10:45:00"),
        ("cron(10-30/10 * * * ? *)", "2026-03-10T10:31:00", "2026-03-10T11:10:00"),
        ("cron(58/1 * * * ? *)", "2026-03-10T10:58:00", "2026-03-10T10:59:00"),
        ("cron(0 0 1 */3 ? *)", "2026-03-10T00:00:00", "2026-04-01T00:00:00"),
        # month names, alone, in lists and ranges, in any case
        ("cron(0 0 1 JAN,JUL ? *)", "2026-03-10T00:00:00", "2026-07-01T00:00:00"),
        ("cron(0 0 1 jan ? *)", "2026-03-10T00:00:00", "2027-01-01T00:00:00"),
        ("cron(0 0 1 OCT-DEC ? *)", "2026-03-10T00:00:00", "2026-10-01T00:00:00"),
        # years
        ("cron(0 0 1 1 ? 2030)", "2026-03-10T00:00:00", "2030-01-01T00:00:00"),
        ("cron(0 0 1 1 ? 2026-2028)", "2026-03-10T00:00:00", "2027-01-01T00:00:00"),
        # days that not every month has
        ("cron(0 0 31 * ? *)", "2026-03-31T01:00:00", "2026-05-31T00:00:00"),
        ("cron(0 12 29 2 ? *)", "2026-03-10T00:00:00", "2028-02-29T12:00:00"),
    ],
)
def test_cron_ranges_lists_steps_and_names(expression: str, after: str, expected: str) -> None:
    assert next_fire(expression, utc(after)) == utc(expected)


# -- cron(): day of week, where 1 is Sunday ------------------------------------------------------------
@pytest.mark.parametrize(
    ("day_of_week", "expected"),
    [
        ("1", "2026-03-08T12:00:00"),  # Sunday
        ("SUN", "2026-03-08T12:00:00"),
        ("2", "2026-03-09T12:00:00"),  # Monday
        ("MON", "2026-03-09T12:00:00"),
        ("3", "2026-03-10T12:00:00"),  # Tuesday
        ("6", "2026-03-06T12:00:00"),  # Friday (the same day: it is still morning)
        ("FRI", "2026-03-06T12:00:00"),
        ("7", "2026-03-07T12:00:00"),  # Saturday
        ("SAT", "2026-03-07T12:00:00"),
        ("sat", "2026-03-07T12:00:00"),
    ],
)
def test_cron_day_of_week_numbers_start_at_sunday(day_of_week: str, expected: str) -> None:
    friday_morning = utc("2026-03-06T08:00:00")

    assert next_fire(f"cron(0 12 ? * {day_of_week} *)", friday_morning) == utc(expected)


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        ("cron(0 9 ? * MON-FRI *)", "2026-03-06T09:30:00", "2026-03-09T09:00:00"),  # Friday after 9 -> Monday
        ("cron(0 9 ? * 2-6 *)", "2026-03-06T09:30:00", "2026-03-09T09:00:00"),  # the same, in numbers
        ("cron(0 9 ? * MON-FRI *)", "2026-03-09T08:00:00", "2026-03-09T09:00:00"),
        ("cron(0 10 ? * SAT,SUN *)", "2026-03-06T12:00:00", "2026-03-07T10:00:00"),
        ("cron(0 10 ? * 1,7 *)", "2026-03-07T11:00:00", "2026-03-08T10:00:00"),
        ("cron(0 8 ? * 2/2 *)", "2026-03-06T12:00:00", "2026-03-09T08:00:00"),  # 2, 4, 6: MON, WED, FRI
    ],
)
def test_cron_day_of_week_ranges_and_lists(expression: str, after: str, expected: str) -> None:
    assert next_fire(expression, utc(after)) == utc(expected)


# -- at() ---------------------------------------------------------------------------------------------
def test_at_fires_once_at_its_moment() -> None:
    assert next_fire("at(2026-06-01T09:30:00)", utc("2026-03-10T00:00:00")) == utc("2026-06-01T09:30:00")


@pytest.mark.parametrize("after", ["2026-06-01T09:30:00", "2026-06-01T09:31:00", "2027-01-01T00:00:00"])
def test_at_never_fires_again_once_its_moment_has_passed(after: str) -> None:
    with pytest.raises(ScheduleError):
        next_fire("at(2026-06-01T09:30:00)", utc(after))


# -- invalid expressions ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "expression",
    [
        "",
        "every day",
        "rate(0 minutes)",
        "rate(-5 minutes)",
        "rate(5 weeks)",
        "rate(5)",
        "rate(1.5 hours)",
        "cron(0 6 * * ?)",  # five fields: the year is missing
        "cron(0 6 * * ? * *)",
        "cron(60 * * * ? *)",
        "cron(0 24 * * ? *)",
        "cron(0 0 0 * ? *)",
        "cron(0 0 32 * ? *)",
        "cron(0 0 1 13 ? *)",
        "cron(0 0 ? * 0 *)",  # day of week runs from 1 (SUN) to 7 (SAT)
        "cron(0 0 ? * 8 *)",
        "cron(0 0 1 FOO ? *)",
        "cron(0 0 ? * FUNDAY *)",
        "cron(0 0 L * ? *)",  # L, W and # are not supported
        "cron(0 0 15W * ? *)",
        "cron(0 0 ? * 6L *)",
        "cron(0 0 ? * 2#1 *)",
        "cron(0/0 * * * ? *)",
        "cron(0/x * * * ? *)",
        "cron(0 17-9 * * ? *)",  # a range that allows nothing
        "cron(0 0 1 1 ? 1969)",
        "cron(0 0 1 1 ? 2020)",  # only in the past: never fires
        "cron(0 0 30 2 ? *)",  # February 30th: never fires
        "at(tomorrow)",
    ],
)
def test_invalid_expression_raises_schedule_error(expression: str) -> None:
    with pytest.raises(ScheduleError):
        next_fire(expression, utc("2026-03-10T00:00:00"))


def test_schedule_error_is_a_value_error() -> None:
    assert issubclass(ScheduleError, ValueError)
