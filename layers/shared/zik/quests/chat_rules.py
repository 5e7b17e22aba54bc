"""The quests' offline chat coach: what the ``local`` provider answers for ``quests.chat``.

Pure functions, standard library only, deterministic (the day comes from the data's ``today``): it reads what
the user asks for from the message, in English or French, and answers about the user's own goals and tasks:
  - a goal to create, with its target date when the message gives one ("by March", "in 6 weeks", "d'ici juin");
  - a task finished, named by its title ("done: <title>", "<title> ✓", a paraphrase, a past tense) or by its
    number in the list ("task 2", "the second one", "#3", "la troisième");
  - today's or tomorrow's list;
  - how a goal is going (its own figures), or just a word of support.
A message that says a task was not done, will be done, or asks about it ("should I do the run?") acts on nothing."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import tomllib
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from zik.quests.offline import plan
from zik.quests.wording import STOP as _STOP
from zik.quests.wording import LazyPattern as _Pattern
from zik.quests.wording import clip as _clip
from zik.quests.wording import upper_first as _upper_first
from zik.quests.wording import words as _stems

__all__ = ["chat", "deadline", "language"]

REPLY_MAX = 2000
GOAL_TITLE_MIN, GOAL_TITLE_MAX = 3, 200

_DONE = {"done", "completed", "complete", "finished", "skipped", "cancelled", "canceled", "archived", "closed"}


_WORDS_FILE = Path(__file__).with_name("chat_words.toml")
_WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6,
}  # fmt: skip
_WEEKDAY = "(" + "|".join(_WEEKDAYS) + ")"


@cache
def _lexicon() -> dict[str, Any]:
    """chat_words.toml: the phrasings and words the intents are read by (read on first use, not at import)."""
    with _WORDS_FILE.open("rb") as handle:
        return tomllib.load(handle)


@cache
def _phrases(section: str, key: str = "phrases") -> re.Pattern[str]:
    """One pattern for a list of the lexicon's phrases ("{weekday}" stands for a day's name)."""
    return re.compile("|".join(f"(?:{p})" for p in _lexicon()[section][key]).replace("{weekday}", _WEEKDAY))


@cache
def _irregular() -> dict[str, str]:
    return dict(_lexicon()["verbs"]["irregular"])


def _is_open(task: Mapping[str, Any]) -> bool:
    return str(task.get("status") or "todo").lower() not in _DONE


def _is_active(goal: Mapping[str, Any]) -> bool:
    return str(goal.get("status") or "active").lower() not in _DONE | {"abandoned", "failed"}


# -- the message's text --------------------------------------------------------------------------------------
def fold(text: str) -> str:
    """Lower case without accents, one character for one: a match in the folded text is at the same place in
    the original, so a goal's title can be cut from what the user wrote, accents and capitals kept."""
    out = []
    for char in text:
        lower = char.lower()
        if len(lower) != 1:
            lower = char
        base = "".join(c for c in unicodedata.normalize("NFKD", lower) if not unicodedata.combining(c))
        out.append(base if len(base) == 1 else lower)
    return "".join(out).replace("’", "'").replace("‘", "'")


# Shorthand and common misspellings of the words the rules look for; a word of the message not among them is
# corrected only when it is one typing slip away from exactly one of _KEYWORDS (``_one_slip``).
_SHORTHAND = {
    **dict.fromkeys("tmrw tmr tmrow tmw tmro 2morrow 2moro 2morow tomoz tommorow tommorrow tomorow tomorro tommorw tomrrow".split(), "tomorrow"),
    **dict.fromkeys(("2day", "tdy", "tday", "tody"), "today"),
    **dict.fromkeys(("whats", "wats", "wuts", "whts"), "what's"),
    **dict.fromkeys(("wat", "wht", "wut"), "what"),
    "im": "i'm",
    "ive": "i've",
    "didnt": "didn't",
    "dont": "don't",
    "havent": "haven't",
    "hasnt": "hasn't",
    "couldnt": "couldn't",
    "wasnt": "wasn't",
    "isnt": "isn't",
    "cant": "can't",
    "wont": "won't",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
    "ty": "thanks",
    "tysm": "thanks",
    "u": "you",
    "ur": "your",
    "gonna": "going to",
    "wanna": "want to",
    "ajd": "aujourd'hui",
    "auj": "aujourd'hui",
    "aujourdhui": "aujourd'hui",
    "ajourd'hui": "aujourd'hui",
    "dmain": "demain",
    "demin": "demain",
}
_KEYWORDS = frozenset(
    "finished finish completed complete tomorrow today tonight morning afternoon evening schedule scheduled planned agenda "
    "tasks motivated motivation progress thanks hello exhausted overwhelmed procrastinating marked ticked crossed wrapped "
    "knocked going doing termine terminee objectif demain tache taches bonjour programme merci want goal done task list plan what".split()
)
# Real words one slip from a keyword: never "corrected".
_REAL_WORDS = frozenset("compete competed mourning tanks cello finnish planed plane hells thane went wont goat gaol dome tank lost plant".split())


def _one_slip(word: str, target: str) -> bool:
    """One letter added, dropped, changed, or two neighbours swapped."""
    if word == target or abs(len(word) - len(target)) > 1:
        return False
    if len(word) == len(target):
        diff = [i for i, (a, b) in enumerate(zip(word, target)) if a != b]
        swapped = len(diff) == 2 and diff[1] == diff[0] + 1 and (word[diff[0]], word[diff[1]]) == (target[diff[1]], target[diff[0]])
        return len(diff) == 1 or swapped
    short, long = sorted((word, target), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _correct(word: str) -> str:
    if word in _SHORTHAND:
        return _SHORTHAND[word]
    if word in _KEYWORDS or word in _REAL_WORDS or not word.isalpha() or len(word) < 4:
        return word
    if len(word) == 4:  # a four-letter word is corrected only for two swapped letters ("wnat")
        near = [k for k in _KEYWORDS if len(k) == 4 and sorted(k) == sorted(word) and _one_slip(word, k)]
    else:
        near = [k for k in _KEYWORDS if len(k) >= 5 and _one_slip(word, k)]
    return near[0] if len(near) == 1 else word


def _intent_text(folded: str) -> str:
    """The folded message with shorthand and slips corrected: what the intent patterns read."""
    text = re.sub(r"aujourd\s*'?\s*hui", "aujourd'hui", folded)
    return re.sub(r"[a-z0-9']+", lambda m: _correct(m.group(0)), text)


# -- language ------------------------------------------------------------------------------------------------
_FRENCH = frozenset(
    "je j tu mon ma mes ton ta tes le la les un une des du de d est et pas ai suis aujourd'hui demain quoi qu que objectif "
    "tache taches fini finie fait faite termine terminee bonjour salut merci coucou bonsoir veux voudrais aimerais avec pour "
    "ou c ca ici dans semaines mois moi beaucoup programme prevu n ne l vais fais faire apprendre courir ecrire au aux cette "
    "ce mais oui non trop tres bien encore deja rien comment pourquoi quand numero troisieme deuxieme premiere crevee creve "
    "fatigue fatiguee marre courage motive motivee".split()
)
_ENGLISH = frozenset(
    "i you the my is are what what's to and do did have has done today tomorrow want hi hello hey thanks thank of for it "
    "it's i'm this that with how am can should finished need just yes no not was be lol first second third one task number "
    "goal going doing feel feeling great tired help".split()
)


def language(message: str, titles: Sequence[str] = ()) -> str:
    """The language to answer in, "fr" or "en": the message's own words decide; when they do not, the user's titles do."""
    found = re.findall(r"aujourd'hui|what's|it's|i'm|[a-z]+", fold(message))
    french, english = sum(w in _FRENCH for w in found), sum(w in _ENGLISH for w in found)
    if french != english:
        return "fr" if french > english else "en"
    titled = re.findall(r"[a-z]+", fold(" ".join(titles)))
    return "fr" if sum(w in _FRENCH for w in titled) > sum(w in _ENGLISH for w in titled) else "en"


# -- dates: "by March", "in 6 weeks", "d'ici la fin de l'année" -------------------------------------------------------
_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5, "june": 6, "jun": 6,
    "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10,
    "november": 11, "nov": 11, "december": 12, "dec": 12,
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "aout": 8, "septembre": 9,
    "octobre": 10, "novembre": 11, "decembre": 12,
}  # fmt: skip
_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_COUNTS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "a couple of": 2, "couple of": 2, "a few": 3, "few": 3,
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7, "huit": 8, "neuf": 9, "dix": 10,
    "onze": 11, "douze": 12, "quelques": 3,
}  # fmt: skip
_COUNT = "(\\d{1,3}|" + "|".join(sorted((re.escape(k) for k in _COUNTS), key=len, reverse=True)) + ")"
_YEAR = r"(?:,?\s+(\d{4}))?"


@dataclass(frozen=True)
class Deadline:
    """A target date the message gives, and where it says it (``start``, ``end``: to cut it from a goal's title)."""

    day: dt.date
    start: int
    end: int


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _next(make: Callable[[int], dt.date | None], today: dt.date, year: str | None) -> dt.date | None:
    """The day ``make(year)`` gives for the year said, else the first year in which it is after today."""
    if year:
        return make(int(year))
    for candidate in (today.year, today.year + 1):
        day = make(candidate)
        if day is not None and day > today:
            return day
    return None


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _COUNTS.get(" ".join(word.split()), 0)


def _before(connector: str | None, day: dt.date | None) -> dt.date | None:
    """A day said with "before" is done the day before it; with "by", on it."""
    return day - dt.timedelta(days=1) if day and connector in ("before", "avant") else day


def _month_day(month: int, part: str | None) -> Callable[[int], dt.date]:
    """A month said with "early", "mid", "late" or nothing ("by March": its end)."""
    part = (part or "").strip(" -")
    if part in ("early", "beginning of", "start of", "the beginning of", "the start of", "debut", "au debut de"):
        return lambda year: dt.date(year, month, 10)
    if part in ("mid", "the middle of", "middle of", "mi"):
        return lambda year: dt.date(year, month, 15)
    return lambda year: _month_end(year, month)


def _period_end(today: dt.date, unit: str, ahead: int) -> dt.date:
    """The last day of this (0) or the next (1) week, month or year."""
    if unit in ("week", "semaine"):
        return today + dt.timedelta(days=6 - today.weekday() + 7 * ahead)
    if unit in ("month", "mois"):
        first = _add_months(today.replace(day=1), ahead)
        return _month_end(first.year, first.month)
    return dt.date(today.year + ahead, 12, 31)


_EN_BY = r"(by|before|until|till|til|on|for|no later than)"
_FR_BY = r"(d'ici|avant|pour|jusqu'au|jusqu'a|au plus tard|le)"
_Resolve = Callable[[re.Match[str], dt.date], dt.date | None]
_SEASON_CONNECTOR = (
    r"(by|before|until|till|for|in|this|during|over|throughout|ahead of|no later than|d'ici|avant|pour|cet|cette|en|au|a l'|a|pendant|durant|"
    r"courant|jusqu'a)"
)


def _iso(m: re.Match[str], today: dt.date) -> dt.date | None:
    return _before(m.group(1) or m.group(2), _safe_date(int(m.group(3)), int(m.group(4)), int(m.group(5))))


def _day_month(m: re.Match[str], today: dt.date) -> dt.date | None:
    connector, first, second, year = m.group(1), m.group(2), m.group(3), m.group(4)
    day, month = (first, second) if first[:1].isdigit() else (second, first)
    number = 1 if day.startswith("1er") else int(re.sub(r"\D", "", day))
    return _before(connector, _next(lambda y: _safe_date(y, _MONTHS[month], number), today, year))


def _event_in_month(m: re.Match[str], today: dt.date) -> dt.date | None:
    """An event in a month ("before my wedding in June"): it can be on the 1st, so ready by then (None when that month is now)."""
    month, year = _MONTHS[m.group(3)], m.group(4)
    if not year and month == today.month:
        return None
    return _next(lambda y: dt.date(y, month, 1), today, year)


def _end_of_period(m: re.Match[str], today: dt.date) -> dt.date | None:
    which, unit = m.group(1), m.group(2)
    return _period_end(today, unit, 1 if which in ("next", "prochain", "prochaine") else 0)


def _end_of_month_named(m: re.Match[str], today: dt.date) -> dt.date | None:
    month = _MONTHS[m.group(1)]
    return _next(lambda y: _month_end(y, month), today, m.group(2))


def _end_of_year_named(m: re.Match[str], today: dt.date) -> dt.date | None:
    return dt.date(int(m.group(1)), 12, 31)


def _named_month(m: re.Match[str], today: dt.date) -> dt.date | None:
    connector, part, month, year = m.group(1), m.group(2), _MONTHS[m.group(3)], m.group(4)
    if connector in ("before", "avant"):  # before June: done by the end of May
        return _next(lambda y: dt.date(y, month, 1) - dt.timedelta(days=1), today, year)
    return _next(_month_day(month, part or (connector if connector in ("debut", "mi", "fin") else None)), today, year)


def _duration(m: re.Match[str], today: dt.date) -> dt.date | None:
    count, unit = _count(m.group(1)), m.group(2)
    if count <= 0:
        return None
    if unit in ("day", "jour"):
        return today + dt.timedelta(days=count)
    if unit in ("week", "semaine"):
        return today + dt.timedelta(weeks=count)
    if unit in ("month", "mois"):
        return _add_months(today, count)
    return _add_months(today, 12 * count)


def _relative(m: re.Match[str], today: dt.date) -> dt.date | None:
    connector, which, unit = m.group(1), m.group(2), m.group(3)
    ahead = 1 if which in ("next", "prochain", "prochaine") else 0
    if ahead and connector in ("before", "avant"):  # before next year: by the end of this one
        ahead = 0
    return _period_end(today, unit, ahead)


def _french_relative(m: re.Match[str], today: dt.date) -> dt.date | None:
    connector, unit = m.group(1), m.group(2)
    return _period_end(today, unit, 0 if connector == "avant" else 1)


def _easter(year: int) -> dt.date:
    """Easter Sunday in the Gregorian calendar (the anonymous algorithm, as Meeus gives it)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _thanksgiving(year: int) -> dt.date:
    """The fourth Thursday of November (the US holiday)."""
    first = dt.date(year, 11, 1)
    return first + dt.timedelta(days=(3 - first.weekday()) % 7 + 21)


_MOVING_HOLIDAYS: dict[str, Callable[[int], dt.date]] = {
    "easter": _easter,
    "easter sunday": _easter,
    "paques": _easter,
    "thanksgiving": _thanksgiving,
}


def _holiday_names() -> str:
    names = [*_lexicon()["dates"]["holidays"], *_MOVING_HOLIDAYS]
    return "(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + ")"


def _holiday(m: re.Match[str], today: dt.date) -> dt.date | None:
    connector, name = m.group(1), m.group(2)
    moving = _MOVING_HOLIDAYS.get(name)
    if moving is not None:
        return _before(connector, _next(moving, today, None))
    month, day = (int(part) for part in _lexicon()["dates"]["holidays"][name].split("-"))
    return _before(connector, _next(lambda y: dt.date(y, month, day), today, None))


def _season_names() -> str:
    return "(" + "|".join(sorted(_lexicon()["dates"]["seasons"], key=len, reverse=True)) + ")"


def _season(m: re.Match[str], today: dt.date) -> dt.date | None:
    """ "by summer" / "before summer": ready when it starts (the day before its first month, as "before June");
    "this summer", "in the summer", "by the end of summer": by its last day."""
    connector, which, name, year = m.group(1) or "", (m.group(2) or "").strip(), m.group(3), m.group(4)
    start = _lexicon()["dates"]["seasons"][name]
    ending = which in ("end of", "the end of", "fin de", "la fin de", "fin de l'", "la fin de l'") or connector in (
        "in",
        "this",
        "during",
        "over",
        "throughout",
        "cet",
        "cette",
        "en",
        "au",
        "a",
        "a l'",
        "pendant",
        "durant",
        "courant",
    )

    def day(year: int) -> dt.date:
        if ending:
            last = _add_months(dt.date(year, start, 1), 2)
            return _month_end(last.year, last.month)
        return dt.date(year, start, 1) - dt.timedelta(days=1)

    return _next(day, today, year)


def _in_year(m: re.Match[str], today: dt.date) -> dt.date | None:
    """ "in 2026", "by 2027", "d'ici 2027": that year's last day; "before 2027": the last day of 2026."""
    connector, year = m.group(1), int(m.group(2))
    return dt.date(year - 1 if connector in ("before", "avant") else year, 12, 31)


def _weekday(m: re.Match[str], today: dt.date) -> dt.date | None:
    """ "by Friday": the next Friday after today; "before Friday": the day before it."""
    ahead = (_WEEKDAYS[m.group(2)] - today.weekday() - 1) % 7 + 1
    return _before(m.group(1), today + dt.timedelta(days=ahead))


class _Built:
    """A pattern made from the lexicon, compiled on first use."""

    def __init__(self, make: Callable[[], str]):
        self._make = make
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        if self._compiled is None:
            self._compiled = re.compile(self._make())
        return getattr(self._compiled, name)


_END_UNITS = r"(?:(this|next)\s+)?(year|month|week)"
_UNITS = {"annee": "year", "an": "year", "mois": "month", "semaine": "week"}
_DEADLINES: tuple[tuple[_Pattern | _Built, _Resolve], ...] = (
    (_Pattern(r"(?:\b" + _EN_BY + r"\s+(?:the\s+)?|\b(d'ici|avant|pour|le|au plus tard)\s+(?:le\s+)?)?\b(\d{4})-(\d{2})-(\d{2})\b"), _iso),
    (_Pattern(r"\b" + _EN_BY + r"\s+(?:the\s+)?(\d{1,2}(?:st|nd|rd|th)?)\s+(?:of\s+)?" + _MONTH + _YEAR + r"\b"), _day_month),
    (_Pattern(r"\b" + _EN_BY + r"\s+" + _MONTH + r"\s+(?:the\s+)?(\d{1,2}(?:st|nd|rd|th)?)\b" + _YEAR), _day_month),
    (_Pattern(r"\b" + _FR_BY + r"\s+(?:le\s+)?(1er|\d{1,2})\s+" + _MONTH + _YEAR + r"\b"), _day_month),
    (
        _Pattern(
            r"\b(?:before|ahead of|by|(for))\s+(?:my|our|the|his|her|their|a|an)\s+(?:[a-z'-]+\s+){0,3}?(in|this|next)\s+" + _MONTH + _YEAR + r"\b"
        ),
        _event_in_month,
    ),
    (
        _Pattern(
            r"\bavant()\s+(?:mon|ma|mes|notre|nos|le|la|les|l'|un|une)\s*(?:[a-z'-]+\s+){0,3}?(en|de|du mois de|au mois de)\s+"
            + _MONTH
            + _YEAR
            + r"\b"
        ),
        _event_in_month,
    ),
    (_Pattern(r"\b(?:(?:by|before|until|till|at|for|in)\s+)?(?:the\s+)?end\s+of\s+(?:the\s+)?" + _MONTH + _YEAR + r"\b"), _end_of_month_named),
    (_Pattern(r"\b(?:(?:by|before|until|till|at|for|in)\s+)?(?:the\s+)?end\s+of\s+(?:the\s+)?" + _END_UNITS + r"\b"), _end_of_period),
    (_Pattern(r"\b(?:(?:by|before|until|till|at|for|in)\s+)?(?:the\s+)?end\s+of\s+(\d{4})\b"), _end_of_year_named),
    (_Pattern(r"\b(?:by|before|until|till)\s+(?:the\s+)?year[- ]end\b"), lambda m, today: dt.date(today.year, 12, 31)),
    (
        _Pattern(r"\b(?:(?:d'ici|avant|pour|jusqu'a|a)\s+)?(?:la\s+)?fin\s+(?:de\s+|d')" + _MONTH + _YEAR + r"\b"),
        _end_of_month_named,
    ),
    (
        _Pattern(
            r"\b(?:(?:d'ici|avant|pour|jusqu'a|a)\s+)?(?:la\s+)?fin\s+(?:de\s+l'|d'|de\s+la\s+|du\s+|de\s+ce\s+|de\s+cette\s+)(?:(cette|ce)\s+)?"
            r"(annee|an|mois|semaine)(?:-ci)?(?:\s+(prochaine?))?\b"
        ),
        lambda m, today: _period_end(today, _UNITS.get(m.group(2), m.group(2)), 1 if m.group(3) else 0),
    ),
    (_Pattern(r"\b(?:(?:d'ici|avant|pour|jusqu'a|a)\s+)?(?:la\s+)?fin\s+(\d{4})\b"), _end_of_year_named),
    (
        _Pattern(
            r"\b(by|before|until|till|in|for|around|no later than)\s+((?:early|mid|late)\s*-?\s*|(?:the\s+)?(?:beginning|start|middle)\s+of\s+)?"
            + _MONTH
            + _YEAR
            + r"\b"
        ),
        _named_month,
    ),
    (
        _Pattern(
            r"\b(d'ici|avant|pour|en|jusqu'en|au plus tard en|courant|debut|mi|fin)\s*-?\s*()(?:le mois d'|le mois de\s+)?" + _MONTH + _YEAR + r"\b"
        ),
        _named_month,
    ),
    (
        _Pattern(
            r"\b(?:in|within|over|for|in the next|over the next|within the next)\s+(?:the\s+)?(?:next\s+)?"
            + _COUNT
            + r"\s+(day|week|month|year)s?(?:'s?\s+time)?\b"
        ),
        _duration,
    ),
    (_Pattern(r"\b(?:dans|d'ici|en|sous|pendant)\s+" + _COUNT + r"\s+(jour|semaine|mois|an|annee)s?\b"), _duration),
    (_Pattern(r"\b(?:(by|before|in|for|within|during)\s+)?(?:the\s+)?(next|this)\s+(week|month|year)\b"), _relative),
    (_Pattern(r"\b(?:(avant|pour|d'ici)\s+)?(?:le\s+|la\s+|l')?(mois|semaine|annee|an)\s+prochaine?\b"), _french_relative),
    (_Pattern(r"\b(?:cette|ce)\s+(annee|mois|semaine)(?:-ci)?\b"), lambda m, today: _period_end(today, _UNITS.get(m.group(1), m.group(1)), 0)),
    (_Built(lambda: r"\b(by|before|for|until|till|ahead of|d'ici|avant|pour|jusqu'a)\s+(?:the\s+)?" + _holiday_names() + r"(?!\w)"), _holiday),
    (
        _Built(
            lambda: (
                r"\b"
                + _SEASON_CONNECTOR
                + r"\s+((?:the\s+)?end of\s+|(?:la\s+)?fin de(?:\s+l')?\s*)?(?:the\s+|l'|le\s+|next\s+|prochain\s+)?"
                + _season_names()
                + r"(?:\s+prochain)?"
                + _YEAR
                + r"\b"
            )
        ),
        _season,
    ),
    (_Pattern(r"\b(in|by|before|until|till|during|for|within|d'ici|avant|en|pour|courant|jusqu'en|d'ici a)\s+(20\d\d)\b(?![-/.:]\d)"), _in_year),
    (
        # only the year is cut from the goal's words: "2027 goal: write a screenplay" stays a goal said explicitly
        _Pattern(
            r"\b(20\d\d)(?=(?:'s)?\s+(?:goals?|resolutions?|targets?|challenges?)\b)|(?:(?<=objectif )|(?<=objectifs )|(?<=defi )|(?<=resolution ))(20\d\d)\b"
        ),
        lambda m, today: dt.date(int(m.group(1) or m.group(2)), 12, 31),
    ),
    (_Pattern(r"\b(by|before|until|till|no later than|avant|d'ici|pour)\s+(?:this\s+|next\s+|ce\s+)?" + _WEEKDAY + r"\b"), _weekday),
)


def deadline(text: str, today: dt.date) -> Deadline | None:
    """The first target date ``text`` gives that is after ``today`` (a month already past is next year's)."""
    folded = fold(text)
    for pattern, resolve in _DEADLINES:
        for found in pattern.finditer(folded):
            day = resolve(found, today)
            if day is not None and day > today:
                # "training for a half marathon in October": the event is the goal, only "in October" is the date
                start = found.start(2) if resolve is _event_in_month and found.group(1) else found.start()
                return Deadline(day, start, found.end())
    return None


def _date_words(day: dt.date, lang: str) -> str:
    if lang == "fr":
        months = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre")
        return f"{'1er' if day.day == 1 else day.day} {months[day.month - 1]} {day.year}"
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"


# -- the words of the replies, in each language ---------------------------------------------------------------
_SAY: dict[str, dict[str, str]] = {
    "en": {
        "q": '"{}"',
        "goal_created": "Great goal! I'm creating {title}{by} and breaking it into milestones with daily tasks.",
        "first_step": " A good first milestone: {step}.",
        "goal_by": " with a target date of {date}",
        "goal_exists": "You already have the goal {title} ({status}), so I won't add it twice.",
        "goal_ask": 'Happy to set a goal with you! What would you like to achieve? For example: "Run a 5k by June" or "Save $2,000 for a trip".',
        "completed": "Nice work! I've marked {title} as done.",
        "completed_early": "Ahead of schedule! I've marked {title}, on tomorrow's list, as done.",
        "noted_today": "Good plan: {title} is on today's list. Tell me when it's done and I'll tick it off.",
        "noted_tomorrow": "Good plan: {title} is on tomorrow's list. Tell me when it's done and I'll tick it off.",
        "noted": "Good plan! {title} sounds like a task for today or the next few days rather than a goal (a goal is an outcome you "
        "work towards over weeks), so I haven't made it one. Add it to your tasks to see it on your list, and tell me when it's done.",
        "left_many": "{n} tasks left today.",
        "left_one": "1 task left today.",
        "left_none": "That was the last open task for today. Well done!",
        "already_done": "{title} is already marked as done. Nice!",
        "which": "Well done! Which one did you finish? I couldn't tell {which}. Today's open tasks:\n{list}\nReply with its name or its "
        "number and I'll mark it done.",
        "which_tie": "which of a few of today's tasks you mean",
        "which_unclear": "the task you mean",
        "no_number": "There's no task {n} on today's list. Today's open tasks:\n{list}\nReply with its name or its number and I'll mark it done.",
        "nothing_open": "Great effort! You have no open tasks today, so there's nothing left to mark as done.",
        "not_done": "That's okay. {title} is still on today's list: even 10 minutes of it counts.",
        "not_done_plain": "That's okay, it happens. Pick one small thing and give it 10 minutes.",
        "still_open": "Not yet: {title} is still open on today's list.",
        "other_day": "Nice one! That was another day, so {title} stays open on today's list.",
        "done_already_q": "Yes: {title} is already done today.",
        "task_question": "{title} is on today's list{goal}. If you have the energy, give it 20 focused minutes; if not, 10 minutes still count.",
        "for_goal": " (for {goal})",
        "day_today": "today",
        "day_tomorrow": "tomorrow",
        "list_open": "You have {count} open {tasks} {day}{done}:\n{list}\nStart with the first one.",
        "task_one": "task",
        "task_many": "tasks",
        "list_done_part": " ({n} already done)",
        "list_all_done": "All {n} of {day}'s tasks are done. Great work!",
        "list_empty": "There's nothing on your list for {day}.",
        "list_other": "Here's your list for {day}.",
        "more": "...and {n} more.",
        "next_task": "Your next open task is {title}{goal}. Give it 20 focused minutes and see how far you get.",
        "next_for": " for {goal}",
        "next_goal": "A good use of 15 minutes today: move {goal} one step forward, or rest and start fresh tomorrow.",
        "no_goal": "You don't have a goal yet. Tell me one, for example \"I want to learn Spanish by June\", and I'll break it into "
        "milestones and daily tasks.",
        "progress_figures": "{title}: {done} of {total} milestones done",
        "progress_planning": "{title} is being planned: its milestones are on the way",
        "progress_paused": " (paused)",
        "progress_target": ", target date {date} ({days} days to go)",
        "progress_today": " Today for this goal: {done} done, {open} open{first}.",
        "progress_first": ", next: {title}",
        "progress_no_tasks": " No task for it today.",
        "progress_all": "You're working on {n} {goals}: {names}.",
        "goal_one": "goal",
        "goal_many": "goals",
        "progress_day": "Today: {done} done, {open} open.",
        "sad": "That sounds tough, and it's normal to have days like this.",
        "small_step": "Let's make it small: do just 10 minutes of {title} and stop there if you want.",
        "moves_goal": " Small steps still move {goal} forward.",
        "rest": "Rest counts too.",
        "motivation": "Motivation usually shows up after you start, not before.",
        "timer": "Set a 5-minute timer and begin {title}; if you want to stop after 5 minutes, that still counts.",
        "thanks": "You're welcome!",
        "happy": "Love that energy!",
        "happy_done": " You've already done {n} {tasks} today.",
        "help": 'I can set up a goal ("I want to run a 10k by June"), tell you what\'s on today or tomorrow ("what\'s on tomorrow?"), '
        'mark tasks done ("I finished the 5k run", "task 2 is done") and tell you how a goal is going ("how is my marathon goal going?").',
        "hello": "Hi! Good to see you.",
        "hello_goal": "Hi! Good to see you. You're working on {goal}.",
        "hear": "I hear you.",
        "focus": "Keep your focus on {goal}: progress comes from small steps done often.",
        "focus_plain": "Progress comes from small steps done often.",
        "empty": "I'm here. Tell me a goal, ask what's on today, or tell me which task you finished.",
    },
    "fr": {
        "q": "« {} »",
        "goal_created": "Super objectif ! Je crée {title}{by} et je le découpe en étapes avec des tâches quotidiennes.",
        "first_step": " Première étape : {step}.",
        "goal_by": " avec une date cible le {date}",
        "goal_exists": "Tu as déjà l'objectif {title} ({status}), je ne l'ajoute donc pas une deuxième fois.",
        "goal_ask": "Avec plaisir ! Quel objectif veux-tu atteindre ? Par exemple : « Courir 5 km d'ici juin » ou « Économiser 2 000 € pour "
        "un voyage ».",
        "completed": "Bravo ! J'ai marqué {title} comme faite.",
        "completed_early": "En avance ! J'ai marqué {title}, prévue demain, comme faite.",
        "noted_today": "Bon plan : {title} est sur ta liste du jour. Dis-moi quand c'est fait et je la coche.",
        "noted_tomorrow": "Bon plan : {title} est sur ta liste de demain. Dis-moi quand c'est fait et je la coche.",
        "noted": "Bon plan ! {title} ressemble à une tâche pour aujourd'hui ou les prochains jours plutôt qu'à un objectif (un objectif se "
        "construit sur des semaines), je n'en fais donc pas un objectif. Ajoute-la à tes tâches pour la voir sur ta liste, et dis-moi "
        "quand c'est fait.",
        "left_many": "Il te reste {n} tâches aujourd'hui.",
        "left_one": "Il te reste 1 tâche aujourd'hui.",
        "left_none": "C'était ta dernière tâche de la journée. Bien joué !",
        "already_done": "{title} est déjà marquée comme faite. Bravo !",
        "which": "Bravo ! Laquelle as-tu terminée ? Je ne sais pas {which}. Tes tâches du jour :\n{list}\nRéponds avec son nom ou son "
        "numéro et je la marque comme faite.",
        "which_tie": "laquelle de ces tâches tu veux dire",
        "which_unclear": "de quelle tâche tu parles",
        "no_number": "Il n'y a pas de tâche {n} sur ta liste du jour. Tes tâches du jour :\n{list}\nRéponds avec son nom ou son numéro et "
        "je la marque comme faite.",
        "nothing_open": "Bel effort ! Tu n'as plus de tâche à faire aujourd'hui, il n'y a donc rien à cocher.",
        "not_done": "Ce n'est pas grave. {title} est toujours sur ta liste du jour : même 10 minutes, ça compte.",
        "not_done_plain": "Ce n'est pas grave, ça arrive. Choisis une petite chose et donne-lui 10 minutes.",
        "still_open": "Pas encore : {title} est toujours à faire aujourd'hui.",
        "other_day": "Bien joué ! C'était un autre jour, donc {title} reste à faire aujourd'hui.",
        "done_already_q": "Oui : {title} est déjà faite aujourd'hui.",
        "task_question": "{title} est sur ta liste du jour{goal}. Si tu as l'énergie, donne-lui 20 minutes ; sinon, 10 minutes, ça compte aussi.",
        "for_goal": " (pour {goal})",
        "day_today": "aujourd'hui",
        "day_tomorrow": "demain",
        "list_open": "Tu as {count} {tasks} à faire {day}{done} :\n{list}\nCommence par la première.",
        "task_one": "tâche",
        "task_many": "tâches",
        "list_done_part": " ({n} déjà faite{s})",
        "list_all_done": "Les {n} tâches prévues {day} sont faites. Beau travail !",
        "list_empty": "Il n'y a rien sur ta liste pour {day}.",
        "list_other": "Voici ta liste pour le {day}.",
        "more": "... et {n} de plus.",
        "next_task": "Ta prochaine tâche est {title}{goal}. Donne-lui 20 minutes de concentration et vois où tu en es.",
        "next_for": " pour {goal}",
        "next_goal": "Un bon usage de 15 minutes aujourd'hui : faire avancer {goal} d'un pas, ou te reposer et repartir demain.",
        "no_goal": "Tu n'as pas encore d'objectif. Dis-m'en un, par exemple « Je veux apprendre l'espagnol d'ici juin », et je le découpe "
        "en étapes et en tâches quotidiennes.",
        "progress_figures": "{title} : {done} sur {total} étapes terminées",
        "progress_planning": "{title} est en cours de planification : ses étapes arrivent",
        "progress_paused": " (en pause)",
        "progress_target": ", date cible le {date} (encore {days} jours)",
        "progress_today": " Aujourd'hui pour cet objectif : {done} faite{s}, {open} à faire{first}.",
        "progress_first": ", la prochaine : {title}",
        "progress_no_tasks": " Pas de tâche pour lui aujourd'hui.",
        "progress_all": "Tu travailles sur {n} {goals} : {names}.",
        "goal_one": "objectif",
        "goal_many": "objectifs",
        "progress_day": "Aujourd'hui : {done} faite{s}, {open} à faire.",
        "sad": "Ça a l'air difficile, et c'est normal d'avoir des jours comme ça.",
        "small_step": "Faisons petit : juste 10 minutes de {title}, et tu peux t'arrêter là si tu veux.",
        "moves_goal": " Les petits pas font quand même avancer {goal}.",
        "rest": "Le repos compte aussi.",
        "motivation": "La motivation vient souvent après avoir commencé, pas avant.",
        "timer": "Lance un minuteur de 5 minutes et commence {title} ; si tu t'arrêtes après 5 minutes, ça compte quand même.",
        "thanks": "Avec plaisir !",
        "happy": "J'adore cette énergie !",
        "happy_done": " Tu as déjà fait {n} {tasks} aujourd'hui.",
        "help": "Je peux créer un objectif (« Je veux courir 10 km d'ici juin »), te dire ce que tu as aujourd'hui ou demain "
        "(« qu'est-ce que j'ai demain ? »), marquer une tâche comme faite (« j'ai fini la tâche 2 ») et te dire où en est un objectif "
        "(« où en est mon objectif marathon ? »).",
        "hello": "Bonjour ! Content de te voir.",
        "hello_goal": "Bonjour ! Content de te voir. Tu travailles sur {goal}.",
        "hear": "Je t'entends.",
        "focus": "Garde le cap sur {goal} : les progrès viennent de petits pas faits souvent.",
        "focus_plain": "Les progrès viennent de petits pas faits souvent.",
        "empty": "Je suis là. Donne-moi un objectif, demande ce que tu as aujourd'hui, ou dis-moi quelle tâche tu as terminée.",
    },
}


class _Coach:
    """One message's answer: the user's data, the language to reply in, and the words of the replies."""

    def __init__(self, data: Mapping[str, Any]):
        self.message = " ".join(str(data.get("message") or "").split())
        self.folded = fold(self.message)
        self.low = _intent_text(self.folded)
        self.goals = [g for g in (data.get("goals") or []) if isinstance(g, Mapping) and g.get("title")]
        tasks = [t for t in (data.get("todayTasks") or []) if isinstance(t, Mapping) and t.get("taskId")]
        # Numbered as the list shows them: the open tasks, in the order given.
        self.open = [t for t in tasks if _is_open(t)]
        self.done = [t for t in tasks if not _is_open(t)]
        self.tomorrow = [t for t in (data.get("tomorrowTasks") or []) if isinstance(t, Mapping) and t.get("taskId")]
        self.today = _today(data.get("today"))
        titles = [str(item.get("title")) for item in (*self.goals, *tasks, *self.tomorrow)]
        self.lang = language(self.message, titles)
        self.words = _SAY[self.lang]

    def say(self, key: str, **values: Any) -> str:
        return self.words[key].format(**values)

    def quote(self, text: Any, limit: int = 120) -> str:
        return self.words["q"].format(_clip(str(text or ""), limit))

    def goal_of(self, task: Mapping[str, Any]) -> str:
        return str(task.get("goalTitle") or "").strip()


def _today(value: Any) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return dt.date(2000, 1, 1)  # no day given: dates said in the message are read from a fixed one, never the clock


def _reply(coach: _Coach, text: str) -> str:
    text = text.strip()
    if len(text) > REPLY_MAX:
        text = text[: REPLY_MAX - 3].rstrip() + "..."
    return text or coach.say("empty")


def _answer(coach: _Coach, text: str, intent: str = "chat", **fields: Any) -> dict[str, Any]:
    return {"reply": _reply(coach, text), "intent": intent, **{k: v for k, v in fields.items() if v is not None}}


# -- matching a message with the user's tasks and goals -----------------------------------------------------------
_FRENCH_STOP = frozenset(
    "j je jai ai le la les l de du des d un une et a au aux en mon ma mes ton ta tes son sa ses est c ce cette fini finie finis fait "
    "faite faites termine terminee tache taches pour avec sur dans par pas ne n que qu qui quoi aujourdhui demain deja enfin oui bien "
    "tres moi me m y il elle on nous vous objectif ou cest ca".split()
    # English words of a message that are not a task's ("what about the shed?" does not name "Email the club about Saturday")
    + "about what whats how hows any anything still yet already just finally please thanks early ahead tell update status".split()
)
_GENERIC = frozenset("goal goals quest objectif progress do go come along track how where doing going well status far".split())


def _match_words(text: str) -> list[str]:
    """The words of ``text`` a task or goal title is compared by: folded, irregular verbs read as their verb
    ("wrote" as "write"), stemmed, without filler words."""
    irregular = _irregular()
    folded = re.sub(r"[a-z]+", lambda m: m.group(0) if m.group(0) in _STOP else irregular.get(m.group(0), m.group(0)), fold(text))
    return sorted(w for w in _stems(folded) if w not in _FRENCH_STOP)


def _raw_words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", fold(text).replace("'", "")))


def _overlap(query: str, title: str) -> tuple[int, int]:
    """How many words of ``title`` the query says (a word one slip away counts: "openign"), and how many it has."""
    query_stems, title_stems = set(_match_words(query)), set(_match_words(title))
    query_raw = {w for w in _raw_words(query) if len(w) >= 5}
    shared = 0
    for stem in title_stems:
        if stem in query_stems:
            shared += 1
            continue
        raw = [w for w in _raw_words(title) if _stems(w) == {stem}]
        if any(_one_slip(q, r) for q in query_raw for r in raw if len(r) >= 5):
            shared += 1
    return shared, len(title_stems)


def _best(query: str, items: Sequence[Mapping[str, Any]], *, minimum: int = 1, share: float = 0.5) -> tuple[Mapping[str, Any] | None, bool]:
    """The item whose title the query says most of (None when none is said well enough); the flag says the
    best was a tie."""
    said = len(_match_words(query))
    if not said:
        return None, False
    scored = []
    for index, item in enumerate(items):
        shared, size = _overlap(query, str(item.get("title") or ""))
        if shared >= minimum and (shared >= 2 or shared / said >= share):
            scored.append((shared, shared / max(1, size), -index, item))
    if not scored:
        return None, False
    scored.sort(key=lambda entry: entry[:3], reverse=True)
    tie = len(scored) > 1 and scored[0][:2] == scored[1][:2]
    return scored[0][3], tie


def _plain(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", fold(text).replace("'", "")))


def _titled(text: str, tasks: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The task whose whole title the text says word for word (the longest, when titles nest)."""
    said = f" {_plain(text)} "
    named = [t for t in tasks if _plain(str(t.get("title") or "")) and f" {_plain(str(t.get('title')))} " in said]
    return max(named, key=lambda t: len(str(t.get("title"))), default=None)


def _quoted(message: str) -> str | None:
    found = re.search(r"[\"“«']\s*([^\"”»']{2,200}?)\s*[\"”»']", message)
    return found.group(1) if found else None


# -- a task finished --------------------------------------------------------------------------------------------
_MARK = r"(?:✓|✔|✅|☑|\[x\]|✔️|☑️)"
_SAYS_DONE = _Pattern(
    r"\b(?:finished|completed|complete|done|did|ticked|crossed|checked|knocked out|wrapped up|got through|nailed|accomplished|achieved|"
    r"tick off|check off|cross off|tick|"
    r"c'est bon pour|fini|finie|finis|finies|termine|terminee|terminees|fait|faite|faites|boucle|bouclee|acheve|coche|cochee|cochez|valide|"
    r"validee)\b|" + _MARK
)
_DONE_FIRST = _Pattern(r"^\W*(?:done|finished|completed|complete|fait|faite|fini|finie|termine|terminee|" + _MARK + r")\s*[:\-—–,]*\s*([\w\"'“«].*)$")
_DONE_LAST = _Pattern(
    r"^(.*?\S)\s*[:\-—–,.(]*\s*(?:is |are |was |est |sont )?(?:done|finished|complete|completed|fait|faite|fini|finie|termine|terminee|"
    + _MARK
    + r")\W*$"
)
# A past tense or participle: regular ("emailed", "is sanded") or irregular ("wrote", "is finally written", "got sent").
_PAST = _Built(lambda: r"\b(?:[a-z]{3,}ed|" + "|".join(sorted(_irregular(), key=len, reverse=True)) + r")\b")
# French: "j'ai appelé", and a participle after être ("le pain est acheté", "c'est envoyé", "a été payée").
# A French participle alone, accents kept ("pain acheté !", "refuge appelé"): read on the message as written.
_FRENCH_PARTICIPLE = _Pattern(r"\b\w{2,}(?:é|ée|és|ées)(?!\w)|\b(?:fini|finie|fait|faite|écrit|écrite|pris|prise)\b")
_FRENCH_PAST = _Pattern(
    r"\bj'ai\s+(?:(?:bien|deja|enfin|aussi|finalement)\s+)?[a-z]+(?:e|i|u|is|it|ert)\b|"
    r"\b(?:est|sont|a ete|ont ete|c'est)\s+(?:(?:bien|deja|enfin|finalement)\s+)?[a-z]{3,}(?:e|es|ee|ees|i|is|ie|ies|it|ite|u|ue)\b"
)
# A task not done, said without "done" ("I didn't get to the run", "j'ai pas pu courir").
_SAYS_NOT_DONE = _Pattern(
    r"\b(?:didn't|did not|haven't|have not|hasn't|couldn't|could not|never got|skipped|missed|forgot|n'ai pas|j'ai pas|pas pu|pas eu le temps|"
    r"pas fait|pas fini|oublie|saute)\b"
)
# Said before "done": it was not done, or is only meant to be.
_HOLD_BACK = _Pattern(
    r"\b(?:not|never|didn't|did not|haven't|have not|hasn't|has not|couldn't|could not|wasn't|won't|can't|cannot|don't|isn't|aren't|"
    r"will|going to|about to|want to|need to|have to|has to|should|must|plan to|planning to|try to|trying to|tried to|meant to|hope to|"
    r"almost|nearly|half|forgot|forget|skipped|skip|missed|miss|later|wanted|intended|"
    r"ne|n'|pas|jamais|rien|aucune?|presque|vais|va|dois|doit|faut|veux|voudrais|compte|bientot|essaye|essaie|oublie)\b|'ll\b|n't\b"
)
_ASKS = _Pattern(
    r"^(?:(?:should|shall|do|does|did|is|are|was|were|have|has|can|could|may|will|would)\s+(?:i|we|you|u|he|she|they|it|there)|"
    # "is the run done?"; but "did the long run", "do the dishes" tell or ask for something
    r"(?:should|shall|is|are|was|were|has|have|can|could|will|would)\s+(?:the|this|that|my)|"
    r"when|how|why|which|what(?! an?\b)|where|est-ce|est ce|dois-je|ai-je|faut-il|quand|comment|pourquoi|quel|quelle|quelles|quels)\b"
)
_REQUEST = _Pattern(
    r"\b(?:can|could|would|will)\s+you\b|\bplease\b|\bpeux-tu\b|\bpourrais-tu\b|\btu peux\b|\bmerci de\b|^(?:mark|tick|check off|cross off|"
    r"coche|marque|valide)\b"
)
_ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5, "5th": 5, "sixth": 6,
    "6th": 6, "seventh": 7, "7th": 7, "eighth": 8, "8th": 8, "ninth": 9, "9th": 9, "tenth": 10, "10th": 10, "last": -1,
    "premier": 1, "premiere": 1, "1er": 1, "1ere": 1, "deuxieme": 2, "2e": 2, "2eme": 2, "seconde": 2, "troisieme": 3, "3e": 3,
    "3eme": 3, "quatrieme": 4, "4e": 4, "4eme": 4, "cinquieme": 5, "5e": 5, "5eme": 5, "sixieme": 6, "septieme": 7, "huitieme": 8,
    "neuvieme": 9, "dixieme": 10, "dernier": -1, "derniere": -1,
}  # fmt: skip
_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7, "huit": 8, "neuf": 9, "dix": 10,
}  # fmt: skip
_NUMBERED = _Pattern(
    r"(?:#|\bno\.\s*|\bnumber\s+|\bnum\s+|\bn°\s*|\bnumero\s+|\b(?:tasks?|items?|todo|to-do|taches?)\s+(?:number\s+|numero\s+|no\.\s*|#)?)("
    r"\d{1,2}|" + "|".join(_NUMBERS) + r")\b"
)
_BARE_NUMBER = _Pattern(
    r"^\W*#?(\d{1,2})\s*[.):-]?\s*(?:is\s+|est\s+)?(?:done|finished|complete|completed|fait|faite|fini|finie|termine|terminee|" + _MARK + r")\W*$|"
    r"^\W*(?:done|finished|completed|fait|fini|termine|" + _MARK + r")\s*[:\-]?\s*#?(\d{1,2})\W*$"
)
# "la 2 est faite": a task by its number (not "la 10 km", a distance)
_FRENCH_NUMBER = _Pattern(r"\b(?:la|le)\s+(\d{1,2})\b(?!\s*(?:km|k|m|mn|min|minutes?|h|heures?|kg|kilos?|fois|%|€|\$))")
_ORDINAL = _Pattern(
    r"\b(" + "|".join(sorted(_ORDINALS, key=len, reverse=True)) + r")\b(?:\s*(one|ones|task|item|thing|todo|tache|truc)\b)?(?:'s\b)?\s*(\S*)"
)
# What may follow "the second" for it to be a place in the list rather than a word of a title ("the first draft").
_AFTER_ORDINAL = frozenset("is was are 's s done finished complete completed est a fait faite fini finie termine terminee too as off".split())


def _numbered(coach: _Coach) -> int | None:
    """The place in the list a message names ("task 2", "#2", "the second one", "la deuxième"), 1-based; -1 the last."""
    found = _NUMBERED.search(coach.low)
    if found:
        value = found.group(1)
        return int(value) if value.isdigit() else _NUMBERS[value]
    found = _FRENCH_NUMBER.search(coach.low)
    if found:
        return int(found.group(1))
    found = _BARE_NUMBER.search(coach.low)
    if found:
        return int(found.group(1) or found.group(2))
    for found in _ORDINAL.finditer(coach.low):
        ordinal, thing, following = found.group(1), found.group(2), found.group(3).strip(".,;:!?")
        if thing or not following or following in _AFTER_ORDINAL or not re.match(r"[a-z0-9]", following):
            return _ORDINALS[ordinal]
    return None


_ANOTHER_DAY = _Pattern(r"\b(?:yesterday|last night|the other day|last week|hier|avant-hier|la semaine derniere)\b")


def _held_back(coach: _Coach, signal: re.Match[str] | None) -> bool:
    """Not done, or a question about it ("should I do the run?"), unless it asks the coach to mark it."""
    before = coach.low[: signal.end()] if signal else coach.low  # "skipped" holds itself back
    after = coach.low[signal.end() :] if signal else ""
    if _HOLD_BACK.search(before) or re.match(r"\s+(?:nothing|none of|rien|aucune?)\b", after) or re.search(r"\b(?:yet|encore)\b\W*$", coach.low):
        return True
    if _ANOTHER_DAY.search(coach.low):  # "I ran 5k yesterday": not today's run
        return True
    return _asks(coach) and not _REQUEST.search(coach.low)


# Said of a task of tomorrow's done today: look in tomorrow's list first.
_EARLY = _Pattern(r"\b(?:tomorrow'?s?|early|ahead|in advance|ahead of time|ahead of schedule|d'avance|en avance|demain)\b")


def _named_task(coach: _Coach, query: str, *, minimum: int = 1) -> tuple[Mapping[str, Any] | None, bool]:
    """The open task ``query`` names, and whether the best was a tie: one of today's, or one of tomorrow's done
    early ("did tomorrow's knots practice early"). Tomorrow's is taken when the message says so, or when it
    is named better than any of today's (and by two words at least)."""
    early = bool(_EARLY.search(coach.low))
    later = [t for t in coach.tomorrow if _is_open(t)]
    today, today_tie = (_titled(query, coach.open), False)
    if today is None:
        today, today_tie = _best(query, coach.open, minimum=minimum)
    ahead, ahead_tie = (_titled(query, later), False)
    if ahead is None:
        ahead, ahead_tie = _best(query, later, minimum=minimum if early else max(2, minimum))
    if ahead is not None and not ahead_tie:
        said = _overlap(query, str(ahead.get("title")))[0]
        if early or today is None or today_tie or said > _overlap(query, str(today.get("title")))[0]:
            return ahead, False
    return (today, today_tie) if today is not None else (None, ahead_tie)


def _completion(coach: _Coach) -> dict[str, Any] | None:
    """A finished task said any way (its title, its number, a paraphrase); None when the message says none."""
    signal = _SAYS_DONE.search(coach.low)
    past = None if signal else (_PAST.search(coach.low) or _FRENCH_PAST.search(coach.low) or _FRENCH_PARTICIPLE.search(coach.message.lower()))
    if signal is None and past is None:
        return _not_done(coach, named_only=True) if _SAYS_NOT_DONE.search(coach.low) else None
    if _held_back(coach, signal or past):
        return _not_done(coach, named_only=signal is None)
    number = _numbered(coach)
    if number is not None:
        return _complete_number(coach, number)
    if signal is None:  # a past tense alone ("called the dentist") names a task clearly, or one already done, or is just talk
        task, tie = _named_task(coach, coach.message, minimum=2)
        if task is not None and not tie:
            return _complete(coach, task)
        closed, tie = _best(coach.message, coach.done, minimum=2)
        return _already(coach, closed) if closed is not None and not tie else None
    text = _clause(coach.low, signal.start())  # "what a day! finally finished the run": the run
    for pattern in (_DONE_FIRST, _DONE_LAST):
        found = pattern.search(coach.folded)
        if found:
            text = coach.message[found.start(1) : found.end(1)]
            break
    query = _quoted(coach.message) or text
    task, tie = _named_task(coach, query)
    if task is not None and not tie:
        return _complete(coach, task)
    closed = _titled(query, coach.done) or _best(query, coach.done)[0]
    if closed is not None and task is None:
        return _already(coach, closed)
    if coach.open:
        which = coach.say("which_tie" if tie else "which_unclear")
        return _answer(coach, coach.say("which", which=which, list=_task_list(coach, coach.open)))
    return _answer(coach, coach.say("nothing_open") + " " + _nudge(coach, []))


def _already(coach: _Coach, task: Mapping[str, Any]) -> dict[str, Any]:
    """A task said done again: it is, nothing to mark."""
    return _answer(coach, coach.say("already_done", title=coach.quote(task.get("title"))) + " " + _nudge(coach, coach.open))


def _clause(text: str, at: int) -> str:
    """The sentence of ``text`` that holds position ``at``."""
    start = max((m.end() for m in re.finditer(r"[.!?;]\s", text[:at])), default=0)
    end = next((m.start() + 1 for m in re.finditer(r"[.!?;](?:\s|$)", text[at:])), len(text) - at) + at
    return text[start:end]


def _complete(coach: _Coach, task: Mapping[str, Any]) -> dict[str, Any]:
    if not any(task is t for t in coach.open):  # tomorrow's, done early: today's list stays as it is
        return _answer(coach, coach.say("completed_early", title=coach.quote(task.get("title"))), "complete_task", taskId=str(task["taskId"]))
    remaining = len(coach.open) - 1
    after = coach.say("left_many", n=remaining) if remaining > 1 else coach.say("left_one") if remaining == 1 else coach.say("left_none")
    return _answer(coach, coach.say("completed", title=coach.quote(task.get("title"))) + " " + after, "complete_task", taskId=str(task["taskId"]))


def _complete_number(coach: _Coach, number: int) -> dict[str, Any]:
    if coach.open and (number == -1 or 1 <= number <= len(coach.open)):
        return _complete(coach, coach.open[number - 1 if number > 0 else -1])
    if not coach.open:
        return _answer(coach, coach.say("nothing_open") + " " + _nudge(coach, []))
    return _answer(coach, coach.say("no_number", n=number, list=_task_list(coach, coach.open)))


def _asks(coach: _Coach) -> bool:
    return coach.low.rstrip().endswith("?") or bool(_ASKS.search(coach.low))


def _not_done(coach: _Coach, *, named_only: bool = False) -> dict[str, Any] | None:
    """Nothing is marked ("I didn't finish the run", "did I call the dentist?"): the task is said as it stands.
    With ``named_only``, None when the message names no task (it is talk, not about a task)."""
    task = _titled(coach.message, coach.open) or _best(coach.message, coach.open, share=0)[0]
    if task is not None:
        key = "still_open" if _asks(coach) else "other_day" if _ANOTHER_DAY.search(coach.low) else "not_done"
        return _answer(coach, coach.say(key, title=coach.quote(task.get("title"))))
    closed = _titled(coach.message, coach.done) or _best(coach.message, coach.done)[0]
    if closed is not None and _asks(coach):
        return _answer(coach, coach.say("done_already_q", title=coach.quote(closed.get("title"))))
    return None if named_only or _asks(coach) else _answer(coach, coach.say("not_done_plain"))


# -- lists ------------------------------------------------------------------------------------------------------
_TOMORROW = _Pattern(r"\b(?:tomorrow|tomorrow's|demain)\b")
_DAY = r"(?:today|today's|tonight|tomorrow|tomorrow's|this morning|this afternoon|this evening|aujourd'hui|demain|ce soir|ce matin)"
_LIST = [
    _Pattern(p)
    for p in (
        r"\bwhat(?:'s| is| are|s)?\s+(?:on|up|planned|scheduled|left|next|due|happening|coming up)\b.*\b" + _DAY + r"\b",
        r"\bwhat(?:'s| is| are)?\s+(?:on|left|next|due|planned)\s*(?:for me)?\s*\W*$",
        r"\bwhat(?:'s| is)\s+on\s+(?:my|the)\b",
        r"\bwhat (?:should|shall|do|can|must|could) i (?:do|work on|focus on|tackle|start with)\b",
        r"\bwhat (?:do|will|did) i (?:have|need|got)\b",
        r"\bwhat(?:'ve| have) i got\b",
        r"\bwhat to do (?:today|tomorrow|now|next|first)\b",
        r"\b(?:my|today'?s|tomorrow'?s|the day'?s|daily) (?:tasks?|to-?dos?|to-?do list|agenda|schedule|list)\b",
        r"\bmy plan (?:for )?" + _DAY,
        r"\b(?:tasks?|to-?dos?|agenda|plan|schedule|list) (?:for )?" + _DAY + r"\b",
        r"\b(?:show|list|give|tell|remind|read)(?: me)?(?: what| my| the| today'?s| tomorrow'?s)? (?:tasks?|to-?dos?|list|agenda|plan|schedule)\b",
        r"\banything (?:left |else )?(?:to do|due|planned|on|scheduled)\b",
        r"\b(?:anything|something|what)\b.*\b(?:need|have|got|must|should) to do\b",
        r"\b(?:tell|show|remind) me what\b(?!.*\b(?:goals?|objectifs?)\b)",
        r"\bwhat i (?:have|got)\b.*\b" + _DAY,
        r"\bwhat (?:am i|are we) (?:doing|up to)\b.*\b" + _DAY,
        r"\b(?:what|how) (?:does|will|is|do) (?:my |the )?(?:day|today|tomorrow|morning|afternoon|schedule|agenda)\b.*\blook",
        r"\bwhat(?:'s| is) (?:left|remaining)\b",
        r"\bwhat(?:'s| is) (?:the )?(?:plan|agenda|schedule|program|programme)\b.*\b" + _DAY,
        r"\bqu'?est[- ]ce (?:que |qu')\s*(?:j'ai|je dois|il y a|je fais|on fait|j'ai a faire)\b",
        r"\b(?:c'est )?quoi (?:le programme|au programme|de prevu)\b",
        r"\bquoi de prevu\b|\bqu'?y a-t-il\b|\bqu'?ai-je\b|\bje fais quoi\b|\bon fait quoi\b|\bau programme\b",
        r"\bque (?:dois-je|dois je|je dois|faire)\b",
        r"\b(?:mes|les) taches\b|\bma (?:liste|to-?do)\b|\ble programme\b",
    )
]


def _task_list(coach: _Coach, tasks: Sequence[Mapping[str, Any]], limit: int = 10) -> str:
    lines = []
    for number, task in enumerate(tasks[:limit], start=1):
        goal = coach.goal_of(task)
        lines.append(f"{number}. {_clip(str(task.get('title') or '...'), 120)}" + (coach.say("for_goal", goal=_clip(goal, 60)) if goal else ""))
    if len(tasks) > limit:
        lines.append(coach.say("more", n=len(tasks) - limit))
    return "\n".join(lines)


_DAY_WORD = _Pattern(r"\b" + _DAY + r"\b")
# "tomorrow?", "and today?", "et demain ?": a day alone asks for its list
_BARE_DAY = _Pattern(
    r"^\W*(?:(?:and|so|ok|okay|what about|how about|et|alors|et pour|and for|for|pour)\s+)?(?:the\s+)?(?:day after tomorrow|apres-demain|"
    + _DAY
    + r")\s*(?:then|alors|du coup)?\W*$"
)
_AFTER_TOMORROW = _Pattern(r"\b(?:day after tomorrow|apres-demain|apres demain)\b")
_ON_WEEKDAY = _Pattern(r"\b(?:on\s+|for\s+|this\s+|next\s+|pour\s+|ce\s+)?" + _WEEKDAY + r"\b")


def _wants_list(coach: _Coach, *, with_day: bool) -> bool:
    """The message asks for a day's list: a phrasing of the lexicon ("what's lined up", "j'ai quoi"), as a question
    or without a complaint ("so much on today, ugh" is not asking). ``with_day``: only when it names a day."""
    if with_day and not (_DAY_WORD.search(coach.low) or _ON_WEEKDAY.search(coach.low)):
        return False
    if any(p.search(coach.low) for p in _LIST):
        return True
    return bool(_phrases("list").search(coach.low)) and (_asks(coach) or not _SAD.search(coach.low))


def _list_day(coach: _Coach) -> dt.date:
    """The day a list is asked for: today, tomorrow, the day after, or a day of the coming week by its name."""
    if _AFTER_TOMORROW.search(coach.low):
        return coach.today + dt.timedelta(days=2)
    if _TOMORROW.search(coach.low):
        return coach.today + dt.timedelta(days=1)
    named = _ON_WEEKDAY.search(coach.low)
    if named and not _DAY_WORD.search(coach.low):
        return coach.today + dt.timedelta(days=(_WEEKDAYS[named.group(1)] - coach.today.weekday()) % 7)
    return coach.today


def _listing(coach: _Coach) -> dict[str, Any]:
    day = _list_day(coach)
    tomorrow = day == coach.today + dt.timedelta(days=1)
    if day not in (coach.today, coach.today + dt.timedelta(days=1)):  # a day the data does not hold: the service lists it
        return _answer(coach, coach.say("list_other", day=_date_words(day, coach.lang)), "list_tasks", date=day.isoformat())
    tasks = coach.tomorrow if tomorrow else [*coach.open, *coach.done]
    open_tasks = [t for t in tasks if _is_open(t)]
    done_tasks = [t for t in tasks if not _is_open(t)]
    day_word = coach.say("day_tomorrow" if tomorrow else "day_today")
    if open_tasks:
        done = coach.say("list_done_part", n=len(done_tasks), s="s" if len(done_tasks) > 1 else "") if done_tasks else ""
        noun = coach.say("task_one" if len(open_tasks) == 1 else "task_many")
        reply = coach.say("list_open", count=len(open_tasks), tasks=noun, day=day_word, done=done, list=_task_list(coach, open_tasks))
    elif done_tasks:
        reply = coach.say("list_all_done", n=len(done_tasks), day=day_word) + " " + _nudge(coach, [])
    else:
        reply = coach.say("list_empty", day=day_word) + " " + _nudge(coach, coach.open if tomorrow else [])
    return _answer(coach, reply, "list_tasks", date=day.isoformat())


# -- how a goal is going ----------------------------------------------------------------------------------------
_PROGRESS = _Pattern(
    r"\bhow(?:'s| is| are| am)?\s+(?:i|we|my|the|things|it|everything)\b.*\b(?:doing|going|coming along|progressing|looking|getting on|shaping up)\b|"
    r"\bprogress\b|\bwhere am i\b|\bwhere (?:are|is) (?:my|the)\b|\bon track\b|\bhow far\b|\bstatus\b|\bhow (?:close|near) am i\b|"
    r"\bam i (?:behind|ahead)\b|"
    r"\bou en (?:est|sont|suis)\b|\bou j'en suis\b|\bou en suis-je\b|\bcomment (?:avance|avancent|va|vont|se passe)\b|\bprogression\b|\bavancement\b|"
    r"\bdans les temps\b|\b(?:my|mes) (?:goals|objectifs)\b|\bwhat (?:are )?my goals\b|\bquels sont mes objectifs\b"
)


def _wants_progress(coach: _Coach) -> bool:
    """How a goal is going, asked any way; or a question (or a list's phrasing) naming one of the goals better than
    any task: "what about the shed?", "what's left for the novel?"."""
    if _PROGRESS.search(coach.low) or _phrases("progress").search(coach.low):
        return True
    if not (_asks(coach) or _phrases("list").search(coach.low) or any(p.search(coach.low) for p in _LIST)):
        return False
    if any(p.search(coach.folded) for p in (*_GOAL_EXPLICIT, *_GOAL_SOFT)):
        return False
    goal = _goal_named(coach)
    if goal is None:
        return False
    goal_words = _overlap(coach.message, str(goal.get("title")))[0]
    tasks = (*coach.open, *coach.done, *coach.tomorrow)
    return all(_overlap(coach.message, str(t.get("title") or ""))[0] < goal_words for t in tasks)


def _goal_named(coach: _Coach) -> Mapping[str, Any] | None:
    query = " ".join(w for w in re.findall(r"[\w'-]+", coach.message) if fold(w) not in _GENERIC)
    goal, tie = _best(query, coach.goals, share=0)
    return None if tie else goal


def _figures(coach: _Coach, goal: Mapping[str, Any]) -> str:
    title = coach.quote(goal.get("title"), 80)
    status = str(goal.get("status") or "active").lower()
    total = int(goal.get("milestoneCount") or 0)
    if status == "planning" or not total:
        text = coach.say("progress_planning", title=title)
    else:
        done = min(int(goal.get("milestonesDone") or 0), total)
        text = coach.say("progress_figures", title=title, done=done, total=total)
        if status == "paused":
            text += coach.say("progress_paused")
    target = _today(goal.get("targetDate")) if goal.get("targetDate") else None
    if target is not None and target.year > 2000 and target > coach.today:
        text += coach.say("progress_target", date=_date_words(target, coach.lang), days=(target - coach.today).days)
    return text


def _progress(coach: _Coach) -> dict[str, Any]:
    goal = _goal_named(coach)
    if goal is not None:
        title = str(goal.get("title"))
        mine = [t for t in (*coach.open, *coach.done) if coach.goal_of(t) == title]
        text = _figures(coach, goal) + "."
        if mine:
            open_mine = [t for t in mine if _is_open(t)]
            first = coach.say("progress_first", title=coach.quote(open_mine[0].get("title"))) if open_mine else ""
            done = len(mine) - len(open_mine)
            text += coach.say("progress_today", done=done, open=len(open_mine), first=first, s="s" if done > 1 else "")
        else:
            text += coach.say("progress_no_tasks")
        return _answer(coach, text)
    active = [g for g in coach.goals if _is_active(g)]
    parts = []
    if active:
        names = "; ".join(_figures(coach, g) for g in active[:3])
        noun = coach.say("goal_one" if len(active) == 1 else "goal_many")
        parts.append(coach.say("progress_all", n=len(active), goals=noun, names=names))
    parts.append(coach.say("progress_day", done=len(coach.done), open=len(coach.open), s="s" if len(coach.done) > 1 else ""))
    return _answer(coach, " ".join(parts) + " " + _nudge(coach, coach.open))


# -- a new goal -------------------------------------------------------------------------------------------------
_GOAL_EXPLICIT = [
    _Pattern(p)
    for p in (
        r"\b(?:set|create|add|make|start|begin)\s+(?:me\s+)?(?:up\s+)?(?:a\s+|an\s+)?(?:new\s+)?(?:goal|quest)\b\s*(?:[:\-—]|to\b|of\b|"
        r"for\b|called\b|named\b)?\s*(.*)$",
        r"\bmy (?:new |next |big |main |biggest |one |real |personal )?(?:goal|quest|resolution|dream|plan|aim|target|ambition|objective|"
        r"mission|challenge)(?: for [^:]+?| this year| now| for now)? (?:is|will be)\s*(?::\s*)?(?:to\s+)?(.*)$",
        r"\b(?:(?:my|new|next|a|this year's|next year's|20\d\d)\s+)?(?:goal|quest|aim|target|resolution|challenge)(?:\s+for\s+[^:]{1,20}?)?"
        r"\s*[:\-—–]\s*(.*)$",
        # "I've set myself a goal to ...", "I've made it my goal to ...", "I'm setting myself the challenge of ..."
        r"\bi(?:'ve| have|'m| am)?\s+(?:set|setting|made|making|given|giving)\s+(?:myself|me|it my)\s+(?:a |an |the |my )?(?:new |big )?"
        r"(?:goal|target|challenge|aim|mission|resolution)\s*(?:[:\-—]|to\b|of\b|for\b)?\s*(.*)$",
        r"\b(?:fixe|fixer|cree|creer|ajoute|ajouter)[- ](?:moi\s+)?(?:un\s+)?(?:nouvel\s+|nouveau\s+)?(?:objectif|defi)\b\s*(?:[:\-—]|de\b|"
        r"d'|pour\b)?\s*(.*)$",
        r"\b(?:mon |nouvel |nouveau |prochain |grand |vrai )?(?:objectif|defi|but|reve|resolution)(?: pour [^:]+?| cette annee| de l'annee|"
        r" de la semaine| du mois| \d{4}| principal| perso)?\s*,?\s*(?:est de |est d'|sera de |sera d'|c'est de |c'est d'|:|-|—)\s*(.*)$",
        # "je me suis fixé comme objectif de ...", "j'ai pour objectif de ...", "je me lance le défi de ..."
        r"\b(?:je me suis|je me|j'ai|je m'|je me suis lance|je me lance)\s*(?:fixe|fixee|donne|donnee|lance|pour|comme|)\s*(?:comme |pour |l'|un |le |d')?"
        r"\s*(?:objectif|but|defi|challenge|mission)\s+(?:de |d')\s*(.*)$",
    )
]
_GOAL_SOFT = [
    _Pattern(p)
    for p in (
        r"\bi\s*(?:'d|\s+would)\s+(?:really\s+|so\s+)?(?:like|love)\s+to\s+(.+)$",
        r"\bi\s*(?:'m|\s+am)\s+(?:really\s+|finally\s+)?(?:going to|gonna|planning to|planning on|hoping to|aiming to|determined to|"
        r"ready to|committing to)\s+(.+)$",
        r"\bi\s+(?:really\s+|also\s+|finally\s+|so\s+|seriously\s+)*(?:want to|wanna|need to|plan to|hope to|aim to|intend to|am going to)\s+(.+)$",
        r"\b(?:please\s+)?help me(?:\s+to)?\s+(.+)$",
        r"\bi(?:'ve|\s+have)?\s+(?:finally\s+)?(?:decided|made up my mind|promised myself|resolved|always wanted|long wanted)\s+to\s+(.+)$",
        r"\b(?:let's|lets|let us)\s+(?:aim to|try to|plan to|set out to|work towards|go for)\s+(.+)$",
        r"\bi(?:'m|\s+am)\s+(?:currently\s+|now\s+)?((?:training|preparing|saving up|saving) for\s+.+)$",
        r"\b(?:this|next) year,? i(?:'ll| will| want to)\s+(.+)$",
        r"\bi(?:'ll| will)\s+(.+)$",
        # the subject left out: "gonna pay the bill after work"
        r"^\W*(?:going to|gonna|will|'ll|need to|have to|gotta|got to|must)\s+(?!(?:you|u|it|i|we|they|he|she|there|that|this)\b)(.+)$",
        r"\b(?:je|j')\s*(?:veux|voudrais|aimerais|souhaite|souhaiterais|compte|vais|prevois de|prevois d'|espere|reve de|reve d'|"
        r"ai envie de|ai envie d'|dois|devrais|dois absolument|ai decide de|ai decide d'|me suis promis de|me suis promis d'|"
        r"me suis decide a|vais essayer de|vais essayer d')\s*(.+)$",
        r"\b(?:il faut que je|faut que je|faut que j')\s*(.+)$",
        r"\b(?:aide|aidez)-moi\s+(?:a|pour)\s+(.+)$",
    )
]
# A verb of talk or looking, said of the chat or of the user's own list ("I want to know how I'm doing", "see my tasks"),
# not of something to learn or reach ("understand statistics", "see the Northern Lights", "parler espagnol").
_ABOUT_THIS = (
    r"(?:\s+(?:you|u|it|this|that|what|how|why|if|whether|when|where|which|who|about|with|to|more|something|anything|someone|me|"
    r"my (?:progress|goals?|tasks?|list|day|stats|plan)|the (?:progress|goals?|tasks?|list|plan))\b.*)?\W*$"
)
_NOT_GOALS = _Pattern(
    r"^(?:(?:know|ask|talk|chat|say|tell|understand|see|check|feel)" + _ABOUT_THIS + "|vent|rest|cry|be motivated|stay motivated|"
    r"do(?:\s+(?:it|that|this|something|anything|nothing|more|better|stuff|things|my best|well))?\W*$|"
    r"be(?:\s+(?:it|that|this|ok|okay|fine|good|better|productive|motivated|honest|there|done|quiet|left alone))?\W*$|"
    r"get motivated|focus|relax|go to bed|sleep|nap|with|mark|list|show|thank|change|delete|remove|cancel|skip|"
    r"figure out what|plan my day|organi[sz]e my|going|progressing|on track|behind|hard|tough|difficult|stuck|"
    # "quit smoking" and "start a business" are goals; "quit" and "stop for today" are not
    r"(?:continue|keep going|get started|start|stop|quit|give up|arreter|abandonner|continuer|commencer)"
    r"(?:\s+(?:it|this|that|everything|all|now|here|today|for today|trying|tout|maintenant|la))?\W*$|"
    r"finish (?:it|this|that|today|everything|(?:my|the|today's) (?:tasks?|list|day|to-?dos?))\b|complete (?:my|the|this|that|it)|"
    r"(?:savoir|parler|discuter|dire|comprendre|voir)(?:\s+(?:a|avec|de|du|des|ce|ca|quoi|comment|pourquoi|si|que|qu'|un peu|mes|ma|mon|"
    r"la liste)\b.*)?\W*$|verifier|me reposer|dormir|faire une pause|rien faire|me motiver|"
    r"etre motive|dire merci|finir (?:ma|mes|la|les|cette|ce) (?:tache|taches|liste|journee))\b"
)
# Said with these, an action is meant soon ("I'll email the club after lunch", "I need to buy milk"): a task, not a goal.
_SOON = _Pattern(
    r"\bi\s*(?:'ll|\s+will|'m going to|\s+am going to|'m about to|\s+need to|\s+have to|'ve got to|\s+have got to|\s+got to|\s+must|"
    r"\s+should|'d better|\s+had better)\b|\bgoing to\b|\b(?:je vais|je dois|il faut que je|faut que je)\b"
)
# "Starting tomorrow, I want to lose 10 kg": the day it starts, not the day it is for.
_STARTING = _Pattern(r"\b(?:starting|from|beginning|as of|a partir d'|a partir de|des)\s*$")


def _goal_title(phrase: str) -> str | None:
    text = re.split(
        r"(?<!\d)[.!?;\n](?!\d)|\s+(?:because|since|but|so that|and i need|can you|could you|parce que|car|mais|pour que|afin que|tu peux|peux-tu)\b",
        phrase.strip(),
        maxsplit=1,
    )[0]
    text = re.sub(r"^[\s\"'“‘«:,-]+|[\s\"'”’»:,.!-]+$", "", text)
    text = re.sub(r"\s*,?\s*\b(?:please|pls|thanks|thank you|ok|okay|stp|s'il te pla[iî]t|merci)\W*$", "", text, flags=re.IGNORECASE)
    text = re.sub(r"^(?:to|that i|that|i|really|finally|actually|also|de|d'|à)\s*(?<=['\s])", "", text, flags=re.IGNORECASE)
    # "be able to run 10k" is "Run 10k"; "have sent 10 applications" is "Sent 10 applications" ("have a baby" stays)
    text = re.sub(r"^(?:be able to|start to|try to|manage to|have(?=\s+[a-z]+(?:ed|en|t)\b))\s+", "", text, flags=re.IGNORECASE)
    text = re.sub(
        r"^(train|prepar|sav)(?:ing)(?= (?:up )?for\b)", lambda m: m.group(1) + ("e" if m.group(1) != "train" else ""), text, flags=re.IGNORECASE
    )
    text = " ".join(text.split()).strip(" ,.;:")
    text = re.sub(r"\s+(?:and|et|,)$", "", text)
    if len(text) < GOAL_TITLE_MIN:
        return None
    return _upper_first(_clip(text, GOAL_TITLE_MAX))


def _without(message: str, when: Deadline | None) -> str:
    """The message with the words that gave its target date taken out (the date is kept as the date)."""
    if when is None:
        return message
    return " ".join((message[: when.start] + " " + message[when.end :]).split())


def _first_step(title: str) -> str:
    stages = plan({"title": title, "description": "", "category": "", "targetDate": "", "today": "2000-01-01"})
    return stages["milestones"][0]["title"]


def _create(coach: _Coach, title: str, when: Deadline | None) -> dict[str, Any]:
    same = next((g for g in coach.goals if _match_words(str(g.get("title"))) == _match_words(title)), None)
    if same is not None:
        reply = (
            coach.say("goal_exists", title=coach.quote(same.get("title")), status=same.get("status") or "active") + " " + _nudge(coach, coach.open)
        )
        return _answer(coach, reply)
    by = coach.say("goal_by", date=_date_words(when.day, coach.lang)) if when else ""
    step = _first_step(title)
    reply = coach.say("goal_created", title=coach.quote(title), by=by)
    if language(step) == coach.lang:  # the planner's words for a goal it reads in another language are left out
        reply += coach.say("first_step", step=step.rstrip("."))
    return _answer(coach, reply, "create_goal", goalTitle=title, targetDate=when.day.isoformat() if when else None)


def _task_said(coach: _Coach, phrase: str) -> bool:
    """The phrase is one of the user's tasks ("I'll finish the opening scene"): not a new goal."""
    for task in (*coach.open, *coach.done, *coach.tomorrow):
        shared, size = _overlap(phrase, str(task.get("title") or ""))
        if shared >= 2 and shared * 3 >= size * 2:
            return True
    return False


def _near_time(text: str) -> re.Match[str] | None:
    """Where ``text`` (folded) puts an action today or in the next day or two ("after lunch", "tonight",
    "tomorrow morning", "on Saturday", "ce soir"); a start ("starting tomorrow") is not one."""
    for found in _phrases("near", "times").finditer(text):
        if not _STARTING.search(text[: found.start()]):
            return found
    return None


def _errand(title: str) -> bool:
    """The title starts with a one-off errand's verb ("Email the club", "Buy milk"; not "Pay off my debt")."""
    folded = fold(title)
    for verb in _lexicon()["near"]["errands"]:
        if folded.startswith(verb + " ") and not re.match(r"(?:off|down|back)\b", folded[len(verb) + 1 :]):
            return True
    return False


def _for_now(coach: _Coach, title: str, when: Deadline | None) -> bool:
    """A plan for today or the next days rather than an outcome over weeks: said for a near time, or an errand
    said with "I'll", "I need to", "je vais" with no date weeks away."""
    soon = when is None or (when.day - coach.today).days <= 7
    return soon and (_near_time(coach.low) is not None or (_errand(title) and bool(_SOON.search(coach.low))))


def _noted(coach: _Coach, title: str) -> dict[str, Any]:
    """An action for today or a near day: never a goal. Said of a task on the list, it stays open until it is done."""
    phrase = title
    while (near := _near_time(fold(phrase))) is not None:  # "Email the sailing club after lunch": the task is "Email the sailing club"
        phrase = " ".join((phrase[: near.start()] + " " + phrase[near.end() :]).split()).strip(" ,.;:-")
    phrase = phrase or title
    today, _ = _best(phrase, coach.open, minimum=2)
    later, _ = _best(phrase, [t for t in coach.tomorrow if _is_open(t)], minimum=2)
    if today is not None:
        return _answer(coach, coach.say("noted_today", title=coach.quote(today.get("title"))))
    if later is not None:
        return _answer(coach, coach.say("noted_tomorrow", title=coach.quote(later.get("title"))))
    return _answer(coach, coach.say("noted", title=coach.quote(_upper_first(phrase))))


def _goal(coach: _Coach, patterns: Sequence[_Pattern], *, explicit: bool) -> dict[str, Any] | None:
    when = deadline(coach.message, coach.today)
    message = _without(coach.message, when)
    folded = fold(message)
    for pattern in patterns:
        found = pattern.search(folded)
        if not found:
            continue
        title = _goal_title(message[found.start(1) : found.end(1)])
        if title is None:
            return _answer(coach, coach.say("goal_ask")) if explicit else None
        if _NOT_GOALS.match(fold(title)):
            return None  # "my goal is going well", "I want to rest": talk about it
        if not explicit and (_task_said(coach, title) or _for_now(coach, title, when)):
            return _noted(coach, title)  # "I'll email the club after lunch": a task for today, not a goal
        if _task_said(coach, title):
            return None
        return _create(coach, title, when)
    return None


# -- talk -------------------------------------------------------------------------------------------------------
_SAD = _Pattern(
    r"\b(?:tired|exhausted|stuck|unmotivated|no motivation|overwhelm\w*|stress\w*|anxious|behind|fail\w*|lazy|procrastinat\w*|can't|give up|"
    r"hard|struggl\w*|sad|down|bad day|dread\w*|hate|don't want to|do not want to|not in the mood|can't be bothered|ugh|"
    r"fatigue\w*|creve\w*|epuise\w*|demotive\w*|decourage\w*|stresse\w*|marre|pas le moral|pas le courage|deborde\w*|dur|difficile|triste|"
    r"n'y arrive pas|j'y arrive pas|nul|nulle)\b|"
    # a good day denied ("hasn't been a good day", "pas une bonne journée")
    r"\b(?:not|hasn't been|wasn't|isn't|no|never|pas)\s+(?:\w+\s+){0,2}(?:good|great|happy|fun|easy|bon|bonne|facile|top)\b"
)
_MOTIVATION = _Pattern(r"\bmotivat\w*|\bfocus\b|\bdiscipline\b|\bconsisten\w*|\bmotive\w*|\bmotivation\b|\bconcentr\w*")
_THANKS = _Pattern(r"\b(?:thanks|thank you|thx|cheers|merci)\b")
_HAPPY = _Pattern(
    r"\b(?:great|happy|proud|excited|awesome|amazing|good day|nailed|crushed|killing it|content|heureux|heureuse|fier|fiere|super|genial|"
    r"motive|motivee|en forme|top)\b"
)
_HELP = _Pattern(r"\b(?:help|what can you do|how does this work|how do you work|aide|que sais-tu faire|tu sers a quoi|comment ca marche)\b")
_HELLO = _Pattern(r"^(?:hi|hello|hey|good (?:morning|afternoon|evening)|yo|hiya|bonjour|salut|coucou|bonsoir|hello)\b")


def _nudge(coach: _Coach, open_tasks: Sequence[Mapping[str, Any]]) -> str:
    """The next step: the next open task (with its own goal, if it has one), else an active goal."""
    active = [g for g in coach.goals if _is_active(g)]
    if open_tasks:
        task = open_tasks[0]
        goal = coach.goal_of(task)
        return coach.say("next_task", title=coach.quote(task.get("title")), goal=coach.say("next_for", goal=coach.quote(goal, 80)) if goal else "")
    if active:
        return coach.say("next_goal", goal=coach.quote(active[0].get("title"), 80))
    return coach.say("no_goal")


def _talk(coach: _Coach) -> dict[str, Any]:
    low = coach.low
    open_tasks = list(coach.open)
    mentioned = _titled(coach.message, open_tasks) or _best(coach.message, open_tasks, share=0)[0]
    if mentioned is not None:  # the task the message talks about comes first
        open_tasks = [mentioned] + [t for t in open_tasks if t is not mentioned]
    active = [g for g in coach.goals if _is_active(g)]
    nudge = _nudge(coach, open_tasks)
    first = open_tasks[0] if open_tasks else None
    # A goal is named beside a task only when it is that task's own.
    own_goal = coach.goal_of(first) if first is not None else (str(active[0].get("title")) if active else "")
    if mentioned is not None and _asks(coach):  # "should I do the run?"
        goal = coach.say("for_goal", goal=coach.quote(own_goal, 80)) if own_goal else ""
        return _answer(coach, coach.say("task_question", title=coach.quote(mentioned.get("title")), goal=goal))
    if _SAD.search(low):
        if first is not None:
            text = coach.say("sad") + " " + coach.say("small_step", title=coach.quote(first.get("title")))
            return _answer(coach, text + (coach.say("moves_goal", goal=coach.quote(own_goal, 80)) if own_goal else ""))
        return _answer(coach, coach.say("sad") + " " + coach.say("rest") + " " + nudge)
    if _MOTIVATION.search(low) and not _HAPPY.search(low):
        if first is not None:
            return _answer(coach, coach.say("motivation") + " " + coach.say("timer", title=coach.quote(first.get("title"))))
        return _answer(coach, coach.say("motivation") + " " + nudge)
    if _THANKS.search(low):
        return _answer(coach, coach.say("thanks") + " " + nudge)
    if _HAPPY.search(low):
        done = len(coach.done)
        extra = coach.say("happy_done", n=done, tasks=coach.say("task_one" if done == 1 else "task_many")) if done else ""
        return _answer(coach, coach.say("happy") + extra + " " + nudge)
    if _HELP.search(low):
        return _answer(coach, coach.say("help") + " " + nudge)
    if _HELLO.search(low):
        if active and not open_tasks:
            return _answer(coach, coach.say("hello_goal", goal=coach.quote(active[0].get("title"), 80)) + " " + nudge)
        return _answer(coach, coach.say("hello") + " " + nudge)
    focus = coach.say("focus", goal=coach.quote(own_goal, 80)) if own_goal else coach.say("focus_plain")
    return _answer(coach, coach.say("hear") + " " + focus + " " + nudge)


def chat(data: Mapping[str, Any]) -> dict[str, Any]:
    """``quests.chat``: the coach's reply and what the user asked for: create a goal (with its target date),
    complete a task, list today's or tomorrow's tasks (with the day listed), or just talk."""
    coach = _Coach(data)
    if not coach.message.strip():
        return _answer(coach, coach.say("empty"))
    for step in (
        lambda: _goal(coach, _GOAL_EXPLICIT, explicit=True),
        lambda: _completion(coach),
        lambda: _listing(coach) if _wants_list(coach, with_day=True) else None,
        lambda: _progress(coach) if _wants_progress(coach) else None,
        lambda: _listing(coach) if any(p.search(coach.low) for p in _LIST) or _wants_list(coach, with_day=False) else None,
        lambda: _goal(coach, _GOAL_SOFT, explicit=False),
        lambda: _listing(coach) if _BARE_DAY.search(coach.low) else None,
    ):
        answer = step()
        if answer is not None:
            return answer
    return _talk(coach)
