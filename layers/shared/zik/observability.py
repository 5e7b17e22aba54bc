"""Observability, configured once: Powertools Logger, Tracer and Metrics, and the decorator stack every
handler wears.

Service name, log level, metrics namespace and tracing switches come from the environment the template
sets (POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL, POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_TRACE_DISABLED).
"""

from __future__ import annotations

from typing import Any, Callable

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths

logger = Logger()
tracer = Tracer()
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
