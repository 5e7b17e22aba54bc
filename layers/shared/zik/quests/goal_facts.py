"""What the offline planner and coach read in a goal's own words: its language, its kind, and its facts
(the object it names, its numbers, where the person stands now). Logic only: the words the plans are
written with are data, in ``zik/quests/kinds/`` (``zik.quests.playbook`` reads them).

Pure functions, standard library only, deterministic.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from zik.quests import playbook
from zik.quests.wording import LazyPattern as _Pattern
from zik.quests.wording import upper_first

__all__ = ["Goal", "detect_kind", "goal_language", "read_goal"]

HORIZON_DAYS = 90

# -- language ---------------------------------------------------------------------------------------
# Frequent words of each language that are rare in the other; a short title has one or two of them.
_STOP = {
    "en": frozenset(
        "the a an and of to for my in on with by every each more less i me at our your from this per learn run lose get write save reach goal".split()
    ),
    "fr": frozenset(
        "le la les l un une des du de d et en pour mon ma mes ton ta tes je j avec chaque plus moins avant au aux sur dans "
        "notre nos votre vos par ce cette qu que être faire apprendre courir perdre écrire arrêter réussir devenir objectif atteint étape".split()
    ),
}
_ACCENTED = re.compile(r"[éèêàùçôîâœ]", re.IGNORECASE)


def goal_language(*texts: str) -> str:
    """ "fr" when a small vote of common words (and French accents) says French, else "en"."""
    text = " ".join(texts).lower()
    tokens = re.findall(r"[a-zàâçéèêëîïôûùüÿœ]+", text.replace("’", "'"))
    votes = {code: sum(token in stop for token in tokens) for code, stop in _STOP.items()}
    votes["fr"] += 1 if _ACCENTED.search(text) else 0
    return "fr" if votes["fr"] > votes["en"] else "en"


# -- the goal's words ---------------------------------------------------------------------------------
VERBS = frozenset(
    """learn study master build launch start create make ship open develop write finish publish run complete save pay get become
    read meditate sleep lose gain find land improve practice practise play train do be quit stop grow reach earn pass walk swim cycle
    ride cook draw paint journal drink eat wake go take bake knit sew dance code fix renovate plant organize organise declutter
    volunteer try attend prepare apply switch change use visit travel move speak keep stay spend invest clear release record compose
    sing climb hike lift bench squat deadlift outline draft self-publish throw host plan cut reduce limit call join throw redo repaint
    apprendre étudier courir perdre écrire économiser épargner rembourser arrêter lire ranger méditer faire jouer construire lancer
    créer ouvrir trouver devenir réussir passer préparer organiser planter cultiver rénover voyager partir visiter déménager manger
    boire dormir moins utiliser réduire""".split()
)
_LEAD = _Pattern(
    r"^(?:(?:i\s+)?(?:really\s+|finally\s+|also\s+)*(?:want|would like|'d like|need|plan|hope|aim|intend)\s+to\s+"
    r"|my\s+(?:new\s+)?goal\s+is\s+(?:to\s+)?|to\s+|finally\s+|(?:be\s+)?able\s+to\s+"
    r"|(?:je\s+)?(?:veux|voudrais|aimerais|dois)\s+|enfin\s+)+",
    re.IGNORECASE,
)
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_TIME_TAIL = _Pattern(
    r"\s+(?:(?:by|before|until|till|within)\s+.+"
    r"|in\s+(?:under|less than|below)\s+.+"
    r"|in\s+(?:\d+|a|an|one|two|three|four|five|six|nine|twelve)\s+(?:days?|weeks?|months?|years?)\b.*"
    r"|(?:this|next)\s+(?:year|month|week|summer|spring|fall|autumn|winter|quarter)\b.*"
    rf"|in\s+(?:{_MONTHS}|20\d\d)\b.*"
    r"|(?:avant|d'ici|d’ici|pour)\s+(?:l'|l’|la\s+|le\s+|les\s+|fin\s+|\d).*|en\s+\d+\s+(?:jours|semaines|mois|ans)\b.*|cette\s+année\b.*)$",
    re.IGNORECASE,
)
# A whole word ("Adopt" starts with "a" but is no article): a space after it, or an elided "l'" / "d'".
_DETERMINER = _Pattern(r"^(?:(?:a|an|my|the|our|some|un|une|le|la|les|mon|ma|mes|notre|nos|des|du|de)\s+|(?:l|d)['’]\s*)", re.IGNORECASE)
_DETERMINERS = frozenset("a an the my our some his her their un une le la les mon ma mes notre nos des du".split())
_JOINS = frozenset("and or then & et ou puis".split())
_PARTICLES = frozenset("up off out down back through".split())
_NOT_A_NOUN = _Pattern(r"^(?:and|or|but|to|of|for|with|in|on|at|by|from|et|ou|à|pour|avec|en|sur)\b", re.IGNORECASE)


def clean_goal(title: Any) -> str:
    text = " ".join(str(title or "").split()).strip(" .!;,")
    return text or "your goal"


def lower_first(text: str) -> str:
    """Lower-case the first letter unless the first word is an acronym or a name-like word we keep."""
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first.isupper():
        return text
    if first.lower() in VERBS or first.lower() in {"a", "an", "the", "my", "our", "your", "more", "less", "every", "one"}:
        return text[:1].lower() + text[1:]
    return text


def core_of(title: str) -> str:
    """The goal's action without filler or deadline: 'I want to run a marathon by June' -> 'run a marathon'."""
    text = _LEAD.sub("", title.strip())
    text = _TIME_TAIL.sub("", text).strip(" .,;:-")
    return lower_first(text or title)


def strip_verbs(phrase: str, extra: Iterable[str] = ()) -> str:
    """The object of a goal's verbs, a chain of them included: 'write and publish a fantasy novel' ->
    'a fantasy novel' (never 'and publish a fantasy novel')."""
    verbs = VERBS | set(extra)
    words = phrase.split()
    index = 0
    while index < len(words):
        word = words[index].lower().strip(",")
        if word in verbs or (index > 0 and word in {"and", "or", "then", "&", "et", "ou", "puis", "up", "off", "out", "down"}):
            index += 1
            continue
        break
    return " ".join(words[index:]).strip(" ,")


_SECOND_ORDER = _Pattern(r",?\s+(?:and|then|et|puis)\s+([a-zàâçéèêëîïôûùüÿœ-]+)\b(\s+(?:it|them|her|him|le|la|les|l['’]))?", re.IGNORECASE)


def noun_phrase(phrase: str, language: str) -> str | None:
    """'a fantasy novel' -> 'your fantasy novel' ('votre roman'), or None when what is left is no noun
    phrase (empty, or starting with a conjunction or a preposition): the stage then takes its alternate."""
    phrase = _TIME_TAIL.sub("", phrase).strip(" .,;:-")
    # A second order after the object ("an old Vespa and ride it to work", "a shed and paint it") is no part of it.
    second = _SECOND_ORDER.search(phrase)
    if second and (second.group(2) or second.group(1).lower() in VERBS):
        phrase = phrase[: second.start()].strip(" ,")
    plural = bool(re.match(r"^(?:les|mes|des|nos)\b", phrase, re.IGNORECASE))
    bare = _DETERMINER.sub("", phrase, count=1).strip()
    if not bare or _NOT_A_NOUN.match(bare) or bare.split()[0].lower() in VERBS or re.match(r"^(?:your|votre|vos)\b", bare, re.IGNORECASE):
        return None
    if bare[:1].isupper() and not _DETERMINER.match(phrase) and language == "en":
        return None  # a name ("Kilimanjaro", "Everest Base Camp") takes no "your": the stage words it without one
    named = re.match(r"^(?:the|le|la|les|l['’])\s*(?=[A-Z])", phrase)
    if named and (len(bare.split()) > 1 or language != "en"):
        return phrase  # "the English Channel", "la Manche": a name keeps its own article, never "your English Channel"
    if language == "fr":
        return ("vos " if plural else "votre ") + bare
    return "your " + re.sub(r"\b(?:my|our)\b", "your", bare)


def _object(goal: Goal) -> str | None:
    """The goal's object as a noun phrase, only when its verbs could be taken off (a title that starts with a
    verb we do not know, "Sort out my life admin", has no object we can name safely)."""
    tokens = goal.core.split()
    for index, token in enumerate(tokens):
        bare = token.lower().strip(",")
        if bare in _DETERMINERS or re.match(r"^(?:l|d)['’]\w", bare):
            # A title is an order: the words before its first article are its verbs ("Adopt a rescue dog", "Write,
            # illustrate and self-publish a children's picture book"), whatever the verbs, when they read as a chain.
            if index and _verb_chain(tokens[:index]):
                return noun_phrase(" ".join(tokens[index:]), goal.language)
            break
    stripped = strip_verbs(goal.core)
    if stripped == goal.core and not _DETERMINER.match(goal.core):
        return None
    if re.match(r"^[\w-]+(?:,\s*|\s+(?:and|or|et|ou)\s+)[\w-]+\s", stripped) and not _DETERMINER.match(stripped):
        return None  # "illustrate and self-publish ...": more verbs we do not know; unsure, so no object at all
    return noun_phrase(stripped, goal.language)


def _verb_chain(tokens: list[str]) -> bool:
    """'Adopt' / 'Write, illustrate and self-publish' / 'Clear out': verbs joined by commas and conjunctions
    (at most four), no article, preposition or number among them."""
    verbs = [t.lower().strip(",") for t in tokens if t.lower().strip(",") not in _JOINS and t.lower().strip(",") not in _PARTICLES]
    if not verbs or len(verbs) > 4:
        return False
    joined = len(verbs) == 1 or any(t.endswith(",") or t.lower() in _JOINS for t in tokens)
    return joined and all(re.fullmatch(r"[a-zàâçéèêëîïôûùüÿœ]+(?:-[a-zàâçéèêëîïôûùüÿœ]+)?", v) and not _NOT_A_NOUN.match(v) for v in verbs)


def gerund(verb_phrase: str) -> str:
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


def number(value: float, language: str = "en") -> str:
    text = f"{value:,.0f}" if value >= 100 or float(value).is_integer() else f"{value:,.1f}"
    return text.replace(",", "\u202f").replace(".", ",") if language == "fr" else text


# -- where the person stands now -----------------------------------------------------------------------
# A clause of the description that says where the person is today: its numbers are the start, never the target.
_NOW = _Pattern(
    r"\b(?:i\s+have|i've|i\s+had|i\s+am\s+at|i'm\s+at|i\s+weigh|i\s+can|i\s+run|i\s+read|i\s+earn|i\s+owe|currently|right now|now|"
    r"i\s+(?:swim|cycle|ride|jog|walk|make|take\s+home)|we\s+(?:have|can|earn|make)|my\s+(?:salary|income|pay)|je\s+(?:nage|roule|marche|gagne)|"
    r"so far|already|at the moment|these days|today|at present|"
    r"j'ai|j’ai|je\s+pèse|je\s+peux|je\s+cours|je\s+suis\s+à|actuellement|déjà|en ce moment|pour l'instant|aujourd'hui|maintenant)\b",
    re.IGNORECASE,
)


# Someone starting from nothing: an advanced aim's span is then the beginner's (a kind's ``beginner_days``).
BEGINNER = _Pattern(
    r"\b(?:(?:complete|total|absolute|a|an)\s+(?:beginner|novice)|beginner|never\s+(?:\w+\s+)?(?:played|run|ran|swum|swam|studied|learned|learnt|"
    r"spoken|touched|done|tried|been|had|written|drawn|sung|cooked)|no\s+(?:experience|idea)|from\s+(?:scratch|zero)|"
    r"(?:don't|do not|can't|cannot)\s+(?:know|speak|read|play)\s+(?:any|a\s+(?:word|note))|zero\s+experience|"
    r"débutant\w*|jamais\s+(?:\w+\s+)?(?:joué|couru|fait|nagé|étudié|appris|parlé)|ne\s+(?:connais|sais|parle)\s+(?:aucun|rien|pas\s+un)|"
    r"aucune\s+(?:notion|base|expérience)|(?:partir|pars)\s+de\s+zéro|"
    # A first step taken only now is a start from nothing too: "my first class", "I've just signed up", "started lessons last week".
    r"(?:my|a|the)\s+(?:very\s+)?first\s+(?:class|lesson|session|training|practice)|just\s+(?:signed\s+up|started|joined|enrolled|bought|got)|"
    r"started\s+(?:classes|lessons|training)\s+(?:last|this)\s+(?:week|month)|(?:can't|cannot|can not)\s+(?:swim|run|play|ride)|"
    r"(?:mon|mes)\s+premiers?\s+(?:cours|leçons?|entraînements?)|je\s+(?:commence|débute))\b",
    re.IGNORECASE,
)
# What says the person already does it ("I played to grade 6", "I'm a red belt", "picking it back up"): a "learn to ..."
# title is then no start from nothing.
EXPERIENCED = _Pattern(
    r"\b(?:i\s+(?:play|played|used\s+to|swim|run|ride|train|have\s+(?:played|been))|i've\s+(?:played|been|done|had)|(?:years?|months?)\s+of|"
    r"picking\s+it\s+(?:back\s+)?up|back\s+(?:to|into)|grade\s*\d|i'm\s+(?:a|an)\s+\w+\s+belt|already|"
    r"je\s+(?:joue|jouais|nage|cours|pratique)|j'ai\s+(?:joué|pratiqué|fait)|déjà|reprendre|reprends)\b",
    re.IGNORECASE,
)
# A title that sets out to learn the thing ("Learn to play the violin", "Apprendre à nager") starts from nothing unless
# the description says otherwise.
_LEARNER = _Pattern(r"^(?:learn|learning|apprendre)\s+(?:how\s+)?(?:to|à)\s+", re.IGNORECASE)


def split_state(description: str) -> tuple[str, str]:
    """(what the description asks for, where the person stands now): its clauses split by the second."""
    aim: list[str] = []
    now: list[str] = []
    for clause in re.split(r"(?<=[.!?;])\s+|\s*\b(?:but|and|mais|et)\b\s*|,\s+", description):
        if clause.strip():
            (now if _NOW.search(clause) else aim).append(clause.strip())
    return " ".join(aim), " ".join(now)


# -- the goal -------------------------------------------------------------------------------------------
@dataclass
class Goal:
    title: str
    language: str
    kind: playbook.Kind
    core: str
    aim: str  # the title and the description's clauses that say what is wanted
    now: str  # the description's clauses that say where the person stands
    span: int = HORIZON_DAYS
    facts: dict[str, str] = field(default_factory=dict)
    milestone: str = ""  # the coach's milestone title, when a milestone is coached
    description: str = ""
    # The shortest spans of the goal's kind: its own language's, or (a kind with no file in that language, worded by
    # another's) the English kind's, whose reasons the plan then words in general terms.
    minimum: tuple[playbook.Minimum, ...] = ()

    @property
    def text(self) -> str:
        return f"{self.aim} {self.now}".strip()


def detect_kind(*weighted: tuple[str, int], minimum: int = 1) -> str:
    """The goal's family of kinds from (text, weight) pairs; 'generic' when no rule scores ``minimum``."""
    families = playbook.families()
    scores: dict[str, int] = {}
    for text, weight in weighted:
        if not text:
            continue
        for family, rules in families.items():
            score = sum(w for pattern, w in rules if pattern.search(text))
            if score:
                scores[family] = scores.get(family, 0) + score * weight
    if not scores or max(scores.values()) < minimum:
        return "generic"
    order = list(families)
    return max(scores, key=lambda k: (scores[k], -order.index(k)))


def _family_of(title: str, description: str, category: str, extra: tuple[tuple[str, int], ...]) -> str:
    hint = playbook.category_hints().get(category.strip().lower())
    family = detect_kind((title, 4), (description, 1), (category, 2), minimum=5)  # one weak word is not enough
    if family == "generic" and hint:
        return hint
    if family == "generic" and extra:
        # A goal whose own words say nothing: its milestone may (strong evidence only).
        return detect_kind(*extra, minimum=6)
    return family


def read_goal(
    title: Any, description: Any = "", category: Any = "", *, span: int = HORIZON_DAYS, extra: tuple[tuple[str, int], ...] = (), milestone: str = ""
) -> Goal:
    """A goal's kind, language and facts, from what the person wrote (and, for the coach, its milestone's words)."""
    clean = clean_goal(title)
    description = str(description or "")
    language = goal_language(clean, description, milestone)
    family = _family_of(clean, description, str(category or ""), extra)
    aim, now = split_state(description)
    more = " ".join(text for text, _ in extra)
    chosen = playbook.choose(family, f"{clean}. {description} {more}")
    kind = playbook.in_language(chosen, language)
    minimum = kind.minimum if kind.name == chosen.name else tuple(dataclasses.replace(rule, why="", beginner_why="") for rule in chosen.minimum)
    name = upper_first(_LEAD.sub("", clean).strip(" .,;:-")) or clean
    core = lower_first(name) if kind.keeps_time_words else core_of(clean)  # a habit's "before 11pm" is the habit
    goal = Goal(
        title=clean,
        language=language,
        kind=kind,
        core=core,
        aim=f"{clean}. {aim} {more}".strip(),
        now=now,
        span=span,
        milestone=milestone,
        description=description,
        minimum=minimum,
    )
    goal.facts = {"name": name, "core": core, "title": clean}
    for finder in kind.facts:
        FINDERS[finder](goal)
    for variant in kind.variants:  # the first variant whose pattern the goal matches adds its facts
        if variant.pattern.search(goal.text):
            goal.facts.update({key: playbook.render((value,), goal.facts) for key, value in variant.facts.items() if key not in goal.facts})
            break
    return goal


# -- fact finders: each adds facts to a goal; a fact it cannot find stays absent (the stage takes its alternate)
_LANGUAGE_NAMES = {
    "spanish": "espagnol", "french": "français", "german": "allemand", "italian": "italien", "portuguese": "portugais", "japanese": "japonais",
    "chinese": "chinois", "mandarin": "mandarin", "korean": "coréen", "arabic": "arabe", "russian": "russe", "dutch": "néerlandais",
    "english": "anglais", "greek": "grec", "turkish": "turc", "polish": "polonais", "swedish": "suédois", "hindi": "hindi",
}  # fmt: skip
_LANGUAGES = (
    "spanish|french|german|italian|portuguese|japanese|chinese|mandarin|cantonese|korean|arabic|russian|hindi|english|"
    "dutch|swedish|norwegian|danish|polish|turkish|greek|hebrew|vietnamese|thai|indonesian|swahili|latin|"
    "ukrainian|czech|finnish|irish|welsh|esperanto|tagalog|persian|farsi|urdu|bengali|catalan|romanian|"
    "hungarian|icelandic|sign language|asl|bsl"
)
_FRENCH_LANGUAGES = {french: english for english, french in _LANGUAGE_NAMES.items()}
_EXAM_LANGUAGES = {
    "toeic": "english", "toefl": "english", "ielts": "english", "jlpt": "japanese", "hsk": "chinese", "topik": "korean", "delf": "french",
    "dalf": "french", "tcf": "french", "tef": "french", "dele": "spanish", "goethe": "german",
}  # fmt: skip


def _language(goal: Goal) -> None:
    text = goal.aim
    found = re.search(rf"\b({_LANGUAGES})\b", text, re.IGNORECASE)
    english = found.group(1).lower() if found else None
    if english is None:
        french = re.search(r"\b(" + "|".join(_FRENCH_LANGUAGES) + r")\b", text, re.IGNORECASE)
        english = _FRENCH_LANGUAGES[french.group(1).lower()] if french else None
    if english is None:  # an exam names its language: the TOEIC is English, the JLPT Japanese
        exam = re.search(r"\b(" + "|".join(_EXAM_LANGUAGES) + r")\b", text, re.IGNORECASE)
        english = _EXAM_LANGUAGES[exam.group(1).lower()] if exam else None
    if english:
        if goal.language == "fr":
            goal.facts["lang"] = _LANGUAGE_NAMES.get(english, english)
        else:
            goal.facts["lang"] = english.upper() if english in {"asl", "bsl"} else english.title()
    level = re.search(
        r"\b(?:(A1|A2|B1|B2|C1|C2)|(?:jlpt\s*)?(N[1-5])|(HSK\s*[1-6])|(DELE|DELF|DALF|TOEFL|IELTS|TOEIC|Goethe)(?:\s+[ABC][12])?)\b",
        text,
        re.IGNORECASE,
    )
    if level:
        goal.facts["level"] = " ".join(level.group(0).upper().split()) if not level.group(2) else f"JLPT {level.group(2).upper()}"


_INSTRUMENTS = (
    "guitar|piano|violin|viola|cello|drums?|bass guitar|ukulele|saxophone|sax|flute|trumpet|clarinet|harmonica|"
    "banjo|harp|trombone|accordion|mandolin|keyboard|singing|sing|vocals|dj|djing|"
    "guitare|violon|violoncelle|batterie|flûte|trompette|clarinette|harpe|accordéon|chant|chanter"
)
_SONG_INSTRUMENTS = {
    "guitar",
    "ukulele",
    "bass guitar",
    "drum",
    "drums",
    "banjo",
    "harmonica",
    "mandolin",
    "keyboard",
    "accordion",
    "guitare",
    "batterie",
}


# A piece or a composer that names its instrument when the goal does not ("Play Chopin's Fantaisie-Impromptu" is piano).
_PIECE_INSTRUMENTS = (
    (
        _Pattern(
            r"\b(?:chopin|liszt|rach(?:maninoff|maninov)|debussy|satie|clair de lune|moonlight sonata|sonate au clair de lune|f(?:ü|u)r elise|"
            r"lettre à élise|gymnop(?:é|e)dies?|campanella|fantaisie[- ]impromptu|nocturnes?|hungarian rhapsod\w+|rhapsod(?:y|ie) in blue|"
            r"maple leaf rag|the entertainer|rondo alla turca|turkish march|marche turque|path(?:é|e)tique|appassionata|goldberg)\b",
            re.IGNORECASE,
        ),
        "piano",
        "piano",
    ),
    (_Pattern(r"\b(?:paganini|zigeunerweisen|tzigane|csárdás|czardas|m(?:é|e)ditation de tha(?:ï|i)s)\b", re.IGNORECASE), "violin", "violon"),
)


def _instrument(goal: Goal) -> None:
    found = re.search(rf"\b({_INSTRUMENTS})\b", goal.aim, re.IGNORECASE)
    piece = None if found else next((names for pattern, *names in _PIECE_INSTRUMENTS if pattern.search(goal.aim)), None)
    if found:
        name = found.group(1).lower()
    elif piece:
        name = piece[1] if goal.language == "fr" else piece[0]
    else:
        return
    if name in {"sing", "singing", "vocals", "chant", "chanter"}:
        goal.facts.update(inst="singing" if goal.language == "en" else "le chant", play="sing" if goal.language == "en" else "chanter", song="1")
        return
    if name in {"dj", "djing"}:
        goal.facts.update(inst="DJing", play="mix")
        return
    if goal.language == "fr":
        article = "l'" if name[0] in "aeiouéh" else ("la " if name in {"guitare", "batterie", "flûte", "trompette", "clarinette", "harpe"} else "le ")
        goal.facts.update(inst=f"{article}{name}", instrument=name)
    else:
        goal.facts.update(inst=f"the {name}", instrument=name)
    if name in _SONG_INSTRUMENTS:
        goal.facts["song"] = "1"


_DISTANCES = [
    (_Pattern(r"\bhalf[- ]?marathon\b|\bsemi[- ]?marathon\b|\b21(?:\.1)?\s?k(?:m)?\b", re.IGNORECASE), 21.1, "half marathon", "semi-marathon"),
    (_Pattern(r"\bultra\b|\b50\s?k(?:m)?\b", re.IGNORECASE), 50.0, "ultramarathon", "ultra-trail"),
    (_Pattern(r"\bmarathon\b|\b42(?:\.2)?\s?k(?:m)?\b", re.IGNORECASE), 42.2, "marathon", "marathon"),
    (_Pattern(r"\b15\s?k(?:m)?\b", re.IGNORECASE), 15.0, "15 km race", "course de 15 km"),
    (_Pattern(r"\b10\s?k(?:m)?\b", re.IGNORECASE), 10.0, "10 km race", "course de 10 km"),
    (_Pattern(r"\b5\s?k(?:m)?\b|\bparkrun\b|\bcouch to\b", re.IGNORECASE), 5.0, "5 km race", "course de 5 km"),
]
_NONSTOP = _Pattern(
    r"\b(?:without\s+(?:stopping|walking|a\s+(?:break|walk|rest)|breaks?|stops?|resting)|non-?stop|continuously|"
    r"sans\s+(?:s'arrêter|m'arrêter|s’arrêter|m’arrêter|marcher|pause|arrêt|(?:faire\s+de\s+)?pauses?))",
    re.IGNORECASE,
)
_PROGRAMME = _Pattern(r"\b(?:programme|program|plan|challenge|course|défi)\b|\bc25k\b|\bcouch to\b", re.IGNORECASE)
_RACE_TIME = _Pattern(
    r"\b(?:in|under|below|sub|en|moins de)[- ]?(?:under\s+|less than\s+)?(\d+(?:\.\d+)?)\s*(h|hours?|hrs?|heures?|min|minutes?|mins?)\b|\bsub[- ]?(\d):(\d\d)\b",
    re.IGNORECASE,
)


def _distance(goal: Goal) -> None:
    text, fr = goal.aim, goal.language == "fr"
    km, race = 5.0, "course de 5 km" if fr else "5 km race"
    for pattern, distance, english, french in _DISTANCES:
        if pattern.search(text):
            km, race = distance, french if fr else english
            break
    else:
        plain = re.search(r"\b(\d+(?:\.\d+)?)\s?(?:km|kilomet(?:er|re)s?|kilomètres?)\b", text, re.IGNORECASE)
        miles = re.search(r"\b(\d+(?:\.\d+)?)\s?(?:mi|miles?)\b", text, re.IGNORECASE)
        if plain:
            km = float(plain.group(1))
            race = f"course de {number(km, 'fr')} km" if fr else f"{number(km)} km run"
        elif miles:
            km, race = float(miles.group(1)) * 1.609, f"{number(float(miles.group(1)))}-mile run"
    minutes = None
    time = _RACE_TIME.search(text)
    if time and time.group(1):
        value = float(time.group(1))
        minutes = value * 60 if time.group(2).lower().startswith("h") else value
    elif time and time.group(3):
        minutes = int(time.group(3)) * 60 + int(time.group(4))
    if minutes and 2.5 <= minutes / km <= 15:
        per_km = minutes / km
        goal.facts["pace"] = f"{int(per_km)}:{round((per_km % 1) * 60) % 60:02d} min/km"

    def long_run(fraction: float) -> str:
        return number(max(1, round(min(km * fraction, 32 if km > 30 else km * fraction))), goal.language)

    goal.facts.update(race=race, km=number(km, goal.language), long_quarter=long_run(0.25), long_more=long_run(0.6), long_most=long_run(0.8))
    # The goal's own qualifier ("without stopping", "sans marcher") is its point: the long runs say it in its words.
    nonstop = _NONSTOP.search(goal.aim)
    if nonstop:
        goal.facts["nonstop"] = nonstop.group(0).lower()
    # A programme the goal names ("the Couch to 5K programme") is what the plan follows, by its name.
    thing = _object(goal)
    if thing and _PROGRAMME.search(thing):
        goal.facts["programme"] = thing
    stage = re.search(r"\b(\d+(?:\.\d+)?)\s?km\b", goal.milestone)
    if stage and float(stage.group(1)) > 3:  # a milestone's long run: this week's is most of it
        goal.facts["milestone_long"] = number(max(1, round(float(stage.group(1)) * 0.8)), goal.language)


_WEIGHT = r"(\d+(?:[.,]\d+)?)\s*(kg|kgs|kilos?|lbs?|pounds)\b"


def _weight(goal: Goal) -> None:
    aim = re.search(_WEIGHT, goal.aim, re.IGNORECASE)
    now = re.search(_WEIGHT, goal.now, re.IGNORECASE)
    if not aim:
        return
    unit = "kg" if aim.group(2).lower().startswith("k") else "lb"
    value = float(aim.group(1).replace(",", "."))
    # "Get down to 80 kg" names the weight to reach; "lose 10 kg" the loss.
    reach = re.search(r"\b(?:down to|get to|reach|weigh|à|atteindre|peser)\s+" + _WEIGHT, goal.aim, re.IGNORECASE)
    if reach and now:
        start = float(now.group(1).replace(",", "."))
        loss = start - value
        goal.facts.update(goal_weight=f"{number(value, goal.language)} {unit}", start_weight=f"{number(start, goal.language)} {unit}")
    elif reach:
        goal.facts["goal_weight"] = f"{number(value, goal.language)} {unit}"
        return
    else:
        loss = value
        if now:
            goal.facts["start_weight"] = f"{number(float(now.group(1).replace(',', '.')), goal.language)} {unit}"
    if loss <= 0:
        return
    goal.facts.update(
        loss=f"{number(loss, goal.language)} {unit}",
        loss_quarter=f"{number(loss * 0.25, goal.language)} {unit}",
        loss_half=f"{number(loss * 0.5, goal.language)} {unit}",
        loss_most=f"{number(loss * 0.75, goal.language)} {unit}",
    )
    goal.facts["weeks_needed"] = str(max(1, round(loss / (0.75 if unit == "kg" else 1.6))))


_AMOUNT_PATTERNS = [
    _Pattern(r"([$€£])\s?(\d[\d,\s\u202f]*(?:\.\d+)?)\s*(k|m)?\b", re.IGNORECASE),
    _Pattern(r"\b(\d[\d,\s\u202f]*(?:\.\d+)?)\s*(k|m)?\s*(dollars|usd|euros?|eur|pounds|gbp|€|\$|£)(?=\W|$)", re.IGNORECASE),
]
_CURRENCY = {"dollars": "$", "usd": "$", "euro": "€", "euros": "€", "eur": "€", "pounds": "£", "gbp": "£", "€": "€", "$": "$", "£": "£"}


def _amounts(text: str) -> Iterator[tuple[float, str, re.Match[str]]]:
    """Every amount of money in ``text`` (a symbol before it first, then a currency word after it), with its match."""
    for index, pattern in enumerate(_AMOUNT_PATTERNS):
        for match in pattern.finditer(text):
            if index == 0:
                symbol, digits, scale = match.group(1), match.group(2), match.group(3)
            else:
                digits, scale, symbol = match.group(1), match.group(2), _CURRENCY[match.group(3).lower()]
            try:
                value = float(re.sub(r"[,\s\u202f]", "", digits))
            except ValueError:
                continue
            value *= {"k": 1_000, "m": 1_000_000}.get((scale or "").lower(), 1)
            if value > 0:
                yield value, symbol, match


def amount(text: str) -> tuple[float, str] | None:
    return next(((value, symbol) for value, symbol, _ in _amounts(text)), None)


# An amount per period is a flow (a pay, a monthly saving), never a balance: "I earn £1,900 a month" has nothing saved.
_PER_PERIOD = _Pattern(
    r"^\s*(?:(net|after[- ]tax|take[- ]home|before[- ]tax|gross|brut)\s+)?(?:a|an|per|each|every|/|par)\s*"
    r"(month|mo|week|wk|year|yr|annum|mois|semaine|an|année)\b(?:\s+(net|after[- ]tax|take[- ]home|before[- ]tax|gross|brut))?",
    re.IGNORECASE,
)
_PAY = _Pattern(
    r"\b(?:earn\w*|make|makes|making|take[- ]home|bring\s+home|salary|income|paid|wages?|pay\s+is|gagne\w*|salaire|revenus?|touche)\b", re.IGNORECASE
)
_SET_ASIDE = _Pattern(
    r"\b(?:save|saving|put\s+(?:aside|away|by)|set\s+aside|afford|spare|économis\w*|épargn\w*|mettre\s+de\s+côté|mets\s+de\s+côté)\b", re.IGNORECASE
)
_MONTHS_PER = {"month": 1.0, "mo": 1.0, "mois": 1.0, "week": 52 / 12, "wk": 52 / 12, "semaine": 52 / 12}


def flows(text: str) -> tuple[tuple[float, str] | None, tuple[float, str] | None]:
    """(the take-home pay a month, the saving a month) the description states, each with its currency symbol."""
    pay: tuple[float, str] | None = None
    saving: tuple[float, str] | None = None
    settings = playbook.settings()
    for value, symbol, match in _amounts(text):
        period = _PER_PERIOD.match(text[match.end() :])
        if not period:
            continue
        unit = period.group(2).lower()
        monthly = value * _MONTHS_PER.get(unit, 1 / 12)
        before = text[max(0, match.start() - 45) : match.start()]
        if _SET_ASIDE.search(before) and saving is None:
            saving = (monthly, symbol)
        elif _PAY.search(before) and pay is None:
            net = any((word or "").lower().replace(" ", "-") in {"net", "after-tax", "take-home"} for word in (period.group(1), period.group(3)))
            yearly_gross = unit in {"year", "yr", "annum", "an", "année"} and not net and "take" not in before.lower()
            pay = (monthly * (float(settings["gross_to_net"]) if yearly_gross else 1.0), symbol)
    return pay, saving


def balance(text: str) -> tuple[float, str] | None:
    """The first amount of ``text`` that is a sum held or owed, not a flow per period."""
    return next(((value, symbol) for value, symbol, match in _amounts(text) if not _PER_PERIOD.match(text[match.end() :])), None)


def money(value: float, symbol: str, language: str = "en") -> str:
    if language == "fr":
        return f"{number(round(value), 'fr')} {symbol}"
    return f"{symbol}{value:,.0f}"


def _amount(goal: Goal) -> None:
    found = amount(goal.aim)
    saved = balance(goal.now)
    step = amount(goal.milestone)
    if step:
        goal.facts["milestone_amount"] = money(step[0], step[1], goal.language)
    if saved:
        goal.facts["saved"] = money(saved[0], saved[1], goal.language)
    if not found:
        return
    value, symbol = found
    language = goal.language
    left = value - (saved[0] if saved and saved[0] < value else 0)
    goal.facts.update(
        amount=money(value, symbol, language),
        left=money(left, symbol, language),
        amount_quarter=money(value * 0.25, symbol, language),
        amount_half=money(value * 0.5, symbol, language),
        amount_most=money(value * 0.75, symbol, language),
    )
    purpose = re.search(r"\b(?:for|towards?|pour)\s+(.+)$", goal.core, re.IGNORECASE)
    if purpose:
        goal.facts["purpose"] = purpose.group(1).strip(" .")
    if goal.span:
        goal.facts["monthly"] = money(left / max(1.0, goal.span / 30.4), symbol, language)


_WORD_COUNT = _Pattern(r"\b(\d[\d,\s\u202f]*)\s*(k)?[\s-]*(?:words?|mots)\b", re.IGNORECASE)
_WORDS_OF = _Pattern(
    r"\b(\d[\d,\u202f]*)\s*(k)?\s*(?:words?|mots)\s+(?:of|out of|from|sur)\s+(?:an?\s+|the\s+)?(\d[\d,\u202f]*)\s*(k)?\b", re.IGNORECASE
)
_USUAL_LENGTHS = (
    (r"\b(?:picture book|children'?s book|board book|album jeunesse)\b", None),
    (r"\b(?:novel|roman)\b", 70_000),
    (r"\bscreenplay|scénario\b", 20_000),
    (r"\b(?:short stor|poem|poetry|nouvelles?|poèmes?)", 15_000),
    (r"\b(?:memoir|manuscript|mémoires|manuscrit|book|livre)\b", 50_000),
)


def _count_of(digits: str, thousands: str | None) -> int:
    return int(re.sub(r"[,\s\u202f]", "", digits)) * (1000 if thousands else 1)


def _words(goal: Goal) -> None:
    thing = _object(goal)
    if thing:
        goal.facts["work"] = thing
    found = _WORD_COUNT.search(goal.aim)
    written = _WORD_COUNT.search(goal.now)
    of = _WORDS_OF.search(goal.text)
    if written:
        goal.facts["written"] = number(_count_of(written.group(1), written.group(2)), goal.language)
    value: int | None = None
    if of:  # "I have 8,000 words of 15,000": the first is where the person is, the second the length
        goal.facts["written"] = number(_count_of(of.group(1), of.group(2)), goal.language)
        value = _count_of(of.group(3), of.group(4))
    elif found:
        value = _count_of(found.group(1), found.group(2))
    else:
        # Only a form whose usual length is known gets one: a picture book, a thesis or a blog is no novel.
        value = next((length for pattern, length in _USUAL_LENGTHS if re.search(pattern, goal.aim, re.IGNORECASE)), None)
    if value is None:
        return
    goal.facts.update(
        words=number(value, goal.language),
        words_quarter=number(value * 0.25, goal.language),
        words_half=number(value * 0.5, goal.language),
    )


_CUSTOMERS = _Pattern(
    r"\b(?:business|store|shop|etsy|e-?commerce|freelanc\w*|service|consult\w*|agency|bakery|cafe|café|restaurant|side hustle|company|"
    r"boutique|commerce|entreprise|clients?)\b",
    re.IGNORECASE,
)


def _product(goal: Goal) -> None:
    thing = _object(goal)
    if thing:
        goal.facts["product"] = thing
    media = re.search(r"\b(podcast|youtube|channel|videos?|vlog)\b", goal.text, re.IGNORECASE)
    if media:
        goal.facts["people"] = "listeners" if media.group(1).lower() == "podcast" else "viewers"
        goal.facts["media"] = "1"
    else:
        goal.facts["people"] = "customers" if _CUSTOMERS.search(goal.text) else "users"


def _thing(goal: Goal) -> None:
    """The goal's object as a noun phrase ('your bathroom', 'your own vegetables'), and a place it names."""
    thing = _object(goal)
    if thing:
        goal.facts["thing"] = thing
    place = re.search(r"\b(?:to|in|around|across|à|au|aux|en)\s+((?:[A-Z][\w'-]+)(?:\s+[A-Z][\w'-]+)?)", goal.title)
    if place:
        goal.facts["place"] = place.group(1)


def _count(goal: Goal) -> None:
    """The number the goal counts ('24 books', '80 guests', '10 Thai dishes'), when its title has one."""
    found = re.search(r"\b(\d{1,5})\s+(?:[a-zA-Z][\w-]*\s+){0,2}?([a-zA-Zéè][\w-]*)", goal.title)
    if found:
        value = int(found.group(1))
        goal.facts.update(count=str(value), count_quarter=str(max(1, round(value / 4))), count_half=str(max(1, round(value / 2))))
        if value:
            goal.facts["days_per_book"] = str(max(1, round(goal.span / value)))


def _role(goal: Goal) -> None:
    core = goal.core
    role = re.search(
        r"\b(?:as|become|becoming|to)\s+(?:an?\s+)?((?:[a-z][\w+#.-]*\s?){1,4}?)(?:\s+(?:at|in|by|within|before)\b|$)", core, re.IGNORECASE
    )
    name = role.group(1).strip() if role else ""
    if not name or name.lower().split()[0] in VERBS or len(name) > 40:
        found = re.search(r"\b((?:[a-z][\w+#.-]*\s)?(?:job|role|position))\b", core, re.IGNORECASE)
        name = found.group(1) if found else ""
    name = re.sub(r"^(?:new|a|an|the|my)\s+", "", name, flags=re.IGNORECASE).strip()
    name = re.sub(r"\s*\b(?:job|role|position)$", "", name, flags=re.IGNORECASE).strip()
    if name:
        goal.facts["role"] = name


def _subject(goal: Goal) -> None:
    core = goal.core
    subject = re.sub(
        r"^(?:learn(?:ing)?|study|master|get (?:better|good) at|improve(?: my)?|practi[cs]e|pass|ace|get|earn|obtain|take|"
        r"apprendre|étudier|réussir|passer|obtenir)\s+",
        "",
        core,
        flags=re.IGNORECASE,
    ).strip()
    subject = re.sub(
        r"\s+(?:so that|so|because|in order to|to (?:get|become|land|help|make|earn|be|pass|start|switch)|pour)\b.*$",
        "",
        subject,
        flags=re.IGNORECASE,
    )
    how = re.match(r"^(?:how\s+)?to\s+(.+)$", subject, re.IGNORECASE)
    if how:
        subject = gerund(how.group(1))
    elif goal.language == "en" and subject.split(" ", 1)[0].lower() in VERBS:
        subject = gerund(subject)
    goal.facts["subject"] = subject or core


def _habit(goal: Goal) -> None:
    goal.facts["habit"] = goal.core
    if goal.language == "en" and goal.core.split(" ")[0].lower() in VERBS:
        goal.facts["doing"] = gerund(goal.core)


def _office(goal: Goal) -> None:
    """What a campaign runs for: 'Run for the school board' -> 'the school board'."""
    found = re.search(r"\b(?:run|running|stand|standing)\s+(?:for|as)\s+(.+)$", goal.core, re.IGNORECASE)
    if found:
        goal.facts["office"] = re.sub(r"^(?:my|our)\s+", "the ", found.group(1).strip(" .")).strip()


def _where(goal: Goal) -> None:
    """The names a goal goes to ('Everest Base Camp', 'Kilimanjaro', 'the Camino de Santiago'): its capitalised words after the verb."""
    rest = goal.title.split(" ", 1)[-1]
    found = re.search(r"(?:^|\s)((?:the\s+)?[A-Z][\w'’-]+(?:\s+(?:de|del|du|la|of|the|des)?\s*[A-Z][\w'’-]+)*)", rest)
    if found and found.group(1).lower() not in {"i", "my"}:
        name = found.group(1)
        # "the whole Appalachian Trail": the name keeps its article, not the word that says all of it.
        if not name.lower().startswith("the ") and re.search(r"\bthe\s+(?:whole|entire|full|complete)\s+$", rest[: found.start(1)], re.IGNORECASE):
            name = f"the {name}"
        goal.facts["where"] = name


# A score a sport or a test keeps (a golf handicap, a bowling average, a TOEIC score, an IELTS band): the number of the
# goal's own words is the one to reach, the description's the one the person has now. No number with a unit (a time, a
# distance, an amount) and no level name ("B2") is a score.
_SCORE_NUMBER = _Pattern(
    r"(?<![\w.,:/$€£-])(?<!hsk )(?<!level )(?<!grade )(?<!niveau )(?<!topik )(?<!year )(?<!année )(\d{1,4}(?:[.,]\d)?)(?![\d:/]|[.,]\d|\s*(?:%|km\b|k\b|m\b|mi\b|miles?\b|kg\b|lbs?\b|min\w*|hours?\b|h\b|years?\b|ans\b|"
    r"months?\b|mois\b|weeks?\b|semaines?\b|days?\b|jours?\b|€|\$|£|times\b|fois\b))",
    re.IGNORECASE,
)
_SCORE_NAME = _Pattern(r"\b(handicap|index|average|score|band|points|moyenne|note)\b", re.IGNORECASE)
_SCORE_SPORT = _Pattern(r"\b(golf|bowling|ten-?pin|darts|snooker|pool|archery|billiards|fléchettes|tir à l'arc|quilles)\b", re.IGNORECASE)


def _score_number(text: str, not_this: float | None = None) -> tuple[float, str] | None:
    for match in _SCORE_NUMBER.finditer(text):
        value = float(match.group(1).replace(",", "."))
        if value != not_this and not (1900 <= value <= 2100 and value.is_integer()):
            return value, match.group(1)
    return None


def _score(goal: Goal) -> None:
    """The score to reach ("22" of "Get my golf handicap down to 22"), the score now ("28" of "Currently playing off 28"),
    the score halfway between, and what the score is of ("golf", "handicap")."""
    sport = _SCORE_SPORT.search(goal.aim)
    if sport:
        goal.facts["sport"] = sport.group(1).lower()
    name = _SCORE_NAME.search(goal.core)
    if name:
        goal.facts["score_name"] = name.group(1).lower()
    target = _score_number(goal.core)
    if not target:
        return
    goal.facts["score"] = target[1]
    now = _score_number(goal.description, not_this=target[0])
    if not now:
        return
    goal.facts["score_now"] = now[1]
    middle = (now[0] + target[0]) / 2
    whole = target[0].is_integer() and now[0].is_integer() and abs(now[0] - target[0]) >= 4
    goal.facts["score_mid"] = number(round(middle) if whole else round(middle * 2) / 2, goal.language)


def _budget(goal: Goal) -> None:
    """A sum the goal's words set for it ("a home gym for $600", "Budget of about £600", "I can spend $300 on wood"): a
    budget the plan works within, never a pay or a saving per month."""
    found = balance(f"{goal.title}. {goal.description}")
    if found:
        goal.facts["budget"] = money(found[0], found[1], goal.language)


FINDERS: dict[str, Callable[[Goal], None]] = {
    "score": _score,
    "budget": _budget,
    "office": _office,
    "where": _where,
    "language": _language,
    "instrument": _instrument,
    "distance": _distance,
    "weight": _weight,
    "amount": _amount,
    "words": _words,
    "product": _product,
    "thing": _thing,
    "count": _count,
    "role": _role,
    "subject": _subject,
    "habit": _habit,
}


def from_nothing(goal: Goal) -> bool:
    """Whether the person starts from nothing: they say so ("complete beginner", "my first class"), or the title sets
    out to learn the thing ("Learn to play the violin") and the description says nothing of doing it already."""
    if BEGINNER.search(f"{goal.title}. {goal.text}"):
        return True
    return bool(_LEARNER.match(goal.core)) and not EXPERIENCED.search(goal.description)


def days_needed(goal: Goal) -> tuple[int, str]:
    """The shortest realistic span for this goal (days) and why (empty: the plan words a general reason), 0 when any
    span will do: the longest of its kind's minimum, the levels of ambition it names (from where the person starts),
    the weeks a distance takes to grow from today's, and the months a money goal takes on the stated pay or saving."""
    said = bool(BEGINNER.search(f"{goal.title}. {goal.text}"))  # a kind's own beginner span needs it said
    found: list[tuple[int, str]] = [(0, "")]
    for rule in goal.minimum:
        if rule.pattern is None or rule.pattern.search(goal.aim):
            days = rule.days
            if rule.per_week_fact and goal.facts.get(rule.per_week_fact):
                days = max(days, 7 * int(goal.facts[rule.per_week_fact]))
            if said and rule.beginner_days > days:  # from nothing, an advanced aim takes years, not months
                found.append((rule.beginner_days, rule.beginner_why or rule.why))
            else:
                found.append((days, rule.why))
            break
    found += _level_days(goal, from_nothing(goal))
    found.append(_distance_days(goal))
    found.append(_money_days(goal))
    return max(found, key=lambda item: item[0])


def _level_days(goal: Goal, beginner: bool) -> list[tuple[int, str]]:
    km = distance_km(goal.aim)
    found = []
    for level in playbook.levels(goal.language):
        if not level.pattern.search(goal.aim) or (level.min_km and (km is None or km < level.min_km)):
            continue
        if beginner and level.beginner_days:
            found.append((level.beginner_days, level.beginner_why or level.why))
        elif level.near is not None and level.near_days and level.near.search(goal.description):
            found.append((level.near_days, level.why))
        else:
            found.append((level.days, level.why))
    return found


_LENGTH_UNITS = _Pattern(
    r"(?<![$€£\d.,])(\d+(?:[.,]\d+)?)\s?(km|k|kilomet(?:er|re)s?|kilomètres?|m|meters?|metres?|mètres?|mi|miles?|lengths?|longueurs?)\b",
    re.IGNORECASE,
)
_KM_PER = {
    "k": 1.0,
    "km": 1.0,
    "m": 0.001,
    "meter": 0.001,
    "metre": 0.001,
    "mètre": 0.001,
    "mi": 1.609,
    "mile": 1.609,
    "length": 0.025,
    "longueur": 0.025,
}


def distance_km(text: str) -> float | None:
    """The longest distance ``text`` names, in km: a race by its name ("half marathon") or a number with its unit."""
    for pattern, km, _, _ in _DISTANCES:
        if pattern.search(text):
            return km
    found = []
    for match in _LENGTH_UNITS.finditer(text):
        unit = match.group(2).lower().rstrip("s")
        unit = "km" if unit.startswith(("kilomet", "kilomèt")) else unit
        found.append(float(match.group(1).replace(",", ".")) * _KM_PER.get(unit, 1.0))
    return max(found) if found else None


def _distance_days(goal: Goal) -> tuple[int, str]:
    """A distance to reach in one effort grows a little each week from today's: 1 km to a half marathon is months."""
    settings = playbook.settings()
    sports = [entry for entry in settings["distance_sports"] if re.search(entry["sport"], goal.aim, re.IGNORECASE)]
    target, current = distance_km(goal.aim), distance_km(goal.now)
    if not sports or not target or not current or target > float(sports[0]["single_km"]) or target <= current * 1.5:
        return 0, ""
    growth, step = float(settings["weekly_growth"]), float(sports[0]["step_km"])
    weeks, reached = 0, current
    while reached < target:
        reached += max(reached * growth, step)
        weeks += 1
    words = playbook.common(goal.language)["why_distance"]
    return 7 * weeks, playbook.render(words, {"start": _km(current, goal.language), "end": _km(target, goal.language), "weeks": str(weeks)})


def _km(value: float, language: str) -> str:
    return f"{number(value * 1000, language)} m" if value < 1 else f"{number(value, language)} km"


def _money_days(goal: Goal) -> tuple[int, str]:
    """Saving or paying off an amount on a stated pay (a plausible share of it) or a stated monthly saving."""
    if goal.kind.family != "money":
        return 0, ""
    target = amount(goal.aim)
    pay, saving = flows(goal.description)
    if not target or not (pay or saving):
        return 0, ""
    saved = balance(goal.now)
    left = target[0] - (saved[0] if saved and saved[0] < target[0] else 0)
    share = float(playbook.settings()["income_share"])
    capacity = saving[0] if saving else share * pay[0] if pay else 0.0
    if capacity <= 0:
        return 0, ""
    common = playbook.common(goal.language)
    facts = {
        "left": money(left, target[1], goal.language),
        "needed": money(left / max(1.0, goal.span / 30.4), target[1], goal.language),
        "capacity": money(capacity, target[1], goal.language),
        "income": money(pay[0], pay[1], goal.language) if pay else "",
        "share": str(round(share * 100)),
    }
    facts["doing"] = playbook.render(common["capacity_pay" if goal.kind.name == "debt" else "capacity_save"], facts)
    why = playbook.render(common["capacity_saving_why" if saving else "capacity_income_why"], facts)
    return math.ceil(left / capacity * 30.4), why


def realistic_date(today: dt.date, goal: Goal) -> dt.date | None:
    days, _ = days_needed(goal)
    return today + dt.timedelta(days=days) if days else None
