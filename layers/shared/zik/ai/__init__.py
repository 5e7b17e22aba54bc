"""The AI gateway of every domain.

    from zik import ai
    ai.register(ai.Task("quests.plan", offline=plan_offline, description="...", max_tokens=2000))
    plan = ai.run("quests.plan", {"title": ...}, owner=principal)   # a dict valid against its schema

``run`` raises AIBudgetExceeded (429) or AIUnavailable (503, retryable), which the HTTP layer answers and
workflows retry; it never returns unvalidated model text. It fits in the time the invocation has left
(``zik.observability.deadline()``, which every instrumented handler sets): a provider that cannot answer
in time is cut short or skipped, and the AIUnavailable comes before the function is killed. ``reserve``
counts the call ahead of ``run`` (so that a caller can count it while it reads what the prompt needs) and
``release`` gives it back.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from zik.ai.errors import AIBudgetExceeded, AIUnavailable
from zik.ai.registry import Task, get, register, registered
from zik.principal import Principal

__all__ = ["AIBudgetExceeded", "AIUnavailable", "Task", "default_gateway", "get", "register", "registered", "release", "reserve", "reset", "run"]

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


def run(task: str, data: Mapping[str, Any], *, owner: Principal | None = None, reservation: Any = None) -> dict[str, Any]:
    """``reservation``: what ``reserve`` gave for this task and owner (else the call is counted here)."""
    return default_gateway().run(task, data, owner=owner, reservation=reservation)


def reserve(task: str, *, owner: Principal) -> Any:
    """Count a call of ``task`` against the owner's budget before ``run`` (AIBudgetExceeded if spent); a
    caller that then does not run it gives it back with ``release``."""
    return default_gateway().reserve(task, owner)


def release(reservation: Any) -> None:
    if reservation is not None:
        default_gateway().release(reservation)


def reset() -> None:
    """Forget the process's gateway (tests that change the environment)."""
    global _gateway
    _gateway = None
