"""Points per event, streak bonuses, achievements and levels."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from zik.points import rules as points
from zik.points.rules import ACHIEVEMENTS, STREAK_BONUSES, Award, Counters, achievements, apply, entry_points, level_for

TODAY = dt.date(2026, 3, 10)


def entry(day: dt.date, words: int = 120, entry_id: str = "e1", **extra: object) -> dict[str, object]:
    return {"entryId": entry_id, "wordCount": words, "localDate": day.isoformat(), **extra}


def write_days(counters: Counters, first: dt.date, count: int, words: int = 120) -> tuple[Counters, list[Award]]:
    """An entry a day from ``first`` for ``count`` days, each processed on its own day."""
    awards: list[Award] = []
    for offset in range(count):
        day = first + dt.timedelta(days=offset)
        counters, got = apply(counters, "EntryCreated", entry(day, words, f"e{offset}"), today=day)
        awards += got
    return counters, awards


def by_reason(awards: list[Award], reason: str) -> list[Award]:
    return [award for award in awards if award.reason == reason]


@pytest.mark.parametrize(("words", "expected"), [(0, 0), (1, 5), (49, 5), (50, 10), (199, 10), (200, 15), (499, 15), (500, 20), (50_000, 20)])
def test_entry_points_reward_length_with_a_ceiling(words: int, expected: int) -> None:
    assert entry_points(words) == expected


def test_a_first_entry_pays_its_length_and_the_first_entry_achievement() -> None:
    before = Counters()
    after, awards = apply(before, "EntryCreated", entry(TODAY, 230), today=TODAY)

    assert awards == [Award("entry", 15, "Journal entry of 230 words"), Award("achievement", 10, "First Page: Write your first journal entry.")]
    assert (after.points, after.entries, after.words, after.days) == (25, 1, 230, {TODAY})
    assert (after.current_streak, after.longest_streak) == (1, 1)
    assert after.earned == {"first_entry": "2026-03-10"}
    assert before == Counters()  # pure: the input is untouched


@pytest.mark.parametrize(
    ("event", "detail", "metric", "reason", "paid"),
    [
        ("PromptUsed", {"promptId": "gratitude-small-joys", "entryId": "e1"}, "prompts_used", "prompt", points.PROMPT_POINTS),
        ("TaskCompleted", {"taskId": "t1", "goalId": "g1"}, "tasks_completed", "task_completed", points.TASK_POINTS),
        ("MilestoneCompleted", {"goalId": "g1", "milestoneSeq": 2}, "milestones_completed", "milestone_completed", points.MILESTONE_POINTS),
        ("QuestCompleted", {"goalId": "g1"}, "quests_completed", "quest_completed", points.QUEST_POINTS),
        ("ResumeAnalyzed", {"resumeId": "r1", "atsScore": 71}, "resumes_analyzed", "resume_analyzed", points.RESUME_POINTS),
        (
            "TryOnCompleted",
            {"jobId": "j1", "resultPhotoId": "p2", "hairstyleId": "pixie-cut"},
            "tryons_completed",
            "tryon_completed",
            points.TRYON_POINTS,
        ),
        ("ApplicationStatusChanged", {"applicationId": "a1", "from": None, "to": "applied"}, "applications_sent", "application_applied", 10),
        ("ApplicationStatusChanged", {"applicationId": "a1", "from": "screening", "to": "interview"}, "interviews", "application_interview", 25),
        ("ApplicationStatusChanged", {"applicationId": "a1", "from": "interview", "to": "offer"}, "offers", "application_offer", 50),
    ],
)
def test_each_counted_event_pays_its_points_once_and_counts(event: str, detail: dict, metric: str, reason: str, paid: int) -> None:
    first, awards = apply(Counters(), event, detail, today=TODAY)
    assert by_reason(awards, reason) == [Award(reason, paid, awards[0].note)]
    assert getattr(first, metric) == 1
    assert first.points == sum(a.points for a in awards)
    # The first of each kind also earns its achievement, dated today; the second does not again.
    assert [a.reason for a in awards] == [reason, "achievement"]
    assert list(first.earned.values()) == ["2026-03-10"]
    second, again = apply(first, event, detail, today=TODAY + dt.timedelta(days=1))
    assert again == [Award(reason, paid, awards[0].note)]
    assert getattr(second, metric) == 2 and second.points == first.points + paid


def test_the_award_notes_name_what_was_done() -> None:
    _, task = apply(Counters(), "TaskCompleted", {"taskId": "t9"}, today=TODAY)
    _, milestone = apply(Counters(), "MilestoneCompleted", {"goalId": "g1", "milestoneSeq": 3}, today=TODAY)
    _, prompt = apply(Counters(), "PromptUsed", {"entryId": "e1"}, today=TODAY)  # promptId missing
    assert task[0].note == "Completed the task t9"
    assert milestone[0].note == "Completed milestone 3 of the quest g1"
    assert prompt[0].note == "Wrote from the prompt ?"


def test_try_ons_earn_the_first_try_on_then_the_tenth_achievement() -> None:
    counters, paid = Counters(), []
    for number in range(1, 11):
        counters, awards = apply(counters, "TryOnCompleted", {"jobId": f"j{number}", "hairstyleId": "curtain-bangs"}, today=TODAY)
        paid.append([(a.reason, a.points) for a in awards])
    assert paid[0] == [("tryon_completed", 5), ("achievement", 10)]
    assert paid[1:9] == [[("tryon_completed", 5)]] * 8
    assert paid[9] == [("tryon_completed", 5), ("achievement", 50)]
    assert counters.tryons_completed == 10 and counters.points == 10 * points.TRYON_POINTS + 10 + 50
    assert counters.earned == {"first_tryon": TODAY.isoformat(), "tryons_10": TODAY.isoformat()}
    _, note = apply(Counters(), "TryOnCompleted", {"jobId": "j1", "hairstyleId": "buzz-cut"}, today=TODAY)
    assert note[0].note == "Tried on the hairstyle buzz-cut"


def test_an_application_pays_each_step_forward_and_nothing_for_a_door_closing() -> None:
    counters, paid = Counters(), []
    for step in (None, "saved", "applied", "screening", "interview", "offer", "accepted"):
        if step is None:
            continue
        counters, awards = apply(
            counters, "ApplicationStatusChanged", {"applicationId": "a1", "to": step, "role": "Data Engineer", "company": "Acme"}, today=TODAY
        )
        paid.append(sum(a.points for a in awards if a.reason != "achievement"))
    assert paid == [0, 10, 0, 25, 50, 100]
    assert (counters.applications_sent, counters.interviews, counters.offers) == (1, 1, 1)
    assert {"first_application", "first_interview", "first_offer"} <= set(counters.earned)
    for closed in ("rejected", "withdrawn"):
        after, awards = apply(counters, "ApplicationStatusChanged", {"applicationId": "a2", "to": closed}, today=TODAY)
        assert awards == [] and after.points == counters.points
    _, note = apply(
        Counters(), "ApplicationStatusChanged", {"applicationId": "a1", "to": "offer", "role": "Data Engineer", "company": "Acme"}, today=TODAY
    )
    assert note[0].note == "Application offer: Data Engineer at Acme"


@pytest.mark.parametrize("event", ["EntryUpdated", "EntryDeleted", "AIInsightRequested", "SomethingNew", "GoalCreated", "TryOnFailed"])
def test_editing_deleting_insights_and_unknown_events_change_nothing(event: str) -> None:
    counters, _ = write_days(Counters(), TODAY - dt.timedelta(days=2), 3)
    after, awards = apply(counters, event, {"entryId": "e1", "wordCount": 5000, "localDate": TODAY.isoformat()}, today=TODAY)
    assert awards == []
    assert after == counters and after is not counters


def test_a_prompted_entry_pays_the_prompt_bonus_only_through_prompt_used() -> None:
    after, awards = apply(Counters(), "EntryCreated", entry(TODAY, 10, promptId="gratitude-small-joys"), today=TODAY)
    assert not by_reason(awards, "prompt") and after.prompts_used == 0


def test_a_streak_bonus_is_paid_when_the_streak_reaches_each_length_once() -> None:
    counters, awards = write_days(Counters(), dt.date(2026, 1, 1), 31)
    bonuses = by_reason(awards, "streak_bonus")
    assert [(b.points, b.note) for b in bonuses] == [
        (15, "3-day writing streak"),
        (50, "7-day writing streak"),
        (75, "14-day writing streak"),
        (200, "30-day writing streak"),
    ]
    assert (counters.current_streak, counters.longest_streak) == (31, 31)
    # The entry points: 31 entries of 120 words; achievements: first_entry, entries_10, streak_3, streak_7,
    # streak_30, words_1000.
    assert counters.points == 31 * 10 + 15 + 50 + 75 + 200 + 10 + 50 + 20 + 50 + 200 + 20


def test_a_second_entry_the_same_day_earns_no_streak_bonus() -> None:
    counters, _ = write_days(Counters(), TODAY - dt.timedelta(days=1), 2)
    third_day, awards = apply(counters, "EntryCreated", entry(TODAY + dt.timedelta(days=1)), today=TODAY + dt.timedelta(days=1))
    assert [b.points for b in by_reason(awards, "streak_bonus")] == [STREAK_BONUSES[3]]
    again, more = apply(third_day, "EntryCreated", entry(TODAY + dt.timedelta(days=1), entry_id="e2"), today=TODAY + dt.timedelta(days=1))
    assert by_reason(more, "streak_bonus") == [] and [a.reason for a in more] == ["entry"]
    assert again.current_streak == 3 and again.entries == 4


def test_a_streak_rebuilt_after_a_break_earns_its_bonuses_again() -> None:
    counters, first = write_days(Counters(), dt.date(2026, 1, 1), 7)
    counters, second = write_days(counters, dt.date(2026, 1, 10), 7)  # 8 and 9 January missed
    assert [b.points for b in by_reason(first, "streak_bonus")] == [15, 50]
    assert [b.points for b in by_reason(second, "streak_bonus")] == [15, 50]
    # streak_3 and streak_7 were earned the first time; only the totals' achievements are new.
    assert {a.note.split(":")[0] for a in by_reason(second, "achievement")} == {"A Thousand Words", "Finding Your Voice"}
    assert counters.current_streak == 7 and counters.longest_streak == 7


def test_back_dated_entries_count_but_buy_no_streak_bonus() -> None:
    counters, _ = apply(Counters(), "EntryCreated", entry(TODAY), today=TODAY)
    for back in range(1, 8):  # yesterday, then six days further back, all written today
        counters, awards = apply(counters, "EntryCreated", entry(TODAY - dt.timedelta(days=back)), today=TODAY)
        assert by_reason(awards, "streak_bonus") == [], back
    assert counters.current_streak == 8 and counters.longest_streak == 8
    # Achievements follow the counters (earned today, not on the old entry's day).
    assert counters.earned["streak_7"] == TODAY.isoformat()


def test_writing_yesterdays_entry_late_completes_a_streak_and_pays_the_bonus() -> None:
    counters, _ = apply(Counters(), "EntryCreated", entry(TODAY - dt.timedelta(days=2)), today=TODAY - dt.timedelta(days=2))
    counters, _ = apply(counters, "EntryCreated", entry(TODAY), today=TODAY)  # yesterday was missed...
    counters, awards = apply(counters, "EntryCreated", entry(TODAY - dt.timedelta(days=1)), today=TODAY)  # ...and filled in
    assert [b.points for b in by_reason(awards, "streak_bonus")] == [STREAK_BONUSES[3]]


def test_joining_two_runs_pays_only_lengths_neither_had_reached() -> None:
    counters, _ = write_days(Counters(), TODAY - dt.timedelta(days=9), 8)  # an 8-day run ending two days ago
    counters, _ = apply(counters, "EntryCreated", entry(TODAY), today=TODAY)
    assert counters.current_streak == 1
    counters, awards = apply(counters, "EntryCreated", entry(TODAY - dt.timedelta(days=1)), today=TODAY)
    assert counters.current_streak == 10
    assert by_reason(awards, "streak_bonus") == []  # 3 and 7 were paid to the first run; 14 is not reached


def test_a_day_just_ahead_of_the_callers_clock_keeps_the_streak() -> None:
    counters, _ = write_days(Counters(), TODAY - dt.timedelta(days=1), 2)
    after, awards = apply(counters, "EntryCreated", entry(TODAY + dt.timedelta(days=1)), today=TODAY)
    assert after.current_streak == 3 and [b.points for b in by_reason(awards, "streak_bonus")] == [15]
    assert after.earned["streak_3"] == (TODAY + dt.timedelta(days=1)).isoformat()


def test_achievements_are_earned_exactly_once_with_their_date() -> None:
    counters = Counters()
    earned_on: dict[str, str] = {}
    for n in range(12):
        day = dt.date(2026, 2, 1) + dt.timedelta(days=2 * n)  # every other day: no streaks
        counters, awards = apply(counters, "EntryCreated", entry(day, 100, f"e{n}"), today=day)
        for award in by_reason(awards, "achievement"):
            title = award.note.split(":")[0]
            assert title not in earned_on
            earned_on[title] = day.isoformat()
    assert earned_on == {"First Page": "2026-02-01", "A Thousand Words": "2026-02-19", "Finding Your Voice": "2026-02-19"}
    assert counters.earned == {"first_entry": "2026-02-01", "words_1000": "2026-02-19", "entries_10": "2026-02-19"}


def test_bad_entry_details_are_refused_naming_the_field() -> None:
    with pytest.raises(ValueError, match="wordCount"):
        apply(Counters(), "EntryCreated", {"entryId": "e1", "wordCount": -3, "localDate": "2026-03-10"}, today=TODAY)
    with pytest.raises(ValueError, match="wordCount"):
        apply(Counters(), "EntryCreated", {"entryId": "e1", "wordCount": True, "localDate": "2026-03-10"}, today=TODAY)
    with pytest.raises(ValueError, match="localDate"):
        apply(Counters(), "EntryCreated", {"entryId": "e1", "wordCount": 3}, today=TODAY)
    after, _ = apply(Counters(), "EntryCreated", {"entryId": "e1", "wordCount": Decimal("42"), "localDate": "2026-03-10"}, today=TODAY)
    assert after.words == 42


# -- the catalogue and its view --------------------------------------------------------------------


def test_the_catalogue_has_the_promised_achievements_on_real_counters() -> None:
    ids = [a.id for a in ACHIEVEMENTS]
    assert len(ids) == len(set(ids))
    required = {
        "first_entry",
        "streak_3",
        "streak_7",
        "streak_30",
        "entries_10",
        "entries_100",
        "words_10000",
        "prompts_10",
        "first_task",
        "tasks_50",
        "first_quest",
    }
    assert required <= set(ids)
    fields = set(Counters.__dataclass_fields__)
    for achievement in ACHIEVEMENTS:
        assert achievement.metric in fields and achievement.target > 0 and achievement.points > 0
        if achievement.id.startswith("streak_"):
            assert achievement.metric == "longest_streak"


def test_the_achievement_view_lists_earned_first_then_locked_by_progress() -> None:
    counters = Counters(
        entries=7,
        words=12_000,
        longest_streak=2,
        tasks_completed=1,
        earned={"first_entry": "2026-03-01", "words_10000": "2026-03-05", "words_1000": "2026-03-02", "first_task": "2026-03-05"},
    )
    view = achievements(counters)
    assert len(view) == len(ACHIEVEMENTS)
    # Oldest first; earned the same day, in catalogue order.
    assert [a["achievementId"] for a in view[:4]] == ["first_entry", "words_1000", "words_10000", "first_task"]
    assert all(a["earned"] for a in view[:4]) and not any(a["earned"] for a in view[4:])
    percents = [a["progress"]["percent"] for a in view[4:]]
    assert percents == sorted(percents, reverse=True)
    entries_10 = next(a for a in view if a["achievementId"] == "entries_10")
    assert entries_10 == {
        "achievementId": "entries_10",
        "title": "Finding Your Voice",
        "description": "Write 10 journal entries.",
        "points": 50,
        "earned": False,
        "earnedAt": None,
        "progress": {"current": 7, "target": 10, "percent": 70},
    }
    assert view[4]["achievementId"] == "entries_10" and view[5]["achievementId"] == "streak_3"  # 70 %, then 66 %
    words = next(a for a in view if a["achievementId"] == "words_10000")
    assert words["progress"] == {"current": 10_000, "target": 10_000, "percent": 100} and words["earnedAt"] == "2026-03-05"


# -- storage ---------------------------------------------------------------------------------------


def test_counters_round_trip_through_plain_json_and_dynamodb_types() -> None:
    counters, _ = write_days(Counters(), dt.date(2026, 1, 30), 4)
    item = counters.to_item()
    assert item["days"] == ["2026-01-30", "2026-01-31", "2026-02-01", "2026-02-02"]
    assert Counters.from_item(json.loads(json.dumps(item))) == counters
    # As DynamoDB hands it back: Decimals, and a string set for the days.
    stored = {**{k: Decimal(v) for k, v in item.items() if isinstance(v, int)}, "days": set(item["days"]), "earned": item["earned"]}
    assert Counters.from_item(stored) == counters
    assert Counters.from_item(None) == Counters() == Counters.from_item({"points": 0})


# -- levels ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "level", "floor", "next_at"),
    [
        (0, 1, 0, 100),
        (99, 1, 0, 100),
        (100, 2, 100, 300),
        (299, 2, 100, 300),
        (300, 3, 300, 600),
        (999, 4, 600, 1000),
        (1000, 5, 1000, 1500),
        (4500, 10, 4500, 5500),
        (-20, 1, 0, 100),
    ],
)
def test_levels_start_at_fifty_n_n_minus_one(total: int, level: int, floor: int, next_at: int) -> None:
    assert level_for(total) == {
        "level": level,
        "points": max(total, 0),
        "levelFloor": floor,
        "nextLevelAt": next_at,
        "pointsToNextLevel": next_at - max(total, 0),
    }


def test_the_level_curve_grows_and_is_exact_over_a_wide_range() -> None:
    previous = level_for(0)
    for total in range(0, 200_000, 37):
        current = level_for(total)
        assert current["levelFloor"] <= total < current["nextLevelAt"]
        assert current["levelFloor"] == 50 * current["level"] * (current["level"] - 1)
        assert current["level"] >= previous["level"]
        previous = current
    gaps = [level_for(50 * n * (n - 1))["nextLevelAt"] - 50 * n * (n - 1) for n in range(1, 6)]
    assert gaps == [100, 200, 300, 400, 500]
