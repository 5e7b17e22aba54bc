"""What the gateway hands a provider, and what it gets back."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from zik import config
from zik.ai.errors import InvalidAnswer
from zik.ai.registry import Prompt, Task

_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.MULTILINE)

REPAIR_INSTRUCTION = (
    "That answer was not valid: {error}. Call the {tool} tool again with an answer that matches its schema "
    "exactly. Keep what was right, fix what was wrong, add nothing outside the schema."
)


@dataclass(frozen=True)
class Request:
    task: Task
    prompt: Prompt
    data: Mapping[str, Any]
    # The conversation after the system prompt: alternating user / assistant texts, starting with the prompt.
    messages: tuple[dict[str, str], ...] = field(default=())

    @classmethod
    def first(cls, task: Task, prompt: Prompt, data: Mapping[str, Any]) -> Request:
        return cls(task, prompt, data, ({"role": "user", "content": prompt.user},))

    def repair(self, answer_text: str, error: str) -> Request:
        """The same request with the invalid answer and what is wrong with it, for one more try."""
        instruction = REPAIR_INSTRUCTION.format(error=error, tool=self.task.tool_name)
        return replace(
            self,
            messages=(
                *self.messages,
                {"role": "assistant", "content": answer_text or "(no answer)"},
                {"role": "user", "content": instruction},
            ),
        )

    @property
    def is_repair(self) -> bool:
        return len(self.messages) > 1


@dataclass(frozen=True)
class Completion:
    """A model's answer and what it was billed: ``input_tokens`` are the input tokens read neither from nor
    into the vendor's prompt cache; ``cache_read_tokens`` were read from it (about a tenth of the input
    price), ``cache_write_tokens`` written to it (a quarter more than the input price), as Bedrock's Converse
    (``cacheReadInputTokens`` / ``cacheWriteInputTokens``) and Anthropic's Messages API
    (``cache_read_input_tokens`` / ``cache_creation_input_tokens``) count them."""

    text: str  # the answer as the model gave it, to show the model in a repair
    answer: Any  # its JSON, not yet validated; None when ``problem`` says why there is none
    model: str
    input_tokens: int
    output_tokens: int
    problem: str | None = None
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0

    @classmethod
    def of_tool_input(
        cls, tool_input: Any, *, model: str, input_tokens: int, output_tokens: int, cache_read_tokens: int = 0, cache_write_tokens: int = 0
    ) -> Completion:
        return cls(
            as_text(tool_input),
            tool_input,
            model,
            input_tokens,
            output_tokens,
            cache_read_tokens=cache_read_tokens,
            cache_write_tokens=cache_write_tokens,
        )

    @classmethod
    def of_text(
        cls, text: str, *, model: str, input_tokens: int, output_tokens: int, cache_read_tokens: int = 0, cache_write_tokens: int = 0
    ) -> Completion:
        """A text answer (the model did not call the tool): its JSON if it has one."""
        try:
            answer, problem = parse_json_text(text), None
        except InvalidAnswer as exc:
            answer, problem = None, exc.message
        return cls(
            text,
            answer,
            model,
            input_tokens,
            output_tokens,
            problem=problem,
            cache_read_tokens=cache_read_tokens,
            cache_write_tokens=cache_write_tokens,
        )

    @property
    def tokens(self) -> int:
        """Every token the model read or wrote, cached or not: what a user's daily token budget counts."""
        return self.input_tokens + self.cache_read_tokens + self.cache_write_tokens + self.output_tokens


class Provider(Protocol):
    """``complete`` takes at most ``timeout`` seconds (or the provider's own ``AI_TIMEOUT_SECONDS`` when that
    is shorter or ``timeout`` is None) and makes one try: no retries inside. ``offline``: answers in
    milliseconds without the network, so the gateway never skips it for lack of time."""

    name: str
    model: str
    offline: bool

    def complete(self, request: Request, *, timeout: float | None = None) -> Completion: ...


def parse_json_text(text: str) -> Any:
    """The JSON object in a text answer (code fences and prose around it tolerated)."""
    cleaned = _FENCE.sub("", text.strip())
    start, end = cleaned.find("{"), cleaned.rfind("}")
    if start < 0 or end < start:
        raise InvalidAnswer("the answer is not a JSON object", text=text)
    try:
        return json.loads(cleaned[start : end + 1])
    except json.JSONDecodeError as exc:
        raise InvalidAnswer(f"the answer is not valid JSON ({exc.msg} at character {exc.pos})", text=text) from None


def as_text(answer: Any) -> str:
    return answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)


def kind_of_status(status: int) -> str:
    """How an HTTP status from a model API counts: throttled, unavailable, or a rejected request."""
    if status == 429:
        return "throttled"
    if status >= 500:
        return "unavailable"
    return "rejected"


def timeout_seconds() -> float:
    """Seconds a provider call may take (``AI_TIMEOUT_SECONDS``, default 20)."""
    return float(config.integer("AI_TIMEOUT_SECONDS", 20, minimum=1, maximum=600))


def call_seconds(own: float, given: float | None) -> float:
    """What one call may take: the provider's own timeout, or less when the gateway gives it less."""
    return own if given is None else min(own, given)


# The longest a call may wait for its connection; the rest of its time is for the answer.
CONNECT_SECONDS = 2.0


def connect_and_read(seconds: float) -> tuple[float, float]:
    """A call's (connect, read) timeouts, whose sum is ``seconds``: it ends within them whether the
    connection or the answer is slow (the connection gets at most 2 s and a quarter of the whole)."""
    connect = min(CONNECT_SECONDS, seconds / 4)
    return connect, seconds - connect
