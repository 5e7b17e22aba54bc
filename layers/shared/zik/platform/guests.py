"""Guests: users an app signed in without an account (POST /guests), until they upgrade (POST /me/upgrade)
or stay away for 30 days, when they are erased through the platform's user deletion path.

A guest is a Cognito user of the one user pool, with a generated address on a domain that cannot receive
mail (``.invalid``, RFC 2606) and a generated secret, in the ``guests`` group. Being the same kind of user,
a guest who upgrades keeps their ``sub`` and with it every item they own: nothing is copied.

Access patterns (UsersTable, next to the profile):
  mark a guest               PutItem   pk=TENANT#<t>#USER#<u>  sk=GUEST  {guestShard, lastActiveAt, createdAt,
                             identityId (their identity pool identity: the files the erasure empties)}
  is the user a guest?       GetItem   pk, sk=GUEST
  a guest was active today   UpdateItem SET lastActiveAt if it is older than today's start (UTC): one write a
                             day a guest (an API function remembers it wrote, so at most one attempt a day per
                             container)
  guests inactive 30 days    Query GuestsByActivity  guestShard=GUESTS#<nn>  lastActiveAt < cutoff (sparse: only
                             GUEST items carry guestShard; 16 shards so that no partition of the index is hot;
                             the index projects identityId)
  upgraded                   DeleteItem pk, sk=GUEST (the account stays)

And in AITable, the AI budget's plan: pk=TENANT#<t>#USER#<u>, sk=PLAN, {plan: guest} while the user is a
guest, read by zik.ai.budget for calls made off a request (a workflow, a consumer), which carry no token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import string
from collections.abc import Iterator
from typing import Any

from zik import clock, config
from zik.dynamo import Table, to_item
from zik.principal import Principal

GUEST = "GUEST"
USERS_GROUP = "users"
INDEX = "GuestsByActivity"
SHARDS = 16
INACTIVE_DAYS = 30
# Addresses under .invalid can never be delivered: a guest's is only the user pool's required e-mail.
GUEST_DOMAIN = "guest.zik.invalid"
GUEST_NAME = "Guest"
PLAN = "PLAN"


def new_credentials() -> tuple[str, str]:
    """A guest's generated username (an address no mail reaches) and secret (which any password policy of
    the pool accepts: 40 random characters with upper and lower case letters, digits and a symbol)."""
    username = f"guest-{secrets.token_hex(12)}@{GUEST_DOMAIN}"
    alphabet = string.ascii_letters + string.digits
    body = "".join(secrets.choice(alphabet) for _ in range(36))
    return username, f"{body}Zk7-"


def shard_of(user_id: str) -> str:
    number = int.from_bytes(hashlib.sha256(user_id.encode()).digest()[:2], "big") % SHARDS
    return f"GUESTS#{number:02d}"


def shards() -> list[str]:
    return [f"GUESTS#{n:02d}" for n in range(SHARDS)]


def inactive_cutoff(now: dt.datetime) -> str:
    """Guests last active before this instant have been away ``INACTIVE_DAYS`` days."""
    return clock.iso(now - dt.timedelta(days=INACTIVE_DAYS))


def _day_start(now: dt.datetime) -> str:
    return clock.iso(dt.datetime.combine(now.astimezone(dt.UTC).date(), dt.time(), tzinfo=dt.UTC))


class Guests:
    def __init__(self, table: Table | None = None):
        self.table = table or Table(config.require("USERS_TABLE")["USERS_TABLE"])
        self._touched: dict[str, str] = {}  # partition -> the UTC day this process last marked it active

    def register_request(self, owner: Principal, identity_id: str | None = None) -> dict[str, Any]:
        """The write that marks ``owner`` a guest (a transaction item: with the start of their onboarding),
        with their identity in the identity pool, whose files go when the sweep erases them."""
        now = clock.now_iso()
        item = {"pk": owner.partition, "sk": GUEST, "guestShard": shard_of(owner.user_id), "createdAt": now, "lastActiveAt": now}
        if identity_id:
            item["identityId"] = identity_id
        return {"Put": {"TableName": self.table.name, "Item": to_item(item)}}

    def is_guest(self, owner: Principal) -> bool:
        return self.table.get(owner.partition, GUEST) is not None

    def touch(self, owner: Principal) -> bool:
        """Mark the guest active today; True when this call wrote. Nothing is written for a user who is not
        (or no longer) a guest, nor twice a day by one process."""
        now = clock.now()
        today = _day_start(now)
        if self._touched.get(owner.partition) == today:
            return False
        client = self.table.client
        try:
            client.update_item(
                TableName=self.table.name,
                Key=self.table.key(owner.partition, GUEST),
                UpdateExpression="SET lastActiveAt = :now",
                ConditionExpression="attribute_exists(pk) AND lastActiveAt < :today",
                ExpressionAttributeValues={":now": {"S": clock.iso(now)}, ":today": {"S": today}},
            )
        except client.exceptions.ConditionalCheckFailedException:
            wrote = False
        else:
            wrote = True
        self._touched[owner.partition] = today
        return wrote

    def forget_request(self, owner: Principal) -> dict[str, Any]:
        """The write that ends ``owner``'s being a guest (their upgrade, or their erasure)."""
        return {"Delete": {"TableName": self.table.name, "Key": self.table.key(owner.partition, GUEST)}}

    def forget(self, owner: Principal) -> None:
        self.table.client.delete_item(TableName=self.table.name, Key=self.table.key(owner.partition, GUEST))

    def inactive(self, shard: str, cutoff: str, *, page_size: int = 100) -> Iterator[tuple[Principal, str | None]]:
        """The guests of ``shard`` last active before ``cutoff``, oldest first, a page at a time, each with
        their identity in the identity pool (None if they have none)."""
        request: dict[str, Any] = {
            "TableName": self.table.name,
            "IndexName": INDEX,
            "KeyConditionExpression": "guestShard = :shard AND lastActiveAt < :cutoff",
            "ExpressionAttributeValues": {":shard": {"S": shard}, ":cutoff": {"S": cutoff}},
            "ProjectionExpression": "pk, identityId",
            "Limit": page_size,
        }
        while True:
            answer = self.table.client.query(**request)
            for item in answer.get("Items", []):
                yield owner_of_partition(item["pk"]["S"]), (item.get("identityId") or {}).get("S")
            if "LastEvaluatedKey" not in answer:
                return
            request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


def owner_of_partition(partition: str) -> Principal:
    _, tenant, _, user = partition.split("#", 3)
    return Principal(user_id=user, tenant_id=tenant)


class GuestPlans:
    """The AI budget's plan of each user, in AITable: present (``guest``) while the user is a guest."""

    def __init__(self, table: Table | None = None):
        self.table = table or Table(config.require("AI_TABLE")["AI_TABLE"])

    def held_by(self, owner: Principal) -> bool:
        """Whether ``owner`` has a guest's plan (one read of its key)."""
        answer = self.table.client.get_item(TableName=self.table.name, Key=self.table.key(owner.partition, PLAN), ProjectionExpression="pk")
        return "Item" in answer

    def mark(self, owner: Principal) -> None:
        self.table.client.put_item(TableName=self.table.name, Item={**self.table.key(owner.partition, PLAN), "plan": {"S": "guest"}})

    def clear(self, owner: Principal) -> None:
        self.table.client.delete_item(TableName=self.table.name, Key=self.table.key(owner.partition, PLAN))
