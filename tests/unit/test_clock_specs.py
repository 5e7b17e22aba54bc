"""The ``--clock`` specs of tests/conftest.py: absolute wall times, and relative ones that never age (the
next New Year's Eve, the next leap day, 30 s before a zone's next DST change), and the edge a moved
session's tests meet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UTC = dt.UTC
NOW = dt.datetime(2026, 11, 30, 0, 50, tzinfo=UTC)


@pytest.fixture(scope="module")
def clocks(pytestconfig: pytest.Config):
    return pytestconfig.pluginmanager.get_plugin(str(ROOT / "tests" / "conftest.py"))


def utc(spec: str, clocks, now: dt.datetime = NOW) -> dt.datetime:
    return clocks.moved_instant(spec, now).astimezone(UTC)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        # New Year's Eve, 30 s before midnight at both ends of the day and in UTC.
        ("next:12-31T23:59:30@Pacific/Kiritimati", dt.datetime(2026, 12, 31, 9, 59, 30, tzinfo=UTC)),
        ("next:12-31T23:59:30@Pacific/Pago_Pago", dt.datetime(2027, 1, 1, 10, 59, 30, tzinfo=UTC)),
        ("next:12-31T23:59:30", dt.datetime(2026, 12, 31, 23, 59, 30, tzinfo=UTC)),
        # The next leap day is 2028's.
        ("next:02-29T23:59:30", dt.datetime(2028, 2, 29, 23, 59, 30, tzinfo=UTC)),
        # 30 s before each change of 2027: Paris at 01:00 UTC, New York at 02:00 local.
        ("next-dst-spring@Europe/Paris", dt.datetime(2027, 3, 28, 0, 59, 30, tzinfo=UTC)),
        ("next-dst-autumn@Europe/Paris", dt.datetime(2027, 10, 31, 0, 59, 30, tzinfo=UTC)),
        ("next-dst-spring@America/New_York", dt.datetime(2027, 3, 14, 6, 59, 30, tzinfo=UTC)),
        ("next-dst-autumn@America/New_York", dt.datetime(2027, 11, 7, 5, 59, 30, tzinfo=UTC)),
        ("now+1y", dt.datetime(2027, 11, 30, 0, 50, tzinfo=UTC)),
    ],
)
def test_relative_specs_name_the_next_such_instant(clocks, spec: str, expected: dt.datetime) -> None:
    assert utc(spec, clocks) == expected


def test_relative_specs_never_age(clocks) -> None:
    # Read on New Year's Eve 2026 after the Kiritimati one passed, the next is 2027's; the leap day
    # after 29 February 2028 is 2032's; the next Paris change after the spring one is the autumn one's year.
    assert utc("next:12-31T23:59:30@Pacific/Kiritimati", clocks, now=dt.datetime(2026, 12, 31, 10, tzinfo=UTC)).year == 2027
    assert utc("next:02-29T23:59:30", clocks, now=dt.datetime(2028, 3, 1, tzinfo=UTC)) == dt.datetime(2032, 2, 29, 23, 59, 30, tzinfo=UTC)
    after_spring = dt.datetime(2027, 3, 28, 1, 0, 1, tzinfo=UTC)
    assert utc("next-dst-spring@Europe/Paris", clocks, now=after_spring) == dt.datetime(2028, 3, 26, 0, 59, 30, tzinfo=UTC)
    # Read 10 s before a change, the change is still next: the instant given is 20 s in the past.
    assert utc("next-dst-autumn@Europe/Paris", clocks, now=dt.datetime(2027, 10, 31, 0, 59, 50, tzinfo=UTC)) == dt.datetime(
        2027, 10, 31, 0, 59, 30, tzinfo=UTC
    )


def test_the_wall_time_is_the_zones_own(clocks) -> None:
    # Before New York's autumn change, 01:59:30 is the first (summer-time) one; the instant reads as it.
    instant = clocks.moved_instant("next-dst-autumn@America/New_York", NOW)
    assert (instant.hour, instant.minute, instant.second, instant.utcoffset()) == (1, 59, 30, dt.timedelta(hours=-4))
    assert instant.tzinfo.key == "America/New_York"


def test_bad_specs_are_usage_errors_naming_the_problem(clocks) -> None:
    with pytest.raises(pytest.UsageError, match="name the zone"):
        clocks.moved_instant("next-dst-spring", NOW)
    with pytest.raises(pytest.UsageError, match="no such time within 400 days"):
        clocks.moved_instant("next-dst-spring@Asia/Tokyo", NOW)
    with pytest.raises(pytest.UsageError, match="next:MM-DDTHH:MM:SS"):
        clocks.moved_instant("next:2027-12-31", NOW)
    with pytest.raises(pytest.UsageError, match="no such wall time"):
        clocks.moved_instant("next:02-30T00:00:00", NOW)
    with pytest.raises(pytest.UsageError, match="no IANA zone"):
        clocks.moved_instant("next:12-31T23:59:30@Mars/Olympus", NOW)
    with pytest.raises(pytest.UsageError, match="expected"):
        clocks.moved_instant("tomorrow", NOW)


@pytest.mark.parametrize(
    ("spec", "edge"),
    [
        ("next:12-31T23:59:30@Pacific/Kiritimati", dt.datetime(2026, 12, 31, 10, tzinfo=UTC)),  # the user's midnight
        ("next:12-31T23:59:30", dt.datetime(2027, 1, 1, tzinfo=UTC)),  # UTC's
        ("next-dst-spring@Europe/Paris", dt.datetime(2027, 3, 28, 1, tzinfo=UTC)),  # the change
        ("next-dst-autumn@America/New_York", dt.datetime(2027, 11, 7, 6, tzinfo=UTC)),
        ("now+1y", None),  # no edge near: the tests start at the instant itself
        ("2027-06-15T12:00:00@Europe/Paris", None),
    ],
)
def test_the_edge_a_moved_session_meets(clocks, spec: str, edge: dt.datetime | None) -> None:
    assert clocks.clock_edge(clocks.moved_instant(spec, NOW)) == edge
