"""Recurring tasks: when a rule fires, and which local days are "today" for a user.

A rule is the dict the API receives::

    {"freq": "daily" | "weekly", "interval": 1..365, "byWeekday": ["MO", "WE", ...]}

``interval`` defaults to 1; ``byWeekday`` is for weekly rules only and defaults to the weekday of the
start date. Rules work on calendar dates (``datetime.date``) in the user's own time zone, so daylight
saving time never adds or drops an occurrence: the only place a clock is read is ``local_today``,
which turns a UTC instant into the user's local date.

Pure domain code: the standard library only, no AWS. Errors in a rule or a time zone are
``RuleError`` (a ``ValueError``) with ``message`` and ``field`` (a dotted path such as
``"rule.interval"``); a handler turns one into a 400 with
``InvalidRequest(err.message, field=err.field)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from zik import clock

__all__ = [
    "DAILY",
    "FREQUENCIES",
    "MAX_INTERVAL",
    "NEXT_OCCURRENCE_HORIZON",
    "WEEKDAYS",
    "WEEKLY",
    "RuleError",
    "due_days",
    "local_today",
    "next_occurrence",
    "normalise_rule",
    "occurrences",
    "occurs_on",
]

DAILY = "daily"
WEEKLY = "weekly"
FREQUENCIES = (DAILY, WEEKLY)
#: Weekday codes in week order (Monday first); the index is ``date.weekday()``.
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
MAX_INTERVAL = 365
#: How far ``next_occurrence`` looks ahead before it answers ``None``.
NEXT_OCCURRENCE_HORIZON = timedelta(days=731)

_WEEKDAY_INDEX = {code: index for index, code in enumerate(WEEKDAYS)}


class RuleError(ValueError):
    """A rule (or time zone) that cannot be used; ``field`` names the offending input."""

    def __init__(self, message: str, field: str = "rule"):
        super().__init__(message)
        self.message = message
        self.field = field

    def __repr__(self) -> str:
        return f"RuleError({self.message!r}, field={self.field!r})"


# --------------------------------------------------------------------------------------------- rules


def normalise_rule(rule: Mapping[str, Any], start: date) -> dict[str, Any]:
    """The rule with its defaults filled: ``{"freq", "interval", "byWeekday"}``.

    ``byWeekday`` comes back deduplicated and in week order (Monday first), and is ``[]`` for a
    daily rule. Keys other than these three are dropped. Normalising a normalised rule returns it
    unchanged. Raises ``RuleError`` naming the field that is wrong.
    """
    start = _as_date(start, "start")
    if not isinstance(rule, Mapping):
        raise RuleError("rule must be an object", "rule")

    freq = rule.get("freq")
    if freq is None:
        raise RuleError("freq is required: one of " + ", ".join(FREQUENCIES), "rule.freq")
    if not isinstance(freq, str) or freq not in FREQUENCIES:
        raise RuleError(f"unknown freq {freq!r}: expected one of " + ", ".join(FREQUENCIES), "rule.freq")

    interval = rule.get("interval", 1)
    if isinstance(interval, bool) or not isinstance(interval, int):
        raise RuleError(f"interval must be an integer from 1 to {MAX_INTERVAL}", "rule.interval")
    if not 1 <= interval <= MAX_INTERVAL:
        raise RuleError(f"interval must be from 1 to {MAX_INTERVAL}, not {interval}", "rule.interval")

    raw_weekdays = rule.get("byWeekday")
    if freq == DAILY:
        # An empty list is what normalise_rule itself returns for a daily rule, so it is accepted.
        if raw_weekdays is not None and raw_weekdays != []:
            raise RuleError("byWeekday is only allowed on a weekly rule", "rule.byWeekday")
        weekdays: list[str] = []
    elif raw_weekdays is None:
        weekdays = [WEEKDAYS[start.weekday()]]
    else:
        weekdays = _parse_weekdays(raw_weekdays)

    return {"freq": freq, "interval": interval, "byWeekday": weekdays}


def _parse_weekdays(raw: Any) -> list[str]:
    if isinstance(raw, (str, bytes)) or not isinstance(raw, (list, tuple)):
        raise RuleError("byWeekday must be a list of weekday codes (" + ", ".join(WEEKDAYS) + ")", "rule.byWeekday")
    if not raw:
        raise RuleError("byWeekday must not be empty: leave it out to repeat on the start date's weekday", "rule.byWeekday")
    unknown = [value for value in raw if not isinstance(value, str) or value not in _WEEKDAY_INDEX]
    if unknown:
        raise RuleError(f"unknown weekday {unknown[0]!r}: expected one of " + ", ".join(WEEKDAYS), "rule.byWeekday")
    return sorted(set(raw), key=_WEEKDAY_INDEX.__getitem__)


# ------------------------------------------------------------------------------------- occurrences


def occurs_on(rule: Mapping[str, Any], start: date, day: date) -> bool:
    """Whether the rule, starting on ``start``, fires on ``day``."""
    start = _as_date(start, "start")
    day = _as_date(day, "day")
    return _occurs_on(normalise_rule(rule, start), start, day)


def occurrences(rule: Mapping[str, Any], start: date, first: date, last: date) -> list[date]:
    """The dates in ``[first, last]`` (both included) the rule fires on, in order."""
    start = _as_date(start, "start")
    first = _as_date(first, "first")
    last = _as_date(last, "last")
    norm = normalise_rule(rule, start)
    found: list[date] = []
    try:
        day = _first_on_or_after(norm, start, first)
        while day <= last:
            found.append(day)
            day = _first_on_or_after(norm, start, day + timedelta(days=1))
    except OverflowError:  # ran past date.max
        pass
    return found


def next_occurrence(rule: Mapping[str, Any], start: date, after: date) -> date | None:
    """The first date strictly after ``after`` the rule fires on, or ``None``.

    ``None`` means there is none within ``NEXT_OCCURRENCE_HORIZON`` (two years) of where the search
    begins: the day after ``after``, or ``start`` if that is later. (Only a weekly rule with an
    interval above 104 weeks can be that sparse.)
    """
    start = _as_date(start, "start")
    after = _as_date(after, "after")
    norm = normalise_rule(rule, start)
    try:
        begin = max(after + timedelta(days=1), start)
        found = _first_on_or_after(norm, start, begin)
    except OverflowError:  # ran past date.max
        return None
    if found - begin >= NEXT_OCCURRENCE_HORIZON:
        return None
    return found


def _occurs_on(norm: Mapping[str, Any], start: date, day: date) -> bool:
    if day < start:
        return False
    interval = norm["interval"]
    if norm["freq"] == DAILY:
        return (day - start).days % interval == 0
    if WEEKDAYS[day.weekday()] not in norm["byWeekday"]:
        return False
    return _weeks_between(start, day) % interval == 0


def _first_on_or_after(norm: Mapping[str, Any], start: date, begin: date) -> date:
    """The first occurrence on or after ``begin`` (computed, not searched: always exists)."""
    begin = max(begin, start)
    interval = norm["interval"]
    if norm["freq"] == DAILY:
        steps = -(-(begin - start).days // interval)  # ceil
        return start + timedelta(days=steps * interval)

    weekdays = [_WEEKDAY_INDEX[code] for code in norm["byWeekday"]]  # week order
    start_monday = _monday(start)
    week = _weeks_between(start, begin)
    if week % interval == 0:
        later_this_week = [wd for wd in weekdays if wd >= begin.weekday()]
        if later_this_week:
            return _monday(begin) + timedelta(days=later_this_week[0])
        week += interval
    else:
        week += interval - week % interval
    return start_monday + timedelta(weeks=week, days=weekdays[0])


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _weeks_between(start: date, day: date) -> int:
    """Whole Monday-based weeks from the week of ``start`` to the week of ``day``."""
    return (_monday(day) - _monday(start)).days // 7


# ------------------------------------------------------------------------------------------ clocks


def local_today(timezone: str, now: datetime | None = None) -> date:
    """Today's date in the IANA time zone ``timezone`` at the aware instant ``now`` (default: now)."""
    zone = _zone(timezone)
    if now is None:
        now = clock.now()
    elif not isinstance(now, datetime):
        raise TypeError(f"now must be a datetime, not {type(now).__name__}")
    elif now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware (UTC)")
    return now.astimezone(zone).date()


def due_days(timezone: str, now: datetime | None = None, *, days_ahead: int = 1) -> list[date]:
    """Local today followed by the next ``days_ahead`` days: the days the daily generator writes."""
    if isinstance(days_ahead, bool) or not isinstance(days_ahead, int) or days_ahead < 0:
        raise ValueError(f"days_ahead must be an integer >= 0, not {days_ahead!r}")
    today = local_today(timezone, now)
    return [today + timedelta(days=offset) for offset in range(days_ahead + 1)]


def _zone(name: Any) -> ZoneInfo:
    if not isinstance(name, str) or not name:
        raise RuleError("timezone must be an IANA time zone name such as 'Europe/London'", "timezone")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as err:
        raise RuleError(f"unknown timezone {name!r}: expected an IANA name such as 'Europe/London'", "timezone") from err


def _as_date(value: Any, name: str) -> date:
    # datetime is a subclass of date; comparing one with a date raises, so refuse it up front.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a datetime.date, not {type(value).__name__}")
    return value
