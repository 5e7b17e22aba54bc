"""Bedrock's Converse API through botocore's Stubber: the real client, request and response shapes."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from botocore.stub import ANY, Stubber

from zik.ai.errors import AIUnavailable, ProviderFailure
from zik.ai.gateway import Gateway
from zik.ai.providers.base import Request
from zik.ai.providers.bedrock import DEFAULT_MODEL, Bedrock, cache_minimum_tokens, task_models
from zik.config import ConfigError

MODEL = "global.anthropic.claude-haiku-5-5"  # the template's default
NOVA_MICRO = "amazon.nova-micro-v1:0"
ANSWER = {"title": "A calm walk", "keywords": ["river", "walk"], "tone": "positive"}


def converse_answer(
    content: list[dict], *, stop: str = "tool_use", tokens: tuple[int, int] = (120, 40), cached: tuple[int, int] | None = None
) -> dict:
    """Converse's answer; ``cached``: the (read, written) input tokens of the prompt cache, which Bedrock
    counts apart from ``inputTokens`` and adds to ``totalTokens``."""
    usage = {"inputTokens": tokens[0], "outputTokens": tokens[1], "totalTokens": sum(tokens) + sum(cached or (0, 0))}
    if cached is not None:
        usage |= {"cacheReadInputTokens": cached[0], "cacheWriteInputTokens": cached[1]}
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": stop,
        "usage": usage,
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
            # Claude Haiku 5.5 caches prompts: the checkpoint after the system prompt covers the tool and it.
            "system": [{"text": request_.prompt.system}, {"cachePoint": {"type": "default"}}],
            "messages": [{"role": "user", "content": [{"text": request_.prompt.user}]}],
            # It refuses temperature and top_p, and its thinking is turned off: a thinking model may not be
            # forced to call a tool.
            "inferenceConfig": {"maxTokens": 300},
            "additionalModelRequestFields": {"thinking": {"type": "disabled"}},
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
        {"modelId": MODEL, "system": ANY, "messages": ANY, "inferenceConfig": ANY, "additionalModelRequestFields": ANY, "toolConfig": ANY},
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
            "additionalModelRequestFields": ANY,
            "toolConfig": ANY,
        },
    )

    assert provider.complete(repair).answer == ANSWER
    assert "title must be longer than or equal to 1 characters" in repair.messages[-1]["content"]


# -- prompt caching and a model per task ---------------------------------------------------------------------
def test_what_the_prompt_cache_read_and_wrote_is_in_the_completion(bedrock, request_) -> None:
    provider, stubber = bedrock
    stubber.add_response("converse", converse_answer([tool_use("tests_digest", ANSWER)], tokens=(35, 40), cached=(2200, 0)))

    completion = provider.complete(request_)

    assert (completion.input_tokens, completion.cache_read_tokens, completion.cache_write_tokens) == (35, 2200, 0)
    assert completion.tokens == 35 + 2200 + 40  # what the user's daily token budget counts


@pytest.mark.parametrize(
    ("model", "checkpoint"),
    [
        ("us.anthropic.claude-haiku-5-5", True),  # the US cross-region inference profile
        ("anthropic.claude-haiku-4-5-20251001-v1:0", True),
        ("global.anthropic.claude-sonnet-4-5-20250929-v1:0", True),
        ("us.anthropic.claude-3-5-haiku-20241022-v1:0", True),
        ("anthropic.claude-3-haiku-20240307-v1:0", False),  # Bedrock would refuse a cachePoint
        (NOVA_MICRO, False),
    ],
)
def test_a_cache_checkpoint_is_sent_only_to_a_model_that_takes_one(request_, model, checkpoint) -> None:
    client = boto3.client("bedrock-runtime", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    system = [{"text": request_.prompt.system}, *([{"cachePoint": {"type": "default"}}] if checkpoint else [])]
    with Stubber(client) as stubber:
        stubber.add_response(
            "converse",
            converse_answer([tool_use("tests_digest", ANSWER)]),
            {"modelId": model, "system": system, "messages": ANY, "inferenceConfig": ANY, "toolConfig": ANY}
            | ({"additionalModelRequestFields": ANY} if "haiku-5-5" in model else {}),
        )
        assert Bedrock(model, client=client).complete(request_).answer == ANSWER
        stubber.assert_no_pending_responses()


def test_a_model_that_does_not_think_by_default_gets_the_tasks_sampling(request_) -> None:
    client = boto3.client("bedrock-runtime", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stubber:
        stubber.add_response(
            "converse",
            converse_answer([tool_use("tests_digest", ANSWER)]),
            # no additionalModelRequestFields: Nova Micro has no thinking to turn off
            {
                "modelId": NOVA_MICRO,
                "system": ANY,
                "messages": ANY,
                "inferenceConfig": {"maxTokens": 300, "temperature": 0.7, "topP": 0.9},
                "toolConfig": ANY,
            },
        )
        assert Bedrock(NOVA_MICRO, client=client).complete(request_).answer == ANSWER
        stubber.assert_no_pending_responses()


@pytest.mark.parametrize(
    ("model", "minimum"),
    [
        ("global.anthropic.claude-haiku-5-5", 4096),  # its own figure not found: the highest Claude minimum
        ("anthropic.claude-haiku-4-5-20251001-v1:0", 4096),
        ("us.anthropic.claude-3-5-haiku-20241022-v1:0", 2048),
        ("anthropic.claude-3-7-sonnet-20250219-v1:0", 1024),
        (NOVA_MICRO, None),  # not sent a checkpoint
    ],
)
def test_each_caching_model_has_the_cache_minimum_of_its_card(model, minimum) -> None:
    assert cache_minimum_tokens(model) == minimum


def test_a_task_with_a_model_of_its_own_is_answered_by_it(request_) -> None:
    client = boto3.client("bedrock-runtime", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    provider = Bedrock(MODEL, client=client, task_models={"tests.digest": NOVA_MICRO, "quests.chat": MODEL})
    with Stubber(client) as stubber:
        stubber.add_response(
            "converse",
            converse_answer([tool_use("tests_digest", ANSWER)]),
            {
                "modelId": NOVA_MICRO,
                "system": [{"text": request_.prompt.system}],
                "messages": ANY,
                "inferenceConfig": ANY,
                "toolConfig": ANY,
            },
        )
        completion = provider.complete(request_)
        stubber.assert_no_pending_responses()

    assert completion.model == NOVA_MICRO  # accounted, and priced, as the model that answered
    assert provider.model_for("journal.insight") == MODEL


def test_the_task_models_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BEDROCK_TASK_MODELS", " journal.insight=amazon.nova-micro-v1:0 , career.match = amazon.nova-micro-v1:0,")
    provider = Bedrock.from_environment()
    assert provider.task_models == {"journal.insight": "amazon.nova-micro-v1:0", "career.match": "amazon.nova-micro-v1:0"}

    monkeypatch.setenv("BEDROCK_TASK_MODELS", "journal.insight")
    with pytest.raises(ConfigError, match="task=model pairs"):
        Bedrock.from_environment()
    assert task_models("") == {}


def test_the_gateway_accounts_the_cached_tokens_at_their_own_prices(bedrock, request_, log_records) -> None:
    provider, stubber = bedrock
    stubber.add_response("converse", converse_answer([tool_use("tests_digest", ANSWER)], tokens=(35, 40), cached=(2000, 100)))

    assert Gateway([provider]).run("tests.digest", {"text": "A calm walk by the river.", "length": 25}) == ANSWER

    [call] = [record["ai"] for record in log_records() if record.get("message") == "ai call"]
    assert (call["input_tokens"], call["cache_read_tokens"], call["cache_write_tokens"], call["output_tokens"]) == (35, 2000, 100, 40)
    # Claude Haiku 5.5 per million (global profile): $0.10 in, $0.01 read from the cache, $0.125 written to it, $0.50 out
    assert call["cost_usd"] == pytest.approx((35 * 0.10 + 2000 * 0.01 + 100 * 0.125 + 40 * 0.50) / 1_000_000)


def test_cached_tokens_of_a_model_without_cache_prices_are_priced_as_input() -> None:
    from zik.ai import accounting

    # Nova Micro's cache is not used here and has no prices in prices.json: its cached tokens cost as input.
    assert accounting.estimate_cost("bedrock", "amazon.nova-micro-v1:0", 100, 10, cache_read_tokens=1000) == pytest.approx(
        (1100 * 0.035 + 10 * 0.14) / 1_000_000
    )
    assert accounting.estimate_cost("bedrock", "us.anthropic.claude-haiku-5-5", 0, 0, cache_write_tokens=1000) == pytest.approx(
        1000 * 0.125 / 1_000_000
    )
    # Claude 3.5 Haiku has reached its end of life on Bedrock: a call to it has no price
    assert accounting.estimate_cost("bedrock", "anthropic.claude-3-5-haiku-20241022-v1:0", 100, 10) is None


def test_the_default_model_is_the_one_the_template_deploys() -> None:
    from zik_local.template import load_yaml

    parameter = load_yaml(Path(__file__).resolve().parents[2] / "template.yaml")["Parameters"]["BedrockModelId"]
    assert DEFAULT_MODEL == parameter["Default"]
    assert all(model.endswith("anthropic.claude-haiku-5-5") for model in parameter["AllowedValues"])


def test_a_failed_call_is_accounted_as_the_tasks_own_model(request_, log_records) -> None:
    client = boto3.client("bedrock-runtime", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    provider = Bedrock(MODEL, client=client, task_models={"tests.digest": "amazon.nova-micro-v1:0"})
    with Stubber(client) as stubber:
        stubber.add_client_error("converse", service_error_code="ThrottlingException", http_status_code=429)
        with pytest.raises(AIUnavailable):
            Gateway([provider]).run("tests.digest", {"text": "A calm walk by the river.", "length": 25})

    [call] = [record["ai"] for record in log_records() if record.get("message") == "ai call"]
    assert (call["model"], call["outcome"]) == ("amazon.nova-micro-v1:0", "throttled")
