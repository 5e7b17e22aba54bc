"""The market's aggregates and a request's figures (zik.career.market), and the narrative's offline rules
(zik.career.market_ai)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from zik import schemas
from zik.ai import registry
from zik.career import market, market_ai
from zik.errors import InvalidRequest

# Reads a day from the clock: make dates runs this module at every moved instant (see tests/unit/conftest.py).
pytestmark = pytest.mark.clock

TODAY = dt.date(2026, 11, 23)  # the aggregates are pure: "today" is what they are told


def days_ago(days: int) -> str:
    return (TODAY - dt.timedelta(days=days)).isoformat()


def job(job_id: str, **fields: Any) -> dict[str, Any]:
    base = {
        "jobId": job_id,
        "title": "Data Engineer",
        "company": "Acme",
        "roleKey": "data-engineer",
        "seniority": "mid",
        "location": {"city": "Berlin", "country": "DE", "display": "Berlin, Germany"},
        "locationKey": "berlin",
        "remote": False,
        "skills": ["Python", "SQL"],
        "salary": None,
        "employmentType": "full-time",
        "postedDate": days_ago(1),
        "source": "lever:acme",
    }
    return {**base, **fields}


def eur(low: int, high: int) -> dict[str, Any]:
    return {"min": low, "max": high, "currency": "EUR", "period": "year"}


def test_percentiles_interpolate_between_ranks() -> None:
    values = [10.0, 20.0, 30.0, 40.0]
    assert [market.percentile(values, f) for f in (0.0, 0.25, 0.5, 0.75, 1.0)] == [10.0, 17.5, 25.0, 32.5, 40.0]
    assert market.percentile([7.0], 0.75) == 7.0


def test_a_job_counts_in_anywhere_its_city_its_country_and_remote() -> None:
    assert market.places_of(job("a")) == ["anywhere", "berlin", "country-de"]
    remote = job("b", locationKey="remote", location={"country": "US", "display": "Remote (United States)"}, remote=True)
    assert market.places_of(remote) == ["anywhere", "remote", "country-us"]
    assert market.places_of(job("c", locationKey="unspecified", location={"display": "Unspecified"})) == ["anywhere"]


def test_salary_figures_are_of_the_dominant_currency_only() -> None:
    jobs = [
        job("a", salary=eur(60_000, 80_000)),  # midpoint 70,000
        job("b", salary=eur(70_000, 90_000)),  # 80,000
        job("c", salary=eur(80_000, 100_000)),  # 90,000
        job("d", salary=eur(90_000, 130_000)),  # 110,000
        job("e", salary={"min": 100_000, "max": 120_000, "currency": "USD", "period": "year"}),
        job("f"),
    ]
    figures = market.salary_figures(jobs)
    assert figures["salary"] == {
        "currency": "EUR",
        "sampleSize": 4,
        "p25": 77500,
        "p50": 85000,
        "p75": 95000,
        "average": 87500,
        "min": 60000,
        "max": 130000,
    }
    assert figures["salaryCurrencies"] == {"EUR": 4, "USD": 1}
    assert market.salary_figures([job("x")]) == {"salary": None, "salaryCurrencies": {}}


def test_an_aggregate_counts_skills_levels_remote_companies_and_days() -> None:
    jobs = [
        job("a", skills=["Python", "SQL", "Spark"], seniority="senior", company="Acme", postedDate=days_ago(0)),
        job("b", skills=["Python", "Airflow"], seniority="junior", company="Acme", remote=True, postedDate=days_ago(3)),
        job("c", skills=["Python", "SQL"], seniority="senior", company="Globex", postedDate=days_ago(200)),
        job("d", skills=["SQL", "SQL"], seniority="intern", company="Initech", employmentType="internship", postedDate=days_ago(3)),
    ]
    aggregate = market.aggregate("data-engineer", "berlin", jobs, TODAY)

    assert aggregate["openings"] == 4 and aggregate["roleName"] == "Data Engineer" and aggregate["locationName"] == "Berlin, Germany"
    assert aggregate["topSkills"][:3] == [
        {"skill": "Python", "count": 3, "share": 0.75},
        {"skill": "SQL", "count": 3, "share": 0.75},
        {"skill": "Airflow", "count": 1, "share": 0.25},
    ]
    assert [entry["level"] for entry in aggregate["seniority"]] == ["intern", "junior", "senior"]  # by rank
    assert aggregate["seniority"][2] == {"level": "senior", "count": 2, "share": 0.5}
    assert aggregate["remoteShare"] == 0.25 and aggregate["employmentTypes"] == {"full-time": 3, "internship": 1}
    assert aggregate["topCompanies"][0] == {"company": "Acme", "openings": 2}
    assert aggregate["postedByDay"] == {days_ago(3): 2, days_ago(0): 1} and aggregate["postedEarlier"] == 1  # 200 days: before the history


def test_a_revision_moves_with_the_figures_only() -> None:
    jobs = [job("a"), job("b", skills=["Go"])]
    first = market.build_aggregates(jobs, TODAY)["data-engineer"]["berlin"]
    assert market.build_aggregates(list(reversed(jobs)), TODAY)["data-engineer"]["berlin"]["revision"] == first["revision"]
    changed = market.build_aggregates([job("a"), job("b", skills=["Rust"])], TODAY)["data-engineer"]["berlin"]
    assert changed["revision"] != first["revision"]


def test_postings_since_today_and_the_trend() -> None:
    def figures(**by_day: int) -> dict[str, Any]:
        days = {days_ago(int(key[1:])): count for key, count in by_day.items()}
        return {"postedByDay": days, "openings": sum(days.values()) + 2}

    rising = market.postings_since(figures(d0=2, d6=2, d20=1), TODAY)
    assert rising == {"last7Days": 4, "last30Days": 5, "earlier": 2}
    assert market.trend_of(rising) == "rising"
    assert market.trend_of(market.postings_since(figures(d2=1, d10=4, d25=4), TODAY)) == "falling"  # 1 in 7 days against 8 in 23
    assert market.trend_of(market.postings_since(figures(d40=3), TODAY)) == "falling"  # nothing in 30 days
    assert market.trend_of(market.postings_since(figures(d1=1, d9=1, d15=2), TODAY)) == "steady"
    assert market.postings_since(figures(d7=1), TODAY)["last7Days"] == 0  # 7 days ago is not in the last 7 days


@pytest.mark.parametrize(
    "openings, last30, level",
    [
        (0, 0, "low"),
        (2, 2, "low"),
        (3, 3, "medium"),
        (6, 0, "medium"),
        (4, 1, "low"),
        (5, 1, "medium"),
        (10, 10, "high"),
        (20, 0, "high"),
        (12, 6, "medium"),
    ],
)
def test_demand_weighs_recent_postings_fully_and_older_ones_half(openings: int, last30: int, level: str) -> None:
    assert market.demand_level(openings, {"last7Days": 0, "last30Days": last30, "earlier": openings - last30}) == level


def test_a_request_needs_a_role_and_bounded_text() -> None:
    for role in (None, "", "   "):
        with pytest.raises(InvalidRequest) as refused:
            market.check_query(role, None)
        assert refused.value.field == "role"
    with pytest.raises(InvalidRequest) as refused:
        market.check_query("Data Engineer", "x" * 101)
    assert refused.value.field == "location"
    assert market.check_query("  Data   Engineer ", " Berlin ") == ("Data Engineer", "Berlin")


def test_an_empty_market_says_so_and_what_to_try() -> None:
    answer = market.empty_answer("Data Engineer", "data-engineer", "Reykjavik", "reykjavik", TODAY)
    assert (answer["openings"], answer["demandLevel"], answer["averageSalary"]) == (0, "low", None)
    assert "no open Data Engineer postings in Reykjavik" in answer["trends"][0] and "location=remote" in answer["trends"][1]
    unknown = market.empty_answer("Wizard", "wizard", "", "anywhere", TODAY)
    assert "not a role family we know" in unknown["trends"][1]


# -- the narrative -------------------------------------------------------------------------------------------
def narrative_of(jobs: list[dict[str, Any]], place: str = "berlin") -> dict[str, Any]:
    aggregate = market.build_aggregates(jobs, TODAY)["data-engineer"][place]
    return market_ai.narrative_data(market.figures_of(aggregate, TODAY))


def test_the_offline_narrative_puts_the_figures_in_words() -> None:
    jobs = [
        job(
            str(n),
            salary=eur(60_000 + n * 2000, 80_000 + n * 2000),
            postedDate=days_ago(n % 4),
            skills=["Python", "SQL", "Spark"][: 1 + n % 3],
            seniority="junior" if n < 3 else "senior",
            remote=n % 2 == 0,
        )
        for n in range(12)
    ]
    data = narrative_of(jobs)
    sentences = market_ai.trends(data)["trends"]

    assert sentences[0] == "Demand for Data Engineers in Berlin, Germany is high: 12 open postings, 12 of them from the last 30 days."
    assert sentences[1].startswith("Hiring is picking up: 12 new postings in the last 7 days")
    assert (
        sentences[2] == "Advertised pay centres on €81,000 a year; the middle half of the 12 postings that state it pay between €76,000 and €87,000."
    )
    assert sentences[3].startswith("The skills asked for most: Python (100%), SQL (67%) and Spark (33%)")
    assert sentences[4] == "Most openings are senior-level (75%); 25% are open to interns and juniors, and 50% can be done remotely."
    registry.get(market_ai.TASK).validate({"trends": sentences})


def test_the_offline_narrative_of_a_quiet_market_without_pay() -> None:
    sentences = market_ai.trends(narrative_of([job("a", postedDate=days_ago(45)), job("b", postedDate=days_ago(60))]))["trends"]
    assert sentences[0] == "Demand for Data Engineers in Berlin, Germany is low: 2 open postings, none of them from the last 30 days."
    assert sentences[1] == "No new postings in the last 30 days: the 2 open ones are older, so apply soon or widen the search."
    assert sentences[2] == "None of these postings states its pay: ask for the range at the first call."


@pytest.mark.parametrize(
    ("jobs", "demand", "pay"),
    [
        (
            [job("a", postedDate=days_ago(3), salary=eur(40_000, 44_000))],
            "1 open posting, posted in the last 30 days.",
            "Only 1 posting states its pay (€40,000 to €44,000 a year): ask for the range early.",
        ),
        (
            [job("a", postedDate=days_ago(50), salary=eur(40_000, 44_000))],
            "1 open posting, posted more than 30 days ago.",
            "Only 1 posting states its pay (€40,000 to €44,000 a year): ask for the range early.",
        ),
        (
            [job("a", postedDate=days_ago(3), salary=eur(40_000, 44_000)), job("b", postedDate=days_ago(40), salary=eur(50_000, 60_000))],
            "2 open postings, 1 of them from the last 30 days.",
            "Only 2 postings state their pay (€40,000 to €60,000 a year): ask for the range early.",
        ),
    ],
)
def test_the_offline_narrative_counts_one_posting_as_one(jobs: list[dict[str, Any]], demand: str, pay: str) -> None:
    sentences = market_ai.trends(narrative_of(jobs))["trends"]
    assert sentences[0].endswith(demand), sentences[0]
    assert sentences[2] == pay


def test_the_task_renders_its_prompt_from_the_narrative_data() -> None:
    task = registry.get(market_ai.TASK)
    prompt = task.render(narrative_of([job("a", salary=eur(50_000, 70_000))]))
    assert "Role: Data Engineer" in prompt.user and '"currency": "EUR"' in prompt.user and prompt.version == "career.market.v1"
    assert schemas.load("ai", "career.market")["properties"]["trends"]["maxItems"] == market_ai.MAX_SENTENCES


# -- the rebuild writes what changed only ---------------------------------------------------------------------
class MemoryStore:
    """The store calls market.rebuild makes, in memory."""

    def __init__(self, jobs: list[dict[str, Any]]):
        self.jobs = {j["jobId"]: j for j in jobs}
        self.aggregates: dict[tuple[str, str], dict[str, Any]] = {}
        self.roles: set[str] = set()
        self.puts: list[tuple[str, str]] = []

    def open_jobs(self, *, where: Any = None):
        wanted = set(where.values.values()) if where else None
        return [j for j in self.jobs.values() if wanted is None or j["roleKey"] in wanted]

    def market_roles(self) -> set[str]:
        return set(self.roles)

    def save_market_roles(self, roles) -> None:
        self.roles = set(roles)

    def aggregate_revisions(self, role: str) -> dict[str, str]:
        return {place: item["revision"] for (r, place), item in self.aggregates.items() if r == role}

    def write_aggregates(self, puts, deletes) -> None:
        for item in puts:
            self.aggregates[(item["roleKey"], item["locationKey"])] = item
            self.puts.append((item["roleKey"], item["locationKey"]))
        for key in deletes:
            self.aggregates.pop(key)


def test_a_rebuild_writes_only_the_aggregates_that_changed_and_deletes_those_left_empty() -> None:
    store = MemoryStore([job("a"), job("b", roleKey="data-analyst", locationKey="paris", location={"city": "Paris", "country": "FR"})])
    assert market.rebuild(store, TODAY) == {"written": 6, "deleted": 0, "unchanged": 0}
    assert store.roles == {"data-engineer", "data-analyst"}

    store.puts.clear()
    assert market.rebuild(store, TODAY) == {"written": 0, "deleted": 0, "unchanged": 6}

    # the analyst's job closes (the index does not show it yet: the change says so); an engineer's job is added
    changes = {"b": None, "c": job("c", skills=["Go"])}
    assert market.rebuild(store, TODAY, changes) == {"written": 3, "deleted": 3, "unchanged": 0}
    assert store.roles == {"data-engineer"} and store.aggregates[("data-engineer", "anywhere")]["openings"] == 2


def test_a_rebuild_of_one_role_leaves_the_others_alone() -> None:
    store = MemoryStore([job("a"), job("b", roleKey="data-analyst")])
    market.rebuild(store, TODAY)
    store.puts.clear()
    result = market.rebuild(store, TODAY, {"c": job("c", postedDate=days_ago(0))}, roles={"data-engineer"})
    assert result["written"] == 3 and {role for role, _ in store.puts} == {"data-engineer"}
    assert store.roles == {"data-engineer", "data-analyst"}
