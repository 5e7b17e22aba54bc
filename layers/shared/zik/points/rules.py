"""Points, streak bonuses, achievements and levels: the one currency of the platform.

Gamification folds every domain event of a user into one ``Counters`` record with ``apply``, which is
pure: it returns new counters and the awards the event earned, and the caller stores both (with an
idempotency key per event, since a redelivered event applied twice would pay twice).

What earns what:

==========================  ==================================================================
EntryCreated                ``entry_points(wordCount)``: 5 (1-49 words), 10 (50-199), 15 (200-499),
                            20 (500 and more); nothing for an entry without words. Plus a streak
                            bonus (``STREAK_BONUSES``) when the entry takes the current streak to
                            3, 7, 14, 30, 60, 100 or 365 days.
PromptUsed                  ``PROMPT_POINTS`` (5). EntryCreated's own promptId pays nothing, or a
                            prompted entry would pay twice.
TaskCompleted               ``TASK_POINTS`` (10)
MilestoneCompleted          ``MILESTONE_POINTS`` (50)
QuestCompleted              ``QUEST_POINTS`` (200)
ResumeAnalyzed              ``RESUME_POINTS`` (10)
TryOnCompleted              ``TRYON_POINTS`` (5): a finished hairstyle try-on (the daily try-on quota
                            bounds what can be earned this way); TryOnFailed pays nothing
ApplicationStatusChanged    ``APPLICATION_POINTS`` by the status reached: applied 10, interview 25,
                            offer 50, accepted 100; saved, screening, rejected, withdrawn nothing
                            (a step forward is rewarded, a door closing is not a penalty)
EntryUpdated, EntryDeleted  nothing, and no counter moves: see ``apply``.
AIInsightRequested          nothing
each achievement            its own points, once per user
==========================  ==================================================================

Levels grow by 100 points more each time: level n starts at 50 * n * (n - 1) points (level 2 at 100,
3 at 300, 4 at 600, 5 at 1,000, 10 at 4,500).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypedDict

from zik.days import parse_day, streaks

__all__ = [
    "ACHIEVEMENTS",
    "APPLICATION_POINTS",
    "MILESTONE_POINTS",
    "PROMPT_POINTS",
    "QUEST_POINTS",
    "RESUME_POINTS",
    "STREAK_BONUSES",
    "TASK_POINTS",
    "TRYON_POINTS",
    "Achievement",
    "Award",
    "Counters",
    "Level",
    "achievements",
    "apply",
    "entry_points",
    "level_for",
]

# (fewest words, points), longest first: length is rewarded, with a ceiling so volume is not the game.
_ENTRY_LADDER = ((500, 20), (200, 15), (50, 10), (1, 5))
STREAK_BONUSES: dict[int, int] = {3: 15, 7: 50, 14: 75, 30: 200, 60: 300, 100: 500, 365: 1000}
PROMPT_POINTS = 5
TASK_POINTS = 10
MILESTONE_POINTS = 50
QUEST_POINTS = 200
RESUME_POINTS = 10
TRYON_POINTS = 5
APPLICATION_POINTS: dict[str, int] = {"applied": 10, "interview": 25, "offer": 50, "accepted": 100}
_LEVEL_STEP = 50
_ONE_DAY = dt.timedelta(days=1)


def entry_points(word_count: int) -> int:
    """5 under 50 words, 10 for 50-199, 15 for 200-499, 20 for 500 and more; 0 for no words."""
    return next((points for fewest, points in _ENTRY_LADDER if word_count >= fewest), 0)


@dataclass(frozen=True)
class Award:
    reason: str  # entry, streak_bonus, prompt, task_completed, milestone_completed, quest_completed, resume_analyzed, application_<status>, tryon_completed, achievement
    points: int
    note: str


@dataclass
class Counters:
    """A user's running totals.

    ``current_streak`` is the streak as of the last entry: a reader showing it later recomputes it from
    ``days`` with ``streaks(days, today)``, since a streak also breaks on days when nothing happens.
    """

    points: int = 0
    entries: int = 0
    words: int = 0
    prompts_used: int = 0
    tasks_completed: int = 0
    milestones_completed: int = 0
    quests_completed: int = 0
    resumes_analyzed: int = 0
    applications_sent: int = 0
    interviews: int = 0
    offers: int = 0
    tryons_completed: int = 0
    current_streak: int = 0
    longest_streak: int = 0
    days: set[dt.date] = field(default_factory=set)
    earned: dict[str, str] = field(default_factory=dict)

    def copy(self) -> Counters:
        return dataclasses.replace(self, days=set(self.days), earned=dict(self.earned))

    def to_item(self) -> dict[str, Any]:
        item: dict[str, Any] = {name: getattr(self, name) for name in _NUMBERS}
        item["days"] = sorted(day.isoformat() for day in self.days)
        item["earned"] = dict(sorted(self.earned.items()))
        return item

    @classmethod
    def from_item(cls, item: Mapping[str, Any] | None) -> Counters:
        """From ``to_item``'s dict, or the item as DynamoDB gives it back (Decimals, a string set for days).
        A field the item lacks (written before the field existed) starts at zero."""
        item = item or {}
        numbers = {name: int(item.get(name) or 0) for name in _NUMBERS}
        days = {parse_day(day, "days") for day in item.get("days") or ()}
        earned = {str(key): str(value) for key, value in (item.get("earned") or {}).items()}
        return cls(**numbers, days=days, earned=earned)


_NUMBERS = tuple(f.name for f in dataclasses.fields(Counters) if f.name not in ("days", "earned"))


@dataclass(frozen=True)
class Achievement:
    id: str
    title: str
    description: str
    metric: str  # a Counters field
    target: int
    points: int


def _achievement(id: str, title: str, description: str, metric: str, target: int, points: int) -> Achievement:
    if metric not in _NUMBERS:
        raise ValueError(f"achievement {id} measures {metric!r}, which is not a Counters field")
    return Achievement(id, title, description, metric, target, points)


ACHIEVEMENTS: tuple[Achievement, ...] = (
    _achievement("first_entry", "First Page", "Write your first journal entry.", "entries", 1, 10),
    _achievement("entries_10", "Finding Your Voice", "Write 10 journal entries.", "entries", 10, 50),
    _achievement("entries_50", "Chapter by Chapter", "Write 50 journal entries.", "entries", 50, 150),
    _achievement("entries_100", "Centurion", "Write 100 journal entries.", "entries", 100, 300),
    _achievement("entries_365", "A Year in Pages", "Write 365 journal entries.", "entries", 365, 1000),
    _achievement("streak_3", "Warming Up", "Write three days in a row.", "longest_streak", 3, 20),
    _achievement("streak_7", "A Full Week", "Write seven days in a row.", "longest_streak", 7, 50),
    _achievement("streak_30", "Habit Formed", "Write thirty days in a row.", "longest_streak", 30, 200),
    _achievement("streak_100", "Unbroken", "Write a hundred days in a row.", "longest_streak", 100, 500),
    _achievement("words_1000", "A Thousand Words", "Write 1,000 words in total.", "words", 1_000, 20),
    _achievement("words_10000", "Wordsmith", "Write 10,000 words in total.", "words", 10_000, 100),
    _achievement("words_100000", "Novelist", "Write 100,000 words in total.", "words", 100_000, 500),
    _achievement("first_prompt", "Prompted", "Write an entry from a prompt.", "prompts_used", 1, 10),
    _achievement("prompts_10", "Curious Mind", "Write 10 entries from prompts.", "prompts_used", 10, 50),
    _achievement("first_task", "First Step", "Complete your first quest task.", "tasks_completed", 1, 10),
    _achievement("tasks_10", "Getting Things Done", "Complete 10 quest tasks.", "tasks_completed", 10, 50),
    _achievement("tasks_50", "Relentless", "Complete 50 quest tasks.", "tasks_completed", 50, 150),
    _achievement("first_milestone", "Milestone Reached", "Complete a quest milestone.", "milestones_completed", 1, 25),
    _achievement("first_quest", "Quest Complete", "Complete a whole quest.", "quests_completed", 1, 100),
    _achievement("quests_5", "Seasoned Adventurer", "Complete 5 quests.", "quests_completed", 5, 300),
    _achievement("first_resume", "Résumé Ready", "Have your resume analysed.", "resumes_analyzed", 1, 10),
    _achievement("first_application", "Hat in the Ring", "Send your first job application.", "applications_sent", 1, 10),
    _achievement("applications_10", "Casting the Net", "Send 10 job applications.", "applications_sent", 10, 50),
    _achievement("first_interview", "Foot in the Door", "Land a job interview.", "interviews", 1, 50),
    _achievement("first_offer", "Offer in Hand", "Receive a job offer.", "offers", 1, 150),
    _achievement("first_tryon", "New Look", "Try on your first hairstyle.", "tryons_completed", 1, 10),
    _achievement("tryons_10", "Style Explorer", "Try on 10 hairstyles.", "tryons_completed", 10, 50),
)


# -- one event -------------------------------------------------------------------------------------


def apply(counters: Counters, event_type: str, detail: Mapping[str, Any], *, today: dt.date) -> tuple[Counters, list[Award]]:
    """The counters after one event, and what it earned. ``counters`` is left as it was.

    ``today`` is the user's local date when the event is processed. Editing an entry changes nothing,
    so rewriting a text cannot farm points. Deleting one takes nothing back and does not decrement
    ``entries`` or drop its day: points and achievements are history, an achievement's progress never
    goes backwards, and the event names no day to drop (live totals come from the entries themselves,
    in ``analytics.summarize``). Unknown event types change nothing.
    """
    after = counters.copy()
    handler = _HANDLERS.get(event_type)
    if handler is None:
        return after, []
    awards = handler(after, detail, today)
    awards += _new_achievements(after, _event_day(detail, today))
    after.points += sum(award.points for award in awards)
    return after, awards


def _entry_created(counters: Counters, detail: Mapping[str, Any], today: dt.date) -> list[Award]:
    words = _count(detail.get("wordCount"), "wordCount")
    day = parse_day(detail.get("localDate"), "localDate")
    first_of_day = day not in counters.days
    # The runs the new day may join, measured before it joins them: each has had its own bonuses.
    before = max(_run_from(counters.days, day - _ONE_DAY, -1), _run_from(counters.days, day + _ONE_DAY, +1))

    counters.entries += 1
    counters.words += words
    counters.days.add(day)
    # A day just past midnight for the user may still be tomorrow for the caller: it keeps the streak.
    reference = max(today, day) if day <= today + _ONE_DAY else today
    found = streaks(counters.days, reference)
    counters.current_streak = found.current
    counters.longest_streak = max(counters.longest_streak, found.longest)

    awards = []
    points = entry_points(words)
    if points:
        awards.append(Award("entry", points, f"Journal entry of {words} word{'s' if words != 1 else ''}"))
    # Only an entry for today or yesterday grows the live streak: back-filling old days would buy bonuses.
    if first_of_day and today - _ONE_DAY <= day <= today + _ONE_DAY:
        for length, bonus in sorted(STREAK_BONUSES.items()):
            if before < length <= found.current:
                awards.append(Award("streak_bonus", bonus, f"{length}-day writing streak"))
    return awards


def _counted(metric: str, reason: str, points: int, note: str) -> Callable[[Counters, Mapping[str, Any], dt.date], list[Award]]:
    def handle(counters: Counters, detail: Mapping[str, Any], today: dt.date) -> list[Award]:
        setattr(counters, metric, getattr(counters, metric) + 1)
        return [Award(reason, points, note.format_map(_Blank(detail)))]

    return handle


# Which counter a status reached moves (an application moved to interview twice, for two rounds, counts twice).
_STATUS_COUNTERS = {"applied": "applications_sent", "interview": "interviews", "offer": "offers"}


def _application_status_changed(counters: Counters, detail: Mapping[str, Any], today: dt.date) -> list[Award]:
    status = detail.get("to", "")
    metric = _STATUS_COUNTERS.get(status)
    if metric:
        setattr(counters, metric, getattr(counters, metric) + 1)
    points = APPLICATION_POINTS.get(status, 0)
    if not points:
        return []
    where = " at ".join(part for part in (detail.get("role"), detail.get("company")) if part) or detail.get("applicationId") or "?"
    return [Award(f"application_{status}", points, f"Application {status}: {where}")]


def _nothing(counters: Counters, detail: Mapping[str, Any], today: dt.date) -> list[Award]:
    return []


_HANDLERS: dict[str, Callable[[Counters, Mapping[str, Any], dt.date], list[Award]]] = {
    "EntryCreated": _entry_created,
    "EntryUpdated": _nothing,
    "EntryDeleted": _nothing,
    "AIInsightRequested": _nothing,
    "PromptUsed": _counted("prompts_used", "prompt", PROMPT_POINTS, "Wrote from the prompt {promptId}"),
    "TaskCompleted": _counted("tasks_completed", "task_completed", TASK_POINTS, "Completed the task {taskId}"),
    "MilestoneCompleted": _counted(
        "milestones_completed", "milestone_completed", MILESTONE_POINTS, "Completed milestone {milestoneSeq} of the quest {goalId}"
    ),
    "QuestCompleted": _counted("quests_completed", "quest_completed", QUEST_POINTS, "Completed the quest {goalId}"),
    "ResumeAnalyzed": _counted("resumes_analyzed", "resume_analyzed", RESUME_POINTS, "Resume analysed (ATS score {atsScore})"),
    "ApplicationStatusChanged": _application_status_changed,
    "TryOnCompleted": _counted("tryons_completed", "tryon_completed", TRYON_POINTS, "Tried on the hairstyle {hairstyleId}"),
}


class _Blank(dict):
    """Event detail for a note: a field the event lacks reads as '?' rather than failing the award."""

    def __missing__(self, key: str) -> str:
        return "?"


def _new_achievements(counters: Counters, day: dt.date) -> list[Award]:
    awards = []
    for achievement in ACHIEVEMENTS:
        if achievement.id not in counters.earned and getattr(counters, achievement.metric) >= achievement.target:
            counters.earned[achievement.id] = day.isoformat()
            awards.append(Award("achievement", achievement.points, f"{achievement.title}: {achievement.description}"))
    return awards


def _event_day(detail: Mapping[str, Any], today: dt.date) -> dt.date:
    """The day an achievement is dated: the entry's own day when it is about now, else today (an entry
    back-dated to last year earns its achievement today, not last year)."""
    try:
        day = parse_day(detail["localDate"])
    except (KeyError, ValueError):
        return today
    return day if abs((day - today).days) <= 1 else today


def _run_from(days: set[dt.date], start: dt.date, step: int) -> int:
    length, day = 0, start
    while day in days:
        length += 1
        day += dt.timedelta(days=step)
    return length


def _count(value: Any, name: str) -> int:
    # Decimal and float arrive from DynamoDB and JSON; a bool is an int to Python but not a count.
    whole = isinstance(value, (int, float, Decimal)) and not isinstance(value, bool) and math.isfinite(value) and value == int(value)
    if not whole or value < 0:
        raise ValueError(f"{name} must be a whole number >= 0, not {value!r}")
    return int(value)


# -- what a user sees ------------------------------------------------------------------------------


def achievements(counters: Counters) -> list[dict[str, Any]]:
    """Every achievement with its progress: the earned ones first (oldest first), then the locked ones,
    closest to done first."""
    shown = []
    for order, achievement in enumerate(ACHIEVEMENTS):
        value = getattr(counters, achievement.metric)
        earned_at = counters.earned.get(achievement.id)
        percent = 100 if earned_at else min(100, value * 100 // achievement.target)
        view = {
            "achievementId": achievement.id,
            "title": achievement.title,
            "description": achievement.description,
            "points": achievement.points,
            "earned": earned_at is not None,
            "earnedAt": earned_at,
            "progress": {"current": min(value, achievement.target), "target": achievement.target, "percent": percent},
        }
        key = (0, earned_at, order) if earned_at else (1, -percent, order)
        shown.append((key, view))
    return [view for key, view in sorted(shown, key=lambda pair: pair[0])]


class Level(TypedDict):
    level: int
    points: int
    levelFloor: int
    nextLevelAt: int
    pointsToNextLevel: int


def _floor(level: int) -> int:
    return _LEVEL_STEP * level * (level - 1)


def level_for(points: int) -> Level:
    """Level n starts at 50 * n * (n - 1) points, so each level asks 100 points more than the last."""
    points = max(0, int(points))
    # The positive root of 50 n (n - 1) = points; isqrt keeps it exact, the loops absorb its rounding.
    level = max(1, (1 + math.isqrt(1 + 4 * points // _LEVEL_STEP)) // 2)
    while _floor(level + 1) <= points:
        level += 1
    while _floor(level) > points:
        level -= 1
    following = _floor(level + 1)
    return Level(level=level, points=points, levelFloor=_floor(level), nextLevelAt=following, pointsToNextLevel=following - points)
