"""The push of a finished try-on: payloads for APNs and FCM, one push per job and device however often the
message comes, devices whose endpoints are gone removed, a failed publish retried (moto SNS)."""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from template_tables import template_table

from zik.studio import device_store
from zik.studio import devices as devices_module
from zik.studio.device_store import DeviceStore
from zik.studio.devices import Devices
from zik.studio.push import (
    COMPLETED,
    FAILED,
    STALE_CLAIM_SECONDS,
    Notifier,
    PushFailed,
    message,
)

ROOT = Path(__file__).resolve().parents[2]
USER = "8f1c2a7e-4b3d-4c9a-9e61-2d5b7f0a1c34"  # the user of events/studio_notifications_batch.json
IOS_TOKEN = "3f1c9a7be2d4056f8a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d1e3f"
FCM_TOKEN = "dG9rZW4tZnJvbS1mY20:APA91bH-x_Kq3vX8mP2rT9sW4yZ1aB6cD0eF5gH7iJ2kL9mN3oP8qR4sT1uV6wX0yZ5aB3cD7eF2gH9iJ4kL"
DONE = {"jobId": "j0kq3x8m2v7c4n1p", "photoId": "p0kq3w1z9r5t2y6u", "resultPhotoId": "p0kq3x9a4b8c1d5e", "hairstyleId": "textured-crop"}


class Studio:
    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        boto3.client("dynamodb").create_table(TableName="test-sessions", **template_table("UserSessionsTable"))
        monkeypatch.setenv("SESSIONS_TABLE", "test-sessions")
        self.sns = boto3.client("sns")
        self.apps = {
            "ios": self.sns.create_platform_application(Name="zik-ios", Platform="APNS", Attributes={})["PlatformApplicationArn"],
            "android": self.sns.create_platform_application(Name="zik-android", Platform="GCM", Attributes={})["PlatformApplicationArn"],
        }
        monkeypatch.setenv("PUSH_PLATFORM_APPLICATION_ARN", ",".join(self.apps.values()))
        self.store = DeviceStore()
        self.devices = Devices(self.store)

    def register(self, platform: str, token: str, user: str = USER) -> dict[str, Any]:
        from zik.principal import Principal

        answer = self.devices.register(Principal(user_id=user, tenant_id="acme"), {"platform": platform, "token": token})
        return self.store.get(user, answer["deviceId"])

    def pushed(self, device: dict[str, Any]) -> list[dict[str, Any]]:
        """What SNS was asked to deliver to the device's endpoint, as moto keeps it."""
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.sns import sns_backends

        endpoint = sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].platform_endpoints.get(device["endpointArn"])
        return [json.loads(text) for text in endpoint.messages.values()] if endpoint else []


@pytest.fixture
def studio(aws, monkeypatch: pytest.MonkeyPatch) -> Studio:
    devices_module.sns_client.cache_clear()
    yield Studio(monkeypatch)
    devices_module.sns_client.cache_clear()


class FailingPublish:
    """The SNS client, but Publish answers ``code`` (throttled, SNS down) for the endpoints named."""

    def __init__(self, real: Any, code: str, endpoints: set[str]):
        self.real, self.code, self.endpoints = real, code, endpoints
        self.attempts = 0

    def publish(self, **kwargs: Any) -> Any:
        if kwargs["TargetArn"] in self.endpoints:
            self.attempts += 1
            raise ClientError({"Error": {"Code": self.code, "Message": "Rate exceeded"}}, "Publish")
        return self.real.publish(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


# -- payloads -------------------------------------------------------------------------------------------------
def test_a_finished_try_on_has_an_apns_and_an_fcm_payload_with_its_ids() -> None:
    sent = message(COMPLETED, DONE)
    assert set(sent) == {"default", "APNS", "APNS_SANDBOX", "GCM"}
    apns = json.loads(sent["APNS"])
    assert apns["aps"]["alert"] == {"title": "Your new look is ready", "body": "Your hairstyle try-on is done: tap to see it."}
    assert (apns["jobId"], apns["resultPhotoId"], apns["type"]) == (DONE["jobId"], DONE["resultPhotoId"], COMPLETED)
    assert sent["APNS_SANDBOX"] == sent["APNS"]
    fcm = json.loads(sent["GCM"])["fcmV1Message"]["message"]
    assert fcm["notification"]["title"] == "Your new look is ready"
    assert fcm["data"] == {"type": COMPLETED, "jobId": DONE["jobId"], "resultPhotoId": DONE["resultPhotoId"]}
    assert all(isinstance(value, str) for value in fcm["data"].values())  # FCM takes strings only
    assert sent["default"].startswith("Your new look is ready")


def test_a_failed_try_on_says_why_when_the_user_can_act_on_it() -> None:
    no_face = json.loads(message(FAILED, {"jobId": "j1", "code": "no_face", "message": "no face"})["APNS"])
    assert "face" in no_face["aps"]["alert"]["body"] and "resultPhotoId" not in no_face
    over = json.loads(message(FAILED, {"jobId": "j1", "error": {"code": "budget_exceeded"}})["GCM"])["fcmV1Message"]["message"]
    assert "today" in over["notification"]["body"] and over["data"] == {"type": FAILED, "jobId": "j1"}
    other = json.loads(message(FAILED, {"jobId": "j1", "code": "internal"})["APNS"])
    assert other["aps"]["alert"]["body"] == "We couldn't finish your hairstyle try-on: tap to see why."


# -- pushing ---------------------------------------------------------------------------------------------------
def test_each_device_gets_one_push_however_often_the_message_comes(studio: Studio) -> None:
    phone, tablet = studio.register("ios", IOS_TOKEN), studio.register("android", FCM_TOKEN)
    notifier = Notifier(studio.store)

    first = notifier.notify(USER, COMPLETED, DONE)
    again = notifier.notify(USER, COMPLETED, DONE)

    assert sorted(first.sent) == sorted([phone["deviceId"], tablet["deviceId"]])
    assert again.sent == [] and sorted(again.already) == sorted(first.sent)
    [to_phone], [to_tablet] = studio.pushed(phone), studio.pushed(tablet)
    assert json.loads(to_phone["APNS"])["resultPhotoId"] == DONE["resultPhotoId"]
    assert json.loads(to_tablet["GCM"])["fcmV1Message"]["message"]["data"]["jobId"] == DONE["jobId"]
    record = studio.store.push_record(USER, DONE["jobId"], phone["deviceId"])
    assert record["state"] == device_store.SENT and record["messageId"]
    from zik import clock

    # Kept (then expired by TTL) for as long as the message can live in the queue and its DLQ.
    assert -5 <= record["expiresAt"] - clock.epoch_seconds() - device_store.PUSH_RECORD_SECONDS <= 0
    assert device_store.PUSH_RECORD_SECONDS >= 14 * 86400


def test_another_job_is_pushed_again(studio: Studio) -> None:
    phone = studio.register("ios", IOS_TOKEN)
    notifier = Notifier(studio.store)
    notifier.notify(USER, COMPLETED, DONE)
    notifier.notify(USER, FAILED, {"jobId": "j0kq3y2b6n9m3k7h", "code": "no_face"})
    assert [json.loads(m["APNS"])["jobId"] for m in studio.pushed(phone)] == [DONE["jobId"], "j0kq3y2b6n9m3k7h"]


@pytest.mark.parametrize("gone", ["disabled", "deleted"])
def test_a_device_whose_endpoint_takes_no_pushes_is_removed(studio: Studio, gone: str) -> None:
    phone, tablet = studio.register("ios", IOS_TOKEN), studio.register("android", FCM_TOKEN)
    if gone == "disabled":
        studio.sns.set_endpoint_attributes(EndpointArn=phone["endpointArn"], Attributes={"Enabled": "false"})
    else:
        studio.sns.delete_endpoint(EndpointArn=phone["endpointArn"])

    outcome = Notifier(studio.store).notify(USER, COMPLETED, DONE)

    assert outcome.removed == [phone["deviceId"]] and outcome.sent == [tablet["deviceId"]]
    assert studio.store.get(USER, phone["deviceId"]) is None and studio.store.owner_of(phone["deviceId"]) is None
    assert studio.store.push_record(USER, DONE["jobId"], phone["deviceId"])["state"] == device_store.DEVICE_REMOVED
    with pytest.raises(ClientError):  # its endpoint went with it
        studio.sns.get_endpoint_attributes(EndpointArn=phone["endpointArn"])


def test_a_throttled_publish_fails_the_message_and_the_retry_pushes_only_what_is_left(studio: Studio) -> None:
    phone, tablet = studio.register("ios", IOS_TOKEN), studio.register("android", FCM_TOKEN)
    throttled = FailingPublish(devices_module.sns_client(), "Throttled", {phone["endpointArn"]})

    with pytest.raises(PushFailed):
        Notifier(studio.store, Devices(studio.store, sns=throttled)).notify(USER, COMPLETED, DONE)
    assert throttled.attempts == 1 and studio.pushed(phone) == [] and len(studio.pushed(tablet)) == 1
    assert studio.store.push_record(USER, DONE["jobId"], phone["deviceId"]) is None  # its claim was given up

    retried = Notifier(studio.store).notify(USER, COMPLETED, DONE)
    assert retried.sent == [phone["deviceId"]] and retried.already == [tablet["deviceId"]]
    assert len(studio.pushed(phone)) == 1 and len(studio.pushed(tablet)) == 1
    assert studio.store.get(USER, phone["deviceId"]) is not None  # a throttled device is kept


def test_a_push_sns_refuses_as_invalid_is_recorded_not_retried(studio: Studio) -> None:
    phone, tablet = studio.register("ios", IOS_TOKEN), studio.register("android", FCM_TOKEN)
    refusing = FailingPublish(devices_module.sns_client(), "InvalidParameter", {phone["endpointArn"]})

    outcome = Notifier(studio.store, Devices(studio.store, sns=refusing)).notify(USER, COMPLETED, DONE)

    assert outcome.refused == [phone["deviceId"]] and outcome.sent == [tablet["deviceId"]] and outcome.failed == []
    assert studio.store.push_record(USER, DONE["jobId"], phone["deviceId"])["state"] == device_store.REFUSED
    again = Notifier(studio.store).notify(USER, COMPLETED, DONE)  # a redelivery sends it no more
    assert sorted(again.already) == sorted([phone["deviceId"], tablet["deviceId"]]) and studio.pushed(phone) == []


def test_a_push_under_way_elsewhere_fails_this_delivery_until_its_claim_is_stale(studio: Studio, move_clock) -> None:
    phone = studio.register("ios", IOS_TOKEN)
    # Another delivery of the same message claimed the push, then its invocation died before publishing.
    assert studio.store.claim_push(USER, DONE["jobId"], phone["deviceId"], stale_after_seconds=STALE_CLAIM_SECONDS) is None

    with pytest.raises(PushFailed):
        Notifier(studio.store).notify(USER, COMPLETED, DONE)
    assert studio.pushed(phone) == []

    move_clock(seconds=STALE_CLAIM_SECONDS + 1)
    assert Notifier(studio.store).notify(USER, COMPLETED, DONE).sent == [phone["deviceId"]]
    assert len(studio.pushed(phone)) == 1


def test_a_device_without_an_endpoint_is_recorded_as_skipped_once(studio: Studio) -> None:
    from zik.principal import Principal

    bare = Devices(studio.store, apps={}).register(Principal(user_id=USER, tenant_id="acme"), {"platform": "android", "token": FCM_TOKEN})
    notifier = Notifier(studio.store)
    assert notifier.notify(USER, COMPLETED, DONE).skipped == [bare["deviceId"]]
    assert notifier.notify(USER, COMPLETED, DONE).already == [bare["deviceId"]]
    assert studio.store.push_record(USER, DONE["jobId"], bare["deviceId"])["state"] == device_store.SKIPPED


def test_a_user_without_devices_has_nothing_pushed_and_the_message_is_done(studio: Studio, log_records) -> None:
    studio.register("ios", IOS_TOKEN, user="someone-else")
    outcome = Notifier(studio.store).notify(USER, COMPLETED, DONE)
    assert (outcome.sent, outcome.skipped, outcome.failed) == ([], [], [])
    assert any(line.get("message") == "no device to push to" for line in log_records())


# -- the function ----------------------------------------------------------------------------------------------
@pytest.fixture
def function(studio: Studio, monkeypatch: pytest.MonkeyPatch) -> Any:
    spec = importlib.util.spec_from_file_location("fn_studio_notifications_app", ROOT / "functions" / "studio_notifications" / "app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "fn_studio_notifications_app", module)
    spec.loader.exec_module(module)
    return module


def test_the_function_pushes_the_sample_batch_and_reports_only_what_failed(function, studio: Studio, sample, lambda_context, monkeypatch) -> None:
    phone, tablet = studio.register("ios", IOS_TOKEN), studio.register("android", FCM_TOKEN)
    batch = sample("studio_notifications_batch")
    assert [json.loads(r["body"])["detail-type"] for r in batch["Records"]] == [COMPLETED, FAILED]

    assert function.lambda_handler(copy.deepcopy(batch), lambda_context) == {"batchItemFailures": []}
    assert [json.loads(m["APNS"])["type"] for m in studio.pushed(phone)] == [COMPLETED, FAILED]
    assert function.lambda_handler(copy.deepcopy(batch), lambda_context) == {"batchItemFailures": []}  # redelivered
    assert len(studio.pushed(phone)) == 2 and len(studio.pushed(tablet)) == 2

    # A new job's message fails while SNS throttles the tablet: only that message comes back.
    throttled = FailingPublish(devices_module.sns_client(), "Throttled", {tablet["endpointArn"]})
    monkeypatch.setattr(function.notifier.devices, "_sns", throttled)
    fresh = copy.deepcopy(batch)
    for number, record in enumerate(fresh["Records"]):
        body = json.loads(record["body"])
        body["detail"]["jobId"] = f"jnew{number}"
        record["body"] = json.dumps(body)
    fresh["Records"][1]["body"] = batch["Records"][1]["body"]  # the failed try-on's push was made already
    answer = function.lambda_handler(fresh, lambda_context)
    assert answer == {"batchItemFailures": [{"itemIdentifier": fresh["Records"][0]["messageId"]}]}
    assert len(studio.pushed(phone)) == 3 and len(studio.pushed(tablet)) == 2
