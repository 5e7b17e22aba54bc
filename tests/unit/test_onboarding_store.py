"""Onboarding on the profile item (zik.platform.store, on UsersTable's shape in moto) and its consumer
(functions/onboarding_events) on messages that went through a real SQS queue: a step marked once and at its
earliest time, whatever the order and the redeliveries; a save marking its steps in the same write; an
account being erased left unwritten."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import boto3
import pytest

from zik import schemas
from zik.errors import VersionConflict
from zik.platform import profiles
from zik.platform.accounts import Accounts
from zik.platform.store import PROFILE, ProfileStore
from zik.principal import Principal

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")
ROOT = Path(__file__).resolve().parents[2]
ADA = Principal(user_id="8f1c2a7e-4b3d-4c9a-9e61-2d5b7f0a1c34", tenant_id="acme", email="ada@example.com", name="Ada Lovelace")
EARLY, LATE = "2026-11-23T08:15:02.412Z", "2026-11-24T10:00:00.000Z"


@pytest.fixture
def store(users_table) -> ProfileStore:
    return ProfileStore(users_table)


def raw(store: ProfileStore, owner: Principal = ADA) -> dict | None:
    return store.table.get(owner.partition, PROFILE)


def done(store: ProfileStore, owner: Principal = ADA) -> dict[str, str]:
    return {step["id"]: step["doneAt"] for step in store.get(owner)["onboarding"]["steps"] if step["done"]}


# -- starting -----------------------------------------------------------------------------------------------
def test_start_creates_a_profile_holding_only_its_onboarding_read_as_the_defaults_at_version_0(store):
    assert store.start(ADA, EARLY) is True
    item = raw(store)
    assert "version" not in item and "displayName" not in item
    assert item["onboarding"] == {"startedAt": EARLY, "steps": {}}
    profile = store.get(ADA)
    assert profile["version"] == 0 and profile["displayName"] == "Ada Lovelace" and profile["interests"] == []
    assert profile["onboarding"]["startedAt"] == EARLY and profile["onboarding"]["next"] == "timezone"


def test_start_again_keeps_the_first_start(store):
    store.start(ADA, EARLY)
    assert store.start(ADA, LATE) is True
    assert raw(store)["onboarding"]["startedAt"] == EARLY


def test_start_of_a_profile_saved_before_onboarding_keeps_the_profile(store):
    store.table.create({"pk": ADA.partition, "sk": PROFILE, "displayName": "Ada L.", "timezone": "Europe/Paris"})
    store.start(ADA, LATE)
    profile = store.get(ADA)
    assert (profile["version"], profile["displayName"], profile["timezone"]) == (1, "Ada L.", "Europe/Paris")
    assert profile["onboarding"]["startedAt"] == LATE


def test_an_account_being_erased_is_not_started(store):
    Accounts(store.table).begin_erasure(ADA, ["quests"])
    assert store.start(ADA) is False
    assert raw(store) is None


# -- saving -------------------------------------------------------------------------------------------------
def test_the_first_save_of_a_started_profile_is_version_1_with_its_steps_done_in_the_same_write(store):
    store.start(ADA, EARLY)
    merged = profiles.apply_update(store.get(ADA), {"timezone": "Europe/Paris", "interests": ["career", "style"]})
    saved = store.save(ADA, merged, expected_version=0, changed=["timezone"], steps=["timezone", "interests"])
    assert saved["version"] == 1 and saved["interests"] == ["career", "style"] and saved["timezone"] == "Europe/Paris"
    assert saved["onboarding"]["next"] == "first_goal_or_entry"
    assert set(done(store)) == {"timezone", "interests"}
    assert raw(store)["createdAt"] <= raw(store)["updatedAt"]


def test_a_step_done_stays_done_at_its_first_time(store):
    store.start(ADA, EARLY)
    first = store.save(ADA, profiles.apply_update(store.get(ADA), {"timezone": "UTC"}), expected_version=0, changed=[], steps=["timezone"])
    when = done(store)["timezone"]
    store.save(ADA, profiles.apply_update(first, {"timezone": "Asia/Tokyo"}), expected_version=1, changed=["timezone"], steps=["timezone"])
    assert done(store)["timezone"] == when


def test_a_save_with_steps_starts_an_onboarding_that_had_not_started(store):
    saved = store.save(ADA, profiles.default_profile(ADA), expected_version=0, changed=[], steps=["interests"])
    assert saved["version"] == 1 and saved["onboarding"]["startedAt"] and "interests" in done(store)


def test_a_stale_save_marks_nothing(store):
    store.start(ADA, EARLY)
    store.save(ADA, profiles.default_profile(ADA), expected_version=0, changed=[])
    with pytest.raises(VersionConflict):
        store.save(ADA, profiles.default_profile(ADA), expected_version=0, changed=[], steps=["timezone"])
    assert done(store) == {}


def test_a_step_marked_meanwhile_by_an_event_survives_a_save(store):
    store.start(ADA, EARLY)
    current = store.get(ADA)
    assert store.mark(ADA, "first_goal_or_entry", LATE) == "marked"  # between the save's read and its write
    store.save(ADA, profiles.apply_update(current, {"timezone": "UTC"}), expected_version=0, changed=[], steps=["timezone"])
    assert done(store)["first_goal_or_entry"] == LATE and "timezone" in done(store)


# -- marking from events ------------------------------------------------------------------------------------
def test_mark_starts_the_onboarding_of_a_user_without_a_profile_at_the_events_time(store):
    assert store.mark(ADA, "first_goal_or_entry", LATE) == "marked"
    assert raw(store)["onboarding"] == {"startedAt": LATE, "steps": {"first_goal_or_entry": LATE}}
    assert "version" not in raw(store)  # not a save: no UserProfileUpdated


def test_mark_keeps_the_earliest_time_and_moves_no_version(store):
    store.save(ADA, profiles.default_profile(ADA), expected_version=0, changed=[])
    assert store.mark(ADA, "career_profile", LATE) == "marked"
    assert store.mark(ADA, "career_profile", LATE) == "already"  # redelivered
    assert store.mark(ADA, "career_profile", EARLY) == "marked"  # an earlier event, taken later
    assert store.mark(ADA, "career_profile", LATE) == "already"
    assert done(store) == {"career_profile": EARLY}
    assert raw(store)["version"] == 1


def test_mark_of_an_account_being_erased_writes_nothing(store):
    Accounts(store.table).begin_erasure(ADA, ["quests"])
    assert store.mark(ADA, "first_goal_or_entry", LATE) == "erased"
    assert raw(store) is None


def test_mark_refuses_an_unknown_step(store):
    with pytest.raises(ValueError):
        store.mark(ADA, "tour", LATE)


def test_marks_stay_in_their_owners_profile(store):
    grace = Principal(user_id="grace", tenant_id="acme")
    store.mark(ADA, "career_profile", LATE)
    assert store.get(grace) is None
    assert store.get(Principal(user_id=ADA.user_id, tenant_id="other")) is None


# -- the consumer -------------------------------------------------------------------------------------------
@pytest.fixture
def consumer(store, monkeypatch):
    monkeypatch.setenv("USERS_TABLE", store.table.name)
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Zik")
    spec = importlib.util.spec_from_file_location("fn_onboarding_events_app", ROOT / "functions" / "onboarding_events" / "app.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "fn_onboarding_events_app", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def queue():
    """A real (moto) SQS queue: messages go in as EventBridge puts them and come out as Lambda gets them."""
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="onboarding")["QueueUrl"]

    def deliver(*envelopes: dict) -> dict:
        for envelope in envelopes:
            sqs.send_message(QueueUrl=url, MessageBody=json.dumps(envelope))
        records = []
        while len(records) < len(envelopes):
            for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
                records.append(
                    {
                        "messageId": message["MessageId"],
                        "receiptHandle": message["ReceiptHandle"],
                        "body": message["Body"],
                        "attributes": {},
                        "messageAttributes": {},
                        "md5OfBody": message["MD5OfBody"],
                        "eventSource": "aws:sqs",
                        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:onboarding",
                        "awsRegion": "us-east-1",
                    }
                )
        return {"Records": records}

    return deliver


def envelope(detail_type: str, source: str, occurred_at: str, owner: Principal = ADA, **detail: object) -> dict:
    return {
        "version": "0",
        "id": f"id-{detail_type}-{occurred_at}",
        "detail-type": detail_type,
        "source": source,
        "account": "123456789012",
        "time": occurred_at[:19] + "Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {
            "eventId": f"e-{detail_type}-{occurred_at}",
            "occurredAt": occurred_at,
            "tenantId": owner.tenant_id,
            "userId": owner.user_id,
            **detail,
        },
    }


def sample_bodies() -> list[dict]:
    return [json.loads(record["body"]) for record in json.loads((ROOT / "events" / "onboarding_events_batch.json").read_text())["Records"]]


def test_the_sample_batchs_events_match_their_schemas_where_the_repository_has_them():
    known = set(schemas.names("events"))
    checked = [body["detail-type"] for body in sample_bodies() if body["detail-type"] in known]
    assert checked == ["GoalCreated", "EntryCreated", "CareerProfileSaved"]
    for body in sample_bodies():
        if body["detail-type"] in known:
            schemas.validate("events", body["detail-type"], body["detail"])


def test_the_consumer_marks_each_step_from_its_events(consumer, queue, store, lambda_context):
    answer = consumer.lambda_handler(queue(*sample_bodies()), lambda_context)
    assert answer == {"batchItemFailures": []}
    assert set(done(store)) == {"first_goal_or_entry", "career_profile"}
    assert store.get(ADA)["onboarding"]["next"] == "timezone"


def test_redelivered_and_out_of_order_events_leave_the_earliest_time(consumer, queue, store, lambda_context):
    late_entry = envelope("EntryCreated", "zik.journal", LATE)
    early_goal = envelope("GoalCreated", "zik.quests", EARLY)
    for batch in ([late_entry], [early_goal, late_entry], [late_entry, early_goal]):
        assert consumer.lambda_handler(queue(*batch), lambda_context) == {"batchItemFailures": []}
    assert done(store) == {"first_goal_or_entry": EARLY}


def test_other_events_change_nothing_and_a_bad_message_fails_alone(consumer, queue, store, lambda_context):
    bad = envelope("GoalCreated", "zik.quests", "not a time")
    good = envelope("CareerProfileSaved", "zik.career", LATE)
    other = envelope("TaskCompleted", "zik.quests", LATE)
    event = queue(bad, good, other)
    answer = consumer.lambda_handler(event, lambda_context)
    failed = {failure["itemIdentifier"] for failure in answer["batchItemFailures"]}
    assert failed == {record["messageId"] for record in event["Records"] if json.loads(record["body"])["detail"]["occurredAt"] == "not a time"}
    assert done(store) == {"career_profile": LATE}


def test_an_event_of_an_account_being_erased_is_consumed_and_writes_nothing(consumer, queue, store, lambda_context):
    Accounts(store.table).begin_erasure(ADA, ["quests"])
    assert consumer.lambda_handler(queue(envelope("EntryCreated", "zik.journal", LATE)), lambda_context) == {"batchItemFailures": []}
    assert raw(store) is None
