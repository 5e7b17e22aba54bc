"""The job ingestion and market intelligence against the stack in moto: the shipped feeds read from the
bucket and from a loopback HTTP server, upserts that write nothing when nothing changed, a changed posting's
new version, a removed posting closed, the market's aggregates, and a market-intelligence request that is
one read once its narrative is cached."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from zik import clock
from zik.career import ingestion
from zik.career.jobs_store import JobsStore, job_id_of
from zik.dynamo import shared_client
from zik_local.job_feeds import feed_bytes, feed_files, seed_feeds

FUNCTION = "JobIngestionFunction"
SHIPPED = sum(len(json.loads(path.read_text())["jobs"] if fmt == "greenhouse" else json.loads(path.read_text())) for fmt, _, path in feed_files())


@pytest.fixture
def feeds_day() -> Any:
    """The day the shipped feeds are dated as of: the day they were seeded on (midnight may pass since)."""
    return clock.today()


@pytest.fixture
def feeds_bucket(career, feeds_day) -> str:
    bucket = career.env(FUNCTION)["JOB_FEEDS_BUCKET"]
    seed_feeds(boto3.client("s3"), bucket, today=feeds_day)
    return bucket


@pytest.fixture
def two_boards(feeds_bucket) -> str:
    """The feeds bucket with only two of the shipped boards (helio-health's Greenhouse, fjord-energy's Lever):
    for tests of what one run does to one board, which need not ingest all 330 postings twice."""
    s3 = boto3.client("s3")
    keep = {"feeds/greenhouse/helio-health.json", "feeds/lever/fjord-energy.json"}
    for item in s3.list_objects_v2(Bucket=feeds_bucket, Prefix="feeds/").get("Contents", []):
        if item["Key"] not in keep:
            s3.delete_object(Bucket=feeds_bucket, Key=item["Key"])
    return feeds_bucket


@pytest.fixture
def ingest(career, sample):
    def run() -> dict[str, Any]:
        return career.step(FUNCTION, sample("job_ingestion_schedule"))

    return run


def writes_to(client: Any) -> list[tuple[str, str]]:
    """(operation, partition key) of every write ``client`` sends from now on."""
    written: list[tuple[str, str]] = []

    def record(model: Any, params: dict[str, Any], **kwargs: Any) -> None:
        if model.name in ("PutItem", "UpdateItem", "DeleteItem"):
            key = params.get("Item") or params.get("Key") or {}
            written.append((model.name, key["pk"]["S"]))
        elif model.name == "BatchWriteItem":
            for requests in params["RequestItems"].values():
                for request in requests:
                    item = (request.get("PutRequest") or {}).get("Item") or (request.get("DeleteRequest") or {}).get("Key")
                    written.append((model.name, item["pk"]["S"]))
        elif model.name == "TransactWriteItems":
            written.append((model.name, "?"))

    client.meta.events.register("before-parameter-build.dynamodb.*", record)
    return written


def open_jobs() -> list[dict[str, Any]]:
    return list(JobsStore().open_jobs())


def ai_calls(log_records) -> int:
    return len([record for record in log_records() if record.get("message") == "ai call"])


# -- the feeds in the bucket -------------------------------------------------------------------------------------
# Not marked clock (a run of 330 postings costs more than all the rest of make dates at an instant): make
# test-dates runs it at every instant; the day the feeds are dated is the day they were seeded.
def test_the_shipped_feeds_become_open_jobs_and_a_second_run_writes_no_job(career, feeds_bucket, feeds_day, ingest) -> None:
    first = ingest()

    assert first["feeds"] == len(feed_files()) and first["failed"] == 0 and first["skipped"] == 0
    assert first["created"] == first["postings"] == SHIPPED >= 300
    jobs = open_jobs()
    assert len(jobs) == SHIPPED and [job["postedDate"] for job in jobs] == sorted((job["postedDate"] for job in jobs), reverse=True)
    assert jobs[0]["postedDate"] == feeds_day.isoformat()  # the shipped feeds are dated as of the day they were seeded
    assert first["market"]["written"] > 100 and first["market"]["deleted"] == 0
    state = JobsStore().feed_state("greenhouse:northwind-analytics")
    assert (
        state["status"] == "ok"
        and state["created"] == state["postings"] > 30
        and state["origin"].endswith("feeds/greenhouse/northwind-analytics.json")
    )

    written = writes_to(shared_client())
    again = ingest()

    assert again["unchanged"] == SHIPPED and again["created"] == again["updated"] == again["closed"] == 0
    assert again["market"] == {"written": 0, "deleted": 0, "unchanged": first["market"]["written"]}
    assert {pk for _, pk in written} == {f"FEED#{fmt}:{board}" for fmt, board, _ in feed_files()}  # each feed's run, and nothing else


def test_a_changed_posting_gets_a_new_version_and_a_removed_one_is_closed(career, two_boards, ingest, days) -> None:
    ingest()
    s3 = boto3.client("s3")
    key = "feeds/lever/fjord-energy.json"
    postings = json.loads(s3.get_object(Bucket=two_boards, Key=key)["Body"].read())
    changed, removed = postings[0], postings.pop(1)
    changed["lists"][1]["content"] += "<li>Experience with Rust in production</li>"
    s3.put_object(Bucket=two_boards, Key=key, Body=json.dumps(postings).encode())
    store = JobsStore()
    removed_id, changed_id = job_id_of("lever:fjord-energy", removed["id"]), job_id_of("lever:fjord-energy", changed["id"])
    role = store.job(removed_id)["roleKey"]
    before = store.aggregate(role, "anywhere")["openings"]

    with days("UTC") as span:
        result = ingest()

    assert (result["updated"], result["closed"], result["created"]) == (1, 1, 0)
    updated = store.job(changed_id)
    assert updated["version"] == 2 and "Rust" in updated["skills"] and "Experience with Rust in production" in updated["requirements"]
    closed = store.job(removed_id)
    assert closed["status"] == "closed" and closed["closedReason"] == "gone" and closed["closedAt"][:10] in span
    assert "openPk" not in closed and "openSk" not in closed and closed["version"] == 2
    assert removed_id not in {job["jobId"] for job in open_jobs()}
    assert store.aggregate(role, "anywhere")["openings"] == before - 1

    postings.insert(1, removed)  # listed again: open again
    s3.put_object(Bucket=two_boards, Key=key, Body=json.dumps(postings).encode())
    assert ingest()["reopened"] == 1
    assert store.job(removed_id)["status"] == "open" and store.job(removed_id)["version"] == 3


def test_a_posting_that_cannot_be_read_this_run_is_left_open(career, two_boards, ingest) -> None:
    ingest()
    s3 = boto3.client("s3")
    key = "feeds/greenhouse/helio-health.json"
    board = json.loads(s3.get_object(Bucket=two_boards, Key=key)["Body"].read())
    board["jobs"][0]["title"] = None  # broken for a run
    s3.put_object(Bucket=two_boards, Key=key, Body=json.dumps(board).encode())

    result = ingest()

    assert (result["skipped"], result["kept"], result["closed"]) == (1, 1, 0)
    assert JobsStore().job(job_id_of("greenhouse:helio-health", str(board["jobs"][0]["id"])))["status"] == "open"


# -- feeds from URLs ---------------------------------------------------------------------------------------------
class Boards(http.server.BaseHTTPRequestHandler):
    """A loopback job board: /v1/boards/<token>/jobs (Greenhouse) and /v0/postings/<site> (Lever)."""

    routes: dict[str, bytes] = {}
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        self.requests.append(self.path)
        body = self.routes.get(self.path.split("?", 1)[0])
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "application/json")
        payload = body if body is not None else b'{"ok":false,"error":"Document not found"}'
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def boards() -> Iterator[str]:
    files = {(fmt, board): path for fmt, board, path in feed_files()}
    Boards.routes = {
        "/v1/boards/acme-labs/jobs": feed_bytes(files["greenhouse", "orbital-logistics"], "greenhouse", clock.today()),
        "/v0/postings/beta-works": feed_bytes(files["lever", "quill-media"], "lever", clock.today()),
    }
    Boards.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Boards)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_feeds_are_read_from_urls_and_a_failing_one_stops_no_other(career, ingest, boards, monkeypatch) -> None:
    career.load_function(FUNCTION)  # its environment first, then the URLs
    urls = [
        f"{boards}/v1/boards/acme-labs/jobs?content=true",
        f"{boards}/v0/postings/beta-works?mode=json",
        f"{boards}/v0/postings/gone-site?mode=json",
    ]
    monkeypatch.setenv("JOB_FEED_URLS", ",".join(urls))

    result = ingest()

    assert (result["feeds"], result["failed"]) == (3, 1)
    assert result["created"] == result["postings"] > 50
    sources = {job["source"] for job in open_jobs()}
    assert sources == {"greenhouse:acme-labs", "lever:beta-works"}
    assert {job["company"] for job in open_jobs() if job["source"] == "lever:beta-works"} == {"Beta Works"}
    failed = JobsStore().feed_state("lever:gone-site")
    assert failed["status"] == "failed" and "404" in failed["error"] and failed["origin"] == urls[2]
    assert {path.split("?")[0] for path in Boards.requests} == {"/v1/boards/acme-labs/jobs", "/v0/postings/beta-works", "/v0/postings/gone-site"}


def test_a_run_whose_every_feed_fails_raises_for_the_retries(career, boards, monkeypatch) -> None:
    career.load_function(FUNCTION)
    monkeypatch.setenv("JOB_FEED_URLS", f"{boards}/v0/postings/nobody?mode=json,http://example.com/v0/postings/plain-http")

    with pytest.raises(ingestion.IngestionFailed, match="every one of the 2 job feeds failed"):
        career.step(FUNCTION, career.sample("job_ingestion_schedule"))
    assert "https" in JobsStore().feed_state("url:http://example.com/v0/postings/plain-http")["error"]


# -- market intelligence -------------------------------------------------------------------------------------------
def ask(career, **query: str):
    return career.api("MarketIntelligenceFunction", "market_intelligence_get", query=query)


# Not marked clock: the market's day (a rebuild dates its aggregates today) is test_career_market's and the
# shipped feeds test's at every moved instant; this one (a few seconds of ingestion) runs in make test-dates.
def test_market_intelligence_is_one_read_once_its_narrative_is_cached(career, feeds_bucket, ingest, dynamodb_calls, log_records) -> None:
    ingest()
    table = career.env("MarketIntelligenceFunction")["JOBS_TABLE"]
    career.load_function("MarketIntelligenceFunction")
    calls = dynamodb_calls(shared_client(), table)

    first = ask(career, role="Sr. Data Engineer")
    first_calls = list(calls)

    assert first.status == 200, first.body
    body = first.body
    assert body["roleKey"] == "data-engineer" and body["roleName"] == "Data Engineer" and body["location"] == "Anywhere"
    engineers = [job for job in open_jobs() if job["roleKey"] == "data-engineer"]
    assert body["openings"] == len(engineers) >= 10 and body["demandLevel"] in ("medium", "high")
    assert body["currency"] and body["salaryPercentiles"]["p25"] <= body["salaryPercentiles"]["p50"] <= body["salaryPercentiles"]["p75"]
    assert isinstance(body["averageSalary"], int) and body["salarySampleSize"] >= 3
    assert body["topSkills"][0]["share"] >= body["topSkills"][-1]["share"] and {"Python", "SQL"} & {s["skill"] for s in body["topSkills"][:3]}
    assert 2 <= len(body["trends"]) <= 5 and f"{len(engineers)} open postings" in body["trends"][0]
    assert first_calls == ["GetItem", "UpdateItem"] and ai_calls(log_records) == 1  # read, narrate, cache

    calls.clear()
    second = ask(career, role="data engineer")
    assert second.status == 200 and second.body["trends"] == body["trends"]
    assert calls == ["GetItem"] and ai_calls(log_records) == 1  # one read, no AI


def test_market_intelligence_of_a_place_and_of_remote_work(career, feeds_bucket, ingest) -> None:
    ingest()
    jobs = open_jobs()
    city = next(job for job in jobs if job["locationKey"] == "berlin")
    in_city = [job for job in jobs if job["roleKey"] == city["roleKey"] and job["locationKey"] == "berlin"]
    answer = ask(career, role=city["title"], location="Berlin, Germany").body
    assert (answer["locationKey"], answer["location"], answer["openings"]) == ("berlin", "Berlin, Germany", len(in_city))

    remote = [job for job in jobs if job["roleKey"] == "devops-engineer" and job["remote"]]
    answer = ask(career, role="Site Reliability Engineer", location="remote").body
    assert answer["locationKey"] == "remote" and answer["openings"] == len(remote) > 0 and answer["remoteShare"] == 1.0

    in_germany = [job for job in jobs if job["roleKey"] == "backend-engineer" and (job.get("location") or {}).get("country") == "DE"]
    assert ask(career, role="Backend Engineer", location="Germany").body["openings"] == len(in_germany)


def test_market_intelligence_of_nothing_is_an_empty_market_and_a_role_is_required(career, feeds_bucket, ingest, dynamodb_calls, log_records) -> None:
    ingest()
    career.load_function("MarketIntelligenceFunction")
    calls = dynamodb_calls(shared_client(), career.env("MarketIntelligenceFunction")["JOBS_TABLE"])

    empty = ask(career, role="Data Engineer", location="Reykjavik")
    assert empty.status == 200 and (empty.body["openings"], empty.body["demandLevel"], empty.body["averageSalary"]) == (0, "low", None)
    assert calls == ["GetItem"] and ai_calls(log_records) == 0

    missing = career.api("MarketIntelligenceFunction", "market_intelligence_get", query={"location": "Berlin"})
    assert missing.status == 400 and missing.body["error"]["field"] == "role"


# -- admins' jobs ---------------------------------------------------------------------------------------------------
def test_an_admins_job_is_posted_and_closed_with_its_market(career, feeds_bucket, ingest) -> None:
    ingest()
    career.load_function("MarketIntelligenceFunction")  # the jobs table's environment
    store = JobsStore()
    before = store.aggregate("technical-writer", "anywhere")["openings"]

    job = ingestion.post_job(
        {
            "title": "Senior Technical Writer",
            "company": "Zik",
            "description": "Write our API docs in Markdown with Git.",
            "location": "Remote - Europe",
            "requirements": ["Technical Writing for developer audiences", "REST APIs"],
            "salary": {"min": 5000, "max": 6000, "currency": "EUR", "period": "month"},
        },
        posted_by="admin-1",
    )

    assert job["source"] == "zik" and job["status"] == "open" and job["roleKey"] == "technical-writer" and job["seniority"] == "senior"
    assert job["salary"] == {"min": 60000, "max": 72000, "currency": "EUR", "period": "year"} and job["locationKey"] == "remote"
    assert {"Technical Writing", "REST APIs", "Git"} <= set(job["skills"]) and job["postedDate"] == clock.today().isoformat()
    assert store.aggregate("technical-writer", "anywhere")["openings"] == before + 1
    assert store.aggregate("technical-writer", "remote")["openings"] >= 1

    closed = ingestion.close_job(job["jobId"])
    assert closed["status"] == "closed" and closed["closedReason"] == "admin" and closed["version"] == 2
    assert store.aggregate("technical-writer", "anywhere")["openings"] == before
    assert ingestion.close_job(job["jobId"])["version"] == 2  # closing it again changes nothing

    feed_job = next(job for job in open_jobs() if job["source"].startswith("lever:"))
    ingestion.close_job(feed_job["jobId"])
    assert ingest()["kept"] == 1  # its feed still lists it: an admin's close holds
    assert store.job(feed_job["jobId"])["status"] == "closed"
