"""Milestone Saver (roadmap workflow, second step): the planned milestones, written in one transaction
while the goal is still being planned."""

from __future__ import annotations

from zik.observability import workflow_handler
from zik.quests.service import Quests, owner_of

quests = Quests()


@workflow_handler
def lambda_handler(event: dict, context: object) -> dict:
    owner = owner_of(event["owner"])
    count = quests.save_milestones(owner, event["goal"]["goalId"], event["plan"]["milestones"])
    return {"milestoneCount": count}
