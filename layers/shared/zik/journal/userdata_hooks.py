"""The journal's and gamification's part of GET /me/export and DELETE /me: the /me function calls
``register()`` at init. What only an export needs is imported when an export runs."""

from __future__ import annotations

from typing import Any

from zik import userdata
from zik.journal.gamification import Gamification
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

    def erase(self, owner: Principal) -> int:
        from zik.journal.search_store import SearchIndexes, erase_versions

        indexes = SearchIndexes(self.store)
        removed = self.store.erase(owner) + indexes.erase(owner)
        return removed + erase_versions(indexes.bucket, f"exports/{owner.tenant_id}/{owner.user_id}/")


def register() -> None:
    journal = JournalData()
    gamification = Gamification()
    userdata.register("journal", export=journal.export, erase=journal.erase)
    userdata.register("gamification", export=gamification.export, erase=gamification.erase)
