"""The rubric of ``journal.insight``: does the reading of one entry get its sentiment, emotions, themes and summary right?

A case's ``expect`` (every key optional):
    label        "positive" | "negative" | "neutral" | "mixed", or a list of labels a careful reader could give
    emotions     names at least one of which the answer must give; a list of such lists (a mixed day) asks one of each
    notEmotions  names the answer must not give (a sarcastic "just fantastic" is not joy)
    themes       names at least one of which the answer must give
    notThemes    names the answer must not give (gardening is not money)
Names compare by family: a model that says "grief" for sadness or "finances" for money reads the entry right.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from zik_local.eval.checks import Check, fold, words

TASK = "journal.insight"
HEADLINE: str | None = "label"

# Each set holds names that mean the same reading of an entry; a name belongs to every set that holds it.
_EMOTION_FAMILIES = (
    {"joy", "happiness", "happy", "delight", "elation", "excitement", "cheerfulness", "glee", "amusement", "enthusiasm"},
    {"calm", "peace", "peacefulness", "contentment", "serenity", "relaxation", "tranquility", "ease"},
    {"gratitude", "thankfulness", "appreciation"},
    {"love", "affection", "tenderness", "warmth", "fondness"},
    {"pride", "accomplishment", "satisfaction", "achievement"},
    {"hope", "optimism", "anticipation"},
    {"relief", "freedom"},
    {"awe", "wonder", "amazement"},
    {"sadness", "grief", "sorrow", "heartbreak", "heartache", "despair", "hurt", "melancholy", "mourning", "devastation", "longing"},
    {"anxiety", "worry", "fear", "nervousness", "stress", "dread", "panic", "unease", "apprehension", "overwhelm", "self-doubt", "insecurity"},
    {"anger", "fury", "rage", "resentment", "irritation", "annoyance", "outrage"},
    {"frustration", "annoyance", "irritation", "exasperation"},
    {"loneliness", "isolation"},
    {"fatigue", "exhaustion", "tiredness", "weariness"},
    {"guilt", "shame", "regret", "remorse"},
    {"disappointment", "dissatisfaction"},
    {"shock", "disbelief", "numbness"},
)
_POSITIVE_EMOTIONS = set().union(*_EMOTION_FAMILIES[:8])
_NEGATIVE_EMOTIONS = set().union(*_EMOTION_FAMILIES[8:])

_THEME_FAMILIES = (
    {"work", "career", "job", "employment", "workplace"},
    {"money", "finances", "finance", "budget", "debt", "budgeting"},
    {"study", "school", "education", "exams", "university", "learning"},
    {"nature", "gardening", "garden", "outdoors", "plants"},
    {"hobbies", "hobby", "leisure", "gardening"},
    {"food", "cooking", "baking"},
    {"home", "moving", "household", "chores", "housing", "house"},
    {"relationships", "romance", "partner", "breakup", "marriage", "divorce"},
    {"health", "illness", "medical", "wellbeing", "pregnancy"},
    {"exercise", "fitness", "running", "sport", "sports"},
    {"grief", "loss", "bereavement", "death", "mourning"},
    {"travel", "commute", "commuting", "transport"},
    {"friends", "friendship", "social"},
    {"self-care", "wellness", "relaxation", "rest"},
    {"creativity", "art", "writing", "music", "photography"},
    {"reading", "books", "literature"},
    {"family", "parenting", "children"},
    {"community", "charity", "volunteering"},
)

_SCORE_NEAR_MIDDLE = 0.5
_NEUTRAL_BAND = 0.3


def _family(name: str, families: Sequence[set[str]]) -> set[str]:
    key = fold(name).strip()
    return {key}.union(*(family for family in families if key in family))


def _names(answer_items: Iterable[Any]) -> list[str]:
    return [fold(str(item.get("name") if isinstance(item, dict) else item)).strip() for item in answer_items]


def _given(names: list[str], wanted: str, families: Sequence[set[str]]) -> bool:
    return bool(_family(wanted, families) & set(names))


def _expected(name: str, given: list[str], wanted: Sequence[Any], families: Sequence[set[str]]) -> Check:
    # A list of lists asks one name of each group (both sides of a mixed day); a flat list, one name of it.
    groups = [list(group) for group in wanted] if wanted and all(isinstance(group, list) for group in wanted) else [list(wanted)]
    missing = [group for group in groups if not any(_given(given, one, families) for one in group)]
    return Check(name, not missing, f"gave {given}, wanted one of " + " and one of ".join(map(str, missing)) if missing else "")


def _forbidden(name: str, given: list[str], unwanted: Sequence[str], families: Sequence[set[str]]) -> Check:
    found = [one for one in given if any(one in _family(bad, families) for bad in unwanted)]
    return Check(name, not found, f"gave {found}" if found else "")


def _labels(expect: dict[str, Any]) -> list[str]:
    label = expect.get("label")
    return [] if label is None else [label] if isinstance(label, str) else list(label)


def _score_fits(label: str, score: float, emotions: list[str]) -> bool:
    if label == "positive":
        return score > 0
    if label == "negative":
        return score < 0
    if label == "neutral":
        return abs(score) <= _NEUTRAL_BAND
    # mixed: the whole sits near the middle, or the emotions show both sides of the day.
    return abs(score) <= _SCORE_NEAR_MIDDLE or bool(set(emotions) & _POSITIVE_EMOTIONS and set(emotions) & _NEGATIVE_EMOTIONS)


def _normalised(text: str) -> str:
    return " ".join(fold(text).replace("“", '"').replace("”", '"').split())


def _summary_check(case: dict[str, Any], summary: str) -> Check:
    data = case["data"]
    source = _normalised(f"{data.get('title') or ''}\n{data.get('content') or ''}")
    # A summary shortened at a word boundary ends with an ellipsis the entry does not have.
    quoted = re.sub(r"(?:…|\.\.\.)\s*$", "", _normalised(summary)).strip()
    if quoted and quoted in source:
        return Check("summary", True)
    # A model may drop a comma or a quote mark: nine words in ten taken from the entry, in its words, still quote it.
    said, own = words(summary), set(words(source))
    borrowed = sum(word in own for word in said)
    ok = len(said) >= 3 and borrowed >= 0.9 * len(said)
    return Check("summary", ok, "" if ok else f"not the entry's own words: {summary!r}")


def grade(case: dict[str, Any], answer: dict[str, Any]) -> list[Check]:
    expect = case.get("expect") or {}
    sentiment = answer["sentiment"]
    emotions, themes = _names(answer["emotions"]), _names(answer["themes"])
    checks = []
    labels = _labels(expect)
    if labels:
        checks.append(Check("label", sentiment["label"] in labels, f"{sentiment['label']} ({sentiment['score']}), expected {' or '.join(labels)}"))
        fits = any(_score_fits(label, sentiment["score"], emotions) for label in labels)
        checks.append(Check("score", fits, "" if fits else f"score {sentiment['score']} does not read as {' or '.join(labels)}"))
    if expect.get("emotions"):
        checks.append(_expected("emotions", emotions, expect["emotions"], _EMOTION_FAMILIES))
    if expect.get("notEmotions"):
        checks.append(_forbidden("emotions forbidden", emotions, expect["notEmotions"], _EMOTION_FAMILIES))
    if expect.get("themes"):
        checks.append(_expected("themes", themes, expect["themes"], _THEME_FAMILIES))
    if expect.get("notThemes"):
        checks.append(_forbidden("themes forbidden", themes, expect["notThemes"], _THEME_FAMILIES))
    checks.append(_summary_check(case, answer["summary"]))
    return checks
