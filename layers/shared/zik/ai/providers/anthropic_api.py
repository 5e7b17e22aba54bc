"""The Anthropic API through its official SDK; the answer is the input of the one tool the model must call."""

from __future__ import annotations

from typing import Any

from zik import config
from zik.ai.errors import ProviderFailure
from zik.ai.providers.base import Completion, Request, kind_of_status
from zik.ai.providers.bedrock import timeout_seconds
from zik.ai.providers.keys import api_key

# The Claude 3 Haiku models the seeds name are Bedrock's; the Messages API's current Haiku is 4.5.
DEFAULT_MODEL = "claude-haiku-4-5"


class AnthropicAPI:
    name = "anthropic"

    def __init__(self, model: str, *, timeout_seconds: float = 20.0, http_client: Any = None):
        self.model = model
        self._timeout = timeout_seconds
        self._http_client = http_client
        self._client: Any = None
        self._key: str | None = None

    @classmethod
    def from_environment(cls) -> "AnthropicAPI":
        return cls(config.optional("ANTHROPIC_MODEL", DEFAULT_MODEL), timeout_seconds=timeout_seconds())

    def _sdk(self) -> Any:
        key = api_key(self.name, "ANTHROPIC")
        if self._client is None or key != self._key:  # a rotated secret gets a new client
            import anthropic

            self._client = anthropic.Anthropic(
                api_key=key, timeout=self._timeout, max_retries=0, http_client=self._http_client
            )
            self._key = key
        return self._client

    def complete(self, request: Request) -> Completion:
        import anthropic

        task = request.task
        client = self._sdk()
        try:
            message = client.messages.create(
                model=self.model,
                # The pinned SDK's Messages API takes no sampling settings (temperature, top_p): the model's own
                # defaults apply on this fallback.
                max_tokens=task.max_tokens,
                system=request.prompt.system,
                messages=[{"role": m["role"], "content": m["content"]} for m in request.messages],
                tools=[{"name": task.tool_name, "description": task.description, "input_schema": task.tool_schema}],
                tool_choice={"type": "tool", "name": task.tool_name},
            )
        except anthropic.APITimeoutError:
            raise ProviderFailure(self.name, f"no answer within {self._timeout:g}s", kind="timeout") from None
        except anthropic.APIConnectionError:
            raise ProviderFailure(self.name, "the Anthropic API could not be reached", kind="unavailable") from None
        except anthropic.APIStatusError as exc:
            raise ProviderFailure(self.name, f"the Anthropic API answered HTTP {exc.status_code}", kind=kind_of_status(exc.status_code)) from None

        tokens = {"model": message.model or self.model, "input_tokens": message.usage.input_tokens, "output_tokens": message.usage.output_tokens}
        for block in message.content:
            if block.type == "tool_use" and block.name == task.tool_name:
                return Completion.of_tool_input(block.input, **tokens)
        text = "".join(getattr(block, "text", "") for block in message.content)
        return Completion.of_text(text, **tokens)
