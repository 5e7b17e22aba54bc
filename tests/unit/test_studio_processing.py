"""zik.studio.processing and the image_processing function: each upload cleaned (no output keeps EXIF or
GPS), thumbnailed and marked ready in one conditional write, or rejected with its reason; the raw upload
gone with every version; a redelivered message does nothing twice; a failing message fails alone (and its
user's messages after it)."""

from __future__ import annotations

import importlib.util
import io
import json
import struct
import sys
import zlib
from pathlib import Path

import boto3
import pytest
from PIL import Image
from template_tables import template_table

from zik import clock
from zik.dynamo import Table
from zik.studio import photos
from zik.studio.photo_store import PhotoStore
from zik.studio.processing import Pipeline
from zik.studio.uploads import UploadedObject, upload_key

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "studio-test-bucket"
USER = "8f1c2a7e-4b3d-4c9a-9e61-2d5b7f0a1c34"
OTHER = "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d"
GPS_LATITUDE = (51.0, 30.0, 26.4)


def photos_table(client, name: str = "test-photos") -> Table:
    """The Photos table as template.yaml declares it (pk photoId; UserTimestampIndex, FavouritesIndex)."""
    client.create_table(TableName=name, **template_table("PhotosTable"))
    return Table(name, pk="photoId", sk=None, client=client)


@pytest.fixture
def studio(aws, monkeypatch):
    dynamodb = boto3.client("dynamodb")
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    monkeypatch.setenv("STUDIO_BUCKET", BUCKET)
    monkeypatch.setenv("PHOTOS_TABLE", "test-photos")
    store = PhotoStore(photos_table(dynamodb))
    return store, s3, Pipeline(store, s3, BUCKET)


def pending_photo(store: PhotoStore, photo_id: str, user_id: str = USER) -> dict:
    return store.create(
        {
            "photoId": photo_id,
            "userId": user_id,
            "tenantId": "acme",
            "kind": "upload",
            "status": "pending",
            "contentType": "image/jpeg",
            "favourite": False,
            "uploadKey": upload_key(user_id, photo_id),
            "createdAt": clock.now_iso(),
            "expiresAt": clock.epoch_seconds() + photos.PENDING_SECONDS,
        }
    )


def upload(s3, photo_id: str, data: bytes, user_id: str = USER) -> UploadedObject:
    key = upload_key(user_id, photo_id)
    answer = s3.put_object(Bucket=BUCKET, Key=key, Body=data, ContentType="image/jpeg")
    return UploadedObject(BUCKET, key, user_id, photo_id, answer.get("VersionId"), "00617F08299329D189", len(data))


def keys_in_bucket(s3) -> list[str]:
    answer = s3.list_object_versions(Bucket=BUCKET)
    return sorted(v["Key"] for v in [*answer.get("Versions", []), *answer.get("DeleteMarkers", [])])


def jpeg_with_gps(width: int = 640, height: int = 480) -> bytes:
    picture = Image.new("RGB", (width, height), (200, 60, 40))
    picture.paste((40, 90, 200), (0, 0, width // 2, height // 2))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0112] = 6  # stored turned: the clean photo comes out upright (taller than wide)
    exif[0x8825] = {1: "N", 2: GPS_LATITUDE, 3: "W", 4: (0.0, 7.0, 39.0)}
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif, quality=90)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the GPS really is in the upload
    return data


def a_pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A valid 1-bit PNG of width x height, all black: a few kilobytes that decode to 400 megapixels."""
    row = b"\x00" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row * 1000) for _ in range(height // 1000)) + compressor.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def assert_no_metadata(data: bytes) -> None:
    back = Image.open(io.BytesIO(data))
    back.load()
    assert back.format == "JPEG"
    assert not back.getexif() and not back.getexif().get_ifd(0x8825)
    assert not {"exif", "xmp", "icc_profile", "comment"} & set(back.info)
    assert b"Exif" not in data and b"PhoneMaker" not in data


# -- the pipeline ------------------------------------------------------------------------------------------------
def test_a_photo_with_gps_comes_out_clean_thumbnailed_ready_and_its_raw_upload_is_gone(studio):
    store, s3, pipeline = studio
    pending_photo(store, "p1")
    uploaded = upload(s3, "p1", jpeg_with_gps())
    s3.put_object(Bucket=BUCKET, Key=uploaded.key, Body=jpeg_with_gps(320, 240))  # a second version, GPS too

    assert pipeline.process(uploaded) == "ready"

    item = store.get("p1")
    assert item["status"] == "ready" and item["version"] == 2
    assert "expiresAt" not in item  # a pending photo's time to live goes once it is ready
    assert item["photoKey"] == photos.photo_key(USER, "p1") == f"processed-images/{USER}/p1.jpg"
    assert item["thumbnailKeys"] == {"256": f"thumbnails/{USER}/p1/256.jpg", "1024": f"thumbnails/{USER}/p1/1024.jpg"}
    record = item["record"]
    assert record["hadGps"] and record["hadExif"] and record["orientationApplied"] == 6
    assert (record["width"], record["height"]) == (480, 640)
    # No output object keeps the GPS (or any metadata); the raw upload is gone, every version of it.
    outputs = [item["photoKey"], *item["thumbnailKeys"].values()]
    assert keys_in_bucket(s3) == sorted(outputs)
    for key in outputs:
        answer = s3.get_object(Bucket=BUCKET, Key=key)
        assert answer["ContentType"] == "image/jpeg"
        assert_no_metadata(answer["Body"].read())
    small = Image.open(io.BytesIO(s3.get_object(Bucket=BUCKET, Key=item["thumbnailKeys"]["256"])["Body"].read()))
    assert max(small.size) == 256 and small.size[1] > small.size[0]


def test_a_redelivered_message_does_nothing_twice(studio):
    store, s3, pipeline = studio
    pending_photo(store, "p1")
    uploaded = upload(s3, "p1", jpeg_with_gps())
    assert pipeline.process(uploaded) == "ready"
    ready = store.get("p1")
    objects = {key: s3.head_object(Bucket=BUCKET, Key=key)["ETag"] for key in keys_in_bucket(s3)}

    assert pipeline.process(uploaded) == "done-already"

    assert store.get("p1") == ready  # same version, same record
    assert {key: s3.head_object(Bucket=BUCKET, Key=key)["ETag"] for key in keys_in_bucket(s3)} == objects
    assert len(s3.list_object_versions(Bucket=BUCKET)["Versions"]) == len(objects)  # no second version written


def test_two_deliveries_racing_record_the_photo_once(studio, monkeypatch):
    """The second delivery read the photo pending too: its objects are the same, its conditional write loses."""
    store, s3, pipeline = studio
    pending_photo(store, "p1")
    data = jpeg_with_gps()
    uploaded = upload(s3, "p1", data)
    stale = store.get("p1")
    assert pipeline.process(uploaded) == "ready"
    s3.put_object(Bucket=BUCKET, Key=uploaded.key, Body=data)  # as if the second delivery still saw it
    settled = store.get("p1")
    read = store.get
    monkeypatch.setattr(store, "get", lambda photo_id: stale if photo_id == "p1" else read(photo_id))
    assert pipeline.process(UploadedObject(**{**uploaded.__dict__, "version_id": None})) == "done-already"
    monkeypatch.delattr(store, "get")  # the instance's stand-in goes; the store reads again
    assert store.get("p1") == settled
    assert not [k for k in keys_in_bucket(s3) if k.startswith("user-uploads/")]


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (a_pdf, "unsupported_image"),  # a PDF named photo.jpg, sent as image/jpeg
        (lambda: jpeg_with_gps()[:3000], "corrupt_image"),  # a truncated JPEG
        (png_bomb, "too_many_pixels"),  # a decompression bomb
        (lambda: b"", "empty_image"),
    ],
    ids=["pdf-named-jpeg", "truncated-jpeg", "png-bomb", "empty"],
)
def test_a_file_that_is_no_photo_is_rejected_with_its_reason_and_deleted(studio, make, code):
    store, s3, pipeline = studio
    pending_photo(store, "p1")
    data = make()
    key = upload_key(USER, "p1")
    answer = s3.put_object(Bucket=BUCKET, Key=key, Body=data, ContentType="image/jpeg")
    uploaded = UploadedObject(BUCKET, key, USER, "p1", answer["VersionId"], None, len(data))

    assert pipeline.process(uploaded) == "rejected"

    item = store.get("p1")
    assert item["status"] == "rejected" and item["rejection"]["code"] == code and item["rejection"]["message"]
    assert 0 <= clock.epoch_seconds() + photos.REJECTED_SECONDS - item["expiresAt"] <= 5  # kept a week to say why
    assert "photoKey" not in item and "thumbnailKeys" not in item
    assert keys_in_bucket(s3) == []
    assert pipeline.process(uploaded) == "done-already"
    assert store.get("p1") == item


def test_an_11_mb_upload_is_rejected_from_its_size_without_downloading_it(studio, monkeypatch):
    store, s3, pipeline = studio
    pending_photo(store, "p1")
    uploaded = upload(s3, "p1", b"\xff\xd8\xff" + b"\x00" * (11 * 1024 * 1024))

    def no_download(**kwargs):
        raise AssertionError("the object was downloaded")

    monkeypatch.setattr(s3, "get_object", no_download)
    assert pipeline.process(uploaded) == "rejected"
    assert store.get("p1")["rejection"]["code"] == "image_too_large"
    assert keys_in_bucket(s3) == []


def test_an_upload_of_no_photo_is_deleted_and_another_users_photo_untouched(studio):
    store, s3, pipeline = studio
    pending_photo(store, "p1", OTHER)
    # The key says USER, the photo is OTHER's: nothing of OTHER's is touched, the object goes.
    uploaded = upload(s3, "p1", jpeg_with_gps())
    unknown = upload(s3, "nope", jpeg_with_gps())

    assert pipeline.process(uploaded) == "orphan"
    assert pipeline.process(unknown) == "orphan"

    assert store.get("p1")["status"] == "pending" and store.get("p1")["version"] == 1
    assert keys_in_bucket(s3) == []


def test_a_second_upload_to_a_processed_photo_is_deleted_not_processed(studio):
    store, s3, pipeline = studio
    pending_photo(store, "p1")
    assert pipeline.process(upload(s3, "p1", jpeg_with_gps())) == "ready"
    ready = store.get("p1")

    assert pipeline.process(upload(s3, "p1", a_pdf())) == "done-already"

    assert store.get("p1") == ready
    assert not [k for k in keys_in_bucket(s3) if k.startswith("user-uploads/")]


def test_a_version_gone_before_processing_changes_nothing(studio):
    store, s3, pipeline = studio
    pending_photo(store, "p1")
    uploaded = upload(s3, "p1", jpeg_with_gps())
    s3.delete_object(Bucket=BUCKET, Key=uploaded.key, VersionId=uploaded.version_id)
    assert pipeline.process(uploaded) == "gone"
    assert store.get("p1")["status"] == "pending"


@pytest.mark.parametrize("deletion", ["done", "under way"])
def test_a_photo_deleted_while_processed_leaves_no_output_behind(studio, monkeypatch, deletion):
    store, s3, pipeline = studio
    pending_photo(store, "p1")
    uploaded = upload(s3, "p1", jpeg_with_gps())
    settle = store.settle

    def deleted_first(photo_id, version, changes):
        # A deletion marks the photo first and removes its item last: either moment may come first.
        store.mark_deleting([photo_id])
        if deletion == "done":
            store.delete([photo_id])
        return settle(photo_id, version, changes)

    monkeypatch.setattr(store, "settle", deleted_first)
    assert pipeline.process(uploaded) == "done-already"
    assert keys_in_bucket(s3) == []


def test_a_message_of_another_bucket_is_ignored(studio):
    store, s3, pipeline = studio
    pending_photo(store, "p1")
    uploaded = upload(s3, "p1", jpeg_with_gps())
    assert pipeline.process(UploadedObject(**{**uploaded.__dict__, "bucket": "someone-elses"})) == "foreign"
    assert store.get("p1")["status"] == "pending" and keys_in_bucket(s3) == [uploaded.key]


# -- the function --------------------------------------------------------------------------------------------------
@pytest.fixture
def processing_function(studio, monkeypatch):
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    spec = importlib.util.spec_from_file_location("fn_image_processing_app", ROOT / "functions" / "image_processing" / "app.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "fn_image_processing_app", module)
    spec.loader.exec_module(module)
    module.store = studio[0]
    return module


def fifo_record(sample_record: dict, uploaded: UploadedObject, message_id: str) -> dict:
    record = json.loads(json.dumps(sample_record))
    message = uploaded.message()
    record["messageId"] = message_id
    record["body"] = message["MessageBody"]
    record["attributes"]["MessageGroupId"] = message["MessageGroupId"]
    record["attributes"]["MessageDeduplicationId"] = message["MessageDeduplicationId"]
    return record


def test_the_function_processes_a_fifo_batch_and_fails_only_the_failing_users_messages(
    studio, processing_function, sample, lambda_context, monkeypatch
):
    store, s3, _ = studio
    template = sample("image_processing_fifo")["Records"][0]
    assert {"MessageGroupId", "SequenceNumber", "MessageDeduplicationId"} <= set(template["attributes"])
    for photo_id, user in (("a1", USER), ("a2", USER), ("b1", OTHER)):
        pending_photo(store, photo_id, user)
    first = upload(s3, "a1", jpeg_with_gps())
    second = upload(s3, "a2", jpeg_with_gps())
    others = upload(s3, "b1", a_pdf(), OTHER)
    records = [fifo_record(template, first, "m1"), fifo_record(template, second, "m2"), fifo_record(template, others, "m3")]
    settle = store.settle

    def flaky(photo_id, version, changes):
        if photo_id == "a1":
            raise RuntimeError("DynamoDB unreachable")
        return settle(photo_id, version, changes)

    monkeypatch.setattr(store, "settle", flaky)
    answer = processing_function.lambda_handler({"Records": records}, lambda_context)

    # a1 failed, so a2 (the same user's, after it) is not processed out of order; OTHER's went on.
    assert sorted(f["itemIdentifier"] for f in answer["batchItemFailures"]) == ["m1", "m2"]
    assert store.get("a1")["status"] == store.get("a2")["status"] == "pending"
    assert store.get("b1")["status"] == "rejected"

    monkeypatch.setattr(store, "settle", settle)
    again = processing_function.lambda_handler({"Records": records[:2]}, lambda_context)
    assert again["batchItemFailures"] == []
    assert store.get("a1")["status"] == store.get("a2")["status"] == "ready"


def test_the_sample_message_is_one_the_function_reads(studio, processing_function, sample, lambda_context):
    store, s3, _ = studio
    event = sample("image_processing_fifo")
    uploaded = UploadedObject.from_body(event["Records"][0]["body"])
    assert event["Records"][0]["attributes"]["MessageGroupId"] == uploaded.user_id
    assert event["Records"][0]["attributes"]["MessageDeduplicationId"] == uploaded.deduplication_id()
    # In its own bucket and with the photo asked for, the sample's message is processed.
    pending_photo(store, uploaded.photo_id, uploaded.user_id)
    real = upload(s3, uploaded.photo_id, jpeg_with_gps(), uploaded.user_id)
    event["Records"][0]["body"] = real.message()["MessageBody"]
    assert processing_function.lambda_handler(event, lambda_context) == {"batchItemFailures": []}
    assert store.get(uploaded.photo_id)["status"] == "ready"


def test_an_unreadable_message_is_dropped_not_retried(studio, processing_function, sample, lambda_context):
    event = sample("image_processing_fifo")
    event["Records"][0]["body"] = json.dumps({"key": "somewhere/else", "bucket": BUCKET})
    assert processing_function.lambda_handler(event, lambda_context) == {"batchItemFailures": []}
