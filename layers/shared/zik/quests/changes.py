"""What a committed change of QuestsTable means: the quests' domain events, read from the change stream
(see ``zik.streams``). Pure: an item before and after in, events out.

  a goal written                              GoalCreated
  a goal planning -> active                   RoadmapReady (its first milestone's tasks are written)
  a goal -> completed                         QuestCompleted
  a milestone active -> completed             MilestoneCompleted (the coach plans the next one)
  a task (a goal's, own, recurring) -> done   TaskCompleted

The last open task of a milestone, the milestone and (for the last milestone) the goal are completed in
one transaction (``QuestsStore.set_task_status``), so their events are all committed or none is.
Rules, chat messages and everything else mean nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from zik.streams import Change, Event

DOMAIN = "quests"


def kind_of(sk: str) -> str | None:
    if sk.startswith("TASK#") or "#TASK#" in sk:
        return "task"
    if sk.startswith("GOAL#"):
        return "milestone" if "#MS#" in sk else "goal"
    return None


def events_of(change: Change) -> Iterator[Event]:
    kind = kind_of(change.sk)
    if kind == "goal":
        yield from _goal(change)
    elif kind == "milestone":
        yield from _milestone(change)
    elif kind == "task":
        yield from _task(change)


def _goal(change: Change) -> Iterator[Event]:
    goal = change.item
    if change.kind == "INSERT":
        yield Event(
            "GoalCreated",
            DOMAIN,
            {
                "goalId": goal["goalId"],
                "title": goal["title"],
                "category": goal.get("category"),
                "targetDate": goal.get("targetDate"),
                "path": goal.get("path", "workflow"),
                "via": goal.get("via", "api"),
            },
            occurred_at=goal.get("createdAt"),
        )
    elif change.kind == "MODIFY" and change.changed("status"):
        if change.was("status") == "planning" and change.now("status") == "active":
            yield Event(
                "RoadmapReady",
                DOMAIN,
                {
                    "goalId": goal["goalId"],
                    "milestoneCount": int(goal.get("milestoneCount") or 0),
                    "taskCount": int(goal.get("plannedTaskCount") or 0),
                },
            )
        elif change.now("status") == "completed":
            yield Event(
                "QuestCompleted",
                DOMAIN,
                {"goalId": goal["goalId"], "title": goal["title"], "milestoneCount": int(goal.get("milestoneCount") or 0)},
                occurred_at=goal.get("completedAt"),
            )


def _milestone(change: Change) -> Iterator[Event]:
    if change.kind == "MODIFY" and change.changed("status") and change.now("status") == "completed":
        milestone = change.item
        seq, count = int(milestone["seq"]), int(milestone["milestoneCount"])
        yield Event(
            "MilestoneCompleted",
            DOMAIN,
            {
                "goalId": milestone["goalId"],
                "milestoneSeq": seq,
                "milestoneCount": count,
                "title": milestone["title"],
                "nextMilestoneSeq": seq + 1 if seq < count else None,
            },
            occurred_at=milestone.get("completedAt"),
        )


def _task(change: Change) -> Iterator[Event]:
    if change.kind == "MODIFY" and change.was("status") != "done" and change.now("status") == "done":
        task = change.item
        seq = task.get("milestoneSeq")
        yield Event(
            "TaskCompleted",
            DOMAIN,
            {
                "taskId": task["taskId"],
                "title": task["title"],
                "goalId": task.get("goalId"),
                "milestoneSeq": int(seq) if seq else None,
                "source": task.get("source", "user"),
                "dueDate": task["dueDate"],
            },
            occurred_at=task.get("completedAt"),
        )
