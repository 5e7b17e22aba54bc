"""The journal's part of GET /me/export and of a user's erasure: the functions that serve them call
``register()`` at init. What only an export or an erasure needs is imported when one runs."""

from __future__ import annotations

from typing import Any

from zik import userdata
from zik.journal.store import JournalStore, public
from zik.principal import Principal


class JournalData:
    def __init__(self, store: JournalStore | None = None):
        self.store = store or JournalStore()

    def export(self, owner: Principal) -> dict[str, Any]:
        from zik.journal.export import journal_of

        settings = self.store.settings(owner)
        return {
            "settings": public(settings),
            "categories": [public(c) for c in self.store.categories(owner)],
            "entries": journal_of(self.store, owner),
        }

    def size(self, owner: Principal) -> int:
        return self.store.table.count(owner.partition)

    def erase_page(self, owner: Principal, limit: int) -> tuple[int, bool]:
        """The journal's items a page at a time; with the last page, its search index and its exports
        (every S3 version). The partition's tombstone keeps the indexer from writing a new index."""
        removed, done = self.store.erase_page(owner, limit)
        if done:
            from zik.buckets import erase_versions
            from zik.journal.search_store import SearchIndexes

            indexes = SearchIndexes(self.store)
            removed += indexes.erase(owner) + erase_versions(indexes.bucket, f"exports/{owner.tenant_id}/{owner.user_id}/")
        return removed, done


def register() -> None:
    journal = JournalData()
    userdata.register("journal", export=journal.export, erase_page=journal.erase_page, size=journal.size)
