"""The platform's one clock: every instant and every "today" the code uses is read here.

Instants are aware UTC datetimes; the API shows them as ISO 8601 with millisecond precision and a ``Z``.
A user's "today" is always the calendar day in the user's IANA zone, never the machine's: Lambda runs
in UTC, a developer's laptop does not, and the tests move both the clock and the machine's zone
(``make test-dates``), so nothing here reads local time.

Tests move this clock with time-machine, which moves the standard library's clocks themselves: no
function here may be replaced by hand. ``time.monotonic`` is not wall time and is read directly where
only a duration matters (caches, deadlines).
"""

from __future__ import annotations

import datetime as _dt
import time as _time
from zoneinfo import ZoneInfo

__all__ = ["epoch_millis", "epoch_seconds", "iso", "now", "now_iso", "today"]


def now() -> _dt.datetime:
    """This instant, aware, in UTC."""
    return _dt.datetime.now(_dt.UTC)


def iso(instant: _dt.datetime) -> str:
    """``2026-11-23T08:15:02.412Z``: an aware instant as the API writes it."""
    return instant.astimezone(_dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_iso() -> str:
    return iso(now())


def epoch_seconds() -> int:
    """Whole seconds since the epoch (DynamoDB TTL attributes, token times)."""
    return int(_time.time())


def today(timezone: str | ZoneInfo = "UTC") -> _dt.date:
    """The calendar day it is now in ``timezone`` (an IANA name or a ZoneInfo)."""
    zone = timezone if isinstance(timezone, ZoneInfo) else ZoneInfo(timezone or "UTC")
    return now().astimezone(zone).date()


def epoch_millis() -> int:
    """Whole milliseconds since the epoch (time-ordered identifiers)."""
    return _time.time_ns() // 1_000_000
