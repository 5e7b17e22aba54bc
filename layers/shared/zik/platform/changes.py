"""What a committed change of UsersTable means: the platform's domain events, read from the change stream
(see ``zik.streams``). Pure: an item before and after in, events out.

  a profile saved (its version moved)   UserProfileUpdated (the fields the save changed, kept on the item)
  an erasure begun (DELETE /me)         UserDeleted (each domain named erases the user's data)
  a large export asked for              ExportRequested (the export worker prepares the document)
"""

from __future__ import annotations

from collections.abc import Iterator

from zik.platform.accounts import ERASURE
from zik.platform.exports import EXPORT_PREFIX
from zik.platform.store import PROFILE
from zik.streams import Change, Event

DOMAIN = "platform"


def events_of(change: Change) -> Iterator[Event]:
    if change.sk == PROFILE and change.kind in ("INSERT", "MODIFY") and change.changed("version"):
        profile = change.item
        yield Event(
            "UserProfileUpdated",
            DOMAIN,
            {"version": int(profile["version"]), "changed": list(profile.get("changed") or []), "timezone": profile.get("timezone") or "UTC"},
        )
    elif change.sk == ERASURE and change.kind == "INSERT":
        erasure = change.item
        yield Event(
            "UserDeleted", DOMAIN, {"erasureId": erasure["erasureId"], "domains": sorted(erasure["domains"])}, occurred_at=erasure["requestedAt"]
        )
    elif change.sk.startswith(EXPORT_PREFIX) and change.kind == "INSERT":
        yield Event("ExportRequested", DOMAIN, {"exportId": change.item["exportId"]}, occurred_at=change.item["requestedAt"])
