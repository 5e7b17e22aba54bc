"""The studio's photo pipeline on the stack template.yaml declares, in moto, through the real handlers: a photo
posted as a multipart form to its presigned POST, the bucket's EventBridge event routed by PhotoUploadedFunction
to the FIFO queue (a group per user, deduplicated per object version), cleaned by ImageProcessingFunction (no
EXIF or GPS left anywhere, upright, thumbnails), listed in the gallery with working links, deleted with every
object made from it; a file that is no photo rejected with its reason and its object gone; another user's
photo a 404."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import boto3
import pytest
import requests
from PIL import Image

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")

SUB = "8f1c2a7e-4b3d-4c9a-9e61-2d5b7f0a1c34"  # the user of the sample events
OTHER = {"sub": "0b5e2f1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b", "cognito:username": "0b5e2f1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b", "custom:tenant_id": "acme"}
GPS = 0x8825


def camera_jpeg(width: int = 400, height: int = 300) -> bytes:
    """A phone's photo: stored on its side (orientation 6), with the camera's make and where it was taken."""
    picture = Image.new("RGB", (width, height), (200, 60, 40))
    picture.paste((40, 90, 200), (0, 0, width // 2, height // 2))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0112] = 6
    exif[GPS] = {1: "N", 2: (51.0, 30.0, 26.4), 3: "W", 4: (0.0, 7.0, 39.0)}
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def versions(studio, prefix: str) -> list[str]:
    answer = boto3.client("s3").list_object_versions(Bucket=studio.bucket, Prefix=prefix)
    return sorted(v["Key"] for v in [*answer.get("Versions", []), *answer.get("DeleteMarkers", [])])


def no_metadata(data: bytes) -> bool:
    image = Image.open(io.BytesIO(data))
    return image.format == "JPEG" and not image.getexif() and not ({"exif", "xmp", "icc_profile", "comment"} & set(image.info))


def queued(studio) -> list[dict[str, Any]]:
    url = studio._url("ImageProcessingQueue")
    sqs = boto3.client("sqs")
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]).get("Messages", [])
    for message in messages:  # back at once, for the test's own drain
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    return messages


def test_a_phones_photo_goes_from_its_presigned_post_to_a_clean_upright_photo_with_thumbnails(studio, event_sink) -> None:
    sink = event_sink(studio.env("StudioStreamFunction")["EVENT_BUS_NAME"], {"source": ["zik.studio"]})
    created = studio.request_upload("image/jpeg", fileName="IMG_2041.jpg")
    form = created["upload"]
    key = f"user-uploads/{SUB}/{created['photoId']}"
    policy = json.loads(base64.b64decode(form["fields"]["policy"]))
    assert form["fields"]["key"] == key and created["status"] == "pending"
    assert ["content-length-range", 1, 10 * 1024 * 1024] in policy["conditions"]
    assert studio.api("StudioPhotosFunction", "studio_photos_get", params={"photoId": created["photoId"]}).body["status"] == "pending"

    data = camera_jpeg()
    assert studio.post_form(form, data).status_code in (200, 201, 204)
    event = studio.uploaded_event(key, len(data))
    assert studio.step("PhotoUploadedFunction", event)["queued"] is True
    # EventBridge delivers at least once: the same event again is the same message, deduplicated by the queue.
    studio.step("PhotoUploadedFunction", event)
    [message] = queued(studio)
    assert message["Attributes"]["MessageGroupId"] == SUB
    studio.drain("ImageProcessingFunction")

    photo = studio.api("StudioPhotosFunction", "studio_photos_get", params={"photoId": created["photoId"]}).body
    assert photo["status"] == "ready" and (photo["width"], photo["height"]) == (300, 400)  # turned upright
    assert photo["record"]["hadGps"] is True and photo["record"]["orientationApplied"] == 6
    clean = requests.get(photo["photoUrl"], timeout=10).content
    assert no_metadata(clean) and Image.open(io.BytesIO(clean)).size == (300, 400)
    for size, url in photo["thumbnailUrls"].items():
        thumbnail = requests.get(url, timeout=10).content
        assert no_metadata(thumbnail) and max(Image.open(io.BytesIO(thumbnail)).size) <= int(size)
    # The upload held the camera's GPS: every version of it is gone; what is kept has none.
    assert versions(studio, "user-uploads/") == []
    assert versions(studio, f"thumbnails/{SUB}/{created['photoId']}/") == sorted(
        f"thumbnails/{SUB}/{created['photoId']}/{s}.jpg" for s in ("256", "1024")
    )

    gallery = studio.api("StudioPhotosFunction", "studio_gallery").body
    assert [item["photoId"] for item in gallery["items"]] == [created["photoId"]]
    assert set(gallery["items"][0]["thumbnailUrls"]) == {"256", "1024"}
    # The photo's change leaves the Photos table's stream as one PhotoUploaded.
    assert [(e["detail"]["photoId"], e["detail"]["userId"], e["detail"]["hadGps"]) for e in sink.of_type("PhotoUploaded")] == [
        (created["photoId"], SUB, True)
    ]


def test_a_users_uploads_queue_in_one_group_in_their_order_and_the_gallery_is_newest_first(studio, move_clock) -> None:
    first, second = studio.request_upload(), None
    move_clock(seconds=5)
    second = studio.request_upload()
    for created in (first, second):
        data = camera_jpeg()
        studio.post_form(created["upload"], data)
        studio.step("PhotoUploadedFunction", studio.uploaded_event(created["upload"]["fields"]["key"], len(data)))
    messages = queued(studio)
    assert [json.loads(m["Body"])["photo_id"] for m in messages] == [first["photoId"], second["photoId"]]
    assert {m["Attributes"]["MessageGroupId"] for m in messages} == {SUB}
    studio.drain("ImageProcessingFunction")

    gallery = studio.api("StudioPhotosFunction", "studio_gallery").body["items"]
    assert [item["photoId"] for item in gallery] == [second["photoId"], first["photoId"]]


def test_a_pdf_sent_as_a_jpeg_is_rejected_saying_what_it_is_and_kept_nowhere(studio) -> None:
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    created = studio.request_upload("image/jpeg", fileName="photo.jpg")
    studio.post_form(created["upload"], pdf)
    studio.step("PhotoUploadedFunction", studio.uploaded_event(created["upload"]["fields"]["key"], len(pdf)))
    studio.drain("ImageProcessingFunction")

    photo = studio.api("StudioPhotosFunction", "studio_photos_get", params={"photoId": created["photoId"]}).body
    assert photo["status"] == "rejected" and photo["rejection"]["code"] == "unsupported_image"
    assert "PDF" in photo["rejection"]["message"] and "photoUrl" not in photo
    assert versions(studio, "") == []


def test_another_users_photo_is_a_404_to_read_favourite_or_delete_and_stays(studio) -> None:
    photo = studio.upload(camera_jpeg())
    params = {"photoId": photo["photoId"]}
    for function_sample, method in (
        ("studio_photos_get", None),
        ("studio_photos_delete", None),
        ("studio_photos_favourite", "PUT"),
        ("studio_photos_favourite", "DELETE"),
    ):
        request: dict[str, Any] = {"params": params, "claims": OTHER}
        if method:
            request["method"] = method
        reply = studio.api("StudioPhotosFunction", function_sample, **request)
        assert reply.status == 404 and reply.body["error"]["code"] == "not_found", (function_sample, method, reply.body)
    assert studio.api("StudioPhotosFunction", "studio_gallery", claims=OTHER).body["items"] == []
    assert studio.api("StudioPhotosFunction", "studio_photos_get", params=params).body["status"] == "ready"


def test_a_favourite_is_listed_and_a_deleted_photo_leaves_no_object_and_no_item(studio) -> None:
    kept, gone = studio.upload(camera_jpeg()), studio.upload(camera_jpeg())
    assert studio.api("StudioPhotosFunction", "studio_photos_favourite", method="PUT", params={"photoId": kept["photoId"]}).status == 200
    favourites = studio.api("StudioPhotosFunction", "studio_gallery", query={"favourites": "true"}).body["items"]
    assert [item["photoId"] for item in favourites] == [kept["photoId"]]

    assert studio.api("StudioPhotosFunction", "studio_photos_delete", params={"photoId": gone["photoId"]}).status == 204
    assert [key for key in versions(studio, "") if gone["photoId"] in key] == []
    assert [key for key in versions(studio, "") if kept["photoId"] in key] != []
    assert studio.api("StudioPhotosFunction", "studio_photos_get", params={"photoId": gone["photoId"]}).status == 404
    assert [item["photoId"] for item in studio.api("StudioPhotosFunction", "studio_gallery").body["items"]] == [kept["photoId"]]
