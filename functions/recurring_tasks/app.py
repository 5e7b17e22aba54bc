"""The daily recurring-task generator (scheduled): each active rule's task for the user's today and
tomorrow, in the user's timezone. It reads only the active rules (a sparse index), and a second run the
same day writes nothing new."""

from __future__ import annotations

from zik.observability import logger, metrics, schedule_handler
from zik.quests.service import Quests

quests = Quests()


@schedule_handler
def lambda_handler(event: dict, context: object) -> dict:
    counts = quests.generate_recurring()
    metrics.add_metric(name="RecurringTasksWritten", unit="Count", value=counts["written"])
    logger.info("recurring tasks generated", extra=counts)
    return counts
