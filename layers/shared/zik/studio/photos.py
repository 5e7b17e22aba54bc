"""A user's photos: asked for (a pending photo and its presigned POST), shown (with signed links once
ready), listed in the gallery, made favourites, and deleted with everything made from them.

A photo's life: ``pending`` when POST /studio/photos answers its form; ``ready`` when the processing
(zik.studio.processing) has cleaned it and made its thumbnails; ``rejected`` (with ``{code, message}``)
when its bytes were no photo we take. Its objects (the contract's layout):

  user-uploads/{userId}/{photoId}               the raw upload, deleted (every version) once processed
  processed-images/{userId}/{photoId}.jpg       the cleaned photo: upright, sRGB, no metadata
  thumbnails/{userId}/{photoId}/{size}.jpg      for size in images.THUMBNAIL_SIZES

A try-on result is a photo of its own (kind "tryon", written by the try-on workflow) with the same
processed and thumbnail layout, and ``sourcePhotoId`` naming the photo it was made from: deleting a photo
deletes the try-ons made from it (and from those), objects and items.

Another user's photo is never shown, changed or deleted: it reads as no photo at all (404).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from zik import clock, config
from zik.buckets import erase_versions, s3_client
from zik.claims import BASE36, Claim
from zik.errors import Conflict, InvalidRequest, NotFound
from zik.observability import logger, metrics
from zik.principal import Principal
from zik.studio import images, links, uploads
from zik.studio.photo_store import PENDING, READY, REJECTED, TRYON, UPLOAD, PhotoStore

PENDING_SECONDS = 2 * 86400
REJECTED_SECONDS = 7 * 86400  # long enough for the app to show why

PHOTO_ID_CHARS = 20  # base36: 103 bits, unguessable
PROCESSED_PREFIX = "processed-images/"
THUMBNAILS_PREFIX = "thumbnails/"
LINK_SECONDS = links.DEFAULT_SECONDS
MAX_FILE_NAME_CHARS = 255
_VIEW_FIELDS = ("photoId", "kind", "status", "createdAt", "updatedAt", "favourite", "favouritedAt", "contentType", "fileName")
_TRYON_FIELDS = ("sourcePhotoId", "jobId", "hairstyleId", "color")
_UNPRINTABLE = {code: None for code in [*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]}


def photo_key(user_id: str, photo_id: str) -> str:
    return f"{PROCESSED_PREFIX}{user_id}/{photo_id}.jpg"


def thumbnail_prefix(user_id: str, photo_id: str) -> str:
    return f"{THUMBNAILS_PREFIX}{user_id}/{photo_id}/"


def thumbnail_key(user_id: str, photo_id: str, size: int) -> str:
    return f"{thumbnail_prefix(user_id, photo_id)}{size}.jpg"


def thumbnail_keys(user_id: str, photo_id: str) -> dict[str, str]:
    return {str(size): thumbnail_key(user_id, photo_id, size) for size in images.THUMBNAIL_SIZES}


def new_photo_id(claim: Claim | None) -> str:
    """Random, or named by the request's Idempotency-Key (a retry names the same photo). The gallery is
    ordered by ``userTime``, so the id need not sort by time."""
    if claim is not None:
        return claim.id(length=PHOTO_ID_CHARS)
    return "".join(secrets.choice(BASE36) for _ in range(PHOTO_ID_CHARS))


def clean_file_name(raw: str | None) -> str | None:
    """The name to show: no folders, no control or text-direction characters."""
    if raw is None:
        return None
    name = raw.replace("\\", "/").rsplit("/", 1)[-1].translate(_UNPRINTABLE).strip()
    return name[:MAX_FILE_NAME_CHARS] or None


def view(item: Mapping[str, Any], link: Callable[[str], str], *, whole: bool = True) -> dict[str, Any]:
    """A photo as the API shows it: links to its thumbnails (and, ``whole``, to the photo itself and its
    record) once ready, its rejection once rejected."""
    shown: dict[str, Any] = {key: item[key] for key in _VIEW_FIELDS if key in item}
    shown["favourite"] = bool(item.get("favourite"))
    if item.get("kind") == TRYON:
        shown.update({key: item[key] for key in _TRYON_FIELDS if key in item})
    record = item.get("record") or {}
    if "width" in record:
        shown["width"], shown["height"] = record["width"], record["height"]
    if item.get("status") == READY:
        thumbnails = item.get("thumbnailKeys") or {}
        shown["thumbnailUrls"] = {size: link(key) for size, key in sorted(thumbnails.items(), key=lambda pair: int(pair[0]))}
        if whole and item.get("photoKey"):
            shown["photoUrl"] = link(item["photoKey"])
        shown["linksExpireAt"] = clock.iso(clock.now() + dt.timedelta(seconds=LINK_SECONDS))
    if whole and record:
        shown["record"] = record
    if item.get("status") == REJECTED and item.get("rejection"):
        shown["rejection"] = item["rejection"]
    return shown


class Photos:
    def __init__(self, store: PhotoStore | None = None, bucket: str | None = None, s3: Any = None, link: Callable[[str], str] | None = None):
        self.store = store or PhotoStore()
        self._bucket = bucket
        self._s3 = s3
        self.link = link or (lambda key: links.signed_url(key, LINK_SECONDS))

    @property
    def bucket(self) -> str:
        if self._bucket is None:
            self._bucket = config.require("STUDIO_BUCKET")["STUDIO_BUCKET"]
        return self._bucket

    @property
    def s3(self) -> Any:
        return self._s3 or s3_client()

    # -- POST /studio/photos -------------------------------------------------------------------------------
    def create_upload(self, owner: Principal, data: Mapping[str, Any], *, claim: Claim | None = None) -> dict[str, Any]:
        """A pending photo, written first, and the presigned POST that uploads its bytes:
        ``{photoId, status, upload: {url, fields, expiresAt, maxBytes}}``."""
        content_type = data["contentType"]
        if content_type not in images.CONTENT_TYPES.values():  # (the schema's enum, held here too)
            raise InvalidRequest(f"contentType must be one of {', '.join(images.CONTENT_TYPES.values())}", field="contentType")
        photo_id = new_photo_id(claim)
        item = {
            "photoId": photo_id,
            "userId": owner.user_id,
            "tenantId": owner.tenant_id,
            "kind": UPLOAD,
            "status": PENDING,
            "contentType": content_type,
            "fileName": clean_file_name(data.get("fileName")),
            "favourite": False,
            "uploadKey": uploads.upload_key(owner.user_id, photo_id),
            "createdAt": clock.now_iso(),
            # A photo whose upload never comes goes by itself (its form expires in 15 minutes; an upload not
            # processed leaves the bucket in a day); processing takes the expiry off a ready photo.
            "expiresAt": clock.epoch_seconds() + PENDING_SECONDS,
        }
        try:
            item = self.store.create(item)
        except Conflict:
            # A retry of a request whose first attempt wrote the photo (its id came from the same key).
            found = self.store.owned(owner.user_id, photo_id)
            if found is None or found.get("contentType") != content_type:
                raise
            if found["status"] != PENDING:
                return {**view(found, self.link), "photoId": photo_id}
            item = found
        metrics.add_metric(name="PhotoUploadsRequested", unit="Count", value=1)
        return {"photoId": photo_id, "status": item["status"], "upload": self._form(item)}

    def replayed(self, owner: Principal, answer: Mapping[str, Any]) -> dict[str, Any]:
        """An answer the idempotency layer may have kept from a first attempt (for a day), brought up to date:
        a form that has expired (its link lasts 15 minutes) is signed again for a photo still pending, and a
        photo that has moved on is shown as it is now. A fresh answer is returned as it is, unread."""
        upload = answer.get("upload") or {}
        if "expiresAt" not in upload or upload["expiresAt"] > clock.iso(clock.now() + dt.timedelta(seconds=60)):
            return dict(answer)
        item = self._owned(owner, answer["photoId"])
        if item["status"] != PENDING:
            return {**view(item, self.link), "photoId": item["photoId"]}
        return {**answer, "upload": self._form(item)}

    def _form(self, item: Mapping[str, Any]) -> dict[str, Any]:
        expires_at = clock.now() + dt.timedelta(seconds=uploads.UPLOAD_FORM_SECONDS)
        form = uploads.upload_form(self.s3, self.bucket, item["uploadKey"], content_type=item["contentType"], max_bytes=images.MAX_BYTES)
        return {"method": "POST", "url": form["url"], "fields": form["fields"], "expiresAt": clock.iso(expires_at), "maxBytes": images.MAX_BYTES}

    # -- reading -------------------------------------------------------------------------------------------
    def get(self, owner: Principal, photo_id: str) -> dict[str, Any]:
        return view(self._owned(owner, photo_id), self.link)

    def gallery(self, owner: Principal, *, limit: int, cursor: str | None, favourites: bool = False) -> dict[str, Any]:
        """The user's photos newest first (or favourites, newest favourite first): one query, each photo
        with its thumbnails' links."""
        page = (self.store.favourites if favourites else self.store.gallery)(owner.user_id, limit=limit, cursor=cursor)
        return {"items": [view(item, self.link, whole=False) for item in page.items], "nextCursor": page.next_cursor}

    # -- favourites ------------------------------------------------------------------------------------------
    def set_favourite(self, owner: Principal, photo_id: str, favourite: bool) -> dict[str, Any]:
        item = self.store.set_favourite(owner.user_id, photo_id, favourite)
        if item is None:
            raise _not_found(photo_id)
        return view(item, self.link)

    # -- DELETE /studio/photos/{photoId} ---------------------------------------------------------------------
    def delete(self, owner: Principal, photo_id: str) -> dict[str, Any]:
        """The photo goes with every object made from it (raw upload, cleaned photo, thumbnails: every
        version) and the try-ons made from it with theirs. The items are marked ``deleting`` first (a
        processing or a try-on finishing meanwhile then takes back what it wrote) and removed last, so an
        interrupted deletion is finished by its retry."""
        item = self._owned(owner, photo_id)
        doomed = [item, *self.store.derived(owner.user_id, photo_id)]
        self.store.mark_deleting(each["photoId"] for each in doomed)
        versions = sum(self._erase_objects(owner.user_id, each["photoId"]) for each in doomed)
        self.store.delete(each["photoId"] for each in doomed)
        logger.info("photo deleted", extra={"photoId": photo_id, "tryons": len(doomed) - 1, "versions": versions})
        return {"photoId": photo_id, "deleted": [each["photoId"] for each in doomed], "versionsDeleted": versions}

    def _erase_objects(self, user_id: str, photo_id: str) -> int:
        # The contract's keys, not only those the item names: an upload or a processing may be writing them.
        raw = uploads.upload_key(user_id, photo_id)
        processed = photo_key(user_id, photo_id)
        return (
            erase_versions(self.bucket, raw, only=raw)
            + erase_versions(self.bucket, processed, only=processed)
            + erase_versions(self.bucket, thumbnail_prefix(user_id, photo_id))
        )

    def _owned(self, owner: Principal, photo_id: str) -> dict[str, Any]:
        item = self.store.owned(owner.user_id, photo_id)
        if item is None:
            raise _not_found(photo_id)
        return item


def _not_found(photo_id: str) -> NotFound:
    return NotFound(f"no photo {photo_id}", field="photoId")
