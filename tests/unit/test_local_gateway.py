"""The local API Gateway's rules: route matching as API Gateway orders it, the proxy event, the proxy
answer, gateway responses rendered from the template, and stage throttling."""

from __future__ import annotations

import base64
import json
from types import SimpleNamespace

import pytest

from zik_local.gateway import Gateway, TokenBucket, compile_routes
from zik_local.provision import Authorizer, RestApi, Route
from zik_local.runtime import Invocation

AUTH = Authorizer("CognitoAuthorizer", "cognito_user_pools", ["us-east-1_pool"], "Authorization")
RESPONSES = {
    "UNAUTHORIZED": {
        "statusCode": 401,
        "responseTemplates": {"application/json": '{"error":{"code":"unauthorized","message":$context.error.messageString,"requestId":"$context.requestId"}}'},
    },
    "MISSING_AUTHENTICATION_TOKEN": {
        "statusCode": 404,
        "responseTemplates": {"application/json": '{"error":{"code":"not_found","message":"no such route"}}'},
    },
    "DEFAULT_5XX": {"responseTemplates": {"application/json": '{"error":{"code":"internal_error","message":"internal server error"}}'}},
}


class _Cloud:
    """The few things the gateway asks of the local cloud, answered without one."""

    def __init__(self, answer: Invocation | None = None, claims: dict | None = None):
        self.answer = answer
        self.claims = claims
        self.events: list[dict] = []
        self.runtime = SimpleNamespace(invoke=self._invoke)

    def _invoke(self, function: str, event: dict) -> Invocation:
        self.events.append(event)
        assert self.answer is not None
        return self.answer

    def verify_token(self, token: str, pools: list[str]) -> dict:
        from zik_local.auth import TokenRejected

        if self.claims is None or token != "good":
            raise TokenRejected("bad token")
        return self.claims

    def log(self, source: str, line: str) -> None:
        pass


def _gateway(routes: list[Route], cloud: _Cloud | None = None, throttle: TokenBucket | None = None) -> Gateway:
    api = RestApi("Api", "abc123", "dev", routes, RESPONSES, [])
    return Gateway(cloud or _Cloud(), api, throttle)


def test_literal_segments_win_over_parameters_and_greedy_paths():
    gateway = _gateway(
        [
            Route("GET", "/entries/{id}", "Entry", None),
            Route("GET", "/entries/search", "Search", None),
            Route("ANY", "/files/{proxy+}", "Files", None),
            Route("GET", "/files/{proxy+}", "FilesGet", None),
        ]
    )
    assert gateway.match("GET", "/entries/search")[0].function == "Search"
    route, params = gateway.match("GET", "/entries/e-1")
    assert route.function == "Entry" and params == {"id": "e-1"}
    assert gateway.match("GET", "/files/a/b.png")[0].function == "FilesGet"
    assert gateway.match("DELETE", "/files/a/b.png")[0].function == "Files"
    assert gateway.match("POST", "/entries/search") is None
    assert gateway.match("GET", "/nothing") is None


def test_compiled_routes_accept_a_trailing_slash():
    (compiled,) = compile_routes([Route("GET", "/me", "Me", None)])
    assert compiled.pattern.match("/me/") and not compiled.pattern.match("/me/x")


def test_unknown_route_uses_the_templates_gateway_response():
    status, headers, body = _gateway([])._handle_api("GET", "/nope", "", {}, b"", "127.0.0.1", "req-1")
    assert status == 404
    assert json.loads(body) == {"error": {"code": "not_found", "message": "no such route"}}
    assert headers["x-amzn-ErrorType"] == "MISSING_AUTHENTICATION_TOKEN"


def test_authorized_route_without_or_with_a_bad_token_is_401_json():
    gateway = _gateway([Route("GET", "/me", "Me", AUTH)], _Cloud(claims={"sub": "u"}))
    for headers in ({}, {"Authorization": "Bearer nope"}):
        status, _, body = gateway._handle_api("GET", "/me", "", headers, b"", "127.0.0.1", "req-2")
        assert status == 401
        assert json.loads(body)["error"] == {"code": "unauthorized", "message": "Unauthorized", "requestId": "req-2"}


def test_the_function_gets_a_rest_proxy_event_with_string_claims():
    cloud = _Cloud(
        Invocation("r", payload={"statusCode": 201, "headers": {"X-A": "1"}, "body": "{}"}),
        claims={"sub": "user-1", "email_verified": True, "custom:tenant_id": "t1"},
    )
    gateway = _gateway([Route("PUT", "/goals/{goalId}", "Goals", AUTH)], cloud)
    status, headers, body = gateway._handle_api(
        "PUT", "/goals/g-1", "a=1&a=2&b=3", {"Authorization": "good", "Content-Type": "application/json"}, b'{"x":1}', "10.0.0.1", "req-3"
    )
    assert (status, headers["X-A"], body) == (201, "1", b"{}")
    event = cloud.events[0]
    assert event["resource"] == "/goals/{goalId}" and event["path"] == "/goals/g-1"
    assert event["pathParameters"] == {"goalId": "g-1"}
    assert event["queryStringParameters"] == {"a": "2", "b": "3"}
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"], "b": ["3"]}
    assert event["body"] == '{"x":1}' and event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["requestId"] == "req-3" and context["stage"] == "dev" and context["identity"]["sourceIp"] == "10.0.0.1"
    assert context["authorizer"]["claims"] == {"sub": "user-1", "email_verified": "true", "custom:tenant_id": "t1"}


@pytest.mark.parametrize(
    "payload",
    [None, "text", {"body": "no status"}, {"statusCode": "200"}, {"statusCode": 200, "body": {"not": "a string"}}],
)
def test_a_malformed_proxy_answer_is_a_502(payload):
    status, _, body = _gateway([]).proxy_answer(payload, "r")
    assert status == 502
    assert json.loads(body)["error"]["code"] == "internal_error"


def test_a_crash_is_a_502_and_a_timeout_a_504():
    crash = _Cloud(Invocation("r", error={"errorType": "KeyError", "errorMessage": "x", "stackTrace": ["line"]}))
    status, _, body = _gateway([Route("GET", "/x", "X", None)], crash)._handle_api("GET", "/x", "", {}, b"", "127.0.0.1", "r")
    assert status == 502 and b"Traceback" not in body and json.loads(body)["error"]["code"] == "internal_error"
    timeout = _Cloud(Invocation("r", error={"errorType": "Sandbox.Timedout", "errorMessage": "Task timed out"}))
    status, _, _ = _gateway([Route("GET", "/x", "X", None)], timeout)._handle_api("GET", "/x", "", {}, b"", "127.0.0.1", "r")
    assert status == 504


def test_binary_answers_are_decoded():
    payload = {"statusCode": 200, "body": base64.b64encode(b"\x89PNG").decode(), "isBase64Encoded": True}
    assert _gateway([]).proxy_answer(payload, "r")[2] == b"\x89PNG"


def test_cors_preflight_answers_the_mock_integration_headers():
    gateway = _gateway([Route("OPTIONS", "/me", None, None, {"Access-Control-Allow-Origin": "*"})])
    status, headers, _ = gateway._handle_api("OPTIONS", "/me", "", {}, b"", "127.0.0.1", "r")
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"


def test_stage_throttling_answers_429_past_the_burst():
    gateway = _gateway([Route("OPTIONS", "/me", None, None)], throttle=TokenBucket(rate=0.001, burst=2))
    statuses = [gateway._handle_api("OPTIONS", "/me", "", {}, b"", "127.0.0.1", "r")[0] for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_oversized_requests_are_413():
    status, _, _ = _gateway([Route("PUT", "/me", "Me", None)])._handle_api(
        "PUT", "/me", "", {}, b"x" * (10 * 1024 * 1024 + 1), "127.0.0.1", "r"
    )
    assert status == 413
