"""The HTTP side of every API function: one resolver factory, one error-to-HTTP mapping, body parsing.

Handlers stay thin: ``body()`` parses and validates against a schema file, ``principal()`` reads the
verified caller, the domain does the work, and whatever the domain raises is mapped here, once.
"""

from __future__ import annotations

import ast
import base64
import binascii
import importlib
import importlib.util
import json
import os
import sys
import threading
from pathlib import Path
from typing import Any

def _reexports_on_demand(package_name: str) -> None:
    """Import the package without running its __init__ now, when that __init__ only re-exports names of
    its submodules: each such name is then imported, with its own submodule, when first asked for.

    Powertools' ``event_handler`` and ``utilities.data_classes`` packages import every resolver and every
    event class of every AWS source (AppSync with asyncio, Bedrock agents, Kafka, Kinesis, Connect...) for
    the few an API function uses: a third of its Powertools import, 20-30 ms of each cold start. To anyone
    else the package stays whole: a name the __init__ does not take from a submodule runs the real
    __init__ first (PEP 562 module __getattr__). Nothing changes if the package is imported already (a
    sandbox that preloads it, a test run)."""
    if package_name in sys.modules:
        return
    spec = importlib.util.find_spec(package_name)
    if spec is None or spec.loader is None or not spec.origin:
        return
    sources: dict[str, str] = {}  # re-exported name -> the submodule it comes from
    for node in ast.parse(Path(spec.origin).read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.module:
            module = f"{package_name}.{node.module}" if node.level == 1 else node.module
            if node.level in (0, 1) and module.startswith(package_name + "."):
                sources.update({alias.asname or alias.name: module for alias in node.names})
    package = importlib.util.module_from_spec(spec)
    lock = threading.RLock()  # the __init__ it may run asks the package for names again
    completed: list[bool] = []

    def __getattr__(name: str) -> Any:
        if name in sources and not completed:
            value = getattr(importlib.import_module(sources[name]), name)
            package.__dict__[name] = value
            return value
        if not completed and importlib.util.find_spec(f"{package_name}.{name}") is not None:
            # "from package import submodule": the import system loads it once told it is not here yet.
            raise AttributeError(name)
        with lock:
            if not completed:
                completed.append(True)
                spec.loader.exec_module(package)  # type: ignore[union-attr]
        try:
            return package.__dict__[name]
        except KeyError:
            raise AttributeError(f"module {package_name!r} has no attribute {name!r}") from None

    package.__getattr__ = __getattr__  # type: ignore[attr-defined]
    sys.modules[package_name] = package
    parent, _, child = package_name.rpartition(".")
    setattr(importlib.import_module(parent), child, package)
    for name, module in sources.items():
        if module.rpartition(".")[2] == name:
            # (data_classes' event_source, a function named as its module): loading the module binds the
            # module to that name; the __init__ binds the function over it, and so must this, at once.
            package.__dict__[name] = getattr(importlib.import_module(module), name)


_reexports_on_demand("aws_lambda_powertools.event_handler")
_reexports_on_demand("aws_lambda_powertools.utilities.data_classes")

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
