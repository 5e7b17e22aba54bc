"""Try-on jobs, the domain: a job's states, the daily quota's rules (the user's day, when it resets), what a
failed step of the workflow means to the user, and the job as the API shows it. Pure: no AWS.

A job moves queued -> running -> succeeded, or to failed from either; succeeded and failed are final:

  queued     written by POST /studio/tryons, its workflow started (statemachine/tryon.asl.json)
  running    the Edit step took it (the quota step counted it against the user's day first)
  succeeded  the result photo written (kind "tryon") in the same transaction: ``resultPhotoId``
  failed     ``error`` {code, message}: no_face, budget_exceeded, ai_unavailable, photo_not_found, internal

The quota is a number of try-ons a day (TRYON_DAILY_LIMIT, default 20), the day being the user's calendar
day in the profile's time zone (UTC when the profile has none), as the journal's and the quests' days are.
A job counts against the day it was asked on (its ``day``, fixed at POST), once, in the workflow's quota
step; POST refuses up front (429) when that day is already full, saying when it resets: the user's next
midnight. A counted job that fails gives its try-on back (a try-on that made nothing costs nothing); one
refused by the quota step was never counted.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import secrets
from collections.abc import Mapping
from typing import Any

from zik import clock, config
from zik.claims import BASE36, Claim
from zik.days import zone
from zik.errors import Conflict, NotFound, TooManyRequests, ZikError

QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"
STATUSES = (QUEUED, RUNNING, SUCCEEDED, FAILED)
FINAL = (SUCCEEDED, FAILED)
# How far along a job is, for a client's progress bar: the quota step is quick, the edit is most of it.
PROGRESS = {QUEUED: 0, RUNNING: 40, SUCCEEDED: 100, FAILED: 100}
DEFAULT_DAILY_LIMIT = 20
JOB_PREFIX = "j"
RESULT_SUFFIX = "-result"
# A quota counter outlives its day by this much (DynamoDB's TTL deletes it then): long enough for a late
# retry of the day's last job to find the counter it counted in.
COUNTER_KEPT_DAYS = 2


class TryonBudgetExceeded(TooManyRequests):
    """The user's try-ons for the day are used up: 429 with Retry-After until the user's next midnight. The
    workflow's quota step raises it too (Step Functions sees its name, the job fails with this code)."""

    code = "budget_exceeded"


class PhotoNotReady(Conflict):
    """The photo is still being processed, or was rejected: nothing to try a style on (409 naming its status)."""

    code = "photo_not_ready"


class SourcePhotoGone(NotFound):
    """The photo's cleaned image is gone (deleted after the try-on was asked): the job fails with photo_not_found."""


class WorkflowNotStarted(ZikError):
    """Step Functions refused to start the job's workflow: the job is marked failed, the client may ask again."""

    status = 503
    code = "unavailable"
    retry_after_seconds = 5

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_seconds)}


def daily_limit() -> int:
    """Try-ons a user may start a day (TRYON_DAILY_LIMIT; 0 turns try-ons off)."""
    return config.integer("TRYON_DAILY_LIMIT", DEFAULT_DAILY_LIMIT, minimum=0, maximum=10_000)


def new_job_id(claim: Claim | None = None) -> str:
    """``j`` and 16 base-36 digits: from the Idempotency-Key's claim (every retry names the same job), else
    random. Unguessable either way; the owner is checked on every read regardless."""
    if claim is not None:
        return claim.id(JOB_PREFIX, length=16)
    return JOB_PREFIX + "".join(secrets.choice(BASE36) for _ in range(16))


def result_photo_id(job_id: str) -> str:
    """The result's photo id, named after its job: a retried edit writes the same photo, never a second."""
    return job_id + RESULT_SUFFIX


def quota_day(timezone: str, at: dt.datetime | None = None) -> dt.date:
    """The user's calendar day at ``at`` (now by default) in ``timezone``."""
    return (at or clock.now()).astimezone(zone(timezone)).date()


def resets_at(day: dt.date | str, timezone: str) -> dt.datetime:
    """When the quota of ``day`` resets: the user's next midnight, as an aware UTC instant (a DST change
    moves midnight's UTC instant, and zoneinfo knows it)."""
    first = dt.date.fromisoformat(day) if isinstance(day, str) else day
    midnight = dt.datetime.combine(first + dt.timedelta(days=1), dt.time(), tzinfo=zone(timezone))
    return midnight.astimezone(dt.UTC)


def seconds_until(instant: dt.datetime) -> int:
    """Whole seconds from now to ``instant``, rounded up, at least 1 (a Retry-After of 0 invites a spin)."""
    return max(1, math.ceil((instant - clock.now()).total_seconds()))


def budget_exceeded(*, used: int, limit: int, day: dt.date | str, timezone: str) -> TryonBudgetExceeded:
    """The refusal of a try-on over the day's quota, saying when it resets."""
    reset = resets_at(day, timezone)
    return TryonBudgetExceeded(
        f"you have used your {limit} try-ons of {day}; more from {clock.iso(reset)} ({timezone} midnight)",
        retry_after_seconds=seconds_until(reset),
        details={"limit": limit, "used": used, "day": str(day), "timezone": timezone, "resetsAt": clock.iso(reset)},
    )


def quota_view(*, used: int, limit: int, day: dt.date | str, timezone: str) -> dict[str, Any]:
    return {
        "limit": limit,
        "used": used,
        "remaining": max(0, limit - used),
        "day": str(day),
        "resetsAt": clock.iso(resets_at(day, timezone)),
    }


# -- what a failed step means ---------------------------------------------------------------------------------
# The name Step Functions gives a failed Lambda task is the Python exception's class name. Each known one
# maps to the job's error code and what the user is told; anything else is ``internal`` and its text (ours
# or a library's, maybe a stack's) is not shown.
FAILURES: dict[str, tuple[str, str | None]] = {
    "NoFace": ("no_face", "no face was found in the photo: try one that shows your face from the front"),
    "TryonBudgetExceeded": ("budget_exceeded", None),  # None: its own message says when the quota resets
    "AIBudgetExceeded": ("budget_exceeded", "today's budget for AI try-ons is used up; try again tomorrow"),
    "AIUnavailable": ("ai_unavailable", "the AI could not edit the photo right now; try again in a few minutes"),
    "SourcePhotoGone": ("photo_not_found", "the photo was deleted before its try-on could be made"),
}
INTERNAL_MESSAGE = "the try-on failed on our side; try again"


def failure_of(step_error: Mapping[str, Any] | None) -> dict[str, str]:
    """The job's ``error`` {code, message} from a Catch's ``$.error`` ({Error, Cause}; Cause is the Lambda's
    JSON {errorMessage, errorType, ...} for a task that raised)."""
    name = str((step_error or {}).get("Error") or "")
    code, message = FAILURES.get(name, ("internal", INTERNAL_MESSAGE))
    if message is None:
        message = _cause_message(step_error) or "today's try-ons are used up"
    return {"code": code, "message": message}


def _cause_message(step_error: Mapping[str, Any] | None) -> str | None:
    cause = (step_error or {}).get("Cause")
    try:
        decoded = json.loads(cause) if isinstance(cause, str) else None
    except ValueError:
        return None
    text = decoded.get("errorMessage") if isinstance(decoded, dict) else None
    return text[:500] if isinstance(text, str) and text.strip() else None


# -- the job as the API shows it ------------------------------------------------------------------------------
_SHOWN = ("jobId", "status", "photoId", "hairstyleId", "color", "day", "createdAt", "updatedAt")


def job_links(job: Mapping[str, Any]) -> dict[str, str]:
    links = {"self": f"/studio/tryons/{job['jobId']}", "photo": f"/studio/photos/{job['photoId']}"}
    if job.get("resultPhotoId"):
        links["result"] = f"/studio/photos/{job['resultPhotoId']}"
    return links


def job_view(job: Mapping[str, Any], *, result_links: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A job as GET /studio/tryons/{jobId} answers it: status and progress; when succeeded the result photo
    and its signed links (``result_links``: {photoUrl, thumbnailUrls}); when failed the error."""
    view: dict[str, Any] = {key: job.get(key) for key in _SHOWN}
    view["progress"] = PROGRESS.get(str(job.get("status")), 0)
    view["links"] = job_links(job)
    if job.get("status") == SUCCEEDED:
        view["resultPhotoId"] = job.get("resultPhotoId")
        view["result"] = dict(result_links or {})
    if job.get("status") == FAILED:
        error = job.get("error") or {}
        view["error"] = {"code": error.get("code") or "internal", "message": error.get("message") or INTERNAL_MESSAGE}
    return view
