"""The match of a career profile (with its resume) against a job: a compatibility score from 0 to 100,
the short reasons behind it and the skills the job asks for that the candidate lacks. Deterministic and
pure: the same profile and job always score the same, so scores need no cache and no AI.

The score is a weighted sum of five parts, each from 0 to 1 (the weights add up to 100):

  skills     45  the job's skills the candidate has (profile skills and resume skills together), each
                 skill of the job's role family's core counting twice (CORE_SKILL_WEIGHT): missing the
                 core of a role matters more than missing an extra. A job that names no skill is read
                 against its role's core skills; with neither, the part is NEUTRAL.
  seniority  20  the distance between the job's level and the candidate's (career stage, else the
                 resume's), on the vocabulary's ranks: same level 1; one level up (a stretch) 0.6;
                 one level down 0.7; two levels 0.25 down or 0.2 up; more, 0. Unknown: NEUTRAL.
  role       15  the job's role family among the preferred roles' families: 1; a neighbouring family
                 (backend and full-stack, data engineer and data scientist, ...) 0.6; another, 0.
                 No preferred role: NEUTRAL.
  location   10  remote and place against the preferences (see ``_location``).
  salary     10  the job's pay against the minimum, in the same currency only: its floor at or above
                 the minimum 1; its ceiling at or above it 0.75; below, falling to 0 at half the
                 minimum. No minimum, no pay stated or another currency: NEUTRAL.

NEUTRAL (0.5) is what an unknown part is worth: a job that says nothing about pay neither wins nor loses
against one that pays exactly the minimum and one that pays less. Every part only grows when the
candidate gains a skill the job asks for, and only shrinks when the minimum salary rises: the property
tests hold the score to that.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from zik.career import profiles, vocabulary

WEIGHTS = {"skills": 45, "seniority": 20, "role": 15, "location": 10, "salary": 10}
CORE_SKILL_WEIGHT = 2.0
NEUTRAL = 0.5
MAX_REASONS = 5
MAX_EXPLANATION_CHARS = 300

# How much a level above (a stretch) or below (over-qualified) the candidate's is worth, by distance.
_STRETCH = {0: 1.0, 1: 0.6, 2: 0.2}
_BELOW = {0: 1.0, 1: 0.7, 2: 0.25}
# Role families a candidate of one would also consider (both ways), worth ROLE_NEIGHBOUR.
ROLE_NEIGHBOUR = 0.6
_NEIGHBOURS = (
    {"software-engineer", "backend-engineer", "frontend-engineer", "full-stack-engineer", "mobile-engineer"},
    {"backend-engineer", "devops-engineer", "data-engineer"},
    {"data-engineer", "data-scientist", "data-analyst", "machine-learning-engineer"},
    {"devops-engineer", "security-engineer"},
    {"product-manager", "project-manager"},
    {"engineering-manager", "product-manager"},
    {"sales-representative", "customer-success-manager"},
)


@dataclass(frozen=True)
class Match:
    score: int
    reasons: list[str]
    matched_skills: list[str]
    missing_skills: list[str]
    parts: dict[str, float] = field(default_factory=dict)  # each part's value, 0 to 1
    notes: dict[str, str] = field(default_factory=dict)  # each part's reason, where it has one

    def as_dict(self) -> dict[str, Any]:
        return {"score": self.score, "reasons": self.reasons, "matchedSkills": self.matched_skills, "missingSkills": self.missing_skills}


@dataclass(frozen=True)
class _Part:
    value: float
    reason: str | None = None


@dataclass(frozen=True)
class Candidate:
    """What a match reads of a profile, read once for a whole page of jobs."""

    skills: frozenset[str]  # lower case: the profile's and the resume's
    seniority: str | None
    role_keys: tuple[str, ...]  # the preferred roles' families
    remote: str
    places: tuple[str, ...]
    min_salary: int | None
    currency: str | None


def candidate(profile: Mapping[str, Any]) -> Candidate:
    preferences = {**profiles.default_preferences(), **(profile.get("preferences") or {})}
    return Candidate(
        skills=frozenset(skill.lower() for skill in profiles.all_skills(profile)),
        seniority=profiles.career_seniority(profile),
        role_keys=tuple(vocabulary.role_key(role) for role in preferences.get("roles") or []),
        remote=preferences.get("remote") or "any",
        places=tuple(preferences.get("locations") or []),
        min_salary=preferences.get("minSalary"),
        currency=preferences.get("currency"),
    )


def match(profile: Mapping[str, Any] | Candidate, job: Mapping[str, Any]) -> Match:
    """The match of ``profile`` (a profile view, ``resume`` included when there is one, or its
    ``candidate``) against ``job`` (the "job" shape of ``tables``, as OpenJobsIndex projects it or whole)."""
    who = profile if isinstance(profile, Candidate) else candidate(profile)
    required, core = _required_skills(job)
    matched = [skill for skill in required if skill.lower() in who.skills]
    missing = sorted((skill for skill in required if skill.lower() not in who.skills), key=lambda s: (s not in core, required.index(s)))
    parts = {
        "skills": _skills(required, core, matched, missing),
        "seniority": _seniority(who.seniority, job.get("seniority") or vocabulary.seniority_of(job.get("title") or "")),
        "role": _role(who.role_keys, job),
        "location": _location(who, job),
        "salary": _salary(who, job.get("salary")),
    }
    score = round(sum(WEIGHTS[name] * part.value for name, part in parts.items()))
    notes = {name: part.reason for name, part in parts.items() if part.reason}
    # The reasons that weigh most come first (WEIGHTS is in that order): the skills, which one can act on.
    reasons = [notes[name] for name in WEIGHTS if name in notes][:MAX_REASONS]
    return Match(max(0, min(100, score)), reasons, matched, missing, {name: part.value for name, part in parts.items()}, notes)


# -- skills -----------------------------------------------------------------------------------------------
def _required_skills(job: Mapping[str, Any]) -> tuple[list[str], set[str]]:
    """The skills the job asks for (its role's core when it names none) and which of them are core."""
    family = vocabulary.role(job.get("roleKey") or "") or vocabulary.role_of(job.get("title") or "")
    core = family.core if family else ()
    return vocabulary.canonical_skills(job.get("skills") or []) or list(core), set(core)


def _skills(required: list[str], core: set[str], matched: list[str], missing: list[str]) -> _Part:
    if not required:
        return _Part(NEUTRAL)
    weight = {skill: CORE_SKILL_WEIGHT if skill in core else 1.0 for skill in required}
    value = sum(weight[s] for s in matched) / sum(weight.values())
    if not missing:
        return _Part(value, f"You have every skill it asks for ({_names(matched)})")
    if not matched:
        return _Part(value, f"You have none of the {len(required)} skills it asks for ({_names(missing)})")
    return _Part(value, f"You have {len(matched)} of {len(required)} skills it asks for ({_names(matched)}); missing {_names(missing)}")


def _names(skills: list[str], limit: int = 4) -> str:
    shown = ", ".join(skills[:limit])
    return shown + (f" and {len(skills) - limit} more" if len(skills) > limit else "")


# -- seniority --------------------------------------------------------------------------------------------
def _seniority(candidate: str | None, job_level: str) -> _Part:
    if not candidate:
        return _Part(NEUTRAL)
    gap = vocabulary.seniority_rank(job_level) - vocabulary.seniority_rank(candidate)
    value = (_STRETCH if gap > 0 else _BELOW).get(abs(gap), 0.0)
    level = job_level.capitalize()
    if gap == 0:
        return _Part(value, f"{level}-level role, your level")
    if gap > 0:
        return _Part(value, f"{level}-level role: {_levels(gap)} above your {candidate} level")
    return _Part(value, f"{level}-level role: {_levels(-gap)} below your {candidate} level")


def _levels(count: int) -> str:
    return "one level" if count == 1 else f"{count} levels"


# -- role -------------------------------------------------------------------------------------------------
def _role(keys: tuple[str, ...], job: Mapping[str, Any]) -> _Part:
    if not keys:
        return _Part(NEUTRAL)
    job_key = job.get("roleKey") or vocabulary.role_key(job.get("title") or "")
    family = vocabulary.role(job_key)
    name = family.name if family else (job.get("title") or job_key)
    if job_key in keys:
        return _Part(1.0, f"A {name} role, as you prefer")
    if any({job_key, key} <= group for key in keys for group in _NEIGHBOURS):
        return _Part(ROLE_NEIGHBOUR, f"A {name} role, next to the roles you prefer")
    return _Part(0.0, f"A {name} role, not among the roles you prefer")


# -- location and remote ----------------------------------------------------------------------------------
def location_matches(wanted: str, job: Mapping[str, Any]) -> bool:
    """Whether a place someone names ("Berlin", "Berlin, Germany", "germany") is where the job is."""
    place = vocabulary.slug(wanted)
    if not place:
        return False
    location = job.get("location") or {}
    keys = {job.get("locationKey") or ""} | {vocabulary.slug(str(location.get(k) or "")) for k in ("city", "region", "country", "display")}
    keys.discard("")
    return place in keys or any(place.startswith(key + "-") for key in keys if key != "remote")


def _location(who: Candidate, job: Mapping[str, Any]) -> _Part:
    """remote "remote": a remote job 1; else 0.5 in a preferred place, 0 elsewhere.
    "onsite" / "hybrid": in a preferred place 1 (no place preferred: NEUTRAL); a remote job elsewhere
    0.6 for hybrid, 0.3 for onsite; elsewhere 0.
    "any": a remote job or one in a preferred place 1; elsewhere 0 (no place preferred: NEUTRAL)."""
    remote, places = who.remote, who.places
    job_remote = bool(job.get("remote"))
    here = any(location_matches(place, job) for place in places)
    where = (job.get("location") or {}).get("display") or (job.get("location") or {}).get("city") or "an unstated place"
    if remote == "remote":
        if job_remote:
            return _Part(1.0, "Remote, as you prefer")
        return (
            _Part(0.5, f"On-site in {where}, one of your places, though you prefer remote")
            if here
            else _Part(0.0, f"On-site in {where}; you prefer remote")
        )
    if here:
        return _Part(1.0, f"In {where}, one of your places")
    if remote == "any" and job_remote:
        return _Part(1.0, "Remote")
    if remote in ("onsite", "hybrid") and job_remote:
        return _Part(0.6 if remote == "hybrid" else 0.3, f"Remote, while you prefer {'hybrid' if remote == 'hybrid' else 'on-site'} work")
    if not places:
        return _Part(NEUTRAL)
    return _Part(0.0, f"In {where}, outside your places")


# -- salary -----------------------------------------------------------------------------------------------
def _salary(who: Candidate, salary: Mapping[str, Any] | None) -> _Part:
    minimum, currency = who.min_salary, who.currency
    if not minimum or not currency or not salary or (salary.get("currency") or "").upper() != currency:
        return _Part(NEUTRAL)
    floor, ceiling = salary.get("min"), salary.get("max")
    top = ceiling if ceiling is not None else floor
    if top is None:
        return _Part(NEUTRAL)
    if floor is not None and floor >= minimum:
        return _Part(1.0, f"Pays from {_money(floor, currency)}, at or above your {_money(minimum, currency)} minimum")
    if top >= minimum:
        return _Part(0.75, f"Pays up to {_money(top, currency)}, reaching your {_money(minimum, currency)} minimum")
    shortfall = (minimum - top) / minimum
    return _Part(max(0.0, 0.5 - shortfall), f"Pays at most {_money(top, currency)}, below your {_money(minimum, currency)} minimum")


def _money(amount: float, currency: str) -> str:
    return f"{round(amount):,} {currency}"


# -- the sentence the offline rules write ------------------------------------------------------------------
def concern(result: Match) -> str | None:
    """The reason of the part other than skills that pulls the score down most (below NEUTRAL), if any:
    what a job seeker should weigh besides the skills."""
    weak = [(value, name) for name, value in result.parts.items() if name != "skills" and name in result.notes and value < NEUTRAL]
    return result.notes[min(weak)[1]] if weak else None


def explanation(entry: Mapping[str, Any]) -> str:
    """One sentence a job seeker can act on, made from a job's match as a jobs page sends it to the AI
    ({title, company, score, matchedSkills, missingSkills, concern}): the offline rules of
    ``career.match``, and what a page shows when the AI cannot answer."""
    score = int(entry["score"])
    label = "A strong" if score >= 80 else "A good" if score >= 60 else "A partial" if score >= 40 else "A weak"
    matched, missing = list(entry.get("matchedSkills") or []), list(entry.get("missingSkills") or [])
    clauses = []
    if matched:
        clauses.append(f"you already bring {_listed(matched[:3])}")
    if missing:
        clauses.append(f"learning {_listed(missing[:2])} would close the main gap")
    elif matched:
        clauses.append("you cover every skill it lists")
    concern = f"mind this: {entry['concern'][0].lower()}{entry['concern'][1:]}" if entry.get("concern") else None
    title = entry.get("title") or "this job"
    # Too long for one sentence: the concern goes first, then the company, then the title is shortened;
    # what is left is always whole (a cut word reads as a defect).
    for company, extra in ((entry.get("company"), concern), (entry.get("company"), None), (None, None)):
        sentence = _sentence(f"{label} match ({score}/100) for {title}" + (f" at {company}" if company else ""), clauses, extra)
        if len(sentence) <= MAX_EXPLANATION_CHARS:
            return sentence
    room = MAX_EXPLANATION_CHARS - len(_sentence(f"{label} match ({score}/100) for ", clauses, None))
    return _sentence(f"{label} match ({score}/100) for {_shortened(title, max(10, room))}", clauses, None)[:MAX_EXPLANATION_CHARS]


def _sentence(opening: str, clauses: list[str], concern: str | None) -> str:
    parts = [*clauses, *([concern] if concern else [])]
    return opening + (": " + "; ".join(parts) if parts else "") + "."


def _shortened(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, cut at a word with an ellipsis when it must be."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:(-") + "…"


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
