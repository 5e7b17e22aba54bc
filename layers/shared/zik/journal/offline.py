"""The journal's offline AI rules: what the ``local`` provider answers for ``journal.insight``.

An entry is read sentence by sentence, and each sentence clause by clause (at "but", "although", "even
though"...). Each clause gets two readings that correct each other: VADER's (a lexicon and rule-based
analyser made for short informal English text) and ours, the feelings the clause names or the events that
carry one without a word for it ("Dad's funeral was today" is grief; "the boiler broke" is frustration).

- The label is "mixed" when one clause is strongly positive and another strongly negative, whichever is
  louder; otherwise it follows the score (the sentences' average, each weighed by its own strength), and a
  day with no feeling anywhere is neutral. A negated feeling turns around ("not happy" is a let-down).
- A sarcastic sentence ("Oh great, the boiler broke again", a bare "Perfect." after a mishap, scare
  quotes, "yeah right") reads as the frustration it is, not as the joy its words say.
- Themes need real evidence: phrases with another sense are read first ("spent the morning" is time, not
  money; "ran errands" is not running; a river bank is not a bank), and weak words count half.

The summary is the entry's own most salient sentence. Deterministic, no network; text in another language
gets a neutral answer that is still valid (French words are read where the lexicon has them).

This module is the reading logic; the words are data, in ``insight_lexicon.toml`` next to it (feelings, the
events that carry one, sarcasm markers, themes and their senses), read and compiled once on first use.
"""

from __future__ import annotations

import re
import textwrap
import threading
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["insight", "sample_data"]

SUMMARY_MAX = 200
MAX_EMOTIONS = MAX_THEMES = 5
# VADER's own cut-offs for a positive / negative compound score.
_POSITIVE, _NEGATIVE = 0.05, -0.05
# A clause this strong either way is a feeling of its own: one of each makes the entry "mixed". Where
# none of our words names the feeling, VADER alone must be surer: its small words ("help", "security")
# lean positive in sentences that are not.
_STRONG, _VADER_STRONG = 0.4, 0.5
# How strongly a named feeling or a telling event reads when VADER hears less; a hedged or mild one
# ("a bit tired", "nervous") reads as a lesser feeling and cannot make a day mixed on its own.
_FELT, _MILD_FELT = 0.45, 0.25
_MILD_CAP = 0.35
# A day where no sentence reaches this either way and no feeling is named reads as neutral, however
# VADER's small weights ("agreed", "cancel the internet") add up.
_FAINT = 0.3
# A theme needs this much evidence: one clear word, or two weak ones.
_THEME_EVIDENCE = 1.0
_WEAK = 0.5
# Themes that set a scene, and the subjects of the events that make an entry about a loss.
_SETTINGS = frozenset({"travel", "nature", "food", "money"})
_LOSS = frozenset({"grief", "relationships", "health"})

_analyser: Any = None
_analyser_lock = threading.Lock()


def _vader() -> Any:
    """One analyser per process, built on first use: loading its lexicon costs tens of milliseconds that
    a cold start of a function that never asks for an insight should not pay."""
    global _analyser
    if _analyser is None:
        with _analyser_lock:
            if _analyser is None:
                from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

                _analyser = SentimentIntensityAnalyzer()
    return _analyser


_POSITIVE_FEELINGS = frozenset({"joy", "gratitude", "calm", "love", "pride", "hope", "relief", "awe"})
_NEGATIVE_FEELINGS = frozenset({"sadness", "anxiety", "anger", "frustration", "loneliness", "fatigue", "guilt", "disappointment"})
# A negated joy ("I wasn't happy", "didn't enjoy it") is a disappointment; other negated feelings are none.
_NEGATED_JOY = frozenset({"joy", "pride", "love"})
# Crying for joy and a mishap laughed at are not the sadness and frustration their words say.
_CRYING = re.compile(r"^(?:cried|cry|crying|tears|tearful|wept|weep|weeping|sob|sobbed|sobbing)$", re.IGNORECASE)
_NEARBY = 40  # characters: how close a joy word must be to make crying happy
_LAUGHING = re.compile(r"^(?:laugh\w*|smil\w*|grinning|giggl\w*)$", re.IGNORECASE)

# Words too weak to make a moment strong on their own, unless an intensifier comes first ("so tired").
_MILD = re.compile(r"^(?:tired|sleepy|nervous|bored|glad|annoyed|irritated|uneasy|stressed|fun|content|tense|low)$", re.IGNORECASE)
_HEDGE = re.compile(r"\b(?:a (?:bit|little|tad)|slightly|somewhat|kind of|kinda|sort of|mildly|a touch)\s+(?:\w+\s+)?$", re.IGNORECASE)
_INTENSIFIER = re.compile(r"\b(?:so|very|really|completely|utterly|absolutely|totally|incredibly|extremely|deeply|bone|terribly)\s+$", re.IGNORECASE)
# A feeling word right after one of these ("not happy", "wasn't worried", "never lonely", "less scary") says the opposite.
_NEGATED = re.compile(
    r"\b(?:not|no|never|nothing|nobody|none|neither|hardly|barely|without|nor|cannot|less|\w+n't|pas|jamais|sans)(?:\s+(?!(?:when|because|after|before|since|until|till|as|that|if|while|once|then)\b)\w+){0,2}\s*$",
    re.IGNORECASE,
)
# ...and a negated worry that has passed ("not worried any more", "less scary than I expected") is relief.
_PASSED_AFTER = re.compile(r"\W*(?:\w+\W+){0,4}?(?:any ?more|than (?:i |we )?(?:expected|feared|thought|imagined))\b", re.IGNORECASE)
_NO_LONGER = re.compile(r"\bno longer\b", re.IGNORECASE)

# -- sarcasm ---------------------------------------------------------------------------------------

# An intensifier in capitals ("SO smoothly", "REALLY helpful"): case matters here.
_SHOUTED = re.compile(r"\b(?:SO|REALLY|VERY|TOTALLY|SUCH|SUPER|ABSOLUTELY)\b")
# A word or two in quotes, in lower case ("a 'quick' project"): scare quotes, unless the writer is quoting someone.
_SCARE_QUOTES = re.compile(r"(?<![\w'\"])(['\"])([a-z][a-z-]*(?: [a-z][a-z-]*)?)\1(?![\w'\"])")
_QUOTING = re.compile(r"\b(?:said|says|say|called|named|word|term|titled|wrote|texted|asked|told|shouted|yelled)\W*$", re.IGNORECASE)

# -- clauses ---------------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|(?<=[。！？])|[\r\n]+")
_CONTRAST = re.compile(
    r"[,;]?\s+(?:but|even though|although|though|however|yet|whereas|mais|pourtant|sauf que)\b,?\s*|[,;]\s+then\b,?\s*|;\s*|^\s*(?:but|mais)\b,?\s*",
    re.IGNORECASE,
)
# "Although X, Y": the subordinate clause runs to the first comma.
_LEADING_CONCESSION = re.compile(r"^\s*(?:although|even though|though|despite)\b([^,]*),\s*(.*)$", re.IGNORECASE | re.DOTALL)
# "..., but nobody minded": a clause that waves the trouble before it away.
_DISMISSAL = re.compile(
    r"\b(?:(?:nobody|no one|no-one|neither of us|none of us) (?:minded|cared|noticed|was hurt|got hurt)|every(?:one|body)(?:'s| is| was) (?:fine|ok|okay|safe)|(?:it|that) (?:didn't|did not|doesn't) matter|(?:i|we) (?:didn't|did not|don't) (?:mind|care)|"
    r"(?:it|that) was (?:totally |so |completely )?worth it|(?:it|that|they) (?:still )?counts?|no harm done|who cares|(?:we|i) laughed (?:it off|about it)|never mind)\b",
    re.IGNORECASE,
)

# -- the words: insight_lexicon.toml, read once on first use -------------------------------------------

_LEXICON_FILE = Path(__file__).with_name("insight_lexicon.toml")


def _alternatives(items: Iterable[str], praise: str = "") -> str:
    # "{praise}" in a sarcasm marker stands for any praise word.
    return "|".join(item.replace("{praise}", praise) if praise else item for item in items)


def _words_table(table: Mapping[str, list[str]]) -> dict[str, re.Pattern[str]]:
    # Plurals come free ("holiday" finds "holidays"): the tables list each word once.
    return {name: re.compile(rf"\b(?:{_alternatives(words)})(?:s|es)?\b", re.IGNORECASE) for name, words in table.items()}


def _phrase(words: Iterable[str]) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{_alternatives(words)})\b", re.IGNORECASE)


@dataclass(frozen=True)
class _Phrase:
    """A phrase that says a feeling (or, with no names, none) however its words read one by one."""

    pattern: re.Pattern[str]
    names: tuple[str, ...]
    strength: float = _FELT
    # The subject the event itself is about ("cleared out Gran's flat" is grief), whatever its words name.
    theme: str = ""
    # The feelings the event ends, still part of the day: a scan come back clear is relief, and the fear before it.
    after: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Lexicon:
    """The words the rules read, compiled: feelings, the events that carry one, sarcasm markers, themes and their senses."""

    emotions: dict[str, re.Pattern[str]]
    feeling_phrases: list[_Phrase]
    mishap: re.Pattern[str]
    irony: re.Pattern[str]
    irony_if_bad: re.Pattern[str]
    irony_if_bad_here: re.Pattern[str]
    bare_praise: re.Pattern[str]
    praise: re.Pattern[str]
    themes: dict[str, re.Pattern[str]]
    weak_themes: dict[str, re.Pattern[str]]
    theme_senses: list[tuple[re.Pattern[str], tuple[str, float] | None]]
    french: _French


@dataclass(frozen=True)
class _French:
    """What VADER is to English, for an entry written in French: word weights, negation and intensifiers."""

    markers: frozenset[str]
    english: frozenset[str]
    negators: frozenset[str]
    negators_with_ne: frozenset[str]
    boosters: frozenset[str]
    dampeners: frozenset[str]
    valence: dict[str, float]


def _compile(data: Mapping[str, Any]) -> _Lexicon:
    emotions = _words_table(data["emotions"])
    if set(emotions) != _POSITIVE_FEELINGS | _NEGATIVE_FEELINGS:
        raise ValueError(f"{_LEXICON_FILE.name}: [emotions] must name exactly {sorted(_POSITIVE_FEELINGS | _NEGATIVE_FEELINGS)}")
    events = data["events"]
    phrases = [
        _Phrase(
            _phrase(events[row["same_as"]] if "same_as" in row else row["pattern"]),
            tuple(row["names"]),
            _MILD_FELT if row.get("strength") == "mild" else _FELT,
            row.get("theme", ""),
            tuple(row.get("after", ())),
        )
        for row in data["feeling_phrases"]
    ]
    sarcasm = data["sarcasm"]
    praise = _alternatives(sarcasm["praise"])

    def markers(key: str) -> re.Pattern[str]:
        return re.compile(_alternatives(sarcasm[key], praise=praise), re.IGNORECASE)

    bare = _alternatives(sarcasm["bare"], praise=praise)
    lead, tail = _alternatives(sarcasm["bare_lead"]), _alternatives(sarcasm["bare_tail"], praise=praise)
    senses = [(_phrase(row["pattern"]), (row["theme"], _WEAK if row.get("weak") else 1.0) if row["theme"] else None) for row in data["theme_senses"]]
    return _Lexicon(
        emotions=emotions,
        feeling_phrases=phrases,
        mishap=re.compile(rf"(?:{_alternatives(events['mishaps'])})", re.IGNORECASE),
        irony=markers("always"),
        irony_if_bad=markers("if_bad_around"),
        irony_if_bad_here=markers("if_bad_here"),
        bare_praise=re.compile(rf"^\W*(?:(?:{lead})\W+)*(?:{bare})(?:\W+(?:{tail}))*\W*$", re.IGNORECASE),
        praise=re.compile(rf"\b(?:{praise})\b", re.IGNORECASE),
        themes=_words_table(data["themes"]),
        weak_themes=_words_table(data["weak_themes"]),
        theme_senses=senses,
        french=_French(
            **{
                key: frozenset(str(word).lower() for word in data["french"][key])
                for key in ("markers", "english", "negators", "negators_with_ne", "boosters", "dampeners")
            },
            valence={word.lower(): float(weight) for word, weight in data["french"]["valence"].items()},
        ),
    )


_lexicon: _Lexicon | None = None
_lexicon_lock = threading.Lock()


def _words() -> _Lexicon:
    """The lexicon, read and compiled once per process on first use (like the VADER analyser)."""
    global _lexicon
    if _lexicon is None:
        with _lexicon_lock:
            if _lexicon is None:
                with _LEXICON_FILE.open("rb") as file:
                    _lexicon = _compile(tomllib.load(file))
    return _lexicon


# -- French valence ----------------------------------------------------------------------------------

_FRENCH_TOKEN = re.compile(r"[^\W\d_]+'?")
# Feminine and plural endings, tried in turn when a word is not in the table as written.
_FRENCH_ENDINGS = (
    ("euses", "eux"),
    ("euse", "eux"),
    ("ives", "if"),
    ("ive", "if"),
    ("elles", "el"),
    ("elle", "el"),
    ("lles", "l"),
    ("lle", "l"),
    ("ées", "é"),
    ("ée", "é"),
    ("és", "é"),
    ("ères", "er"),
    ("ère", "er"),
    ("es", ""),
    ("s", ""),
    ("x", ""),
    ("e", ""),
)
# VADER's own factors: a negated word turns round and softens; an intensifier adds about a third.
_NEGATION_FACTOR, _BOOST, _DAMPEN = -0.74, 1.3, 0.7
# VADER's normalisation of a sum of word weights into a compound score in (-1, 1).
_VADER_ALPHA = 15.0


def _french_tokens(text: str) -> list[str]:
    return [token.replace("\u2019", "'") for token in _FRENCH_TOKEN.findall(text.lower().replace("\u2019", "'"))]


def _is_french(text: str) -> bool:
    """Whether an entry is written in French: more of its small words are French than English."""
    french = _words().french
    tokens = _french_tokens(text)
    return sum(token in french.markers for token in tokens) > max(1, sum(token in french.english for token in tokens))


def _french_weight(token: str) -> float:
    valence = _words().french.valence
    if token in valence:
        return valence[token]
    for ending, replacement in _FRENCH_ENDINGS:
        if token.endswith(ending) and len(token) > len(ending) + 2 and token[: -len(ending)] + replacement in valence:
            return valence[token[: -len(ending)] + replacement]
    return 0.0


def _french_sum(text: str) -> float:
    """The sum of a French text's word weights, each turned round by a negation before it ("pas content") or
    around it ("je n'aime pas"), and strengthened or softened by the word before it ("très", "un peu")."""
    french = _words().french
    tokens = _french_tokens(text)
    total = 0.0
    for index, token in enumerate(tokens):
        weight = _french_weight(token)
        if not weight or (token in french.boosters and index + 1 < len(tokens) and _french_weight(tokens[index + 1])):
            continue
        before, after = tokens[max(0, index - 3) : index], tokens[index + 1 : index + 3]
        has_ne = any(word in ("ne", "n'") for word in tokens[max(0, index - 4) : index])
        if (
            any(word in french.negators for word in before)
            or (has_ne and any(word in french.negators_with_ne for word in before))
            or (has_ne and any(word in french.negators or word in french.negators_with_ne for word in after))
        ):
            weight *= _NEGATION_FACTOR
        if before and before[-1] in french.boosters:
            weight *= _BOOST
        elif before and before[-1] in french.dampeners:
            weight *= _DAMPEN
        total += weight
    return total


def _polarity(text: str, *, french: bool = False) -> float:
    """VADER's compound score of a text; for a French entry, with the French words' weights added to VADER's
    own sum before the same normalisation, so a French sentence reads as its English twin would."""
    compound = float(_vader().polarity_scores(text)["compound"])
    extra = _french_sum(text) if french else 0.0
    if not extra:
        return compound
    bounded = max(-0.9999, min(0.9999, compound))
    total = bounded * (_VADER_ALPHA / (1 - bounded * bounded)) ** 0.5 + extra
    return round(total / (total * total + _VADER_ALPHA) ** 0.5, 4)


# -- reading ---------------------------------------------------------------------------------------


@dataclass
class _Feeling:
    name: str
    strength: float
    word: str = ""
    at: int = 0
    # A feeling the day held before what the clause tells (the fear a relief ends): named among the
    # emotions, but no part of the clause's valence or label.
    before: bool = False


@dataclass
class _Clause:
    text: str
    compound: float
    feelings: list[_Feeling]

    def side(self, names: frozenset[str]) -> float:
        return max((f.strength for f in self.feelings if f.name in names and not f.before), default=0.0)

    @property
    def valence(self) -> float:
        """VADER's reading, corrected by ours where ours names only one side: it misreads "heart racing"
        as happy and hears nothing in "Dad's funeral was today"."""
        positive, negative = self.side(_POSITIVE_FEELINGS), self.side(_NEGATIVE_FEELINGS)
        value = self.compound
        # A mild feeling ("a bit nervous") does not overrule VADER hearing the other side clearly.
        if positive and not negative and (positive > _MILD_FELT or value > -_FAINT):
            value = max(value, positive)
        elif negative and not positive and (negative > _MILD_FELT or value < _FAINT):
            value = min(value, -negative)
        felt = [f for f in self.feelings if not f.before]
        if felt and all(f.strength <= _MILD_FELT for f in felt):
            value = max(-_MILD_CAP, min(_MILD_CAP, value))
        return value

    @property
    def sides(self) -> tuple[float, float]:
        """How strongly this clause reads positive and negative: both at once when it names both."""
        valence = self.valence
        return max(valence, self.side(_POSITIVE_FEELINGS)), max(-valence, self.side(_NEGATIVE_FEELINGS))

    @property
    def strong_sides(self) -> tuple[bool, bool]:
        """Whether each side is a feeling of its own: a side our words name must be strong, one VADER
        alone hears must be surer still."""
        positive, negative = self.sides
        return (
            positive >= (_STRONG if self.side(_POSITIVE_FEELINGS) else _VADER_STRONG),
            negative >= (_STRONG if self.side(_NEGATIVE_FEELINGS) else _VADER_STRONG),
        )


@dataclass
class _Sentence:
    text: str
    position: int
    clauses: list[_Clause]
    compound: float
    themes: dict[str, float]
    events: set[str]
    # Themes a clear word or phrase names, not only weak ones ("car", "drive").
    clear: set[str]
    sarcastic: bool = False
    # In an entry about a death, warmth VADER hears with no good feeling named is tenderness, not a bright side.
    tender: bool = False

    @property
    def feelings(self) -> list[_Feeling]:
        """The feelings the sentence tells, not those it says are over."""
        return [feeling for clause in self.clauses for feeling in clause.feelings if not feeling.before]

    @property
    def earlier(self) -> list[_Feeling]:
        """The feelings the events it tells put an end to (the fear a good result ends)."""
        return [feeling for clause in self.clauses for feeling in clause.feelings if feeling.before]

    @property
    def valence(self) -> float:
        if self.sarcastic:
            return -max(abs(self.compound), _FELT)
        value = _Clause(self.text, self.compound, self.feelings).valence
        return min(value, 0.0) if self.tender else value

    def moments(self) -> list[tuple[float, float]]:
        """Each clause's (positive, negative) strength."""
        if self.sarcastic:
            return [(0.0, -self.valence)]
        return [clause.sides for clause in self.clauses]

    def strong_moments(self) -> list[tuple[bool, bool]]:
        if self.sarcastic:
            return [(False, True)]
        return [clause.strong_sides for clause in self.clauses]

    @property
    def salience(self) -> float:
        words = len(self.text.split())
        # Feeling carries most; a sentence naming a feeling or a subject outranks small talk, a fragment
        # or a run-on ranks lower.
        return abs(self.valence) + 0.3 * len(self.feelings) + 0.15 * len(self.themes) + (0.2 if 5 <= words <= 40 else 0)


def _sentences(text: str) -> list[str]:
    parts = [" ".join(part.split()) for part in _SENTENCE_END.split(text) if part and part.strip()]
    # One word a sentence ("Best. Day. Ever.") is one sentence said slowly.
    merged: list[str] = []
    for part in parts:
        if merged and len(part.split()) == 1 and len(merged[-1].split()) <= 2 and merged[-1][-1:] == ".":
            merged[-1] = f"{merged[-1].rstrip('.')} {part}"
        else:
            merged.append(part)
    return [run for part in merged for run in _runs(part)]


# VADER reads a sentence in time that grows with the square of its length (each word looks back over all of it): a
# text pasted without full stops would take seconds. Nobody writes a sentence this long; a longer run is read in pieces.
_MOST_WORDS_A_SENTENCE = 80


def _runs(sentence: str) -> list[str]:
    words = sentence.split(" ")
    if len(words) <= _MOST_WORDS_A_SENTENCE:
        return [sentence]
    return [" ".join(words[start : start + _MOST_WORDS_A_SENTENCE]) for start in range(0, len(words), _MOST_WORDS_A_SENTENCE)]


def _clauses(sentence: str) -> list[str]:
    leading = _LEADING_CONCESSION.match(sentence)
    parts = [leading.group(1), leading.group(2)] if leading else [sentence]
    return [piece.strip() for part in parts for piece in _CONTRAST.split(part) if piece and piece.strip(" ,;")]


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _strength(text: str, start: int, word: str) -> float:
    before = text[max(0, start - 30) : start]
    if _HEDGE.search(before):
        return _MILD_FELT
    if _MILD.match(word) and not _INTENSIFIER.search(before):
        return _MILD_FELT
    return _FELT


def _feelings(text: str) -> tuple[list[_Feeling], str]:
    """The feelings a clause names or carries, and the clause with the phrases read blanked (what VADER reads)."""
    found: list[_Feeling] = []
    for phrase in _words().feeling_phrases:
        for match in phrase.pattern.finditer(text):
            if not _negated(text, match.start()):
                found.extend(_Feeling(name, phrase.strength, match.group(0), match.start()) for name in phrase.names)
                found.extend(_Feeling(name, _MILD_FELT, match.group(0), match.start(), before=True) for name in phrase.after)
            text = _blank(text, match.start(), match.end())
    for name, pattern in _words().emotions.items():
        for match in pattern.finditer(text):
            if _negated(text, match.start()):
                found.extend(_negation(name, text, match))
                continue
            found.append(_Feeling(name, _strength(text, match.start(), match.group(0)), match.group(0), match.start()))
    joy_at = [f.at for f in found if f.name == "joy"]
    found = [f for f in found if not (f.name == "sadness" and _CRYING.match(f.word) and any(abs(f.at - at) <= _NEARBY for at in joy_at))]
    if any(_LAUGHING.match(f.word) for f in found):
        found = [f for f in found if not (f.name == "frustration" and _words().mishap.fullmatch(f.word))]
    return found, text


def _negation(name: str, text: str, match: re.Match[str]) -> list[_Feeling]:
    """A negated feeling: "not happy" is a let-down, "not disappointed" a pleasure, "not worried any more"
    a relief; any other negated feeling is none."""
    if name in _NEGATED_JOY:
        return [_Feeling("disappointment", _FELT, match.group(0))]
    if name in {"disappointment", "guilt"}:
        return [_Feeling("joy", _FELT, match.group(0))]
    after, before = text[match.end() : match.end() + 40], text[max(0, match.start() - 40) : match.start()]
    if name in _NEGATIVE_FEELINGS and (_PASSED_AFTER.match(after) or _NO_LONGER.search(before)):
        return [_Feeling("relief", _FELT, match.group(0))]
    return []


def _negated(text: str, start: int) -> bool:
    return bool(_NEGATED.search(text[max(0, start - 40) : start]))


def _theme_hits(text: str) -> tuple[dict[str, float], set[str], set[str]]:
    """The themes a text gives evidence for, the subjects of the events it tells, and the themes a clear word
    or phrase names (not weak words alone). An event says its own subject ("a wake" is grief, "eight years,
    two suitcases" a breakup), and its words count for no other."""
    hits: dict[str, float] = {}
    events: set[str] = set()
    for phrase in _words().feeling_phrases:
        if not phrase.theme:
            continue
        for match in phrase.pattern.finditer(text):
            if not _negated(text, match.start()):
                events.add(phrase.theme)
                hits[phrase.theme] = hits.get(phrase.theme, 0.0) + 1.0
            text = _blank(text, match.start(), match.end())
    for pattern, sense in _words().theme_senses:
        for match in pattern.finditer(text):
            if sense:
                theme, weight = sense if isinstance(sense, tuple) else (sense, 1.0)
                hits[theme] = hits.get(theme, 0.0) + weight
            text = _blank(text, match.start(), match.end())
    clear = {name for name, weight in hits.items() if weight >= _THEME_EVIDENCE}
    for table, weight in ((_words().themes, 1.0), (_words().weak_themes, _WEAK)):
        for name, pattern in table.items():
            count = len(pattern.findall(text))
            if count:
                hits[name] = hits.get(name, 0.0) + weight * count
                if weight >= _THEME_EVIDENCE:
                    clear.add(name)
    return hits, events, clear


def _read_clause(text: str, french: bool = False) -> _Clause:
    feelings, rest = _feelings(text)
    return _Clause(text, _polarity(rest, french=french), feelings)


def _read(text: str, position: int, *, french: bool = False) -> _Sentence:
    clauses = [_read_clause(part, french) for part in _clauses(text)] or [_read_clause(text, french)]
    dismissed = [index - 1 for index, clause in enumerate(clauses) if index and _DISMISSAL.search(clause.text)]
    for index in dismissed:
        # "..., but nobody minded": the trouble before it counts for nothing, its good side still counts.
        clauses[index].feelings = [f for f in clauses[index].feelings if f.name in _POSITIVE_FEELINGS]
        clauses[index].compound = max(0.0, clauses[index].compound)
    if dismissed:
        compound = sum(clause.compound for clause in clauses) / len(clauses)
    elif len(clauses) > 1:
        # A sentence of several clauses is read whole as well: VADER weighs what follows a "but" more.
        compound = _polarity(_feelings(text)[1], french=french)
    else:
        compound = clauses[0].compound
    themes, events, clear = _theme_hits(text)
    return _Sentence(text, position, clauses, compound, themes, events, clear)


def _bad(sentence: _Sentence) -> bool:
    return sentence.sarcastic or any(f.name in _NEGATIVE_FEELINGS for f in sentence.feelings) or sentence.compound <= -_FAINT


def _scare_quoted(text: str) -> list[str]:
    return [match.group(2).lower() for match in _SCARE_QUOTES.finditer(text) if not _QUOTING.search(text[: match.start()])]


def _mark_sarcasm(sentences: list[_Sentence]) -> None:
    """Irony: positive words said about a bad turn. Marked twice over so that a bare "Perfect." after an
    ironic sentence, or one repeating its praise ("Perfect. Absolutely perfect end to a perfect week"), is read too."""
    for _ in range(2):
        for index, sentence in enumerate(sentences):
            if sentence.sarcastic:
                continue
            neighbours = sentences[max(0, index - 1) : index] + sentences[index + 1 : index + 2]
            around_bad = _bad(sentence) or any(_bad(other) for other in neighbours)
            # Repeating the ironic word ("'relaxing' ... So relaxing.", "Perfect. Absolutely perfect end") keeps the irony going.
            echoed = (
                index > 0
                and sentences[index - 1].sarcastic
                and bool(_praise_words(sentences[index - 1]) & set(re.findall(r"[\w'-]+", sentence.text.lower())))
            )
            if (
                _words().irony.search(sentence.text)
                or _scare_quoted(sentence.text)
                or (_bad(sentence) and _words().irony_if_bad_here.search(sentence.text))
                or (around_bad and (_words().irony_if_bad.search(sentence.text) or _words().bare_praise.match(sentence.text)))
                or echoed
                # "going SO smoothly" next to a mishap: praise shouted in capitals is irony.
                or (around_bad and bool(_SHOUTED.search(sentence.text)) and bool(_words().praise.search(sentence.text)))
                # An appraisal alone ("Wonderful start to the week.", "Can't wait for next year.") said after a bad turn,
                # in an entry where nothing else is good, is said of that turn, however far back it was told.
                or (
                    _praise_only(sentence)
                    and any(_bad(other) for other in sentences[:index])
                    and not any(_sincerely_good(other) for other in sentences if other is not sentence)
                )
            ):
                sentence.sarcastic = True
    for sentence in sentences:
        if sentence.sarcastic:
            # The praise was not meant: its joy goes, the frustration under it stays.
            for clause in sentence.clauses:
                clause.feelings = [f for f in clause.feelings if f.name in _NEGATIVE_FEELINGS]
            sentence.clauses[0].feelings.append(_Feeling("frustration", _FELT))


# An appraisal said of something else is short: a longer sentence tells its own story.
_APPRAISAL_WORDS = 10


def _appraisal(text: str) -> bool:
    return bool(_words().praise.search(text) or _words().irony_if_bad.search(text) or _words().irony_if_bad_here.search(text))


def _praise_only(sentence: _Sentence) -> bool:
    """A short sentence whose only warmth is an appraisal: praise words, a "can't wait", a "made my day"."""
    if len(sentence.text.split()) > _APPRAISAL_WORDS or not _appraisal(sentence.text):
        return False
    if any(f.name in _POSITIVE_FEELINGS and not _appraisal(f.word) for f in sentence.feelings):
        return False
    rest = _words().praise.sub(" ", sentence.text)
    return _vader().polarity_scores(rest)["compound"] < _FAINT


def _sincerely_good(sentence: _Sentence) -> bool:
    """Good news told, not only praised: a positive event or feeling, or a sentence warm beyond its praise words."""
    return not sentence.sarcastic and not _praise_only(sentence) and sentence.valence >= _FAINT


def _praise_words(sentence: _Sentence) -> set[str]:
    return {word.lower() for word in _words().praise.findall(sentence.text)} | set(_scare_quoted(sentence.text))


def _clip(text: str, limit: int = SUMMARY_MAX) -> str:
    if len(text) <= limit:
        return text
    shortened = textwrap.shorten(text, limit, placeholder="…")
    # Text without spaces (Japanese, Chinese, a long URL) has no word boundary near the limit: cut it there.
    return shortened if len(shortened) > limit // 2 else text[: limit - 1] + "…"


def _label(score: float, sentences: list[_Sentence], *, by_mood: bool = False) -> str:
    if by_mood:
        return "positive" if score >= _POSITIVE else "negative" if score <= _NEGATIVE else "neutral"
    moments = [moment for sentence in sentences for moment in sentence.strong_moments()]
    if any("grief" in sentence.events or sentence.themes.get("grief") for sentence in sentences):
        # By a deathbed or a grave, a tender act ("held his hand, played his records") is no joy of its own:
        # only a good feeling named makes such a day mixed.
        moments = [
            (positive and (sentence.sarcastic or clause.side(_POSITIVE_FEELINGS) > 0), negative)
            for sentence in sentences
            for clause, (positive, negative) in zip(sentence.clauses, sentence.strong_moments(), strict=False)
        ]
    if any(positive for positive, _ in moments) and any(negative for _, negative in moments):
        return "mixed"
    named = {f.name for s in sentences for f in s.feelings}
    if not named and all(abs(s.valence) < _FAINT for s in sentences):
        return "neutral"
    # Feelings named on one side only settle a near-zero score that VADER's small weights ("security") blur.
    if named and abs(score) < _POSITIVE and (named <= _NEGATIVE_FEELINGS or named <= _POSITIVE_FEELINGS):
        return "negative" if named <= _NEGATIVE_FEELINGS else "positive"
    if score >= _POSITIVE:
        return "positive"
    if score <= _NEGATIVE:
        return "negative"
    return "neutral"


def _mood(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)  # also a Decimal from DynamoDB or a "4" from a form
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= 5 else None


def insight(data: Mapping[str, Any]) -> dict[str, Any]:
    """The insight of one entry: data = {"content", "title"?, "mood"? (1-5), "tags"?}."""
    content = str(data.get("content") or "").replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    title = " ".join(str(data.get("title") or "").replace("\u2019", "'").split())
    raw_tags = data.get("tags") or ()
    tags = [str(tag) for tag in ([raw_tags] if isinstance(raw_tags, str) else raw_tags) if str(tag).strip()]

    french = _is_french(f"{title} {content}")
    sentences = [_read(text, index, french=french) for index, text in enumerate(_sentences(content))]
    _mark_sarcasm(sentences)
    if any("grief" in sentence.events or sentence.themes.get("grief") for sentence in sentences):
        for sentence in sentences:
            sentence.tender = not any(f.name in _POSITIVE_FEELINGS for f in sentence.feelings)
    heading = _read(title, -1, french=french) if title else None
    read = sentences or ([heading] if heading else [])

    # Sentences weigh by their own strength: a flat "I have three months of savings." does not dilute
    # "Got laid off this morning."
    weight = sum(abs(s.valence) for s in read)
    score = sum(s.valence * abs(s.valence) for s in read) / weight if weight else 0.0
    mood = _mood(data.get("mood"))
    by_mood = mood is not None and not any(s.valence for s in read)
    if by_mood and mood is not None:
        # Words neither reading understands (another language, a list of names): the writer's own mood
        # (1-5) is the only signal, taken at half strength.
        score = (mood - 3) / 4
    score = round(max(-1.0, min(1.0, score)), 3)

    everything = read + ([heading] if heading and sentences else [])
    summary = max(sentences, key=lambda s: (s.salience, -s.position)).text if sentences else title
    label = _label(score, read, by_mood=by_mood)
    return {
        "sentiment": {"score": score, "label": label},
        "emotions": _emotions(everything, label),
        "themes": _themes(everything, tags),
        "summary": _clip(summary) or "An entry without words.",
    }


def _emotions(sentences: list[_Sentence], label: str) -> list[dict[str, Any]]:
    found: dict[str, tuple[int, list[float]]] = {}
    for sentence in sentences:
        for feeling in sentence.feelings:
            hits, strengths = found.get(feeling.name, (0, []))
            found[feeling.name] = (hits + 1, [*strengths, max(abs(sentence.valence), feeling.strength)])
    for sentence in sentences:
        for feeling in sentence.earlier:
            # A feeling the day has left behind ranks below those it tells, and only where nothing names it.
            found.setdefault(feeling.name, (1, [feeling.strength]))
    # A side of the day that no word of ours names is still felt: joy on the bright side, sadness on the dark one.
    for names, fallback, side, labels in (
        (_POSITIVE_FEELINGS, "joy", 0, {"positive", "mixed"}),
        (_NEGATIVE_FEELINGS, "sadness", 1, {"negative", "mixed"}),
    ):
        if label in labels and not found.keys() & names:
            strongest = max((moment[side] for s in sentences if not s.sarcastic for moment in s.moments()), default=0.0)
            if strongest > 0:
                found[fallback] = (1, [strongest])
    order = list(_words().emotions)
    ranked = []
    for name, (hits, strengths) in found.items():
        # Named more often and in stronger sentences reads as felt more strongly.
        intensity = min(1.0, 0.35 + 0.15 * (hits - 1) + 0.4 * sum(strengths) / len(strengths))
        ranked.append((round(intensity, 2), hits, -order.index(name), name))
    ranked.sort(reverse=True)
    return [{"name": name, "intensity": intensity} for intensity, _, _, name in ranked[:MAX_EMOTIONS]]


def _themes(sentences: list[_Sentence], tags: list[str]) -> list[str]:
    counts: dict[str, float] = {}
    for sentence in sentences:
        for name, weight in sentence.themes.items():
            counts[name] = counts.get(name, 0.0) + weight
    clear = set().union(*(sentence.clear for sentence in sentences)) if sentences else set()
    if clear - _SETTINGS:
        # A scene made only of weak words ("the drive back", "paid for parking") is no subject when a clear one is there.
        counts = {name: weight for name, weight in counts.items() if name not in _SETTINGS or name in clear}
    if counts.get("grief") or any(sentence.events & _LOSS for sentence in sentences):
        # In an entry about a loss, a place, a vehicle, a price or a plant met once is the scene, not the subject
        # ("the flowers were too expensive", "took the train to my mum's").
        counts = {name: weight for name, weight in counts.items() if name not in _SETTINGS or weight >= 2 * _THEME_EVIDENCE}
    for tag in tags:
        # The writer's own tags say what the entry is about more surely than any one sentence.
        for name in set(_theme_hits(tag)[0]) | ({tag.strip().lower()} & set(_words().themes)):
            counts[name] = counts.get(name, 0.0) + 2
    order = list(_words().themes)
    kept = [name for name, weight in counts.items() if weight >= _THEME_EVIDENCE]
    return sorted(kept, key=lambda name: (-counts[name], order.index(name)))[:MAX_THEMES]


def sample_data() -> dict[str, dict[str, Any]]:
    """An example input (for prompt checks and documentation)."""
    return {
        "journal.insight": {
            "content": (
                "Work was hectic again and the deadline moved up, so I felt stressed most of the morning. "
                "In the evening I went for a long walk by the river with my sister. "
                "I'm really grateful for her; we laughed about our old holidays and I finally felt calm."
            ),
            "title": "A long Tuesday",
            "mood": 4,
            "tags": ["family", "work"],
        }
    }


if __name__ == "__main__":  # pragma: no cover - a quick look: python -m zik.journal.offline
    import json

    print(json.dumps(insight(sample_data()["journal.insight"]), indent=2, ensure_ascii=False))
