"""NotificationQueue's consumer: each TryOnCompleted or TryOnFailed event the bus delivers is pushed to the
user's devices through SNS (zik.studio.push); a push that failed for a reason that may pass fails its
message only (ReportBatchItemFailures), which SQS delivers again and then moves to the DLQ."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zik.consumers import each_event
from zik.observability import queue_handler
from zik.principal import Principal
from zik.studio.push import Notifier

notifier = Notifier()


def push(owner: Principal, detail_type: str, detail: Mapping[str, Any]) -> str:
    return str(notifier.notify(owner.user_id, detail_type, detail))


@queue_handler
def lambda_handler(event: dict, context: object) -> dict:
    return each_event(event, context, push)
