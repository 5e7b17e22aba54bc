"""The quests domain's offline AI rules: schema-valid, dated correctly, specific to the goal's words."""

from __future__ import annotations

import datetime as dt
import re

import pytest

import zik.quests.ai_tasks  # noqa: F401  (registers the quests tasks)
from zik import ai
from zik.quests import chat_rules, offline

TODAY = dt.date(2026, 3, 1)
PLAN, COACH, CHAT = ai.get("quests.plan"), ai.get("quests.coach"), ai.get("quests.chat")


def plan_data(title: str, days: int | None = 180, **extra: str) -> dict[str, str]:
    target = "" if days is None else (TODAY + dt.timedelta(days=days)).isoformat()
    return {"title": title, "description": "", "category": "", "targetDate": target, "today": TODAY.isoformat(), **extra}


def coach_data(goal: str, milestone: str, *, due_in: int = 14, number: int = 2, count: int = 5, description: str = "") -> dict[str, object]:
    return {
        "goalTitle": goal,
        "goalDescription": "",
        "milestoneTitle": milestone,
        "milestoneDescription": description,
        "milestoneDueDate": (TODAY + dt.timedelta(days=due_in)).isoformat(),
        "milestoneNumber": number,
        "milestoneCount": count,
        "today": TODAY.isoformat(),
    }


GOALS = [
    ("Learn Spanish", "language", ["Spanish"]),
    ("Learn Japanese to JLPT N3", "language", ["Japanese", "JLPT N3"]),
    ("Learn to play the guitar", "instrument", ["guitar"]),
    ("Run a marathon in under 4 hours", "running", ["Build a base: run 3 times a week", "km", "Race day: Run a marathon in under 4 hours"]),
    ("Lose 10 kg", "fitness", ["kg"]),
    ("Do 20 pull-ups", "fitness", ["Do 20 pull-ups"]),
    ("Save $5000 for a trip", "money", ["$2,500", "$5000"]),
    ("Pay off my $12,000 credit card debt", "money", ["Debt-free", "$6,000"]),
    ("Write a fantasy novel", "writing", ["fantasy novel", "words"]),
    ("Start a blog about cooking", "writing", ["blog about cooking", "posts"]),
    ("Build a budget app", "building", ["budget app", "Launch"]),
    ("Launch my online store", "building", ["online store", "customers"]),
    ("Read 20 books this year", "habit", ["Read 10 pages", "read 20 books"]),
    ("Meditate every day", "habit", ["Meditate"]),
    ("Quit smoking", "habit", ["days free", "quit smoking"]),
    ("Get a job as a data analyst", "career", ["data analyst"]),
    ("Get promoted to senior engineer", "career", ["senior engineer"]),
    ("Learn Python", "skill", ["Python"]),
    ("Pass the AWS Solutions Architect exam", "skill", ["AWS Solutions Architect exam", "Exam day"]),
    # A home project has a kind of its own (the issue: a known kind of goal given the generic template is a defect).
    ("Renovate the garden shed", "home", ["Renovate the garden shed", "garden shed"]),
    ("Sort out my life admin", "generic", ["Sort out my life admin"]),
]


@pytest.mark.parametrize(("title", "kind", "words"), GOALS, ids=[g[0] for g in GOALS])
def test_a_plan_is_valid_dated_and_made_of_the_goals_words(title: str, kind: str, words: list[str]) -> None:
    assert offline.detect_kind((title, 4), minimum=5) == kind

    answer = offline.plan(plan_data(title, 180))

    assert PLAN.validate(answer) == answer
    milestones = answer["milestones"]
    assert len(milestones) == 6  # 180 days
    dates = [m["dueDate"] for m in milestones]
    assert dates == sorted(dates) and len(set(dates)) == len(dates)
    assert dates[0] > TODAY.isoformat() and dates[-1] == (TODAY + dt.timedelta(days=180)).isoformat()
    text = " ".join(f"{m['title']} {m['description']}" for m in milestones)
    for word in words:
        assert word in text, f"{word!r} not in the plan for {title!r}"
    assert title in milestones[-1]["title"]  # the last milestone is the goal reached
    # The goal's own object appears before the last milestone too (not only in "Done: <title>").
    content = {w.lower() for w in re.findall(r"[A-Za-z]{4,}", title)} - {
        "learn",
        "build",
        "start",
        "launch",
        "write",
        "with",
        "into",
        "under",
        "hours",
        "this",
        "year",
        "every",
        "get",
        "save",
        "pass",
        "finish",
    }
    if kind in ("language", "instrument", "writing", "building", "skill"):
        assert any(w in " ".join(m["title"] for m in milestones[:-1]).lower() for w in content), title
    assert title in answer["summary"]


def test_the_milestones_are_distinct_kinds_of_work_per_goal() -> None:
    titles = {goal: [m["title"] for m in offline.plan(plan_data(goal))["milestones"]][:-1] for goal, _, _ in GOALS}
    first = [t[0] for t in titles.values()]
    assert len(set(first)) >= 15  # not one template for every goal


@pytest.mark.parametrize(
    ("days", "count"), [(1, 3), (2, 3), (3, 3), (20, 3), (21, 4), (59, 4), (60, 5), (119, 5), (120, 6), (239, 6), (240, 7), (900, 7)]
)
def test_the_number_of_milestones_follows_the_span(days: int, count: int) -> None:
    answer = offline.plan(plan_data("Run a 10k", days))
    PLAN.validate(answer)
    dates = [m["dueDate"] for m in answer["milestones"]]
    target = (TODAY + dt.timedelta(days=days)).isoformat()

    assert len(dates) == count
    assert dates == sorted(dates) and all(TODAY.isoformat() < d <= target for d in dates)
    assert dates[-1] == target
    assert len(set(dates)) == min(count, days)  # distinct as far as the days allow


def test_the_dates_are_spread_evenly() -> None:
    dates = [dt.date.fromisoformat(m["dueDate"]) for m in offline.plan(plan_data("Learn Spanish", 100))["milestones"]]
    gaps = [(b - a).days for a, b in zip([TODAY, *dates], dates)]
    assert max(gaps) - min(gaps) <= 1


def test_without_a_target_date_the_plan_spans_90_days() -> None:
    answer = offline.plan(plan_data("Write a book", None))
    assert len(answer["milestones"]) == 5
    assert answer["milestones"][-1]["dueDate"] == (TODAY + dt.timedelta(days=90)).isoformat()
    assert "90-day" in answer["summary"]


def test_a_target_date_in_the_past_falls_back_to_90_days() -> None:
    answer = offline.plan(plan_data("Write a book", -3))
    PLAN.validate(answer)
    assert all(m["dueDate"] > TODAY.isoformat() for m in answer["milestones"])
    assert "already passed" in answer["summary"]


def test_the_plan_reads_numbers_from_the_goal() -> None:
    marathon = offline.plan(plan_data("Run a marathon in under 4 hours", 300))
    assert "5:41 min/km" in " ".join(m["description"] for m in marathon["milestones"])  # 240 min / 42.2 km
    savings = offline.plan(plan_data("Save €10k for a house deposit", 300))
    assert "€5,000" in " ".join(m["title"] for m in savings["milestones"])
    weight = offline.plan(plan_data("Lose 20 pounds", 300))
    assert "10 lb" in " ".join(m["title"] for m in weight["milestones"])


def test_a_long_or_empty_title_still_gives_a_valid_plan() -> None:
    for title in ("x" * 200, "", "   ", "$$$ ???"):
        PLAN.validate(offline.plan(plan_data(title, 45)))
    plan = offline.plan(plan_data("I want to finally get fit by summer", 45))
    assert plan["milestones"][-1]["title"] == "Final test: Get fit by summer"


def test_the_description_and_category_help_find_the_kind() -> None:
    described = offline.plan(plan_data("Get ready for October", 200, description="I want to run my first half marathon"))
    assert described["milestones"][0]["title"] == "Build a base: run 3 times a week"
    categorised = offline.plan(plan_data("Sort things out", 200, category="Finance"))
    assert "money" in categorised["milestones"][0]["title"].lower()


# -- quests.coach ----------------------------------------------------------------------------------

COACHED = [
    ("Run a marathon in under 4 hours", "Reach a 25 km long run", "20 km"),
    ("Learn Spanish", "Set up a daily Spanish routine", "Spanish"),
    ("Save $5000 for a trip", "Reach the halfway mark: $2,500 saved", "$2,500"),
    ("Write a fantasy novel", "Reach the midpoint: 35,000 words", "500 words"),
    ("Build a budget app", "Build the first working version of your budget app", "build session"),
    ("Get a job as a data analyst", "Update your CV and LinkedIn", "LinkedIn"),
    ("Learn to play the guitar", "Learn 3 songs at full tempo", "bpm"),
    ("Quit smoking", "Reach 14 days free", "trigger"),
    ("Lose 10 kg", "Lose the first 2.5 kg", "calorie"),
    ("Meditate every day", "Track a 14-day streak", "Meditate for 5 minutes"),
    ("Renovate the garden shed", "Buy wood and paint", "Buy wood and paint"),
]


@pytest.mark.parametrize(("goal", "milestone", "expected"), COACHED, ids=[c[0] for c in COACHED])
def test_coached_tasks_are_valid_concrete_and_dated(goal: str, milestone: str, expected: str) -> None:
    answer = offline.coach(coach_data(goal, milestone, due_in=14))

    assert COACH.validate(answer) == answer
    tasks = answer["tasks"]
    assert len(tasks) == 5  # two weeks to go
    dates = [t["dueDate"] for t in tasks]
    assert dates[0] == TODAY.isoformat() and dates == sorted(dates)
    assert dates[-1] == (TODAY + dt.timedelta(days=14)).isoformat()
    assert all(re.match(r"^[A-Z][a-z]+", t["title"]) for t in tasks)  # each starts with a verb-like word
    assert expected in " ".join(f"{t['title']} {t['description']}" for t in tasks)
    assert milestone in answer["message"] and tasks[0]["title"] in answer["message"]


def test_the_tasks_follow_the_milestones_words() -> None:
    cv = offline.coach(coach_data("Get a job as a data analyst", "Update your CV and LinkedIn", number=2))
    assert {"Update your LinkedIn headline and About section", "Rewrite your CV's top third"} <= {t["title"] for t in cv["tasks"][:2]}
    long_run = offline.coach(coach_data("Run a marathon", "Reach a 25 km long run", number=3))
    assert long_run["tasks"][0]["title"] == "Run your long run: 20 km"


@pytest.mark.parametrize(("due_in", "count"), [(-5, 3), (0, 3), (1, 3), (2, 3), (3, 4), (7, 4), (8, 5), (60, 5)])
def test_the_number_of_tasks_and_their_dates_follow_the_time_left(due_in: int, count: int) -> None:
    answer = offline.coach(coach_data("Learn Spanish", "Hold a 10-minute conversation in Spanish", due_in=due_in, number=3))
    COACH.validate(answer)
    dates = [t["dueDate"] for t in answer["tasks"]]
    last = max(TODAY, TODAY + dt.timedelta(days=due_in)).isoformat()

    assert len(dates) == count
    assert dates[0] == TODAY.isoformat() and dates == sorted(dates) and dates[-1] == last
    if due_in < 0:
        assert set(dates) == {TODAY.isoformat()}


def test_the_first_and_last_milestones_get_start_and_finish_tasks() -> None:
    first = offline.coach(coach_data("Write a fantasy novel", "Outline your fantasy novel", number=1, count=5))
    last = offline.coach(coach_data("Write a fantasy novel", "Finish: Write a fantasy novel", number=5, count=5))
    assert "premise" in first["tasks"][0]["title"]
    assert any("proofread" in t["title"] for t in last["tasks"])
    assert last["tasks"][-1]["title"] == "Check the goal is met: Write a fantasy novel"


# -- prompts, registration, determinism ------------------------------------------------------------


@pytest.mark.parametrize("name", ["quests.plan", "quests.coach", "quests.chat"])
def test_the_prompts_render_with_the_task_data(name: str) -> None:
    task = ai.get(name)
    data = offline.sample_data()[name]
    prompt = task.render(data)
    assert prompt.version == f"{name}.v{task.prompt_version}"
    assert "calling the tool" in prompt.system and "$" not in prompt.system.replace("$$", "")
    for value in data.values():
        if isinstance(value, str) and value:
            assert value in prompt.system + prompt.user
    assert task.validate(task.offline(data))


def test_the_chat_prompt_shows_goals_and_tasks_as_json() -> None:
    prompt = CHAT.render(offline.sample_data()["quests.chat"])
    assert '[{"goalId": "g1", "title": "Learn Spanish", "status": "active"}]' in prompt.user
    assert '"taskId": "t1"' in prompt.user


def test_the_tasks_are_registered_with_their_budgets() -> None:
    settings = {name: (ai.get(name).max_tokens, ai.get(name).daily_calls) for name in ("quests.plan", "quests.coach", "quests.chat")}
    assert settings == {"quests.plan": (2000, 30), "quests.coach": (1500, 100), "quests.chat": (800, 200)}
    import importlib

    importlib.reload(zik.quests.ai_tasks)  # registering again from the same module is harmless
    sample = offline.sample_data()
    assert ai.get("quests.plan").offline(sample["quests.plan"]) == offline.plan(sample["quests.plan"])
    assert ai.get("quests.coach").offline(sample["quests.coach"]) == offline.coach(sample["quests.coach"])
    assert ai.get("quests.chat").offline(sample["quests.chat"]) == chat_rules.chat(sample["quests.chat"])


def test_registering_the_tasks_loads_no_offline_rules() -> None:
    """A cold start served by a vendor pays nothing for the offline rules: they load on the first offline answer."""
    import subprocess
    import sys

    code = "import sys, zik.quests.ai_tasks; print(sorted(m for m in ('zik.quests.offline', 'zik.quests.chat_rules') if m in sys.modules))"
    environment = {"PYTHONPATH": ":".join(sys.path), "POWERTOOLS_TRACE_DISABLED": "true"}
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60, env=environment).stdout.strip()
    assert loaded == "[]"


def test_the_answers_are_deterministic() -> None:
    for name, fn in (("quests.plan", offline.plan), ("quests.coach", offline.coach), ("quests.chat", chat_rules.chat)):
        data = offline.sample_data()[name]
        assert fn(data) == fn(dict(data))
