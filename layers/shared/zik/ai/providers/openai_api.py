"""The OpenAI API through its official SDK; the answer is the arguments of the one function the model
must call."""

from __future__ import annotations

from typing import Any

from zik.ai.providers.base import Completion, Request
from zik.ai.providers.vendor import VendorAPI


class OpenAIAPI(VendorAPI):
    name = "openai"
    sdk = "openai"
    client_class = "OpenAI"
    label = "the OpenAI API"
    env_prefix = "OPENAI"
    default_model = "gpt-4o-mini"

    def complete(self, request: Request, *, timeout: float | None = None) -> Completion:
        task = request.task
        client = self._sdk_client()
        with self._one_call(timeout) as call_timeout:
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
                timeout=call_timeout,
            )

        usage = answer.usage
        tokens: dict[str, Any] = {
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
