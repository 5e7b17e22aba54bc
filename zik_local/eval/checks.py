"""What a rubric's grade is made of (``Check``) and the small tests every rubric would otherwise write again.

Each helper that ends in a verdict answers a ``Check`` named by the caller; the ones below them answer plain
values (a date, folded words, the problems found) for rubrics that combine them. None reads the clock:
a case's dates come from its data.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Check:
    """One thing a rubric checked in one answer; ``detail`` says what was wrong (or what was seen)."""

    name: str
    passed: bool
    detail: str = ""


# -- dates ----------------------------------------------------------------------------------------------
def iso_date(value: Any) -> dt.date | None:
    """The day of an ISO date or date-time (``2026-03-01``, ``2026-03-01T09:00:00Z``), else None."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        return dt.date.fromisoformat(text[:10]) if len(text) == 10 else dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def dates_inside(name: str, values: Iterable[Any], start: Any, end: Any) -> Check:
    """Every value is an ISO date on or after ``start`` and on or before ``end`` (either may be None: open)."""
    low, high = iso_date(start), iso_date(end)
    wrong = []
    for value in values:
        day = iso_date(value)
        if day is None:
            wrong.append(f"{value!r} is not a date")
        elif (low is not None and day < low) or (high is not None and day > high):
            wrong.append(f"{day} is outside [{low or '…'}, {high or '…'}]")
    return Check(name, not wrong, "; ".join(wrong))


def dates_non_decreasing(name: str, values: Sequence[Any]) -> Check:
    """The values are ISO dates, each on or after the one before it."""
    days = [iso_date(value) for value in values]
    if any(day is None for day in days):
        return Check(name, False, f"not all dates: {list(values)!r}")
    backwards = [f"{a} then {b}" for a, b in itertools.pairwise(days) if a is not None and b is not None and b < a]
    return Check(name, not backwards, "; ".join(backwards))


# -- numbers --------------------------------------------------------------------------------------------
def number_between(name: str, value: Any, low: float, high: float) -> Check:
    """``value`` is a number (not a bool) inside [low, high]."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and low <= value <= high
    return Check(name, ok, "" if ok else f"{value!r} is not inside [{low}, {high}]")


# -- words ----------------------------------------------------------------------------------------------
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# Longest first; a suffix is taken off only when at least three letters are left (so "bus" stays "bus").
_SUFFIXES = ("ements", "ement", "ations", "ation", "ings", "ing", "ers", "er", "es", "ed", "ly", "s", "e")


def fold(text: str) -> str:
    """Lower case without accents: "Été" and "ete" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("’", "'"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def stem(word: str) -> str:
    """A crude stem of a folded word (plural, -ing, -ed, -ly, French -ement...): enough to match "running"
    with "run" or "plans" with "plan", not a linguist's stemmer."""
    for suffix in _SUFFIXES:
        if suffix == "ly" and word.endswith("ply"):  # apply, reply, supply: verbs, not adverbs
            continue
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    # running -> runn -> run: a doubled final consonant left by -ing / -ed is one letter.
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]
    # study, studies, studied -> studi
    return word[:-1] + "i" if word.endswith("y") and len(word) > 3 else word


def words(text: str) -> list[str]:
    """The folded words of ``text`` (letters, with inner apostrophes and hyphens), in order."""
    return _WORD.findall(fold(text))


def missing_words(text: str, expected: Iterable[str]) -> list[str]:
    """The expected words (or phrases: every word of one, in order) that ``text`` lacks, compared folded and stemmed."""
    stems = [stem(word) for word in words(text)]
    joined = f" {' '.join(stems)} "
    missing = []
    for phrase in expected:
        wanted = " ".join(stem(word) for word in words(phrase))
        if not wanted or f" {wanted} " not in joined:
            missing.append(phrase)
    return missing


def contains_words(name: str, text: str, expected: Sequence[str], *, every: bool = False) -> Check:
    """``text`` holds at least one of the ``expected`` words (all of them with ``every=True``), folded and stemmed."""
    missing = missing_words(text, expected)
    ok = not missing if every else len(missing) < len(expected) or not expected
    return Check(name, ok, "" if ok else f"missing {missing}")


# -- grammar a template can break ------------------------------------------------------------------------
# Words that may honestly come twice ("that that", "nous nous levons"), folded.
_MAY_REPEAT = {"that", "had", "ha", "bye", "very", "so", "no", "nous", "vous", "tres", "really", "well"}
# A determiner straight before a conjunction ("your and"): each language's own, and none that is also a
# pronoun or a verb there ("her and", "this and that", French "il a et").
_DANGLING = re.compile(
    r"\b(?:(?:the|an?|your|my|our|their)\s+(?:and|or|but)|(?:le|la|les|une?|des|ton|ta|tes|votre|vos|mon|ma|mes|notre|nos)\s+(?:et|ou|mais))\b",
    re.IGNORECASE,
)
# Lower case only, and none that ends a sentence honestly: "Plan A.", "Oh my!", "Fais-le.", "qu'il y a ?".
_DETERMINER_THEN_STOP = re.compile(r"\b(?:the|an|your|votre|vos)\s*[.,;:!?)]")
_ARTICLES_TOGETHER = re.compile(r"\b(?:a|an|the)\s+(?:a|an|the)\b")
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]|\{\s*\}")
_PLACEHOLDER = re.compile(r"\{\{?\s*[A-Za-z_][\w.]*\s*\}?\}|\$\{?[A-Za-z_]\w*\}?|%\([A-Za-z_]\w*\)[sd]|%[sd]\b|<[A-Z_]{2,}>")
_DOUBLED_WORD = re.compile(r"\b([^\W\d_]+)\s+(\1)\b", re.IGNORECASE)
_DOUBLED_PUNCTUATION = re.compile(r",\s*,|;\s*;|\s+,")


def grammar_problems(text: str) -> list[str]:
    """What a broken template leaves in a text: a doubled word ("the the"), a determiner left dangling ("your
    and", "the."), two articles together ("a an"), empty brackets, an unreplaced placeholder ("{goal}",
    "$field", "%s", "<NAME>"), doubled commas."""
    problems = [
        f"doubled word {match.group(1)!r} {match.group(2)!r}" for match in _DOUBLED_WORD.finditer(text) if fold(match.group(1)) not in _MAY_REPEAT
    ]
    for pattern, what in (
        (_DANGLING, "dangling"),
        (_DETERMINER_THEN_STOP, "determiner before punctuation"),
        (_ARTICLES_TOGETHER, "two articles"),
        (_EMPTY_BRACKETS, "empty brackets"),
        (_PLACEHOLDER, "unreplaced placeholder"),
        (_DOUBLED_PUNCTUATION, "stray comma"),
    ):
        problems.extend(f"{what} {match.group(0)!r}" for match in pattern.finditer(text))
    return problems


def no_broken_grammar(name: str, texts: str | Iterable[str]) -> Check:
    """None of ``texts`` has a problem ``grammar_problems`` finds."""
    problems = [problem for text in ([texts] if isinstance(texts, str) else texts) for problem in grammar_problems(text)]
    return Check(name, not problems, "; ".join(problems))


# -- language -------------------------------------------------------------------------------------------
# Frequent words of each language that are rare in the other (folded: no accents).
_STOP_WORDS = {
    "en": frozenset(
        "the and of to is are was were you your it this that with for have has not but what will be at my we they "
        "can just from do don't i'm it's let's today about keep start".split()
    ),
    "fr": frozenset(
        "le la les et est sont etait vous votre tu ton ta tes je j'ai c'est un une des du de pour avec pas mais que qui "
        "sur dans au aux nous mon ma mes ce cette aujourd'hui bien fait faire".split()
    ),
}


def language(text: str) -> str | None:
    """ "en" or "fr" by a vote of their common words, or None when the text has too few of either to tell."""
    votes = {code: sum(word in stop for word in words(text)) for code, stop in _STOP_WORDS.items()}
    ranked = sorted(votes.items(), key=lambda item: item[1], reverse=True)
    (best, best_votes), (_, second_votes) = ranked[0], ranked[1]
    return best if best_votes >= 2 and best_votes > second_votes else None


def in_language(name: str, text: str, expected: str) -> Check:
    """``text`` reads as ``expected`` ("en" or "fr"); a text too short to tell passes, and says so."""
    found = language(text)
    if found is None:
        return Check(name, True, "too few common words to tell")
    return Check(name, found == expected, "" if found == expected else f"reads as {found}, expected {expected}")
