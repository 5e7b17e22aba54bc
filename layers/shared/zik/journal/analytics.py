"""Writing statistics and mood trends over a user's entries, computed from the entries themselves.

Days come from each entry's ``localDate`` (the day the entry is for, which the writer may pick); the
hour of day comes from ``createdAt`` on the writer's clock. Values read from DynamoDB arrive as
Decimals and are taken as numbers; a value out of range (a mood of 9) is left out, not guessed at.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from zik.days import WEEKDAYS, local_datetime, parse_day, streaks, zone

__all__ = ["BUCKETS", "mood_series", "summarize"]

BUCKETS = ("day", "week")


def _number(value: Any, low: float, high: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    number = float(value)
    return number if low <= number <= high else None


def _mean(values: list[float], digits: int) -> float | None:
    return round(sum(values) / len(values), digits) if values else None


def _words(value: Any) -> int:
    number = _number(value, 0, float("inf"))
    return int(number) if number is not None else 0


def summarize(entries: Iterable[Mapping[str, Any]], *, timezone: str, today: dt.date) -> dict[str, Any]:
    """Totals, streaks and when the user writes. averageWords has one decimal, averageMood two (null
    without moods); an entry without localDate is dated by its createdAt in ``timezone``."""
    zone(timezone)  # an unknown timezone is the caller's error even when there are no entries
    total = words = 0
    days: set[dt.date] = set()
    weekdays: Counter[str] = Counter()
    hours = [0] * 24
    categories: Counter[str | None] = Counter()
    moods: list[float] = []
    for entry in entries:
        created = entry.get("createdAt")
        moment = local_datetime(created, timezone) if created else None
        raw_day = entry.get("localDate")
        if raw_day:
            day = parse_day(raw_day)
        elif moment is not None:
            day = moment.date()
        else:
            raise ValueError("an entry needs a localDate or a createdAt")
        total += 1
        words += _words(entry.get("wordCount"))
        days.add(day)
        weekdays[WEEKDAYS[day.weekday()]] += 1
        if moment is not None:
            hours[moment.hour] += 1
        categories[entry.get("categoryId") or None] += 1
        mood = _number(entry.get("mood"), 1, 5)
        if mood is not None:
            moods.append(mood)

    found = streaks(days, today)
    return {
        "totalEntries": total,
        "totalWords": words,
        "averageWords": round(words / total, 1) if total else 0,
        "currentStreak": found.current,
        "longestStreak": found.longest,
        "firstEntryDate": min(days).isoformat() if days else None,
        "lastEntryDate": max(days).isoformat() if days else None,
        "byWeekday": {name: weekdays[name] for name in WEEKDAYS},
        "byHour": hours,
        # Largest first; among equals named categories by id, the uncategorised last.
        "byCategory": [
            {"categoryId": category, "count": count}
            for category, count in sorted(categories.items(), key=lambda pair: (-pair[1], pair[0] is None, pair[0] or ""))
        ],
        "averageMood": _mean(moods, 2),
        "daysWritten": len(days),
    }


def _bucket_start(day: dt.date, bucket: str) -> dt.date:
    return day - dt.timedelta(days=day.weekday()) if bucket == "week" else day


def mood_series(points: Iterable[Mapping[str, Any]], *, start: dt.date, end: dt.date, bucket: str) -> list[dict[str, Any]]:
    """Entries, mean sentiment (-1..1) and mean mood (1-5) per day or per ISO week (from Monday), for
    every period from ``start`` to ``end`` inclusive: an empty period is there with 0 entries and null
    averages, so a chart has no gaps. A week is labelled by its Monday, which may fall before ``start``;
    only points from ``start`` to ``end`` count."""
    if bucket not in BUCKETS:
        raise ValueError(f"bucket must be one of {', '.join(BUCKETS)}, not {bucket!r}")
    if start > end:
        raise ValueError(f"start ({start.isoformat()}) must not be after end ({end.isoformat()})")
    step = dt.timedelta(days=7 if bucket == "week" else 1)
    periods = [_bucket_start(start, bucket)]
    while periods[-1] + step <= end:
        periods.append(periods[-1] + step)
    counts: Counter[dt.date] = Counter()
    sentiments: dict[dt.date, list[float]] = {period: [] for period in periods}
    moods: dict[dt.date, list[float]] = {period: [] for period in periods}
    for point in points:
        day = parse_day(point.get("localDate"))
        if not start <= day <= end:
            continue
        period = _bucket_start(day, bucket)
        counts[period] += 1
        sentiment = _number(point.get("sentimentScore"), -1, 1)
        if sentiment is not None:
            sentiments[period].append(sentiment)
        mood = _number(point.get("mood"), 1, 5)
        if mood is not None:
            moods[period].append(mood)
    return [
        {"period": p.isoformat(), "entries": counts[p], "averageSentiment": _mean(sentiments[p], 3), "averageMood": _mean(moods[p], 3)}
        for p in periods
    ]
