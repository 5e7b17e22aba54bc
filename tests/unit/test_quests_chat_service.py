"""The chat's service (``Quests.chat``): what it reads for the coach (today's and tomorrow's tasks, each with its
own goal; each goal with its progress) and what it does with the answer (a goal with its target date, the task
numbered as the user sees it, the day asked for listed). On a QuestsTable shaped by template.yaml, in moto,
answered by the local provider unless a test gives the answer."""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from template_tables import template_table

import zik.quests.ai_tasks  # noqa: F401  (registers quests.chat)
from zik import ai
from zik.ai.gateway import Gateway
from zik.ai.providers import build
from zik.dynamo import Table
from zik.principal import Principal
from zik.quests import service as service_module
from zik.quests.service import Quests
from zik.quests.store import QuestsStore, new_id, recurring_task_id

pytestmark = pytest.mark.clock  # the user's today is read from the clock

OWNER = Principal(user_id="u-chat", tenant_id="acme")


class _Profiles:
    def get(self, owner: Principal) -> dict[str, Any]:
        return {"timezone": "UTC"}


@pytest.fixture
def chat(aws, monkeypatch: pytest.MonkeyPatch, same_day) -> types.SimpleNamespace:
    client = boto3.client("dynamodb")
    client.create_table(TableName="test-quests", **template_table("QuestsTable"))
    monkeypatch.setattr(ai, "_gateway", Gateway([build("local")]))  # no budget table: the local rules answer
    started: list[dict[str, Any]] = []
    monkeypatch.setattr(service_module, "start_roadmap", lambda owner, goal, **kwargs: started.append(dict(goal)))
    seen: list[dict[str, Any]] = []
    real_run = ai.run

    def spying_run(task: str, data: Any, **kwargs: Any) -> dict[str, Any]:
        seen.append(data)
        return real_run(task, data, **kwargs)

    monkeypatch.setattr(ai, "run", spying_run)
    quests = Quests(QuestsStore(Table("test-quests", client=client)), profiles=_Profiles())
    today = same_day(minutes=1, zone="UTC")
    return types.SimpleNamespace(quests=quests, store=quests.store, today=today, started=started, seen=seen)


def _answer_with(monkeypatch: pytest.MonkeyPatch, answer: dict[str, Any]) -> None:
    """The model's answer, whatever the message (a vendor's, say)."""
    monkeypatch.setattr(ai, "run", lambda task, data, **kwargs: answer)


def _task(chat: types.SimpleNamespace, title: str, day: dt.date, **fields: Any) -> dict[str, Any]:
    task = {"taskId": fields.pop("taskId", new_id("t")), "title": title, "dueDate": day.isoformat(), "source": "user", **fields}
    written = chat.store.put_task(OWNER, task)
    assert written is not None
    return written


def _goal(chat: types.SimpleNamespace, title: str, **fields: Any) -> dict[str, Any]:
    goal = {"goalId": new_id("g"), "title": title, "status": "active", "path": "workflow", "attempt": 1, **fields}
    return chat.store.create_goal(OWNER, goal)


def say(chat: types.SimpleNamespace, message: str) -> dict[str, Any]:
    return chat.quests.chat(OWNER, message, None)


def test_tomorrows_tasks_are_read_with_todays_and_listed_when_asked(chat) -> None:
    _task(chat, "Call the dentist", chat.today)
    long_run = _task(chat, "Long run: 8k", chat.today + dt.timedelta(days=1))
    answer = say(chat, "what do I have tomorrow?")
    assert answer["intent"] == "list_tasks" and "Long run: 8k" in answer["reply"] and "Call the dentist" not in answer["reply"]
    [listed] = answer["actions"]
    tomorrow = (chat.today + dt.timedelta(days=1)).isoformat()
    assert listed == {"type": "tasks_listed", "date": tomorrow, "tasks": [{"taskId": long_run["taskId"], "title": "Long run: 8k", "status": "todo"}]}
    [data] = chat.seen
    assert [t["title"] for t in data["todayTasks"]] == ["Call the dentist"] and [t["title"] for t in data["tomorrowTasks"]] == ["Long run: 8k"]


def test_task_2_is_the_second_open_task_as_the_day_is_shown(chat) -> None:
    for title in ("Water the plants", "Buy stamps", "Plan the week", "Call mum"):
        _task(chat, title, chat.today)
    shown = [t for t in chat.quests.tasks_for_day(OWNER, None, limit=50, cursor=None)["tasks"] if t["status"] == "todo"]
    answer = say(chat, "I did task 2")
    assert answer["intent"] == "complete_task"
    assert answer["actions"] == [{"type": "task_completed", "taskId": shown[1]["taskId"], "title": shown[1]["title"], "changed": True}]
    assert chat.store.task(OWNER, shown[1]["taskId"])["status"] == "done"


def test_a_goal_said_with_a_deadline_is_created_with_its_target_date(chat) -> None:
    answer = say(chat, "I want to run a 10k in 6 weeks")
    target = (chat.today + dt.timedelta(weeks=6)).isoformat()
    [created] = answer["actions"]
    assert created["type"] == "goal_created" and created["title"] == "Run a 10k" and created["targetDate"] == target
    assert chat.store.goal(OWNER, created["goalId"])["targetDate"] == target
    assert [g["targetDate"] for g in chat.started] == [target]  # the roadmap is planned to that date


def test_a_models_target_date_that_is_not_ahead_does_not_cost_the_goal(chat, monkeypatch: pytest.MonkeyPatch) -> None:
    yesterday = (chat.today - dt.timedelta(days=1)).isoformat()
    _answer_with(monkeypatch, {"reply": "On it!", "intent": "create_goal", "goalTitle": "Learn Spanish", "targetDate": yesterday})
    [created] = say(chat, "I want to learn Spanish")["actions"]
    assert created["title"] == "Learn Spanish" and "targetDate" not in created
    assert chat.store.goal(OWNER, created["goalId"]).get("targetDate") is None


def test_each_task_goes_to_the_coach_with_its_own_goal_and_each_goal_with_its_progress(chat) -> None:
    target = (chat.today + dt.timedelta(days=200)).isoformat()
    marathon = _goal(chat, "Run a marathon", milestoneCount=6, currentMilestone=3, targetDate=target)
    novel = _goal(chat, "Write a novel", milestoneCount=5, currentMilestone=1)
    _task(chat, "Outline chapter 1", chat.today, taskId=f"{novel['goalId']}.m1.{new_id('t')}", goalId=novel["goalId"], milestoneSeq=1, source="coach")
    rule = new_id("r")
    _task(chat, "Stretch", chat.today, taskId=recurring_task_id(rule, chat.today.isoformat()), source="recurrence", linkedGoalId=marathon["goalId"])
    _task(chat, "Buy stamps", chat.today)
    answer = say(chat, "how is my marathon goal going?")
    [data] = chat.seen
    assert {t["title"]: t["goalTitle"] for t in data["todayTasks"]} == {
        "Outline chapter 1": "Write a novel",
        "Stretch": "Run a marathon",
        "Buy stamps": "",
    }
    by_title = {g["title"]: g for g in data["goals"]}
    assert by_title["Run a marathon"] | {"goalId": None} == {
        "goalId": None,
        "title": "Run a marathon",
        "status": "active",
        "targetDate": target,
        "milestonesDone": 2,
        "milestoneCount": 6,
    }
    assert "2 of 6 milestones" in answer["reply"] and "Write a novel" not in answer["reply"]


def test_a_day_the_coach_had_not_read_is_read_for_the_list(chat, monkeypatch: pytest.MonkeyPatch) -> None:
    friday = chat.today + dt.timedelta(days=3)
    later = _task(chat, "Pay the rent", friday)
    _answer_with(monkeypatch, {"reply": "Here is Friday.", "intent": "list_tasks", "date": friday.isoformat()})
    [listed] = say(chat, "what's on Friday?")["actions"]
    assert listed["date"] == friday.isoformat() and [t["taskId"] for t in listed["tasks"]] == [later["taskId"]]


def test_tomorrows_task_done_early_can_be_completed(chat, monkeypatch: pytest.MonkeyPatch) -> None:
    early = _task(chat, "Long run: 8k", chat.today + dt.timedelta(days=1))
    _answer_with(monkeypatch, {"reply": "Nice!", "intent": "complete_task", "taskId": early["taskId"]})
    assert say(chat, "I did tomorrow's long run already")["actions"][0]["changed"] is True


@pytest.mark.parametrize("answer", [{"reply": "Done!", "intent": "complete_task", "taskId": "t-not-yours"}, {"reply": "Hi", "intent": "chat"}])
def test_nothing_is_done_for_a_task_the_user_does_not_have_or_for_talk(chat, monkeypatch: pytest.MonkeyPatch, answer: dict[str, Any]) -> None:
    _answer_with(monkeypatch, answer)
    assert say(chat, "hello")["actions"] == []


def _reads(chat: types.SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> Callable[[], list[str]]:
    days: list[str] = []
    real = chat.store.tasks_due

    def counting(owner: Principal, day: str, **kwargs: Any) -> Any:
        days.append(day)
        return real(owner, day, **kwargs)

    monkeypatch.setattr(chat.store, "tasks_due", counting)
    return lambda: sorted(days)


def test_the_coach_reads_today_and_tomorrow_once_each(chat, monkeypatch: pytest.MonkeyPatch) -> None:
    reads = _reads(chat, monkeypatch)
    say(chat, "what's on tomorrow?")
    assert reads() == [chat.today.isoformat(), (chat.today + dt.timedelta(days=1)).isoformat()]
