"""The local API Gateway: serves the REST API the template declares, as API Gateway does.

Routes, authorizers, CORS preflights, gateway responses and stage throttling all come from the API's
definition after the SAM transform. A request becomes a REST (v1) proxy event, the Cognito authorizer
verifies the token and passes its claims, the function's proxy answer becomes the HTTP answer; a crash or a
malformed answer is a 502, a timeout a 504, in the gateway-response shape the template configures.

What the HTTP server answers itself is JSON in the platform's error shape too: a method no route has
(TRACE) is an unknown route, a URL past 64 kB a 414, a body shorter than its Content-Length a 400 once
BODY_READ_TIMEOUT_SECONDS have passed, a chunked body a 411. Its listen backlog holds a burst of
connections (LISTEN_BACKLOG) rather than resetting them.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from zik_local.auth import TokenRejected
from zik_local.provision import RestApi, Route
from zik_local.template import ACCOUNT_ID

if TYPE_CHECKING:
    from zik_local.cloud import LocalCloud

MAX_PAYLOAD_BYTES = 10 * 1024 * 1024  # API Gateway's limit
LAMBDA_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024  # Lambda's synchronous invocation limit
# How long a request's body may take to arrive once its headers have: a client that sends fewer bytes than
# its Content-Length gets a 400 then, instead of holding a thread and its connection for ever.
BODY_READ_TIMEOUT_SECONDS = 5.0
# Connections the kernel holds while every thread is busy accepting: a burst of a few dozen requests (a
# page's worth of API calls, a load test) queues instead of being reset (socketserver's default is 5).
LISTEN_BACKLOG = 128
# The codes of the platform's error shape (zik.errors), for answers the template shapes no response for.
_ERROR_CODES = {400: "invalid_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 413: "payload_too_large", 429: "too_many_requests"}
_DEFAULT_STATUS = {
    "UNAUTHORIZED": 401,
    "ACCESS_DENIED": 403,
    "MISSING_AUTHENTICATION_TOKEN": 403,
    "REQUEST_TOO_LARGE": 413,
    "THROTTLED": 429,
    "INTEGRATION_FAILURE": 504,
    "INTEGRATION_TIMEOUT": 504,
    "AUTHORIZER_CONFIGURATION_ERROR": 500,
    "BAD_REQUEST_BODY": 400,
}
_DEFAULT_MESSAGE = {
    "UNAUTHORIZED": "Unauthorized",
    "ACCESS_DENIED": "Forbidden",
    "MISSING_AUTHENTICATION_TOKEN": "Missing Authentication Token",
    "REQUEST_TOO_LARGE": "Request Too Long",
    "THROTTLED": "Too Many Requests",
    "INTEGRATION_FAILURE": "Internal server error",
    "INTEGRATION_TIMEOUT": "Endpoint request timed out",
    "DEFAULT_5XX": "Internal server error",
}


@dataclass
class CompiledRoute:
    route: Route
    pattern: re.Pattern[str]
    specificity: tuple[int, int, int]


def compile_routes(routes: list[Route]) -> list[CompiledRoute]:
    compiled = []
    for route in routes:
        regex, params, greedy = "", 0, 0
        for segment in route.path.strip("/").split("/") if route.path != "/" else []:
            if segment.startswith("{") and segment.endswith("+}"):
                regex += f"/(?P<{segment[1:-2]}>.+)"
                greedy += 1
            elif segment.startswith("{") and segment.endswith("}"):
                regex += f"/(?P<{segment[1:-1]}>[^/]+)"
                params += 1
            else:
                regex += "/" + re.escape(segment)
        # API Gateway prefers literal segments over parameters, and parameters over greedy paths.
        specificity = (greedy, params, -len(route.path))
        compiled.append(CompiledRoute(route, re.compile(f"^{regex or '/'}/?$"), specificity))
    return sorted(compiled, key=lambda c: c.specificity)


class TokenBucket:
    """Stage throttling: ``rate`` requests per second with bursts up to ``burst``."""

    def __init__(self, rate: float, burst: int):
        self.rate = rate
        self.capacity = max(1, burst)
        self.tokens = float(self.capacity)
        self.updated = time.monotonic()
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            if self.tokens >= 1:
                self.tokens -= 1
                return True
            return False


class Gateway:
    def __init__(self, cloud: LocalCloud, api: RestApi, throttle: TokenBucket | None):
        self.cloud = cloud
        self.api = api
        self.routes = compile_routes(api.routes)
        self.throttle = throttle
        self.control: dict[tuple[str, str], Callable[[dict[str, Any]], tuple[int, dict[str, str], bytes]]] = {}

    # -- routing --------------------------------------------------------------------------------------
    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        candidates = []
        for compiled in self.routes:
            found = compiled.pattern.match(path)
            if found and compiled.route.method in (method, "ANY"):
                candidates.append((compiled, found))
        if not candidates:
            return None
        # For one path, an exact method wins over ANY.
        best_path = candidates[0][0].specificity
        same_path = [c for c in candidates if c[0].specificity == best_path]
        compiled, found = next((c for c in same_path if c[0].route.method == method), same_path[0])
        return compiled.route, found.groupdict()

    # -- one request ----------------------------------------------------------------------------------
    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes, source_ip: str) -> tuple[int, dict[str, str], bytes]:
        request_id = str(uuid.uuid4())
        started = time.perf_counter()
        url = urlsplit(raw_path)
        path = url.path or "/"
        control = self.control.get((method, path)) or self.control.get(("*", path))
        if control is not None:
            return control({"method": method, "path": path, "query": parse_qs(url.query), "headers": headers, "body": body})
        status, response_headers, payload = self._handle_api(method, path, url.query, headers, body, source_ip, request_id)
        response_headers.setdefault("x-amzn-RequestId", request_id)
        self.cloud.log(
            "gateway",
            f"{method} {path} {status} {(time.perf_counter() - started) * 1000:.1f}ms requestId={request_id}",
        )
        return status, response_headers, payload

    def _handle_api(
        self, method: str, path: str, query: str, headers: dict[str, str], body: bytes, source_ip: str, request_id: str
    ) -> tuple[int, dict[str, str], bytes]:
        if self.throttle is not None and not self.throttle.take():
            return self.gateway_response("THROTTLED", request_id)
        if len(body) > MAX_PAYLOAD_BYTES:
            return self.gateway_response("REQUEST_TOO_LARGE", request_id)
        matched = self.match(method, path)
        if matched is None:
            return self.gateway_response("MISSING_AUTHENTICATION_TOKEN", request_id)
        route, path_parameters = matched
        claims = None
        if route.authorizer is not None:
            token = _header(headers, route.authorizer.header)
            if not token:
                return self.gateway_response("UNAUTHORIZED", request_id)
            if token.lower().startswith("bearer "):
                token = token[7:].strip()
            try:
                claims = self.cloud.verify_token(token, route.authorizer.user_pool_ids)
            except TokenRejected as exc:
                self.cloud.log("gateway", f"401 {method} {path}: {exc}")
                return self.gateway_response("UNAUTHORIZED", request_id)
        if route.function is None:
            # A mock integration (SAM's CORS preflight) answers only once the method's authorizer has let the
            # request in, as in API Gateway: a preflight behind the Cognito authorizer is a 401.
            return 200, {"Content-Type": "application/json", **route.mock_headers}, b""
        if len(body) > LAMBDA_SYNC_PAYLOAD_BYTES:
            return self.gateway_response("REQUEST_TOO_LARGE", request_id)
        event = self.proxy_event(route, method, path, query, headers, body, source_ip, request_id, path_parameters, claims)
        assert self.cloud.runtime is not None
        invocation = self.cloud.runtime.invoke(route.function, event)
        if invocation.failed:
            error = invocation.error or {}
            if error.get("errorType") == "Sandbox.Timedout":
                return self.gateway_response("INTEGRATION_TIMEOUT", request_id)
            if error.get("errorType") == "TooManyRequestsException":
                # Lambda throttled the invocation (every environment it may have stayed busy): API Gateway
                # answers a Lambda proxy integration's 429 with a 500, not with its own 429, which only its
                # throttling gives (repost.aws/knowledge-center/api-gateway-internal-server-error).
                self.cloud.log("gateway", f"500 {method} {path}: the function was throttled: {error.get('errorMessage')}")
                return self.gateway_response("DEFAULT_5XX", request_id, status=500)
            self.cloud.log("gateway", f"502 {method} {path}: {error.get('errorType')}: {error.get('errorMessage')}")
            for line in error.get("stackTrace") or []:
                self.cloud.log(route.function, line.rstrip("\n"))
            return self.gateway_response("DEFAULT_5XX", request_id, status=502)
        return self.proxy_answer(invocation.payload, request_id)

    def proxy_event(
        self,
        route: Route,
        method: str,
        path: str,
        query: str,
        headers: dict[str, str],
        body: bytes,
        source_ip: str,
        request_id: str,
        path_parameters: dict[str, str],
        claims: dict[str, Any] | None,
    ) -> dict[str, Any]:
        multi_query = parse_qs(query, keep_blank_values=True)
        content_type = _header(headers, "Content-Type") or ""
        binary = any(content_type.startswith(t.replace("~1", "/").rstrip("*")) for t in self.api.binary_media_types)
        try:
            text = body.decode("utf-8") if not binary else None
        except UnicodeDecodeError:
            text = None
        now = datetime.now(UTC)
        context: dict[str, Any] = {
            "accountId": ACCOUNT_ID,
            "apiId": self.api.api_id,
            "domainName": _header(headers, "Host") or "127.0.0.1",
            "domainPrefix": "127",
            "extendedRequestId": request_id,
            "httpMethod": method,
            "identity": {
                "sourceIp": source_ip,
                "userAgent": _header(headers, "User-Agent"),
                "accessKey": None,
                "accountId": None,
                "caller": None,
                "cognitoIdentityId": None,
                "user": None,
                "userArn": None,
            },
            "path": f"/{self.api.stage}{path}",
            "protocol": "HTTP/1.1",
            "requestId": request_id,
            "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "requestTimeEpoch": int(now.timestamp() * 1000),
            "resourceId": route.path,
            "resourcePath": route.path,
            "stage": self.api.stage,
        }
        if claims is not None:
            context["authorizer"] = {"claims": {k: _claim_text(v) for k, v in claims.items()}}
        return {
            "resource": route.path,
            "path": path,
            "httpMethod": method,
            "headers": dict(headers) or None,
            "multiValueHeaders": {k: [v] for k, v in headers.items()} or None,
            "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
            "multiValueQueryStringParameters": multi_query or None,
            "pathParameters": path_parameters or None,
            "stageVariables": None,
            "requestContext": context,
            "body": (text if text is not None else base64.b64encode(body).decode()) if body else None,
            "isBase64Encoded": bool(body) and text is None,
        }

    def proxy_answer(self, payload: Any, request_id: str) -> tuple[int, dict[str, str], bytes]:
        if not isinstance(payload, dict) or not isinstance(payload.get("statusCode"), int):
            self.cloud.log("gateway", "502: malformed Lambda proxy response (it needs an integer statusCode)")
            return self.gateway_response("DEFAULT_5XX", request_id, status=502)
        headers = {k: str(v) for k, v in (payload.get("headers") or {}).items()}
        for key, values in (payload.get("multiValueHeaders") or {}).items():
            headers[key] = ", ".join(str(v) for v in values)
        body = payload.get("body") or ""
        if not isinstance(body, str):
            self.cloud.log("gateway", "502: malformed Lambda proxy response (body must be a string)")
            return self.gateway_response("DEFAULT_5XX", request_id, status=502)
        data = base64.b64decode(body) if payload.get("isBase64Encoded") else body.encode("utf-8")
        return payload["statusCode"], headers, data

    def gateway_response(
        self, kind: str, request_id: str, *, status: int | None = None, message: str | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        """Render one of API Gateway's own answers with the template's GatewayResponses, if it has one;
        else in the platform's error shape."""
        configured = self.api.gateway_responses.get(kind)
        fallback = "DEFAULT_5XX" if (status or _DEFAULT_STATUS.get(kind, 500)) >= 500 else "DEFAULT_4XX"
        spec = configured or self.api.gateway_responses.get(fallback) or {}
        code = int((configured or {}).get("statusCode") or status or _DEFAULT_STATUS.get(kind, 500))
        if status is not None:
            code = status
        message = message or _DEFAULT_MESSAGE.get(kind, _DEFAULT_MESSAGE["DEFAULT_5XX"] if code >= 500 else "Bad Request")
        template = (spec.get("responseTemplates") or {}).get("application/json")
        if template:
            text = (
                template.replace("$context.error.messageString", json.dumps(message))
                .replace("$context.error.validationErrorString", json.dumps(message))
                .replace("$context.requestId", request_id)
                .replace("$context.error.responseType", kind)
            )
        else:
            code_name = "internal_error" if code >= 500 else _ERROR_CODES.get(code, "invalid_request")
            text = json.dumps({"error": {"code": code_name, "message": message, "requestId": request_id}})
        headers = {"Content-Type": "application/json", "x-amzn-ErrorType": kind}
        for key, value in (spec.get("responseParameters") or {}).items():
            headers[key.removeprefix("gatewayresponse.header.")] = str(value).strip("'")
        return code, headers, text.encode("utf-8")


def _header(headers: dict[str, str], name: str) -> str | None:
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def _claim_text(value: Any) -> str:
    """API Gateway hands Cognito claims to the function as strings."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


class _Handler(BaseHTTPRequestHandler):
    server: GatewayServer
    protocol_version = "HTTP/1.1"
    # The headers and the body go out in two writes: with Nagle's algorithm on, the body waits for the
    # client's delayed ACK of the headers, about 40 ms on every request of a keep-alive connection.
    disable_nagle_algorithm = True

    def __getattr__(self, name: str) -> Any:
        # API Gateway answers every method from its route table (one it has no route for, TRACE say, is an
        # unknown route), so every do_<METHOD> the server looks up is _serve.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def _serve(self) -> None:
        gateway = self.server.gateway
        try:
            body = self._body()
        except _Refused as refused:
            gateway.cloud.log("gateway", f"{refused.status} {self.command}: {refused.message}")
            self.close_connection = True  # what is left of the body cannot be told from the next request
            self._answer(*gateway.gateway_response(refused.kind, str(uuid.uuid4()), status=refused.status, message=refused.message))
            return
        headers = dict(self.headers.items())
        try:
            status, response_headers, payload = gateway.handle(self.command, self.path, headers, body, self.client_address[0])
        except Exception as exc:  # noqa: BLE001 - the gateway itself must answer, whatever happens
            gateway.cloud.log("gateway", f"internal error: {exc!r}")
            status, response_headers, payload = gateway.gateway_response("DEFAULT_5XX", str(uuid.uuid4()), status=500)
        self._answer(status, response_headers, payload)

    def _body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            raise _Refused(411, "BAD_REQUEST_BODY", "send the body with a Content-Length (chunked transfer encoding is not supported)")
        declared = (self.headers.get("Content-Length") or "0").strip()
        if not (declared.isascii() and declared.isdigit()):
            raise _Refused(400, "BAD_REQUEST_BODY", "Content-Length must be a whole number of bytes")
        length = int(declared)
        if length > MAX_PAYLOAD_BYTES:
            raise _Refused(413, "REQUEST_TOO_LARGE", f"the body is {length} bytes; the limit is {MAX_PAYLOAD_BYTES}")
        if not length:
            return b""
        self.connection.settimeout(self.server.body_read_timeout)
        try:
            body = self.rfile.read(length)
        except TimeoutError:
            body = b""
        finally:
            self.connection.settimeout(self.timeout)
        if len(body) < length:
            raise _Refused(400, "BAD_REQUEST_BODY", f"the body ended before its Content-Length ({length} bytes)")
        return body

    def _answer(self, status: int, headers: dict[str, str], payload: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            if key.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """What http.server answers itself (a request line it cannot read, a URL past 64 kB, too many
        headers), in the platform's error shape instead of an HTML page."""
        self.close_connection = True
        if self.request_version == "HTTP/0.9":
            # http.server's guess for a request line it cannot read, which it answers with no status line:
            # no client speaks 0.9 any more, and each of them reads a status line.
            self.request_version = self.protocol_version
        kind = "REQUEST_TOO_LARGE" if code == 413 else "DEFAULT_5XX" if code >= 500 else "DEFAULT_4XX"
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "Bad Request"
        self._answer(*self.server.gateway.gateway_response(kind, str(uuid.uuid4()), status=code, message=message or phrase))

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the gateway logs each request itself
        return


class _Refused(Exception):
    """A request the gateway answers before reading it all."""

    def __init__(self, status: int, kind: str, message: str):
        super().__init__(message)
        self.status, self.kind, self.message = status, kind, message


class GatewayServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = LISTEN_BACKLOG

    def __init__(self, address: tuple[str, int], gateway: Gateway, *, body_read_timeout: float = BODY_READ_TIMEOUT_SECONDS):
        self.body_read_timeout = body_read_timeout
        super().__init__(address, _Handler)
        self.gateway = gateway
