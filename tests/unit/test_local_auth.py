"""Local Cognito: the tokens `zik token` mints pass the authorizer; every kind of bad token is refused.
Verification is Powertools' (alpha) JWT verifier, pinned with Powertools in layers/shared/requirements.txt."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest

from zik_local.auth import LocalCognito, SigningKey, TokenRejected, issuer_for, subject_of

POOL = "us-east-1_localpool"
CLIENT = "local-app-client"


@pytest.fixture(scope="module")
def key(tmp_path_factory) -> SigningKey:
    return SigningKey.load_or_create(tmp_path_factory.mktemp("state"))


@pytest.fixture
def cognito(key) -> LocalCognito:
    return LocalCognito(key, POOL, [CLIENT])


def test_a_minted_id_token_verifies_with_cognitos_claims(cognito):
    claims = cognito.verify(cognito.mint("alice", tenant="acme"))
    assert claims["sub"] == subject_of("alice") and claims["token_use"] == "id"
    assert claims["iss"] == issuer_for(POOL) == f"https://cognito-idp.us-east-1.amazonaws.com/{POOL}"
    assert claims["aud"] == CLIENT and claims["custom:tenant_id"] == "acme"
    assert claims["email"] == "alice@example.com"


def test_the_same_user_always_gets_the_same_subject(cognito):
    assert subject_of("alice") == subject_of("alice") != subject_of("bob")


def test_the_key_survives_a_restart(tmp_path):
    first = SigningKey.load_or_create(tmp_path)
    second = SigningKey.load_or_create(tmp_path)
    assert first.kid == second.kid and first.jwks() == second.jwks()
    assert (tmp_path / "jwt-signing-key.pem").stat().st_mode & 0o077 == 0


def _tamper(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = "someone-else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"{header}.{forged}.{signature}"


def _unsigned(cognito: LocalCognito) -> str:
    now = int(time.time())
    claims = {"sub": "x", "iss": cognito.issuer, "aud": CLIENT, "token_use": "id", "iat": now, "exp": now + 600}
    return jwt.encode(claims, key=None, algorithm="none")


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(lambda c: c.mint("alice", ttl_seconds=-3600), id="expired"),
        pytest.param(lambda c: _tamper(c.mint("alice")), id="tampered"),
        pytest.param(_unsigned, id="alg-none"),
        pytest.param(lambda c: c.mint("alice", client_id="another-client"), id="wrong-audience"),
        pytest.param(lambda c: c.mint("alice", extra={"token_use": "access"}), id="access-token"),
        pytest.param(lambda c: c.mint("alice", extra={"iss": "https://cognito-idp.us-east-1.amazonaws.com/other"}), id="other-pool"),
        pytest.param(lambda c: "not-a-jwt", id="garbage"),
        pytest.param(lambda c: "", id="empty"),
    ],
)
def test_bad_tokens_are_rejected(cognito, make_token):
    with pytest.raises(TokenRejected):
        cognito.verify(make_token(cognito))


def test_a_token_signed_by_another_key_is_rejected(cognito, tmp_path):
    stranger = LocalCognito(SigningKey.load_or_create(tmp_path), POOL, [CLIENT])
    with pytest.raises(TokenRejected):
        cognito.verify(stranger.mint("alice"))
