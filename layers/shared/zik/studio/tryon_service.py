"""The try-on service: what POST and GET /studio/tryons do, and the three Lambda steps of the try-on workflow
(statemachine/tryon.asl.json: CheckQuota -> Edit -> Done, any failure -> RecordFailure -> Fail).

POST checks, in this order, the photo (the caller's, else 404 naming photoId; ready, else 409 naming its
status), the hairstyle and colour (zik.studio.hairstyles: 404 naming hairstyleId, 400 naming color) and the
day's quota (429 saying when it resets); then writes the job (queued), starts its execution, named after the
job (Step Functions starts an execution of the same name and input once), and records the try-on in the
photo's session. With an Idempotency-Key the job's id comes from the key, so a retried request answers the
job its first attempt wrote (and starts its execution if that attempt could not).

The workflow's steps take the execution's input (``execution_input``, events/tryon_*_step.json) and each is
safe to run again: the quota step counts a job once (its marker), the edit step does nothing to a job that
succeeded (and a retried edit writes the same result photo, named after the job), the failure step leaves a
final job as it is.

Objects (STUDIO_BUCKET), as every studio photo's:
  processed-images/<userId>/<photoId>.jpg           the cleaned photo the edit reads, and the result's
  thumbnails/<userId>/<photoId>/<size>.jpg           the result's thumbnails (images.THUMBNAIL_SIZES)
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from zik import clock, config
from zik.buckets import erase_versions, s3_client
from zik.claims import Claim
from zik.dynamo import TransactionFailed
from zik.errors import NotFound
from zik.observability import logger
from zik.platform.zones import ProfileZones
from zik.principal import DEFAULT_TENANT, Principal
from zik.studio import hairstyles, tryons
from zik.studio.job_store import JobMissing, JobStore
from zik.studio.session_store import SessionStore

LINK_SECONDS = 3600
THUMBNAIL_SIZES = (256, 1024)  # zik.studio.images.THUMBNAIL_SIZES, without importing Pillow's module here
Signer = Callable[[str], str]
Editor = Callable[..., Any]


@cache
def _stepfunctions() -> Any:
    import boto3

    return boto3.client("stepfunctions")


def photo_key(user_id: str, photo_id: str) -> str:
    return f"processed-images/{user_id}/{photo_id}.jpg"


def thumbnail_key(user_id: str, photo_id: str, size: int) -> str:
    return f"thumbnails/{user_id}/{photo_id}/{size}.jpg"


def execution_input(job: Mapping[str, Any]) -> dict[str, Any]:
    """What the workflow gets (events/tryon_quota_step.json is one): the job's id and what each step needs
    to name things; every step reads the job itself, the one source of its state."""
    return {
        "jobId": job["jobId"],
        "owner": {"tenantId": job.get("tenantId"), "userId": job["userId"]},
        "photoId": job["photoId"],
        "hairstyleId": job["hairstyleId"],
        "color": job.get("color"),
        "day": job["day"],
        "timezone": job["timezone"],
    }


def _signed_url(key: str) -> str:
    # zik.studio.links carries the CloudFront signer (cryptography): loaded by GET only when a result exists.
    from zik.studio import links

    return links.signed_url(key, expires_in=LINK_SECONDS)


def _try_on(photo: bytes, hairstyle_id: str, color: str | None, *, user_id: str, tenant_id: str) -> Any:
    # The AI and the image libraries load in the Edit step's function only (it carries the ImageLayer).
    from zik.studio import tryon_ai

    return tryon_ai.try_on(photo, hairstyle_id, color, user_id=user_id, tenant_id=tenant_id)


class Tryons:
    def __init__(
        self,
        store: JobStore | None = None,
        sessions: SessionStore | None = None,
        *,
        profiles: Any = None,
        sign: Signer | None = None,
        edit: Editor | None = None,
    ):
        self._store = store
        self._sessions = sessions
        self.zones = ProfileZones(profiles)
        self.sign = sign or _signed_url
        self.edit_photo = edit or _try_on

    # The stores are made on first use: each step's function has only the tables it uses in its environment.
    @property
    def store(self) -> JobStore:
        if self._store is None:
            self._store = JobStore()
        return self._store

    @property
    def sessions(self) -> SessionStore:
        if self._sessions is None:
            self._sessions = SessionStore()
        return self._sessions

    def _hidden(self, hairstyle_id: str) -> bool:
        """Whether an admin hid the style (the library's table, HAIRSTYLES_TABLE: without one, nothing is)."""
        if not os.environ.get("HAIRSTYLES_TABLE"):
            return False
        from zik.studio.library_store import HairstyleLibrary

        item = HairstyleLibrary().get(hairstyle_id)
        return bool(item and item.get("hidden"))

    # -- the user's day ---------------------------------------------------------------------------------------
    def timezone_of(self, owner: Principal) -> str:
        """The profile's timezone (the platform's one owner of it), remembered for a minute; UTC without one."""
        return self.zones.of(owner)

    # -- the API ----------------------------------------------------------------------------------------------
    def create(self, owner: Principal, data: Mapping[str, Any], *, claim: Claim | None = None) -> dict[str, Any]:
        """POST /studio/tryons: the queued job (202), or the job a first attempt of this request wrote."""
        job_id = tryons.new_job_id(claim)
        if claim is not None:
            existing = self.store.get(job_id)
            if existing is not None and existing.get("userId") == owner.user_id:
                if existing["status"] == tryons.QUEUED:
                    self._start(existing, retried_with_key=True)
                return self._accepted(existing, owner)

        photo_id = data["photoId"]
        photo = self.store.photo(photo_id)
        if photo is None or photo.get("userId") != owner.user_id:
            raise NotFound(f"no photo {photo_id!r}", field="photoId")
        if photo.get("status") != "ready":
            raise tryons.PhotoNotReady(
                f"photo {photo_id!r} is {photo.get('status')}: only a ready photo can be tried on"
                + (" (it is still being processed; try again in a moment)" if photo.get("status") == "pending" else ""),
                field="photoId",
                details={"status": photo.get("status")},
            )
        style = hairstyles.hairstyle(data["hairstyleId"])
        if self._hidden(style["id"]):
            # An admin hid it from the library (PUT /studio/hairstyles/{id}): to users it is not there.
            raise hairstyles.HairstyleNotFound(f"no hairstyle {style['id']!r} in the library", field="hairstyleId")
        color = hairstyles.color_hex(style, data.get("color"))

        timezone = self.timezone_of(owner)
        day = tryons.quota_day(timezone).isoformat()
        limit = tryons.daily_limit()
        used = self.store.used(owner.user_id, day)
        if used >= limit:
            raise tryons.budget_exceeded(used=used, limit=limit, day=day, timezone=timezone)

        job, _ = self.store.create(
            {
                "jobId": job_id,
                "userId": owner.user_id,
                "tenantId": owner.tenant_id,
                "photoId": photo_id,
                "hairstyleId": style["id"],
                "color": color,
                "timezone": timezone,
                "day": day,
            }
        )
        if job["status"] == tryons.QUEUED:
            self._start(job, retried_with_key=claim is not None)
        try:
            self.sessions.record(owner.user_id, photo_id, job)
        except Exception:  # noqa: BLE001 - the session is a convenience: the try-on goes on without it
            logger.exception("try-on not recorded in its session", extra={"jobId": job_id, "photoId": photo_id})
        return self._accepted(job, owner, used=used, limit=limit)

    def _accepted(self, job: Mapping[str, Any], owner: Principal, *, used: int | None = None, limit: int | None = None) -> dict[str, Any]:
        limit = tryons.daily_limit() if limit is None else limit
        used = self.store.used(owner.user_id, job["day"]) if used is None else used
        return {
            **tryons.job_view(job),
            "quota": tryons.quota_view(used=used, limit=limit, day=job["day"], timezone=job["timezone"]),
        }

    def _start(self, job: Mapping[str, Any], *, retried_with_key: bool) -> None:
        """Start the job's workflow, named after it (a second start of the same job is the same execution).
        If Step Functions cannot be reached, the answer is 503: a request with an Idempotency-Key finds its
        job still queued when it is retried and starts it then; one without a key will make a new job, so
        this one, never started nor counted, is removed (no failure to report, nothing left queued)."""
        arn = config.require("TRYON_STATE_MACHINE_ARN")["TRYON_STATE_MACHINE_ARN"]
        try:
            _stepfunctions().start_execution(stateMachineArn=arn, name=job["jobId"], input=json.dumps(execution_input(job)))
        except (ClientError, BotoCoreError) as exc:
            code = exc.response.get("Error", {}).get("Code", "") if isinstance(exc, ClientError) else type(exc).__name__
            if code == "ExecutionAlreadyExists":  # started by a first attempt: the same execution
                return
            logger.exception("try-on workflow not started", extra={"jobId": job["jobId"], "code": code})
            if not retried_with_key:
                self.store.discard(job["jobId"])
            raise tryons.WorkflowNotStarted("the try-on could not be started right now; try again in a few seconds") from None

    def get(self, owner: Principal, job_id: str) -> dict[str, Any]:
        """GET /studio/tryons/{jobId}: status and progress; the result's signed links once it succeeded."""
        job = self.store.get(job_id)
        if job is None or job.get("userId") != owner.user_id:
            raise NotFound(f"no try-on {job_id!r}", field="jobId")
        if job["status"] != tryons.SUCCEEDED:
            return tryons.job_view(job)
        photo = self.store.photo(job["resultPhotoId"])
        if photo is None or photo.get("userId") != owner.user_id:
            # The user deleted the result since: the job still says what it made.
            return {**tryons.job_view(job), "result": None}
        links = {
            "photoUrl": self.sign(photo["photoKey"]),
            "thumbnailUrls": {size: self.sign(key) for size, key in (photo.get("thumbnailKeys") or {}).items()},
            "expiresIn": LINK_SECONDS,
        }
        return tryons.job_view(job, result_links=links)

    def session(self, owner: Principal, photo_id: str) -> dict[str, Any]:
        """GET /studio/sessions/{photoId}: the styles tried on the caller's photo in the last day, newest first,
        each with its job's status now (one BatchGetItem); an empty session when nothing was tried lately."""
        photo = self.store.photo(photo_id)
        if photo is None or photo.get("userId") != owner.user_id:
            raise NotFound(f"no photo {photo_id!r}", field="photoId")
        session = self.sessions.get(owner.user_id, photo_id) or {}
        tries = list(session.get("tries") or [])
        jobs = self.store.get_many([entry["jobId"] for entry in tries]) if tries else {}
        shown = []
        for entry in tries:
            job = jobs.get(entry["jobId"])
            status: dict[str, Any] = {"status": job["status"], "progress": tryons.PROGRESS.get(str(job["status"]), 0)} if job else {"status": "gone"}
            if job and job["status"] == tryons.SUCCEEDED:
                status["resultPhotoId"] = job.get("resultPhotoId")
            shown.append({**entry, **status})
        expires = session.get("expiresAt")
        return {
            "photoId": photo_id,
            "tries": shown,
            "startedAt": session.get("startedAt"),
            "updatedAt": session.get("updatedAt"),
            "expiresAt": clock.iso(dt.datetime.fromtimestamp(int(expires), dt.UTC)) if expires else None,
        }

    # -- the workflow's steps ---------------------------------------------------------------------------------
    def _job(self, document: Mapping[str, Any]) -> dict[str, Any]:
        job = self.store.get(document["jobId"])
        if job is None:
            raise JobMissing(f"no try-on job {document['jobId']!r}")
        return job

    def check_quota(self, document: Mapping[str, Any]) -> dict[str, Any]:
        """CheckQuota: the job counted against its day (once); TryonBudgetExceeded when the day is full."""
        job = self._job(document)
        limit = tryons.daily_limit()
        counted = self.store.count(job, limit)
        return {"used": counted.used, "limit": limit, "counted": counted.now}

    def edit(self, document: Mapping[str, Any]) -> dict[str, Any]:
        """Edit: the job running, the photo edited by the AI, the result and its thumbnails stored, then the
        result photo and the job's success written in one transaction. A job that succeeded already (a
        retried step) is answered as it is: the AI is not asked twice."""
        job = self._job(document)
        if job["status"] == tryons.SUCCEEDED:
            return {"resultPhotoId": job["resultPhotoId"], "provider": job.get("provider"), "model": job.get("model"), "again": True}
        running, current = self.store.mark_running(job["jobId"])
        if running is None:
            final = current or job
            return {"resultPhotoId": final.get("resultPhotoId"), "status": final.get("status"), "again": True}
        user_id, bucket = running["userId"], config.require("STUDIO_BUCKET")["STUDIO_BUCKET"]
        try:
            source = s3_client().get_object(Bucket=bucket, Key=photo_key(user_id, running["photoId"]))["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                raise tryons.SourcePhotoGone(f"photo {running['photoId']!r} has no cleaned image", field="photoId") from None
            raise
        result = self.edit_photo(
            source, running["hairstyleId"], running.get("color"), user_id=user_id, tenant_id=running.get("tenantId") or DEFAULT_TENANT
        )
        from zik.studio import images  # Pillow: the Edit function carries the ImageLayer

        clean = images.clean(result.data)
        # The AI's answer is a clean JPEG already (its task's check made it one): it is stored as it is, not
        # encoded a second time, unless it carries anything a clean photo does not.
        already_clean = (
            clean.source_format == "jpeg"
            and clean.orientation_applied == 1
            and not (clean.had_exif or clean.had_xmp or clean.had_icc_profile or clean.had_comments)
        )
        stored = result.data if already_clean else clean.data
        photo_id = tryons.result_photo_id(running["jobId"])
        thumbnail_keys = {str(size): thumbnail_key(user_id, photo_id, size) for size in THUMBNAIL_SIZES}
        s3 = s3_client()
        s3.put_object(Bucket=bucket, Key=photo_key(user_id, photo_id), Body=stored, ContentType=clean.content_type)
        for size, data in images.thumbnails(clean, THUMBNAIL_SIZES).items():
            s3.put_object(Bucket=bucket, Key=thumbnail_keys[str(size)], Body=data, ContentType=clean.content_type)
        stamp = clock.now_iso()
        photo = {
            "photoId": photo_id,
            "userId": user_id,
            "tenantId": running.get("tenantId"),
            "kind": "tryon",
            "status": "ready",
            "createdAt": stamp,
            "updatedAt": stamp,
            "userTime": f"{stamp}#{photo_id}",
            "version": 1,
            "contentType": clean.content_type,
            "favourite": False,
            "photoKey": photo_key(user_id, photo_id),
            "thumbnailKeys": thumbnail_keys,
            "record": {**clean.record(), "bytes": len(stored)},
            "sourcePhotoId": running["photoId"],
            "jobId": running["jobId"],
            "hairstyleId": running["hairstyleId"],
            "color": running.get("color"),
            "provider": result.provider,
            "model": result.model,
        }
        try:
            self.store.succeed(running, photo, provider=result.provider, model=result.model)
        except TransactionFailed as failed:
            job_gone = self.store.get(running["jobId"]) is None
            if job_gone or failed.failed(2):
                # The job went with its user's erasure, or the photo with its deletion, while the AI worked:
                # what was just stored goes too.
                for key in (photo["photoKey"], *thumbnail_keys.values()):
                    erase_versions(bucket, key, only=key)
                if job_gone:
                    raise JobMissing(f"try-on job {running['jobId']!r} was erased while it ran") from None
                raise tryons.SourcePhotoGone(f"photo {running['photoId']!r} was deleted during its try-on", field="photoId") from None
            raise
        return {"resultPhotoId": photo_id, "provider": result.provider, "model": result.model, "again": False}

    def record_failure(self, document: Mapping[str, Any]) -> dict[str, Any]:
        """RecordFailure: the job failed with {code, message} read from the Catch's ``$.error``."""
        error = tryons.failure_of(document.get("error"))
        failed, current = self.store.fail(document["jobId"], error)
        job = failed or current or {}
        return {"jobId": document["jobId"], "status": job.get("status"), "error": job.get("error") or error}
