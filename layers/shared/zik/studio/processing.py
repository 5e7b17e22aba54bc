"""The image pipeline: one uploaded object (a message of the FIFO image processing queue) checked,
cleaned, thumbnailed and recorded, its raw upload deleted.

For each message:
1. The photo must be the key's owner's and ``pending``. No such photo (never asked for, or deleted
   meanwhile): the object is deleted, every version, and that is all. Already ready or rejected (a
   redelivery, or a second upload to a form still valid): nothing is redone, and whatever is under the
   raw key goes (it may hold GPS).
2. The object's size is read first (HeadObject): past images.MAX_BYTES the photo is rejected without a
   byte downloaded. Then the bytes are read (at most MAX_BYTES + 1) and images.clean checks them by
   their bytes (never the declared type or the name), decodes within bounds, turns the picture upright,
   and re-encodes it with no EXIF, GPS, XMP or ICC.
3. The cleaned JPEG and its thumbnails are written, then the photo is marked ready with its record and
   keys in one conditional update (still pending, at the version read): a second delivery that got this
   far writes the same objects and loses the condition, so nothing is recorded twice.
4. The raw upload is deleted with every version (zik.buckets.erase_versions): it holds what the cleaning
   took out.

A refusal (images.REFUSALS) marks the photo rejected with ``{code, message}`` and deletes the raw
upload. Anything else (S3 or DynamoDB unreachable, a bug) raises: the message alone fails, SQS delivers it
again and then moves it to the queue's DLQ.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from zik import clock
from zik.buckets import erase_versions
from zik.observability import logger, metrics
from zik.studio import images, photos
from zik.studio.photo_store import DELETING, PENDING, READY, REJECTED, PhotoStore
from zik.studio.uploads import UploadedObject

_MISSING = ("404", "NoSuchKey", "NoSuchVersion", "NotFound")
CACHE_CONTROL = "private, max-age=31536000, immutable"  # a key is never rewritten with other pixels


class Pipeline:
    def __init__(self, store: PhotoStore, s3: Any, bucket: str):
        self.store = store
        self.s3 = s3
        self.bucket = bucket

    def process(self, uploaded: UploadedObject) -> str:
        """What became of the object: ready, rejected, done-already, orphan, gone or foreign."""
        if uploaded.bucket != self.bucket:
            logger.warning("an upload in another bucket than the studio's", extra={"bucket": uploaded.bucket, "key": uploaded.key})
            return "foreign"
        item = self.store.get(uploaded.photo_id)
        if item is None or item.get("userId") != uploaded.user_id or item.get("uploadKey") != uploaded.key:
            removed = self._erase_raw(uploaded)
            logger.warning("an upload of no photo", extra={"key": uploaded.key, "versionsDeleted": removed})
            return "orphan"
        if item.get("status") != PENDING:
            self._erase_raw(uploaded)
            return "done-already"
        size = self._size(uploaded)
        if size is None:
            # The version is gone (the photo was deleted and re-asked for, or a later event erased it).
            return "gone"
        try:
            if size > images.MAX_BYTES:
                raise images.ImageTooLarge(
                    f"the file is {size} bytes; a photo may be at most {images.MAX_BYTES} bytes ({images.MAX_BYTES // (1024 * 1024)} MB)",
                    field="photo",
                    details={"bytes": size, "maxBytes": images.MAX_BYTES},
                )
            clean = images.clean(self._read(uploaded))
            thumbnails = images.thumbnails(clean)
        except images.REFUSALS as refused:
            return self._reject(uploaded, item, refused)
        return self._accept(uploaded, item, clean, thumbnails)

    def _accept(self, uploaded: UploadedObject, item: dict[str, Any], clean: images.CleanImage, thumbnails: dict[int, bytes]) -> str:
        user_id, photo_id = uploaded.user_id, uploaded.photo_id
        photo_key = photos.photo_key(user_id, photo_id)
        thumbnail_keys = photos.thumbnail_keys(user_id, photo_id)
        self._put(photo_key, clean.data)
        for size, data in thumbnails.items():
            self._put(thumbnail_keys[str(size)], data)
        changes = {
            "status": READY,
            "record": clean.record(),
            "photoKey": photo_key,
            "thumbnailKeys": thumbnail_keys,
            "processedAt": clock.now_iso(),
            "expiresAt": None,
        }
        written = self.store.settle(photo_id, item["version"], changes)
        if written is None and (self.store.get(photo_id) or {}).get("status", DELETING) == DELETING:
            # The photo was deleted (or is being deleted) while it was being processed: what was just
            # written goes too.
            erase_versions(self.bucket, photo_key, only=photo_key)
            erase_versions(self.bucket, photos.thumbnail_prefix(user_id, photo_id))
        self._erase_raw(uploaded)
        if written is None:
            return "done-already"
        metrics.add_metric(name="PhotosReady", unit="Count", value=1)
        logger.info("photo ready", extra={"photoId": photo_id, "record": changes["record"]})
        return "ready"

    def _reject(self, uploaded: UploadedObject, item: dict[str, Any], refused: Exception) -> str:
        code = getattr(refused, "code", "unprocessable")
        message = getattr(refused, "message", str(refused))
        written = self.store.settle(
            uploaded.photo_id,
            item["version"],
            {
                "status": REJECTED,
                "rejection": {"code": code, "message": message},
                "processedAt": clock.now_iso(),
                "expiresAt": clock.epoch_seconds() + photos.REJECTED_SECONDS,
            },
        )
        self._erase_raw(uploaded)
        if written is None:
            return "done-already"
        metrics.add_metric(name="PhotosRejected", unit="Count", value=1)
        logger.info("photo rejected", extra={"photoId": uploaded.photo_id, "code": code})
        return "rejected"

    # -- S3 ------------------------------------------------------------------------------------------------
    def _version(self, uploaded: UploadedObject) -> dict[str, str]:
        return {"VersionId": uploaded.version_id} if uploaded.version_id else {}

    def _size(self, uploaded: UploadedObject) -> int | None:
        try:
            answer = self.s3.head_object(Bucket=self.bucket, Key=uploaded.key, **self._version(uploaded))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING:
                return None
            raise
        return int(answer["ContentLength"])

    def _read(self, uploaded: UploadedObject) -> bytes:
        body = self.s3.get_object(Bucket=self.bucket, Key=uploaded.key, **self._version(uploaded))["Body"]
        try:
            # One byte past the limit is enough for images.clean to refuse a file that grew since its HEAD.
            return body.read(images.MAX_BYTES + 1)
        finally:
            body.close()

    def _put(self, key: str, data: bytes) -> None:
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=images.OUTPUT_CONTENT_TYPE, CacheControl=CACHE_CONTROL)

    def _erase_raw(self, uploaded: UploadedObject) -> int:
        return erase_versions(uploaded.bucket, uploaded.key, only=uploaded.key)
