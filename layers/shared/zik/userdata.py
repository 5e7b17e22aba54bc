"""Each domain's hooks over a user's data, so that ``GET /me/export`` and ``DELETE /me`` reach everything.

A domain registers, in its own module, how to export and how to erase one user's data; the platform's
``/me`` function imports the domains it serves and calls every registered hook.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from zik.principal import Principal


@dataclass(frozen=True)
class UserDataHook:
    domain: str
    export: Callable[[Principal], Any]
    erase: Callable[[Principal], int]


_hooks: dict[str, UserDataHook] = {}


def register(domain: str, *, export: Callable[[Principal], Any], erase: Callable[[Principal], int]) -> None:
    # ``!=``, not ``is not``: hooks are usually bound methods (``store.get``), and each attribute access
    # makes a new bound-method object, so identity would refuse even the same hooks registered again.
    if domain in _hooks and (_hooks[domain].export != export or _hooks[domain].erase != erase):
        raise ValueError(f"user-data hooks for {domain!r} are already registered")
    _hooks[domain] = UserDataHook(domain, export, erase)


def hooks() -> list[UserDataHook]:
    return [_hooks[name] for name in sorted(_hooks)]


def export_all(owner: Principal) -> dict[str, Any]:
    return {hook.domain: hook.export(owner) for hook in hooks()}


def erase_all(owner: Principal) -> dict[str, int]:
    """Erase the user's data in every domain. Erasure is idempotent: running it again erases nothing more."""
    return {hook.domain: hook.erase(owner) for hook in hooks()}
