"""The roadmap workflow's Catch: removes what a failed run wrote and marks the goal failed with a reason,
so that POST /goals/{goalId}/replan starts clean."""

from __future__ import annotations

from zik.observability import logger, workflow_handler
from zik.quests.service import Quests, owner_of

quests = Quests()


@workflow_handler
def lambda_handler(event: dict, context: object) -> dict:
    result = quests.record_failure(owner_of(event["owner"]), event["goal"]["goalId"], event.get("error"))
    logger.warning("roadmap failed", extra={**result, "error": (event.get("error") or {}).get("Error")})
    return result
