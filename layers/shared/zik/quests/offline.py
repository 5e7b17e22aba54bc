"""The quests domain's offline AI rules: what the ``local`` provider answers for ``quests.plan`` and
``quests.coach`` (the chat's are in ``chat_rules``).

Pure functions, standard library only, deterministic. ``goal_facts`` reads the goal's own words (its
language, its kind, its numbers, where the person stands now); the stages and tasks of each kind are data
files (``kinds/<kind>.toml``, ``kinds/fr/<kind>.toml``) that ``playbook`` renders with those facts. What
stays here is the logic: how many stages a span gets and which, the dates, the order of a milestone's
tasks, and the days that already have enough to do.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from typing import Any

from zik.quests import playbook
from zik.quests.goal_facts import HORIZON_DAYS, VERBS, Goal, clean_goal, days_needed, detect_kind, read_goal
from zik.quests.wording import clip as _clip
from zik.quests.wording import upper_first as _upper_first
from zik.quests.wording import words as _words

__all__ = ["coach", "detect_kind", "milestone_count", "plan"]

TITLE_MAX, DESCRIPTION_MAX, SUMMARY_MAX, MESSAGE_MAX = 120, 500, 1000, 1000
FULL_DAY = 3  # a day with this many tasks already due has enough: the coach starts another day
_ROLE_ORDER = {role: index for index, role in enumerate(playbook.TASK_ROLES)}


def _day(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value or "").strip()[:10])
    except ValueError:
        return None


def _say(goal: Goal, key: str, **facts: Any) -> str:
    """One of the words every kind shares, in the goal's language, with these facts."""
    return playbook.render(playbook.common(goal.language)[key], {**goal.facts, **{k: str(v) for k, v in facts.items()}})


# --------------------------------------------------------------------------------------------------
# quests.plan
# --------------------------------------------------------------------------------------------------


def milestone_count(span: int) -> int:
    return 3 if span < 21 else 4 if span < 60 else 5 if span < 120 else 6 if span < 240 else 7


def _spread(today: dt.date, span: int, count: int) -> list[dt.date]:
    """``count`` dates after today, evenly spaced, the last on ``today + span`` (repeats only if span < count)."""
    return [today + dt.timedelta(days=-(-span * (i + 1) // count)) for i in range(count)]


def _stages(goal: Goal, count: int) -> list[playbook.Stage]:
    """The ``count`` stages a plan of this span keeps (the lowest ``keep`` first), in the file's order: the
    set-up stays first and the goal itself last, whatever the span."""
    stages = goal.kind.stages
    kept = sorted(range(len(stages)), key=lambda index: (stages[index].keep, index))[:count]
    return sorted((stages[index] for index in sorted(kept)), key=lambda stage: playbook.STAGE_ROLES.index(stage.role))


def _final_title(goal: Goal, title: str) -> str:
    """'Launch: Build a budget app', but not 'Launch: Launch my store' (then 'Goal reached: ...')."""
    label, _, rest = title.partition(": ")
    if rest and label.split(" ", 1)[0].lower() == goal.facts["name"].split(" ", 1)[0].lower():
        return _say(goal, "goal_reached")
    return title


def _length(goal: Goal, span: int) -> str:
    if span == 1:
        return _say(goal, "length_one_day")
    if span < 28:
        return _say(goal, "length_days", n=span)
    if span < 120:
        return _say(goal, "length_weeks", n=round(span / 7))
    return _say(goal, "length_months", n=round(span / 30.4))


def plan(data: Mapping[str, Any]) -> dict[str, Any]:
    """``quests.plan``: 3 to 7 ordered milestones for a goal, due from after today to its target date.

    A span shorter than the goal's kind needs (a marathon by tomorrow) keeps the user's date, which the
    roadmap and the goal share, but the summary says plainly that it is not realistic, why, and which date
    would be. A goal with no target date (or one already passed) gets the longer of 90 days and that span."""
    today = _day(data.get("today")) or dt.date(2000, 1, 1)
    target = _day(data.get("targetDate"))
    given = target is not None and target > today
    passed = target is not None and not given
    span = (target - today).days if target and given else HORIZON_DAYS
    goal = read_goal(data.get("title"), data.get("description"), data.get("category"), span=span)
    needed, why = days_needed(goal)
    if not given:
        span = max(HORIZON_DAYS, needed)
        target = today + dt.timedelta(days=span)
        if span != goal.span:  # the facts that spread over the span (a monthly saving) are read for this one
            goal = read_goal(data.get("title"), data.get("description"), data.get("category"), span=span)
    assert target is not None
    count = min(milestone_count(span), len(goal.kind.stages))  # a kind with fewer stages plans them all
    milestones = []
    for stage, due in zip(_stages(goal, count), _spread(today, span, count)):
        title = _upper_first(playbook.render(stage.title, goal.facts))
        if stage.role == "final":
            title = _final_title(goal, title)
        milestones.append(
            {
                "title": _clip(title, TITLE_MAX),
                "description": _clip(playbook.render(stage.text, goal.facts), DESCRIPTION_MAX),
                "dueDate": due.isoformat(),
            }
        )
    facts = {
        "count": count,
        "when": _say(goal, "when_target", target=target.isoformat())
        if given
        else _say(goal, "when_horizon", horizon=span, target=target.isoformat()),
        "pace": _say(goal, "pace_days", n=span // count) if span // count > 1 else _say(goal, "pace_daily"),
        "length": _length(goal, span),
        "first": milestones[0]["title"],
        "first_due": milestones[0]["dueDate"],
        "last": milestones[-1]["title"],
    }
    summary = _say(goal, "summary", **facts)
    if passed:
        summary += _say(goal, "passed", horizon=span)
    if given and needed > span:
        realistic = today + dt.timedelta(days=needed)
        why = why or _say(goal, "why_default", length=_length(goal, needed))
        summary = _say(goal, "unrealistic", span=_length(goal, span), why=why, realistic=realistic.isoformat()) + summary
    return {"milestones": milestones, "summary": _clip(summary, SUMMARY_MAX)}


# --------------------------------------------------------------------------------------------------
# quests.coach
# --------------------------------------------------------------------------------------------------

Todo = tuple[str, str, str]  # a task's title, description and role


def _phase(number: int, count: int) -> str:
    if number <= 1:
        return "start"
    if number >= count:
        return "finish"
    return "build"


_VAGUE = {"day", "week", "month", "minut", "hour", "time", "first", "next", "new", "one", "two", "thre", "reach", "get", "make", "start"}
_VAGUE |= {"your", "every", "each", "full", "last"}


def _topic_words(text: str) -> set[str]:
    return {w for w in _words(text) if w.isalpha() and len(w) >= 2 and w not in _VAGUE}


def _tasks(goal: Goal, phase: str) -> list[Todo]:
    return [
        (playbook.render(task.title, goal.facts), playbook.render(task.text, goal.facts), task.role)
        for task in goal.kind.tasks
        if task.phase == phase
    ]


def _pick_tasks(goal: Goal, phrase: str, milestone: str, phase: str, size: int) -> list[Todo]:
    """The phase's tasks of the goal's kind, after any other task of the kind about what the milestone
    names and the phase's tasks do not ('Update your CV and LinkedIn' brings up the CV and LinkedIn
    tasks). In a middle milestone the tasks whose titles share its words come first. Then in the order of
    their roles: getting ready, doing, looking back, the finish (a final weigh-in never comes first)."""
    own = _tasks(goal, phase)
    others = [task for other in playbook.PHASES if other != phase for task in _tasks(goal, other)]

    def topic(text: str) -> set[str]:
        return _topic_words(text.replace(phrase, ""))

    # Words most of the kind's tasks use ("song", "run") say nothing about a particular milestone.
    frequency: dict[str, int] = {}
    for title, description, _ in {task[0]: task for task in own + others}.values():
        for word in topic(f"{title} {description}"):
            frequency[word] = frequency.get(word, 0) + 1
    words = {w for w in _topic_words(milestone) - _topic_words(goal.title) if frequency.get(w, 0) <= 2}
    covered = set().union(*(topic(title) for title, _, _ in own)) & words
    wanted = words - covered
    pulled = []
    for order, task in enumerate(others):
        score = 2 * len(wanted & topic(task[0])) + len(wanted & topic(task[1]))
        if score >= 2:
            pulled.append((-score, order, task))
    if phase == "build":
        own = [task for *_, task in sorted((-len(words & topic(task[0])), order, task) for order, task in enumerate(own))]
    chosen: list[Todo] = []
    for task in [task for *_, task in sorted(pulled)] + own:
        if task[0] not in {t[0] for t in chosen}:
            chosen.append(task)
    # A kind with few tasks in this phase borrows the doing of its others (never their set-up or finish).
    chosen += [task for task in others if task[2] in ("core", "review") and task[0] not in {t[0] for t in chosen}]
    chosen = chosen[:size]
    # A milestone's own object that none of the kind's tasks names ("takeaway" in "Cut monthly takeaway spending"): one
    # doing task becomes the milestone's own action, so the tasks are about it and not only about its kind.
    named = set().union(*(_topic_words(f"{title} {description}".replace(phrase, "")) for title, description, _ in chosen)) if chosen else set()
    unknown = {word for word in _object_words(phrase) - _topic_words(goal.title) - named if len(word) >= 4} - _ACTION_WORDS - _kind_words(goal)
    if unknown and len(chosen) > 1:
        doing = next((index for index in range(len(chosen) - 1, -1, -1) if chosen[index][2] == "core"), len(chosen) - 1)
        chosen[doing] = _own_tasks(goal, phrase)[1]
    return sorted(chosen, key=lambda task: _ROLE_ORDER.get(task[2], 1))  # stable: the picking order within a role


# Words a milestone shares with any kind's tasks that say nothing about what it is about ("Book flights": "book").
_ACTION_WORDS = {"book", "plan", "complete", "finish", "take", "have", "with", "from", "into", "this", "that", "done", "more", "least"}


def _fits(goal: Goal, milestone: str) -> bool:
    """Whether the goal's kind (its stages, which the plan's own milestones come from, or its tasks) is about one
    of the milestone's own words (a task's "Focus: {milestone}" aside); a milestone that only repeats the goal's
    own words ("Race day: <the goal>") fits."""
    own = {w for w in _topic_words(milestone) if len(w) >= 4} - _ACTION_WORDS - _topic_words(goal.title)
    if not own:
        return True
    facts = {**goal.facts, "milestone": " "}
    texts = [alternates for task in goal.kind.tasks for alternates in (task.title, task.text)]
    texts += [alternates for stage in goal.kind.stages for alternates in (stage.title, stage.text)]
    told = " ".join(_rendered(alternates, facts) for alternates in texts)
    return bool(own & _topic_words(told))


# Words of a milestone that say when, not what ("every morning", "on Thursdays").
_WHEN_WORDS = {"morning", "evening", "night", "afternoon", "weekend", "daily", "weekly", "monthly", "today", "tonight", "monday", "tuesday"}
_WHEN_WORDS |= {"wednesday", "thursday", "friday", "saturday", "sunday", "matin", "soir", "semaine", "jour", "mois"}


def _object_words(milestone: str) -> set[str]:
    """The words of a milestone's title that could name its object: no names (a capitalised word after the first:
    "Madrid" is where, not what), no words of time."""
    tokens = milestone.split()
    kept = " ".join(token for index, token in enumerate(tokens) if index == 0 or not token[:1].isupper())
    return _topic_words(kept) - _topic_words(" ".join(_WHEN_WORDS))


def _kind_words(goal: Goal) -> set[str]:
    """Every word the goal's kind has for its stages and tasks, and the words every kind shares ("Goal reached"): a
    milestone's word outside them is its own object."""
    facts = {**goal.facts, "milestone": " "}
    texts = [alternates for task in goal.kind.tasks for alternates in (task.title, task.text)]
    texts += [alternates for stage in goal.kind.stages for alternates in (stage.title, stage.text)]
    texts += list(playbook.common(goal.language).values())
    return _topic_words(" ".join(" ".join(_rendered((alternate,), facts) for alternate in alternates) for alternates in texts))


def _rendered(alternates: tuple[str, ...], facts: dict[str, str]) -> str:
    try:
        return playbook.render(alternates, facts)
    except playbook.MissingFact:
        return ""


def _own_tasks(goal: Goal, milestone: str) -> list[Todo]:
    """A milestone no kind has words for gets tasks that name its own action ("List the steps to collect 200
    signatures"), never the tasks of the goal's kind (running intervals for a campaign's signatures)."""
    action = milestone.rstrip(" .!")
    first, _, rest = action.partition(" ")
    if first.lower() in VERBS or (re.match(r"(?:a|an|the|my|our|your|up|out|\d)\b", rest, re.IGNORECASE) and not first.isupper()):
        action = action[:1].lower() + action[1:]  # an order ("Collect 200 signatures") reads on after a colon; a name keeps its capital
    return [
        (_say(goal, "own_setup_title", action=action), _say(goal, "own_setup_text"), "setup"),
        (_say(goal, "own_first_title", action=action), _say(goal, "own_first_text"), "core"),
        (_say(goal, "own_next_title", action=action), _say(goal, "own_next_text"), "core"),
        (_say(goal, "own_last_title", action=action), _say(goal, "own_last_text"), "core"),
    ]


def _milestone_goal(goal: Goal, milestone: str, text: str) -> Goal | None:
    """The milestone read as a goal of its own, when its words name a kind (strongly) whose tasks are about it."""
    family = detect_kind((milestone, 4), (text, 1), minimum=8)
    if family in ("generic", goal.kind.family):
        return None
    own = read_goal(milestone, text, milestone=milestone)
    if own.kind.family != family or not _fits(own, milestone):
        return None
    own.kind = playbook.in_language(own.kind, goal.language)
    own.facts.update({key: value for key, value in goal.facts.items() if key in ("milestone", "due", "number", "count", "next")})
    return own


def _dates(today: dt.date, last: dt.date, count: int, busy: Mapping[str, Any]) -> list[dt.date]:
    """``count`` dates from the first day with room to ``last``, spread evenly over the days with room
    (a day with FULL_DAY tasks already has enough); every day of the window when none has room."""
    window = [today + dt.timedelta(days=n) for n in range((last - today).days + 1)]
    load = {day: _count(busy.get(day.isoformat())) for day in window}
    free = [day for day in window if load[day] < FULL_DAY] or window
    start, end = free[0], free[-1]
    dates: list[dt.date] = []
    for index in range(count):
        ideal = start + dt.timedelta(days=((end - start).days * index) // max(1, count - 1))
        after = max(ideal, dates[-1] if dates else start)
        dates.append(next((day for day in free if day >= after), dates[-1] if dates else start))
    return dates


def _count(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def coach(data: Mapping[str, Any]) -> dict[str, Any]:
    """``quests.coach``: 3 to 5 concrete tasks for one milestone, from the first day with room (today unless
    ``busyDays`` shows it full) to the milestone's due date (all today when that date is past)."""
    today = _day(data.get("today")) or dt.date(2000, 1, 1)
    due = _day(data.get("milestoneDueDate")) or today
    last = max(due, today)
    days = (last - today).days
    number = max(1, int(data.get("milestoneNumber") or 1))
    count = max(number, int(data.get("milestoneCount") or number))
    milestone_title = clean_goal(data.get("milestoneTitle") or "this milestone")
    milestone_text = str(data.get("milestoneDescription") or "")
    goal = read_goal(data.get("goalTitle"), data.get("goalDescription"), extra=((milestone_title, 2), (milestone_text, 1)), milestone=milestone_title)
    goal.facts.update(milestone=milestone_title, due=last.isoformat(), number=str(number), count=str(count), next=str(number + 1))
    phase = _phase(number, count)
    size = 3 if days <= 2 else 4 if days <= 7 else 5
    if goal.kind.family == "generic" or _fits(goal, milestone_title):
        chosen = _pick_tasks(goal, milestone_title, f"{milestone_title} {milestone_text}", phase, size - 1)
    else:  # a milestone of another kind than its goal: its own kind's tasks, else tasks that name it
        other = _milestone_goal(goal, milestone_title, milestone_text)
        chosen = (
            _pick_tasks(other, milestone_title, f"{milestone_title} {milestone_text}", phase, size - 1)
            if other
            else _own_tasks(goal, milestone_title)[: size - 1]
        )
    if phase == "finish":
        reached = goal.title.lower() in milestone_title.lower()
        review = (_say(goal, "check_title"), _say(goal, "check_goal_text" if reached else "check_milestone_text"), "review")
    else:
        review = (_say(goal, "review_title"), _say(goal, "review_text"), "review")
    chosen.append(review)
    busy = data.get("busyDays") if isinstance(data.get("busyDays"), Mapping) else {}
    dates = _dates(today, last, len(chosen), busy or {})
    tasks = [
        {"title": _clip(_upper_first(title), TITLE_MAX), "description": _clip(description, DESCRIPTION_MAX), "dueDate": when.isoformat()}
        for (title, description, _), when in zip(chosen, dates)
    ]
    if due < today:
        timing = _say(goal, "timing_past", was_due=due.isoformat())
    elif days == 0:
        timing = _say(goal, "timing_today")
    else:
        timing = _say(goal, "timing_days" if days != 1 else "timing_one_day", days=days)
    start = _say(goal, "start_today" if dates[0] == today else "start_later", first=tasks[0]["title"], day=dates[0].isoformat())
    message = _say(goal, "message", timing=timing, start=start)
    return {"tasks": tasks, "message": _clip(message, MESSAGE_MAX)}


def sample_data() -> dict[str, dict[str, Any]]:
    """Example inputs of the three tasks (for prompt checks and documentation)."""
    return {
        "quests.plan": {
            "title": "Run a marathon in under 4 hours",
            "description": "I run 10 km twice a week now.",
            "category": "Health",
            "targetDate": "2026-10-04",
            "today": "2026-03-01",
        },
        "quests.coach": {
            "goalTitle": "Run a marathon in under 4 hours",
            "goalDescription": "",
            "milestoneTitle": "Build a base: run 3 times a week",
            "milestoneDescription": "Run 3 easy runs a week.",
            "milestoneDueDate": "2026-03-31",
            "milestoneNumber": 1,
            "milestoneCount": 6,
            "today": "2026-03-01",
            "busyDays": {"2026-03-01": 3, "2026-03-02": 1},
        },
        "quests.chat": {
            "message": "what's on today?",
            "goals": [{"goalId": "g1", "title": "Learn Spanish", "status": "active"}],
            "todayTasks": [
                {"taskId": "t1", "title": "Learn your first 20 Spanish words with flashcards", "status": "todo", "goalTitle": "Learn Spanish"}
            ],
            "tomorrowTasks": [],
            "today": "2026-03-01",
        },
    }


if __name__ == "__main__":  # pragma: no cover - a quick look: python -m zik.quests.offline
    from zik.quests.chat_rules import chat

    for name, sample in sample_data().items():
        fn = {"quests.plan": plan, "quests.coach": coach, "quests.chat": chat}[name]
        print(name, json.dumps(fn(sample), indent=2, ensure_ascii=False))
