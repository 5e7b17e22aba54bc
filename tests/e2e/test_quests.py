"""Quests through `zik dev`, as the app uses them: a goal planned by the real roadmap workflow (the
embedded Step Functions running the ASL, its Lambda tasks served by the local functions), tasks completed
until the next milestone's tasks arrive through the bus, the recurring schedule fired twice, and a goal
chatted into existence."""

from __future__ import annotations

import datetime as dt
import subprocess
from typing import Any

import pytest
from devserver import ROOT, DevServer, eventually, new_user, zik_command

from zik import clock

pytestmark = pytest.mark.e2e


def active_goal(dev: DevServer, token: str, goal_id: str) -> dict[str, Any]:
    def read() -> dict[str, Any] | None:
        goal = dev.request("GET", f"/goals/{goal_id}", token=token).body
        assert goal["status"] in ("planning", "active"), goal
        return goal if goal["status"] == "active" else None

    return eventually(read, f"goal {goal_id} becoming active")


def test_a_goal_is_planned_completed_milestone_by_milestone_and_its_next_tasks_arrive(dev: DevServer) -> None:
    token = dev.token(new_user())
    today = clock.today("UTC")  # a new user without a profile: UTC
    created = dev.request("POST", "/goals", token=token, body={"title": "Learn Spanish", "targetDate": (today + dt.timedelta(days=90)).isoformat()})
    assert created.status == 202, created.raw
    assert created.body["status"] == "planning" and created.body["path"] == "workflow"

    goal = active_goal(dev, token, created.body["goalId"])
    assert 3 <= len(goal["milestones"]) <= 7
    first = goal["milestones"][0]
    assert first["status"] == "active" and 3 <= len(first["tasks"]) <= 5
    assert all(m["tasks"] == [] for m in goal["milestones"][1:])
    listed = dev.request("GET", "/tasks", token=token).body  # today's, on the server's clock
    assert {t["taskId"] for t in listed["tasks"]} >= {t["taskId"] for t in first["tasks"] if t["dueDate"] == listed["date"]}

    for task in first["tasks"]:
        done = dev.request("PATCH", f"/tasks/{task['taskId']}", token=token, body={"status": "done"})
        assert done.status == 200 and done.body["status"] == "done"
    again = dev.request("PATCH", f"/tasks/{first['tasks'][0]['taskId']}", token=token, body={"status": "done"})
    assert again.status == 200

    def second_milestone() -> dict[str, Any] | None:
        tree = dev.request("GET", f"/goals/{goal['goalId']}", token=token).body
        return tree if tree["milestones"][1]["tasks"] else None

    tree = eventually(second_milestone, "the next milestone's tasks (MilestoneCompleted -> Coach)")
    assert [m["status"] for m in tree["milestones"][:2]] == ["completed", "active"]
    assert 3 <= len(tree["milestones"][1]["tasks"]) <= 5
    replan = dev.request("POST", f"/goals/{goal['goalId']}/replan", token=token)
    assert replan.status == 409


def test_the_recurring_schedule_fired_twice_writes_each_task_once(dev: DevServer, on_one_day) -> None:
    token = dev.token(new_user())
    rule = dev.request("POST", "/recurrences", token=token, body={"title": "Stretch for 10 minutes", "rule": {"freq": "daily"}})
    assert rule.status == 201, rule.raw

    def fire() -> None:
        done = subprocess.run(
            [*zik_command(), "schedule", "RecurringTaskGeneratorFunction", "--url", dev.url], cwd=ROOT, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stdout + done.stderr

    def fire_twice_then_list(today: dt.date) -> None:  # the server's today and tomorrow, as the user's clock reads them
        fire()
        fire()
        for day in (None, (today + dt.timedelta(days=1)).isoformat()):
            listed = dev.request("GET", "/tasks" + (f"?date={day}" if day else ""), token=token).body["tasks"]
            assert [t["title"] for t in listed if t.get("recurrenceId") == rule.body["recurrenceId"]] == ["Stretch for 10 minutes"]

    on_one_day(fire_twice_then_list, zone="UTC")


def test_a_goal_is_chatted_into_existence(dev: DevServer) -> None:
    token = dev.token(new_user())
    said = dev.request("POST", "/chat", token=token, body={"message": "I want to learn to play the piano"})
    assert said.status == 200, said.raw
    [action] = said.body["actions"]
    assert action["type"] == "goal_created" and "piano" in action["title"].lower()

    goal = active_goal(dev, token, action["goalId"])
    reply = dev.request("POST", "/chat", token=token, body={"message": "what should I do today?", "conversationId": said.body["conversationId"]})
    assert reply.body["intent"] == "list_tasks"
    assert any(t["title"] in reply.body["reply"] for t in goal["milestones"][0]["tasks"])
