"""Bedrock's Converse API through botocore's Stubber: the real client, request and response shapes."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import ANY, Stubber

from zik.ai.errors import ProviderFailure
from zik.ai.providers.base import Request
from zik.ai.providers.bedrock import Bedrock

MODEL = "anthropic.claude-3-5-haiku-20241022-v1:0"
ANSWER = {"title": "A calm walk", "keywords": ["river", "walk"], "tone": "positive"}


def converse_answer(content: list[dict], *, stop: str = "tool_use", tokens: tuple[int, int] = (120, 40)) -> dict:
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": stop,
        "usage": {"inputTokens": tokens[0], "outputTokens": tokens[1], "totalTokens": sum(tokens)},
        "metrics": {"latencyMs": 812},
    }


def tool_use(name: str, answer: dict) -> dict:
    return {"toolUse": {"toolUseId": "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", "name": name, "input": answer}}


@pytest.fixture
def bedrock():
    client = boto3.client("bedrock-runtime", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stubber:
        yield Bedrock(MODEL, client=client), stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def request_(digest_task) -> Request:
    return Request.first(digest_task, digest_task.render({"text": "A calm walk by the river.", "length": 25}), {})


def test_a_tool_use_answer_is_the_tool_input(bedrock, request_, digest_task) -> None:
    provider, stubber = bedrock
    stubber.add_response(
        "converse",
        converse_answer([{"text": "Here is the digest."}, tool_use("tests_digest", ANSWER)]),
        {
            "modelId": MODEL,
            "system": [{"text": request_.prompt.system}],
            "messages": [{"role": "user", "content": [{"text": request_.prompt.user}]}],
            "inferenceConfig": {"maxTokens": 300, "temperature": 0.7, "topP": 0.9},
            "toolConfig": {
                "tools": [
                    {
                        "toolSpec": {
                            "name": "tests_digest",
                            "description": digest_task.description,
                            "inputSchema": {"json": digest_task.tool_schema},
                        }
                    }
                ],
                "toolChoice": {"tool": {"name": "tests_digest"}},
            },
        },
    )

    completion = provider.complete(request_)

    assert completion.answer == ANSWER
    assert completion.problem is None
    assert (completion.model, completion.input_tokens, completion.output_tokens) == (MODEL, 120, 40)


def test_a_text_answer_is_parsed_for_its_json(bedrock, request_) -> None:
    provider, stubber = bedrock
    text = 'Sure! ```json\n{"title": "A calm walk", "keywords": ["river"], "tone": "neutral"}\n```'
    stubber.add_response(
        "converse",
        converse_answer([{"text": text}], stop="end_turn"),
        {"modelId": MODEL, "system": ANY, "messages": ANY, "inferenceConfig": ANY, "toolConfig": ANY},
    )

    completion = provider.complete(request_)

    assert completion.answer == {"title": "A calm walk", "keywords": ["river"], "tone": "neutral"}
    assert completion.text == text


def test_a_text_answer_without_json_is_a_problem_to_repair(bedrock, request_) -> None:
    provider, stubber = bedrock
    stubber.add_response("converse", converse_answer([{"text": "I would rather not."}], stop="end_turn"))

    completion = provider.complete(request_)

    assert completion.answer is None
    assert completion.problem == "the answer is not a JSON object"
    assert completion.output_tokens == 40  # still accounted


def test_a_cut_off_answer_says_so(bedrock, request_) -> None:
    provider, stubber = bedrock
    stubber.add_response("converse", converse_answer([{"text": '{"title": "A calm'}], stop="max_tokens"))

    assert provider.complete(request_).problem == "the answer was cut off at 300 tokens"


@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [
        ("ThrottlingException", 429, "throttled"),
        ("ValidationException", 400, "rejected"),
        ("ServiceUnavailableException", 503, "unavailable"),
        ("AccessDeniedException", 403, "rejected"),
    ],
)
def test_service_errors_are_provider_failures(bedrock, request_, code, status, kind) -> None:
    provider, stubber = bedrock
    stubber.add_client_error("converse", service_error_code=code, service_message="The model said no", http_status_code=status)

    with pytest.raises(ProviderFailure) as failure:
        provider.complete(request_)

    assert failure.value.kind == kind
    assert failure.value.reason == f"Bedrock answered {code}"
    assert "The model said no" not in str(failure.value)  # service text stays out of our errors


def test_a_repair_sends_the_bad_answer_and_the_error(bedrock, request_) -> None:
    provider, stubber = bedrock
    repair = request_.repair('{"title": ""}', "title must be longer than or equal to 1 characters")
    stubber.add_response(
        "converse",
        converse_answer([tool_use("tests_digest", ANSWER)]),
        {
            "modelId": MODEL,
            "system": ANY,
            "messages": [
                {"role": "user", "content": [{"text": request_.prompt.user}]},
                {"role": "assistant", "content": [{"text": '{"title": ""}'}]},
                {"role": "user", "content": [{"text": ANY}]},
            ],
            "inferenceConfig": ANY,
            "toolConfig": ANY,
        },
    )

    assert provider.complete(repair).answer == ANSWER
    assert "title must be longer than or equal to 1 characters" in repair.messages[-1]["content"]
