"""The offline chat coach's intents said in other words (chat_words.toml): plans for today that are not goals, a
day's list and a goal's progress asked any way, tomorrow's task done early, participles, a task said done again."""

from __future__ import annotations

import datetime as dt

import pytest

import zik.quests.ai_tasks  # noqa: F401  (registers the quests tasks)
from zik import ai
from zik.quests import chat_rules

CHAT = ai.get("quests.chat")
TODAY = dt.date(2026, 8, 20)  # a Thursday

GOALS = [
    {"goalId": "g1", "title": "Learn to sail", "status": "active", "targetDate": "2026-10-31", "milestonesDone": 2, "milestoneCount": 5},
    {"goalId": "g2", "title": "Build a garden shed", "status": "active", "targetDate": "", "milestonesDone": 1, "milestoneCount": 4},
]
TODAY_TASKS = [
    {"taskId": "a1", "title": "Email the sailing club about Saturday", "status": "todo", "goalId": "g1", "goalTitle": "Learn to sail"},
    {"taskId": "a2", "title": "Buy timber and screws", "status": "todo", "goalId": "g2", "goalTitle": "Build a garden shed"},
    {"taskId": "a3", "title": "Pay the electricity bill", "status": "todo", "goalId": "", "goalTitle": ""},
    {"taskId": "a4", "title": "Transfer £150 to savings", "status": "done", "goalId": "", "goalTitle": ""},
]
TOMORROW_TASKS = [
    {"taskId": "a6", "title": "Sand the floor panels", "status": "todo", "goalId": "g2", "goalTitle": "Build a garden shed"},
    {"taskId": "a7", "title": "Practise tying 5 knots", "status": "todo", "goalId": "g1", "goalTitle": "Learn to sail"},
]


def ask(message: str) -> dict:
    answer = chat_rules.chat(
        {"message": message, "goals": GOALS, "todayTasks": TODAY_TASKS, "tomorrowTasks": TOMORROW_TASKS, "today": TODAY.isoformat()}
    )
    assert CHAT.validate(answer) == answer
    return answer


@pytest.mark.parametrize(
    "message",
    [
        "I'll email the sailing club after lunch",
        "gonna pay the bill tonight",
        "I'm going to call my sister this afternoon",
        "I need to buy milk later",
        "tomorrow morning I'll sand the panels",
        "I want to go to the gym tonight",
        "I'll clean the car on Saturday",
        "je vais appeler ma mère ce soir",
        "je dois acheter du pain",
    ],
)
def test_an_action_for_today_or_a_near_day_is_not_a_goal(message: str) -> None:
    answer = ask(message)
    assert answer["intent"] == "chat" and "goalTitle" not in answer, answer


def test_a_planned_action_on_the_list_is_said_to_be_there() -> None:
    assert "Email the sailing club about Saturday" in ask("I'll email the sailing club after lunch")["reply"]
    assert "tomorrow's list" in ask("I'll do the floor panels tomorrow morning")["reply"]


@pytest.mark.parametrize(
    ("message", "title"),
    [
        ("I'm going to learn Italian this year", "Learn Italian"),
        ("Starting tomorrow I want to lose 10 kg", "Lose 10 kg"),
        ("I want to buy a house", "Buy a house"),
        ("I'd like to pay off my credit card by December", "Pay off my credit card"),
    ],
)
def test_an_outcome_over_weeks_is_still_a_goal(message: str, title: str) -> None:
    answer = ask(message)
    assert answer["intent"] == "create_goal" and answer["goalTitle"] == title, answer


@pytest.mark.parametrize(
    ("message", "day"),
    [
        ("what's lined up for tomorrow?", "2026-08-21"),
        ("got anything for me today?", "2026-08-20"),
        ("what's next?", "2026-08-20"),
        ("and tomorrow?", "2026-08-21"),
        ("tasks?", "2026-08-20"),
        ("what do I need to get done today", "2026-08-20"),
        ("what's on the cards for tomorrow", "2026-08-21"),
        ("et demain, j'ai quoi ?", "2026-08-21"),
        ("qu'est-ce qui m'attend aujourd'hui ?", "2026-08-20"),
        ("il y a quoi demain ?", "2026-08-21"),
        ("what's on Saturday?", "2026-08-22"),
        ("what about the day after tomorrow?", "2026-08-22"),
    ],
)
def test_a_days_list_is_asked_for_in_any_words(message: str, day: str) -> None:
    answer = ask(message)
    assert answer["intent"] == "list_tasks" and answer["date"] == day, answer


def test_a_complaint_about_a_full_day_is_not_a_list_request() -> None:
    assert ask("I have so much on today, ugh")["intent"] == "chat"


@pytest.mark.parametrize(
    ("message", "figures"),
    [
        ("where do I stand with the shed?", "1 of 4"),
        ("any progress on the shed?", "1 of 4"),
        ("what about the shed?", "1 of 4"),
        ("how far along am I with sailing?", "2 of 5"),
        ("tell me about my sailing goal", "2 of 5"),
    ],
)
def test_a_goals_progress_is_asked_for_in_any_words(message: str, figures: str) -> None:
    answer = ask(message)
    assert answer["intent"] == "chat" and figures in answer["reply"], answer


@pytest.mark.parametrize(
    ("message", "task_id"),
    [
        ("did tomorrow's knots practice early, all 5 knots tied", "a7"),
        ("already sanded the floor panels for tomorrow", "a6"),
        ("the electricity bill has been paid", "a3"),
        ("email to the sailing club got sent", "a1"),
        ("timber and screws bought", "a2"),
        ("can you tick off the bill", "a3"),
    ],
)
def test_a_task_is_done_in_other_words_or_early(message: str, task_id: str) -> None:
    answer = ask(message)
    assert answer["intent"] == "complete_task" and answer["taskId"] == task_id, answer


def test_a_task_done_early_leaves_todays_count_alone() -> None:
    assert "tomorrow's list" in ask("did tomorrow's knots practice early")["reply"]


def test_a_task_said_done_again_is_already_done() -> None:
    answer = ask("transferred the £150 to savings")
    assert answer["intent"] == "chat" and "already" in answer["reply"], answer


def test_another_days_effort_does_not_complete_todays_task() -> None:
    assert ask("I paid the electricity bill yesterday")["intent"] == "chat"


@pytest.mark.parametrize(
    ("message", "title", "day"),
    [
        ("je me suis fixé comme objectif de lire 10 livres d'ici décembre", "Lire 10 livres", "2026-12-31"),
        ("j'ai pour objectif de courir un marathon en octobre", "Courir un marathon", "2026-10-31"),
        ("objectif 2027 : parler espagnol couramment", "Parler espagnol couramment", "2027-12-31"),
        ("mon but, c'est de perdre 5 kilos avant l'été", "Perdre 5 kilos", "2027-05-31"),
        ("I've set myself a goal to swim 1 km by May", "Swim 1 km", "2027-05-31"),
        ("2027 goal: write a screenplay", "Write a screenplay", "2027-12-31"),
        ("I'm training for a half marathon in October", "Train for a half marathon", "2026-10-01"),
    ],
)
def test_a_goal_is_said_in_other_words(message: str, title: str, day: str) -> None:
    answer = ask(message)
    assert (answer["intent"], answer.get("goalTitle"), answer.get("targetDate")) == ("create_goal", title, day), answer


def test_the_lexicon_is_read_once_and_its_phrases_compile() -> None:
    for section in ("list", "progress"):
        assert chat_rules._phrases(section).pattern
    assert chat_rules._phrases("near", "times").search("after lunch")
    assert chat_rules._irregular()["written"] == "write"
