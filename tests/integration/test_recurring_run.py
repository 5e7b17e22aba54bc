"""The daily recurring-task run, fanned out, against the stack template.yaml declares (in moto): the
schedule's dispatcher sends one message per shard of the active rules' index, the worker handles a page of
at most RULES_PER_INVOCATION rules a message and sends the rest of its shard on; every rule's tasks are
written once, however often a page is handled."""

from __future__ import annotations

import itertools
import json
from typing import Any

import boto3
import pytest
from recurring_run import DISPATCHER, WORKER, DailyRun

from zik.principal import Principal
from zik.quests.store import ACTIVE_RULE_PARTITIONS, ACTIVE_RULE_SHARDS, UNSHARDED_ACTIVE_RULES, rule_shard

# Every run here reads the user's day (same_day, then today's and tomorrow's tasks); the two marked clock check
# those days at every moved instant (make dates), the others test shards, pages and redelivery on that same logic.
pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")

SAMPLE_OWNER = Principal(user_id="8f1c2a7e-4b3d-4c9a-9e61-2d5b7f0a1c34", tenant_id="acme")  # the user of the sample events
DAILY = {"freq": "daily", "interval": 1, "byWeekday": []}


def rule_ids(owner: Principal, shard: str | None = None) -> Any:
    """Rule ids of ``owner``, in order, that fall in ``shard`` (any shard when None)."""
    for n in itertools.count():
        rule_id = f"r{n:012d}"
        if shard is None or rule_shard(owner.partition, rule_id) == shard:
            yield rule_id


def add_rule(quests: Any, owner: Principal, rule_id: str, **fields: Any) -> dict[str, Any]:
    """A daily rule as POST /recurrences writes it (without writing its first tasks: the run must)."""
    store = quests.load_function(WORKER).quests.store
    rule = {
        "recurrenceId": rule_id,
        "title": f"Habit {rule_id}",
        "description": "",
        "rule": DAILY,
        "startDate": quests.today().isoformat(),
        "timezone": quests.zone,
        "active": True,
    }
    return store.create_rule(owner, {**rule, **fields})


def rules_in_one_shard(quests: Any, user: str, shard: str, count: int) -> tuple[Principal, list[str]]:
    """``count`` daily rules of a new user, all in ``shard``."""
    owner = Principal(user_id=user, tenant_id="acme")
    rules = list(itertools.islice(rule_ids(owner, shard), count))
    for rule_id in rules:
        add_rule(quests, owner, rule_id)
    return owner, rules


def tasks_of(quests: Any, owner: Principal, rule_id: str) -> list[str]:
    return sorted(i["sk"]["S"] for i in quests.items() if i["pk"]["S"] == owner.partition and i["sk"]["S"].startswith(f"TASK#R-{rule_id}-"))


def dynamodb_calls(quests: Any) -> list[str]:
    calls: list[str] = []
    client = quests.load_function(WORKER).quests.store.client
    client.meta.events.register("before-call.dynamodb.*", lambda model, **kwargs: calls.append(model.name))
    return calls


def test_the_dispatcher_sends_one_message_per_shard_and_reads_no_rule(quests) -> None:
    schedule = quests.sample("recurring_tasks_daily")
    answer = quests.step(DISPATCHER, schedule)

    assert answer == {"run": schedule["id"], "partitions": 33}
    waiting = DailyRun(quests).waiting()
    assert sorted(m["partition"] for m in waiting) == sorted(ACTIVE_RULE_PARTITIONS)
    assert all(m == {"partition": m["partition"], "run": schedule["id"]} for m in waiting)
    assert "QUESTS_TABLE" not in quests.deployment.functions[DISPATCHER].environment  # it never reads a rule


def test_every_shard_is_visited_and_each_rules_tasks_are_written_once(quests, same_day) -> None:
    same_day(minutes=2, zone=quests.zone)
    owners = [Principal(user_id=f"user-{n}", tenant_id="acme") for n in range(4)]
    written: dict[str, tuple[Principal, str]] = {}
    ids = {owner: rule_ids(owner) for owner in owners}
    for owner in itertools.cycle(owners):  # until every shard holds a rule
        rule_id = next(ids[owner])
        add_rule(quests, owner, rule_id)
        written[rule_shard(owner.partition, rule_id)] = (owner, rule_id)
        if len(written) == len(ACTIVE_RULE_SHARDS):
            break
    rules = sum(1 for i in quests.items() if i["sk"]["S"].startswith("RULE#"))

    run = DailyRun(quests)
    first = run()
    assert first["rules"] == rules and first["written"] == 2 * rules and first["existing"] == 0
    assert {page["partition"] for page in run.pages} == set(ACTIVE_RULE_PARTITIONS)
    for owner, rule_id in written.values():
        assert len(tasks_of(quests, owner, rule_id)) == 2

    calls = dynamodb_calls(quests)
    again = run()
    assert again["rules"] == rules and again["written"] == 0 and again["existing"] == 2 * rules
    # A page read again costs its query and a read of its tasks, not a failed write a task.
    assert "PutItem" not in calls and set(calls) == {"Query", "BatchGetItem"}
    assert sum(1 for i in quests.items() if i["sk"]["S"].startswith("TASK#R-")) == 2 * rules


def test_a_page_holds_at_most_the_bound_and_the_rest_of_the_shard_goes_on_as_messages(quests, monkeypatch, same_day) -> None:
    same_day(minutes=2, zone=quests.zone)
    monkeypatch.setenv("RULES_PER_INVOCATION", "2")  # read by the worker at init
    shard = ACTIVE_RULE_SHARDS[7]
    owner, rules = rules_in_one_shard(quests, "paged", shard, 5)

    run = DailyRun(quests)
    total = run()

    pages = [page for page in run.pages if page["partition"] == shard]
    assert [page["rules"] for page in pages] == [2, 2, 1]
    assert (
        pages[0]["cursor"] is None and [page["cursor"] for page in pages[1:]] == [page["next"] for page in pages[:-1]] and pages[-1]["next"] is None
    )
    assert max(page["rules"] for page in run.pages) == 2
    assert total["written"] == 10 and all(len(tasks_of(quests, owner, rule_id)) == 2 for rule_id in rules)


def test_a_redelivered_message_writes_nothing_twice(quests, monkeypatch, same_day) -> None:
    same_day(minutes=2, zone=quests.zone)
    monkeypatch.setenv("RULES_PER_INVOCATION", "2")
    shard = ACTIVE_RULE_SHARDS[3]
    owner, rules = rules_in_one_shard(quests, "redelivered", shard, 3)
    run = DailyRun(quests)
    run.dispatch()

    while (event := run.receive()) is not None:
        if json.loads(event["Records"][0]["body"])["partition"] == shard:
            break
        assert run.handle(event) == {"batchItemFailures": []}
        run.delete(event)
    assert event is not None
    # The first page, handled; then delivered again (its deletion lost, or the invocation timed out after writing).
    assert run.handle(event) == {"batchItemFailures": []}
    assert run.handle(event) == {"batchItemFailures": []}
    run.delete(event)
    run.drain()  # the rest of the shard, sent on twice: its page is handled twice too

    first, again = [page for page in run.pages if page["partition"] == shard][:2]
    assert (first["rules"], first["written"], first["existing"]) == (2, 4, 0)
    assert (again["rules"], again["written"], again["existing"]) == (2, 0, 4)
    assert sum(page["written"] for page in run.pages) == 6
    assert all(len(tasks_of(quests, owner, rule_id)) == 2 for rule_id in rules)


@pytest.mark.clock
def test_deleted_and_inactive_rules_are_not_read(quests, same_day) -> None:
    same_day(minutes=2, zone=quests.zone)
    created = quests.api("quests_recurrence_create", body={"title": "Stretch", "rule": {"freq": "daily"}})
    assert created.status == 201
    rule_id = created.body["recurrenceId"]
    event = quests.sample("quests_recurrences_list")
    deleted = quests.invoke(
        "QuestsFunction",
        {
            **event,
            "httpMethod": "DELETE",
            "path": f"/recurrences/{rule_id}",
            "resource": "/recurrences/{recurrenceId}",
            "pathParameters": {"recurrenceId": rule_id},
        },
    )
    assert deleted.body["futureTasksRemoved"] == 1
    paused = add_rule(quests, SAMPLE_OWNER, "rpaused000000", active=False)
    assert "gsi1pk" not in next(i for i in quests.items() if i["sk"]["S"] == "RULE#rpaused000000")  # the index is sparse

    total = DailyRun(quests)()

    assert total["rules"] == 0 and total["written"] == 0
    assert len(tasks_of(quests, SAMPLE_OWNER, rule_id)) == 1  # today's, kept by the delete; tomorrow's is not back
    assert tasks_of(quests, SAMPLE_OWNER, paused["recurrenceId"]) == []


def test_rules_under_the_unsharded_key_are_written_and_moved_to_their_shards(quests, monkeypatch, same_day) -> None:
    same_day(minutes=2, zone=quests.zone)
    monkeypatch.setenv("RULES_PER_INVOCATION", "2")  # the unsharded key read in two pages, moved as it is read
    owner = Principal(user_id="before-shards", tenant_id="acme")
    rules = [f"rlegacy0000{n}" for n in range(3)]
    table = quests.env["QUESTS_TABLE"]
    keys = [{"pk": {"S": owner.partition}, "sk": {"S": f"RULE#{rule_id}"}} for rule_id in rules]
    for rule_id, key in zip(rules, keys):
        add_rule(quests, owner, rule_id)
        # As the index was written before it had shards.
        boto3.client("dynamodb").update_item(
            TableName=table, Key=key, UpdateExpression="SET gsi1pk = :old", ExpressionAttributeValues={":old": {"S": UNSHARDED_ACTIVE_RULES}}
        )

    run = DailyRun(quests)
    first = run()
    assert (first["rules"], first["written"], first["moved"]) == (3, 6, 3)
    assert [p["rules"] for p in run.pages if p["partition"] == UNSHARDED_ACTIVE_RULES] == [2, 1]
    for rule_id, key in zip(rules, keys):
        assert boto3.client("dynamodb").get_item(TableName=table, Key=key)["Item"]["gsi1pk"]["S"] == rule_shard(owner.partition, rule_id)

    run.pages.clear()
    again = run()
    assert (again["rules"], again["written"], again["existing"], again["moved"]) == (3, 0, 6, 0)
    assert {p["partition"] for p in run.pages if p["rules"]} == {rule_shard(owner.partition, rule_id) for rule_id in rules}


def test_a_broken_rule_is_skipped_and_the_rest_of_its_shard_is_written(quests, same_day) -> None:
    same_day(minutes=2, zone=quests.zone)
    owner = Principal(user_id="broken", tenant_id="acme")
    broken, sound = itertools.islice(rule_ids(owner, ACTIVE_RULE_SHARDS[11]), 2)
    add_rule(quests, owner, broken, timezone="Mars/Olympus_Mons")
    add_rule(quests, owner, sound)

    total = DailyRun(quests)()

    assert (total["rules"], total["skipped"], total["written"]) == (2, 1, 2)
    assert tasks_of(quests, owner, broken) == [] and len(tasks_of(quests, owner, sound)) == 2


@pytest.mark.clock
def test_the_worker_sample_event_writes_its_shards_rules_tasks(quests, same_day) -> None:
    same_day(minutes=2, zone=quests.zone)
    event = quests.sample("recurring_worker_page")
    shard = json.loads(event["Records"][0]["body"])["partition"]
    rule_id = next(rule_ids(SAMPLE_OWNER, shard))
    add_rule(quests, SAMPLE_OWNER, rule_id)
    run = DailyRun(quests)

    assert run.handle(event) == {"batchItemFailures": []}
    assert run.handle(event) == {"batchItemFailures": []}  # delivered again

    assert [(page["partition"], page["rules"], page["written"], page["existing"]) for page in run.pages] == [(shard, 1, 2, 0), (shard, 1, 0, 2)]
    assert len(tasks_of(quests, SAMPLE_OWNER, rule_id)) == 2 and run.waiting() == []


def test_a_message_that_names_no_partition_of_the_index_fails_alone(quests) -> None:
    event = quests.sample("recurring_worker_page")
    good = event["Records"][0]
    bad = {**good, "messageId": "bad-partition", "body": json.dumps({"partition": "GOALS", "run": "x"})}
    answer = DailyRun(quests).handle({"Records": [good, bad]})
    assert answer == {"batchItemFailures": [{"itemIdentifier": "bad-partition"}]}
