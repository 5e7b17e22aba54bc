"""Local Cognito: RS256 ID tokens signed by a local key, verified the way API Gateway's Cognito authorizer
verifies them (signature against the JWKS, issuer of the user pool, audience of the app client, expiry,
``token_use``).

Verification is Powertools' JWT verifier with the local key set; the key is made once per checkout and
kept in the state directory, so tokens survive a restart of ``zik dev``.

Two signers share the pool's issuer: ``zik token`` (the local key) and the embedded AWS's Cognito, which signs
what an app's sign-in (SignUp, InitiateAuth, RespondToAuthChallenge, REFRESH_TOKEN_AUTH) gets with moto's key
(its public JWKS ships with moto, key id "dummy"). A token is checked against the key its header names. As API
Gateway's Cognito authorizer, the check is offline: a token of a user signed out globally, or whose refresh
token was revoked, or who was deleted in Cognito, passes until it expires; a user erased through DELETE /me
is refused by the platform's own account check (zik.http.principal), 401.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from aws_lambda_powertools.utilities.auth_alpha.jwt import JWTVerifier
from aws_lambda_powertools.utilities.auth_alpha.jwt.exceptions import (
    InvalidTokenError,
    TokenExpiredError,
)
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from zik_local.template import REGION

# Users of `zik token --user NAME` get a stable Cognito-like subject: the same name, the same sub.
_SUBJECTS = uuid.UUID("5d1b8d0e-2f57-4a51-9d38-7a0b6c8e1f42")


class TokenRejected(Exception):
    """Why the authorizer said 401 (for the log, not for the client)."""


def issuer_for(user_pool_id: str) -> str:
    return f"https://cognito-idp.{REGION}.amazonaws.com/{user_pool_id}"


@dataclass
class SigningKey:
    private_key: rsa.RSAPrivateKey
    kid: str

    @classmethod
    def load_or_create(cls, state_dir: Path) -> SigningKey:
        path = state_dir / "jwt-signing-key.pem"
        if path.exists():
            private_key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        else:
            state_dir.mkdir(parents=True, exist_ok=True)
            private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
            path.touch(mode=0o600)
            path.write_bytes(pem)
        assert isinstance(private_key, rsa.RSAPrivateKey)
        public = private_key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        import hashlib

        return cls(private_key, hashlib.sha256(public).hexdigest()[:32])

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private_key.public_key()))
        return {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}


def moto_jwks() -> dict[str, Any]:
    """The public JWKS of the embedded Cognito (moto signs every user pool's tokens with one key)."""
    from moto.utilities.utils import load_resource

    return load_resource("cognitoidp/resources/jwks-public.json")


def published_jwks(key: SigningKey) -> dict[str, Any]:
    """What the pool's /.well-known/jwks.json publishes: both keys its tokens may be signed with."""
    return {"keys": key.jwks()["keys"] + moto_jwks()["keys"]}


class LocalCognito:
    """Mints and verifies ID tokens for one user pool and its app clients."""

    def __init__(self, key: SigningKey, user_pool_id: str, client_ids: list[str]):
        self.key = key
        self.user_pool_id = user_pool_id
        self.client_ids = client_ids
        self.issuer = issuer_for(user_pool_id)
        self._verifier = self._verifier_for(key.jwks())
        self._cognito_verifier = self._verifier_for(moto_jwks())
        self._cognito_kids = {k.get("kid") for k in moto_jwks()["keys"]}

    def _verifier_for(self, jwks: dict[str, Any]) -> JWTVerifier:
        return JWTVerifier(
            issuer=self.issuer,
            audience=self.client_ids,
            algorithms=["RS256"],
            jwks=jwks,
            required_claims=["sub", "token_use", "iat", "exp"],
            expected_claims={"token_use": "id"},
            # No leeway: the tokens are this machine's own, read on the clock that signed them, and an
            # expired token is a 401 the moment it expires (Powertools allows 60 s by default).
            clock_skew_seconds=0,
        )

    def mint(
        self,
        user: str,
        *,
        tenant: str | None = None,
        email: str | None = None,
        ttl_seconds: int = 3600,
        client_id: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> str:
        now = int(time.time())
        sub = subject_of(user)
        claims: dict[str, Any] = {
            "sub": sub,
            "iss": self.issuer,
            "aud": client_id or self.client_ids[0],
            "token_use": "id",
            "auth_time": now,
            "iat": now,
            "exp": now + ttl_seconds,
            "jti": str(uuid.uuid4()),
            "email": email or f"{user}@example.com",
            "email_verified": True,
            "name": user.replace(".", " ").title(),
            "cognito:username": sub,
        }
        if tenant:
            claims["custom:tenant_id"] = tenant
        claims.update(extra or {})
        return jwt.encode(claims, self.key.private_key, algorithm="RS256", headers={"kid": self.key.kid})

    def verify(self, token: str) -> dict[str, Any]:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError:
            raise TokenRejected("the token is not a JWT") from None
        verifier = self._cognito_verifier if kid in self._cognito_kids else self._verifier
        try:
            return verifier.verify(token)
        except TokenExpiredError:
            raise TokenRejected("the token has expired") from None
        except InvalidTokenError as exc:
            raise TokenRejected(exc.message) from None


def subject_of(user: str) -> str:
    return str(uuid.uuid5(_SUBJECTS, user))
