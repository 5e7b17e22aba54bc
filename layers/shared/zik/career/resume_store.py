"""Where resumes are kept: their items in CareerTable and their originals in ResumesBucket.

  a resume                 GetItem pk=<owner>, sk=RESUME#<resumeId>
  resumes newest first     Query pk=<owner>, begins_with(sk, RESUME#), descending (resume ids sort by time)
  a retried create         the same Query, newest first, filtered on the request's key (a retry follows its
                           first attempt within a day: it is among the newest)
  the profile's resume     UpdateItem pk=<owner>, sk=PROFILE: SET resume (that attribute alone, conditionally),
                           in the transaction that saves or deletes the resume it names

A resume item (tables.py has the fields others read) also holds: ``sizeRead``, ``pageCount``, ``truncated``,
``yearsOfExperience``, ``seniority``, ``wordCount``, ``checks`` (the rules' weighted checks), ``role`` (the
target role and its core skills found and missing), ``targetRole`` (as asked), ``requestKey`` (of an
Idempotency-Key), ``sequencer`` (of the S3 event last analysed: a redelivered or older event is not
analysed again), ``uploadExpiresAt`` and ``expiresAt`` (the time to live of an upload never made).

Originals: ``resumes/<tenant>/<user>/<resumeId>.<ext>`` (sent to the API) and ``uploads/<tenant>/<user>/
<resumeId>.<ext>`` (sent with a presigned POST), encrypted by the bucket's default KMS key, versioned: a
resume's deletion removes every version and delete marker of its key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from zik import config
from zik.career import tables
from zik.dynamo import Filter, Page, Table, TransactionFailed, to_item, transact
from zik.principal import Principal

# S3 sequencers are hex strings of varying length: compared once left-padded to one width.
SEQUENCER_WIDTH = 32
RETRY_WINDOW = 25  # the newest resumes searched for a retried request's first attempt
_KEY = re.compile(
    r"^(?P<area>resumes|uploads)/(?P<tenant>[A-Za-z0-9._@+-]{1,128})/(?P<user>[A-Za-z0-9._@+-]{1,128})/(?P<resume>[A-Za-z0-9_-]{1,64})\.(?P<ext>[a-z]{1,5})$"
)


def padded_sequencer(sequencer: str) -> str:
    return sequencer.upper().rjust(SEQUENCER_WIDTH, "0")


def owner_of_key(key: str) -> tuple[Principal, str] | None:
    """The owner and resume id an original's key names, or None for a key of no resume."""
    found = _KEY.match(key)
    if not found:
        return None
    return Principal(user_id=found["user"], tenant_id=found["tenant"]), found["resume"]


def _content_disposition(file_name: str) -> str:
    """An attachment named as uploaded (RFC 6266: an ASCII fallback and the UTF-8 name)."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in file_name) or "resume"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"


class ResumeStore:
    def __init__(self, table: Table | None = None, bucket: str | None = None, s3: Any = None):
        self._table = table
        self._bucket = bucket
        self._s3 = s3

    @property
    def table(self) -> Table:
        if self._table is None:
            self._table = tables.career_table()
        return self._table

    @property
    def bucket(self) -> str:
        if self._bucket is None:
            self._bucket = config.require("RESUMES_BUCKET")["RESUMES_BUCKET"]
        return self._bucket

    @property
    def s3(self) -> Any:
        if self._s3 is None:
            import boto3
            from botocore.config import Config

            # SigV4: the objects are KMS-encrypted, and S3 refuses a presigned SigV2 link to those.
            self._s3 = boto3.client("s3", config=Config(signature_version="s3v4"))
        return self._s3

    # -- reading -------------------------------------------------------------------------------------------
    def resume(self, owner: Principal, resume_id: str) -> dict[str, Any] | None:
        return self.table.get(owner.partition, tables.resume_sk(resume_id))

    def page(self, owner: Principal, *, limit: int, cursor: str | None) -> Page:
        return self.table.query_page(owner.partition, sk_prefix=tables.RESUME_PREFIX, newest_first=True, limit=limit, cursor=cursor)

    def claimed(self, owner: Principal, request_key: str) -> dict[str, Any] | None:
        """The resume a request with this key already created (its first attempt), if any."""
        page = self.table.query_page(
            owner.partition,
            sk_prefix=tables.RESUME_PREFIX,
            newest_first=True,
            limit=RETRY_WINDOW,
            where=Filter("requestKey = :requestKey", {}, {":requestKey": request_key}),
            consistent=True,
        )
        return page.items[0] if page.items else None

    def latest_analyzed(self, owner: Principal, *, excluding: str) -> dict[str, Any] | None:
        """The newest analysed resume but ``excluding`` (what the profile names once that one goes)."""
        analyzed = Filter("#status = :analyzed AND resumeId <> :excluded", {"#status": "status"}, {":analyzed": "analyzed", ":excluded": excluding})
        for item in self.table.iterate(owner.partition, sk_prefix=tables.RESUME_PREFIX, newest_first=True, where=analyzed, consistent=True):
            return item
        return None

    def profile(self, owner: Principal) -> dict[str, Any] | None:
        return self.table.get(owner.partition, tables.PROFILE, consistent=False)

    # -- writing -------------------------------------------------------------------------------------------
    def create(self, owner: Principal, item: Mapping[str, Any], profile_resume: Mapping[str, Any] | None) -> None:
        """Write a new resume item and, for an analysed one, make it the profile's resume unless the profile
        already names a newer one (one transaction). Ids never clash: time and randomness, or a request's
        key, whose first attempt ``claimed`` finds before anything is written again."""
        put = {
            "Put": {
                "TableName": self.table.name,
                "Item": to_item({"pk": owner.partition, "sk": tables.resume_sk(item["resumeId"]), **item}),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
        self._with_profile(owner, put, profile_resume)

    def record_upload(
        self, owner: Principal, resume_id: str, changes: Mapping[str, Any], sequencer: str, profile_resume: Mapping[str, Any] | None
    ) -> bool:
        """Set what the analysis of an uploaded original found (and the profile's resume, as ``create``),
        unless the resume is gone or an event as late or later was analysed already: False then, and
        nothing written."""
        names = {"#sequencer": "sequencer"}
        values: dict[str, Any] = {":sequencer": padded_sequencer(sequencer)}
        sets = ["#sequencer = :sequencer"]
        removes = ["expiresAt"]
        for index, (attribute, value) in enumerate(changes.items()):
            names[f"#a{index}"] = attribute
            if value is None:
                removes.append(f"#a{index}")
            else:
                values[f":v{index}"] = value
                sets.append(f"#a{index} = :v{index}")
        update = {
            "Update": {
                "TableName": self.table.name,
                "Key": self.table.key(owner.partition, tables.resume_sk(resume_id)),
                "UpdateExpression": "SET " + ", ".join(sets) + " REMOVE " + ", ".join(removes),
                "ConditionExpression": "attribute_exists(pk) AND (attribute_not_exists(#sequencer) OR #sequencer < :sequencer)",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": to_item(values),
            }
        }
        try:
            self._with_profile(owner, update, profile_resume)
        except TransactionFailed as failed:
            if failed.failed(0):
                return False
            raise
        return True

    def delete(self, owner: Principal, resume_id: str, *, successor: Mapping[str, Any] | None) -> bool:
        """Delete the resume item; if the profile names it, name ``successor`` there instead (or nothing),
        in the same transaction. False when the item was gone already."""
        delete = {
            "Delete": {
                "TableName": self.table.name,
                "Key": self.table.key(owner.partition, tables.resume_sk(resume_id)),
                "ConditionExpression": "attribute_exists(pk)",
            }
        }
        names = {"#resume": "resume", "#resumeId": "resumeId"}
        values: dict[str, Any] = {":deleted": resume_id}
        if successor is not None:
            expression = "SET #resume = :successor"
            values[":successor"] = dict(successor)
        else:
            expression = "REMOVE #resume"
        profile = {
            "Update": {
                "TableName": self.table.name,
                "Key": self.table.key(owner.partition, tables.PROFILE),
                "UpdateExpression": expression,
                "ConditionExpression": "#resume.#resumeId = :deleted",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": to_item(values),
            }
        }
        try:
            transact(self.table.client, [delete, profile])
        except TransactionFailed as failed:
            if failed.failed(0):
                return False
            if not failed.failed(1):
                raise
            # The profile names another resume (or none): only the item goes.
            try:
                transact(self.table.client, [delete])
            except TransactionFailed as again:
                if again.failed(0):
                    return False
                raise
        return True

    def _with_profile(self, owner: Principal, write: dict[str, Any], profile_resume: Mapping[str, Any] | None) -> None:
        """``write`` with the profile's ``resume`` set to ``profile_resume`` (when given) in one transaction;
        the profile keeps a newer resume it already names, and only its ``resume`` attribute is touched
        (an UpdateItem creates a profile holding only that; its owner writes everything else)."""
        if profile_resume is None:
            transact(self.table.client, [write])
            return
        profile = {
            "Update": {
                "TableName": self.table.name,
                "Key": self.table.key(owner.partition, tables.PROFILE),
                "UpdateExpression": "SET #resume = :resume",
                "ConditionExpression": "attribute_not_exists(#resume) OR #resume.#resumeId <= :resumeId",
                "ExpressionAttributeNames": {"#resume": "resume", "#resumeId": "resumeId"},
                "ExpressionAttributeValues": to_item({":resume": dict(profile_resume), ":resumeId": profile_resume["resumeId"]}),
            }
        }
        try:
            transact(self.table.client, [write, profile])
        except TransactionFailed as failed:
            if failed.failed(0) or not failed.failed(1):
                raise
            transact(self.table.client, [write])  # a newer resume is the profile's: it stays

    # -- originals ------------------------------------------------------------------------------------------
    def put_original(self, key: str, data: bytes, *, content_type: str, file_name: str) -> str | None:
        """Store an original (the bucket's default KMS key encrypts it); its version id."""
        answer = self.s3.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=data,
            ContentType=content_type,
            ContentDisposition=_content_disposition(file_name),
        )
        return answer.get("VersionId")

    def head(self, key: str, version_id: str | None) -> int | None:
        """The size of an original's version, or None when it is not there (deleted meanwhile)."""
        from botocore.exceptions import ClientError

        try:
            answer = self.s3.head_object(Bucket=self.bucket, Key=key, **({"VersionId": version_id} if version_id else {}))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NoSuchVersion", "405", "400"):
                return None
            raise
        return int(answer["ContentLength"])

    def read_original(self, key: str, version_id: str | None, *, max_bytes: int) -> bytes:
        answer = self.s3.get_object(Bucket=self.bucket, Key=key, **({"VersionId": version_id} if version_id else {}))
        body = answer["Body"]
        try:
            return body.read(max_bytes + 1)
        finally:
            body.close()

    def delete_versions(self, key: str) -> int:
        """Delete every version and delete marker of ``key`` (only that key: its prefix may name others)."""
        removed = 0
        for page in self.s3.get_paginator("list_object_versions").paginate(Bucket=self.bucket, Prefix=key):
            doomed = [
                {"Key": version["Key"], "VersionId": version["VersionId"]}
                for version in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
                if version["Key"] == key
            ]
            for start in range(0, len(doomed), 1000):
                answer = self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": doomed[start : start + 1000], "Quiet": True})
                errors = answer.get("Errors") or []
                if errors:
                    raise RuntimeError(f"S3 kept {len(errors)} version(s) of a resume: {errors[0].get('Code')}")
                removed += len(doomed[start : start + 1000])
        return removed

    def download_url(self, key: str, version_id: str | None, *, file_name: str, seconds: int) -> str:
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": key, "ResponseContentDisposition": _content_disposition(file_name)}
        if version_id:
            params["VersionId"] = version_id
        return self.s3.generate_presigned_url("get_object", Params=params, ExpiresIn=seconds)

    def upload_form(self, key: str, *, content_type: str, max_bytes: int, seconds: int) -> dict[str, Any]:
        """A presigned POST for exactly this key and content type, of 1 byte to ``max_bytes``."""
        return self.s3.generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=seconds,
        )
