"""The daily recurring-task run as the local cloud runs it, for the integration tests: the schedule's
dispatcher (RecurringTaskGeneratorFunction), then the recurring-task queue fed to its worker
(RecurringTaskWorkerFunction) one message an invocation, as its event source mapping does (BatchSize 1),
until the queue is empty."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import boto3

from zik_local.cloud import _sqs_record as sqs_record  # the event source mapping's own record: what `zik dev` hands the worker

DISPATCHER = "RecurringTaskGeneratorFunction"
WORKER = "RecurringTaskWorkerFunction"


class DailyRun:
    """``run()``: the whole run, its pages' counts added up. ``pages`` has one entry per page the worker
    handled: its partition, its cursor (None for a partition's first page), its counts and the cursor it
    passed on."""

    def __init__(self, quests: Any):
        self.quests = quests
        self.url = quests.deployment.functions[WORKER].environment["RECURRING_TASKS_QUEUE"]
        self.arn = boto3.client("sqs").get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.pages: list[dict[str, Any]] = []
        service = quests.load_function(WORKER).quests
        generate = service.generate_recurring

        def recorded(partition: str, cursor: str | None, **kwargs: Any) -> Any:
            counts, rest = generate(partition, cursor, **kwargs)
            self.pages.append({"partition": partition, "cursor": cursor, **counts, "next": rest})
            return counts, rest

        service.generate_recurring = recorded

    def __call__(self) -> Counter:
        self.dispatch()
        return self.drain()

    def dispatch(self, event: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.quests.step(DISPATCHER, event or self.quests.sample("recurring_tasks_daily"))

    def waiting(self) -> list[dict[str, Any]]:
        """The bodies of the messages in the queue, left there."""
        sqs = boto3.client("sqs")
        received = []
        while messages := sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10, VisibilityTimeout=60).get("Messages", []):
            received.extend(messages)
        for message in received:  # visible again at once
            sqs.change_message_visibility(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
        return [json.loads(message["Body"]) for message in received]

    def receive(self) -> dict[str, Any] | None:
        """The next message as the worker's event (one record), or None when the queue is empty."""
        messages = boto3.client("sqs").receive_message(QueueUrl=self.url, MaxNumberOfMessages=1, AttributeNames=["All"]).get("Messages", [])
        return {"Records": [sqs_record(messages[0], self.arn)]} if messages else None

    def handle(self, event: dict[str, Any]) -> dict[str, Any]:
        """One invocation of the worker; its answer (the batch's failures)."""
        return self.quests.step(WORKER, event)

    def delete(self, event: dict[str, Any]) -> None:
        boto3.client("sqs").delete_message(QueueUrl=self.url, ReceiptHandle=event["Records"][0]["receiptHandle"])

    def drain(self) -> Counter:
        """Every message handled until the queue is empty; the counts of the pages handled, added up."""
        first = len(self.pages)
        while (event := self.receive()) is not None:
            answer = self.handle(event)
            assert answer == {"batchItemFailures": []}, answer
            self.delete(event)
        total: Counter = Counter()
        for page in self.pages[first:]:
            total.update({key: page[key] for key in ("rules", "written", "existing", "skipped", "moved")})
        return total
