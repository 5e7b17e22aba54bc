"""Observability, configured once: Powertools Logger, Tracer and Metrics, and the decorator stack every
handler wears.

Service name, log level, metrics namespace and tracing switches come from the environment the template
sets (POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL, POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_TRACE_DISABLED).

The stack also notes when the invocation's caller stops waiting (``deadline()``): the Lambda context's
remaining time and, behind API Gateway, what is left of its 29 s. The AI gateway fits its calls into it.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import os
import time
import warnings
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.shared.functions import resolve_truthy_env_var_choice
from aws_lambda_powertools.tracing.base import BaseProvider

from zik import clock


class _NoSubsegment:
    """What a disabled Tracer's decorators annotate: nothing."""

    def put_annotation(self, key: str, value: Any) -> None:
        return None

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        return None


class _TracingOff(BaseProvider):
    """The provider of a disabled Tracer (locally, in tests).

    Without it, even a disabled Tracer loads the X-Ray SDK, whose import creates two X-Ray clients: a
    few hundred milliseconds of cold start for nothing. With tracing on (in AWS) the X-Ray SDK is used.
    Powertools still opens a subsegment around every decorated handler and method, disabled or not, so
    ``in_subsegment`` must work: it yields a subsegment that records nothing.
    """

    @contextlib.contextmanager
    def in_subsegment(self, name: str | None = None, **kwargs: Any) -> Iterator[Any]:  # a stand-in for BaseSegment, duck-typed
        yield _NoSubsegment()

    @contextlib.asynccontextmanager
    async def in_subsegment_async(self, name: str | None = None, **kwargs: Any) -> AsyncIterator[Any]:
        yield _NoSubsegment()

    def put_annotation(self, key: str, value: Any) -> None:
        return None

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        return None

    def patch(self, modules: Any) -> None:
        return None

    def patch_all(self) -> None:
        return None


def _tracer() -> Tracer:
    if resolve_truthy_env_var_choice(env=os.getenv("POWERTOOLS_TRACE_DISABLED", "false")):
        return Tracer(provider=_TracingOff(), disabled=True)
    return Tracer()


logger = Logger()
tracer = _tracer()
metrics = Metrics()
# Most invocations publish no metric of their own (the cold-start metric goes out in a document of its own):
# Powertools warns about it at every such invocation, as its documentation says to silence when that is
# expected. Only that message; every other warning still shows.
EMPTY_METRICS_WARNING = "No application metrics to publish"
warnings.filterwarnings("ignore", message=EMPTY_METRICS_WARNING, category=UserWarning)

Handler = Callable[[dict[str, Any], Any], Any]

# -- the invocation's deadline ---------------------------------------------------------------------------
# API Gateway answers 504 to its caller when the integration has not answered within 29 s of the request,
# whatever the function's own timeout.
API_GATEWAY_TIMEOUT_SECONDS = 29.0
# requestTimeEpoch is on API Gateway's wall clock, not ours: a request dated up to this much in the future
# is counted from now; one dated further ahead, or longer ago than API Gateway waits (a replayed or sample
# event), is counted from the handler's start.
_CLOCK_SKEW_SECONDS = 2.0

_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("zik_invocation_deadline", default=None)


def deadline() -> float | None:
    """When the current invocation's caller stops waiting, on ``time.monotonic()``; None outside a handler
    (or on a thread started without the handler's context)."""
    return _deadline.get()


def deadline_of(event: Any, context: Any, *, api_gateway: bool) -> float | None:
    """The invocation's end: the context's remaining time, and behind API Gateway no later than 29 s after
    the request (``requestContext.requestTimeEpoch``, so a cold start's INIT is counted)."""
    started = time.monotonic()
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    ends = started + remaining() / 1000 if callable(remaining) else None
    if api_gateway:
        gateway_ends = started + API_GATEWAY_TIMEOUT_SECONDS - _waited_at_api_gateway(event)
        ends = gateway_ends if ends is None else min(ends, gateway_ends)
    return ends


def _waited_at_api_gateway(event: Any) -> float:
    """Seconds since API Gateway received the request; 0 when the event cannot say."""
    received = (event.get("requestContext") or {}).get("requestTimeEpoch") if isinstance(event, dict) else None
    if not isinstance(received, (int, float)) or isinstance(received, bool):
        return 0.0
    waited = (clock.epoch_millis() - received) / 1000
    if -_CLOCK_SKEW_SECONDS <= waited <= API_GATEWAY_TIMEOUT_SECONDS:
        return max(0.0, waited)
    return 0.0


@contextlib.contextmanager
def within_deadline(event: Any, context: Any, *, api_gateway: bool = False) -> Iterator[float | None]:
    """``deadline()`` is this invocation's inside the block (what every instrumented handler runs in)."""
    token = _deadline.set(deadline_of(event, context, api_gateway=api_gateway))
    try:
        yield _deadline.get()
    finally:
        _deadline.reset(token)


def _bounded(handler: Handler, *, api_gateway: bool) -> Handler:
    @functools.wraps(handler)
    def run(event: dict[str, Any], context: Any) -> Any:
        with within_deadline(event, context, api_gateway=api_gateway):
            return handler(event, context)

    return run


def instrument(*, correlation_id_path: str | None = None, api_gateway: bool = False) -> Callable[[Handler], Handler]:
    """Logger with the event's correlation id, Tracer around the handler, Metrics flushed at the end
    (with the cold-start metric), and the invocation's ``deadline()`` (``api_gateway``: the function
    answers API Gateway, which stops waiting after 29 s)."""

    def decorate(handler: Handler) -> Handler:
        handler = metrics.log_metrics(capture_cold_start_metric=True)(handler)
        handler = tracer.capture_lambda_handler(capture_response=False)(handler)
        handler = logger.inject_lambda_context(correlation_id_path=correlation_id_path, clear_state=True)(handler)
        return _bounded(handler, api_gateway=api_gateway)

    return decorate


api_handler = instrument(correlation_id_path=correlation_paths.API_GATEWAY_REST, api_gateway=True)
event_handler = instrument(correlation_id_path=correlation_paths.EVENT_BRIDGE)
queue_handler = instrument()
workflow_handler = instrument(correlation_id_path="goal.goalId")
schedule_handler = instrument(correlation_id_path=correlation_paths.EVENT_BRIDGE)
