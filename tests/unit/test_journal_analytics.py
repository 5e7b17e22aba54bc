"""Writing statistics and mood series over entries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from zik.journal.analytics import mood_series, summarize

TODAY = dt.date(2026, 3, 12)  # a Thursday

ENTRIES = [
    # 23:30 in New York on Monday 9 March (EDT since the 8th) is 03:30 UTC on Tuesday.
    {"createdAt": "2026-03-10T03:30:00.000Z", "localDate": "2026-03-09", "wordCount": 120, "categoryId": "c-work", "mood": 4},
    {"createdAt": "2026-03-10T12:00:00.000Z", "localDate": "2026-03-10", "wordCount": Decimal(80), "categoryId": "c-work", "mood": Decimal(2)},
    {"createdAt": "2026-03-11T13:15:00.000Z", "localDate": "2026-03-11", "wordCount": 300, "categoryId": None},
    {"createdAt": "2026-03-12T11:00:00.000Z", "localDate": "2026-03-12", "wordCount": 0, "categoryId": "c-home", "mood": 9},
    # Written on the 12th, for a day the writer missed: it counts for the 2nd (a Monday).
    {"createdAt": "2026-03-12T14:00:00.000Z", "localDate": "2026-03-02", "wordCount": 50},
]


def test_a_summary_counts_words_streaks_days_and_moods() -> None:
    summary = summarize(ENTRIES, timezone="America/New_York", today=TODAY)
    assert summary["totalEntries"] == 5 and summary["totalWords"] == 550 and summary["averageWords"] == 110.0
    assert (summary["currentStreak"], summary["longestStreak"], summary["daysWritten"]) == (4, 4, 5)
    assert (summary["firstEntryDate"], summary["lastEntryDate"]) == ("2026-03-02", "2026-03-12")
    assert summary["averageMood"] == 3.0  # 4 and 2; the 9 is out of range


def test_weekdays_come_from_the_entrys_day_and_hours_from_its_local_clock() -> None:
    summary = summarize(ENTRIES, timezone="America/New_York", today=TODAY)
    assert summary["byWeekday"] == {"monday": 2, "tuesday": 1, "wednesday": 1, "thursday": 1, "friday": 0, "saturday": 0, "sunday": 0}
    hours = summary["byHour"]
    assert len(hours) == 24 and sum(hours) == 5
    # 03:30Z -> 23:30, 12:00Z -> 08:00, 13:15Z -> 09:15, 11:00Z -> 07:00, 14:00Z -> 10:00 (EDT, UTC-4).
    assert {hour: count for hour, count in enumerate(hours) if count} == {23: 1, 8: 1, 9: 1, 7: 1, 10: 1}
    in_tokyo = summarize(ENTRIES, timezone="Asia/Tokyo", today=TODAY)["byHour"]
    assert in_tokyo[12] == 1 and in_tokyo[21] == 1  # 03:30Z is 12:30 in Tokyo, 12:00Z is 21:00


def test_categories_are_counted_largest_first_with_the_uncategorised_as_null() -> None:
    summary = summarize(ENTRIES, timezone="UTC", today=TODAY)
    assert summary["byCategory"] == [{"categoryId": "c-work", "count": 2}, {"categoryId": None, "count": 2}, {"categoryId": "c-home", "count": 1}]


def test_an_empty_journal_has_a_complete_summary() -> None:
    summary = summarize([], timezone="Europe/Paris", today=TODAY)
    assert summary == {
        "totalEntries": 0,
        "totalWords": 0,
        "averageWords": 0,
        "currentStreak": 0,
        "longestStreak": 0,
        "firstEntryDate": None,
        "lastEntryDate": None,
        "byWeekday": {day: 0 for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")},
        "byHour": [0] * 24,
        "byCategory": [],
        "averageMood": None,
        "daysWritten": 0,
    }


def test_an_entry_without_local_date_is_dated_in_the_timezone_and_a_bad_timezone_is_refused() -> None:
    summary = summarize([{"createdAt": "2026-03-12T03:30:00Z", "wordCount": 10}], timezone="America/New_York", today=TODAY)
    assert summary["firstEntryDate"] == "2026-03-11" and summary["byWeekday"]["wednesday"] == 1
    with pytest.raises(ValueError, match="timezone"):
        summarize([], timezone="Nowhere/Else", today=TODAY)


# -- mood series -----------------------------------------------------------------------------------

POINTS = [
    {"localDate": "2026-03-02", "sentimentScore": 0.5, "mood": 4},
    {"localDate": "2026-03-02", "sentimentScore": Decimal("-0.2")},
    {"localDate": "2026-03-04", "mood": 2},
    {"localDate": "2026-03-10", "sentimentScore": 0.1234, "mood": 5},
    {"localDate": "2026-02-20", "sentimentScore": 1.0},  # before the range
    {"localDate": "2026-03-05", "sentimentScore": 7, "mood": 0},  # out-of-range values are left out
]


def test_daily_buckets_cover_every_day_with_empty_ones_as_nulls() -> None:
    series = mood_series(POINTS, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 5), bucket="day")
    assert series == [
        {"period": "2026-03-01", "entries": 0, "averageSentiment": None, "averageMood": None},
        {"period": "2026-03-02", "entries": 2, "averageSentiment": 0.15, "averageMood": 4.0},
        {"period": "2026-03-03", "entries": 0, "averageSentiment": None, "averageMood": None},
        {"period": "2026-03-04", "entries": 1, "averageSentiment": None, "averageMood": 2.0},
        {"period": "2026-03-05", "entries": 1, "averageSentiment": None, "averageMood": None},
    ]


def test_weekly_buckets_start_on_monday_and_are_labelled_by_it() -> None:
    # 1 March 2026 is a Sunday: its week began on Monday 23 February.
    series = mood_series(POINTS, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 22), bucket="week")
    assert [s["period"] for s in series] == ["2026-02-23", "2026-03-02", "2026-03-09", "2026-03-16"]
    assert [s["entries"] for s in series] == [0, 4, 1, 0]
    assert series[1]["averageSentiment"] == 0.15 and series[1]["averageMood"] == 3.0
    assert series[2] == {"period": "2026-03-09", "entries": 1, "averageSentiment": 0.123, "averageMood": 5.0}
    assert series[3]["averageSentiment"] is None and series[3]["averageMood"] is None


def test_a_single_day_and_a_bad_bucket() -> None:
    assert mood_series([], start=TODAY, end=TODAY, bucket="week") == [
        {"period": "2026-03-09", "entries": 0, "averageSentiment": None, "averageMood": None}
    ]
    with pytest.raises(ValueError, match="bucket must be one of day, week"):
        mood_series(POINTS, start=TODAY, end=TODAY, bucket="month")
    with pytest.raises(ValueError, match="must not be after"):
        mood_series(POINTS, start=TODAY, end=TODAY - dt.timedelta(days=1), bucket="day")
