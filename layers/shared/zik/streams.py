"""The one way events leave a write: each domain table's change stream, read by a publisher function.

A request only writes; DynamoDB Streams records what was committed (every INSERT, MODIFY and REMOVE, with
the item before and after), and the table's publisher function turns each change into the domain events
it means (``<domain>.changes.events_of``) and puts them on the bus. So a committed write always yields its
events, however the writing function ended, and a write that did not commit yields none.

Delivery is at least once, in order per item:
- an event's ``eventId`` is made from the stream record's own id (and its place among the events of that
  record), so a record delivered again yields the same events and consumers, which key their
  idempotency on ``eventId``, act once;
- the events of a batch are put in order, ten per call; the first record whose event the bus refused (or
  that could not be mapped) is reported as the batch's failure (``ReportBatchItemFailures``): Lambda
  checkpoints before it and retries from it, bisecting, and after its retries sends the batch's position
  to the stream's on-failure destination (an SQS DLQ, alarmed);
- ``occurredAt`` is when the change was made: the item's own ``updatedAt`` (or ``createdAt``), else the
  stream's arrival time.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from zik import schemas
from zik.dynamo import from_item
from zik.principal import Principal

SOURCE_PREFIX = "zik."
_MAX_ENTRIES_PER_CALL = 10
_MAX_CALL_BYTES = 256 * 1024


@cache
def _events_client() -> Any:
    import boto3

    return boto3.client("events")


@dataclass(frozen=True)
class Change:
    """One committed change of one item, as the stream recorded it (images as plain Python values)."""

    kind: str  # INSERT, MODIFY or REMOVE
    keys: Mapping[str, Any]
    old: Mapping[str, Any] | None
    new: Mapping[str, Any] | None
    record_id: str  # the stream record's eventID: unique per change, the same when delivered again
    sequence: str
    arrived: str  # ISO instant the stream recorded the change

    @property
    def item(self) -> Mapping[str, Any]:
        """The item as it is after the change (as it was, for a REMOVE)."""
        return self.new if self.new is not None else (self.old or {})

    @property
    def sk(self) -> str:
        return str(self.keys.get("sk", ""))

    @property
    def owner(self) -> Principal:
        """The user whose partition the item is in (``TENANT#<t>#USER#<u>``)."""
        tenant, _, user = str(self.keys.get("pk", "")).removeprefix("TENANT#").partition("#USER#")
        if not tenant or not user:
            raise ValueError(f"the item {self.keys} is not in a user's partition")
        return Principal(user_id=user, tenant_id=tenant)

    def was(self, name: str) -> Any:
        return (self.old or {}).get(name)

    def now(self, name: str) -> Any:
        return (self.new or {}).get(name)

    def changed(self, name: str) -> bool:
        return self.was(name) != self.now(name)

    @property
    def at(self) -> str:
        """When the change was made: the item's own stamp when it carries one, else the stream's."""
        stamp = (self.now("updatedAt") or self.now("createdAt")) if self.new is not None else None
        return str(stamp or self.arrived)


@dataclass(frozen=True)
class Event:
    """A domain event a change means: its type and what its detail holds beyond the common fields."""

    detail_type: str
    domain: str
    detail: Mapping[str, Any] = field(default_factory=dict)
    occurred_at: str | None = None  # default: the change's own time


Mapper = Callable[[Change], Iterable[Event]]


def change_of(record: Mapping[str, Any]) -> Change:
    stream = record["dynamodb"]
    arrived = stream.get("ApproximateCreationDateTime")
    if isinstance(arrived, (int, float)):
        arrived = dt.datetime.fromtimestamp(arrived, dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return Change(
        kind=record["eventName"],
        keys=from_item(stream.get("Keys") or {}),
        old=from_item(stream["OldImage"]) if "OldImage" in stream else None,
        new=from_item(stream["NewImage"]) if "NewImage" in stream else None,
        record_id=record["eventID"],
        sequence=stream["SequenceNumber"],
        arrived=str(arrived or ""),
    )


def entries_of(change: Change, mapped: Iterable[Event], bus: str) -> list[dict[str, Any]]:
    """The PutEvents entries of a change's events, each detail checked against its schema."""
    owner = None
    entries = []
    for number, event in enumerate(mapped):
        owner = owner or change.owner
        detail = {
            "eventId": f"{change.record_id}.{number}",
            "occurredAt": event.occurred_at or change.at,
            "tenantId": owner.tenant_id,
            "userId": owner.user_id,
            **event.detail,
        }
        try:
            schemas.validate("events", event.detail_type, detail)
        except schemas.SchemaViolation as exc:
            raise ValueError(f"{event.detail_type} of {change.keys} does not match its schema: {exc.message}") from None
        entries.append(
            {
                "EventBusName": bus,
                "Source": SOURCE_PREFIX + event.domain,
                "DetailType": event.detail_type,
                "Detail": json.dumps(detail, separators=(",", ":"), default=str),
            }
        )
    return entries


def publish_changes(event: Mapping[str, Any], events_of: Mapper, *, bus: str | None = None, log: Any = None) -> dict[str, Any]:
    """Publish the events of a batch of stream records; the first record not fully published is the
    batch's failure (Lambda retries from it, so nothing after it is lost and nothing before it repeats)."""
    bus_name = bus or os.environ["EVENT_BUS_NAME"]
    pending: list[tuple[int, dict[str, Any]]] = []  # (record index, entry), in record order
    records = list(event.get("Records") or [])
    first_failed: int | None = None
    for index, record in enumerate(records):
        try:
            change = change_of(record)
            pending.extend((index, entry) for entry in entries_of(change, events_of(change), bus_name))
        except Exception as exc:  # noqa: BLE001 - a change that cannot be read stops the batch at it
            if log is not None:
                log.exception("change not published", extra={"eventID": record.get("eventID"), "error": str(exc)})
            first_failed = index
            break
    refused = _put(pending, log)
    if refused is not None:
        first_failed = refused if first_failed is None else min(first_failed, refused)
    if first_failed is None:
        return {"batchItemFailures": []}
    return {"batchItemFailures": [{"itemIdentifier": records[first_failed]["dynamodb"]["SequenceNumber"]}]}


def _put(pending: list[tuple[int, dict[str, Any]]], log: Any) -> int | None:
    """Put the entries in order, ten (and at most 256 kB) a call; the record index of the first entry the
    bus did not take, or None. After a refusal nothing more is put: those records are retried anyway."""
    start = 0
    while start < len(pending):
        chunk: list[tuple[int, dict[str, Any]]] = []
        size = 0
        for index, entry in pending[start:]:
            entry_size = len(entry["Detail"]) + len(entry["DetailType"]) + len(entry["Source"])
            if len(chunk) == _MAX_ENTRIES_PER_CALL or (chunk and size + entry_size > _MAX_CALL_BYTES):
                break
            chunk.append((index, entry))
            size += entry_size
        try:
            answer = _events_client().put_events(Entries=[entry for _, entry in chunk])
        except Exception as exc:  # noqa: BLE001 - the bus unreachable: retry from this chunk
            if log is not None:
                log.warning("the bus refused a batch of events", extra={"error": str(exc), "events": len(chunk)})
            return chunk[0][0]
        results = answer.get("Entries") or []
        for (index, entry), result in zip(chunk, results):
            if result.get("ErrorCode"):
                if log is not None:
                    log.warning("the bus refused an event", extra={"detailType": entry["DetailType"], "error": result.get("ErrorCode")})
                return index
        if answer.get("FailedEntryCount") and len(results) < len(chunk):
            return chunk[len(results)][0]
        start += len(chunk)
    return None
