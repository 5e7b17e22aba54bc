"""zik.studio.changes and functions/studio_stream: ProcessingJobs' committed changes in, TryOnCompleted and
TryOnFailed out (valid against their schema files), on the bus through zik.streams with the job's owner;
nothing for a job queued, running or counted, a quota counter or a job deleted. The bus is botocore's
EventBridge client with its Stubber."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from zik import schemas, streams
from zik.streams import Change
from zik.studio import changes

ROOT = Path(__file__).resolve().parents[2]
USER = "8f1c2a7e-4b3d-4c9a-9e61-2d5b7f0a1c34"
AT = "2026-11-23T09:14:36.804Z"
JOB = {
    "jobId": "jsample00000000001",
    "userId": USER,
    "tenantId": "acme",
    "photoId": "p0sample000001",
    "hairstyleId": "french-crop",
    "color": "#B5562A",
    "timezone": "Europe/Paris",
    "day": "2026-11-23",
    "status": "running",
    "createdAt": AT,
    "updatedAt": AT,
    "version": 3,
}


def change(kind: str, *, old: dict[str, Any] | None = None, new: dict[str, Any] | None = None) -> Change:
    return Change(kind=kind, keys={"jobId": (new or old or {})["jobId"]}, old=old, new=new, record_id="r1", sequence="1", arrived=AT)


def events(c: Change) -> list[tuple[str, dict[str, Any]]]:
    found = [(e.detail_type, dict(e.detail)) for e in changes.events_of(c)]
    for detail_type, detail in found:
        schemas.validate("events", detail_type, {"eventId": "x", "occurredAt": AT, "tenantId": "acme", "userId": USER, **detail})
    return found


def test_a_job_that_succeeded_is_tryon_completed() -> None:
    done = {**JOB, "status": "succeeded", "resultPhotoId": "jsample00000000001-result", "provider": "local", "model": "offline", "version": 4}
    assert events(change("MODIFY", old=JOB, new=done)) == [
        (
            "TryOnCompleted",
            {
                "jobId": JOB["jobId"],
                "photoId": JOB["photoId"],
                "resultPhotoId": done["resultPhotoId"],
                "hairstyleId": "french-crop",
                "color": "#B5562A",
                "provider": "local",
                "model": "offline",
                "day": "2026-11-23",
            },
        )
    ]
    [event] = changes.events_of(change("MODIFY", old=JOB, new=done))
    assert event.occurred_at == AT and event.domain == "studio"


def test_a_job_that_failed_is_tryon_failed_with_its_reason() -> None:
    failed = {**JOB, "status": "failed", "error": {"code": "no_face", "message": "no face was found in the photo"}}
    assert events(change("MODIFY", old=JOB, new=failed)) == [
        (
            "TryOnFailed",
            {
                "jobId": JOB["jobId"],
                "photoId": JOB["photoId"],
                "hairstyleId": "french-crop",
                "code": "no_face",
                "message": "no face was found in the photo",
            },
        )
    ]
    queued = {**JOB, "status": "queued"}
    assert [t for t, _ in events(change("MODIFY", old=queued, new={**failed, "error": {"code": "internal", "message": "x"}}))] == ["TryOnFailed"]


PHOTO = {
    "photoId": "p0sample000001",
    "userId": USER,
    "tenantId": "acme",
    "kind": "upload",
    "status": "pending",
    "contentType": "image/heic",
    "createdAt": AT,
    "updatedAt": AT,
    "version": 1,
    "favourite": False,
}


def photo_change(kind: str, *, old: dict[str, Any] | None = None, new: dict[str, Any] | None = None) -> Change:
    return Change(kind=kind, keys={"photoId": (new or old or {})["photoId"]}, old=old, new=new, record_id="r2", sequence="2", arrived=AT)


def test_an_upload_the_pipeline_accepted_is_photo_uploaded_and_nothing_else_of_a_photo_is() -> None:
    record = {"width": 3024, "height": 4032, "sourceFormat": "heic", "hadGps": True, "hadExif": True}
    ready = {**PHOTO, "status": "ready", "record": record, "version": 2}
    assert events(photo_change("MODIFY", old=PHOTO, new=ready)) == [
        ("PhotoUploaded", {"photoId": PHOTO["photoId"], "width": 3024, "height": 4032, "sourceFormat": "heic", "hadGps": True})
    ]
    rejected = {**PHOTO, "status": "rejected", "rejection": {"code": "corrupt_image", "message": "damaged"}}
    result = {**ready, "photoId": "j1-result", "kind": "tryon", "jobId": "j1"}
    favourite = {**ready, "favourite": True, "version": 3}
    assert events(photo_change("MODIFY", old=PHOTO, new=rejected)) == []
    assert events(photo_change("INSERT", new=result)) == []  # its job's TryOnCompleted says it
    assert events(photo_change("MODIFY", old=ready, new=favourite)) == []
    assert events(photo_change("INSERT", new=PHOTO)) == []
    assert events(photo_change("REMOVE", old=ready)) == []


def test_other_changes_mean_nothing() -> None:
    queued = {**JOB, "status": "queued"}
    counted = {**queued, "countedAt": AT, "version": 2}
    done = {**JOB, "status": "succeeded", "resultPhotoId": "r", "provider": "local", "model": "m"}
    counter = {"jobId": f"QUOTA#{USER}#2026-11-23", "userId": USER, "tenantId": "acme", "day": "2026-11-23", "used": 2}
    for quiet in (
        change("INSERT", new=queued),
        change("MODIFY", old=queued, new=counted),
        change("MODIFY", old=counted, new={**JOB, "version": 3}),
        change("MODIFY", old=done, new={**done, "version": 9}),  # a succeeded job touched again
        change("REMOVE", old=done),  # erased with its user
        change("INSERT", new=counter),
        change("MODIFY", old=counter, new={**counter, "used": 3}),
    ):
        assert events(quiet) == []


def test_the_schemas_refuse_what_the_events_must_not_carry() -> None:
    detail = {
        "eventId": "x",
        "occurredAt": AT,
        "tenantId": "acme",
        "userId": USER,
        "jobId": "j",
        "photoId": "p",
        "hairstyleId": "h",
        "code": "no_face",
        "message": "m",
    }
    schemas.validate("events", "TryOnFailed", detail)
    for broken in ({**detail, "code": "oops"}, {**detail, "stackTrace": "..."}, {k: v for k, v in detail.items() if k != "jobId"}):
        with pytest.raises(schemas.SchemaViolation):
            schemas.validate("events", "TryOnFailed", broken)


# -- the stream function ------------------------------------------------------------------------------------------
@pytest.fixture
def bus(monkeypatch: pytest.MonkeyPatch):
    client = boto3.client("events", region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s")
    stubber = Stubber(client)
    monkeypatch.setattr(streams, "_events_client", lambda: client)
    monkeypatch.setenv("EVENT_BUS_NAME", "zik-test")
    with stubber:
        yield stubber
    stubber.assert_no_pending_responses()


@pytest.fixture
def stream_function(monkeypatch: pytest.MonkeyPatch) -> Any:
    spec = importlib.util.spec_from_file_location("fn_studio_stream_app", ROOT / "functions" / "studio_stream" / "app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "fn_studio_stream_app", module)
    spec.loader.exec_module(module)
    return module


def test_the_sample_batch_publishes_one_completed_and_one_failed_for_their_owner(bus: Stubber, stream_function, lambda_context) -> None:
    batch = json.loads((ROOT / "events" / "studio_stream_batch.json").read_text())
    calls: list[dict[str, Any]] = []
    bus.add_response("put_events", {"FailedEntryCount": 0, "Entries": [{"EventId": "e1"}, {"EventId": "e2"}]}, {"Entries": ANY})
    bus.client.meta.events.register_first("before-parameter-build.eventbridge.PutEvents", lambda params, **kw: calls.append(params))
    assert stream_function.lambda_handler(batch, lambda_context) == {"batchItemFailures": []}
    [call] = calls
    assert [(e["Source"], e["DetailType"]) for e in call["Entries"]] == [("zik.studio", "TryOnCompleted"), ("zik.studio", "TryOnFailed")]
    completed, failed = (json.loads(e["Detail"]) for e in call["Entries"])
    assert (completed["userId"], completed["tenantId"]) == (USER, "acme")
    assert completed["resultPhotoId"] == "jsample00000000001-result" and completed["occurredAt"] == "2026-11-23T09:14:36.804Z"
    assert completed["eventId"] == f"{batch['Records'][3]['eventID']}.0"
    assert failed["code"] == "no_face" and failed["jobId"] == "jsample00000000002"


def test_a_redelivered_batch_yields_the_same_event_ids(bus: Stubber, stream_function, lambda_context) -> None:
    batch = json.loads((ROOT / "events" / "studio_stream_batch.json").read_text())
    seen: list[list[str]] = []
    for _ in range(2):
        bus.add_response("put_events", {"FailedEntryCount": 0, "Entries": [{"EventId": "e1"}, {"EventId": "e2"}]}, {"Entries": ANY})
    bus.client.meta.events.register_first(
        "before-parameter-build.eventbridge.PutEvents",
        lambda params, **kw: seen.append([json.loads(e["Detail"])["eventId"] for e in params["Entries"]]),
    )
    stream_function.lambda_handler(batch, lambda_context)
    stream_function.lambda_handler(batch, lambda_context)
    assert seen[0] == seen[1] and len(set(seen[0])) == 2


def test_a_refused_event_fails_the_batch_from_its_record(bus: Stubber, stream_function, lambda_context) -> None:
    batch = json.loads((ROOT / "events" / "studio_stream_batch.json").read_text())
    bus.add_response(
        "put_events", {"FailedEntryCount": 1, "Entries": [{"EventId": "e1"}, {"ErrorCode": "InternalFailure", "ErrorMessage": "x"}]}, {"Entries": ANY}
    )
    answer = stream_function.lambda_handler(batch, lambda_context)
    assert answer == {"batchItemFailures": [{"itemIdentifier": batch["Records"][4]["dynamodb"]["SequenceNumber"]}]}


def test_owner_keys_are_given_from_the_items_image_without_changing_the_batch() -> None:
    batch = json.loads((ROOT / "events" / "studio_stream_batch.json").read_text())
    before = json.dumps(batch)
    keyed = changes.with_owner_keys(batch)
    assert json.dumps(batch) == before
    for record in keyed["Records"]:
        assert record["dynamodb"]["Keys"]["pk"] == {"S": f"TENANT#acme#USER#{USER}"}
        assert streams.change_of(record).owner.user_id == USER
    removed = {
        "Records": [
            {
                "eventID": "x",
                "eventName": "REMOVE",
                "dynamodb": {"Keys": {"jobId": {"S": "j1"}}, "OldImage": {"jobId": {"S": "j1"}, "userId": {"S": "u1"}}},
            }
        ]
    }
    assert changes.with_owner_keys(removed)["Records"][0]["dynamodb"]["Keys"]["pk"] == {"S": "TENANT#default#USER#u1"}
    ownerless = {
        "Records": [{"eventID": "y", "eventName": "INSERT", "dynamodb": {"Keys": {"jobId": {"S": "j2"}}, "NewImage": {"jobId": {"S": "j2"}}}}]
    }
    assert changes.with_owner_keys(ownerless) == ownerless
