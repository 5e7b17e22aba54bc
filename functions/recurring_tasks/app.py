"""The daily recurring-task run, fanned out (scheduled): one message per partition of the active rules' index
(its 32 shards, and the key it had before it was sharded) to the recurring-task queue, where
RecurringTaskWorkerFunction handles each a page at a time. It reads no rule itself, so it takes the same
few milliseconds for ten rules or ten million.

A message is ``{"partition": "RULES#ACTIVE#07", "run": "<the scheduled event's id>"}``; a worker sends the
rest of a partition on with its ``cursor`` and ``page``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import boto3

from zik import config
from zik.observability import logger, schedule_handler
from zik.quests.store import ACTIVE_RULE_PARTITIONS

if TYPE_CHECKING:
    from mypy_boto3_sqs.type_defs import SendMessageBatchRequestEntryTypeDef

QUEUE_URL = config.require("RECURRING_TASKS_QUEUE")["RECURRING_TASKS_QUEUE"]
sqs = boto3.client("sqs")


@schedule_handler
def lambda_handler(event: dict, context: object) -> dict:
    run = event.get("id") or getattr(context, "aws_request_id", "")
    entries: list[SendMessageBatchRequestEntryTypeDef] = [
        {"Id": str(n), "MessageBody": json.dumps({"partition": partition, "run": run})} for n, partition in enumerate(ACTIVE_RULE_PARTITIONS)
    ]
    for start in range(0, len(entries), 10):
        batch = entries[start : start + 10]
        for _ in range(2):  # what SQS refused once is sent again once, then the invocation fails (and is retried)
            refused = {failure["Id"] for failure in sqs.send_message_batch(QueueUrl=QUEUE_URL, Entries=batch).get("Failed", [])}
            batch = [entry for entry in batch if entry["Id"] in refused]
            if not batch:
                break
        if batch:
            raise RuntimeError(f"SQS refused {len(batch)} of the run's messages")
    logger.info("recurring run dispatched", extra={"run": run, "partitions": len(entries)})
    return {"run": run, "partitions": len(entries)}
