"""zik.clock is the one clock: tests move it with time-machine, and no other code reads wall time."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from zik import clock

# Reads a day from the clock: make dates runs this module at every moved instant (see tests/unit/conftest.py).
pytestmark = pytest.mark.clock

ROOT = Path(__file__).resolve().parents[2]
# Every way the standard library hands out wall time, written as code would call it.
WALL_CLOCK = re.compile(r"\b(?:datetime\.(?:now|utcnow|today)|date\.today|time\.(?:time|time_ns|localtime|gmtime|ctime|strftime))\(")


def test_the_clock_follows_time_machine() -> None:
    with time_machine.travel(dt.datetime(2028, 2, 29, 23, 59, 59, 500_000, tzinfo=dt.UTC), tick=False):
        assert clock.now() == dt.datetime(2028, 2, 29, 23, 59, 59, 500_000, tzinfo=dt.UTC)
        assert clock.now_iso() == "2028-02-29T23:59:59.500Z"
        assert clock.epoch_seconds() == 1835481599 and clock.epoch_millis() == 1835481599500
        assert clock.today() == dt.date(2028, 2, 29)


def test_today_is_the_users_day_not_the_machines() -> None:
    # 10:30 UTC: already the next day in Kiritimati (UTC+14), still the day before in Pago Pago (UTC-11).
    with time_machine.travel(dt.datetime(2027, 7, 14, 10, 30, tzinfo=dt.UTC), tick=False):
        assert clock.today("Pacific/Kiritimati") == dt.date(2027, 7, 15)
        assert clock.today("Pacific/Pago_Pago") == dt.date(2027, 7, 13)
        assert clock.today("UTC") == clock.today() == dt.date(2027, 7, 14)


def test_iso_writes_any_aware_instant_in_utc() -> None:
    paris = dt.datetime(2027, 10, 31, 2, 30, fold=1, tzinfo=ZoneInfo("Europe/Paris"))
    assert clock.iso(paris) == "2027-10-31T01:30:00.000Z"  # the second 02:30 of the autumn change (CET)


@pytest.mark.parametrize("folder", ["layers", "functions"])
def test_no_code_but_the_clock_reads_wall_time(folder: str) -> None:
    readers = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        if path == ROOT / "layers" / "shared" / "zik" / "clock.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if WALL_CLOCK.search(line.split("#", 1)[0]):
                readers.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert readers == [], "read time through zik.clock (tests move it):\n" + "\n".join(readers)


def test_the_wall_clock_pattern_catches_what_it_should() -> None:
    caught = ["dt.datetime.now(dt.timezone.utc)", "datetime.utcnow()", "date.today()", "int(time.time())", "time.time_ns()", "dt.datetime.today()"]
    spared = ["time.monotonic()", "time.perf_counter()", "clock.now()", "self.time()"]
    assert all(WALL_CLOCK.search(code) for code in caught)
    assert not any(WALL_CLOCK.search(code) for code in spared)


def test_a_moved_clock_names_a_wall_time_in_a_zone(pytestconfig: pytest.Config) -> None:
    moved_instant = pytestconfig.pluginmanager.get_plugin(str(ROOT / "tests" / "conftest.py")).moved_instant
    assert moved_instant("2027-07-14T23:59:30@Pacific/Kiritimati") == dt.datetime(2027, 7, 14, 9, 59, 30, tzinfo=dt.UTC)
    assert moved_instant("2028-02-29T23:59:30") == dt.datetime(2028, 2, 29, 23, 59, 30, tzinfo=dt.UTC)
    with pytest.raises(pytest.UsageError, match="DST gap"):
        moved_instant("2027-03-28T02:30:00@Europe/Paris")
    with pytest.raises(pytest.UsageError, match="without an offset"):
        moved_instant("2027-03-28T02:30:00+01:00")
