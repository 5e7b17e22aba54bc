"""zik.observability: the decorator stack every handler wears works with tracing disabled (locally, tests)."""

from __future__ import annotations

import asyncio
import os

import pytest

from zik.observability import api_handler, instrument, tracer

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")


def test_tests_run_with_tracing_disabled():
    assert os.environ["POWERTOOLS_TRACE_DISABLED"] == "true"
    assert tracer.disabled


def test_an_instrumented_handler_runs_and_returns(lambda_context):
    @instrument()
    def handler(event, context):
        return {"echo": event["n"], "function": context.function_name}

    assert handler({"n": 1}, lambda_context) == {"echo": 1, "function": "test"}


def test_an_instrumented_handler_lets_errors_through(lambda_context):
    @instrument()
    def handler(event, context):
        raise KeyError("missing")

    with pytest.raises(KeyError):
        handler({}, lambda_context)


def test_the_api_handler_stack_runs_on_an_api_event(lambda_context, api_event):
    @api_handler
    def handler(event, context):
        return {"statusCode": 200, "body": event["requestContext"]["requestId"]}

    event = api_event("GET", "/me")
    assert handler(event, lambda_context)["body"] == event["requestContext"]["requestId"]


def test_traced_methods_run_with_tracing_disabled():
    @tracer.capture_method
    def double(x):
        return 2 * x

    @tracer.capture_method
    async def triple(x):
        return 3 * x

    assert double(2) == 4
    assert asyncio.run(triple(2)) == 6
    tracer.put_annotation("key", "value")  # no-ops, not errors
    tracer.put_metadata("key", {"a": 1})
