"""zik_local.identity_pool's IAM pieces (policy variables, conditions, the decision over moto's statements, the
trust policy), on the policies template.yaml gives IdentityPoolUserRole; and its install puts moto back whole.
The pool end to end (GetId, GetCredentialsForIdentity, S3 with the credentials): tests/integration/test_identity_pool.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from zik_local import identity_pool
from zik_local.identity_pool import conditions_hold, decide, substitute, trusts

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "arn:aws:s3:::user-files"
ME = "us-east-1:11111111-2222-3333-4444-555555555555"
OTHER = "us-east-1:99999999-8888-7777-6666-555555555555"
POOL = "us-east-1:00000000-0000-0000-0000-000000000000"


class _Tags(yaml.SafeLoader):
    pass


def _scalar(resolve: Any) -> Any:
    return lambda loader, node: resolve(loader.construct_scalar(node)) if isinstance(node, yaml.ScalarNode) else None


# What the role's documents use: !Sub "${UserFilesBucket.Arn}/..." (the bucket's ARN in), !GetAtt and !Ref (stand-ins).
_Tags.add_multi_constructor("!", lambda loader, suffix, node: None)
_Tags.add_constructor("!Sub", _scalar(lambda text: text.replace("${UserFilesBucket.Arn}", BUCKET).replace("${!", "${")))
_Tags.add_constructor("!GetAtt", _scalar(lambda name: BUCKET if name == "UserFilesBucket.Arn" else f"arn:aws:kms:us-east-1:123456789012:key/{name}"))
_Tags.add_constructor("!Ref", _scalar(lambda name: POOL if name == "IdentityPool" else name))


@pytest.fixture(scope="module")
def role() -> dict[str, Any]:
    document = yaml.load((ROOT / "template.yaml").read_text(), Loader=_Tags)
    return document["Resources"]["IdentityPoolUserRole"]["Properties"]


@pytest.fixture(scope="module")
def policies(role: dict[str, Any]) -> list[str]:
    return [json.dumps(p["PolicyDocument"]) for p in role["Policies"]]


def _context(**extra: Any) -> dict[str, Any]:
    return {
        "cognito-identity.amazonaws.com:sub": ME,
        "cognito-identity.amazonaws.com:aud": POOL,
        "cognito-identity.amazonaws.com:amr": ["authenticated"],
        **extra,
    }


def test_policy_variables_are_the_callers() -> None:
    document = '{"Resource": "arn:aws:s3:::b/identities/${cognito-identity.amazonaws.com:sub}/${*}${?}${$}"}'
    assert json.loads(substitute(document, _context()))["Resource"] == f"arn:aws:s3:::b/identities/{ME}/*?$"
    unresolved = json.loads(substitute('{"Resource": "${aws:nothing-here}"}', _context()))["Resource"]
    assert unresolved != "" and "*" not in unresolved


@pytest.mark.parametrize(
    ("action", "resource", "extra", "allowed"),
    [
        ("s3:GetObject", f"{BUCKET}/identities/{ME}/a.jpg", {}, True),
        ("s3:PutObject", f"{BUCKET}/identities/{ME}/deep/a.jpg", {}, True),
        ("s3:DeleteObject", f"{BUCKET}/identities/{ME}/a.jpg", {}, True),
        ("s3:GetObject", f"{BUCKET}/identities/{OTHER}/a.jpg", {}, False),
        ("s3:PutObject", f"{BUCKET}/identities/{ME}x/a.jpg", {}, False),
        ("s3:PutObject", f"{BUCKET}/a.jpg", {}, False),
        ("s3:GetObjectVersion", f"{BUCKET}/identities/{ME}/a.jpg", {}, False),
        ("s3:PutObjectAcl", f"{BUCKET}/identities/{ME}/a.jpg", {}, False),
        ("s3:ListBucket", BUCKET, {"s3:prefix": f"identities/{ME}/"}, True),
        ("s3:ListBucket", BUCKET, {"s3:prefix": f"identities/{ME}/photos/"}, True),
        ("s3:ListBucket", BUCKET, {"s3:prefix": f"identities/{OTHER}/"}, False),
        ("s3:ListBucket", BUCKET, {"s3:prefix": "identities/"}, False),
        ("s3:ListBucket", BUCKET, {}, False),  # the bucket's root: no prefix
        ("s3:DeleteBucket", BUCKET, {}, False),
        ("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:123456789012:table/Users", {}, False),
    ],
)
def test_the_roles_policy_reaches_only_the_callers_prefix(
    policies: list[str], action: str, resource: str, extra: dict[str, str], allowed: bool
) -> None:
    assert decide(policies, action, resource, _context(**extra)) is allowed


def test_an_explicit_deny_wins_and_an_allow_whose_condition_fails_grants_nothing() -> None:
    allow_all = json.dumps({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
    deny_other = json.dumps(
        {"Statement": {"Effect": "Deny", "Action": "s3:GetObject", "NotResource": f"{BUCKET}/identities/${{cognito-identity.amazonaws.com:sub}}/*"}}
    )
    assert decide([allow_all, deny_other], "s3:GetObject", f"{BUCKET}/identities/{ME}/a", _context())
    assert not decide([allow_all, deny_other], "s3:GetObject", f"{BUCKET}/identities/{OTHER}/a", _context())
    conditional = json.dumps(
        {"Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": BUCKET, "Condition": {"StringEquals": {"s3:prefix": "mine/"}}}]}
    )
    assert decide([conditional], "s3:ListBucket", BUCKET, _context(**{"s3:prefix": "mine/"}))
    assert not decide([conditional], "s3:ListBucket", BUCKET, _context(**{"s3:prefix": "yours/"}))


def test_conditions() -> None:
    context = _context(**{"s3:prefix": "a/b"})
    assert conditions_hold({"StringLike": {"s3:prefix": ["x", "a/*"]}}, context)
    assert conditions_hold({"StringLike": {"s3:prefix": "a/?"}}, context)
    assert not conditions_hold({"StringLike": {"s3:prefix": "a/??"}}, context)
    assert not conditions_hold({"StringLike": {"s3:prefix": "a.b"}}, context)  # a dot is a dot, not any character
    assert conditions_hold({"StringNotEquals": {"s3:prefix": "z"}}, context)
    assert conditions_hold({"StringEqualsIfExists": {"s3:delimiter": "/"}}, context)
    assert not conditions_hold({"StringEquals": {"s3:delimiter": "/"}}, context)
    assert conditions_hold({"Null": {"s3:delimiter": "true"}}, context)
    assert conditions_hold({"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}}, context)
    assert not conditions_hold({"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "unauthenticated"}}, context)
    assert not conditions_hold({"NumericLessThan": {"s3:max-keys": "10"}}, context)  # not emulated: an Allow grants nothing
    assert conditions_hold({"NumericLessThan": {"s3:max-keys": "10"}}, context, unknown=True)  # ... and a Deny holds


def test_the_trust_policy_lets_the_pool_assume_the_role_for_its_signed_in_users(role: dict[str, Any]) -> None:
    trust = json.dumps(role["AssumeRolePolicyDocument"])
    assert trusts(trust, _context())
    assert not trusts(trust, _context(**{"cognito-identity.amazonaws.com:aud": "us-east-1:another-pool"}))
    assert not trusts(trust, _context(**{"cognito-identity.amazonaws.com:amr": ["unauthenticated"]}))
    lambda_only = json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    assert not trusts(lambda_only, _context())


def test_install_and_uninstall_put_moto_back_whole() -> None:
    from moto.cognitoidentity.responses import CognitoIdentityResponse
    from moto.core.authorization import ActionAuthenticatorMixin
    from moto.s3.responses import S3Response

    before = {name: CognitoIdentityResponse.__dict__.get(name) for name in ("get_id", "get_credentials_for_identity", "set_identity_pool_roles")}
    identity_pool.install()
    try:
        identity_pool.install()  # idempotent
        assert CognitoIdentityResponse.get_id is identity_pool._get_id
        assert CognitoIdentityResponse.set_identity_pool_roles is identity_pool._set_identity_pool_roles
        assert S3Response._authenticate_and_authorize_s3_action is identity_pool._authorize_s3
    finally:
        identity_pool.uninstall()
    assert {name: CognitoIdentityResponse.__dict__.get(name) for name in before} == before
    assert before["set_identity_pool_roles"] is None  # moto 5.2.5 has none (the pin this module fills)
    assert S3Response._authenticate_and_authorize_s3_action is ActionAuthenticatorMixin._authenticate_and_authorize_s3_action
