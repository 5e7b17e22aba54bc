"""Goals, tasks and recurring tasks: the quests API. The roadmap itself is planned by the workflow."""

from __future__ import annotations

from zik.http import body, create_app, json_response, principal
from zik.idempotency import run_once
from zik.observability import api_handler
from zik.quests.service import Quests
from zik.inputs import page_limit

app = create_app()
quests = Quests()


def _page() -> tuple[int, str | None]:
    query = app.current_event.query_string_parameters or {}
    return page_limit(query.get("limit")), query.get("cursor") or None


# -- goals ---------------------------------------------------------------------------------------------
@app.post("/goals")
def create_goal():
    """Set a goal; its roadmap is planned asynchronously.

    Answers 202 at once with the goal in status `planning` and the path it takes (`workflow`): the
    planner writes 3 to 7 milestones, the coach the first milestone's tasks, then the goal is `active`
    (or `failed`, with a reason: POST /goals/{goalId}/replan). Retries with the same `Idempotency-Key`
    create one goal."""
    owner = principal(app)
    data = body(app, "goal_create")
    return json_response(run_once(app, owner, lambda claim: quests.create_goal(owner, data, claim=claim)), 202)


@app.get("/goals")
def list_goals():
    """The caller's goals, newest first (`limit`, `cursor`)."""
    limit, cursor = _page()
    return quests.goals(principal(app), limit=limit, cursor=cursor)


@app.get("/goals/<goal_id>")
def get_goal(goal_id: str):
    """A goal with its milestones, each with its tasks."""
    return quests.goal(principal(app), goal_id)


@app.patch("/goals/<goal_id>")
def update_goal(goal_id: str):
    """Rename a goal, move its target date, pause, resume or abandon it."""
    return quests.update_goal(principal(app), goal_id, body(app, "goal_update"))


@app.delete("/goals/<goal_id>")
def delete_goal(goal_id: str):
    """Delete a goal with its milestones and tasks."""
    return {"goalId": goal_id, "deleted": True, "itemsRemoved": quests.delete_goal(principal(app), goal_id)}


@app.post("/goals/<goal_id>/replan")
def replan_goal(goal_id: str):
    """Plan a failed goal again (409 for a goal that did not fail)."""
    return json_response(quests.replan(principal(app), goal_id), 202)


# -- tasks ---------------------------------------------------------------------------------------------
@app.get("/tasks")
def list_tasks():
    """The tasks due on `date` (default: today in the caller's timezone), across goals and recurrences."""
    limit, cursor = _page()
    day = (app.current_event.query_string_parameters or {}).get("date")
    return quests.tasks_for_day(principal(app), day, limit=limit, cursor=cursor)


@app.post("/tasks")
def create_task():
    """Add a task of your own (due today unless `dueDate` says otherwise)."""
    owner = principal(app)
    data = body(app, "task_create")
    return json_response(run_once(app, owner, lambda claim: quests.add_task(owner, data, claim=claim)), 201)


@app.patch("/tasks/<task_id>")
def update_task(task_id: str):
    """Mark a task done or todo, rename it or move it. Marking done twice has one effect; the last open
    task of a milestone completes it and the next milestone's tasks follow."""
    return quests.update_task(principal(app), task_id, body(app, "task_update"))


@app.delete("/tasks/<task_id>")
def delete_task(task_id: str):
    """Delete a task."""
    quests.delete_task(principal(app), task_id)
    return {"taskId": task_id, "deleted": True}


# -- recurrences ---------------------------------------------------------------------------------------
@app.post("/recurrences")
def create_recurrence():
    """A task that repeats daily or weekly; today's and tomorrow's are written at once."""
    owner = principal(app)
    data = body(app, "recurrence_create")
    return json_response(run_once(app, owner, lambda claim: quests.add_recurrence(owner, data, claim=claim)), 201)


@app.get("/recurrences")
def list_recurrences():
    """The caller's recurring tasks."""
    limit, cursor = _page()
    return quests.recurrences(principal(app), limit=limit, cursor=cursor)


@app.delete("/recurrences/<recurrence_id>")
def delete_recurrence(recurrence_id: str):
    """Stop a recurring task; its future open tasks go with it."""
    return quests.delete_recurrence(principal(app), recurrence_id)


@api_handler
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
