"""All of a user's data as one JSON document (GET /me/export): at once when it is small, else prepared in
the background and answered as a link when ready.

A large export is asked for by writing what is asked (an EXPORT#<id> item of UsersTable, in the user's
partition); the table's stream carries it as ExportRequested to the export worker, which writes the
document to the exports bucket and marks the item ready. GET /me/exports/<id> says how it goes and, once
ready, answers a link valid 15 minutes. Documents go after 7 days (the bucket's lifecycle, the item's
time to live), and with the user's erasure.

  an export of the user   GetItem pk=TENANT#<t>#USER#<u>, sk=EXPORT#<exportId>
  the user's exports      Query pk, begins_with(sk, EXPORT#) (erasure)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from functools import cache
from typing import Any, Callable, Mapping

from zik import clock, config
from zik.dynamo import Table, to_item
from zik.principal import Principal

EXPORT_PREFIX = "EXPORT#"
# An export of at most this many items is answered at once (a few MB of JSON, a second or two to read);
# a larger one is prepared in the background.
INLINE_ITEMS = int(os.environ.get("EXPORT_INLINE_ITEMS", "2000"))
LINK_SECONDS = 15 * 60
KEEP_DAYS = 7


@cache
def _s3() -> Any:
    import boto3
    from botocore.config import Config

    # SigV4: the bucket's objects are KMS-encrypted, and S3 refuses a presigned SigV2 link to those.
    return boto3.client("s3", config=Config(signature_version="s3v4"))


def object_key(owner: Principal, export_id: str) -> str:
    return f"exports/{owner.tenant_id}/{owner.user_id}/{export_id}.json"


def document(owner: Principal, data: Mapping[str, Any], *, email: str | None) -> dict[str, Any]:
    """The export itself: who, when, and every domain's part."""
    return {"exportedAt": clock.now_iso(), "user": {"userId": owner.user_id, "tenantId": owner.tenant_id, "email": email}, "data": dict(data)}


class Exports:
    def __init__(self, table: Table | None = None, bucket: str | None = None):
        self.table = table or Table(config.require("USERS_TABLE")["USERS_TABLE"])
        self._bucket = bucket

    @property
    def bucket(self) -> str:
        if self._bucket is None:
            self._bucket = config.require("EXPORTS_BUCKET")["EXPORTS_BUCKET"]
        return self._bucket

    def request(self, owner: Principal) -> dict[str, Any]:
        """Ask for an export in the background: its ExportRequested leaves through the table's stream."""
        stamp = clock.now()
        item = {
            "pk": owner.partition,
            "sk": EXPORT_PREFIX + "x" + secrets.token_hex(8),
            "status": "preparing",
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

    def prepare(self, owner: Principal, export_id: str, data: Callable[[], Mapping[str, Any]]) -> bool:
        """Write the document of an export being prepared and mark it ready; False (and nothing written)
        when there is no such export or it is ready already (a redelivered request)."""
        item = self.table.get(owner.partition, EXPORT_PREFIX + export_id)
        if item is None or item["status"] != "preparing":
            return False
        body = json.dumps(document(owner, data(), email=item.get("email")), separators=(",", ":"), default=str).encode()
        _s3().put_object(Bucket=self.bucket, Key=object_key(owner, export_id), Body=body, ContentType="application/json")
        self.table.client.update_item(
            TableName=self.table.name,
            Key=self.table.key(owner.partition, EXPORT_PREFIX + export_id),
            UpdateExpression="SET #s = :ready, readyAt = :at, #bytes = :bytes",
            ConditionExpression="#s = :preparing",
            ExpressionAttributeNames={"#s": "status", "#bytes": "bytes"},
            ExpressionAttributeValues=to_item({":ready": "ready", ":preparing": "preparing", ":at": clock.now_iso(), ":bytes": len(body)}),
        )
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
            _erase_object(self.bucket, object_key(owner, item["exportId"]))
        removed = self.table.delete_keys([{"pk": item["pk"], "sk": item["sk"]} for item in items])
        return removed, len(items) < limit

    def size(self, owner: Principal) -> int:
        return 0  # an export does not export the exports' documents, only their list

    def _view(self, owner: Principal, item: Mapping[str, Any], *, link: bool = True) -> dict[str, Any]:
        view = {key: item[key] for key in ("exportId", "status", "requestedAt", "readyAt", "bytes", "reason") if key in item}
        view["statusUrl"] = f"/me/exports/{item['exportId']}"
        if link and item.get("status") == "ready":
            view["downloadUrl"] = _s3().generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self.bucket,
                    "Key": object_key(owner, item["exportId"]),
                    "ResponseContentDisposition": f'attachment; filename="zik-export-{owner.user_id}.json"',
                },
                ExpiresIn=LINK_SECONDS,
            )
            view["expiresAt"] = clock.iso(clock.now() + dt.timedelta(seconds=LINK_SECONDS))
        return view


def _erase_object(bucket: str, key: str) -> None:
    client = _s3()
    for page in client.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=key):
        for version in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
            if version["Key"] == key:
                client.delete_object(Bucket=bucket, Key=key, VersionId=version["VersionId"])

