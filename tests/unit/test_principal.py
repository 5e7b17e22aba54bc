"""zik.principal: the caller comes from verified claims only, and only in a shape that is safe as a key."""

from __future__ import annotations

import pytest

from zik.errors import Unauthorized
from zik.principal import DEFAULT_TENANT, Principal, from_api_event, from_claims

SUB = "8f1c2a7e-4b3d-4c9a-9e61-2d5b7f0a1c34"


def test_claims_become_a_principal(api_event):
    claims = api_event("GET", "/me")["requestContext"]["authorizer"]["claims"]
    owner = from_claims(claims)
    assert owner == Principal(user_id=SUB, tenant_id="acme", email="ada@example.com", name="Ada Lovelace")
    assert owner.claims["token_use"] == "id"
    assert owner.partition == f"TENANT#acme#USER#{SUB}"


def test_without_a_tenant_claim_the_default_tenant_is_used():
    owner = from_claims({"sub": SUB})
    assert owner.tenant_id == DEFAULT_TENANT == "default"
    assert owner.email is None and owner.name is None
    assert owner.partition == f"TENANT#default#USER#{SUB}"


def test_an_empty_tenant_claim_is_the_default_tenant():
    assert from_claims({"sub": SUB, "custom:tenant_id": ""}).tenant_id == "default"


@pytest.mark.parametrize("claims", [None, {}])
def test_no_claims_is_unauthorized(claims):
    with pytest.raises(Unauthorized, match="no verified identity"):
        from_claims(claims)


@pytest.mark.parametrize(
    "sub",
    [None, "", 42, "user#TENANT#other", "a b", "x" * 129, "évelyne", "a/b"],
)
def test_a_missing_or_malformed_subject_is_unauthorized(sub):
    with pytest.raises(Unauthorized, match="subject"):
        from_claims({"sub": sub, "email": "x@example.com"})


@pytest.mark.parametrize("tenant", ["acme#USER#victim", "a b", "t" * 129, 7])
def test_a_malformed_tenant_is_unauthorized(tenant):
    with pytest.raises(Unauthorized, match="tenant"):
        from_claims({"sub": SUB, "custom:tenant_id": tenant})


def test_principals_compare_without_their_claims():
    a = from_claims({"sub": SUB, "custom:tenant_id": "acme", "iat": "1"})
    b = from_claims({"sub": SUB, "custom:tenant_id": "acme", "iat": "2"})
    assert a == b


def test_from_api_event_reads_the_cognito_authorizer(api_event):
    assert from_api_event(api_event("GET", "/me")).user_id == SUB


def test_from_api_event_without_authorizer_is_unauthorized(api_event):
    with pytest.raises(Unauthorized):
        from_api_event(api_event("GET", "/health"))
    with pytest.raises(Unauthorized):
        from_api_event({"requestContext": None})
    with pytest.raises(Unauthorized):
        from_api_event({})


def test_claims_in_the_body_or_path_are_ignored(api_event):
    event = api_event("PUT", "/me", body={"sub": "someone-else"}, claims=None)
    event["pathParameters"] = {"userId": "someone-else"}
    with pytest.raises(Unauthorized):
        from_api_event(event)


@pytest.mark.parametrize(
    "claim",
    ["admins", "admins,editors", "editors, admins", "[admins editors]", '["admins", "editors"]', ["admins", "editors"]],
)
def test_groups_are_read_in_every_spelling_api_gateway_hands_them_over(claim):
    assert "admins" in from_claims({"sub": "u1", "cognito:groups": claim}).groups


@pytest.mark.parametrize("claim", [None, "", "[]", "administrators", "[notadmins]", 7])
def test_no_group_claim_or_another_group_is_not_admins(claim):
    assert "admins" not in from_claims({"sub": "u1", "cognito:groups": claim}).groups
