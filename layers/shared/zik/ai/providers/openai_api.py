"""The OpenAI API through its official SDK; the answer is the arguments of the one function the model
must call."""

from __future__ import annotations

from typing import Any

from zik import config
from zik.ai.errors import ProviderFailure
from zik.ai.providers.base import Completion, Request, kind_of_status
from zik.ai.providers.bedrock import timeout_seconds
from zik.ai.providers.keys import api_key

DEFAULT_MODEL = "gpt-4o-mini"


class OpenAIAPI:
    name = "openai"

    def __init__(self, model: str, *, timeout_seconds: float = 20.0, http_client: Any = None):
        self.model = model
        self._timeout = timeout_seconds
        self._http_client = http_client
        self._client: Any = None
        self._key: str | None = None

    @classmethod
    def from_environment(cls) -> "OpenAIAPI":
        return cls(config.optional("OPENAI_MODEL", DEFAULT_MODEL), timeout_seconds=timeout_seconds())

    def _sdk(self) -> Any:
        key = api_key(self.name, "OPENAI")
        if self._client is None or key != self._key:
            import openai

            self._client = openai.OpenAI(api_key=key, timeout=self._timeout, max_retries=0, http_client=self._http_client)
            self._key = key
        return self._client

    def complete(self, request: Request) -> Completion:
        import openai

        task = request.task
        client = self._sdk()
        try:
            answer = client.chat.completions.create(
                model=self.model,
                max_tokens=task.max_tokens,
                temperature=task.temperature,
                top_p=task.top_p,
                messages=[
                    {"role": "system", "content": request.prompt.system},
                    *({"role": m["role"], "content": m["content"]} for m in request.messages),
                ],
                tools=[
                    {
                        "type": "function",
                        "function": {"name": task.tool_name, "description": task.description, "parameters": task.tool_schema},
                    }
                ],
                tool_choice={"type": "function", "function": {"name": task.tool_name}},
            )
        except openai.APITimeoutError:
            raise ProviderFailure(self.name, f"no answer within {self._timeout:g}s", kind="timeout") from None
        except openai.APIConnectionError:
            raise ProviderFailure(self.name, "the OpenAI API could not be reached", kind="unavailable") from None
        except openai.APIStatusError as exc:
            raise ProviderFailure(self.name, f"the OpenAI API answered HTTP {exc.status_code}", kind=kind_of_status(exc.status_code)) from None

        usage = answer.usage
        tokens = {
            "model": answer.model or self.model,
            "input_tokens": usage.prompt_tokens if usage else 0,
            "output_tokens": usage.completion_tokens if usage else 0,
        }
        if not answer.choices:
            return Completion("", None, problem="the answer had no choices", **tokens)
        message = answer.choices[0].message
        for call in message.tool_calls or []:
            if getattr(call, "function", None) is not None and call.function.name == task.tool_name:
                return Completion.of_text(call.function.arguments or "", **tokens)
        return Completion.of_text(message.content or "", **tokens)
