"""The quests API's answers that its other tests do not reach, each held to the OpenAPI document by the
``invoke`` fixture: a second page of goals, a recurring task linked to a goal, an Idempotency-Key sent
again with another body, and the 503 of a roadmap workflow that cannot start."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")


def set_goal(quests: Any, title: str) -> dict[str, Any]:
    reply = quests.api("quests_goal_create", body={"title": title}, headers={"Idempotency-Key": f"goal-{title}"})
    assert reply.status == 202, reply.body
    return reply.body


def test_a_page_of_goals_leads_to_the_next_by_its_cursor_and_holds_no_roadmap(quests) -> None:
    older, newer = set_goal(quests, "Learn the cello"), set_goal(quests, "Run a half marathon")

    first = quests.api("quests_goals_list", query={"limit": "1"})
    assert first.status == 200 and [g["goalId"] for g in first.body["goals"]] == [newer["goalId"]]
    assert isinstance(first.body["nextCursor"], str)
    second = quests.api("quests_goals_list", query={"limit": "1", "cursor": first.body["nextCursor"]})
    assert [g["goalId"] for g in second.body["goals"]] == [older["goalId"]]
    assert not any("milestones" in goal for goal in first.body["goals"] + second.body["goals"])


def test_a_rule_linked_to_a_goal_names_it_on_its_tasks_and_a_goal_the_caller_has_not_is_a_404(quests) -> None:
    unknown = quests.api("quests_recurrence_create", body={"title": "Stretch", "rule": {"freq": "daily"}, "goalId": "g000000000000"})
    assert unknown.status == 404 and unknown.body["error"]["code"] == "not_found"
    assert not [item for item in quests.items() if item["sk"]["S"].startswith(("RULE#", "TASK#"))]

    goal = set_goal(quests, "Run a half marathon")
    created = quests.api("quests_recurrence_create", body={"title": "Stretch", "rule": {"freq": "daily"}, "goalId": goal["goalId"]})
    assert created.status == 201 and created.body["goalId"] == goal["goalId"]
    day = quests.api("quests_tasks_list", query={"date": created.body["startDate"]}).body["tasks"]
    assert [(t["recurrenceId"], t["linkedGoalId"]) for t in day] == [(created.body["recurrenceId"], goal["goalId"])]
    listed = quests.api("quests_recurrences_list", query={}).body["recurrences"]
    assert [(r["recurrenceId"], r["goalId"]) for r in listed] == [(created.body["recurrenceId"], goal["goalId"])]


def test_an_idempotency_key_sent_again_with_another_body_is_a_422_and_makes_nothing(quests) -> None:
    key = {"Idempotency-Key": "shoes-once"}
    first = quests.api("quests_task_create", body={"title": "Buy running shoes"}, headers=key)
    again = quests.api("quests_task_create", body={"title": "Buy running socks"}, headers=key)

    assert first.status == 201
    assert again.status == 422 and again.body["error"]["field"] == "Idempotency-Key"
    assert [item["title"]["S"] for item in quests.items() if item["sk"]["S"].startswith("TASK#")] == ["Buy running shoes"]


def test_a_roadmap_workflow_that_cannot_start_is_a_503_keeping_no_goal_and_a_failed_goal_failed(quests, monkeypatch) -> None:
    goal = set_goal(quests, "Learn the cello")
    quests.step("RoadmapFailedFunction", {**quests.roadmap_input(goal), "error": {"Error": "AIUnavailable", "Cause": "..."}})
    # QuestsFunction's INIT (the first POST) set the template's environment; now its workflow goes away.
    monkeypatch.setenv("ROADMAP_STATE_MACHINE_ARN", quests.env["ROADMAP_STATE_MACHINE_ARN"] + "-gone")

    refused = quests.api("quests_goal_create", body={"title": "Run a half marathon"})
    assert refused.status == 503 and refused.body["error"]["code"] == "roadmap_unavailable"
    assert refused.headers["retry-after"] == "5"
    assert [g["goalId"] for g in quests.api("quests_goals_list", query={}).body["goals"]] == [goal["goalId"]]

    replan = quests.api("quests_goal_replan", params={"goalId": goal["goalId"]})
    assert replan.status == 503 and replan.body["error"]["code"] == "roadmap_unavailable"
    assert quests.goal(goal["goalId"])["status"] == "failed"
