"""The Analytics service: totals, words, streaks and writing patterns over the user's entries, and their
mood over time from the insights, all in the user's timezone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from zik.errors import InvalidRequest
from zik.journal import analytics
from zik.journal.entries import check_range
from zik.journal.settings import Settings, local_today
from zik.journal.store import JournalStore
from zik.principal import Principal

DEFAULT_MOOD_DAYS = 30
MAX_MOOD_DAYS = 366 * 2


class Reports:
    def __init__(self, store: JournalStore | None = None, settings: Settings | None = None):
        self.store = store or JournalStore()
        self.settings = settings or Settings(self.store)

    def summary(self, owner: Principal, start: str | None = None, end: str | None = None) -> dict[str, Any]:
        start, end = check_range(start, end)
        timezone = self.settings.current(owner)["timezone"]
        entries = [{**entry, "localDate": entry["entryDate"]} for entry in self.store.all_entries(owner, start=start, end=end)]
        report = analytics.summarize(entries, timezone=timezone, today=local_today(timezone))
        return {"from": start, "to": end, "timezone": timezone, **report}

    def mood(self, owner: Principal, query: Mapping[str, str]) -> dict[str, Any]:
        bucket = query.get("bucket") or "day"
        if bucket not in ("day", "week"):
            raise InvalidRequest("bucket must be day or week", field="bucket")
        timezone = self.settings.current(owner)["timezone"]
        start, end = check_range(query.get("from"), query.get("to"))
        last = dt.date.fromisoformat(end) if end else local_today(timezone)
        first = dt.date.fromisoformat(start) if start else last - dt.timedelta(days=DEFAULT_MOOD_DAYS - 1)
        if first > last:
            raise InvalidRequest("from must not be after to", field="from")
        if (last - first).days >= MAX_MOOD_DAYS:
            raise InvalidRequest(f"a mood series spans at most {MAX_MOOD_DAYS} days", field="from")
        points = [
            {"localDate": item["entryDate"], "sentimentScore": item["sentiment"]["score"], "mood": item.get("mood")}
            for item in self.store.insights_between(owner, first.isoformat(), last.isoformat())
        ]
        series = analytics.mood_series(points, start=first, end=last, bucket=bucket)
        return {"from": first.isoformat(), "to": last.isoformat(), "bucket": bucket, "timezone": timezone, "series": series}
