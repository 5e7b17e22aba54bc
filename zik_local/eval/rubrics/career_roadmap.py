"""career.roadmap: from the role someone has to the one they want ({timeline, requiredSkills, milestones}).

Checks:
  core_skills      every core skill of the target given is required, each skill once, at most three more.
  have_truthful    "have" is true exactly for the person's own skills (no skill claimed that they lack).
  resources        every skill they lack comes with at least one way to learn it.
  level            the level asked of each skill suits the target's seniority (advanced for senior, expert for
                   lead and above, foundational or working below), where the case sets one.
  missing_planned  every skill the person lacks is covered by a milestone, at most two new ones to a
                   milestone (more only when there are too many to fit), and every milestone skill is a required one.
  order            the last milestone is the job search (resume, applications, interviews), and every
                   milestone that teaches a missing skill comes before it.
  named_first      a skill the target's name holds ("Rust Developer") that the person lacks is learnt in the
                   first milestone: it is what the role is (a name listing a whole stack is left to foundations first).
  seniority_step   a target more senior than the current role has a milestone of taking on that level's work.
  weeks            the total of the durations is inside the case's range (realistic alongside a job).
  timeline         the timeline's words say the milestones' total (its weeks exactly; months or years within
                   rounding; "nine months", "half a year" read as numbers).
  agreement        counts agree with their nouns ("1 week", "20 postings").
"""

from __future__ import annotations

import re
from typing import Any

from zik.career import vocabulary
from zik_local.eval.checks import Check
from zik_local.eval.rubrics.career_shared import agreement, lower_set

TASK = "career.roadmap"
HEADLINE: str | None = None

MAX_EXTRA = 3
MAX_MILESTONES = 7
SKILLS_PER_MILESTONE = 2
_JOB_SEARCH = re.compile(r"\bapply|applications?\b|job search|job hunt|interview|resume|résumé|\bcv\b", re.IGNORECASE)
_STEP_UP = re.compile(r"responsibilit|\blead\b|leading|mentor|ownership|\bown\b|level", re.IGNORECASE)
_WEEKS = re.compile(r"(\d+)\s*weeks?", re.IGNORECASE)
_MONTHS = re.compile(r"(\d+(?:\.\d+)?)\s*months?", re.IGNORECASE)
_YEARS = re.compile(r"(\d+(?:\.\d+)?)\s*years?", re.IGNORECASE)
_NUMBER_WORDS = {
    word: value
    for value, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen".split()
    )
}
WEEKS_PER_MONTH = 4.345
WEEKS_PER_YEAR = 52.18


def grade(case: dict[str, Any], answer: dict[str, Any]) -> list[Check]:
    data, expect = case["data"], case["expect"]
    required = answer["requiredSkills"]
    milestones = answer["milestones"]
    names = [vocabulary.canonical_skill(entry["skill"]).lower() for entry in required]
    total = sum(m["durationWeeks"] for m in milestones)
    low, high = expect["weeks"]
    return [
        _core_skills(data, names),
        _have_truthful(data, required),
        _resources(required),
        _level(expect, required),
        _missing_planned(data, names, milestones),
        _order(data, milestones),
        _named_first(data, milestones),
        _seniority_step(expect, data, milestones),
        Check("weeks", low <= total <= high, f"{total} weeks, expected {low} to {high}"),
        _timeline(answer["timeline"], total),
        agreement("agreement", " ".join([answer["timeline"], *(f"{m['title']} {m['description']}" for m in milestones)])),
    ]


def _core_skills(data: dict[str, Any], names: list[str]) -> Check:
    core = lower_set(data["targetCoreSkills"])
    problems = []
    left_out = sorted(core - set(names))
    if left_out:
        problems.append(f"core skills not required: {left_out}")
    doubled = sorted({name for name in names if names.count(name) > 1})
    if doubled:
        problems.append(f"required twice: {doubled}")
    extra = [name for name in dict.fromkeys(names) if name not in core]
    if len(extra) > MAX_EXTRA:
        problems.append(f"{len(extra)} skills beyond the core: {extra}")
    return Check("core_skills", not problems, "; ".join(problems))


def _have_truthful(data: dict[str, Any], required: list[dict[str, Any]]) -> Check:
    owned = lower_set(data["skills"])
    wrong = [
        f"{entry['skill']} have={entry['have']}"
        for entry in required
        if entry["have"] != (vocabulary.canonical_skill(entry["skill"]).lower() in owned)
    ]
    return Check("have_truthful", not wrong, "; ".join(wrong))


def _resources(required: list[dict[str, Any]]) -> Check:
    bare = [entry["skill"] for entry in required if not entry["have"] and not entry.get("resources")]
    return Check("resources", not bare, f"no way to learn {bare}" if bare else "")


def _level(expect: dict[str, Any], required: list[dict[str, Any]]) -> Check:
    levels = expect.get("level")
    if not levels:
        return Check("level", True, "the case sets no level")
    wrong = [f"{entry['skill']} {entry['level']}" for entry in required if entry["level"] not in levels]
    return Check("level", not wrong, f"{wrong}, expected {levels}" if wrong else "")


def _milestone_skills(milestone: dict[str, Any]) -> set[str]:
    return lower_set(milestone["skills"])


def _missing_planned(data: dict[str, Any], names: list[str], milestones: list[dict[str, Any]]) -> Check:
    missing = lower_set(data["missingSkills"])
    planned = set().union(*(_milestone_skills(m) for m in milestones)) if milestones else set()
    problems = []
    unplanned = sorted(missing - planned)
    if unplanned:
        problems.append(f"missing skills no milestone covers: {unplanned}")
    unknown = sorted(planned - set(names))
    if unknown:
        problems.append(f"milestone skills that are not required: {unknown}")
    # A skill is learnt where it first appears (the portfolio project uses them all again, and may).
    seen: set[str] = set()
    crowded, teaching = [], 0
    for milestone in milestones:
        new = (_milestone_skills(milestone) & missing) - seen
        seen |= new
        teaching += bool(new)
        if len(new) > SKILLS_PER_MILESTONE:
            crowded.append(milestone["title"])
    # Two to a milestone fits when the milestones that teach nothing new (the project, the job search, a
    # level to grow into) leave room for enough of them within the most a roadmap may have.
    room = MAX_MILESTONES - (len(milestones) - teaching)
    if crowded and len(missing) <= SKILLS_PER_MILESTONE * room:
        problems.append(f"more than {SKILLS_PER_MILESTONE} new skills in {crowded}")
    return Check("missing_planned", not problems, "; ".join(problems))


def _order(data: dict[str, Any], milestones: list[dict[str, Any]]) -> Check:
    last = milestones[-1]
    problems = []
    if not _JOB_SEARCH.search(f"{last['title']} {last['description']}"):
        problems.append(f"the last milestone is not the job search: {last['title']!r}")
    missing = lower_set(data["missingSkills"])
    late = [m["title"] for m in milestones[-1:] if _milestone_skills(m) & missing]
    if late:
        problems.append(f"a missing skill is learnt in the job search: {late}")
    return Check("order", not problems, "; ".join(problems))


def _named_first(data: dict[str, Any], milestones: list[dict[str, Any]]) -> Check:
    named = lower_set(vocabulary.skills_in(data["targetRole"])) & lower_set(data["missingSkills"])
    if not named:
        return Check("named_first", True, "the target names no skill the person lacks")
    if len(named) > SKILLS_PER_MILESTONE:
        return Check("named_first", True, "the target names a whole stack: foundations come first")
    first = _milestone_skills(milestones[0])
    late = sorted(named - first)
    return Check("named_first", not late, f"{late} not in the first milestone {milestones[0]['title']!r}" if late else "")


def _seniority_step(expect: dict[str, Any], data: dict[str, Any], milestones: list[dict[str, Any]]) -> Check:
    if not expect.get("moreSenior"):
        return Check("seniority_step", True, "the target is not more senior")
    level = re.escape(data["targetSeniority"])
    stepped = [
        m for m in milestones[:-1] if _STEP_UP.search(m["title"]) or re.search(rf"\b{level}\b", f"{m['title']} {m['description']}", re.IGNORECASE)
    ]
    return Check("seniority_step", bool(stepped), "" if stepped else f"no milestone of taking on {data['targetSeniority']}-level work")


def _in_digits(timeline: str) -> str:
    """Number words as digits ("nine months", "a year and a half", "half a year")."""
    text = re.sub(r"\ba year and a half\b|\bone and a half years?\b", "1.5 years", timeline, flags=re.IGNORECASE)
    text = re.sub(r"\bhalf a year\b", "6 months", text, flags=re.IGNORECASE)
    text = re.sub(r"\b(?:a|one) (year|month|week)\b", r"1 \1", text, flags=re.IGNORECASE)
    return re.sub(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", lambda m: str(_NUMBER_WORDS[m.group(1).lower()]), text, flags=re.IGNORECASE)


def _timeline(timeline: str, total: int) -> Check:
    timeline = _in_digits(timeline)
    weeks = [int(value) for value in _WEEKS.findall(timeline)]
    months = [float(value) for value in _MONTHS.findall(timeline)]
    years = [float(value) for value in _YEARS.findall(timeline)]
    if not (weeks or months or years):
        return Check("timeline", False, f"{timeline!r} states no duration")
    wrong = [f"{w} weeks" for w in weeks if w != total]
    wrong += [f"{m:g} months" for m in months if abs(m - total / WEEKS_PER_MONTH) > max(1.0, 0.1 * m)]
    wrong += [f"{y:g} years" for y in years if abs(y - total / WEEKS_PER_YEAR) > 0.3]
    return Check("timeline", not wrong, f"{timeline!r}: {wrong} for {total} weeks" if wrong else "")
