"""Push devices: registration as SNS platform endpoints (moto), the same token as one device, a token that
moves to another user, endpoints disabled or deleted behind our back, bad tokens, and the API handler."""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from template_tables import template_table

from zik import schemas
from zik.errors import InvalidRequest, NotFound
from zik.principal import Principal
from zik.studio import devices as devices_module
from zik.studio.device_store import DeviceStore, device_id_of
from zik.studio.devices import Devices, applications, check_token

ROOT = Path(__file__).resolve().parents[2]
ADA = Principal(user_id="8f1c2a7e-4b3d-4c9a-9e61-2d5b7f0a1c34", tenant_id="acme")
BOB = Principal(user_id="0d3b5f7a-9c1e-4a2b-8d4f-6e8a0c2e4f6a", tenant_id="acme")
IOS_TOKEN = "3f1c9a7be2d4056f8a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d1e3f"
FCM_TOKEN = "dG9rZW4tZnJvbS1mY20:APA91bH-x_Kq3vX8mP2rT9sW4yZ1aB6cD0eF5gH7iJ2kL9mN3oP8qR4sT1uV6wX0yZ5aB3cD7eF2gH9iJ4kL"


@pytest.fixture
def sns(aws) -> Any:
    devices_module.sns_client.cache_clear()
    yield boto3.client("sns")
    devices_module.sns_client.cache_clear()


@pytest.fixture
def apps(sns) -> dict[str, str]:
    ios = sns.create_platform_application(Name="zik-ios", Platform="APNS", Attributes={})["PlatformApplicationArn"]
    android = sns.create_platform_application(Name="zik-android", Platform="GCM", Attributes={})["PlatformApplicationArn"]
    return {"ios": ios, "android": android}


@pytest.fixture
def store(aws, monkeypatch: pytest.MonkeyPatch) -> DeviceStore:
    client = boto3.client("dynamodb")
    client.create_table(TableName="test-sessions", **template_table("UserSessionsTable"))
    monkeypatch.setenv("SESSIONS_TABLE", "test-sessions")
    return DeviceStore()


@pytest.fixture
def devices(store, apps, sns) -> Devices:
    return Devices(store, apps=apps)


def endpoints(sns: Any, application: str) -> list[dict[str, Any]]:
    return sns.list_endpoints_by_platform_application(PlatformApplicationArn=application)["Endpoints"]


# -- registration -------------------------------------------------------------------------------------------
def test_a_token_becomes_an_enabled_endpoint_and_a_device(devices, store, sns, apps) -> None:
    answer = devices.register(ADA, {"platform": "ios", "token": IOS_TOKEN, "appVersion": "1.4.2"})

    assert answer == {"deviceId": device_id_of(IOS_TOKEN), "platform": "ios", "endpoint": True}
    [endpoint] = endpoints(sns, apps["ios"])
    assert endpoint["Attributes"]["Token"] == IOS_TOKEN and endpoint["Attributes"]["Enabled"] == "true"
    device = store.get(ADA.user_id, answer["deviceId"])
    assert device is not None
    assert {k: device[k] for k in ("platform", "token", "appVersion", "endpointArn")} == {
        "platform": "ios",
        "token": IOS_TOKEN,
        "appVersion": "1.4.2",
        "endpointArn": endpoint["EndpointArn"],
    }
    assert store.owner_of(answer["deviceId"]) == ADA.user_id
    assert endpoints(sns, apps["android"]) == []


def test_the_same_token_twice_is_one_device_and_one_endpoint(devices, store, sns, apps) -> None:
    first = devices.register(ADA, {"platform": "android", "token": FCM_TOKEN, "appVersion": "1.0"})
    created = store.get(ADA.user_id, first["deviceId"])
    again = devices.register(ADA, {"platform": "android", "token": FCM_TOKEN, "appVersion": "1.1"})

    assert again == first
    assert len(endpoints(sns, apps["android"])) == 1
    assert [d["deviceId"] for d in store.list(ADA.user_id)] == [first["deviceId"]]
    device = store.get(ADA.user_id, first["deviceId"])
    assert device["appVersion"] == "1.1" and device["createdAt"] == created["createdAt"]


def test_an_endpoint_disabled_by_the_push_service_is_enabled_again(devices, store, sns) -> None:
    first = devices.register(ADA, {"platform": "ios", "token": IOS_TOKEN})
    arn = store.get(ADA.user_id, first["deviceId"])["endpointArn"]
    sns.set_endpoint_attributes(EndpointArn=arn, Attributes={"Enabled": "false"})

    devices.register(ADA, {"platform": "ios", "token": IOS_TOKEN})

    assert sns.get_endpoint_attributes(EndpointArn=arn)["Attributes"]["Enabled"] == "true"
    assert store.get(ADA.user_id, first["deviceId"])["endpointArn"] == arn


def test_an_endpoint_deleted_behind_our_back_is_made_again(devices, store, sns, apps) -> None:
    first = devices.register(ADA, {"platform": "ios", "token": IOS_TOKEN})
    gone = store.get(ADA.user_id, first["deviceId"])["endpointArn"]
    sns.delete_endpoint(EndpointArn=gone)

    devices.register(ADA, {"platform": "ios", "token": IOS_TOKEN})

    [endpoint] = endpoints(sns, apps["ios"])
    assert endpoint["EndpointArn"] != gone
    assert store.get(ADA.user_id, first["deviceId"])["endpointArn"] == endpoint["EndpointArn"]


def test_an_endpoint_that_exists_with_other_attributes_is_taken_over_as_sns_advises(devices, store, sns, apps) -> None:
    # Made by someone else (an earlier install, another backend) with other user data: SNS refuses to
    # create it again ("already exists with the same Token, but different attributes").
    existing = sns.create_platform_endpoint(PlatformApplicationArn=apps["ios"], Token=IOS_TOKEN, CustomUserData="someone-else")["EndpointArn"]
    sns.set_endpoint_attributes(EndpointArn=existing, Attributes={"Enabled": "false"})

    answer = devices.register(ADA, {"platform": "ios", "token": IOS_TOKEN})

    assert answer["endpoint"] is True
    assert store.get(ADA.user_id, answer["deviceId"])["endpointArn"] == existing
    attributes = sns.get_endpoint_attributes(EndpointArn=existing)["Attributes"]
    assert attributes["Enabled"] == "true" and attributes["CustomUserData"] == ADA.user_id
    assert len(endpoints(sns, apps["ios"])) == 1


def test_a_token_registered_by_another_user_leaves_the_first_one(devices, store, sns, apps) -> None:
    first = devices.register(ADA, {"platform": "ios", "token": IOS_TOKEN})
    second = devices.register(BOB, {"platform": "ios", "token": IOS_TOKEN})

    assert second["deviceId"] == first["deviceId"]
    assert store.list(ADA.user_id) == []  # Ada's try-ons no longer reach the phone Bob holds now
    assert [d["deviceId"] for d in store.list(BOB.user_id)] == [first["deviceId"]]
    assert store.owner_of(first["deviceId"]) == BOB.user_id
    [endpoint] = endpoints(sns, apps["ios"])
    assert sns.get_endpoint_attributes(EndpointArn=endpoint["EndpointArn"])["Attributes"]["CustomUserData"] == BOB.user_id
    with pytest.raises(NotFound):
        devices.delete(ADA, first["deviceId"])


def test_without_a_platform_application_the_device_is_stored_without_an_endpoint(store, sns) -> None:
    devices = Devices(store, apps={})
    answer = devices.register(ADA, {"platform": "android", "token": FCM_TOKEN})
    assert answer["endpoint"] is False
    device = store.get(ADA.user_id, answer["deviceId"])
    assert device["token"] == FCM_TOKEN and "endpointArn" not in device
    assert sns.list_platform_applications()["PlatformApplications"] == []


# -- removal -------------------------------------------------------------------------------------------------
def test_delete_removes_the_endpoint_the_owner_item_and_the_device(devices, store, sns, apps) -> None:
    answer = devices.register(ADA, {"platform": "ios", "token": IOS_TOKEN})
    devices.delete(ADA, answer["deviceId"])

    assert endpoints(sns, apps["ios"]) == []
    assert store.get(ADA.user_id, answer["deviceId"]) is None and store.owner_of(answer["deviceId"]) is None
    with pytest.raises(NotFound) as again:
        devices.delete(ADA, answer["deviceId"])
    assert again.value.field == "deviceId"


def test_another_users_device_is_not_found_and_stays(devices, store, sns, apps) -> None:
    answer = devices.register(ADA, {"platform": "ios", "token": IOS_TOKEN})
    with pytest.raises(NotFound):
        devices.delete(BOB, answer["deviceId"])
    assert store.get(ADA.user_id, answer["deviceId"]) is not None
    assert len(endpoints(sns, apps["ios"])) == 1


# -- configuration and input ---------------------------------------------------------------------------------
def test_the_applications_are_told_by_their_arns() -> None:
    ios = "arn:aws:sns:us-east-1:123456789012:app/APNS_SANDBOX/zik-ios"
    android = "arn:aws:sns:us-east-1:123456789012:app/GCM/zik-android"
    assert applications(f"{ios}, {android}") == {"ios": ios, "android": android}
    assert applications("") == {}
    from zik.config import ConfigError

    with pytest.raises(ConfigError, match="APNS, APNS_SANDBOX or GCM"):
        applications("arn:aws:sns:us-east-1:123456789012:app/ADM/kindle")
    with pytest.raises(ConfigError, match="two applications for ios"):
        applications(f"{ios},arn:aws:sns:us-east-1:123456789012:app/APNS/zik-ios")


def _refusal(platform: Any, token: Any) -> str | None:
    """The field a registration body is refused for, or None when it is accepted."""
    try:
        data = schemas.validate("requests", "device_register", {"platform": platform, "token": token})
        check_token(data["platform"], data["token"])
    except schemas.SchemaViolation as exc:
        return exc.field
    except InvalidRequest as exc:
        return exc.field
    return None


@pytest.mark.parametrize(
    ("platform", "token", "field"),
    [
        ("ios", IOS_TOKEN, None),
        ("ios", IOS_TOKEN.upper(), None),
        ("ios", IOS_TOKEN[:-1], "token"),
        ("ios", IOS_TOKEN + "a", "token"),
        ("ios", "g" * 64, "token"),
        ("ios", FCM_TOKEN, "token"),
        ("android", FCM_TOKEN, None),
        ("android", "a" * 4096, None),
        ("android", "a" * 4097, "token"),
        ("android", "abc/def", "token"),
        ("android", "", "token"),
        ("android", 42, "token"),
        ("windows", FCM_TOKEN, "platform"),
    ],
)
def test_tokens_are_checked_against_their_platform(platform: Any, token: Any, field: str | None) -> None:
    assert _refusal(platform, token) == field


HEX = set("0123456789abcdefABCDEF")
FCM_ALPHABET = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_:-")


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    platform=st.sampled_from(["ios", "android"]),
    token=st.text(max_size=80)
    | st.binary(min_size=31, max_size=33).map(bytes.hex)
    | st.binary(min_size=32, max_size=32).map(bytes.hex).map(lambda t: t + "\n")
    | st.text(alphabet="".join(sorted(FCM_ALPHABET)) + "\n/+= é", max_size=60),
)
def test_any_token_is_accepted_only_in_its_platforms_shape(platform: str, token: str) -> None:
    if platform == "ios":
        acceptable = len(token) == 64 and set(token) <= HEX
    else:
        acceptable = 1 <= len(token) <= 4096 and set(token) <= FCM_ALPHABET
    assert _refusal(platform, token) == (None if acceptable else "token")


# -- the API -------------------------------------------------------------------------------------------------
@pytest.fixture
def handler(users_table, devices, apps, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("USERS_TABLE", users_table.name)
    monkeypatch.setenv("PUSH_PLATFORM_APPLICATION_ARN", f"{apps['ios']},{apps['android']}")
    spec = importlib.util.spec_from_file_location("fn_studio_devices_app", ROOT / "functions" / "studio_devices" / "app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "fn_studio_devices_app", module)
    spec.loader.exec_module(module)
    return module


def test_the_api_registers_and_deletes_from_the_sample_events(handler, sample, shape, lambda_context, store) -> None:
    registered = handler.lambda_handler(sample("studio_devices_register"), lambda_context)
    assert registered["statusCode"] == 201
    body = json.loads(registered["body"])
    assert body == {"deviceId": device_id_of(IOS_TOKEN), "platform": "ios", "endpoint": True}

    delete = sample("studio_devices_delete")
    assert delete["pathParameters"]["deviceId"] == body["deviceId"]  # the samples agree with each other
    assert handler.lambda_handler(copy.deepcopy(delete), lambda_context)["statusCode"] == 204
    assert store.list(ADA.user_id) == []
    missing = handler.lambda_handler(delete, lambda_context)
    assert missing["statusCode"] == 404 and json.loads(missing["body"])["error"]["field"] == "deviceId"


def test_the_api_names_the_bad_field(handler, sample, shape, lambda_context) -> None:
    for payload, field in (
        ({"platform": "ios", "token": "not-hex"}, "token"),
        ({"platform": "blackberry", "token": IOS_TOKEN}, "platform"),
        ({"token": IOS_TOKEN}, "platform"),
        ({"platform": "ios", "token": IOS_TOKEN, "appVersion": "1.0 beta"}, "appVersion"),
        ({"platform": "ios", "token": IOS_TOKEN, "userId": "someone"}, "userId"),
    ):
        answer = handler.lambda_handler(shape(sample("studio_devices_register"), body=payload), lambda_context)
        assert answer["statusCode"] == 400, payload
        assert json.loads(answer["body"])["error"]["field"] == field, payload
