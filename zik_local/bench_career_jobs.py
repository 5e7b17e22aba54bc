"""``make bench`` (h), ``python -m zik_local.bench career`` alone: the jobs page's costs, measured in an embedded cloud of its own.

  ai calls  AI calls of one GET /api/jobs page (the gateway's accounting lines of career.match): the first
            page (every job on it unexplained: one batched call), the same page again (nothing changed:
            none), the next page (one), and the first page after the profile changed (one)
  trips     DynamoDB round trips of GET /api/jobs (counted in the embedded AWS): the first page (a miss
            writes its explanations back, and the AI's budget is counted) and the repeat (the fewest of three:
            the profile with its cached explanations, then the open jobs). The route's own calls: the two the
            platform makes before every API request's route runs (zik.http: the account check's GetItem of
            the ERASURE item in UsersTable, the per-user rate limit's UpdateItem in RateLimitTable) are
            counted apart (zik_local.bench.counting_dynamodb) and given in the notes

JOBS realistic open jobs (roles, levels, cities, remote, salaries from the vocabulary) are written into
JobsTable as JobsStore writes them, by a child process that sees the layer as a function does, with the
jobs function's environment; the bench's user saves a profile through the API first.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

JOBS = 300
PAGE = 20
TARGET_AI_CALLS_FIRST = 1  # the seed makes one a job: PAGE
TARGET_AI_CALLS_REPEAT = 0
TARGET_ROUND_TRIPS = 2

_SEED_CHILD = textwrap.dedent(
    """
    import datetime as dt, json, os, sys
    sys.path[0:0] = sys.argv[1].split(os.pathsep)
    from zik import clock
    from zik.career import vocabulary
    from zik.career.jobs_store import JobsStore
    from zik.dynamo import to_item

    count = int(sys.argv[2])
    places = [("Berlin", "Germany", "EUR", 1.0), ("London", "United Kingdom", "GBP", 0.9), ("New York", "United States", "USD", 1.5),
              ("Austin", "United States", "USD", 1.3), ("Paris", "France", "EUR", 0.95), ("Zürich", "Switzerland", "CHF", 1.6),
              ("Lisbon", "Portugal", "EUR", 0.6), ("Toronto", "Canada", "CAD", 1.2), ("Amsterdam", "Netherlands", "EUR", 1.05),
              ("São Paulo", "Brazil", "BRL", 2.5)]
    companies = ["Acme Analytics", "Northwind", "Globex", "Initech", "Umbrella Health", "Hooli", "Stark Logistics", "Wayne Fintech",
                 "Tyrell Robotics", "Soylent Foods", "Cyberdyne", "Vandelay Imports"]
    levels = [("Junior", "junior", 45000), ("", "mid", 65000), ("Senior", "senior", 85000), ("Staff", "lead", 110000), ("Principal", "principal", 130000)]
    extras = vocabulary.skills()
    roles = vocabulary.roles()
    store = JobsStore()
    today = clock.today("UTC")
    stamp = clock.now_iso()
    items = []
    for n in range(count):
        role = roles[n % len(roles)]
        word, level, base = levels[(n // len(roles)) % len(levels)]
        city, country, currency, factor = places[(n * 7) % len(places)]
        remote = n % 5 == 0
        title = f"{word} {role.name}".strip()
        skills = list(role.core) + [extras[(n * 13) % len(extras)], extras[(n * 29) % len(extras)]]
        low = round(base * factor, -3)
        posting = {
            "source": "greenhouse", "externalId": f"bench-{n:05d}", "title": title, "company": companies[n % len(companies)],
            "location": {"city": city, "country": country, "display": f"{city}, {country}"},
            "locationKey": vocabulary.slug(city), "remote": remote, "seniority": level, "roleKey": role.key,
            "skills": vocabulary.canonical_skills(skills), "requirements": [f"Experience with {s}" for s in skills[:4]],
            "salary": {"min": low, "max": round(low * 1.25, -3), "currency": currency, "period": "year"},
            "employmentType": "full-time", "description": f"{title} at {companies[n % len(companies)]}.",
            "url": f"https://boards.example.com/bench/{n}", "postedDate": (today - dt.timedelta(days=n % 45)).isoformat(),
        }
        items.append({**store.job_item(posting), "version": 1, "createdAt": stamp, "updatedAt": stamp})
    for start in range(0, len(items), 25):
        pending = {store.table.name: [{"PutRequest": {"Item": to_item(item)}} for item in items[start : start + 25]]}
        while pending:
            pending = store.client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    print(json.dumps({"jobs": len(items)}))
    """
)

PROFILE = {
    "careerStage": "mid",
    "skills": ["Python", "SQL", "AWS", "Docker", "PostgreSQL"],
    "preferences": {
        "roles": ["Backend Engineer", "Data Engineer"],
        "locations": ["Berlin", "Amsterdam"],
        "remote": "hybrid",
        "minSalary": 60000,
        "currency": "EUR",
    },
}


@dataclass
class CareerJobsFigures:
    jobs: int
    ai_first: int
    ai_repeat: int
    ai_next: int
    ai_changed: int
    trips_first: int
    trips_repeat: int
    page_ms: list[float]
    platform_trips: int = 0  # each request's account check and rate-limit count, not in the trips above


def measure_career_jobs(
    cloud_factory: Callable[[], Any], dynamodb_calls: list[int], lines: list[str], progress: Callable[[str], None]
) -> CareerJobsFigures:
    """``cloud_factory`` starts a LocalCloud whose log lines land in ``lines``; ``dynamodb_calls`` counts
    the embedded DynamoDB's calls (zik_local.bench.counting_dynamodb: the route's in ``[0]``, the platform's
    apart)."""
    from zik_local.bench import BenchError, api_client, platform_calls, reset

    cloud = cloud_factory()
    try:
        call = api_client(cloud)
        spec = cloud.deployment.functions["CareerJobsFunction"]
        done = subprocess.run(
            [sys.executable, "-c", _SEED_CHILD, ":".join(str(p) for p in spec.layer_dirs), str(JOBS)],
            env=cloud.runtime.environment_of(spec),
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            raise BenchError(f"seeding {JOBS} jobs failed:\n{done.stderr[-3000:]}")
        token = call("POST", "/_zik/token", {"user": "bench-career"})["token"]
        call("PUT", "/api/users", PROFILE, token)
        page_ms: list[float] = []
        platform: list[int] = []

        def page(query: str = "") -> tuple[dict[str, Any], int, int]:
            """The page, its AI calls (career.match accounting lines) and its DynamoDB round trips."""
            before = len(lines)
            reset(dynamodb_calls)
            started = time.perf_counter()
            answer = call("GET", f"/api/jobs?limit={PAGE}{query}", token=token)
            page_ms.append((time.perf_counter() - started) * 1000)
            trips = dynamodb_calls[0]
            platform.append(platform_calls(dynamodb_calls))
            time.sleep(0.1)  # the accounting line of the AI call is written as the request ends
            calls = sum(1 for line in lines[before:] if '"message":"ai call"' in line and '"task":"career.match"' in line)
            return answer, calls, trips

        first, ai_first, trips_first = page()
        if len(first["items"]) != PAGE or not first["nextCursor"]:
            raise BenchError(f"the first page holds {len(first['items'])} jobs of {first['total']}")
        repeats = [page() for _ in range(3)]
        ai_repeat = max(calls for _, calls, _ in repeats)
        trips_repeat = min(trips for _, _, trips in repeats)
        _, ai_next, _ = page(f"&cursor={first['nextCursor']}")
        call("PUT", "/api/users", {"skills": [*PROFILE["skills"], "Kubernetes"]}, token)
        _, ai_changed, _ = page()
        figures = CareerJobsFigures(first["total"], ai_first, ai_repeat, ai_next, ai_changed, trips_first, trips_repeat, page_ms, max(platform))
        progress(f"career jobs: {figures}")
        return figures
    finally:
        cloud.stop()


def rows(figures: CareerJobsFigures, met: Callable[[bool], str]) -> list[tuple[str, str, str, str]]:
    return [
        (
            f"AI calls, first GET /api/jobs page ({PAGE} of {figures.jobs} jobs; the seed: {PAGE})",
            str(figures.ai_first),
            f"<= {TARGET_AI_CALLS_FIRST}",
            met(figures.ai_first <= TARGET_AI_CALLS_FIRST),
        ),
        (
            "AI calls, the same page again (nothing changed)",
            str(figures.ai_repeat),
            f"{TARGET_AI_CALLS_REPEAT}",
            met(figures.ai_repeat <= TARGET_AI_CALLS_REPEAT),
        ),
        (
            "DynamoDB round trips, GET /api/jobs (cached; the route's)",
            str(figures.trips_repeat),
            f"<= {TARGET_ROUND_TRIPS}",
            met(figures.trips_repeat <= TARGET_ROUND_TRIPS),
        ),
    ]


def notes(figures: CareerJobsFigures) -> str:
    return (
        f"career jobs: {figures.jobs} open jobs; AI calls: next page {figures.ai_next}, first page after a profile change "
        f"{figures.ai_changed}; round trips of the first page {figures.trips_first} (explanations written back, the AI budget "
        f"counted); page times {', '.join(f'{ms:.0f}' for ms in figures.page_ms)} ms; each request's platform calls besides "
        f"its round trips (account check, rate-limit count): {figures.platform_trips}"
    )
