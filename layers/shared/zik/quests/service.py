"""What the quests functions do, in one place: the handlers parse and answer, this decides and writes.

Nothing here publishes: the quests' events leave QuestsTable through its stream (``zik.quests.changes``)."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from zik import ai, clock
from zik.claims import Claim
from zik.errors import Conflict, InvalidRequest, NotFound, ZikError
from zik.observability import logger, metrics
from zik.platform.zones import ProfileZones
from zik.principal import Principal
from zik.quests import model, recurrence
from zik.quests.store import QuestsStore, TaskStep, new_id, public, recurring_task_id
from zik.quests.workflow import WorkflowNotStarted, start_roadmap

STATUS_ATTEMPTS = 5  # a task marked while its milestone moves reads it again, this many times
BUSY_DAYS = 14  # how many days of a milestone's window the coach is told the load of


class _Background:
    """A call run on a thread of its own while the caller does something else; ``result()`` waits for
    it and raises what it raised. (A thread, not an executor: concurrent.futures is not worth its import
    in a cold start for one call.)"""

    def __init__(self, function: Callable[..., Any], *args: Any, **kwargs: Any):
        self._outcome: tuple[bool, Any] = (False, None)
        self._thread = threading.Thread(target=self._run, args=(function, args, kwargs), daemon=True)
        self._thread.start()

    def _run(self, function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        try:
            self._outcome = (True, function(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller by result()
            self._outcome = (False, exc)

    def result(self) -> Any:
        self._thread.join()
        done, value = self._outcome
        if not done:
            raise value
        return value

    def then(self, use: Callable[[Any], Any]) -> None:
        """``use(result)`` if the call succeeded; nothing if it raised (the caller is already failing)."""
        self._thread.join()
        done, value = self._outcome
        if done:
            use(value)


class RoadmapUnavailable(ZikError):
    """Step Functions refused to start the goal's roadmap workflow: the client may ask again (replan)."""

    status = 503
    code = "roadmap_unavailable"
    retry_after_seconds = 5

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_seconds)}


def owner_of(document: Mapping[str, Any]) -> Principal:
    """The owner a workflow or an event names (set by our own code from verified claims)."""
    return Principal(user_id=document["userId"], tenant_id=document["tenantId"])


class Quests:
    def __init__(self, store: QuestsStore | None = None, profiles: Any = None):
        self.store = store or QuestsStore()
        self.zones = ProfileZones(profiles)

    # -- the user's day ---------------------------------------------------------------------------------
    def timezone_of(self, owner: Principal) -> str:
        """The profile's timezone, remembered for a minute by this environment (one read, not one a request)."""
        return self.zones.of(owner)

    def today(self, owner: Principal) -> dt.date:
        return model.today_in(self.timezone_of(owner))

    # -- goals ----------------------------------------------------------------------------------------
    def create_goal(self, owner: Principal, data: Mapping[str, Any], *, via: str = "api", claim: Claim | None = None) -> dict[str, Any]:
        """A goal in planning, and its roadmap workflow started. With an Idempotency-Key's ``claim`` its id
        comes from the key: the retry of a request that wrote and then died answers that goal (and starts
        its workflow if the first attempt could not: the start is idempotent)."""
        today = self.today(owner)
        goal: dict[str, Any] = {
            "goalId": claim.id("g") if claim else new_id("g"),
            "title": model.clean_title(data["title"]),
            "description": data.get("description") or "",
            "category": data.get("category"),
            "targetDate": model.check_target_date(data.get("targetDate"), today),
            "status": "planning",
            "path": "workflow",
            "attempt": 1,
            "milestoneCount": 0,
            "via": via,
        }
        try:
            goal = self.store.create_goal(owner, goal)  # GoalCreated leaves through the table's stream
        except Conflict:
            if claim is None:
                raise
            goal = public(self.store.goal(owner, goal["goalId"]))
            if goal["status"] != "planning":
                return model.goal_view(goal)
        self._start(owner, goal, today)
        metrics.add_metric(name="GoalsCreated", unit="Count", value=1)
        return model.goal_view(goal)

    def create_goal_with_roadmap(
        self,
        owner: Principal,
        data: Mapping[str, Any],
        milestones: Sequence[Mapping[str, Any]],
        first_tasks: Sequence[Mapping[str, Any]],
        *,
        claim: Claim | None = None,
    ) -> dict[str, Any]:
        """A goal whose roadmap another domain already made (a career roadmap): ``data`` as POST /goals
        takes it, 3 to 7 ``milestones`` ({title, description, dueDate}) and the first one's tasks ({title,
        description, dueDate}). Written active at once, with no planner workflow (one transaction); from
        then on it is a goal like any other. With ``claim`` its id comes from the Idempotency-Key and a
        retry answers the goal the first attempt wrote."""
        today = self.today(owner)
        target = model.check_target_date(data.get("targetDate"), today)
        plan = model.normalise_plan(list(milestones), today, dt.date.fromisoformat(target) if target else None)
        goal = {
            "goalId": claim.id("g") if claim else new_id("g"),
            "title": model.clean_title(data["title"]),
            "description": data.get("description") or "",
            "category": data.get("category"),
            "targetDate": target,
            "path": "given",
            "via": "api",
            **({"origin": data["origin"]} if data.get("origin") else {}),
        }
        tasks = model.normalise_tasks(list(first_tasks), today, dt.date.fromisoformat(plan[0]["dueDate"]))
        try:
            written = self.store.create_goal_with_roadmap(owner, {k: v for k, v in goal.items() if v is not None}, plan, tasks)
        except Conflict:
            if claim is None:
                raise
            return self.goal(owner, goal["goalId"])
        metrics.add_metric(name="GoalsCreated", unit="Count", value=1)
        return model.goal_view(*written)

    def _start(self, owner: Principal, goal: Mapping[str, Any], today: dt.date) -> None:
        try:
            start_roadmap(owner, goal, today=today.isoformat(), timezone=self.timezone_of(owner))
        except WorkflowNotStarted as exc:
            # Nothing half-written: a goal whose plan never started is not left "planning" forever.
            if goal.get("attempt", 1) == 1:
                self.store.delete_goal(owner, goal["goalId"])
            else:
                self.store.update_goal(owner, goal["goalId"], {"status": "failed", "statusReason": "the roadmap workflow could not start"})
            logger.error("roadmap not started", extra={"goalId": goal["goalId"], "reason": str(exc)})
            raise RoadmapUnavailable("the roadmap could not be started; try again in a minute") from None

    def replan(self, owner: Principal, goal_id: str) -> dict[str, Any]:
        goal = self.store.goal(owner, goal_id)
        if goal["status"] != "failed":
            raise Conflict(f"only a failed goal can be replanned; this one is {goal['status']}", field="status", details={"status": goal["status"]})
        updated = self.store.update_goal(
            owner, goal_id, {"status": "planning", "statusReason": None, "attempt": int(goal.get("attempt", 1)) + 1}, expected_version=goal["version"]
        )
        self._start(owner, updated, self.today(owner))
        return model.goal_view(updated)

    def goal(self, owner: Principal, goal_id: str) -> dict[str, Any]:
        goal, milestones, tasks = self.store.goal_tree(owner, goal_id)
        return model.goal_view(goal, milestones, tasks)

    def goals(self, owner: Principal, *, limit: int, cursor: str | None) -> dict[str, Any]:
        page = self.store.goals_page(owner, limit=limit, cursor=cursor)
        return {"goals": [model.goal_view(g) for g in page.items], "nextCursor": page.next_cursor}

    def update_goal(self, owner: Principal, goal_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        goal = self.store.goal(owner, goal_id)
        values: dict[str, Any] = {}
        if "status" in changes:
            model.check_status_change(goal["status"], changes["status"])
            values["status"] = changes["status"]
        if "title" in changes:
            values["title"] = model.clean_title(changes["title"])
        if "description" in changes:
            values["description"] = changes["description"]
        if "targetDate" in changes:
            values["targetDate"] = model.check_target_date(changes["targetDate"], self.today(owner))
        return model.goal_view(self.store.update_goal(owner, goal_id, values, expected_version=goal["version"]))

    def delete_goal(self, owner: Principal, goal_id: str) -> int:
        return self.store.delete_goal(owner, goal_id)

    # -- the roadmap workflow's steps -----------------------------------------------------------------------
    def plan(self, owner: Principal, goal: Mapping[str, Any], today: str) -> list[dict[str, Any]]:
        answer = ai.run(
            "quests.plan",
            {
                "title": goal["title"],
                "description": goal.get("description") or "",
                "category": goal.get("category") or "",
                "targetDate": goal.get("targetDate") or "",
                "today": today,
            },
            owner=owner,
        )
        target = dt.date.fromisoformat(goal["targetDate"]) if goal.get("targetDate") else None
        return model.normalise_plan(answer["milestones"], dt.date.fromisoformat(today), target)

    def save_milestones(self, owner: Principal, goal_id: str, milestones: Sequence[Mapping[str, Any]]) -> int:
        self.store.save_milestones(owner, goal_id, milestones)
        return len(milestones)

    def coach(self, owner: Principal, goal_id: str, seq: int, *, first: bool) -> list[dict[str, Any]]:
        """Tasks for milestone ``seq``, written with the milestone made active (and, for the first, the goal).
        A milestone that already has its tasks is left alone: a redelivered request has no effect."""
        goal = self.store.goal(owner, goal_id)
        milestone = self.store.milestone(owner, goal_id, seq)
        if milestone is None:
            raise NotFound(f"goal {goal_id} has no milestone {seq}")
        if milestone["status"] != "pending":
            logger.info("milestone already coached", extra={"goalId": goal_id, "seq": seq})
            return []
        today = self.today(owner)
        due = dt.date.fromisoformat(milestone["dueDate"])
        # The days of the milestone's window that already hold tasks (of this goal's or any other), so the
        # coach does not pile a twelfth task on a full today: at most BUSY_DAYS days, one COUNT query each.
        window = [today + dt.timedelta(days=n) for n in range(max(0, min((due - today).days, BUSY_DAYS - 1)) + 1)]
        busy = self.store.open_tasks_by_day(owner, [day.isoformat() for day in window])
        answer = ai.run(
            "quests.coach",
            {
                "goalTitle": goal["title"],
                "goalDescription": goal.get("description") or "",
                "milestoneTitle": milestone["title"],
                "milestoneDescription": milestone.get("description") or "",
                "milestoneDueDate": milestone["dueDate"],
                "milestoneNumber": seq,
                "milestoneCount": int(goal.get("milestoneCount") or seq),
                "today": today.isoformat(),
                "busyDays": busy,
            },
            owner=owner,
        )
        tasks = model.normalise_tasks(answer["tasks"], today, due)
        try:
            written = self.store.start_milestone(owner, goal_id, seq, tasks, activate_goal=first)
        except NotFound:
            logger.info("milestone coached meanwhile", extra={"goalId": goal_id, "seq": seq})
            return []
        return written

    def record_failure(self, owner: Principal, goal_id: str, error: Mapping[str, Any] | None) -> dict[str, Any]:
        """The workflow failed: say why and remove what it wrote (one transaction), so that a replan starts
        clean; nothing changes for a goal no longer being planned (a late or redelivered failure)."""
        kind = (error or {}).get("Error") or "Error"
        reason = "the AI could not plan this goal right now" if kind == "AIUnavailable" else "planning failed"
        removed = self.store.fail_planning(owner, goal_id, {"status": "failed", "statusReason": f"{reason} ({kind})", "milestoneCount": 0})
        if removed is None:
            logger.info("failed roadmap of a goal that moved on", extra={"goalId": goal_id})
        return {"goalId": goal_id, "removed": removed or 0, "status": "failed"}

    # -- tasks ----------------------------------------------------------------------------------------
    def tasks_for_day(self, owner: Principal, day: str | None, *, limit: int, cursor: str | None) -> dict[str, Any]:
        date = model.parse_date(day, "date").isoformat() if day else self.today(owner).isoformat()
        page = self.store.tasks_due(owner, date, limit=limit, cursor=cursor)
        tasks = sorted((model.task_view(t) for t in page.items), key=lambda t: (t["status"] == "done", t["title"]))
        return {"date": date, "tasks": tasks, "nextCursor": page.next_cursor}

    def add_task(self, owner: Principal, data: Mapping[str, Any], *, claim: Claim | None = None) -> dict[str, Any]:
        due = model.parse_date(data["dueDate"], "dueDate").isoformat() if data.get("dueDate") else self.today(owner).isoformat()
        task_id = claim.id("t") if claim else new_id("t")
        task = {
            "taskId": task_id,
            "title": model.clean_title(data["title"]),
            "description": data.get("description") or "",
            "dueDate": due,
            "source": "user",
            "goalId": None,
            "milestoneSeq": None,
        }
        written = self.store.put_task(owner, {k: v for k, v in task.items() if v is not None})
        return model.task_view(written or public(self.store.task(owner, task_id)))

    def update_task(self, owner: Principal, task_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        task = self.store.task(owner, task_id)
        fields = {key: changes[key] for key in ("title", "description", "dueDate") if key in changes}
        if "title" in fields:
            fields["title"] = model.clean_title(fields["title"])
        if "dueDate" in fields:
            fields["dueDate"] = model.parse_date(fields["dueDate"], "dueDate").isoformat()
        if fields:
            task = self.store.update_task(owner, task, fields)
        if "status" in changes:
            self.set_status(owner, task, changes["status"])
        return model.task_view(self.store.task(owner, task_id))

    def set_status(self, owner: Principal, task: Mapping[str, Any], status: str) -> bool:
        """Mark a task done (or todo again). Just in time: the last open task of a milestone completes it,
        and the last milestone the goal, in the same transaction as the task, so the three changes (and
        their events: TaskCompleted, MilestoneCompleted, QuestCompleted) are committed together or not at
        all; the coach then plans the next milestone from MilestoneCompleted. False when the task already
        had that status."""
        for _ in range(STATUS_ATTEMPTS):
            if task["status"] == status:
                return False
            step = self._milestone_step(owner, task) if status == "done" else TaskStep(counted=bool(task.get("goalId") and task.get("milestoneSeq")))
            outcome = self.store.set_task_status(owner, task, status, step)
            if outcome == "raced":  # the task, its milestone or its goal moved meanwhile: read again
                task = self.store.task(owner, task["taskId"])
                continue
            if step.finishes_goal and outcome == "changed":
                metrics.add_metric(name="QuestsCompleted", unit="Count", value=1)
            return outcome == "changed"
        raise Conflict("the task's milestone kept changing; try again", field="status")

    def _milestone_step(self, owner: Principal, task: Mapping[str, Any]) -> TaskStep:
        """What completing ``task`` does to its milestone (and goal), as read now."""
        goal_id, seq = task.get("goalId"), task.get("milestoneSeq")
        if not (goal_id and seq):
            return TaskStep()
        milestone = self.store.milestone(owner, goal_id, int(seq))
        if milestone is None or milestone["status"] != "active":
            return TaskStep(counted=milestone is not None)
        open_tasks = int(milestone.get("openTasks", 0))
        if open_tasks > 1:
            return TaskStep(counted=True, open_tasks=open_tasks)
        count = int(milestone.get("milestoneCount") or 0)
        goal_status = None
        if int(seq) >= count:
            goal = self.store.goal(owner, goal_id)
            goal_status = goal["status"] if goal["status"] in ("active", "paused") else None
        return TaskStep(counted=True, open_tasks=open_tasks, completes_milestone=True, goal_status=goal_status)

    def delete_task(self, owner: Principal, task_id: str) -> None:
        self.store.delete_task(owner, self.store.task(owner, task_id))

    # -- recurrences ----------------------------------------------------------------------------------
    def add_recurrence(self, owner: Principal, data: Mapping[str, Any], *, claim: Claim | None = None) -> dict[str, Any]:
        timezone = self.timezone_of(owner)
        today = model.today_in(timezone)
        start = model.parse_date(data["startDate"], "startDate") if data.get("startDate") else today
        try:
            rule = recurrence.normalise_rule(data["rule"], start)
        except recurrence.RuleError as exc:
            raise InvalidRequest(exc.message, field=exc.field) from None
        if data.get("goalId"):
            self.store.goal(owner, data["goalId"])  # another user's or an unknown goal: 404
        rule_id = claim.id("r") if claim else new_id("r")
        try:
            created = self.store.create_rule(
                owner,
                {
                    "recurrenceId": rule_id,
                    "title": model.clean_title(data["title"]),
                    "description": data.get("description") or "",
                    "rule": rule,
                    "startDate": start.isoformat(),
                    "goalId": data.get("goalId"),
                    "timezone": timezone,
                    "active": True,
                },
            )
        except Conflict:
            if claim is None:
                raise
            created = self.store.rule(owner, rule_id)  # a first attempt's; its occurrences are written again, once
        # The rule's tasks for today and tomorrow right away; the daily generator writes the days after.
        for day in (today, today + dt.timedelta(days=1)):
            self._write_occurrence(owner, created, day)
        return public(created)

    def recurrences(self, owner: Principal, *, limit: int, cursor: str | None) -> dict[str, Any]:
        page = self.store.rules_page(owner, limit=limit, cursor=cursor)
        return {"recurrences": [public(r) for r in page.items], "nextCursor": page.next_cursor}

    def follow_timezone(self, owner: Principal, detail: Mapping[str, Any]) -> int:
        """UserProfileUpdated: the user's rules keep a copy of the profile's timezone (the daily generator
        writes each rule's days in it); they follow a change. How many rules moved."""
        if "timezone" not in detail.get("changed", ()):
            return 0
        self.zones.forget(owner)
        moved, cursor = 0, None
        while True:
            page = self.store.rules_page(owner, limit=100, cursor=cursor)
            for rule in page.items:
                if rule.get("timezone") != detail["timezone"]:
                    try:
                        self.store.table.update(owner.partition, rule["sk"], {"timezone": detail["timezone"]})
                        moved += 1
                    except NotFound:
                        pass  # deleted meanwhile
            cursor = page.next_cursor
            if not cursor:
                return moved

    def delete_recurrence(self, owner: Principal, rule_id: str) -> dict[str, Any]:
        rule = self.store.delete_rule(owner, rule_id)
        today = model.today_in(rule.get("timezone") or "UTC").isoformat()
        removed = 0
        for task in self.store.rule_tasks(owner, rule_id):
            if task["status"] == "todo" and task["dueDate"] > today:
                self.store.delete_task(owner, task)
                removed += 1
        return {"recurrenceId": rule_id, "deleted": True, "futureTasksRemoved": removed}

    def _write_occurrence(self, owner: Principal, rule: Mapping[str, Any], day: dt.date) -> bool:
        if not recurrence.occurs_on(rule["rule"], dt.date.fromisoformat(rule["startDate"]), day):
            return False
        written = self.store.put_task(
            owner,
            {
                "taskId": recurring_task_id(rule["recurrenceId"], day.isoformat()),
                "title": rule["title"],
                "description": rule.get("description") or "",
                "dueDate": day.isoformat(),
                "source": "recurrence",
                "recurrenceId": rule["recurrenceId"],
                **({"linkedGoalId": rule["goalId"]} if rule.get("goalId") else {}),
            },
        )
        return written is not None

    # A page's writes wait on DynamoDB, not on this process: this many at once keep a page of a thousand
    # rules (up to two thousand writes) to a second or two.
    RECURRING_WRITERS = 8

    def generate_recurring(
        self, partition: str, cursor: str | None, *, limit: int, now: dt.datetime | None = None
    ) -> tuple[dict[str, int], str | None]:
        """One step of the daily run (a message of the recurring-task queue): a page of at most ``limit``
        active rules of one partition of the index, each rule's tasks for the user's today and tomorrow
        written once. The counts, and the cursor of the rest of the partition (None at its end).

        A task's id is its rule's and its day's, and it is written only if new (a conditional put): a page
        read again (a redelivered message, a second run the same day) writes nothing twice. The tasks that
        exist are read first, 100 a call, so such a page costs a few reads rather than a failed write a task."""
        now = now or clock.now()  # one instant for the page
        page = self.store.active_rules(partition, cursor=cursor, limit=limit)
        counts = {"rules": len(page.items), "written": 0, "existing": 0, "skipped": 0}
        due: list[tuple[Principal, Mapping[str, Any], dt.date, str]] = []
        days: dict[str, list[dt.date]] = {}
        for rule in page.items:
            try:
                zone = rule.get("timezone") or "UTC"
                if zone not in days:
                    days[zone] = recurrence.due_days(zone, now)
                start = dt.date.fromisoformat(rule["startDate"])
                due.extend(
                    (owner_of(rule), rule, day, recurring_task_id(rule["recurrenceId"], day.isoformat()))
                    for day in days[zone]
                    if recurrence.occurs_on(rule["rule"], start, day)
                )
            except (KeyError, TypeError, ValueError):  # RuleError too: one broken rule does not hold up its shard
                logger.exception("recurrence rule skipped", extra={"recurrenceId": rule.get("recurrenceId")})
                counts["skipped"] += 1
        existing = self.store.existing_tasks((owner, task_id) for owner, _, _, task_id in due)
        missing = [(owner, rule, day) for owner, rule, day, task_id in due if (owner.partition, self.store.task_sk(task_id)) not in existing]
        writers = [
            _Background(self._write_occurrences, missing[n :: self.RECURRING_WRITERS]) for n in range(min(self.RECURRING_WRITERS, len(missing)))
        ]
        failure: BaseException | None = None
        for writer in writers:  # every writer done before this page fails or succeeds
            try:
                counts["written"] += writer.result()
            except Exception as exc:  # noqa: BLE001 - raised below, once the others are done
                failure = failure or exc
        if failure is not None:
            raise failure
        counts["existing"] = len(due) - counts["written"]
        counts["moved"] = self.store.move_to_shards(page.items)
        return counts, page.next_cursor

    def _write_occurrences(self, occurrences: list[tuple[Principal, Mapping[str, Any], dt.date]]) -> int:
        """How many of these were new (and written)."""
        return sum(self._write_occurrence(owner, rule, day) for owner, rule, day in occurrences)

    # -- chat -------------------------------------------------------------------------------------------
    def chat(self, owner: Principal, message: str, conversation_id: str | None) -> dict[str, Any]:
        conversation = conversation_id or uuid.uuid4().hex
        # The goals do not depend on the day: they are read while the day (the profile's timezone, then
        # its tasks) is, one round trip instead of two or three before the coach can answer.
        goals_page = _Background(self.store.goals_page, owner, limit=20, cursor=None)
        # The message's AI call is counted against the budget while the day is read, too.
        reserving = _Background(ai.reserve, "quests.chat", owner=owner)

        def day_tasks(day: dt.date) -> list[dict[str, Any]]:
            # In the order GET /tasks shows a day (open first, by title): "task 2" is the second open task there too.
            page = self.store.tasks_due(owner, day.isoformat(), limit=50, cursor=None)
            return sorted(page.items, key=lambda t: (t["status"] == "done", t["title"]))

        try:
            today = self.today(owner)
            tomorrow = today + dt.timedelta(days=1)
            tomorrows = _Background(day_tasks, tomorrow)  # read while today's are: still one round trip
            days = {today.isoformat(): day_tasks(today)}
            days[tomorrow.isoformat()] = tomorrows.result()
            goals = [g for g in goals_page.result().items if g["status"] in ("active", "planning", "paused")]
            reservation = reserving.result()
        except BaseException:
            reserving.then(ai.release)  # a call counted for a message that gets no answer is given back
            raise
        titles = {g["goalId"]: g["title"] for g in goals}

        def task_input(task: Mapping[str, Any]) -> dict[str, Any]:
            # A planned task carries its goal's goalId, a recurring one the goal its rule is linked to.
            goal_id = task.get("goalId") or task.get("linkedGoalId") or ""
            return {
                "taskId": task["taskId"],
                "title": task["title"],
                "status": task["status"],
                "goalId": goal_id,
                "goalTitle": titles.get(goal_id, ""),
            }

        def goal_input(goal: Mapping[str, Any]) -> dict[str, Any]:
            count = int(goal.get("milestoneCount") or 0)
            # The goal item holds the milestone being worked on (currentMilestone), not a count of those done:
            # the ones before it are. (Between a milestone's last task and the next one's start, it lags by one.)
            done = count if goal["status"] == "completed" else max(0, int(goal.get("currentMilestone") or 1) - 1)
            return {
                "goalId": goal["goalId"],
                "title": goal["title"],
                "status": goal["status"],
                "targetDate": goal.get("targetDate") or "",
                "milestonesDone": min(done, count),
                "milestoneCount": count,
            }

        answer = ai.run(
            "quests.chat",
            {
                "message": message,
                "goals": [goal_input(g) for g in goals],
                "todayTasks": [task_input(t) for t in days[today.isoformat()]],
                "tomorrowTasks": [task_input(t) for t in days[tomorrow.isoformat()]],
                "today": today.isoformat(),
            },
            owner=owner,
            reservation=reservation,
        )
        actions = self._act(owner, answer, today, days, day_tasks)
        self.store.add_messages(
            owner,
            conversation,
            [{"role": "user", "text": message}, {"role": "coach", "text": answer["reply"], "intent": answer["intent"], "actions": actions}],
        )
        return {"reply": answer["reply"], "conversationId": conversation, "intent": answer["intent"], "actions": actions}

    def _act(
        self,
        owner: Principal,
        answer: Mapping[str, Any],
        today: dt.date,
        days: Mapping[str, Sequence[Mapping[str, Any]]],
        read_day: Callable[[dt.date], Sequence[Mapping[str, Any]]],
    ) -> list[dict[str, Any]]:
        """What the coach does for ``answer``: ``days`` holds the tasks already read, by day (today's and
        tomorrow's); ``read_day`` reads another day's."""
        intent = answer["intent"]
        if intent == "create_goal" and answer.get("goalTitle"):
            title = answer["goalTitle"][:200]
            try:
                goal = self.create_goal(owner, {"title": title, "targetDate": answer.get("targetDate")}, via="chat")
            except InvalidRequest as refused:
                if refused.field != "targetDate":
                    raise
                # A model's date that is not a day after today does not cost the user the goal they asked for.
                logger.info("chat goal created without its target date", extra={"targetDate": answer.get("targetDate"), "reason": refused.message})
                goal = self.create_goal(owner, {"title": title}, via="chat")
            created = {"type": "goal_created", "goalId": goal["goalId"], "title": goal["title"], "status": goal["status"], "path": goal["path"]}
            return [{**created, "targetDate": goal["targetDate"]} if goal.get("targetDate") else created]
        if intent == "complete_task" and answer.get("taskId"):
            # Today's task, or tomorrow's done early; a model may name a task the user does not have.
            task = next((t for tasks in days.values() for t in tasks if t["taskId"] == answer["taskId"]), None)
            if task is None:
                return []
            changed = self.set_status(owner, task, "done")
            return [{"type": "task_completed", "taskId": task["taskId"], "title": task["title"], "changed": changed}]
        if intent == "list_tasks":
            day = answer.get("date") or today.isoformat()
            tasks = days.get(day)
            if tasks is None:  # a day the coach had not read ("what's on Friday?"); a date that is not one lists today
                try:
                    listed = model.parse_date(day, "date")
                except InvalidRequest:
                    day, tasks = today.isoformat(), days[today.isoformat()]
                else:
                    day, tasks = listed.isoformat(), read_day(listed)
            return [
                {"type": "tasks_listed", "date": day, "tasks": [{"taskId": t["taskId"], "title": t["title"], "status": t["status"]} for t in tasks]}
            ]
        return []

    def history(self, owner: Principal, conversation_id: str, *, limit: int, cursor: str | None) -> dict[str, Any]:
        page = self.store.messages_page(owner, conversation_id, limit=limit, cursor=cursor)
        return {"conversationId": conversation_id, "messages": [public(m) for m in page.items], "nextCursor": page.next_cursor}
