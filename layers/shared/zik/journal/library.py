"""The Prompts service: the library of writing prompts (PromptsTable, loaded by the deployment), the
user's prompt of the day and a random one.

PromptsTable (one item per prompt, key promptId):
  a prompt by id                         GetItem promptId (also a ConditionCheck when an entry names it)
  the library, or one category of it     Query ByCategory shelf=library [, begins_with(shelfKey, <category>#)]

The library changes only with a deployment: an environment keeps what it read for five minutes.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Mapping
from typing import Any

from zik import clock, config
from zik.dynamo import Table
from zik.errors import InvalidRequest, NotFound
from zik.journal import prompts
from zik.journal.settings import Settings, local_today
from zik.journal.store import JournalStore
from zik.principal import Principal

SHELF = "library"
BY_CATEGORY = "ByCategory"
CACHE_SECONDS = 300
RECENT_USES = 30
_rng = random.SystemRandom()


def library_item(prompt: Mapping[str, Any], version: str) -> dict[str, Any]:
    return {
        "promptId": prompt["promptId"],
        "category": prompt["category"],
        "text": prompt["text"],
        "shelf": SHELF,
        "shelfKey": f"{prompt['category']}#{prompt['promptId']}",
        "libraryVersion": version,
    }


def shelf(table: Table) -> Iterator[dict[str, Any]]:
    """The library's items, from the ByCategory index."""
    return table.iterate(SHELF, index=BY_CATEGORY, pk_name="shelf", sk_name="shelfKey")


def prompt_view(item: Mapping[str, Any]) -> dict[str, Any]:
    return {"promptId": item["promptId"], "category": item["category"], "text": item["text"]}


class PromptLibrary:
    def __init__(self, table: Table | None = None, store: JournalStore | None = None, settings: Settings | None = None):
        self.table = table or Table(config.require("PROMPTS_TABLE")["PROMPTS_TABLE"], pk="promptId", sk=None)
        self._store = store
        self._settings = settings
        self._cached: tuple[float, list[dict[str, Any]]] | None = None

    @property
    def store(self) -> JournalStore:
        if self._store is None:
            self._store = JournalStore()
        return self._store

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = Settings(self.store)
        return self._settings

    def all(self) -> list[dict[str, Any]]:
        if self._cached and self._cached[0] > time.monotonic():
            return self._cached[1]
        items = [prompt_view(item) for item in shelf(self.table)]
        self._cached = (time.monotonic() + CACHE_SECONDS, items)
        return items

    def listing(self, category: str | None) -> dict[str, Any]:
        library = self.all()
        if category:
            known = sorted({p["category"] for p in library})
            if category not in known:
                raise InvalidRequest(f"unknown category {category!r}; known: {known}", field="category")
            library = [p for p in library if p["category"] == category]
        return {"items": library, "categories": sorted({p["category"] for p in self.all()})}

    def daily(self, owner: Principal) -> dict[str, Any]:
        """The same prompt all day (the user's day), another tomorrow, never one answered lately."""
        settings = self.settings.current(owner)
        today = local_today(settings["timezone"])  # read once: the day kept is the day chosen for
        day = today.isoformat()
        by_id = {p["promptId"]: p for p in self.all()}
        kept = self.store.daily_prompt(owner, day)
        if kept and kept["promptId"] in by_id:
            return {**by_id[kept["promptId"]], "date": day}
        if not by_id:
            raise NotFound("the prompt library is empty")
        recent = {use["promptId"] for use in self.store.prompts_used(owner, limit=RECENT_USES)}
        chosen = prompts.daily_prompt(
            list(by_id.values()),
            user_key=owner.partition,
            day=today,
            recently_used=recent,
            categories=settings.get("promptCategories") or None,
        )
        expires = clock.epoch_seconds() + 3 * 86400
        prompt_id = self.store.keep_daily_prompt(owner, day, chosen["promptId"], expires)
        return {**by_id.get(prompt_id, chosen), "date": day}

    def random(self, category: str | None) -> dict[str, Any]:
        library = self.all()
        if not library:
            raise NotFound("the prompt library is empty")
        if category and category not in {p["category"] for p in library}:
            raise InvalidRequest(f"unknown category {category!r}", field="category")
        return dict(prompts.random_prompt(library, rng=_rng, categories=[category] if category else None))
