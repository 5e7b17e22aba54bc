"""What the career rubrics (career_resume, career_match, career_roadmap, career_market) read in an answer's
free text: the skills it names, the numbers it states, what it says is missing. Not a rubric itself (it
has no TASK): the runner only loads the rubric named after a case file's task.

The skills are the vocabulary's (``zik.career.vocabulary``), the same words the rules and the service read
resumes and postings with, so that "Postgres" in an answer and "PostgreSQL" in a resume are one skill.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from zik.career import vocabulary
from zik_local.eval.checks import Check, fold

# Skills that name a tool, a language or a product: naming one a person does not have is an invented fact.
# Skills that are also ordinary words of advice ("communication", "leadership", "testing", "statistics",
# "system design") are left out: a reviewer may use them without claiming the person has them.
_TOOL_GROUPS = ("languages", "frameworks", "data", "ml", "cloud", "design")
_PLAIN_WORDS = frozenset(
    {
        "Statistics",
        "System Design",
        "Networking",
        "Data Modeling",
        "Microservices",
        "Observability",
        "Serverless",
        "A/B Testing",
        "ETL",
        "REST APIs",
        "UX Design",
        "UI Design",
        "Prototyping",
        "User Research",
        "Design Systems",
        "Machine Learning",
    }
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'“‘(])")


def tool_skills(names: Iterable[str]) -> set[str]:
    """The named skills that are tools (see _TOOL_GROUPS), canonical."""
    return {name for name in names if vocabulary.skill_group(name) in _TOOL_GROUPS and name not in _PLAIN_WORDS}


def skills_named(text: str) -> list[str]:
    """The canonical skills a text names, in order."""
    return vocabulary.skills_in(text)


def skills_mentioned(text: str, known: Iterable[str]) -> list[str]:
    """The vocabulary's skills a text names, and those of ``known`` (a job's own, such as "Patient Care",
    which the vocabulary may not hold) written in it as words."""
    found = dict.fromkeys(skills_named(text))
    for name in known:
        if name and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE):
            found.setdefault(vocabulary.canonical_skill(name), None)
    return list(found)


def lower_set(names: Iterable[str]) -> set[str]:
    return {vocabulary.canonical_skill(name).lower() for name in names}


def sentences(text: str) -> list[str]:
    return [part for part in _SENTENCE_END.split(text) if part.strip()]


def normalised(text: str) -> str:
    """Folded, quotes and dashes made plain, whitespace collapsed: for "does this quote appear in that text"."""
    text = text.replace("“", '"').replace("”", '"').replace("‘", "'").replace("’", "'").replace("–", "-").replace("—", "-")
    return " ".join(fold(text).split())


# -- numbers ---------------------------------------------------------------------------------------------
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?![\d])")


def numbers_in(text: str) -> list[tuple[float, int, int]]:
    """Each number a text writes ("1,200", "4.5", "46"): its value and where it is."""
    found = []
    for match in _NUMBER.finditer(text):
        whole = match.group(1).replace(",", "")
        value = float(f"{whole}.{match.group(2)}") if match.group(2) else float(whole)
        found.append((value, match.start(), match.end()))
    return found


# -- counts and their nouns ------------------------------------------------------------------------------
_COUNT_NOUNS = r"posting|opening|job|vacanc(?:y|ie)|role|compan(?:y|ie)|skill|bullet|day|week|month|year|employer|milestone|time"
_COUNTED = re.compile(
    rf"(?<![\d.,])(\d[\d,]*)\s+(?:new\s+|open\s+|recent\s+|older\s+|more\s+|other\s+)?(?P<noun>{_COUNT_NOUNS})(?P<plural>s)?\b", re.IGNORECASE
)
_PLURAL_ITS = re.compile(rf"\b(?:[02-9]|\d{{2,}})\s+(?:\w+\s+)?(?:{_COUNT_NOUNS})s\s+\w+\s+its\b", re.IGNORECASE)


def agreement(name: str, text: str) -> Check:
    """Counts agree with their nouns: "1 posting", "2 postings", never "1 bullets" or "2 postings state its pay"."""
    wrong = []
    for match in _COUNTED.finditer(text):
        count = match.group(1).replace(",", "")
        plural = bool(match.group("plural")) or match.group("noun").lower().endswith("ie")
        if (count == "1") == plural:
            wrong.append(match.group(0))
    wrong += [match.group(0) for match in _PLURAL_ITS.finditer(text)]
    return Check(name, not wrong, f"{wrong}" if wrong else "")
