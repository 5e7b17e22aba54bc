"""The caller's own items of CareerTable that the profile, the jobs page and saved jobs use (keys in
``tables``), all in the owner's partition:

  the career profile         sk PROFILE                 GetItem; UpdateItem at the version read
  a match explanation        sk PROFILE#MATCH#<jobId>   read with the profile (one Query, begins_with
                                                        PROFILE); written back in batches, expiring
  a saved job                sk SAVED#<jobId>           PutItem if absent; DeleteItem if present;
                                                        Query begins_with SAVED# (a page)

A match item: {jobId, jobVersion, profileFingerprint, explanation, createdAt, expiresAt}. It is current
while the job's version and the profile's fingerprint are the ones it was made for; a newer one replaces
it (same key), so a user keeps at most one per job, and each goes ``MATCH_TTL_DAYS`` after it was made.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from botocore.exceptions import ClientError

from zik.career import tables
from zik.clock import epoch_seconds, now_iso
from zik.dynamo import Page, Table, from_item, to_item, update_or_old
from zik.errors import NotFound, VersionConflict
from zik.principal import Principal

MATCH_TTL_DAYS = 30
_HIDDEN = ("pk", "sk", "expiresAt")


def public(item: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in item.items() if key not in _HIDDEN}


class CareerProfileStore:
    def __init__(self, table: Table | None = None):
        self.table = table or tables.career_table()

    @property
    def client(self) -> Any:
        return self.table.client

    # -- the profile ----------------------------------------------------------------------------------
    def read(self, owner: Principal) -> dict[str, Any] | None:
        return self.table.get(owner.partition, tables.PROFILE)

    def save(self, owner: Principal, changes: Mapping[str, Any], *, expected_version: int) -> dict[str, Any]:
        """Write the profile's changed fields (None removes one) at ``expected_version`` (0: never saved,
        though the resumes may have written its ``resume`` already); VersionConflict when it moved. The
        ``resume`` attribute is never touched. Answers the item as written."""
        if "resume" in changes:
            raise ValueError("the profile's resume is the resumes' to write")
        request = self.table.update_request(owner.partition, tables.PROFILE, {**changes, "userId": owner.user_id})
        # The platform's update of an existing item, made to create the profile too (its first save).
        request["UpdateExpression"] = request["UpdateExpression"].replace("SET ", "SET #createdAt = if_not_exists(#createdAt, :updatedAt), ", 1)
        request["ExpressionAttributeNames"]["#createdAt"] = "createdAt"
        del request["ExpressionAttributeNames"]["#pk"]  # its condition (the item exists) gives way to these
        if expected_version == 0:  # never saved (the resumes may have written the item's resume already)
            request["ConditionExpression"] = "attribute_not_exists(#version) OR #version = :zero"
        else:
            request["ConditionExpression"] = "#version = :expected"
            request["ExpressionAttributeValues"].update(to_item({":expected": expected_version}))
        written, old = update_or_old(self.client, request)
        if written is None:
            raise VersionConflict(expected_version, int((old or {}).get("version") or 0))
        return written

    # -- the profile with its cached match explanations: one Query ---------------------------------------
    def profile_and_matches(self, owner: Principal) -> tuple[dict[str, Any] | None, dict[str, dict[str, Any]]]:
        """The profile item (None if never written) and the match items by job id, from one Query of the
        partition's PROFILE range (paged only past 1 MB: some three thousand explanations). Expired
        matches TTL has not removed yet are left out."""
        profile, matches = None, {}
        now = epoch_seconds()
        for item in self.table.iterate(owner.partition, sk_prefix=tables.PROFILE, consistent=True):
            if item["sk"] == tables.PROFILE:
                profile = item
            elif item["sk"].startswith(tables.MATCH_PREFIX) and int(item.get("expiresAt") or 0) > now:
                matches[item["jobId"]] = item
        return profile, matches

    def save_matches(self, owner: Principal, matches: Iterable[Mapping[str, Any]]) -> int:
        """Write match explanations ({jobId, jobVersion, profileFingerprint, explanation}), 25 a batch,
        each replacing the job's older one; how many were written."""
        stamp, expires = now_iso(), epoch_seconds() + MATCH_TTL_DAYS * 86400
        items = [
            to_item({"pk": owner.partition, "sk": tables.match_sk(match["jobId"]), **match, "createdAt": stamp, "expiresAt": expires})
            for match in matches
        ]
        for start in range(0, len(items), 25):
            pending: dict[str, Any] = {self.table.name: [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]}
            while pending:
                pending = self.client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
        return len(items)

    def job_with_profile(self, owner: Principal, jobs: Table, job_key: Mapping[str, str], job_id: str) -> dict[str, dict[str, Any] | None]:
        """One BatchGetItem over both tables: ``job`` (from ``jobs`` at ``job_key``), and the caller's
        ``profile``, its ``match`` of that job and its ``saved`` item (each None when absent)."""
        wanted = {
            "profile": (self.table, self.table.key(owner.partition, tables.PROFILE)),
            "match": (self.table, self.table.key(owner.partition, tables.match_sk(job_id))),
            "saved": (self.table, self.table.key(owner.partition, tables.saved_sk(job_id))),
            "job": (jobs, to_item(job_key)),
        }
        request: dict[str, Any] = {}
        for table, key in wanted.values():
            request.setdefault(table.name, {"Keys": [], "ConsistentRead": True})["Keys"].append(key)
        found: list[dict[str, Any]] = []
        while request:
            answer = self.client.batch_get_item(RequestItems=request)
            for items in answer.get("Responses", {}).values():
                found.extend(items)
            request = answer.get("UnprocessedKeys") or {}
        result: dict[str, dict[str, Any] | None] = {}
        for name, (_table, key) in wanted.items():
            match = next((item for item in found if all(item.get(attr) == value for attr, value in key.items())), None)
            result[name] = from_item(match) if match else None
        match = result["match"]
        if match is not None and int(match.get("expiresAt") or 0) <= epoch_seconds():
            result["match"] = None
        return result

    # -- saved jobs -----------------------------------------------------------------------------------
    def save_job(self, owner: Principal, snapshot: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
        """Keep a job in the caller's saved jobs (its snapshot: jobId, title, company, ...); a job saved
        already stays as first saved. The saved item, and whether it is new."""
        item = {"pk": owner.partition, "sk": tables.saved_sk(snapshot["jobId"]), **snapshot, "savedAt": now_iso()}
        try:
            self.client.put_item(TableName=self.table.name, Item=to_item(item), ConditionExpression="attribute_not_exists(pk)")
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            existing = self.saved_job(owner, snapshot["jobId"])
            if existing is not None:
                return existing, False
            return self.save_job(owner, snapshot)  # unsaved in between: save it now
        return public(item), True

    def saved_job(self, owner: Principal, job_id: str) -> dict[str, Any] | None:
        item = self.table.get(owner.partition, tables.saved_sk(job_id))
        return public(item) if item else None

    def unsave_job(self, owner: Principal, job_id: str) -> dict[str, Any]:
        """Remove a saved job of the caller's; NotFound when the caller has not saved it."""
        removed = self.table.delete(owner.partition, tables.saved_sk(job_id))
        if removed is None:
            raise NotFound(f"you have not saved job {job_id}", field="jobId")
        return public(removed)

    def saved_jobs(self, owner: Principal, *, limit: int, cursor: str | None) -> Page:
        page = self.table.query_page(owner.partition, sk_prefix=tables.SAVED_PREFIX, limit=limit, cursor=cursor)
        return Page([public(item) for item in page.items], page.next_cursor)
