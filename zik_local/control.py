"""The local cloud's own endpoints beside the API: the JWKS, tokens, the codes Cognito would have e-mailed, schedules on demand, the OpenAPI
document and its Swagger page (served from local files, no network), a description of what runs, each
function's latest log lines (`zik logs`), and the push notifications SNS would have delivered to the apps' devices (nothing leaves the machine)."""

from __future__ import annotations

import functools
import json
import mimetypes
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zik_local import hooks, openapi
from zik_local.auth import SigningKey, published_jwks, subject_of
from zik_local.runtime import Invocation

if TYPE_CHECKING:
    from zik_local.cloud import LocalCloud
    from zik_local.gateway import Gateway

Answer = tuple[int, dict[str, str], bytes]

_DOCS_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>zik API</title>
<link rel="stylesheet" href="/_zik/docs/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/_zik/docs/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({url: "/_zik/openapi.json", dom_id: "#ui", persistAuthorization: true});</script>
</body></html>
"""


def _json(status: int, payload: Any) -> Answer:
    return status, {"Content-Type": "application/json"}, json.dumps(payload, indent=2).encode()


def register_control_routes(cloud: LocalCloud, gateway: Gateway, key: SigningKey) -> None:
    routes: dict[tuple[str, str], Callable[[dict[str, Any]], Answer]] = gateway.control
    jwks = published_jwks(key)
    routes[("GET", "/.well-known/jwks.json")] = lambda request: _json(200, jwks)
    for pool in cloud._cognito:
        routes[("GET", f"/{pool}/.well-known/jwks.json")] = lambda request: _json(200, jwks)
    routes[("GET", "/_zik/info")] = lambda request: _json(200, cloud.info())

    def token(request: dict[str, Any]) -> Answer:
        try:
            body = json.loads(request["body"] or b"{}")
            user = body["user"]
            if not isinstance(user, str) or not user:
                raise ValueError
        except (ValueError, KeyError, TypeError):
            return _json(400, {"error": {"code": "invalid_request", "message": 'send {"user": "alice"}', "field": "user"}})
        ttl = body.get("ttlSeconds", 3600)
        if isinstance(ttl, bool) or not isinstance(ttl, int) or not -86_400 <= ttl <= 7 * 86_400:
            return _json(
                400,
                {"error": {"code": "invalid_request", "message": "ttlSeconds must be a whole number of seconds up to a week", "field": "ttlSeconds"}},
            )
        groups = body.get("groups") or []
        if not isinstance(groups, list) or not all(isinstance(g, str) and g for g in groups):
            return _json(400, {"error": {"code": "invalid_request", "message": "groups must be a list of group names", "field": "groups"}})
        cognito = cloud.cognito()
        # Cognito names a user's groups in the token's cognito:groups claim (admins: POST /api/jobs).
        extra = {"cognito:groups": groups} if groups else None
        minted = cognito.mint(user, tenant=body.get("tenant"), email=body.get("email"), ttl_seconds=ttl, extra=extra)
        return _json(200, {"token": minted, "sub": subject_of(user), "expiresIn": ttl, "issuer": cognito.issuer})

    routes[("POST", "/_zik/token")] = token

    def logs(request: dict[str, Any]) -> Answer:
        """`zik logs`: ?function=<logical id or name>&after=<the last line's seq>&wait=<seconds to wait for one>."""
        function = _one(request, "function")
        try:
            after = int(_one(request, "after") or 0)
            wait = float(_one(request, "wait") or 0)
        except ValueError:
            return _json(400, {"error": {"code": "invalid_request", "message": "after is a line number, wait a number of seconds"}})
        if not function:
            return _json(400, {"error": {"code": "invalid_request", "message": "name the function: ?function=MeFunction", "field": "function"}})
        try:
            lines, next_after = cloud.function_logs(function, after=after, wait=wait)
        except KeyError as exc:
            return _json(404, {"error": {"code": "not_found", "message": exc.args[0]}})
        return _json(200, {"function": function, "lines": lines, "next": next_after})

    routes[("GET", "/_zik/logs")] = logs
    routes[("GET", "/_zik/codes")] = lambda request: _json(200, {"codes": codes(_one(request, "user"))})
    routes[("GET", "/_zik/pushes")] = lambda request: _json(200, {"endpoints": pushes(_one(request, "token"))})

    assert cloud.deployment is not None
    names = {s.logical_id for s in cloud.deployment.schedules}
    for schedule in cloud.deployment.schedules:
        for target in schedule.targets:
            spec = cloud.deployment.function_by_arn(target.arn)
            if spec:
                names.add(spec.logical_id)
    for name in names:
        routes[("POST", f"/_zik/schedules/{name}")] = _fire_route(cloud, name)

    def document(request: dict[str, Any]) -> Answer:
        assert cloud.deployment is not None
        schema_root = next((d / "zik" / "schemas" for d in (cloud.stack.layer_dirs.values() if cloud.stack else [])), Path("."))
        return _json(200, openapi.build(cloud.deployment, gateway.api, schema_root, cloud.api_url))

    routes[("GET", "/_zik/openapi.json")] = document
    routes[("GET", "/_zik/docs")] = lambda request: (200, {"Content-Type": "text/html; charset=utf-8"}, _DOCS_PAGE.encode())
    try:
        import swagger_ui_bundle

        assets = Path(swagger_ui_bundle.swagger_ui_path)
    except ImportError:  # pragma: no cover - swagger-ui-bundle is a pinned dependency
        assets = None
    if assets is not None:
        for asset in ("swagger-ui.css", "swagger-ui-bundle.js"):
            content_type = mimetypes.guess_type(asset)[0] or "application/octet-stream"
            routes[("GET", f"/_zik/docs/{asset}")] = _file_route(assets / asset, content_type)


def _file_route(path: Path, content_type: str) -> Callable[[dict[str, Any]], Answer]:
    return lambda request: (200, {"Content-Type": content_type, "Cache-Control": "max-age=3600"}, path.read_bytes())


def _one(request: dict[str, Any], name: str) -> str | None:
    values = (request.get("query") or {}).get(name) or []
    return values[0] if values else None


def codes(user: str | None = None) -> list[dict[str, Any]]:
    """The sign-up confirmation and password-reset codes the embedded Cognito made, newest first (only
    ``user``'s, by e-mail, username or sub, when given): Cognito would have e-mailed them."""
    wanted = (user or "").strip().lower()
    found = [dict(record) for record in reversed(list(hooks.cognito_codes))]
    if wanted:
        found = [r for r in found if wanted in (str(r["user"]).lower(), str(r["sub"]).lower())]
    return found


def pushes(token: str | None = None) -> list[dict[str, Any]]:
    """Every SNS platform endpoint (a registered device) with what was published to it, oldest first; only
    the endpoints of ``token`` when given. A push to a real device is SNS's to deliver: here moto keeps each
    Publish on its endpoint (as sent: with MessageStructure json, the JSON of every platform's payload)."""
    from moto.sns.models import sns_backends

    from zik_local.template import ACCOUNT_ID, REGION

    backend = sns_backends[ACCOUNT_ID][REGION]
    found = []
    for endpoint in list(backend.platform_endpoints.values()):
        if token is not None and endpoint.token != token:
            continue
        found.append(
            {
                "endpointArn": endpoint.arn,
                "applicationArn": endpoint.application.arn,
                "platform": endpoint.application.platform,
                "token": endpoint.token,
                "enabled": endpoint.enabled,
                "customUserData": endpoint.custom_user_data,
                "messages": [{"messageId": mid, "message": message} for mid, message in list(endpoint.messages.items())],
            }
        )
    return found


def _fire_route(cloud: LocalCloud, name: str) -> Callable[[dict[str, Any]], Answer]:
    return lambda request: _fire(cloud, name)


def _fire(cloud: LocalCloud, name: str) -> Answer:
    fired = []
    for schedule in cloud.schedules_for(name):
        for result in cloud.fire_schedule(schedule):
            entry: dict[str, Any] = {"schedule": schedule.logical_id, "expression": schedule.expression}
            if isinstance(result, Invocation):
                entry.update(requestId=result.request_id, error=result.error, result=result.payload)
            else:
                entry["result"] = result
            fired.append(entry)
    if not fired:
        return _json(404, {"error": {"code": "not_found", "message": f"no schedule targets {name}"}})
    status = 200 if all(not f.get("error") for f in fired) else 502
    return _json(status, {"fired": fired})


def register_invoke_route(cloud: LocalCloud, gateway: Gateway) -> None:
    """``zik invoke --url``: run one invocation inside the running cloud, with its resources."""
    assert cloud.deployment is not None

    def invoke(request: dict[str, Any], name: str) -> Answer:
        try:
            event = json.loads(request["body"] or b"{}")
        except ValueError:
            return _json(400, {"error": {"code": "invalid_request", "message": "the event is not JSON"}})
        assert cloud.runtime is not None
        invocation = cloud.runtime.invoke(name, event)
        return _json(200, {"requestId": invocation.request_id, "result": invocation.payload, "error": invocation.error})

    for spec in cloud.deployment.functions.values():
        gateway.control[("POST", f"/_zik/invoke/{spec.logical_id}")] = functools.partial(invoke, name=spec.logical_id)
