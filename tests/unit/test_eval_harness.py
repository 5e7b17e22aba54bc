"""The evaluation harness (zik_local/eval): a case file and a rubric made in the test's own folders, run
through the real gateway with the offline provider, a provider that answers out of schema, one that is not
configured, the Anthropic SDK over an HTTP mock transport, and the studio's image task; the report, --json,
--baseline and the exit statuses; and the checks rubrics share."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import textwrap
from pathlib import Path
from typing import Any

import httpx2
import pytest

from zik.ai.providers.anthropic_api import AnthropicAPI
from zik.ai.providers.base import Completion, Request
from zik_local.eval import checks, runner
from zik_local.eval.__main__ import main
from zik_local.eval.checks import Check

STUDIO = Path(__file__).resolve().parents[1] / "fixtures" / "studio"
DIGEST_CASES = [
    {"id": "calm-walk", "data": {"text": "A calm walk by the river. Happy and glad.", "length": 41}, "expect": {"tone": "positive"}, "why": "glad"},
    {"id": "bad-day", "data": {"text": "An awful day, tired and sad.", "length": 28}, "expect": {"tone": "negative"}, "why": "sad"},
    {"id": "plain-list", "data": {"text": "Bought bread, milk and stamps.", "length": 30}, "expect": {"tone": "neutral"}, "why": "a list"},
]
DIGEST_RUBRIC = """
from zik_local.eval.checks import Check

TASK = "tests.digest"
HEADLINE = "tone"


def grade(case, answer):
    expected = case["expect"]["tone"]
    return [
        Check("tone", answer["tone"] == expected, f"{answer['tone']}, expected {expected}"),
        Check("title", bool(answer["title"].strip())),
    ]
"""
ANSWERED_RUBRIC = """
from zik_local.eval.checks import Check

TASK = "tests.lookup"
HEADLINE = "top1"


def answer(case):
    words = case["shared"]["words"]
    return {"hits": [w for w in words if w.startswith(case["data"]["prefix"])]}


def grade(case, answer):
    return [Check("top1", answer["hits"][:1] == case["expect"]["top1"], str(answer["hits"]))]
"""


def write_suite(folder: Path, task: str, cases: list[dict[str, Any]], rubric: str, **shared: Any) -> None:
    (folder / "cases" / f"{task}.json").write_text(json.dumps({"task": task, **shared, "cases": cases}), encoding="utf-8")
    (folder / "rubrics" / f"{task.replace('.', '_')}.py").write_text(textwrap.dedent(rubric), encoding="utf-8")


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Empty cases/ and rubrics/ folders the runner reads instead of its own."""
    (tmp_path / "cases").mkdir()
    (tmp_path / "rubrics").mkdir()
    monkeypatch.setattr(runner, "CASES", tmp_path / "cases")
    monkeypatch.setattr(runner, "RUBRICS", tmp_path / "rubrics")
    monkeypatch.delenv("AI_PROVIDERS", raising=False)
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    return tmp_path


@pytest.fixture
def digest_suite(folders: Path, digest_task) -> Path:
    write_suite(folders, "tests.digest", DIGEST_CASES, DIGEST_RUBRIC)
    return folders


def only(report: runner.Report, task: str, provider: str) -> runner.TaskResult:
    [result] = [r for r in report.tasks if r.task == task and r.provider == provider]
    return result


# -- the offline provider, through the gateway ------------------------------------------------------------
def test_the_local_provider_is_graded_through_the_gateway(digest_suite) -> None:
    report = runner.evaluate(["local"], ["tests.digest"])

    result = only(report, "tests.digest", "local")
    assert (result.cases, result.passed, result.skipped, report.problems) == (3, 3, None, [])
    assert result.prompt == "tests.digest.v1"
    assert result.headline_check == "tone" and result.headline_rate == 1.0
    assert result.check_rates() == {"tone": (3, 3), "title": (3, 3)}
    assert result.cost_usd == 0.0 and result.tokens[0] > 0 and result.repairs == 0
    assert [r.answer["tone"] for r in result.results] == ["positive", "negative", "neutral"]


def test_a_case_that_fails_a_check_counts_against_the_headline(digest_suite) -> None:
    cases = [*DIGEST_CASES[:2], {**DIGEST_CASES[2], "expect": {"tone": "positive"}}]
    write_suite(digest_suite, "tests.digest", cases, DIGEST_RUBRIC)

    result = only(runner.evaluate(["local"]), "tests.digest", "local")

    assert (result.passed, round(result.headline_rate, 3), result.check_rates()["tone"]) == (2, 0.667, (2, 3))
    assert [c.detail for c in result.results[2].checks if not c.passed] == ["neutral, expected positive"]


def test_held_out_cases_are_reported_apart(digest_suite, capsys) -> None:
    cases = [DIGEST_CASES[0], {**DIGEST_CASES[1], "heldOut": True}, {**DIGEST_CASES[2], "heldOut": True, "expect": {"tone": "positive"}}]
    write_suite(digest_suite, "tests.digest", cases, DIGEST_RUBRIC)

    report = runner.evaluate(["local"])
    result = only(report, "tests.digest", "local")

    assert result.held_out_rates() == (2, 0.5, 0.5)
    assert result.to_json()["heldOut"] == {"cases": 2, "passRate": 0.5, "headlineRate": 0.5}
    assert "tests.digest: 2 cases, pass 50.0%, tone 50.0%" in runner.render(report)


class OutOfSchema:
    """An offline provider whose every answer lacks the schema's required fields."""

    name, model, offline = "local", "offline-rules-v1", True

    def __init__(self) -> None:
        self.requests: list[Request] = []

    def complete(self, request: Request, *, timeout: float | None = None) -> Completion:
        self.requests.append(request)
        return Completion('{"title": "x"}', {"title": "x"}, self.model, 10, 3)


def test_an_answer_out_of_schema_is_repaired_once_then_fails_the_schema_check(digest_suite) -> None:
    provider = OutOfSchema()

    result = only(runner.evaluate(["local"], ["tests.digest"], text_provider=lambda name: provider), "tests.digest", "local")

    assert result.passed == 0
    assert {tuple(c.name for c in r.checks) for r in result.results} == {("schema",)}
    assert "invalid answer after a repair" in result.results[0].checks[0].detail
    assert [r.calls for r in result.results] == [2, 2, 2] and result.repairs == 3
    assert len(provider.requests) == 6 and provider.requests[1].is_repair
    assert result.headline_rate == 0.0


def test_a_provider_without_a_key_is_skipped_not_a_crash(digest_suite, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_API_KEY_SECRET", "ANTHROPIC_API_KEY_PARAMETER"):
        monkeypatch.delenv(name, raising=False)

    assert main(["--providers", "local,anthropic"]) == 0

    out = capsys.readouterr().out
    assert "anthropic: skipped: no ANTHROPIC_API_KEY" in out
    assert "tests.digest" in out.split("anthropic:")[0]  # local still ran


def test_unknown_tasks_and_providers_are_usage_errors(digest_suite, capsys) -> None:
    assert main(["--task", "tests.nothing"]) == 2
    assert main(["--providers", "nobody"]) == 2
    err = capsys.readouterr().err
    assert "no case file for tests.nothing" in err and "unknown provider nobody" in err


# -- broken files --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cases", "rubric", "problem"),
    [
        ([DIGEST_CASES[0], DIGEST_CASES[0]], DIGEST_RUBRIC, "the id calm-walk is used twice"),
        ([{"id": "no-data"}], DIGEST_RUBRIC, "case no-data has no data object"),
        (DIGEST_CASES, DIGEST_RUBRIC.replace('TASK = "tests.digest"', 'TASK = "tests.other"'), "says TASK = 'tests.other'"),
        (DIGEST_CASES, DIGEST_RUBRIC.replace("def grade", "def graded"), "has no grade(case, answer)"),
        ([{**DIGEST_CASES[0], "data": {"text": "no length"}}], DIGEST_RUBRIC, "does not render the prompt"),
        (DIGEST_CASES, DIGEST_RUBRIC.replace('case["expect"]["tone"]', 'case["expect"]["mood"]'), "grade() raised on calm-walk: KeyError"),
    ],
)
def test_a_broken_case_file_or_rubric_is_exit_status_2(digest_suite, capsys, cases, rubric, problem) -> None:
    write_suite(digest_suite, "tests.digest", cases, rubric)

    assert main([]) == 2

    assert problem in capsys.readouterr().out


def test_a_case_file_with_no_rubric_is_broken(folders, digest_task) -> None:
    (folders / "cases" / "tests.digest.json").write_text(json.dumps({"task": "tests.digest", "cases": DIGEST_CASES}))

    assert "no rubric" in runner.evaluate(["local"]).problems[0]


# -- targets, --json and --baseline -------------------------------------------------------------------------
def test_a_missed_target_fails_only_with_fail_under_targets(digest_suite, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    write_suite(digest_suite, "tests.digest", [*DIGEST_CASES[:2], {**DIGEST_CASES[2], "expect": {"tone": "positive"}}], DIGEST_RUBRIC)
    monkeypatch.setitem(runner.TARGETS, "tests.digest", runner.Target(0.9, runner.HEADLINE))

    assert main([]) == 0
    assert "≥90% ✗" in capsys.readouterr().out
    assert main(["--fail-under-targets"]) == 1

    monkeypatch.setitem(runner.TARGETS, "tests.digest", runner.Target(0.6, runner.HEADLINE))
    assert main(["--fail-under-targets"]) == 0
    assert "≥60% ✓" in capsys.readouterr().out


def test_json_holds_every_figure_and_each_case(digest_suite, tmp_path: Path) -> None:
    assert main(["--json", str(tmp_path / "out" / "run.json")]) == 0

    document = json.loads((tmp_path / "out" / "run.json").read_text())
    assert document["providers"] == ["local"] and document["problems"] == []
    [task] = document["tasks"]
    assert {k: task[k] for k in ("task", "provider", "prompt", "cases", "passed", "passRate", "skipped")} == {
        "task": "tests.digest",
        "provider": "local",
        "prompt": "tests.digest.v1",
        "cases": 3,
        "passed": 3,
        "passRate": 1.0,
        "skipped": None,
    }
    assert task["headline"] == {"check": "tone", "rate": 1.0}
    assert task["checks"]["tone"] == {"passed": 3, "total": 3, "rate": 1.0}
    assert [r["id"] for r in task["results"]] == ["calm-walk", "bad-day", "plain-list"]
    assert task["results"][0]["checks"][0] == {"name": "tone", "passed": True, "detail": "positive, expected positive"}
    assert task["results"][0]["answer"]["tone"] == "positive" and task["results"][0]["calls"] == 1


def test_baseline_shows_the_delta_and_the_cases_gone_from_pass_to_fail(digest_suite, tmp_path: Path, capsys) -> None:
    assert main(["--json", str(tmp_path / "before.json")]) == 0
    capsys.readouterr()
    # A "prompt change" that loses one case:
    write_suite(digest_suite, "tests.digest", [*DIGEST_CASES[:2], {**DIGEST_CASES[2], "expect": {"tone": "positive"}}], DIGEST_RUBRIC)

    assert main(["--baseline", str(tmp_path / "before.json"), "--verbose"]) == 0

    out = capsys.readouterr().out
    assert "Δ pass/head" in out and "-33.3/-33.3" in out
    assert "from pass to fail since the baseline: 1\n  local tests.digest plain-list" in out
    assert "tests.digest plain-list: tone: neutral, expected positive" in out  # --verbose


# -- a rubric that answers itself (journal.search) ----------------------------------------------------------
def test_a_rubric_with_answer_runs_once_as_zik_with_the_files_shared_data(folders) -> None:
    cases = [
        {"id": "ca", "data": {"prefix": "ca"}, "expect": {"top1": ["cat"]}, "why": "prefix"},
        {"id": "do", "data": {"prefix": "do"}, "expect": {"top1": ["dog"]}, "why": "prefix"},
    ]
    write_suite(folders, "tests.lookup", cases, ANSWERED_RUBRIC, words=["cat", "car", "dog"])

    report = runner.evaluate(["local", "anthropic"])

    [result] = report.tasks
    assert (result.provider, result.passed, result.prompt, report.problems) == ("zik", 2, None, [])
    assert result.results[0].answer == {"hits": ["cat", "car"]}


# -- a vendor through its real SDK, over an HTTP mock transport ---------------------------------------------
def test_a_vendor_is_graded_through_its_sdk_concurrently(digest_suite, digest_task, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Anthropic SDK builds and parses the real wire format; the mock answers each prompt with the
    offline rules' reading of the note (and once, for the note with "glad", out of schema first)."""
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test-0123456789abcdef")
    sent: list[dict[str, Any]] = []

    def messages_api(request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        sent.append(body)
        note = body["messages"][0]["content"].split("<note>")[1].split("</note>")[0].strip()
        answer: dict[str, Any] = digest_task.offline({"text": note})
        if "glad" in note and len(body["messages"]) == 1:
            answer = {"title": answer["title"]}  # no keywords, no tone: the gateway asks for a repair
        return httpx2.Response(
            200,
            json={
                "id": "msg_01",
                "type": "message",
                "role": "assistant",
                "model": "claude-haiku-4-5-20251001",
                "content": [{"type": "tool_use", "id": "toolu_01", "name": "tests_digest", "input": answer}],
                "stop_reason": "tool_use",
                "stop_sequence": None,
                "usage": {"input_tokens": 200, "output_tokens": 40},
            },
        )

    def anthropic(name: str) -> AnthropicAPI:
        return AnthropicAPI("claude-haiku-4-5", http_client=httpx2.Client(transport=httpx2.MockTransport(messages_api)))

    report = runner.evaluate(["anthropic"], ["tests.digest"], text_provider=anthropic, concurrency=3)

    result = only(report, "tests.digest", "anthropic")
    assert (result.passed, result.repairs, result.tokens) == (3, 1, (800, 160))
    # claude-haiku-4-5: $1 in and $5 out a million tokens
    assert result.cost_usd == pytest.approx(4 * (200 * 1.0 + 40 * 5.0) / 1_000_000)
    assert len(sent) == 4 and sum(len(body["messages"]) == 3 for body in sent) == 1
    assert all(body["tool_choice"] == {"type": "tool", "name": "tests_digest"} for body in sent)


# -- an image task --------------------------------------------------------------------------------------
IMAGE_RUBRIC = """
import io

from PIL import Image

from zik_local.eval.checks import Check

TASK = "studio.tryon"


def grade(case, answer):
    with Image.open(io.BytesIO(answer)) as image:
        return [Check("jpeg", image.format == "JPEG"), Check("size kept", image.size == tuple(case["expect"]["size"]), str(image.size))]
"""


def test_an_image_task_is_edited_by_the_providers_image_model(folders) -> None:
    from zik.studio import hairstyles, tryon_ai

    (folders / "cases" / "images").mkdir()
    shutil.copy(STUDIO / "astronaut.jpg", folders / "cases" / "images" / "portrait.jpg")
    shutil.copy(STUDIO / "rocket.jpg", folders / "cases" / "images" / "no-face.jpg")
    data = tryon_ai.prompt_data(hairstyles.hairstyle("classic-bob"), "platinum")
    cases = [
        {"id": "bob", "image": "images/portrait.jpg", "data": data, "expect": {"size": [512, 512]}, "why": "a portrait"},
        {"id": "no-face", "image": "images/no-face.jpg", "data": data, "expect": {"size": [512, 512]}, "why": "no face"},
        {"id": "lost", "image": "images/missing.jpg", "data": data, "expect": {"size": [512, 512]}, "why": "a broken case"},
    ]
    write_suite(folders, "studio.tryon", cases, IMAGE_RUBRIC)

    report = runner.evaluate(["local", "anthropic"])

    result = only(report, "studio.tryon", "local")
    assert [r.passed for r in result.results] == [True, False, False], [r.checks for r in result.results]
    assert result.results[0].answer["imageBytes"] > 1000 and result.results[0].cost_usd == 0.0
    assert result.results[1].checks == [Check("refused", False, result.results[1].checks[0].detail)]
    assert "no_face" in result.results[1].checks[0].detail
    assert report.problems == [f"studio.tryon: the image of lost ('images/missing.jpg') is not a file under {folders / 'cases'}"]
    assert only(report, "studio.tryon", "anthropic").skipped == "it has no image model"


# -- the checks rubrics share ------------------------------------------------------------------------------
def test_iso_dates_and_spans() -> None:
    assert checks.iso_date("2026-03-01") == dt.date(2026, 3, 1)
    assert checks.iso_date("2026-03-01T23:30:00Z") == dt.date(2026, 3, 1)
    assert checks.iso_date("March 1st") is None and checks.iso_date(None) is None and checks.iso_date("2026-02-30") is None
    assert checks.dates_inside("due", ["2026-03-01", "2026-03-31"], "2026-03-01", "2026-03-31").passed
    late = checks.dates_inside("due", ["2026-03-01", "2026-04-01", "soon"], "2026-03-01", "2026-03-31")
    assert not late.passed and late.detail == "2026-04-01 is outside [2026-03-01, 2026-03-31]; 'soon' is not a date"
    assert checks.dates_inside("due", ["2030-01-01"], "2026-03-01", None).passed
    assert checks.dates_non_decreasing("order", ["2026-03-01", "2026-03-01", "2026-03-05"]).passed
    assert checks.dates_non_decreasing("order", ["2026-03-05", "2026-03-01"]).detail == "2026-03-05 then 2026-03-01"
    assert checks.number_between("score", 0.4, -1, 1).passed and not checks.number_between("score", True, 0, 1).passed


def test_words_are_compared_folded_and_stemmed() -> None:
    assert checks.stem("apply") != checks.stem("app")  # a verb in -ply is not an adverb
    assert checks.fold("Été Naïve") == "ete naive"
    assert checks.words("It’s a café-bar, 3 times!") == ["it's", "a", "cafe-bar", "times"]
    assert {checks.stem(w) for w in ("run", "running", "runs")} == {"run"}
    assert {checks.stem(w) for w in ("study", "studies", "studied")} == {"studi"}
    assert checks.stem("bus") == "bus"
    assert checks.missing_words("I was running along the Rivers; then a café", ["run", "river", "cafe", "swim", "the rivers"]) == ["swim"]
    assert checks.contains_words("skills", "Python and AWS Lambda", ["python", "go"]).passed
    assert not checks.contains_words("skills", "Python and AWS Lambda", ["python", "go"], every=True).passed
    assert checks.contains_words("phrase", "She loves machine learning", ["machine learning"]).passed
    assert not checks.contains_words("phrase", "learning a machine", ["machine learning"]).passed


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Finish the the report by Friday.", "doubled word 'the' 'the'"),
        ("Start with your and build up.", "dangling 'your and'"),
        ("Commencez par votre et continuez.", "dangling 'votre et'"),
        ("Book a an appointment.", "two articles 'a an'"),
        ("Read the chapter () today.", "empty brackets '()'"),
        ("Work on {goal} every day.", "unreplaced placeholder '{goal}'"),
        ("Plan $goalTitle this week.", "unreplaced placeholder '$goalTitle'"),
        ("Hello %s, welcome.", "unreplaced placeholder '%s'"),
        ("Call <NAME> tomorrow.", "unreplaced placeholder '<NAME>'"),
        ("Practise your , then rest.", "stray comma"),
        ("Finish the.", "determiner before punctuation 'the.'"),
    ],
)
def test_broken_grammar_is_found(text: str, problem: str) -> None:
    found = checks.grammar_problems(text)
    assert any(p.startswith(problem) for p in found), found
    assert not checks.no_broken_grammar("grammar", [text]).passed


@pytest.mark.parametrize(
    "text",
    [
        "I think that that plan works, and I had had enough of waiting.",
        "Nous nous levons tôt; elle a de la chance et il a avec lui un plan.",
        "Pick plan A. Oh my! Save $50 by May.",
        "This and that, her and me, his and hers.",
        "Bye bye for now — no, no, it's fine.",
        "Run 5 km (about 3 miles) twice a week.",
        "Fais-le. Range-les ! Qu'est-ce qu'il y a ?",
    ],
)
def test_honest_text_is_not_flagged(text: str) -> None:
    assert checks.grammar_problems(text) == []


def test_the_language_vote() -> None:
    assert checks.language("Start with a short walk today and keep it easy for your knees.") == "en"
    assert checks.language("Commence par une courte marche aujourd'hui et garde un rythme facile pour tes genoux.") == "fr"
    assert checks.language("OK!") is None
    assert checks.in_language("lang", "C'est une bonne idée, je vais le faire demain avec mon frère.", "fr").passed
    wrong = checks.in_language("lang", "That is a good idea, I will do it tomorrow with my brother.", "fr")
    assert (wrong.passed, wrong.detail) == (False, "reads as en, expected fr")
    assert checks.in_language("lang", "Super!", "fr") == Check("lang", True, "too few common words to tell")
