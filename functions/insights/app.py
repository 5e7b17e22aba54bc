"""The AI service: an entry's insight, from EntryCreated, EntryUpdated and AIInsightRequested (through its
queue, whose DLQ keeps what kept failing, so no entry loses its insight)."""

from __future__ import annotations

import zik.journal.ai_tasks  # noqa: F401  (registers journal.insight)
from zik.consumers import each_event
from zik.journal.insights import Insights
from zik.observability import queue_handler

insights = Insights()


@queue_handler
def lambda_handler(event: dict, context: object) -> dict:
    return each_event(event, context, insights.handle)
