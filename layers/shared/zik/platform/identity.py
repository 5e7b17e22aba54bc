"""The user's Cognito identity, removed with the rest of their data."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import boto3

from zik.observability import logger
from zik.principal import Principal


@cache
def _cognito() -> Any:
    return boto3.client("cognito-idp")


def delete_identity(owner: Principal) -> bool:
    """Delete the Cognito user behind ``owner``; a user already gone is not an error (erasure is idempotent)."""
    pool = os.environ.get("USER_POOL_ID")
    if not pool:
        return False
    client = _cognito()
    try:
        # With e-mail sign-in the username is the sub, which the ID token also carries as cognito:username.
        client.admin_delete_user(UserPoolId=pool, Username=owner.claims.get("cognito:username") or owner.user_id)
    except client.exceptions.UserNotFoundException:
        logger.info("no Cognito user to delete")
        return False
    return True
