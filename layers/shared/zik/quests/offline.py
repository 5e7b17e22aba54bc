"""The quests domain's offline AI rules: what the ``local`` provider answers for ``quests.plan`` and
``quests.coach`` (the chat's are in ``chat_rules``).

Pure functions, standard library only, deterministic. They read the goal's own words to find what kind
of goal it is (a language, an instrument, a race, savings, a book, a product, a habit, a job...) and
answer with steps a person could act on, phrased with the goal's own object.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from zik.quests.wording import LazyPattern as _Pattern
from zik.quests.wording import clip as _clip
from zik.quests.wording import upper_first as _upper_first
from zik.quests.wording import words as _words

__all__ = ["coach", "detect_kind", "plan"]

HORIZON_DAYS = 90

TITLE_MAX, DESCRIPTION_MAX, SUMMARY_MAX, MESSAGE_MAX = 120, 500, 1000, 1000

# --------------------------------------------------------------------------------------------------
# Small text and date helpers
# --------------------------------------------------------------------------------------------------


def _day(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value or "").strip()[:10])
    except ValueError:
        return None


def _clean_goal(title: Any) -> str:
    text = " ".join(str(title or "").split()).strip(" .!;,")
    return text or "your goal"


def _lower_first(text: str) -> str:
    """Lower-case the first letter unless the first word is an acronym or a name-like word we keep."""
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first.isupper():
        return text
    if first.lower() in _VERBS or first.lower() in {"a", "an", "the", "my", "our", "your", "more", "less", "every", "one"}:
        return text[:1].lower() + text[1:]
    return text


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 or float(value).is_integer() else f"{value:,.1f}"


_VERBS = {
    "learn",
    "study",
    "master",
    "build",
    "launch",
    "start",
    "create",
    "make",
    "ship",
    "open",
    "develop",
    "write",
    "finish",
    "publish",
    "run",
    "complete",
    "save",
    "pay",
    "get",
    "become",
    "read",
    "meditate",
    "sleep",
    "lose",
    "gain",
    "find",
    "land",
    "improve",
    "practice",
    "practise",
    "play",
    "train",
    "do",
    "be",
    "quit",
    "stop",
    "grow",
    "reach",
    "earn",
    "pass",
    "walk",
    "swim",
    "cycle",
    "ride",
    "cook",
    "draw",
    "paint",
    "journal",
    "drink",
    "eat",
    "wake",
    "go",
    "take",
    "bake",
    "knit",
    "sew",
    "dance",
    "code",
    "fix",
    "renovate",
    "plant",
    "organize",
    "organise",
    "declutter",
    "volunteer",
    "try",
    "attend",
    "prepare",
    "apply",
    "switch",
    "change",
    "use",
    "visit",
    "travel",
    "move",
    "speak",
    "keep",
    "stay",
    "spend",
    "invest",
    "clear",
    "release",
    "record",
    "compose",
    "sing",
    "climb",
    "hike",
    "lift",
    "bench",
    "squat",
    "deadlift",
}

_LEAD = _Pattern(
    r"^(?:(?:i\s+)?(?:really\s+|finally\s+|also\s+)*(?:want|would like|'d like|need|plan|hope|aim|intend)\s+to\s+"
    r"|my\s+(?:new\s+)?goal\s+is\s+(?:to\s+)?|to\s+|finally\s+|(?:be\s+)?able\s+to\s+)+",
    re.IGNORECASE,
)
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_TIME_TAIL = _Pattern(
    r"\s+(?:(?:by|before|until|till|within)\s+.+"
    r"|in\s+(?:under|less than|below)\s+.+"
    r"|in\s+(?:\d+|a|an|one|two|three|four|five|six|nine|twelve)\s+(?:days?|weeks?|months?|years?)\b.*"
    r"|(?:this|next)\s+(?:year|month|week|summer|spring|fall|autumn|winter|quarter)\b.*"
    rf"|in\s+(?:{_MONTHS}|20\d\d)\b.*)$",
    re.IGNORECASE,
)


def _core(title: str) -> str:
    """The goal's action without filler or deadline: 'I want to run a marathon by June' -> 'run a marathon'."""
    text = _LEAD.sub("", title.strip())
    text = _TIME_TAIL.sub("", text).strip(" .,;:-")
    return _lower_first(text or title)


def _strip_verb(phrase: str, verbs: str) -> str:
    stripped = re.sub(rf"^(?:{verbs})\s+", "", phrase, flags=re.IGNORECASE).strip()
    return stripped or phrase


def _yours(phrase: str) -> str:
    """'a budget app' / 'my online store' -> 'your budget app' / 'your online store'."""
    phrase = phrase.strip()
    if re.match(r"^(?:a|an|my|the|our)\s+", phrase, re.IGNORECASE):
        return re.sub(r"^(?:a|an|my|the|our)\s+", "your ", phrase, count=1, flags=re.IGNORECASE)
    if re.match(r"^your\s+", phrase, re.IGNORECASE):
        return phrase
    return "your " + phrase


def _gerund(verb_phrase: str) -> str:
    """'cook thai food' -> 'cooking thai food' (a light English rule, good enough for a goal's verb)."""
    words = verb_phrase.split(" ", 1)
    verb, rest = words[0], (" " + words[1] if len(words) > 1 else "")
    low = verb.lower()
    special = {"program": "programming", "be": "being", "see": "seeing", "die": "dying", "lie": "lying", "ski": "skiing"}
    if low in special:
        ing = special[low]
    elif low.endswith("ie"):
        ing = low[:-2] + "ying"
    elif low.endswith("e") and not low.endswith(("ee", "ye", "oe")):
        ing = low[:-1] + "ing"
    elif re.fullmatch(r"[^aeiou]*[aeiou][bdfgklmnprstvz]", low) and len(low) <= 4:
        ing = low + low[-1] + "ing"
    else:
        ing = low + "ing"
    return ing + rest


# --------------------------------------------------------------------------------------------------
# What kind of goal is this?
# --------------------------------------------------------------------------------------------------

_LANGUAGES = (
    "spanish|french|german|italian|portuguese|japanese|chinese|mandarin|cantonese|korean|arabic|russian|hindi|"
    "dutch|swedish|norwegian|danish|polish|turkish|greek|hebrew|vietnamese|thai|indonesian|swahili|latin|"
    "ukrainian|czech|finnish|irish|welsh|esperanto|tagalog|persian|farsi|urdu|bengali|catalan|romanian|"
    "hungarian|icelandic|sign language|asl|bsl"
)
_INSTRUMENTS = (
    "guitar|piano|violin|viola|cello|drums?|bass guitar|ukulele|saxophone|sax|flute|trumpet|clarinet|harmonica|"
    "banjo|harp|trombone|accordion|mandolin|keyboard|singing|sing|vocals|dj|djing"
)

# (kind, [(pattern, weight)]): verbs weigh little, the nouns that name the goal weigh most.
_KIND_RULES: list[tuple[str, list[tuple[str, int]]]] = [
    (
        "language",
        [
            (rf"\b(?:{_LANGUAGES})\b(?!\s+(?:food|cuisine|cooking|dish(?:es)?|recipes?|curry|boxing|massage|culture|history|wine))", 4),
            (r"\blanguages?\b", 3),
            (r"\bfluen(?:t|cy)\b", 3),
            (r"\bduolingo\b", 3),
            (r"\b(?:a1|a2|b1|b2|c1|c2)\b", 2),
            (r"\blearn(?:ing)?\b", 1),
            (r"\bspeak\b", 1),
        ],
    ),
    (
        "instrument",
        [
            (rf"\b(?:{_INSTRUMENTS})\b", 4),
            (r"\binstruments?\b", 3),
            (r"\bchords?\b", 2),
            (r"\bsongs?\b", 1),
            (r"\bmusic\b", 2),
            (r"\blearn(?:ing)?\b", 1),
            (r"\bplay\b", 1),
        ],
    ),
    (
        "running",
        [
            (r"\b(?:half[- ]?)?marathon\b", 4),
            (r"\b(?:5|10|15|21|42)\s?k\b", 4),
            (r"\b(?:5|10)\s?km\b", 3),
            (r"\bultra\b", 3),
            (r"\btriathlon\b", 3),
            (r"\bcouch to\b", 3),
            (r"\brunning\b", 2),
            (r"\bjog(?:ging)?\b", 2),
            (r"\brun\b", 2),
            (r"\brace\b", 1),
        ],
    ),
    (
        "fitness",
        [
            (r"\b(?:gym|workouts?|fitness|strength|muscles?|abs|six[- ]pack)\b", 3),
            (r"\b(?:pull|push|chin)[- ]?ups?\b", 3),
            (r"\b(?:squat|deadlift|bench|plank)\w*\b", 3),
            (r"\b(?:kg|kgs|kilos?|lbs?)\b", 3),
            (r"\bbody ?fat\b", 3),
            (r"\bweight\b", 2),
            (r"\bpounds\b", 2),
            (r"\b(?:exercise|fit|fitter|stronger|swim(?:ming)?|cycling|bike|yoga|pilates|cardio|steps)\b", 2),
            (r"\b(?:lose|gain|tone|healthy|healthier|health)\b", 1),
        ],
    ),
    (
        "money",
        [
            (r"[$€£]\s?\d", 3),
            (r"\b\d[\d,.]*\s?k?\s?(?:dollars|euros?|usd|eur|gbp)\b", 3),
            (r"\b(?:budget(?:ing)?|debts?|emergency fund|credit cards?|down ?payment|net worth|mortgage|401k|ira|index funds?)\b", 3),
            (r"\b(?:save|saving|savings|invest(?:ing|ment)?|money|loans?|retire(?:ment)?|financ\w*)\b", 2),
            (r"\bpay (?:off|back|down)\b", 2),
            (r"\b(?:spend(?:ing)?|pounds)\b", 1),
        ],
    ),
    (
        "writing",
        [
            (r"\b(?:write|writing|novel|manuscript|screenplay|memoir|poems?|poetry|short stor(?:y|ies)|nanowrimo)\b", 3),
            (r"\b(?:blog|newsletter|articles?|essays?|publish(?:ed)?|chapters?|substack)\b", 2),
            (r"\b(?:book|author|words)\b", 1),
        ],
    ),
    (
        "building",
        [
            (
                r"\b(?:apps?|startup|business|website|saas|side project|side hustle|mvp|e-?commerce|etsy|online (?:store|shop|course)|podcast|youtube channel|plugin|extension)\b",
                3,
            ),
            (r"\b(?:launch|product|software|company|shop|store|game|customers|freelanc\w*|channel|platform|tool)\b", 2),
            (r"\b(?:build|ship|release|users|site|create|develop)\b", 1),
        ],
    ),
    (
        "habit",
        [
            (
                r"\b(?:habit|meditat\w*|mindful\w*|sleep|bedtime|journal(?:ing)?|gratitude|screen time|smoking|cigarettes|alcohol|sober|floss\w*|morning routine|wake up|stretch\w*|drink (?:more )?water|hydrat\w*)\b",
                3,
            ),
            (r"\bread(?:ing)?\b", 2),
            (r"\bbooks\b", 1),
            (r"\b(?:daily|every day|each day|routine|streak|quit|water|sugar|social media|phone|caffeine|coffee)\b", 1),
        ],
    ),
    (
        "career",
        [
            (r"\bbecom(?:e|ing) an?\b", 3),
            (r"\b(?:job|career|promot\w*|interviews?|resume|résumé|cv|hired|internship|linkedin|new role|salary)\b", 3),
            (r"\b(?:raise|manager|employer|offer|apply|applications?|portfolio|role|position)\b", 1),
        ],
    ),
    (
        "skill",
        [
            (
                r"\b(?:code|coding|programming|python|javascript|typescript|java|sql|rust|golang|react|excel|data science|machine learning|ai|aws|azure|kubernetes|chess|photography|calculus|statistics|math)\b",
                3,
            ),
            (r"\b(?:exam|certifi\w*|degree|course|class|skills?)\b", 2),
            (r"\b(?:learn(?:ing)?|study(?:ing)?|drawing|painting|cooking|baking|knitting|sewing|dancing|pottery|woodworking|calligraphy)\b", 2),
            (r"^(?:learn|study)\b", 1),
            (r"\b(?:draw|paint|cook|bake|knit|sew|dance|master|practice|practise|tutorials?|improve)\b", 1),
        ],
    ),
]
_KIND_RE = [(kind, [(_Pattern(p, re.IGNORECASE), w) for p, w in rules]) for kind, rules in _KIND_RULES]
# A category the app shows (health, finance...) nudges the kind.
_CATEGORY_HINTS = {
    "health": "fitness",
    "fitness": "fitness",
    "sport": "fitness",
    "sports": "fitness",
    "running": "running",
    "finance": "money",
    "finances": "money",
    "money": "money",
    "learning": "skill",
    "education": "skill",
    "language": "language",
    "languages": "language",
    "music": "instrument",
    "career": "career",
    "work": "career",
    "creative": "writing",
    "writing": "writing",
    "business": "building",
    "project": "building",
    "projects": "building",
    "habits": "habit",
    "habit": "habit",
    "mindfulness": "habit",
    "wellbeing": "habit",
    "wellness": "habit",
    "lifestyle": "habit",
    "personal": "habit",
}


def detect_kind(*weighted: tuple[str, int], minimum: int = 1) -> str:
    """The goal's kind from (text, weight) pairs; 'generic' when no rule scores ``minimum``."""
    scores: dict[str, int] = {}
    for text, weight in weighted:
        if not text:
            continue
        for kind, rules in _KIND_RE:
            score = sum(w for pattern, w in rules if pattern.search(text))
            if score:
                scores[kind] = scores.get(kind, 0) + score * weight
    if not scores or max(scores.values()) < minimum:
        return "generic"
    order = [kind for kind, _ in _KIND_RULES]
    return max(scores, key=lambda k: (scores[k], -order.index(k)))


def _kind_of(title: str, description: str = "", category: str = "", extra: tuple[tuple[str, int], ...] = ()) -> str:
    hint = _CATEGORY_HINTS.get(category.strip().lower())
    kind = detect_kind((title, 4), (description, 1), (category, 2), minimum=5)  # one weak word is not enough
    if kind == "generic" and hint:
        return hint
    if kind == "generic" and extra:
        # A goal whose own words say nothing: its milestone may (strong evidence only).
        return detect_kind(*extra, minimum=6)
    return kind


# --------------------------------------------------------------------------------------------------
# The goal's facts: object, numbers, flavour
# --------------------------------------------------------------------------------------------------


@dataclass
class Goal:
    title: str
    text: str  # title + description, for flavour and numbers
    kind: str
    core: str
    span: int = HORIZON_DAYS
    target: dt.date | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    name: str = ""  # the title without filler ("I want to get fit by summer" -> "Get fit by summer")

    def __getattr__(self, name: str) -> Any:  # facts read like attributes
        try:
            return self.__dict__["facts"][name]
        except KeyError:
            raise AttributeError(name) from None


_AMOUNT_PATTERNS = [
    _Pattern(r"([$€£])\s?(\d[\d,]*(?:\.\d+)?)\s*(k|m)?\b", re.IGNORECASE),
    _Pattern(r"\b(\d[\d,]*(?:\.\d+)?)\s*(k|m)?\s*(dollars|usd|euros?|eur|pounds|gbp)\b", re.IGNORECASE),
]
_CURRENCY = {"dollars": "$", "usd": "$", "euro": "€", "euros": "€", "eur": "€", "pounds": "£", "gbp": "£"}


def _amount(text: str) -> tuple[float, str] | None:
    for index, pattern in enumerate(_AMOUNT_PATTERNS):
        match = pattern.search(text)
        if not match:
            continue
        if index == 0:
            symbol, number, scale = match.group(1), match.group(2), match.group(3)
        else:
            number, scale, symbol = match.group(1), match.group(2), _CURRENCY[match.group(3).lower()]
        try:
            value = float(number.replace(",", ""))
        except ValueError:
            continue
        value *= {"k": 1_000, "m": 1_000_000}.get((scale or "").lower(), 1)
        if value > 0:
            return value, symbol
    return None


def _money(value: float, symbol: str) -> str:
    return f"{symbol}{value:,.0f}"


_DISTANCES = [
    (_Pattern(r"\bhalf[- ]?marathon\b|\b21(?:\.1)?\s?k(?:m)?\b", re.IGNORECASE), 21.1, "half marathon"),
    (_Pattern(r"\bultra\b|\b50\s?k(?:m)?\b", re.IGNORECASE), 50.0, "ultramarathon"),
    (_Pattern(r"\bmarathon\b|\b42(?:\.2)?\s?k(?:m)?\b", re.IGNORECASE), 42.2, "marathon"),
    (_Pattern(r"\b15\s?k(?:m)?\b", re.IGNORECASE), 15.0, "15 km race"),
    (_Pattern(r"\b10\s?k(?:m)?\b", re.IGNORECASE), 10.0, "10 km race"),
    (_Pattern(r"\b5\s?k(?:m)?\b|\bparkrun\b|\bcouch to\b", re.IGNORECASE), 5.0, "5 km race"),
]
_RACE_TIME = _Pattern(
    r"\b(?:in|under|below|sub)[- ]?(?:under\s+|less than\s+)?(\d+(?:\.\d+)?)\s*(h|hours?|hrs?|min|minutes?|mins?)\b|\bsub[- ]?(\d):(\d\d)\b",
    re.IGNORECASE,
)


def _running_facts(text: str) -> dict[str, Any]:
    km, race = 5.0, "5 km race"
    for pattern, distance, name in _DISTANCES:
        if pattern.search(text):
            km, race = distance, name
            break
    else:
        plain = re.search(r"\b(\d+(?:\.\d+)?)\s?(?:km|kilomet(?:er|re)s?)\b", text, re.IGNORECASE)
        miles = re.search(r"\b(\d+(?:\.\d+)?)\s?(?:mi|miles?)\b", text, re.IGNORECASE)
        if plain:
            km, race = float(plain.group(1)), f"{_number(float(plain.group(1)))} km run"
        elif miles:
            km, race = float(miles.group(1)) * 1.609, f"{_number(float(miles.group(1)))}-mile run"
    minutes = None
    time = _RACE_TIME.search(text)
    if time and time.group(1):
        value = float(time.group(1))
        minutes = value * 60 if time.group(2).lower().startswith("h") else value
    elif time and time.group(3):
        minutes = int(time.group(3)) * 60 + int(time.group(4))
    pace = None
    if minutes and 2.5 <= minutes / km <= 15:
        per_km = minutes / km
        pace = f"{int(per_km)}:{round((per_km % 1) * 60) % 60:02d} min/km"

    def long_run(fraction: float) -> str:
        return _number(max(1, round(min(km * fraction, 32 if km > 30 else km * fraction))))

    return {"km": km, "race": race, "pace": pace, "long": long_run}


def _weight_facts(text: str) -> dict[str, Any]:
    match = re.search(r"\b(\d+(?:\.\d+)?)\s*(kg|kgs|kilos?|lbs?|pounds)\b", text, re.IGNORECASE)
    if not match:
        return {"loss": None, "unit": "kg"}
    unit = "kg" if match.group(2).lower().startswith("k") else "lb"
    return {"loss": float(match.group(1)), "unit": unit}


def _facts(goal: Goal) -> None:
    text, core, kind = goal.text, goal.core, goal.kind
    facts = goal.facts
    if kind == "language":
        found = re.search(rf"\b({_LANGUAGES})\b", text, re.IGNORECASE)
        facts["lang"] = (
            found.group(1).upper() if found and found.group(1).lower() in {"asl", "bsl"} else (found.group(1).title() if found else "the language")
        )
        level = re.search(
            r"\b(?:(A1|A2|B1|B2|C1|C2)|(?:jlpt\s*)?(N[1-5])|(HSK\s*[1-6])|(DELE|DELF|DALF|TOEFL|IELTS|Goethe)(?:\s+[ABC][12])?)\b",
            text,
            re.IGNORECASE,
        )
        facts["level"] = (" ".join(level.group(0).upper().split()) if not level.group(2) else f"JLPT {level.group(2).upper()}") if level else None
    elif kind == "instrument":
        found = re.search(rf"\b({_INSTRUMENTS})\b", text, re.IGNORECASE)
        name = found.group(1).lower() if found else "your instrument"
        if name in {"sing", "singing", "vocals"}:
            facts.update(inst="singing", play="sing", piece="song")
        elif name in {"dj", "djing"}:
            facts.update(inst="DJing", play="mix", piece="mix")
        else:
            songs = {"guitar", "ukulele", "bass guitar", "drum", "drums", "banjo", "harmonica", "mandolin", "keyboard", "accordion"}
            facts.update(
                inst=name if name == "your instrument" else f"the {name}",
                play=f"play the {name}" if found else "play",
                piece="song" if name in songs else "piece",
            )
    elif kind == "running":
        facts.update(_running_facts(text))
    elif kind == "fitness":
        weight = bool(re.search(r"\b(?:lose|lost|drop|shed|weigh\w*|body ?fat|slim)\b", text, re.IGNORECASE)) or bool(
            re.search(r"\bweight\b", text, re.IGNORECASE) and not re.search(r"\b(?:lift|weights|strength|gain weight)\b", text, re.IGNORECASE)
        )
        facts["flavour"] = "weight" if weight else "strength"
        facts.update(_weight_facts(text))
    elif kind == "money":
        amount = _amount(text)
        facts["amount"], facts["currency"] = amount or (None, "$")
        debt = re.search(r"\b(?:debts?|pay (?:off|back|down)|loans?|credit cards?|mortgage|owe)\b", text, re.IGNORECASE)
        facts["flavour"] = "debt" if debt else "save"
        if facts["amount"] and goal.span:
            months = max(1.0, goal.span / 30.4)
            facts["monthly"] = facts["amount"] / months
    elif kind == "writing":
        blog = re.search(r"\b(?:blog|newsletter|substack|articles?|posts?|essays?|column)\b", text, re.IGNORECASE)
        facts["flavour"] = "blog" if blog and not re.search(r"\b(?:novel|book|memoir|manuscript|screenplay)\b", text, re.IGNORECASE) else "book"
        thing = _strip_verb(core, r"write|finish|complete|publish|start|draft|launch|self-publish|create")
        facts["work"] = _yours(thing)
        words = re.search(r"\b(\d[\d,]*)\s*(?:k\s*)?words\b", text, re.IGNORECASE)
        if words:
            value = int(words.group(1).replace(",", ""))
            facts["words"] = value * 1000 if re.search(r"\d\s*k\s*words", words.group(0), re.IGNORECASE) else value
        elif re.search(r"\bnovel\b", text, re.IGNORECASE):
            facts["words"] = 70_000
        elif re.search(r"\bscreenplay\b", text, re.IGNORECASE):
            facts["words"] = 20_000
        elif re.search(r"\b(?:short stor|poem|poetry)", text, re.IGNORECASE):
            facts["words"] = 15_000
        else:
            facts["words"] = 50_000
    elif kind == "building":
        thing = _strip_verb(core, r"build|launch|start|create|make|ship|open|develop|release|grow|set up|finish|run|code")
        facts["product"] = _yours(thing)
        media = re.search(r"\b(podcast|youtube|channel|videos?|vlog)\b", text, re.IGNORECASE)
        facts["first"] = "Record the first 3 episodes of" if media else "Build the first working version of"
        facts["people"] = (
            ("listeners" if media.group(1).lower() == "podcast" else "viewers")
            if media
            else "customers"
            if re.search(
                r"\b(?:business|store|shop|etsy|e-?commerce|freelanc\w*|service|consult\w*|agency|bakery|cafe|restaurant|side hustle|company)\b",
                text,
                re.IGNORECASE,
            )
            else "users"
        )
    elif kind == "habit":
        facts.update(_habit_facts(text, core))
    elif kind == "career":
        promo = re.search(r"\bpromot\w*|\braise\b|\bsenior\b|\blead\b", text, re.IGNORECASE) and not re.search(
            r"\bnew job\b|\bapply\b|\bhired\b", text, re.IGNORECASE
        )
        facts["flavour"] = "promotion" if promo else "job"
        role = re.search(
            r"\b(?:as|become|becoming|to)\s+(?:an?\s+)?((?:[a-z][\w+#.-]*\s?){1,4}?)(?:\s+(?:at|in|by|within|before)\b|$)", core, re.IGNORECASE
        )
        name = role.group(1).strip() if role else ""
        if not name or name.lower().split()[0] in _VERBS or len(name) > 40:
            found = re.search(r"\b((?:[a-z][\w+#.-]*\s)?(?:job|role|position))\b", core, re.IGNORECASE)
            name = found.group(1) if found else ""
        name = re.sub(r"^(?:new|a|an|the|my)\s+", "", name, flags=re.IGNORECASE).strip()
        name = re.sub(r"\s*\b(?:job|role|position)$", "", name, flags=re.IGNORECASE).strip()
        facts["role"] = name
    elif kind == "skill":
        exam = re.search(r"\b(?:exam|certifi\w*|test|pass)\b", text, re.IGNORECASE)
        facts["flavour"] = "exam" if exam else "learn"
        subject = re.sub(
            r"^(?:learn(?:ing)?|study|master|get (?:better|good) at|improve(?: my)?|practi[cs]e|pass|ace|get|earn|obtain|take)\s+",
            "",
            core,
            flags=re.IGNORECASE,
        ).strip()
        subject = re.sub(
            r"\s+(?:so that|so|because|in order to|to (?:get|become|land|help|make|earn|be|pass|start|switch))\b.*$", "", subject, flags=re.IGNORECASE
        )
        how = re.match(r"^(?:how\s+)?to\s+(.+)$", subject, re.IGNORECASE)
        if how:
            subject = _gerund(how.group(1))
        elif subject == core and subject.split(" ", 1)[0].lower() in _VERBS:
            subject = _gerund(subject)
        facts["subject"] = subject or core
    facts.setdefault("flavour", kind)


_HABITS = [
    ("reading", r"\bread(?:ing)?\b|\bbooks\b", "Read 10 pages", "reading", "pages read", "put the book on your pillow or next to the kettle"),
    ("meditation", r"\bmeditat\w*|\bmindful\w*", "Meditate for 5 minutes", "meditating", "minutes sat", "sit right after your morning coffee"),
    (
        "sleep",
        r"\bsleep\b|\bbedtime\b|\bbed\b|\bwake up\b|\bearly\b",
        "Be in bed by 23:00, phone out of the room",
        "sleeping on schedule",
        "nights on schedule",
        "set an alarm 45 minutes before bedtime to start winding down",
    ),
    (
        "journaling",
        r"\bjournal\w*|\bgratitude\b|\bdiary\b",
        "Write 3 lines in your journal",
        "journaling",
        "entries written",
        "keep the notebook and a pen on your bedside table",
    ),
    (
        "quitting",
        r"\bquit\b|\bstop\b|\bsmok\w*|\bcigarettes?\b|\balcohol\b|\bsober\b|\bdrinking\b|\bsugar\b|\bsocial media\b|\bscreen time\b|\bcaffeine\b",
        "Skip the habit once and note the trigger",
        "quitting",
        "days free",
        "remove the easy access (apps, packs, snacks) from home",
    ),
    (
        "water",
        r"\bwater\b|\bhydrat\w*",
        "Drink a glass of water with every meal",
        "drinking water",
        "glasses drunk",
        "keep a full bottle on your desk",
    ),
]


def _habit_facts(text: str, core: str) -> dict[str, Any]:
    for flavour, pattern, small, doing, unit, cue in _HABITS:
        if re.search(pattern, text, re.IGNORECASE):
            return {"flavour": flavour, "small": small, "doing": doing, "unit": unit, "cue": cue, "habit": core}
    return {
        "flavour": "habit",
        "small": f"Do a 2-minute version of it: {core}",
        "doing": _gerund(core) if core.split(" ")[0].lower() in _VERBS else core,
        "unit": "days done",
        "cue": "tie it to something you already do every day, like brushing your teeth",
        "habit": core,
    }


def _goal(
    title: Any,
    description: Any = "",
    category: Any = "",
    *,
    span: int = HORIZON_DAYS,
    target: dt.date | None = None,
    extra: tuple[tuple[str, int], ...] = (),
) -> Goal:
    clean = _clean_goal(title)
    description = str(description or "")
    kind = _kind_of(clean, description, str(category or ""), extra)
    more = " ".join(text for text, _ in extra)
    name = _upper_first(_LEAD.sub("", clean).strip(" .,;:-")) or clean
    core = _lower_first(name) if kind == "habit" else _core(clean)  # a habit's "before 11pm" is the habit
    goal = Goal(title=clean, text=f"{clean}. {description} {more}".strip(), kind=kind, core=core, span=span, target=target, name=name)
    _facts(goal)
    return goal


# --------------------------------------------------------------------------------------------------
# quests.plan
# --------------------------------------------------------------------------------------------------

# Seven stages per kind, ordered; index 3 is the core of the work and is kept in every plan.
_PICK = {3: [0, 3, 6], 4: [0, 3, 4, 6], 5: [0, 2, 3, 4, 6], 6: [0, 1, 3, 4, 5, 6], 7: [0, 1, 2, 3, 4, 5, 6]}

Stage = tuple[str, str]


def _stages_language(g: Goal) -> list[Stage]:
    lang = g.lang
    test = f"a {g.level} practice exam" if g.level else "an online level test (e.g. a free CEFR placement test)"
    return [
        (
            f"Set up a daily {lang} routine",
            f"Pick one course (an app such as Duolingo or a textbook) and one podcast for {lang} learners. Block 20 minutes a day in your calendar and keep a streak log.",
        ),
        (
            f"Learn the 300 most common {lang} words",
            "Use a frequency list and spaced-repetition flashcards (Anki or similar), about 15 new words a day. Learn pronunciation as you go: say each word out loud.",
        ),
        (
            f"Master {lang} present tense and everyday phrases",
            "Learn the present tense of the 20 most common verbs and ready-made phrases for greetings, ordering food, directions and small talk. Write 5 sentences about your day each evening.",
        ),
        (
            f"Hold a 10-minute conversation in {lang}",
            "Book a tutor or a language exchange (iTalki, Tandem or a local meetup) once a week. Prepare topics in advance: yourself, your work, your plans. Note every word you were missing.",
        ),
        (
            f"Understand real {lang} content",
            f"Watch one episode a week of a show in {lang} with {lang} subtitles and read one short article or graded reader chapter. Add unknown words to your flashcards.",
        ),
        (
            f"Take {test}",
            "Sit the test under real conditions, timed. Compare your score per skill (listening, reading, writing, speaking) and spend the final stretch on the weakest one.",
        ),
        (
            _final("Put it to the test", g.name),
            f"Hold a 30-minute conversation entirely in {lang} with a native speaker and write a one-page text without a dictionary. Decide what level to aim for next.",
        ),
    ]


def _stages_instrument(g: Goal) -> list[Stage]:
    inst, piece = g.inst, g.piece
    return [
        (
            f"Set up to practise {inst} every day",
            f"Get {inst} ready where you can pick it up in seconds (tuned, on a stand), install a tuner and metronome app, and block 20 minutes a day. Choose one method book or course to follow.",
        ),
        (
            "Learn the fundamentals: posture, technique, first notes",
            "Work on posture, hand position and clean sound with slow exercises at 60 bpm. Record yourself once a week to hear what to fix.",
        ),
        (
            "Play the first simple " + piece + " start to finish",
            f"Pick an easy {piece} you love, break it into 4-bar sections and loop each one slowly until it is clean, then join them up.",
        ),
        (
            f"Practise {inst} 5 days a week for a month",
            "Structure each 25-minute session: 5 min warm-up, 10 min technique (scales, chords or exercises), 10 min repertoire. Keep a practice log with tempo reached.",
        ),
        (
            f"Learn 3 {piece}s at full tempo",
            f"Raise the metronome 5 bpm at a time once a {piece} is clean. Take one lesson (teacher or online feedback) to correct habits early.",
        ),
        (
            "Record a full run-through",
            f"Record your 3 {piece}s without stopping, listen back, and list the 3 weakest passages. Spend the final weeks on just those.",
        ),
        (
            _final("Perform", g.name),
            f"Play your {piece}s for an audience (friends, an open mic or a video you share). Then pick the next, slightly harder {piece} to keep going.",
        ),
    ]


def _stages_skill(g: Goal) -> list[Stage]:
    subject = g.subject
    if g.flavour == "exam":
        return [
            (
                f"Get the official outline for {subject}",
                "Download the official syllabus or exam guide, list every topic with its weight, and rate yourself 1-5 on each. Book the exam date if you can: a deadline focuses study.",
            ),
            (
                "Pick your study materials and schedule",
                "Choose one main course or book plus the official practice questions. Plan 45-minute study sessions, 5 days a week, topic by topic in order of weight.",
            ),
            (
                "Cover the heaviest topics first",
                "Study the topics worth the most marks; make one page of notes per topic and 20 flashcards for facts to memorise.",
            ),
            (
                "Finish a first pass through every topic",
                "Work through the whole syllabus once. After each topic, do 10 practice questions and write down every mistake and why it was wrong.",
            ),
            (
                "Score 70% on a full practice exam",
                "Take a complete practice exam timed, under real conditions. Review every wrong answer and reread the matching notes.",
            ),
            (
                "Fix your weak spots",
                "Take your three lowest-scoring topics and redo their practice questions until you score above 80%. Take a second full practice exam.",
            ),
            (
                _final("Exam day", g.name),
                "Sleep well the two nights before, review only your one-page notes the day before, arrive early. Afterwards, note what you'd study differently.",
            ),
        ]
    return [
        (
            f"Map out {subject}: resources and schedule",
            f"List the 8-10 core skills or topics of {subject} and choose one main resource (a course, a coach, a book or a video series). Block 30-minute sessions, 4 days a week.",
        ),
        (
            f"Learn the fundamentals of {subject}",
            "Work through the first third of your resource. After every session write 3 bullet points from memory of what you learned or noticed.",
        ),
        (
            f"Practise {subject} 4 times a week",
            "Do one short, focused exercise per session that applies what you just learned, and keep a log (or a folder of what you make) to see your progress.",
        ),
        (
            f"Complete a first real challenge in {subject}",
            "Pick something you can finish in about two weeks that uses most of the fundamentals (a small project, a full recipe, a whole game, a complete piece). Finish it even if it's rough, and list what was hard.",
        ),
        (
            "Get feedback from someone better than you",
            "Show your work to a teacher, a coach, a mentor or an online community and ask for the 3 most important improvements. Make them.",
        ),
        (
            f"Tackle the harder parts of {subject}",
            "Work on the topics you skipped or found hard, and redo one earlier exercise at a higher level to measure the difference.",
        ),
        (
            _final("Show it", g.name),
            f"Finish a final piece of work that proves the skill (a project, a portfolio piece, a meal, a game played) and share it. Write down what to learn next in {subject}.",
        ),
    ]


def _stages_running(g: Goal) -> list[Stage]:
    long, race = g.long, g.race
    pace = f" Target pace: {g.pace}." if g.pace else ""
    return [
        (
            "Build a base: run 3 times a week",
            "Run 3 easy runs a week of 20-40 minutes at a pace where you can still talk. Get fitted for proper running shoes and log every run (distance, time, how it felt).",
        ),
        (
            f"Run {long(0.25)} km without stopping",
            f"Lengthen one run each week by no more than 10% until you can run {long(0.25)} km non-stop at an easy pace. Keep at least one full rest day a week.",
        ),
        (
            "Add one weekly speed session",
            f"Once a week do intervals, e.g. 6 x 400 m faster than race pace with 2 minutes of easy jogging between them.{pace} Keep the other runs easy.",
        ),
        (
            f"Reach a {long(0.6)} km long run",
            f"Make one run each week your long run at an easy pace, growing it gradually to {long(0.6)} km. Practise drinking and fuelling on the way if it lasts over an hour.",
        ),
        (
            f"Complete your longest training run: {long(0.8)} km",
            f"Run {long(0.8)} km in the kit and shoes you'll race in, eating and drinking exactly as you plan to on race day. This is your dress rehearsal for the {race}.",
        ),
        (
            "Taper and plan race day",
            "Cut weekly distance by 30-50% while keeping a few short efforts at race pace. Check the route, the start time and travel, lay out your kit, and sleep well the last three nights.",
        ),
        (
            _final("Race day", g.name),
            f"Start slower than you feel like, settle into your pace in the first kilometres and save your push for the last quarter.{pace} Afterwards, write down your time and what you'd change.",
        ),
    ]


def _stages_fitness(g: Goal) -> list[Stage]:
    if g.flavour == "weight":
        unit, loss = g.unit, g.loss
        part = (lambda f: f"{_number(loss * f)} {unit}") if loss else None
        return [
            (
                "Measure your starting point",
                "Weigh yourself 3 mornings this week (same time, before breakfast) and take the average. Measure your waist and take a photo: you'll compare at every milestone.",
            ),
            (
                "Track everything you eat for 2 weeks",
                "Log every meal and drink in an app without changing anything yet. Find your average daily calories, then set a target about 500 kcal below it (roughly 0.5 kg a week).",
            ),
            (
                f"Lose the first {part(0.25)}" if part else "Lose the first quarter of the weight",
                "Eat protein and vegetables at every meal, cut sugary drinks and snacks, and keep to your calorie target 6 days out of 7. Weigh weekly, not daily.",
            ),
            (
                "Make 3 workouts a week automatic",
                "Schedule three 40-minute sessions (two full-body strength, one cardio) and walk 8,000 steps a day. Strength training keeps muscle while you lose fat.",
            ),
            (
                f"Reach the halfway mark: {part(0.5)} down" if part else "Reach the halfway mark",
                "Re-measure weight and waist. If the trend has stalled for 2 weeks, recount calories for 3 days and trim another 150-200 kcal.",
            ),
            (
                f"Reach {part(0.75)} down" if part else "Reach three quarters of the way",
                "Keep the routine; plan for weekends and events (eat before, choose protein first). Add a fourth short workout if energy allows.",
            ),
            (
                _final("Goal weight", g.name),
                "Hit your target, then raise calories by about 200 kcal and hold your new weight for 4 weeks with the same workouts: that's how it stays off.",
            ),
        ]
    return [
        (
            "Measure your starting point",
            f'Record today\'s numbers for what "{g.core}" needs: max push-ups, bodyweight squats in a row, a plank hold, a timed 2 km walk or run, body weight. Write them down.',
        ),
        (
            "Lock in 3 workouts a week",
            "Put three 45-minute sessions in your calendar (e.g. Mon/Wed/Fri) and keep them for two weeks straight: 5 min warm-up, full-body strength (squat, push, pull, hinge), 10 min cardio.",
        ),
        (
            "Fix the basics: sleep, protein, steps",
            "Aim for 7-8 hours of sleep, protein at every meal (about 1.6 g per kg of body weight) and 8,000 steps a day. Track them for a week to see where you slip.",
        ),
        (
            "Beat your starting numbers",
            "Follow a simple progression: when you reach the top of the rep range in every set, add 2.5-5% weight or 2 reps. Retest your starting numbers at the end of this block.",
        ),
        (
            "Increase the load",
            f'Add a fourth session or more volume for the movements that matter most for "{g.core}". Keep a training log so every week beats the last in some way.',
        ),
        (
            "Deload and retest",
            "Take one lighter week (about half the sets) to recover, then retest everything and aim the final block at your weakest number.",
        ),
        (
            _final("Final test", g.name),
            "Do the test that proves the goal on a rested day, record the result, and choose the routine you'll keep to hold on to it.",
        ),
    ]


def _stages_money(g: Goal) -> list[Stage]:
    amount, cur = g.amount, g.currency
    monthly = f" To reach {_money(amount, cur)} on time you need about {_money(g.monthly, cur)} a month." if amount and g.facts.get("monthly") else ""
    part = (lambda f: _money(amount * f, cur)) if amount else None
    emergency = (
        " An emergency fund usually covers 3 to 6 months of essential costs: work out that number as your target."
        if not amount and re.search(r"emergency", g.text, re.IGNORECASE)
        else ""
    )
    if g.flavour == "debt":
        return [
            (
                "List every debt",
                f"Write down each debt with its balance, interest rate and minimum payment, and total them. Check your credit report for anything you missed.{monthly}",
            ),
            (
                "Build a small emergency buffer",
                "Set aside a small buffer (e.g. one month of essential costs) so a surprise bill doesn't go back on a card. Stop adding new debt: remove saved cards from shopping sites.",
            ),
            (
                "Choose your payoff order and automate it",
                "Pick avalanche (highest interest first) or snowball (smallest balance first). Automate every minimum payment and one extra payment to the target debt on payday.",
            ),
            (
                f"Pay off the first {part(0.25)}" if part else "Pay off your first debt completely",
                "Free up extra money: cancel 3 subscriptions, sell things you don't use, and send every windfall to the target debt. Call your lender to ask for a lower rate.",
            ),
            (
                f"Halfway: {part(0.5)} paid off" if part else "Reach the halfway point",
                "Roll each cleared debt's payment into the next one. Recheck the budget for the second half and raise the extra payment if you can.",
            ),
            (
                f"Reach {part(0.75)} paid off" if part else "Clear all but the last debt",
                "Consider moving remaining balances to a 0% transfer or cheaper loan if the fees are lower than the interest you'd save.",
            ),
            (
                _final("Debt-free", g.name),
                "Make the final payment, get written confirmation the account is closed, and redirect the monthly payment into savings so the habit keeps working for you.",
            ),
        ]
    return [
        (
            "Map your money: income, bills, spending",
            f"Go through last month's bank statements and group every expense (housing, food, transport, subscriptions, fun). Find the amount you can put aside each month.{monthly}{emergency}",
        ),
        (
            "Automate a monthly transfer",
            "Open a separate savings account (ideally high-interest) and set up a standing order on payday, so the money moves before you can spend it.",
        ),
        (
            f"Save the first {part(0.25)}" if part else "Save your first monthly target",
            "Keep the transfer running and track the balance weekly. Put every windfall (refunds, gifts, bonuses) straight in.",
        ),
        (
            "Cut 3 recurring costs",
            "Cancel or renegotiate three recurring costs (subscriptions, phone plan, insurance, energy) and add the monthly saving to your automatic transfer.",
        ),
        (
            f"Reach the halfway mark: {part(0.5)} saved" if part else "Reach the halfway point",
            "Compare your balance with the plan. If you're behind, raise the transfer or add an income boost (sell unused items, extra hours, a small side job).",
        ),
        (
            f"Reach {part(0.75)} saved" if part else "Reach three quarters of the way",
            "Hold steady: plan ahead for birthdays and holidays so they don't raid the savings, and keep the transfer untouched.",
        ),
        (
            _final("Target reached", g.name),
            "Confirm the balance, decide where the money will live or go, and keep the automatic transfer going toward your next goal.",
        ),
    ]


def _stages_writing(g: Goal) -> list[Stage]:
    work = g.work
    if g.flavour == "blog":
        return [
            (
                f"Define {work}: audience and topics",
                "Write one sentence on who it's for and what they'll get, then list 20 post ideas. Look at 3 blogs or newsletters you admire and note what makes them work.",
            ),
            (
                f"Set up {work}",
                "Pick a platform (Substack, Ghost, WordPress or Medium), claim the name, write the About page and a simple header. Keep it to one evening.",
            ),
            (
                "Publish the first 3 posts",
                "Write 600-1,000 words per post from your list. Draft in one sitting, edit the next day, publish. Share each one with 10 people who'd care.",
            ),
            (
                "Publish on a fixed weekly schedule",
                "Choose a day and publish every week without skipping. Keep a 2-post buffer of drafts so a busy week doesn't break the streak.",
            ),
            (
                "Reach 10 published posts",
                "Check which posts got the most reads or replies and write two more on those topics. Add a signup box or a link at the end of each post.",
            ),
            (
                "Grow your readers",
                "Share every post in 2 communities where your readers are, guest-post or swap mentions with one similar writer, and reply to every comment.",
            ),
            (
                _final("Goal reached", g.name),
                "Look back at your numbers (posts, readers, subscribers), pick your 3 best posts to pin, and set the next target for the coming months.",
            ),
        ]
    words = g.words
    return [
        (
            f"Outline {work}",
            f"Write a one-paragraph premise and a chapter-by-chapter outline, one line per chapter. Set a length target: about {_number(words)} words.",
        ),
        (
            "Write at the same time every day",
            "Book a 45-minute writing slot, 5 days a week, and aim for 500 words per session. Track your word count in a spreadsheet.",
        ),
        (
            f"Draft the first {_number(words * 0.25)} words",
            "Keep going forward: no editing while drafting. Leave notes like [FIX] for things to come back to.",
        ),
        (
            f"Reach the midpoint: {_number(words * 0.5)} words",
            "Reread your outline and adjust the second half to what the story or argument has become. Keep the daily slot.",
        ),
        (
            f"Finish the first draft of {work}",
            f"Write to the end: about {_number(words)} words. Then put it away for at least a week before revising.",
        ),
        (
            "Revise with feedback",
            "Read the whole draft, fix structure first (scenes or chapters that don't earn their place), then line edits. Give it to 2-3 beta readers and ask what confused or bored them.",
        ),
        (
            _final("Finish", g.name),
            "Make the final edits and proofread, then publish or submit: format it, write the blurb or query letter and send it out.",
        ),
    ]


def _stages_building(g: Goal) -> list[Stage]:
    product, people = g.product, g.people
    return [
        (
            f"Define {product} on one page",
            "Write who it's for, the one problem it solves, and the smallest version that solves it. List 3 existing alternatives and why people would choose yours.",
        ),
        (
            f"Talk to 5 potential {people}",
            "Interview 5 people who have the problem: how they deal with it today, what it costs them, what they'd pay. Adjust the one-pager with what you learn.",
        ),
        (
            "Plan the smallest version",
            "Cut the feature list to the 3 things that matter most, sketch the main screens or steps, and choose tools you already know. Set up the project, domain or shop account.",
        ),
        (
            f"{g.first} {product}",
            "Work in focused 90-minute sessions, 4 times a week. Aim for working end to end, not polished. Keep a list of everything you're leaving for later.",
        ),
        (
            f"Get it in front of 10 {people}",
            f"Give 10 real {people} access (free or at a launch price), watch at least 3 of them use it, and note where they get stuck. Ask each: would you be disappointed if this went away?",
        ),
        (
            "Fix the top issues and prepare the launch",
            "Fix the 5 most common problems testers hit. Write the landing page with a clear promise, set the price if there is one, and draft the launch announcement.",
        ),
        (
            _final("Launch", g.name),
            "Launch publicly: announce it to your network and 2-3 communities where your users are. Track signups or sales for the first 2 weeks and reply to every piece of feedback.",
        ),
    ]


def _stages_habit(g: Goal) -> list[Stage]:
    small, doing, unit, cue = g.small, g.doing, g.unit, g.cue
    if g.flavour == "quitting":
        return [
            (
                "Track every trigger for a week",
                "Each time you reach for it, note the time, place, mood and who you were with. Don't try to change anything yet: you're finding the pattern.",
            ),
            ("Set a quit date and tell 2 people", f"Pick a date within two weeks, tell two people who'll check in on you, and {cue}."),
            (
                "Plan a replacement for each trigger",
                "For your top 3 triggers, write what you'll do instead (a walk, a glass of water, chewing gum, calling a friend). Line up support: an app, a helpline or your doctor.",
            ),
            (
                f"Reach 14 days free: {g.core}",
                "Count the days on a calendar. Cravings peak in the first week and pass within minutes: wait 10 minutes and do your replacement.",
            ),
            (
                "Handle the hard moments",
                "List the events coming up that could trip you (parties, stressful deadlines, travel) and decide in advance what you'll say and do.",
            ),
            (
                "Reach 30 days free",
                "Look back at what helped most and keep it. If you slipped, note the trigger and restart the count the next day: a slip isn't a failure.",
            ),
            (
                _final("Make it stick", g.name),
                "Keep going until it no longer feels like a daily decision. Put the money or time you saved toward something you enjoy.",
            ),
        ]
    return [
        (f"Start small: {small}", f"Do the smallest version every day for a week: {small.lower()}. To make it easy, {cue}."),
        (
            "Pick a fixed time and trigger",
            f"Attach {doing} to something you already do daily (after breakfast, after brushing your teeth) and keep the same time for two weeks.",
        ),
        ("Track a 14-day streak", f"Mark each day on a calendar or habit app and count {unit}. If you miss a day, never miss two in a row."),
        (
            f"Build up to the full habit: {g.core}",
            "Increase gradually, by about 10-20% a week, until you do the full habit you're aiming for. Keep it at the same time and place.",
        ),
        (
            "Plan for bad days",
            "Write down the 3 situations most likely to break the habit (travel, late nights, stress) and a minimum version for each, so the streak survives them.",
        ),
        (
            "Review what changed",
            f"Look at your tracker: days done, {unit}, how you feel. Adjust time or amount if something isn't working, and tell someone about your progress.",
        ),
        (
            _final("Make it stick", g.name),
            "Keep going until the habit feels automatic (a month with at least 25 days done). Decide how you'll keep it and what to build on it next.",
        ),
    ]


def _stages_career(g: Goal) -> list[Stage]:
    role = g.role
    if g.flavour == "promotion":
        target = role or "the next level"
        return [
            (
                f"Get the expectations for {target}",
                "Ask your manager what exactly distinguishes your current level from the next one, and ask for examples. Write the criteria down and agree on them together.",
            ),
            (
                "Agree on a growth plan with your manager",
                "Set up a monthly 30-minute check-in about your progress, with 2-3 measurable goals tied to the criteria.",
            ),
            (
                "Take on one visible stretch project",
                "Volunteer for a project that shows the next level's skills (leading, owning a system, mentoring). Define what success looks like before you start.",
            ),
            (
                "Deliver and document your impact",
                "Finish the project and write a short impact log: what you did, the result in numbers, who benefited. Update it every week.",
            ),
            ("Collect feedback from peers", "Ask 3-5 colleagues what you should keep doing and what to improve, and act on the top theme."),
            (
                "Build your case",
                "Turn your impact log into a one-page promotion case mapped to the criteria, with links and numbers. Review it with a mentor.",
            ),
            (
                _final("Make the case", g.name),
                "Present your case to your manager before the review cycle, ask directly for the promotion, and agree on next steps and a date.",
            ),
        ]
    roles = f"{role} roles" if role else "roles you want"
    return [
        (
            f"Define the {roles} you're after",
            "Write down the job titles, industries, locations and salary range you're targeting, and read 20 postings to list the skills they ask for most.",
        ),
        (
            "Update your CV and LinkedIn",
            f"Rewrite your CV with achievements in numbers, tailored to {roles}. Update your LinkedIn headline and summary to match and ask 2 people to review both.",
        ),
        (
            "Close your biggest skill gap",
            "Pick the most requested skill you're missing and do a short course or a small project that shows it. Add it to your CV.",
        ),
        (
            "Apply to 20 roles and reach out to 10 people",
            "Send tailored applications (5 a week) and message 10 people working where you'd like to work to ask for a 15-minute chat. Track everything in a spreadsheet.",
        ),
        (
            "Prepare for interviews",
            "Write 8 stories of your achievements in STAR format, practise common questions out loud, and do 2 mock interviews with a friend.",
        ),
        (
            "Follow up and keep the pipeline full",
            "Follow up on every application after a week, keep applying to 5 new roles a week, and ask for feedback after each rejection.",
        ),
        (
            _final("Land it", g.name),
            "Compare offers against your criteria, negotiate salary (ask once, with a number), accept in writing and plan your first 30 days.",
        ),
    ]


def _stages_generic(g: Goal) -> list[Stage]:
    core = g.core
    return [
        (
            "Define what done looks like",
            f"Write down in one sentence what \"{core}\" means when it's finished, how you'll measure it, and why it matters to you.",
        ),
        (
            "List the steps and resources",
            "Brainstorm every step needed, group them into 5-7 chunks, and note what you'll need (time, money, people, tools). Remove anything that isn't essential.",
        ),
        (
            "Do the first chunk",
            "Schedule 3 focused sessions a week of 45 minutes and finish the first chunk of work. Start with the step that makes everything after it easier.",
        ),
        (f"Get halfway through: {core}", "Finish the middle chunks. Each week, review what got done and plan next week's sessions in your calendar."),
        ("Get feedback and adjust", "Show your progress to someone whose judgement you trust, ask what's missing, and adjust the remaining steps."),
        ("Finish the remaining work", "Work through the last chunks; cut or simplify anything that no longer matters for the result."),
        (
            _final("Done", g.name),
            "Complete the final step, check it against your definition of done, celebrate, and write down what you learned for the next goal.",
        ),
    ]


def _final(label: str, title: str) -> str:
    """'Launch: Build a budget app', but not 'Launch: Launch my store' (then 'Goal reached: ...')."""
    if title.split(" ", 1)[0].lower().strip(":") == label.split(" ", 1)[0].lower().strip(":"):
        return f"Goal reached: {title}"
    return f"{label}: {title}"


_STAGES: dict[str, Callable[[Goal], list[Stage]]] = {
    "language": _stages_language,
    "instrument": _stages_instrument,
    "skill": _stages_skill,
    "running": _stages_running,
    "fitness": _stages_fitness,
    "money": _stages_money,
    "writing": _stages_writing,
    "building": _stages_building,
    "habit": _stages_habit,
    "career": _stages_career,
    "generic": _stages_generic,
}


def milestone_count(span: int) -> int:
    return 3 if span < 21 else 4 if span < 60 else 5 if span < 120 else 6 if span < 240 else 7


def _spread(today: dt.date, span: int, count: int) -> list[dt.date]:
    """``count`` dates after today, evenly spaced, the last on ``today + span`` (repeats only if span < count)."""
    return [today + dt.timedelta(days=-(-span * (i + 1) // count)) for i in range(count)]


def plan(data: Mapping[str, Any]) -> dict[str, Any]:
    """``quests.plan``: 3 to 7 ordered milestones for a goal, due from after today to its target date."""
    today = _day(data.get("today")) or dt.date(2000, 1, 1)
    target = _day(data.get("targetDate"))
    passed = target is not None and target <= today
    if target is None or passed:
        target, given = today + dt.timedelta(days=HORIZON_DAYS), False
    else:
        given = True
    span = (target - today).days
    goal = _goal(data.get("title"), data.get("description"), data.get("category"), span=span, target=target)
    stages = _STAGES[goal.kind](goal)
    count = milestone_count(span)
    dates = _spread(today, span, count)
    milestones = [
        {
            "title": _clip(_upper_first(stages[index][0]), TITLE_MAX),
            "description": _clip(stages[index][1], DESCRIPTION_MAX),
            "dueDate": due.isoformat(),
        }
        for index, due in zip(_PICK[count], dates)
    ]
    weeks = span / 7
    length = f"{span} days" if span < 28 else f"about {round(weeks)} weeks" if span < 120 else f"about {round(span / 30.4)} months"
    when = f"by {target.isoformat()}" if given else f"over a {HORIZON_DAYS}-day horizon (until {target.isoformat()})"
    note = " The target date has already passed, so this plan uses a 90-day horizon instead." if passed else ""
    summary = (
        f'{count} milestones {when} toward "{goal.title}", one roughly every {max(1, span // count)} days over {length}. '
        f'Start with "{milestones[0]["title"]}" (due {milestones[0]["dueDate"]}) and finish with "{milestones[-1]["title"]}".{note}'
    )
    return {"milestones": milestones, "summary": _clip(summary, SUMMARY_MAX)}


# --------------------------------------------------------------------------------------------------
# quests.coach
# --------------------------------------------------------------------------------------------------

Todo = tuple[str, str]  # a task's title and description


def _phase(number: int, count: int) -> str:
    if number <= 1:
        return "start"
    if number >= count:
        return "finish"
    return "build"


def _tasks_language(g: Goal, m: str, phase: str) -> list[Todo]:
    lang = g.lang
    if phase == "start":
        return [
            (
                f"Install a {lang} course app and finish lesson 1",
                f"Choose one app or textbook for {lang} and complete the first lesson (about 15 minutes). Turn on a daily reminder.",
            ),
            (
                f"Learn your first 20 {lang} words with flashcards",
                "Create a flashcard deck (Anki or the app's own) with 20 high-frequency words and review it twice today. Say each word out loud.",
            ),
            (
                f"Listen to a 10-minute {lang} podcast for beginners",
                "Pick a learners' podcast and listen once without stopping, then again noting 5 words you recognise.",
            ),
            (
                f"Write 5 sentences about yourself in {lang}",
                "Name, where you live, what you do, what you like, why you're learning. Check them with a translator or tutor and fix the mistakes.",
            ),
        ]
    if phase == "finish":
        return [
            (
                f"Book a 30-minute {lang} conversation",
                "Schedule a session with a tutor or exchange partner for the final check. Prepare 3 topics you want to talk about.",
            ),
            ("Take a timed practice test", "Do a full practice test for your target level and note your score per skill."),
            (f"Review your 50 hardest {lang} flashcards", "Go through the cards you fail most often, write one sentence with each."),
            (
                f"Write a one-page text in {lang} without a dictionary",
                "Describe your last week or your plans. Then correct it with a dictionary and note recurring errors.",
            ),
        ]
    return [
        (f"Do 20 minutes of {lang} flashcards and lessons", f"Review due flashcards, then learn 15 new words tied to: {m}."),
        (
            f"Practise 10 minutes of speaking {lang} out loud",
            "Shadow a short audio clip (repeat right after the speaker), then describe your day aloud for 2 minutes. Record it once.",
        ),
        (
            f"Watch one {lang} video with {lang} subtitles",
            "Pick a 10-15 minute video on a topic you like; pause to note 10 new words and add them to your deck.",
        ),
        (f"Write 8 sentences in {lang} using this week's grammar", "Use the tense or structure you're working on, then check and correct them."),
    ]


def _tasks_instrument(g: Goal, m: str, phase: str) -> list[Todo]:
    inst, piece = g.inst, g.piece
    if phase == "start":
        return [
            (f"Set up {inst} and a practice corner", f"Tune up, put {inst} where you can grab it in seconds, install a tuner and metronome app."),
            (
                "Do a 20-minute first practice session",
                "Warm up 5 minutes, then work on posture and producing a clean sound slowly. Stop while it's still fun.",
            ),
            (f"Choose a method and your first {piece}", f"Pick one beginner course or book and one easy {piece} you love as your first target."),
            ("Record 1 minute of playing as your baseline", "Record yourself now so you can hear your progress at the next milestone."),
        ]
    if phase == "finish":
        return [
            (f"Run through all your {piece}s twice without stopping", "Play them as if performing; mark any spot where you stumbled."),
            ("Drill the 3 hardest passages at 80% tempo", "Loop each passage 5 times cleanly with the metronome, then bring it up to full speed."),
            ("Schedule your performance", "Invite two friends, book an open mic slot, or set a time to record your video."),
            ("Record a full performance take", "Record the complete set in one go and listen back once. Keep the best take."),
        ]
    return [
        (
            "Practise 25 minutes with a metronome",
            "5 min warm-up, 10 min technique (scales, chords or exercises), 10 min on your current piece. Log the tempo you reach.",
        ),
        (
            f"Learn the next 8 bars of your {piece}",
            f"Loop them slowly until clean 3 times in a row, then join them to what you already know. Focus: {m}.",
        ),
        ("Raise your tempo by 5 bpm", "Once a passage is clean at the current tempo, go up 5 bpm; go back down if it gets sloppy."),
        ("Record and review one run-through", "Listen back and write down the 2 things to fix in your next session."),
    ]


def _tasks_skill(g: Goal, m: str, phase: str) -> list[Todo]:
    subject = g.subject
    if g.flavour == "exam":
        if phase == "finish":
            return [
                ("Take a full timed practice exam", "Sit it under real conditions, then review every wrong answer."),
                ("Rewrite your one-page summary notes", "Condense each topic into key facts and formulas on one page to review the day before."),
                ("Redo the questions you got wrong", "Go through your mistakes list until you can answer each one without notes."),
                ("Prepare exam-day logistics", "Check the time and place (or online setup), ID requirements and what you can bring."),
            ]
        return [
            ("Download the official exam guide and list the topics", "Rate yourself 1-5 on each topic and circle the heaviest-weighted ones."),
            ("Study one topic for 45 minutes", f"Focus on: {m}. Write a one-page summary from memory afterwards."),
            ("Do 20 practice questions on that topic", "Mark each wrong answer and note why it was wrong."),
            ("Make 20 flashcards for facts to memorise", "Review them at the start of every study session."),
        ]
    if phase == "start":
        return [
            (f"Choose one main resource for {subject}", "Pick one course, book or tutorial series and skim its table of contents. Commit to it."),
            (f"List the 8 core topics of {subject}", "Write them in the order you'll learn them, with a target week for each."),
            ("Do a 30-minute first session", "Work through the first lesson and write 3 bullet points from memory afterwards."),
            ("Block 4 learning sessions a week in your calendar", "30 minutes each, same time of day if you can."),
        ]
    if phase == "finish":
        return [
            ("Finish your final piece of work", f"Complete what proves the skill in {subject}: the project, portfolio piece or demo."),
            ("Share it and ask for feedback", "Show it to a mentor or community and ask for the 3 biggest improvements."),
            ("Write down what you learned and what's next", "One page: what works now, what's still weak, the next topic to learn."),
        ]
    return [
        ("Do a 30-minute focused study session", f"Work through the next lesson about: {m}. Phone in another room."),
        ("Apply it in one small exercise", "Make something small that uses what you just learned and save it in your progress folder."),
        ("Write 3 bullet points from memory", "After the session, summarise what you learned without looking. Check the gaps."),
        ("Ask one question in a community or to a mentor", "Post the thing you're most stuck on with what you tried."),
    ]


def _tasks_running(g: Goal, m: str, phase: str) -> list[Todo]:
    km = re.search(r"\b(\d+(?:\.\d+)?)\s?km\b", m)
    target = float(km.group(1)) if km else None
    long_run = f"{_number(max(1, round(target * 0.8)))} km" if target and target > 3 else "your current long-run distance"
    pace = f" at {g.pace}" if g.pace else ""
    if phase == "finish":
        return [
            ("Run 20 minutes easy with 3 short race-pace pick-ups", f"Keep it light: 3 x 1 minute{pace}, to stay sharp without tiring your legs."),
            (
                "Lay out your race kit and check logistics",
                "Shoes, clothes, bib, watch, gels and drinks; confirm start time, route and how you'll get there.",
            ),
            ("Write your race plan", f"Your start pace, when you'll eat and drink, and your plan for the last quarter of the {g.race}."),
            ("Get 8 hours of sleep and eat carbs the day before", "Rice, pasta or bread with every meal the day before; avoid anything new."),
        ]
    if phase == "start":
        return [
            ("Go for a 20-minute easy run", "Run at a pace where you can talk; walk breaks are fine. Log distance and time."),
            ("Get fitted for running shoes", "Visit a running shop for a gait check, or choose a neutral trainer with good cushioning."),
            ("Schedule 3 runs a week in your calendar", "For example Tue/Thu/Sun, with a rest day after each run."),
            ("Run 25 minutes easy", "Same easy pace as last time; aim to walk less."),
        ]
    return [
        ("Run 30 minutes easy", f"Conversational pace; this week's focus: {m}."),
        (
            "Do a speed session: 6 x 400 m",
            f"Warm up 10 minutes, run 6 x 400 m faster{pace}, with 2 minutes of jogging between, cool down 10 minutes.",
        ),
        (f"Run your long run: {long_run}", "Slow and steady; take water and practise fuelling if it lasts over an hour."),
        (
            "Do 15 minutes of strength and mobility",
            "Squats, lunges, calf raises, glute bridges and a plank: 2 rounds. It protects your knees and hips.",
        ),
    ]


def _tasks_fitness(g: Goal, m: str, phase: str) -> list[Todo]:
    if g.flavour == "weight":
        if phase == "start":
            return [
                ("Weigh in and measure your waist", "Before breakfast, after the bathroom. Write both numbers down with today's date."),
                ("Log everything you eat today", "Use a food-tracking app for every meal, snack and drink, without changing anything yet."),
                ("Take a 30-minute walk", "A brisk walk counts; aim for 8,000 steps in total today."),
                ("Plan 3 protein-rich meals for tomorrow", "Eggs, fish, chicken, beans or yogurt, plus vegetables at every meal."),
            ]
        if phase == "finish":
            return [
                ("Do your final weigh-in and measurements", "Same conditions as at the start; compare weight, waist and photos."),
                ("Set your maintenance calories", "Add about 200 kcal to your current daily target and keep it for 4 weeks."),
                ("Schedule your workouts for the next month", "Keep the 3 sessions a week that got you here."),
            ]
        return [
            ("Log every meal today and stay within your calorie target", "Protein first at each meal; plan tomorrow's meals tonight."),
            ("Do a 40-minute full-body strength workout", "Squats, push-ups, rows, lunges and a plank: 3 rounds of 10-12 reps."),
            ("Walk 8,000 steps", f"Split it into short walks if needed. This week's focus: {m}."),
            ("Weigh in and note the weekly average", "Look at the weekly trend, not the daily number."),
        ]
    if phase == "start":
        return [
            (
                "Test and record your starting numbers",
                "Max push-ups, bodyweight squats in a row, plank time and a timed 2 km walk or run. Write them down.",
            ),
            (
                "Do a 45-minute full-body workout",
                "5 min warm-up, then 3 rounds of squats, push-ups, rows and hip hinges (10-12 reps), 10 min cardio.",
            ),
            ("Schedule 3 workouts a week in your calendar", "For example Mon/Wed/Fri at a fixed time."),
            ("Prepare your gym bag or home space", "Shoes, water bottle, towel, and a printed or saved workout plan."),
        ]
    if phase == "finish":
        return [
            ("Rest and prepare for your final test", "Light movement only; sleep 8 hours the night before."),
            ("Do the final test and record your numbers", f'Test exactly what "{g.core}" asks for and compare with your starting numbers.'),
            ("Choose the routine you'll keep", "Write the weekly plan that keeps your result and put it in your calendar."),
        ]
    return [
        ("Do a 45-minute strength workout", f"Add 2.5-5% weight or 2 reps to last week's sets. Focus: {m}."),
        ("Do 20 minutes of cardio", "Intervals: 1 minute hard, 2 minutes easy, 6 rounds."),
        ("Hit your protein and sleep targets today", "About 1.6 g of protein per kg of body weight and 7-8 hours of sleep."),
        ("Log your workouts and compare with last week", "Every week should beat the last in weight, reps or time."),
    ]


def _tasks_money(g: Goal, m: str, phase: str) -> list[Todo]:
    cur = g.currency
    amount = _amount(m)
    step = f" toward {_money(amount[0], amount[1])}" if amount else ""
    monthly = _money(g.monthly, cur) if g.facts.get("monthly") else None
    if g.flavour == "debt":
        if phase == "start":
            return [
                ("List every debt with balance, rate and minimum payment", "Use your statements and online accounts; total them in one spreadsheet."),
                ("Set up automatic minimum payments", "For every debt, so you never pay late fees again."),
                (
                    "Choose avalanche or snowball",
                    "Avalanche = highest interest first (cheapest); snowball = smallest balance first (fastest wins). Write down your order.",
                ),
                ("Remove saved cards from shopping sites and apps", "Make new debt harder to take on."),
            ]
        return [
            (f"Make an extra payment to your target debt{step}", f"Send whatever you freed up this month on top of the minimum. Focus: {m}."),
            ("Call one lender and ask for a lower rate", "Mention your payment history and competing offers; note the answer."),
            ("Cancel or pause 2 subscriptions", "Redirect the monthly saving to the extra payment."),
            ("Update your debt spreadsheet", "New balances, total paid so far, and months left at this pace."),
        ]
    if phase == "start":
        return [
            ("Go through last month's spending", "Download your bank statement and group every expense into 5-6 categories; total each."),
            ("Open a separate savings account", "Ideally high-interest and at a bank you don't see every day."),
            (f"Set up an automatic transfer{' of ' + monthly if monthly else ''} on payday", "So the money leaves before you can spend it."),
            ("Cancel one subscription you don't use", "Move the monthly saving straight into your savings account."),
        ]
    return [
        (f"Check your savings balance{step}", f"Compare it with your plan for this milestone: {m}."),
        ("Cut or renegotiate one recurring bill", "Phone, internet, insurance or energy: compare 2 offers and switch or ask for a better deal."),
        ("Sell 3 things you no longer use", "List them online today and put the money into savings."),
        ("Plan next month's budget", "Set the amounts per category and put upcoming birthdays or trips in it."),
    ]


def _tasks_writing(g: Goal, m: str, phase: str) -> list[Todo]:
    if g.flavour == "blog":
        if phase == "start":
            return [
                ("Write one sentence on who the blog is for", "And what they'll get from every post."),
                ("List 20 post ideas", "Questions your readers ask, mistakes you've made, how-tos you know well."),
                ("Set up the platform and About page", "Substack, Ghost, WordPress or Medium: claim the name and write a short About."),
                ("Draft your first post (600 words)", "Pick the idea you're most excited about and write it in one sitting."),
            ]
        return [
            ("Draft one post of 600-1,000 words", f"From your ideas list; focus: {m}."),
            ("Edit and publish it", "Cut 10% of the words, add a clear title and a call to action at the end."),
            ("Share the post in 2 places your readers are", "A community, a group, or a personal message to 5 people."),
            ("Add 5 new ideas to your list", "From reader questions and comments."),
        ]
    if phase == "start":
        return [
            ("Write a one-paragraph premise", f"What {g.work} is about, for whom, and why it matters."),
            ("Outline the chapters, one line each", "Beginning, middle and end first; then fill in the chapters between."),
            ("Book a daily 45-minute writing slot", "Same time every day, phone in another room."),
            ("Write your first 500 words", "Anything from the outline: the scene you see most clearly is a great start."),
        ]
    if phase == "finish":
        return [
            ("Do a final proofread", "Read it aloud or with text-to-speech to catch errors."),
            ("Write the blurb or query letter", "Hook, stakes and what makes it different, in under 200 words."),
            ("Format and publish or submit", "Prepare the file for the platform, or send it to your first 5 agents or publishers."),
        ]
    return [
        ("Write 500 words in your writing slot", f"Keep moving forward: focus on {m}."),
        ("Update your word count tracker", f"Compare with your target of {_number(g.words)} words."),
        ("Reread yesterday's pages for 10 minutes", "Only to pick up the thread; leave [FIX] notes instead of editing."),
        ("Outline the next 2 chapters in 3 lines each", "So every session starts with a clear next step."),
    ]


def _tasks_building(g: Goal, m: str, phase: str) -> list[Todo]:
    product = g.product
    if phase == "start":
        return [
            (f"Write the one-page brief for {product}", "Who it's for, the problem, the smallest version that solves it."),
            ("List 3 alternatives and their weaknesses", "What people use today and why they'd switch."),
            (f"Message 5 potential {g.people} to ask for a 15-minute chat", "Ask how they handle the problem now and what it costs them."),
            ("Sketch the 3 main screens or steps", "On paper is fine; it should fit on one page."),
        ]
    if phase == "finish":
        return [
            ("Write the launch announcement", "What it does, who it's for, and one clear call to action."),
            ("List 5 places to launch", "Your network, newsletters, communities and directories where your users are."),
            ("Check the signup or checkout flow end to end", "Do it yourself on a phone and a laptop and fix anything broken."),
            ("Launch and reply to every comment", "Track signups or sales daily for the first 2 weeks."),
        ]
    return [
        ("Work a 90-minute focused build session", f"One feature end to end; focus: {m}."),
        ("Show the current version to 2 people", "Watch them use it without helping; note where they get stuck."),
        ("Fix the top issue from feedback", "The one that blocked people most."),
        ("Update your to-do list and cut one feature", "Keep the scope small enough to ship."),
    ]


def _tasks_habit(g: Goal, m: str, phase: str) -> list[Todo]:
    small, cue, unit = g.small, g.cue, g.unit
    if g.flavour == "quitting":
        return [
            ("Write down every trigger today", "Time, place, mood and who you were with, each time the urge comes. It shows you what to plan for."),
            (
                "Prepare a replacement for your top trigger",
                f"Decide what you'll do instead (a 5-minute walk, water, gum, a call) and {cue}. Focus: {m}.",
            ),
            ("Mark today in your tracker", f"Count {unit}; a slip only means restarting the count tomorrow."),
            ("Text your support person an update", "One line on how today went. Ask them to check in again in 3 days."),
        ]
    if phase == "start":
        return [
            (small, f"Do the smallest version today. To make it easy, {cue}."),
            ("Pick the trigger for the habit", "Choose what it follows every day (after breakfast, after brushing your teeth) and write it down."),
            ("Set up a habit tracker", f"A calendar on the fridge or an app; track {unit}."),
            ("Tell one person about your new habit", "Saying it out loud makes it more likely to stick."),
        ]
    return [
        (small if phase != "finish" else f"Do the full version: {g.habit}", f"Right after your trigger. Focus: {m}."),
        ("Mark today in your tracker", f"Note {unit} and how it felt."),
        ("Plan a minimum version for a busy day", "Write down the 2-minute version you'll do when time is short."),
        ("Review the week's streak", "If you missed a day, make sure you don't miss two in a row."),
    ]


def _tasks_career(g: Goal, m: str, phase: str) -> list[Todo]:
    if g.flavour == "promotion":
        return [
            ("Write down the criteria for the next level", "From your company's career ladder or your manager's words."),
            ("Update your impact log", f"What you did this week, the result in numbers, who benefited. Focus: {m}."),
            ("Ask one colleague for feedback", "One thing to keep doing and one to improve."),
            ("Prepare 3 points for your next 1:1", "Progress against the criteria and what you need from your manager."),
        ]
    roles = f"{g.role} roles" if g.role else "your target roles"
    if phase == "start":
        return [
            (f"Read 10 job postings for {roles}", "Copy the skills and keywords that come up most into a list."),
            ("Rewrite your CV's top third", "A headline and 3 achievements with numbers, matched to those keywords."),
            ("Update your LinkedIn headline and About section", f"Say clearly that you're looking for {roles}."),
            ("Start an application tracker", "A spreadsheet with company, role, date applied, contact, status."),
        ]
    return [
        (f"Send 2 tailored applications for {roles}", f"Adjust the CV's summary and top bullet points to each posting. Focus: {m}."),
        ("Message 2 people at companies you like", "Ask for a 15-minute chat about their work; keep it short and specific."),
        ("Practise 3 interview answers out loud", "Use the STAR format: situation, task, action, result."),
        ("Follow up on applications older than a week", "A short, polite note restating your interest."),
    ]


def _tasks_generic(g: Goal, m: str, phase: str) -> list[Todo]:
    if phase == "start":
        return [
            ("Write down what done looks like", f'One sentence describing "{g.core}" finished, and how you\'ll measure it.'),
            ("List the steps for this milestone", f'Break "{m}" into 5-10 small steps of under an hour each.'),
            ("Do the first step for 30 minutes", "Start with the one that makes the others easier."),
            ("Block 3 sessions a week in your calendar", "45 minutes each, at a time you'll protect."),
        ]
    if phase == "finish":
        return [
            (f'List what\'s left for "{m}"', "Write every remaining step; cross out anything that isn't needed for the result."),
            ("Work 45 minutes on the biggest remaining step", "Phone in another room, one step only."),
            ("Check the result against your definition of done", f'Compare what you have with what "{g.core}" was meant to be.'),
            ("Share the result with someone", "Show it to one person who supported you."),
        ]
    return [
        (
            f'Break "{m}" into 3-5 concrete steps',
            "Write each step as an action of under an hour, with what you need for it (time, money, tools, people).",
        ),
        ("Do the first step for 45 minutes", f"Focus on: {m}. Phone in another room."),
        ("Remove one obstacle", "The thing that slowed you down most: ask for help, buy the tool, or drop the step."),
        ("Review what got done this week", "Tick off steps and adjust the plan for the next few days."),
        ("Remove one obstacle", "The thing that slowed you down most: ask for help, buy the tool, or drop the step."),
        ("Share your progress with someone", "A quick update keeps you accountable."),
    ]


_TASKS: dict[str, Callable[[Goal, str, str], list[Todo]]] = {
    "language": _tasks_language,
    "instrument": _tasks_instrument,
    "skill": _tasks_skill,
    "running": _tasks_running,
    "fitness": _tasks_fitness,
    "money": _tasks_money,
    "writing": _tasks_writing,
    "building": _tasks_building,
    "habit": _tasks_habit,
    "career": _tasks_career,
    "generic": _tasks_generic,
}


def _milestone_phrase(title: str) -> str:
    text = " ".join(title.split()).strip(" .")
    return text or "this milestone"


_VAGUE = {
    "day",
    "week",
    "month",
    "minut",
    "hour",
    "time",
    "first",
    "next",
    "new",
    "one",
    "two",
    "thre",
    "reach",
    "get",
    "make",
    "start",
    "your",
    "every",
    "each",
    "full",
    "last",
}


def _topic_words(text: str) -> set[str]:
    return {w for w in _words(text) if w.isalpha() and len(w) >= 2 and w not in _VAGUE}


def _pick_tasks(goal: Goal, phrase: str, milestone: str, phase: str, size: int) -> list[Todo]:
    """The phase's tasks of the goal's kind, after any other task of the kind about what the milestone
    names and the phase's tasks do not ('Update your CV and LinkedIn' brings up the CV and LinkedIn
    tasks). In a middle milestone the tasks whose titles share its words come first."""
    maker = _TASKS[goal.kind]
    own = maker(goal, phrase, phase)
    others = [task for other in ("start", "build", "finish") if other != phase for task in maker(goal, phrase, other)]

    def topic(text: str) -> set[str]:
        return _topic_words(text.replace(phrase, ""))

    # Words most of the kind's tasks use ("song", "run") say nothing about a particular milestone.
    every = dict(own + others)
    frequency: dict[str, int] = {}
    for title, description in every.items():
        for word in topic(f"{title} {description}"):
            frequency[word] = frequency.get(word, 0) + 1
    words = {w for w in _topic_words(milestone) - _topic_words(goal.title) if frequency.get(w, 0) <= 2}
    covered = set().union(*(topic(title) for title, _ in own)) & words
    wanted = words - covered
    pulled = []
    for order, (title, description) in enumerate(others):
        score = 2 * len(wanted & topic(title)) + len(wanted & topic(description))
        if score >= 2:
            pulled.append((-score, order, (title, description)))
    if phase == "build":
        own = [task for *_, task in sorted((-len(words & topic(task[0])), order, task) for order, task in enumerate(own))]
    chosen: list[Todo] = []
    for task in [task for *_, task in sorted(pulled)] + own:
        if task[0] not in {t[0] for t in chosen}:
            chosen.append(task)
    return chosen[:size]


def coach(data: Mapping[str, Any]) -> dict[str, Any]:
    """``quests.coach``: 3 to 5 concrete tasks for one milestone, the first due today, the rest spread
    up to the milestone's due date (all today when that date is past)."""
    today = _day(data.get("today")) or dt.date(2000, 1, 1)
    due = _day(data.get("milestoneDueDate")) or today
    last = max(due, today)
    days = (last - today).days
    number = max(1, int(data.get("milestoneNumber") or 1))
    count = max(number, int(data.get("milestoneCount") or number))
    milestone_title = _clean_goal(data.get("milestoneTitle") or "this milestone")
    goal = _goal(
        data.get("goalTitle"),
        data.get("goalDescription"),
        extra=((milestone_title, 2), (str(data.get("milestoneDescription") or ""), 1)),
    )
    phase = _phase(number, count)
    size = 3 if days <= 2 else 4 if days <= 7 else 5
    chosen = _pick_tasks(goal, _milestone_phrase(milestone_title), f"{milestone_title} {data.get('milestoneDescription') or ''}", phase, size - 1)
    if phase == "finish":
        what = (
            f'"{goal.title}" is reached'
            if goal.title.lower() in milestone_title.lower()
            else f'"{milestone_title}" is done and "{goal.title}" is reached'
        )
        review = (
            _clip(f"Check the goal is met: {goal.title}", TITLE_MAX),
            f"On {last.isoformat()}, confirm {what}. Write down what worked and celebrate.",
        )
    else:
        review = (
            _clip(f'Review progress on "{milestone_title}"', TITLE_MAX),
            f"On {last.isoformat()}, check milestone {number} of {count} against its description: what's done, what's left. Note one thing to change before milestone {number + 1}.",
        )
    chosen.append(review)
    dates = [today + dt.timedelta(days=(days * i) // (len(chosen) - 1)) for i in range(len(chosen))]
    tasks = [
        {"title": _clip(_upper_first(title), TITLE_MAX), "description": _clip(description, DESCRIPTION_MAX), "dueDate": when.isoformat()}
        for (title, description), when in zip(chosen, dates)
    ]
    if due < today:
        timing = f"It was due {due.isoformat()}, so everything is set for today: a short push closes it."
    elif days == 0:
        timing = "It's due today, so everything is set for today."
    else:
        timing = f"You have {days} day{'s' if days != 1 else ''} until {due.isoformat()}."
    message = (
        f'Milestone {number} of {count}: "{milestone_title}". {timing} Start today with "{tasks[0]["title"]}", then work through the rest one by one.'
    )
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
        },
        "quests.chat": {
            "message": "what's on today?",
            "goals": [{"goalId": "g1", "title": "Learn Spanish", "status": "active"}],
            "todayTasks": [
                {"taskId": "t1", "title": "Learn your first 20 Spanish words with flashcards", "status": "todo", "goalTitle": "Learn Spanish"}
            ],
            "today": "2026-03-01",
        },
    }


if __name__ == "__main__":  # pragma: no cover - a quick look: python -m zik.quests.offline
    from zik.quests.chat_rules import chat

    for name, sample in sample_data().items():
        fn = {"quests.plan": plan, "quests.coach": coach, "quests.chat": chat}[name]
        print(name, json.dumps(fn(sample), indent=2, ensure_ascii=False))
