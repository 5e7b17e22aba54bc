"""Amazon Bedrock through the Converse API; the answer is the input of the one tool the model must call."""

from __future__ import annotations

import math
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ConnectTimeoutError, ReadTimeoutError

from zik import config
from zik.ai.errors import ProviderFailure, ProviderNotConfigured
from zik.ai.providers.base import Completion, Request, call_seconds, connect_and_read, timeout_seconds

DEFAULT_MODEL = "anthropic.claude-3-5-haiku-20241022-v1:0"
# Throttling and overload are worth another provider now and this one again later; a rejected request
# (ValidationException, AccessDenied) will not get better by retrying it here.
_THROTTLED = {"ThrottlingException", "ServiceQuotaExceededException", "TooManyRequestsException"}
_UNAVAILABLE = {"ServiceUnavailableException", "InternalServerException", "ModelNotReadyException", "ModelTimeoutException"}


class Bedrock:
    name = "bedrock"
    offline = False

    def __init__(self, model: str, *, client: Any = None, timeout_seconds: float = 20.0):
        self.model = model
        self._given = client
        self._timeout = timeout_seconds
        self._clients: dict[float, Any] = {}

    @classmethod
    def from_environment(cls) -> Bedrock:
        return cls(config.optional("BEDROCK_MODEL_ID", DEFAULT_MODEL), timeout_seconds=timeout_seconds())

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
        if not self.model:
            raise ProviderNotConfigured(self.name, "BEDROCK_MODEL_ID is empty")
        seconds = call_seconds(self._timeout, timeout)
        try:
            answer = self.client_for(seconds).converse(
                modelId=self.model,
                system=[{"text": request.prompt.system}],
                messages=[{"role": m["role"], "content": [{"text": m["content"]}]} for m in request.messages],
                inferenceConfig={"maxTokens": task.max_tokens, "temperature": task.temperature, "topP": task.top_p},
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
        tokens = {"model": self.model, "input_tokens": usage.get("inputTokens", 0), "output_tokens": usage.get("outputTokens", 0)}
        blocks = answer.get("output", {}).get("message", {}).get("content", [])
        for block in blocks:
            if "toolUse" in block and block["toolUse"].get("name") == task.tool_name:
                return Completion.of_tool_input(block["toolUse"].get("input"), **tokens)
        if answer.get("stopReason") == "max_tokens":
            text = "".join(block.get("text", "") for block in blocks)
            return Completion(text, None, problem=f"the answer was cut off at {task.max_tokens} tokens", **tokens)
        return Completion.of_text("".join(block.get("text", "") for block in blocks), **tokens)


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
