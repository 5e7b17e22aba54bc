"""Large exports, prepared in the background and answered as a link when ready: all of a user's data as
one JSON document (GET /me/export, kind ``all``) or their journal in the format they asked for (GET
/entries/export, kind ``journal``, format json, markdown or csv). Small ones are answered at once by
their own routes.

A large export is asked for by writing what is asked (an EXPORT#<id> item of UsersTable, in the user's
partition, naming its ``kind`` and ``format``); the table's stream carries it as ExportRequested to the
export worker, which writes the document to the exports bucket and marks the item ready. GET
/me/exports/<id> says how it goes and, once ready, answers a link valid 15 minutes. Documents go after 7
days (the bucket's lifecycle, the item's time to live), and with the user's erasure.

  an export of the user   GetItem pk=TENANT#<t>#USER#<u>, sk=EXPORT#<exportId>
  the user's exports      Query pk, begins_with(sk, EXPORT#) (erasure)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from botocore.exceptions import ClientError

from zik import clock, config
from zik.dynamo import Table, to_item
from zik.principal import Principal

EXPORT_PREFIX = "EXPORT#"
# An export of at most this many items is answered at once (a few MB of JSON, a second or two to read);
# a larger one is prepared in the background.
INLINE_ITEMS = int(os.environ.get("EXPORT_INLINE_ITEMS", "2000"))
LINK_SECONDS = 15 * 60
KEEP_DAYS = 7
# What an export is of: every domain's data (GET /me/export), or the journal in one format (GET /entries/export).
KINDS = ("all", "journal")
# The same export asked again while it is prepared (a client retrying, polling the wrong route) is
# answered with the one being prepared, not prepared twice: for this long after it was asked.
REUSE_SECONDS = 15 * 60


@dataclass(frozen=True)
class Prepared:
    """An export's document: its bytes, their media type and the file name a download gets."""

    body: bytes
    content_type: str
    filename: str

    @property
    def extension(self) -> str:
        return self.filename.rsplit(".", 1)[1] if "." in self.filename else "json"


@cache
def _s3() -> Any:
    import boto3
    from botocore.config import Config

    # SigV4: the bucket's objects are KMS-encrypted, and S3 refuses a presigned SigV2 link to those.
    return boto3.client("s3", config=Config(signature_version="s3v4"))


def object_key(owner: Principal, export_id: str, extension: str = "json") -> str:
    return f"exports/{owner.tenant_id}/{owner.user_id}/{export_id}.{extension}"


def _key_of(owner: Principal, item: Mapping[str, Any]) -> str:
    filename = item.get("filename") or "export.json"  # exports of every domain made before kinds had none
    return object_key(owner, item["exportId"], filename.rsplit(".", 1)[1])


def document(owner: Principal, data: Mapping[str, Any], *, email: str | None) -> dict[str, Any]:
    """The export itself: who, when, and every domain's part."""
    return {"exportedAt": clock.now_iso(), "user": {"userId": owner.user_id, "tenantId": owner.tenant_id, "email": email}, "data": dict(data)}


def everything(owner: Principal, data: Mapping[str, Any], *, email: str | None) -> Prepared:
    """An export of kind ``all``: the document of every domain's data, as compact JSON."""
    body = json.dumps(document(owner, data, email=email), separators=(",", ":"), default=str).encode()
    return Prepared(body, "application/json", f"zik-export-{owner.user_id}.json")


class Exports:
    def __init__(self, table: Table | None = None, bucket: str | None = None):
        self.table = table or Table(config.require("USERS_TABLE")["USERS_TABLE"])
        self._bucket = bucket

    @property
    def bucket(self) -> str:
        if self._bucket is None:
            self._bucket = config.require("EXPORTS_BUCKET")["EXPORTS_BUCKET"]
        return self._bucket

    def request(self, owner: Principal, *, kind: str = "all", format: str = "json") -> dict[str, Any]:
        """Ask for an export in the background: its ExportRequested leaves through the table's stream. The
        same export (kind and format) asked again while it is prepared is that one, not a second."""
        if kind not in KINDS:
            raise ValueError(f"no export of kind {kind!r}")
        stamp = clock.now()
        since = clock.iso(stamp - dt.timedelta(seconds=REUSE_SECONDS))
        for item in self.table.iterate(owner.partition, sk_prefix=EXPORT_PREFIX):
            same = item.get("kind", "all") == kind and item.get("format", "json") == format
            if same and item["status"] == "preparing" and item["requestedAt"] >= since:
                return self._view(owner, item)
        item = {
            "pk": owner.partition,
            "sk": EXPORT_PREFIX + "x" + secrets.token_hex(8),
            "status": "preparing",
            "kind": kind,
            "format": format,
            "requestedAt": clock.iso(stamp),
            "email": owner.email,
            "expiresAt": int(stamp.timestamp()) + KEEP_DAYS * 86400,
        }
        item["exportId"] = item["sk"][len(EXPORT_PREFIX) :]
        self.table.client.put_item(TableName=self.table.name, Item=to_item(item), ConditionExpression="attribute_not_exists(pk)")
        return self._view(owner, item)

    def status(self, owner: Principal, export_id: str) -> dict[str, Any] | None:
        item = self.table.get(owner.partition, EXPORT_PREFIX + export_id)
        return self._view(owner, item) if item else None

    def prepare(self, owner: Principal, export_id: str, build: Callable[[Mapping[str, Any]], Prepared]) -> bool:
        """Write the document of an export being prepared (``build`` makes it from the export's item, which
        says its kind and format) and mark it ready; False (and nothing written) when there is no such
        export or it is ready already (a redelivered request). Two deliveries at once write the same key
        and one of them marks it ready: the other finds it ready and does nothing more."""
        item = self.table.get(owner.partition, EXPORT_PREFIX + export_id)
        if item is None or item["status"] != "preparing":
            return False
        prepared = build(item)
        _s3().put_object(
            Bucket=self.bucket, Key=object_key(owner, export_id, prepared.extension), Body=prepared.body, ContentType=prepared.content_type
        )
        try:
            self.table.client.update_item(
                TableName=self.table.name,
                Key=self.table.key(owner.partition, EXPORT_PREFIX + export_id),
                UpdateExpression="SET #s = :ready, readyAt = :at, #bytes = :bytes, #filename = :filename, #type = :type",
                ConditionExpression="#s = :preparing",
                ExpressionAttributeNames={"#s": "status", "#bytes": "bytes", "#filename": "filename", "#type": "contentType"},
                ExpressionAttributeValues=to_item(
                    {
                        ":ready": "ready",
                        ":preparing": "preparing",
                        ":at": clock.now_iso(),
                        ":bytes": len(prepared.body),
                        ":filename": prepared.filename,
                        ":type": prepared.content_type,
                    }
                ),
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False  # another delivery of the same request marked it ready (or failed) first
            raise
        return True

    def fail(self, owner: Principal, export_id: str, reason: str) -> None:
        """The export could not be prepared (its message goes to the DLQ): say so instead of 'preparing'."""
        self.table.client.update_item(
            TableName=self.table.name,
            Key=self.table.key(owner.partition, EXPORT_PREFIX + export_id),
            UpdateExpression="SET #s = :failed, reason = :reason",
            ConditionExpression="#s = :preparing",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues=to_item({":failed": "failed", ":preparing": "preparing", ":reason": reason}),
        )

    # -- the user's data ------------------------------------------------------------------------------
    def listing(self, owner: Principal) -> list[dict[str, Any]]:
        return [self._view(owner, item, link=False) for item in self.table.iterate(owner.partition, sk_prefix=EXPORT_PREFIX)]

    def erase_page(self, owner: Principal, limit: int) -> tuple[int, bool]:
        """The user's exports: every document (each S3 version) and its item, a page at a time."""
        items = list(self.table.iterate(owner.partition, sk_prefix=EXPORT_PREFIX))[:limit]
        for item in items:
            _erase_document(self.bucket, owner, item["exportId"])
        removed = self.table.delete_keys([{"pk": item["pk"], "sk": item["sk"]} for item in items])
        return removed, len(items) < limit

    def size(self, owner: Principal) -> int:
        return 0  # an export does not export the exports' documents, only their list

    def _view(self, owner: Principal, item: Mapping[str, Any], *, link: bool = True) -> dict[str, Any]:
        view = {key: item[key] for key in ("exportId", "status", "kind", "format", "requestedAt", "readyAt", "bytes", "reason") if key in item}
        view.setdefault("kind", "all")
        view.setdefault("format", "json")
        view["statusUrl"] = f"/me/exports/{item['exportId']}"
        if link and item.get("status") == "ready":
            filename = item.get("filename") or f"zik-export-{owner.user_id}.json"
            view["downloadUrl"] = _s3().generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self.bucket,
                    "Key": _key_of(owner, item),
                    "ResponseContentDisposition": f'attachment; filename="{filename}"',
                },
                ExpiresIn=LINK_SECONDS,
            )
            view["expiresAt"] = clock.iso(clock.now() + dt.timedelta(seconds=LINK_SECONDS))
        return view


def _erase_document(bucket: str, owner: Principal, export_id: str) -> None:
    """Every version of the export's document, whatever its extension (its format): one written by a
    delivery that died before it marked the export ready goes too."""
    client = _s3()
    stem = object_key(owner, export_id, "")  # exports/<t>/<u>/<exportId>.
    for page in client.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=stem):
        for version in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
            if version["Key"].startswith(stem) and "/" not in version["Key"][len(stem) :]:
                client.delete_object(Bucket=bucket, Key=version["Key"], VersionId=version["VersionId"])
