"""What the coach is told of the user's days: QuestsStore.open_tasks_by_day (one COUNT query of the day
index a day) on a table shaped by template.yaml, and the service passing it as busyDays."""

from __future__ import annotations

import datetime as dt
from typing import Any

import boto3
import pytest
from template_tables import template_table_properties

from zik.dynamo import Table
from zik.principal import Principal
from zik.quests import service as quests_service
from zik.quests.store import QuestsStore

ALICE = Principal(user_id="alice", tenant_id="acme")
BOB = Principal(user_id="bob", tenant_id="acme")


@pytest.fixture
def store(aws) -> QuestsStore:
    client = boto3.client("dynamodb")
    client.create_table(TableName="test-quests", **template_table_properties("QuestsTable"))
    return QuestsStore(Table("test-quests", client=client))


def add(store: QuestsStore, owner: Principal, day: str, n: int, status: str = "todo") -> None:
    for index in range(n):
        store.put_task(
            owner, {"taskId": f"t{day.replace('-', '')}{index}{status}", "title": f"Task {index}", "dueDate": day, "status": status, "source": "user"}
        )


def test_the_open_tasks_of_each_day_are_counted_and_the_empty_days_left_out(store: QuestsStore) -> None:
    add(store, ALICE, "2026-03-01", 4)
    add(store, ALICE, "2026-03-01", 2, status="done")  # done: not a load on the day any more
    add(store, ALICE, "2026-03-03", 1)
    add(store, BOB, "2026-03-02", 5)  # someone else's day

    counts = store.open_tasks_by_day(ALICE, ["2026-03-01", "2026-03-02", "2026-03-03"])

    assert counts == {"2026-03-01": 4, "2026-03-03": 1}


def test_the_service_tells_the_coach_at_most_two_weeks_of_the_milestones_window(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: dict[str, Any] = {}

    class Store:
        def goal(self, owner: Principal, goal_id: str) -> dict[str, Any]:
            return {"goalId": goal_id, "title": "Learn Spanish", "milestoneCount": 5}

        def milestone(self, owner: Principal, goal_id: str, seq: int) -> dict[str, Any]:
            return {"title": "Set up a daily Spanish routine", "dueDate": "2026-04-30", "status": "pending"}

        def open_tasks_by_day(self, owner: Principal, days: list[str]) -> dict[str, int]:
            asked["days"] = days
            return {"2026-03-01": 3}

        def start_milestone(self, owner: Principal, goal_id: str, seq: int, tasks: list[dict[str, Any]], activate_goal: bool) -> list[dict[str, Any]]:
            return tasks

    def run(name: str, data: dict[str, Any], owner: Principal) -> dict[str, Any]:
        asked["data"] = data
        from zik.quests import offline

        return offline.coach(data)

    quests = quests_service.Quests(store=Store())  # type: ignore[arg-type]
    monkeypatch.setattr(quests, "today", lambda owner: dt.date(2026, 3, 1))
    monkeypatch.setattr(quests_service.ai, "run", run)

    tasks = quests.coach(ALICE, "g1", 1, first=True)

    assert asked["days"] == [(dt.date(2026, 3, 1) + dt.timedelta(days=n)).isoformat() for n in range(14)]
    assert asked["data"]["busyDays"] == {"2026-03-01": 3}
    assert tasks[0]["dueDate"] == "2026-03-02"  # today is full
