"""What a caller of the AI gateway can get instead of an answer, and what the providers raise inside it."""

from __future__ import annotations

from typing import Any

from zik.errors import TooManyRequests, ZikError


class AIUnavailable(ZikError):
    """Every provider failed (or was skipped) for this call. Retryable: workflows retry on this name."""

    status = 503
    code = "ai_unavailable"
    retry_after_seconds = 30

    def __init__(self, task: str, attempts: list[dict[str, str]]):
        tried = ", ".join(a["provider"] for a in attempts) or "none configured"
        super().__init__(
            f"the AI could not answer {task} right now (tried: {tried}); try again shortly",
            details={"task": task, "attempts": attempts, "retryable": True},
        )
        self.task = task
        self.attempts = attempts

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_seconds)}


class AIBudgetExceeded(TooManyRequests):
    code = "ai_budget_exceeded"


class ProviderFailure(Exception):
    """One provider could not give a valid answer. ``reason`` is ours, never model or user text."""

    def __init__(self, provider: str, reason: str, *, kind: str = "error"):
        super().__init__(f"{provider}: {reason}")
        self.provider = provider
        self.reason = reason
        self.kind = kind


class ProviderNotConfigured(Exception):
    """The provider has no key or model here: skipped, and not held against its circuit."""

    def __init__(self, provider: str, reason: str):
        super().__init__(f"{provider}: {reason}")
        self.provider = provider
        self.reason = reason


class InvalidAnswer(ValueError):
    """A model answer that is not JSON or does not match the task's schema."""

    def __init__(self, message: str, *, text: str | None = None, detail: Any = None):
        super().__init__(message)
        self.message = message
        self.text = text
        self.detail = detail
