"""A photo's way in: the presigned POST a client uploads with, and the bucket's "Object Created" event
turned into one message on the FIFO image processing queue.

The presigned POST's policy (signed, so the client cannot change it) pins the exact key
``user-uploads/{userId}/{photoId}`` (boto3 adds that condition, with the bucket's), the Content-Type the
client declared (``eq``: the form's field must be exactly it), a size of 1 byte to images.MAX_BYTES, and
an expiry of UPLOAD_FORM_SECONDS. What the bytes really are is the processing's to find out.

The bucket sends its events to EventBridge; a rule on the key prefix ``user-uploads/`` targets the
photo_uploaded function, which sends each object to ImageProcessingQueue.fifo: MessageGroupId the owner
(one user's photos are processed in order, different users' side by side), MessageDeduplicationId a hash
of bucket, key and version id (or, in an unversioned bucket, the event's sequencer), so an event that
EventBridge delivers twice within SQS's five-minute window is one message. A key outside
``user-uploads/{userId}/{photoId}`` is logged and dropped: nothing the API gave out makes one.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import unquote

from zik.observability import logger

UPLOADS_PREFIX = "user-uploads/"
UPLOAD_FORM_SECONDS = 15 * 60
# The user id as zik.principal takes it from the token; the photo id as photos.new_photo_id makes it.
_UPLOAD_KEY = re.compile(r"user-uploads/(?P<user>[A-Za-z0-9._@+-]{1,128})/(?P<photo>[A-Za-z0-9_-]{1,64})")


def upload_key(user_id: str, photo_id: str) -> str:
    return f"{UPLOADS_PREFIX}{user_id}/{photo_id}"


def owner_of_key(key: str) -> tuple[str, str] | None:
    """``(userId, photoId)`` of a raw upload's key; None for any other key."""
    found = _UPLOAD_KEY.fullmatch(key)
    if found is None or found["user"] in (".", ".."):  # a path's dots would read as a folder to any tool
        return None
    return found["user"], found["photo"]


def upload_form(s3: Any, bucket: str, key: str, *, content_type: str, max_bytes: int, seconds: int = UPLOAD_FORM_SECONDS) -> dict[str, Any]:
    """A presigned POST for exactly ``key``, of ``content_type`` exactly, of 1 to ``max_bytes`` bytes:
    ``{url, fields}`` (the form's fields, the file going last as ``file``)."""
    return s3.generate_presigned_post(
        Bucket=bucket,
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[["eq", "$Content-Type", content_type], ["content-length-range", 1, max_bytes]],
        ExpiresIn=seconds,
    )


@dataclass(frozen=True)
class UploadedObject:
    """One uploaded object, as the processing reads it from its message."""

    bucket: str
    key: str
    user_id: str
    photo_id: str
    version_id: str | None
    sequencer: str | None
    size: int | None

    def deduplication_id(self) -> str:
        """The same for every delivery of the same object version (SQS keeps at most 128 characters)."""
        return hashlib.sha256(f"{self.bucket}/{self.key}/{self.version_id or self.sequencer or ''}".encode()).hexdigest()

    def message(self) -> dict[str, Any]:
        return {
            "MessageBody": json.dumps(asdict(self), separators=(",", ":")),
            "MessageGroupId": self.user_id,
            "MessageDeduplicationId": self.deduplication_id(),
        }

    @classmethod
    def from_body(cls, body: str) -> UploadedObject:
        """The object a queue message names (ValueError, KeyError or TypeError when it names none)."""
        fields = json.loads(body)
        if not isinstance(fields, dict):
            raise TypeError("a message body is a JSON object")
        values: dict[str, Any] = {name: fields.get(name) for name in cls.__dataclass_fields__}  # any JSON: checked below
        found = cls(**values)
        if owner_of_key(str(found.key)) != (found.user_id, found.photo_id) or not isinstance(found.bucket, str) or not found.bucket:
            raise ValueError(f"the message names no upload: key {found.key!r}")
        return found


def uploaded_object(event: Mapping[str, Any]) -> UploadedObject | None:
    """The object an EventBridge "Object Created" event from S3 names, or None (logged) for an event of
    another kind or a key that is no photo's upload."""
    if not isinstance(event, Mapping):
        logger.warning("not an event", extra={"type": type(event).__name__})
        return None
    detail = event.get("detail")
    if event.get("source") != "aws.s3" or event.get("detail-type") != "Object Created" or not isinstance(detail, Mapping):
        logger.warning("not an S3 Object Created event", extra={"source": event.get("source"), "detailType": event.get("detail-type")})
        return None
    bucket = (detail.get("bucket") or {}).get("name") if isinstance(detail.get("bucket"), Mapping) else None
    found = named if isinstance(named := detail.get("object"), Mapping) else {}
    key = found.get("key")
    if not isinstance(bucket, str) or not bucket or not isinstance(key, str):
        logger.warning("an Object Created event without its bucket or key", extra={"eventId": event.get("id")})
        return None
    owner = owner_of_key(key)
    if owner is None and "%" in key:
        # S3's notifications URL-encode keys; ours have no character that needs it, so either reads the same.
        key = unquote(key)
        owner = owner_of_key(key)
    if owner is None:
        logger.warning("an object that is no photo's upload", extra={"key": key[:300], "bucket": bucket})
        return None
    size = found.get("size")
    version_id = found.get("version-id")
    sequencer = found.get("sequencer")
    return UploadedObject(
        bucket=bucket,
        key=key,
        user_id=owner[0],
        photo_id=owner[1],
        version_id=version_id if isinstance(version_id, str) and version_id else None,
        sequencer=sequencer if isinstance(sequencer, str) and sequencer else None,
        size=size if isinstance(size, int) and not isinstance(size, bool) else None,
    )


def enqueue(sqs: Any, queue_url: str, uploaded: UploadedObject) -> str:
    """Send the object's one message to the FIFO queue; its MessageId."""
    return sqs.send_message(QueueUrl=queue_url, **uploaded.message())["MessageId"]
