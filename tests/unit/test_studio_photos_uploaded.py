"""The photo_uploaded function: an S3 "Object Created" event from EventBridge becomes one message on the FIFO
image queue, grouped by its owner and deduplicated per object version; a key that is no photo's upload is
logged and dropped."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from pathlib import Path

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zik.studio import uploads

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def queue(aws, monkeypatch):
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="ImageProcessingQueue.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "false"})["QueueUrl"]
    monkeypatch.setenv("IMAGE_QUEUE_URL", url)
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    spec = importlib.util.spec_from_file_location("fn_photo_uploaded_app", ROOT / "functions" / "photo_uploaded" / "app.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "fn_photo_uploaded_app", module)
    spec.loader.exec_module(module)
    return sqs, url, module


def received(sqs, url: str) -> list[dict]:
    answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"])
    return answer.get("Messages", [])


def test_the_sample_event_becomes_one_fifo_message_grouped_by_user_and_deduplicated(queue, sample, lambda_context):
    sqs, url, function = queue
    event = sample("photo_uploaded_eventbridge")
    found = event["detail"]["object"]

    assert function.lambda_handler(event, lambda_context)["queued"] is True
    assert function.lambda_handler(sample("photo_uploaded_eventbridge"), lambda_context)["queued"] is True  # EventBridge again

    messages = received(sqs, url)
    assert len(messages) == 1
    user_id, photo_id = found["key"].split("/")[1:]
    attributes = messages[0]["Attributes"]
    assert attributes["MessageGroupId"] == user_id
    bucket = event["detail"]["bucket"]["name"]
    assert attributes["MessageDeduplicationId"] == hashlib.sha256(f"{bucket}/{found['key']}/{found['version-id']}".encode()).hexdigest()
    uploaded = uploads.UploadedObject.from_body(messages[0]["Body"])
    assert (uploaded.bucket, uploaded.key, uploaded.user_id, uploaded.photo_id) == (bucket, found["key"], user_id, photo_id)
    assert (uploaded.version_id, uploaded.sequencer, uploaded.size) == (found["version-id"], found["sequencer"], found["size"])


def test_a_new_version_of_the_same_key_is_a_new_message_and_an_unversioned_one_is_told_by_its_sequencer(queue, sample, lambda_context):
    sqs, url, function = queue
    first = sample("photo_uploaded_eventbridge")
    second = sample("photo_uploaded_eventbridge")
    second["detail"]["object"]["version-id"] = "another-version"
    unversioned = sample("photo_uploaded_eventbridge")
    del unversioned["detail"]["object"]["version-id"]
    for event in (first, second, unversioned):
        function.lambda_handler(event, lambda_context)
    assert len({m["Attributes"]["MessageDeduplicationId"] for m in received(sqs, url)}) == 3


@pytest.mark.parametrize(
    "change",
    [
        lambda e: e["detail"]["object"].update(key="user-uploads/someone"),
        lambda e: e["detail"]["object"].update(key="processed-images/u/p.jpg"),
        lambda e: e["detail"]["object"].update(key="user-uploads/u/p/../../etc"),
        lambda e: e["detail"]["object"].update(key="user-uploads/u/p/extra"),
        lambda e: e["detail"]["object"].pop("key"),
        lambda e: e["detail"].pop("bucket"),
        lambda e: e.update({"detail-type": "Object Deleted"}),
        lambda e: e.update({"source": "aws.ec2"}),
        lambda e: e.update(detail="not an object"),
    ],
    ids=["no-photo", "other-prefix", "dot-dot", "deeper", "no-key", "no-bucket", "deleted", "other-source", "bad-detail"],
)
def test_an_event_of_no_upload_is_dropped(queue, sample, lambda_context, change):
    sqs, url, function = queue
    event = sample("photo_uploaded_eventbridge")
    change(event)
    assert function.lambda_handler(event, lambda_context) == {"queued": False}
    assert received(sqs, url) == []


def test_a_url_encoded_key_is_read_as_the_same_upload(sample):
    event = sample("photo_uploaded_eventbridge")
    key = event["detail"]["object"]["key"]
    event["detail"]["object"]["key"] = key.replace("/", "%2F")
    found = uploads.uploaded_object(event)
    assert found is not None and found.key == key


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    detail=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=40),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
        max_leaves=12,
    )
)
def test_any_detail_is_read_or_dropped_never_an_error(detail):
    event = {"source": "aws.s3", "detail-type": "Object Created", "detail": detail}
    found = uploads.uploaded_object(event)
    assert found is None or uploads.owner_of_key(found.key) == (found.user_id, found.photo_id)


@given(key=st.text(max_size=80))
def test_only_a_user_uploads_key_of_two_ids_names_a_photo(key):
    owner = uploads.owner_of_key(key)
    if owner is not None:
        assert key == uploads.upload_key(*owner)
        assert ".." not in owner and "/" not in "".join(owner)


def test_a_message_body_is_read_back_or_refused():
    uploaded = uploads.UploadedObject("b", "user-uploads/u1/p1", "u1", "p1", "v1", None, 10)
    assert uploads.UploadedObject.from_body(uploaded.message()["MessageBody"]) == uploaded
    for body in ("[]", "{}", json.dumps({**json.loads(uploaded.message()["MessageBody"]), "user_id": "u2"}), "not json"):
        with pytest.raises((ValueError, TypeError, KeyError)):
            uploads.UploadedObject.from_body(body)
