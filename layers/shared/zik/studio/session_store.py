"""A try-on session in UserSessions (SESSIONS_TABLE): the styles a user has tried on one photo, newest first,
kept for a day after the last one (the seed's ElastiCache session state, as DynamoDB with TTL: nothing to run
or pay for while nobody is trying anything on).

Item (pk ``userId``, sk ``itemKey``):
  SESSION#<photoId>  {photoId, tries: [{jobId, hairstyleId, color, at}] newest first, at most MAX_TRIES,
                      startedAt, updatedAt, version, expiresAt (epoch seconds: TTL, a day after updatedAt)}

Access patterns:
  - the session of one photo                 GetItem userId, SESSION#<photoId>
  - a try-on recorded in it                   PutItem if version is the one read (or the item is new);
                                              a job already in it is not recorded twice
DynamoDB deletes an expired session within a few days of ``expiresAt``; ``get`` hides one that has expired but
is still there, so a session lasts exactly a day after its last try-on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from zik import clock, config
from zik.dynamo import from_item, shared_client, to_item

SESSION_PREFIX = "SESSION#"
MAX_TRIES = 20
SESSION_SECONDS = 24 * 60 * 60
ATTEMPTS = 5  # conditional writes raced by another try-on of the same photo


class SessionStore:
    def __init__(self, table: str | None = None, client: Any = None):
        self.table = table or config.require("SESSIONS_TABLE")["SESSIONS_TABLE"]
        self.client = client or shared_client()

    def _key(self, user_id: str, photo_id: str) -> dict[str, Any]:
        return to_item({"userId": user_id, "itemKey": SESSION_PREFIX + photo_id})

    def get(self, user_id: str, photo_id: str) -> dict[str, Any] | None:
        answer = self.client.get_item(TableName=self.table, Key=self._key(user_id, photo_id), ConsistentRead=True)
        if "Item" not in answer:
            return None
        item = from_item(answer["Item"])
        if int(item.get("expiresAt", 0)) <= clock.epoch_seconds():
            return None
        return item

    def record(self, user_id: str, photo_id: str, tried: Mapping[str, Any]) -> dict[str, Any]:
        """Put ``tried`` ({jobId, hairstyleId, color}) first in the photo's session and keep it a day more.
        The same job recorded again (a retried request) changes nothing."""
        for _ in range(ATTEMPTS):
            answer = self.client.get_item(TableName=self.table, Key=self._key(user_id, photo_id), ConsistentRead=True)
            current = from_item(answer["Item"]) if "Item" in answer else None
            live = current if current and int(current.get("expiresAt", 0)) > clock.epoch_seconds() else None
            tries = list((live or {}).get("tries") or [])
            if any(entry.get("jobId") == tried["jobId"] for entry in tries):
                return live or {}
            stamp = clock.now_iso()
            entry = {"jobId": tried["jobId"], "hairstyleId": tried["hairstyleId"], "color": tried.get("color"), "at": stamp}
            item = {
                "userId": user_id,
                "itemKey": SESSION_PREFIX + photo_id,
                "photoId": photo_id,
                "tries": [entry, *tries][:MAX_TRIES],
                "startedAt": (live or {}).get("startedAt") or stamp,
                "updatedAt": stamp,
                "version": int((current or {}).get("version", 0)) + 1,
                "expiresAt": clock.epoch_seconds() + SESSION_SECONDS,
            }
            condition: dict[str, Any]
            if current is None:
                condition = {"ConditionExpression": "attribute_not_exists(itemKey)"}
            else:
                condition = {
                    "ConditionExpression": "#version = :read",
                    "ExpressionAttributeNames": {"#version": "version"},
                    "ExpressionAttributeValues": to_item({":read": current.get("version", 0)}),
                }
            try:
                self.client.put_item(TableName=self.table, Item=to_item(item), **condition)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                    continue  # another try-on of this photo wrote first: read it and add to it
                raise
            return item
        raise RuntimeError(f"the session of photo {photo_id} kept changing under {ATTEMPTS} writes")
