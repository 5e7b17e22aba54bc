"""Profile rules: defaults, merging an update, checking the timezone. No AWS in here.

A profile's onboarding (which steps the user has done) is zik.platform.onboarding's."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from zik.errors import InvalidRequest, VersionConflict
from zik.principal import Principal

DEFAULT_PREFERENCES: dict[str, Any] = {
    "theme": "system",
    "weekStartsOn": "monday",
    "units": "metric",
    "notifications": {"email": True, "push": True, "dailyDigest": False},
}


def default_profile(owner: Principal) -> dict[str, Any]:
    """What a user who never saved a profile sees: claims plus defaults, at version 0."""
    return {
        "userId": owner.user_id,
        "tenantId": owner.tenant_id,
        "email": owner.email,
        "displayName": owner.name or (owner.email.split("@")[0] if owner.email else None),
        "timezone": "UTC",
        "locale": "en",
        "preferences": copy.deepcopy(DEFAULT_PREFERENCES),
        "version": 0,
    }


def check_timezone(name: str) -> str:
    if name.upper() == "UTC":
        return "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidRequest(f"timezone {name!r} is not an IANA timezone such as 'Europe/Paris'", field="timezone") from None
    if name not in _known_timezones():
        raise InvalidRequest(f"timezone {name!r} is not an IANA timezone such as 'Europe/Paris'", field="timezone")
    return name


@cache
def _known_timezones() -> frozenset[str]:
    # Reading the tz database's index costs tens of milliseconds: once per execution environment.
    return frozenset(available_timezones())


def apply_update(current: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """Merge a validated ``PUT /me`` body into the current profile; preferences merge key by key."""
    expected = update.get("version")
    if expected is not None and expected != current.get("version", 0):
        raise VersionConflict(expected, current.get("version", 0))
    merged = dict(current)
    for key in ("displayName", "locale"):
        if key in update:
            merged[key] = update[key]
    if "timezone" in update:
        merged["timezone"] = check_timezone(update["timezone"])
    if "preferences" in update:
        merged["preferences"] = _merge(current.get("preferences") or {}, update["preferences"])
    if "interests" in update:
        merged["interests"] = list(update["interests"])  # the schema's known ids, each once
    return merged


FIELDS = ("displayName", "locale", "timezone", "preferences", "interests")


@cache
def event_fields() -> frozenset[str]:
    """The fields UserProfileUpdated's ``changed`` may name: its schema's list (its one owner)."""
    from zik import schemas

    return frozenset(schemas.load("events", "UserProfileUpdated")["properties"]["changed"]["items"]["enum"])


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """The fields a save changes, as its UserProfileUpdated names them."""
    return sorted(key for key in FIELDS if key in event_fields() and before.get(key) != after.get(key))


def differs(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """Whether a save would change any field of the profile (interests included)."""
    return any(before.get(key) != after.get(key) for key in FIELDS)


def _merge(base: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(dict(base))
    for key, value in patch.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged
