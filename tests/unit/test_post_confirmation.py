"""The user pool's PostConfirmation trigger (functions/post_confirmation) on moto's Cognito: a confirmed user
joins "users" (and the ID token then names the group), again and again without harm; a refusal is logged
and counted, never an error to the app."""

from __future__ import annotations

import base64
import copy
import importlib.util
import json
import sys
from pathlib import Path

import boto3
import pytest

from zik.principal import parse_groups

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Correct-Horse-9"


@pytest.fixture
def trigger(aws, monkeypatch):
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Zik")
    monkeypatch.delenv("USERS_GROUP", raising=False)
    spec = importlib.util.spec_from_file_location("fn_post_confirmation_app", ROOT / "functions" / "post_confirmation" / "app.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "fn_post_confirmation_app", module)
    spec.loader.exec_module(module)
    yield module
    module._cognito.cache_clear()


@pytest.fixture
def pool(aws):
    """A pool as the template's (e-mail sign-in, the admins and users groups), a client, and a confirmed user."""
    cognito = boto3.client("cognito-idp")
    pool_id = cognito.create_user_pool(PoolName="zik-test-users", UsernameAttributes=["email"], AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["UserPoolClient"]["ClientId"]
    for group in ("admins", "users"):
        cognito.create_group(UserPoolId=pool_id, GroupName=group)
    signed_up = cognito.sign_up(ClientId=client_id, Username="ada@example.com", Password=PASSWORD, UserAttributes=[{"Name": "name", "Value": "Ada"}])
    cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username="ada@example.com")
    return cognito, pool_id, client_id, signed_up["UserSub"]


def confirmation(pool_id: str, username: str, source: str = "PostConfirmation_ConfirmSignUp") -> dict:
    event = json.loads((ROOT / "events" / "post_confirmation.json").read_text())
    event.update(userPoolId=pool_id, userName=username, triggerSource=source)
    event["request"]["userAttributes"]["sub"] = username
    return event


def groups_of(cognito, pool_id: str, username: str) -> list[str]:
    return [g["GroupName"] for g in cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username=username)["Groups"]]


def id_token_groups(cognito, pool_id: str, client_id: str) -> frozenset[str]:
    tokens = cognito.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ada@example.com", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    payload = tokens["IdToken"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return parse_groups(claims.get("cognito:groups"))


def test_a_confirmed_user_joins_users_and_the_id_token_names_the_group(trigger, pool, lambda_context):
    cognito, pool_id, client_id, sub = pool
    assert "users" not in id_token_groups(cognito, pool_id, client_id)
    event = confirmation(pool_id, sub)
    answer = trigger.lambda_handler(copy.deepcopy(event), lambda_context)
    assert answer == event  # a Cognito trigger hands its event back
    assert groups_of(cognito, pool_id, sub) == ["users"]
    assert id_token_groups(cognito, pool_id, client_id) == {"users"}


def test_the_trigger_is_idempotent_and_a_password_reset_repairs_a_user_outside_the_group(trigger, pool, lambda_context):
    cognito, pool_id, _, sub = pool
    for _ in range(2):
        trigger.lambda_handler(confirmation(pool_id, sub), lambda_context)
    assert groups_of(cognito, pool_id, sub) == ["users"]
    cognito.admin_remove_user_from_group(UserPoolId=pool_id, Username=sub, GroupName="users")
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=sub, GroupName="admins")
    trigger.lambda_handler(confirmation(pool_id, sub, "PostConfirmation_ConfirmForgotPassword"), lambda_context)
    assert sorted(groups_of(cognito, pool_id, sub)) == ["admins", "users"]  # an admin stays one


def test_another_trigger_source_changes_nothing(trigger, pool, lambda_context):
    cognito, pool_id, _, sub = pool
    event = confirmation(pool_id, sub, "PreSignUp_SignUp")
    assert trigger.lambda_handler(copy.deepcopy(event), lambda_context) == event
    assert groups_of(cognito, pool_id, sub) == []


def test_the_group_comes_from_the_environment(trigger, pool, lambda_context, monkeypatch):
    cognito, pool_id, _, sub = pool
    cognito.create_group(UserPoolId=pool_id, GroupName="members")
    monkeypatch.setenv("USERS_GROUP", "members")
    trigger.lambda_handler(confirmation(pool_id, sub), lambda_context)
    assert groups_of(cognito, pool_id, sub) == ["members"]


def test_a_refusal_is_logged_and_counted_and_the_confirmation_still_answers(trigger, pool, lambda_context, log_records):
    cognito, pool_id, _, sub = pool
    cognito.delete_group(UserPoolId=pool_id, GroupName="users")  # a pool deployed without the group
    event = confirmation(pool_id, sub)
    assert trigger.lambda_handler(copy.deepcopy(event), lambda_context) == event
    records = log_records()
    failed = [r for r in records if r.get("message") == "the confirmed user did not join the users group"]
    assert failed and failed[0]["level"] == "ERROR" and failed[0]["code"] == "ResourceNotFoundException"
    assert failed[0]["correlation_id"] == sub
    emf = [r for r in records if "_aws" in r and "UsersGroupJoinFailed" in r]
    assert len(emf) == 1 and emf[0]["UsersGroupJoinFailed"] in (1, [1], 1.0, [1.0]), emf


def test_signing_up_starts_the_users_onboarding_once(trigger, pool, lambda_context, users_table, monkeypatch):
    cognito, pool_id, _, sub = pool
    monkeypatch.setenv("USERS_TABLE", users_table.name)
    trigger._profiles.cache_clear()
    trigger.lambda_handler(confirmation(pool_id, sub), lambda_context)
    started = users_table.get(f"TENANT#default#USER#{sub}", "PROFILE")["onboarding"]["startedAt"]
    assert started
    trigger.lambda_handler(confirmation(pool_id, sub, "PostConfirmation_ConfirmForgotPassword"), lambda_context)
    assert users_table.get(f"TENANT#default#USER#{sub}", "PROFILE")["onboarding"]["startedAt"] == started
    trigger._profiles.cache_clear()


def test_an_onboarding_that_cannot_start_is_logged_and_the_confirmation_still_answers(trigger, pool, lambda_context, log_records, monkeypatch):
    cognito, pool_id, _, sub = pool
    monkeypatch.setenv("USERS_TABLE", "no-such-table")
    trigger._profiles.cache_clear()
    event = confirmation(pool_id, sub)
    assert trigger.lambda_handler(copy.deepcopy(event), lambda_context) == event
    assert groups_of(cognito, pool_id, sub) == ["users"]
    failed = [r for r in log_records() if r.get("message") == "the confirmed user's onboarding did not start"]
    assert failed and failed[0]["level"] == "ERROR"
    trigger._profiles.cache_clear()
