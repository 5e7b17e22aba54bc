"""A hairstyle try-on the whole way, on the stack template.yaml declares, in moto, through the real handlers: a
portrait uploaded and cleaned, POST /studio/tryons queues the job and starts the try-on workflow, the
workflow's steps (CheckQuota, Edit with the offline AI, RecordFailure) run on the execution's own input,
the result is a photo of the gallery with working links, and the job's change leaves ProcessingJobs' stream as
TryOnCompleted: the notification queue pushes it to the user's device through SNS, and it earns points. A
photo with no face fails the job with no_face and gives the try-on back; the day's budget is a 429 saying
when it resets; another user's job and photo are 404."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import boto3
import numpy as np
import pytest
import requests
from PIL import Image

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")

FIXTURES = Path(__file__).parents[1] / "fixtures" / "studio"
SUB = "8f1c2a7e-4b3d-4c9a-9e61-2d5b7f0a1c34"
OTHER = {"sub": "0b5e2f1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b", "cognito:username": "0b5e2f1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b", "custom:tenant_id": "acme"}
ANDROID = {"platform": "android", "token": "fcm-" + "a1B2c3D4e5" * 14}


def start(studio, photo_id: str, hairstyle_id: str = "french-crop", **fields: Any):
    return studio.api("StudioTryonsFunction", "studio_tryons_create", body={"photoId": photo_id, "hairstyleId": hairstyle_id, **fields})


def execution_input(studio, job_id: str) -> dict[str, Any]:
    """What the workflow was started with: the execution is named after the job."""
    machine = studio.env("StudioTryonsFunction")["TRYON_STATE_MACHINE_ARN"]
    arn = machine.replace(":stateMachine:", ":execution:") + f":{job_id}"
    return json.loads(boto3.client("stepfunctions").describe_execution(executionArn=arn)["input"])


def run_workflow(studio, job_id: str) -> dict[str, Any]:
    """CheckQuota -> Edit, or RecordFailure with the error a Catch puts in $.error, as the ASL says."""
    document = execution_input(studio, job_id)
    try:
        document["quota"] = studio.step("TryonQuotaFunction", document)
        document["result"] = studio.step("TryonEditFunction", document)
    except Exception as error:  # noqa: BLE001 - what Step Functions catches (States.ALL)
        document["error"] = {"Error": type(error).__name__, "Cause": json.dumps({"errorMessage": str(error), "errorType": type(error).__name__})}
        document["recorded"] = studio.step("TryonFailedFunction", document)
    return document


def pushed(endpoint_arn: str) -> list[dict[str, Any]]:
    from moto.sns.models import sns_backends

    endpoint = sns_backends["123456789012"]["us-east-1"].platform_endpoints[endpoint_arn]
    return [json.loads(message) for message in endpoint.messages.values()]


def hair_and_face_change(before: bytes, after: bytes) -> tuple[float, float]:
    """Mean absolute change of the top third (hair) and of the middle (face) of two same-sized pictures."""
    a = np.asarray(Image.open(io.BytesIO(before)).convert("L"), dtype=np.float32)
    b = np.asarray(Image.open(io.BytesIO(after)).convert("L").resize(a.shape[::-1]), dtype=np.float32)
    h = a.shape[0]
    return float(np.abs(a[: h // 4] - b[: h // 4]).mean()), float(np.abs(a[h // 2 : 3 * h // 4] - b[h // 2 : 3 * h // 4]).mean())


def test_a_portrait_is_tried_on_notified_to_the_device_and_earns_points(studio, event_sink) -> None:
    sink = event_sink(studio.env("StudioStreamFunction")["EVENT_BUS_NAME"], {"source": ["zik.studio"]})
    device = studio.api("StudioDevicesFunction", "studio_devices_register", body=ANDROID)
    assert device.status == 201 and device.body["endpoint"] is True, device.body
    photo = studio.upload((FIXTURES / "astronaut.jpg").read_bytes())

    queued = start(studio, photo["photoId"], color="copper")
    assert queued.status == 202 and queued.body["status"] == "queued", queued.body
    job_id = queued.body["jobId"]
    assert queued.body["quota"]["used"] == 0 and queued.body["quota"]["limit"] == 20
    run = run_workflow(studio, job_id)
    assert "error" not in run, run.get("error")

    done = studio.api("StudioTryonsFunction", "studio_tryons_get", params={"jobId": job_id}).body
    assert done["status"] == "succeeded" and done["progress"] == 100
    result = requests.get(done["result"]["photoUrl"], timeout=10).content
    original = requests.get(photo["photoUrl"], timeout=10).content
    hair, face = hair_and_face_change(original, result)
    assert hair > 3 * face, (hair, face)
    gallery = studio.api("StudioPhotosFunction", "studio_gallery").body["items"]
    assert [item["photoId"] for item in gallery] == [done["resultPhotoId"], photo["photoId"]]
    assert gallery[0]["kind"] == "tryon" and gallery[0]["sourcePhotoId"] == photo["photoId"]

    [completed] = [event["detail"] for event in sink.of_type("TryOnCompleted")]
    assert completed["userId"] == SUB and completed["jobId"] == job_id and completed["resultPhotoId"] == done["resultPhotoId"]
    # The bus's rule puts it on the notification queue; its consumer pushes it to the device, once.
    studio.drain("StudioNotificationsFunction", keep=True)
    studio.replay("StudioNotificationsFunction")
    endpoint = boto3.client("dynamodb").get_item(
        TableName=studio.env("StudioDevicesFunction")["SESSIONS_TABLE"],
        Key={"userId": {"S": SUB}, "itemKey": {"S": f"DEVICE#{device.body['deviceId']}"}},
    )["Item"]["endpointArn"]["S"]
    [push] = pushed(endpoint)
    assert job_id in json.dumps(push)

    studio.drain("GamificationEventsFunction")
    stats = studio.api("GamificationFunction", "gamification_stats").body
    assert stats["points"] == 5 + 10 and stats["achievementsEarned"] == 1  # a try-on, and the first try-on's achievement


def test_a_photo_with_no_face_fails_the_job_saying_so_and_gives_the_try_on_back(studio, event_sink) -> None:
    sink = event_sink(studio.env("StudioStreamFunction")["EVENT_BUS_NAME"], {"source": ["zik.studio"]})
    photo = studio.upload((FIXTURES / "rocket.jpg").read_bytes())
    job_id = start(studio, photo["photoId"]).body["jobId"]

    run = run_workflow(studio, job_id)
    assert run["recorded"]["status"] == "failed"
    failed = studio.api("StudioTryonsFunction", "studio_tryons_get", params={"jobId": job_id}).body
    assert failed["status"] == "failed" and failed["error"]["code"] == "no_face" and "face" in failed["error"]["message"]
    assert [event["detail"]["code"] for event in sink.of_type("TryOnFailed")] == ["no_face"]
    assert start(studio, photo["photoId"]).body["quota"]["used"] == 0  # the failed one was given back


@pytest.mark.clock
def test_the_days_budget_is_a_429_saying_when_it_resets_and_the_workflow_holds_it_too(studio) -> None:
    photo = studio.upload((FIXTURES / "astronaut.jpg").read_bytes())
    jobs = [start(studio, photo["photoId"]).body["jobId"] for _ in range(20)]
    for job_id in jobs:
        studio.step("TryonQuotaFunction", execution_input(studio, job_id))

    refused = start(studio, photo["photoId"])
    assert refused.status == 429 and refused.body["error"]["code"] == "budget_exceeded"
    assert (
        int(refused.headers["retry-after"]) == refused.body["error"]["details"]["retryAfterSeconds"] > 0
        and refused.body["error"]["details"]["resetsAt"] in refused.body["error"]["message"]
    )
    # A retried CheckQuota counts nothing more.
    assert studio.step("TryonQuotaFunction", execution_input(studio, jobs[0]))["used"] == 20


def test_another_users_job_and_photo_are_404_and_an_unknown_hairstyle_names_itself(studio) -> None:
    photo = studio.upload((FIXTURES / "astronaut.jpg").read_bytes())
    job_id = start(studio, photo["photoId"]).body["jobId"]

    theirs = studio.api("StudioTryonsFunction", "studio_tryons_get", params={"jobId": job_id}, claims=OTHER)
    assert theirs.status == 404 and theirs.body["error"]["field"] == "jobId"
    borrowed = studio.api(
        "StudioTryonsFunction", "studio_tryons_create", body={"photoId": photo["photoId"], "hairstyleId": "french-crop"}, claims=OTHER
    )
    assert borrowed.status == 404 and borrowed.body["error"]["field"] == "photoId"
    unknown = start(studio, photo["photoId"], "mohawk-of-doom")
    assert unknown.status == 404 and unknown.body["error"]["field"] == "hairstyleId"
