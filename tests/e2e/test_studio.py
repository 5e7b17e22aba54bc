"""The studio through `zik dev`, as the phone app uses it: a portrait taken with a phone (its camera's EXIF and
GPS in it) posted with a real multipart POST to its presigned form, made ready by the bucket's EventBridge
event, PhotoUploadedFunction and the FIFO ImageProcessingQueue (its thumbnail a JPEG with no EXIF); a push
device registered; a hairstyle from the library tried on in the try-on workflow (Step Functions running the
Lambda steps), its result a new JPEG whose hair changed and whose face did not; and the news of it travelling
from ProcessingJobs' stream through the bus and NotificationQueue to an SNS Publish to the device's endpoint
(seen through GET /_zik/pushes). A landscape with no face: its try-on fails with no_face, and the phone is
told why."""

from __future__ import annotations

import io
import json
import struct
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import requests
from devserver import DevServer, eventually, new_user
from PIL import Image

from zik.studio import tryon_offline

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "studio"
PORTRAIT = FIXTURES / "astronaut.jpg"  # Eileen Collins, NASA: brown hair, grey backdrop
LANDSCAPE = FIXTURES / "rocket.jpg"  # a launch pad: no face anywhere
GPS_IFD = 0x8825


def from_a_phone(path: Path) -> bytes:
    """The photo as a phone's camera writes it: the same JPEG scan with an EXIF segment (make, model, and
    where it was taken) spliced in after the start of image, so the pixels are the file's own."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Phone 12"
    exif[GPS_IFD] = {1: "N", 2: (51.0, 30.0, 26.4), 3: "W", 4: (0.0, 7.0, 39.0)}
    segment = exif.tobytes()
    if not segment.startswith(b"Exif\x00\x00"):
        segment = b"Exif\x00\x00" + segment
    data = path.read_bytes()
    assert data[:2] == b"\xff\xd8"
    return data[:2] + b"\xff\xe1" + struct.pack(">H", len(segment) + 2) + segment + data[2:]


def has_no_metadata(data: bytes) -> bool:
    image = Image.open(io.BytesIO(data))
    return image.format == "JPEG" and not image.getexif() and not ({"exif", "xmp", "icc_profile", "comment"} & set(image.info))


def download(url: str) -> bytes:
    answer = requests.get(url, timeout=30)
    assert answer.status_code == 200, (answer.status_code, answer.text[:300])
    return answer.content


def pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=np.float64)


def upload(dev: DevServer, token: str, data: bytes, file_name: str) -> dict[str, Any]:
    """POST /studio/photos, the file posted to the presigned form as a browser posts it, and the photo polled
    until the pipeline has decided (ready or rejected)."""
    created = dev.request("POST", "/studio/photos", token=token, body={"contentType": "image/jpeg", "fileName": file_name})
    assert created.status == 201 and created.body["status"] == "pending", created.raw
    form = created.body["upload"]
    posted = requests.post(form["url"], data=form["fields"], files={"file": (file_name, data, "image/jpeg")}, timeout=30)
    assert posted.status_code in (200, 201, 204), (posted.status_code, posted.text[:500])
    photo_id = created.body["photoId"]

    def decided() -> dict[str, Any] | None:
        photo = dev.request("GET", f"/studio/photos/{photo_id}", token=token)
        assert photo.status == 200, photo.raw
        return photo.body if photo.body["status"] != "pending" else None

    return eventually(decided, f"{file_name} processed from the bucket's event through the FIFO queue")


def register_device(dev: DevServer, token: str) -> str:
    """An Android phone's FCM registration token, registered for pushes; answers the token."""
    fcm_token = f"e2e{uuid.uuid4().hex}:APA91b" + uuid.uuid4().hex * 3
    device = dev.request("POST", "/studio/devices", token=token, body={"platform": "android", "token": fcm_token, "appVersion": "2.4.0"})
    assert device.status == 201 and device.body["platform"] == "android" and device.body["endpoint"] is True, device.raw
    return fcm_token


def try_on(dev: DevServer, token: str, photo_id: str, hairstyle_id: str, color: str | None = None) -> dict[str, Any]:
    """POST /studio/tryons, then the job polled until the workflow has finished it."""
    body = {"photoId": photo_id, "hairstyleId": hairstyle_id, **({"color": color} if color else {})}
    queued = dev.request("POST", "/studio/tryons", token=token, body=body)
    assert queued.status == 202 and queued.body["status"] == "queued", queued.raw
    job_id = queued.body["jobId"]

    def finished() -> dict[str, Any] | None:
        job = dev.request("GET", f"/studio/tryons/{job_id}", token=token)
        assert job.status == 200, job.raw
        return job.body if job.body["status"] in ("succeeded", "failed") else None

    return eventually(finished, f"try-on {job_id} finished by the try-on workflow")


def pushed(dev: DevServer, fcm_token: str, job_id: str) -> dict[str, Any]:
    """The push of ``job_id`` SNS was asked to deliver to the device, as the FCM payload it carries."""

    def found() -> dict[str, Any] | None:
        answer = dev.request("GET", f"/_zik/pushes?token={fcm_token}")
        assert answer.status == 200, answer.raw
        (endpoint,) = answer.body["endpoints"]
        for sent in endpoint["messages"]:
            fcm = json.loads(json.loads(sent["message"])["GCM"])["fcmV1Message"]["message"]
            if fcm["data"]["jobId"] == job_id:
                return fcm
        return None

    return eventually(found, f"the push of try-on {job_id} published to the device's endpoint")


def test_a_portrait_from_a_phone_gets_a_new_hairstyle_and_the_phone_is_told(dev: DevServer) -> None:
    token = dev.token(new_user())
    photo = upload(dev, token, from_a_phone(PORTRAIT), "IMG_0412.jpg")
    assert photo["status"] == "ready" and (photo["width"], photo["height"]) == (512, 512), photo
    assert photo["record"]["hadGps"] is True
    thumbnail = download(photo["thumbnailUrls"]["256"])
    assert has_no_metadata(thumbnail) and max(Image.open(io.BytesIO(thumbnail)).size) <= 256
    cleaned = download(photo["photoUrl"])
    assert has_no_metadata(cleaned)

    fcm_token = register_device(dev, token)
    library = dev.request("GET", "/studio/hairstyles", token=token)
    assert library.status == 200 and library.body["items"], library.raw
    # A colour far from her brown hair, so the new hair cannot pass for the old.
    style = next(s for s in library.body["items"] if "platinum" in {c["id"] for c in s["colors"]})

    job = try_on(dev, token, photo["photoId"], style["hairstyleId"], "platinum")
    assert job["status"] == "succeeded", job
    assert job["progress"] == 100 and job["resultPhotoId"] and job["hairstyleId"] == style["hairstyleId"]
    result = download(job["result"]["photoUrl"])
    assert has_no_metadata(result)
    assert has_no_metadata(download(job["result"]["thumbnailUrls"]["256"]))
    before, after = pixels(cleaned), pixels(result)
    assert after.shape == before.shape
    # Where her face is (OpenCV's frontal-face cascade, as the offline try-on finds it): above it is hair,
    # its middle (eyes to mouth) is hers and stays so.
    x, y, w, h = tryon_offline.find_face(before.astype(np.uint8))
    hair = (slice(round(y - 0.3 * h), round(y - 0.05 * h)), slice(round(x + 0.2 * w), round(x + 0.8 * w)))
    face = (slice(round(y + 0.35 * h), round(y + 0.85 * h)), slice(round(x + 0.25 * w), round(x + 0.75 * w)))
    hair_change = np.abs(after[hair] - before[hair]).mean()
    face_change = np.abs(after[face] - before[face]).mean()
    assert hair_change > 20 and hair_change > 10 * face_change, (hair_change, face_change)
    # The result is a photo of the user's own, in their gallery.
    made = dev.request("GET", f"/studio/photos/{job['resultPhotoId']}", token=token)
    assert made.status == 200 and made.body["kind"] == "tryon" and made.body["sourcePhotoId"] == photo["photoId"], made.raw

    push = pushed(dev, fcm_token, job["jobId"])
    assert push["data"] == {"type": "TryOnCompleted", "jobId": job["jobId"], "resultPhotoId": job["resultPhotoId"]}
    assert push["notification"]["title"] == "Your new look is ready"

    # Another user sees neither the photo nor the try-on.
    stranger = dev.token(new_user())
    assert dev.request("GET", f"/studio/photos/{photo['photoId']}", token=stranger).status == 404
    assert dev.request("GET", f"/studio/tryons/{job['jobId']}", token=stranger).status == 404


def test_a_photo_with_no_face_fails_its_try_on_with_no_face_and_the_phone_is_told_why(dev: DevServer) -> None:
    token = dev.token(new_user())
    photo = upload(dev, token, LANDSCAPE.read_bytes(), "launch.jpg")
    assert photo["status"] == "ready", photo  # a photo all the same: the face matters to a try-on only
    fcm_token = register_device(dev, token)
    style = dev.request("GET", "/studio/hairstyles", token=token).body["items"][0]

    job = try_on(dev, token, photo["photoId"], style["hairstyleId"])

    assert job["status"] == "failed" and job["error"]["code"] == "no_face", job
    assert not job.get("resultPhotoId")
    push = pushed(dev, fcm_token, job["jobId"])
    assert push["data"] == {"type": "TryOnFailed", "jobId": job["jobId"]}
    assert "couldn't find a face" in push["notification"]["body"]
