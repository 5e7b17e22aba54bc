"""The evaluation runner: each task's cases through each provider alone, graded by the task's rubric.

A provider answers through the production path: ``Gateway([provider])`` with no budget and no circuit
(nothing of DynamoDB), so the prompt is ``task.render``'s, the answer is validated against the task's schema
and an invalid one is repaired once, as in production; only the fallback to the next provider is left out
(each provider is graded on its own). Image tasks go through ``Gateway.edit`` with the provider's image
model. A rubric that has ``answer(case)`` (journal.search, answered by our own code) runs once, as "zik".

Case files and rubrics: see the package's docstring. A case file's top-level keys other than "task" and
"cases" (a journal shared by many cases) reach the rubric with each case, as ``case["shared"]``.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from zik.ai import accounting, registry
from zik.ai.errors import AIUnavailable, ProviderNotConfigured
from zik.ai.gateway import Gateway
from zik.ai.images import ImageCompletion, ImageProvider, ImageRequest
from zik.ai.providers import IMAGE_KNOWN, KNOWN, Completion, Provider, Request, build, build_image
from zik.errors import ZikError
from zik_local.eval.checks import Check

HERE = Path(__file__).parent
# Read at each call (not bound at import), so that a test can point them at folders of its own.
CASES = HERE / "cases"
RUBRICS = HERE / "rubrics"
RUBRICS_PACKAGE = "zik_local.eval.rubrics"
NO_PROVIDER = "zik"  # the name a rubric's own answer() is reported under
# The modules whose import registers every AI task (grep ai.register).
TASK_MODULES = (
    "zik.quests.ai_tasks",
    "zik.journal.ai_tasks",
    "zik.career.resume_ai",
    "zik.career.match_ai",
    "zik.career.roadmap_ai",
    "zik.career.market_ai",
    "zik.career.email_ai",
    "zik.studio.tryon_ai",
)
# What the issue asks of the answers; "all" is the share of cases that pass every check, "headline" the
# pass rate of the rubric's HEADLINE check (which is "all" again when the rubric names none).
ALL_CHECKS = "all"
HEADLINE = "headline"


@dataclass(frozen=True)
class Target:
    rate: float
    on: str  # ALL_CHECKS or HEADLINE


TARGETS: dict[str, Target] = {
    "quests.plan": Target(0.85, ALL_CHECKS),
    "quests.chat": Target(0.90, HEADLINE),
    "journal.insight": Target(0.85, HEADLINE),
    "journal.search": Target(0.90, HEADLINE),
}


class Broken(Exception):
    """A case file or rubric that does not follow the contract."""


class UsageError(Exception):
    """A task or provider the command line names that does not exist."""


# -- what is evaluated ------------------------------------------------------------------------------------
@dataclass
class Suite:
    """One task's case file and rubric."""

    task: str
    path: Path
    cases: list[dict[str, Any]]
    rubric: ModuleType
    shared: dict[str, Any] = field(default_factory=dict)

    @property
    def headline(self) -> str | None:
        return getattr(self.rubric, "HEADLINE", None)

    @property
    def answers_itself(self) -> bool:
        return callable(getattr(self.rubric, "answer", None))

    @property
    def held_out(self) -> frozenset[str]:
        """The cases marked ``"heldOut": true``: written before the rules they test and never tuned on, so
        their figure is the honest estimate of how the rules meet words nobody wrote them for."""
        return frozenset(case["id"] for case in self.cases if case.get("heldOut") is True)

    def for_rubric(self, case: dict[str, Any]) -> dict[str, Any]:
        return {**case, "shared": self.shared} if self.shared else case


def register_tasks() -> None:
    for module in TASK_MODULES:
        importlib.import_module(module)


def rubric_name(task: str) -> str:
    return task.replace(".", "_")


def case_files() -> dict[str, Path]:
    """Every case file by its task name."""
    return {path.stem: path for path in sorted(CASES.glob("*.json"))}


def load_rubric(task: str) -> ModuleType:
    name = rubric_name(task)
    path = RUBRICS / f"{name}.py"
    if not path.is_file():
        raise Broken(f"{task}: no rubric {path}")
    if path.resolve() == (HERE / "rubrics" / path.name).resolve():
        module = importlib.import_module(f"{RUBRICS_PACKAGE}.{name}")
    else:  # a rubric folder of a test's own: loaded from its file, under a name of its own
        spec = importlib.util.spec_from_file_location(f"_eval_rubric_{abs(hash(str(path)))}_{name}", path)
        if spec is None or spec.loader is None:
            raise Broken(f"{task}: the rubric {path} cannot be loaded")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses defined in it look their module up there
        spec.loader.exec_module(module)
    if not callable(getattr(module, "grade", None)):
        raise Broken(f"{task}: the rubric {path.name} has no grade(case, answer)")
    if getattr(module, "TASK", None) != task:
        raise Broken(f"{task}: the rubric {path.name} says TASK = {getattr(module, 'TASK', None)!r}")
    return module


def load_suite(path: Path) -> Suite:
    """The case file at ``path`` and its rubric, checked against the contract (Broken says what is wrong)."""
    task = path.stem
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Broken(f"{path.name} cannot be read: {exc}") from None
    if not isinstance(document, dict) or document.get("task") != task:
        raise Broken(f"{path.name} must be an object whose task is {task!r}")
    cases = document.get("cases")
    if not isinstance(cases, list) or not cases:
        raise Broken(f"{path.name} has no cases")
    seen: set[str] = set()
    for index, case in enumerate(cases):
        if not isinstance(case, dict) or not isinstance(case.get("id"), str) or not case["id"]:
            raise Broken(f"{path.name}: case {index} has no id")
        if not isinstance(case.get("data"), dict):
            raise Broken(f"{path.name}: case {case['id']} has no data object")
        if case["id"] in seen:
            raise Broken(f"{path.name}: the id {case['id']} is used twice")
        seen.add(case["id"])
    rubric = load_rubric(task)
    shared = {key: value for key, value in document.items() if key not in ("task", "cases")}
    return Suite(task, path, cases, rubric, shared)


# -- results ----------------------------------------------------------------------------------------------
@dataclass
class CaseResult:
    id: str
    checks: list[Check]
    latency_ms: float | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = 0.0  # None: a model the price table does not list
    calls: int = 0  # model calls: 2 when the answer was repaired
    answer: Any = None  # what the rubric graded (for an image, its size in bytes)
    not_configured: str | None = None  # the provider is not configured here (no key): the reason

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(check.passed for check in self.checks)

    def check_passed(self, name: str) -> bool:
        """Every check of that name passed (and there was one)."""
        named = [check for check in self.checks if check.name == name]
        return bool(named) and all(check.passed for check in named)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "passed": self.passed,
            "checks": [{"name": c.name, "passed": c.passed, "detail": c.detail} for c in self.checks],
            "latencyMs": None if self.latency_ms is None else round(self.latency_ms, 2),
            "inputTokens": self.input_tokens,
            "outputTokens": self.output_tokens,
            "costUsd": self.cost_usd,
            "calls": self.calls,
            "answer": self.answer,
        }


@dataclass
class TaskResult:
    """One task's cases through one provider (or why they were not run)."""

    task: str
    provider: str
    prompt: str | None = None
    results: list[CaseResult] = field(default_factory=list)
    headline_check: str | None = None
    skipped: str | None = None
    held_out: frozenset[str] = frozenset()

    @property
    def target(self) -> Target | None:
        return TARGETS.get(self.task)

    @property
    def cases(self) -> int:
        return len(self.results)

    @property
    def passed(self) -> int:
        return sum(result.passed for result in self.results)

    @property
    def pass_rate(self) -> float:
        return self.passed / self.cases if self.cases else 0.0

    @property
    def headline_rate(self) -> float:
        """The HEADLINE check's pass rate over every case (a case that never reached the rubric failed it)."""
        if self.headline_check is None:
            return self.pass_rate
        return sum(result.check_passed(self.headline_check) for result in self.results) / self.cases if self.cases else 0.0

    def held_out_rates(self) -> tuple[int, float, float] | None:
        """The held-out cases' (count, pass rate, headline rate), or None when the task has none."""
        cases = [result for result in self.results if result.id in self.held_out]
        if not cases:
            return None
        passed = sum(result.passed for result in cases) / len(cases)
        headline = passed if self.headline_check is None else sum(r.check_passed(self.headline_check) for r in cases) / len(cases)
        return len(cases), passed, headline

    @property
    def target_met(self) -> bool | None:
        target = self.target
        if target is None or self.skipped is not None:
            return None
        return (self.headline_rate if target.on == HEADLINE else self.pass_rate) >= target.rate

    def check_rates(self) -> dict[str, tuple[int, int]]:
        """Each check's (passed, cases that have it), in the order the checks first appear."""
        names = list(dict.fromkeys(check.name for result in self.results for check in result.checks))
        return {
            name: (sum(r.check_passed(name) for r in self.results), sum(any(c.name == name for c in r.checks) for r in self.results))
            for name in names
        }

    @property
    def median_latency_ms(self) -> float | None:
        latencies = [r.latency_ms for r in self.results if r.latency_ms is not None]
        return statistics.median(latencies) if latencies else None

    @property
    def tokens(self) -> tuple[int, int]:
        return sum(r.input_tokens for r in self.results), sum(r.output_tokens for r in self.results)

    @property
    def cost_usd(self) -> float | None:
        costs = [r.cost_usd for r in self.results]
        return None if any(cost is None for cost in costs) else round(sum(cost or 0.0 for cost in costs), 6)

    @property
    def repairs(self) -> int:
        return sum(r.calls > 1 for r in self.results)

    def to_json(self) -> dict[str, Any]:
        target = self.target
        return {
            "task": self.task,
            "provider": self.provider,
            "skipped": self.skipped,
            "prompt": self.prompt,
            "cases": self.cases,
            "passed": self.passed,
            "passRate": round(self.pass_rate, 4),
            "headline": {"check": self.headline_check, "rate": round(self.headline_rate, 4)},
            "heldOut": None
            if (held := self.held_out_rates()) is None
            else {"cases": held[0], "passRate": round(held[1], 4), "headlineRate": round(held[2], 4)},
            "target": None if target is None else {"rate": target.rate, "on": target.on, "met": self.target_met},
            "medianLatencyMs": None if self.median_latency_ms is None else round(self.median_latency_ms, 2),
            "tokens": {"input": self.tokens[0], "output": self.tokens[1]},
            "costUsd": self.cost_usd,
            "repairs": self.repairs,
            "checks": {name: {"passed": p, "total": t, "rate": round(p / t, 4) if t else 0.0} for name, (p, t) in self.check_rates().items()},
            "results": [result.to_json() for result in self.results],
        }


@dataclass
class Report:
    providers: list[str]
    tasks: list[TaskResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # broken case files and rubrics: exit status 2

    def by_provider(self) -> dict[str, list[TaskResult]]:
        grouped: dict[str, list[TaskResult]] = {}
        for result in self.tasks:
            grouped.setdefault(result.provider, []).append(result)
        return grouped

    def targets_missed(self) -> list[TaskResult]:
        return [result for result in self.tasks if result.target_met is False]

    def to_json(self) -> dict[str, Any]:
        return {"format": 1, "providers": self.providers, "problems": self.problems, "tasks": [result.to_json() for result in self.tasks]}


# -- the providers, metered --------------------------------------------------------------------------------
@dataclass
class _Meter:
    """The model calls of one case: tokens and the cost the price table gives them."""

    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = 0.0

    def add(self, provider: str, model: str, input_tokens: int, output_tokens: int, images: int = 0) -> None:
        self.calls += 1
        self.input_tokens += input_tokens
        self.output_tokens += output_tokens
        cost = accounting.estimate_cost(provider, model, input_tokens, output_tokens, images)
        self.cost_usd = None if cost is None or self.cost_usd is None else self.cost_usd + cost


class _MeteredText:
    """A text provider that notes each completion it gives (the gateway keeps none for its caller)."""

    def __init__(self, provider: Provider, meter: _Meter):
        self.provider, self.meter = provider, meter
        self.name, self.model, self.offline = provider.name, provider.model, provider.offline

    def complete(self, request: Request, *, timeout: float | None = None) -> Completion:
        completion = self.provider.complete(request, timeout=timeout)
        self.meter.add(self.name, completion.model, completion.input_tokens, completion.output_tokens)
        return completion


class _MeteredImage:
    def __init__(self, provider: ImageProvider, meter: _Meter):
        self.provider, self.meter = provider, meter
        self.name, self.model, self.offline = provider.name, provider.model, provider.offline

    def edit(self, request: ImageRequest, *, timeout: float | None = None) -> ImageCompletion:
        completion = self.provider.edit(request, timeout=timeout)
        self.meter.add(self.name, completion.model, completion.input_tokens, completion.output_tokens, completion.images)
        return completion


def default_text_provider(name: str) -> Provider:
    """The provider ``name`` as production builds it; ProviderNotConfigured where Bedrock has no region or
    credentials here (its call would only fail, case after case)."""
    if name == "bedrock":
        _aws_configured()
    return build(name)


def default_image_provider(name: str) -> ImageProvider:
    if name == "bedrock":
        _aws_configured()
    return build_image(name)


def _aws_configured() -> None:
    import boto3

    session = boto3.session.Session()
    if not session.region_name:
        raise ProviderNotConfigured("bedrock", "no AWS region is set (AWS_REGION)")
    if session.get_credentials() is None:
        raise ProviderNotConfigured("bedrock", "no AWS credentials are set")


# -- running ----------------------------------------------------------------------------------------------
def evaluate(
    providers: Sequence[str],
    tasks: Sequence[str] | None = None,
    *,
    text_provider: Callable[[str], Provider] = default_text_provider,
    image_provider: Callable[[str], ImageProvider] = default_image_provider,
    concurrency: int | None = None,
) -> Report:
    """Every case of ``tasks`` (all the case files when None) through each of ``providers``."""
    register_tasks()
    unknown = [name for name in providers if name not in KNOWN and name not in IMAGE_KNOWN]
    if unknown:
        raise UsageError(f"unknown provider {', '.join(unknown)} (known: {', '.join(sorted({*KNOWN, *IMAGE_KNOWN}))})")
    files = case_files()
    wanted = sorted(files) if tasks is None else list(dict.fromkeys(tasks))
    missing = [task for task in wanted if task not in files]
    if missing:
        raise UsageError(f"no case file for {', '.join(missing)} in {CASES} (there are: {', '.join(sorted(files)) or 'none'})")
    report = Report(list(providers))
    suites = []
    for task in wanted:
        try:
            suites.append(load_suite(files[task]))
        except Broken as broken:
            report.problems.append(str(broken))
    workers = concurrency or int(os.environ.get("EVAL_CONCURRENCY") or 4)
    for suite in (s for s in suites if s.answers_itself):
        report.tasks.append(_run_own(suite, report.problems))
    built: dict[tuple[str, bool], Any] = {}
    for name in providers:
        for suite in (s for s in suites if not s.answers_itself):
            report.tasks.append(_run_provider(suite, name, built, text_provider, image_provider, workers, report.problems))
    return report


def _run_own(suite: Suite, problems: list[str]) -> TaskResult:
    result = TaskResult(suite.task, NO_PROVIDER, headline_check=suite.headline, held_out=suite.held_out)
    for case in suite.cases:
        started = time.perf_counter()
        try:
            answer = suite.rubric.answer(suite.for_rubric(case))
        except Exception as exc:
            problems.append(f"{suite.task}: answer() raised on {case['id']}: {type(exc).__name__}: {exc}")
            result.results.append(CaseResult(case["id"], [Check("answer", False, f"{type(exc).__name__}: {exc}")]))
            continue
        latency = (time.perf_counter() - started) * 1000
        result.results.append(CaseResult(case["id"], _graded(suite, case, answer, problems), latency, answer=answer))
    return result


def _run_provider(
    suite: Suite,
    name: str,
    built: dict[tuple[str, bool], Any],
    text_provider: Callable[[str], Provider],
    image_provider: Callable[[str], ImageProvider],
    workers: int,
    problems: list[str],
) -> TaskResult:
    try:
        task = registry.get(suite.task)
    except LookupError:
        problems.append(f"{suite.path.name}: no AI task {suite.task} is registered (and its rubric has no answer())")
        return TaskResult(suite.task, name, skipped="not a registered AI task")
    image = isinstance(task, registry.ImageTask)
    result = TaskResult(suite.task, name, prompt=task.template[0], headline_check=suite.headline, held_out=suite.held_out)
    if (name, image) not in built:
        try:
            built[(name, image)] = image_provider(name) if image else text_provider(name)
        except ProviderNotConfigured as missing:
            built[(name, image)] = missing
        except ValueError:
            built[(name, image)] = ProviderNotConfigured(name, f"it has no {'image' if image else 'text'} model")
    provider = built[(name, image)]
    if isinstance(provider, ProviderNotConfigured):
        result.skipped = provider.reason
        return result

    def one(case: dict[str, Any]) -> CaseResult:
        return _run_case(suite, task, provider, case, problems)

    first = one(suite.cases[0])
    if first.not_configured is not None:
        result.skipped = first.not_configured
        built[(name, image)] = ProviderNotConfigured(name, first.not_configured)
        return result
    rest = suite.cases[1:]
    if provider.offline or workers <= 1:
        others = [one(case) for case in rest]
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            others = list(pool.map(one, rest))
    result.results = [first, *others]
    return result


def _run_case(suite: Suite, task: registry.AnyTask, provider: Any, case: dict[str, Any], problems: list[str]) -> CaseResult:
    """One case: the answer through the gateway, graded; a provider that cannot answer fails the case
    with the check "schema" (invalid even after the repair) or "provider" (an error, a timeout)."""
    data = case["data"]
    meter = _Meter()
    try:
        task.render(data)
    except ValueError as exc:
        problems.append(f"{suite.task}: the data of {case['id']} does not render the prompt: {exc}")
        return CaseResult(case["id"], [Check("render", False, str(exc))])
    started = time.perf_counter()
    answer: Any
    try:
        if isinstance(task, registry.ImageTask):
            photo = _case_image(suite, case, problems)
            if photo is None:
                return CaseResult(case["id"], [Check("image", False, f"no image {case.get('image')!r}")])
            answer = Gateway([], image_providers=[_MeteredImage(provider, meter)]).edit(task.name, photo, data).data
        else:
            answer = Gateway([_MeteredText(provider, meter)]).run(task.name, data)
    except AIUnavailable as unavailable:
        reasons = [attempt["reason"] for attempt in unavailable.attempts]
        spent = _spent(case["id"], meter, started)
        if reasons and all(reason.startswith("skipped: ") for reason in reasons):
            spent.not_configured = reasons[0].removeprefix("skipped: ")
        invalid = any(reason.startswith(("invalid answer", "invalid image")) for reason in reasons)
        spent.checks = [Check("schema" if invalid else "provider", False, "; ".join(reasons))]
        return spent
    except ZikError as refusal:  # the offline rules' own refusal (a photo with no face)
        spent = _spent(case["id"], meter, started)
        spent.checks = [Check("refused", False, f"{refusal.code}: {refusal.message}")]
        return spent
    except Exception as exc:  # a defect of the offline rules: the case fails, the run goes on
        spent = _spent(case["id"], meter, started)
        spent.checks = [Check("error", False, f"{type(exc).__name__}: {exc}")]
        return spent
    spent = _spent(case["id"], meter, started)
    spent.answer = {"imageBytes": len(answer)} if isinstance(answer, bytes) else answer
    spent.checks = _graded(suite, case, answer, problems)
    return spent


def _spent(case_id: str, meter: _Meter, started: float) -> CaseResult:
    return CaseResult(
        case_id,
        [],
        (time.perf_counter() - started) * 1000,
        meter.input_tokens,
        meter.output_tokens,
        meter.cost_usd,
        meter.calls,
    )


def _case_image(suite: Suite, case: dict[str, Any], problems: list[str]) -> bytes | None:
    relative = case.get("image")
    path = CASES / relative if isinstance(relative, str) else None
    if path is None or not path.is_file():
        problems.append(f"{suite.task}: the image of {case['id']} ({relative!r}) is not a file under {CASES}")
        return None
    return path.read_bytes()


def _graded(suite: Suite, case: dict[str, Any], answer: Any, problems: list[str]) -> list[Check]:
    try:
        checks = list(suite.rubric.grade(suite.for_rubric(case), answer))
    except Exception as exc:
        problems.append(f"{suite.task}: grade() raised on {case['id']}: {type(exc).__name__}: {exc}")
        return [Check("rubric", False, f"{type(exc).__name__}: {exc}")]
    if not checks or not all(isinstance(check, Check) for check in checks):
        problems.append(f"{suite.task}: grade() must answer a non-empty list of Check for {case['id']}")
        return [Check("rubric", False, "grade() answered no Check")]
    return checks


# -- the report ---------------------------------------------------------------------------------------------
def load_baseline(path: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """An earlier --json run's tasks, by (provider, task)."""
    document = json.loads(path.read_text(encoding="utf-8"))
    return {(task["provider"], task["task"]): task for task in document.get("tasks", [])}


def _percent(rate: float) -> str:
    return f"{rate * 100:.1f}%"


def _delta(now: float, then: Any) -> str:
    if not isinstance(then, (int, float)):
        return ""
    points = (now - then) * 100
    return "±0" if abs(points) < 0.05 else f"{points:+.1f}"


def render(report: Report, *, verbose: bool = False, baseline: Mapping[tuple[str, str], dict[str, Any]] | None = None) -> str:
    """The report as printed: per provider a line per task, then each task's check rates, then (verbose)
    each failing case, then (with a baseline) the cases that went from passing to failing."""
    lines: list[str] = []
    regressions: list[str] = []
    for provider, results in report.by_provider().items():
        reasons = {result.skipped for result in results}
        if len(reasons) == 1 and None not in reasons:
            lines.append(f"{provider}: skipped: {reasons.pop()}")
            continue
        lines.append(f"{provider}")
        header = f"  {'task':<22} {'cases':>5} {'passed':>6} {'pass':>7}  {'headline':<26} {'target':<11}"
        header += f" {'Δ pass/head':>12}" if baseline is not None else ""
        header += f" {'median ms':>10} {'tokens in/out':>15} {'cost USD':>9} {'repairs':>7}  prompt"
        lines.append(header)
        for result in results:
            if result.skipped is not None:
                lines.append(f"  {result.task:<22} skipped: {result.skipped}")
                continue
            headline = f"{result.headline_check or 'all checks'} {_percent(result.headline_rate)}"
            target = result.target
            aim = "" if target is None else f"≥{target.rate * 100:.0f}% {'✓' if result.target_met else '✗'}"
            line = f"  {result.task:<22} {result.cases:>5} {result.passed:>6} {_percent(result.pass_rate):>7}  {headline:<26} {aim:<11}"
            if baseline is not None:
                before = baseline.get((provider, result.task))
                delta = ""
                if before is not None:
                    delta = f"{_delta(result.pass_rate, before.get('passRate'))}/{_delta(result.headline_rate, (before.get('headline') or {}).get('rate'))}"
                    was = {case["id"]: case["passed"] for case in before.get("results", [])}
                    regressions.extend(f"  {provider} {result.task} {r.id}" for r in result.results if was.get(r.id) is True and not r.passed)
                line += f" {delta:>12}"
            latency = "" if result.median_latency_ms is None else f"{result.median_latency_ms:.1f}"
            cost = "?" if result.cost_usd is None else f"{result.cost_usd:.4f}"
            tokens_in, tokens_out = result.tokens
            line += f" {latency:>10} {f'{tokens_in}/{tokens_out}':>15} {cost:>9} {result.repairs:>7}  {result.prompt or '-'}"
            lines.append(line)
        ran = [result for result in results if result.skipped is None and result.results]
        if ran:
            lines.append("  checks")
            for result in ran:
                rates = " · ".join(f"{name} {_percent(p / t) if t else '-'}" for name, (p, t) in result.check_rates().items())
                lines.append(f"    {result.task}: {rates}")
            held = [(result, figures) for result in ran if (figures := result.held_out_rates()) is not None]
            if held:
                lines.append("  held out (written before the rules they test, never tuned on)")
            for result, (count, passed, held_headline) in held:
                lines.append(
                    f"    {result.task}: {count} cases, pass {_percent(passed)}, {result.headline_check or 'all checks'} {_percent(held_headline)}"
                )
        if verbose:
            failing = [(result.task, case) for result in ran for case in result.results if not case.passed]
            if failing:
                lines.append("  failing cases")
            for task, case in failing:
                details = "; ".join(f"{c.name}: {c.detail or 'failed'}" for c in case.checks if not c.passed)
                lines.append(f"    {task} {case.id}: {details}")
    if baseline is not None:
        lines.append(f"from pass to fail since the baseline: {len(regressions) or 'none'}")
        lines.extend(regressions)
    if report.problems:
        lines.append("broken case files or rubrics:")
        lines.extend(f"  {problem}" for problem in report.problems)
    return "\n".join(lines)
