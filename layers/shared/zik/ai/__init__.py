"""The AI gateway of every domain.

    from zik import ai
    ai.register(ai.Task("quests.plan", offline=plan_offline, description="...", max_tokens=2000))
    plan = ai.run("quests.plan", {"title": ...}, owner=principal)   # a dict valid against its schema

``run`` raises AIBudgetExceeded (429) or AIUnavailable (503, retryable), which the HTTP layer answers and
workflows retry; it never returns unvalidated model text.
"""

from __future__ import annotations

import threading
from typing import Any, Mapping

from zik.ai.errors import AIBudgetExceeded, AIUnavailable
from zik.ai.registry import Task, get, register, registered
from zik.principal import Principal

__all__ = ["AIBudgetExceeded", "AIUnavailable", "Task", "get", "register", "registered", "run", "default_gateway", "reset"]

_gateway: Any = None
_lock = threading.Lock()


def default_gateway() -> Any:
    """The process's gateway, built from the environment on first use (then reused across invocations)."""
    global _gateway
    if _gateway is None:
        with _lock:
            if _gateway is None:
                from zik.ai.gateway import Gateway

                _gateway = Gateway.from_environment()
    return _gateway


def run(task: str, data: Mapping[str, Any], *, owner: Principal | None = None) -> dict[str, Any]:
    return default_gateway().run(task, data, owner=owner)


def reset() -> None:
    """Forget the process's gateway (tests that change the environment)."""
    global _gateway
    _gateway = None
