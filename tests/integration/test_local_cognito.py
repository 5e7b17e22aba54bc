"""The embedded Cognito as an app meets it: boto3's cognito-idp against the local cloud's moto server (with
zik_local/hooks.py installed), a real SRP client (pycognito's AWSSRP) and TOTP codes from pyotp.

The user pool and its app client are created with template.yaml's own settings (password policy, e-mail
sign-in, ExplicitAuthFlows, PreventUserExistenceErrors, token validity)."""

from __future__ import annotations

import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import jwt
import pyotp
import pytest
import yaml
from botocore.config import Config
from botocore.exceptions import ClientError
from moto.server import ThreadedMotoServer
from pycognito.aws_srp import AWSSRP
from pycognito.exceptions import SoftwareTokenMFAChallengeException

from zik_local import hooks
from zik_local.auth import LocalCognito, SigningKey, TokenRejected
from zik_local.provision import FunctionSpec
from zik_local.runtime import Invocation, Runtime, SandboxPool

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Correct-horse-9"


class _Tags(yaml.SafeLoader):
    pass


_Tags.add_multi_constructor("!", lambda loader, suffix, node: None)


def _template_resource(logical_id: str) -> dict[str, Any]:
    document = yaml.load((ROOT / "template.yaml").read_text(), Loader=_Tags)
    return document["Resources"][logical_id]["Properties"]


class _Recorder:
    """The local cloud as the hooks see it: its log, and the functions it runs (a Runtime's, once given one)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.runtime: Runtime | None = None

    def log(self, source: str, line: str) -> None:
        self.lines.append(f"[{source}] {line}")

    def invoke_function(self, function_arn: str, event: Any) -> Invocation:
        if self.runtime is None:
            raise LookupError(f"no function behind {function_arn}")
        return self.runtime.invoke(function_arn.rsplit(":", 1)[-1], event)


@pytest.fixture(scope="module")
def recorder() -> Iterator[_Recorder]:
    recorder = _Recorder()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    hooks.install(recorder)  # type: ignore[arg-type]
    host, port = server.get_host_and_port()
    recorder.endpoint = f"http://{host}:{port}"  # type: ignore[attr-defined]
    try:
        yield recorder
    finally:
        hooks.uninstall()
        server.stop()


@pytest.fixture(scope="module")
def idp(recorder: _Recorder) -> Any:
    return boto3.client(
        "cognito-idp",
        endpoint_url=recorder.endpoint,
        region_name="us-east-1",  # type: ignore[attr-defined]
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1}),
    )


@pytest.fixture(scope="module")
def pool(idp: Any) -> dict[str, str]:
    p = _template_resource("UserPool")
    pool_id = idp.create_user_pool(
        PoolName="zik-test-users",
        **{k: p[k] for k in ("UsernameAttributes", "AutoVerifiedAttributes", "MfaConfiguration", "Schema", "AccountRecoverySetting")},
        Policies={"PasswordPolicy": p["Policies"]["PasswordPolicy"]},
    )["UserPool"]["Id"]
    c = _template_resource("UserPoolClient")
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="zik-test-app",
        **{
            k: c[k]
            for k in (
                "GenerateSecret",
                "PreventUserExistenceErrors",
                "ExplicitAuthFlows",
                "AccessTokenValidity",
                "IdTokenValidity",
                "RefreshTokenValidity",
                "TokenValidityUnits",
                "ReadAttributes",
                "WriteAttributes",
            )
        },
    )["UserPoolClient"]["ClientId"]
    return {"pool_id": pool_id, "client_id": client_id}


def _code(user: str, purpose: str = "sign_up") -> str:
    return next(r["code"] for r in reversed(hooks.cognito_codes) if r["user"] == user and r["purpose"] == purpose)


def _sign_up(idp: Any, pool: dict[str, str], *, confirm: bool = True) -> str:
    email = f"u{uuid.uuid4().hex[:10]}@example.com"
    idp.sign_up(
        ClientId=pool["client_id"],
        Username=email,
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "name", "Value": "Ada Lovelace"}],
    )
    if confirm:
        idp.confirm_sign_up(ClientId=pool["client_id"], Username=email, ConfirmationCode=_code(email))
    return email


def _srp(idp: Any, pool: dict[str, str], email: str, password: str = PASSWORD) -> dict[str, Any]:
    return AWSSRP(username=email, password=password, pool_id=pool["pool_id"], client_id=pool["client_id"], client=idp).authenticate_user()


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> str:
    return excinfo.value.response["Error"]["Code"]


def test_sign_up_confirm_and_sign_in_with_srp(idp: Any, pool: dict[str, str], recorder: _Recorder) -> None:
    email = _sign_up(idp, pool, confirm=False)
    code = _code(email)
    assert f"[cognito] code for {email}: {code} (sign up)" in recorder.lines

    idp.confirm_sign_up(ClientId=pool["client_id"], Username=email, ConfirmationCode=code)
    tokens = _srp(idp, pool, email)["AuthenticationResult"]

    claims = jwt.decode(tokens["IdToken"], options={"verify_signature": False})
    assert claims["token_use"] == "id" and claims["aud"] == pool["client_id"]
    assert claims["email"] == email and claims["name"] == "Ada Lovelace" and claims["email_verified"] is True
    assert claims["iss"] == f"https://cognito-idp.us-east-1.amazonaws.com/{pool['pool_id']}"
    assert idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == claims["sub"]


def test_the_local_authorizer_accepts_the_pools_tokens_and_zik_tokens(idp: Any, pool: dict[str, str], tmp_path: Path) -> None:
    tokens = _srp(idp, pool, _sign_up(idp, pool))["AuthenticationResult"]
    cognito = LocalCognito(SigningKey.load_or_create(tmp_path), pool["pool_id"], [pool["client_id"]])

    assert cognito.verify(tokens["IdToken"])["token_use"] == "id"
    assert cognito.verify(cognito.mint("alice"))["sub"]
    with pytest.raises(TokenRejected):
        cognito.verify(tokens["AccessToken"])  # token_use access: not what the API's authorizer takes
    other = LocalCognito(SigningKey.load_or_create(tmp_path), pool["pool_id"], ["another-client"])
    with pytest.raises(TokenRejected):
        other.verify(tokens["IdToken"])


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(idp: Any, pool: dict[str, str]) -> None:
    email = _sign_up(idp, pool)
    answers = []
    for username, password in ((email, "Wrong-horse-9"), (f"nobody{uuid.uuid4().hex[:6]}@example.com", PASSWORD)):
        with pytest.raises(ClientError) as excinfo:
            _srp(idp, pool, username, password)
        answers.append((_error(excinfo), excinfo.value.response["Error"]["Message"]))
    assert answers[0] == answers[1] == ("NotAuthorizedException", "Incorrect username or password.")


def test_an_unconfirmed_user_is_told_so_only_with_the_right_password(idp: Any, pool: dict[str, str]) -> None:
    email = _sign_up(idp, pool, confirm=False)
    with pytest.raises(ClientError) as wrong:
        _srp(idp, pool, email, "Wrong-horse-9")
    with pytest.raises(ClientError) as right:
        _srp(idp, pool, email)
    assert (_error(wrong), _error(right)) == ("NotAuthorizedException", "UserNotConfirmedException")


def test_confirmation_codes_are_checked_and_used_once(idp: Any, pool: dict[str, str]) -> None:
    email = _sign_up(idp, pool, confirm=False)
    code = _code(email)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    with pytest.raises(ClientError) as mismatch:
        idp.confirm_sign_up(ClientId=pool["client_id"], Username=email, ConfirmationCode=wrong)
    assert _error(mismatch) == "CodeMismatchException"
    idp.confirm_sign_up(ClientId=pool["client_id"], Username=email, ConfirmationCode=code)
    with pytest.raises(ClientError) as reused:
        idp.confirm_sign_up(ClientId=pool["client_id"], Username=email, ConfirmationCode=code)
    assert _error(reused) == "NotAuthorizedException"


def test_a_changed_address_is_unverified_until_its_code_is_confirmed_once(idp: Any, pool: dict[str, str], recorder: _Recorder) -> None:
    email = _sign_up(idp, pool)
    tokens = _srp(idp, pool, email)["AuthenticationResult"]
    sub = idp.get_user(AccessToken=tokens["AccessToken"])["Username"]
    changed = f"new-{email}"

    idp.admin_update_user_attributes(UserPoolId=pool["pool_id"], Username=sub, UserAttributes=[{"Name": "email", "Value": changed}])

    attributes = {a["Name"]: a["Value"] for a in idp.admin_get_user(UserPoolId=pool["pool_id"], Username=sub)["UserAttributes"]}
    assert attributes["email"] == changed and attributes["email_verified"] == "false"
    first = _code(changed, "verify_email")
    assert f"[cognito] code for {changed}: {first} (verify email)" in recorder.lines
    resent = idp.get_user_attribute_verification_code(AccessToken=tokens["AccessToken"], AttributeName="email")
    assert resent["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    code = _code(changed, "verify_email")
    with pytest.raises(ClientError) as stale:
        idp.verify_user_attribute(AccessToken=tokens["AccessToken"], AttributeName="email", Code=first if first != code else "000000")
    assert _error(stale) == "CodeMismatchException"

    idp.verify_user_attribute(AccessToken=tokens["AccessToken"], AttributeName="email", Code=code)

    attributes = {a["Name"]: a["Value"] for a in idp.admin_get_user(UserPoolId=pool["pool_id"], Username=sub)["UserAttributes"]}
    assert attributes["email_verified"] == "true"
    with pytest.raises(ClientError) as reused:
        idp.verify_user_attribute(AccessToken=tokens["AccessToken"], AttributeName="email", Code=code)
    assert _error(reused) == "CodeMismatchException"
    assert _srp(idp, pool, changed)["AuthenticationResult"]["IdToken"]  # the new address signs in


def test_an_expired_confirmation_code_and_a_resent_one(idp: Any, pool: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    email = _sign_up(idp, pool, confirm=False)
    old = _code(email)
    later = time.time() + hooks.CODE_VALIDITY_SECONDS + 1
    monkeypatch.setattr(hooks, "cognito_now", lambda: later)
    with pytest.raises(ClientError) as expired:
        idp.confirm_sign_up(ClientId=pool["client_id"], Username=email, ConfirmationCode=old)
    assert _error(expired) == "ExpiredCodeException"

    idp.resend_confirmation_code(ClientId=pool["client_id"], Username=email)
    idp.confirm_sign_up(ClientId=pool["client_id"], Username=email, ConfirmationCode=_code(email))
    assert idp.admin_get_user(UserPoolId=pool["pool_id"], Username=email)["UserStatus"] == "CONFIRMED"


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("Sh0rt!", "not long enough"),
        ("lowercase-only-9", "uppercase"),
        ("UPPERCASE-ONLY-9", "lowercase"),
        ("No-digits-here", "numeric"),
        ("NoSymbols99", "symbol"),
    ],
)
def test_the_templates_password_policy_at_sign_up(idp: Any, pool: dict[str, str], password: str, rule: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        idp.sign_up(
            ClientId=pool["client_id"],
            Username=f"p{uuid.uuid4().hex[:8]}@example.com",
            Password=password,
            UserAttributes=[{"Name": "name", "Value": "P"}],
        )
    assert _error(excinfo) == "InvalidPasswordException" and rule in excinfo.value.response["Error"]["Message"]


def test_forgot_password_and_its_code(idp: Any, pool: dict[str, str], recorder: _Recorder) -> None:
    email = _sign_up(idp, pool)
    idp.forgot_password(ClientId=pool["client_id"], Username=email)
    code = _code(email, "forgot_password")
    assert f"[cognito] code for {email}: {code} (forgot password)" in recorder.lines
    with pytest.raises(ClientError) as weak:
        idp.confirm_forgot_password(ClientId=pool["client_id"], Username=email, ConfirmationCode=code, Password="weakpassword")
    assert _error(weak) == "InvalidPasswordException"
    with pytest.raises(ClientError) as wrong:
        idp.confirm_forgot_password(
            ClientId=pool["client_id"], Username=email, ConfirmationCode="000000" if code != "000000" else "111111", Password="New-horse-77"
        )
    assert _error(wrong) == "CodeMismatchException"

    idp.confirm_forgot_password(ClientId=pool["client_id"], Username=email, ConfirmationCode=code, Password="New-horse-77")
    with pytest.raises(ClientError) as reused:
        idp.confirm_forgot_password(ClientId=pool["client_id"], Username=email, ConfirmationCode=code, Password="Other-horse-77")
    assert _error(reused) == "CodeMismatchException"
    with pytest.raises(ClientError) as old:
        _srp(idp, pool, email)
    assert _error(old) == "NotAuthorizedException"
    assert _srp(idp, pool, email, "New-horse-77")["AuthenticationResult"]["IdToken"]


def test_refresh_then_global_sign_out_refuses_the_refresh_token(idp: Any, pool: dict[str, str]) -> None:
    tokens = _srp(idp, pool, _sign_up(idp, pool))["AuthenticationResult"]
    refreshed = idp.initiate_auth(ClientId=pool["client_id"], AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    assert refreshed["AuthenticationResult"]["IdToken"]

    idp.global_sign_out(AccessToken=refreshed["AuthenticationResult"]["AccessToken"])
    with pytest.raises(ClientError) as excinfo:
        idp.initiate_auth(ClientId=pool["client_id"], AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    assert _error(excinfo) == "NotAuthorizedException"
    with pytest.raises(ClientError) as access:
        idp.get_user(AccessToken=tokens["AccessToken"])
    assert _error(access) == "NotAuthorizedException"


def test_admin_global_sign_out_by_sub_reaches_tokens_of_an_email_sign_in(idp: Any, pool: dict[str, str]) -> None:
    email = _sign_up(idp, pool)
    tokens = _srp(idp, pool, email)["AuthenticationResult"]
    sub = jwt.decode(tokens["IdToken"], options={"verify_signature": False})["sub"]
    idp.admin_user_global_sign_out(UserPoolId=pool["pool_id"], Username=sub)
    with pytest.raises(ClientError) as excinfo:
        idp.initiate_auth(ClientId=pool["client_id"], AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    assert _error(excinfo) == "NotAuthorizedException"


def test_revoke_token_refuses_the_refresh_token_and_its_access_tokens(idp: Any, pool: dict[str, str]) -> None:
    email = _sign_up(idp, pool)
    first = _srp(idp, pool, email)["AuthenticationResult"]
    second = _srp(idp, pool, email)["AuthenticationResult"]
    with pytest.raises(ClientError) as jwt_given:
        idp.revoke_token(ClientId=pool["client_id"], Token=first["AccessToken"])
    assert _error(jwt_given) == "UnsupportedTokenTypeException"

    idp.revoke_token(ClientId=pool["client_id"], Token=first["RefreshToken"])
    with pytest.raises(ClientError) as refused:
        idp.initiate_auth(ClientId=pool["client_id"], AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]})
    assert _error(refused) == "NotAuthorizedException"
    with pytest.raises(ClientError):
        idp.get_user(AccessToken=first["AccessToken"])
    # Another session of the same user is not touched.
    assert idp.get_user(AccessToken=second["AccessToken"])["Username"]
    assert idp.initiate_auth(ClientId=pool["client_id"], AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": second["RefreshToken"]})


def test_an_expired_refresh_token_is_refused(idp: Any, pool: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    tokens = _srp(idp, pool, _sign_up(idp, pool))["AuthenticationResult"]
    later = time.time() + 30 * 86400 + 1  # the template's RefreshTokenValidity: 30 days
    monkeypatch.setattr(hooks, "cognito_now", lambda: later)
    with pytest.raises(ClientError) as excinfo:
        idp.initiate_auth(ClientId=pool["client_id"], AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    assert excinfo.value.response["Error"] == {"Code": "NotAuthorizedException", "Message": "Refresh Token has expired"}


def test_a_deleted_users_refresh_token_is_refused(idp: Any, pool: dict[str, str]) -> None:
    tokens = _srp(idp, pool, _sign_up(idp, pool))["AuthenticationResult"]
    idp.delete_user(AccessToken=tokens["AccessToken"])
    with pytest.raises(ClientError) as excinfo:
        idp.initiate_auth(ClientId=pool["client_id"], AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    assert _error(excinfo) == "NotAuthorizedException"


def test_password_sign_in_is_refused_where_the_client_allows_only_srp(idp: Any, pool: dict[str, str]) -> None:
    email = _sign_up(idp, pool)
    with pytest.raises(ClientError) as excinfo:
        idp.initiate_auth(ClientId=pool["client_id"], AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD})
    assert _error(excinfo) == "InvalidParameterException"


def test_totp_mfa_with_a_secret_of_the_users_own(idp: Any, pool: dict[str, str]) -> None:
    email = _sign_up(idp, pool)
    access = _srp(idp, pool, email)["AuthenticationResult"]["AccessToken"]
    secret = idp.associate_software_token(AccessToken=access)["SecretCode"]
    other = idp.associate_software_token(AccessToken=_srp(idp, pool, _sign_up(idp, pool))["AuthenticationResult"]["AccessToken"])["SecretCode"]
    assert secret != other and secret != "asdfasdfasdf"
    with pytest.raises(ClientError) as mismatch:
        idp.verify_software_token(AccessToken=access, UserCode=pyotp.TOTP(other).now())
    assert _error(mismatch) == "EnableSoftwareTokenMFAException"
    assert idp.verify_software_token(AccessToken=access, UserCode=pyotp.TOTP(secret).now(), FriendlyDeviceName="phone")["Status"] == "SUCCESS"
    idp.set_user_mfa_preference(AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})

    with pytest.raises(SoftwareTokenMFAChallengeException) as challenge:
        _srp(idp, pool, email)
    session = challenge.value.get_tokens()["Session"]
    with pytest.raises(ClientError) as wrong:
        idp.respond_to_auth_challenge(
            ClientId=pool["client_id"],
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=session,
            ChallengeResponses={"USERNAME": email, "SOFTWARE_TOKEN_MFA_CODE": pyotp.TOTP(other).now()},
        )
    assert _error(wrong) == "CodeMismatchException"
    tokens = idp.respond_to_auth_challenge(
        ClientId=pool["client_id"],
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=session,
        ChallengeResponses={"USERNAME": email, "SOFTWARE_TOKEN_MFA_CODE": pyotp.TOTP(secret).now()},
    )
    assert tokens["AuthenticationResult"]["IdToken"]


def test_a_password_verifier_is_answered_once(idp: Any, pool: dict[str, str]) -> None:
    email = _sign_up(idp, pool)
    srp = AWSSRP(username=email, password=PASSWORD, pool_id=pool["pool_id"], client_id=pool["client_id"], client=idp)
    auth_params = srp.get_auth_params()
    challenge = idp.initiate_auth(ClientId=pool["client_id"], AuthFlow="USER_SRP_AUTH", AuthParameters=auth_params)
    answer = srp.process_challenge(challenge["ChallengeParameters"], auth_params)
    assert idp.respond_to_auth_challenge(ClientId=pool["client_id"], ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=answer)[
        "AuthenticationResult"
    ]
    with pytest.raises(ClientError) as replayed:
        idp.respond_to_auth_challenge(ClientId=pool["client_id"], ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=answer)
    assert _error(replayed) == "NotAuthorizedException"


# -- the PostConfirmation trigger, run for real: functions/post_confirmation in the local runtime -------------
REFUSING_TRIGGER = textwrap.dedent("""
    def lambda_handler(event, context):
        raise RuntimeError("the trigger refused " + event["request"]["userAttributes"]["email"])
""")


def _spec(logical_id: str, code_dir: Path, environment: dict[str, str]) -> FunctionSpec:
    return FunctionSpec(
        logical_id=logical_id,
        name=logical_id,
        arn=f"arn:aws:lambda:us-east-1:123456789012:function:{logical_id}",
        code_dir=code_dir,
        handler="app.lambda_handler",
        runtime="python3.11",
        environment=environment,
        timeout=5,
        memory=512,
        layer_dirs=[ROOT / "layers" / "shared"],
        architectures=["arm64"],
    )


@pytest.fixture(scope="module")
def triggers(recorder: _Recorder, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    refusing = tmp_path_factory.mktemp("refusing")
    (refusing / "app.py").write_text(REFUSING_TRIGGER)
    environment = {"USERS_GROUP": "users", "POWERTOOLS_SERVICE_NAME": "zik", "POWERTOOLS_METRICS_NAMESPACE": "Zik"}
    specs = {
        "PostConfirmationFunction": _spec("PostConfirmationFunction", ROOT / "functions" / "post_confirmation", environment),
        "RefusingTrigger": _spec("RefusingTrigger", refusing, environment),
    }
    runtime = Runtime(specs, recorder.endpoint, log=recorder.log, watch=False, sandboxes=SandboxPool(spares=0))  # type: ignore[attr-defined]
    recorder.runtime = runtime
    try:
        yield {name: spec.arn for name, spec in specs.items()}
    finally:
        recorder.runtime = None
        runtime.close()


def _pool_with_trigger(idp: Any, function_arn: str) -> dict[str, str]:
    """The template's pool and client settings, its users group, and a PostConfirmation trigger."""
    p, c = _template_resource("UserPool"), _template_resource("UserPoolClient")
    pool_id = idp.create_user_pool(
        PoolName=f"zik-test-triggered-{uuid.uuid4().hex[:6]}",
        **{k: p[k] for k in ("UsernameAttributes", "AutoVerifiedAttributes", "Schema", "AccountRecoverySetting")},
        Policies={"PasswordPolicy": p["Policies"]["PasswordPolicy"]},
        LambdaConfig={"PostConfirmation": function_arn},
    )["UserPool"]["Id"]
    idp.create_group(UserPoolId=pool_id, GroupName="users")
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="zik-test-app",
        **{k: c[k] for k in ("GenerateSecret", "PreventUserExistenceErrors", "ExplicitAuthFlows", "ReadAttributes")},
    )["UserPoolClient"]["ClientId"]
    return {"pool_id": pool_id, "client_id": client_id}


def _groups(idp: Any, pool: dict[str, str], email: str) -> list[str]:
    return [g["GroupName"] for g in idp.admin_list_groups_for_user(UserPoolId=pool["pool_id"], Username=email)["Groups"]]


def test_a_confirmed_user_joins_the_users_group_through_the_real_trigger(idp: Any, triggers: dict[str, str]) -> None:
    pool = _pool_with_trigger(idp, triggers["PostConfirmationFunction"])
    email = _sign_up(idp, pool, confirm=False)
    assert _groups(idp, pool, email) == []

    idp.confirm_sign_up(ClientId=pool["client_id"], Username=email, ConfirmationCode=_code(email))

    assert _groups(idp, pool, email) == ["users"]
    claims = jwt.decode(_srp(idp, pool, email)["AuthenticationResult"]["IdToken"], options={"verify_signature": False})
    assert claims["cognito:groups"] == ["users"]


def test_a_password_reset_repairs_a_user_confirmed_before_the_trigger(idp: Any, triggers: dict[str, str]) -> None:
    pool = _pool_with_trigger(idp, triggers["PostConfirmationFunction"])
    email = _sign_up(idp, pool, confirm=False)
    idp.admin_confirm_sign_up(UserPoolId=pool["pool_id"], Username=email)
    idp.admin_remove_user_from_group(UserPoolId=pool["pool_id"], Username=email, GroupName="users")
    assert _groups(idp, pool, email) == []

    idp.forgot_password(ClientId=pool["client_id"], Username=email)
    idp.confirm_forgot_password(ClientId=pool["client_id"], Username=email, ConfirmationCode=_code(email, "forgot_password"), Password="New-horse-77")

    assert _groups(idp, pool, email) == ["users"]


def test_a_trigger_that_raises_fails_the_confirmation_as_cognito_does(idp: Any, triggers: dict[str, str], recorder: _Recorder) -> None:
    pool = _pool_with_trigger(idp, triggers["RefusingTrigger"])
    email = _sign_up(idp, pool, confirm=False)

    with pytest.raises(ClientError) as excinfo:
        idp.confirm_sign_up(ClientId=pool["client_id"], Username=email, ConfirmationCode=_code(email))

    error = excinfo.value.response["Error"]
    assert error["Code"] == "UserLambdaValidationException"
    assert error["Message"] == f"PostConfirmation failed with error the trigger refused {email}."
    # Cognito confirmed the user before it ran the trigger: the user stays confirmed, in no group.
    assert idp.admin_get_user(UserPoolId=pool["pool_id"], Username=email)["UserStatus"] == "CONFIRMED"
    assert _groups(idp, pool, email) == []
    assert any("PostConfirmation trigger failed" in line and "RuntimeError" in line for line in recorder.lines)
