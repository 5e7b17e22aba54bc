"""The verified caller: who they are comes only from the authorizer's claims, never from path or body."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from zik.errors import Unauthorized

TENANT_CLAIM = "custom:tenant_id"
DEFAULT_TENANT = "default"
# Ids become parts of DynamoDB keys: keep them to characters that cannot forge a key separator.
_ID = re.compile(r"[A-Za-z0-9._@+-]{1,128}")


@dataclass(frozen=True)
class Principal:
    user_id: str
    tenant_id: str
    email: str | None = None
    name: str | None = None
    claims: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def partition(self) -> str:
        """The key prefix under which every item this user owns is stored."""
        return f"TENANT#{self.tenant_id}#USER#{self.user_id}"


def from_claims(claims: Mapping[str, Any] | None) -> Principal:
    if not claims:
        raise Unauthorized("the request carries no verified identity")
    user_id = claims.get("sub")
    tenant_id = claims.get(TENANT_CLAIM) or DEFAULT_TENANT
    if not isinstance(user_id, str) or not _ID.fullmatch(user_id):
        raise Unauthorized("the token's subject is missing or malformed")
    if not isinstance(tenant_id, str) or not _ID.fullmatch(tenant_id):
        raise Unauthorized("the token's tenant is malformed")
    return Principal(
        user_id=user_id,
        tenant_id=tenant_id,
        email=claims.get("email"),
        name=claims.get("name"),
        claims=dict(claims),
    )


def from_api_event(event: Mapping[str, Any]) -> Principal:
    """Read the principal from an API Gateway REST proxy event (Cognito authorizer claims)."""
    authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
    return from_claims(authorizer.get("claims"))
