"""Goals, tasks and recurring tasks: the quests API. The roadmap itself is planned by the workflow."""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

from zik.http import body, create_app, json_response, principal, responds
from zik.idempotency import run_once
from zik.inputs import page_limit
from zik.observability import api_handler
from zik.quests.service import Quests

app = create_app()
quests = Quests()


def _page() -> tuple[int, str | None]:
    query = app.current_event.query_string_parameters or {}
    return page_limit(query.get("limit")), query.get("cursor") or None


# -- goals ---------------------------------------------------------------------------------------------
@app.post("/goals")
@responds({202: "goal"}, errors=(409, 422, 503))
def create_goal():
    """Set a goal, whose roadmap the AI then plans in the background.

    Answers 202 at once with the goal in status `planning` and the path it takes (`workflow`): the
    planner writes 3 to 7 milestones, the coach the first milestone's tasks, then the goal is `active`
    (or `failed`, with a reason: POST /goals/{goalId}/replan). Retries with the same `Idempotency-Key`
    create one goal: 409 while the first is still running, 422 when the key came with another body.
    503 (`roadmap_unavailable`) when the planning workflow could not start: nothing is kept then."""
    owner = principal(app)
    data = body(app, "goal_create")
    return json_response(run_once(app, owner, lambda claim: quests.create_goal(owner, data, claim=claim)), 202)


@app.get("/goals")
@responds({200: "goal_page"}, query=("limit", "cursor"))
def list_goals():
    """List the caller's goals, newest first, a page at a time (without their milestones)."""
    limit, cursor = _page()
    return quests.goals(principal(app), limit=limit, cursor=cursor)


@app.get("/goals/<goal_id>")
@responds({200: "goal"})
def get_goal(goal_id: str):
    """Read a goal with its roadmap: its milestones in order, each with its tasks."""
    return quests.goal(principal(app), goal_id)


@app.patch("/goals/<goal_id>")
@responds({200: "goal"}, errors=(409,))
def update_goal(goal_id: str):
    """Rename a goal, move its target date, pause, resume or abandon it.

    409 when the goal cannot take that status from the one it has (`details.status`: a goal being
    planned, completed or abandoned; only an active goal pauses), or when it changed meanwhile
    (`version_conflict`: read it again)."""
    return quests.update_goal(principal(app), goal_id, body(app, "goal_update"))


@app.delete("/goals/<goal_id>")
@responds({200: "goal_deletion"})
def delete_goal(goal_id: str):
    """Delete a goal with its milestones and tasks."""
    return {"goalId": goal_id, "deleted": True, "itemsRemoved": quests.delete_goal(principal(app), goal_id)}


@app.post("/goals/<goal_id>/replan")
@responds({202: "goal"}, errors=(409, 503))
def replan_goal(goal_id: str):
    """Plan a failed goal again: 202 with the goal back in `planning`, as POST /goals answers.

    409 for a goal that did not fail (`details.status`), or that changed meanwhile; 503
    (`roadmap_unavailable`) when the planning workflow could not start: the goal stays `failed`."""
    return json_response(quests.replan(principal(app), goal_id), 202)


# -- tasks ---------------------------------------------------------------------------------------------
@app.get("/tasks")
@responds({200: "task_day"}, query=("tasks.date", "limit", "cursor"))
def list_tasks():
    """List the tasks due on a day (`date`; default: today in the caller's timezone), across goals, recurrences and the user's own.

    Open tasks come first, then done ones, each by title."""
    limit, cursor = _page()
    day = (app.current_event.query_string_parameters or {}).get("date")
    return quests.tasks_for_day(principal(app), day, limit=limit, cursor=cursor)


@app.post("/tasks")
@responds({201: "task"}, errors=(409, 422))
def create_task():
    """Add a task of the caller's own, due today in their timezone unless `dueDate` says otherwise.

    A retry with the same `Idempotency-Key` creates one task: 409 while the first is still running, 422
    when the key came with another body."""
    owner = principal(app)
    data = body(app, "task_create")
    return json_response(run_once(app, owner, lambda claim: quests.add_task(owner, data, claim=claim)), 201)


@app.patch("/tasks/<task_id>")
@responds({200: "task"}, errors=(409,))
def update_task(task_id: str):
    """Mark a task done or todo, rename it or move it to another day.

    Marking done twice has one effect; the last open task of a milestone completes it (and the last
    milestone the goal), and the coach plans the next milestone's tasks. 409 when the milestone kept
    changing while the task was marked: try again."""
    return quests.update_task(principal(app), task_id, body(app, "task_update"))


@app.delete("/tasks/<task_id>")
@responds({200: "task_deletion"})
def delete_task(task_id: str):
    """Delete a task (an open task of a milestone no longer holds the milestone back)."""
    quests.delete_task(principal(app), task_id)
    return {"taskId": task_id, "deleted": True}


# -- recurrences ---------------------------------------------------------------------------------------
@app.post("/recurrences")
@responds({201: "recurrence"}, errors=(404, 409, 422))
def create_recurrence():
    """Make a task that repeats daily or weekly; its tasks for today and tomorrow are written at once.

    A daily job writes the days after, in the caller's timezone. 404 when `goalId` names no goal of the
    caller's. A retry with the same `Idempotency-Key` makes one rule: 409 while the first is still
    running, 422 when the key came with another body."""
    owner = principal(app)
    data = body(app, "recurrence_create")
    return json_response(run_once(app, owner, lambda claim: quests.add_recurrence(owner, data, claim=claim)), 201)


@app.get("/recurrences")
@responds({200: "recurrence_page"}, query=("limit", "cursor"))
def list_recurrences():
    """List the caller's recurring tasks, a page at a time."""
    limit, cursor = _page()
    return quests.recurrences(principal(app), limit=limit, cursor=cursor)


@app.delete("/recurrences/<recurrence_id>")
@responds({200: "recurrence_deletion"})
def delete_recurrence(recurrence_id: str):
    """Stop a recurring task: the rule goes, with its open tasks due after today."""
    return quests.delete_recurrence(principal(app), recurrence_id)


@api_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
