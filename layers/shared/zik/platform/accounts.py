"""Erasing a user (DELETE /me), in UsersTable next to their profile.

The erasure item (sk ERASURE) is written first, in one transaction with the profile's deletion: from that
moment the account is unusable (``refuse_if_erased``: every API request of the user is a 401, while their
tokens live on) and its UserDeleted event leaves through the table's stream. Each domain erases its own
data from that event, through its own queue, a page at a time (zik.erasure), and reports here; when every
domain has, the erasure is ``erased``. The item stays (no personal data in it) until its time to live
ends, long after any token of the user has expired, so a late token is still refused.

  erasure of a user    GetItem pk=TENANT#<t>#USER#<u>, sk=ERASURE     (the check: one read, projected)
  a domain's report    UpdateItem domains.<domain>, erased.<domain>   (then, once all are done, status)
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from zik import clock, config
from zik.dynamo import Table, TransactionFailed, from_item, to_item, transact
from zik.errors import Unauthorized
from zik.platform.guests import Guests
from zik.platform.store import PROFILE
from zik.principal import Principal

ERASURE = "ERASURE"
KEEP_DAYS = 30  # longer than any token lives: a token of an erased user is refused, not a new account
# The domains that erase a user's data on UserDeleted, each through its own queue (zik.erasure): the user-data
# hooks MeFunction registers (its integration test holds the two equal), named here for the functions that
# begin an erasure without registering every domain's hooks (the guests' inactivity sweep).
ERASING_DOMAINS = ("career", "exports", "journal", "points", "quests", "studio")


class AccountErased(Unauthorized):
    """The account is being erased or was: its tokens open nothing any more."""


class Accounts:
    def __init__(self, table: Table | None = None):
        self.table = table or Table(config.require("USERS_TABLE")["USERS_TABLE"])

    def begin_erasure(
        self, owner: Principal, domains: Iterable[str], *, guest_inactive_before: str | None = None, identity_id: str | None = None
    ) -> dict[str, Any] | None:
        """Start erasing the user (or answer the erasure already started): the erasure item and the
        profile's deletion, in one transaction. With ``guest_inactive_before`` (the inactivity sweep), only
        a guest last active before that instant is erased: None when they came back meanwhile, or upgraded.
        ``identity_id``: the user's identity in the identity pool, whose files the studio's erasure empties."""
        stamp = clock.now()
        item = {
            "pk": owner.partition,
            "sk": ERASURE,
            "erasureId": "e" + secrets.token_hex(8),
            "status": "erasing",
            "requestedAt": clock.iso(stamp),
            "domains": {domain: "erasing" for domain in sorted(domains)},
            "erased": {domain: 0 for domain in sorted(domains)},
            "expiresAt": int(stamp.timestamp()) + KEEP_DAYS * 86400,
        }
        if identity_id:
            item["identityId"] = identity_id
        writes = [
            {"Put": {"TableName": self.table.name, "Item": to_item(item), "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Delete": {"TableName": self.table.name, "Key": self.table.key(owner.partition, PROFILE)}},
            # A guest's mark goes too: the inactivity sweep, which may have begun this erasure, is done with them.
            Guests(self.table).forget_request(owner),
        ]
        if guest_inactive_before is not None:
            writes[2]["Delete"].update(
                ConditionExpression="lastActiveAt < :cutoff", ExpressionAttributeValues={":cutoff": {"S": guest_inactive_before}}
            )
        try:
            transact(self.table.client, writes)
        except TransactionFailed as failure:
            if guest_inactive_before is not None and failure.failed(2):
                return None
            if not failure.failed(0):
                raise
            existing = self.erasure(owner)
            assert existing is not None
            return existing
        return view(item)

    def erasure(self, owner: Principal) -> dict[str, Any] | None:
        item = self.table.get(owner.partition, ERASURE)
        return view(item) if item else None

    def refuse_if_erased(self, owner: Principal) -> None:
        """The check every API request of the user passes (an eventually consistent read of one small
        item: a request in flight when the erasure began finishes within the 29 s the erasers wait)."""
        answer = self.table.client.get_item(
            TableName=self.table.name,
            Key=self.table.key(owner.partition, ERASURE),
            ProjectionExpression="#s",
            ExpressionAttributeNames={"#s": "status"},
        )
        if "Item" in answer:
            raise AccountErased("this account was deleted (DELETE /me): sign up again to use zik")

    def profile(self, owner: Principal) -> dict[str, Any] | None:
        """The user's profile, refused (AccountErased) when the account is being erased: the check and the
        read of GET /me in one query (the profile and the erasure items are in one partition)."""
        answer = self.table.client.query(
            TableName=self.table.name,
            KeyConditionExpression="pk = :pk AND sk BETWEEN :erasure AND :profile",
            ExpressionAttributeValues=to_item({":pk": owner.partition, ":erasure": ERASURE, ":profile": PROFILE}),
            ConsistentRead=True,
        )
        items = {item["sk"]: item for item in map(from_item, answer.get("Items", []))}
        if ERASURE in items:
            raise AccountErased("this account was deleted (DELETE /me): sign up again to use zik")
        profile = items.get(PROFILE)
        return {key: value for key, value in profile.items() if key not in ("pk", "sk", "changed")} if profile else None

    def report(self, owner: Principal, domain: str, erased: int, *, done: bool) -> dict[str, Any] | None:
        """A domain erased ``erased`` more items (and, ``done``, all of them). The erasure as it is now; None
        when there is none (a message about an erasure that expired)."""
        names = {"#d": domain, "#erased": "erased"}
        expression = "ADD #erased.#d :n"
        values: dict[str, Any] = {":n": erased}
        if done:
            expression = "SET #domains.#d = :done " + expression
            names["#domains"] = "domains"
            values[":done"] = "erased"
        try:
            answer = self.table.client.update_item(
                TableName=self.table.name,
                Key=self.table.key(owner.partition, ERASURE),
                UpdateExpression=expression,
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=to_item(values),
                ReturnValues="ALL_NEW",
            )
        except self.table.client.exceptions.ConditionalCheckFailedException:
            return None
        current = from_item(answer["Attributes"])
        if current["status"] == "erasing" and all(state == "erased" for state in current["domains"].values()):
            return self._finish(owner) or view(current)
        return view(current)

    def _finish(self, owner: Principal) -> dict[str, Any] | None:
        try:
            answer = self.table.client.update_item(
                TableName=self.table.name,
                Key=self.table.key(owner.partition, ERASURE),
                UpdateExpression="SET #s = :erased, completedAt = :at",
                ConditionExpression="#s = :erasing",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=to_item({":erased": "erased", ":erasing": "erasing", ":at": clock.now_iso()}),
                ReturnValues="ALL_NEW",
            )
        except self.table.client.exceptions.ConditionalCheckFailedException:
            return None  # another domain's report finished it
        return view(from_item(answer["Attributes"]))


def view(item: Mapping[str, Any]) -> dict[str, Any]:
    return {key: item[key] for key in ("erasureId", "status", "requestedAt", "completedAt", "domains", "erased", "identityId") if key in item}
