"""MeFunction's real handler on the sample events, against the stack template.yaml declares (in moto).

Each test provisions the stack afresh, loads functions/me/app.py with the environment the template gives
it, and watches the platform bus through an SQS queue behind a rule, as a consumer would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")

SUB = "8f1c2a7e-4b3d-4c9a-9e61-2d5b7f0a1c34"  # the user of the sample events
PARTITION = f"TENANT#acme#USER#{SUB}"
EMPTY_QUESTS = {"goals": [], "tasks": [], "recurrences": [], "chat": []}  # every domain answers, even with nothing
EMPTY_JOURNAL = {"settings": None, "categories": [], "entries": []}


def empty_export(data: dict) -> bool:
    """Every domain's part of an export of a user who has nothing (points answer zero stats)."""
    stats = data["points"]["stats"]
    return (
        data["quests"] == EMPTY_QUESTS
        and data["journal"] == EMPTY_JOURNAL
        and data["points"]["transactions"] == data["points"]["achievements"] == []
        and stats["points"] == stats["entries"] == stats["currentStreak"] == 0
    )


@dataclass
class Me:
    env: dict[str, str]
    invoke: Callable[..., Any]
    sink: Any

    def __call__(self, event: dict[str, Any]):
        return self.invoke("MeFunction", event)

    def items(self) -> list[dict[str, Any]]:
        """Every item of UsersTable, raw."""
        return boto3.client("dynamodb").scan(TableName=self.env["USERS_TABLE"], ConsistentRead=True)["Items"]

    def profile_item(self, partition: str = PARTITION) -> dict[str, Any] | None:
        answer = boto3.client("dynamodb").get_item(
            TableName=self.env["USERS_TABLE"],
            Key={"pk": {"S": partition}, "sk": {"S": "PROFILE"}},
            ConsistentRead=True,
        )
        return answer.get("Item")

    def events(self, detail_type: str) -> list[dict[str, Any]]:
        return self.sink.of_type(detail_type)


@pytest.fixture
def me(deployment, invoke, event_sink) -> Me:
    env = deployment.functions["MeFunction"].environment
    return Me(env, invoke, event_sink(env["EVENT_BUS_NAME"], {"source": ["zik.platform"]}))


# -- GET /me ------------------------------------------------------------------------------------------------
def test_get_me_before_any_save_gives_defaults_at_version_0(me, sample):
    reply = me(sample("me_get"))
    assert reply.status == 200
    started = reply.body.pop("onboarding")
    created = reply.body.pop("createdAt")
    assert started["startedAt"] == created and started["next"] == "timezone" and not started["complete"]
    assert reply.body == {
        "userId": SUB,
        "tenantId": "acme",
        "email": "ada@example.com",
        "displayName": "Ada Lovelace",
        "timezone": "UTC",
        "locale": "en",
        "preferences": {
            "theme": "system",
            "weekStartsOn": "monday",
            "units": "metric",
            "notifications": {"email": True, "push": True, "dailyDigest": False},
        },
        "interests": [],
        "version": 0,
    }
    # The first read starts the onboarding (onboarding.startedAt on an item with no version): not a save.
    [item] = me.items()
    assert "version" not in item and set(item) == {"pk", "sk", "onboarding", "createdAt"}
    assert me.sink.received() == []


# -- PUT /me ------------------------------------------------------------------------------------------------
def test_put_me_saves_version_1_and_publishes_user_profile_updated(me, sample):
    reply = me(sample("me_put"))
    assert reply.status == 200
    saved = reply.body
    assert saved["version"] == 1
    assert saved["displayName"] == "Ada L."
    assert saved["timezone"] == "Europe/London"
    assert saved["preferences"] == {
        "theme": "dark",
        "weekStartsOn": "monday",
        "units": "metric",
        "notifications": {"email": True, "push": True, "dailyDigest": True},
    }
    assert "pk" not in saved and "sk" not in saved

    item = me.profile_item()
    assert item is not None
    assert item["version"] == {"N": "1"}
    assert item["displayName"] == {"S": "Ada L."}
    assert item["timezone"] == {"S": "Europe/London"}
    assert item["preferences"]["M"]["theme"] == {"S": "dark"}
    assert item["userId"] == {"S": SUB} and item["tenantId"] == {"S": "acme"}
    assert len(me.items()) == 1

    published = me.events("UserProfileUpdated")
    assert len(published) == 1
    envelope = published[0]
    assert envelope["source"] == "zik.platform"
    detail = envelope["detail"]
    assert detail["userId"] == SUB and detail["tenantId"] == "acme"
    assert detail["version"] == 1
    assert detail["changed"] == ["displayName", "preferences", "timezone"]
    assert detail["timezone"] == "Europe/London"
    assert detail["eventId"] and detail["occurredAt"].endswith("Z")

    assert me(sample("me_get")).body == saved


def test_a_second_put_merges_preferences_and_bumps_the_version(me, api_event):
    me(api_event("PUT", "/me"))
    reply = me(api_event("PUT", "/me", body={"version": 1, "preferences": {"units": "imperial"}, "locale": "en-GB"}))
    assert reply.status == 200
    assert reply.body["version"] == 2
    assert reply.body["locale"] == "en-GB"
    assert reply.body["displayName"] == "Ada L."  # kept from the first save
    assert reply.body["preferences"]["theme"] == "dark"  # kept
    assert reply.body["preferences"]["units"] == "imperial"  # changed
    assert reply.body["preferences"]["notifications"]["dailyDigest"] is True  # kept
    assert me.profile_item()["version"] == {"N": "2"}
    versions = [e["detail"]["version"] for e in me.events("UserProfileUpdated")]
    assert versions == [1, 2]
    assert me.events("UserProfileUpdated")[-1]["detail"]["changed"] == ["locale", "preferences"]


def test_put_with_a_stale_version_is_a_409_and_changes_nothing(me, api_event):
    me(api_event("PUT", "/me"))
    me(api_event("PUT", "/me", body={"version": 1, "displayName": "second"}))
    before = me.profile_item()
    assert len(me.events("UserProfileUpdated")) == 2

    reply = me(api_event("PUT", "/me", body={"version": 1, "displayName": "stale writer"}))
    assert reply.status == 409
    assert reply.body["error"]["code"] == "version_conflict"
    assert reply.body["error"]["field"] == "version"
    assert reply.body["error"]["details"] == {"currentVersion": 2}
    assert me.profile_item() == before
    assert len(me.events("UserProfileUpdated")) == 2  # nothing published for the refused write


def test_put_with_version_0_once_a_profile_exists_is_a_409(me, api_event):
    assert me(api_event("PUT", "/me", body={"version": 0, "locale": "fr"})).status == 200
    reply = me(api_event("PUT", "/me", body={"version": 0, "locale": "de"}))
    assert reply.status == 409
    assert reply.body["error"]["details"] == {"currentVersion": 1}
    assert me.profile_item()["locale"] == {"S": "fr"}


BAD_BODIES = [
    # (what is wrong, body, status, field, words of the message)
    ("invalid JSON", '{"displayName": "Ada",', 400, None, "request body is not valid JSON"),
    ("wrong type", {"displayName": 42}, 400, "displayName", "displayName must be string"),
    ("nested enum", {"preferences": {"theme": 1}}, 400, "preferences.theme", "preferences.theme must be one of"),
    ("nested type", {"preferences": {"notifications": {"push": "no"}}}, 400, "preferences.notifications.push", "must be boolean"),
    ("unknown field", {"displayName": "Ada", "role": "admin"}, 400, "role", "role is not an allowed field"),
    ("nested unknown field", {"preferences": {"fontSize": 14}}, 400, "preferences.fontSize", "preferences.fontSize is not an allowed field"),
    ("identity in the body", {"userId": "someone-else"}, 400, "userId", "userId is not an allowed field"),
    ("oversized", {"displayName": "x" * 70_000}, 413, None, "the limit is 65536"),
    ("empty object", {}, 400, None, "at least 1 properties"),
    ("no body", None, 400, None, "a JSON request body is required"),
]


def test_bad_put_bodies_are_refused_naming_the_field_and_nothing_is_written(me, api_event, subtests):
    for case, body, status, field, message in BAD_BODIES:
        with subtests.test(case):
            reply = me(api_event("PUT", "/me", body=body))
            assert reply.status == status
            error = reply.body["error"]
            assert error["code"] == ("payload_too_large" if status == 413 else "invalid_request")
            assert error.get("field") == field
            assert message in error["message"]
            assert error["requestId"]
            assert me.items() == []
            assert me.sink.received() == []


def test_a_bad_timezone_is_a_400_on_field_timezone_and_nothing_is_written(me, api_event):
    reply = me(api_event("PUT", "/me", body={"displayName": "Ada", "timezone": "Mars/Base"}))
    assert reply.status == 400
    assert reply.body["error"]["field"] == "timezone"
    assert "Mars/Base" in reply.body["error"]["message"]
    assert me.items() == []
    assert me.sink.received() == []


def test_a_bad_timezone_leaves_a_saved_profile_as_it_was(me, api_event):
    me(api_event("PUT", "/me"))
    before = me.profile_item()
    reply = me(api_event("PUT", "/me", body={"version": 1, "displayName": "new", "timezone": "Europe/Atlantis"}))
    assert reply.status == 400
    assert me.profile_item() == before


# -- GET /me/export -------------------------------------------------------------------------------------------
def test_export_includes_the_profile_as_an_attachment(me, sample):
    saved = me(sample("me_put")).body
    reply = me(sample("me_export"))
    assert reply.status == 200
    assert reply.headers["content-type"] == "application/json"
    assert reply.headers["content-disposition"] == f'attachment; filename="zik-export-{SUB}.json"'
    assert reply.body["user"] == {"userId": SUB, "tenantId": "acme", "email": "ada@example.com"}
    assert reply.body["data"]["profile"] == saved
    assert reply.body["exportedAt"].endswith("Z")


def test_export_before_any_save_has_no_profile(me, sample):
    reply = me(sample("me_export"))
    assert reply.status == 200
    assert reply.body["data"]["profile"] is None and empty_export(reply.body["data"])


# -- DELETE /me -----------------------------------------------------------------------------------------------
def test_delete_answers_the_erasure_at_once_and_the_account_opens_nothing_from_then_on(me, sample, subtests):
    me(sample("me_put"))
    reply = me(sample("me_delete"))
    assert reply.status == 202
    erasure = reply.body
    assert erasure["status"] == "erasing" and erasure["erasureId"].startswith("e") and erasure["statusUrl"] == "/me/erasure"
    assert erasure["domains"] == {
        "career": "erasing",
        "exports": "erasing",
        "journal": "erasing",
        "points": "erasing",
        "quests": "erasing",
        "studio": "erasing",
    }
    assert me.profile_item() is None  # the profile goes with the erasure's first write
    assert [item["sk"]["S"] for item in me.items()] == ["ERASURE"]

    for name in ("me_get", "me_put", "me_export"):
        with subtests.test(name):
            refused = me(sample(name))
            assert refused.status == 401 and "deleted" in refused.body["error"]["message"]
    assert me.profile_item() is None  # the refused PUT wrote nothing

    followed = me(sample("me_get") | {"path": "/me/erasure", "resource": "/me/erasure"})
    assert followed.status == 200 and followed.body == erasure
    again = me(sample("me_delete"))
    assert again.status == 202 and again.body == erasure  # the same erasure, not a second one

    [deleted] = me.events("UserDeleted")
    assert deleted["source"] == "zik.platform"
    assert deleted["detail"] | {"eventId": "", "occurredAt": ""} == {
        "eventId": "",
        "occurredAt": "",
        "tenantId": "acme",
        "userId": SUB,
        "erasureId": erasure["erasureId"],
        "domains": ["career", "exports", "journal", "points", "quests", "studio"],
    }


def test_an_account_that_is_not_being_erased_has_no_erasure(me, sample):
    reply = me(sample("me_get") | {"path": "/me/erasure", "resource": "/me/erasure"})
    assert reply.status == 404 and reply.body["error"]["code"] == "not_found"


def test_delete_removes_the_cognito_user(me, api_event, user_claims):
    cognito = boto3.client("cognito-idp")
    pool = me.env["USER_POOL_ID"]
    user = cognito.admin_create_user(
        UserPoolId=pool,
        Username="grace@example.com",
        UserAttributes=[{"Name": "email", "Value": "grace@example.com"}, {"Name": "name", "Value": "Grace"}],
    )["User"]
    sub = next(a["Value"] for a in user["Attributes"] if a["Name"] == "sub")
    claims = user_claims(sub, email="grace@example.com")
    assert me(api_event("PUT", "/me", claims=claims)).status == 200

    assert me(api_event("DELETE", "/me", claims=claims)).status == 202
    assert cognito.list_users(UserPoolId=pool)["Users"] == []
    assert me(api_event("DELETE", "/me", claims=claims)).status == 202  # user already gone: still fine


# -- who sees what ----------------------------------------------------------------------------------------------
def test_a_user_cannot_see_or_erase_another_users_profile(me, api_event, user_claims):
    me(api_event("PUT", "/me"))  # Ada saves
    ada = me.profile_item()
    grace = user_claims()

    seen = me(api_event("GET", "/me", claims=grace))
    assert seen.status == 200
    assert seen.body["userId"] == grace["sub"]
    assert seen.body["version"] == 0
    assert seen.body["displayName"] != "Ada L."
    assert seen.body["timezone"] == "UTC"

    exported = me(api_event("GET", "/me/export", claims=grace)).body["data"]
    # Grace's GET started her onboarding: her profile, at version 0, with nothing of Ada's.
    assert exported["profile"]["userId"] == grace["sub"] and exported["profile"]["version"] == 0 and empty_export(exported)
    assert me(api_event("DELETE", "/me", claims=grace)).status == 202
    assert me.profile_item() == ada
    assert me(api_event("GET", "/me")).body["displayName"] == "Ada L."
    assert me(api_event("GET", "/me", claims=grace)).status == 401


def test_the_same_user_in_another_tenant_is_someone_else(me, api_event):
    me(api_event("PUT", "/me"))
    elsewhere = me(api_event("GET", "/me", claims={"custom:tenant_id": "globex"}))
    assert elsewhere.body["tenantId"] == "globex"
    assert elsewhere.body["version"] == 0


def test_without_a_tenant_claim_the_default_tenant_is_used(me, api_event):
    reply = me(api_event("PUT", "/me", body={"locale": "fr"}, claims={"custom:tenant_id": None}))
    assert reply.status == 200
    assert reply.body["tenantId"] == "default"
    assert me.profile_item(f"TENANT#default#USER#{SUB}") is not None


def test_missing_claims_is_a_401_json_error_and_nothing_happens(me, api_event, subtests):
    for method, path in [("GET", "/me"), ("PUT", "/me"), ("GET", "/me/export"), ("DELETE", "/me")]:
        with subtests.test(f"{method} {path}"):
            reply = me(api_event(method, path, claims=None))
            assert reply.status == 401
            assert reply.body["error"]["code"] == "unauthorized"
            assert reply.headers["content-type"] == "application/json"
    assert me.items() == []
    assert me.sink.received() == []


def test_a_malformed_subject_is_a_401(me, api_event, subtests):
    for sub in ["", "x#TENANT#other", "../../admin", "a" * 200]:
        with subtests.test(sub=sub[:20]):
            reply = me(api_event("PUT", "/me", claims={"sub": sub}))
            assert reply.status == 401
            assert reply.body["error"]["code"] == "unauthorized"
    assert me.items() == []


# -- the HTTP surface ----------------------------------------------------------------------------------------------
def test_an_unknown_route_is_a_json_404(me, api_event):
    reply = me(api_event("PATCH", "/me"))
    assert reply.status == 404
    assert reply.body["error"]["code"] == "not_found"


def test_answers_carry_cors_headers_for_the_browser(me, sample, api_event):
    ok = me(sample("me_get"))
    refused = me(api_event("PUT", "/me", body="{", claims=None))
    for reply in (ok, refused):
        assert reply.headers["access-control-allow-origin"] == "*"


def test_each_sample_event_matches_a_route_the_template_declares(deployment, sample, subtests):
    routes = {(r.method, r.path): r for api in deployment.apis for r in api.routes}
    for name in ["me_get", "me_put", "me_export", "me_delete"]:
        with subtests.test(name):
            event = sample(name)
            route = routes[(event["httpMethod"], event["resource"])]
            assert route.function == "MeFunction"
            assert route.authorizer is not None and route.authorizer.kind == "cognito_user_pools"
            assert event["requestContext"]["authorizer"]["claims"]["token_use"] == "id"
            assert event["requestContext"]["stage"] == deployment.apis[0].stage


def test_the_erasures_the_sweep_begins_wait_for_every_domain_me_registers(load_function):
    """GuestSweepFunction begins erasures without loading every domain's hooks: it names them
    (zik.platform.accounts.ERASING_DOMAINS), and they must be the ones DELETE /me waits for."""
    from zik.platform.accounts import ERASING_DOMAINS

    assert tuple(sorted(load_function("MeFunction").ERASING_DOMAINS)) == ERASING_DOMAINS
