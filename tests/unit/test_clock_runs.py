"""``--clocks`` (make dates): in one session, each test marked clock runs once at each instant, in its zone, its
body just before the edge the instant is near; the clock and the machine's zone are back when it ends, and the
tests not marked clock run once, on the real clock. A pytest session of its own with tests/conftest.py."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import time_machine

ROOT = Path(__file__).resolve().parents[2]

_PROBES = """
import datetime as dt
import json
import os
from zoneinfo import ZoneInfo

import pytest


def _said(name, moved_clock, user_zone):
    now = dt.datetime.now(dt.UTC)
    local = now.astimezone(ZoneInfo(user_zone))
    midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), tzinfo=ZoneInfo(user_zone))
    print("PROBE " + json.dumps({"name": name, "clock": moved_clock, "zone": user_zone, "tz": os.environ.get("TZ"),
                                 "utc": now.isoformat(), "to_midnight": (midnight - local).total_seconds()}))


@pytest.mark.clock
def test_marked(moved_clock, user_zone):
    _said("marked", moved_clock, user_zone)


def test_unmarked(moved_clock, user_zone):
    _said("unmarked", moved_clock, user_zone)
"""


def test_each_test_marked_clock_runs_at_each_instant_in_its_zone_and_the_clock_comes_back(tmp_path):
    shutil.copy(ROOT / "tests" / "conftest.py", tmp_path / "conftest.py")
    pythonpath = ROOT / "layers" / "shared"  # the conftest's autouse fixtures import the layer
    (tmp_path / "pytest.ini").write_text(f"[pytest]\npythonpath = {pythonpath}\nmarkers =\n    clock: reads a day\n", encoding="utf-8")
    (tmp_path / "test_probes.py").write_text(_PROBES, encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if k not in ("TZ", "ZIK_TEST_CLOCK", "PYTEST_ADDOPTS")}
    started = time_machine.escape_hatch.datetime.datetime.now(dt.UTC)  # the real now, in a moved session too (make test-dates)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", "-p", "no:randomly", "test_probes.py",
         "--clocks", "now+1y next:12-31T23:59:30@Pacific/Kiritimati"],
        cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    probes = [json.loads(line.split("PROBE ", 1)[1]) for line in run.stdout.splitlines() if "PROBE " in line]
    assert [(p["name"], p["clock"]) for p in probes] == [
        ("marked", "now+1y"),
        ("marked", "next:12-31T23:59:30@Pacific/Kiritimati"),
        ("unmarked", None),
    ]
    a_year_on, new_years_eve, unmarked = probes
    year_later = dt.datetime.fromisoformat(a_year_on["utc"]) - started
    assert (a_year_on["zone"], a_year_on["tz"]) == ("UTC", "UTC") and abs(year_later - dt.timedelta(days=365)) < dt.timedelta(minutes=1)
    # The body starts CLOCK_LEAD (0.05 s) before the user's midnight in the zone the run moved the machine to (a
    # slow machine may read the clock just after it: the next midnight is then a day away).
    assert (new_years_eve["zone"], new_years_eve["tz"]) == ("Pacific/Kiritimati", "Pacific/Kiritimati")
    to_midnight = new_years_eve["to_midnight"]
    assert abs(to_midnight - 86400 if to_midnight > 43200 else to_midnight) < 5
    # Back on the real clock, and in the session's zone (its traveller's: UTC), not Kiritimati's.
    assert (unmarked["zone"], unmarked["tz"]) == ("UTC", "UTC")
    assert abs(dt.datetime.fromisoformat(unmarked["utc"]) - started) < dt.timedelta(minutes=1)
    assert "3 passed" in run.stdout
