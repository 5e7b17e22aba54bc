"""The search indexer: EntryCreated, EntryUpdated and EntryDeleted (through its queue) keep each user's
search index equal to their entries, one index write per user per batch."""

from __future__ import annotations

from zik.consumers import by_owner
from zik.journal.indexer import Indexer
from zik.observability import queue_handler

indexer = Indexer()


@queue_handler
def lambda_handler(event: dict, context: object) -> dict:
    return by_owner(event, lambda owner, details: indexer.refresh(owner, [d["entryId"] for d in details]))
