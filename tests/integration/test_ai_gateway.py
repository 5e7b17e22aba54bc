"""The AI gateway end to end in one process: real providers with fake transports (botocore's Stubber for
Bedrock, the SDKs with an HTTP mock transport), budget and circuit state in the template's AITable in moto."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import httpx2
import pytest
from aws_lambda_powertools.utilities.circuit_breaker import CircuitBreakerConfig
from aws_lambda_powertools.utilities.circuit_breaker import base as circuit_base
from aws_lambda_powertools.utilities.circuit_breaker.persistence import CircuitBreakerDynamoDBPersistence
from botocore.stub import Stubber

from zik.ai.budget import DailyBudget, Reservation
from zik.ai.errors import AIBudgetExceeded, AIUnavailable, ProviderFailure
from zik.ai.gateway import Gateway
from zik.ai.providers.anthropic_api import AnthropicAPI
from zik.ai.providers.bedrock import Bedrock
from zik.ai.providers.local import Local
from zik.ai.providers.openai_api import OpenAIAPI
from zik.principal import Principal

NOTE = {"text": "Felt calm after a long walk by the river with Sam.", "length": 51}
GOOD = {"title": "A calm walk", "keywords": ["walk", "river"], "tone": "positive"}
SECRET_KEY = "sk-live-DO-NOT-LOG-4f9a8b7c"
ALICE = Principal(user_id="alice-sub", tenant_id="default", email="alice@example.com", claims={})
MODEL = "anthropic.claude-3-5-haiku-20241022-v1:0"


# -- the fake transports --------------------------------------------------------------------------------
def converse(answer: Any, *, as_tool: bool = True, tokens: tuple[int, int] = (150, 30)) -> dict:
    block = {"toolUse": {"toolUseId": "tooluse_1", "name": "tests_digest", "input": answer}} if as_tool else {"text": answer}
    return {
        "output": {"message": {"role": "assistant", "content": [block]}},
        "stopReason": "tool_use" if as_tool else "end_turn",
        "usage": {"inputTokens": tokens[0], "outputTokens": tokens[1], "totalTokens": sum(tokens)},
        "metrics": {"latencyMs": 640},
    }


class Wire:
    """An SDK's HTTP transport: answers in order, records what was sent."""

    def __init__(self, *answers: httpx2.Response):
        self.answers = list(answers)
        self.sent: list[dict[str, Any]] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.sent.append(json.loads(request.content))
        return self.answers.pop(0)

    def client(self) -> httpx2.Client:
        return httpx2.Client(transport=httpx2.MockTransport(self))


def anthropic_ok(answer: dict) -> httpx2.Response:
    return httpx2.Response(
        200,
        json={
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": "claude-haiku-4-5-20251001",
            "content": [{"type": "tool_use", "id": "toolu_1", "name": "tests_digest", "input": answer}],
            "stop_reason": "tool_use",
            "stop_sequence": None,
            "usage": {"input_tokens": 200, "output_tokens": 50},
        },
    )


def openai_ok(answer: dict) -> httpx2.Response:
    return httpx2.Response(
        200,
        json={
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 1763900000,
            "model": "gpt-4o-mini-2024-07-18",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "tool_calls",
                    "logprobs": None,
                    "message": {
                        "role": "assistant",
                        "content": None,
                        "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "tests_digest", "arguments": json.dumps(answer)}}],
                    },
                }
            ],
            "usage": {"prompt_tokens": 180, "completion_tokens": 40, "total_tokens": 220},
        },
    )


def failing(status: int) -> httpx2.Response:
    return httpx2.Response(status, json={"type": "error", "error": {"type": "api_error", "message": "boom"}})


@pytest.fixture
def bedrock():
    client = boto3.client("bedrock-runtime", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stubber:
        yield Bedrock(MODEL, client=client), stubber


@pytest.fixture(autouse=True)
def _vendor_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET_KEY)
    monkeypatch.setenv("OPENAI_API_KEY", SECRET_KEY)


@pytest.fixture
def ai_table(deployment) -> str:
    return deployment.functions["MeFunction"].environment["AI_TABLE"]


# -- fallback and repair -------------------------------------------------------------------------------
def test_providers_are_tried_in_order_until_one_answers(digest_task, bedrock) -> None:
    provider, stubber = bedrock
    stubber.add_client_error("converse", service_error_code="ThrottlingException", http_status_code=429)
    anthropic_wire, openai_wire = Wire(failing(500)), Wire(openai_ok(GOOD))
    gateway = Gateway(
        [
            provider,
            AnthropicAPI("claude-haiku-4-5", http_client=anthropic_wire.client()),
            OpenAIAPI("gpt-4o-mini", http_client=openai_wire.client()),
            Local(),
        ]
    )

    assert gateway.run("tests.digest", NOTE) == GOOD
    assert len(anthropic_wire.sent) == 1 and len(openai_wire.sent) == 1
    stubber.assert_no_pending_responses()


def test_an_invalid_answer_is_repaired_once_with_the_error_shown(digest_task, bedrock) -> None:
    provider, stubber = bedrock
    stubber.add_response("converse", converse({**GOOD, "tone": "ecstatic"}))
    stubber.add_response("converse", converse(GOOD))

    assert Gateway([provider]).run("tests.digest", NOTE) == GOOD
    stubber.assert_no_pending_responses()


def test_the_repair_prompt_carries_the_bad_answer_and_the_validation_error(digest_task) -> None:
    wire = Wire(anthropic_ok({**GOOD, "keywords": []}), anthropic_ok(GOOD))

    assert Gateway([AnthropicAPI("claude-haiku-4-5", http_client=wire.client())]).run("tests.digest", NOTE) == GOOD

    repair = wire.sent[1]["messages"]
    assert [m["role"] for m in repair] == ["user", "assistant", "user"]
    assert json.loads(repair[1]["content"]) == {**GOOD, "keywords": []}
    assert "keywords must contain at least 1 items" in repair[2]["content"]


def test_invalid_twice_moves_to_the_next_provider(digest_task, bedrock) -> None:
    provider, stubber = bedrock
    stubber.add_response("converse", converse("I cannot do that.", as_tool=False))
    stubber.add_response("converse", converse({"title": "x"}))

    answer = Gateway([provider, Local()]).run("tests.digest", NOTE)

    assert answer["tone"] == "positive" and "walk" in answer["keywords"]  # the offline rules answered
    stubber.assert_no_pending_responses()


def test_when_every_provider_fails_the_caller_gets_a_typed_retryable_error(digest_task, bedrock) -> None:
    provider, stubber = bedrock
    stubber.add_client_error("converse", service_error_code="ValidationException", http_status_code=400)
    wire = Wire(failing(529))

    with pytest.raises(AIUnavailable) as unavailable:
        Gateway([provider, AnthropicAPI("claude-haiku-4-5", http_client=wire.client())]).run("tests.digest", NOTE)

    error = unavailable.value
    assert (error.status, error.code, error.headers()) == (503, "ai_unavailable", {"Retry-After": "30"})
    assert error.details["retryable"] is True
    assert error.attempts == [
        {"provider": "bedrock", "reason": "Bedrock answered ValidationException"},
        {"provider": "anthropic", "reason": "the Anthropic API answered HTTP 529"},
    ]


def test_a_provider_without_a_key_is_skipped(digest_task, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY")
    wire = Wire()

    answer = Gateway([OpenAIAPI("gpt-4o-mini", http_client=wire.client()), Local()]).run("tests.digest", NOTE)

    assert answer["title"].startswith("Felt calm") and wire.sent == []


def test_when_the_vendors_fail_the_offline_rules_answer_and_say_so(digest_task, bedrock, log_records) -> None:
    provider, stubber = bedrock
    stubber.add_client_error("converse", service_error_code="ServiceUnavailableException", http_status_code=503)

    answer = Gateway([provider, Local()]).run("tests.digest", NOTE)

    assert answer["title"].startswith("Felt calm")
    records = log_records()
    assert [r["AIOfflineAnswers"] for r in records if "_aws" in r and "AIOfflineAnswers" in r] == [[1.0]]
    said = [r["ai"] for r in records if r.get("message") == "ai answered offline"]
    assert said == [{"task": "tests.digest", "attempts": [{"provider": "bedrock", "reason": "Bedrock answered ServiceUnavailableException"}]}]


def test_local_alone_answering_is_not_a_fallback(digest_task, log_records) -> None:
    Gateway([Local()]).run("tests.digest", NOTE)

    assert not [r for r in log_records() if "AIOfflineAnswers" in r or r.get("message") == "ai answered offline"]


def test_production_falls_back_to_the_offline_rules_last() -> None:
    from zik.ai.gateway import DEFAULT_PROVIDERS

    assert DEFAULT_PROVIDERS.split(",")[-1] == "local"


# -- circuit breaker ----------------------------------------------------------------------------------
def test_the_circuit_opens_after_repeated_failures_and_closes_after_recovery(digest_task, bedrock, ai_table, monkeypatch) -> None:
    provider, stubber = bedrock
    clock = {"now": 1_800_000_000}
    monkeypatch.setattr(circuit_base.CircuitBreakerHandler, "_now", staticmethod(lambda: clock["now"]))
    store = CircuitBreakerDynamoDBPersistence(table_name=ai_table, key_attr="pk", sort_key_attr="sk", static_pk_value="CIRCUIT")
    gateway = Gateway(
        [provider, Local()],
        circuit_store=store,
        circuit_config=CircuitBreakerConfig(
            failure_threshold=2, recovery_timeout=30, success_threshold=1, handled_exceptions=(ProviderFailure,), local_cache_max_age=1
        ),
    )
    for _ in range(2):
        stubber.add_client_error("converse", service_error_code="ServiceUnavailableException", http_status_code=503)
        gateway.run("tests.digest", NOTE)  # answered offline after Bedrock failed
    stubber.assert_no_pending_responses()

    # Open: Bedrock is not called at all (the stubber has nothing queued and would fail the test).
    gateway.run("tests.digest", NOTE)
    state = boto3.client("dynamodb").get_item(TableName=ai_table, Key={"pk": {"S": "CIRCUIT"}, "sk": {"S": "ai-provider-bedrock"}})["Item"]
    assert state["state"]["S"] == "OPEN"

    # After the recovery timeout one probe goes through; its success closes the circuit.
    clock["now"] += 31
    monkeypatch.setattr(store, "_retrieve_from_cache", lambda name: None)
    stubber.add_response("converse", converse({**GOOD, "title": "From Bedrock"}))
    assert gateway.run("tests.digest", NOTE)["title"] == "From Bedrock"
    state = boto3.client("dynamodb").get_item(TableName=ai_table, Key={"pk": {"S": "CIRCUIT"}, "sk": {"S": "ai-provider-bedrock"}})["Item"]
    assert state["state"]["S"] == "CLOSED"
    stubber.assert_no_pending_responses()


# -- budget -------------------------------------------------------------------------------------------
@pytest.mark.clock
def test_over_budget_is_a_429_with_the_reset_time(digest_task, ai_table, same_day) -> None:
    same_day(minutes=1, zone="UTC")  # budgets are per UTC day
    gateway = Gateway([Local()], budget=DailyBudget(ai_table, overrides={"tests.digest": {"calls": 2}}))
    gateway.run("tests.digest", NOTE, owner=ALICE)
    gateway.run("tests.digest", NOTE, owner=ALICE)

    with pytest.raises(AIBudgetExceeded) as exceeded:
        gateway.run("tests.digest", NOTE, owner=ALICE)

    error = exceeded.value
    assert error.status == 429 and error.code == "ai_budget_exceeded"
    assert "today's AI budget for tests.digest (2 calls) is used up; it resets at" in error.message
    assert 0 < int(error.headers()["Retry-After"]) <= 86_400
    bob = Principal(user_id="bob-sub", tenant_id="default", email=None, claims={})
    assert gateway.run("tests.digest", NOTE, owner=bob)  # budgets are per user


def test_a_call_reserved_ahead_is_counted_once_and_one_not_made_is_given_back(digest_task, ai_table, same_day) -> None:
    same_day(minutes=1, zone="UTC")  # budgets are per UTC day
    budget = DailyBudget(ai_table, overrides={"tests.digest": {"calls": 1}})
    gateway = Gateway([Local()], budget=budget)

    reservation = gateway.reserve("tests.digest", ALICE)
    assert budget.usage(ALICE, digest_task)["calls"] == 1
    assert gateway.run("tests.digest", NOTE, owner=ALICE, reservation=reservation)
    assert budget.usage(ALICE, digest_task)["calls"] == 1  # the run spent the reservation, not a second call
    with pytest.raises(AIBudgetExceeded):
        gateway.reserve("tests.digest", ALICE)

    bob = Principal(user_id="bob-sub", tenant_id="default", email=None, claims={})
    unused = gateway.reserve("tests.digest", bob)
    gateway.release(unused)
    assert budget.usage(bob, digest_task)["calls"] == 0
    elsewhere = Reservation(key=unused.key, task="tests.elsewhere")
    with pytest.raises(ValueError, match="a reservation for tests.elsewhere cannot pay for tests.digest"):
        gateway.run("tests.digest", NOTE, owner=bob, reservation=elsewhere)


def test_concurrent_calls_do_not_overshoot_the_budget(digest_task, ai_table, same_day) -> None:
    same_day(minutes=1, zone="UTC")  # budgets are per UTC day
    budget = DailyBudget(ai_table)  # the task's own limit: 5 calls a day
    gateway = Gateway([Local()], budget=budget)
    start = threading.Barrier(12)

    def call(_: int) -> str:
        start.wait()
        try:
            gateway.run("tests.digest", NOTE, owner=ALICE)
            return "ok"
        except AIBudgetExceeded:
            return "refused"

    with ThreadPoolExecutor(12) as pool:
        outcomes = list(pool.map(call, range(12)))

    assert outcomes.count("ok") == 5 and outcomes.count("refused") == 7
    assert budget.usage(ALICE, digest_task)["calls"] == 5


def test_a_token_budget_refuses_once_spent_and_a_failed_call_is_not_charged(digest_task, ai_table, bedrock, same_day) -> None:
    same_day(minutes=1, zone="UTC")  # budgets are per UTC day
    provider, stubber = bedrock
    budget = DailyBudget(ai_table, overrides={"tests.digest": {"calls": 100, "tokens": 300}})
    stubber.add_response("converse", converse(GOOD, tokens=(250, 60)))
    Gateway([provider], budget=budget).run("tests.digest", NOTE, owner=ALICE)
    assert budget.usage(ALICE, digest_task) == {"calls": 1, "tokens": 310}

    with pytest.raises(AIBudgetExceeded, match=r"100 calls or 300 tokens"):
        Gateway([provider], budget=budget).run("tests.digest", NOTE, owner=ALICE)

    fresh = DailyBudget(ai_table)
    bob = Principal(user_id="bob-sub", tenant_id="default", email=None, claims={})
    stubber.add_client_error("converse", service_error_code="ThrottlingException", http_status_code=429)
    with pytest.raises(AIUnavailable):
        Gateway([provider], budget=fresh).run("tests.digest", NOTE, owner=bob)
    assert fresh.usage(bob, digest_task)["calls"] == 0


# -- accounting and logs ---------------------------------------------------------------------------------
def test_every_call_is_accounted_and_no_prompt_or_key_reaches_the_logs(digest_task, bedrock, log_records) -> None:
    provider, stubber = bedrock
    stubber.add_client_error("converse", service_error_code="ThrottlingException", http_status_code=429)
    wire = Wire(anthropic_ok({**GOOD, "tone": "meh"}), anthropic_ok(GOOD))

    Gateway([provider, AnthropicAPI("claude-haiku-4-5", http_client=wire.client())]).run("tests.digest", NOTE)

    records = log_records()
    output = json.dumps(records)
    emf = [r for r in records if "_aws" in r and "Task" in r]
    # Each failed call is counted by its provider alone too, for the provider's alarm (BedrockFailuresAlarm).
    by_provider = [(r["Provider"], r["AIProviderFailures"]) for r in records if "_aws" in r and "Task" not in r and "AIProviderFailures" in r]
    assert by_provider == [("bedrock", [1.0]), ("anthropic", [1.0])]
    calls = [r["ai"] for r in records if r.get("message") == "ai call"]
    assert [(c["provider"], c["outcome"], c["attempt"]) for c in calls] == [
        ("bedrock", "throttled", 1),
        ("anthropic", "invalid", 1),
        ("anthropic", "repaired", 2),
    ]
    repaired = calls[-1]
    assert (repaired["model"], repaired["input_tokens"], repaired["output_tokens"]) == ("claude-haiku-4-5-20251001", 200, 50)
    assert repaired["cost_usd"] == pytest.approx((200 * 1.00 + 50 * 5.00) / 1_000_000)
    assert repaired["prompt_version"] == "tests.digest.v1"
    assert len(emf) == 3
    metric = emf[-1]
    assert metric["Provider"] == "anthropic" and metric["Task"] == "tests.digest"
    assert (metric["AICalls"], metric["AIInputTokens"], metric["AIOutputTokens"]) == ([1.0], [200.0], [50.0])
    assert metric["AICostMicroUSD"] == [450.0]
    assert metric["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Zik"
    assert emf[0]["AIProviderFailures"] == [1.0]
    # Neither the user's text, the prompt, the model's answer nor the key is written anywhere.
    for secret in (SECRET_KEY, NOTE["text"], "You condense a short note", "A calm walk"):
        assert secret not in output


def test_the_gateway_is_built_from_the_environment(digest_task, ai_table, monkeypatch: pytest.MonkeyPatch) -> None:
    import zik.ai

    monkeypatch.setenv("AI_TABLE", ai_table)
    monkeypatch.setenv("AI_PROVIDERS", "anthropic, local")
    monkeypatch.setenv("AI_BUDGETS", '{"tests.digest": {"calls": 1}}')
    zik.ai.reset()

    gateway = zik.ai.default_gateway()

    assert [p.name for p in gateway.providers] == ["anthropic", "local"]
    assert gateway.budget.limits(digest_task).calls == 1
    assert gateway is zik.ai.default_gateway()  # built once per process
    zik.ai.reset()


@pytest.mark.parametrize(
    ("providers", "budgets", "message"),
    [
        (" , ", "{}", "AI_PROVIDERS names no provider"),
        ("local", "[1]", "AI_BUDGETS must map task names"),
        ("local", "not json", "AI_BUDGETS must be JSON"),
        ("bedrock,gemini", "{}", "unknown AI provider 'gemini'"),
    ],
)
def test_bad_configuration_fails_at_init_naming_the_setting(ai_table, monkeypatch, providers, budgets, message) -> None:
    from zik.ai.gateway import Gateway as G

    monkeypatch.setenv("AI_TABLE", ai_table)
    monkeypatch.setenv("AI_PROVIDERS", providers)
    monkeypatch.setenv("AI_BUDGETS", budgets)
    with pytest.raises(Exception, match=message):
        G.from_environment()
