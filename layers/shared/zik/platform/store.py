"""Profiles in DynamoDB (UsersTable).

Access patterns (see template.yaml, UsersTable):
  - read one user's profile            GetItem  pk=TENANT#<t>#USER#<u>, sk=PROFILE
  - create it on the first save        PutItem  if the key does not exist
  - save it again                      UpdateItem if version = the one the client read
  - erase it with the user             DeleteItem
"""

from __future__ import annotations

from typing import Any, Mapping

from zik import config
from zik.dynamo import Table
from zik.errors import Conflict, VersionConflict
from zik.principal import Principal

PROFILE = "PROFILE"
_STORED = ("userId", "tenantId", "email", "displayName", "timezone", "locale", "preferences")


class ProfileStore:
    def __init__(self, table: Table | None = None):
        self.table = table or Table(config.require("USERS_TABLE")["USERS_TABLE"])

    def get(self, owner: Principal) -> dict[str, Any] | None:
        item = self.table.get(owner.partition, PROFILE)
        return _public(item) if item else None

    def save(self, owner: Principal, profile: Mapping[str, Any], expected_version: int, *, changed: list[str]) -> dict[str, Any]:
        """Create (expected_version 0) or update (the stored version must still be expected_version).
        ``changed`` (the fields this save changes) is kept on the item for its UserProfileUpdated event."""
        values = {**{key: profile.get(key) for key in _STORED}, "changed": changed}
        if expected_version == 0:
            try:
                return _public(self.table.create({"pk": owner.partition, "sk": PROFILE, **values}))
            except Conflict:
                # Someone saved first: treat this as the update of a version the caller never read.
                stored = self.table.get(owner.partition, PROFILE) or {}
                raise VersionConflict(0, stored.get("version")) from None
        return _public(self.table.update(owner.partition, PROFILE, values, expected_version=expected_version))

    def erase(self, owner: Principal) -> int:
        return 1 if self.table.delete(owner.partition, PROFILE) else 0


def _public(item: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in item.items() if key not in ("pk", "sk", "changed")}
