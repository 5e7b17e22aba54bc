"""What a committed change of UsersTable means: the platform's domain events, read from the change stream
(see ``zik.streams``). Pure: an item before and after in, events out.

  a profile saved (its version moved)   UserProfileUpdated (the fields the save changed, kept on the item)
"""

from __future__ import annotations

from typing import Iterator

from zik.platform.store import PROFILE
from zik.streams import Change, Event

DOMAIN = "platform"


def events_of(change: Change) -> Iterator[Event]:
    if change.sk == PROFILE and change.kind in ("INSERT", "MODIFY") and change.changed("version"):
        profile = change.item
        yield Event(
            "UserProfileUpdated", DOMAIN,
            {"version": int(profile["version"]), "changed": list(profile.get("changed") or []), "timezone": profile.get("timezone") or "UTC"},
        )
