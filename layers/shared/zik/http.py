"""The HTTP side of every API function: one resolver factory, one error-to-HTTP mapping, body parsing.

Handlers stay thin: ``body()`` parses and validates against a schema file, ``principal()`` reads the
verified caller, the domain does the work, and whatever the domain raises is mapped here, once.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from typing import Any

from zik import lazy_packages

lazy_packages.install()

from aws_lambda_powertools.event_handler import content_types  # noqa: E402  (after the package is set up)
from aws_lambda_powertools.event_handler.api_gateway import APIGatewayRestResolver, CORSConfig, Response  # noqa: E402
from aws_lambda_powertools.event_handler.exceptions import NotFoundError, ServiceError  # noqa: E402

from zik import principal as principals  # noqa: E402
from zik import schemas  # noqa: E402
from zik.errors import InvalidRequest, PayloadTooLarge, ZikError, error_body  # noqa: E402
from zik.observability import logger  # noqa: E402

DEFAULT_MAX_BODY_BYTES = 64 * 1024
ALLOWED_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key", "If-Match", "X-Amz-Date", "X-Api-Key"]


def create_app() -> APIGatewayRestResolver:
    origin = os.environ.get("CORS_ALLOW_ORIGIN") or "*"
    app = APIGatewayRestResolver(
        cors=CORSConfig(allow_origin=origin, allow_headers=ALLOWED_HEADERS, max_age=600),
        serializer=_dumps,
    )
    _register_error_mapping(app)
    return app


def principal(app: APIGatewayRestResolver) -> principals.Principal:
    return principals.from_api_event(app.current_event.raw_event)


def body(app: APIGatewayRestResolver, schema: str, *, max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> dict[str, Any]:
    """The request's JSON body, checked against ``schemas/requests/<schema>.json``."""
    event = app.current_event
    raw = event.body or ""
    if event.is_base64_encoded:
        try:
            data = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidRequest("request body is not valid base64") from None
    else:
        data = raw.encode("utf-8")
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"request body is {len(data)} bytes; the limit is {max_bytes}")
    if not data.strip():
        raise InvalidRequest("a JSON request body is required")
    try:
        parsed = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidRequest(f"request body is not valid JSON: {getattr(exc, 'msg', exc)}") from None
    try:
        return schemas.validate("requests", schema, parsed)
    except schemas.SchemaViolation as exc:
        raise InvalidRequest(exc.message, field=exc.field) from None


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=_dumps(payload),
        headers=headers or {},
    )


def _dumps(payload: Any) -> str:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, default=str)


def _register_error_mapping(app: APIGatewayRestResolver) -> None:
    def request_id() -> str | None:
        return (app.current_event.raw_event.get("requestContext") or {}).get("requestId")

    @app.exception_handler(ZikError)
    def domain_error(exc: ZikError) -> Response:
        if exc.status >= 500:
            logger.exception("domain error")
        else:
            logger.info("request refused", extra={"status": exc.status, "code": exc.code, "field": exc.field})
        return json_response(exc.body(request_id()), exc.status, exc.headers())

    @app.not_found
    def no_route(exc: NotFoundError) -> Response:
        event = app.current_event
        return json_response(
            error_body("not_found", f"no route for {event.http_method} {event.path}", request_id=request_id()), 404
        )

    @app.exception_handler(ServiceError)
    def powertools_error(exc: ServiceError) -> Response:
        code = "invalid_request" if exc.status_code < 500 else "internal_error"
        return json_response(error_body(code, exc.msg, request_id=request_id()), exc.status_code)

    @app.exception_handler(Exception)
    def unexpected(exc: Exception) -> Response:
        # The traceback goes to the log; the client gets a request id to quote, never the trace.
        logger.exception("unhandled error")
        return json_response(error_body("internal_error", "internal server error", request_id=request_id()), 500)
