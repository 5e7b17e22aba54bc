"""Sign-in through `zik dev` as an app does it: boto3's cognito-idp against the embedded AWS, a real SRP client
(pycognito's AWSSRP), the confirmation code read with `zik codes`, TOTP codes from pyotp, and the API called
with the ID token the sign-in gave."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import uuid
from typing import Any

import pyotp
import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP
from pycognito.exceptions import SoftwareTokenMFAChallengeException

from tests.e2e.devserver import ROOT, DevServer, zik_command
from zik import clock

PASSWORD = "Correct-horse-9"


def _zik_codes(dev: DevServer, email: str) -> list[dict[str, Any]]:
    done = subprocess.run(
        [*zik_command(), "codes", "--user", email, "--json", "--url", dev.url], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def _srp(app: dict[str, Any], email: str, password: str = PASSWORD) -> dict[str, Any]:
    return AWSSRP(username=email, password=password, pool_id=app["pool_id"], client_id=app["client_id"], client=app["idp"]).authenticate_user()


def _refresh(app: dict[str, Any], refresh_token: str) -> dict[str, Any]:
    return app["idp"].initiate_auth(ClientId=app["client_id"], AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": refresh_token})


def _signed_up(dev: DevServer, app: dict[str, Any]) -> str:
    email = f"e2e-{uuid.uuid4().hex[:10]}@example.com"
    app["idp"].sign_up(
        ClientId=app["client_id"],
        Username=email,
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "name", "Value": "Grace Hopper"}],
    )
    (code,) = _zik_codes(dev, email)
    app["idp"].confirm_sign_up(ClientId=app["client_id"], Username=email, ConfirmationCode=code["code"])
    return email


def test_the_whole_sign_in_life_cycle(dev: DevServer, app: dict[str, Any]) -> None:
    idp = app["idp"]
    email = f"e2e-{uuid.uuid4().hex[:10]}@example.com"
    idp.sign_up(
        ClientId=app["client_id"],
        Username=email,
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "name", "Value": "Grace Hopper"}],
    )
    with pytest.raises(ClientError) as unconfirmed:
        _srp(app, email)
    assert unconfirmed.value.response["Error"]["Code"] == "UserNotConfirmedException"

    (code,) = _zik_codes(dev, email)
    assert code["purpose"] == "sign_up" and f"code for {email}: {code['code']}" in dev.output()
    idp.confirm_sign_up(ClientId=app["client_id"], Username=email, ConfirmationCode=code["code"])
    with pytest.raises(ClientError) as reused:
        idp.confirm_sign_up(ClientId=app["client_id"], Username=email, ConfirmationCode=code["code"])
    assert reused.value.response["Error"]["Code"] == "NotAuthorizedException"

    tokens = _srp(app, email)["AuthenticationResult"]
    me = dev.request("GET", "/me", token=tokens["IdToken"])
    assert me.status == 200, me.raw
    assert dev.request("GET", "/me", token=tokens["AccessToken"]).status == 401  # the authorizer takes ID tokens

    refreshed = _refresh(app, tokens["RefreshToken"])["AuthenticationResult"]
    assert dev.request("GET", "/me", token=refreshed["IdToken"]).status == 200

    # TOTP: associate, verify with a pyotp code, prefer it; the next sign-in asks for a code.
    secret = idp.associate_software_token(AccessToken=refreshed["AccessToken"])["SecretCode"]
    totp = pyotp.TOTP(secret)
    assert idp.verify_software_token(AccessToken=refreshed["AccessToken"], UserCode=totp.now())["Status"] == "SUCCESS"
    idp.set_user_mfa_preference(AccessToken=refreshed["AccessToken"], SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    with pytest.raises(SoftwareTokenMFAChallengeException) as challenge:
        _srp(app, email)
    session = challenge.value.get_tokens()["Session"]
    wrong = f"{(int(totp.now()) + 1) % 10**6:06d}"
    with pytest.raises(ClientError) as mismatch:
        idp.respond_to_auth_challenge(
            ClientId=app["client_id"],
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=session,
            ChallengeResponses={"USERNAME": email, "SOFTWARE_TOKEN_MFA_CODE": wrong},
        )
    assert mismatch.value.response["Error"]["Code"] == "CodeMismatchException"
    mfa = idp.respond_to_auth_challenge(
        ClientId=app["client_id"],
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=session,
        ChallengeResponses={"USERNAME": email, "SOFTWARE_TOKEN_MFA_CODE": totp.now()},
    )["AuthenticationResult"]
    assert dev.request("GET", "/me", token=mfa["IdToken"]).status == 200

    # Signed out everywhere: no refresh token of the user gets new tokens any more.
    idp.global_sign_out(AccessToken=mfa["AccessToken"])
    for refresh_token in (tokens["RefreshToken"], mfa["RefreshToken"]):
        with pytest.raises(ClientError) as refused:
            _refresh(app, refresh_token)
        assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"


def test_a_wrong_password_says_nothing_of_whether_the_user_exists(dev: DevServer, app: dict[str, Any]) -> None:
    email = _signed_up(dev, app)
    errors = []
    for username, password in ((email, "Wrong-horse-9"), (f"nobody-{uuid.uuid4().hex[:8]}@example.com", PASSWORD)):
        with pytest.raises(ClientError) as excinfo:
            _srp(app, username, password)
        errors.append(excinfo.value.response["Error"])
    assert errors[0] == errors[1] and errors[0]["Code"] == "NotAuthorizedException"


def test_forgot_password_with_the_code_from_zik_codes(dev: DevServer, app: dict[str, Any]) -> None:
    email = _signed_up(dev, app)
    app["idp"].forgot_password(ClientId=app["client_id"], Username=email)
    reset = next(c for c in _zik_codes(dev, email) if c["purpose"] == "forgot_password")
    with pytest.raises(ClientError) as weak:
        app["idp"].confirm_forgot_password(ClientId=app["client_id"], Username=email, ConfirmationCode=reset["code"], Password="alllowercase")
    assert weak.value.response["Error"]["Code"] == "InvalidPasswordException"
    app["idp"].confirm_forgot_password(ClientId=app["client_id"], Username=email, ConfirmationCode=reset["code"], Password="Brand-new-42")
    assert dev.request("GET", "/me", token=_srp(app, email, "Brand-new-42")["AuthenticationResult"]["IdToken"]).status == 200


def test_a_revoked_refresh_token_is_refused(dev: DevServer, app: dict[str, Any]) -> None:
    tokens = _srp(app, _signed_up(dev, app))["AuthenticationResult"]
    app["idp"].revoke_token(ClientId=app["client_id"], Token=tokens["RefreshToken"])
    with pytest.raises(ClientError) as refused:
        _refresh(app, tokens["RefreshToken"])
    assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"


def test_a_deleted_users_token_is_401(dev: DevServer, app: dict[str, Any]) -> None:
    tokens = _srp(app, _signed_up(dev, app))["AuthenticationResult"]
    assert dev.request("GET", "/me", token=tokens["IdToken"]).status == 200
    assert dev.request("DELETE", "/me", token=tokens["IdToken"]).status == 202
    answer = dev.request("GET", "/me", token=tokens["IdToken"])
    assert answer.status == 401 and answer.error["code"] == "unauthorized"


def test_zik_token_stays_the_shortcut(dev: DevServer) -> None:
    assert dev.request("GET", "/me", token=dev.token(f"shortcut-{uuid.uuid4().hex[:6]}")).status == 200


def test_a_guest_writes_upgrades_and_finds_everything(dev: DevServer, app: dict[str, Any]) -> None:
    """An app without an account: a guest (POST /guests, no token), who writes entries and a goal, upgrades
    with an address and a password (POST /me/upgrade), signs in with SRP and finds all of it, the same user."""
    made = dev.request("POST", "/guests")
    assert made.status == 201, made.raw
    guest = made.body
    token = guest["idToken"]
    today = clock.today("UTC")
    entries = [
        dev.request("POST", "/entries", token=token, body={"content": text, "mood": 4}) for text in ("Day one as a guest.", "Day two, still a guest.")
    ]
    assert [e.status for e in entries] == [201, 201], [e.raw for e in entries]
    goal = dev.request("POST", "/goals", token=token, body={"title": "Learn to juggle", "targetDate": (today + dt.timedelta(days=60)).isoformat()})
    assert goal.status == 202, goal.raw
    # The app refreshes a guest's tokens as any user's.
    assert _refresh(app, guest["refreshToken"])["AuthenticationResult"]["IdToken"]

    email = f"e2e-{uuid.uuid4().hex[:10]}@example.com"
    upgraded = dev.request("POST", "/me/upgrade", token=token, body={"email": email, "password": PASSWORD, "name": "Ada Lovelace"})
    assert upgraded.status == 200, upgraded.raw
    assert upgraded.body["userId"] == guest["userId"] and upgraded.body["emailVerified"] is False

    tokens = _srp(app, email)["AuthenticationResult"]
    for bearer in (tokens["IdToken"], token):  # the guest's token too, until it expires: the same user
        me = dev.request("GET", "/me", token=bearer)
        assert me.status == 200 and me.body["userId"] == guest["userId"]
        listed = dev.request("GET", "/entries", token=bearer).body["items"]
        assert {e["entryId"] for e in listed} == {e.body["entryId"] for e in entries}
        assert [g["goalId"] for g in dev.request("GET", "/goals", token=bearer).body["goals"]] == [goal.body["goalId"]]

    # The pool sent a code to the address: the app confirms it with VerifyUserAttribute.
    (code,) = [c for c in _zik_codes(dev, email) if c["purpose"] == "verify_email"]
    app["idp"].verify_user_attribute(AccessToken=tokens["AccessToken"], AttributeName="email", Code=code["code"])
    attributes = {a["Name"]: a["Value"] for a in app["idp"].get_user(AccessToken=tokens["AccessToken"])["UserAttributes"]}
    assert attributes["email_verified"] == "true"

    # Another guest cannot take that address; the first cannot upgrade twice into another.
    other = dev.request("POST", "/guests").body
    taken = dev.request("POST", "/me/upgrade", token=other["idToken"], body={"email": email, "password": PASSWORD, "name": "Someone"})
    assert taken.status == 409 and taken.body["error"]["field"] == "email"
    again = dev.request("POST", "/me/upgrade", token=tokens["IdToken"], body={"email": f"x-{email}", "password": PASSWORD, "name": "Ada"})
    assert again.status == 409 and again.body["error"]["details"]["reason"] == "already_registered"
