"""The career's words (vocabulary.json): skills in their canonical names, role families, seniority levels.
Resumes, profiles and postings are read against the same words, so that a match compares like with like.
Pure and loaded once per execution environment."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

VOCABULARY = Path(__file__).with_name("vocabulary.json")
# Words of a technical text: "c++", "c#", "node.js", "ci/cd", ".net", "a/b" stay whole.
_TOKEN = re.compile(r"\.net\b|[a-z0-9][a-z0-9+#./&'-]*[a-z0-9+#]|[a-z0-9][+#]*", re.IGNORECASE)
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Role:
    key: str
    name: str
    titles: tuple[str, ...]
    core: tuple[str, ...]  # the skills the role asks for most often


@dataclass(frozen=True)
class Seniority:
    key: str
    rank: int
    words: tuple[str, ...]


@cache
def _data() -> dict:
    return json.loads(VOCABULARY.read_text(encoding="utf-8"))


def tokens(text: str) -> list[str]:
    """The words of ``text`` as written (case kept), accents folded, trailing punctuation dropped."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return [token.rstrip(".,;:/&'-") or token for token in _TOKEN.findall(folded)]


@cache
def _aliases() -> dict[tuple[str, ...], str]:
    """Every alias as a token sequence -> its canonical skill (canonical names are aliases of themselves)."""
    table: dict[tuple[str, ...], str] = {}
    for group in _data()["skills"].values():
        for name, aliases in group.items():
            for alias in (name, *aliases):
                words = tuple(t.lower() for t in tokens(alias))
                if words:
                    table.setdefault(words, name)
    return table


@cache
def _ambiguous() -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(t.lower() for t in tokens(alias)) for alias in _data()["ambiguous"]["aliases"])


@cache
def _longest_alias() -> int:
    return max(len(words) for words in _aliases())


def skills() -> list[str]:
    """Every canonical skill."""
    return [name for group in _data()["skills"].values() for name in group]


@cache
def _groups() -> dict[str, str]:
    return {name: group for group, names in _data()["skills"].items() for name in names}


def skill_group(name: str) -> str:
    """The group a canonical skill belongs to (languages, frameworks, data, ml, cloud, practice, design,
    business); "" for a skill the vocabulary does not know."""
    return _groups().get(name, "")


def skills_in(text: str) -> list[str]:
    """The canonical skills ``text`` names, in the order first named. Longest phrase first ("react native"
    is not also "React"); an alias that is also an English word ("go", "rest", "swift") counts only when
    written as a name (not all lower case)."""
    words = tokens(text)
    lower = [w.lower() for w in words]
    aliases, ambiguous = _aliases(), _ambiguous()
    found: dict[str, None] = {}
    i = 0
    while i < len(words):
        for size in range(min(_longest_alias(), len(words) - i), 0, -1):
            phrase = tuple(lower[i : i + size])
            name = aliases.get(phrase)
            if name is None:
                continue
            if phrase in ambiguous and all(w == w.lower() for w in words[i : i + size]):
                continue
            found.setdefault(name, None)
            i += size
            break
        else:
            i += 1
    return list(found)


def canonical_skill(name: str) -> str:
    """A skill as the vocabulary names it ("postgres" -> "PostgreSQL"); an unknown skill keeps its own
    spelling, trimmed, with its inner spaces collapsed."""
    cleaned = " ".join(name.split())
    words = tuple(t.lower() for t in tokens(cleaned))
    return _aliases().get(words, cleaned)


def canonical_skills(names: Iterable[str]) -> list[str]:
    """Canonical names, each once (case-insensitively), in the order given."""
    seen: dict[str, str] = {}
    for name in names:
        skill = canonical_skill(name)
        if skill:
            seen.setdefault(skill.lower(), skill)
    return list(seen.values())


@cache
def roles() -> tuple[Role, ...]:
    return tuple(Role(r["key"], r["name"], tuple(r["titles"]), tuple(r["core"])) for r in _data()["roles"])


def role(key: str) -> Role | None:
    return next((r for r in roles() if r.key == key), None)


def _padded(text: str) -> str:
    return " " + " ".join(t.lower() for t in tokens(text)) + " "


def role_of(title: str) -> Role | None:
    """The role family a job title (or a role someone names) belongs to: the first family, most specific
    first, one of whose title phrases it holds; None for a title no family knows."""
    padded = _padded(title)
    for candidate in roles():
        if any(_padded(phrase) in padded for phrase in candidate.titles) or _padded(candidate.name) in padded:
            return candidate
    return None


def role_key(title: str) -> str:
    """The role family's key, or a slug of the title itself when no family knows it."""
    found = role_of(title)
    return found.key if found else slug(title) or "other"


@cache
def seniorities() -> tuple[Seniority, ...]:
    return tuple(Seniority(s["key"], s["rank"], tuple(s["words"])) for s in _data()["seniority"])


def seniority_of(title: str, default: str = "mid") -> str:
    """The seniority a title states ("Sr. Data Engineer" -> senior, "Software Engineer II" -> mid), else
    ``default``."""
    padded = _padded(title)
    for level in seniorities():
        if any(_padded(word) in padded for word in level.words):
            return level.key
    return default


def seniority_rank(key: str) -> int:
    return next((s.rank for s in seniorities() if s.key == key), 2)


def stage_seniority(career_stage: str | None) -> str | None:
    """The seniority a career stage ("entry", "senior", ...) corresponds to."""
    return _data()["careerStages"].get(career_stage or "")


def career_stages() -> list[str]:
    return list(_data()["careerStages"])


def slug(text: str) -> str:
    """Lower-case ASCII words joined by '-': keys of roles and places ("São Paulo" -> "sao-paulo")."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    return _SLUG.sub("-", folded).strip("-")[:64]
