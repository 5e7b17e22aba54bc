"""Events leave writes through the tables' change streams (zik.streams, the template's stream functions and
mappings, run here as Lambda's pollers run them): with faults injected at every step, each effect of a
write (insight, search index, points, coaching) happens exactly once: the journal's entries under each fault
one test at a time, a quest's milestone (the next one coached, the points of its tasks and of itself) in one
test parametrised over all of them.

The faults: the bus refusing PutEvents; the writing function killed right after its write; a stream batch
that fails half-way; a consumer that crashes mid-batch; the same stream record delivered twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse

from zik import streams as zik_streams

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")

STREAM_SAMPLES = {
    "JournalStreamFunction": ("journal_stream_batch", ["EntryCreated", "PromptUsed", "EntryUpdated", "EntryDeleted"]),
    "QuestsStreamFunction": ("quests_stream_batch", ["TaskCompleted", "MilestoneCompleted"]),
    "PlatformStreamFunction": ("platform_stream_profile_saved", ["UserProfileUpdated"]),
    "CareerStreamFunction": ("career_stream_batch", ["ResumeAnalyzed", "ApplicationStatusChanged", "ApplicationStatusChanged"]),
}


class Killed(BaseException):
    """The function's process ending (a timeout, out of memory): no handler code runs after it, nothing
    catches it (Powertools' idempotency keeps its record in progress, as with a real kill)."""


class RefusingBus:
    """The bus refusing PutEvents, through the publisher's own botocore client: the first ``times`` calls
    (or the calls whose entries hold ``when``) answer with every entry refused; then the bus is back."""

    def __init__(self, times: int = 0, *, refuse: Callable[[dict[str, Any]], list[bool]] | None = None):
        self.times = times
        self.refuse = refuse
        self.calls = 0
        self.refused = 0
        self.client = zik_streams._events_client()
        self.client.meta.events.register_first("before-call.eventbridge.PutEvents", self._answer)

    def _answer(self, params: dict[str, Any], model: Any, **kwargs: Any) -> Any:
        entries = json.loads(params["body"])["Entries"]
        self.calls += 1
        if self.calls <= self.times:
            refused = [True] * len(entries)
        elif self.refuse is not None:
            refused = self.refuse({"entries": entries, "call": self.calls})
        else:
            return None  # the real bus
        if not any(refused):
            return None
        self.refused += sum(refused)
        if all(refused):
            answer = {"FailedEntryCount": len(entries), "Entries": [{"ErrorCode": "InternalFailure", "ErrorMessage": "try again"}] * len(entries)}
            return AWSResponse("https://events.us-east-1.amazonaws.com/", 200, {}, None), answer
        # A partial refusal: what was accepted reaches the real bus, the rest is refused.
        accepted = [e for e, no in zip(entries, refused) if not no]
        self.client.meta.events.unregister("before-call.eventbridge.PutEvents", self._answer)
        try:
            put = self.client.put_events(
                Entries=[
                    {"EventBusName": e["EventBusName"], "Source": e["Source"], "DetailType": e["DetailType"], "Detail": e["Detail"]} for e in accepted
                ]
            )
        finally:
            self.client.meta.events.register_first("before-call.eventbridge.PutEvents", self._answer)
        results = iter(put["Entries"])
        merged = [{"ErrorCode": "InternalFailure", "ErrorMessage": "try again"} if no else next(results) for no in refused]
        return AWSResponse("https://events.us-east-1.amazonaws.com/", 200, {}, None), {"FailedEntryCount": sum(refused), "Entries": merged}

    def close(self) -> None:
        self.client.meta.events.unregister("before-call.eventbridge.PutEvents", self._answer)


@pytest.fixture
def refusing_bus():
    made: list[RefusingBus] = []

    def make(times: int = 0, **kwargs: Any) -> RefusingBus:
        made.append(RefusingBus(times, **kwargs))
        return made[-1]

    yield make
    for bus in made:
        bus.close()


def effects(journal: Any, entry_ids: list[str]) -> dict[str, Any]:
    """Every effect the entries' events have: their insights, what the search index holds, the points."""
    table = journal.deployment.functions["EntriesFunction"].environment["JOURNAL_TABLE"]
    items = boto3.client("dynamodb").scan(TableName=table)["Items"]
    insights = [i for i in items if i["sk"]["S"].endswith("#INSIGHT")]
    found = journal.api("EntriesFunction", "entries_search", query={"q": "harbour"}).body
    stats = journal.api("GamificationFunction", "gamification_stats").body
    ledger = journal.api("GamificationFunction", "gamification_transactions", query={"limit": "100"}).body["items"]
    return {
        "insights": sorted(i["entryId"]["S"] for i in insights),
        "found": sorted(hit["entryId"] for hit in found["items"]),
        "entries_counted": stats["entries"],
        "ledger_events": sorted(line["eventId"] for line in ledger if line["reason"] == "entry"),
        "points": stats["points"],
    }


def write_entries(journal: Any, count: int) -> list[str]:
    return [journal.write(f"Morning walk {n} by the harbour, calm and grateful.", title=f"Walk {n}")["entryId"] for n in range(count)]


def once_each(journal: Any, entry_ids: list[str]) -> dict[str, Any]:
    journal.settle()
    seen = effects(journal, entry_ids)
    assert seen["insights"] == sorted(entry_ids)
    assert seen["found"] == sorted(entry_ids)
    assert seen["entries_counted"] == len(entry_ids) and len(seen["ledger_events"]) == len(entry_ids)
    return seen


# -- the samples ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("function", sorted(STREAM_SAMPLES))
def test_every_stream_sample_is_published_whole(deployment, load_function, lambda_context, sample, event_sink, rule_deliveries, function):
    name, expected = STREAM_SAMPLES[function]
    sink = event_sink(deployment.functions[function].environment["EVENT_BUS_NAME"])
    event = sample(name)
    assert load_function(function).lambda_handler(event, lambda_context) == {"batchItemFailures": []}
    received = sink.received()
    assert [e["detail-type"] for e in received] == expected
    ids = [e["detail"]["eventId"] for e in received]
    assert len(set(ids)) == len(ids) and all(i.split(".")[0] in {r["eventID"] for r in event["Records"]} for i in ids)


# -- faults ---------------------------------------------------------------------------------------------
def test_the_bus_refusing_put_events_delays_the_events_and_each_effect_happens_once(journal, refusing_bus) -> None:
    bus = refusing_bus(times=3)
    entry_ids = write_entries(journal, 2)
    journal.settle()
    assert bus.refused >= 3 and bus.calls >= 4  # refused three times, then taken
    once_each(journal, entry_ids)


def test_a_function_killed_right_after_its_write_still_yields_its_events_and_its_retry_writes_nothing(journal, monkeypatch, move_clock) -> None:
    entries = journal.load_function("EntriesFunction").entries
    written = entries.store.create_entry

    def write_then_die(*args: Any, **kwargs: Any) -> Any:
        written(*args, **kwargs)
        raise Killed("the function ended right after its write")

    request = {"body": {"content": "Evening by the harbour, tired but grateful.", "title": "Evening"}, "headers": {"Idempotency-Key": "evening-1"}}
    with monkeypatch.context() as patched, pytest.raises(Killed):
        patched.setattr(entries.store, "create_entry", write_then_die)
        journal.api("EntriesFunction", "entries_create", **request)

    listed = journal.api("EntriesFunction", "entries_list", query={}).body["items"]
    assert len(listed) == 1  # committed: the stream has it, whatever became of the function
    once_each(journal, [listed[0]["entryId"]])

    move_clock(seconds=60)  # Powertools gives up on the killed attempt once its time was up: the retry runs again
    retried = journal.api("EntriesFunction", "entries_create", **request)
    assert retried.status == 201 and retried.body["entryId"] == listed[0]["entryId"]
    assert len(journal.api("EntriesFunction", "entries_list", query={}).body["items"]) == 1
    once_each(journal, [listed[0]["entryId"]])


def test_a_stream_batch_that_fails_half_way_is_retried_from_where_it_failed(journal, refusing_bus) -> None:
    entry_ids = write_entries(journal, 4)
    third = entry_ids[2]
    # The first call puts the four EntryCreated; the bus takes the first two and refuses the third's.
    bus = refusing_bus(refuse=lambda call: [call["call"] == 1 and third in e["Detail"] for e in call["entries"]])
    journal.settle()
    assert bus.refused == 1
    once_each(journal, entry_ids)


def test_a_publisher_that_crashes_mid_batch_is_invoked_again_and_nothing_is_lost_or_doubled(journal, monkeypatch) -> None:
    entry_ids = write_entries(journal, 3)
    module = journal.load_function("JournalStreamFunction")
    put = zik_streams._put
    crashes = iter([True])

    def put_then_crash(pending: Any, log: Any) -> Any:
        failed = put(pending[:2], log)  # two events reach the bus, then the function dies
        if next(crashes, False):
            raise RuntimeError("the publisher crashed mid-batch")
        return failed if failed is not None else put(pending[2:], log)

    monkeypatch.setattr(zik_streams, "_put", put_then_crash)
    journal.settle()
    assert journal.streams.failed_invocations == 1
    assert module.lambda_handler is not None
    once_each(journal, entry_ids)


@pytest.mark.parametrize("consumer", ["InsightFunction", "SearchIndexerFunction", "GamificationEventsFunction"])
def test_a_consumer_that_crashes_mid_batch_gets_the_rest_again_and_acts_once(journal, monkeypatch, move_clock, consumer) -> None:
    entry_ids = write_entries(journal, 3)
    module = journal.load_function(consumer)
    handler = module.lambda_handler
    crashed = []

    def crash_after_the_first(event: dict[str, Any], context: Any) -> Any:
        if crashed or len(event["Records"]) < 2:
            return handler(event, context)
        crashed.append(len(event["Records"]))
        handler({"Records": event["Records"][:1]}, context)  # the first message's work is done...
        raise RuntimeError(f"{consumer} crashed mid-batch")  # ...then the function dies

    monkeypatch.setattr(module, "lambda_handler", crash_after_the_first)
    with pytest.raises(RuntimeError):
        journal.drain(consumer)
    assert crashed
    move_clock(seconds=200)  # the queue's visibility timeout (180 s): the whole batch is delivered again
    once_each(journal, entry_ids)


def test_the_same_stream_records_delivered_twice_have_one_effect(journal) -> None:
    entry_ids = write_entries(journal, 3)
    first = once_each(journal, entry_ids)
    for poller in journal.streams.pollers:
        poller.checkpoint = None  # the mapping reads its stream again from the start
    assert journal.streams.pump() > 0
    assert once_each(journal, entry_ids) == first


def test_an_uncommitted_write_yields_no_event(journal, sample, event_sink) -> None:
    sink = event_sink(journal.deployment.functions["EntriesFunction"].environment["EVENT_BUS_NAME"])
    refused = journal.api("EntriesFunction", "entries_create", body={"content": "Filed nowhere.", "categoryId": "cnothere00000"})
    assert refused.status == 400  # the category check failed the transaction: nothing was written
    assert sink.received() == []


# -- quests: coaching and points under every fault -------------------------------------------------------------
QUEST_FAULTS = ["bus_refuses", "writer_killed", "batch_fails_half_way", "publisher_crashes", "consumer_crashes", "delivered_twice"]


def coach_deliveries(quests: Any, done: list[dict[str, Any]]) -> int:
    """Run CoachFunction on each MilestoneCompleted the bus's rule delivered to it since the last call, as
    Lambda's asynchronous invocation does: a failed attempt is retried (twice); how many were new."""
    coach = quests.deployment.functions["CoachFunction"].arn
    new = [e for e in quests.deliveries.to(coach) if e["detail-type"] == "MilestoneCompleted"][len(done) :]
    for event in new:
        for attempt in range(3):
            try:
                quests.step("CoachFunction", event)
                break
            except RuntimeError:
                if attempt == 2:
                    raise
        done.append(event)
    return len(new)


def crashing_once(name: str, handler: Callable[..., Any], crashed: list[str]) -> Callable[..., Any]:
    """The handler crashing once, after its work: of the first message of a batch of several (an SQS
    consumer), of the whole event (an asynchronous invocation); ``crashed`` gets the function's name."""

    def crash_once(event: dict[str, Any], context: Any) -> Any:
        records = event.get("Records")
        if name in crashed or (records is not None and len(records) < 2):
            return handler(event, context)
        crashed.append(name)
        handler({"Records": records[:1]} if records is not None else event, context)  # the work is done...
        raise RuntimeError(f"{name} crashed")  # ...then the function dies before it is acknowledged

    return crash_once


def quest_ledger(quests: Any) -> dict[str, list[str]]:
    """The points ledger's lines of the quests, by reason: their events' ids."""
    lines = quests.api("gamification_transactions", function="GamificationFunction", query={"limit": "100"}).body["items"]
    found: dict[str, list[str]] = {"task_completed": [], "milestone_completed": []}
    for line in lines:
        if line["reason"] in found:
            found[line["reason"]].append(line["eventId"])
    return found


@pytest.mark.parametrize("fault", QUEST_FAULTS)
def test_a_milestone_completed_under_each_fault_coaches_the_next_once_and_earns_its_points_once(
    quests, refusing_bus, monkeypatch, move_clock, fault
) -> None:
    goal = quests.api(
        "quests_goal_create",
        body={"title": "Run a 10k", "targetDate": (quests.today() + timedelta(days=15)).isoformat()},
        headers={"Idempotency-Key": f"10k-{fault}"},
    ).body
    quests.plan_and_coach(goal)
    tasks = quests.goal(goal["goalId"])["milestones"][0]["tasks"]
    assert len(tasks) >= 2
    coached: list[dict[str, Any]] = []

    if fault == "bus_refuses":
        bus = refusing_bus(times=3)
    elif fault == "batch_fails_half_way":  # the first PutEvents takes the first half of its entries, refuses the rest
        first_call: list[int] = []

        def second_half(call: dict[str, Any]) -> list[bool]:
            count = len(call["entries"])
            if call["call"] == 1:
                first_call.append(count)
            return [call["call"] == 1 and n >= count // 2 for n in range(count)]

        bus = refusing_bus(refuse=second_half)
    elif fault == "publisher_crashes":
        put, crashes = zik_streams._put, iter([True])

        def put_then_crash(pending: Any, log: Any) -> Any:
            failed = put(pending[:1], log)  # one event reaches the bus, then the function dies
            if next(crashes, False):
                raise RuntimeError("the publisher crashed mid-batch")
            return failed if failed is not None else put(pending[1:], log)

        monkeypatch.setattr(zik_streams, "_put", put_then_crash)
    elif fault == "consumer_crashes":
        crashed: list[str] = []
        for name in ("GamificationEventsFunction", "CoachFunction"):
            module = quests.load_function(name)
            monkeypatch.setattr(module, "lambda_handler", crashing_once(name, module.lambda_handler, crashed))

    *firsts, last = tasks
    for task in firsts:
        assert quests.api("quests_task_update", body={"status": "done"}, params={"taskId": task["taskId"]}).status == 200
    if fault == "writer_killed":
        quests.complete_task_killed_after_its_write(last["taskId"], monkeypatch, Killed)
    else:
        assert quests.api("quests_task_update", body={"status": "done"}, params={"taskId": last["taskId"]}).status == 200

    if fault == "consumer_crashes":
        with pytest.raises(RuntimeError, match="GamificationEventsFunction crashed"):
            quests.settle()
        move_clock(seconds=200)  # the queue's visibility timeout: the whole batch is delivered again
    quests.settle()
    assert coach_deliveries(quests, coached) >= 1
    if fault == "delivered_twice":
        for poller in quests.streams.pollers:
            poller.checkpoint = None  # the mappings read their streams again from the start
        assert quests.streams.pump() > 0
        quests.settle()
        coach_deliveries(quests, coached)
        assert len(coached) >= 2  # the stream's records were published again: the coach had the event twice
    if fault == "bus_refuses":
        assert bus.refused >= 3
    if fault == "batch_fails_half_way":
        assert first_call[0] >= 2 and bus.refused == first_call[0] - first_call[0] // 2  # the batch's events: tasks, milestone
    if fault == "consumer_crashes":
        assert sorted(crashed) == ["CoachFunction", "GamificationEventsFunction"]
    if fault == "publisher_crashes":
        assert quests.streams.failed_invocations >= 1

    tree = quests.goal(goal["goalId"])
    assert [m["status"] for m in tree["milestones"][:2]] == ["completed", "active"]
    second = tree["milestones"][1]["tasks"]
    stored = [i for i in quests.items() if i["sk"]["S"].startswith(f"GOAL#{goal['goalId']}#MS#02#TASK#")]
    assert 3 <= len(second) <= 5 and len(stored) == len(second), (len(second), len(stored))  # one coaching's tasks
    assert len({t["title"] for t in second}) == len(second)
    ledger = quest_ledger(quests)
    assert len(ledger["task_completed"]) == len(set(ledger["task_completed"])) == len(tasks)
    assert len(ledger["milestone_completed"]) == 1
