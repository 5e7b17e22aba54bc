"""zik.career.ats: the ATS rules. Scores move the way a recruiter would expect, the suggestions name what is
missing (the section, the bullet without a number, the target role's skill), and experience is counted
from date ranges with "Present" meaning today."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from zik import clock
from zik.career import ats, resume_ai

# Reads a day from the clock: make dates runs this module at every moved instant (see tests/unit/conftest.py).
pytestmark = pytest.mark.clock


@pytest.fixture(autouse=True)
def _one_instant():
    """Each test reads one "today" (a month's end may pass between building a resume and analysing it)."""
    with time_machine.travel(clock.now(), tick=False):
        yield


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def month_ago(months: int, today: dt.date | None = None) -> str:
    """'Mar 2024' for the month ``months`` before today's (so the tests hold on any day)."""
    today = today or clock.today()
    index = today.year * 12 + today.month - 1 - months
    return f"{MONTHS[index % 12]} {index // 12}"


def resume(*, skills: bool = True, summary: bool = True, education: bool = True, quantified: bool = True, contact: bool = True) -> str:
    parts = ["Ada Lovelace", "Senior Data Engineer"]
    if contact:
        parts.append("London, UK | ada@example.com | +44 20 7946 0958 | linkedin.com/in/ada-lovelace | github.com/ada")
    if summary:
        parts += ["", "SUMMARY", "Data engineer who builds reliable pipelines and mentors teams."]
    parts += ["", "EXPERIENCE", "Senior Data Engineer, Analytical Engines Ltd", f"{month_ago(40)} - Present"]
    if quantified:
        parts += [
            "• Led the migration of 40 batch jobs to a new scheduler, cutting failures by 65%",
            "• Built a pipeline processing 2 TB a day for 300 analysts",
            "• Reduced warehouse costs by £120k a year",
        ]
    else:
        parts += [
            "• Led the migration of batch jobs to a new scheduler",
            "• Built a pipeline for the analysts",
            "• Reduced warehouse costs",
        ]
    parts += ["Data Engineer, Babbage & Co", f"{month_ago(80)} - {month_ago(41)}", "• Designed the ingestion of billing data"]
    if education:
        parts += ["", "EDUCATION", "BSc Mathematics, University of London, 2008 - 2011"]
    if skills:
        parts += ["", "SKILLS", "Python, SQL, Spark, Airflow, AWS, Docker, Kubernetes, Terraform, PostgreSQL, Kafka"]
    return "\n".join(parts)


def analyse(text: str, **kwargs) -> ats.Analysis:
    return ats.analyse(text, today=clock.today(), **kwargs)


# -- scores move the right way ----------------------------------------------------------------------------------------
def test_a_complete_resume_scores_high_and_says_why() -> None:
    result = analyse(resume())
    assert result.ats_score >= 85
    assert result.sections == ["summary", "experience", "education", "skills"]
    assert any("Standard section headings" in s for s in result.strengths)
    assert any("carry a number" in s for s in result.strengths)
    assert all(check.passed for check in result.checks if check.id.startswith(("sections.", "contact.email", "contact.phone")))


def test_adding_a_skills_section_raises_the_score_and_its_absence_is_named() -> None:
    without, with_skills = analyse(resume(skills=False)), analyse(resume())
    assert with_skills.ats_score > without.ats_score
    assert "skills" not in without.sections
    assert any(s.startswith("Add a 'Skills' section") for s in without.suggestions)
    assert any("'Skills'" in w for w in without.weaknesses)
    assert not any("'Skills' section" in s for s in with_skills.suggestions)


def test_quantified_bullets_raise_the_score_and_the_bare_ones_are_quoted() -> None:
    bare, measured = analyse(resume(quantified=False)), analyse(resume())
    assert measured.ats_score > bare.ats_score
    suggestion = next(s for s in bare.suggestions if s.startswith("Give these bullets a number"))
    assert '"Led the migration of batch jobs to a new scheduler"' in suggestion
    assert '"Built a pipeline for the analysts"' in suggestion
    check = next(c for c in bare.checks if c.id == "bullets.quantified")
    assert check.detail == "0 of 4 bullets" and check.points == 0


def test_each_missing_core_section_is_named_in_a_suggestion() -> None:
    result = analyse(resume(summary=False, education=False, skills=False))
    suggestions = " ".join(result.suggestions)
    assert "Add a 'Skills' section" in suggestions and "Add an 'Education' section" in suggestions
    assert "'Summary'" in suggestions
    assert result.ats_score < analyse(resume()).ats_score - 20


def test_missing_contact_details_cost_points_and_are_asked_for() -> None:
    result = analyse(resume(contact=False))
    assert result.contact["email"] is None and result.contact["phone"] is None
    assert any("email address" in s for s in result.suggestions)
    assert any("phone number" in s for s in result.suggestions)
    assert result.ats_score < analyse(resume()).ats_score


def test_the_score_is_the_share_of_the_weighted_checks() -> None:
    result = analyse(resume(skills=False, quantified=False))
    earned = sum(check.points for check in result.checks)
    total = sum(check.weight for check in result.checks)
    assert total == 100
    assert result.ats_score == round(100 * earned / total)


def test_weak_openings_are_named_with_a_better_start() -> None:
    text = resume() + "\n".join(
        [
            "",
            "EXPERIENCE",
            f"Analyst, Globex, {month_ago(100)} - {month_ago(90)}",
            "- Responsible for weekly reports",
            "- Helped with the data warehouse",
        ]
    )
    result = analyse(text)
    assert any("'Responsible for'" in w and "'Helped with'" in w for w in result.weaknesses)
    assert any(s.startswith("Start with a verb that says what you did instead of 'Responsible for'") for s in result.suggestions)


def test_nothing_that_looks_like_a_resume_still_gets_a_score_and_advice() -> None:
    result = analyse("hello")
    assert 0 <= result.ats_score <= 15
    assert result.suggestions and result.weaknesses


# -- the target role -----------------------------------------------------------------------------------------------------
def test_the_target_roles_missing_core_skills_are_named() -> None:
    text = resume().replace("Spark, Airflow, ", "")
    result = analyse(text, target_role="Senior Data Engineer")
    assert result.target_role["name"] == "Data Engineer"
    assert result.target_role["missingSkills"] == ["Spark", "Airflow", "ETL"]
    assert any(s.startswith("For Data Engineer roles") and "Spark, Airflow, ETL" in s for s in result.suggestions)
    assert analyse(resume() + "\nETL", target_role="Data Engineer").ats_score > result.ats_score


def test_an_unknown_target_role_adds_no_check() -> None:
    result = analyse(resume(), target_role="Lighthouse keeper")
    assert result.target_role["known"] is False
    assert not any(check.id == "role.coreSkills" for check in result.checks)


# -- what the rules find ---------------------------------------------------------------------------------------------------
def test_contact_details_are_found_and_years_are_no_phone() -> None:
    text = "\n".join(
        [
            "Zoë Martin",
            "Lyon, France • zoe.martin@example.fr • 06 12 34 56 78",
            "https://www.linkedin.com/in/zoe-martin/ | github.com/zoem | https://zoe.design/portfolio",
            "EXPERIENCE",
            "Designer, Atelier 2019 - 2021 2023",
        ]
    )
    contact = analyse(text).contact
    assert contact == {
        "email": "zoe.martin@example.fr",
        "phone": "06 12 34 56 78",
        "linkedin": "https://www.linkedin.com/in/zoe-martin",
        "github": "github.com/zoem",
        "website": "https://zoe.design/portfolio",
        "location": "Lyon, France",
    }
    assert analyse("Sam\nEXPERIENCE\nEngineer 2015 - 2019\nNode.js and Socket.io").contact["phone"] is None
    assert analyse("Sam\nEXPERIENCE\nBuilt Node.js services").contact["website"] is None


def test_a_job_title_in_the_header_is_no_location() -> None:
    assert analyse("Sam Lee\nSenior Engineer, Payments\nsam@example.com").contact["location"] is None
    assert analyse("Sam Lee\nLocation: Berlin\nsam@example.com").contact["location"] == "Berlin"


def test_headings_are_found_in_their_usual_spellings() -> None:
    text = "Professional Summary:\nx\nWORK HISTORY\nx\nTechnical Skills: Python, SQL\nEducation & Training\nx\nLicenses & Certifications\nx"
    result = analyse(text)
    assert result.sections == ["summary", "experience", "skills", "education", "certifications"]
    assert result.skills == ["Python", "SQL"]


def test_years_of_experience_count_present_as_today_and_overlaps_once() -> None:
    text = "\n".join(
        [
            "EXPERIENCE",
            f"Engineer, Acme, {month_ago(23)} - Present",  # 24 months, this one included
            f"Freelance, {month_ago(11)} – current",  # inside the first: not counted twice
            f"Intern, Initech, {month_ago(35)} - {month_ago(30)}",  # 6 months
            "EDUCATION",
            "BSc, 2001 - 2005",  # a degree is no experience
        ]
    )
    assert analyse(text).years_of_experience == 2.5


def test_present_moves_with_the_clock() -> None:
    start = month_ago(23)
    text = f"EXPERIENCE\nEngineer, Acme\n{start} - Present"
    assert analyse(text).years_of_experience == 2.0
    today = clock.today()
    a_year_on = dt.datetime(today.year + 1, today.month, min(today.day, 28), 12, tzinfo=dt.UTC)
    with time_machine.travel(a_year_on, tick=False):
        assert analyse(text).years_of_experience == 3.0


@pytest.mark.parametrize(
    ("line", "months"),
    [
        ("03/2019 - 05/2021", 27),
        ("2019-03 – 2021-05", 27),
        ("March 2019 to May 2021", 27),
        ("Sept. 2019 - Feb 2020", 6),
        ("2018 - 2020", 24),
        ("2020 - 2020", 6),
    ],
)
def test_date_ranges_in_their_usual_spellings(line: str, months: int) -> None:
    today = dt.date(2026, 11, 23)
    assert ats.analyse(f"EXPERIENCE\n{line}", today=today).years_of_experience == round(months / 12, 1)


def test_seniority_comes_from_the_latest_title_else_from_the_years() -> None:
    assert analyse(resume()).seniority == "senior"
    titled = f"EXPERIENCE\nStaff Engineer, Acme\n{month_ago(20)} - Present"
    assert analyse(titled).seniority == "lead"
    untitled = f"EXPERIENCE\nEngineer, Acme\n{month_ago(30)} - Present"
    assert analyse(untitled).seniority == "mid"
    intern = f"EXPERIENCE\nSummer internship, Acme\n{month_ago(3)} - Present"
    assert analyse(intern).seniority == "intern"


def test_quantified_means_a_measure_not_a_year() -> None:
    assert ats.quantified("Cut costs by 30%") and ats.quantified("Grew revenue to $2M") and ats.quantified("Led a team of 5")
    assert not ats.quantified("Joined in 2019 to build the platform")
    assert not ats.quantified("Built the billing system")


# -- the AI task's offline answer ---------------------------------------------------------------------------------------------
def test_the_offline_answer_is_the_rules_and_fits_the_task_schema() -> None:
    task = resume_ai.RESUME
    text = resume(skills=False, quantified=False)
    result = analyse(text, target_role="Data Engineer")
    data = resume_ai.task_data(text, target_role="Data Engineer", today=clock.today(), facts=result.facts())
    answer = task.offline(data)
    assert answer == result.answer()
    assert task.validate(answer) == answer
    prompt = task.render(data)
    assert "<resume>" in prompt.user and "Data Engineer" in prompt.user and '"sections"' in prompt.user


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=80),
            st.sampled_from(["EXPERIENCE", "Skills:", "• Led 3 teams", "2019 - Present", "Jan 2020 – Mar 2021", "a@b.co", "+1 (415) 555-0134"]),
        ),
        max_size=40,
    )
)
def test_any_text_gives_a_valid_answer(lines: list[str]) -> None:
    result = ats.analyse("\n".join(lines), target_role="Backend Engineer", today=dt.date(2026, 11, 23))
    assert 0 <= result.ats_score <= 100
    assert resume_ai.RESUME.validate(result.answer())
