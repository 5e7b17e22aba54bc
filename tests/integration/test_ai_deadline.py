"""Every AI call fits the time the invocation has left: vendors that hang (the official SDKs over an HTTP
mock transport that waits out each request's own timeout) give way to the next provider, or to an
AIUnavailable, before the Lambda context's deadline; through the gateway, the chat (POST /chat) and the
roadmap's planner step."""

from __future__ import annotations

import copy
import importlib
import json
import threading
import time
from typing import Any

import httpx2
import pytest
from aws_lambda_powertools.utilities.circuit_breaker import CircuitBreakerConfig
from aws_lambda_powertools.utilities.circuit_breaker.persistence import CircuitBreakerDynamoDBPersistence

import zik.ai
from zik.ai import providers
from zik.ai.budget import DailyBudget
from zik.ai.errors import AIUnavailable, ProviderFailure
from zik.ai.gateway import Gateway
from zik.ai.providers.anthropic_api import AnthropicAPI
from zik.ai.providers.local import Local
from zik.ai.providers.openai_api import OpenAIAPI
from zik.observability import within_deadline
from zik.principal import Principal

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")
# The vendors' SDKs are imported here, not by the gateway's first fallback inside a countdown: a first import
# takes a second or more on a loaded machine (two test workers on two cores), which would spend the budget
# these tests give the calls themselves.
for _sdk in ("anthropic", "openai"):
    importlib.import_module(_sdk)

NOTE = {"text": "Felt calm after a long walk by the river with Sam.", "length": 51}
SUB = "8f1c2a7e-4b3d-4c9a-9e61-2d5b7f0a1c34"  # the user of the sample events


class SlowVendor:
    """A vendor's HTTP transport, for its SDK: it gives ``answer`` after ``seconds``; with no answer it
    hangs until the read timeout the SDK gave the request, then times out as httpx2 does. It keeps the
    timeouts it was given."""

    def __init__(self, answer: httpx2.Response | None = None, *, seconds: float = 0.0):
        self.answer = answer
        self.seconds = seconds
        self.timeouts: list[dict[str, float]] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        timeout = request.extensions["timeout"]
        self.timeouts.append(timeout)
        if self.answer is None:
            threading.Event().wait(timeout["read"])
            raise httpx2.ReadTimeout("timed out", request=request)
        threading.Event().wait(self.seconds)
        return self.answer

    def client(self) -> httpx2.Client:
        return httpx2.Client(transport=httpx2.MockTransport(self))


def anthropic(vendor: SlowVendor) -> AnthropicAPI:
    return AnthropicAPI("claude-haiku-4-5", http_client=vendor.client())


def openai(vendor: SlowVendor) -> OpenAIAPI:
    return OpenAIAPI("gpt-4o-mini", http_client=vendor.client())


def countdown(context: Any, seconds: float) -> Any:
    """The tests' Lambda context with ``seconds`` left from now, counting down as Lambda's does."""
    ends = time.monotonic() + seconds
    context = copy.copy(context)
    context.get_remaining_time_in_millis = lambda: max(0, int((ends - time.monotonic()) * 1000))
    return context


def ai_lines(log_records, message: str) -> list[dict[str, Any]]:
    return [r["ai"] for r in log_records() if r.get("message") == message]


@pytest.fixture(autouse=True)
def _vendor_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test-0123456789abcdef")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-0123456789abcdef")


# -- the gateway ------------------------------------------------------------------------------------------
def test_hanging_vendors_give_way_to_the_offline_rules_within_the_deadline(digest_task, lambda_context, log_records) -> None:
    first, second = SlowVendor(), SlowVendor()
    gateway = Gateway([anthropic(first), openai(second), Local()])
    started = time.monotonic()

    with within_deadline({}, countdown(lambda_context, 3.5)):  # 1.5 s for the AI: 2 s are kept for after it
        answer = gateway.run("tests.digest", NOTE)

    assert answer == digest_task.offline(NOTE)
    assert time.monotonic() - started < 3.5
    [given] = first.timeouts  # one try, whose connect and read timeouts fit in the time left
    assert given["connect"] + given["read"] <= 1.5
    assert second.timeouts == []  # too little time was left to start it
    calls = ai_lines(log_records, "ai call")
    assert [(c["provider"], c["outcome"], c["attempt"]) for c in calls] == [("anthropic", "timeout", 1), ("local", "ok", 1)]
    assert calls[0]["latency_ms"] > 0
    [skipped] = ai_lines(log_records, "ai attempt skipped")
    assert (skipped["provider"], skipped["task"], skipped["attempt"]) == ("openai", "tests.digest", 1)
    assert 0 <= skipped["left_ms"] < 1000


def test_without_the_offline_rules_the_caller_gets_ai_unavailable_before_the_deadline(digest_task, lambda_context) -> None:
    gateway = Gateway([anthropic(SlowVendor()), openai(SlowVendor())])
    started = time.monotonic()

    with within_deadline({}, countdown(lambda_context, 3.5)), pytest.raises(AIUnavailable) as unavailable:
        gateway.run("tests.digest", NOTE)

    assert time.monotonic() - started < 3.5
    attempts = unavailable.value.attempts
    assert [a["provider"] for a in attempts] == ["anthropic", "openai"]
    assert attempts[0]["reason"].startswith("no answer within ")
    assert attempts[1]["reason"].startswith("skipped: ") and attempts[1]["reason"].endswith("s left, too little for a call")


def test_no_vendor_is_called_when_too_little_time_is_left(digest_task, lambda_context, log_records) -> None:
    first, second = SlowVendor(), SlowVendor()
    gateway = Gateway([anthropic(first), openai(second), Local()])

    with within_deadline({}, countdown(lambda_context, 2.5)):  # 0.5 s for the AI
        answer = gateway.run("tests.digest", NOTE)

    assert answer == digest_task.offline(NOTE)
    assert first.timeouts == second.timeouts == []
    assert [s["provider"] for s in ai_lines(log_records, "ai attempt skipped")] == ["anthropic", "openai"]
    assert [c["provider"] for c in ai_lines(log_records, "ai call")] == ["local"]  # a skipped attempt costs nothing


def test_a_repair_that_would_not_fit_is_not_asked_for(digest_task, lambda_context, log_records) -> None:
    invalid = httpx2.Response(
        200,
        json={
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": "claude-haiku-4-5-20251001",
            "content": [{"type": "text", "text": "I would rather not."}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": 200, "output_tokens": 5},
        },
    )
    vendor = SlowVendor(invalid, seconds=0.8)
    gateway = Gateway([anthropic(vendor), Local()])

    with within_deadline({}, countdown(lambda_context, 3.5)):  # 1.5 s for the AI, 0.8 s of them spent on a bad answer
        answer = gateway.run("tests.digest", NOTE)

    assert answer == digest_task.offline(NOTE)
    assert len(vendor.timeouts) == 1
    calls = ai_lines(log_records, "ai call")
    assert [(c["provider"], c["outcome"], c["attempt"]) for c in calls] == [("anthropic", "invalid", 1), ("local", "ok", 1)]
    [skipped] = ai_lines(log_records, "ai attempt skipped")
    assert (skipped["provider"], skipped["attempt"]) == ("anthropic", 2)


def test_a_timeout_counts_against_the_circuit_and_a_skipped_attempt_does_not(digest_task, deployment, lambda_context) -> None:
    import boto3

    table = deployment.functions["MeFunction"].environment["AI_TABLE"]
    store = CircuitBreakerDynamoDBPersistence(table_name=table, key_attr="pk", sort_key_attr="sk", static_pk_value="CIRCUIT")
    circuits = CircuitBreakerConfig(
        failure_threshold=1, recovery_timeout=60, success_threshold=1, handled_exceptions=(ProviderFailure,), local_cache_max_age=1
    )
    gateway = Gateway([anthropic(SlowVendor()), openai(SlowVendor()), Local()], circuit_store=store, circuit_config=circuits)

    with within_deadline({}, countdown(lambda_context, 3.5)):
        gateway.run("tests.digest", NOTE)

    def state(provider: str) -> str | None:
        item = boto3.client("dynamodb").get_item(TableName=table, Key={"pk": {"S": "CIRCUIT"}, "sk": {"S": f"ai-provider-{provider}"}}).get("Item")
        return item["state"]["S"] if item else None

    assert state("anthropic") == "OPEN"  # its timeout was a failure (the threshold here is one)
    assert state("openai") in (None, "CLOSED")  # skipped for time: not held against it


# -- through the functions ---------------------------------------------------------------------------------
@pytest.fixture
def vendors(load_function, monkeypatch: pytest.MonkeyPatch):
    """``vendors("anthropic,openai,local")``: the functions' gateway, built from the environment with those
    providers, Anthropic and OpenAI hanging."""
    hanging = {"anthropic": SlowVendor(), "openai": SlowVendor()}
    monkeypatch.setitem(providers.KNOWN, "anthropic", lambda: anthropic(hanging["anthropic"]))
    monkeypatch.setitem(providers.KNOWN, "openai", lambda: openai(hanging["openai"]))

    def use(names: str, function: str) -> Any:
        module = load_function(function)
        monkeypatch.setenv("AI_PROVIDERS", names)
        zik.ai.reset()
        return module

    yield use
    zik.ai.reset()


def chat(module: Any, sample, shape, context: Any) -> tuple[int, dict[str, str], Any]:
    reply = module.lambda_handler(shape(sample("chat_post"), body={"message": "What's on today?"}), context)
    headers = {k.lower(): ", ".join(v) for k, v in (reply.get("multiValueHeaders") or {}).items()}
    headers.update({k.lower(): v for k, v in (reply.get("headers") or {}).items()})
    return reply["statusCode"], headers, json.loads(reply["body"])


def test_the_chat_answers_from_the_offline_rules_when_both_vendors_hang(vendors, sample, shape, lambda_context, log_records, same_day) -> None:
    same_day(minutes=1, zone="UTC")  # budgets are per UTC day
    module = vendors("anthropic,openai,local", "ChatFunction")
    started = time.monotonic()

    status, _, body = chat(module, sample, shape, countdown(lambda_context, 4))

    assert status == 200, body
    assert body["intent"] == "list_tasks" and body["reply"]
    assert time.monotonic() - started < 4
    calls = ai_lines(log_records, "ai call")
    assert [(c["provider"], c["outcome"]) for c in calls] == [("anthropic", "timeout"), ("local", "ok")]
    assert [s["provider"] for s in ai_lines(log_records, "ai attempt skipped")] == ["openai"]


def test_the_chat_answers_503_with_retry_after_before_the_deadline_when_no_provider_can(
    vendors, sample, shape, lambda_context, deployment, same_day
) -> None:
    same_day(minutes=1, zone="UTC")  # budgets are per UTC day
    module = vendors("anthropic,openai", "ChatFunction")
    started = time.monotonic()

    status, headers, body = chat(module, sample, shape, countdown(lambda_context, 4))

    assert time.monotonic() - started < 4
    assert status == 503 and headers["retry-after"] == "30"
    assert body["error"]["code"] == "ai_unavailable"
    owner = Principal(user_id=SUB, tenant_id="acme", email=None, claims={})
    budget = DailyBudget(deployment.functions["ChatFunction"].environment["AI_TABLE"])
    assert budget.usage(owner, zik.ai.get("quests.chat"))["calls"] == 0  # no answer, no charge


def test_a_workflow_step_gives_ai_unavailable_for_its_retry_before_its_own_timeout(vendors, sample, lambda_context) -> None:
    module = vendors("anthropic,openai", "PlannerFunction")
    started = time.monotonic()

    with pytest.raises(AIUnavailable) as unavailable:  # the name the state machine's Retry waits for
        module.lambda_handler(sample("roadmap_start"), countdown(lambda_context, 4))

    assert time.monotonic() - started < 4
    assert [a["provider"] for a in unavailable.value.attempts] == ["anthropic", "openai"]
