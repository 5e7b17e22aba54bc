"""``make bench`` (g): a user with 100,000 items erased, in an embedded cloud of its own.

  seed      one user with 100,000 items: 60,000 chat messages in QuestsTable and 40,000 prompts-used
            records in JournalTable (items as the stores write them, written with BatchWriteItem straight
            into the embedded DynamoDB by a child process that sees the layer as a function does), a saved
            profile and a journal entry (through the API); then the streams' pollers are left to read the
            seed's records before anything is timed
  erase     seconds from DELETE /me (202 at once: timed too) until GET /me/erasure says ``erased``; the
            items each domain reported; the invocations of each domain's account function (each erases
            pages while its invocation has time, then sends the rest on); the DynamoDB calls meanwhile (but
            the platform's account check and rate-limit count of the bench's own GET /me/erasure polls,
            zik_local.bench.counting_dynamodb's calls[1] and calls[2])

The account queues hold a UserDeleted message ``ErasureDelaySeconds`` (2 s in zik dev) before the erasure
starts; that wait is in the time. ZIK_BENCH_ERASE_ITEMS=20000 for a quick look.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from zik_local.bench import BenchError, api_client

ITEMS = int(os.environ.get("ZIK_BENCH_ERASE_ITEMS") or 100_000)
QUESTS_SHARE = 0.6
ERASE_TIMEOUT_S = 1800.0
TARGET_DELETE_MS = 1000.0  # DELETE /me answers at once, whatever the user holds
ACCOUNT_FUNCTIONS = ("QuestsAccountFunction", "JournalAccountFunction", "PointsAccountFunction", "ExportFunction")

_SEED_CHILD = textwrap.dedent(
    """
    import json, os, sys
    sys.path[0:0] = sys.argv[1].split(os.pathsep)
    from zik import clock
    from zik.dynamo import to_item
    from zik.principal import Principal
    from zik.journal.store import JournalStore
    from zik.quests.store import QuestsStore

    owner = Principal(user_id=sys.argv[2], tenant_id=sys.argv[3])
    quests_items, journal_items = int(sys.argv[4]), int(sys.argv[5])
    stamp = clock.now_iso()
    quests, journal = QuestsStore(), JournalStore()

    def write(table, items):
        for start in range(0, len(items), 25):
            pending = {table.name: [{"PutRequest": {"Item": to_item(item)}} for item in items[start : start + 25]]}
            while pending:
                pending = table.client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}

    write(quests.table, [
        {"pk": owner.partition, "sk": f"CHAT#bench#{stamp}#{n:06d}", "conversationId": "bench", "at": stamp, "role": "user" if n % 2 else "coach", "text": f"Message {n} about the plan for the week."}
        for n in range(quests_items)
    ])
    write(journal.table, [
        {"pk": owner.partition, "sk": f"PROMPTUSED#{stamp}#{n:06d}", "promptId": f"gratitude-{n % 12:02d}", "entryId": f"e{n:019d}", "usedAt": stamp}
        for n in range(journal_items)
    ])
    print(json.dumps({"items": quests_items + journal_items}))
    """
)


@dataclass
class ErasureFigures:
    items: int
    seed_s: float
    delete_ms: float
    erase_s: float
    erased: dict[str, int]
    invocations: dict[str, int]
    calls: int


def measure_erasure(
    cloud_factory: Callable[[], Any], dynamodb_calls: list[int], lines: list[tuple[str, str]], progress: Callable[[str], None]
) -> ErasureFigures:
    """``cloud_factory`` starts a LocalCloud whose log lines go to ``lines`` as (source, line);
    ``dynamodb_calls[0]`` counts the embedded DynamoDB's calls."""
    cloud = cloud_factory()
    try:
        if not cloud.wait_until_complete(60):
            raise BenchError("the embedded AWS did not complete the stack within 60 s")
        call = api_client(cloud)
        user = "bench-eraser"
        token = cloud.cognito().mint(user, tenant="bench")
        call("PUT", "/me", {"displayName": "Soon gone", "timezone": "Europe/Paris"}, token)
        call("POST", "/entries", {"content": "The last entry before the erasure."}, token)
        me = call("GET", "/me", token=token)
        started = time.monotonic()
        _seed(cloud, me["userId"], me["tenantId"])
        seed_s = time.monotonic() - started
        progress(f"erasure: {ITEMS} items written in {seed_s:.1f}s")
        _quiet(cloud)
        before = dynamodb_calls[0]
        mark = len(lines)
        started = time.monotonic()
        erasure = call("DELETE", "/me", token=token)
        delete_ms = (time.monotonic() - started) * 1000
        if erasure.get("status") != "erasing":
            raise BenchError(f"DELETE /me answered {erasure}")
        deadline = started + ERASE_TIMEOUT_S
        while True:
            state = call("GET", "/me/erasure", token=token)
            if state["status"] == "erased":
                break
            if time.monotonic() > deadline:
                raise BenchError(f"the erasure was not done within {ERASE_TIMEOUT_S:.0f}s: {state}")
            time.sleep(0.5)
        erase_s = time.monotonic() - started
        invocations = Counter(source for source, line in lines[mark:] if source in ACCOUNT_FUNCTIONS and line.startswith("REPORT "))
        erased = {domain: int(count) for domain, count in state["erased"].items()}
        if sum(erased.values()) < ITEMS:
            raise BenchError(f"the erasure reported {sum(erased.values())} items of at least {ITEMS}: {erased}")
        progress(f"erasure: {sum(erased.values())} items in {erase_s:.1f}s, {sum(invocations.values())} invocations")
        return ErasureFigures(ITEMS, seed_s, delete_ms, erase_s, erased, dict(invocations), dynamodb_calls[0] - before)
    finally:
        cloud.stop()


def _seed(cloud: Any, user_id: str, tenant_id: str) -> None:
    spec = cloud.deployment.functions["ExportFunction"]  # its environment names QuestsTable and JournalTable
    env = {
        **os.environ,
        **spec.environment,
        "AWS_ENDPOINT_URL": cloud.aws_endpoint,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    paths = os.pathsep.join(str(path) for path in spec.layer_dirs)
    quests_items = int(ITEMS * QUESTS_SHARE)
    done = subprocess.run(
        [sys.executable, "-c", _SEED_CHILD, paths, user_id, tenant_id, str(quests_items), str(ITEMS - quests_items)],
        env=env,
        capture_output=True,
        text=True,
        timeout=ERASE_TIMEOUT_S,
    )
    if done.returncode != 0:
        raise BenchError(f"seeding failed: {done.stderr[-2000:]}")
    if json.loads(done.stdout.strip().splitlines()[-1])["items"] != ITEMS:
        raise BenchError(f"seeding wrote {done.stdout!r}")


def _quiet(cloud: Any, timeout: float = 600.0) -> None:
    """Wait until the streams' pollers have read the seed's records (they are filtered out: no function runs),
    so that what is timed is the erasure's own work."""
    deadline = time.monotonic() + timeout
    pollers = [thread.poller for threads in cloud._stream_pollers.values() for thread in threads]
    last = None
    while time.monotonic() < deadline:
        marks = tuple(poller.checkpoint for poller in pollers)
        if marks == last:
            return
        last = marks
        time.sleep(2.0)
    raise BenchError("the streams' pollers did not catch up with the seed")


def rows(figures: ErasureFigures | None, met: Callable[[bool], str]) -> list[tuple[str, str, str, str]]:
    if figures is None:
        return []
    count = sum(figures.erased.values())
    return [
        (
            f"(g) DELETE /me answered, with {figures.items:,} items",
            f"{figures.delete_ms:.0f} ms",
            f"< {TARGET_DELETE_MS:.0f} ms",
            met(figures.delete_ms < TARGET_DELETE_MS),
        ),
        (f"(g) user with {figures.items:,} items erased (DELETE to erased)", f"{figures.erase_s:.1f} s", "done", met(count >= figures.items)),
        ("(g) account-function invocations / DynamoDB calls", f"{sum(figures.invocations.values())} / {figures.calls}", "-", ""),
    ]


def notes(figures: ErasureFigures | None) -> str:
    if figures is None:
        return ""
    return (
        f"(g) seeded in {figures.seed_s:.1f}s; erased per domain {figures.erased}; "
        f"invocations per function {figures.invocations} (each erases pages while it has time, then sends the rest on)"
    )
