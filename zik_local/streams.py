"""DynamoDB stream event source mappings, as Lambda's stream pollers run them.

One ``StreamPoller`` per mapping of the template (``Type: DynamoDB`` events). It reads the table's stream
through the DynamoDB Streams API (moto's), in order, from its checkpoint; drops the records no filter of
the mapping matches (``FilterCriteria``: they count as done); invokes the function with batches of at most
``BatchSize`` records in Lambda's event shape; and then, as Lambda does:

- a batch that succeeds moves the checkpoint past it;
- ``ReportBatchItemFailures``: the checkpoint moves to just before the first sequence number the function
  reports, and the batch is retried from there (an unknown identifier fails the whole batch);
- a function error retries the batch, split in halves first with ``BisectBatchOnFunctionError``;
- after ``MaximumRetryAttempts`` retries, or once its oldest record is older than
  ``MaximumRecordAgeInSeconds``, the batch is skipped and its position (shard, first and last sequence
  numbers) is sent to the ``OnFailure`` destination, in Lambda's own record format.

``zik dev`` runs each poller on a thread woken by every write to the table; tests call ``poll()`` to
deliver what is waiting, synchronously.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ALWAYS = -1  # MaximumRetryAttempts / MaximumRecordAgeInSeconds: no limit
READ_LIMIT = 1000  # records a GetRecords call reads at most (DynamoDB Streams' own limit)
# A poller reads when its table is written (the write wakes it) and, should a wake be missed, this often
# anyway. Every read is two calls to the embedded AWS; at one a second, six pollers were 12 calls a
# second at rest, and most of the embedded AWS's work after a write.
IDLE_POLL_SECONDS = 10.0


@dataclass
class StreamMapping:
    logical_id: str
    function: str  # the function's logical id
    function_arn: str
    stream_arn: str
    batch_size: int = 100
    starting_position: str = "TRIM_HORIZON"
    report_item_failures: bool = False
    bisect: bool = False
    max_retries: int = ALWAYS
    max_record_age: int = ALWAYS
    on_failure: str | None = None
    filters: list[dict[str, Any]] = field(default_factory=list)
    enabled: bool = True

    @property
    def table_name(self) -> str:
        return self.stream_arn.split(":table/", 1)[1].split("/stream/", 1)[0]


@dataclass
class Outcome:
    """What one invocation of the function answered: its payload, or that it failed."""

    failed: bool
    payload: Any = None


Invoke = Callable[[str, dict[str, Any]], Outcome]
SendFailure = Callable[[str, dict[str, Any]], None]


class StreamPoller:
    def __init__(
        self,
        mapping: StreamMapping,
        client: Any,
        invoke: Invoke,
        send_failure: SendFailure,
        log: Callable[[str], None] = lambda line: None,
        retry_delay: float = 0.0,
    ):
        self.mapping = mapping
        self.client = client  # a dynamodbstreams client
        self.invoke = invoke
        self.send_failure = send_failure
        self.log = log
        self.retry_delay = retry_delay
        self._checkpoint: str | None = None
        self._shard: str | None = None
        # The iterator the last read handed on (just past what it read, which is the checkpoint once the
        # records are delivered): the next read continues from it, as Lambda's poller does, instead of asking
        # for a new one at the checkpoint each time.
        self._iterator: str | None = None
        self._patterns = [_pattern(f) for f in mapping.filters]
        self._started = False
        self.invocations = 0

    @property
    def checkpoint(self) -> str | None:
        """The last sequence number done with. Set from outside (a replay from the start: None), the next
        read starts there."""
        return self._checkpoint

    @checkpoint.setter
    def checkpoint(self, sequence_number: str | None) -> None:
        self._checkpoint = sequence_number
        self._iterator = None

    # -- reading the stream -----------------------------------------------------------------------------
    def _records(self, limit: int = 1000) -> list[dict[str, Any]]:
        if self._shard is None:
            shards = self.client.describe_stream(StreamArn=self.mapping.stream_arn)["StreamDescription"]["Shards"]
            if not shards:
                return []
            self._shard = shards[0]["ShardId"]
        answer = None
        if self._iterator is not None:
            try:
                answer = self.client.get_records(ShardIterator=self._iterator, Limit=limit)
            except Exception:  # noqa: BLE001 - an expired or unknown iterator: a new one from the checkpoint
                self._iterator = None
        if answer is None:
            if self._checkpoint is not None:
                position = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": self._checkpoint}
            else:
                position = {"ShardIteratorType": "TRIM_HORIZON"}
            iterator = self.client.get_shard_iterator(StreamArn=self.mapping.stream_arn, ShardId=self._shard, **position)["ShardIterator"]
            answer = self.client.get_records(ShardIterator=iterator, Limit=limit)
        records = answer["Records"]
        self._iterator = answer.get("NextShardIterator")
        if not self._started:
            self._started = True
            if self.mapping.starting_position == "LATEST" and self._checkpoint is None and records:
                # LATEST: only what comes after the mapping was made (its first poll) is delivered.
                self._checkpoint = records[-1]["dynamodb"]["SequenceNumber"]
                return self._records(limit)
        return [self._lambda_record(r) for r in records]

    def _lambda_record(self, record: dict[str, Any]) -> dict[str, Any]:
        """A record as Lambda hands it over: the stream's ARN added, the time as epoch seconds."""
        stream = dict(record["dynamodb"])
        created = stream.get("ApproximateCreationDateTime")
        if isinstance(created, dt.datetime):
            stream["ApproximateCreationDateTime"] = int(created.timestamp())
        return {**record, "awsRegion": self.mapping.stream_arn.split(":")[3], "dynamodb": stream, "eventSourceARN": self.mapping.stream_arn}

    def _matches(self, record: dict[str, Any]) -> bool:
        return not self._patterns or any(pattern.matches_event(record) for pattern in self._patterns)

    # -- delivering ---------------------------------------------------------------------------------------
    def poll(self) -> int:
        """Deliver every record waiting now; how many records were read (filtered ones included)."""
        if not self.mapping.enabled:
            return 0
        read = 0
        while True:
            records = self._records(READ_LIMIT)
            if not records:
                return read
            read += len(records)
            batch: list[dict[str, Any]] = []
            for record in records:
                if self._matches(record):
                    batch.append(record)
                    if len(batch) == self.mapping.batch_size:
                        self._deliver(batch)
                        batch = []
            if batch:
                self._deliver(batch)
            self._checkpoint = records[-1]["dynamodb"]["SequenceNumber"]
            if len(records) < READ_LIMIT:
                # The stream's end: a record written since woke the poller, which reads again then.
                return read

    def _deliver(self, batch: list[dict[str, Any]], attempts: int = 0) -> None:
        pending = batch
        while pending:
            if self._too_old(pending) or (self.mapping.max_retries != ALWAYS and attempts > self.mapping.max_retries):
                condition = "RecordAgeExceeded" if self._too_old(pending) else "RetryAttemptsExhausted"
                self._give_up(pending, attempts, condition)
                break
            outcome = self.invoke(self.mapping.function, {"Records": pending})
            self.invocations += 1
            if outcome.failed:
                if self.mapping.bisect and len(pending) > 1:
                    # Each half is tried on its own; a split is no retry (Lambda counts none for it).
                    half = len(pending) // 2
                    self.log(f"{self.mapping.function} failed a batch of {len(pending)}: bisected")
                    self._deliver(pending[:half], attempts)
                    self._deliver(pending[half:], attempts)
                    break
                attempts += 1
                self._pause(attempts)
                continue
            failed_at = self._first_reported(pending, outcome.payload)
            if failed_at is None:
                break
            attempts += 1
            self.log(f"{self.mapping.function} reported {pending[failed_at]['dynamodb']['SequenceNumber']} failed: retried from it")
            pending = pending[failed_at:]
            self._pause(attempts)
        self._checkpoint = batch[-1]["dynamodb"]["SequenceNumber"]

    def _first_reported(self, batch: list[dict[str, Any]], payload: Any) -> int | None:
        """Where the batch is retried from, by ReportBatchItemFailures; None when it succeeded."""
        if not self.mapping.report_item_failures or not isinstance(payload, dict):
            return None
        reported = payload.get("batchItemFailures") or []
        if not reported:
            return None
        sequence = [r["dynamodb"]["SequenceNumber"] for r in batch]
        found = [sequence.index(f.get("itemIdentifier")) for f in reported if isinstance(f, dict) and f.get("itemIdentifier") in sequence]
        if len(found) != len(reported):
            return 0  # Lambda treats an unknown or empty identifier as the failure of the whole batch
        return min(found)

    def _too_old(self, batch: list[dict[str, Any]]) -> bool:
        limit = self.mapping.max_record_age
        if limit == ALWAYS:
            return False
        oldest = batch[0]["dynamodb"].get("ApproximateCreationDateTime")
        return isinstance(oldest, (int, float)) and time.time() - oldest > limit

    def _pause(self, attempts: int) -> None:
        if self.retry_delay:
            time.sleep(min(self.retry_delay * 2 ** (attempts - 1), 5.0))

    def _give_up(self, batch: list[dict[str, Any]], attempts: int, condition: str) -> None:
        first, last = batch[0]["dynamodb"], batch[-1]["dynamodb"]
        record = {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": self.mapping.function_arn,
                "condition": condition,
                "approximateInvokeCount": attempts,
            },
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
            "version": "1.0",
            "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "DDBStreamBatchInfo": {
                "shardId": self._shard,
                "startSequenceNumber": first["SequenceNumber"],
                "endSequenceNumber": last["SequenceNumber"],
                "approximateArrivalOfFirstRecord": _iso(first.get("ApproximateCreationDateTime")),
                "approximateArrivalOfLastRecord": _iso(last.get("ApproximateCreationDateTime")),
                "batchSize": len(batch),
                "streamArn": self.mapping.stream_arn,
            },
        }
        self.log(
            f"{self.mapping.function}: records {first['SequenceNumber']}..{last['SequenceNumber']} failed ({condition}): sent to {self.mapping.on_failure}"
        )
        if self.mapping.on_failure:
            self.send_failure(self.mapping.on_failure, record)


class PollerThread:
    """A poller on a thread of its own, woken by each write to its table (and every IDLE_POLL_SECONDS regardless)."""

    def __init__(self, poller: StreamPoller, stopping: threading.Event, log: Callable[[str], None], after_poll: Callable[[str], None] | None = None):
        self.poller = poller
        self.stopping = stopping
        self.log = log
        self.after_poll = after_poll
        self.wake = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"stream-{poller.mapping.logical_id}", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        while not self.stopping.is_set():
            self.wake.wait(IDLE_POLL_SECONDS)
            self.wake.clear()
            try:
                if self.poller.poll() and self.after_poll is not None:
                    self.after_poll(self.poller.mapping.table_name)
            except Exception as exc:  # noqa: BLE001 - the poller outlives a failed poll, as Lambda's does
                if not self.stopping.is_set():
                    self.log(f"poll of {self.poller.mapping.stream_arn} failed: {exc!r}")
                    self.stopping.wait(1.0)


def _pattern(pattern: dict[str, Any]) -> Any:
    from moto.events.models import EventPattern

    return EventPattern.load(json.dumps(pattern))


def _iso(epoch: Any) -> str | None:
    if not isinstance(epoch, (int, float)):
        return None
    return dt.datetime.fromtimestamp(epoch, dt.UTC).isoformat().replace("+00:00", "Z")
