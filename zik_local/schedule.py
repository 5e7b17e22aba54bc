"""EventBridge schedule expressions: ``rate(5 minutes)``, ``cron(0 6 * * ? *)``, ``at(2026-01-01T00:00:00)``.

Only used when ``zik dev --schedules`` fires schedules on time; ``zik schedule`` fires them on demand.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_RATE = re.compile(r"^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$")
_MONTHS = {m: i for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), start=1)}
_DAYS = {d: i for i, d in enumerate("SUN MON TUE WED THU FRI SAT".split(), start=1)}  # AWS: 1 = Sunday


class ScheduleError(ValueError):
    pass


def next_fire(expression: str, after: datetime) -> datetime:
    expression = expression.strip()
    after = after.astimezone(UTC)
    rate = _RATE.match(expression)
    if rate:
        amount, unit = int(rate.group(1)), rate.group(2).rstrip("s")
        if amount <= 0:
            raise ScheduleError(f"{expression}: the rate must be positive")
        step = timedelta(**{f"{unit}s": amount})
        return after + step
    if expression.startswith("at(") and expression.endswith(")"):
        try:
            moment = datetime.fromisoformat(expression[3:-1]).replace(tzinfo=UTC)
        except ValueError:
            raise ScheduleError(f"{expression}: at() takes a date and time, e.g. at(2026-01-01T09:00:00)") from None
        if moment <= after:
            # A one-time schedule: once its moment has passed, it never fires again.
            raise ScheduleError(f"{expression} does not fire after {after.isoformat()}")
        return moment
    if expression.startswith("cron(") and expression.endswith(")"):
        return _next_cron(expression[5:-1].split(), after)
    raise ScheduleError(f"unknown schedule expression {expression!r}")


def _field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> set[int] | None:
    """The values a cron field allows; None for ``*`` or ``?`` (anything)."""
    if text in ("*", "?"):
        return None
    values: set[int] = set()
    for part in text.split(","):
        step, stepped = 1, "/" in part
        if stepped:
            part, step_text = part.split("/", 1)
            if not step_text.isdigit() or int(step_text) == 0:
                raise ScheduleError(f"cron field {text!r}: the step must be a positive number")
            step = int(step_text)
        if part in ("*", ""):
            start, end = low, high
        elif "-" in part:
            first, last = part.split("-", 1)
            start, end = _value(first, names), _value(last, names)
        else:
            start = _value(part, names)
            end = high if stepped else start  # "5/1" is every value from 5 on, "5" is 5 alone
        if not (low <= start <= high and low <= end <= high):
            raise ScheduleError(f"cron field {text!r} is outside {low}-{high}")
        values.update(range(start, end + 1, step))
    if not values:
        raise ScheduleError(f"cron field {text!r} allows no value")
    return values


def _value(text: str, names: dict[str, int] | None) -> int:
    if names and text.upper() in names:
        return names[text.upper()]
    if not text.isdigit():
        raise ScheduleError(f"cron value {text!r} is not supported (L, W and # are not)")
    return int(text)


def _next_cron(fields: list[str], after: datetime) -> datetime:
    if len(fields) != 6:
        raise ScheduleError("a cron expression has six fields: minutes hours day-of-month month day-of-week year")
    minutes = _field(fields[0], 0, 59)
    hours = _field(fields[1], 0, 23)
    days = _field(fields[2], 1, 31)
    months = _field(fields[3], 1, 12, _MONTHS)
    weekdays = _field(fields[4], 1, 7, _DAYS)
    years = _field(fields[5], 1970, 2199)
    moment = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    limit = moment + timedelta(days=366 * 5)
    while moment < limit:
        aws_weekday = (moment.isoweekday() % 7) + 1  # Monday=2 ... Sunday=1
        if (
            (years is None or moment.year in years)
            and (months is None or moment.month in months)
            and (days is None or moment.day in days)
            and (weekdays is None or aws_weekday in weekdays)
        ):
            if (hours is None or moment.hour in hours) and (minutes is None or moment.minute in minutes):
                return moment
            moment += timedelta(minutes=1)
        else:
            moment = (moment + timedelta(days=1)).replace(hour=0, minute=0)
    raise ScheduleError("the cron expression never fires in the next five years")
