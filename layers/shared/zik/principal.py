"""The verified caller: who they are comes only from the authorizer's claims, never from path or body."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from zik.errors import Unauthorized

TENANT_CLAIM = "custom:tenant_id"
GROUPS_CLAIM = "cognito:groups"
GUESTS_GROUP = "guests"  # users without an account yet (zik.platform.guests): lower limits and budgets
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
    def groups(self) -> frozenset[str]:
        """The Cognito groups the token names (``cognito:groups``). API Gateway hands every claim over as
        text, and a list claim in more than one spelling: "admins", "admins,users", "[admins users]" or
        JSON; a token that names none is in no group."""
        return parse_groups(self.claims.get(GROUPS_CLAIM))

    @property
    def partition(self) -> str:
        """The key prefix under which every item this user owns is stored."""
        return f"TENANT#{self.tenant_id}#USER#{self.user_id}"


def parse_groups(value: Any) -> frozenset[str]:
    if isinstance(value, (list, tuple, set, frozenset)):
        names = [str(v) for v in value]
    elif isinstance(value, str):
        text = value.strip()
        if text.startswith("[") and text.endswith("]"):
            try:
                decoded = json.loads(text)
            except ValueError:
                decoded = None
            text = " ".join(str(v) for v in decoded) if isinstance(decoded, list) else text[1:-1]
        names = re.split(r"[,\s]+", text)
    else:
        names = []
    return frozenset(name for name in (n.strip() for n in names) if name)


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
