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


def test_no_test_imports_a_conftest_by_name() -> None:
    """``from conftest import ...`` finds whichever conftest was imported first: tests/unit's alone, but
    tests/integration's when both suites are collected together (make dates). Helpers live in modules of
    their own names."""
    offenders = [
        path.relative_to(TESTS).as_posix()
        for path in TESTS.rglob("*.py")
        if any(line.startswith(("from conftest import", "import conftest")) for line in path.read_text(encoding="utf-8").splitlines())
    ]
    assert offenders == []
