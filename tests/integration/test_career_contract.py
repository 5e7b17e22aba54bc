"""Career answers that the other career modules do not reach, held to the API's document by the ``invoke``
fixture: the market of jobs an admin posted (figures, salaries, skills) and the market of a role with no open
job."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")

JOBS = "CareerJobsFunction"
MARKET = "MarketIntelligenceFunction"
ADMINS = {"cognito:groups": "admins"}


def post(career, title: str, location: str, salary: tuple[int, int], **fields) -> dict:
    body = {
        "title": title,
        "company": fields.pop("company", "Zahlen GmbH"),
        "description": "Build batch and streaming pipelines with Python, SQL and Apache Spark.",
        "location": location,
        "skills": ["Python", "SQL", "Spark"],
        "salary": {"min": salary[0], "max": salary[1], "currency": "EUR"},
        **fields,
    }
    reply = career.api(JOBS, "career_jobs_post", body=body, claims=ADMINS)
    assert reply.status == 201, reply.body
    return reply.body


def test_the_market_of_posted_jobs_has_its_figures_salaries_and_trends(career):
    post(career, "Data Engineer", "Berlin, Germany", (60000, 70000))
    post(career, "Senior Data Engineer", "Berlin, Germany", (80000, 90000), company="Café Lumière")
    post(career, "Data Engineer", "Remote - EU", (70000, 80000), remote=True)

    berlin = career.api(MARKET, "market_intelligence_get", query={"role": "Data Engineer", "location": "Berlin"})
    assert berlin.status == 200, berlin.body
    market = berlin.body
    assert (market["roleKey"], market["locationKey"], market["openings"]) == ("data-engineer", "berlin", 2)
    assert (market["currency"], market["averageSalary"], market["salarySampleSize"]) == ("EUR", 75000, 2)
    assert market["salaryRange"] == {"min": 60000, "max": 90000} and market["salaryCurrencies"] == {"EUR": 2}
    assert {"Python", "SQL", "Spark"} <= {entry["skill"] for entry in market["topSkills"]}
    assert {entry["company"] for entry in market["topCompanies"]} == {"Zahlen GmbH", "Café Lumière"}
    assert market["postings"]["last7Days"] == 2 and market["trends"]

    anywhere = career.api(MARKET, "market_intelligence_get", query={"role": "data engineer"}).body
    assert anywhere["openings"] == 3 and anywhere["remoteShare"] == pytest.approx(0.33)


def test_a_role_without_open_jobs_answers_an_empty_market_that_says_what_to_try(career):
    reply = career.api(MARKET, "market_intelligence_get", query={"role": "Lighthouse Keeper", "location": "Oslo"})
    assert reply.status == 200, reply.body
    empty = reply.body
    assert (empty["openings"], empty["demandLevel"], empty["trend"]) == (0, "low", "none")
    assert empty["averageSalary"] is None and empty["salaryPercentiles"] is None and empty["updatedAt"] is None
    assert len(empty["trends"]) == 2 and "not a role family we know" in empty["trends"][1]
