"""A user's time zone, as their profile says (the platform owns it), for the domains that count in the user's
own day (a quest's today, a day's try-ons): one profile read a minute per user and execution environment,
not one a request. UTC for a user without one."""

from __future__ import annotations

import time
from typing import Any

from zik.principal import Principal

REMEMBERED_SECONDS = 60


class ProfileZones:
    def __init__(self, profiles: Any = None):
        self._profiles = profiles
        self._remembered: dict[str, tuple[float, str]] = {}

    def of(self, owner: Principal) -> str:
        remembered = self._remembered.get(owner.partition)
        if remembered and remembered[0] > time.monotonic():
            return remembered[1]
        if self._profiles is None:
            from zik.platform.store import ProfileStore

            self._profiles = ProfileStore()
        profile = self._profiles.get(owner) or {}
        timezone = profile.get("timezone") or "UTC"
        self._remembered[owner.partition] = (time.monotonic() + REMEMBERED_SECONDS, timezone)
        return timezone

    def forget(self, owner: Principal) -> None:
        """The profile's zone changed: read it again next time."""
        self._remembered.pop(owner.partition, None)
