"""The quests functions' real handlers against the stack template.yaml declares (in moto): the API, each
step of the roadmap workflow called as the state machine calls it, the just-in-time coach on the bus's
event, the daily generator, and the chat. (The state machine itself runs end to end in tests/e2e.)"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import boto3
import pytest
from recurring_run import WORKER, DailyRun

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")

SUB = "8f1c2a7e-4b3d-4c9a-9e61-2d5b7f0a1c34"  # the user of the sample events
OTHER = {"sub": "0b5e2f1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b", "custom:tenant_id": "acme"}


def new_goal(quests: Any, **body: Any) -> dict[str, Any]:
    reply = quests.api(
        "quests_goal_create",
        body={"title": "Run a half marathon", "targetDate": (quests.today() + dt.timedelta(days=120)).isoformat(), **body},
        headers={"Idempotency-Key": f"k-{body!r}"},
    )
    assert reply.status == 202, reply.body
    return reply.body


def first_milestone_tasks(tree: dict[str, Any]) -> list[dict[str, Any]]:
    return tree["milestones"][0]["tasks"]


# -- creating a goal and its roadmap ---------------------------------------------------------------------
def test_post_goals_answers_202_planning_and_starts_the_workflow(quests) -> None:
    goal = new_goal(quests, description="I can run 5 km now.", category="fitness")

    assert goal["status"] == "planning" and goal["path"] == "workflow"
    executions = boto3.client("stepfunctions").list_executions(stateMachineArn=quests.env["ROADMAP_STATE_MACHINE_ARN"])["executions"]
    assert [e["name"] for e in executions] == [f"{goal['goalId']}-1"]
    started = json.loads(boto3.client("stepfunctions").describe_execution(executionArn=executions[0]["executionArn"])["input"])
    assert started["goal"]["goalId"] == goal["goalId"] and started["owner"]["userId"] == SUB
    [created] = quests.events("GoalCreated")
    assert created["goalId"] == goal["goalId"] and created["via"] == "api"


def test_a_retried_post_with_the_same_idempotency_key_creates_one_goal(quests) -> None:
    body = {"title": "Learn Spanish", "targetDate": (quests.today() + dt.timedelta(days=60)).isoformat()}
    first = quests.api("quests_goal_create", body=body, headers={"Idempotency-Key": "same-key"})
    again = quests.api("quests_goal_create", body=body, headers={"Idempotency-Key": "same-key"})

    assert first.body["goalId"] == again.body["goalId"]
    assert len(quests.api("quests_goals_list", query={}).body["goals"]) == 1


@pytest.mark.clock
def test_the_workflow_steps_give_milestones_then_tasks_then_an_active_goal(quests, days) -> None:
    goal = new_goal(quests)
    with days(quests.zone) as span:
        run = quests.plan_and_coach(goal)
    today = run["today"]  # the workflow's today: the day the goal was started on

    milestones = run["plan"]["milestones"]
    assert 3 <= len(milestones) <= 7
    dates = [m["dueDate"] for m in milestones]
    assert dates == sorted(dates) and dates[-1] == goal["targetDate"] and dates[0] > today
    tree = quests.goal(goal["goalId"])
    assert tree["status"] == "active" and tree["milestoneCount"] == len(milestones)
    assert [m["status"] for m in tree["milestones"]] == ["active"] + ["pending"] * (len(milestones) - 1)
    tasks = first_milestone_tasks(tree)
    assert 3 <= len(tasks) <= 5
    # The first task is due the day the coach wrote it: the workflow's day, or the next when midnight
    # passed between the planner and the coach.
    assert tasks[0]["dueDate"] in span and tasks[0]["dueDate"] >= today
    assert all(today <= t["dueDate"] <= milestones[0]["dueDate"] for t in tasks)
    [ready] = quests.events("RoadmapReady")
    assert ready == {**ready, "goalId": goal["goalId"], "milestoneCount": len(milestones), "taskCount": len(tasks)}


def test_get_goal_reads_the_whole_tree_in_one_dynamodb_call(quests, dynamodb_calls) -> None:
    goal = new_goal(quests)
    quests.plan_and_coach(goal)
    module = quests.load_function("QuestsFunction")
    calls = dynamodb_calls(module.quests.store.client, module.quests.store.table.name)

    quests.goal(goal["goalId"])
    assert calls == ["Query"]
    calls.clear()
    quests.api("quests_tasks_list", query={"date": quests.today().isoformat()})
    assert calls == ["Query"]


def test_a_failed_run_leaves_no_orphans_and_the_goal_can_be_replanned(quests, monkeypatch) -> None:
    goal = new_goal(quests)
    run = quests.roadmap_input(goal)
    run["plan"] = quests.step("PlannerFunction", run)
    run["saved"] = quests.step("MilestoneSaverFunction", run)
    quests.load_function("CoachFunction")  # its INIT sets the template's environment; then the AI goes away
    monkeypatch.setenv("AI_PROVIDERS", "openai")  # no key anywhere: the coach's AI is unavailable
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    import zik.ai

    zik.ai.reset()
    from zik.ai.errors import AIUnavailable

    with pytest.raises(AIUnavailable):
        quests.step("CoachFunction", run)
    recorded = quests.step("RoadmapFailedFunction", {**run, "error": {"Error": "AIUnavailable", "Cause": "..."}})

    assert recorded["removed"] == len(run["plan"]["milestones"])
    failed = quests.goal(goal["goalId"])
    assert failed["status"] == "failed" and failed["milestones"] == []
    assert "AIUnavailable" in failed["statusReason"]
    assert [i["sk"]["S"] for i in quests.items() if i["sk"]["S"].startswith(f"GOAL#{goal['goalId']}#")] == []

    replanned = quests.api("quests_goal_replan", params={"goalId": goal["goalId"]})
    assert replanned.status == 202 and replanned.body["status"] == "planning"
    again = quests.api("quests_goal_replan", params={"goalId": goal["goalId"]})
    assert again.status == 409 and again.body["error"]["details"] == {"status": "planning"}
    names = [e["name"] for e in boto3.client("stepfunctions").list_executions(stateMachineArn=quests.env["ROADMAP_STATE_MACHINE_ARN"])["executions"]]
    assert sorted(names) == [f"{goal['goalId']}-1", f"{goal['goalId']}-2"]


def test_recording_a_failure_is_one_conditional_write_and_leaves_a_goal_that_moved_on(quests, dynamodb_calls) -> None:
    goal = new_goal(quests)
    module = quests.load_function("RoadmapFailedFunction")
    calls = dynamodb_calls(module.quests.store.client, module.quests.store.table.name)
    failed_run = {**quests.roadmap_input(goal), "error": {"Error": "States.TaskFailed", "Cause": "..."}}

    recorded = quests.step("RoadmapFailedFunction", failed_run)
    assert recorded == {"goalId": goal["goalId"], "removed": 0, "status": "failed"}
    assert calls == ["Query", "UpdateItem"]  # the status is checked by the write itself, not read first
    failed = quests.goal(goal["goalId"])
    assert failed["status"] == "failed" and failed["statusReason"] == "planning failed (States.TaskFailed)"

    # No longer planning (a redelivered failure, a replan that moved on): nothing changes.
    quests.step("RoadmapFailedFunction", {**failed_run, "error": {"Error": "AIUnavailable"}})
    assert quests.goal(goal["goalId"]) == failed
    unknown = {**failed_run, "goal": {**failed_run["goal"], "goalId": "gnosuchgoal00"}}
    assert quests.step("RoadmapFailedFunction", unknown)["removed"] == 0
    assert all(not i["sk"]["S"].startswith("GOAL#gnosuchgoal00") for i in quests.items())


def test_a_failure_removes_the_saved_roadmap_in_one_transaction_and_spares_a_goal_that_became_active(quests, dynamodb_calls) -> None:
    failing = new_goal(quests, title="Learn to play the piano")
    run = quests.roadmap_input(failing)
    run["plan"] = quests.step("PlannerFunction", run)
    quests.step("MilestoneSaverFunction", run)  # then the coach fails
    module = quests.load_function("RoadmapFailedFunction")
    calls = dynamodb_calls(module.quests.store.client, module.quests.store.table.name)

    recorded = quests.step("RoadmapFailedFunction", {**run, "error": {"Error": "AIUnavailable"}})
    assert recorded["removed"] == len(run["plan"]["milestones"]) and calls == ["Query", "TransactWriteItems"]
    failed = quests.goal(failing["goalId"])
    assert failed["status"] == "failed" and failed["milestones"] == []

    # A failure delivered late, for a goal whose roadmap is done and active, removes nothing.
    active = new_goal(quests, title="Run a 10k")
    done = quests.plan_and_coach(quests.goal(active["goalId"]))
    before = quests.goal(active["goalId"])
    assert before["status"] == "active" and first_milestone_tasks(before)
    late = quests.step("RoadmapFailedFunction", {**done, "error": {"Error": "States.Timeout"}})
    assert late["removed"] == 0 and quests.goal(active["goalId"]) == before


# -- tasks, just in time ---------------------------------------------------------------------------------
def test_completing_a_milestone_coaches_the_next_one_once_and_the_last_completes_the_quest(quests) -> None:
    goal = new_goal(quests, targetDate=(quests.today() + dt.timedelta(days=15)).isoformat())  # 3 milestones
    quests.plan_and_coach(goal)
    count = quests.goal(goal["goalId"])["milestoneCount"]

    for seq in range(1, count + 1):
        tree = quests.goal(goal["goalId"])
        tasks = tree["milestones"][seq - 1]["tasks"]
        assert tasks and tree["milestones"][seq - 1]["status"] == "active"
        for task in tasks:
            done = quests.api("quests_task_update", body={"status": "done"}, params={"taskId": task["taskId"]})
            assert done.status == 200 and done.body["status"] == "done"
        completed = [e for e in quests.events("MilestoneCompleted") if e["milestoneSeq"] == seq]
        assert len(completed) == 1
        if seq < count:
            assert completed[0]["nextMilestoneSeq"] == seq + 1
            coach = quests.deployment.functions["CoachFunction"].arn
            [delivered] = [e for e in quests.deliveries.to(coach) if e["detail"]["milestoneSeq"] == seq]  # by the rule
            quests.step("CoachFunction", delivered)
            quests.step("CoachFunction", delivered)  # redelivered: no second set of tasks
            assert len(quests.goal(goal["goalId"])["milestones"][seq]["tasks"]) == len(
                [i for i in quests.items() if i["sk"]["S"].startswith(f"GOAL#{goal['goalId']}#MS#{seq + 1:02d}#TASK#")]
            )
        else:
            assert completed[0]["nextMilestoneSeq"] is None
            coach = quests.deployment.functions["CoachFunction"].arn
            assert [e for e in quests.deliveries.to(coach) if e["detail"]["milestoneSeq"] == seq] == []  # the rule's pattern

    final = quests.goal(goal["goalId"])
    assert final["status"] == "completed" and {m["status"] for m in final["milestones"]} == {"completed"}
    [quest] = quests.events("QuestCompleted")
    assert quest["goalId"] == goal["goalId"] and quest["milestoneCount"] == count


class Killed(BaseException):
    """The function's process ending right there (a timeout, out of memory): nothing after it runs."""


def test_a_function_killed_right_after_the_last_task_still_completes_the_milestone_and_coaches_the_next_once(quests, monkeypatch) -> None:
    goal = new_goal(quests, targetDate=(quests.today() + dt.timedelta(days=15)).isoformat())
    quests.plan_and_coach(goal)
    *firsts, last = first_milestone_tasks(quests.goal(goal["goalId"]))
    for task in firsts:
        assert quests.api("quests_task_update", body={"status": "done"}, params={"taskId": task["taskId"]}).status == 200
    quests.complete_task_killed_after_its_write(last["taskId"], monkeypatch, Killed)

    # The task, its milestone's completion and their events were one transaction: all committed.
    assert [m["status"] for m in quests.goal(goal["goalId"])["milestones"][:2]] == ["completed", "pending"]
    [completed] = quests.events("MilestoneCompleted")
    assert completed["milestoneSeq"] == 1 and completed["nextMilestoneSeq"] == 2
    assert len(quests.events("TaskCompleted")) == len(firsts) + 1
    coach = quests.deployment.functions["CoachFunction"].arn
    [delivered] = quests.deliveries.to(coach)
    quests.step("CoachFunction", delivered)
    quests.step("CoachFunction", delivered)  # delivered again: the next milestone is coached once
    second = quests.goal(goal["goalId"])["milestones"][1]
    assert second["status"] == "active" and 3 <= len(second["tasks"]) <= 5
    assert len(quests.events("MilestoneCompleted")) == 1


def test_marking_a_task_done_twice_has_one_effect(quests) -> None:
    goal = new_goal(quests)
    quests.plan_and_coach(goal)
    task = first_milestone_tasks(quests.goal(goal["goalId"]))[0]

    for _ in range(2):
        assert quests.api("quests_task_update", body={"status": "done"}, params={"taskId": task["taskId"]}).status == 200
    assert len(quests.events("TaskCompleted")) == 1
    undo = quests.api("quests_task_update", body={"status": "todo"}, params={"taskId": task["taskId"]})
    assert undo.body["status"] == "todo" and "completedAt" not in undo.body


@pytest.mark.clock
def test_own_tasks_are_listed_by_day_and_can_be_moved_and_deleted(quests, days) -> None:
    with days() as span:
        created = quests.api("quests_task_create", body={"title": "  Buy   running shoes "})
    assert created.status == 201 and created.body["title"] == "Buy running shoes" and created.body["dueDate"] in span
    task_id, due = created.body["taskId"], dt.date.fromisoformat(created.body["dueDate"])
    tomorrow = (due + dt.timedelta(days=1)).isoformat()

    moved = quests.api("quests_task_update", body={"dueDate": tomorrow}, params={"taskId": task_id})
    assert moved.body["dueDate"] == tomorrow
    assert [t["taskId"] for t in quests.api("quests_tasks_list", query={"date": tomorrow}).body["tasks"]] == [task_id]
    assert quests.api("quests_tasks_list", query={"date": due.isoformat()}).body["tasks"] == []
    with days() as span:
        listed = quests.api("quests_tasks_list", query={})
    assert listed.body["date"] in span  # default: today

    assert quests.api("quests_task_update", body={"status": "done"}, params={"taskId": task_id}).status == 200
    assert quests.events("TaskCompleted")[0]["source"] == "user"
    deleted = quests.invoke(
        "QuestsFunction",
        {
            **quests.sample("quests_task_update"),
            "httpMethod": "DELETE",
            "body": None,
            "pathParameters": {"taskId": task_id},
            "path": f"/tasks/{task_id}",
        },
    )
    assert deleted.status == 200
    assert quests.api("quests_task_update", body={"status": "todo"}, params={"taskId": task_id}).status == 404


# -- recurring tasks ---------------------------------------------------------------------------------------
@pytest.mark.clock
def test_a_daily_rule_writes_today_and_tomorrow_and_the_generator_writes_nothing_twice(quests, same_day) -> None:
    day = same_day(minutes=2, zone=quests.zone)  # the generator's run below is on the day the rule was made
    created = quests.api("quests_recurrence_create", body={"title": "Stretch for 10 minutes", "rule": {"freq": "daily"}})
    assert created.status == 201
    rule = created.body
    assert rule["rule"] == {"freq": "daily", "interval": 1, "byWeekday": []} and rule["timezone"] == quests.zone
    today = quests.api("quests_tasks_list", query={"date": day.isoformat()}).body["tasks"]
    assert [t["title"] for t in today] == ["Stretch for 10 minutes"] and today[0]["source"] == "recurrence"

    run = DailyRun(quests)  # the schedule's dispatcher, then its queue's worker until it is empty
    first = run()
    second = run()
    assert first["rules"] == 1 and first["written"] == 0 and first["existing"] == 2  # POST already wrote today's and tomorrow's
    assert second == first
    assert len([i for i in quests.items() if i["sk"]["S"].startswith(f"TASK#R-{rule['recurrenceId']}-")]) == 2

    listed = quests.api("quests_recurrences_list", query={}).body["recurrences"]
    assert [r["recurrenceId"] for r in listed] == [rule["recurrenceId"]]
    event = quests.sample("quests_recurrences_list")
    removed = quests.invoke(
        "QuestsFunction",
        {
            **event,
            "httpMethod": "DELETE",
            "path": f"/recurrences/{rule['recurrenceId']}",
            "resource": "/recurrences/{recurrenceId}",
            "pathParameters": {"recurrenceId": rule["recurrenceId"]},
        },
    )
    assert removed.body == {"recurrenceId": rule["recurrenceId"], "deleted": True, "futureTasksRemoved": 1}
    assert run()["rules"] == 0


def test_the_generator_reads_only_active_rules_through_the_index(quests) -> None:
    quests.api("quests_recurrence_create", body={"title": "Read 20 pages", "rule": {"freq": "weekly", "interval": 2, "byWeekday": ["MO", "TH"]}})
    module = quests.load_function(WORKER)
    calls: list[tuple[str, str | None]] = []
    module.quests.store.client.meta.events.register(
        "before-parameter-build.dynamodb.*", lambda model, params, **kw: calls.append((model.name, params.get("IndexName")))
    )

    run = DailyRun(quests)
    assert run()["rules"] == 1

    assert ("Scan", None) not in calls
    # Each page: one query of the index, then (when a rule is due) one read of its tasks and their writes.
    assert {name for name, _ in calls} <= {"Query", "BatchGetItem", "PutItem"}
    assert [call for call in calls if call[0] == "Query"] == [("Query", "ByList")] * len(run.pages)


# -- bad input and isolation --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sample_name", "body", "field"),
    [
        ("quests_goal_create", {"title": ""}, "title"),
        ("quests_goal_create", {"title": "   "}, "title"),
        ("quests_goal_create", {"title": "x" * 500}, "title"),
        ("quests_goal_create", {"title": "Learn Go", "targetDate": "2020-01-01"}, "targetDate"),
        ("quests_goal_create", {"title": "Learn Go", "targetDate": "next week"}, "targetDate"),
        ("quests_goal_create", {"title": "Learn Go", "color": "red"}, "color"),
        ("quests_recurrence_create", {"title": "Stretch", "rule": {"freq": "daily", "interval": 0}}, "rule.interval"),
        ("quests_recurrence_create", {"title": "Stretch", "rule": {"freq": "hourly"}}, "rule.freq"),
        ("quests_recurrence_create", {"title": "Stretch", "rule": {"freq": "daily", "byWeekday": ["MO"]}}, "rule.byWeekday"),
        ("quests_task_create", {"title": "Shoes", "dueDate": "2026-02-30"}, "dueDate"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(quests, sample_name, body, field) -> None:
    reply = quests.api(sample_name, body=body)

    assert reply.status == 400, reply.body
    assert reply.body["error"]["field"] == field
    assert quests.items() == []


def test_an_unknown_status_is_a_400_and_an_impossible_one_a_409(quests) -> None:
    goal = new_goal(quests)
    unknown = quests.api("quests_goal_update", body={"status": "finished"}, params={"goalId": goal["goalId"]})
    assert unknown.status == 400 and unknown.body["error"]["field"] == "status"
    impossible = quests.api("quests_goal_update", body={"status": "paused"}, params={"goalId": goal["goalId"]})
    assert impossible.status == 409 and "a planning goal cannot become paused" in impossible.body["error"]["message"]


def test_another_users_goal_and_task_are_404_and_nothing_changes(quests) -> None:
    goal = new_goal(quests)
    quests.plan_and_coach(goal)
    task = first_milestone_tasks(quests.goal(goal["goalId"]))[0]
    before = quests.items()

    attempts = [
        quests.api("quests_goal_get", params={"goalId": goal["goalId"]}, claims=OTHER),
        quests.api("quests_goal_update", body={"title": "Mine now"}, params={"goalId": goal["goalId"]}, claims=OTHER),
        quests.api("quests_task_update", body={"status": "done"}, params={"taskId": task["taskId"]}, claims=OTHER),
        quests.api("quests_goal_replan", params={"goalId": goal["goalId"]}, claims=OTHER),
        quests.api("quests_task_update", body={"status": "done"}, params={"taskId": "../../etc"}, claims=OTHER),
    ]

    assert [a.status for a in attempts] == [404] * len(attempts)
    assert sorted(map(json.dumps, quests.items())) == sorted(map(json.dumps, before))


def test_pause_resume_abandon_and_delete(quests) -> None:
    goal = new_goal(quests)
    quests.plan_and_coach(goal)
    gid = {"goalId": goal["goalId"]}

    assert quests.api("quests_goal_update", body={"status": "paused"}, params=gid).body["status"] == "paused"
    assert (
        quests.api("quests_goal_update", body={"status": "active", "title": "Run a full marathon"}, params=gid).body["title"] == "Run a full marathon"
    )
    assert quests.api("quests_goal_update", body={"status": "abandoned"}, params=gid).body["status"] == "abandoned"
    deleted = quests.invoke(
        "QuestsFunction", {**quests.sample("quests_goal_get"), "httpMethod": "DELETE", "pathParameters": gid, "path": f"/goals/{goal['goalId']}"}
    )
    assert deleted.status == 200 and deleted.body["itemsRemoved"] > 4
    assert quests.items() == [] or all(not i["sk"]["S"].startswith("GOAL#") for i in quests.items())
    assert quests.api("quests_goal_get", params=gid).status == 404


# -- chat ---------------------------------------------------------------------------------------------------
@pytest.mark.clock
def test_the_coach_sets_a_goal_lists_the_day_and_completes_a_task(quests, same_day) -> None:
    day = same_day(minutes=2, zone=quests.zone)  # "what's on today" is asked on the day the roadmap started
    said = quests.api("chat_post", body={"message": "I want to learn Spanish by next summer"}, function="ChatFunction")
    assert said.status == 200, said.body
    [action] = said.body["actions"]
    assert action["type"] == "goal_created" and action["status"] == "planning" and "Spanish" in action["title"]
    conversation = said.body["conversationId"]
    goal = quests.goal(action["goalId"])
    quests.plan_and_coach(goal)
    tasks = first_milestone_tasks(quests.goal(goal["goalId"]))

    listed = quests.api("chat_post", body={"message": "What's on today?", "conversationId": conversation}, function="ChatFunction")
    assert listed.body["intent"] == "list_tasks"
    today = [t for t in tasks if t["dueDate"] == day.isoformat()]
    assert {t["taskId"] for t in listed.body["actions"][0]["tasks"]} == {t["taskId"] for t in today}
    assert today[0]["title"] in listed.body["reply"]

    finished = quests.api(
        "chat_post", body={"message": f"I finished {today[0]['title'].lower()}", "conversationId": conversation}, function="ChatFunction"
    )
    assert finished.body["actions"] == [{"type": "task_completed", "taskId": today[0]["taskId"], "title": today[0]["title"], "changed": True}]
    assert [e["taskId"] for e in quests.events("TaskCompleted")] == [today[0]["taskId"]]

    history = quests.api("chat_history", query={"conversationId": conversation, "limit": "4"}, function="ChatFunction")
    assert [m["role"] for m in history.body["messages"]] == ["coach", "user", "coach", "user"]
    assert history.body["nextCursor"]
    older = quests.api("chat_history", query={"conversationId": conversation, "cursor": history.body["nextCursor"]}, function="ChatFunction")
    assert [m["text"] for m in older.body["messages"]][-1] == "I want to learn Spanish by next summer"
    missing = quests.api("chat_history", query={}, function="ChatFunction")
    assert missing.status == 400 and missing.body["error"]["field"] == "conversationId"


def test_a_message_whose_day_cannot_be_read_costs_no_ai_call(quests, monkeypatch, same_day) -> None:
    """The chat counts its AI call while it reads the day: a read that fails gives the call back."""
    same_day(minutes=1, zone="UTC")  # budgets are per UTC day
    from zik.ai.budget import DailyBudget
    from zik.ai.registry import get
    from zik.principal import Principal

    module = quests.load_function("ChatFunction")

    def unreachable(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the table is unreachable")

    monkeypatch.setattr(module.quests.store, "tasks_due", unreachable)
    failed = quests.api("chat_post", body={"message": "What's on today?"}, function="ChatFunction")
    assert failed.status == 500
    owner = Principal(user_id=SUB, tenant_id="acme", email=None, claims={})
    budget = DailyBudget(quests.deployment.functions["ChatFunction"].environment["AI_TABLE"])
    assert budget.usage(owner, get("quests.chat")) == {"calls": 0, "tokens": 0}

    monkeypatch.undo()
    answered = quests.api("chat_post", body={"message": "What's on today?"}, function="ChatFunction")
    assert answered.status == 200 and budget.usage(owner, get("quests.chat"))["calls"] == 1


# -- the user's data ------------------------------------------------------------------------------------------
def test_quests_are_exported_with_the_user_and_erased_with_them(quests, move_clock) -> None:
    goal = new_goal(quests)
    quests.plan_and_coach(goal)
    quests.api("quests_recurrence_create", body={"title": "Stretch", "rule": {"freq": "daily"}})

    exported = quests.invoke("MeFunction", quests.sample("me_export")).body["data"]["quests"]
    assert [g["goalId"] for g in exported["goals"]] == [goal["goalId"]]
    assert exported["goals"][0]["milestones"][0]["tasks"]
    assert exported["recurrences"][0]["title"] == "Stretch"

    written = len(quests.items())
    assert quests.invoke("MeFunction", quests.sample("me_delete")).status == 202
    quests.settle()
    move_clock(seconds=31)  # the erasers wait out the requests still in flight
    quests.settle()
    erasure = quests.invoke("MeFunction", quests.sample("me_get") | {"path": "/me/erasure", "resource": "/me/erasure"}).body
    assert erasure["erased"]["quests"] == written and [i["sk"]["S"] for i in quests.items()] == ["ERASED"]


# -- the sample events ------------------------------------------------------------------------------------
# The API samples: tests/integration/test_sample_events.py (every product's, each answered by its function).


@pytest.mark.clock
def test_the_workflow_samples_re_dated_to_today_run_a_goal_to_active(quests, redate) -> None:
    """planner_step -> milestone_saver_step -> coach_roadmap_step, as the state machine passes them on,
    for the sample goal written first through the API sample."""
    today = quests.today()
    created = quests.invoke("QuestsFunction", redate(quests.sample("quests_goal_create"), today))
    assert created.status == 202, created.body
    run = redate(quests.sample("roadmap_start"), today)
    run["goal"] = {**run["goal"], "goalId": created.body["goalId"]}
    run["plan"] = quests.step("PlannerFunction", run)
    run["saved"] = quests.step("MilestoneSaverFunction", run)
    run["coached"] = quests.step("CoachFunction", run)
    goal = quests.goal(created.body["goalId"])
    assert goal["status"] == "active" and goal["milestones"][-1]["dueDate"] == created.body["targetDate"]
    assert all(today.isoformat() <= task["dueDate"] for task in goal["milestones"][0]["tasks"])
