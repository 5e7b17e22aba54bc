"""Profiles in DynamoDB (UsersTable).

Access patterns (see template.yaml, UsersTable):
  - read one user's profile            GetItem  pk=TENANT#<t>#USER#<u>, sk=PROFILE
  - start it (first GET or PUT /me)    UpdateItem SET onboarding if it has none, in one transaction with a
                                       check that the account is not being erased (no ERASURE item)
  - save it (PUT /me)                  UpdateItem if version = the one the client read (0: never saved,
                                       maybe started), the onboarding steps the save completes in the same write
  - mark an onboarding step done       UpdateItem SET onboarding.steps.<step> if not done or done later
                                       (from another domain's event); the version does not move
  - erase it with the user             DeleteItem

An item started but never saved holds only its onboarding (no version): read, it is the default profile at
version 0 with that onboarding. Only a save moves the version, so only a save is a UserProfileUpdated.

The item: {userId, tenantId, email, displayName, timezone, locale, preferences, interests, version,
createdAt, updatedAt, changed (the fields the last save changed, for its event), onboarding: {startedAt,
steps: {<step>: <ISO instant>}}} (see zik.platform.onboarding).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from zik import clock, config
from zik.dynamo import Table, TransactionFailed, to_item, transact, update_or_old
from zik.errors import VersionConflict
from zik.platform import onboarding, profiles
from zik.principal import Principal

PROFILE = "PROFILE"
_STORED = ("userId", "tenantId", "email", "displayName", "timezone", "locale", "preferences", "interests")
_ONBOARDING = {"#onb": "onboarding", "#steps": "steps"}


class ProfileStore:
    def __init__(self, table: Table | None = None):
        self.table = table or Table(config.require("USERS_TABLE")["USERS_TABLE"])

    def get(self, owner: Principal) -> dict[str, Any] | None:
        item = self.table.get(owner.partition, PROFILE)
        return complete(owner, item) if item else None

    def save(
        self,
        owner: Principal,
        profile: Mapping[str, Any],
        expected_version: int,
        *,
        changed: list[str],
        steps: Iterable[str] = (),
    ) -> dict[str, Any]:
        """Create (expected_version 0: never saved, though it may be started) or update (the stored version
        must still be expected_version) the profile, and mark the onboarding ``steps`` done now if they were
        not, in the same write. ``changed`` (the fields this save changes) is kept on the item for its
        UserProfileUpdated event."""
        steps = list(steps)
        for attempt in range(2):
            written, old = update_or_old(self.table.client, self._save_request(owner, profile, expected_version, changed, steps))
            if written is not None:
                return complete(owner, written)
            stored = int((old or {}).get("version") or 0)
            if stored != expected_version or attempt:
                raise VersionConflict(expected_version, stored if old else None)
            # The version holds: the onboarding its steps go into is missing (no item yet, or a profile
            # saved before onboarding existed). Start it, then save again.
            if not self.start(owner):
                from zik.platform.accounts import AccountErased

                raise AccountErased("this account was deleted (DELETE /me): sign up again to use zik")
        raise AssertionError("unreachable")

    def _save_request(
        self, owner: Principal, profile: Mapping[str, Any], expected_version: int, changed: list[str], steps: list[str]
    ) -> dict[str, Any]:
        values = {**{key: profile.get(key) for key in _STORED}, "changed": changed}
        request = self.table.update_request(owner.partition, PROFILE, values, expected_version=expected_version or None)
        names, sets = request["ExpressionAttributeNames"], ["#createdAt = if_not_exists(#createdAt, :updatedAt)"]
        names["#createdAt"] = "createdAt"
        conditions = []
        if expected_version == 0:  # never saved: there is no item, or one only started
            del names["#pk"]
            conditions.append("attribute_not_exists(#version)")
        else:
            conditions.append(request["ConditionExpression"])
        if steps:
            names.update(_ONBOARDING)
            conditions.append("attribute_exists(#onb.#steps)")
            request["ExpressionAttributeValues"].update(to_item({":stepDone": clock.now_iso()}))
            for number, step in enumerate(steps):
                names[f"#step{number}"] = step
                sets.append(f"#onb.#steps.#step{number} = if_not_exists(#onb.#steps.#step{number}, :stepDone)")
        request["UpdateExpression"] = request["UpdateExpression"].replace("SET ", "SET " + ", ".join(sets) + ", ", 1)
        request["ConditionExpression"] = " AND ".join(f"({condition})" for condition in conditions)
        return request

    def start(
        self, owner: Principal, at: str | None = None, done: Mapping[str, str] | None = None, *, with_writes: Iterable[Mapping[str, Any]] = ()
    ) -> bool:
        """Start the user's onboarding (creating the profile item if there is none) unless it has started:
        True once it has, False when the account is being erased (nothing is written then). ``with_writes``
        (transaction items, such as a new guest's mark) are written in the same transaction as the start."""
        stamp = clock.now_iso()
        try:
            self._start(owner, onboarding.started(at or stamp, done), stamp, list(with_writes))
        except TransactionFailed as failure:
            if failure.failed(0):
                return False
            if not failure.failed(1):
                raise
        return True

    def _start(self, owner: Principal, record: Mapping[str, Any], stamp: str, with_writes: Sequence[Mapping[str, Any]]) -> None:
        # Imported here: accounts reads this module's PROFILE.
        from zik.platform.accounts import ERASURE

        transact(
            self.table.client,
            [
                {
                    "ConditionCheck": {
                        "TableName": self.table.name,
                        "Key": self.table.key(owner.partition, ERASURE),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {
                    "Update": {
                        "TableName": self.table.name,
                        "Key": self.table.key(owner.partition, PROFILE),
                        "UpdateExpression": "SET #onb = :onb, #createdAt = if_not_exists(#createdAt, :now)",
                        "ConditionExpression": "attribute_not_exists(#onb)",
                        "ExpressionAttributeNames": {"#onb": "onboarding", "#createdAt": "createdAt"},
                        "ExpressionAttributeValues": to_item({":onb": dict(record), ":now": stamp}),
                    }
                },
                *with_writes,
            ],
        )

    def mark(self, owner: Principal, step: str, at: str) -> str:
        """Record onboarding ``step`` done ``at`` (an event's time), unless it was done as early or earlier:
        a redelivered event, or events out of order, change nothing more. Starts the onboarding (at ``at``)
        if it had not started. Answers ``marked``, ``already`` or ``erased`` (the account is being erased:
        nothing written)."""
        if step not in onboarding.STEPS:
            raise ValueError(f"no onboarding step {step!r}")
        when = onboarding.instant(at)
        for _ in range(3):
            written, old = update_or_old(
                self.table.client,
                {
                    "TableName": self.table.name,
                    "Key": self.table.key(owner.partition, PROFILE),
                    "UpdateExpression": "SET #onb.#steps.#step = :at",
                    "ConditionExpression": "attribute_exists(#onb.#steps) AND (attribute_not_exists(#onb.#steps.#step) OR #onb.#steps.#step > :at)",
                    "ExpressionAttributeNames": {**_ONBOARDING, "#step": step},
                    "ExpressionAttributeValues": to_item({":at": when}),
                },
            )
            if written is not None:
                return "marked"
            if "steps" in ((old or {}).get("onboarding") or {}):
                return "already"
            try:
                self._start(owner, onboarding.started(when, {step: when}), clock.now_iso(), [])
            except TransactionFailed as failure:
                if failure.failed(0):
                    return "erased"
                if not failure.failed(1):
                    raise
                continue  # started meanwhile: mark it in what was started
            return "marked"
        raise RuntimeError(f"the onboarding of {owner.partition} kept moving while {step} was marked")

    def erase(self, owner: Principal) -> int:
        return 1 if self.table.delete(owner.partition, PROFILE) else 0


def complete(owner: Principal, item: Mapping[str, Any]) -> dict[str, Any]:
    """A stored profile as the API reads it: the defaults under what it holds (an item only started holds
    no more than its onboarding: the default profile, at version 0), without its keys, its interests (none
    chosen: []) and its onboarding as steps with the next one to do (zik.platform.onboarding.view)."""
    profile = {**profiles.default_profile(owner), **_public(item)}
    profile["interests"] = list(profile.get("interests") or [])
    profile["onboarding"] = onboarding.view(profile.get("onboarding"))
    return profile


def _public(item: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in item.items() if key not in ("pk", "sk", "changed")}
