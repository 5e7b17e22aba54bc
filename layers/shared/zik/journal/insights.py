"""The AI service: an entry's insight (sentiment score and label, emotions, themes, a one-line summary),
written when an entry is created or its text changes, or when the user asks again.

Every path is idempotent: an insight already made from the entry's current text is not made again, so a
redelivered message costs neither an AI call nor a write; an insight of a text that changed meanwhile is
not stored (the change's own event brings the new one).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zik import ai
from zik.journal.settings import Settings
from zik.journal.store import JournalStore
from zik.observability import logger, metrics
from zik.principal import Principal

TASK = "journal.insight"


class Insights:
    def __init__(self, store: JournalStore | None = None, settings: Settings | None = None):
        self.store = store or JournalStore()
        self.settings = settings or Settings(self.store)

    def handle(self, owner: Principal, detail_type: str, detail: Mapping[str, Any]) -> str:
        """What became of one event: written, current, moved, stale, gone or disabled."""
        if not self.settings.current(owner).get("aiInsightsEnabled", True):
            return "disabled"
        entry = self.store.entry(owner, detail["entryId"])
        if entry is None:
            return "gone"
        existing = self.store.insight(owner, entry["entryId"])
        requested_again = detail_type == "AIInsightRequested" and (existing or {}).get("createdAt", "") < detail["occurredAt"]
        if existing and not requested_again and existing.get("contentHash") == entry.get("contentHash"):
            if existing.get("entryVersion") == entry["version"] or (
                existing.get("entryDate") == entry["entryDate"] and existing.get("mood") == entry.get("mood")
            ):
                return "current"
            # Same text on another day or with another mood: the analysis stands; it moves with the entry.
            return "moved" if self.store.save_insight(owner, entry, _answer_of(existing)) else "stale"
        answer = ai.run(
            TASK,
            {"title": entry.get("title") or "", "content": entry["content"], "mood": entry.get("mood"), "tags": entry.get("tags") or []},
            owner=owner,
        )
        if not self.store.save_insight(owner, entry, answer):
            logger.info("insight of an older version dropped", extra={"entryId": entry["entryId"]})
            return "stale"
        metrics.add_metric(name="InsightsWritten", unit="Count", value=1)
        return "written"


def _answer_of(insight: Mapping[str, Any]) -> dict[str, Any]:
    return {key: insight[key] for key in ("sentiment", "emotions", "themes", "summary") if key in insight}
