"""The Settings service: the user's journal preferences and their categories.

The timezone has one owner, the platform profile (PUT /me): the settings show the profile's, read in the
same round trip as the settings (one BatchGetItem over both tables), and a PUT /settings that sends a
timezone changes the profile's (its UserProfileUpdated tells the domains that keep a copy). So the
journal's days are always the user's days, whichever of the two they set it through.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any
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

    @property
    def profiles(self) -> Any:
        if self._profiles is None:
            from zik.platform.store import ProfileStore

            self._profiles = ProfileStore()
        return self._profiles

    def current(self, owner: Principal) -> dict[str, Any]:
        stored, profile = self.store.settings_with_profile(owner, self.profiles.table)
        view = {**DEFAULTS, **(public(stored) or {"version": 0})}
        view["timezone"] = (profile or {}).get("timezone") or "UTC"
        return view

    def _move_timezone(self, owner: Principal, timezone: str) -> None:
        """The profile's timezone, changed as PUT /me would (its event tells the other domains)."""
        from zik.platform import profiles as rules

        current = self.profiles.get(owner) or rules.default_profile(owner)
        if current.get("timezone") == timezone:
            return
        merged = rules.apply_update(current, {"timezone": timezone})
        self.profiles.save(owner, merged, expected_version=current["version"], changed=rules.changed_fields(current, merged))

    def update(self, owner: Principal, data: Mapping[str, Any]) -> dict[str, Any]:
        """Change the fields sent. With `version` the save happens only over that version (409 if
        stale); without it the change applies to the current settings."""
        values = {field: data[field] for field in _SETTABLE if field in data}  # None resets a field
        timezone = values.pop("timezone", None)
        if timezone is not None:
            check_timezone(timezone)
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
            # The first save keeps every default explicitly.
            values = {**{k: v for k, v in current.items() if k in _SETTABLE and k != "timezone"}, **values}
            values = {k: v for k, v in values.items() if v is not None}
        elif expected != current["version"]:
            raise VersionConflict(expected, current["version"])
        saved = self.store.save_settings(owner, values, expected_version=expected)
        if timezone is not None:
            self._move_timezone(owner, timezone)
        view = {**DEFAULTS, **(public(saved) or {})}
        view["timezone"] = timezone or current["timezone"]
        return view

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
