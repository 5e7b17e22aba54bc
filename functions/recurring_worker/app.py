"""The daily recurring-task run, a page at a time (the recurring-task queue, one message an invocation): at
most RULES_PER_INVOCATION active rules of one partition of the index, each rule's tasks for the user's
today and tomorrow written once; the rest of the partition goes back to the queue as a message of its own
(its cursor), so no invocation runs long whatever the number of rules. A redelivered message, or a second
run the same day, writes nothing twice (each task is written only if new)."""

from __future__ import annotations

import json

import boto3

from zik import config
from zik.observability import logger, metrics, queue_handler
from zik.quests.service import Quests
from zik.quests.store import RULES_PER_PAGE

QUEUE_URL = config.require("RECURRING_TASKS_QUEUE")["RECURRING_TASKS_QUEUE"]
PAGE = config.integer("RULES_PER_INVOCATION", RULES_PER_PAGE, minimum=1, maximum=RULES_PER_PAGE)
quests = Quests()
sqs = boto3.client("sqs")


@queue_handler
def lambda_handler(event: dict, context: object) -> dict:
    failures = []
    for record in event.get("Records", []):
        try:
            step(json.loads(record["body"]))
        except Exception:  # the message comes back, and after five receives waits in the DLQ (alarmed)
            logger.exception("recurring page failed", extra={"messageId": record.get("messageId")})
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


def step(message: dict) -> None:
    counts, cursor = quests.generate_recurring(message["partition"], message.get("cursor"), limit=PAGE)
    page = int(message.get("page") or 1)
    if cursor:  # sent before this message is done: if the send fails, the page is read again, nothing written twice
        sqs.send_message(QueueUrl=QUEUE_URL, MessageBody=json.dumps({**message, "cursor": cursor, "page": page + 1}))
    metrics.add_metric(name="RecurringTasksWritten", unit="Count", value=counts["written"])
    logger.info("recurring page", extra={"run": message.get("run"), "partition": message["partition"], "page": page, "more": bool(cursor), **counts})
