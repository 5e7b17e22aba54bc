"""The one way to consume domain events from a queue: EventBridge delivers each event to an SQS queue as
the message body; the function handles a batch and reports the messages that failed, which SQS delivers
again and finally moves to the queue's DLQ. Nothing fails in silence, and a good message is not
redelivered because a neighbour failed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any, cast

from zik import lazy_packages

lazy_packages.install()

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response  # noqa: E402
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord  # noqa: E402

from zik.observability import logger  # noqa: E402
from zik.principal import Principal  # noqa: E402

EventHandler = Callable[[Principal, str, Mapping[str, Any]], Any]


def domain_event(body: str) -> tuple[Principal, str, dict[str, Any]]:
    """The owner, the detail type and the detail of an EventBridge event carried in a message body."""
    envelope = json.loads(body)
    detail = envelope["detail"]
    return Principal(user_id=detail["userId"], tenant_id=detail["tenantId"]), envelope["detail-type"], detail


def each_event(event: Mapping[str, Any], context: Any, handle: EventHandler) -> dict[str, Any]:
    """Handle a batch one event at a time (Powertools' batch processor: partial failures reported)."""
    processor = BatchProcessor(event_type=EventType.SQS)

    def record_handler(record: SQSRecord) -> Any:
        owner, detail_type, detail = domain_event(record.body)
        outcome = handle(owner, detail_type, detail)
        logger.info("event handled", extra={"detailType": detail_type, "eventId": detail.get("eventId"), "outcome": str(outcome)})
        return outcome

    # The answer is a plain dict at run time (Powertools types it as a TypedDict); it reads the event, never writes it.
    answer = process_partial_response(event=cast("dict[str, Any]", event), record_handler=record_handler, processor=processor, context=context)
    return cast("dict[str, Any]", answer)


def by_owner(event: Mapping[str, Any], handle: Callable[[Principal, list[dict[str, Any]]], Any]) -> dict[str, Any]:
    """Handle a batch one owner at a time (``handle(owner, details)``): a worker that rewrites a per-user
    document does it once per batch. A failing owner fails only their own messages."""
    groups: dict[Principal, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    failures: list[dict[str, str]] = []
    for record in event.get("Records", []):
        try:
            owner, _, detail = domain_event(record["body"])
        except (KeyError, TypeError, ValueError):
            logger.exception("unreadable message", extra={"messageId": record.get("messageId")})
            failures.append({"itemIdentifier": record["messageId"]})
            continue
        groups[owner].append((record["messageId"], detail))
    for owner, items in groups.items():
        try:
            handle(owner, [detail for _, detail in items])
        except Exception:
            logger.exception("batch of one owner failed", extra={"messages": len(items)})
            failures.extend({"itemIdentifier": message_id} for message_id, _ in items)
    return {"batchItemFailures": failures}
