"""Quest rules with no AWS in them: what a goal may become, what a plan must look like, what a day is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from zik import clock, inputs
from zik.errors import Conflict, InvalidRequest

MIN_MILESTONES, MAX_MILESTONES = 3, 7
DEFAULT_HORIZON_DAYS = 90

# What PATCH /goals may ask for, from each status. Planning, completed and failed goals change by
# themselves (the workflow, the last task, a replan), not by a PATCH of their status.
_TRANSITIONS = {
    "active": {"paused", "abandoned"},
    "paused": {"active", "abandoned"},
    "failed": {"abandoned"},
}


def today_in(timezone: str, now: dt.datetime | None = None) -> dt.date:
    try:
        zone = ZoneInfo(timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return (now or clock.now()).astimezone(zone).date()


def parse_date(value: str, field: str) -> dt.date:
    day = inputs.day(value, field)
    if day is None:
        raise InvalidRequest(f"{field} must be a date such as 2026-12-31", field=field)
    return day


def clean_title(value: str, field: str = "title") -> str:
    title = " ".join(value.split())
    if not title:
        raise InvalidRequest(f"{field} must not be blank", field=field)
    return title


def check_target_date(target: str | None, today: dt.date) -> str | None:
    if target is None:
        return None
    if parse_date(target, "targetDate") <= today:
        raise InvalidRequest(f"targetDate must be after today ({today.isoformat()} in your timezone)", field="targetDate")
    return target


def check_status_change(current: str, wanted: str) -> None:
    if wanted == current:
        return
    if wanted not in _TRANSITIONS.get(current, set()):
        raise Conflict(f"a {current} goal cannot become {wanted}", field="status", details={"status": current})


def normalise_plan(milestones: Sequence[Mapping[str, Any]], today: dt.date, target: dt.date | None) -> list[dict[str, Any]]:
    """The planner's milestones in order, each due after today and by the target date (a model may get
    dates wrong; the roadmap must not)."""
    last = target or today + dt.timedelta(days=DEFAULT_HORIZON_DAYS)
    ordered = sorted(milestones[:MAX_MILESTONES], key=lambda m: m["dueDate"])
    if len(ordered) < MIN_MILESTONES:
        raise ValueError(f"a plan needs {MIN_MILESTONES} to {MAX_MILESTONES} milestones, got {len(ordered)}")
    result = []
    previous = today
    for index, milestone in enumerate(ordered):
        due = dt.date.fromisoformat(milestone["dueDate"])
        due = min(max(due, previous + dt.timedelta(days=1), today + dt.timedelta(days=1)), last)
        if index == len(ordered) - 1 and target is not None:
            due = target
        previous = due
        result.append({"title": clean_title(milestone["title"]), "description": milestone.get("description", ""), "dueDate": due.isoformat()})
    return result


def normalise_tasks(tasks: Sequence[Mapping[str, Any]], today: dt.date, milestone_due: dt.date) -> list[dict[str, Any]]:
    """The coach's tasks, due from today to the milestone's date (today when that date is past)."""
    last = max(milestone_due, today)
    result = []
    for task in tasks[:5]:
        due = min(max(dt.date.fromisoformat(task["dueDate"]), today), last)
        result.append({"title": clean_title(task["title"]), "description": task.get("description", ""), "dueDate": due.isoformat()})
    return sorted(result, key=lambda t: t["dueDate"])


def goal_view(
    goal: Mapping[str, Any], milestones: Sequence[Mapping[str, Any]] | None = None, tasks: Sequence[Mapping[str, Any]] | None = None
) -> dict[str, Any]:
    """A goal as the API shows it; with its tree when milestones are given."""
    view = {key: value for key, value in goal.items() if key not in ("pk", "sk", "gsi1pk", "gsi1sk", "attempt")}
    if milestones is not None:
        by_seq: dict[int, list[dict[str, Any]]] = {}
        for task in tasks or []:
            by_seq.setdefault(int(task["milestoneSeq"]), []).append(task_view(task))
        view["milestones"] = [
            {
                **{k: v for k, v in m.items() if k not in ("pk", "sk", "openTasks")},
                "tasks": sorted(by_seq.get(int(m["seq"]), []), key=lambda t: (t["dueDate"], t["title"])),
            }
            for m in sorted(milestones, key=lambda m: int(m["seq"]))
        ]
    return view


def task_view(task: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in task.items() if key not in ("pk", "sk", "gsi1pk", "gsi1sk")}
