"""``make bench`` (e): the journal, measured in an embedded cloud of its own.

  search    GET /entries/search over 5,000 entries of one user: p50 and p99 of 200 requests through the
            gateway (6 queries in turn, after one warm-up that loads the index), and the first search
  trips     DynamoDB round trips of GET /entries and GET /gamification/stats (counted in the embedded AWS, the
            fewest of three requests: the workers still busy with the entries just written add theirs), the
            route's own: the platform's two calls of every request (the account check's GetItem in UsersTable,
            the rate limit's UpdateItem in RateLimitTable) are counted apart and given in the notes
  insight   seconds from POST /entries to GET /entries/{id} showing the insight (median of 5 entries: the
            bus, the insight queue and the AI service)

The 5,000 entries (items as JournalStore writes them) and their index (SearchIndexes) are written by a
child process that sees the layer as a function does, with the entries function's environment; no event
is published for them (the consumers' work would be measured instead of the search).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from zik_local.bench import BenchError, api_client, platform_calls, reset

SEARCH_ENTRIES = 5000
SEARCH_REQUESTS = 200
SEARCH_QUERIES = ("river", "coffee with friends", "tired after the meeting", "family dinner", "garden", "anxious about work")
INSIGHT_ENTRIES = 5
TARGET_SEARCH_P50_MS = 200.0
TARGET_INSIGHT_S = 2.0

_SEED_CHILD = textwrap.dedent(
    """
    import datetime as dt, json, os, random, sys
    sys.path[0:0] = sys.argv[1].split(os.pathsep)
    from zik.journal import entries as journal_entries, text
    from zik.journal.indexer import searchable_text
    from zik.journal.search_store import SearchIndexes
    from zik.journal.store import JournalStore
    from zik.principal import Principal
    from zik import clock
    from zik.dynamo import to_item

    owner = Principal(user_id=sys.argv[2], tenant_id=sys.argv[3])
    count = int(sys.argv[4])
    rng = random.Random(2026)
    people = ["Sam", "Léa", "Mum", "Dad", "Noor", "Jonas", "Aiko", "the team", "my sister", "Chloé"]
    places = ["the river", "the café", "the park", "the office", "the garden", "the library", "the beach", "the market"]
    feelings = ["calm", "tired", "happy", "anxious", "grateful", "restless", "proud", "sad", "hopeful", "frustrated"]
    things = ["coffee", "a long walk", "dinner", "the meeting", "a run", "a book", "the rain", "a phone call", "music", "work"]
    shapes = [
        "This morning I went to {place} with {person} and we talked about {thing}.",
        "I felt {feeling} most of the day, especially after {thing}.",
        "{person} called and we laughed about {thing} for an hour.",
        "Spent the evening at {place}; it was quiet and I felt {feeling}.",
        "Work was {feeling} today: too many meetings and not enough time for {thing}.",
        "Family dinner with {person}: simple food, good stories, and {thing} afterwards.",
        "I keep thinking about {thing}, and it leaves me {feeling}.",
        "Small win: I finally made time for {thing} at {place}.",
        "Slept badly and woke up {feeling}; coffee helped a little.",
        "Grateful for {person}, for {thing}, and for an hour at {place}.",
    ]
    store = JournalStore()
    first = clock.today("UTC") - dt.timedelta(days=count)  # the bench's user has no profile: UTC
    written = []
    for number in range(count):
        sentences = [rng.choice(shapes).format(place=rng.choice(places), person=rng.choice(people), feeling=rng.choice(feelings), thing=rng.choice(things)) for _ in range(rng.randint(8, 16))]
        content = " ".join(sentences)
        day = first + dt.timedelta(days=number)
        entry = {
            "entryId": journal_entries.new_entry_id(dt.datetime.combine(day, dt.time(20, number % 60), tzinfo=dt.timezone.utc)),
            "title": f"Day {number + 1}",
            "content": content,
            "preview": journal_entries.preview_of(content),
            "mood": rng.randint(1, 5),
            "tags": [],
            "wordCount": text.word_count(content),
            "entryDate": day.isoformat(),
            "timezone": "UTC",
            "contentHash": journal_entries.content_hash(f"Day {number + 1}", content),
            "createdAt": f"{day.isoformat()}T20:{number % 60:02d}:00.000Z",
        }
        written.append(store.entry_item(owner, entry))
    # Batches, not the API's one transaction per entry: moto copies a whole table for each transaction.
    for start in range(0, count, 25):
        pending = {store.table.name: [{"PutRequest": {"Item": to_item(item)}} for item in written[start : start + 25]]}
        while pending:
            pending = store.client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}

    def index_all(index):
        for entry in written:
            index.put(entry["entryId"], searchable_text(entry), created_at=entry["createdAt"], version=entry["version"])
        return True

    SearchIndexes(store).change(owner, index_all)
    print(json.dumps({"entries": len(written)}))
    """
)


@dataclass
class JournalFigures:
    search_ms: list[float]
    first_search_ms: float
    seed_s: float
    entries_trips: int
    stats_trips: int
    to_insight: list[float]
    platform_trips: int = 0  # each request's account check and rate-limit count, not in the trips above


def measure_journal(cloud_factory: Callable[[], Any], dynamodb_calls: list[int], progress: Callable[[str], None]) -> JournalFigures:
    """``cloud_factory`` starts a LocalCloud; ``dynamodb_calls[0]`` counts the embedded DynamoDB's calls."""
    cloud = cloud_factory()
    try:
        call = api_client(cloud)

        token = call("POST", "/_zik/token", {"user": "bench-journal"})["token"]
        to_insight = []
        for number in range(INSIGHT_ENTRIES):
            started = time.perf_counter()
            entry = call(
                "POST", "/entries", {"content": f"A good day number {number}: a walk by the river and dinner with friends. Grateful."}, token
            )
            while not call("GET", f"/entries/{entry['entryId']}", token=token)["insight"]:
                if time.perf_counter() - started > 60:
                    raise BenchError(f"no insight for entry {entry['entryId']} within 60 s")
                time.sleep(0.01)
            to_insight.append(time.perf_counter() - started)
        deadline = time.monotonic() + 60
        while call("GET", "/gamification/stats", token=token)["entries"] < INSIGHT_ENTRIES:
            if time.monotonic() > deadline:
                raise BenchError("gamification did not count the entries within 60 s")
            time.sleep(0.05)

        def trips(path: str) -> int:
            """The fewest of three: the embedded DynamoDB also serves the workers still busy with the
            entries just written (search index, points), which only ever add to a request's count."""
            counts = []
            for _ in range(3):
                reset(dynamodb_calls)
                call("GET", path, token=token)
                counts.append(dynamodb_calls[0])
                platform.append(platform_calls(dynamodb_calls))
            return min(counts)

        platform: list[int] = []

        entries_trips, stats_trips = trips("/entries"), trips("/gamification/stats")
        progress(f"journal: insight {statistics.median(to_insight):.2f}s, trips GET /entries {entries_trips}, GET /gamification/stats {stats_trips}")

        searcher = call("POST", "/_zik/token", {"user": "bench-journal-search"})["token"]
        me = call("GET", "/me", token=searcher)
        spec = cloud.deployment.functions["EntriesFunction"]
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", _SEED_CHILD, ":".join(str(p) for p in spec.layer_dirs), me["userId"], me["tenantId"], str(SEARCH_ENTRIES)],
            env=cloud.runtime.environment_of(spec),
            capture_output=True,
            text=True,
            timeout=900,
        )
        if done.returncode != 0:
            raise BenchError(f"seeding {SEARCH_ENTRIES} entries failed:\n{done.stderr[-3000:]}")
        seed_s = time.perf_counter() - started
        progress(f"journal: {SEARCH_ENTRIES} entries and their index written in {seed_s:.1f}s")

        def search(query: str) -> float:
            began = time.perf_counter()
            found = call("GET", "/entries/search?" + urlencode({"q": query}), token=searcher)
            elapsed = (time.perf_counter() - began) * 1000
            if not found["items"]:
                raise BenchError(f"no hit for {query!r} in {SEARCH_ENTRIES} entries")
            return elapsed

        first = search(SEARCH_QUERIES[0])
        samples = [search(SEARCH_QUERIES[n % len(SEARCH_QUERIES)]) for n in range(SEARCH_REQUESTS)]
        progress(f"journal: search p50 {statistics.median(samples):.1f} ms (first {first:.1f} ms)")
        return JournalFigures(samples, first, seed_s, entries_trips, stats_trips, to_insight, min(platform))
    finally:
        cloud.stop()


def rows(
    figures: JournalFigures, percentile: Callable[[list[float], float], float], met: Callable[[bool], str], trips_target: int
) -> list[tuple[str, str, str, str]]:
    p50, p99 = percentile(figures.search_ms, 0.50), percentile(figures.search_ms, 0.99)
    insight = statistics.median(figures.to_insight)
    return [
        (
            f"journal search p50 ({SEARCH_ENTRIES} entries, {SEARCH_REQUESTS} requests)",
            f"{p50:.1f} ms",
            f"< {TARGET_SEARCH_P50_MS:g} ms",
            met(p50 < TARGET_SEARCH_P50_MS),
        ),
        (f"journal search p99 ({SEARCH_ENTRIES} entries)", f"{p99:.1f} ms", "-", "-"),
        ("DynamoDB round trips, GET /entries", str(figures.entries_trips), f"{trips_target}", met(figures.entries_trips <= trips_target)),
        ("DynamoDB round trips, GET /gamification/stats", str(figures.stats_trips), f"{trips_target}", met(figures.stats_trips <= trips_target)),
        (
            f"POST /entries -> insight readable (median of {len(figures.to_insight)})",
            f"{insight:.2f} s",
            f"< {TARGET_INSIGHT_S:g} s",
            met(insight < TARGET_INSIGHT_S),
        ),
    ]


def notes(figures: JournalFigures) -> str:
    return (
        f"journal: first search {figures.first_search_ms:.0f} ms (loads the index into the function), "
        f"{SEARCH_ENTRIES} entries seeded in {figures.seed_s:.0f}s, insights "
        + ", ".join(f"{s:.2f}" for s in figures.to_insight)
        + f" s; each request's platform calls besides its round trips (account check, rate-limit count): {figures.platform_trips}"
    )
