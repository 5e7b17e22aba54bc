"""The one way to publish domain events: checked against ``schemas/events/<DetailType>.json``, then put
on the platform bus (EVENT_BUS_NAME).

Every detail carries ``eventId`` (consumers key their idempotency on it), ``occurredAt``, ``tenantId``
and ``userId``; the schema of each event says what else it holds.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Mapping, Sequence

import boto3

from zik import schemas
from zik.clock import now_iso
from zik.principal import Principal

SOURCE_PREFIX = "zik."
_MAX_ENTRIES_PER_CALL = 10


@cache
def _client() -> Any:
    # Created once per execution environment, on first publish: functions that never publish don't pay for it.
    return boto3.client("events")


class PublishError(RuntimeError):
    """The bus refused at least one event; nothing about it was silently dropped."""


@dataclass(frozen=True)
class DomainEvent:
    detail_type: str
    source: str
    detail: Mapping[str, Any] = field(default_factory=dict)

    def entry(self, bus: str) -> dict[str, Any]:
        return {
            "EventBusName": bus,
            "Source": self.source,
            "DetailType": self.detail_type,
            "Detail": json.dumps(self.detail, separators=(",", ":"), default=str),
        }


def event(detail_type: str, domain: str, owner: Principal, **detail: Any) -> DomainEvent:
    """Build a validated event of ``domain`` (source ``zik.<domain>``) owned by ``owner``."""
    body = {
        "eventId": str(uuid.uuid4()),
        "occurredAt": now_iso(),
        "tenantId": owner.tenant_id,
        "userId": owner.user_id,
        **detail,
    }
    try:
        schemas.validate("events", detail_type, body)
    except schemas.SchemaViolation as exc:
        raise ValueError(f"{detail_type} does not match its schema: {exc.message}") from None
    return DomainEvent(detail_type, SOURCE_PREFIX + domain, body)


def publish(*events: DomainEvent, bus: str | None = None) -> None:
    bus_name = bus or os.environ["EVENT_BUS_NAME"]
    pending: Sequence[DomainEvent] = events
    for start in range(0, len(pending), _MAX_ENTRIES_PER_CALL):
        chunk = pending[start : start + _MAX_ENTRIES_PER_CALL]
        answer = _client().put_events(Entries=[e.entry(bus_name) for e in chunk])
        if answer.get("FailedEntryCount"):
            failures = [r.get("ErrorCode") for r in answer.get("Entries", []) if r.get("ErrorCode")]
            raise PublishError(f"the bus refused {answer['FailedEntryCount']} event(s): {failures}")
