"""The local API Gateway's rules: route matching as API Gateway orders it, the proxy event, the proxy
answer, gateway responses rendered from the template, stage throttling, the authorizer's expiry; and its
HTTP server on loopback: every answer it gives itself is JSON in the platform's error shape, a burst of
connections queues, a body shorter than its Content-Length gets a 400."""

from __future__ import annotations

import base64
import json
import socket
import threading
from dataclasses import dataclass
from types import SimpleNamespace

import pytest

from zik_local.auth import LocalCognito, SigningKey
from zik_local.gateway import Gateway, GatewayServer, TokenBucket, compile_routes
from zik_local.provision import Authorizer, RestApi, Route
from zik_local.runtime import Invocation

AUTH = Authorizer("CognitoAuthorizer", "cognito_user_pools", ["us-east-1_pool"], "Authorization")
RESPONSES = {
    "UNAUTHORIZED": {
        "statusCode": 401,
        "responseTemplates": {
            "application/json": '{"error":{"code":"unauthorized","message":$context.error.messageString,"requestId":"$context.requestId"}}'
        },
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


def test_a_throttled_function_is_a_500_as_api_gateway_answers_a_lambda_429():
    throttled = _Cloud(Invocation("r", error={"errorType": "TooManyRequestsException", "errorMessage": "the function's 4 environments stayed busy"}))
    status, _, body = _gateway([Route("GET", "/x", "X", None)], throttled)._handle_api("GET", "/x", "", {}, b"", "127.0.0.1", "r")
    assert status == 500 and json.loads(body)["error"]["code"] == "internal_error"


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
    status, _, _ = _gateway([Route("PUT", "/me", "Me", None)])._handle_api("PUT", "/me", "", {}, b"x" * (10 * 1024 * 1024 + 1), "127.0.0.1", "r")
    assert status == 413


def test_without_a_template_response_an_answer_of_the_gateway_has_the_platforms_error_shape():
    status, headers, body = _gateway([]).gateway_response("THROTTLED", "req-9")
    assert status == 429 and headers["Content-Type"] == "application/json"
    assert json.loads(body) == {"error": {"code": "too_many_requests", "message": "Too Many Requests", "requestId": "req-9"}}


def test_a_token_that_expired_seconds_ago_is_a_401(tmp_path):
    """No leeway for expiry: the local authorizer verifies tokens this machine signed, on its own clock."""
    cognito = LocalCognito(SigningKey.load_or_create(tmp_path), "us-east-1_pool", ["client"])
    cloud = _Cloud(Invocation("r", payload={"statusCode": 200, "body": "{}"}))
    cloud.verify_token = lambda token, pools: cognito.verify(token)  # type: ignore[method-assign]
    gateway = _gateway([Route("GET", "/me", "Me", AUTH)], cloud)

    def status_with(ttl_seconds: int) -> int:
        token = cognito.mint("alice", ttl_seconds=ttl_seconds)
        return gateway._handle_api("GET", "/me", "", {"Authorization": f"Bearer {token}"}, b"", "127.0.0.1", "r")[0]

    assert status_with(-10) == 401
    assert status_with(-1) == 401
    assert status_with(600) == 200


# -- the HTTP server itself, on loopback -------------------------------------------------------------------
@dataclass
class Raw:
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes

    @property
    def error(self) -> dict:
        return json.loads(self.body)["error"]


def _exchange(address: tuple[str, int], data: bytes, *, sock: socket.socket | None = None) -> Raw:
    """Send raw bytes and read one HTTP answer (its Content-Length worth of body)."""
    sock = sock or socket.create_connection(address, timeout=30)
    with sock:
        sock.sendall(data)
        return _read_answer(sock)


def _read_answer(sock: socket.socket) -> Raw:
    reader = sock.makefile("rb")
    status = int(reader.readline().split()[1])
    headers = {}
    while line := reader.readline().decode("latin-1").strip():
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Raw(status, headers, reader.read(int(headers.get("content-length", "0"))))


@pytest.fixture
def server():
    cloud = _Cloud(Invocation("r", payload={"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": '{"ok":true}'}))
    gateway = _gateway([Route("GET", "/health", "Health", None), Route("POST", "/entries", "Entries", None)], cloud)
    # A short read timeout keeps the test of a body that never comes short; the server's own is a few seconds.
    http_server = GatewayServer(("127.0.0.1", 0), gateway, body_read_timeout=0.5)
    serving = threading.Thread(target=http_server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    yield http_server, serving
    if serving.is_alive():
        http_server.shutdown()
    http_server.server_close()


@pytest.fixture
def address(server) -> tuple[str, int]:
    http_server, serving = server
    serving.start()
    return http_server.server_address[:2]


def test_a_request_is_served(address):
    answer = _exchange(address, b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    assert (answer.status, json.loads(answer.body)) == (200, {"ok": True})


@pytest.mark.parametrize(
    ("request_bytes", "status", "code"),
    [
        pytest.param(b"TRACE /health HTTP/1.1\r\nHost: x\r\n\r\n", 404, "not_found", id="TRACE: a method with no route"),
        pytest.param(b"PROPFIND /health HTTP/1.1\r\nHost: x\r\n\r\n", 404, "not_found", id="an unknown method"),
        pytest.param(b"GET /health?x=" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "invalid_request", id="a 100 kB URL"),
        pytest.param(b"GET /health HTTX/1.1\r\nHost: x\r\n\r\n", 400, "invalid_request", id="a malformed request line"),
        pytest.param(b"HELLO\r\n\r\n", 400, "invalid_request", id="no request line"),
        pytest.param(b"GET /health HTTP/1.1\r\n" + b"X-A: b\r\n" * 200 + b"\r\n", 431, "invalid_request", id="too many headers"),
        pytest.param(
            b"POST /entries HTTP/1.1\r\nContent-Length: ten\r\n\r\n0123456789", 400, "invalid_request", id="a Content-Length that is no number"
        ),
        pytest.param(b"POST /entries HTTP/1.1\r\nContent-Length: -5\r\n\r\n", 400, "invalid_request", id="a negative Content-Length"),
        pytest.param(
            b"POST /entries HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n", 413, "payload_too_large", id="a Content-Length past the limit"
        ),
        pytest.param(
            b"POST /entries HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 411, "invalid_request", id="a chunked body"
        ),
    ],
)
def test_what_the_server_answers_itself_is_json_in_the_error_shape(address, request_bytes, status, code):
    answer = _exchange(address, request_bytes)
    assert answer.status == status
    assert answer.headers["content-type"] == "application/json"
    assert answer.error["code"] == code and answer.error["message"]


def test_a_body_shorter_than_its_content_length_gets_a_400_instead_of_a_hang(address):
    sock = socket.create_connection(address, timeout=30)
    # The connection stays open: the server waits for the 90 bytes that never come, then answers.
    answer = _exchange(address, b"POST /entries HTTP/1.1\r\nContent-Length: 100\r\n\r\n0123456789", sock=sock)
    assert answer.status == 400
    assert answer.error["code"] == "invalid_request" and "Content-Length" in answer.error["message"]
    assert answer.headers["connection"] == "close"


def test_a_crash_of_the_gateway_is_a_500_json_answer(server):
    http_server, serving = server

    def crash(function: str, event: dict) -> Invocation:
        raise RuntimeError("boom")

    http_server.gateway.cloud.runtime = SimpleNamespace(invoke=crash)
    serving.start()
    answer = _exchange(http_server.server_address[:2], b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.status == 500 and answer.error["code"] == "internal_error"
    assert b"boom" not in answer.body


def test_the_listen_backlog_holds_a_burst_of_64_connections(server):
    """64 clients connect at once, before the server accepts any: each connection is queued (socketserver's
    default backlog of 5 drops the rest), and each is answered once the server serves."""
    http_server, serving = server
    address = http_server.server_address[:2]
    burst = [socket.create_connection(address, timeout=30) for _ in range(64)]
    for sock in burst:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    serving.start()
    answers = [_exchange(address, b"", sock=sock) for sock in burst]
    assert [answer.status for answer in answers] == [200] * 64
