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
        from zik.journal.search_store import SearchIndexes, s3_client

        removed = self.store.erase(owner)
        indexes = SearchIndexes(self.store)
        removed += indexes.erase(owner)
        prefix = f"exports/{owner.tenant_id}/{owner.user_id}/"
        client = s3_client()
        for page in client.get_paginator("list_object_versions").paginate(Bucket=indexes.bucket, Prefix=prefix):
            for version in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
                client.delete_object(Bucket=indexes.bucket, Key=version["Key"], VersionId=version["VersionId"])
                removed += 1
        return removed


def register() -> None:
    journal = JournalData()
    gamification = Gamification()
    userdata.register("journal", export=journal.export, erase=journal.erase)
    userdata.register("gamification", export=gamification.export, erase=gamification.erase)
