"""The image processing queue's consumer (ImageProcessingQueue.fifo, ReportBatchItemFailures): each uploaded
photo checked by its bytes, cleaned of its metadata, thumbnailed, and marked ready or rejected
(zik.studio.processing).

A message that fails (AWS unreachable, a bug; never a bad photo, which is a rejection) is reported, and so
are the messages after it of the same user (Powertools' FIFO processor, skip_group_on_error): SQS delivers
them again in their order and, past the queue's maxReceiveCount, moves them to the DLQ. Other users'
messages in the batch go on."""

from __future__ import annotations

from typing import Any

from zik import config, lazy_packages

lazy_packages.install()

from aws_lambda_powertools.utilities.batch import (
    SqsFifoPartialProcessor,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from zik.buckets import s3_client
from zik.observability import logger, queue_handler
from zik.studio.photo_store import PhotoStore
from zik.studio.processing import Pipeline
from zik.studio.uploads import UploadedObject

BUCKET = config.require("STUDIO_BUCKET", "PHOTOS_TABLE")["STUDIO_BUCKET"]
store = PhotoStore()


def record_handler(record: SQSRecord) -> str:
    try:
        uploaded = UploadedObject.from_body(record.body)
    except (ValueError, KeyError, TypeError):
        # Only photo_uploaded sends here; a body it did not write is logged and dropped, not retried.
        logger.error("a message that names no upload", extra={"messageId": record.message_id})
        return "unreadable"
    outcome = Pipeline(store, s3_client(), BUCKET).process(uploaded)
    logger.info("upload processed", extra={"photoId": uploaded.photo_id, "outcome": outcome})
    return outcome


@queue_handler
def lambda_handler(event: dict, context: Any) -> dict:
    processor = SqsFifoPartialProcessor(skip_group_on_error=True)
    return dict(process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context))
