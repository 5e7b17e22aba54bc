"""What a committed change of JournalTable means: the journal's domain events, read from the change stream
(see ``zik.streams``). Pure: an item before and after in, events out.

  an entry written                      EntryCreated, and PromptUsed when it answers a prompt
  an entry changed (its version moved)  EntryUpdated (contentChanged: its title or text changed)
  an entry asked for a fresh insight    AIInsightRequested (insightRequestedAt moved, the version did not)
  an entry deleted                      EntryDeleted

Only entry items (sk ENTRY#<id>) mean anything; an insight written onto its entry (the sentiment the lists
show) moves neither the version nor the request, and means nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from zik.streams import Change, Event

DOMAIN = "journal"
ENTRY_PREFIX = "ENTRY#"


def is_entry(sk: str) -> bool:
    return sk.startswith(ENTRY_PREFIX) and "#" not in sk[len(ENTRY_PREFIX) :]


def entry_detail(entry: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "entryId": entry["entryId"],
        "version": int(entry["version"]),
        "wordCount": int(entry["wordCount"]),
        "entryDate": entry["entryDate"],
        "timezone": entry.get("timezone") or "UTC",
        "categoryId": entry.get("categoryId"),
        "promptId": entry.get("promptId"),
    }


def events_of(change: Change) -> Iterator[Event]:
    if not is_entry(change.sk):
        return
    if change.kind == "INSERT":
        entry = change.item
        yield Event("EntryCreated", DOMAIN, entry_detail(entry), occurred_at=entry.get("createdAt"))
        if entry.get("promptId"):
            yield Event(
                "PromptUsed",
                DOMAIN,
                {"promptId": entry["promptId"], "entryId": entry["entryId"], "entryDate": entry["entryDate"]},
                occurred_at=entry.get("createdAt"),
            )
    elif change.kind == "MODIFY":
        if change.changed("version"):
            content_changed = change.changed("contentHash")
            yield Event("EntryUpdated", DOMAIN, {**entry_detail(change.item), "contentChanged": content_changed})
        if change.now("insightRequestedAt") and change.changed("insightRequestedAt"):
            yield Event(
                "AIInsightRequested",
                DOMAIN,
                {"entryId": change.item["entryId"], "version": int(change.item["version"])},
                occurred_at=change.now("insightRequestedAt"),
            )
    elif change.kind == "REMOVE":
        entry = change.item
        yield Event("EntryDeleted", DOMAIN, {"entryId": entry["entryId"], "entryDate": entry["entryDate"]})
