"""A photo uploaded to the studio bucket (EventBridge: S3 "Object Created" under user-uploads/): one message
to the FIFO image processing queue, grouped by its owner and deduplicated per object version. An event
for a key that is no photo's upload is logged and dropped; a failure to reach SQS raises, so that
EventBridge retries the delivery (and, past its retries, leaves it in the rule's dead-letter queue)."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3

from zik import config
from zik.observability import event_handler, logger
from zik.studio import uploads

QUEUE_URL = config.require("IMAGE_QUEUE_URL")["IMAGE_QUEUE_URL"]


@cache
def _sqs() -> Any:
    return boto3.client("sqs")


@event_handler
def lambda_handler(event: dict, context: object) -> dict:
    uploaded = uploads.uploaded_object(event)
    if uploaded is None:
        return {"queued": False}
    message_id = uploads.enqueue(_sqs(), QUEUE_URL, uploaded)
    logger.info("upload queued", extra={"key": uploaded.key, "photoId": uploaded.photo_id, "messageId": message_id})
    return {"queued": True, "photoId": uploaded.photo_id, "messageId": message_id}
