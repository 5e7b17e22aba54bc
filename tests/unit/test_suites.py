"""The suites run together (``make dates`` collects tests/unit and tests/integration in one pytest run):
without packages, pytest imports each test module by its file name, so two suites sharing a name stop
collection with an "import file mismatch"."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_no_two_test_modules_share_a_name() -> None:
    homes: dict[str, list[str]] = defaultdict(list)
    for module in TESTS.rglob("test_*.py"):
        homes[module.name].append(str(module.relative_to(TESTS)))
    assert {name: paths for name, paths in homes.items() if len(paths) > 1} == {}
