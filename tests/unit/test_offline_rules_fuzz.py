"""The offline rules answer anything a user may send with an answer their task's schema accepts, never an exception:
any Unicode in any field the API lets through (titles, descriptions, messages, entries), any day of any year, any
goals and tasks. The rules are hundreds of patterns and word lists over user text; a property test finds the input
nobody listed."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import zik.journal.ai_tasks  # noqa: F401  (registers journal.insight)
import zik.quests.ai_tasks  # noqa: F401  (registers the quests' tasks)
from zik import ai

# Words the rules look for, mixed into the random text so that the patterns fire on odd neighbours.
CUES = st.sampled_from(
    [
        "by March",
        "before Christmas",
        "in 6 weeks",
        "done:",
        "task 2",
        "#3",
        "the second one",
        "tomorrow",
        "demain",
        "I want to",
        "je veux",
        "marathon",
        "$10k",
        "5,000 words",
        "kg",
        "but",
        "although",
        "not",
        "funeral",
        "Perfect.",
        "Oh great",
        "j'ai fini",
        "what's on",
        "how am I doing",
        "run for",
        "learn",
        "save £2,000",
        "«",
        "»",
        "'",
        '"',
    ]
)
TEXT = st.lists(st.one_of(st.text(max_size=30), CUES), max_size=12).map(" ".join)
DAYS = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)).map(dt.date.isoformat)
EXAMPLES = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)


def _answered(task_name: str, data: dict) -> None:
    task = ai.get(task_name)
    task.render(data)  # the prompt a vendor would get is made of the same data
    task.validate(task.offline(data))


@EXAMPLES
@given(
    title=TEXT.map(lambda t: t[:200]),
    description=TEXT.map(lambda t: t[:2000]),
    category=TEXT.map(lambda t: t[:50]),
    today=DAYS,
    target=st.one_of(st.just(""), DAYS),
)
def test_any_goal_gets_a_valid_plan(title: str, description: str, category: str, today: str, target: str) -> None:
    _answered("quests.plan", {"title": title, "description": description, "category": category, "targetDate": target, "today": today})


@EXAMPLES
@given(
    goal=TEXT.map(lambda t: t[:200]),
    milestone=TEXT.map(lambda t: t[:120]),
    text=TEXT.map(lambda t: t[:500]),
    today=DAYS,
    due=DAYS,
    number=st.integers(1, 7),
    busy=st.dictionaries(DAYS, st.integers(0, 50), max_size=14),
)
def test_any_milestone_gets_valid_tasks(goal: str, milestone: str, text: str, today: str, due: str, number: int, busy: dict) -> None:
    _answered(
        "quests.coach",
        {
            "goalTitle": goal,
            "goalDescription": text,
            "milestoneTitle": milestone,
            "milestoneDescription": text,
            "milestoneDueDate": due,
            "milestoneNumber": number,
            "milestoneCount": 7,
            "today": today,
            "busyDays": busy,
        },
    )


TASKS = st.lists(
    st.fixed_dictionaries(
        {
            "taskId": st.text(min_size=1, max_size=20),
            "title": TEXT.map(lambda t: t[:200]),
            "status": st.sampled_from(["todo", "done"]),
            "goalId": st.sampled_from(["g1", "g2", ""]),
            "goalTitle": TEXT.map(lambda t: t[:200]),
        }
    ),
    max_size=6,
)
GOALS = st.lists(
    st.fixed_dictionaries(
        {
            "goalId": st.sampled_from(["g1", "g2", "g3"]),
            "title": TEXT.map(lambda t: t[:200]),
            "status": st.sampled_from(["active", "planning", "paused"]),
            "targetDate": st.one_of(st.just(""), DAYS),
            "milestonesDone": st.integers(0, 7),
            "milestoneCount": st.integers(0, 7),
        }
    ),
    max_size=4,
)


@EXAMPLES
@given(message=TEXT.map(lambda t: t[:2000]), goals=GOALS, today_tasks=TASKS, tomorrow_tasks=TASKS, today=DAYS)
def test_any_message_gets_a_valid_reply(message: str, goals: list, today_tasks: list, tomorrow_tasks: list, today: str) -> None:
    _answered("quests.chat", {"message": message, "goals": goals, "todayTasks": today_tasks, "tomorrowTasks": tomorrow_tasks, "today": today})


@EXAMPLES
@given(
    content=TEXT.map(lambda t: t[:50000]),
    title=TEXT.map(lambda t: t[:200]),
    mood=st.one_of(st.none(), st.integers(1, 10)),
    tags=st.lists(TEXT.map(lambda t: t[:40]), max_size=5),
)
def test_any_entry_gets_a_valid_insight(content: str, title: str, mood: int | None, tags: list) -> None:
    _answered("journal.insight", {"content": content, "title": title, "mood": mood, "tags": tags})
