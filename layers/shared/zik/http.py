"""The HTTP side of every API function: one resolver factory, one error-to-HTTP mapping, body parsing.

Handlers stay thin: ``body()`` parses and validates against a schema file, ``principal()`` reads the
verified caller, the domain does the work, and whatever the domain raises is mapped here, once. Before
any route runs, its path parameters and query string are checked (``zik.inputs``): a handler only sees
ids of the platform's shape and query values that are text.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any, TypeVar

from zik import lazy_packages

lazy_packages.install()

from aws_lambda_powertools.event_handler import content_types  # noqa: E402  (after the package is set up)
from aws_lambda_powertools.event_handler.api_gateway import APIGatewayRestResolver, CORSConfig, Response  # noqa: E402
from aws_lambda_powertools.event_handler.exceptions import NotFoundError, ServiceError  # noqa: E402

from zik import inputs, ratelimit, schemas  # noqa: E402
from zik import principal as principals  # noqa: E402
from zik.errors import InvalidRequest, NotFound, PayloadTooLarge, ZikError, error_body  # noqa: E402
from zik.observability import logger  # noqa: E402

DEFAULT_MAX_BODY_BYTES = 64 * 1024
_Route = TypeVar("_Route", bound=Callable[..., Any])
ALLOWED_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key", "If-Match", "X-Amz-Date", "X-Api-Key"]


def create_app() -> APIGatewayRestResolver:
    origin = os.environ.get("CORS_ALLOW_ORIGIN") or "*"
    app = APIGatewayRestResolver(
        # Retry-After exposed: a browser app can then read when to try again after a 429 or a 503.
        cors=CORSConfig(allow_origin=origin, allow_headers=ALLOWED_HEADERS, expose_headers=["Retry-After"], max_age=600),
        serializer=_dumps,
    )
    _register_error_mapping(app)
    app.use(middlewares=[_checked_request])
    return app


def principal(app: APIGatewayRestResolver, *, while_erased: bool = False) -> principals.Principal:
    """The verified caller (from the authorizer's claims, never the path or the body). An account being
    erased (DELETE /me) opens nothing from that moment, its tokens alive or not (401), but the routes
    ``while_erased`` that follow its erasure."""
    owner = principals.from_api_event(app.current_event.raw_event)
    if not while_erased:
        _accounts().refuse_if_erased(owner)
    return owner


@cache
def _accounts() -> Any:
    from zik.platform.accounts import Accounts

    return Accounts()


def body(app: APIGatewayRestResolver, schema: str, *, max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> dict[str, Any]:
    """The request's JSON body, checked against ``schemas/requests/<schema>.json``.

    The one parser of request bodies: ``zik.inputs.json_document`` (bounded nesting, finite numbers,
    no lone surrogates), then the schema."""
    document = inputs.json_document(_body_text(app.current_event, max_bytes))
    try:
        return schemas.validate("requests", schema, document)
    except schemas.SchemaViolation as exc:
        raise InvalidRequest(exc.message, field=exc.field) from None


def _body_text(event: Any, max_bytes: int) -> str:
    if event.is_base64_encoded:
        try:
            data = base64.b64decode(event.body or "", validate=True)
        except (binascii.Error, ValueError):
            raise InvalidRequest("request body is not valid base64") from None
        _check_size(len(data), max_bytes)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidRequest("request body is not UTF-8 text") from None
    else:
        text = event.body or ""
        # A lone surrogate counts as the three bytes it would take; the parser then names its field.
        _check_size(len(text.encode("utf-8", "surrogatepass")), max_bytes)
    if not text.strip():
        raise InvalidRequest("a JSON request body is required")
    return text


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise PayloadTooLarge(f"request body is {size} bytes; the limit is {max_bytes}")


def _note_guest_activity(event: Any) -> None:
    """A guest's request keeps them from the inactivity sweep (zik.platform.guests): at most one write a day."""
    claims = ((event.get("requestContext") or {}).get("authorizer") or {}).get("claims")
    if not claims or principals.GUESTS_GROUP not in principals.parse_groups(claims.get(principals.GROUPS_CLAIM)):
        return
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        _guests().touch(principals.from_claims(claims))
    except (ClientError, BotoCoreError) as exc:
        # The request goes on: a missed mark only brings the sweep a day closer, the next request marks again.
        logger.warning("a guest's activity was not recorded", extra={"error": type(exc).__name__})
    except ZikError:
        return  # claims principal() refuses: the route answers 401


@cache
def _guests() -> Any:
    from zik.platform.guests import Guests

    return Guests()


def responds(
    ok: Mapping[int, str | Mapping[str, str | None] | None],
    *,
    query: Sequence[str] = (),
    errors: Sequence[int] = (),
) -> Callable[[_Route], _Route]:
    """A route's contract, which the OpenAPI document publishes and the tests hold its answers to.

    - ``ok``: each success status with the schema of its body, a file of ``schemas/responses``
      (``{200: "goal_page"}``); None for no body (``{204: None}``); or a media type for each body it may
      be (``{200: {"application/json": "journal_export", "text/csv": None}}``).
    - ``query``: the query parameters it reads, each the name of a file of ``schemas/parameters``
      (an OpenAPI Parameter Object; ``entries.from`` where another route's ``from`` means something else).
    - ``errors``: the error statuses particular to this route (409, 422, 503...). The ones every route
      may answer are added by the document: 400, 429 and 500; 401 behind the authorizer; 404 with a path
      parameter; 413 with a body.

    zik_local.openapi reads these arguments from the source, so they are literals. At run time the
    route is unchanged: it carries them in ``__contract__``."""
    contract = {"ok": dict(ok), "query": tuple(query), "errors": tuple(errors)}

    def mark(route: _Route) -> _Route:
        route.__contract__ = contract  # type: ignore[attr-defined]
        return route

    return mark


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=_dumps(payload),
        headers=headers or {},
    )


def no_content() -> Response:
    """204: done, nothing to say (a DELETE)."""
    return Response(status_code=204, body=None)


def _dumps(payload: Any) -> str:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, default=str)


def _printable(text: str) -> str:
    """``text`` as an answer may quote it: a lone surrogate, which no UTF-8 answer can hold, as ``\\udXXX``."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _checked_request(app: APIGatewayRestResolver, next_middleware: Any) -> Response:
    """Every route's path parameters are ids, and its query string is text, before the route runs. A path
    parameter of another shape names nothing there is: a 404, as an id of another user's is. First of all, the
    caller's request counts against their rate limit (zik.ratelimit: a 429 past it)."""
    event = app.current_event
    ratelimit.check(event.raw_event)
    _note_guest_activity(event.raw_event)
    # The route's own arguments too: Powertools reads them from the path itself (under the handler's
    # names) and keeps them in its context under this key.
    for parameters in (event.path_parameters, app.context.get("_route_args")):
        for name, value in (parameters or {}).items():
            if not inputs.is_identifier(value):
                raise NotFound(f"nothing has that {name}: an id is {inputs.ID_SHAPE}", field=name)
    inputs.check_query(event.query_string_parameters)
    inputs.check_query(event.multi_value_query_string_parameters)
    return next_middleware(app)


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
        return json_response(error_body("not_found", f"no route for {event.http_method} {_printable(event.path)}", request_id=request_id()), 404)

    @app.exception_handler(ServiceError)
    def powertools_error(exc: ServiceError) -> Response:
        code = "invalid_request" if exc.status_code < 500 else "internal_error"
        # Powertools allows a dict as msg; ours is always a sentence.
        return json_response(error_body(code, str(exc.msg), request_id=request_id()), exc.status_code)

    @app.exception_handler(Exception)
    def unexpected(exc: Exception) -> Response:
        # The traceback goes to the log; the client gets a request id to quote, never the trace.
        logger.exception("unhandled error")
        return json_response(error_body("internal_error", "internal server error", request_id=request_id()), 500)
