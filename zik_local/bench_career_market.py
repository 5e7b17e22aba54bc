"""``make bench`` (career): the job ingestion and market intelligence, measured in an embedded cloud of its own.

ingest    seconds from firing JobIngestionFunction's schedule to its answer, the shipped feeds (330 postings
          of ten boards, zik_local/job_feeds) put in JobFeedsBucket first: every posting written, the
          market's aggregates built; then the same run again, nothing changed (every posting read and
          compared, no job written), with the DynamoDB calls it made
market    DynamoDB round trips of GET /api/market-intelligence?role=Data Engineer once its narrative is
          cached (counted in the embedded AWS, the fewest of three requests), and of the first request,
          which also asks the AI for the narrative (the caller's daily budget counted in AITable) and caches
          it on the aggregate with a conditional write. The route's own calls: the two the platform makes
          before every API request's route runs (zik.http: the account check's GetItem of the ERASURE item
          in UsersTable, the per-user rate limit's UpdateItem in RateLimitTable) are not the screen's,
          counted apart (zik_local.bench.counting_dynamodb) and given in the notes

  python -m zik_local.bench career             # the career part of make bench alone
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from zik_local.bench import BenchError, api_client, platform_calls, reset
from zik_local.job_feeds import seed_feeds

MARKET_QUERY = {"role": "Data Engineer"}
TARGET_MARKET_TRIPS = 1
TARGET_INGEST_S = 60.0  # the function's timeout is 300 s; an hourly run should take a fraction of it


@dataclass
class MarketFigures:
    postings: int
    ingest_s: float
    again_s: float
    again_calls: int
    again_written: int
    aggregates: int
    first_trips: int
    trips: int
    platform_trips: int = 0  # each request's account check and rate-limit count, not in the trips above


def measure_career_market(cloud_factory: Callable[[], Any], dynamodb_calls: list[int], progress: Callable[[str], None]) -> MarketFigures:
    """``cloud_factory`` starts a LocalCloud; ``dynamodb_calls[0]`` counts the embedded DynamoDB's calls."""
    cloud = cloud_factory()
    try:
        if not cloud.wait_until_complete(60):
            raise BenchError("the embedded AWS did not complete the stack within 60 s")
        bucket = cloud.deployment.functions["JobIngestionFunction"].environment["JOB_FEEDS_BUCKET"]
        seed_feeds(cloud.client("s3"), bucket)
        [schedule] = cloud.schedules_for("JobIngestionFunction")

        def ingest() -> tuple[dict[str, Any], float, int]:
            dynamodb_calls[0] = 0
            started = time.perf_counter()
            [run] = cloud.fire_schedule(schedule)
            elapsed = time.perf_counter() - started
            if getattr(run, "failed", True) or not isinstance(run.payload, dict):
                raise BenchError(f"the job ingestion failed: {getattr(run, 'error', run)}")
            return run.payload, elapsed, dynamodb_calls[0]

        first, ingest_s, _ = ingest()
        if first["failed"] or first["created"] < 300:
            raise BenchError(f"the shipped feeds were not all read: {first}")
        progress(f"career: {first['created']} postings ingested in {ingest_s:.1f}s, {first['market']['written']} aggregates")
        again, again_s, again_calls = ingest()
        progress(f"career: again, nothing changed: {again_s:.1f}s, {again_calls} DynamoDB calls")

        call = api_client(cloud)
        token = call("POST", "/_zik/token", {"user": "bench-career"})["token"]
        path = "/api/market-intelligence?" + urlencode(MARKET_QUERY)
        reset(dynamodb_calls)
        answer = call("GET", path, token=token)
        first_trips = dynamodb_calls[0]
        platform = [platform_calls(dynamodb_calls)]
        if not answer["openings"] or not answer["trends"]:
            raise BenchError(f"market intelligence of {MARKET_QUERY} answered no market: {answer}")

        def trips() -> int:
            reset(dynamodb_calls)
            call("GET", path, token=token)
            platform.append(platform_calls(dynamodb_calls))
            return dynamodb_calls[0]

        cached = min(trips() for _ in range(3))
        progress(f"career: market intelligence round trips {cached} (the first, caching its narrative: {first_trips})")
        written = again["created"] + again["updated"] + again["reopened"] + again["closed"]
        return MarketFigures(
            first["created"], ingest_s, again_s, again_calls, written, first["market"]["written"], first_trips, cached, max(platform)
        )
    finally:
        cloud.stop()


def rows(figures: MarketFigures, met: Callable[[bool], str]) -> list[tuple[str, str, str, str]]:
    return [
        (
            "DynamoDB round trips, GET /api/market-intelligence (the route's)",
            str(figures.trips),
            f"{TARGET_MARKET_TRIPS}",
            met(figures.trips <= TARGET_MARKET_TRIPS),
        ),
        (
            f"job ingestion of the shipped feeds ({figures.postings} postings)",
            f"{figures.ingest_s:.1f} s",
            f"< {TARGET_INGEST_S:g} s",
            met(figures.ingest_s < TARGET_INGEST_S),
        ),
        ("job ingestion again, nothing changed: jobs written", str(figures.again_written), "0", met(figures.again_written == 0)),
    ]


def notes(figures: MarketFigures) -> str:
    return (
        f"career: ingestion wrote {figures.aggregates} market aggregates; the run again took {figures.again_s:.1f}s and "
        f"{figures.again_calls} DynamoDB calls (each source's postings and each role's aggregates read, the open jobs read, a "
        f"feed state written each); the first market request, whose narrative the AI writes and the aggregate caches, made "
        f"{figures.first_trips} round trips; each request's platform calls besides its round trips (account check, rate-limit "
        f"count): {figures.platform_trips}"
    )
