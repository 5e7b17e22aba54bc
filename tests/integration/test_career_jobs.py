"""The career profile (CareerUsersFunction) and the jobs (CareerJobsFunction) against the stack in moto:
profiles read and saved at their version; jobs ranked by the caller's score with reasons and missing
skills, explained by at most one AI call a page (none when nothing changed) in at most two DynamoDB round
trips when cached; filters and pages; saved jobs; the admins' jobs. Jobs are put into JobsTable as items of
the "job" shape (zik.career.tables), so nothing here depends on the feeds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from zik import clock
from zik.career import tables, vocabulary

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")

OTHER = {"sub": "0b5e2f1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b", "custom:tenant_id": "acme", "name": "Grace Hopper"}
JOBS = "CareerJobsFunction"
USERS = "CareerUsersFunction"


# -- jobs in JobsTable, as the ingestion writes them ----------------------------------------------------------
def job_item(
    job_id: str,
    title: str,
    *,
    company: str = "Acme",
    skills: list[str],
    city: str = "Berlin",
    country: str = "Germany",
    remote: bool = False,
    salary: tuple[int, int, str] | None = None,
    days_ago: int = 1,
    status: str = "open",
    version: int = 1,
) -> dict[str, Any]:
    posted = (clock.today() - dt.timedelta(days=days_ago)).isoformat()
    item = {
        "pk": tables.job_pk(job_id),
        "sk": tables.JOB_SK,
        "jobId": job_id,
        "source": "greenhouse",
        "externalId": job_id,
        "title": title,
        "company": company,
        "location": {"city": city, "region": None, "country": country, "display": f"{city}, {country}"},
        "locationKey": "remote" if remote and not city else vocabulary.slug(city),
        "remote": remote,
        "seniority": vocabulary.seniority_of(title),
        "roleKey": vocabulary.role_key(title),
        "skills": vocabulary.canonical_skills(skills),
        "requirements": [f"Experience with {s}" for s in skills],
        "salary": {"min": salary[0], "max": salary[1], "currency": salary[2], "period": "year"} if salary else None,
        "employmentType": "full-time",
        "description": f"{title} at {company}: build things with {', '.join(skills)}.",
        "url": f"https://jobs.example.com/{job_id}",
        "postedDate": posted,
        "status": status,
        "version": version,
        "contentHash": f"h{version}",
        "updatedAt": clock.now_iso(),
    }
    if status == "open":
        item.update(openPk=tables.OPEN, openSk=f"{posted}#{job_id}")
    return item


def put_jobs(career, items: list[dict[str, Any]]) -> None:
    from zik.dynamo import to_item

    client = boto3.client("dynamodb")
    table = career.env(JOBS)["JOBS_TABLE"]
    for start in range(0, len(items), 25):
        client.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": to_item(item)}} for item in items[start : start + 25]]})


SAMPLE_JOBS = [
    job_item("j-backend-senior", "Senior Backend Engineer", skills=["Python", "PostgreSQL", "AWS", "Kubernetes"], salary=(70000, 90000, "EUR")),
    job_item(
        "j-backend-mid",
        "Backend Engineer",
        company="Café Lumière",
        skills=["Python", "SQL", "REST APIs", "Docker"],
        salary=(60000, 75000, "EUR"),
        days_ago=2,
    ),
    job_item("j-frontend", "Frontend Engineer", skills=["JavaScript", "React", "CSS"], city="Paris", country="France", days_ago=3),
    job_item(
        "j-data",
        "Data Engineer",
        company="Zahlen GmbH",
        skills=["Python", "Spark", "Airflow"],
        city="Zürich",
        country="Switzerland",
        salary=(110000, 130000, "CHF"),
        days_ago=4,
    ),
    job_item("j-remote-go", "Senior Backend Engineer (Go)", skills=["Go", "Kubernetes", "gRPC"], city="", country="", remote=True, days_ago=5),
    job_item("j-designer", "Product Designer", skills=["Figma", "User Research"], city="Berlin", days_ago=6),
    job_item("j-closed", "Backend Engineer", skills=["Python"], status="closed", days_ago=7),
]
PYTHONISTA = {
    "name": "Ada L.",
    "careerStage": "mid",
    "skills": ["python", "postgres", "Docker", "SQL"],
    "preferences": {"roles": ["Backend Engineer"], "locations": ["Berlin"], "remote": "hybrid", "minSalary": 65000, "currency": "EUR"},
}


@dataclass
class Counted:
    """What a request cost: DynamoDB calls to each career table, AI calls (with the jobs each explained)."""

    career: list[str]
    jobs: list[str]
    ai: list[list[str]]

    @property
    def round_trips(self) -> int:
        return len(self.career) + len(self.jobs)


@pytest.fixture
def seeded(career):
    put_jobs(career, SAMPLE_JOBS)
    assert career.api(USERS, "career_users_put", body={**PYTHONISTA, "version": 0}).status == 200
    return career


@pytest.fixture
def counted(career, dynamodb_calls, monkeypatch):
    """``counted(lambda: request)``: run it and count its DynamoDB round trips and AI calls."""
    from zik.ai.providers.local import Local

    ai_calls: list[list[str]] = []
    original = Local.complete

    def complete(self, request, **kwargs):
        if request.task.name == "career.match":
            ai_calls.append([job["jobId"] for job in request.data["jobs"]])
        return original(self, request, **kwargs)

    monkeypatch.setattr(Local, "complete", complete)

    def count(request) -> tuple[Any, Counted]:
        client = career.load_function(JOBS).search.store.client
        env = career.env(JOBS)
        before = len(ai_calls)
        on_career, on_jobs = dynamodb_calls(client, env["CAREER_TABLE"]), dynamodb_calls(client, env["JOBS_TABLE"])
        reply = request()
        return reply, Counted(list(on_career), list(on_jobs), ai_calls[before:])  # copies: what this request made

    return count


def search(career, query: dict[str, str] | None = None, claims: dict[str, Any] | None = None):
    return career.api(JOBS, "career_jobs_search", query=query or {}, claims=claims)


# -- the profile -------------------------------------------------------------------------------------------------
def test_a_new_profile_answers_its_defaults_then_saves_at_its_version(career):
    fresh = career.api(USERS, "career_users_get", query={"userId": OTHER["sub"]})  # a userId names nobody else
    assert fresh.status == 200, fresh.body
    assert fresh.body["userId"] == "8f1c2a7e-4b3d-4c9a-9e61-2d5b7f0a1c34" and fresh.body["name"] == "Ada Lovelace"
    assert fresh.body["version"] == 0 and fresh.body["skills"] == [] and fresh.body["careerStage"] is None
    assert fresh.body["preferences"] == {"roles": [], "locations": [], "remote": "any", "minSalary": None, "currency": None}

    saved = career.api(USERS, "career_users_put")  # the sample: version 0, skills as people write them
    assert saved.status == 200, saved.body
    assert saved.body["version"] == 1 and saved.body["skills"] == ["Python", "PostgreSQL", "Docker", "AWS"]
    assert saved.body["preferences"]["currency"] == "EUR" and saved.body["name"] == "Ada Lovelace"

    stale = career.api(USERS, "career_users_put", body={"skills": ["Go"], "version": 0})
    assert stale.status == 409 and stale.body["error"]["details"]["currentVersion"] == 1
    merged = career.api(USERS, "career_users_put", body={"preferences": {"remote": "remote"}, "version": 1})
    assert merged.status == 200 and merged.body["version"] == 2
    assert merged.body["preferences"]["remote"] == "remote" and merged.body["preferences"]["roles"] == ["Backend Engineer"]

    theirs = career.api(USERS, "career_users_get", claims=OTHER)
    assert theirs.body["version"] == 0 and theirs.body["name"] == "Grace Hopper" and theirs.body["skills"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"userId": "0b5e2f1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b", "skills": ["Go"]}, "userId"),
        ({"careerStage": "wizard"}, "careerStage"),
        ({"preferences": {"currency": "EURO"}}, "preferences.currency"),
        ({"preferences": {"currency": "ABC"}}, "preferences.currency"),
        ({"preferences": {"minSalary": -1}}, "preferences.minSalary"),
        ({"preferences": {"minSalary": 10_000_001}}, "preferences.minSalary"),
        ({"preferences": {"remote": "sometimes"}}, "preferences.remote"),
        ({"skills": ["x" * 61]}, "skills[0]"),
        ({}, None),
    ],
)
def test_bad_profiles_are_refused_naming_the_field_and_change_nothing(career, body, field):
    reply = career.api(USERS, "career_users_put", body=body)
    assert reply.status == 400, reply.body
    assert reply.body["error"].get("field") == field
    assert career.api(USERS, "career_users_get").body["version"] == 0


def test_the_resume_the_resumes_wrote_is_kept_and_shown(career):
    from zik.dynamo import to_item

    client = boto3.client("dynamodb")
    resume = {"resumeId": "r0001", "skills": ["Kubernetes"], "yearsOfExperience": 6, "seniority": "senior", "analyzedAt": clock.now_iso()}
    client.update_item(
        TableName=career.env(USERS)["CAREER_TABLE"],
        Key=to_item({"pk": "TENANT#acme#USER#8f1c2a7e-4b3d-4c9a-9e61-2d5b7f0a1c34", "sk": "PROFILE"}),
        UpdateExpression="SET resume = :r",
        ExpressionAttributeValues=to_item({":r": resume}),
    )
    saved = career.api(USERS, "career_users_put", body={"skills": ["Go"], "version": 0})
    assert saved.status == 200, saved.body
    assert saved.body["resume"] == resume and saved.body["skills"] == ["Go"] and saved.body["version"] == 1


# -- a jobs page ---------------------------------------------------------------------------------------------------
def test_jobs_are_ranked_by_score_with_reasons_missing_skills_and_an_explanation(seeded):
    reply = search(seeded)
    assert reply.status == 200, reply.body
    jobs = reply.body["items"]
    assert "j-closed" not in [job["jobId"] for job in jobs] and reply.body["total"] == 6
    scores = [job["score"] for job in jobs]
    assert scores == sorted(scores, reverse=True)
    best = jobs[0]
    assert best["jobId"] == "j-backend-mid"  # every skill, the level, the role, the place, the pay
    assert best["missingSkills"] == ["REST APIs"] and best["matchedSkills"] == ["Python", "SQL", "Docker"]
    assert best["reasons"][0] == "You have 3 of 4 skills it asks for (Python, SQL, Docker); missing REST APIs"
    assert best["explanation"].startswith(f"A strong match ({best['score']}/100) for Backend Engineer at Café Lumière")
    designer = next(job for job in jobs if job["jobId"] == "j-designer")
    assert designer["missingSkills"] == ["Figma", "User Research"] and designer["score"] < 50
    assert "description" not in best and "openPk" not in best


def test_a_page_costs_two_round_trips_and_no_ai_call_once_explained(seeded, counted):
    first, cost = counted(lambda: search(seeded, {"limit": "3"}))
    shown = [job["jobId"] for job in first.body["items"]]
    assert cost.ai == [shown]  # one batched call for the whole page
    assert cost.career == ["Query", "BatchWriteItem"] and cost.jobs == ["Query"]  # the explanations written back after the miss

    again, cost = counted(lambda: search(seeded, {"limit": "3"}))
    assert again.body == first.body
    assert cost.ai == [] and cost.round_trips == 2 and cost.career == ["Query"] and cost.jobs == ["Query"]

    second_page, cost = counted(lambda: search(seeded, {"limit": "3", "cursor": first.body["nextCursor"]}))
    assert len(cost.ai) == 1 and set(cost.ai[0]) == {job["jobId"] for job in second_page.body["items"]}
    assert not set(cost.ai[0]) & set(shown)


def test_a_changed_job_or_profile_invalidates_just_what_changed(seeded, counted):
    first, _ = counted(lambda: search(seeded, {"limit": "4"}))
    shown = [job["jobId"] for job in first.body["items"]]
    moved = next(item for item in SAMPLE_JOBS if item["jobId"] == shown[1])
    put_jobs(seeded, [{**moved, "version": 2, "title": moved["title"] + " (Platform)"}])

    after_job, cost = counted(lambda: search(seeded, {"limit": "4"}))
    assert cost.ai == [[moved["jobId"]]]  # only the job that changed is explained again
    assert [job["jobId"] for job in after_job.body["items"]] == shown

    assert seeded.api(USERS, "career_users_put", body={"skills": [*PYTHONISTA["skills"], "REST APIs"], "version": 1}).status == 200
    after_profile, cost = counted(lambda: search(seeded, {"limit": "4"}))
    assert len(cost.ai) == 1 and set(cost.ai[0]) == {job["jobId"] for job in after_profile.body["items"]}
    assert after_profile.body["items"][0]["missingSkills"] == []

    _, cost = counted(lambda: search(seeded, {"limit": "4"}))
    assert cost.ai == [] and cost.round_trips == 2


def test_without_the_ai_a_page_still_answers_with_the_rules_and_keeps_nothing(seeded, counted, monkeypatch):
    from zik import ai

    def unavailable(task, data, **kwargs):
        raise ai.AIUnavailable(task, [{"provider": "bedrock", "reason": "throttled"}])

    with monkeypatch.context() as patch:
        patch.setattr(ai, "run", unavailable)
        reply, cost = counted(lambda: search(seeded, {"limit": "3"}))
    assert reply.status == 200 and all(job["explanation"] and job["reasons"] for job in reply.body["items"])
    assert cost.career == ["Query"]  # nothing cached: the AI is asked when it is back
    _, cost = counted(lambda: search(seeded, {"limit": "3"}))
    assert len(cost.ai) == 1


def test_a_request_short_of_time_skips_the_model_and_answers_with_the_rules(seeded, monkeypatch, lambda_context, log_records):
    """A real provider (Bedrock) with too little time left: the gateway does not start the call."""
    from zik import ai

    module = seeded.load_function(JOBS)
    monkeypatch.setenv("AI_PROVIDERS", "bedrock")
    ai.reset()

    class Short(type(lambda_context)):
        def get_remaining_time_in_millis(self) -> int:
            return 2_500

    event = seeded.shape(seeded.sample("career_jobs_search"), query={"limit": "2"})
    from tests.conftest import read_reply

    reply = read_reply(module.lambda_handler(event, Short()))
    assert reply.status == 200, reply.body
    assert [job["explanation"].startswith("A ") for job in reply.body["items"]] == [True, True]
    skipped = [r for r in log_records() if r.get("message") == "ai attempt skipped"]
    assert skipped and skipped[0]["ai"]["provider"] == "bedrock"  # never called: 2.5 s is less than its margin and a call


def test_pages_follow_the_ranking_and_a_cursor_holds_only_for_its_ranking(seeded):
    everything = [job["jobId"] for job in search(seeded).body["items"]]
    seen, cursor = [], None
    while True:
        page = search(seeded, {"limit": "2", **({"cursor": cursor} if cursor else {})}).body
        assert len(page["items"]) <= 2
        seen += [job["jobId"] for job in page["items"]]
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert seen == everything and len(set(seen)) == 6

    first = search(seeded, {"limit": "2"}).body
    other_filter = search(seeded, {"limit": "2", "q": "engineer", "cursor": first["nextCursor"]})
    assert other_filter.status == 409 and other_filter.body["error"]["field"] == "cursor"
    assert seeded.api(USERS, "career_users_put", body={"careerStage": "senior"}).status == 200
    stale = search(seeded, {"limit": "2", "cursor": first["nextCursor"]})
    assert stale.status == 409
    for bad in ("nope", "eyJ4IjoxfQ", "W10"):
        assert search(seeded, {"cursor": bad}).status == 400


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "python"}, {"j-backend-senior", "j-backend-mid", "j-data"}),
        ({"q": "PYTHON engineer"}, {"j-backend-senior", "j-backend-mid", "j-data"}),
        ({"q": "cafe LUMIERE"}, {"j-backend-mid"}),  # accents and case aside
        ({"q": "golang"}, {"j-remote-go"}),  # the vocabulary's name of a skill
        ({"q": "kube"}, {"j-backend-senior", "j-remote-go"}),  # a word's beginning
        ({"q": "zahlen"}, {"j-data"}),
        ({"location": "zurich"}, {"j-data"}),
        ({"location": "Zürich, Switzerland"}, {"j-data"}),
        ({"location": "germany"}, {"j-backend-senior", "j-backend-mid", "j-designer"}),
        ({"location": "remote"}, {"j-remote-go"}),
        ({"remote": "true"}, {"j-remote-go"}),
        ({"remote": "FALSE", "q": "designer"}, {"j-designer"}),
        ({"q": "python", "location": "berlin"}, {"j-backend-senior", "j-backend-mid"}),
        ({"q": "🙂 python\u200b"}, {"j-backend-senior", "j-backend-mid", "j-data"}),
        ({"q": "ｐｙｔｈｏｎ"}, {"j-backend-senior", "j-backend-mid", "j-data"}),  # full-width letters fold
        ({"q": "PYTHÖN"}, {"j-backend-senior", "j-backend-mid", "j-data"}),  # accents fold both ways
        ({"q": "pythonista"}, set()),
        ({"q": "a\u0301\u0301\u0301 rust"}, set()),
        ({"userId": OTHER["sub"]}, {"j-backend-senior", "j-backend-mid", "j-frontend", "j-data", "j-remote-go", "j-designer"}),
    ],
)
def test_filters(seeded, query, expected):
    reply = search(seeded, query)
    assert reply.status == 200, reply.body
    assert {job["jobId"] for job in reply.body["items"]} == expected
    assert reply.body["total"] == len(expected)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"q": "🙂 ☃ —"}, "q"),
        ({"q": "x" * 201}, "q"),
        ({"location": "—"}, "location"),
        ({"remote": "yes"}, "remote"),
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"q": "\ud800"}, "q"),
    ],
)
def test_bad_queries_are_refused_naming_the_field(seeded, query, field):
    reply = search(seeded, query)
    assert reply.status == 400, reply.body
    assert reply.body["error"]["field"] == field


# -- one job --------------------------------------------------------------------------------------------------------
def test_a_job_answers_with_its_description_and_the_callers_match_in_one_round_trip(seeded, counted):
    reply, cost = counted(lambda: seeded.api(JOBS, "career_jobs_get", params={"jobId": "j-backend-senior"}))
    assert reply.status == 200, reply.body
    job = reply.body
    assert job["description"].startswith("Senior Backend Engineer at Acme") and job["status"] == "open"
    assert job["missingSkills"] == ["AWS", "Kubernetes"] and job["saved"] is False and job["explanation"]
    assert cost.ai == [["j-backend-senior"]] and cost.career == ["BatchGetItem", "BatchWriteItem"] and cost.jobs == ["BatchGetItem"]

    _, cost = counted(lambda: seeded.api(JOBS, "career_jobs_get", params={"jobId": "j-backend-senior"}))
    assert cost.ai == [] and cost.career == ["BatchGetItem"]  # one BatchGetItem reads both tables

    closed = seeded.api(JOBS, "career_jobs_get", params={"jobId": "j-closed"})
    assert closed.status == 200 and closed.body["status"] == "closed"
    assert seeded.api(JOBS, "career_jobs_get", params={"jobId": "j-nothing"}).status == 404


# -- saved jobs -----------------------------------------------------------------------------------------------------
def test_saved_jobs_are_the_callers_and_saving_twice_is_once(seeded):
    first = seeded.api(JOBS, "career_jobs_save", params={"jobId": "j-backend-mid"})
    assert first.status == 201, first.body
    assert first.body["title"] == "Backend Engineer" and first.body["company"] == "Café Lumière" and first.body["savedAt"]
    again = seeded.api(JOBS, "career_jobs_save", params={"jobId": "j-backend-mid"})
    assert again.status == 200 and again.body == first.body
    assert seeded.api(JOBS, "career_jobs_save", params={"jobId": "j-data"}).status == 201

    listed = seeded.api(JOBS, "career_jobs_saved", query={"limit": "1"}).body
    rest = seeded.api(JOBS, "career_jobs_saved", query={"limit": "1", "cursor": listed["nextCursor"]}).body
    assert [j["jobId"] for j in listed["items"] + rest["items"]] == ["j-backend-mid", "j-data"]
    assert seeded.api(JOBS, "career_jobs_get", params={"jobId": "j-backend-mid"}).body["saved"] is True

    # another user: none of it is theirs, and their attempt changes nothing
    assert seeded.api(JOBS, "career_jobs_saved", claims=OTHER).body["items"] == []
    assert seeded.api(JOBS, "career_jobs_unsave", params={"jobId": "j-backend-mid"}, claims=OTHER).status == 404
    assert seeded.api(JOBS, "career_jobs_get", params={"jobId": "j-backend-mid"}, claims=OTHER).body["saved"] is False

    gone = seeded.api(JOBS, "career_jobs_unsave", params={"jobId": "j-backend-mid"})
    assert gone.status == 200 and gone.body["saved"] is False and gone.body["removed"]["title"] == "Backend Engineer"
    assert seeded.api(JOBS, "career_jobs_unsave", params={"jobId": "j-backend-mid"}).status == 404
    assert [j["jobId"] for j in seeded.api(JOBS, "career_jobs_saved").body["items"]] == ["j-data"]


@pytest.mark.parametrize("job_id", ["j-closed", "j-nothing"])
def test_a_closed_or_unknown_job_cannot_be_saved(seeded, job_id):
    reply = seeded.api(JOBS, "career_jobs_save", params={"jobId": job_id})
    assert reply.status == 404 and reply.body["error"]["field"] == "jobId"
    assert seeded.api(JOBS, "career_jobs_saved").body["items"] == []


# -- the admins' jobs -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("groups", [None, "users", "[users, readers]", "admin", "administrators"])
def test_only_admins_post_and_close_jobs(seeded, groups):
    claims = {"cognito:groups": groups} if groups else None
    event = seeded.sample("career_jobs_post")
    if groups is None:
        event["requestContext"]["authorizer"]["claims"].pop("cognito:groups")
    posted = seeded.invoke(JOBS, seeded.shape(event, claims=claims))
    assert posted.status == 403, posted.body
    close = seeded.sample("career_jobs_close")
    close["requestContext"]["authorizer"]["claims"].pop("cognito:groups")
    closed = seeded.invoke(JOBS, seeded.shape(close, params={"jobId": "j-data"}, claims=claims))
    assert closed.status == 403
    assert "j-data" in {job["jobId"] for job in search(seeded).body["items"]}


@pytest.mark.parametrize("groups", ["admins", "[admins, readers]", '["readers","admins"]'])
def test_admins_post_and_close_jobs(seeded, groups):
    key = f"post-{groups}"
    posted = seeded.api(JOBS, "career_jobs_post", claims={"cognito:groups": groups}, headers={"Idempotency-Key": key})
    assert posted.status == 201, posted.body
    job = posted.body
    assert job["title"] == "Senior Backend Engineer" and job["status"] == "open" and job["locationKey"] == "berlin"
    assert job["roleKey"] == "backend-engineer" and {"Python", "PostgreSQL", "AWS"} <= set(job["skills"])
    again = seeded.api(JOBS, "career_jobs_post", claims={"cognito:groups": groups}, headers={"Idempotency-Key": key})
    assert again.status == 201 and again.body["jobId"] == job["jobId"]

    shown = seeded.api(JOBS, "career_jobs_get", params={"jobId": job["jobId"]}).body
    assert shown["description"].startswith("Build and run the APIs") and "postedBy" not in shown  # an admin's id is theirs
    found = search(seeded, {"q": "acme analytics"}).body["items"]
    assert [j["jobId"] for j in found] == [job["jobId"]] and found[0]["score"] > 0 and found[0]["explanation"]
    assert seeded.api(JOBS, "career_jobs_save", params={"jobId": job["jobId"]}).status == 201

    closed = seeded.api(JOBS, "career_jobs_close", params={"jobId": job["jobId"]}, claims={"cognito:groups": groups})
    assert closed.status == 200, closed.body
    assert closed.body["status"] == "closed"
    assert search(seeded, {"q": "acme analytics"}).body["items"] == []
    assert seeded.api(JOBS, "career_jobs_get", params={"jobId": job["jobId"]}).body["status"] == "closed"
    assert [j["jobId"] for j in seeded.api(JOBS, "career_jobs_saved").body["items"]] == [job["jobId"]]  # a saved copy stays
    assert seeded.api(JOBS, "career_jobs_save", params={"jobId": job["jobId"]}).status == 200  # already saved: as it was
    assert seeded.api(JOBS, "career_jobs_close", params={"jobId": "000000000000000000000000"}, claims={"cognito:groups": groups}).status == 404


def test_an_admins_bad_job_is_refused_naming_the_field(seeded):
    reply = seeded.api(JOBS, "career_jobs_post", body={"title": "Engineer", "company": "Acme"}, claims={"cognito:groups": "admins"})
    assert reply.status == 400 and reply.body["error"]["field"] == "description"
