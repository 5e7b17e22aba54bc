"""The identity pool (Cognito federated identities) as an app meets it, where moto 5.2.5 falls short
(installed and uninstalled with zik_local.hooks; tests/integration/test_identity_pool.py and
tests/unit/test_local_identity_pool.py check each hook against the pinned moto).

moto's cognito-identity gives a random identity for every GetId, whatever the logins, and the same fixed
credentials for every identity, and has no SetIdentityPoolRoles. Here:
  - GetId checks each login (an ID token of a user pool the identity pool names: moto's signature, issuer,
    the provider's app client as audience, ``token_use`` id, expiry; with ServerSideTokenCheck, a user who
    still exists and a sign-in not revoked or signed out) and gives one identity per user, the same every time.
  - GetCredentialsForIdentity checks the logins again (they must be the identity's), then the pool's
    authenticated role and its trust policy, and issues the role's temporary credentials through moto's STS,
    as Cognito does (AssumeRoleWithWebIdentity).
  - SetIdentityPoolRoles / GetIdentityPoolRoles keep the role attachment on moto's pool (attach_roles is the
    provisioner's way in: the template's AWS::Cognito::IdentityPoolRoleAttachment).
  - S3 requests signed with such credentials, and only those, are authorised as IAM would: moto's signature
    check and its policy statements (moto.iam.access_control) over the role's policies, with the policy
    variables (``${cognito-identity.amazonaws.com:sub}``...) replaced by the caller's, and the statements'
    conditions (moto checks StringEquals only, and ignores the rest) evaluated here against the request
    (``s3:prefix``...). A denied request gets S3's 403 AccessDenied. Every other request (the local
    functions', the developer's) goes on unchecked, as before.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt

from zik_local.template import ACCOUNT_ID

PARTITION = "aws"
SESSION_SECONDS = 3600  # Cognito's credentials last an hour
SESSION_NAME = "CognitoIdentityCredentials"
_WRONG_LOGINS = "Invalid login token. Logins don't match. Please include at least one valid login for this identity or identity pool."
_BAD_CONFIGURATION = "Invalid identity pool configuration. Check assigned IAM roles for this pool."


def now() -> float:
    """The clock tokens and sessions expire on (a test moves it)."""
    return time.time()


@dataclass(frozen=True)
class Session:
    """Credentials GetCredentialsForIdentity issued: whose they are, and the request context they carry."""

    access_key_id: str
    session_token: str
    identity_id: str
    identity_pool_id: str
    amr: tuple[str, ...]
    role_arn: str
    expires: float


_LOCK = threading.Lock()
_SESSIONS: dict[str, Session] = {}  # access key id -> session
_ORIGINAL: dict[str, Any] = {}


def _error(kind: str, message: str) -> Exception:
    from moto.core.exceptions import JsonRESTError

    return JsonRESTError(kind, message)


# -- the pool's state, kept on moto's own objects (a reset of moto forgets it with them) ----------------------
def _backend(account_id: str, identity_pool_id: str) -> Any:
    from moto.cognitoidentity.models import cognitoidentity_backends

    return cognitoidentity_backends[account_id][identity_pool_id.split(":", 1)[0]]


def _pool(account_id: str, identity_pool_id: str) -> Any:
    pool = _backend(account_id, identity_pool_id).identity_pools.get(identity_pool_id)
    if pool is None:
        raise _error("ResourceNotFoundException", f"IdentityPool '{identity_pool_id}' not found.")
    return pool


def attach_roles(identity_pool_id: str, roles: dict[str, str], role_mappings: dict[str, Any] | None = None, *, account_id: str = ACCOUNT_ID) -> None:
    """SetIdentityPoolRoles: the pool's roles (``authenticated``, ``unauthenticated``) and role mappings."""
    pool = _pool(account_id, identity_pool_id)
    unknown = sorted(set(roles) - {"authenticated", "unauthenticated"})
    if unknown:
        raise _error("InvalidParameterException", f"Roles: unknown role type(s) {', '.join(unknown)} (authenticated, unauthenticated)")
    pool.__dict__["_zik_roles"] = dict(roles)
    pool.__dict__["_zik_role_mappings"] = dict(role_mappings or {})


def roles_of(identity_pool_id: str, *, account_id: str = ACCOUNT_ID) -> dict[str, str]:
    return dict(_pool(account_id, identity_pool_id).__dict__.get("_zik_roles") or {})


# -- logins ----------------------------------------------------------------------------------------------
def _moto_keys() -> dict[str, Any]:
    from zik_local.auth import moto_jwks

    return {key["kid"]: jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(key)) for key in moto_jwks()["keys"]}


def verify_login(pool: Any, provider: str, token: str, *, account_id: str = ACCOUNT_ID) -> dict[str, Any]:
    """The claims of ``token``, an ID token of ``provider`` (``cognito-idp.<region>.amazonaws.com/<poolId>``),
    checked as Cognito's identity pools check it; NotAuthorizedException otherwise."""
    providers = {p.get("ProviderName"): p for p in (pool.cognito_identity_providers or [])}
    config = providers.get(provider)
    if config is None:
        raise _error("NotAuthorizedException", "Token is not from a supported provider of this identity pool.")
    try:
        kid = jwt.get_unverified_header(token or "").get("kid", "")
    except jwt.PyJWTError:
        raise _error("NotAuthorizedException", "Invalid login token. Not a valid OpenId Connect identity token.") from None
    key = _moto_keys().get(kid)
    if key is None:
        raise _error("NotAuthorizedException", "Invalid login token. Couldn't verify signed token.")
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            issuer=f"https://{provider}",
            options={"verify_exp": False, "verify_aud": False, "require": ["sub", "iss", "exp", "token_use"]},
        )
    except jwt.InvalidIssuerError:
        raise _error("NotAuthorizedException", "Invalid login token. Issuer doesn't match providerName") from None
    except jwt.InvalidSignatureError:
        raise _error("NotAuthorizedException", "Invalid login token. Couldn't verify signed token.") from None
    except jwt.PyJWTError:
        raise _error("NotAuthorizedException", "Invalid login token. Not a valid OpenId Connect identity token.") from None
    if claims.get("token_use") != "id" or "aud" not in claims:
        raise _error("NotAuthorizedException", "Invalid login token. Missing a required claim: aud")
    if config.get("ClientId") and claims["aud"] != config["ClientId"]:
        raise _error("NotAuthorizedException", "Invalid login token. Incorrect token audience.")
    current = int(now())
    if int(claims["exp"]) <= current:
        raise _error("NotAuthorizedException", f"Invalid login token. Token expired: {current} >= {int(claims['exp'])}")
    if config.get("ServerSideTokenCheck"):
        _check_server_side(account_id, provider, claims)
    return claims


def _check_server_side(account_id: str, provider: str, claims: dict[str, Any]) -> None:
    """ServerSideTokenCheck: the user still exists and is enabled, and the sign-in that issued the token was
    neither revoked (RevokeToken) nor signed out (GlobalSignOut)."""
    from moto.cognitoidp.models import cognitoidp_backends

    host, user_pool_id = provider.split("/", 1)
    region = host.split(".")[1]
    user_pool = cognitoidp_backends[account_id][region].user_pools.get(user_pool_id)
    user = next((u for u in (user_pool.users.values() if user_pool else ()) if u.id == claims["sub"]), None)
    if user_pool is None or user is None or not user.enabled:
        raise _error("NotAuthorizedException", "Invalid login token. The user does not exist or is disabled.")
    origin = claims.get("origin_jti")
    if origin and not any(held and held[2] == origin for held in user_pool.refresh_tokens.values()):
        raise _error("NotAuthorizedException", "Invalid login token. The token was revoked or its user signed out.")


def _logins(response: Any) -> dict[str, str]:
    logins = response._get_param("Logins") or {}
    if not isinstance(logins, dict):
        raise _error("InvalidParameterException", "Logins must be a map of provider name to token")
    return logins


# -- the cognito-identity operations ---------------------------------------------------------------------
def _get_id(self: Any) -> str:
    pool_id = self._get_param("IdentityPoolId") or ""
    account_id = self._get_param("AccountId") or self.current_account
    pool = _pool(account_id, pool_id)
    logins = _logins(self)
    if not logins:
        if str(pool.allow_unauthenticated_identities).lower() != "true":
            raise _error("NotAuthorizedException", "Unauthenticated access is not supported for this identity pool.")
        return _ORIGINAL["get_id"](self)  # an unauthenticated identity: moto's own
    keys = [(provider, verify_login(pool, provider, token, account_id=account_id)["sub"]) for provider, token in logins.items()]
    with _LOCK:
        identities = pool.__dict__.setdefault("_zik_identities", {})
        linked = {identities[k] for k in keys if k in identities}
        if len(linked) > 1:
            raise _error("ResourceConflictException", "The logins belong to different identities.")
        identity_id = linked.pop() if linked else f"{pool_id.split(':', 1)[0]}:{uuid.uuid4()}"
        if not linked:
            listed = _backend(account_id, pool_id).pools_identities.setdefault(pool_id, {"IdentityPoolId": pool_id, "Identities": []})
            listed["Identities"].append({"IdentityId": identity_id, "Logins": sorted(logins)})
        for k in keys:
            identities[k] = identity_id
    return json.dumps({"IdentityId": identity_id})


def _get_credentials_for_identity(self: Any) -> str:
    from moto.iam.models import iam_backends
    from moto.sts.models import sts_backends

    identity_id = self._get_param("IdentityId") or ""
    account_id = self.current_account
    backend = _backend(account_id, identity_id)
    pool = next((p for p in backend.identity_pools.values() if identity_id in (p.__dict__.get("_zik_identities") or {}).values()), None)
    if pool is None:
        raise _error("ResourceNotFoundException", f"Identity '{identity_id}' not found.")
    logins = _logins(self)
    if not logins:
        raise _error("NotAuthorizedException", f"Access to Identity '{identity_id}' is forbidden.")
    identities = pool.__dict__["_zik_identities"]
    amr = ["authenticated"]
    for provider, token in logins.items():
        claims = verify_login(pool, provider, token, account_id=account_id)
        if identities.get((provider, claims["sub"])) != identity_id:
            raise _error("NotAuthorizedException", _WRONG_LOGINS)
        amr += [provider, f"{provider}:CognitoSignIn:{claims['sub']}"]
    role_arn = (pool.__dict__.get("_zik_roles") or {}).get("authenticated")
    custom = self._get_param("CustomRoleArn")
    if custom and custom != role_arn:
        raise _error("InvalidParameterException", "CustomRoleArn: the local identity pool grants its authenticated role only (no role mappings)")
    if not role_arn:
        raise _error("InvalidIdentityPoolConfigurationException", _BAD_CONFIGURATION)
    try:
        role = iam_backends[account_id][PARTITION].get_role_by_arn(role_arn)
    except Exception:  # noqa: BLE001 - moto's NotFound: the attached role does not exist (yet)
        raise _error("InvalidIdentityPoolConfigurationException", _BAD_CONFIGURATION) from None
    context = {
        "cognito-identity.amazonaws.com:aud": pool.identity_pool_id,
        "cognito-identity.amazonaws.com:sub": identity_id,
        "cognito-identity.amazonaws.com:amr": amr,
    }
    if not trusts(role.assume_role_policy_document, context):
        raise _error("InvalidIdentityPoolConfigurationException", _BAD_CONFIGURATION)
    duration = min(SESSION_SECONDS, int(getattr(role, "max_session_duration", SESSION_SECONDS) or SESSION_SECONDS))
    assumed = sts_backends[account_id][PARTITION].assume_role_with_web_identity(
        region_name=identity_id.split(":", 1)[0],
        role_session_name=SESSION_NAME,
        role_arn=role_arn,
        policy=None,
        duration=duration,
        external_id=None,
    )
    expires = now() + duration
    with _LOCK:
        for key in [k for k, s in _SESSIONS.items() if s.expires <= now()]:
            del _SESSIONS[key]
        _SESSIONS[assumed.access_key_id] = Session(
            assumed.access_key_id,
            assumed.session_token,
            identity_id,
            pool.identity_pool_id,
            tuple(amr),
            role_arn,
            expires,
        )
    return json.dumps(
        {
            "IdentityId": identity_id,
            "Credentials": {
                "AccessKeyId": assumed.access_key_id,
                "SecretKey": assumed.secret_access_key,
                "SessionToken": assumed.session_token,
                "Expiration": expires,
            },
        }
    )


def _set_identity_pool_roles(self: Any) -> str:
    attach_roles(
        self._get_param("IdentityPoolId") or "", self._get_param("Roles") or {}, self._get_param("RoleMappings"), account_id=self.current_account
    )
    return ""


def _get_identity_pool_roles(self: Any) -> str:
    pool_id = self._get_param("IdentityPoolId") or ""
    pool = _pool(self.current_account, pool_id)
    answer: dict[str, Any] = {"IdentityPoolId": pool_id, "Roles": dict(pool.__dict__.get("_zik_roles") or {})}
    if pool.__dict__.get("_zik_role_mappings"):
        answer["RoleMappings"] = pool.__dict__["_zik_role_mappings"]
    return json.dumps(answer)


# -- IAM policies: moto's statements, with policy variables and conditions ---------------------------------
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}
_UNRESOLVED = "\u0000unresolved\u0000"  # matches no action or resource


def substitute(document: str, context: dict[str, Any]) -> str:
    """A policy document (JSON text) with its variables replaced: ``${key}`` by the context's single value,
    ``${*}``/``${?}``/``${$}`` by the character, a key the request does not have by nothing any ARN matches."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _ESCAPES:
            return _ESCAPES[name]
        found = context.get(name)
        if isinstance(found, str):
            return json.dumps(found)[1:-1]
        return json.dumps(_UNRESOLVED)[1:-1]

    return _VARIABLE.sub(value, document)


def _like(pattern: str, value: str) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.DOTALL) is not None


def _as_strings(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [str(v).lower() if isinstance(v, bool) else str(v) for v in values]


_OPERATORS = {
    "StringEquals": lambda expected, actual: actual == expected,
    "StringNotEquals": lambda expected, actual: actual != expected,
    "StringEqualsIgnoreCase": lambda expected, actual: actual.lower() == expected.lower(),
    "StringNotEqualsIgnoreCase": lambda expected, actual: actual.lower() != expected.lower(),
    "StringLike": lambda expected, actual: _like(expected, actual),
    "StringNotLike": lambda expected, actual: not _like(expected, actual),
    "Bool": lambda expected, actual: actual.lower() == expected.lower(),
    "ArnEquals": lambda expected, actual: _like(expected, actual),
    "ArnLike": lambda expected, actual: _like(expected, actual),
    "ArnNotEquals": lambda expected, actual: not _like(expected, actual),
    "ArnNotLike": lambda expected, actual: not _like(expected, actual),
}


def conditions_hold(conditions: dict[str, Any] | None, context: dict[str, Any], *, unknown: bool = False) -> bool:
    """IAM's Condition block against a request context (key -> a string or a list of strings). An operator
    not emulated here counts as ``unknown`` (False for an Allow: it grants nothing; True for a Deny)."""
    for operator, tests in (conditions or {}).items():
        qualifier, _, name = operator.rpartition(":")
        if_exists = name.endswith("IfExists")
        name = name.removesuffix("IfExists")
        for key, expected in (tests or {}).items():
            actual = context.get(key)
            if name == "Null":
                if (actual is None) != (_as_strings(expected)[0].lower() == "true"):
                    return False
                continue
            check = _OPERATORS.get(name)
            if check is None:
                if not unknown:
                    return False
                continue
            negated = "Not" in name
            if actual is None or actual == []:
                if if_exists or negated:
                    continue
                return False
            actuals = _as_strings(actual)
            expecteds = _as_strings(expected)
            if negated:
                matches = [all(check(e, a) for e in expecteds) for a in actuals]
            else:
                matches = [any(check(e, a) for e in expecteds) for a in actuals]
            held = any(matches) if qualifier == "ForAnyValue" else all(matches)
            if not held:
                return False
    return True


def _statements(document: Any) -> list[dict[str, Any]]:
    statements = document.get("Statement") or []
    return statements if isinstance(statements, list) else [statements]


def trusts(assume_role_policy: str, context: dict[str, Any]) -> bool:
    """Whether a role's trust policy lets Cognito's identity pools assume it for this identity
    (sts:AssumeRoleWithWebIdentity by the Federated principal cognito-identity.amazonaws.com)."""
    document = json.loads(assume_role_policy) if isinstance(assume_role_policy, str) else assume_role_policy
    from moto.iam.access_control import IAMPolicyStatement, PermissionResult

    allowed = False
    for statement in _statements(document):
        principal = statement.get("Principal") or {}
        federated = principal.get("Federated") if isinstance(principal, dict) else principal
        if federated not in ("*", "cognito-identity.amazonaws.com") and "cognito-identity.amazonaws.com" not in (federated or []):
            continue
        probe = {k: v for k, v in statement.items() if k not in ("Condition", "Principal")}
        result = IAMPolicyStatement(probe).is_action_permitted("sts:AssumeRoleWithWebIdentity")
        deny = statement.get("Effect") == "Deny"
        if result == PermissionResult.NEUTRAL or not conditions_hold(statement.get("Condition"), context, unknown=deny):
            continue
        if deny:
            return False
        allowed = True
    return allowed


def decide(policies: list[str], action: str, resource: str, context: dict[str, Any]) -> bool:
    """IAM's decision over identity policies (JSON texts): an explicit Deny wins, else an Allow is needed.
    Each statement's action and resource are matched by moto's IAMPolicyStatement, its conditions here."""
    from moto.iam.access_control import IAMPolicyStatement, PermissionResult

    allowed = False
    for policy in policies:
        for statement in _statements(json.loads(substitute(policy, context))):
            deny = statement.get("Effect") == "Deny"
            probe = {k: v for k, v in statement.items() if k not in ("Condition", "NotResource")}
            if "NotResource" in statement:
                probe["Resource"] = "*"
            result = IAMPolicyStatement(probe).is_action_permitted(action, resource)
            if result == PermissionResult.NEUTRAL:
                continue
            if "NotResource" in statement and IAMPolicyStatement({"NotResource": statement["NotResource"]})._check_element_matches(
                "NotResource", resource
            ):
                continue
            if not conditions_hold(statement.get("Condition"), context, unknown=deny):
                continue
            if deny:
                return False
            allowed = True
    return allowed


def _policy_text(policy: Any) -> str:
    from moto.iam.access_control import IAMPolicy

    return json.dumps(IAMPolicy(policy)._policy_json)  # moto's reading of inline, managed and versioned policies


# -- S3 requests signed with an identity's credentials -------------------------------------------------------
def _first(query: dict[str, list[str]], *names: str) -> str:
    for name in names:
        if query.get(name):
            return query[name][0]
    return ""


def session_of(headers: Any, query: dict[str, list[str]]) -> Session | None:
    """The identity session that signed a request (Authorization header or presigned query), if any."""
    authorization = headers.get("Authorization") or ""
    # SigV4 in the header, or a presigned link: SigV4's X-Amz-Credential or SigV2's AWSAccessKeyId.
    credential = authorization.partition("Credential=")[2].partition(",")[0] or _first(query, "X-Amz-Credential", "AWSAccessKeyId")
    key_id = credential.split("/", 1)[0]
    if not key_id:
        return None
    with _LOCK:
        return _SESSIONS.get(key_id)


def _authorize_s3(self: Any, bucket_name: str | None = None, key_name: str | None = None) -> None:
    from moto.iam.access_control import AssumedRoleAccessKey, S3IAMRequest
    from moto.s3.exceptions import BucketAccessDeniedError, S3AccessDeniedError, S3ClientError

    query = parse_qs(urlparse(self.uri).query, keep_blank_values=True)
    session = session_of(self.headers, query)
    if session is None:
        return _ORIGINAL["s3_auth"](self, bucket_name, key_name)
    if session.expires <= now():
        raise S3ClientError("ExpiredToken", "The provided token has expired.")
    arn = f"{bucket_name or '*'}/{key_name}" if key_name else (bucket_name or "*")
    resource = f"arn:{PARTITION}:s3:::{arn}"
    action = f"s3:{self._get_action()}"
    if "Authorization" in self.headers:
        path = self.raw_path + (f"?{urlparse(self.uri).query}" if urlparse(self.uri).query else "")
        # moto's own check: the access key is a session of its STS, the token is the session's, the SigV4 holds.
        S3IAMRequest(
            account_id=self.current_account,
            method=self.method,
            path=path,
            data=self.data,
            body=self.raw_body,
            headers=self.headers,
            action=self._get_action(),
        ).check_signature()
    else:
        # A presigned link (whose signature moto's S3 does not check): it must carry the session's token.
        if _first(query, "X-Amz-Security-Token", "x-amz-security-token") != session.session_token:
            raise S3ClientError("InvalidToken", "The provided token is malformed or otherwise invalid.")
    holder = AssumedRoleAccessKey(self.current_account, PARTITION, session.access_key_id, {"X-Amz-Security-Token": session.session_token})
    policies = [_policy_text(p) for p in holder.collect_policies()]
    context: dict[str, Any] = {
        "cognito-identity.amazonaws.com:sub": session.identity_id,
        "cognito-identity.amazonaws.com:aud": session.identity_pool_id,
        "cognito-identity.amazonaws.com:amr": list(session.amr),
        "aws:PrincipalArn": session.role_arn,
    }
    for name in ("prefix", "delimiter", "max-keys"):
        if name in query:
            context[f"s3:{name}"] = query[name][0]
    if not decide(policies, action, resource, context):
        raise BucketAccessDeniedError(bucket=bucket_name) if bucket_name else S3AccessDeniedError()
    return None


# -- install -----------------------------------------------------------------------------------------------
_RESPONSES = {
    "get_id": _get_id,
    "get_credentials_for_identity": _get_credentials_for_identity,
    "set_identity_pool_roles": _set_identity_pool_roles,
    "get_identity_pool_roles": _get_identity_pool_roles,
}


def install() -> None:
    """Close moto's identity pool gaps (above). Idempotent; uninstall() puts moto's back."""
    from moto.cognitoidentity.responses import CognitoIdentityResponse
    from moto.s3.responses import S3Response

    if _ORIGINAL:
        return
    for name, replacement in _RESPONSES.items():
        _ORIGINAL[name] = CognitoIdentityResponse.__dict__.get(name)
        setattr(CognitoIdentityResponse, name, replacement)
    _ORIGINAL["s3_auth"] = S3Response._authenticate_and_authorize_s3_action  # (the mixin's, inherited)
    _ORIGINAL["s3_auth_own"] = S3Response.__dict__.get("_authenticate_and_authorize_s3_action")
    S3Response._authenticate_and_authorize_s3_action = _authorize_s3  # type: ignore[method-assign]


def uninstall() -> None:
    from moto.cognitoidentity.responses import CognitoIdentityResponse
    from moto.s3.responses import S3Response

    if not _ORIGINAL:
        return
    for name in _RESPONSES:
        original = _ORIGINAL[name]
        if original is None:
            delattr(CognitoIdentityResponse, name)
        else:
            setattr(CognitoIdentityResponse, name, original)
    if _ORIGINAL["s3_auth_own"] is None:
        del S3Response._authenticate_and_authorize_s3_action
    else:
        S3Response._authenticate_and_authorize_s3_action = _ORIGINAL["s3_auth_own"]  # type: ignore[method-assign]
    _ORIGINAL.clear()
    with _LOCK:
        _SESSIONS.clear()
