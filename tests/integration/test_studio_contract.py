"""The studio's answers that its flows do not reach, each held to the API's document by the ``invoke`` fixture:
a device forgotten (204), a favourite refused on a photo not ready and cleared on a ready one, a photo request
retried once its photo is processed (the photo, not a stale form), a try-on on a photo not ready (409), a
photo's try-on session before and after a try-on, a try-on whose result photo was deleted (``result`` null),
and a try-on whose workflow cannot start (503 with Retry-After, nothing left queued)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from PIL import Image

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")

FIXTURES = Path(__file__).parents[1] / "fixtures" / "studio"
IOS = {"platform": "ios", "token": "0f" * 32, "appVersion": "1.4.2"}


def small_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (90, 140, 60)).save(out, "JPEG", quality=85)
    return out.getvalue()


def start(studio, photo_id: str, *, headers: dict[str, str] | None = None, claims: dict[str, Any] | None = None):
    body = {"photoId": photo_id, "hairstyleId": "french-crop"}
    return studio.api("StudioTryonsFunction", "studio_tryons_create", body=body, headers=headers, claims=claims)


def run_workflow(studio, job_id: str) -> None:
    """CheckQuota then Edit, on the input the job's execution (named after the job) was started with."""
    machine = studio.env("StudioTryonsFunction")["TRYON_STATE_MACHINE_ARN"]
    arn = machine.replace(":stateMachine:", ":execution:") + f":{job_id}"
    document = json.loads(boto3.client("stepfunctions").describe_execution(executionArn=arn)["input"])
    document["quota"] = studio.step("TryonQuotaFunction", document)
    document["result"] = studio.step("TryonEditFunction", document)


def session(studio, photo_id: str) -> dict[str, Any]:
    reply = studio.api("StudioTryonsFunction", "studio_sessions_get", params={"photoId": photo_id})
    assert reply.status == 200, reply.body
    return reply.body


def test_a_device_is_forgotten_once_and_then_is_a_404(studio) -> None:
    registered = studio.api("StudioDevicesFunction", "studio_devices_register", body=IOS)
    assert registered.status == 201 and registered.body["platform"] == "ios", registered.body
    params = {"deviceId": registered.body["deviceId"]}

    assert studio.api("StudioDevicesFunction", "studio_devices_delete", params=params).status == 204
    again = studio.api("StudioDevicesFunction", "studio_devices_delete", params=params)
    assert again.status == 404 and again.body["error"]["field"] == "deviceId"


def test_a_favourite_is_refused_until_the_photo_is_ready_and_cleared_after(studio) -> None:
    pending = studio.request_upload()
    refused = studio.api("StudioPhotosFunction", "studio_photos_favourite", method="PUT", params={"photoId": pending["photoId"]})
    assert refused.status == 409 and refused.body["error"]["field"] == "photoId" and "pending" in refused.body["error"]["message"]

    photo = studio.upload(small_jpeg())
    params = {"photoId": photo["photoId"]}
    favourite = studio.api("StudioPhotosFunction", "studio_photos_favourite", method="PUT", params=params)
    assert favourite.status == 200 and favourite.body["favourite"] is True and favourite.body["favouritedAt"]
    cleared = studio.api("StudioPhotosFunction", "studio_photos_favourite", method="DELETE", params=params)
    assert cleared.status == 200 and cleared.body["favourite"] is False and "favouritedAt" not in cleared.body
    assert studio.api("StudioPhotosFunction", "studio_gallery", query={"favourites": "TRUE"}).body["items"] == []

    unknown = studio.api("StudioPhotosFunction", "studio_gallery", query={"favourites": "sometimes"})
    assert unknown.status == 400 and unknown.body["error"]["field"] == "favourites"


def test_a_photo_request_retried_after_its_form_expired_answers_the_photo_it_became(studio, move_clock) -> None:
    key = {"Idempotency-Key": "photo-contract-retry-1"}
    first = studio.api("StudioPhotosFunction", "studio_photos_create", body={"contentType": "image/jpeg"}, headers=key)
    assert first.status == 201 and first.body["status"] == "pending", first.body
    data = small_jpeg()
    studio.post_form(first.body["upload"], data)
    studio.step("PhotoUploadedFunction", studio.uploaded_event(first.body["upload"]["fields"]["key"], len(data)))
    studio.drain("ImageProcessingFunction")

    move_clock(seconds=16 * 60)  # past the form's 15 minutes: the kept answer is brought up to date
    retried = studio.api("StudioPhotosFunction", "studio_photos_create", body={"contentType": "image/jpeg"}, headers=key)
    assert retried.status == 201 and retried.body["photoId"] == first.body["photoId"], retried.body
    assert retried.body["status"] == "ready" and "upload" not in retried.body and retried.body["thumbnailUrls"]

    other_body = studio.api("StudioPhotosFunction", "studio_photos_create", body={"contentType": "image/png"}, headers=key)
    assert other_body.status == 422 and other_body.body["error"]["field"] == "Idempotency-Key"


def test_a_photo_not_ready_cannot_be_tried_on(studio) -> None:
    pending = studio.request_upload()
    refused = start(studio, pending["photoId"])
    assert refused.status == 409 and refused.body["error"]["code"] == "photo_not_ready"
    assert refused.body["error"]["details"] == {"status": "pending"}


def test_a_try_on_shows_in_its_photos_session_and_its_deleted_result_reads_null(studio) -> None:
    photo = studio.upload((FIXTURES / "astronaut.jpg").read_bytes())
    empty = session(studio, photo["photoId"])
    assert empty["tries"] == [] and empty["startedAt"] is None and empty["expiresAt"] is None

    job_id = start(studio, photo["photoId"]).body["jobId"]
    [queued] = session(studio, photo["photoId"])["tries"]
    assert (queued["jobId"], queued["status"], queued["progress"]) == (job_id, "queued", 0)

    run_workflow(studio, job_id)
    [done] = session(studio, photo["photoId"])["tries"]
    job = studio.api("StudioTryonsFunction", "studio_tryons_get", params={"jobId": job_id}).body
    assert done["status"] == "succeeded" and done["resultPhotoId"] == job["resultPhotoId"]
    assert job["links"]["result"] == f"/studio/photos/{job['resultPhotoId']}"

    assert studio.api("StudioPhotosFunction", "studio_photos_delete", params={"photoId": job["resultPhotoId"]}).status == 204
    after = studio.api("StudioTryonsFunction", "studio_tryons_get", params={"jobId": job_id}).body
    assert after["status"] == "succeeded" and after["result"] is None


def test_a_try_on_whose_workflow_cannot_start_is_a_503_to_retry_and_leaves_no_job(studio, monkeypatch) -> None:
    photo = studio.upload((FIXTURES / "astronaut.jpg").read_bytes())
    studio.load_function("StudioTryonsFunction")
    machine = studio.env("StudioTryonsFunction")["TRYON_STATE_MACHINE_ARN"]
    monkeypatch.setenv("TRYON_STATE_MACHINE_ARN", machine + "-not-deployed")

    refused = start(studio, photo["photoId"])
    assert refused.status == 503 and int(refused.headers["retry-after"]) > 0, refused.body
    # Without an Idempotency-Key the unstarted job goes (a retry makes a new one): no job, no try in the session.
    assert boto3.client("dynamodb").scan(TableName=studio.env("StudioTryonsFunction")["JOBS_TABLE"])["Items"] == []
    assert session(studio, photo["photoId"])["tries"] == []
