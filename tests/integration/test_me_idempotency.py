"""A retried PUT /me with the same Idempotency-Key has one effect (Powertools idempotency on the
template's IdempotencyTable); the same key with another body is refused."""

from __future__ import annotations

import json

import boto3
import pytest

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")


@pytest.fixture
def put_me(deployment, invoke, sample):
    def call(body: dict, key: str | None):
        event = sample("me_put")
        event["body"] = json.dumps(body)
        if key:
            event["headers"]["Idempotency-Key"] = key
            event["multiValueHeaders"]["Idempotency-Key"] = [key]
        return invoke("MeFunction", event)

    return call


def _idempotency_records(deployment) -> list[dict]:
    table = deployment.functions["MeFunction"].environment["IDEMPOTENCY_TABLE"]
    return boto3.client("dynamodb").scan(TableName=table)["Items"]


def test_a_retry_with_the_same_key_answers_the_first_result_without_saving_again(deployment, put_me, event_sink):
    sink = event_sink(deployment.functions["MeFunction"].environment["EVENT_BUS_NAME"], {"detail-type": ["UserProfileUpdated"]})
    first = put_me({"displayName": "Ada"}, "key-1")
    retry = put_me({"displayName": "Ada"}, "key-1")
    assert first.status == retry.status == 200
    assert retry.body == first.body and first.body["version"] == 1
    assert len(sink.received()) == 1
    assert len(_idempotency_records(deployment)) == 1
    # A new key is a new request.
    assert put_me({"displayName": "Grace"}, "key-2").body["version"] == 2


def test_the_same_key_with_another_body_is_422_and_changes_nothing(put_me):
    put_me({"displayName": "Ada"}, "key-1")
    reply = put_me({"displayName": "Grace"}, "key-1")
    assert reply.status == 422
    assert reply.body["error"]["field"] == "Idempotency-Key"


def test_without_the_header_every_request_runs_and_one_that_changes_nothing_writes_nothing(put_me, deployment, event_sink):
    sink = event_sink(deployment.functions["MeFunction"].environment["EVENT_BUS_NAME"], {"detail-type": ["UserProfileUpdated"]})
    assert put_me({"displayName": "Ada"}, None).body["version"] == 1
    assert put_me({"displayName": "Grace"}, None).body["version"] == 2
    assert put_me({"displayName": "Grace"}, None).body["version"] == 2  # the same again: PUT is idempotent
    assert [e["detail"]["version"] for e in sink.received()] == [1, 2]


def test_an_unusable_key_is_400(put_me):
    reply = put_me({"displayName": "Ada"}, "k" * 200)
    assert reply.status == 400 and reply.body["error"]["field"] == "Idempotency-Key"
