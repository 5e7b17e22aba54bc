"""The deterministic match of a profile (and its resume) against a job (zik.career.matching): concrete
cases, and properties over generated profiles and jobs (hypothesis): the score only grows as the candidate
gains what the job asks for, and only shrinks as the candidate asks for more."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zik.career import matching, vocabulary

ALL_SKILLS = vocabulary.skills()
ROLE_KEYS = [role.key for role in vocabulary.roles()]
LEVELS = [level.key for level in vocabulary.seniorities()]
STAGES = vocabulary.career_stages()
PLACES = [("Berlin", "Germany"), ("Paris", "France"), ("São Paulo", "Brazil"), ("Austin", "United States"), ("Zürich", "Switzerland")]
CURRENCIES = ["USD", "EUR", "GBP"]

BACKEND = {
    "jobId": "j-backend",
    "title": "Senior Backend Engineer",
    "company": "Acme",
    "roleKey": "backend-engineer",
    "seniority": "senior",
    "skills": ["Python", "PostgreSQL", "Kubernetes", "AWS", "REST APIs"],
    "remote": False,
    "locationKey": "berlin",
    "location": {"city": "Berlin", "region": None, "country": "Germany", "display": "Berlin, Germany"},
    "salary": {"min": 65000, "max": 85000, "currency": "EUR", "period": "year"},
    "postedDate": "2026-11-20",
    "version": 1,
}
MID_PYTHONISTA = {
    "careerStage": "mid",
    "skills": ["python", "postgres", "Docker"],
    "preferences": {"roles": ["Backend Engineer"], "locations": ["Berlin"], "remote": "hybrid", "minSalary": 70000, "currency": "EUR"},
    "resume": {"resumeId": "r1", "skills": ["AWS", "Git"], "seniority": "senior", "analyzedAt": "2026-11-23T10:00:00.000Z"},
}


def test_the_weights_make_a_hundred():
    assert sum(matching.WEIGHTS.values()) == 100


def test_a_concrete_match_scores_explains_and_names_the_gaps():
    result = matching.match(MID_PYTHONISTA, BACKEND)
    # skills: core (x2) Python, AWS, REST APIs; others PostgreSQL, Kubernetes -> (2+2+1) / (2+2+2+1+1) = 5/8
    assert result.parts == {"skills": 5 / 8, "seniority": 0.6, "role": 1.0, "location": 1.0, "salary": 0.75}
    assert result.score == round(45 * 5 / 8 + 20 * 0.6 + 15 + 10 + 7.5) == 73
    assert result.matched_skills == ["Python", "PostgreSQL", "AWS"]  # the resume's AWS counts
    assert result.missing_skills == ["REST APIs", "Kubernetes"]  # the role's core first
    assert result.reasons == [
        "You have 3 of 5 skills it asks for (Python, PostgreSQL, AWS); missing REST APIs, Kubernetes",
        "Senior-level role: one level above your mid level",
        "A Backend Engineer role, as you prefer",
        "In Berlin, Germany, one of your places",
        "Pays up to 85,000 EUR, reaching your 70,000 EUR minimum",
    ]


def test_the_rules_sentence_is_one_actionable_line():
    result = matching.match(
        MID_PYTHONISTA,
        {**BACKEND, "remote": False, "locationKey": "paris", "location": {"city": "Paris", "country": "France", "display": "Paris, France"}},
    )
    entry = {
        "title": BACKEND["title"],
        "company": "Acme",
        "score": result.score,
        "matchedSkills": result.matched_skills,
        "missingSkills": result.missing_skills,
        "concern": matching.concern(result),
    }
    sentence = matching.explanation(entry)
    assert result.score == 63
    assert sentence == (
        f"A good match ({result.score}/100) for Senior Backend Engineer at Acme: you already bring Python, PostgreSQL and AWS; "
        "learning REST APIs and Kubernetes would close the main gap; mind this: in Paris, France, outside your places."
    )
    assert "\n" not in sentence and len(sentence) <= matching.MAX_EXPLANATION_CHARS


def test_unknown_parts_are_neutral():
    result = matching.match({}, {"jobId": "j", "title": "Chief Happiness Officer", "skills": []})
    assert result.parts["skills"] == matching.NEUTRAL  # no skill asked and no role family known
    assert result.parts == {name: matching.NEUTRAL for name in matching.WEIGHTS}
    assert result.score == 50 and result.reasons == [] and result.missing_skills == []


def test_a_job_naming_no_skill_is_read_against_its_roles_core():
    result = matching.match({"skills": ["SQL", "Excel"]}, {"jobId": "j", "title": "Data Analyst", "roleKey": "data-analyst", "skills": []})
    assert result.matched_skills == ["SQL", "Excel"] and result.missing_skills == ["Tableau", "Statistics"]


def test_salary_is_compared_in_the_same_currency_only():
    dollars = {**MID_PYTHONISTA, "preferences": {**MID_PYTHONISTA["preferences"], "currency": "USD"}}
    assert matching.match(dollars, BACKEND).parts["salary"] == matching.NEUTRAL
    low = {**BACKEND, "salary": {"min": 30000, "max": 35000, "currency": "EUR"}}
    assert matching.match(MID_PYTHONISTA, low).parts["salary"] == 0.0  # half the minimum or less


@pytest.mark.parametrize(
    ("remote", "places", "job_remote", "where", "expected"),
    [
        ("remote", [], True, "berlin", 1.0),
        ("remote", ["Berlin"], False, "berlin", 0.5),
        ("remote", [], False, "berlin", 0.0),
        ("onsite", ["berlin, germany"], False, "berlin", 1.0),
        ("hybrid", ["Paris"], True, "remote", 0.6),
        ("onsite", ["Paris"], True, "remote", 0.3),
        ("any", [], True, "remote", 1.0),
        ("any", ["Germany"], False, "berlin", 1.0),
        ("any", ["Paris"], False, "berlin", 0.0),
        ("any", [], False, "berlin", matching.NEUTRAL),
    ],
)
def test_location_and_remote(remote, places, job_remote, where, expected):
    job = {**BACKEND, "remote": job_remote, "locationKey": where}
    profile = {"preferences": {"remote": remote, "locations": places}}
    assert matching.match(profile, job).parts["location"] == expected


# -- properties ---------------------------------------------------------------------------------------------
@st.composite
def jobs(draw):
    city, country = draw(st.sampled_from(PLACES))
    remote = draw(st.booleans())
    low = draw(st.integers(min_value=20_000, max_value=200_000))
    return {
        "jobId": "j1",
        "title": "A job",
        "company": "Acme",
        "roleKey": draw(st.sampled_from(ROLE_KEYS)),
        "seniority": draw(st.sampled_from(LEVELS)),
        "skills": draw(st.lists(st.sampled_from(ALL_SKILLS), max_size=8, unique=True)),
        "remote": remote,
        "locationKey": "remote" if remote and draw(st.booleans()) else vocabulary.slug(city),
        "location": {"city": city, "country": country, "display": f"{city}, {country}"},
        "salary": draw(
            st.none()
            | st.just({"min": low, "max": low + draw(st.integers(min_value=0, max_value=80_000)), "currency": draw(st.sampled_from(CURRENCIES))})
        ),
    }


@st.composite
def candidates(draw):
    places = draw(st.lists(st.sampled_from([p[0] for p in PLACES] + [p[1] for p in PLACES]), max_size=3, unique=True))
    profile = {
        "careerStage": draw(st.none() | st.sampled_from(STAGES)),
        "skills": draw(st.lists(st.sampled_from(ALL_SKILLS), max_size=10, unique=True)),
        "preferences": {
            "roles": draw(st.lists(st.sampled_from([r.name for r in vocabulary.roles()]), max_size=3, unique=True)),
            "locations": places,
            "remote": draw(st.sampled_from(["any", "remote", "hybrid", "onsite"])),
            "minSalary": draw(st.none() | st.integers(min_value=1, max_value=300_000)),
            "currency": draw(st.none() | st.sampled_from(CURRENCIES)),
        },
    }
    if draw(st.booleans()):
        profile["resume"] = {
            "resumeId": "r1",
            "skills": draw(st.lists(st.sampled_from(ALL_SKILLS), max_size=6, unique=True)),
            "seniority": draw(st.sampled_from(LEVELS)),
        }
    return profile


PROPERTIES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTIES
@given(candidates(), jobs())
def test_the_score_is_a_bounded_deterministic_sum_of_its_parts(profile, job):
    result = matching.match(profile, job)
    assert 0 <= result.score <= 100
    assert result.score == round(sum(matching.WEIGHTS[n] * v for n, v in result.parts.items()))
    assert all(0.0 <= value <= 1.0 for value in result.parts.values())
    assert matching.match(profile, job) == result
    assert len(result.reasons) <= matching.MAX_REASONS and all(reason and "\n" not in reason for reason in result.reasons)


@PROPERTIES
@given(candidates(), jobs(), st.data())
def test_gaining_a_skill_the_job_asks_for_never_lowers_the_score(profile, job, data):
    before = matching.match(profile, job)
    if not before.missing_skills:
        return
    learnt = data.draw(st.sampled_from(before.missing_skills))
    after = matching.match({**profile, "skills": [*profile["skills"], learnt]}, job)
    assert after.score >= before.score
    assert after.parts["skills"] > before.parts["skills"]
    assert learnt in after.matched_skills and learnt not in after.missing_skills


@PROPERTIES
@given(candidates(), jobs(), st.sampled_from(ALL_SKILLS))
def test_gaining_any_skill_never_lowers_the_score(profile, job, skill):
    after = matching.match({**profile, "skills": [*profile["skills"], skill]}, job)
    assert after.score >= matching.match(profile, job).score


@PROPERTIES
@given(candidates(), jobs(), st.integers(min_value=1, max_value=200_000))
def test_asking_for_more_pay_never_raises_the_score(profile, job, more):
    if not profile["preferences"]["minSalary"]:
        return
    richer = {**profile, "preferences": {**profile["preferences"], "minSalary": profile["preferences"]["minSalary"] + more}}
    assert matching.match(richer, job).score <= matching.match(profile, job).score


@PROPERTIES
@given(candidates(), jobs())
def test_preferring_the_jobs_role_never_lowers_the_score(profile, job):
    family = vocabulary.role(job["roleKey"])
    preferring = {**profile, "preferences": {**profile["preferences"], "roles": [*profile["preferences"]["roles"], family.name]}}
    assert matching.match(preferring, job).parts["role"] == 1.0
    assert matching.match(preferring, job).score >= matching.match(profile, job).score


@PROPERTIES
@given(candidates(), jobs())
def test_being_at_the_jobs_level_is_never_worse_than_any_other_level(profile, job):
    stage = next((s for s in STAGES if vocabulary.stage_seniority(s) == job["seniority"]), None)
    if stage is None:  # no career stage names this level (intern, principal)
        return
    at_level = matching.match({**profile, "careerStage": stage}, job)
    assert at_level.parts["seniority"] == 1.0
    for other in STAGES:
        assert matching.match({**profile, "careerStage": other}, job).score <= at_level.score


@PROPERTIES
@given(candidates(), jobs())
def test_matched_and_missing_skills_split_what_the_job_asks_core_first(profile, job):
    result = matching.match(profile, job)
    asked = vocabulary.canonical_skills(job["skills"]) or list(vocabulary.role(job["roleKey"]).core)
    assert sorted(result.matched_skills + result.missing_skills) == sorted(asked)
    core = set(vocabulary.role(job["roleKey"]).core)
    flags = [skill in core for skill in result.missing_skills]
    assert flags == sorted(flags, reverse=True)


@PROPERTIES
@given(candidates(), jobs())
def test_the_rules_sentence_is_one_bounded_line_that_names_the_score(profile, job):
    result = matching.match(profile, job)
    entry = {
        "title": job["title"],
        "company": job["company"],
        "score": result.score,
        "matchedSkills": result.matched_skills,
        "missingSkills": result.missing_skills,
        "concern": matching.concern(result),
    }
    sentence = matching.explanation(entry)
    assert f"({result.score}/100)" in sentence and "\n" not in sentence and len(sentence) <= matching.MAX_EXPLANATION_CHARS
    if result.missing_skills:
        assert result.missing_skills[0] in sentence


@PROPERTIES
@given(candidates(), st.lists(jobs(), min_size=1, max_size=5))
def test_the_rules_answer_of_career_match_is_valid_against_its_schema(profile, page):
    from zik.career import match_ai

    entries = []
    for number, job in enumerate(page):
        result = matching.match(profile, job)
        entries.append(
            {
                "jobId": f"j{number}",
                "title": job["title"],
                "company": job["company"],
                "score": result.score,
                "reasons": result.reasons,
                "matchedSkills": result.matched_skills,
                "missingSkills": result.missing_skills,
                "concern": matching.concern(result) or "",
            }
        )
    data = match_ai.task_data({"skills": profile["skills"]}, entries)
    answer = match_ai.MATCH.validate(match_ai.offline_answer(data))
    assert [entry["jobId"] for entry in answer["explanations"]] == [f"j{n}" for n in range(len(page))]
    assert match_ai.MATCH.render(data).user.count('"jobId"') == len(page)  # the prompt shows every job
