"""The identity pool as an app meets it, in the local cloud running template.yaml: users sign up, confirm and
sign in (real SRP, pycognito) against the local user pool, exchange their ID token for an identity and
temporary credentials (boto3 cognito-identity), and use those credentials on UserFilesBucket (boto3 s3), where
the role IdentityPoolUserRole's policy, with ``${cognito-identity.amazonaws.com:sub}`` the caller's identity,
decides (zik_local/identity_pool.py).

One cloud serves the module; nothing here asserts how long anything took."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import jwt
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from zik_local import hooks, identity_pool
from zik_local.cloud import CloudOptions, LocalCloud

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Correct-horse-9"
REGION = "us-east-1"
_CONFIG = Config(retries={"max_attempts": 1})


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    moto_port = os.environ.get("MOTO_PORT")
    options = CloudOptions(template=ROOT / "template.yaml", port=0, state_dir=ROOT / ".zik", quiet=True, prewarm=False, watch=False)
    local = LocalCloud(options)
    try:
        local.start()
        assert local.wait_until_complete(60), "the stack's deferred resources (the role's policies) were not created"
        yield local
    finally:
        local.stop()
        if moto_port is None:
            os.environ.pop("MOTO_PORT", None)
        else:
            os.environ["MOTO_PORT"] = moto_port


def _client(cloud: LocalCloud, service: str, credentials: dict[str, str] | None = None) -> Any:
    keys = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    if credentials is not None:
        keys = {
            "aws_access_key_id": credentials["AccessKeyId"],
            "aws_secret_access_key": credentials["SecretKey"],
            "aws_session_token": credentials["SessionToken"],
        }
    return boto3.client(service, endpoint_url=cloud.aws_endpoint, region_name=REGION, config=_CONFIG, **keys)


@pytest.fixture(scope="module")
def app(cloud: LocalCloud) -> dict[str, Any]:
    outputs = cloud.info()["outputs"]
    return {
        "pool_id": outputs["UserPoolId"],
        "client_id": outputs["UserPoolClientId"],
        "identity_pool_id": outputs["IdentityPoolId"],
        "bucket": outputs["UserFilesBucketName"],
        "provider": f"cognito-idp.{REGION}.amazonaws.com/{outputs['UserPoolId']}",
        "idp": _client(cloud, "cognito-idp"),
        "identity": _client(cloud, "cognito-identity"),
    }


def _signed_in(app: dict[str, Any]) -> dict[str, str]:
    """A new user, signed up, confirmed with the code the local Cognito logged, and signed in with SRP."""
    email = f"u{uuid.uuid4().hex[:10]}@example.com"
    app["idp"].sign_up(
        ClientId=app["client_id"],
        Username=email,
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "name", "Value": "Ada Lovelace"}],
    )
    code = next(r["code"] for r in reversed(hooks.cognito_codes) if r["user"] == email and r["purpose"] == "sign_up")
    app["idp"].confirm_sign_up(ClientId=app["client_id"], Username=email, ConfirmationCode=code)
    srp = AWSSRP(username=email, password=PASSWORD, pool_id=app["pool_id"], client_id=app["client_id"], client=app["idp"])
    return srp.authenticate_user()["AuthenticationResult"]


def _identity(app: dict[str, Any], id_token: str) -> str:
    return app["identity"].get_id(IdentityPoolId=app["identity_pool_id"], Logins={app["provider"]: id_token})["IdentityId"]


def _credentials(app: dict[str, Any], identity_id: str, id_token: str) -> dict[str, Any]:
    return app["identity"].get_credentials_for_identity(IdentityId=identity_id, Logins={app["provider"]: id_token})["Credentials"]


@pytest.fixture(scope="module")
def users(cloud: LocalCloud, app: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Two users, A and B, each with an identity, credentials and an S3 client signed with them."""
    found = {}
    for name in ("a", "b"):
        tokens = _signed_in(app)
        identity_id = _identity(app, tokens["IdToken"])
        credentials = _credentials(app, identity_id, tokens["IdToken"])
        found[name] = {
            "tokens": tokens,
            "identity_id": identity_id,
            "credentials": credentials,
            "s3": _client(cloud, "s3", credentials),
            "prefix": f"identities/{identity_id}/",
        }
    return found


def _code(excinfo: pytest.ExceptionInfo[ClientError]) -> str:
    return excinfo.value.response["Error"]["Code"]


def test_the_template_provisions_the_identity_pool_and_its_role(app: dict[str, Any]) -> None:
    pool = app["identity"].describe_identity_pool(IdentityPoolId=app["identity_pool_id"])
    assert pool["AllowUnauthenticatedIdentities"] is False
    assert pool["CognitoIdentityProviders"] == [{"ProviderName": app["provider"], "ClientId": app["client_id"], "ServerSideTokenCheck": True}]
    roles = app["identity"].get_identity_pool_roles(IdentityPoolId=app["identity_pool_id"])["Roles"]
    assert set(roles) == {"authenticated"} and ":role/" in roles["authenticated"]


def test_one_identity_per_user_the_same_every_time(app: dict[str, Any], users: dict[str, dict[str, Any]]) -> None:
    a, b = users["a"], users["b"]
    assert a["identity_id"] != b["identity_id"]
    assert a["identity_id"].startswith(f"{REGION}:")
    assert _identity(app, a["tokens"]["IdToken"]) == a["identity_id"]
    # A later sign-in of the same user (a new ID token) finds the same identity.
    refreshed = app["idp"].initiate_auth(
        ClientId=app["client_id"], AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": a["tokens"]["RefreshToken"]}
    )["AuthenticationResult"]
    assert refreshed["IdToken"] != a["tokens"]["IdToken"]
    assert _identity(app, refreshed["IdToken"]) == a["identity_id"]


def test_credentials_are_the_roles_temporary_ones(cloud: LocalCloud, users: dict[str, dict[str, Any]]) -> None:
    credentials = users["a"]["credentials"]
    assert set(credentials) == {"AccessKeyId", "SecretKey", "SessionToken", "Expiration"}
    assert credentials["AccessKeyId"] != users["b"]["credentials"]["AccessKeyId"]
    caller = _client(cloud, "sts", credentials).get_caller_identity()
    assert ":assumed-role/" in caller["Arn"] and "IdentityPoolUserRole" in caller["Arn"]
    assert caller["Arn"].endswith(f"/{identity_pool.SESSION_NAME}")


def test_each_user_puts_gets_and_lists_under_its_own_prefix(app: dict[str, Any], users: dict[str, dict[str, Any]]) -> None:
    for user in users.values():
        s3, key = user["s3"], f"{user['prefix']}avatar.jpg"
        s3.put_object(Bucket=app["bucket"], Key=key, Body=b"own bytes " + user["identity_id"].encode())
        assert s3.get_object(Bucket=app["bucket"], Key=key)["Body"].read() == b"own bytes " + user["identity_id"].encode()
        assert s3.head_object(Bucket=app["bucket"], Key=key)["ContentLength"] > 0
        listed = s3.list_objects_v2(Bucket=app["bucket"], Prefix=user["prefix"])
        assert [o["Key"] for o in listed["Contents"]] == [key]
    users["a"]["s3"].delete_object(Bucket=app["bucket"], Key=f"{users['a']['prefix']}avatar.jpg")
    assert users["a"]["s3"].list_objects_v2(Bucket=app["bucket"], Prefix=users["a"]["prefix"])["KeyCount"] == 0


def test_one_users_credentials_cannot_reach_anothers_prefix(app: dict[str, Any], users: dict[str, dict[str, Any]]) -> None:
    a, b = users["a"], users["b"]
    b_key = f"{b['prefix']}secret.txt"
    b["s3"].put_object(Bucket=app["bucket"], Key=b_key, Body=b"B's alone")
    attempts = {
        "get B's object": lambda: a["s3"].get_object(Bucket=app["bucket"], Key=b_key),
        "list B's prefix": lambda: a["s3"].list_objects_v2(Bucket=app["bucket"], Prefix=b["prefix"]),
        "write under B's prefix": lambda: a["s3"].put_object(Bucket=app["bucket"], Key=f"{b['prefix']}planted.txt", Body=b"x"),
        "delete B's object": lambda: a["s3"].delete_object(Bucket=app["bucket"], Key=b_key),
        "list the bucket": lambda: a["s3"].list_objects_v2(Bucket=app["bucket"]),
        "list all of identities/": lambda: a["s3"].list_objects_v2(Bucket=app["bucket"], Prefix="identities/"),
        "write at the root": lambda: a["s3"].put_object(Bucket=app["bucket"], Key="root.txt", Body=b"x"),
        # A prefix that only starts like A's own: the policy's ${sub} is followed by a slash.
        "write beside its prefix": lambda: a["s3"].put_object(Bucket=app["bucket"], Key=f"identities/{a['identity_id']}x/y", Body=b"x"),
    }
    for what, attempt in attempts.items():
        with pytest.raises(ClientError) as excinfo:
            attempt()
        error = excinfo.value.response
        assert (error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"]) == (403, "AccessDenied"), what
    # B's object is untouched, nothing was planted, and the local cloud's own (unsigned by an identity) requests still pass.
    admin = boto3.client(
        "s3",
        endpoint_url=app["idp"].meta.endpoint_url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=_CONFIG,
    )
    assert admin.get_object(Bucket=app["bucket"], Key=b_key)["Body"].read() == b"B's alone"
    assert sorted(o["Key"] for o in admin.list_objects_v2(Bucket=app["bucket"]).get("Contents", [])) == [f"{b['prefix']}avatar.jpg", b_key]


def test_presigned_links_made_with_the_credentials_are_held_to_the_same_policy(app: dict[str, Any], users: dict[str, dict[str, Any]]) -> None:
    import urllib.error
    import urllib.request

    a, b = users["a"], users["b"]
    b["s3"].put_object(Bucket=app["bucket"], Key=f"{b['prefix']}shared.txt", Body=b"B's link")
    own = b["s3"].generate_presigned_url("get_object", Params={"Bucket": app["bucket"], "Key": f"{b['prefix']}shared.txt"})
    assert urllib.request.urlopen(own, timeout=10).read() == b"B's link"
    stolen = a["s3"].generate_presigned_url("get_object", Params={"Bucket": app["bucket"], "Key": f"{b['prefix']}shared.txt"})
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(stolen, timeout=10)
    assert excinfo.value.code == 403 and b"<Code>AccessDenied</Code>" in excinfo.value.read()


def test_the_credentials_reach_no_other_bucket(cloud: LocalCloud, app: dict[str, Any], users: dict[str, dict[str, Any]]) -> None:
    other = cloud.info()["outputs"]
    photos = next((v for k, v in other.items() if k.endswith("BucketName") and v != app["bucket"]), None)
    assert photos, "the template has another bucket"
    with pytest.raises(ClientError) as excinfo:
        users["a"]["s3"].put_object(Bucket=photos, Key=f"identities/{users['a']['identity_id']}/x", Body=b"x")
    assert _code(excinfo) == "AccessDenied"


def test_a_bad_token_gets_no_identity(app: dict[str, Any], users: dict[str, dict[str, Any]]) -> None:
    a = users["a"]
    id_token = a["tokens"]["IdToken"]
    header, payload, signature = id_token.split(".")
    forged = f"{header}.{payload}.{signature[:-4]}AAAA"
    foreign = jwt.encode(
        {"sub": "x", "token_use": "id", "aud": app["client_id"], "iss": f"https://{app['provider']}", "exp": 4102444800},
        "not the pool's key, and long enough for HS256",
        algorithm="HS256",
    )
    cases = {
        "forged signature": {app["provider"]: forged},
        "not a JWT": {app["provider"]: "hello"},
        "an access token": {app["provider"]: a["tokens"]["AccessToken"]},
        "a token the pool never signed": {app["provider"]: foreign},
        "a provider the pool does not name": {f"cognito-idp.{REGION}.amazonaws.com/{REGION}_Nope": id_token},
    }
    for what, logins in cases.items():
        with pytest.raises(ClientError) as excinfo:
            app["identity"].get_id(IdentityPoolId=app["identity_pool_id"], Logins=logins)
        assert _code(excinfo) == "NotAuthorizedException", what
    with pytest.raises(ClientError) as anonymous:
        app["identity"].get_id(IdentityPoolId=app["identity_pool_id"])
    assert _code(anonymous) == "NotAuthorizedException"


def test_an_expired_token_gets_neither_identity_nor_credentials(
    app: dict[str, Any], users: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    a = users["a"]
    expiry = jwt.decode(a["tokens"]["IdToken"], options={"verify_signature": False})["exp"]
    monkeypatch.setattr(identity_pool, "now", lambda: expiry + 1)
    with pytest.raises(ClientError) as identity:
        _identity(app, a["tokens"]["IdToken"])
    with pytest.raises(ClientError) as credentials:
        _credentials(app, a["identity_id"], a["tokens"]["IdToken"])
    assert (_code(identity), _code(credentials)) == ("NotAuthorizedException", "NotAuthorizedException")
    assert "Token expired" in identity.value.response["Error"]["Message"]


def test_credentials_need_the_identitys_own_login(app: dict[str, Any], users: dict[str, dict[str, Any]]) -> None:
    a, b = users["a"], users["b"]
    with pytest.raises(ClientError) as others:
        _credentials(app, a["identity_id"], b["tokens"]["IdToken"])
    assert _code(others) == "NotAuthorizedException"
    with pytest.raises(ClientError) as none:
        app["identity"].get_credentials_for_identity(IdentityId=a["identity_id"])
    assert _code(none) == "NotAuthorizedException"
    with pytest.raises(ClientError) as unknown:
        _credentials(app, f"{REGION}:{uuid.uuid4()}", a["tokens"]["IdToken"])
    assert _code(unknown) == "ResourceNotFoundException"


def test_expired_credentials_are_refused_by_s3(app: dict[str, Any], users: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    a = users["a"]
    monkeypatch.setattr(identity_pool, "now", lambda: a["credentials"]["Expiration"].timestamp() + 1)
    with pytest.raises(ClientError) as excinfo:
        a["s3"].get_object(Bucket=app["bucket"], Key=f"{a['prefix']}anything")
    assert _code(excinfo) == "ExpiredToken"


def test_a_signed_out_users_token_buys_no_more_credentials(app: dict[str, Any]) -> None:
    # ServerSideTokenCheck: true in the template: GlobalSignOut ends the ID token's use here too.
    tokens = _signed_in(app)
    identity_id = _identity(app, tokens["IdToken"])
    assert _credentials(app, identity_id, tokens["IdToken"])["AccessKeyId"]
    app["idp"].global_sign_out(AccessToken=tokens["AccessToken"])
    with pytest.raises(ClientError) as excinfo:
        _credentials(app, identity_id, tokens["IdToken"])
    assert _code(excinfo) == "NotAuthorizedException"


def test_a_wrongly_signed_request_with_a_sessions_key_is_refused(cloud: LocalCloud, app: dict[str, Any], users: dict[str, dict[str, Any]]) -> None:
    a = users["a"]
    wrong = {**a["credentials"], "SecretKey": "not-the-secret"}
    with pytest.raises(ClientError) as excinfo:
        _client(cloud, "s3", wrong).get_object(Bucket=app["bucket"], Key=f"{a['prefix']}anything")
    assert _code(excinfo) == "SignatureDoesNotMatch"
