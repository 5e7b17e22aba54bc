"""The ATS rules: what an applicant tracking system (and a recruiter skimming for six seconds) reads in a
resume's text, and what to change so that it reads more.

``analyse(text, target_role, today)`` finds the sections (by their headings), the contact details, the
skills (``vocabulary.skills_in``), the years of dated experience (date ranges such as "Mar 2019 - Present",
"Present" being ``today``), the seniority, the bullets with a number in them and those that open with an
action verb, and the length. The ``atsScore`` (0-100) is the share of points earned over a fixed list of
weighted checks, each of which is returned (``checks``) so that the score can be explained; the strengths,
weaknesses and suggestions are written from those checks and quote the resume where they can: the missing
section by name, the bullets without a number, the core skills of the target role the resume does not show.

This is the offline answer of the AI task ``career.resume`` (``zik.career.resume_ai``) and, whoever answers
that task, the source of the deterministic parts of every analysis (skills, sections, contact, experience).
Pure: no AWS, no clock of its own (``today`` comes in).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from zik.career import vocabulary

# -- sections ------------------------------------------------------------------------------------------------
# The headings each section goes by, as normalised (lower case, "&" as "and", no punctuation).
SECTION_HEADINGS: dict[str, tuple[str, ...]] = {
    "summary": (
        "summary",
        "professional summary",
        "career summary",
        "executive summary",
        "profile",
        "professional profile",
        "personal profile",
        "about",
        "about me",
        "objective",
        "career objective",
        "personal statement",
        "overview",
        "profil",
        "kurzprofil",
        "über mich",
        "zusammenfassung",
        "à propos",
        "perfil",
        "perfil profesional",
        "resumen",
        "sobre mí",
    ),
    "experience": (
        "experience",
        "work experience",
        "professional experience",
        "relevant experience",
        "employment",
        "employment history",
        "work history",
        "career history",
        "professional background",
        "positions held",
        "experience and employment",
        "internships",
        "internship experience",
        # German, French, Spanish
        "berufserfahrung",
        "berufliche erfahrung",
        "beruflicher werdegang",
        "werdegang",
        "praktika",
        "expérience",
        "expériences",
        "expérience professionnelle",
        "expériences professionnelles",
        "parcours professionnel",
        "experiencia",
        "experiencia profesional",
        "experiencia laboral",
    ),
    "education": (
        "education",
        "academic background",
        "education and training",
        "academic qualifications",
        "qualifications",
        "academic history",
        "education and qualifications",
        "training",
        "ausbildung",
        "bildung",
        "bildungsweg",
        "studium",
        "formation",
        "formations",
        "études",
        "diplômes",
        "formación",
        "formación académica",
        "educación",
        "estudios",
    ),
    "skills": (
        "skills",
        "technical skills",
        "key skills",
        "core skills",
        "core competencies",
        "competencies",
        "technologies",
        "tech stack",
        "tools",
        "skills and tools",
        "tools and technologies",
        "skills and expertise",
        "expertise",
        "areas of expertise",
        "technical expertise",
        "skills summary",
        "languages and tools",
        "hard skills",
        "kenntnisse",
        "fachkenntnisse",
        "it kenntnisse",
        "fähigkeiten",
        "kompetenzen",
        "compétences",
        "compétences techniques",
        "habilidades",
        "competencias",
        "conocimientos",
    ),
    "projects": ("projects", "personal projects", "selected projects", "side projects", "key projects", "academic projects", "open source"),
    "certifications": (
        "certifications",
        "certificates",
        "certification",
        "licenses",
        "licenses and certifications",
        "certifications and licenses",
        "courses",
        "courses and certifications",
        "professional development",
    ),
    "awards": ("awards", "honors", "honours", "achievements", "awards and honors", "awards and honours", "accomplishments"),
    "publications": ("publications", "papers", "talks", "publications and talks", "speaking"),
    "languages": ("languages", "spoken languages", "language skills"),
    "volunteering": ("volunteering", "volunteer experience", "volunteer work", "community", "leadership and activities", "activities"),
    "interests": ("interests", "hobbies", "hobbies and interests"),
}
CORE_SECTIONS = ("summary", "experience", "education", "skills")
SECTION_TITLES = {
    "summary": "Summary",
    "experience": "Experience",
    "education": "Education",
    "skills": "Skills",
    "projects": "Projects",
    "certifications": "Certifications",
    "awards": "Awards",
    "publications": "Publications",
    "languages": "Languages",
    "volunteering": "Volunteering",
    "interests": "Interests",
}
_HEADING_OF = {alias: key for key, aliases in SECTION_HEADINGS.items() for alias in aliases}
_MAX_HEADING_CHARS = 45

# -- contact -------------------------------------------------------------------------------------------------
_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}\b")
_PHONE = re.compile(r"(?<![\w/.-])(?:\+|00)?\(?\d[\d \t().-]{6,22}\d(?![\w/-])")
_LINKEDIN = re.compile(r"(?:https?://)?(?:[a-z]{2,3}\.)?linkedin\.com/(?:in|pub)/[A-Za-z0-9_%-]+/?", re.IGNORECASE)
_GITHUB = re.compile(r"(?:https?://)?(?:www\.)?github\.com/[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/?(?![A-Za-z0-9-])", re.IGNORECASE)
_URL = re.compile(
    r"(?:https?://|www\.)[^\s|,;<>()\"']+"
    r"|(?<![@\w.-])[a-z0-9-]{2,63}(?:\.[a-z0-9-]{2,63})*\.(?:com|dev|io|me|org|app|tech|site|page|blog|xyz|co|ai|design|codes)(?:/[^\s|,;<>()\"']*)?(?![\w@-])",
    re.IGNORECASE,
)
_LOCATION_LABEL = re.compile(r"^(?:location|address|based in|city)\s*[:\-]\s*(.{2,60})$", re.IGNORECASE)
_PLACE = re.compile(r"^[A-ZÀ-Þ][\w'’. -]{1,40},\s*[A-ZÀ-Þ][\w'’. -]{1,40}(?:,\s*[A-ZÀ-Þ][\w'’. -]{1,40})?$")
_SEGMENTS = re.compile(r"\s*[|•·▪◦●⋅∙]\s*|\s{3,}|\s[–—-]\s|\t")
_HEADER_LINES = 10

# -- dates -----------------------------------------------------------------------------------------------------
# Month names and abbreviations, English first, then German, French and Spanish (the resumes a European
# job seeker writes), each to its number.
_MONTH_NAMES = {
    1: "january jan januar jän janvier janv enero ene",
    2: "february feb februar février fevrier févr fevr febrero",
    3: "march mar märz maerz mrz mär mars marzo",
    4: "april apr avril avr abril abr",
    5: "may mai mayo",
    6: "june jun juni juin junio",
    7: "july jul juli juillet juil julio",
    8: "august aug août aout agosto ago",
    9: "september sept sep septembre septiembre setiembre",
    10: "october oct oktober okt octobre octubre",
    11: "november nov novembre noviembre",
    12: "december dec dezember dez décembre decembre déc diciembre dic",
}
_MONTHS = {name: number for number, names in _MONTH_NAMES.items() for name in names.split()}
_MONTH = "(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + ")"
_YEAR = r"(?:19[5-9]\d|20\d\d)"


def _point(name: str) -> str:
    return (
        rf"(?:(?P<{name}_mname>{_MONTH})\.?,?\s+(?:'|’)?(?P<{name}_myear>{_YEAR})"
        rf"|(?P<{name}_mnum>0?[1-9]|1[0-2])\s*[/.]\s*(?P<{name}_nyear>{_YEAR})"
        rf"|(?P<{name}_iyear>{_YEAR})[-/.](?P<{name}_imon>0[1-9]|1[0-2])(?!\d)"
        rf"|(?P<{name}_year>{_YEAR}))"
    )


_PRESENT = (
    r"(?P<present>present|current(?:ly)?|now|today|ongoing|to date|date"
    r"|heute|jetzt|aktuell|présent|aujourd'hui|aujourd’hui|actuel(?:lement)?|en cours|presente|actualidad|actual|hoy)"
)
_RANGE = re.compile(
    rf"(?<![\w/.-]){_point('start')}\s*(?:-|–|—|‒|―|~|to|until|till|through|thru|bis|à|a|hasta)\s*(?:{_point('end')}|{_PRESENT})(?![\w/-])",
    re.IGNORECASE,
)

# -- bullets ---------------------------------------------------------------------------------------------------
_BULLET = re.compile(r"^\s*(?:[•\-*·▪●◦‣○■►➢✓✔–—]|\d{1,2}[.)])\s+(?P<text>\S.*)$")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_MONEY_OR_SHARE = re.compile(
    r"[$€£¥₹]\s?\d|\d\s?(?:%|percent\b|x\b|k\b|m\b|bn\b)|\b(?:million|billion|thousand|hundred|double[ds]?|tripled?|halved)\b", re.IGNORECASE
)
_FIRST_PERSON = re.compile(r"\b(?:I|me|my|mine|myself)\b")
_WORD = re.compile(r"[^\W_][\w'’+#./-]*", re.UNICODE)

ACTION_VERBS = frozenset(
    """
    accelerated accomplished achieved acquired adapted administered advised advocated analysed analyzed applied
    architected arranged assembled assessed attained audited authored automated balanced boosted briefed budgeted
    built calculated campaigned captured catalogued centralised centralized chaired championed clarified coached
    coded collaborated collected compiled completed composed computed conceived conceptualised conceptualized
    conducted consolidated constructed consulted contributed controlled converted convinced coordinated corrected
    crafted created cultivated curated customised customized cut debugged decreased defined delegated delivered
    deployed designed detected determined developed devised diagnosed digitised digitized directed discovered
    doubled drafted drove earned edited educated eliminated enabled encouraged engineered enhanced established
    evaluated exceeded executed expanded expedited experimented explained facilitated finalised finalized fixed
    forecasted formalised formalized formulated fostered founded gained generated grew guided halved handled
    headed hired identified implemented improved increased influenced initiated innovated inspected installed
    instituted instructed integrated interviewed introduced invented investigated launched lectured led leveraged
    lifted lowered maintained managed mapped marketed maximised maximized measured mediated mentored merged
    migrated minimised minimized mobilised mobilized modelled modeled moderated modernised modernized monitored
    motivated navigated negotiated onboarded operated optimised optimized orchestrated organised organized
    originated outperformed overhauled oversaw owned partnered performed persuaded piloted pioneered planned
    prepared presented prioritised prioritized produced profiled programmed promoted proposed prototyped proved
    provided published purchased qualified raised ran rebuilt recommended reconciled recruited redesigned reduced
    refactored refined regained remodelled remodeled reorganised reorganized replaced reported represented
    researched resolved restructured revamped reviewed revised revitalised revitalized saved scaled scheduled
    screened secured segmented served shaped shipped simplified slashed sold solved spearheaded specified
    sponsored stabilised stabilized standardised standardized started steered streamlined strengthened structured
    succeeded supervised surpassed surveyed sustained synthesised synthesized systematised systematized targeted
    taught tested tightened tracked trained transformed translated trimmed tripled troubleshot tuned uncovered
    unified upgraded validated verified visualised visualized won wrote
    """.split()
)
# Openings that say what someone was meant to do, not what they did.
WEAK_OPENINGS = (
    "responsible for",
    "worked on",
    "worked with",
    "helped",
    "helped with",
    "assisted",
    "assisted with",
    "duties included",
    "duties",
    "tasked with",
    "involved in",
    "participated in",
    "in charge of",
    "handled various",
    "was responsible",
    "was involved",
    "did",
    "tried",
)

_WEAK_LONGEST_FIRST = sorted(WEAK_OPENINGS, key=len, reverse=True)

# -- the checks and their weights (points); a target role adds its own --------------------------------------
WEIGHTS = {
    "contact.email": 8,
    "contact.phone": 6,
    "contact.link": 4,
    "contact.location": 2,
    "sections.experience": 12,
    "sections.education": 8,
    "sections.skills": 10,
    "sections.summary": 5,
    "skills.count": 10,
    "bullets.quantified": 15,
    "bullets.actionVerbs": 10,
    "experience.dated": 5,
    "length.words": 5,
}
ROLE_WEIGHT = 10
TARGET_SKILLS = 8  # skills named for the full points
TARGET_QUANTIFIED = 0.5  # share of bullets with a number for the full points
TARGET_ACTION = 0.6  # share of bullets opening with an action verb for the full points
WORDS_IDEAL = (300, 1000)
WORDS_TOLERABLE = (200, 1400)
ACHIEVEMENT_SECTIONS = ("experience", "projects", "volunteering", "awards")
MAX_ITEMS = 8  # strengths, weaknesses and suggestions each
MAX_ITEM_CHARS = 300
QUOTE_CHARS = 70


@dataclass(frozen=True)
class Check:
    id: str
    label: str
    weight: int
    points: float
    detail: str

    @property
    def passed(self) -> bool:
        return self.points >= self.weight

    def view(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "weight": self.weight,
            "points": round(self.points, 1),
            "passed": self.passed,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Bullet:
    text: str
    section: str
    quantified: bool
    verb: str | None  # the action verb it opens with
    weak: str | None  # the weak opening it has instead


@dataclass
class Analysis:
    sections: list[str]
    contact: dict[str, str | None]
    skills: list[str]
    years_of_experience: float
    seniority: str
    word_count: int
    bullets: list[Bullet]
    first_person: int
    target_role: dict[str, Any] | None
    checks: list[Check] = field(default_factory=list)
    ats_score: int = 0
    strengths: list[str] = field(default_factory=list)
    weaknesses: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)

    def answer(self) -> dict[str, Any]:
        """The seed's analysis (the AI task's answer): ``{atsScore, strengths, weaknesses, suggestions}``."""
        return {"atsScore": self.ats_score, "strengths": self.strengths, "weaknesses": self.weaknesses, "suggestions": self.suggestions}

    def facts(self) -> dict[str, Any]:
        """What the rules found, whoever scores: the deterministic part of every analysis."""
        quantified = sum(1 for b in self.bullets if b.quantified)
        return {
            "sections": self.sections,
            "contact": self.contact,
            "skills": self.skills,
            "yearsOfExperience": self.years_of_experience,
            "seniority": self.seniority,
            "wordCount": self.word_count,
            "bulletCount": len(self.bullets),
            "quantifiedBullets": quantified,
            "actionVerbBullets": sum(1 for b in self.bullets if b.verb),
            "targetRole": self.target_role,
            "checks": [check.view() for check in self.checks],
        }


# -- the analysis ------------------------------------------------------------------------------------------------
def analyse(text: str, *, target_role: str | None = None, today: dt.date) -> Analysis:
    lines = [line.strip() for line in text.split("\n")]
    blocks = _sections(lines)
    sections = [key for key in blocks if key != "header"]
    header = blocks.get("header", [])[:_HEADER_LINES] or lines[:_HEADER_LINES]
    experience_lines = blocks.get("experience") or ([] if "experience" in blocks else _undated_fallback(blocks))
    bullets = _bullets(blocks)
    skills = vocabulary.skills_in(text)
    years = _years(experience_lines, today)
    analysis = Analysis(
        sections=sections,
        contact=_contact(text, header),
        skills=skills,
        years_of_experience=years,
        seniority=_seniority(blocks.get("experience") or [], years, text),
        word_count=len(_WORD.findall(text)),
        bullets=bullets,
        first_person=sum(1 for line in lines for _ in _FIRST_PERSON.finditer(line)),
        target_role=_target(target_role, skills),
    )
    analysis.checks = _checks(analysis)
    earned = sum(check.points for check in analysis.checks)
    total = sum(check.weight for check in analysis.checks)
    analysis.ats_score = max(0, min(100, round(100 * earned / total)))
    analysis.strengths = _fit(_strengths(analysis))
    analysis.weaknesses = _fit(_weaknesses(analysis))
    analysis.suggestions = _fit(_suggestions(analysis))
    return analysis


def _normal_heading(line: str) -> str:
    line = re.sub(r"^[\W_]+|[\W_]+$", "", line.lower().replace("&", " and ").replace("/", " and "))
    return " ".join(re.sub(r"[^\w ]+", " ", line).split())


def heading_of(line: str) -> tuple[str | None, str]:
    """The section a line opens (or None) and what follows the heading on the same line ("Skills: Python,
    SQL" opens the skills and holds two)."""
    if not line or len(line) > 200:
        return None, ""
    if len(line) <= _MAX_HEADING_CHARS:
        key = _HEADING_OF.get(_normal_heading(line))
        if key:
            return key, ""
    label, colon, rest = line.partition(":")
    if colon and len(label) <= _MAX_HEADING_CHARS:
        key = _HEADING_OF.get(_normal_heading(label))
        if key:
            return key, rest.strip()
    return None, ""


def _sections(lines: list[str]) -> dict[str, list[str]]:
    """The lines of each section, in the order the sections first appear ("header" for what precedes the
    first heading); a section named twice keeps both parts."""
    blocks: dict[str, list[str]] = {"header": []}
    current = "header"
    for line in lines:
        key, rest = heading_of(line)
        if key:
            current = key
            blocks.setdefault(key, [])
            if rest:
                blocks[key].append(rest)
        elif line:
            blocks[current].append(line)
    if not blocks["header"]:
        del blocks["header"]
    return blocks


def _undated_fallback(blocks: dict[str, list[str]]) -> list[str]:
    """With no experience heading, the dates outside education and the like still tell a career."""
    skipped = {"education", "certifications", "awards", "publications", "languages", "interests", "volunteering"}
    return [line for key, block in blocks.items() if key not in skipped for line in block]


# -- contact -------------------------------------------------------------------------------------------------------
def _contact(text: str, header: list[str]) -> dict[str, str | None]:
    email = _first(_EMAIL, text)
    linkedin = _first(_LINKEDIN, text)
    github = _first(_GITHUB, text)
    return {
        "email": email,
        "phone": _phone(header) or _phone(text.split("\n")),
        "linkedin": linkedin,
        "github": github,
        "website": _website(text, email, (linkedin, github)),
        "location": _location(header),
    }


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    found = pattern.search(text)
    return found.group(0).rstrip("/.") if found else None


def _phone(lines: Iterable[str]) -> str | None:
    for line in lines:
        for match in _PHONE.finditer(line):
            candidate = match.group(0).strip()
            digits = re.sub(r"\D", "", candidate)
            if not 9 <= len(digits) <= 15:
                continue
            groups = re.findall(r"\d+", candidate)
            if (
                all(re.fullmatch(_YEAR, group) for group in groups if len(group) == 4)
                and sum(len(g) == 4 for g in groups) >= 2
                and all(len(g) == 4 for g in groups)
            ):
                continue  # "2019 2021 2023": years, not a number to call
            return candidate
    return None


def _website(text: str, email: str | None, known: tuple[str | None, ...]) -> str | None:
    for match in _URL.finditer(text):
        url = match.group(0).rstrip("/.")
        lowered = url.lower()
        if "linkedin.com" in lowered or "github.com" in lowered:
            continue
        if any(k and k.lower() in lowered for k in known):
            continue
        if vocabulary.canonical_skill(url) != url or vocabulary.skills_in(url):  # "Node.js", "Socket.io"
            continue
        return url
    return None


def _location(header: list[str]) -> str | None:
    for line in header:
        labelled = _LOCATION_LABEL.match(line)
        if labelled:
            return labelled.group(1).strip()
        for segment in _SEGMENTS.split(line):
            segment = segment.strip(" ,;")
            if not segment or "@" in segment or "http" in segment.lower() or "www." in segment.lower() or sum(ch.isdigit() for ch in segment) > 0:
                continue
            if segment.lower() in ("remote", "remote-first", "fully remote"):
                return segment
            if _PLACE.match(segment) and len(segment.split()) <= 6 and not _is_title(segment):
                return segment
    return None


def _is_title(segment: str) -> bool:
    """A job title or a skill list ("Senior Engineer, Payments", "Python, SQL") is no place."""
    return vocabulary.role_of(segment) is not None or vocabulary.seniority_of(segment, default="") != "" or bool(vocabulary.skills_in(segment))


# -- experience ---------------------------------------------------------------------------------------------------
def date_ranges(lines: Iterable[str], today: dt.date) -> list[tuple[int, int]]:
    """Each date range as months since year 0: [start, end), present as ``today``'s month; ranges that
    end before they start, or start after today, are dropped, and an end after today is cut to today."""
    now = today.year * 12 + today.month - 1
    found = []
    for line in lines:
        for match in _RANGE.finditer(line):
            start, start_exact = _month_of(match, "start")
            end, end_exact = (now, True) if match.group("present") else _month_of(match, "end")
            if start is None or end is None:
                continue
            if end_exact:
                end += 1  # "Mar 2019 - May 2019" is three months, May included; "present" counts this month
            if not (start_exact and end_exact) and end <= start:
                end = start + 6  # "2021 - 2021": some months of that year
            if start > now or end <= start:
                continue
            found.append((start, min(end, now + 1)))
    return found


def _month_of(match: re.Match[str], name: str) -> tuple[int | None, bool]:
    """The month a range's point names (months since year 0) and whether it names a month or only a year."""
    groups = match.groupdict()
    if groups.get(f"{name}_myear"):
        month = _MONTHS[groups[f"{name}_mname"].lower()]
        return int(groups[f"{name}_myear"]) * 12 + month - 1, True
    if groups.get(f"{name}_nyear"):
        return int(groups[f"{name}_nyear"]) * 12 + int(groups[f"{name}_mnum"]) - 1, True
    if groups.get(f"{name}_iyear"):
        return int(groups[f"{name}_iyear"]) * 12 + int(groups[f"{name}_imon"]) - 1, True
    if groups.get(f"{name}_year"):
        return int(groups[f"{name}_year"]) * 12, False
    return None, False


def _years(lines: list[str], today: dt.date) -> float:
    """Years covered by the ranges, overlapping ones counted once (two jobs at once are not two years)."""
    merged: list[list[int]] = []
    for start, end in sorted(date_ranges(lines, today)):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    months = sum(end - start for start, end in merged)
    return round(months / 12, 1)


def _seniority(experience: list[str], years: float, text: str) -> str:
    """The level the latest title states ("Senior Data Engineer"), else the one the years suggest."""
    for index, line in enumerate(experience[:12]):
        if _RANGE.search(line):
            title = " ".join(experience[max(0, index - 1) : index + 1])
            stated = vocabulary.seniority_of(_RANGE.sub(" ", title), default="")
            if stated:
                return stated
            break
    if years < 1 and re.search(r"\bintern(?:ship)?\b", text, re.IGNORECASE):
        return "intern"
    if years < 2:
        return "junior"
    if years < 5:
        return "mid"
    if years < 10:
        return "senior"
    return "lead"


# -- bullets ----------------------------------------------------------------------------------------------------------
def _bullets(blocks: dict[str, list[str]]) -> list[Bullet]:
    """The achievement lines: the bullets of the experience, projects, volunteering and awards; without
    any bullet there, the experience's sentences (a line of six words or more that is not a date line)."""
    marked = [(key, found.group("text")) for key in ACHIEVEMENT_SECTIONS for found in (_BULLET.match(line) for line in blocks.get(key, [])) if found]
    if not marked:
        marked = [("experience", line) for line in blocks.get("experience", []) if len(line.split()) >= 6 and not _RANGE.search(line)]
    return [_bullet(key, line) for key, line in marked]


def _bullet(section: str, text: str) -> Bullet:
    lowered = text.lower().lstrip("\"'“ ")
    first = re.split(r"[^\w]+", lowered, maxsplit=1)[0] if lowered else ""
    weak = next((opening for opening in _WEAK_LONGEST_FIRST if lowered.startswith(opening + " ") or lowered == opening), None)
    return Bullet(text=text, section=section, quantified=quantified(text), verb=first if first in ACTION_VERBS else None, weak=weak)


def quantified(text: str) -> bool:
    """Whether a line carries a measure: a share, an amount, a count (a year alone is no measure)."""
    if _MONEY_OR_SHARE.search(text):
        return True
    return any(not re.fullmatch(_YEAR, number) for number in _NUMBER.findall(_RANGE.sub(" ", text)))


# -- the target role ----------------------------------------------------------------------------------------------------
def _target(target_role: str | None, skills: list[str]) -> dict[str, Any] | None:
    if not target_role or not target_role.strip():
        return None
    role = vocabulary.role_of(target_role)
    if role is None:
        return {
            "asked": target_role.strip(),
            "key": vocabulary.role_key(target_role),
            "name": None,
            "known": False,
            "coreSkills": [],
            "matchedSkills": [],
            "missingSkills": [],
        }
    have = {skill.lower() for skill in skills}
    return {
        "asked": target_role.strip(),
        "key": role.key,
        "name": role.name,
        "known": True,
        "coreSkills": list(role.core),
        "matchedSkills": [skill for skill in role.core if skill.lower() in have],
        "missingSkills": [skill for skill in role.core if skill.lower() not in have],
    }


# -- the checks -----------------------------------------------------------------------------------------------------------
def _checks(a: Analysis) -> list[Check]:
    checks = [
        _present("contact.email", "an email address", a.contact["email"]),
        _present("contact.phone", "a phone number", a.contact["phone"]),
        _present("contact.link", "a LinkedIn, GitHub or portfolio link", a.contact["linkedin"] or a.contact["github"] or a.contact["website"]),
        _present("contact.location", "a location (city, country)", a.contact["location"]),
    ]
    for key in ("experience", "education", "skills", "summary"):
        found = key in a.sections
        checks.append(
            Check(
                f"sections.{key}",
                f"the '{SECTION_TITLES[key]}' section",
                WEIGHTS[f"sections.{key}"],
                WEIGHTS[f"sections.{key}"] if found else 0,
                "found" if found else "missing",
            )
        )
    weight = WEIGHTS["skills.count"]
    checks.append(
        Check(
            "skills.count",
            f"at least {TARGET_SKILLS} skills an ATS can match",
            weight,
            weight * min(1.0, len(a.skills) / TARGET_SKILLS),
            f"{len(a.skills)} found",
        )
    )
    total = len(a.bullets)
    quantified_count = sum(1 for b in a.bullets if b.quantified)
    weight = WEIGHTS["bullets.quantified"]
    share = quantified_count / total if total else 0.0
    checks.append(
        Check(
            "bullets.quantified",
            "achievements with numbers (half the bullets or more)",
            weight,
            weight * min(1.0, share / TARGET_QUANTIFIED),
            f"{quantified_count} of {total} bullets",
        )
    )
    verbs = sum(1 for b in a.bullets if b.verb)
    weight = WEIGHTS["bullets.actionVerbs"]
    share = verbs / total if total else 0.0
    checks.append(
        Check(
            "bullets.actionVerbs",
            "bullets that open with an action verb",
            weight,
            weight * min(1.0, share / TARGET_ACTION),
            f"{verbs} of {total} bullets",
        )
    )
    weight = WEIGHTS["experience.dated"]
    checks.append(
        Check(
            "experience.dated",
            "roles with dates (e.g. 'Mar 2021 - Present')",
            weight,
            weight if a.years_of_experience > 0 else 0,
            f"{a.years_of_experience:g} years dated",
        )
    )
    weight = WEIGHTS["length.words"]
    low, high = WORDS_IDEAL
    if low <= a.word_count <= high:
        points = float(weight)
    elif WORDS_TOLERABLE[0] <= a.word_count <= WORDS_TOLERABLE[1]:
        points = weight / 2
    else:
        points = 0.0
    checks.append(Check("length.words", f"a length of {low} to {high} words", weight, points, f"{a.word_count} words"))
    role = a.target_role
    if role and role["known"]:
        core = role["coreSkills"]
        checks.append(
            Check(
                "role.coreSkills",
                f"the core skills of {role['name']}",
                ROLE_WEIGHT,
                ROLE_WEIGHT * len(role["matchedSkills"]) / len(core),
                f"{len(role['matchedSkills'])} of {len(core)}",
            )
        )
    return checks


def _present(check_id: str, label: str, value: str | None) -> Check:
    weight = WEIGHTS[check_id]
    return Check(check_id, label, weight, weight if value else 0, "found" if value else "missing")


def _by_id(a: Analysis) -> dict[str, Check]:
    return {check.id: check for check in a.checks}


# -- what to say ---------------------------------------------------------------------------------------------------------
def _quote(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= QUOTE_CHARS:
        return f'"{text}"'
    return '"' + text[:QUOTE_CHARS].rsplit(" ", 1)[0] + '…"'


def _counted(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _listing(items: list[str], limit: int = 5) -> str:
    shown = items[:limit]
    more = len(items) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _strengths(a: Analysis) -> list[str]:
    checks = _by_id(a)
    said = []
    found = [
        name
        for name, key in (
            ("email", "email"),
            ("phone", "phone"),
            ("LinkedIn", "linkedin"),
            ("GitHub", "github"),
            ("website", "website"),
            ("location", "location"),
        )
        if a.contact.get(key)
    ]
    if checks["contact.email"].passed and checks["contact.phone"].passed and checks["contact.link"].passed:
        said.append(f"Complete contact details an ATS reads: {_listing(found, 6)}.")
    core_found = [SECTION_TITLES[key] for key in CORE_SECTIONS if key in a.sections]
    if len(core_found) == len(CORE_SECTIONS):
        extra = [SECTION_TITLES[key] for key in a.sections if key not in CORE_SECTIONS and key in SECTION_TITLES]
        said.append("Standard section headings an ATS parses: " + ", ".join(core_found + extra) + ".")
    if checks["skills.count"].passed:
        said.append(f"Names {len(a.skills)} skills an ATS can match, e.g. {_listing(a.skills, 6)}.")
    quantified = [b for b in a.bullets if b.quantified]
    if checks["bullets.quantified"].passed and quantified:
        said.append(f"{len(quantified)} of {len(a.bullets)} bullets carry a number, e.g. {_quote(quantified[0].text)}.")
    verbs = list(dict.fromkeys(b.verb for b in a.bullets if b.verb))
    if checks["bullets.actionVerbs"].passed and verbs:
        said.append(f"Bullets open with action verbs ({_listing(verbs, 5)}).")
    if a.years_of_experience >= 1:
        said.append(f"{a.years_of_experience:g} years of dated experience, read as {a.seniority} level.")
    if checks["length.words"].passed:
        said.append(f"A readable length: {a.word_count} words.")
    role = a.target_role
    if role and role["known"] and role["matchedSkills"] and len(role["matchedSkills"]) * 2 >= len(role["coreSkills"]):
        said.append(
            f"Shows {len(role['matchedSkills'])} of the {len(role['coreSkills'])} core skills of {role['name']}: {_listing(role['matchedSkills'])}."
        )
    return said


def _weaknesses(a: Analysis) -> list[str]:
    checks = _by_id(a)
    said = []
    missing_sections = [SECTION_TITLES[key] for key in ("experience", "skills", "education", "summary") if key not in a.sections]
    if missing_sections:
        named = [f"'{name}'" for name in missing_sections]
        listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " or " + named[-1]
        said.append(f"No {listed} section heading an ATS can find.")
    missing_contact = [
        label
        for key, label in (("contact.email", "email address"), ("contact.phone", "phone number"), ("contact.link", "LinkedIn or portfolio link"))
        if not checks[key].passed
    ]
    if missing_contact:
        said.append("No " + _listing(missing_contact) + " in the resume.")
    unquantified = [b for b in a.bullets if not b.quantified]
    if not a.bullets:
        said.append("No bullet points: achievements are hard to scan.")
    elif not checks["bullets.quantified"].passed:
        said.append(f"{len(unquantified)} of {len(a.bullets)} bullets have no number to show the result.")
    weak = [b for b in a.bullets if b.weak]
    if weak:
        openings = list(dict.fromkeys(f"'{b.weak.capitalize()}'" for b in weak if b.weak))
        said.append(f"{_counted(len(weak), 'bullet opens', 'bullets open')} with weak phrases such as {_listing(openings, 3)}.")
    elif a.bullets and not checks["bullets.actionVerbs"].passed:
        said.append(f"Only {sum(1 for b in a.bullets if b.verb)} of {len(a.bullets)} bullets open with an action verb.")
    if not checks["skills.count"].passed:
        said.append(f"Only {_counted(len(a.skills), 'skill', 'skills')} an ATS recognises" + (f" ({_listing(a.skills)})." if a.skills else "."))
    if not checks["experience.dated"].passed:
        said.append("No dated roles: an ATS cannot tell how long you held each job.")
    if a.word_count < WORDS_IDEAL[0]:
        said.append(f"Short: {a.word_count} words.")
    elif a.word_count > WORDS_IDEAL[1]:
        said.append(f"Long: {a.word_count} words, more than two pages.")
    role = a.target_role
    if role and role["known"] and role["missingSkills"]:
        said.append(f"Missing core skills of {role['name']}: {_listing(role['missingSkills'])}.")
    if a.first_person >= 3:
        said.append(f"Written in the first person ({a.first_person} times 'I', 'me' or 'my').")
    return said


def _suggestions(a: Analysis) -> list[str]:
    checks = _by_id(a)
    said = []
    role = a.target_role
    if "experience" not in a.sections:
        said.append(
            "Add an 'Experience' section: each role with its title, company and dates (e.g. 'Mar 2021 - Present'), then 3-5 bullets of results."
        )
    if "skills" not in a.sections:
        if a.skills:
            said.append(
                f"Add a 'Skills' section listing the skills your text already mentions ({_listing(a.skills, 6)}), so an ATS finds them in one place."
            )
        else:
            said.append("Add a 'Skills' section with the tools, languages and methods you use, written as job postings name them.")
    if "education" not in a.sections:
        said.append("Add an 'Education' section: degree, school and year (courses and certifications count too).")
    if "summary" not in a.sections:
        opening = _summary_example(a)
        said.append(f"Open with a 2-3 line 'Summary' of who you are and what you offer, e.g. '{opening}'.")
    if not checks["contact.email"].passed:
        said.append("Put your email address in the header: an ATS fills your application from it.")
    if not checks["contact.phone"].passed:
        said.append("Put a phone number in the header (with the country code, e.g. +44 20 7946 0958).")
    if not checks["contact.link"].passed:
        said.append("Add your LinkedIn profile URL (or GitHub / portfolio) next to your email.")
    if role and role["known"] and role["missingSkills"]:
        said.append(
            f"For {role['name']} roles, add the core skills you have but do not show: {_listing(role['missingSkills'])} "
            "(in a bullet where you used them, or in Skills); learn the ones you lack."
        )
    unquantified = [b for b in a.bullets if not b.quantified]
    if a.bullets and unquantified and not checks["bullets.quantified"].passed:
        quotes = "; ".join(_quote(b.text) for b in unquantified[:3])
        said.append(f"Give these bullets a number (%, money, time saved, users, team size): {quotes}.")
    elif not a.bullets and "experience" in a.sections:
        said.append("Write each role as 3-5 bullets, each a result: what you did, how, and the number it moved.")
    weak = [b for b in a.bullets if b.weak]
    if weak:
        opening = (weak[0].weak or "").capitalize()
        said.append(
            f"Start with a verb that says what you did instead of '{opening}' ({_counted(len(weak), 'bullet', 'bullets')}, e.g. "
            f"{_quote(weak[0].text)}): 'Led', 'Built', 'Reduced', 'Launched'."
        )
    elif a.bullets and not checks["bullets.actionVerbs"].passed:
        plain = [b for b in a.bullets if not b.verb]
        said.append(f"Open these bullets with an action verb (Led, Built, Reduced...): {'; '.join(_quote(b.text) for b in plain[:2])}.")
    if not checks["skills.count"].passed and "skills" in a.sections:
        said.append(f"Name more of your skills as postings spell them: {len(a.skills)} are recognisable now; aim for {TARGET_SKILLS} or more.")
    if not checks["experience.dated"].passed and "experience" in a.sections:
        said.append("Give each role its dates ('Jan 2020 - Present'): an ATS computes your years of experience from them.")
    if a.word_count < WORDS_IDEAL[0]:
        said.append(
            f"At {a.word_count} words the resume is thin: add results to each role"
            + ("" if "projects" in a.sections else " and a 'Projects' section")
            + "."
        )
    elif a.word_count > WORDS_IDEAL[1]:
        said.append(f"At {a.word_count} words it runs past two pages: keep the last 10 years in detail and older roles to one line each.")
    if a.first_person >= 3:
        said.append(f"Drop 'I' and 'my' ({a.first_person} times): 'Led the migration', not 'I led the migration'.")
    if a.seniority in ("intern", "junior") and "projects" not in a.sections:
        said.append("Add a 'Projects' section: with little work history, projects show what you can do (link the code or demo).")
    if not checks["contact.location"].passed:
        said.append("Add your city and country (or 'Remote') to the header: many searches filter by location.")
    return said


def _summary_example(a: Analysis) -> str:
    role = a.target_role["name"] if a.target_role and a.target_role.get("name") else "Professional"
    level = {"intern": "Aspiring", "junior": "Junior", "senior": "Senior", "lead": "Lead", "principal": "Principal"}.get(a.seniority, "")
    years = f" with {a.years_of_experience:g} years of experience" if a.years_of_experience >= 1 else ""
    skills = f" in {_listing(a.skills, 3)}" if a.skills else ""
    return " ".join(f"{level} {role}{years}{skills}".split())


def _fit(items: list[str]) -> list[str]:
    """At most MAX_ITEMS items of at most MAX_ITEM_CHARS characters (the answer schema's bounds)."""
    fitted = []
    for item in items[:MAX_ITEMS]:
        if len(item) > MAX_ITEM_CHARS:
            item = item[: MAX_ITEM_CHARS - 1].rsplit(" ", 1)[0] + "…"
        fitted.append(item)
    return fitted
