"""The studio_photos function on moto: an upload asked for (a pending photo, a presigned POST whose policy
pins the key, the type and the size), a photo read with its links, the gallery and the favourites (one
query each, newest first, cursors), favourites idempotent, deletion of everything made from a photo;
another user's photo is a 404 everywhere."""

from __future__ import annotations

import base64
import datetime as dt
import importlib.util
import io
import json
import sys
import uuid
from pathlib import Path

import boto3
import pytest
from PIL import Image
from template_tables import template_table

from zik import clock
from zik.studio import images
from zik.studio.photo_store import PhotoStore
from zik.studio.processing import Pipeline
from zik.studio.uploads import UploadedObject, upload_key

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "studio-photos-test"
USER = "8f1c2a7e-4b3d-4c9a-9e61-2d5b7f0a1c34"  # the sample events' caller
OTHER = "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d"


def create_photos_table(client, name: str) -> None:
    client.create_table(TableName=name, **template_table("PhotosTable"))


class Studio:
    def __init__(self, module, sample, shape, context):
        self.module = module
        self.sample = sample
        self.shape = shape
        self.context = context
        self.s3 = boto3.client("s3")
        self.store: PhotoStore = module.photos.store

    def call(self, name: str, *, user: str = USER, **changes) -> tuple[int, dict]:
        event = self.shape(self.sample(name), claims={"sub": user}, **changes)
        answer = self.module.lambda_handler(event, self.context)
        return answer["statusCode"], json.loads(answer["body"]) if answer.get("body") else {}

    def ask(self, *, user: str = USER, content_type: str = "image/jpeg") -> str:
        status, body = self.call(
            "studio_photos_create", user=user, body={"contentType": content_type, "fileName": "me.jpg"}, headers={"Idempotency-Key": uuid.uuid4().hex}
        )
        assert status == 201, body
        return body["photoId"]

    def ready(self, *, user: str = USER) -> str:
        photo_id = self.ask(user=user)
        key = upload_key(user, photo_id)
        version = self.s3.put_object(Bucket=BUCKET, Key=key, Body=a_jpeg())["VersionId"]
        outcome = Pipeline(self.store, self.s3, BUCKET).process(UploadedObject(BUCKET, key, user, photo_id, version, None, None))
        assert outcome == "ready"
        return photo_id

    def object_keys(self) -> list[str]:
        answer = self.s3.list_object_versions(Bucket=BUCKET)
        return sorted(v["Key"] for v in [*answer.get("Versions", []), *answer.get("DeleteMarkers", [])])


def a_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (400, 300), (30, 120, 200)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def studio(aws, users_table, monkeypatch, sample, shape, lambda_context):
    dynamodb = boto3.client("dynamodb")
    create_photos_table(dynamodb, "test-photos")
    dynamodb.create_table(
        TableName="test-idempotency",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
    )
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    for name, value in {
        "PHOTOS_TABLE": "test-photos",
        "STUDIO_BUCKET": BUCKET,
        "USERS_TABLE": users_table.name,
        "IDEMPOTENCY_TABLE": "test-idempotency",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("CDN_DOMAIN", "CDN_KEY_PAIR_ID", "CDN_PRIVATE_KEY_SECRET"):
        monkeypatch.delenv(name, raising=False)
    spec = importlib.util.spec_from_file_location("fn_studio_photos_app", ROOT / "functions" / "studio_photos" / "app.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "fn_studio_photos_app", module)
    spec.loader.exec_module(module)
    return Studio(module, sample, shape, lambda_context)


# -- POST /studio/photos -----------------------------------------------------------------------------------------
def policy_of(fields: dict) -> dict:
    return json.loads(base64.b64decode(fields["policy"]))


def test_asking_for_an_upload_writes_a_pending_photo_and_a_post_pinned_to_its_key_type_and_size(studio):
    before = clock.now()
    status, body = studio.call("studio_photos_create", body={"contentType": "image/png", "fileName": "../../etc/me\u202e.png"})

    assert status == 201
    photo_id = body["photoId"]
    assert body["status"] == "pending"
    upload = body["upload"]
    key = f"user-uploads/{USER}/{photo_id}"
    assert upload["fields"]["key"] == key and upload["fields"]["Content-Type"] == "image/png"
    assert upload["maxBytes"] == images.MAX_BYTES == 10 * 1024 * 1024
    policy = policy_of(upload["fields"])
    conditions = policy["conditions"]
    assert {"key": key} in conditions and {"bucket": BUCKET} in conditions
    assert ["eq", "$Content-Type", "image/png"] in conditions
    assert ["content-length-range", 1, images.MAX_BYTES] in conditions
    expiry = dt.datetime.fromisoformat(policy["expiration"])
    assert dt.timedelta(minutes=14) <= expiry - before <= dt.timedelta(minutes=16)
    assert upload["expiresAt"][:16] == clock.iso(expiry)[:16]
    item = studio.store.get(photo_id)
    assert item["status"] == "pending" and item["userId"] == USER and item["kind"] == "upload" and item["contentType"] == "image/png"
    assert item["fileName"] == "me.png" and item["userTime"] == f"{item['createdAt']}#{photo_id}"
    # An upload that never comes leaves no photo behind: the table's TTL takes it in two days.
    assert 0 <= item["expiresAt"] - (int(before.timestamp()) + 2 * 86400) <= 5


def test_a_retried_request_asks_for_one_photo(studio):
    headers = {"Idempotency-Key": "same-key-1"}
    first = studio.call("studio_photos_create", headers=headers)
    again = studio.call("studio_photos_create", headers=headers)
    assert first[0] == again[0] == 201 and first[1]["photoId"] == again[1]["photoId"]
    assert len(studio.store.gallery(USER, limit=10, cursor=None).items) == 1


def test_a_retry_after_the_form_expired_gets_a_fresh_form_and_one_after_processing_the_photo(studio, move_clock):
    headers = {"Idempotency-Key": "same-key-2"}
    _, first = studio.call("studio_photos_create", headers=headers)
    move_clock(seconds=20 * 60)  # the first form has expired; the idempotency layer still keeps the answer

    _, again = studio.call("studio_photos_create", headers=headers)
    assert again["photoId"] == first["photoId"] and again["upload"]["expiresAt"] > first["upload"]["expiresAt"]
    assert again["upload"]["fields"]["policy"] != first["upload"]["fields"]["policy"]

    studio.store.settle(
        first["photoId"],
        studio.store.get(first["photoId"])["version"],
        {"status": "rejected", "rejection": {"code": "empty_image", "message": "the file is empty"}},
    )
    move_clock(seconds=20 * 60)
    _, settled = studio.call("studio_photos_create", headers=headers)
    assert settled["photoId"] == first["photoId"] and settled["status"] == "rejected" and "upload" not in settled


def test_a_retry_after_a_lost_first_answer_names_the_same_photo(studio):
    """Powertools forgot the first attempt (it was killed): the key's claim names the same photo anyway."""
    from zik.claims import Claim

    claim = Claim(b"\x01" * 32)
    owner = type("Owner", (), {"user_id": USER, "tenant_id": "acme"})()
    first = studio.module.photos.create_upload(owner, {"contentType": "image/jpeg"}, claim=claim)
    again = studio.module.photos.create_upload(owner, {"contentType": "image/jpeg"}, claim=claim)
    assert first["photoId"] == again["photoId"] and again["upload"]["fields"]["key"].endswith(first["photoId"])
    assert len(studio.store.gallery(USER, limit=10, cursor=None).items) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"contentType": "application/pdf"}, "contentType"),
        ({"contentType": "image/gif"}, "contentType"),
        ({}, "contentType"),
        ({"contentType": "image/jpeg", "fileName": ""}, "fileName"),
        ({"contentType": "image/jpeg", "size": 3}, "size"),
    ],
)
def test_a_request_for_what_is_no_photo_is_refused_naming_the_field(studio, body, field):
    status, answer = studio.call("studio_photos_create", body=body)
    assert status == 400 and answer["error"]["field"] == field
    assert studio.store.gallery(USER, limit=10, cursor=None).items == []


# -- GET /studio/photos/{photoId} --------------------------------------------------------------------------------
def test_a_ready_photo_is_shown_with_links_and_another_users_is_a_404(studio):
    import requests

    pending = studio.ask()
    photo_id = studio.ready()

    status, shown = studio.call("studio_photos_get", params={"photoId": photo_id})
    assert status == 200 and shown["status"] == "ready" and (shown["width"], shown["height"]) == (400, 300)
    assert set(shown["thumbnailUrls"]) == {"256", "1024"}
    assert requests.get(shown["photoUrl"], timeout=5).content[:3] == b"\xff\xd8\xff"
    assert Image.open(io.BytesIO(requests.get(shown["thumbnailUrls"]["256"], timeout=5).content)).size == (256, 192)
    assert shown["record"]["hadGps"] is False

    status, shown = studio.call("studio_photos_get", params={"photoId": pending})
    assert status == 200 and shown["status"] == "pending" and "photoUrl" not in shown and "thumbnailUrls" not in shown

    for unknown in (photo_id, "nothing-here"):
        status, refused = studio.call("studio_photos_get", user=OTHER, params={"photoId": unknown})
        assert status == 404 and refused["error"]["code"] == "not_found"


# -- the gallery -------------------------------------------------------------------------------------------------
def test_the_gallery_is_newest_first_in_pages_and_the_favourites_newest_favourite_first(studio, move_clock):
    made = []
    for _ in range(3):
        made.append(studio.ready())
        move_clock(seconds=2)
    studio.ask(user=OTHER)

    status, first = studio.call("studio_gallery", query={"limit": "2"})
    assert status == 200 and [p["photoId"] for p in first["items"]] == made[::-1][:2]
    assert all(set(p["thumbnailUrls"]) == {"256", "1024"} and "photoUrl" not in p for p in first["items"])
    status, second = studio.call("studio_gallery", query={"limit": "2", "cursor": first["nextCursor"]})
    assert [p["photoId"] for p in second["items"]] == [made[0]]

    assert studio.call("studio_photos_favourite", params={"photoId": made[0]})[0] == 200
    move_clock(seconds=2)
    assert studio.call("studio_photos_favourite", params={"photoId": made[2]})[0] == 200
    status, favourites = studio.call("studio_gallery", query={"favourites": "true"})
    assert [p["photoId"] for p in favourites["items"]] == [made[2], made[0]]
    assert all(p["favourite"] for p in favourites["items"])

    assert studio.call("studio_gallery", user=OTHER, query={"favourites": "true"})[1]["items"] == []
    status, refused = studio.call("studio_gallery", query={"favourites": "maybe"})
    assert status == 400 and refused["error"]["field"] == "favourites"
    status, refused = studio.call("studio_gallery", user=OTHER, query={"cursor": first["nextCursor"]})
    assert status == 400 and refused["error"]["field"] == "cursor"


# -- favourites --------------------------------------------------------------------------------------------------
def test_a_favourite_is_set_and_cleared_idempotently_and_only_on_ones_own_ready_photo(studio, move_clock):
    photo_id = studio.ready()
    status, shown = studio.call("studio_photos_favourite", params={"photoId": photo_id})
    assert status == 200 and shown["favourite"] is True
    set_once = studio.store.get(photo_id)
    move_clock(seconds=2)
    assert studio.call("studio_photos_favourite", params={"photoId": photo_id})[1]["favouritedAt"] == set_once["favouritedAt"]
    assert studio.store.get(photo_id) == set_once  # the repeat wrote nothing

    unfavourite = studio.shape(studio.sample("studio_photos_favourite"), params={"photoId": photo_id})
    unfavourite["httpMethod"] = unfavourite["requestContext"]["httpMethod"] = "DELETE"
    for _ in range(2):
        answer = studio.module.lambda_handler(json.loads(json.dumps(unfavourite)), studio.context)
        assert answer["statusCode"] == 200 and json.loads(answer["body"])["favourite"] is False
    item = studio.store.get(photo_id)
    assert "favouriteOf" not in item and "favouritedAt" not in item and item["version"] == set_once["version"] + 1

    status, refused = studio.call("studio_photos_favourite", user=OTHER, params={"photoId": photo_id})
    assert status == 404
    status, refused = studio.call("studio_photos_favourite", params={"photoId": studio.ask()})
    assert status == 409 and refused["error"]["field"] == "photoId"


# -- DELETE /studio/photos/{photoId} -----------------------------------------------------------------------------
def tryon_of(studio: Studio, source: str, photo_id: str, user: str = USER) -> None:
    """A try-on result as the workflow writes it: a photo of its own with the same layout."""
    keys = {"256": f"thumbnails/{user}/{photo_id}/256.jpg", "1024": f"thumbnails/{user}/{photo_id}/1024.jpg"}
    for key in [f"processed-images/{user}/{photo_id}.jpg", *keys.values()]:
        studio.s3.put_object(Bucket=BUCKET, Key=key, Body=a_jpeg())
        studio.s3.put_object(Bucket=BUCKET, Key=key, Body=a_jpeg())  # two versions each
    studio.store.create(
        {
            "photoId": photo_id,
            "userId": user,
            "tenantId": "acme",
            "kind": "tryon",
            "status": "ready",
            "createdAt": clock.now_iso(),
            "favourite": False,
            "sourcePhotoId": source,
            "jobId": f"job-{photo_id}",
            "hairstyleId": "french-crop",
            "photoKey": f"processed-images/{user}/{photo_id}.jpg",
            "thumbnailKeys": keys,
        }
    )


def test_deleting_a_photo_removes_every_object_and_the_tryons_made_from_it(studio):
    photo_id = studio.ready()
    kept = studio.ready()
    tryon_of(studio, photo_id, "t1")
    tryon_of(studio, "t1", "t2")  # a try-on of the try-on
    tryon_of(studio, kept, "t3")
    # A leftover second upload to the raw key, with its delete marker: every version goes.
    studio.s3.put_object(Bucket=BUCKET, Key=upload_key(USER, photo_id), Body=b"late")
    studio.s3.delete_object(Bucket=BUCKET, Key=upload_key(USER, photo_id))

    status, refused = studio.call("studio_photos_delete", user=OTHER, params={"photoId": photo_id})
    assert status == 404 and refused["error"]["field"] == "photoId"
    status, body = studio.call("studio_photos_delete", params={"photoId": photo_id})

    assert status == 204 and body == {}
    for gone in (photo_id, "t1", "t2"):
        assert studio.store.get(gone) is None
        assert not [key for key in studio.object_keys() if f"/{gone}" in key]
    assert studio.store.get(kept) and studio.store.get("t3")
    assert sorted(studio.object_keys()) == sorted(
        [f"processed-images/{USER}/{kept}.jpg", f"thumbnails/{USER}/{kept}/256.jpg", f"thumbnails/{USER}/{kept}/1024.jpg"]
        + [f"processed-images/{USER}/t3.jpg"] * 2
        + [f"thumbnails/{USER}/t3/256.jpg"] * 2
        + [f"thumbnails/{USER}/t3/1024.jpg"] * 2
    )
    assert studio.call("studio_photos_delete", params={"photoId": photo_id})[0] == 404
    assert [p["photoId"] for p in studio.call("studio_gallery")[1]["items"]] == ["t3", kept]


def test_a_pending_photo_deleted_before_its_upload_leaves_nothing_when_the_upload_comes(studio):
    photo_id = studio.ask()
    assert studio.call("studio_photos_delete", params={"photoId": photo_id})[0] == 204
    key = upload_key(USER, photo_id)
    version = studio.s3.put_object(Bucket=BUCKET, Key=key, Body=a_jpeg())["VersionId"]
    assert Pipeline(studio.store, studio.s3, BUCKET).process(UploadedObject(BUCKET, key, USER, photo_id, version, None, None)) == "orphan"
    assert studio.object_keys() == []
