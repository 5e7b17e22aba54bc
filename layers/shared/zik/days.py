"""Days in the writer's own timezone, and writing streaks over those days.

A journal day is the user's calendar day, never the UTC one: an entry written at 23:30 in New York
belongs to that evening although UTC has moved on. Instants are ISO 8601 strings ("...Z" or with an
offset); timezones are IANA names, resolved through zoneinfo so DST changes come out right.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["WEEKDAYS", "Streaks", "local_date", "local_datetime", "local_hour", "local_weekday", "parse_day", "runs", "streaks", "zone"]

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ONE_DAY = dt.timedelta(days=1)


@lru_cache(maxsize=256)
def zone(timezone: str) -> ZoneInfo:
    """The IANA zone; ValueError naming the field for anything else, so callers can answer a 400."""
    if not isinstance(timezone, str) or not timezone:
        raise ValueError("timezone must be an IANA time zone name such as 'Europe/Paris'")
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"unknown timezone {timezone!r}: expected an IANA name such as 'Europe/Paris'") from None


def local_datetime(instant: str, timezone: str) -> dt.datetime:
    """The instant as a wall-clock time in ``timezone``. An instant without an offset is taken as UTC,
    the only zone the platform writes instants in."""
    try:
        moment = dt.datetime.fromisoformat(str(instant).strip())
    except ValueError:
        raise ValueError(f"instant must be an ISO 8601 time such as 2026-11-23T08:15:00.000Z, not {instant!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(zone(timezone))


def local_date(instant: str, timezone: str) -> dt.date:
    return local_datetime(instant, timezone).date()


def local_hour(instant: str, timezone: str) -> int:
    """0-23 on the local clock (a DST change makes one local hour happen twice or not at all)."""
    return local_datetime(instant, timezone).hour


def local_weekday(instant: str, timezone: str) -> int:
    """0 for Monday to 6 for Sunday, like ``date.weekday()``; ``WEEKDAYS[n]`` names it."""
    return local_datetime(instant, timezone).weekday()


def parse_day(value: Any, field: str = "localDate") -> dt.date:
    """A calendar day from a ``date`` or a "YYYY-MM-DD" string (a datetime gives its own date)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        raise ValueError(f"{field} must be a date such as 2026-11-23, not {value!r}") from None


@dataclass(frozen=True)
class Streaks:
    current: int
    longest: int
    last_day: dt.date | None


def runs(days: Iterable[Any]) -> list[tuple[dt.date, dt.date]]:
    """Maximal runs of consecutive days as (first, last), oldest first."""
    ordered = sorted({parse_day(day) for day in days})
    found: list[tuple[dt.date, dt.date]] = []
    for day in ordered:
        if found and day - found[-1][1] == _ONE_DAY:
            found[-1] = (found[-1][0], day)
        else:
            found.append((day, day))
    return found


def run_length(run: tuple[dt.date, dt.date]) -> int:
    return (run[1] - run[0]).days + 1


def streaks(days: Iterable[Any], today: dt.date) -> Streaks:
    """Streaks of consecutive calendar days with at least one entry.

    The current streak is the run that reaches today or yesterday: today's entry may still be coming, so a
    streak only breaks once a whole day has passed without one. A day after ``today`` (a user ahead of the
    caller's clock) extends the run it touches rather than breaking it.
    """
    found = runs(days)
    if not found:
        return Streaks(0, 0, None)
    current = next((run_length(r) for r in found if r[0] <= today and r[1] >= today - _ONE_DAY), 0)
    return Streaks(current=current, longest=max(run_length(r) for r in found), last_day=found[-1][1])
