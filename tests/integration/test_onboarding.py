"""Onboarding through the real MeFunction on the stack template.yaml declares (in moto): the first GET /me
starts it, PUT /me marks the timezone and interests steps in its own write, and the first goal and the first
journal entry, made through the real QuestsFunction and EntriesFunction and published from their tables'
streams, mark theirs once they reach the onboarding consumer (functions/onboarding_events, loaded with
MeFunction's environment: the template has no rule and queue for it yet, so the bus's events are handed to
it as its queue would)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest

from zik import schemas

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")
ROOT = Path(__file__).resolve().parents[2]
SUB = "8f1c2a7e-4b3d-4c9a-9e61-2d5b7f0a1c34"  # the user of the sample events
PARTITION = f"TENANT#acme#USER#{SUB}"


@pytest.fixture
def users_env(deployment) -> dict[str, str]:
    return deployment.functions["MeFunction"].environment


@pytest.fixture
def consumer(users_env, monkeypatch) -> Any:
    for name, value in users_env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("fn_onboarding_events_app", ROOT / "functions" / "onboarding_events" / "app.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "fn_onboarding_events_app", module)
    spec.loader.exec_module(module)
    return module


def profile_item(env: dict[str, str]) -> dict[str, Any] | None:
    answer = boto3.client("dynamodb").get_item(
        TableName=env["USERS_TABLE"], Key={"pk": {"S": PARTITION}, "sk": {"S": "PROFILE"}}, ConsistentRead=True
    )
    return answer.get("Item")


def done(profile: dict[str, Any]) -> dict[str, str]:
    return {step["id"]: step["doneAt"] for step in profile["onboarding"]["steps"] if step["done"]}


def as_queue_gives(envelopes: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": f"m{number}",
                "receiptHandle": "r",
                "body": json.dumps(envelope),
                "attributes": {},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:OnboardingQueue",
                "awsRegion": "us-east-1",
            }
            for number, envelope in enumerate(envelopes)
        ]
    }


def test_the_first_get_starts_onboarding_without_saving_a_profile(invoke, api_event, users_env, event_sink):
    sink = event_sink(users_env["EVENT_BUS_NAME"], {"source": ["zik.platform"]})
    reply = invoke("MeFunction", api_event("GET", "/me"))
    assert reply.status == 200
    assert reply.body["version"] == 0 and reply.body["interests"] == []
    shown = reply.body["onboarding"]
    assert shown["startedAt"].endswith("Z") and shown["next"] == "timezone" and shown["complete"] is False
    assert [step["id"] for step in shown["steps"]] == ["timezone", "interests", "first_goal_or_entry", "career_profile"]
    assert not any(step["done"] for step in shown["steps"])
    again = invoke("MeFunction", api_event("GET", "/me")).body
    assert again["onboarding"]["startedAt"] == shown["startedAt"]  # started once
    assert "version" not in profile_item(users_env)
    assert sink.received() == []  # a start is not a save: no UserProfileUpdated


def test_put_marks_timezone_and_interests_in_its_own_write(invoke, api_event, users_env, event_sink):
    sink = event_sink(users_env["EVENT_BUS_NAME"], {"source": ["zik.platform"]})
    reply = invoke("MeFunction", api_event("PUT", "/me", body={"timezone": "Europe/Paris", "interests": ["career", "journaling"]}))
    assert reply.status == 200, reply.body
    assert reply.body["version"] == 1 and reply.body["interests"] == ["career", "journaling"]
    assert set(done(reply.body)) == {"timezone", "interests"} and reply.body["onboarding"]["next"] == "first_goal_or_entry"
    assert invoke("MeFunction", api_event("GET", "/me")).body == reply.body
    [event] = sink.of_type("UserProfileUpdated")
    assert event["detail"]["changed"] == ["interests", "timezone"] and event["detail"]["version"] == 1
    schemas.validate("events", "UserProfileUpdated", event["detail"])

    # Interests alone: a new version, the step kept at its first time.
    later = invoke("MeFunction", api_event("PUT", "/me", body={"version": 1, "interests": []})).body
    assert later["version"] == 2 and later["interests"] == [] and done(later) == done(reply.body)


@pytest.mark.parametrize(("interests", "field"), [(["gardening"], "interests[0]"), (["career", "career"], "interests"), ("career", "interests")])
def test_bad_interests_are_a_400_naming_the_field_and_nothing_is_written(invoke, api_event, users_env, interests, field):
    reply = invoke("MeFunction", api_event("PUT", "/me", body={"interests": interests}))
    assert reply.status == 400
    assert reply.body["error"]["field"] == field
    assert profile_item(users_env) is None


@pytest.mark.clock
def test_a_first_goal_and_a_first_entry_reach_the_profile_through_their_events(
    quests, journal, consumer, invoke, api_event, users_env, event_sink, lambda_context
):
    sink = event_sink(users_env["EVENT_BUS_NAME"], {"detail-type": ["GoalCreated", "EntryCreated"]})
    invoke("MeFunction", api_event("GET", "/me"))
    goal = quests.api(
        "quests_goal_create", body={"title": "Run a half marathon", "targetDate": (quests.today() + dt.timedelta(days=120)).isoformat()}
    )
    assert goal.status == 202, goal.body
    journal.write("A first entry, written after the goal.")
    delivered = sink.received()
    assert [event["detail-type"] for event in delivered] == ["GoalCreated", "EntryCreated"]

    # Delivered twice and the entry first: the goal's time is kept.
    for batch in (list(reversed(delivered)), delivered):
        assert consumer.lambda_handler(as_queue_gives(batch), lambda_context) == {"batchItemFailures": []}
    profile = invoke("MeFunction", api_event("GET", "/me")).body
    goal_at = delivered[0]["detail"]["occurredAt"]
    assert done(profile)["first_goal_or_entry"] == goal_at.replace("+00:00", "Z")
    assert profile["onboarding"]["next"] in ("timezone", "interests")  # the zone a moved run sets may be done
    assert profile["version"] == (1 if quests.zone != "UTC" else 0)  # marks are not saves


def test_events_of_an_erased_account_write_nothing(invoke, api_event, users_env, consumer, lambda_context, sample):
    invoke("MeFunction", api_event("PUT", "/me", body={"timezone": "UTC"}))
    assert invoke("MeFunction", sample("me_delete")).status == 202
    late = {
        "version": "0",
        "id": "late",
        "detail-type": "EntryCreated",
        "source": "zik.journal",
        "account": "123456789012",
        "time": "2026-11-23T08:15:02Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {
            "eventId": "late.0",
            "occurredAt": "2026-11-23T08:15:02.412Z",
            "tenantId": "acme",
            "userId": SUB,
            "entryId": "e1",
            "version": 1,
            "wordCount": 3,
            "entryDate": "2026-11-23",
            "timezone": "UTC",
            "categoryId": None,
            "promptId": None,
        },
    }
    assert consumer.lambda_handler(as_queue_gives([late]), lambda_context) == {"batchItemFailures": []}
    assert profile_item(users_env) is None
    assert invoke("MeFunction", api_event("GET", "/me")).status == 401
