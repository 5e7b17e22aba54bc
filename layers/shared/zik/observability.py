"""Observability, configured once: Powertools Logger, Tracer and Metrics, and the decorator stack every
handler wears.

Service name, log level, metrics namespace and tracing switches come from the environment the template
sets (POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL, POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_TRACE_DISABLED).
"""

from __future__ import annotations

import contextlib
import os
from typing import Any, Callable

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.shared.functions import resolve_truthy_env_var_choice
from aws_lambda_powertools.tracing.base import BaseProvider


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
    def in_subsegment(self, name=None, **kwargs):  # type: ignore[no-untyped-def]
        yield _NoSubsegment()

    @contextlib.asynccontextmanager
    async def in_subsegment_async(self, name=None, **kwargs):  # type: ignore[no-untyped-def]
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

Handler = Callable[[dict[str, Any], Any], Any]


def instrument(*, correlation_id_path: str | None = None) -> Callable[[Handler], Handler]:
    """Logger with the event's correlation id, Tracer around the handler, Metrics flushed at the end
    (with the cold-start metric)."""

    def decorate(handler: Handler) -> Handler:
        handler = metrics.log_metrics(capture_cold_start_metric=True)(handler)
        handler = tracer.capture_lambda_handler(capture_response=False)(handler)
        return logger.inject_lambda_context(correlation_id_path=correlation_id_path, clear_state=True)(handler)

    return decorate


api_handler = instrument(correlation_id_path=correlation_paths.API_GATEWAY_REST)
event_handler = instrument(correlation_id_path=correlation_paths.EVENT_BRIDGE)
queue_handler = instrument()
workflow_handler = instrument(correlation_id_path="goal.goalId")
schedule_handler = instrument(correlation_id_path=correlation_paths.EVENT_BRIDGE)
