"""The studio's part of GET /me/export and of a user's erasure: the functions that serve them call
``register()`` at init.

The export holds the user's photos (uploads and try-on results, each with signed links to the cleaned photo
and its thumbnails while it is ready), try-on jobs, try-on sessions and push devices (their SNS endpoints
stay out: they are ours, not the user's).

The erasure goes a page at a time (at most ``limit`` items a call), in this order:
  1. devices: each one's SNS endpoint, its token's owner item, then the device item;
  2. try-on jobs: Query ProcessingJobs' USER_JOBS_INDEX userId=<u>, delete each job and the quota counter of
     its day (QUOTA#<userId>#<day>: a counter is only ever made for a job's day);
  3. photos: Query Photos' UserTimestampIndex userId=<u> (keys only read), BatchWrite deletes by photoId
     (after the jobs: a try-on's result photo is only written with its job, so none can come later);
  4. the user's UserSessions partition (sessions, push records), ending with its ERASED tombstone;
  5. with the last page, every version of every object under user-uploads/<u>/, processed-images/<u>/ and
     thumbnails/<u>/ (zik.buckets.erase_versions), and under identities/<identity id>/ of UserFilesBucket (the
     files the app wrote with the identity pool's credentials; the erasure item names the identity).
The indexes are eventually consistent: an item deleted a moment ago may be listed again, and deleting it
again is harmless; the steps run again until every one finds nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from zik import config, userdata
from zik.dynamo import Table, from_item, to_item
from zik.principal import Principal
from zik.studio.device_store import DEVICE_PREFIX, SESSION_PREFIX, DeviceStore

PHOTOS_USER_INDEX = "UserTimestampIndex"
USER_JOBS_INDEX = "UserIndex"  # ProcessingJobs: pk userId, sk createdAt, projection ALL
QUOTA_PREFIX = "QUOTA#"
PREFIXES = ("user-uploads", "processed-images", "thumbnails")
# Links in an export are read later than an API answer's: a day. (An S3 presigned link made with the
# function's role ends with the role's session, which may be sooner.)
EXPORT_LINK_SECONDS = 24 * 3600
_PHOTO_HIDDEN = ("userTime", "favouriteOf", "uploadKey", "tenantId")
_JOB_HIDDEN = ("statusTime", "tenantId", "countedAt")
_DEVICE_HIDDEN = ("endpointArn", "userId", "itemKey")
_SESSION_HIDDEN = ("userId", "itemKey", "expiresAt")

Signer = Callable[[str], str]


def _signed_url(key: str) -> str:
    from zik.studio.links import signed_url

    return signed_url(key, expires_in=EXPORT_LINK_SECONDS)


def _without(item: dict[str, Any], hidden: tuple[str, ...]) -> dict[str, Any]:
    return {key: value for key, value in item.items() if key not in hidden}


def owner_prefixes(owner: Principal) -> list[str]:
    return [f"{prefix}/{owner.user_id}/" for prefix in PREFIXES]


class StudioData:
    def __init__(
        self,
        *,
        photos: Table | None = None,
        jobs: Table | None = None,
        devices: DeviceStore | None = None,
        bucket: str | None = None,
        sign: Signer | None = None,
        sns: Any = None,
    ):
        self.photos = photos or Table(config.require("PHOTOS_TABLE")["PHOTOS_TABLE"], pk="photoId", sk=None)
        self.jobs = jobs or Table(config.require("JOBS_TABLE")["JOBS_TABLE"], pk="jobId", sk=None)
        self.devices = devices or DeviceStore()
        self.bucket = bucket if bucket is not None else config.optional("STUDIO_BUCKET", "")
        self.user_files_bucket = config.optional("USER_FILES_BUCKET", "")
        self.sign = sign or _signed_url
        self._sns = sns

    @property
    def sessions(self) -> Table:
        return self.devices.table

    # -- export -----------------------------------------------------------------------------------------
    def export(self, owner: Principal) -> dict[str, Any]:
        user = owner.user_id
        partition = list(self.sessions.iterate(user))
        return {
            "photos": [self._photo(item) for item in self._user_photos(user, newest_first=True)],
            "tryons": [_without(job, _JOB_HIDDEN) for job in self._user_jobs(user) if not str(job["jobId"]).startswith(QUOTA_PREFIX)],
            "sessions": [_without(item, _SESSION_HIDDEN) for item in partition if item["itemKey"].startswith(SESSION_PREFIX)],
            "devices": [_without(item, _DEVICE_HIDDEN) for item in partition if item["itemKey"].startswith(DEVICE_PREFIX)],
        }

    def _photo(self, item: dict[str, Any]) -> dict[str, Any]:
        photo = _without(item, _PHOTO_HIDDEN)
        if item.get("status") == "ready" and item.get("photoKey"):
            photo["links"] = {
                "photo": self.sign(item["photoKey"]),
                "thumbnails": {size: self.sign(key) for size, key in sorted((item.get("thumbnailKeys") or {}).items())},
            }
        return photo

    def size(self, owner: Principal) -> int:
        user = owner.user_id
        return self._count(self.photos, user, PHOTOS_USER_INDEX) + self._count(self.jobs, user, USER_JOBS_INDEX) + self.sessions.count(user)

    # -- erasure ----------------------------------------------------------------------------------------
    def erase_page(self, owner: Principal, limit: int) -> tuple[int, bool]:
        user = owner.user_id
        # Jobs before photos: a try-on finishing meanwhile writes its result photo only with its job (one
        # transaction), so once the jobs are gone no photo can come after the photos' erasure.
        for step in (self._erase_devices, self._erase_jobs, self._erase_photos):
            removed = step(user, limit)
            if removed:
                return removed, False
        removed, done = self.sessions.erase_page(user, limit)
        if done and self.bucket:
            from zik.buckets import erase_versions

            removed += sum(erase_versions(self.bucket, prefix) for prefix in owner_prefixes(owner))
        if done and self.user_files_bucket:
            removed += self._erase_user_files(owner)
        return removed, done

    def _erase_user_files(self, owner: Principal) -> int:
        """Every version under the user's ``identities/<identity id>/`` of UserFilesBucket (what the app put
        there with the identity pool's credentials); the identity id is on the erasure (DELETE /me and the
        guests' sweep find it)."""
        from zik.buckets import erase_versions
        from zik.platform.accounts import Accounts

        erasure = Accounts().erasure(owner) or {}
        identity = erasure.get("identityId")
        if not identity:
            return 0
        return erase_versions(self.user_files_bucket, f"identities/{identity}/")

    def _erase_devices(self, user: str, limit: int) -> int:
        from zik.studio.devices import Devices

        devices = Devices(self.devices, apps={}, sns=self._sns)
        found = list(self.sessions.query_page(user, sk_prefix=DEVICE_PREFIX, limit=min(limit, 100), consistent=True).items)
        for device in found:
            devices.forget(user, device)
        return len(found)

    def _erase_photos(self, user: str, limit: int) -> int:
        keys = [{"photoId": item["photoId"]} for item in self._user_photos(user, limit=limit, keys_only=True)]
        return self.photos.delete_keys(keys)

    def _erase_jobs(self, user: str, limit: int) -> int:
        jobs = list(self._user_jobs(user, limit=limit))
        counters = {f"{QUOTA_PREFIX}{user}#{job['day']}" for job in jobs if job.get("day")}
        keys = [{"jobId": job["jobId"]} for job in jobs] + [{"jobId": key} for key in sorted(counters)]
        self.jobs.delete_keys(keys)
        return len(jobs)

    # -- reads ------------------------------------------------------------------------------------------
    def _user_photos(self, user: str, *, newest_first: bool = False, limit: int | None = None, keys_only: bool = False) -> Iterator[dict[str, Any]]:
        return self._index(self.photos, PHOTOS_USER_INDEX, user, newest_first=newest_first, limit=limit, projection="photoId" if keys_only else None)

    def _user_jobs(self, user: str, *, limit: int | None = None) -> Iterator[dict[str, Any]]:
        return self._index(self.jobs, USER_JOBS_INDEX, user, limit=limit)

    @staticmethod
    def _index(
        table: Table, index: str, user: str, *, newest_first: bool = False, limit: int | None = None, projection: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """The user's items in one of the ``userId`` indexes, every page (or the first ``limit``)."""
        kwargs: dict[str, Any] = {
            "TableName": table.name,
            "IndexName": index,
            "KeyConditionExpression": "userId = :user",
            "ExpressionAttributeValues": to_item({":user": user}),
            "ScanIndexForward": not newest_first,
        }
        if projection:
            kwargs["ProjectionExpression"] = projection
        given = 0
        while True:
            if limit is not None:
                kwargs["Limit"] = limit - given
            answer = table.client.query(**kwargs)
            for item in answer.get("Items", []):
                yield from_item(item)
                given += 1
            if "LastEvaluatedKey" not in answer or (limit is not None and given >= limit):
                return
            kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    @staticmethod
    def _count(table: Table, user: str, index: str) -> int:
        return table.count(user, index=index, pk_name="userId")


def register() -> None:
    studio = StudioData()
    userdata.register("studio", export=studio.export, erase_page=studio.erase_page, size=studio.size)
