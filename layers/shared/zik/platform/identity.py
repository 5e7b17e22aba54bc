"""The user's Cognito identity, removed with the rest of their data."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import boto3

from zik.observability import logger
from zik.principal import GUESTS_GROUP, Principal


@cache
def _cognito() -> Any:
    return boto3.client("cognito-idp")


def delete_identity(owner: Principal) -> bool:
    """Delete the Cognito user behind ``owner``; a user already gone is not an error (erasure is idempotent)."""
    pool = os.environ.get("USER_POOL_ID")
    if not pool:
        return False
    # With e-mail sign-in the username is the sub, which the ID token also carries as cognito:username.
    deleted = CognitoUsers(pool).delete(owner.claims.get("cognito:username") or owner.user_id)
    if not deleted:
        logger.info("no Cognito user to delete")
    return deleted


class EmailTaken(Exception):
    """Another user of the pool signs in with that address."""


class PasswordRefused(Exception):
    """The pool's password policy refused the password (Cognito's message says which rule)."""


class CognitoUsers:
    """The user pool's admin operations the platform makes on a user's behalf: a guest's account, its
    sign-in and its upgrade to a registered user (the same Cognito user, so the same ``sub``)."""

    def __init__(self, pool_id: str | None = None, client_id: str | None = None, client: Any = None):
        self.pool_id = pool_id or os.environ["USER_POOL_ID"]
        self.client_id = client_id or os.environ.get("USER_POOL_CLIENT_ID", "")
        self._client = client

    @property
    def client(self) -> Any:
        return self._client or _cognito()

    def create_guest(self, username: str, secret: str, name: str) -> str:
        """A confirmed user with the generated ``username`` and ``secret``, in the guests group; its sub.
        The address is never written to (MessageAction SUPPRESS, and it is on a domain no mail reaches)."""
        created = self.client.admin_create_user(
            UserPoolId=self.pool_id,
            Username=username,
            UserAttributes=[{"Name": "email", "Value": username}, {"Name": "name", "Value": name}],
            MessageAction="SUPPRESS",
        )["User"]
        sub = next(a["Value"] for a in created["Attributes"] if a["Name"] == "sub")
        try:
            self.client.admin_set_user_password(UserPoolId=self.pool_id, Username=username, Password=secret, Permanent=True)
            self.client.admin_add_user_to_group(UserPoolId=self.pool_id, Username=username, GroupName=GUESTS_GROUP)
        except Exception:
            self.delete(sub)  # no half-made guest: a user without its secret or group is nobody's
            raise
        return sub

    def sign_in(self, username: str, password: str) -> dict[str, Any]:
        """Tokens for the user, as the app's client issues them (its refresh token works with the app's
        REFRESH_TOKEN_AUTH): {idToken, accessToken, refreshToken, expiresIn, tokenType}."""
        result = self.client.admin_initiate_auth(
            UserPoolId=self.pool_id,
            ClientId=self.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )["AuthenticationResult"]
        return {
            "idToken": result["IdToken"],
            "accessToken": result["AccessToken"],
            "refreshToken": result.get("RefreshToken"),
            "expiresIn": result["ExpiresIn"],
            "tokenType": result.get("TokenType", "Bearer"),
        }

    def holders(self, email: str) -> dict[str, bool]:
        """The users (sub: whether they verified it) whose address is ``email``, as typed or in lower case
        (the platform writes addresses in lower case; a user who signed up may have typed capitals)."""
        found = {}
        for spelling in dict.fromkeys([email, email.lower()]):
            quoted = spelling.replace("\\", "\\\\").replace('"', '\\"')
            for user in self.client.list_users(UserPoolId=self.pool_id, Filter=f'email = "{quoted}"', Limit=10)["Users"]:
                attributes = {a["Name"]: a["Value"] for a in user["Attributes"]}
                found[attributes["sub"]] = attributes.get("email_verified") == "true"
        return found

    def email_of(self, sub: str) -> str:
        user = self.client.admin_get_user(UserPoolId=self.pool_id, Username=sub)
        return next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "email")

    def register(self, sub: str, *, email: str, name: str, password: str, guest_email: str) -> None:
        """Turn the guest ``sub`` into a registered user: their address (unverified: the pool sends it a
        code, VerifyUserAttribute confirms it), name and password, and the users group instead of guests.
        A password the pool refuses puts the guest's address back (``guest_email``): nothing half-done."""
        from zik.platform.guests import GUEST_NAME, USERS_GROUP

        client = self.client

        def attributes(address: str, person: str, verified: str) -> None:
            client.admin_update_user_attributes(
                UserPoolId=self.pool_id,
                Username=sub,
                UserAttributes=[
                    {"Name": "email", "Value": address},
                    {"Name": "name", "Value": person},
                    {"Name": "email_verified", "Value": verified},
                ],
            )

        try:
            attributes(email.lower(), name, "false")
        except (client.exceptions.AliasExistsException, client.exceptions.UsernameExistsException):
            raise EmailTaken(email) from None
        try:
            client.admin_set_user_password(UserPoolId=self.pool_id, Username=sub, Password=password, Permanent=True)
        except client.exceptions.InvalidPasswordException as exc:
            attributes(guest_email, GUEST_NAME, "false")
            raise PasswordRefused(exc.response.get("Error", {}).get("Message", "the password breaks the pool's policy")) from None
        client.admin_add_user_to_group(UserPoolId=self.pool_id, Username=sub, GroupName=USERS_GROUP)
        client.admin_remove_user_from_group(UserPoolId=self.pool_id, Username=sub, GroupName=GUESTS_GROUP)

    def is_guest(self, sub: str) -> bool:
        """Whether the user is (still) in the guests group; a user Cognito no longer has counts as one (what
        is left of them is a guest's data, for the sweep to erase)."""
        try:
            groups = self.client.admin_list_groups_for_user(UserPoolId=self.pool_id, Username=sub, Limit=60)["Groups"]
        except self.client.exceptions.UserNotFoundException:
            return True
        return any(group["GroupName"] == GUESTS_GROUP for group in groups)

    def delete(self, sub: str) -> bool:
        try:
            self.client.admin_delete_user(UserPoolId=self.pool_id, Username=sub)
        except self.client.exceptions.UserNotFoundException:
            return False
        return True


@cache
def _cognito_identity() -> Any:
    return boto3.client("cognito-identity")


def identity_id_of(id_token: str | None) -> str | None:
    """The user's identity in the identity pool (IDENTITY_POOL_ID) for their ID token: the prefix
    ``identities/<identity id>/`` of UserFilesBucket their own credentials reach, which their erasure
    empties. None when no pool is configured, no token is given, or Cognito refused (logged)."""
    pool = os.environ.get("IDENTITY_POOL_ID")
    user_pool = os.environ.get("USER_POOL_ID")
    if not pool or not user_pool or not id_token:
        return None
    region = pool.split(":", 1)[0]
    client = _cognito_identity()
    try:
        return client.get_id(IdentityPoolId=pool, Logins={f"cognito-idp.{region}.amazonaws.com/{user_pool}": id_token})["IdentityId"]
    except (
        client.exceptions.NotAuthorizedException,
        client.exceptions.ResourceNotFoundException,
        client.exceptions.InvalidParameterException,
    ) as exc:
        logger.warning("no identity pool identity for the token", extra={"error": type(exc).__name__})
        return None
