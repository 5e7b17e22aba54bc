"""The user pool's PostConfirmation trigger: every confirmed user joins the "users" group, which the ID token
then names in ``cognito:groups`` (the seed's groups: ``admins`` and ``users``), and their onboarding starts
(the profile's ``onboarding.startedAt``: signing up is what starts it).

Idempotent: adding a member to a group it is in succeeds and changes nothing, so a retried invocation, or
the trigger of a later ConfirmForgotPassword (which also repairs a user confirmed before the trigger
existed), is harmless. A failure to add the user is logged as an error and counted (the metric
UsersGroupJoinFailed) but does not fail the trigger: Cognito has confirmed the user by then, and an error
here would only tell the app that a confirmation which worked had failed.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools.metrics import MetricUnit
from botocore.exceptions import BotoCoreError, ClientError

from zik.config import ConfigError
from zik.observability import instrument, logger, metrics
from zik.platform.store import ProfileStore
from zik.principal import DEFAULT_TENANT, TENANT_CLAIM, Principal

USERS_GROUP = "users"
TRIGGERS = ("PostConfirmation_ConfirmSignUp", "PostConfirmation_ConfirmForgotPassword")


@cache
def _cognito() -> Any:
    return boto3.client("cognito-idp")


def join_users_group(user_pool_id: str, username: str) -> bool:
    """Add the user to the users group (USERS_GROUP, default "users"); False when Cognito refused."""
    group = os.environ.get("USERS_GROUP") or USERS_GROUP
    try:
        _cognito().admin_add_user_to_group(UserPoolId=user_pool_id, Username=username, GroupName=group)
    except (ClientError, BotoCoreError) as exc:
        code = exc.response.get("Error", {}).get("Code") if isinstance(exc, ClientError) else type(exc).__name__
        logger.error("the confirmed user did not join the users group", extra={"group": group, "code": code})
        metrics.add_metric(name="UsersGroupJoinFailed", unit=MetricUnit.Count, value=1)
        return False
    logger.info("the confirmed user joined the users group", extra={"group": group})
    return True


@cache
def _profiles() -> ProfileStore:
    return ProfileStore()


def start_onboarding(attributes: dict) -> bool:
    """Start the new user's onboarding (idempotent: a started one is left as it is). False, logged and
    counted (OnboardingStartFailed), when it could not: their first GET /me starts it then."""
    owner = Principal(user_id=attributes["sub"], tenant_id=attributes.get(TENANT_CLAIM) or DEFAULT_TENANT)
    try:
        return _profiles().start(owner)
    except (ClientError, BotoCoreError, ConfigError) as exc:
        logger.error("the confirmed user's onboarding did not start", extra={"error": type(exc).__name__})
        metrics.add_metric(name="OnboardingStartFailed", unit=MetricUnit.Count, value=1)
        return False


@instrument(correlation_id_path="request.userAttributes.sub")
def lambda_handler(event: dict, context: object) -> dict:
    if event.get("triggerSource") in TRIGGERS:
        join_users_group(event["userPoolId"], event["userName"])
        attributes = (event.get("request") or {}).get("userAttributes") or {}
        if attributes.get("sub"):
            start_onboarding(attributes)
    return event  # a Cognito trigger answers with its event
