"""The Anthropic and OpenAI fallbacks through their official SDKs, with an HTTP mock transport: the SDKs
build and parse the real wire format; nothing leaves the process."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

from zik.ai.errors import ProviderFailure, ProviderNotConfigured
from zik.ai.providers.anthropic_api import AnthropicAPI
from zik.ai.providers.base import Request
from zik.ai.providers.openai_api import OpenAIAPI

ANSWER = {"title": "A calm walk", "keywords": ["river", "walk"], "tone": "positive"}
KEY = "sk-test-0123456789abcdef"


def anthropic_message(content: list[dict], *, model: str = "claude-haiku-4-5-20251001", cached: tuple[int, int] | None = None) -> dict:
    """A Messages API answer; ``cached``: the (read, written) input tokens of the prompt cache, which the API
    counts apart from ``input_tokens``."""
    usage: dict[str, Any] = {"input_tokens": 210, "output_tokens": 48}
    if cached is not None:
        usage |= {"cache_read_input_tokens": cached[0], "cache_creation_input_tokens": cached[1]}
    return {
        "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": usage,
    }


def openai_completion(message: dict, *, model: str = "gpt-4o-mini-2024-07-18") -> dict:
    return {
        "id": "chatcmpl-AT3xKq2",
        "object": "chat.completion",
        "created": 1763900000,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls", "logprobs": None}],
        "usage": {"prompt_tokens": 190, "completion_tokens": 41, "total_tokens": 231},
    }


class Recorder:
    """The mock transport's handler: answers from a list, keeps what was sent."""

    def __init__(self, *answers: httpx2.Response | Exception):
        self.answers = list(answers)
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def body(self, index: int = 0) -> dict[str, Any]:
        return json.loads(self.requests[index].content)


def client(recorder: Recorder) -> httpx2.Client:
    return httpx2.Client(transport=httpx2.MockTransport(recorder))


@pytest.fixture
def request_(digest_task) -> Request:
    return Request.first(digest_task, digest_task.render({"text": "A calm walk by the river.", "length": 25}), {})


@pytest.fixture(autouse=True)
def _keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)


# -- Anthropic ---------------------------------------------------------------------------------------
def test_anthropic_tool_use_answer(request_, digest_task) -> None:
    recorder = Recorder(
        httpx2.Response(
            200,
            json=anthropic_message(
                [
                    {"type": "text", "text": "Here it is."},
                    {"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "tests_digest", "input": ANSWER},
                ]
            ),
        )
    )
    provider = AnthropicAPI("claude-haiku-4-5", http_client=client(recorder))

    completion = provider.complete(request_)

    assert completion.answer == ANSWER
    assert (completion.input_tokens, completion.output_tokens) == (210, 48)
    sent = recorder.body()
    assert recorder.requests[0].url.path == "/v1/messages"
    assert KEY in (recorder.requests[0].headers.get("x-api-key"), recorder.requests[0].headers.get("authorization", "").removeprefix("Bearer "))
    # The per-call timeout: AI_TIMEOUT_SECONDS (20) in all, 2 of them to connect, the rest for the answer.
    assert recorder.requests[0].extensions["timeout"] == {"connect": 2.0, "read": 18.0, "write": 18.0, "pool": 18.0}
    assert recorder.requests[0].headers["x-stainless-read-timeout"] == "18.0"
    assert sent["model"] == "claude-haiku-4-5"
    assert sent["max_tokens"] == 300
    # The tool and the system prompt, the same for every user, end at a cache breakpoint.
    assert sent["system"] == [{"type": "text", "text": request_.prompt.system, "cache_control": {"type": "ephemeral"}}]
    assert sent["messages"] == [{"role": "user", "content": request_.prompt.user}]
    assert sent["tools"] == [{"name": "tests_digest", "description": digest_task.description, "input_schema": digest_task.tool_schema}]
    assert sent["tool_choice"] == {"type": "tool", "name": "tests_digest"}


def test_anthropic_prompt_cache_reads_and_writes_are_in_the_completion(request_) -> None:
    tool = {"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "tests_digest", "input": ANSWER}
    recorder = Recorder(
        httpx2.Response(200, json=anthropic_message([tool], cached=(0, 4200))),
        httpx2.Response(200, json=anthropic_message([tool], cached=(4200, 0))),
        httpx2.Response(200, json=anthropic_message([tool])),  # a prefix below the model's minimum: no cache fields
    )
    provider = AnthropicAPI("claude-haiku-4-5", http_client=client(recorder))

    first, second, uncached = (provider.complete(request_) for _ in range(3))

    assert (first.cache_read_tokens, first.cache_write_tokens) == (0, 4200)
    assert (second.cache_read_tokens, second.cache_write_tokens, second.input_tokens) == (4200, 0, 210)
    assert (uncached.cache_read_tokens, uncached.cache_write_tokens) == (0, 0)


def test_anthropic_text_answer_is_parsed(request_) -> None:
    recorder = Recorder(httpx2.Response(200, json=anthropic_message([{"type": "text", "text": json.dumps(ANSWER)}])))

    assert AnthropicAPI("claude-haiku-4-5", http_client=client(recorder)).complete(request_).answer == ANSWER


@pytest.mark.parametrize(
    ("answer", "kind", "reason"),
    [
        (httpx2.Response(429, json={"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}}), "throttled", "HTTP 429"),
        (httpx2.Response(529, json={"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}), "unavailable", "HTTP 529"),
        (httpx2.Response(400, json={"type": "error", "error": {"type": "invalid_request_error", "message": "bad"}}), "rejected", "HTTP 400"),
        (httpx2.ReadTimeout("timed out"), "timeout", "no answer within"),
        (httpx2.ConnectError("refused"), "unavailable", "could not be reached"),
    ],
)
def test_anthropic_failures(request_, answer, kind, reason) -> None:
    recorder = Recorder(answer)
    provider = AnthropicAPI("claude-haiku-4-5", http_client=client(recorder), timeout_seconds=2)

    with pytest.raises(ProviderFailure) as failure:
        provider.complete(request_)

    assert failure.value.kind == kind
    assert reason in failure.value.reason
    assert len(recorder.requests) == 1  # no SDK retries: the gateway falls back instead


def test_anthropic_without_a_key_is_not_configured(request_, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    recorder = Recorder()

    with pytest.raises(ProviderNotConfigured, match="no ANTHROPIC_API_KEY"):
        AnthropicAPI("claude-haiku-4-5", http_client=client(recorder)).complete(request_)
    assert recorder.requests == []


# -- OpenAI ------------------------------------------------------------------------------------------
def test_openai_function_call_answer(request_, digest_task) -> None:
    recorder = Recorder(
        httpx2.Response(
            200,
            json=openai_completion(
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [{"id": "call_abc123", "type": "function", "function": {"name": "tests_digest", "arguments": json.dumps(ANSWER)}}],
                }
            ),
        )
    )
    provider = OpenAIAPI("gpt-4o-mini", http_client=client(recorder))

    completion = provider.complete(request_)

    assert completion.answer == ANSWER
    assert (completion.model, completion.input_tokens, completion.output_tokens) == ("gpt-4o-mini-2024-07-18", 190, 41)
    sent = recorder.body()
    assert recorder.requests[0].url.path == "/v1/chat/completions"
    assert recorder.requests[0].headers["authorization"] == f"Bearer {KEY}"
    assert sent["messages"] == [
        {"role": "system", "content": request_.prompt.system},
        {"role": "user", "content": request_.prompt.user},
    ]
    assert sent["tools"][0]["function"] == {"name": "tests_digest", "description": digest_task.description, "parameters": digest_task.tool_schema}
    assert sent["tool_choice"] == {"type": "function", "function": {"name": "tests_digest"}}
    assert (sent["temperature"], sent["top_p"], sent["max_tokens"]) == (0.7, 0.9, 300)


def test_openai_broken_arguments_are_a_problem_to_repair(request_) -> None:
    recorder = Recorder(
        httpx2.Response(
            200,
            json=openai_completion(
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [{"id": "call_abc123", "type": "function", "function": {"name": "tests_digest", "arguments": '{"title": "A calm'}}],
                }
            ),
        )
    )

    completion = OpenAIAPI("gpt-4o-mini", http_client=client(recorder)).complete(request_)

    assert completion.answer is None
    assert completion.problem and "not" in completion.problem


@pytest.mark.parametrize(("status", "kind"), [(429, "throttled"), (500, "unavailable"), (401, "rejected")])
def test_openai_failures(request_, status, kind) -> None:
    recorder = Recorder(httpx2.Response(status, json={"error": {"message": "nope", "type": "error", "code": None}}))

    with pytest.raises(ProviderFailure) as failure:
        OpenAIAPI("gpt-4o-mini", http_client=client(recorder)).complete(request_)

    assert failure.value.kind == kind
    assert len(recorder.requests) == 1
