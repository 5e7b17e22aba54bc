"""The Settings service: the user's journal preferences and their categories.

A user who never saved settings gets the defaults, with the timezone of their platform profile (GET /me):
the journal's days are the user's days from the first entry.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from zik import clock
from zik.errors import InvalidRequest, VersionConflict
from zik.journal import text
from zik.journal.store import JournalStore, public
from zik.principal import Principal

DEFAULTS: dict[str, Any] = {
    "reminderTime": None,
    "aiInsightsEnabled": True,
    "defaultCategoryId": None,
    "promptCategories": [],
}
_SETTABLE = ("timezone", "reminderTime", "aiInsightsEnabled", "defaultCategoryId", "promptCategories")


def local_today(timezone: str) -> dt.date:
    return clock.today(timezone)


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidRequest(f"timezone {name!r} is not an IANA timezone (e.g. Europe/Paris)", field="timezone") from None
    return name


def new_category_id() -> str:
    return "c" + secrets.token_hex(6)


class Settings:
    def __init__(self, store: JournalStore, profiles: Any = None):
        self.store = store
        self._profiles = profiles

    def _profile_timezone(self, owner: Principal) -> str:
        if self._profiles is None:
            from zik.platform.store import ProfileStore

            self._profiles = ProfileStore()
        return (self._profiles.get(owner) or {}).get("timezone") or "UTC"

    def current(self, owner: Principal) -> dict[str, Any]:
        stored = self.store.settings(owner)
        if stored is None:
            return {**DEFAULTS, "timezone": self._profile_timezone(owner), "version": 0}
        view = {**DEFAULTS, **(public(stored) or {})}
        view.setdefault("timezone", "UTC")
        return view

    def update(self, owner: Principal, data: Mapping[str, Any]) -> dict[str, Any]:
        """Change the fields sent. With `version` the save happens only over that version (409 if
        stale); without it the change applies to the current settings."""
        values = {field: data[field] for field in _SETTABLE if field in data}  # None resets a field
        if values.get("timezone") is not None:
            check_timezone(values["timezone"])
        if values.get("promptCategories"):
            from zik.journal import prompts

            known = set(prompts.categories())
            unknown = [c for c in values["promptCategories"] if c not in known]
            if unknown:
                raise InvalidRequest(f"unknown prompt categories {unknown}; known: {sorted(known)}", field="promptCategories")
            values["promptCategories"] = list(dict.fromkeys(values["promptCategories"]))
        current = self.current(owner)
        expected = data.get("version", current["version"])
        if expected == 0:
            # The first save keeps every default explicitly, so a later read needs no profile.
            values = {**{k: v for k, v in current.items() if k in _SETTABLE}, **values}
            values = {k: v for k, v in values.items() if v is not None}
        elif expected != current["version"]:
            raise VersionConflict(expected, current["version"])
        saved = self.store.save_settings(owner, values, expected_version=expected)
        return {**DEFAULTS, **(public(saved) or {})}

    # -- categories -----------------------------------------------------------------------------------
    def categories(self, owner: Principal) -> dict[str, Any]:
        items = sorted((_category_view(c) for c in self.store.categories(owner)), key=lambda c: text.fold(c["name"]))
        return {"items": items}

    def create_category(self, owner: Principal, data: Mapping[str, Any]) -> dict[str, Any]:
        name = _name(data["name"])
        category = {"categoryId": new_category_id(), "name": name, "color": data.get("color"), "icon": data.get("icon")}
        saved = self.store.create_category(owner, {k: v for k, v in category.items() if v is not None}, text.fold(name))
        return _category_view(saved)

    def update_category(self, owner: Principal, category_id: str, data: Mapping[str, Any]) -> dict[str, Any]:
        changes = {field: data[field] for field in ("color", "icon") if field in data}
        folded = None
        if "name" in data:
            changes["name"] = _name(data["name"])
            folded = text.fold(changes["name"])
        return _category_view(self.store.update_category(owner, category_id, changes, folded))

    def delete_category(self, owner: Principal, category_id: str) -> dict[str, Any]:
        self.store.delete_category(owner, category_id)
        return {"categoryId": category_id, "deleted": True}


def _name(raw: str) -> str:
    name = " ".join(raw.split())
    if not name:
        raise InvalidRequest("name is empty", field="name")
    return name


def _category_view(item: Mapping[str, Any]) -> dict[str, Any]:
    view = public(item) or {}
    view.pop("nameKey", None)
    return view
