"""The offline chat coach (``quests.chat``): what it recognises in a message and how it answers."""

from __future__ import annotations

import datetime as dt

import pytest

import zik.quests.ai_tasks  # noqa: F401  (registers the quests tasks)
from zik import ai
from zik.quests import chat_rules

CHAT = ai.get("quests.chat")
TODAY = dt.date(2026, 3, 1)

# -- quests.chat -----------------------------------------------------------------------------------

GOAL_LIST = [{"goalId": "g1", "title": "Run a marathon", "status": "active"}, {"goalId": "g2", "title": "Write a novel", "status": "active"}]
TODAY_TASKS = [
    {"taskId": "t1", "title": "Run 5k at an easy pace", "status": "todo", "goalTitle": "Run a marathon"},
    {"taskId": "t2", "title": "Outline chapter 1", "status": "todo", "goalTitle": "Write a novel"},
    {"taskId": "t3", "title": "Buy running shoes", "status": "todo", "goalTitle": ""},
    {"taskId": "t4", "title": "Stretch for 10 minutes", "status": "done", "goalTitle": "Run a marathon"},
]


def ask(message: str, goals: list | None = None, tasks: list | None = None) -> dict:
    answer = chat_rules.chat(
        {
            "message": message,
            "goals": GOAL_LIST if goals is None else goals,
            "todayTasks": TODAY_TASKS if tasks is None else tasks,
            "today": TODAY.isoformat(),
        }
    )
    assert CHAT.validate(answer) == answer
    return answer


@pytest.mark.parametrize(
    ("message", "title"),
    [
        ("I want to learn Spanish", "Learn Spanish"),
        ("my goal is to run a half marathon by June", "Run a half marathon by June"),
        ("help me save $5000", "Save $5000"),
        ("Set a goal: read 12 books this year", "Read 12 books this year"),
        ("new goal - launch my Etsy shop", "Launch my Etsy shop"),
        ("I'd like to finally learn the piano.", "Learn the piano"),
        ("Hey! I'm going to get a job as a nurse, please", "Get a job as a nurse"),
    ],
)
def test_a_goal_in_the_message_is_created_with_a_clean_title(message: str, title: str) -> None:
    answer = ask(message)
    assert answer["intent"] == "create_goal" and answer["goalTitle"] == title
    assert title in answer["reply"] and "taskId" not in answer


def test_a_goal_the_user_already_has_is_not_created_twice() -> None:
    answer = ask("I want to run a marathon")
    assert answer["intent"] == "chat" and "already have" in answer["reply"]


@pytest.mark.parametrize(
    ("message", "task_id"),
    [
        ("I finished the 5k run", "t1"),
        ("done with outline chapter 1", "t2"),
        ("mark 'buy shoes' as done", "t3"),
        ("Just bought running shoes!", "t3"),
        ("Chapter 1 outline is done", "t2"),
    ],
)
def test_a_finished_task_is_matched_by_its_words(message: str, task_id: str) -> None:
    answer = ask(message)
    assert answer["intent"] == "complete_task" and answer["taskId"] == task_id
    title = next(t["title"] for t in TODAY_TASKS if t["taskId"] == task_id)
    assert title in answer["reply"] and "goalTitle" not in answer


@pytest.mark.parametrize("message", ["I finished the tax report", "I did it!", "done"])
def test_an_unclear_finished_task_is_asked_about(message: str) -> None:
    answer = ask(message)
    assert answer["intent"] == "chat" and "taskId" not in answer
    assert "Which one" in answer["reply"] and "Outline chapter 1" in answer["reply"]


def test_a_task_already_done_is_not_completed_again() -> None:
    answer = ask("I finished stretching")
    assert answer["intent"] == "chat" and "already marked as done" in answer["reply"]


@pytest.mark.parametrize("message", ["what's on today?", "What should I do today", "my tasks", "show me my to-do list", "What's next?"])
def test_asking_for_today_lists_the_open_tasks(message: str) -> None:
    answer = ask(message)
    assert answer["intent"] == "list_tasks"
    for title in ("Run 5k at an easy pace", "Outline chapter 1", "Buy running shoes"):
        assert title in answer["reply"]
    assert "Stretch for 10 minutes" not in answer["reply"]


def test_an_empty_day_is_said_with_a_suggestion() -> None:
    with_goal = ask("what's on today?", tasks=[])
    assert with_goal["intent"] == "list_tasks" and "Run a marathon" in with_goal["reply"]
    nothing = ask("what's on today?", goals=[], tasks=[])
    assert "don't have a goal yet" in nothing["reply"]


@pytest.mark.parametrize(
    "message", ["hello", "I'm so tired today", "thanks!", "how am I doing?", "help me stay motivated", "lol", "I want to give up"]
)
def test_anything_else_gets_a_supportive_reply_about_real_goals_and_tasks(message: str) -> None:
    answer = ask(message)
    assert answer["intent"] == "chat" and set(answer) == {"reply", "intent"}
    assert "Run a marathon" in answer["reply"] or "Run 5k at an easy pace" in answer["reply"]
    assert 1 <= len(answer["reply"]) <= 2000


def test_a_reply_talks_about_the_task_the_message_mentions() -> None:
    assert "Outline chapter 1" in ask("the outline feels hard")["reply"]


def test_odd_messages_still_give_valid_answers() -> None:
    for message in ("", "   ", "$$$", "goal:", "set a goal", "I want to " + "a" * 3000, "mark it as done?"):
        ask(message)
        ask(message, goals=[], tasks=[])


def test_the_chat_schema_ties_goal_title_and_task_id_to_their_intents() -> None:
    from zik.ai.errors import InvalidAnswer

    with pytest.raises(InvalidAnswer):
        CHAT.validate({"reply": "Hi", "intent": "chat", "goalTitle": "Learn Spanish"})
    with pytest.raises(InvalidAnswer):
        CHAT.validate({"reply": "Hi", "intent": "list_tasks", "taskId": "t1"})
    with pytest.raises(InvalidAnswer):
        CHAT.validate({"reply": "Hi", "intent": "sing"})
