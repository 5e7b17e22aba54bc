"""career.match: one sentence per job of a page explaining the person's measured fit ({explanations: [{jobId,
explanation}]}). The score is measured before the model is asked; the sentence explains it.

Checks:
  ids              exactly one explanation per job given, with its jobId as given, and no other job.
  agrees_with_score the fit the sentence states ("a strong match", "a weak fit", "not a good fit") is the
                   score's band (80+ strong, 60-79 good, 40-59 partial, below 40 weak), and a score it quotes
                   ("72/100") is the job's.
  grounded_skills  every skill named is the person's, the job's (asked, matched, missing) or in its title.
  have_or_lack     a skill said to be had ("you already bring X") is the person's; a skill said to be lacking
                   ("learning X", "missing X") is not one they have.
  names_gap        when the job asks for skills the person lacks, the sentence names at least one of them.
  numbers_grounded every number is the score, a count of the job's skills, or a figure of the job or the
                   person (pay, minimum, a number in the title): no invented figure.
  whole_sentence   each explanation ends as a sentence ends, not cut short ("close the main g...").
  agreement        counts agree with their nouns ("1 skill", never "1 skills").
"""

from __future__ import annotations

import json
import re
from typing import Any

from zik_local.eval.checks import Check
from zik_local.eval.rubrics.career_shared import agreement, lower_set, numbers_in, skills_mentioned, skills_named

TASK = "career.match"
HEADLINE: str | None = None

BANDS = (("strong", 80), ("good", 60), ("partial", 40), ("weak", 0))
# A band's words before "fit" or "match" ("a strong match", "an excellent fit"); negated good words are weak.
_BAND_WORDS = (
    ("weak", r"not an? (?:good |strong |great )?|weak|poor|low|limited|long[- ]shot|unlikely"),
    ("strong", r"strong|excellent|great|ideal|perfect|very good|close|top"),
    ("good", r"good|solid|decent|reasonable"),
    ("partial", r"partial|moderate|fair|mixed|some"),
)
_BAND_PHRASE = re.compile(
    r"\b(?P<words>" + "|".join(f"(?P<{band}>{words})" for band, words in _BAND_WORDS) + r")\s*(?:\w+\s+)?(?:fit|match)\b", re.IGNORECASE
)
_QUOTED_SCORE = re.compile(r"(\d{1,3})\s*/\s*100|\bscore(?:d| of)?\s*(\d{1,3})|(\d{1,3})\s*%\s*(?:match|fit)", re.IGNORECASE)
_CLAUSE = re.compile(r"[.;:!?]|,?\s+\b(?:but|while|though|although|whereas|yet|however)\b|\s[—–-]\s")
_HAVE = re.compile(
    r"\byou(?:'ve|'re| have| are)?\s+(?:already\s+)?(?:have|bring|know|cover|offer|master|use|skilled|strong|experienced)\b"
    r"|\byour (?:\w+ )?(?:skills?|experience|background|expertise) (?:in|with)\b|\bbuilds on your\b|\bmatch(?:es)? your\b",
    re.IGNORECASE,
)
_LACK = re.compile(
    r"\b(?:lack|lacking|missing|miss|learn|learning|gap|without|need|needs|add|adding|pick up|close|build up|raise|improve|would|no)\b|n't",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?][\"')”’]?$")
_ELLIPSIS = re.compile(r"(?:\.\.\.|…)[\"')”’]?$")
_THOUSANDS = re.compile(r"(\d+(?:\.\d+)?)\s*k\b", re.IGNORECASE)


def band_of(score: int) -> str:
    return next(name for name, floor in BANDS if score >= floor)


def grade(case: dict[str, Any], answer: dict[str, Any]) -> list[Check]:
    data = case["data"]
    jobs = {job["jobId"]: job for job in data["jobs"]}
    given = [entry["jobId"] for entry in answer["explanations"]]
    extra = [job_id for job_id in given if job_id not in jobs]
    doubled = sorted({job_id for job_id in given if given.count(job_id) > 1})
    left_out = [job_id for job_id in jobs if job_id not in given]
    ids_ok = not (extra or doubled or left_out)
    checks = [Check("ids", ids_ok, "" if ids_ok else f"extra {extra}, twice {doubled}, left out {left_out}")]
    explained = {entry["jobId"]: entry["explanation"] for entry in answer["explanations"] if entry["jobId"] in jobs}
    profile = data["profile"]
    results: dict[str, list[str]] = {
        "agrees_with_score": [],
        "grounded_skills": [],
        "have_or_lack": [],
        "names_gap": [],
        "numbers_grounded": [],
        "whole_sentence": [],
    }
    for job_id, sentence in explained.items():
        job = jobs[job_id]
        for name, problem in (
            ("agrees_with_score", _disagreement(job, sentence)),
            ("grounded_skills", _ungrounded(profile, job, sentence)),
            ("have_or_lack", _have_or_lack(profile, job, sentence)),
            ("names_gap", _gap_unnamed(job, sentence)),
            ("numbers_grounded", _invented_numbers(profile, job, sentence)),
            ("whole_sentence", _cut(sentence)),
        ):
            if problem:
                results[name].append(f"{job_id}: {problem}")
    checks.extend(Check(name, not problems, "; ".join(problems)) for name, problems in results.items())
    checks.append(agreement("agreement", " ".join(explained.values())))
    return checks


def _disagreement(job: dict[str, Any], sentence: str) -> str:
    score = int(job["score"])
    expected = band_of(score)
    stated = [band for match in _BAND_PHRASE.finditer(sentence) for band, _ in _BAND_WORDS if match.group(band)]
    quoted = [int(next(g for g in match.groups() if g)) for match in _QUOTED_SCORE.finditer(sentence)]
    problems = []
    if any(band != expected for band in stated):
        problems.append(f"calls a {score} ({expected}) a {'/'.join(stated)} fit")
    if any(value != score for value in quoted):
        problems.append(f"quotes {quoted}, the score is {score}")
    return "; ".join(problems)


def _known_skills(profile: dict[str, Any], job: dict[str, Any]) -> set[str]:
    named = [*(profile.get("skills") or []), *(job.get("matchedSkills") or []), *(job.get("missingSkills") or [])]
    named += skills_named(" ".join([job.get("title") or "", *(job.get("reasons") or []), job.get("concern") or ""]))
    return lower_set(named)


def _ungrounded(profile: dict[str, Any], job: dict[str, Any], sentence: str) -> str:
    known = _known_skills(profile, job)
    invented = [skill for skill in skills_named(sentence) if skill.lower() not in known]
    return f"names {invented}, in neither the job nor the profile" if invented else ""


def clauses(sentence: str) -> list[str]:
    return [part for part in _CLAUSE.split(sentence) if part and part.strip()]


def _have_or_lack(profile: dict[str, Any], job: dict[str, Any], sentence: str) -> str:
    have = lower_set(profile.get("skills") or [])
    known = [*(profile.get("skills") or []), *(job.get("matchedSkills") or []), *(job.get("missingSkills") or [])]
    problems = []
    for clause in clauses(sentence.replace(job.get("title") or "\0", " ")):
        named = skills_mentioned(clause, known)
        # The cues are read without the skills' own names ("Machine Learning" is no "learning").
        cues = clause
        for skill in named:
            cues = re.sub(re.escape(skill), " ", cues, flags=re.IGNORECASE)
        says_have, says_lack = bool(_HAVE.search(cues)), bool(_LACK.search(cues))
        if says_have and not says_lack:
            claimed = [skill for skill in named if skill.lower() not in have]
            if claimed:
                problems.append(f"says the person has {claimed}")
        elif says_lack and not says_have:
            owned = [skill for skill in named if skill.lower() in have]
            if owned:
                problems.append(f"says the person lacks {owned}, which they have")
    return "; ".join(problems)


def _gap_unnamed(job: dict[str, Any], sentence: str) -> str:
    missing = job.get("missingSkills") or []
    if not missing:
        return ""
    named = lower_set(skills_mentioned(sentence, missing))
    return "" if any(skill.lower() in named for skill in missing) else f"names none of the missing {missing}"


def _cut(sentence: str) -> str:
    ended = _SENTENCE_END.search(sentence.rstrip()) and not _ELLIPSIS.search(sentence.rstrip())
    return "" if ended else f"ends {sentence.rstrip()[-25:]!r}: not a whole sentence"


def _invented_numbers(profile: dict[str, Any], job: dict[str, Any], sentence: str) -> str:
    source = json.dumps([job, profile], ensure_ascii=False)
    allowed = {value for value, _, _ in numbers_in(source)}
    asked = len(job.get("matchedSkills") or []) + len(job.get("missingSkills") or [])
    allowed |= {float(job["score"]), 100.0, float(asked), float(len(job.get("matchedSkills") or [])), float(len(job.get("missingSkills") or []))}
    text = _THOUSANDS.sub(lambda m: str(round(float(m.group(1)) * 1000)), sentence)
    invented = [value for value, _, _ in numbers_in(text) if value not in allowed]
    return f"numbers {invented} are not in the data" if invented else ""
