"""The points' consumer: every journal event, the quest events (TaskCompleted, MilestoneCompleted,
QuestCompleted) and the career events (ResumeAnalyzed, ApplicationStatusChanged), through its queue. Each event is recorded once: a redelivery awards nothing twice."""

from __future__ import annotations

from zik.consumers import each_event
from zik.observability import queue_handler
from zik.points.ledger import Points

points = Points()


@queue_handler
def lambda_handler(event: dict, context: object) -> dict:
    return each_event(event, context, points.record)
