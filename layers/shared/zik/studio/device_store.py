"""A user's push devices and the record of each push, in the UserSessions table (SESSIONS_TABLE, pk
``userId``, sk ``itemKey``, TTL ``expiresAt``), beside the try-on sessions (itemKey SESSION#...).

Items:
  device        userId=<user>          itemKey DEVICE#<deviceId>              platform, token, appVersion,
                                                                              endpointArn (absent without SNS),
                                                                              createdAt, updatedAt; no TTL
  token owner   userId=TOKEN#<deviceId> itemKey OWNER                         ownerId: the one user a push
                                                                              token (an app install) belongs to
  push record   userId=<user>          itemKey PUSH#<jobId>#<deviceId>        state (claimed, sent, skipped,
                                                                              device_removed), claimedAt,
                                                                              messageId; expires after 14 days
  erased        userId=<user>          itemKey ERASED                         the user was erased (zik.dynamo)

A device id is a hash of its token, so a token registered twice is one device. A token registered by a
second user (a phone that changed hands, a shared tablet) moves to that user: the token's owner item says
whose it is now, and the previous owner's device item goes, so that the previous owner's try-ons are never
pushed to a phone that is no longer theirs. The owner item's partition (TOKEN#...) cannot be a user's:
user ids never hold '#'.

Access patterns:
  a user's devices (register, push, export, erasure)   Query userId=<user>, begins_with(itemKey, DEVICE#)
  one device (DELETE /studio/devices/{deviceId})       GetItem
  a token's owner                                      PutItem / DeleteItem TOKEN#<deviceId> OWNER
  a push already made for a job and a device           conditional PutItem PUSH#<jobId>#<deviceId>
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from zik import clock, config
from zik.dynamo import Table, from_item, item_of_failed_condition, to_item

DEVICE_PREFIX = "DEVICE#"
PUSH_PREFIX = "PUSH#"
SESSION_PREFIX = "SESSION#"
TOKEN_PARTITION_PREFIX = "TOKEN#"
OWNER = "OWNER"
# Longer than a message can live in NotificationQueue and its DLQ (14 days, SQS's most): a message
# delivered again, or redriven from the DLQ, still finds the record of the push it made.
PUSH_RECORD_SECONDS = 14 * 86400

CLAIMED, SENT, SKIPPED, DEVICE_REMOVED, REFUSED = "claimed", "sent", "skipped", "device_removed", "refused"


def device_id_of(token: str) -> str:
    """The device's id: a hash of its push token (the token itself is a credential of sorts: it never
    appears in a path or a log line)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:32]


def device_key(device_id: str) -> str:
    return DEVICE_PREFIX + device_id


def push_key(job_id: str, device_id: str) -> str:
    return f"{PUSH_PREFIX}{job_id}#{device_id}"


def sessions_table() -> Table:
    return Table(config.require("SESSIONS_TABLE")["SESSIONS_TABLE"], pk="userId", sk="itemKey")


class DeviceStore:
    def __init__(self, table: Table | None = None):
        self.table = table or sessions_table()

    # -- devices --------------------------------------------------------------------------------------
    def get(self, user_id: str, device_id: str) -> dict[str, Any] | None:
        return self.table.get(user_id, device_key(device_id))

    def list(self, user_id: str) -> list[dict[str, Any]]:
        return list(self.table.iterate(user_id, sk_prefix=DEVICE_PREFIX, consistent=True))

    def put(self, user_id: str, device_id: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Write the device (a registration again keeps its createdAt); a field given as None is removed
        (an endpoint that is no more)."""
        stamp = clock.now_iso()
        names = {"#createdAt": "createdAt", "#updatedAt": "updatedAt", "#deviceId": "deviceId"}
        values: dict[str, Any] = {":now": stamp, ":deviceId": device_id}
        sets = ["#createdAt = if_not_exists(#createdAt, :now)", "#updatedAt = :now", "#deviceId = :deviceId"]
        removals = []
        for index, (name, value) in enumerate(fields.items()):
            names[f"#f{index}"] = name
            if value is None:
                removals.append(f"#f{index}")
            else:
                values[f":f{index}"] = value
                sets.append(f"#f{index} = :f{index}")
        answer = self.table.client.update_item(
            TableName=self.table.name,
            Key=self.table.key(user_id, device_key(device_id)),
            UpdateExpression="SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removals) if removals else ""),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=to_item(values),
            ReturnValues="ALL_NEW",
        )
        return from_item(answer["Attributes"])

    def delete(self, user_id: str, device_id: str) -> dict[str, Any] | None:
        return self.table.delete(user_id, device_key(device_id))

    # -- a token's one owner ----------------------------------------------------------------------------
    def take_token(self, user_id: str, device_id: str) -> str | None:
        """Make ``user_id`` the token's owner; the owner it had before (None when it had none)."""
        answer = self.table.client.put_item(
            TableName=self.table.name,
            Item=to_item({"userId": TOKEN_PARTITION_PREFIX + device_id, "itemKey": OWNER, "ownerId": user_id, "updatedAt": clock.now_iso()}),
            ReturnValues="ALL_OLD",
        )
        old = answer.get("Attributes") or {}
        return old.get("ownerId", {}).get("S")

    def owner_of(self, device_id: str) -> str | None:
        item = self.table.get(TOKEN_PARTITION_PREFIX + device_id, OWNER)
        return item.get("ownerId") if item else None

    def release_token(self, user_id: str, device_id: str) -> bool:
        """Forget the token's owner if it is still ``user_id`` (another user may have taken it since)."""
        try:
            self.table.client.delete_item(
                TableName=self.table.name,
                Key=self.table.key(TOKEN_PARTITION_PREFIX + device_id, OWNER),
                ConditionExpression="ownerId = :me",
                ExpressionAttributeValues=to_item({":me": user_id}),
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    # -- the record of each push ------------------------------------------------------------------------
    def claim_push(self, user_id: str, job_id: str, device_id: str, *, stale_after_seconds: int) -> dict[str, Any] | None:
        """Claim the push of a job to a device before it is published: None for the one caller that may
        publish it, else the record that stands in the way (sent, skipped or removed: done; claimed: being
        sent by another delivery of the same message). A claim older than ``stale_after_seconds`` (its
        invocation died before it published or released it) is taken over."""
        now = clock.epoch_seconds()
        try:
            self.table.client.put_item(
                TableName=self.table.name,
                Item=to_item(
                    {
                        "userId": user_id,
                        "itemKey": push_key(job_id, device_id),
                        "jobId": job_id,
                        "deviceId": device_id,
                        "state": CLAIMED,
                        "claimedAt": now,
                        "expiresAt": now + PUSH_RECORD_SECONDS,
                    }
                ),
                ConditionExpression="attribute_not_exists(itemKey) OR (#state = :claimed AND claimedAt < :stale)",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues=to_item({":claimed": CLAIMED, ":stale": now - stale_after_seconds}),
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return from_item(item_of_failed_condition(exc) or {"state": {"S": CLAIMED}})
            raise
        return None

    def record_push(self, user_id: str, job_id: str, device_id: str, state: str, *, message_id: str | None = None) -> None:
        """The push's outcome, over its claim (or, for a device without an endpoint, a first record)."""
        now = clock.epoch_seconds()
        item = {
            "userId": user_id,
            "itemKey": push_key(job_id, device_id),
            "jobId": job_id,
            "deviceId": device_id,
            "state": state,
            "recordedAt": clock.now_iso(),
            "messageId": message_id,
            "expiresAt": now + PUSH_RECORD_SECONDS,
        }
        self.table.client.put_item(TableName=self.table.name, Item=to_item(item))

    def push_record(self, user_id: str, job_id: str, device_id: str) -> dict[str, Any] | None:
        return self.table.get(user_id, push_key(job_id, device_id))

    def release_push(self, user_id: str, job_id: str, device_id: str) -> None:
        """Give up a claim whose publish failed, so that the message's next delivery pushes again."""
        try:
            self.table.client.delete_item(
                TableName=self.table.name,
                Key=self.table.key(user_id, push_key(job_id, device_id)),
                ConditionExpression="#state = :claimed",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues=to_item({":claimed": CLAIMED}),
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
