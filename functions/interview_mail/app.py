"""Forwarded e-mails (SES stores each under inbound/ in MailBucket; locally, a .eml put there): an interview
invitation moves its application, as POST /api/applications/emails does.

What cannot be read is dropped with a log line, never retried: a message too large, one that is not mail,
one for no known forwarding address. What fails (DynamoDB, S3) raises: Lambda retries the invocation twice,
then sends it to CareerDeadLetterQueue. A message delivered again moves nothing (its Message-ID is recorded
with the move)."""

from __future__ import annotations

import datetime as dt
import urllib.parse
from functools import cache
from typing import Any

from zik import config
from zik.career import mail
from zik.career.application_store import Applications
from zik.clock import now
from zik.observability import instrument, logger

INBOUND = "inbound/"

applications = Applications()


@cache
def _s3() -> Any:
    import boto3

    return boto3.client("s3")


def read_object(bucket: str, key: str, arrived: dt.datetime) -> str:
    """What became of one stored message: moved, read, too-large, malformed or unknown-recipient."""
    size = _s3().head_object(Bucket=bucket, Key=key)["ContentLength"]
    if size > mail.MAX_MESSAGE_BYTES:
        logger.warning("mail dropped: too large", extra={"key": key, "bytes": size})
        return "too-large"
    raw = _s3().get_object(Bucket=bucket, Key=key)["Body"].read()
    try:
        message = mail.parse(raw, received_at=arrived)
    except mail.TooLarge as exc:
        logger.warning("mail dropped: too large", extra={"key": key, "reason": str(exc)})
        return "too-large"
    except (mail.Malformed, ValueError, LookupError, TypeError, IndexError) as exc:
        logger.warning("mail dropped: not a readable message", extra={"key": key, "reason": f"{type(exc).__name__}: {exc}"})
        return "malformed"
    for token in message.tokens:
        owner = applications.store.mailbox_owner(token)
        if owner is None:
            continue
        answer = applications.read_email(owner, message.message)
        logger.info(
            "interview mail read",
            extra={
                "key": key,
                "isInterview": answer["isInterview"],
                "moved": answer["moved"],
                "applicationId": answer["applicationId"],
                "reason": answer["reason"],
            },
        )
        return "moved" if answer["moved"] else "read"
    logger.warning("mail dropped: no forwarding address of a user among its recipients", extra={"key": key, "tokens": len(message.tokens)})
    return "unknown-recipient"


def _arrived(record: dict[str, Any]) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(str(record.get("eventTime", "")))
    except ValueError:
        return now()
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@instrument()
def lambda_handler(event: dict, context: object) -> dict:
    expected = config.optional("MAIL_BUCKET", "")
    outcomes = []
    for record in event.get("Records") or []:
        s3 = record.get("s3") or {}
        bucket = (s3.get("bucket") or {}).get("name", "")
        key = urllib.parse.unquote_plus((s3.get("object") or {}).get("key", ""))
        if (expected and bucket != expected) or not key.startswith(INBOUND):
            logger.warning("object ignored: not a message of MailBucket's inbound/", extra={"bucket": bucket, "key": key})
            outcomes.append("ignored")
            continue
        outcomes.append(read_object(bucket, key, _arrived(record)))
    return {"outcomes": outcomes}
