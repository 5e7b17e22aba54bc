"""Amazon Bedrock through the Converse API; the answer is the input of the one tool the model must call.

The model is ``BEDROCK_MODEL_ID`` (Claude Haiku 5.5 through the global cross-region inference profile by
default), except for the tasks ``BEDROCK_TASK_MODELS`` gives one of their own (``task=model`` pairs,
comma-separated: ``career.match=amazon.nova-micro-v1:0``): a task whose answer is a label or a sentence
explaining figures already computed does not need the model a conversation needs, and costs a third of it on
a small one (docs/ai-costs.md).

Claude Haiku 5.5 thinks before it answers unless told not to, and a model that thinks may not be forced to
call a tool: the request turns its thinking off (``ADAPTIVE_THINKING_MODELS``) and leaves out the sampling
parameters (temperature, top_p), which it refuses.

Prompt caching: a cache checkpoint follows the system prompt when the model caches prompts on Bedrock
(``CACHING_MODELS``), so the tool's schema and the system prompt, which are the same for every user of a
task, are read from the cache at a tenth of the input price by every call within five minutes of the one
before (the first pays a quarter more to write them). A prefix shorter than the model's minimum
(``cache_minimum_tokens``) is simply not cached: the call succeeds at the usual price. What was read from
and written to the cache comes back in the Completion and is accounted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ConnectTimeoutError, ReadTimeoutError

from zik import config
from zik.ai.errors import ProviderFailure, ProviderNotConfigured
from zik.ai.providers.base import Completion, Request, call_seconds, connect_and_read, timeout_seconds

# Claude Haiku 5.5: Active on Bedrock, its end of life no sooner than 2027-10-07, $0.10 / $0.50 a million
# tokens through the global profile (the us. profile costs a tenth more). Its model card:
# https://docs.aws.amazon.com/bedrock/latest/userguide/model-card-anthropic-claude-haiku-5-5.html, read
# 2026-11-30. Claude 3.5 Haiku, the default before, reached its end of life on Bedrock on 2026-06-19.
DEFAULT_MODEL = "global.anthropic.claude-haiku-5-5"
# The models that take a Converse cachePoint (https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html,
# read 2026-11-30): Claude 3.5 Haiku, 3.7 Sonnet and the Claude 4 and later models. Not Claude 3 Haiku, which
# would refuse the request. A cross-region inference profile's prefix (us., eu., apac., global.) is ignored.
# Nova models cache too, but the tasks given one here are rare and short: a checkpoint would only add its
# write price.
CACHING_MODELS = re.compile(r"^(?:[a-z-]+\.)?anthropic\.claude-(?:3-5-haiku|3-7-sonnet|(?:haiku|sonnet|opus)-\d)")
# The fewest tokens the prefix before a checkpoint must hold for it to be cached, by model family (the model
# cards' "Min tokens per cache checkpoint", read 2026-11-30). Claude Haiku 5.5's minimum could not be read
# here: 4,096, its predecessor's and the highest of the Claude minimums, is assumed for it and for any model
# not listed, so a figure built on it never counts a cache read that does not happen.
_CACHE_MINIMUMS = (
    (re.compile(r"anthropic\.claude-haiku-4-5"), 4096),
    (re.compile(r"anthropic\.claude-3-5-haiku"), 2048),
    (re.compile(r"anthropic\.claude-3-7-sonnet"), 1024),
)
_UNKNOWN_CACHE_MINIMUM = 4096
# The models that think by default (adaptive thinking, which can be turned off) and refuse temperature and
# top_p (https://platform.claude.com/docs/en/models/haiku-5-5/migration-guide, read 2026-11-30). A request
# that forces a tool must turn the thinking off: a thinking model takes only toolChoice auto.
ADAPTIVE_THINKING_MODELS = re.compile(r"^(?:[a-z-]+\.)?anthropic\.claude-haiku-5-5")
# Throttling and overload are worth another provider now and this one again later; a rejected request
# (ValidationException, AccessDenied) will not get better by retrying it here.
_THROTTLED = {"ThrottlingException", "ServiceQuotaExceededException", "TooManyRequestsException"}
_UNAVAILABLE = {"ServiceUnavailableException", "InternalServerException", "ModelNotReadyException", "ModelTimeoutException"}


class Bedrock:
    name = "bedrock"
    offline = False

    def __init__(self, model: str, *, client: Any = None, timeout_seconds: float = 20.0, task_models: Mapping[str, str] | None = None):
        self.model = model
        self.task_models = dict(task_models or {})
        self._given = client
        self._timeout = timeout_seconds
        self._clients: dict[float, Any] = {}

    @classmethod
    def from_environment(cls) -> Bedrock:
        return cls(
            config.optional("BEDROCK_MODEL_ID", DEFAULT_MODEL),
            timeout_seconds=timeout_seconds(),
            task_models=task_models(config.optional("BEDROCK_TASK_MODELS", "")),
        )

    def model_for(self, task: str) -> str:
        """The model that answers ``task``: its own (BEDROCK_TASK_MODELS), else the provider's."""
        return self.task_models.get(task) or self.model

    def client_for(self, seconds: float) -> Any:
        """A client whose calls end within ``seconds`` (connect and read timeouts adding up to at most that;
        botocore takes them per client, not per call): one per whole second, rounded down, made when first
        needed and kept. No SDK retries: a throttled call falls back to the next provider at once. A client
        given to the constructor (botocore's Stubber in tests) is used as it is."""
        if self._given is not None:
            return self._given
        bucket = float(math.floor(seconds)) if seconds >= 1 else max(0.1, math.floor(seconds * 10) / 10)
        client = self._clients.get(bucket)
        if client is None:
            connect, read = connect_and_read(bucket)
            client = self._clients[bucket] = boto3.client(
                "bedrock-runtime",
                config=Config(connect_timeout=connect, read_timeout=read, retries={"total_max_attempts": 1, "mode": "standard"}),
            )
        return client

    def complete(self, request: Request, *, timeout: float | None = None) -> Completion:
        task = request.task
        model = self.model_for(task.name)
        if not model:
            raise ProviderNotConfigured(self.name, "BEDROCK_MODEL_ID is empty")
        system: list[dict[str, Any]] = [{"text": request.prompt.system}]
        if CACHING_MODELS.match(model):
            # After the system prompt: the cache holds the tool (sent first) and the system prompt; the messages,
            # which are the user's own, follow it.
            system.append({"cachePoint": {"type": "default"}})
        seconds = call_seconds(self._timeout, timeout)
        inference: dict[str, Any] = {"maxTokens": task.max_tokens}
        extra: dict[str, Any] = {}
        if ADAPTIVE_THINKING_MODELS.match(model):
            extra["additionalModelRequestFields"] = {"thinking": {"type": "disabled"}}
        else:
            inference |= {"temperature": task.temperature, "topP": task.top_p}
        try:
            answer = self.client_for(seconds).converse(
                modelId=model,
                system=system,
                messages=[{"role": m["role"], "content": [{"text": m["content"]}]} for m in request.messages],
                inferenceConfig=inference,
                **extra,
                toolConfig={
                    "tools": [
                        {
                            "toolSpec": {
                                "name": task.tool_name,
                                "description": task.description,
                                "inputSchema": {"json": task.tool_schema},
                            }
                        }
                    ],
                    "toolChoice": {"tool": {"name": task.tool_name}},
                },
            )
        except (ClientError, BotoCoreError) as exc:
            raise bedrock_failure(self.name, exc, seconds) from None

        usage = answer.get("usage", {})
        tokens = {
            "model": model,
            "input_tokens": usage.get("inputTokens", 0),
            "output_tokens": usage.get("outputTokens", 0),
            "cache_read_tokens": usage.get("cacheReadInputTokens", 0),
            "cache_write_tokens": usage.get("cacheWriteInputTokens", 0),
        }
        blocks = answer.get("output", {}).get("message", {}).get("content", [])
        for block in blocks:
            if "toolUse" in block and block["toolUse"].get("name") == task.tool_name:
                return Completion.of_tool_input(block["toolUse"].get("input"), **tokens)
        if answer.get("stopReason") == "max_tokens":
            text = "".join(block.get("text", "") for block in blocks)
            return Completion(text, None, problem=f"the answer was cut off at {task.max_tokens} tokens", **tokens)
        return Completion.of_text("".join(block.get("text", "") for block in blocks), **tokens)


def cache_minimum_tokens(model: str) -> int | None:
    """The fewest tokens a cache checkpoint's prefix must hold on ``model``, or None for a model that is not
    sent one (``CACHING_MODELS``)."""
    if not CACHING_MODELS.match(model):
        return None
    return next((minimum for family, minimum in _CACHE_MINIMUMS if family.search(model)), _UNKNOWN_CACHE_MINIMUM)


def task_models(text: str) -> dict[str, str]:
    """``BEDROCK_TASK_MODELS``: ``task=model`` pairs, comma-separated (ConfigError naming a malformed one)."""
    models: dict[str, str] = {}
    for pair in (part.strip() for part in text.split(",")):
        if not pair:
            continue
        task, _, model = (half.strip() for half in pair.partition("="))
        if not task or not model:
            raise config.ConfigError(f"BEDROCK_TASK_MODELS takes task=model pairs separated by commas, got {pair!r}")
        models[task] = model
    return models


def bedrock_failure(provider: str, exc: ClientError | BotoCoreError, seconds: float, *, refused: str | None = None) -> ProviderFailure:
    """What a failed Bedrock call means to the gateway: throttled, unavailable, timed out, or rejected
    (``refused``: the reason to give when the service refused the request itself, e.g. a content filter)."""
    if isinstance(exc, (ReadTimeoutError, ConnectTimeoutError)):
        return ProviderFailure(provider, f"no answer within {seconds:.1f}s", kind="timeout")
    if not isinstance(exc, ClientError):
        return ProviderFailure(provider, f"Bedrock could not be reached ({type(exc).__name__})", kind="unavailable")
    if refused is not None:
        return ProviderFailure(provider, refused, kind="rejected")
    code = exc.response.get("Error", {}).get("Code", "ClientError")
    kind = "throttled" if code in _THROTTLED else "unavailable" if code in _UNAVAILABLE else "rejected"
    return ProviderFailure(provider, f"Bedrock answered {code}", kind=kind)
