"""Run pytest once per moved clock, ZIK_DATES_WORKERS at a time (2 by default, the CI machine's cores):
``python tests/at_clocks.py CLOCK... -- PYTEST ARGS``. A CLOCK is any ``--clock`` spec (tests/conftest.py:
absolute, or relative to today such as ``next:12-31T23:59:30@Pacific/Kiritimati``).

Each run's output goes to ``.zik/dates/<clock>.log``; a failed run's summary is printed, and the exit
status is non-zero when any run failed. ``make test-dates`` and ``make test`` (``make dates``) call it (see
the Makefile).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOGS = ROOT / ".zik" / "dates"


def run(clock: str, pytest_args: list[str]) -> tuple[str, int, float, Path]:
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / (re.sub(r"[^A-Za-z0-9_.+-]", "_", clock) + ".log")
    started = time.monotonic()
    with log.open("w") as out:
        code = subprocess.call([sys.executable, "-m", "pytest", *pytest_args, "--clock", clock], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    return clock, code, time.monotonic() - started, log


def main(argv: list[str]) -> int:
    if "--" not in argv:
        print(__doc__, file=sys.stderr)
        return 2
    split = argv.index("--")
    clocks, pytest_args = argv[:split], argv[split + 1 :]
    workers = int(os.environ.get("ZIK_DATES_WORKERS", "2"))
    failed = 0
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for clock, code, seconds, log in pool.map(lambda c: run(c, pytest_args), clocks):
            lines = log.read_text(errors="replace").splitlines()
            summary = lines[-1] if lines else "(no output)"
            print(f"{'ok  ' if code == 0 else 'FAIL'} {clock:45} {seconds:6.1f}s  {summary.strip('= ')}", flush=True)
            if code:
                failed += 1
                start = next((i for i, line in enumerate(lines) if "short test summary" in line), max(0, len(lines) - 40))
                print("\n".join("     " + line for line in lines[start:]), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
