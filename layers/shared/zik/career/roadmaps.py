"""Career roadmaps (POST /api/ai/roadmap): from the role someone has to the role they want, the skills
the target asks for (and which they have), milestones with realistic durations, and the whole timeline,
as the seed answers it: ``{timeline, requiredSkills: [{skill, level, have, resources?}], milestones:
[{title, description, durationWeeks, skills}]}``. The AI (``career.roadmap``) writes it; its offline
rules (``plan``) build it from the vocabulary: the target role's core skills the person lacks, ordered
foundations first, two to a milestone, sized by what kind of skill it is and how senior the target is.

A roadmap can become a quest in the same call: a goal whose milestones are the roadmap's (due one after
the other from today, or spread to the target date), the first one's tasks made from its skills, written
at once (``Quests.create_goal_with_roadmap``), with no planner workflow.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

from zik import ai, inputs
from zik.career import profiles, vocabulary
from zik.claims import Claim
from zik.errors import InvalidRequest
from zik.observability import logger
from zik.principal import Principal

TASK = "career.roadmap"
MIN_MILESTONES, MAX_MILESTONES = 3, 7
MAX_WEEKS = 52
SKILLS_PER_MILESTONE = 2
MAX_MILESTONE_SKILLS = 8  # the answer schema's bound on a milestone's skills
WEEKS_PER_LEVEL = 13  # a quarter of taking on the next level's work, per level to grow
APPLY_WEEKS = 4
FIRST_TASKS = 5

# What learning a skill of each group of the vocabulary takes alongside a job (weeks, at a mid-level
# target), how to start and what to build; the groups are learnt in this order (foundations first).
_GROUPS: dict[str, tuple[int, str, str]] = {
    "languages": (
        6,
        "Work through the official {skill} tutorial, then solve 20 small exercises in {skill}",
        "Write a small command-line tool in {skill} that solves a problem you have",
    ),
    "frameworks": (4, "Follow the official {skill} getting-started guide from start to finish", "Build and deploy a small app with {skill}"),
    "data": (
        4,
        "Read the core concepts of the {skill} documentation and load a public dataset with it",
        "Answer five questions about a real dataset using {skill}",
    ),
    "ml": (6, "Take an introductory {skill} course with hands-on notebooks", "Train, evaluate and write up a {skill} model on a public dataset"),
    "cloud": (
        4,
        "Follow the {skill} getting-started guide with a free-tier or local setup",
        "Run a small service with {skill}, its configuration kept in Git",
    ),
    "practice": (
        3,
        "Read a well-regarded guide to {skill} and apply it to one of your projects",
        "Show {skill} in a project: write up what you did and why",
    ),
    "design": (4, "Follow a {skill} course and redo one existing screen or flow", "Add a {skill} case study to your portfolio"),
    "business": (
        4,
        "Study how {skill} is done in practice (a course or a book) and shadow someone who does it",
        "Lead one piece of {skill} work and measure its outcome",
    ),
}
_OTHER = (4, "Find the standard introduction to {skill} and work through it", "Use {skill} in a small project and write up what you learnt")
# Skills that are ways of thinking rather than tools (they have no getting-started guide): learnt from a
# book or a course, shown in a design.
_CONCEPTS = frozenset(
    {"System Design", "Microservices", "Networking", "Observability", "Serverless", "REST APIs", "Data Modeling", "ETL", "Statistics", "A/B Testing"}
)
_CONCEPT = (
    4,
    "Study {skill} from a well-regarded book or course and note its main patterns and trade-offs",
    "Design a small system that shows {skill} and write down the trade-offs you made",
)
_LEVEL_OF_RANK = {0: "foundational", 1: "working", 2: "working", 3: "advanced"}  # 4 and above: expert


def _learning(skill: str) -> tuple[int, str, str]:
    return _CONCEPT if skill in _CONCEPTS else _GROUPS.get(vocabulary.skill_group(skill), _OTHER)


def level_for(seniority: str) -> str:
    return _LEVEL_OF_RANK.get(vocabulary.seniority_rank(seniority), "expert")


def resources(skill: str) -> list[str]:
    _, start, build = _learning(skill)
    return [start.format(skill=skill), build.format(skill=skill)]


def _pace(target_seniority: str) -> float:
    """A more senior target asks for a skill to be known deeper: more weeks for each."""
    return {0: 0.75, 1: 0.75, 2: 1.0, 3: 1.25}.get(vocabulary.seniority_rank(target_seniority), 1.5)


# -- what the task is asked --------------------------------------------------------------------------------
def request_data(current_role: str, target_role: str, skills: list[str]) -> dict[str, Any]:
    """The task's data (every field its prompt names): the roles, their levels, the person's skills, and
    the target's core skills with those the person lacks."""
    required = target_skills(target_role)
    have = {s.lower() for s in skills}
    return {
        "currentRole": current_role,
        "targetRole": target_role,
        "currentSeniority": vocabulary.seniority_of(current_role),
        "targetSeniority": vocabulary.seniority_of(target_role),
        "skills": skills,
        "targetCoreSkills": required,
        "missingSkills": [s for s in required if s.lower() not in have],
    }


def target_skills(target_role: str) -> list[str]:
    """The skills a role asks for most: those its name holds ("Rust developer"), then its family's core."""
    family = vocabulary.role_of(target_role)
    return vocabulary.canonical_skills([*vocabulary.skills_in(target_role), *(family.core if family else ())])


# -- the offline rules ----------------------------------------------------------------------------------------
def plan(data: Mapping[str, Any]) -> dict[str, Any]:
    """``career.roadmap`` by rules: the target's core skills the person lacks, foundations first, two to
    a milestone; a portfolio project in the target role; a milestone per level of seniority to grow; the
    job search. Durations by kind of skill and how senior the target is."""
    target, current = data["targetRole"], data["currentRole"]
    target_level, current_level = data["targetSeniority"], data["currentSeniority"]
    required = list(data["targetCoreSkills"])
    have = {s.lower() for s in data["skills"]}
    missing = sorted((s for s in required if s.lower() not in have), key=lambda s: (_group_order(s), required.index(s)))
    pace = _pace(target_level)
    gap = vocabulary.seniority_rank(target_level) - vocabulary.seniority_rank(current_level)
    # The skill milestones get the places the project, a level to grow and the job search leave.
    room = MAX_MILESTONES - 2 - (1 if gap > 0 else 0)
    milestones: list[dict[str, Any]] = []
    for group in _chunks(missing, room):
        weeks = min(MAX_WEEKS, max(1, round(sum(_learning(s)[0] for s in group) * pace)))
        milestones.append(
            {
                "title": f"Learn {_listed(group)}",
                "description": " ".join(f"{resources(s)[0]}; then {resources(s)[1][0].lower()}{resources(s)[1][1:]}." for s in group),
                "durationWeeks": weeks,
                "skills": group,
            }
        )
    family = vocabulary.role_of(target)
    role_name = family.name if family else target
    if not required:
        milestones.append(
            {
                "title": f"Find out what {target} roles ask for",
                "description": f"Read 20 current {target} job postings, list the skills and tools they name most often, and rank them by how often they appear; pick the first two to learn.",
                "durationWeeks": 2,
                "skills": [],
            }
        )
    elif not missing:
        milestones.append(
            {
                "title": f"Deepen your {role_name} core skills",
                "description": f"You already have every core skill of {_a(role_name)} ({_listed(required)}): take the two you use least to {level_for(target_level)} level, with one advanced tutorial and one piece of real work each.",
                "durationWeeks": max(2, round(4 * pace)),
                "skills": required[:2],
            }
        )
    project_weeks = min(MAX_WEEKS, max(3, round(4 * pace)))
    milestones.append(
        {
            "title": f"Build {_a(role_name)} portfolio project",
            "description": f"Build one project end to end as {_a(role_name)} would"
            + (f", using {_listed(required)}" if required else "")
            + "; publish the code or a write-up with what you decided and why, and link it from your resume.",
            "durationWeeks": project_weeks,
            "skills": required[:MAX_MILESTONE_SKILLS],
        }
    )
    if gap > 0:
        milestones.append(
            {
                "title": f"Take on {target_level}-level responsibilities",
                "description": f"Ask for work {_a(target_level)} {role_name} owns: lead a project from design to release, review others' work and mentor one person; keep a record of the outcomes for your interviews.",
                "durationWeeks": min(MAX_WEEKS, WEEKS_PER_LEVEL * gap),
                "skills": [],
            }
        )
    changing = vocabulary.role_key(current) != vocabulary.role_key(target)
    milestones.append(
        {
            "title": f"Apply for {target} roles",
            "description": (
                f"Rewrite your resume for {target} roles"
                + (f", showing how your {current} experience carries over" if changing else "")
                + ": lead with the portfolio project, apply to 15 postings that match, and prepare answers for their interviews."
            ),
            "durationWeeks": APPLY_WEEKS,
            "skills": [],
        }
    )
    milestones = _fitted(milestones)
    level = level_for(target_level)
    required_skills = [
        {"skill": s, "level": level, "have": s.lower() in have, **({} if s.lower() in have else {"resources": resources(s)})} for s in required
    ]
    return {"timeline": timeline(sum(m["durationWeeks"] for m in milestones)), "requiredSkills": required_skills, "milestones": milestones}


def _group_order(skill: str) -> int:
    order = list(_GROUPS)
    group = vocabulary.skill_group(skill)
    return order.index(group) if group in order else len(order)


def _chunks(skills: list[str], room: int) -> list[list[str]]:
    """Skills, in order, into at most ``room`` groups of SKILLS_PER_MILESTONE (more per group only when
    there are more skills than that holds)."""
    if not skills:
        return []
    count = min(max(1, room), math.ceil(len(skills) / SKILLS_PER_MILESTONE))
    size = math.ceil(len(skills) / count)
    return [skills[i : i + size] for i in range(0, len(skills), size)]


def _fitted(milestones: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """3 to 7 milestones: too many skill milestones are merged pairwise from the start."""
    while len(milestones) > MAX_MILESTONES:
        first, second = milestones[0], milestones[1]
        skills = [*first["skills"], *second["skills"]]
        milestones[:2] = [
            {
                "title": f"Learn {_listed(skills)}",
                "description": f"{first['description']} {second['description']}"[:600],
                "durationWeeks": min(MAX_WEEKS, first["durationWeeks"] + second["durationWeeks"]),
                "skills": skills[:MAX_MILESTONE_SKILLS],
            }
        ]
    return milestones


def timeline(weeks: int) -> str:
    if weeks < 9:
        return f"About {weeks} week{'s' if weeks != 1 else ''}"
    months = round(weeks / 4.345)
    return f"About {months} months ({weeks} weeks)" if months < 24 else f"About {round(weeks / 52.18, 1):g} years ({weeks} weeks)"


def _a(word: str) -> str:
    """``word`` after its indefinite article ("an Engineering Manager", "a senior")."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def _listed(names: list[str]) -> str:
    if not names:
        return ""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# -- an answer, made consistent ---------------------------------------------------------------------------------
def normalised(answer: Mapping[str, Any], skills: list[str]) -> dict[str, Any]:
    """An answer (the AI's or the rules') with its facts checked: skills in the vocabulary's names, each
    required skill once, ``have`` true exactly for the person's skills (resources only for the others),
    durations whole weeks from 1 to 52, and the timeline the milestones add up to."""
    have = {s.lower() for s in skills}
    required: dict[str, dict[str, Any]] = {}
    for entry in answer["requiredSkills"]:
        name = vocabulary.canonical_skill(entry["skill"])
        if name.lower() in required:
            continue
        owned = name.lower() in have
        required[name.lower()] = {
            "skill": name,
            "level": entry["level"],
            "have": owned,
            **({} if owned else {"resources": list(entry.get("resources") or resources(name))[:3]}),
        }
    milestones = [
        {
            "title": " ".join(m["title"].split()),
            "description": m["description"].strip(),
            "durationWeeks": max(1, min(MAX_WEEKS, int(m["durationWeeks"]))),
            "skills": vocabulary.canonical_skills(m["skills"]),
        }
        for m in answer["milestones"][:MAX_MILESTONES]
    ]
    return {"timeline": timeline(sum(m["durationWeeks"] for m in milestones)), "requiredSkills": list(required.values()), "milestones": milestones}


# -- a roadmap made a quest -------------------------------------------------------------------------------------
def quest_milestones(milestones: Sequence[Mapping[str, Any]], today: dt.date, target: dt.date | None) -> list[dict[str, Any]]:
    """The roadmap's milestones as a goal's ({title, description, dueDate}): due one after the other from
    today by their durations, or, with a target date, the same shares of the time up to it."""
    weeks = [int(m["durationWeeks"]) for m in milestones]
    total_days = (target - today).days if target else 7 * sum(weeks)
    result, elapsed = [], 0
    for milestone, duration in zip(milestones, weeks):
        elapsed += duration
        due = today + dt.timedelta(days=max(1, round(total_days * elapsed / sum(weeks))))
        result.append({"title": milestone["title"][:120], "description": milestone["description"][:500], "dueDate": due.isoformat()})
    return result


def first_tasks(milestone: Mapping[str, Any], today: dt.date, due: dt.date) -> list[dict[str, Any]]:
    """Tasks for the first milestone, from its skills (the coach plans the later milestones' when each
    starts): for each skill, a start on its resource and a thing built with it; and a last look back."""
    span = max(1, (due - today).days)

    def on(fraction: float) -> str:
        return (today + dt.timedelta(days=max(0, min(span, round(span * fraction))))).isoformat()

    tasks: list[dict[str, Any]] = []
    skills = list(milestone.get("skills") or [])[:2]
    for index, skill in enumerate(skills):
        start, build = resources(skill)
        offset = index / max(1, len(skills)) / 2
        tasks.append({"title": f"Start learning {skill}"[:200], "description": start + ".", "dueDate": on(0.1 + offset)})
        tasks.append({"title": f"Build something small with {skill}"[:200], "description": build + ".", "dueDate": on(0.6 + offset)})
    if not skills:
        tasks.append(
            {"title": f"Plan the first week of: {milestone['title']}"[:200], "description": milestone["description"][:500], "dueDate": on(0.1)}
        )
        tasks.append(
            {
                "title": f"Do the first half of: {milestone['title']}"[:200],
                "description": "Work through the first half of this milestone and note what is left.",
                "dueDate": on(0.5),
            }
        )
    tasks.append(
        {
            "title": f"Finish and record: {milestone['title']}"[:200],
            "description": "Check the milestone is done as its description says, and add what you learnt to your resume or portfolio.",
            "dueDate": on(1.0),
        }
    )
    return tasks[:FIRST_TASKS]


def goal_data(request: Mapping[str, Any], roadmap: Mapping[str, Any]) -> dict[str, Any]:
    """What the quest goal is called and says ({title, description, category, targetDate, origin})."""
    missing = [s["skill"] for s in roadmap["requiredSkills"] if not s["have"]]
    description = f"From {request['currentRole']} to {request['targetRole']}: {roadmap['timeline'].lower()}"
    if missing:
        description += f"; skills to learn: {_listed(missing)}"
    role = " ".join(request["targetRole"].split())
    return {
        "title": f"Become {_a(role)}"[:200],
        "description": description[:2000] + ".",
        "category": "career",
        "targetDate": request.get("targetDate"),
        "origin": TASK,
    }


# -- the service --------------------------------------------------------------------------------------------------
class CareerRoadmaps:
    """POST /api/ai/roadmap: the roadmap, and with ``createQuest`` the quest made of it."""

    def __init__(self, profiles: Any = None, quests: Any = None):
        self._profiles = profiles
        self._quests = quests

    @property
    def profiles(self) -> Any:
        if self._profiles is None:
            from zik.career.profile_store import CareerProfileStore

            self._profiles = CareerProfileStore()
        return self._profiles

    @property
    def quests(self) -> Any:
        if self._quests is None:  # only a roadmap made a quest needs the quests (and its table)
            from zik.quests.service import Quests

            self._quests = Quests()
        return self._quests

    def roadmap(self, owner: Principal, request: Mapping[str, Any], *, claim: Claim | None = None) -> dict[str, Any]:
        """The roadmap for ``request`` (a valid body); the person's skills are those sent, their profile's
        and their resume's. With ``createQuest`` the answer names the goal made of it (``questGoalId``)."""
        profile = profiles.view(owner, self.profiles.read(owner))
        skills = vocabulary.canonical_skills([*(request.get("skills") or []), *profiles.all_skills(profile)])
        target = inputs.day(request.get("targetDate"), "targetDate")
        today = None
        if request.get("createQuest"):
            today = self.quests.today(owner)
            if target is not None and target <= today:  # refused before the AI is asked
                raise InvalidRequest(f"targetDate must be after today ({today.isoformat()} in your timezone)", field="targetDate")
        data = request_data(" ".join(request["currentRole"].split()), " ".join(request["targetRole"].split()), skills)
        try:
            answer, source = ai.run(TASK, data, owner=owner), "ai"
        except (ai.AIUnavailable, ai.AIBudgetExceeded) as exc:
            # The rules answer as well as the model's fallback would: the caller still gets a roadmap.
            logger.warning("career roadmap by the rules", extra={"reason": type(exc).__name__})
            answer, source = plan(data), "rules"
        roadmap = {"currentRole": data["currentRole"], "targetRole": data["targetRole"], **normalised(answer, skills), "source": source}
        roadmap["totalWeeks"] = sum(m["durationWeeks"] for m in roadmap["milestones"])
        if today is not None:
            goal = self._quest(owner, request, roadmap, today, target, claim)
            roadmap["questGoalId"] = goal["goalId"]
            roadmap["quest"] = {key: goal.get(key) for key in ("goalId", "title", "status", "targetDate", "milestoneCount")}
        return roadmap

    def _quest(
        self, owner: Principal, request: Mapping[str, Any], roadmap: Mapping[str, Any], today: dt.date, target: dt.date | None, claim: Claim | None
    ) -> dict[str, Any]:
        target = target or today + dt.timedelta(weeks=roadmap["totalWeeks"])
        milestones = quest_milestones(roadmap["milestones"], today, target)
        tasks = first_tasks(roadmap["milestones"][0], today, dt.date.fromisoformat(milestones[0]["dueDate"]))
        data = {**goal_data(request, roadmap), "targetDate": target.isoformat()}
        return self.quests.create_goal_with_roadmap(owner, data, milestones, tasks, claim=claim)
