"""career.resume: a resume's ATS analysis ({atsScore, strengths, weaknesses, suggestions}).

Checks, each applied to the answer's own words:
  score            atsScore inside the case's expected range (judged by reading the resume).
  own_skills       the analysis names at least one of the skills the resume names (it is about this resume).
  no_invented      no tool skill named as a strength that the resume does not name; weaknesses and suggestions
                   name only the resume's tools, the target role's core skills and those the target names.
  not_present      the skills the case says the resume does not really have (named only in an instruction
                   to the reviewer) are not strengths.
  no_false_missing no section, contact detail the resume has is said to be missing ("No 'Experience' section",
                   "Add your email address"), whatever language its headings are in.
  flags            each problem the case expects is raised in the weaknesses or suggestions: a missing section
                   or contact detail, bullets without numbers, weak openings, the first person, a core skill.
  years            "N years of experience" in the answer inside the range the resume's dates give (read by
                   hand, "Present" being the case's today) or within half a year of a figure the resume states.
  bullet_counts    "X of Y bullets" counts the resume's achievement bullets (Y as counted by hand, X at most Y).
The expectations are read from the resume by a person, not taken from the rules' facts in the data, so that
the rules are graded, not compared with themselves.
  quotes           every quotation of four words or more is the resume's own text (a bullet may be cut short
                   with an ellipsis); a quote with a placeholder ("[X]%") is a template, not a quotation.
  agreement        counts agree with their nouns ("1 bullet", never "1 bullets").
"""

from __future__ import annotations

import re
from typing import Any

from zik.career import vocabulary
from zik_local.eval.checks import Check
from zik_local.eval.rubrics.career_shared import agreement, lower_set, normalised, skills_named, tool_skills

TASK = "career.resume"
HEADLINE: str | None = None

# Words that open a claim that something is missing; the claim runs to the end of its clause.
_MISSING_CUE = re.compile(
    r"\b(?:no|missing|lacks?|lacking|without|add|put|include|open with|start with|there is no|does not have|doesn't have|has no|not found)\b",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[.:;(!?]")
_SECTION_WORDS = {
    "summary": r"summary|profile|objective",
    "experience": r"experience|work history|employment",
    "education": r"education",
    "skills": r"skills",
}
_ANY_SECTION = r"summary|profile|objective|experience|work history|employment|education|skills|projects|certifications|awards|languages"
_FILLER = r"a|an|the|your|any|dedicated|clear|separate|standard|proper|distinct|short|brief|professional|technical|key|core"
_SECTION_CLAIM = re.compile(
    rf"^\W*(?:{_MISSING_CUE.pattern})\s+(?:['\"‘“]?(?:{_ANY_SECTION}|{_FILLER})['\"’”]?(?:\s*,\s*|\s+or\s+|\s+and\s+|\s+)){{1,8}}?(?:section|heading)s?\b",
    re.IGNORECASE,
)
_SUMMARY_CLAIM = re.compile(
    r"^\W*(?:add|open with|start with)\s+(?:\S+\s+){0,3}['\"‘“]?summary\b(?!['\"’”]?\s+(?:of|to|for|in)\s+(?:your|each|every)\b)", re.IGNORECASE
)
_CONTACT_WORDS = {
    "email": r"e-?mail",
    "phone": r"phone|telephone|mobile number",
    "link": r"linkedin|portfolio|github|website",
    "location": r"\bcity\b|location",
}
# A contact detail said to be missing: the cue, then only words that name contact details (a list of them
# included) and words such as "a", "your": "No email address, phone number or LinkedIn link", "Add your
# city"; "Add the country code to your phone number" is about a number the resume has.
_CONTACT_TOKEN = (
    r"e-?mail|address|phone|telephone|mobile|number|linkedin|github|portfolio|website|personal|profile|url|link|city|country|"
    r"location|a|an|the|your|any|professional|full|to|of"
)
_CONTACT_CLAIM = re.compile(
    rf"^\W*(?:{_MISSING_CUE.pattern})\s+(?:['\"‘“(]?(?:{_CONTACT_TOKEN})['\"’”)]?(?:\s*[,/]\s*|\s+or\s+|\s+and\s+|\s+|$))+",
    re.IGNORECASE,
)
_FLAG_WORDS = {
    "numbers": r"\bnumbers?\b|metric|quantif|measur|\bfigures?\b|%",
    "weak-openings": r"action verb|weak (?:phrase|opening|verb|start)|passive|responsible for|helped with|duties",
    "first-person": r"first person|first-person|'i'|\"i\"|pronoun",
    "length": r"\bwords\b|\bpages?\b|too long|too short|\blength\b|\bthin\b",
}
_YEARS = re.compile(
    r"(\d+(?:\.\d+)?)\+?\s*(?:years?|yrs)(?:'|’)?\s+(?:of\s+)?(?:dated\s+|professional\s+|relevant\s+|work\s+|industry\s+)?experience", re.IGNORECASE
)
_BULLET_COUNT = re.compile(r"(\d+)\s+(?:out\s+)?of\s+(?:the\s+|your\s+)?(\d+)\s+(?:\w+\s+)?bullets", re.IGNORECASE)
_QUOTE = re.compile(r"[\"“]([^\"”]{8,300})[\"”]")
_PLACEHOLDER = re.compile(r"\[[^\]]*\]|\b[XNY]\s?%|\b[XN]\b|<[^>]+>")


def grade(case: dict[str, Any], answer: dict[str, Any]) -> list[Check]:
    data, expect = case["data"], case["expect"]
    resume = data["resume"]
    strengths, critique = answer["strengths"], [*answer["weaknesses"], *answer["suggestions"]]
    everything = " ".join([*strengths, *critique])
    low, high = expect["atsScore"]
    checks = [Check("score", low <= answer["atsScore"] <= high, f"{answer['atsScore']} not in [{low}, {high}]")]
    checks.append(_own_skills(expect.get("skills") or [], everything))
    checks.append(_no_invented(data, strengths, critique))
    checks.append(_not_present(expect.get("notPresent") or [], strengths))
    checks.append(_no_false_missing(expect, critique))
    checks.append(_flags(expect.get("mustFlag") or [], critique))
    checks.append(_years(data, expect, everything))
    checks.append(_bullet_counts(expect, everything))
    checks.append(_quotes(resume, everything))
    checks.append(agreement("agreement", everything))
    return checks


def _own_skills(expected: list[str], text: str) -> Check:
    if not expected:
        return Check("own_skills", True, "the resume names no skill")
    named = lower_set(skills_named(text))
    found = [skill for skill in expected if skill.lower() in named]
    return Check("own_skills", bool(found), "" if found else f"names none of {expected}")


def _allowed_in_critique(data: dict[str, Any], resume_skills: set[str]) -> set[str]:
    target = data.get("targetRole") or ""
    role = vocabulary.role_of(target) if target else None
    allowed = set(resume_skills) | lower_set(role.core if role else ()) | lower_set(skills_named(target))
    facts_role = (data.get("facts") or {}).get("targetRole") or {}
    return allowed | lower_set(facts_role.get("coreSkills") or [])


def _no_invented(data: dict[str, Any], strengths: list[str], critique: list[str]) -> Check:
    resume_skills = lower_set(skills_named(data["resume"]))
    invented_strengths = sorted(s for s in tool_skills(skills_named(" ".join(strengths))) if s.lower() not in resume_skills)
    allowed = _allowed_in_critique(data, resume_skills)
    invented_critique = sorted(s for s in tool_skills(skills_named(" ".join(critique))) if s.lower() not in allowed)
    problems = []
    if invented_strengths:
        problems.append(f"strengths name skills the resume does not: {invented_strengths}")
    if invented_critique:
        problems.append(f"critique names skills from neither the resume nor the target role: {invented_critique}")
    return Check("no_invented", not problems, "; ".join(problems))


def _not_present(skills: list[str], strengths: list[str]) -> Check:
    named = lower_set(skills_named(" ".join(strengths)))
    wrong = [skill for skill in skills if skill.lower() in named]
    return Check("not_present", not wrong, f"strengths claim {wrong}" if wrong else "")


def claimed_missing(texts: list[str]) -> list[str]:
    """The clauses of ``texts`` that say something is missing (from the cue to the clause's end)."""
    clauses = []
    for text in texts:
        for cue in _MISSING_CUE.finditer(text):
            rest = text[cue.start() :]
            end = _CLAUSE_END.search(rest, 1)
            clauses.append(rest[: end.start() if end else len(rest)][:160])
    return clauses


def says_section_missing(clauses: list[str], section: str) -> bool:
    """Whether a clause says the section is missing: its cue, then only the names of sections and words
    such as "a", "your", "dedicated" up to "section" or "heading" ("No 'Experience' or 'Skills' section",
    "Add a dedicated skills section"); "Include metrics in your Experience section" names one it has. A
    summary also goes missing as "Open with a 2-3 line 'Summary'"."""
    for clause in clauses:
        for match in _SECTION_CLAIM.finditer(clause):
            if re.search(rf"\b(?:{_SECTION_WORDS[section]})\b", match.group(0), re.IGNORECASE):
                return True
        if section == "summary" and _SUMMARY_CLAIM.search(clause):
            return True
    return False


def says_contact_missing(clauses: list[str], contact: str) -> bool:
    claims = [match.group(0) for clause in clauses for match in [_CONTACT_CLAIM.match(clause)] if match]
    return any(re.search(_CONTACT_WORDS[contact], claim, re.IGNORECASE) for claim in claims)


def _no_false_missing(expect: dict[str, Any], critique: list[str]) -> Check:
    clauses = claimed_missing(critique)
    wrong = [f"section {key}" for key in expect.get("sections") or [] if says_section_missing(clauses, key)]
    wrong += [f"contact {key}" for key in expect.get("contact") or [] if says_contact_missing(clauses, key)]
    return Check("no_false_missing", not wrong, f"says missing though present: {wrong}" if wrong else "")


def _flags(flags: list[str], critique: list[str]) -> Check:
    clauses = claimed_missing(critique)
    text = " ".join(critique)
    named = lower_set(skills_named(text))
    unflagged = []
    for flag in flags:
        kind, _, what = flag.partition(":")
        if kind == "section":
            raised = says_section_missing(clauses, what)
        elif kind == "contact":
            raised = says_contact_missing(clauses, what)
        elif kind == "core":
            raised = what.lower() in named
        else:
            raised = bool(re.search(_FLAG_WORDS[kind], text, re.IGNORECASE))
        if not raised:
            unflagged.append(flag)
    return Check("flags", not unflagged, f"not raised: {unflagged}" if unflagged else "")


def _years(data: dict[str, Any], expect: dict[str, Any], text: str) -> Check:
    stated = {float(value) for value in re.findall(r"(\d+(?:\.\d+)?)\+?\s*(?:years?|yrs|ans|jahre[n]?|años)\b", data["resume"], re.IGNORECASE)}
    low, high = expect["years"]
    wrong = []
    for match in _YEARS.finditer(text):
        years = float(match.group(1))
        if not (low <= years <= high or any(abs(years - value) <= 0.5 for value in stated)):
            wrong.append(match.group(0))
    return Check("years", not wrong, f"{wrong}; the resume's dates give {low:g} to {high:g} years" if wrong else "")


def _bullet_counts(expect: dict[str, Any], text: str) -> Check:
    total = int(expect["bullets"])
    wrong = [m.group(0) for m in _BULLET_COUNT.finditer(text) if int(m.group(2)) != total or int(m.group(1)) > int(m.group(2))]
    return Check("bullet_counts", not wrong, f"{wrong}, the resume has {total} bullets" if wrong else "")


def _quotes(resume: str, text: str) -> Check:
    source = normalised(resume)
    wrong = []
    for match in _QUOTE.finditer(text):
        quoted = match.group(1).strip()
        if len(quoted.split()) < 4 or _PLACEHOLDER.search(quoted):
            continue
        body = normalised(quoted.rstrip().removesuffix("…").removesuffix("...").rstrip(" .,"))
        if body and body not in source:
            wrong.append(quoted)
    return Check("quotes", not wrong, f"not in the resume: {wrong}" if wrong else "")
