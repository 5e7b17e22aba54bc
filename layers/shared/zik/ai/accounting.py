"""Every model call is accounted: provider, model, task, tokens, images, latency and estimated cost, as
Powertools metrics (one EMF record per call, dimensioned by provider and task) and as one log line. Neither
carries prompt, answer, image or key text. Text models are priced by the token, image models by the image
(prices.json: ``input`` / ``output`` per million tokens, ``image`` per image made); the input tokens a vendor
read from its prompt cache or wrote to it at their own prices (``cache_read`` / ``cache_write``; a model
without them in the table has them priced as input)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

from zik.observability import logger

PRICES = Path(__file__).parent / "prices.json"
_INFERENCE_PROFILE = re.compile(r"^(us|eu|apac|us-gov|global)\.")


@dataclass(frozen=True)
class CallRecord:
    task: str
    provider: str
    model: str
    outcome: str  # ok | invalid | repaired | <failure kind>
    input_tokens: int
    output_tokens: int
    latency_ms: float
    cost_usd: float | None
    prompt_version: str
    attempt: int  # 1, or 2 for the repair
    images: int = 0  # images made (an image task's answer)
    cache_read_tokens: int = 0  # input tokens read from the vendor's prompt cache (not in input_tokens)
    cache_write_tokens: int = 0  # input tokens written to it (not in input_tokens)


@lru_cache(maxsize=1)
def price_table() -> dict[str, dict[str, float]]:
    return json.loads(PRICES.read_text(encoding="utf-8"))["models"]


def estimate_cost(
    provider: str,
    model: str,
    input_tokens: int,
    output_tokens: int,
    images: int = 0,
    *,
    cache_read_tokens: int = 0,
    cache_write_tokens: int = 0,
) -> float | None:
    """USD for the tokens (cached input at its own prices) and the images, or None for a model the price
    table does not list."""
    price = price_table().get(f"{provider}/{_INFERENCE_PROFILE.sub('', model)}")
    if price is None:
        return None
    input_price = price.get("input", 0.0)
    tokens = (
        input_tokens * input_price
        + cache_read_tokens * price.get("cache_read", input_price)
        + cache_write_tokens * price.get("cache_write", input_price)
        + output_tokens * price.get("output", 0.0)
    ) / 1_000_000
    return round(tokens + images * price.get("image", 0.0), 8)


def record(call: CallRecord) -> None:
    metrics = EphemeralMetrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or "Zik")
    metrics.add_dimension(name="Provider", value=call.provider)
    metrics.add_dimension(name="Task", value=call.task)
    metrics.add_metric(name="AICalls", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="AIInputTokens", unit=MetricUnit.Count, value=call.input_tokens)
    metrics.add_metric(name="AIOutputTokens", unit=MetricUnit.Count, value=call.output_tokens)
    if call.cache_read_tokens or call.cache_write_tokens:
        # Whether the prompt cache is hit in production: reads should dwarf writes on the chat.
        metrics.add_metric(name="AICacheReadTokens", unit=MetricUnit.Count, value=call.cache_read_tokens)
        metrics.add_metric(name="AICacheWriteTokens", unit=MetricUnit.Count, value=call.cache_write_tokens)
    metrics.add_metric(name="AILatency", unit=MetricUnit.Milliseconds, value=round(call.latency_ms, 2))
    if call.images:
        metrics.add_metric(name="AIImages", unit=MetricUnit.Count, value=call.images)
    if call.cost_usd is not None:
        metrics.add_metric(name="AICostMicroUSD", unit=MetricUnit.Count, value=round(call.cost_usd * 1_000_000, 2))
    if call.outcome not in ("ok", "repaired"):
        metrics.add_metric(name="AIProviderFailures", unit=MetricUnit.Count, value=1)
    metrics.add_metadata(key="model", value=call.model)
    metrics.flush_metrics()
    if call.outcome not in ("ok", "repaired"):
        _provider_failure(call.provider)
    logger.info("ai call", extra={"ai": asdict(call)})


def _provider_failure(provider: str) -> None:
    """A failed call, by provider alone (and the service): the figure the provider's alarm watches (the
    career seed's "failed Bedrock requests"), whatever the task."""
    metrics = EphemeralMetrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or "Zik")
    metrics.add_dimension(name="Provider", value=provider)
    metrics.add_metric(name="AIProviderFailures", unit=MetricUnit.Count, value=1)
    metrics.flush_metrics()


def record_unavailable(task: str) -> None:
    """Every provider failed: the figure the AI-failure alarm watches (service dimension only, so one alarm
    covers every task; the task is in the log line)."""
    metrics = EphemeralMetrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or "Zik")
    metrics.add_metric(name="AIUnavailable", unit=MetricUnit.Count, value=1)
    metrics.flush_metrics()
    logger.warning("ai unavailable", extra={"ai": {"task": task}})


def record_offline_fallback(task: str, attempts: Sequence[Mapping[str, str]]) -> None:
    """The offline rules answered because every provider before them failed or was skipped: the figure the
    offline-answers alarm watches (service dimension only, as AIUnavailable; the task and what was tried are
    in the log line)."""
    metrics = EphemeralMetrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or "Zik")
    metrics.add_metric(name="AIOfflineAnswers", unit=MetricUnit.Count, value=1)
    metrics.flush_metrics()
    logger.warning("ai answered offline", extra={"ai": {"task": task, "attempts": list(attempts)}})
