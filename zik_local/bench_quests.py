"""``make bench`` (f): the daily recurring-task run over 100,000 active rules, in an embedded cloud of its own.

  seed      100,000 active rules of 25,000 users (4 each: daily, every other day, weekly on Monday, Wednesday
            and Friday, weekly on one day; in five timezones), items as QuestsStore.create_rule writes them,
            written with BatchWriteItem straight into the embedded DynamoDB by child processes that see the
            layer as a function does (no task: the run writes them all); then QuestsTable's stream consumer
            is left to read the seed's records before anything is timed
  run       seconds from firing the schedule (the dispatcher, one message per shard to the recurring-task
            queue, the worker as the local cloud's event source mapping runs it) until every partition of
            the index has logged its last page; the DynamoDB calls the embedded DynamoDB served meanwhile
            (counted there: the worker's queries, reads and writes); the most rules one invocation handled
  again     one shard's message sent again once the run is over (a redelivery, or a second run the same
            day): nothing is written, and each page costs its query and a read a hundred tasks

The local cloud runs the queue's messages one at a time (one poller, as Lambda's with a concurrency of one),
so the run's time here is the sum of every page's; in AWS the shards' chains run side by side. And a page of
1,000 rules takes about 6 s here, where DynamoDB would take one or two: moto answers a query of an index by
reading the whole table (about 3 s at 200,000 items), and a conditional put whose record the table's stream
consumer then reads costs about 3 ms. The whole of (f) takes about 16 minutes at 100,000 rules;
ZIK_BENCH_RULES=20000 takes about 3.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from zik_local.bench import BenchError

RULES = int(os.environ.get("ZIK_BENCH_RULES") or 100_000)  # fewer for a quick look: ZIK_BENCH_RULES=10000
RULES_PER_USER = 4
SEED_PROCESSES = 4
RUN_TIMEOUT_S = 1800.0
TARGET_RUN_S = 300.0
TARGET_CALLS_PER_WRITE = 1.05  # one write a task, and the reads on top (a query a page, a read a hundred tasks)
TARGET_AGAIN_CALLS_PER_1000_RULES = 20  # with nothing to write: a query a page and a read a hundred tasks
TARGET_LARGEST = 1000  # the worker's bound: RULES_PER_PAGE of zik.quests.store

_SEED_CHILD = textwrap.dedent(
    """
    import datetime as dt, json, os, sys
    sys.path[0:0] = sys.argv[1].split(os.pathsep)
    from zik import clock
    from zik.dynamo import to_item
    from zik.principal import Principal
    from zik.quests.store import QuestsStore

    first, count, per_user = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    store = QuestsStore()
    zones = ["UTC", "Europe/Paris", "America/New_York", "Asia/Tokyo", "Pacific/Kiritimati"]
    shapes = [
        {"freq": "daily", "interval": 1, "byWeekday": []},
        {"freq": "daily", "interval": 2, "byWeekday": []},
        {"freq": "weekly", "interval": 1, "byWeekday": ["MO", "WE", "FR"]},
        None,  # weekly, on the start date's weekday
    ]
    weekdays = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
    today = clock.today("UTC")
    stamp = clock.now_iso()
    items = []
    for number in range(first, first + count):
        user = number // per_user
        owner = Principal(user_id=f"bench-user-{user:06d}", tenant_id="bench")
        start = today - dt.timedelta(days=number % 30)
        shape = shapes[number % len(shapes)] or {"freq": "weekly", "interval": 1, "byWeekday": [weekdays[start.weekday()]]}
        rule = {
            "recurrenceId": f"r{number:012d}", "title": f"Habit {number % 97}", "description": "", "rule": shape,
            "startDate": start.isoformat(), "timezone": zones[user % len(zones)], "active": True,
        }
        items.append({**store.rule_item(owner, rule), "createdAt": stamp, "updatedAt": stamp, "version": 1})
    for start in range(0, len(items), 25):
        pending = {store.table.name: [{"PutRequest": {"Item": to_item(item)}} for item in items[start : start + 25]]}
        while pending:
            pending = store.client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    print(json.dumps({"rules": len(items)}))
    """
)


@dataclass
class Run:
    seconds: float
    calls: int
    pages: list[dict[str, Any]] = field(default_factory=list)

    def total(self, key: str) -> int:
        return sum(int(page.get(key) or 0) for page in self.pages)

    @property
    def largest(self) -> int:
        return max((int(page["rules"]) for page in self.pages), default=0)


@dataclass
class RecurringFigures:
    rules: int
    seed_s: float
    first: Run
    again: Run


def measure_recurring(
    cloud_factory: Callable[[], Any], dynamodb_calls: list[int], lines: list[str], progress: Callable[[str], None]
) -> RecurringFigures:
    """``cloud_factory`` starts a LocalCloud whose log lines go to ``lines``; ``dynamodb_calls[0]`` counts the
    embedded DynamoDB's calls."""
    cloud = cloud_factory()
    try:
        if not cloud.wait_until_complete(60):
            raise BenchError("the embedded AWS did not complete the stack within 60 s")
        seed_s = _seed(cloud)
        progress(f"recurring: {RULES} rules written in {seed_s:.1f}s")
        settle_s = _settle(cloud)
        progress(f"recurring: the stream consumer read the seed's records in {settle_s:.1f}s")
        [schedule] = cloud.schedules_for("RecurringTaskGeneratorFunction")

        def fire() -> int:
            [dispatched] = cloud.fire_schedule(schedule)
            if getattr(dispatched, "failed", True) or not isinstance(dispatched.payload, dict):
                raise BenchError(f"the dispatcher failed: {getattr(dispatched, 'error', dispatched)}")
            return int(dispatched.payload["partitions"])  # one message each

        first = _run(dynamodb_calls, lines, progress, fire)
        if first.total("rules") != RULES:
            raise BenchError(f"the run read {first.total('rules')} rules of {RULES}")
        progress(
            f"recurring: first run {first.seconds:.1f}s, {first.total('written')} tasks, {first.calls} DynamoDB calls, largest page {first.largest} rules"
        )
        shard = max({p["partition"] for p in first.pages}, key=lambda name: sum(p["rules"] for p in first.pages if p["partition"] == name))

        def send_again() -> int:
            queue = cloud.deployment.functions["RecurringTaskWorkerFunction"].environment["RECURRING_TASKS_QUEUE"]
            cloud.client("sqs").send_message(QueueUrl=queue, MessageBody=json.dumps({"partition": shard, "run": "bench-again"}))
            return 1

        again = _run(dynamodb_calls, lines, progress, send_again)
        if again.total("written"):
            raise BenchError(f"{shard} read again wrote {again.total('written')} tasks")
        progress(f"recurring: {shard} again {again.seconds:.1f}s, {again.calls} DynamoDB calls for {again.total('rules')} rules")
        return RecurringFigures(RULES, seed_s, first, again)
    finally:
        cloud.stop()


def _seed(cloud: Any) -> float:
    """The rules, written by SEED_PROCESSES children side by side (each a quarter)."""
    spec = cloud.deployment.functions["RecurringTaskWorkerFunction"]
    env = cloud.runtime.environment_of(spec)
    layers = ":".join(str(p) for p in spec.layer_dirs)
    share = RULES // SEED_PROCESSES
    started = time.perf_counter()
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                _SEED_CHILD,
                layers,
                str(n * share),
                str(share if n < SEED_PROCESSES - 1 else RULES - n * share),
                str(RULES_PER_USER),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(SEED_PROCESSES)
    ]
    for child in children:
        _, err = child.communicate(timeout=900)
        if child.returncode != 0:
            raise BenchError(f"seeding the rules failed:\n{err[-3000:]}")
    return time.perf_counter() - started


def _settle(cloud: Any, timeout: float = 600.0) -> float:
    """Wait until QuestsTable's stream consumers have read the seed's records (the local cloud drops what
    every consumer has read): their work is no part of the run. How long it took."""
    from moto.dynamodb.models import dynamodb_backends

    from zik_local.template import ACCOUNT_ID, REGION

    name = cloud.deployment.functions["RecurringTaskWorkerFunction"].environment["QUESTS_TABLE"]
    started = time.monotonic()
    while (shard := dynamodb_backends[ACCOUNT_ID][REGION].get_table(name).stream_shard) is not None and len(shard.items) > 0:
        if time.monotonic() - started > timeout:
            raise BenchError(f"QuestsTable's stream consumers did not read the seed within {timeout:.0f}s")
        time.sleep(0.2)
    return time.monotonic() - started


def _run(dynamodb_calls: list[int], lines: list[str], progress: Callable[[str], None], start: Callable[[], int]) -> Run:
    """``start()`` sends the run's first messages (how many partitions they name); timed until each of these
    partitions has logged its last page."""
    seen = len(lines)
    dynamodb_calls[0] = 0
    started = time.perf_counter()
    partitions = start()
    run = Run(0.0, 0)
    done: set[str] = set()
    last_progress = started
    while len(done) < partitions:
        now = time.perf_counter()
        if now - started > RUN_TIMEOUT_S:
            raise BenchError(f"the run did not finish within {RUN_TIMEOUT_S:.0f}s: {len(done)} partitions done")
        fresh = lines[seen:]  # other threads append meanwhile: only what was read counts as seen
        seen += len(fresh)
        for line in fresh:
            if '"message":"recurring page"' in line:
                page = json.loads(line[line.index("{") :])
                run.pages.append(page)
                if not page["more"]:
                    done.add(page["partition"])
        if now - last_progress > 30:
            progress(f"recurring: {run.total('rules')} rules in {len(run.pages)} pages, {now - started:.0f}s")
            last_progress = now
        time.sleep(0.02)
    run.seconds = time.perf_counter() - started
    run.calls = dynamodb_calls[0]
    return run


def rows(figures: RecurringFigures, met: Callable[[bool], str]) -> list[tuple[str, str, str, str]]:
    first, again, rules = figures.first, figures.again, figures.rules
    largest = max(first.largest, again.largest)
    written, again_rules = first.total("written"), again.total("rules")
    per_write = first.calls / max(1, written)
    per_1000 = 1000 * again.calls / max(1, again_rules)
    return [
        (
            f"daily run over {rules:,} rules -> every task written",
            f"{first.seconds:.1f} s",
            f"< {TARGET_RUN_S:g} s",
            met(first.seconds < TARGET_RUN_S),
        ),
        (
            f"DynamoDB calls, daily run ({first.calls:,} for {written:,} tasks written)",
            f"{per_write:.3f} a task",
            f"<= {TARGET_CALLS_PER_WRITE:g}",
            met(per_write <= TARGET_CALLS_PER_WRITE),
        ),
        ("most rules one invocation handled", f"{largest:,}", f"<= {TARGET_LARGEST:,}", met(largest <= TARGET_LARGEST)),
        (
            f"DynamoDB calls, a shard read again ({again.calls:,} for {again_rules:,} rules, 0 written)",
            f"{per_1000:.1f} a 1,000 rules",
            f"<= {TARGET_AGAIN_CALLS_PER_1000_RULES}",
            met(per_1000 <= TARGET_AGAIN_CALLS_PER_1000_RULES),
        ),
    ]


def notes(figures: RecurringFigures) -> str:
    first, again = figures.first, figures.again
    sizes = [int(page["rules"]) for page in first.pages]
    return (
        f"recurring: {figures.rules:,} rules seeded in {figures.seed_s:.0f}s; first run {len(first.pages)} invocations "
        f"(median {statistics.median(sizes):.0f} rules, {first.seconds / max(1, len(first.pages)):.1f} s each), "
        f"{first.total('written'):,} written, {first.total('existing'):,} existing; "
        f"a shard again {again.seconds:.1f}s, {len(again.pages)} invocations, {again.total('existing'):,} existing"
    )
