"""What a committed change of ProcessingJobs or Photos means: the studio's domain events, read from the change stream
(see ``zik.streams``). Pure: an item before and after in, events out.

  a try-on job's status moved to succeeded      TryOnCompleted {jobId, photoId, resultPhotoId, hairstyleId, ...}
  a try-on job's status moved to failed         TryOnFailed {jobId, photoId, hairstyleId, code, message}
  an uploaded photo moved to ready (Photos)     PhotoUploaded {photoId, width, height, sourceFormat, hadGps}

A job written (queued), moved to running or counted against the quota means nothing; a quota counter
(jobId QUOTA#...) means nothing; a job deleted (its user erased) means nothing.

ProcessingJobs is keyed by ``jobId`` and Photos by ``photoId``, not by the owner's partition (``TENANT#<t>#USER#<u>``) that
``zik.streams`` reads an event's owner from; ``with_owner_keys`` gives each stream record that key from the
item's own ``tenantId`` and ``userId`` before the records are published.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

from zik.principal import DEFAULT_TENANT
from zik.streams import Change, Event

DOMAIN = "studio"
COUNTER_PREFIX = "QUOTA#"


def events_of(change: Change) -> Iterator[Event]:
    if change.kind == "REMOVE" or not change.changed("status"):
        return
    if "kind" in change.item:  # a photo (only Photos items have a kind)
        yield from _photo_events(change)
        return
    job = change.item
    if str(job.get("jobId", "")).startswith(COUNTER_PREFIX):
        return
    if job.get("status") == "succeeded":
        yield Event(
            "TryOnCompleted",
            DOMAIN,
            {
                "jobId": job["jobId"],
                "photoId": job["photoId"],
                "resultPhotoId": job["resultPhotoId"],
                "hairstyleId": job["hairstyleId"],
                "color": job.get("color"),
                "provider": job.get("provider") or "unknown",
                "model": job.get("model") or "unknown",
                "day": job.get("day"),
            },
            occurred_at=job.get("updatedAt"),
        )
    elif job.get("status") == "failed":
        error = job.get("error") or {}
        yield Event(
            "TryOnFailed",
            DOMAIN,
            {
                "jobId": job["jobId"],
                "photoId": job["photoId"],
                "hairstyleId": job["hairstyleId"],
                "code": error.get("code") or "internal",
                "message": error.get("message") or "the try-on failed",
            },
            occurred_at=job.get("updatedAt"),
        )


def _photo_events(change: Change) -> Iterator[Event]:
    """An upload the pipeline accepted (pending to ready): PhotoUploaded. A try-on's result photo is
    written ready (its job's TryOnCompleted says so); a rejected upload is the user's to read, not an event."""
    photo = change.item
    if photo.get("kind") != "upload" or photo.get("status") != "ready":
        return
    record = photo.get("record") or {}
    yield Event(
        "PhotoUploaded",
        DOMAIN,
        {
            "photoId": photo["photoId"],
            "width": record.get("width"),
            "height": record.get("height"),
            "sourceFormat": record.get("sourceFormat"),
            "hadGps": bool(record.get("hadGps")),
        },
        occurred_at=photo.get("updatedAt"),
    )


def with_owner_keys(event: Mapping[str, Any]) -> dict[str, Any]:
    """The stream batch with each record's ``Keys`` given the owner's partition key ``pk`` (from the item's
    ``tenantId`` and ``userId``, in its new image or else its old one), which ``zik.streams`` reads the
    events' owner from. A record of an item with no owner is left as it was (it means no event anyway)."""
    batch = copy.deepcopy(dict(event))
    for record in batch.get("Records") or []:
        stream = record.get("dynamodb") or {}
        image = stream.get("NewImage") or stream.get("OldImage") or {}
        user = (image.get("userId") or {}).get("S")
        tenant = (image.get("tenantId") or {}).get("S") or DEFAULT_TENANT
        if user and "Keys" in stream:
            stream["Keys"] = {**stream["Keys"], "pk": {"S": f"TENANT#{tenant}#USER#{user}"}}
    return batch
