"""The studio's part of a user's export and erasure: photos with links, try-on jobs, sessions and devices
exported; every item, quota counter, SNS endpoint and S3 object version of the user erased a page at a
time, another user's left alone (moto)."""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
from template_tables import template_table

from zik import userdata
from zik.dynamo import ERASED, Table, to_item
from zik.principal import Principal
from zik.studio import devices as devices_module
from zik.studio.device_store import DeviceStore
from zik.studio.devices import Devices
from zik.studio.userdata_hooks import USER_JOBS_INDEX, StudioData

ROOT = Path(__file__).resolve().parents[2]
ADA = Principal(user_id="8f1c2a7e-4b3d-4c9a-9e61-2d5b7f0a1c34", tenant_id="acme")  # the sample batch's user
BOB = Principal(user_id="0d3b5f7a-9c1e-4a2b-8d4f-6e8a0c2e4f6a", tenant_id="acme")
BUCKET = "test-studio"
IOS_TOKEN = "3f1c9a7be2d4056f8a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d1e3f"
FCM_TOKEN = "dG9rZW4tZnJvbS1mY20:APA91bH-x_Kq3vX8mP2rT9sW4yZ1aB6cD0eF5gH7iJ2kL9mN3oP8qR4sT1uV6wX0yZ5aB3cD7eF2gH9iJ4kL"


def jobs_table_properties() -> dict[str, Any]:
    """ProcessingJobs as the template declares it, with the user index the erasure reads (asked of the
    template: pk userId, sk createdAt, projection ALL) where the template does not have it yet."""
    props = template_table("ProcessingJobsTable")
    if not any(index["IndexName"] == USER_JOBS_INDEX for index in props.get("GlobalSecondaryIndexes", [])):
        names = {d["AttributeName"] for d in props["AttributeDefinitions"]}
        props["AttributeDefinitions"] += [{"AttributeName": n, "AttributeType": "S"} for n in ("userId", "createdAt") if n not in names]
        props.setdefault("GlobalSecondaryIndexes", []).append(
            {
                "IndexName": USER_JOBS_INDEX,
                "KeySchema": [{"AttributeName": "userId", "KeyType": "HASH"}, {"AttributeName": "createdAt", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        )
    return props


class World:
    """Two users' studio data: photos (an upload and its try-on result), jobs (one succeeded, one failed)
    with their quota counters, a session, devices with endpoints, and every kind of S3 object in versions."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        db = boto3.client("dynamodb")
        db.create_table(TableName="test-photos", **template_table("PhotosTable"))
        db.create_table(TableName="test-jobs", **jobs_table_properties())
        db.create_table(TableName="test-sessions", **template_table("UserSessionsTable"))
        for name, value in (
            ("PHOTOS_TABLE", "test-photos"),
            ("JOBS_TABLE", "test-jobs"),
            ("SESSIONS_TABLE", "test-sessions"),
            ("STUDIO_BUCKET", BUCKET),
        ):
            monkeypatch.setenv(name, value)
        self.db = db
        self.s3 = boto3.client("s3")
        self.s3.create_bucket(Bucket=BUCKET)
        self.s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        self.sns = boto3.client("sns")
        app = self.sns.create_platform_application(Name="zik-ios", Platform="APNS", Attributes={})["PlatformApplicationArn"]
        android = self.sns.create_platform_application(Name="zik-android", Platform="GCM", Attributes={})["PlatformApplicationArn"]
        self.apps = {"ios": app, "android": android}
        self.store = DeviceStore()
        self.devices = Devices(self.store, apps=self.apps)
        self.data = StudioData(sign=lambda key: f"https://cdn.example/{key}?signed")
        self.device_ids: dict[str, list[str]] = {}
        self.add(ADA, "a", IOS_TOKEN)
        self.add(BOB, "b", FCM_TOKEN, platform="android")

    def add(self, owner: Principal, tag: str, token: str, platform: str = "ios") -> None:
        user = owner.user_id
        upload, result = f"p{tag}upload", f"p{tag}result"
        ok, bad = f"j{tag}ok", f"j{tag}bad"
        day = "2026-11-23"
        keys = {
            upload: (f"processed-images/{user}/{upload}.jpg", {s: f"thumbnails/{user}/{upload}/{s}.jpg" for s in ("256", "1024")}),
            result: (f"processed-images/{user}/{result}.jpg", {s: f"thumbnails/{user}/{result}/{s}.jpg" for s in ("256", "1024")}),
        }
        photos = [
            {"photoId": upload, "userId": user, "kind": "upload", "status": "ready", "createdAt": f"{day}T09:00:00.000Z"},
            {
                "photoId": result,
                "userId": user,
                "kind": "tryon",
                "status": "ready",
                "createdAt": f"{day}T09:01:00.000Z",
                "sourcePhotoId": upload,
                "jobId": ok,
                "hairstyleId": "textured-crop",
            },
            {
                "photoId": f"p{tag}rejected",
                "userId": user,
                "kind": "upload",
                "status": "rejected",
                "createdAt": f"{day}T09:02:00.000Z",
                "rejection": {"code": "no_face", "message": "no face"},
            },
        ]
        for photo in photos:
            photo["userTime"] = f"{photo['createdAt']}#{photo['photoId']}"
            if photo["photoId"] in keys:
                photo["photoKey"], photo["thumbnailKeys"] = keys[photo["photoId"]]
            self.db.put_item(TableName="test-photos", Item=to_item(photo))
        for job_id, status in ((ok, "succeeded"), (bad, "failed")):
            self.db.put_item(
                TableName="test-jobs",
                Item=to_item(
                    {
                        "jobId": job_id,
                        "userId": user,
                        "tenantId": owner.tenant_id,
                        "photoId": upload,
                        "status": status,
                        "day": day,
                        "createdAt": f"{day}T09:00:30.000Z" if status == "succeeded" else f"{day}T09:03:00.000Z",
                        "statusTime": f"{day}T09:04:00.000Z#{job_id}",
                        "countedAt": f"{day}T09:00:31.000Z",
                    }
                ),
            )
        self.db.put_item(
            TableName="test-jobs", Item=to_item({"jobId": f"QUOTA#{user}#{day}", "userId": user, "day": day, "used": 2, "expiresAt": 2_000_000_000})
        )
        self.db.put_item(
            TableName="test-sessions",
            Item=to_item(
                {
                    "userId": user,
                    "itemKey": f"SESSION#{upload}",
                    "photoId": upload,
                    "tries": [{"jobId": ok, "hairstyleId": "textured-crop"}],
                    "expiresAt": 2_000_000_000,
                }
            ),
        )
        self.device_ids[user] = [self.devices.register(owner, {"platform": platform, "token": token})["deviceId"]]
        for key in [f"user-uploads/{user}/{upload}", *[k for photo_key, thumbs in keys.values() for k in (photo_key, *thumbs.values())]]:
            for version in range(2):
                self.s3.put_object(Bucket=BUCKET, Key=key, Body=f"{key} v{version}".encode())
        self.s3.delete_object(Bucket=BUCKET, Key=f"user-uploads/{user}/{upload}")  # a delete marker too

    def objects(self, user: str) -> list[str]:
        found = []
        for prefix in ("user-uploads", "processed-images", "thumbnails"):
            answer = self.s3.list_object_versions(Bucket=BUCKET, Prefix=f"{prefix}/{user}/")
            found += [v["Key"] for v in answer.get("Versions", []) + answer.get("DeleteMarkers", [])]
        return found

    def items(self, table: str, user: str) -> list[dict[str, Any]]:
        from zik.dynamo import from_item

        return [
            from_item(item)
            for item in self.db.scan(TableName=table)["Items"]
            if from_item(item).get("userId") == user or user in str(from_item(item).get("jobId", ""))
        ]

    def endpoints(self) -> list[str]:
        return [
            e["EndpointArn"]
            for app in self.apps.values()
            for e in self.sns.list_endpoints_by_platform_application(PlatformApplicationArn=app)["Endpoints"]
        ]


@pytest.fixture
def world(aws, monkeypatch: pytest.MonkeyPatch) -> World:
    devices_module.sns_client.cache_clear()
    yield World(monkeypatch)
    devices_module.sns_client.cache_clear()


def test_the_export_holds_photos_with_links_jobs_sessions_and_devices(world: World) -> None:
    document = world.data.export(ADA)

    assert [p["photoId"] for p in document["photos"]] == ["parejected", "paresult", "paupload"]  # newest first
    rejected, result, upload = document["photos"]
    assert "links" not in rejected and rejected["rejection"]["code"] == "no_face"
    assert upload["links"]["photo"].endswith(f"processed-images/{ADA.user_id}/paupload.jpg?signed")
    assert result["links"] == {
        "photo": f"https://cdn.example/processed-images/{ADA.user_id}/paresult.jpg?signed",
        "thumbnails": {size: f"https://cdn.example/thumbnails/{ADA.user_id}/paresult/{size}.jpg?signed" for size in ("1024", "256")},
    }
    assert result["jobId"] == "jaok" and "userTime" not in result
    assert sorted(j["jobId"] for j in document["tryons"]) == ["jabad", "jaok"]  # the quota counter is not a try-on
    assert all("statusTime" not in j and "tenantId" not in j for j in document["tryons"])
    assert [s["photoId"] for s in document["sessions"]] == ["paupload"]
    [device] = document["devices"]
    assert device["deviceId"] == world.device_ids[ADA.user_id][0] and device["token"] == IOS_TOKEN and "endpointArn" not in device
    assert "pb" not in json.dumps(document)  # nothing of Bob's
    assert world.data.size(ADA) == 3 + 2 + 2  # photos, jobs (the counter has no createdAt), a session and a device


def test_the_erasure_removes_everything_of_the_user_a_page_at_a_time_and_nothing_else(world: World) -> None:
    bob_before = (world.items("test-photos", BOB.user_id), world.items("test-jobs", BOB.user_id), world.objects(BOB.user_id))
    [ada_endpoint] = [e for e in world.endpoints() if world.store.get(ADA.user_id, world.device_ids[ADA.user_id][0])["endpointArn"] == e]

    pages, total, done = 0, 0, False
    while not done:
        removed, done = world.data.erase_page(ADA, 2)
        pages, total = pages + 1, total + removed
    assert pages > 3  # a page at a time: 2 items a call

    assert world.items("test-photos", ADA.user_id) == []
    assert world.items("test-jobs", ADA.user_id) == []  # jobs and the day's quota counter
    assert [i["itemKey"] for i in world.items("test-sessions", ADA.user_id)] == [ERASED]  # the tombstone only
    assert world.store.owner_of(world.device_ids[ADA.user_id][0]) is None
    assert ada_endpoint not in world.endpoints()
    assert world.objects(ADA.user_id) == []
    # 3 photos, 2 jobs (their counter goes with them, uncounted), 1 device, 1 session; S3: the raw upload's 2
    # versions and delete marker, 2 cleaned photos and 4 thumbnails in 2 versions each
    assert total == 3 + 2 + 1 + 1 + (2 + 1) + 2 * 2 + 4 * 2
    assert (world.items("test-photos", BOB.user_id), world.items("test-jobs", BOB.user_id), world.objects(BOB.user_id)) == bob_before
    assert len(world.store.list(BOB.user_id)) == 1 and len(world.endpoints()) == 1

    assert world.data.erase_page(ADA, 2) == (0, True)  # again: nothing more
    assert world.data.export(ADA) == {"photos": [], "tryons": [], "sessions": [], "devices": []}


def test_a_token_now_held_by_another_user_keeps_its_endpoint_when_the_first_is_erased(world: World) -> None:
    carol = Principal(user_id="c4a1e9b2-7d3f-4e8a-9b1c-2d3e4f5a6b7c", tenant_id="acme")
    ada_device = world.store.get(ADA.user_id, world.device_ids[ADA.user_id][0])
    world.devices.register(carol, {"platform": "ios", "token": IOS_TOKEN})  # the phone is Carol's now
    # Ada's item as it was, had her erasure read it just before Carol's registration removed it.
    world.store.put(ADA.user_id, ada_device["deviceId"], {k: ada_device[k] for k in ("platform", "token", "endpointArn")})

    userdata.register("studio", export=world.data.export, erase_page=world.data.erase_page)
    userdata.erase_all(ADA, page=10)

    assert ada_device["endpointArn"] in world.endpoints()
    assert world.store.owner_of(ada_device["deviceId"]) == carol.user_id and len(world.store.list(carol.user_id)) == 1


def test_the_account_function_erases_the_user_of_the_sample_batch(world: World, users_table: Table, sample, lambda_context, monkeypatch) -> None:
    sqs = boto3.client("sqs")
    queue = sqs.create_queue(QueueName="studio-account")["QueueUrl"]
    monkeypatch.setenv("USERS_TABLE", users_table.name)
    monkeypatch.setenv("ACCOUNT_QUEUE_URL", queue)
    spec = importlib.util.spec_from_file_location("fn_studio_account_app", ROOT / "functions" / "studio_account" / "app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "fn_studio_account_app", module)
    spec.loader.exec_module(module)
    assert [hook.domain for hook in userdata.hooks()] == ["studio"]

    batch = sample("studio_account_batch")
    assert "studio" in json.loads(batch["Records"][0]["body"])["detail"]["domains"]
    invocations = 0
    while batch["Records"]:
        # The fake context leaves 5 s: less than the erasure's margin, so each invocation erases one page
        # and sends the rest on in a message to its own queue.
        assert module.lambda_handler(copy.deepcopy(batch), lambda_context) == {"batchItemFailures": []}
        invocations += 1
        assert invocations < 20
        sent = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
        batch = {"Records": [{**sample("studio_account_batch")["Records"][0], "messageId": m["MessageId"], "body": m["Body"]} for m in sent]}
        for m in sent:
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=m["ReceiptHandle"])
    assert invocations > 1
    assert world.items("test-photos", ADA.user_id) == [] and world.objects(ADA.user_id) == []
    assert world.store.list(ADA.user_id) == [] and world.items("test-jobs", ADA.user_id) == []
    redelivered = sample("studio_account_batch")
    assert module.lambda_handler(redelivered, lambda_context) == {"batchItemFailures": []}  # nothing more to do
    assert sqs.receive_message(QueueUrl=queue).get("Messages", []) == []
    assert len(world.items("test-photos", BOB.user_id)) == 3
