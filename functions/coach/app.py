"""Coach AI: 3 to 5 concrete tasks for a milestone.

Two callers: the roadmap workflow, for the first milestone (then the goal becomes active), and the bus,
just in time: a MilestoneCompleted event with a next milestone gets that milestone's tasks."""

from __future__ import annotations

import zik.quests.ai_tasks  # noqa: F401  (registers quests.coach)
from zik.observability import event_handler, logger
from zik.quests.service import Quests, owner_of

quests = Quests()


@event_handler
def lambda_handler(event: dict, context: object) -> dict:
    if event.get("detail-type") == "MilestoneCompleted":
        detail = event["detail"]
        following = detail.get("nextMilestoneSeq")
        if not following:
            return {"tasks": 0}
        tasks = quests.coach(owner_of(detail), detail["goalId"], int(following), first=False)
    else:
        tasks = quests.coach(owner_of(event["owner"]), event["goal"]["goalId"], 1, first=True)
    logger.info("milestone coached", extra={"tasks": len(tasks)})
    return {"tasks": len(tasks)}
