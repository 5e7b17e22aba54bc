"""Try-on jobs and the daily quota counters in ProcessingJobs (JOBS_TABLE), and the two Photos (PHOTOS_TABLE)
operations a try-on makes: reading the photo it edits and writing its result.

Items of ProcessingJobs (pk ``jobId``):
  a job       jobId j<16 base-36>  {userId, tenantId, photoId, hairstyleId, color, timezone, day, status,
                                    statusTime (<updatedAt>#<jobId>, StatusIndex's sort key), createdAt,
                                    updatedAt, version, countedAt?, refundedAt?, resultPhotoId?, provider?, model?,
                                    error?}
  a counter   jobId QUOTA#<userId>#<day>  {userId, tenantId, day, used, updatedAt, expiresAt (TTL)}: no
                                    ``status``, so never in StatusIndex

Access patterns:
  - read a job (POST's retry, GET, every workflow step)    GetItem jobId
  - write a job once                                        PutItem if jobId does not exist
  - the day's try-ons so far (POST's 429)                   GetItem QUOTA#<userId>#<day>
  - count a job against its day, once                       TransactWriteItems: the counter +1 if under the
                                                            limit, and the job's marker ``countedAt`` set if
                                                            absent (a retried quota step finds it and counts
                                                            nothing)
  - the job's state moves                                   UpdateItem if status is one it may move from
  - a counted job fails                                     TransactWriteItems: the job failed (if not final)
                                                            with ``refundedAt``, and its counter -1
  - the job succeeds with its result photo                  TransactWriteItems: Photos Put if the photoId is
                                                            new, the job Update if status = running
  - jobs in a status, oldest first (operations)             Query StatusIndex status=<s> (not used here)
  - the photo a try-on edits                                Photos GetItem photoId
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from zik import clock, config
from zik.dynamo import TransactionFailed, from_item, item_of_failed_condition, shared_client, to_item, transact, update_or_old
from zik.studio import tryons

COUNTER_PREFIX = "QUOTA#"


class QuotaContention(RuntimeError):
    """Another write to the same counter or job crossed this one (TransactionConflict): the quota step is
    retried by the workflow under this name."""


class JobMissing(RuntimeError):
    """A workflow step names a job that is not in the table (an execution started by hand, or a job erased
    with its user meanwhile)."""


def counter_key(user_id: str, day: str) -> str:
    return f"{COUNTER_PREFIX}{user_id}#{day}"


def status_time(updated_at: str, job_id: str) -> str:
    return f"{updated_at}#{job_id}"


@dataclass(frozen=True)
class Counted:
    used: int  # the day's try-ons, this job's included
    now: bool  # counted by this call; False: counted before (a retried step) or final already, nothing written


class JobStore:
    def __init__(self, jobs_table: str | None = None, photos_table: str | None = None, client: Any = None):
        self.jobs = jobs_table or config.require("JOBS_TABLE")["JOBS_TABLE"]
        self._photos = photos_table
        self.client = client or shared_client()

    @property
    def photos(self) -> str:
        """PHOTOS_TABLE, read on first use: the quota and failure steps never touch Photos and are not given it."""
        if self._photos is None:
            self._photos = config.require("PHOTOS_TABLE")["PHOTOS_TABLE"]
        return self._photos

    # -- jobs -----------------------------------------------------------------------------------------------
    def get(self, job_id: str) -> dict[str, Any] | None:
        answer = self.client.get_item(TableName=self.jobs, Key=to_item({"jobId": job_id}), ConsistentRead=True)
        item = from_item(answer["Item"]) if "Item" in answer else None
        # A counter's key is not a job's: ids of the API's shape cannot start with QUOTA#, but a step's input may.
        return item if item is not None and "status" in item else None

    def discard(self, job_id: str) -> None:
        """Remove a job that was never started (still queued, never counted); any other is left as it is."""
        try:
            self.client.delete_item(
                TableName=self.jobs,
                Key=to_item({"jobId": job_id}),
                ConditionExpression="#status = :queued AND attribute_not_exists(countedAt)",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=to_item({":queued": tryons.QUEUED}),
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            pass

    def get_many(self, job_ids: list[str]) -> dict[str, dict[str, Any]]:
        """The jobs of ``job_ids`` (at most 100: one BatchGetItem, and its unprocessed keys again), by id."""
        found: dict[str, dict[str, Any]] = {}
        pending: dict[str, Any] = {self.jobs: {"Keys": [to_item({"jobId": job_id}) for job_id in dict.fromkeys(job_ids)], "ConsistentRead": True}}
        while pending and pending[self.jobs]["Keys"]:
            answer = self.client.batch_get_item(RequestItems=pending)
            for raw in answer.get("Responses", {}).get(self.jobs, []):
                item = from_item(raw)
                if "status" in item:
                    found[item["jobId"]] = item
            pending = answer.get("UnprocessedKeys") or {}
        return found

    def create(self, job: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
        """Write a new queued job; (the job, True), or (the one already there, False) for a retried request."""
        stamp = clock.now_iso()
        item = {
            **job,
            "status": tryons.QUEUED,
            "createdAt": stamp,
            "updatedAt": stamp,
            "statusTime": status_time(stamp, job["jobId"]),
            "version": 1,
        }
        try:
            self.client.put_item(
                TableName=self.jobs,
                Item=to_item(item),
                ConditionExpression="attribute_not_exists(jobId)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            old = item_of_failed_condition(exc)
            return (from_item(old) if old else self.get(job["jobId"]) or item), False
        return item, True

    def mark_running(self, job_id: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """(the job now running, None), or (None, the job as it is) when it is final already or missing."""
        return update_or_old(self.client, self._move_request(job_id, tryons.RUNNING, from_statuses=(tryons.QUEUED, tryons.RUNNING)))

    def fail(self, job_id: str, error: Mapping[str, str]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """Mark a job failed with ``error``; a job final already is left as it is: (None, the job). A job the
        quota step counted gives its try-on back to its day in the same transaction (``refundedAt``): a
        try-on that made nothing costs nothing, and the status condition makes the refund happen once."""
        changes: dict[str, Any] = {"error": dict(error)}
        job = self.get(job_id)
        if job is None or not job.get("countedAt") or job.get("status") in tryons.FINAL:
            return update_or_old(
                self.client, self._move_request(job_id, tryons.FAILED, from_statuses=(tryons.QUEUED, tryons.RUNNING), changes=changes)
            )
        stamp = clock.now_iso()
        move = self._move_request(job_id, tryons.FAILED, from_statuses=(tryons.QUEUED, tryons.RUNNING), changes={**changes, "refundedAt": stamp})
        refund = {
            "TableName": self.jobs,
            "Key": to_item({"jobId": counter_key(job["userId"], job["day"])}),
            "UpdateExpression": "SET used = used - :one, updatedAt = :now",
            "ConditionExpression": "used > :zero",
            "ExpressionAttributeValues": to_item({":one": 1, ":zero": 0, ":now": stamp}),
        }
        try:
            transact(self.client, [{"Update": move}, {"Update": refund}])
        except TransactionFailed as failed:
            if failed.failed(0):  # final meanwhile: left as it is
                return None, self.get(job_id)
            if failed.failed(1):  # the counter is gone (its day long past, TTL): nothing to give back
                return update_or_old(
                    self.client, self._move_request(job_id, tryons.FAILED, from_statuses=(tryons.QUEUED, tryons.RUNNING), changes=changes)
                )
            raise
        return self.get(job_id), None

    def _move_request(self, job_id: str, status: str, *, from_statuses: tuple[str, ...], changes: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The UpdateItem (or a transaction's Update) moving the job to ``status`` from one of ``from_statuses``."""
        stamp = clock.now_iso()
        values: dict[str, Any] = {
            ":status": status,
            ":updatedAt": stamp,
            ":statusTime": status_time(stamp, job_id),
            ":one": 1,
            ":zero": 0,
            **{f":from{i}": value for i, value in enumerate(from_statuses)},
        }
        names = {"#status": "status", "#version": "version"}
        sets = ["#status = :status", "updatedAt = :updatedAt", "statusTime = :statusTime", "#version = if_not_exists(#version, :zero) + :one"]
        for index, (name, value) in enumerate((changes or {}).items()):
            names[f"#c{index}"] = name
            values[f":c{index}"] = value
            sets.append(f"#c{index} = :c{index}")
        allowed = ", ".join(f":from{i}" for i in range(len(from_statuses)))
        return {
            "TableName": self.jobs,
            "Key": to_item({"jobId": job_id}),
            "UpdateExpression": "SET " + ", ".join(sets),
            "ConditionExpression": f"attribute_exists(jobId) AND #status IN ({allowed})",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": to_item(values),
        }

    # -- the quota ------------------------------------------------------------------------------------------
    def used(self, user_id: str, day: str) -> int:
        answer = self.client.get_item(TableName=self.jobs, Key=to_item({"jobId": counter_key(user_id, day)}), ConsistentRead=True)
        return int(from_item(answer["Item"]).get("used", 0)) if "Item" in answer else 0

    def count(self, job: Mapping[str, Any], limit: int) -> Counted:
        """Count ``job`` against its day if the day has room; TryonBudgetExceeded if it has none. Counting is
        one transaction with the job's own marker (``countedAt``), so a step retried after it committed
        (its answer lost) finds the marker and counts nothing."""
        user_id, day, job_id = job["userId"], job["day"], job["jobId"]
        stamp = clock.now_iso()
        expires = int(tryons.resets_at(day, job["timezone"]).timestamp()) + tryons.COUNTER_KEPT_DAYS * 86400
        counter = {
            "Update": {
                "TableName": self.jobs,
                "Key": to_item({"jobId": counter_key(user_id, day)}),
                "UpdateExpression": "SET used = if_not_exists(used, :zero) + :one, userId = :user, tenantId = :tenant, "
                "#day = :day, updatedAt = :now, expiresAt = :expires",
                "ConditionExpression": "attribute_not_exists(used) OR used < :limit",
                "ExpressionAttributeNames": {"#day": "day"},
                "ExpressionAttributeValues": to_item(
                    {
                        ":zero": 0,
                        ":one": 1,
                        ":user": user_id,
                        ":tenant": job.get("tenantId"),
                        ":day": day,
                        ":now": stamp,
                        ":expires": expires,
                        ":limit": limit,
                    }
                ),
            }
        }
        marker = {
            "Update": {
                "TableName": self.jobs,
                "Key": to_item({"jobId": job_id}),
                "UpdateExpression": "SET countedAt = :now, #version = if_not_exists(#version, :zero) + :one",
                "ConditionExpression": "attribute_exists(jobId) AND attribute_not_exists(countedAt) AND #status IN (:queued, :running)",
                "ExpressionAttributeNames": {"#status": "status", "#version": "version"},
                "ExpressionAttributeValues": to_item({":now": stamp, ":zero": 0, ":one": 1, ":queued": tryons.QUEUED, ":running": tryons.RUNNING}),
            }
        }
        try:
            transact(self.client, [counter, marker])
        except TransactionFailed as failed:
            if "TransactionConflict" in failed.reasons:
                raise QuotaContention(f"the quota of {day} was being written meanwhile") from None
            if failed.failed(1):
                current = self.get(job_id)
                if current is None:
                    raise JobMissing(f"no try-on job {job_id}") from None
                # Counted before (a retried step), or final already (an execution started again by hand):
                # either way there is nothing to count.
                return Counted(used=self.used(user_id, day), now=False)
            if failed.failed(0):
                raise tryons.budget_exceeded(used=self.used(user_id, day), limit=limit, day=day, timezone=job["timezone"]) from None
            raise
        return Counted(used=self.used(user_id, day), now=True)

    # -- the result -----------------------------------------------------------------------------------------
    def succeed(self, job: Mapping[str, Any], photo: Mapping[str, Any], *, provider: str, model: str) -> dict[str, Any]:
        """In one transaction: the result photo written (if its id is new) and the job marked succeeded (if it
        is running), while the photo tried on is still the owner's and ready. A retry after it committed finds
        the job succeeded with this photo and writes nothing; TransactionFailed otherwise (``failed(2)``: the
        photo tried on is gone)."""
        stamp = clock.now_iso()
        job_id = job["jobId"]
        writes = [
            {
                "Put": {
                    "TableName": self.photos,
                    "Item": to_item(photo),
                    "ConditionExpression": "attribute_not_exists(photoId)",
                }
            },
            {
                "Update": {
                    "TableName": self.jobs,
                    "Key": to_item({"jobId": job_id}),
                    "UpdateExpression": "SET #status = :succeeded, resultPhotoId = :photo, provider = :provider, model = :model, "
                    "updatedAt = :now, statusTime = :statusTime, #version = if_not_exists(#version, :zero) + :one",
                    "ConditionExpression": "#status = :running",
                    "ExpressionAttributeNames": {"#status": "status", "#version": "version"},
                    "ExpressionAttributeValues": to_item(
                        {
                            ":succeeded": tryons.SUCCEEDED,
                            ":running": tryons.RUNNING,
                            ":photo": photo["photoId"],
                            ":provider": provider,
                            ":model": model,
                            ":now": stamp,
                            ":statusTime": status_time(stamp, job_id),
                            ":zero": 0,
                            ":one": 1,
                        }
                    ),
                }
            },
            {
                # The photo tried on is still there: one deleted meanwhile leaves no try-on of it behind.
                "ConditionCheck": {
                    "TableName": self.photos,
                    "Key": to_item({"photoId": photo["sourcePhotoId"]}),
                    "ConditionExpression": "#status = :ready AND userId = :owner",
                    "ExpressionAttributeNames": {"#status": "status"},
                    "ExpressionAttributeValues": to_item({":ready": "ready", ":owner": photo["userId"]}),
                }
            },
        ]
        try:
            transact(self.client, writes)
        except TransactionFailed:
            current = self.get(job_id)
            if current and current.get("status") == tryons.SUCCEEDED and current.get("resultPhotoId") == photo["photoId"]:
                return current
            raise
        return self.get(job_id) or {}

    # -- Photos -----------------------------------------------------------------------------------------------
    def photo(self, photo_id: str) -> dict[str, Any] | None:
        answer = self.client.get_item(TableName=self.photos, Key=to_item({"photoId": photo_id}), ConsistentRead=True)
        return from_item(answer["Item"]) if "Item" in answer else None
