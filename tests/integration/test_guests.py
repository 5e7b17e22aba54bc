"""Guests against the stack template.yaml declares (in moto): POST /guests (GuestsFunction), POST /me/upgrade
(MeFunction), a guest's requests marking them active (any API function), the daily sweep of guests away for
30 days (GuestSweepFunction) and a guest's share of the AI budget.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import boto3
import pytest

import zik.journal.ai_tasks  # noqa: F401  (registers journal.insight)
from zik.ai import registry
from zik.ai.budget import DailyBudget
from zik.ai.errors import AIBudgetExceeded
from zik.platform.guests import GUEST_DOMAIN, GuestPlans
from zik.principal import Principal

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")

PASSWORD = "Analytical-Engine-1843"


def token_claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


class GuestsWorld:
    def __init__(self, deployment, invoke, api_event, monkeypatch):
        self.invoke, self.api_event, self.monkeypatch = invoke, api_event, monkeypatch
        self.env = deployment.functions["GuestsFunction"].environment
        self.pool = self.env["USER_POOL_ID"]
        self.cognito = boto3.client("cognito-idp")
        self.dynamodb = boto3.client("dynamodb")

    def sign_up(self, address: str = "198.51.100.7"):
        event = self.api_event("POST", "/guests", None, claims=None)
        event["requestContext"]["identity"]["sourceIp"] = address
        return self.invoke("GuestsFunction", event)

    def guest(self) -> dict[str, Any]:
        reply = self.sign_up()
        assert reply.status == 201, reply.body
        return reply.body

    @staticmethod
    def claims_of(answer: dict[str, Any]) -> dict[str, Any]:
        """What the authorizer hands the functions for this ID token (the guest has no tenant claim)."""
        claims = token_claims(answer["idToken"])
        groups = claims.get("cognito:groups")
        return {
            "sub": claims["sub"],
            "cognito:username": claims.get("cognito:username", claims["sub"]),
            "email": claims["email"],
            "name": claims.get("name"),
            "cognito:groups": " ".join(groups) if isinstance(groups, list) else groups,
            "custom:tenant_id": None,
        }

    def me(self, method: str, path: str, claims: dict[str, Any], body: Any = None):
        return self.invoke("MeFunction", self.api_event(method, path, body, claims=claims))

    def upgrade(self, claims: dict[str, Any], **body: Any):
        return self.me("POST", "/me/upgrade", claims, {"email": "ada@example.com", "password": PASSWORD, "name": "Ada Lovelace", **body})

    def item(self, table_env: str, pk: str, sk: str) -> dict[str, Any] | None:
        return self.dynamodb.get_item(TableName=self.env[table_env], Key={"pk": {"S": pk}, "sk": {"S": sk}}, ConsistentRead=True).get("Item")

    def user(self, sub: str) -> dict[str, str]:
        found = self.cognito.admin_get_user(UserPoolId=self.pool, Username=sub)
        return {a["Name"]: a["Value"] for a in found["UserAttributes"]}

    def groups(self, sub: str) -> set[str]:
        return {g["GroupName"] for g in self.cognito.admin_list_groups_for_user(UserPoolId=self.pool, Username=sub)["Groups"]}

    def users(self) -> list[dict[str, Any]]:
        return self.cognito.list_users(UserPoolId=self.pool)["Users"]


@pytest.fixture
def world(deployment, invoke, api_event, monkeypatch) -> GuestsWorld:
    return GuestsWorld(deployment, invoke, api_event, monkeypatch)


def partition(sub: str) -> str:
    return f"TENANT#default#USER#{sub}"


# -- POST /guests -------------------------------------------------------------------------------------------------
def test_a_guest_is_a_signed_in_user_of_the_guests_group_with_its_onboarding_started(world):
    answer = world.guest()

    assert answer["guest"] is True and answer["username"].endswith("@" + GUEST_DOMAIN)
    claims = token_claims(answer["idToken"])
    assert claims["sub"] == answer["userId"] and claims["token_use"] == "id"
    assert world.groups(answer["userId"]) == {"guests"}
    # The app signs the guest in again with what it was given, and refreshes as any user does.
    again = world.cognito.admin_initiate_auth(
        UserPoolId=world.pool,
        ClientId=world.env["USER_POOL_CLIENT_ID"],
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": answer["username"], "PASSWORD": answer["secret"]},
    )
    assert token_claims(again["AuthenticationResult"]["IdToken"])["sub"] == answer["userId"]
    assert answer["refreshToken"] and answer["expiresIn"] > 0

    mark = world.item("USERS_TABLE", partition(answer["userId"]), "GUEST")
    assert mark is not None and mark["guestShard"]["S"].startswith("GUESTS#")
    profile = world.item("USERS_TABLE", partition(answer["userId"]), "PROFILE")
    assert profile is not None and profile["onboarding"]["M"]["startedAt"]["S"]
    assert world.item("AI_TABLE", partition(answer["userId"]), "PLAN")["plan"]["S"] == "guest"

    seen = world.me("GET", "/me", world.claims_of(answer))
    assert seen.status == 200 and seen.body["userId"] == answer["userId"] and seen.body["onboarding"]["next"] == "timezone"


def test_guests_from_one_address_are_limited_an_hour_and_a_refused_one_makes_no_user(world, monkeypatch, load_function):
    load_function("GuestsFunction")  # its environment first (the template's limit), then the test's
    monkeypatch.setenv("GUEST_SIGNUPS_PER_ADDRESS_PER_HOUR", "2")
    assert [world.sign_up("198.51.100.20").status for _ in range(2)] == [201, 201]

    refused = world.sign_up("198.51.100.20")
    assert refused.status == 429 and refused.body["error"]["code"] == "rate_limited"
    assert 1 <= int(refused.headers["retry-after"]) <= 3600
    assert "address" in refused.body["error"]["message"]
    assert len(world.users()) == 2

    assert world.sign_up("198.51.100.21").status == 201  # another address is not held back


# -- POST /me/upgrade ---------------------------------------------------------------------------------------------
def test_an_upgraded_guest_keeps_their_sub_and_data_and_their_guest_token_still_works(world):
    answer = world.guest()
    guest = world.claims_of(answer)
    sub = answer["userId"]
    assert world.me("PUT", "/me", guest, {"timezone": "Europe/Paris", "displayName": "Ada"}).status == 200

    upgraded = world.upgrade(guest)

    assert upgraded.status == 200, upgraded.body
    assert upgraded.body["userId"] == sub and upgraded.body["email"] == "ada@example.com" and upgraded.body["emailVerified"] is False
    assert upgraded.headers["cache-control"] == "no-store"
    new_claims = token_claims(upgraded.body["idToken"])
    assert new_claims["sub"] == sub and new_claims["email"] == "ada@example.com"
    assert world.groups(sub) == {"users"}
    assert world.user(sub)["name"] == "Ada Lovelace"
    assert world.item("USERS_TABLE", partition(sub), "GUEST") is None
    assert world.item("AI_TABLE", partition(sub), "PLAN") is None
    # The password now signs in, with the address.
    signed_in = world.cognito.admin_initiate_auth(
        UserPoolId=world.pool,
        ClientId=world.env["USER_POOL_CLIENT_ID"],
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ada@example.com", "PASSWORD": PASSWORD},
    )
    assert token_claims(signed_in["AuthenticationResult"]["IdToken"])["sub"] == sub
    # The guest's token, until it expires, is the same user: the same profile.
    for claims in (guest, world.claims_of(upgraded.body)):
        seen = world.me("GET", "/me", claims)
        assert seen.status == 200 and seen.body["userId"] == sub and seen.body["timezone"] == "Europe/Paris"

    # Asked again (a retry after a lost answer): the same answer; with another password, no tokens.
    again = world.upgrade(guest)
    assert again.status == 200 and again.body["userId"] == sub
    assert world.upgrade(guest, password="Another-Password-1").status == 401


def test_an_upgrade_to_a_taken_address_or_with_a_weak_password_changes_nothing(world):
    world.cognito.admin_create_user(
        UserPoolId=world.pool,
        Username="grace@example.com",
        UserAttributes=[{"Name": "email", "Value": "grace@example.com"}, {"Name": "name", "Value": "Grace"}],
    )
    answer = world.guest()
    guest = world.claims_of(answer)
    before = world.user(answer["userId"])

    taken = world.upgrade(guest, email="Grace@Example.com")
    assert taken.status == 409 and taken.body["error"]["field"] == "email"
    weak = world.upgrade(guest, password="password")
    assert weak.status == 400 and weak.body["error"]["field"] == "password"
    assert "upper case" in weak.body["error"]["message"] and "symbol" in weak.body["error"]["message"]
    for body, field in (({"name": "  "}, "name"), ({"email": "not-an-address"}, "email"), ({"admin": True}, None)):
        bad = world.upgrade(guest, **body)
        assert bad.status == 400, body
        if field:
            assert bad.body["error"]["field"] == field

    assert world.user(answer["userId"]) == before
    assert world.groups(answer["userId"]) == {"guests"}
    assert world.item("USERS_TABLE", partition(answer["userId"]), "GUEST") is not None


def test_a_registered_user_cannot_upgrade(world, user_claims):
    registered = world.upgrade(user_claims() | {"cognito:groups": "users"})
    assert registered.status == 409 and registered.body["error"]["details"]["reason"] == "already_registered"


# -- activity and the sweep ---------------------------------------------------------------------------------------
def test_guests_away_30_days_are_erased_and_an_active_one_is_kept(world, invoke, sample, move_clock, lambda_context, load_function):
    away, active = world.guest(), world.guest()
    move_clock(seconds=29 * 86400)
    # Any API request of a guest marks them active (at most once a day).
    assert world.invoke("SettingsFunction", world.api_event("GET", "/settings", claims=world.claims_of(active))).status == 200
    touched = world.item("USERS_TABLE", partition(active["userId"]), "GUEST")["lastActiveAt"]["S"]
    assert touched > world.item("USERS_TABLE", partition(away["userId"]), "GUEST")["lastActiveAt"]["S"]
    move_clock(seconds=2 * 86400)

    sweep = load_function("GuestSweepFunction")
    result = sweep.lambda_handler(sample("guest_sweep_schedule"), lambda_context)

    assert result["erased"] == 1 and result["complete"] is True
    gone = away["userId"]
    erasure = world.item("USERS_TABLE", partition(gone), "ERASURE")
    assert erasure is not None and erasure["status"]["S"] == "erasing"
    assert world.item("USERS_TABLE", partition(gone), "PROFILE") is None
    assert world.item("USERS_TABLE", partition(gone), "GUEST") is None
    assert world.item("AI_TABLE", partition(gone), "PLAN") is None
    assert [u["Username"] for u in world.users() if any(a["Value"] == gone for a in u["Attributes"])] == []
    # The kept guest is untouched; their old token still opens their account, the erased one's nothing.
    assert world.item("USERS_TABLE", partition(active["userId"]), "GUEST") is not None
    assert world.me("GET", "/me", world.claims_of(active)).status == 200
    assert world.me("GET", "/me", world.claims_of(away)).status == 401

    # A second run (a retry) has nothing to do.
    assert sweep.lambda_handler(sample("guest_sweep_schedule"), lambda_context)["erased"] == 0


def test_an_upgraded_guest_is_never_swept(world, sample, move_clock, lambda_context, load_function):
    answer = world.guest()
    assert world.upgrade(world.claims_of(answer)).status == 200
    move_clock(seconds=40 * 86400)
    assert load_function("GuestSweepFunction").lambda_handler(sample("guest_sweep_schedule"), lambda_context)["erased"] == 0
    assert world.item("USERS_TABLE", partition(answer["userId"]), "ERASURE") is None


# -- the AI budget ------------------------------------------------------------------------------------------------
def test_a_guest_has_a_share_of_each_ai_budget_on_a_request_and_off_it(world, monkeypatch, load_function):
    load_function("GuestsFunction")  # the functions' environment: AI_TABLE
    monkeypatch.setenv("GUEST_AI_BUDGET_PERCENT", "20")
    table = world.env["AI_TABLE"]
    budget = DailyBudget(table, client=world.dynamodb)
    task = registry.get("journal.insight")
    full = budget.limits(task).calls
    share = max(1, full * 20 // 100)
    assert share < full

    on_request = Principal("guest-1", "default", claims={"sub": "guest-1", "cognito:groups": "guests"})
    for _ in range(share):
        budget.reserve(on_request, task)
    with pytest.raises(AIBudgetExceeded):
        budget.reserve(on_request, task)

    # A workflow's call has no token: the plan in AITable says who is a guest.
    off_request = Principal("guest-2", "default")
    GuestPlans().mark(off_request)
    for _ in range(share):
        budget.reserve(off_request, task)
    with pytest.raises(AIBudgetExceeded):
        budget.reserve(off_request, task)
    GuestPlans().clear(off_request)  # upgraded: a user's budget again
    budget.reserve(off_request, task)

    user = Principal("user-1", "default")
    for _ in range(share + 1):
        budget.reserve(user, task)


# -- the files under the identity pool's prefix --------------------------------------------------------------------
def test_a_swept_guests_own_files_go_with_the_studios_erasure_and_another_users_stay(
    world, sample, move_clock, lambda_context, load_function, deployment
):
    guest = world.guest()
    identity = world.item("USERS_TABLE", partition(guest["userId"]), "GUEST")["identityId"]["S"]
    s3 = boto3.client("s3")
    bucket = deployment.functions["StudioAccountFunction"].environment["USER_FILES_BUCKET"]
    for body in (b"first", b"second"):  # two versions, then a delete marker
        s3.put_object(Bucket=bucket, Key=f"identities/{identity}/notes.txt", Body=body)
    s3.delete_object(Bucket=bucket, Key=f"identities/{identity}/notes.txt")
    s3.put_object(Bucket=bucket, Key="identities/us-east-1:someone-else/kept.txt", Body=b"theirs")
    move_clock(seconds=31 * 86400)

    assert load_function("GuestSweepFunction").lambda_handler(sample("guest_sweep_schedule"), lambda_context)["erased"] == 1
    erasure = world.item("USERS_TABLE", partition(guest["userId"]), "ERASURE")
    assert erasure["identityId"]["S"] == identity

    batch = sample("studio_account_batch")
    body = json.loads(batch["Records"][0]["body"])
    body["detail"].update(tenantId="default", userId=guest["userId"], erasureId=erasure["erasureId"]["S"])
    batch["Records"][0]["body"] = json.dumps(body)
    answer = load_function("StudioAccountFunction").lambda_handler(batch, lambda_context)

    assert answer == {"batchItemFailures": []}
    listed = s3.list_object_versions(Bucket=bucket, Prefix="identities/")
    left = [v["Key"] for v in [*listed.get("Versions", []), *listed.get("DeleteMarkers", [])]]
    assert left == ["identities/us-east-1:someone-else/kept.txt"]


def test_delete_me_names_the_callers_identity_for_the_erasure(world, monkeypatch):
    guest = world.guest()
    event = world.api_event("DELETE", "/me", None, claims=world.claims_of(guest), headers={"Authorization": f"Bearer {guest['idToken']}"})
    answer = world.invoke("MeFunction", event)
    assert answer.status == 202
    assert answer.body["identityId"] == world.item("USERS_TABLE", partition(guest["userId"]), "ERASURE")["identityId"]["S"]


def test_a_mark_left_on_an_upgraded_user_is_dropped_not_erased(world, sample, move_clock, lambda_context, load_function):
    answer = world.guest()
    sub = answer["userId"]
    # An upgrade that failed after Cognito's part: the user is in users, the mark is still there.
    world.cognito.admin_add_user_to_group(UserPoolId=world.pool, Username=sub, GroupName="users")
    world.cognito.admin_remove_user_from_group(UserPoolId=world.pool, Username=sub, GroupName="guests")
    move_clock(seconds=31 * 86400)

    result = load_function("GuestSweepFunction").lambda_handler(sample("guest_sweep_schedule"), lambda_context)

    assert (result["erased"], result["skipped"]) == (0, 1)
    assert world.item("USERS_TABLE", partition(sub), "ERASURE") is None
    assert world.item("USERS_TABLE", partition(sub), "GUEST") is None
    assert world.groups(sub) == {"users"}
