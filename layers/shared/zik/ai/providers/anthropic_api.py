"""The Anthropic API through its official SDK; the answer is the input of the one tool the model must call.

The system prompt carries a cache breakpoint (``cache_control``): the tool and the system prompt, the same
for every user of a task, are read from Anthropic's prompt cache at a tenth of the input price by the calls
within five minutes of one another. A prefix below the model's minimum (4,096 tokens on Claude Haiku 4.5,
2,048 on the Claude 3 Haikus) is not cached and costs the usual price; the usage says what was read from or
written to the cache, and the Completion carries it to the accounting."""

from __future__ import annotations

from zik.ai.providers.base import Completion, Request
from zik.ai.providers.vendor import VendorAPI


class AnthropicAPI(VendorAPI):
    name = "anthropic"
    sdk = "anthropic"
    client_class = "Anthropic"
    label = "the Anthropic API"
    env_prefix = "ANTHROPIC"
    # The Claude 3 Haiku models the seeds name are Bedrock's; the Messages API's current Haiku is 4.5.
    default_model = "claude-haiku-4-5"

    def complete(self, request: Request, *, timeout: float | None = None) -> Completion:
        task = request.task
        client = self._sdk_client()
        with self._one_call(timeout) as call_timeout:
            message = client.messages.create(
                model=self.model,
                # The pinned SDK's Messages API takes no sampling settings (temperature, top_p): the model's own
                # defaults apply on this fallback.
                max_tokens=task.max_tokens,
                system=[{"type": "text", "text": request.prompt.system, "cache_control": {"type": "ephemeral"}}],
                messages=[{"role": m["role"], "content": m["content"]} for m in request.messages],
                tools=[{"name": task.tool_name, "description": task.description, "input_schema": task.tool_schema}],
                tool_choice={"type": "tool", "name": task.tool_name},
                timeout=call_timeout,
            )
        usage = message.usage
        tokens = {
            "model": message.model or self.model,
            "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens,
            "cache_read_tokens": usage.cache_read_input_tokens or 0,
            "cache_write_tokens": usage.cache_creation_input_tokens or 0,
        }
        for block in message.content:
            if block.type == "tool_use" and block.name == task.tool_name:
                return Completion.of_tool_input(block.input, **tokens)
        text = "".join(getattr(block, "text", "") for block in message.content)
        return Completion.of_text(text, **tokens)
