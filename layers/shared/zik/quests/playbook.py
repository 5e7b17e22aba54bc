"""The offline planner's words, kept as data: one file per kind of goal in ``zik/quests/kinds/`` (English)
and ``zik/quests/kinds/<language>/`` (the same kinds in another language), read once, and a small renderer.

A kind's file (TOML) holds:
    family      the family ``detect_kind`` answers (a kind's flavours share one: weight and strength are fitness)
    when        a pattern that picks this file among its family's (absent: the family's default)
    rank        the order a family's flavours are tried in (lower first)
    facts       the fact finders its words need (``zik.quests.goal_facts.FINDERS``)
    [detect]    rules = [[pattern, weight], ...] scoring the family; categories = app categories that hint it
    [[minimum]] the shortest realistic span: when (pattern, or none: always), days, why, per_week_fact, and for a
                person starting from nothing ("complete beginner", "never played"): beginner_days, beginner_why
    [[variant]] facts for a goal whose words match ``when`` (the first that does)
    [[stage]]   role (setup, core, final), keep (lower is kept in shorter plans), title and text: lists of
                alternates, the first whose {facts} are all known is used
    [[task]]    phase (start, build, finish), role (setup, core, review, final), title and text
A language's file needs only what it words (stages, tasks, the reasons of ``[[minimum]]``, variants); the
rest comes from the English file of the same name. ``_common.toml`` holds the words every kind shares.
Adding a kind is adding a file.

``_ambition.toml`` holds the levels of ambition any kind can name (a black belt, an orchestra, a Channel swim, a
professional certification), each with the shortest realistic span from where the person starts; a language's
``_ambition.toml`` words their reasons by the level's name.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from zik.quests.wording import LazyPattern

KINDS = Path(__file__).parent / "kinds"
LANGUAGES = ("en", "fr")
PHASES = ("start", "build", "finish")
STAGE_ROLES = ("setup", "core", "final")
TASK_ROLES = ("setup", "core", "review", "final")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


class MissingFact(LookupError):
    """No alternate of a text has every fact it names: a kind file without a last, fact-free alternate."""


@dataclass(frozen=True)
class Stage:
    role: str
    keep: int
    title: tuple[str, ...]
    text: tuple[str, ...]


@dataclass(frozen=True)
class Task:
    phase: str
    role: str
    title: tuple[str, ...]
    text: tuple[str, ...]


@dataclass(frozen=True)
class Minimum:
    pattern: LazyPattern | None
    days: int
    why: str
    per_week_fact: str = ""
    beginner_days: int = 0
    beginner_why: str = ""


@dataclass(frozen=True)
class Level:
    """A level of ambition (``_ambition.toml``): the goal names it (``when``, and at least ``min_km`` of a distance);
    ``days`` is its shortest span for someone on the way, ``near_days`` for a starting level close to it (``near``,
    read in where the person stands), ``beginner_days`` for someone starting from nothing."""

    name: str
    pattern: LazyPattern
    days: int
    why: str
    min_km: float = 0.0
    near: LazyPattern | None = None
    near_days: int = 0
    beginner_days: int = 0
    beginner_why: str = ""


@dataclass(frozen=True)
class Variant:
    pattern: LazyPattern
    facts: dict[str, str]


@dataclass(frozen=True)
class Kind:
    name: str
    family: str
    language: str
    when: LazyPattern | None
    rank: int
    facts: tuple[str, ...]
    keeps_time_words: bool
    minimum: tuple[Minimum, ...]
    variants: tuple[Variant, ...]
    stages: tuple[Stage, ...]
    tasks: tuple[Task, ...]
    detect: tuple[tuple[LazyPattern, int], ...] = ()
    categories: tuple[str, ...] = field(default=())


def _alternates(value: Any) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, list) else (str(value),)


def _pattern(source: str | None) -> LazyPattern | None:
    return LazyPattern(source, re.IGNORECASE) if source else None


def _read(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        try:
            return tomllib.load(handle)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path.relative_to(KINDS)}: {exc}") from None


def _kind(name: str, language: str, data: dict[str, Any], base: dict[str, Any]) -> Kind:
    def pick(key: str, default: Any) -> Any:
        return data.get(key, base.get(key, default))

    detect = base.get("detect", {})
    minimum = pick("minimum", [])
    whys = data.get("minimum_why")  # a language's file may word the English file's minimums, in order
    beginner_whys = data.get("minimum_beginner_why")
    return Kind(
        name=name,
        family=base.get("family", name),
        language=language,
        when=_pattern(base.get("when")),
        rank=int(base.get("rank", 100)),
        facts=tuple(base.get("facts", ())),
        keeps_time_words=bool(base.get("keeps_time_words", False)),
        minimum=tuple(
            Minimum(
                _pattern(rule.get("when")),
                int(rule["days"]),
                whys[index] if whys and index < len(whys) else rule.get("why", ""),
                rule.get("per_week_fact", ""),
                int(rule.get("beginner_days", 0)),
                beginner_whys[index] if beginner_whys and index < len(beginner_whys) else rule.get("beginner_why", ""),
            )
            for index, rule in enumerate(minimum)
        ),
        variants=tuple(Variant(LazyPattern(v["when"], re.IGNORECASE), {k: str(x) for k, x in v.items() if k != "when"}) for v in pick("variant", [])),
        stages=tuple(Stage(s["role"], int(s.get("keep", 9)), _alternates(s["title"]), _alternates(s["text"])) for s in data.get("stage", [])),
        tasks=tuple(Task(t["phase"], t.get("role", "core"), _alternates(t["title"]), _alternates(t["text"])) for t in data.get("task", [])),
        detect=tuple((LazyPattern(p, re.IGNORECASE), int(w)) for p, w in detect.get("rules", [])),
        categories=tuple(c.lower() for c in detect.get("categories", [])),
    )


@cache
def kinds(language: str = "en") -> dict[str, Kind]:
    """Every kind, by name, worded in ``language`` (a kind with no file in that language: the English one)."""
    english = {path.stem: _read(path) for path in sorted(KINDS.glob("*.toml")) if not path.stem.startswith("_")}
    result = {}
    for name, base in english.items():
        own = KINDS / language / f"{name}.toml"
        if language != "en" and own.exists():
            result[name] = _kind(name, language, _read(own), base)
        else:
            result[name] = _kind(name, "en", base, base)
    return result


@cache
def common(language: str = "en") -> dict[str, tuple[str, ...]]:
    """The words every kind shares (the summary, the coach's message, the review task), in ``language``."""
    path = KINDS / language / "_common.toml" if language != "en" else KINDS / "_common.toml"
    english = {key: _alternates(value) for key, value in _read(KINDS / "_common.toml").items()}
    if not path.exists():
        return english
    return {**english, **{key: _alternates(value) for key, value in _read(path).items()}}


@cache
def levels(language: str = "en") -> tuple[Level, ...]:
    """The levels of ambition any kind can name, their reasons worded in ``language`` (English where it has none)."""
    english = _read(KINDS / "_ambition.toml")
    path = KINDS / language / "_ambition.toml"
    own = _read(path) if language != "en" and path.exists() else {}
    whys, beginner_whys = own.get("why", {}), own.get("beginner_why", {})
    return tuple(
        Level(
            name=level["name"],
            pattern=LazyPattern(level["when"], re.IGNORECASE),
            days=int(level["days"]),
            why=whys.get(level["name"], level["why"]),
            min_km=float(level.get("min_km", 0)),
            near=_pattern(level.get("near")),
            near_days=int(level.get("near_days", 0)),
            beginner_days=int(level.get("beginner_days", 0)),
            beginner_why=beginner_whys.get(level["name"], level.get("beginner_why", "")),
        )
        for level in english.get("level", [])
    )


@cache
def settings() -> dict[str, Any]:
    """The numbers of ``_ambition.toml`` that are no level: the share of an income a money goal can take, the
    weekly growth of a distance, the sports whose distance is one effort."""
    return {key: value for key, value in _read(KINDS / "_ambition.toml").items() if key != "level"}


@cache
def families() -> dict[str, tuple[tuple[LazyPattern, int], ...]]:
    """Each family's detection rules, in the order ties are broken by (the files' ``rank`` of their detect tables)."""
    found = [(kind.rank, kind.family, kind.detect) for kind in kinds("en").values() if kind.detect]
    return {family: detect for _, family, detect in sorted(found, key=lambda item: item[0])}


@cache
def category_hints() -> dict[str, str]:
    return {category: kind.family for kind in kinds("en").values() for category in kind.categories}


def choose(family: str, text: str) -> Kind:
    """The kind of ``family`` for a goal's text (worded in English): the first flavour (by rank) whose ``when``
    matches, else the family's default."""
    members = sorted((k for k in kinds("en").values() if k.family == family), key=lambda k: (k.rank, k.name))
    if not members:
        members = [kinds("en")["generic"]]
    chosen = next((k for k in members if k.when is not None and k.when.search(text)), None)
    return chosen or next((k for k in members if k.when is None), members[0])


def in_language(kind: Kind, language: str) -> Kind:
    """The same kind worded in ``language``; a kind with no file there falls back to its family's, then to generic's."""
    if language == "en" or kind.language == language:
        return kind
    worded = kinds(language)
    for name in (kind.name, kind.family, "generic"):
        if name in worded and worded[name].language == language:
            return worded[name]
    return kind


def render(alternates: tuple[str, ...], facts: dict[str, str]) -> str:
    """The first alternate whose {facts} are all known, filled in (no code runs: a placeholder is a name)."""
    for text in alternates:
        names = _PLACEHOLDER.findall(text)
        if all(facts.get(name) for name in names):
            return _contracted(_PLACEHOLDER.sub(lambda match: _JOINT + facts[match.group(1)], text))
    raise MissingFact(f"no alternate of {alternates[0]!r} has its facts (known: {', '.join(sorted(facts))})")


# Where a fact was put in, French contracts across the seam ("jouer de" + "le piano" is "jouer du piano", "de" +
# "Islande" is "d'Islande"); the seam is marked while filling in so that the file's own words are never touched.
_JOINT = "\x00"
_FRENCH_SEAMS = (
    (re.compile(r"\b([dD])e \x00les "), r"\1es "),
    (re.compile(r"\b([dD])e \x00le "), r"\1u "),
    (re.compile(r"\b([àÀ]) \x00les "), "aux "),
    (re.compile(r"\b([àÀ]) \x00le "), "au "),
    (re.compile(r"\b([dDlLjJ])[ea] \x00(?=[aeiouyhàâéèêëîïôûAEIOUYHÀÂÉÈÊÎÔ])"), r"\1'"),
    (re.compile(r"\b([qQ])ue \x00(?=[aeiouyàâéèêîôAEIOUYÀÂÉÈÊÎÔ])"), r"\1u'"),
)


def _contracted(text: str) -> str:
    if _JOINT not in text:
        return text
    for seam, joined in _FRENCH_SEAMS:
        text = seam.sub(joined, text)
    return text.replace(_JOINT, "")
