"""The Entry service: writing, reading, listing, searching and exporting a user's journal entries.

Handlers parse and answer; this decides and writes. It publishes nothing: every committed change of an
entry leaves through JournalTable's stream as its event (EntryCreated, EntryUpdated, EntryDeleted,
PromptUsed, AIInsightRequested; see ``zik.journal.changes``), and the AI service, the search indexer and
the points consumer work from those events.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from zik import clock, inputs
from zik.claims import HEX, Claim
from zik.dynamo import Filter
from zik.errors import Conflict, InvalidRequest
from zik.journal import search, text
from zik.journal.search_store import SearchIndexes
from zik.journal.settings import Settings, local_today
from zik.journal.store import JournalStore, public
from zik.observability import metrics
from zik.principal import Principal

MAX_CONTENT_CHARS = 50_000
PREVIEW_CHARS = 280
OLDEST_ENTRY_DATE = dt.date(1900, 1, 1)
# What a list shows of an entry (the ByDate index projects these; the content stays on the entry).
LIST_FIELDS = (
    "entryId",
    "title",
    "preview",
    "mood",
    "categoryId",
    "tags",
    "promptId",
    "wordCount",
    "entryDate",
    "createdAt",
    "updatedAt",
    "version",
    "sentimentScore",
    "sentimentLabel",
)


def new_entry_id(at: dt.datetime) -> str:
    """Time-ordered and unguessable: 12 hex digits of the milliseconds of ``at``, then 8 random ones."""
    return f"{int(at.timestamp() * 1000):012x}{secrets.token_hex(4)}"


def content_hash(title: str | None, content: str) -> str:
    return hashlib.sha256(f"{title or ''}\n{content}".encode()).hexdigest()[:16]


def preview_of(content: str) -> str:
    flat = " ".join(content.split())
    if len(flat) <= PREVIEW_CHARS:
        return flat
    return flat[:PREVIEW_CHARS].rsplit(" ", 1)[0] + "…"


def check_day(raw: str | None, field: str) -> str | None:
    """A YYYY-MM-DD query or body value (None when absent); anything else is a 400 naming the field."""
    day = inputs.day(raw, field)
    return day.isoformat() if day else None


def check_range(start: str | None, end: str | None) -> tuple[str | None, str | None]:
    start, end = check_day(start, "from"), check_day(end, "to")
    if start and end and start > end:
        raise InvalidRequest("from must not be after to", field="from")
    return start, end


def entry_view(item: Mapping[str, Any], insight: Mapping[str, Any] | None = None, *, with_insight: bool = False) -> dict[str, Any]:
    view = public(item) or {}
    for hidden in ("sentimentScore", "sentimentLabel", "insightAt"):
        view.pop(hidden, None)
    view.setdefault("tags", [])
    view["sentiment"] = {"score": item["sentimentScore"], "label": item["sentimentLabel"]} if item.get("sentimentLabel") else None
    if with_insight:
        view["insight"] = insight_view(insight)
    return view


def insight_view(insight: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not insight:
        return None
    return {
        "sentiment": insight["sentiment"],
        "emotions": insight.get("emotions", []),
        "themes": insight.get("themes", []),
        "summary": insight.get("summary", ""),
        "entryVersion": insight.get("entryVersion"),
        "createdAt": insight.get("createdAt"),
    }


class Entries:
    def __init__(self, store: JournalStore | None = None, settings: Settings | None = None, indexes: SearchIndexes | None = None):
        self.store = store or JournalStore()
        self.settings = settings or Settings(self.store)
        self._indexes = indexes

    @property
    def indexes(self) -> SearchIndexes:
        if self._indexes is None:
            self._indexes = SearchIndexes(self.store)
        return self._indexes

    # -- writing --------------------------------------------------------------------------------------
    def create(self, owner: Principal, data: Mapping[str, Any], *, claim: Claim | None = None) -> dict[str, Any]:
        """Write an entry. With an Idempotency-Key's ``claim`` its id comes from the key, so a retry of a
        request whose first attempt wrote and then died answers that entry instead of writing another."""
        content = _content(data["content"])
        settings = self.settings.current(owner)
        timezone = settings["timezone"]
        now = clock.now()  # read once: the entry's day, id and createdAt are of one instant
        today = now.astimezone(ZoneInfo(timezone)).date()
        entry_date = check_day(data.get("entryDate"), "entryDate") or today.isoformat()
        _check_entry_date(entry_date, today)
        title = _title(data.get("title"))
        entry = {
            "entryId": claim.id(length=20, alphabet=HEX) if claim else new_entry_id(now),
            "title": title,
            "content": content,
            "preview": preview_of(content),
            "mood": data.get("mood"),
            "categoryId": data.get("categoryId") or settings.get("defaultCategoryId"),
            "tags": _tags(data.get("tags")),
            "promptId": data.get("promptId"),
            "wordCount": text.word_count(content),
            "entryDate": entry_date,
            "timezone": timezone,
            "contentHash": content_hash(title, content),
            "createdAt": clock.iso(now),
        }
        # EntryCreated (and PromptUsed) leave through JournalTable's stream (zik.journal.changes).
        try:
            saved = self.store.create_entry(owner, {key: value for key, value in entry.items() if value is not None})
        except Conflict:
            if claim is None:
                raise
            return self.get(owner, entry["entryId"])  # written by this request's first attempt
        metrics.add_metric(name="EntriesCreated", unit="Count", value=1)
        return entry_view(saved, None, with_insight=True)

    def update(self, owner: Principal, entry_id: str, data: Mapping[str, Any]) -> dict[str, Any]:
        current, insight = self.store.entry_with_insight(owner, entry_id)
        changes: dict[str, Any] = {}
        title = _title(data["title"]) if "title" in data else current.get("title")
        content = _content(data["content"]) if "content" in data else current["content"]
        if "title" in data or "content" in data:
            changes.update(
                title=title,
                content=content,
                preview=preview_of(content),
                wordCount=text.word_count(content),
                contentHash=content_hash(title, content),
            )
        for field in ("mood", "categoryId"):
            if field in data:
                changes[field] = data[field]  # None removes it
        if "tags" in data:
            changes["tags"] = _tags(data["tags"])
        if "entryDate" in data:
            entry_date = check_day(data["entryDate"], "entryDate")
            assert entry_date is not None
            _check_entry_date(entry_date, local_today(current.get("timezone") or "UTC"))
            changes["entryDate"] = entry_date
            changes["gsi1sk"] = f"{entry_date}#{current['createdAt']}#{entry_id}"
        saved = self.store.update_entry(owner, entry_id, changes, expected_version=data["version"])
        content_changed = saved.get("contentHash") != current.get("contentHash")
        # The insight of the old text is not the new text's: it shows again once the AI service has read it.
        return entry_view(saved, None if content_changed else insight, with_insight=True)

    def delete(self, owner: Principal, entry_id: str) -> dict[str, Any]:
        self.store.delete_entry(owner, entry_id)
        return {"entryId": entry_id, "deleted": True}

    def request_insight(self, owner: Principal, entry_id: str) -> dict[str, Any]:
        """Ask for a fresh insight: the request is written on the entry (insightRequestedAt), and the
        stream carries it to the AI service as AIInsightRequested."""
        settings = self.settings.current(owner)
        if not settings.get("aiInsightsEnabled", True):
            raise InvalidRequest("AI insights are turned off in your settings (aiInsightsEnabled)", field="aiInsightsEnabled")
        self.store.request_insight(owner, entry_id)
        return {"entryId": entry_id, "insight": "requested"}

    # -- reading --------------------------------------------------------------------------------------
    def get(self, owner: Principal, entry_id: str) -> dict[str, Any]:
        entry, insight = self.store.entry_with_insight(owner, entry_id)
        return entry_view(entry, insight, with_insight=True)

    def list(self, owner: Principal, query: Mapping[str, str], *, limit: int, cursor: str | None) -> dict[str, Any]:
        start, end = check_range(query.get("from"), query.get("to"))
        filters = []
        if query.get("categoryId"):
            filters.append(Filter("categoryId = :category", {}, {":category": query["categoryId"]}))
        if query.get("tag"):
            filters.append(Filter("contains(tags, :tag)", {}, {":tag": _tag(query["tag"])}))
        page = self.store.entries_page(owner, start=start, end=end, where=Filter.all_of(*filters), limit=limit, cursor=cursor)
        return {"items": [entry_view(item) for item in page.items], "nextCursor": page.next_cursor}

    def search(self, owner: Principal, q: str | None, *, limit: int, cursor: str | None) -> dict[str, Any]:
        query = search.parse_query(q)
        offset = search.decode_offset(cursor, query) if cursor else 0
        index = self.indexes.load(owner)
        hits = index.search(query)
        shown = index.resolve(query)  # with the typo corrections the search used, so that the snippets highlight them
        page = hits[offset : offset + limit]
        entries = self.store.entries_by_id(owner, [hit.entry_id for hit in page])
        items = []
        for hit in page:
            entry = entries.get(hit.entry_id)
            if entry is None:  # deleted, and the index has not caught up yet
                continue
            found = search.snippet(entry["content"], shown)
            items.append(
                {
                    "entryId": hit.entry_id,
                    "title": entry.get("title"),
                    "entryDate": entry["entryDate"],
                    "createdAt": entry["createdAt"],
                    "score": round(hit.score, 4),
                    "matched": list(hit.matched),
                    "snippet": {"text": found.text, "highlights": [list(span) for span in found.highlights]},
                }
            )
        following = offset + limit
        return {
            "query": query.text,
            "terms": list(query.terms),
            "total": len(hits),
            "items": items,
            "nextCursor": search.encode_offset(following, query) if following < len(hits) else None,
        }


def _content(raw: str) -> str:
    if not raw.strip():
        raise InvalidRequest("content is empty: write something", field="content")
    if len(raw) > MAX_CONTENT_CHARS:
        raise InvalidRequest(f"content is {len(raw)} characters; the limit is {MAX_CONTENT_CHARS}", field="content")
    return raw


def _title(raw: str | None) -> str | None:
    if raw is None:
        return None
    title = " ".join(raw.split())
    return title or None


def _tag(raw: str) -> str:
    tag = " ".join(raw.split()).lower()
    if not tag or len(tag) > 40:
        raise InvalidRequest("a tag is 1 to 40 characters", field="tag")
    return tag


def _tags(raw: list[str] | None) -> list[str]:
    return list(dict.fromkeys(_tag(tag) for tag in raw or []))


def _check_entry_date(entry_date: str, today: dt.date) -> None:
    day = dt.date.fromisoformat(entry_date)
    if day > today:
        raise InvalidRequest(f"entryDate {entry_date} is in the future (today is {today.isoformat()} in your timezone)", field="entryDate")
    if day < OLDEST_ENTRY_DATE:
        raise InvalidRequest(f"entryDate must be on or after {OLDEST_ENTRY_DATE.isoformat()}", field="entryDate")
