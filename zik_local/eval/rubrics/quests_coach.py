"""The rubric of ``quests.coach``: are a milestone's tasks a few concrete steps, in a sensible order, on days with room?

A case's ``data`` is the task's input ({goalTitle, goalDescription, milestoneTitle, milestoneDescription,
milestoneDueDate, milestoneNumber, milestoneCount, today, busyDays}); ``busyDays`` is {date: tasks already due}.
Its ``expect`` (every key optional):
    mustMention     words or phrases every one of which the tasks must use
    mustNotMention  words of a wrong template; none may appear
    language        "fr" for a goal written in French ("en" otherwise)

A case passes when every check passes (HEADLINE None).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from zik_local.eval.checks import Check, contains_words, dates_inside, dates_non_decreasing, fold, in_language, iso_date, missing_words, words

TASK = "quests.coach"
HEADLINE: str | None = None
FULL = 3  # a day with this many tasks already has enough

# A task's role read from its title's first words: getting ready, looking back, the finish itself.
_SETUP = re.compile(
    r"^(?:set up|install|choose|pick|buy|book|schedule|download|open|create|prepare|list|measure|research|sign up|write down|define|"
    r"decide|gather|find|plan|get fitted|préparer|prépare|choisir|choisis|installer|installe|planifier|planifie|réserver|réserve|"
    r"noter|note|mesurer|mesure|lister|liste|trouver|trouve)\b",
    re.IGNORECASE,
)
_REVIEW = re.compile(
    r"^(?:review|check|reflect|look back|evaluate|assess|retest|faire le point|fais le point|vérifier|vérifie|bilan)\b", re.IGNORECASE
)
_FINAL = re.compile(
    r"\b(?:final|race day|exam day|launch (?:it|publicly|day)|celebrate|goal is met|perform|objectif atteint|jour de la course|pesée finale)\b",
    re.IGNORECASE,
)
_FILLER = {
    fold(word)
    for word in (
        "your first next every each with from into this that week weeks days reach make start build finish halfway mark goal "
        "votre premier première chaque avec pour dans cette semaine atteint objectif"
    ).split()
}


def _role(title: str) -> int:
    """0 getting ready, 1 doing, 2 looking back, 3 the finish."""
    if _FINAL.search(title):
        return 3
    if _REVIEW.search(title):
        return 2
    if _SETUP.search(title):
        return 0
    return 1


def _missing(text: str, phrases: list[str]) -> list[str]:
    """The phrases ``text`` lacks: words compared folded and stemmed, a phrase with a number ("$2,500") as it is written."""
    return [p for p in phrases if (fold(p) not in fold(text) if re.search(r"\d", p) else missing_words(text, [p]))]


def _mentions(text: str, phrase: str) -> bool:
    """``phrase`` as a whole word or phrase (a plural allowed), folded: "app" is not "apply" (a stemmer makes them one)."""
    return re.search(rf"\b{re.escape(fold(phrase))}(?:s|es)?\b", fold(text)) is not None


# Text in quotation marks ("Review progress on \u201c...\u201d") only repeats the milestone's title: it shows no task is about it.
_QUOTED = re.compile(r'"[^"]*"|\u201c[^\u201d]*\u201d|\u00ab[^\u00bb]*\u00bb')


def _unquoted(text: str) -> str:
    return _QUOTED.sub(" ", text)


def grade(case: dict[str, Any], answer: dict[str, Any]) -> list[Check]:
    data, expect = case["data"], case.get("expect", {})
    tasks = answer["tasks"]
    today = iso_date(data["today"]) or dt.date.min
    due = iso_date(data["milestoneDueDate"]) or today
    last = max(due, today)
    dues = [t["dueDate"] for t in tasks]
    titles = [t["title"] for t in tasks]
    text = " ".join(f"{t['title']}. {t.get('description', '')}" for t in tasks)
    checks = [
        Check("count", 3 <= len(tasks) <= 5, f"{len(tasks)} tasks"),
        dates_inside("inside the window", dues, today, last),
        dates_non_decreasing("in order", dues),
    ]

    roles = [_role(title) for title in titles]
    problems = []
    if len(roles) > 1 and roles[0] >= 2:
        problems.append(f"starts with {titles[0]!r}")
    for index, role in enumerate(roles):
        if role == 0 and any(r >= 2 for r in roles[:index]):
            problems.append(f"set-up {titles[index]!r} after a review or the finish")
        if role == 3 and index < len(roles) - 1 and any(r == 0 for r in roles[index + 1 :]):
            problems.append(f"finish {titles[index]!r} before set-up")
    checks.append(Check("roles in order", not problems, "; ".join(problems)))

    busy = {str(day): int(count) for day, count in (data.get("busyDays") or {}).items()}
    window = [today + dt.timedelta(days=n) for n in range((last - today).days + 1)]
    free = [day for day in window if busy.get(day.isoformat(), 0) < FULL]
    if free and tasks:
        first = dues[0]
        on_full = [d for d in dues if busy.get(d, 0) >= FULL]
        checks.append(Check("first day has room", busy.get(first, 0) < FULL, f"{first} already has {busy.get(first, 0)} tasks"))
        checks.append(Check("full days avoided", not on_full, f"tasks on full days {on_full}" if on_full else ""))

    own = [w for w in words(data.get("milestoneTitle", "")) if len(w) >= 4 and w not in _FILLER and not w.isdigit()]
    if own:
        checks.append(contains_words("milestone words", _unquoted(text), own))
    if expect.get("mustMention"):
        missing = _missing(_unquoted(text), expect["mustMention"])
        checks.append(Check("must mention", not missing, f"missing {missing}" if missing else ""))
    if expect.get("mustNotMention"):
        found = [phrase for phrase in expect["mustNotMention"] if _mentions(f"{text} {answer['message']}", phrase)]
        checks.append(Check("wrong template", not found, f"mentions {found}" if found else ""))
    checks.append(in_language("language", f"{text} {answer['message']}", expect.get("language", "en")))
    return checks
