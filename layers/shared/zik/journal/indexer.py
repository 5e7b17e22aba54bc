"""The search indexer: keeps each user's search index in step with their entries.

It indexes what an entry IS when the message is handled, not what the event said it was: events may
arrive twice or out of order, and the index still ends equal to the entries (an entry that is gone leaves
the index; one already indexed at its version is not written again).
"""

from __future__ import annotations

from collections.abc import Iterable

from zik.journal.search import SearchIndex
from zik.journal.search_store import SearchIndexes
from zik.journal.store import JournalStore
from zik.principal import Principal


def searchable_text(entry: dict) -> str:
    return "\n".join(part for part in (entry.get("title"), entry["content"], " ".join(entry.get("tags") or [])) if part)


class Indexer:
    def __init__(self, store: JournalStore | None = None, indexes: SearchIndexes | None = None):
        self.store = store or JournalStore()
        self.indexes = indexes or SearchIndexes(self.store)

    def refresh(self, owner: Principal, entry_ids: Iterable[str]) -> bool:
        """Bring these entries of one user up to date in their index, in one index write."""
        wanted = list(dict.fromkeys(entry_ids))
        entries = self.store.entries_by_id(owner, wanted)
        if not entries and self.store.table.erased(owner.partition):
            return False  # a late event of an erased user: no index is written again

        def apply(index: SearchIndex) -> bool:
            changed = False
            for entry_id in wanted:
                entry = entries.get(entry_id)
                if entry is None:
                    changed = index.remove(entry_id) or changed
                else:
                    changed = index.put(entry_id, searchable_text(entry), created_at=entry["createdAt"], version=entry["version"]) or changed
            return changed

        return self.indexes.change(owner, apply)
