"""The journal's offline AI rules: what the ``local`` provider answers for ``journal.insight``.

Sentiment comes from VADER (a lexicon and rule-based analyser made for short informal English text),
read sentence by sentence and averaged, as its authors advise for paragraphs. Emotions and themes come
from small keyword lexicons of ours; the summary is the entry's own most salient sentence. Deterministic,
no network; text in another language gets a neutral answer that is still valid.
"""

from __future__ import annotations

import re
import textwrap
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["EMOTIONS", "THEMES", "insight", "sample_data"]

SUMMARY_MAX = 200
MAX_EMOTIONS = MAX_THEMES = 5
# VADER's own cut-offs for a positive / negative compound score.
_POSITIVE, _NEGATIVE = 0.05, -0.05
# A sentence this strong either way is a feeling of its own: one of each makes the entry "mixed".
_STRONG = 0.4

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


def _lexicon(table: Mapping[str, str]) -> dict[str, re.Pattern[str]]:
    # Plurals come free ("holiday" finds "holidays"): the tables list each word once.
    return {name: re.compile(rf"\b(?:{words})(?:s|es)?\b", re.IGNORECASE) for name, words in table.items()}


EMOTIONS = _lexicon(
    {
        "joy": r"happy|happier|happiest|happiness|joy|joyful|delighted|glad|cheerful|thrilled|excited|exciting|elated|wonderful|amazing|fun|laugh(?:ed|ing|ter)?|smil(?:e|ed|ing)",
        "gratitude": r"grateful|thankful|thank(?:s|ed)?|appreciat(?:e|ed|ive|ion)|blessed|gratitude",
        "calm": r"calm|calmer|peaceful|peace|relaxed|relaxing|serene|at ease|tranquil|unhurried",
        "love": r"love|loved|loving|lovely|adore[ds]?|affection(?:ate)?|cherish(?:ed)?|hug(?:s|ged)?|tender",
        "pride": r"proud|pride|accomplished|achieved|nailed it|succeeded|managed to|finally did",
        "hope": r"hope|hoped|hopeful|hoping|optimistic|looking forward|can'?t wait|excited about|brighter",
        "sadness": r"sad|sadder|sadness|unhappy|cried|cry(?:ing)?|tears|depressed|heartbroken|grief|griev(?:e|ing)|gloomy|miserable|devastated|upset|hurt|heartache|sorrow|mourn(?:ing)?|down in the dumps|empty inside|miss(?:ing)? (?:him|her|them|you|home)",
        "anxiety": r"anxious|anxiety|worried|worry(?:ing)?|worries|nervous|stressed|stress(?:ful)?|panic(?:ked|king)?|overwhelmed|afraid|scared|fear(?:ful)?|uneasy|dread(?:ing)?|on edge",
        "anger": r"angry|anger|furious|mad at|rage|raging|irritated|annoyed|resent(?:ful|ment)?|livid|pissed",
        "frustration": r"frustrat(?:ed|ing|ion)|stuck|fed up|annoying|going nowhere|nothing works|pointless",
        "loneliness": r"lonely|loneliness|alone|isolated|left out|no one to talk to|nobody to talk to|disconnected",
        "fatigue": r"tired|exhausted|exhausting|exhaustion|drained|worn out|sleepy|burn(?:ed|t) out|burnout|fatigue[d]?|no energy|weary",
        "guilt": r"guilty|guilt|ashamed|shame|regret(?:s|ted|ful)?",
    }
)

THEMES = _lexicon(
    {
        "work": r"work(?:ed|ing)?|job|office|boss|manager|colleagues?|co-?workers?|meetings?|deadlines?|projects?|clients?|career|shift|promotion|interview",
        "family": r"family|mom|mum|mother|dad|father|parents?|sister|brother|siblings?|son|daughter|kids|children|grandma|grandmother|grandpa|grandfather|aunt|uncle|cousins?",
        "relationships": r"partner|boyfriend|girlfriend|husband|wife|dating|date night|relationship|marriage|married|break-?up|crush|fianc[ée]e?",
        "friends": r"friends?|friendship|buddy|buddies|hung out|hang out|party",
        "health": r"health|healthy|doctor|sick|illness|ill|pain|headache|migraine|hospital|medication|meds|symptoms|flu|injury|therapy|therapist",
        "sleep": r"sleep|slept|sleeping|insomnia|nap|naps|bedtime|woke up|nightmare|rested",
        "exercise": r"exercise|workout|gym|run|ran|running|jog(?:ging)?|yoga|swim(?:ming)?|bike|cycling|training|walk(?:ed|ing)?|lifting|steps",
        "money": r"money|budget|bills?|rent|salary|debt|savings|saved up|spent|spending|paycheck|expensive|afford|bank|taxes",
        "study": r"study|studied|studying|exams?|class(?:es)?|lectures?|homework|school|university|college|course|assignment|thesis|revision",
        "nature": r"nature|park|forest|woods|garden(?:ing)?|beach|ocean|sea|mountains?|trees?|sunset|sunrise|birds?|flowers?|river|lake|hike|hiking|outdoors",
        "creativity": r"paint(?:ed|ing)?|draw(?:ing)?|drew|sketch(?:ed|ing)?|music|songs?|guitar|piano|art|creative|poem|poetry|short story|craft|photograph(?:y|s)?|design(?:ed|ing)?|novel",
        "travel": r"travel(?:l?ed|l?ing)?|trip|vacation|holiday|flight|airport|hotel|abroad|journey|road trip|sightseeing",
        "self-care": r"self-care|bath|meditat(?:e|ed|ing|ion)|me time|skincare|massage|pampered|journaling|unplugged|day off",
        "home": r"house|apartment|cleaning|cleaned|chores|laundry|tidied|decluttered|moving house|neighbou?rs?|landlord|renovat(?:e|ing|ion)",
        "food": r"food|ate|dinner|lunch|breakfast|meal|cook(?:ed|ing)?|bak(?:e|ed|ing)|recipe|restaurant",
        "pets": r"dog|dogs|cat|cats|puppy|kitten|pet|pets",
    }
)

# A feeling word right after one of these ("not happy", "wasn't worried", "never lonely") says the opposite.
_NEGATED = re.compile(r"\b(?:not|no|never|hardly|barely|without|nor|cannot|\w+n't)(?:\s+\w+){0,2}\s*$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|(?<=[。！？])|[\r\n]+")


@dataclass
class _Sentence:
    text: str
    position: int
    compound: float
    emotions: dict[str, int]
    themes: set[str]

    @property
    def salience(self) -> float:
        words = len(self.text.split())
        # Feeling carries most; a sentence naming a feeling or a subject outranks small talk, a fragment
        # or a run-on ranks lower.
        return abs(self.compound) + 0.3 * sum(self.emotions.values()) + 0.15 * len(self.themes) + (0.2 if 5 <= words <= 40 else 0)


def _sentences(text: str) -> list[str]:
    return [" ".join(part.split()) for part in _SENTENCE_END.split(text) if part and part.strip()]


def _emotion_hits(text: str) -> dict[str, int]:
    hits: dict[str, int] = {}
    for name, pattern in EMOTIONS.items():
        count = sum(1 for match in pattern.finditer(text) if not _NEGATED.search(text[max(0, match.start() - 40) : match.start()]))
        if count:
            hits[name] = count
    return hits


def _theme_hits(text: str) -> set[str]:
    return {name for name, pattern in THEMES.items() if pattern.search(text)}


def _read(text: str, position: int) -> _Sentence:
    return _Sentence(text, position, _vader().polarity_scores(text)["compound"], _emotion_hits(text), _theme_hits(text))


def _clip(text: str, limit: int = SUMMARY_MAX) -> str:
    if len(text) <= limit:
        return text
    shortened = textwrap.shorten(text, limit, placeholder="…")
    # Text without spaces (Japanese, Chinese, a long URL) has no word boundary near the limit: cut it there.
    return shortened if len(shortened) > limit // 2 else text[: limit - 1] + "…"


def _label(score: float, sentences: list[_Sentence]) -> str:
    if any(s.compound >= _STRONG for s in sentences) and any(s.compound <= -_STRONG for s in sentences):
        return "mixed"
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
    content = str(data.get("content") or "").replace("\u2019", "'")
    title = " ".join(str(data.get("title") or "").replace("\u2019", "'").split())
    raw_tags = data.get("tags") or ()
    tags = [str(tag) for tag in ([raw_tags] if isinstance(raw_tags, str) else raw_tags) if str(tag).strip()]

    sentences = [_read(text, index) for index, text in enumerate(_sentences(content))]
    heading = _read(title, -1) if title else None
    read = sentences or ([heading] if heading else [])

    score = sum(s.compound for s in read) / len(read) if read else 0.0
    mood = _mood(data.get("mood"))
    if mood is not None and not any(s.compound for s in read):
        # Words VADER cannot read (another language, a list of names): the writer's own mood (1-5) is
        # the only signal, taken at half strength.
        score = (mood - 3) / 4
    score = round(max(-1.0, min(1.0, score)), 3)

    everything = read + ([heading] if heading and sentences else [])
    emotions = _emotions(everything)
    themes = _themes(everything, tags)
    summary = max(sentences, key=lambda s: (s.salience, -s.position)).text if sentences else title
    return {
        "sentiment": {"score": score, "label": _label(score, read)},
        "emotions": emotions,
        "themes": themes,
        "summary": _clip(summary) or "An entry without words.",
    }


def _emotions(sentences: list[_Sentence]) -> list[dict[str, Any]]:
    found: dict[str, tuple[int, list[float]]] = {}
    for sentence in sentences:
        for name, count in sentence.emotions.items():
            hits, strengths = found.get(name, (0, []))
            found[name] = (hits + count, [*strengths, abs(sentence.compound)])
    order = list(EMOTIONS)
    ranked = []
    for name, (hits, strengths) in found.items():
        # Named more often and in stronger sentences reads as felt more strongly.
        intensity = min(1.0, 0.35 + 0.15 * (hits - 1) + 0.4 * sum(strengths) / len(strengths))
        ranked.append((round(intensity, 2), hits, -order.index(name), name))
    ranked.sort(reverse=True)
    return [{"name": name, "intensity": intensity} for intensity, _, _, name in ranked[:MAX_EMOTIONS]]


def _themes(sentences: list[_Sentence], tags: list[str]) -> list[str]:
    counts: dict[str, int] = {}
    for sentence in sentences:
        for name in sentence.themes:
            counts[name] = counts.get(name, 0) + 1
    for tag in tags:
        # The writer's own tags say what the entry is about more surely than any one sentence.
        for name in _theme_hits(tag) | ({tag.strip().lower()} & set(THEMES)):
            counts[name] = counts.get(name, 0) + 2
    order = list(THEMES)
    return sorted(counts, key=lambda name: (-counts[name], order.index(name)))[:MAX_THEMES]


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
