"""Planner AI (roadmap workflow, first step): the goal's 3 to 7 milestones, due by its target date."""

from __future__ import annotations

import zik.quests.ai_tasks  # noqa: F401  (registers quests.plan)
from zik.observability import logger, workflow_handler
from zik.quests.service import Quests, owner_of

quests = Quests()


@workflow_handler
def lambda_handler(event: dict, context: object) -> dict:
    owner = owner_of(event["owner"])
    milestones = quests.plan(owner, event["goal"], event["today"])
    logger.info("roadmap planned", extra={"goalId": event["goal"]["goalId"], "milestones": len(milestones)})
    return {"milestones": milestones}
