"""The evaluation suite's own files (zik_local/eval/cases, rubrics): each case file follows the contract,
and the offline provider reaches every target the product sets (runner.TARGETS), so a change to the offline
rules that loses cases fails here before it ships. Runs the whole suite offline in a few seconds."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from zik.ai import registry
from zik_local.eval import runner

runner.register_tasks()
CASE_FILES = sorted(runner.CASES.glob("*.json"))
RUBRIC_FILES = sorted(p for p in runner.RUBRICS.glob("*.py") if p.name != "__init__.py")


@pytest.fixture(autouse=True)
def _quiet(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No EMF record or "ai call" line for each of the hundreds of cases: a failure shows its own message."""
    from zik.observability import logger

    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    level = logger.log_level
    logger.setLevel("WARNING")
    yield
    logger.setLevel(level)


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_each_case_file_follows_the_contract(path) -> None:
    suite = runner.load_suite(path)  # the task named, ids present and unique, data objects, its rubric's grade and TASK

    without_why = [case["id"] for case in suite.cases if not isinstance(case.get("why"), str) or not case["why"].strip()]
    assert not without_why, f"cases without a why: {without_why}"
    assert all("expect" in case for case in suite.cases), "every case has an expect (the rubric's to read)"
    if suite.answers_itself:
        return
    task = registry.get(suite.task)  # LookupError: not a registered AI task, and the rubric has no answer()
    for case in suite.cases:
        task.render(case["data"])  # ValueError naming the field the prompt needs
        if isinstance(task, registry.ImageTask):
            assert isinstance(case.get("image"), str) and (runner.CASES / case["image"]).is_file(), f"{case['id']}: no image file"


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_the_headline_names_a_check_the_rubric_gives(path) -> None:
    suite = runner.load_suite(path)
    if suite.headline is None:
        return
    report = runner.evaluate(["local"], [suite.task])
    given = {check.name for result in report.tasks for case in result.results for check in case.checks}
    assert suite.headline in given, f"HEADLINE = {suite.headline!r}; the checks given: {sorted(given)}"


@pytest.mark.parametrize("path", RUBRIC_FILES, ids=[p.stem for p in RUBRIC_FILES])
def test_each_rubric_has_its_case_file(path) -> None:
    module = importlib.import_module(f"{runner.RUBRICS_PACKAGE}.{path.stem}")
    if not hasattr(module, "grade"):
        return  # what several rubrics share, not a rubric
    assert path.stem in {runner.rubric_name(p.stem) for p in CASE_FILES}, f"no case file for the rubric {path.name}"


TARGETED = [task for task in runner.TARGETS if (runner.CASES / f"{task}.json").is_file()]


@pytest.mark.parametrize("task", TARGETED)
def test_the_offline_provider_reaches_the_target(task: str) -> None:
    report = runner.evaluate(["local"], [task])

    assert report.problems == []
    [result] = report.tasks
    target = runner.TARGETS[task]
    measured = result.headline_rate if target.on == runner.HEADLINE else result.pass_rate
    failing = [f"{case.id}: {'; '.join(f'{c.name}: {c.detail}' for c in case.checks if not c.passed)}" for case in result.results if not case.passed]
    assert measured >= target.rate, f"{task} {measured:.1%} < {target.rate:.0%} ({target.on}); failing:\n" + "\n".join(failing)


def test_the_runner_imports_every_module_that_registers_an_ai_task() -> None:
    layer = Path(registry.__file__).resolve().parents[2]
    registering = {
        ".".join(path.relative_to(layer).with_suffix("").parts)
        for path in (layer / "zik").rglob("*.py")
        if "ai" not in path.relative_to(layer / "zik").parts[:1]  # the gateway's own docstring shows a registration
        and re.search(r"^\s*(\w+ = )?(ai|registry)\.register\(", path.read_text(encoding="utf-8"), re.MULTILINE)
    }
    assert registering and registering <= set(runner.TASK_MODULES), sorted(registering - set(runner.TASK_MODULES))
