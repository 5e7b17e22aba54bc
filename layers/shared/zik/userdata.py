"""Each domain's hooks over a user's data, so that ``GET /me/export`` and the erasure of a user reach
everything.

A domain registers, in its own module, how to export one user's data and how to erase a page of it
(``erase_page(owner, limit) -> (how many went, whether nothing is left)``): a user with a hundred thousand
items is erased a page at a time, by the domain's own consumer of UserDeleted (see zik.erasure).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from zik.principal import Principal

ErasePage = Callable[[Principal, int], "tuple[int, bool]"]


@dataclass(frozen=True)
class UserDataHook:
    domain: str
    export: Callable[[Principal], Any]
    erase_page: ErasePage
    size: Callable[[Principal], int] | None = None  # how many items an export of the user reads


_hooks: dict[str, UserDataHook] = {}


def register(domain: str, *, export: Callable[[Principal], Any], erase_page: ErasePage, size: Callable[[Principal], int] | None = None) -> None:
    # Hooks are usually bound methods (``store.export``) of an object each function makes: the same code
    # on another object of the same store is the same hook (two functions in one process); other code is not.
    if domain in _hooks and (_code(_hooks[domain].export) != _code(export) or _code(_hooks[domain].erase_page) != _code(erase_page)):
        raise ValueError(f"user-data hooks for {domain!r} are already registered")
    _hooks[domain] = UserDataHook(domain, export, erase_page, size)


def _code(hook: Callable[..., Any]) -> Any:
    return getattr(hook, "__func__", hook)


def hooks() -> list[UserDataHook]:
    return [_hooks[name] for name in sorted(_hooks)]


def hook(domain: str) -> UserDataHook:
    try:
        return _hooks[domain]
    except KeyError:
        raise LookupError(f"no user-data hooks registered for {domain!r}") from None


def export_all(owner: Principal) -> dict[str, Any]:
    return {h.domain: h.export(owner) for h in hooks()}


def export_size(owner: Principal) -> int:
    """How many items an export of the user reads, in every domain that can say."""
    return sum(h.size(owner) for h in hooks() if h.size is not None)


def erase_all(owner: Principal, page: int = 1000) -> dict[str, int]:
    """Erase the user's data in every domain, page after page, here and now (a tool's, a test's way; the
    platform erases through each domain's consumer). Idempotent: running it again erases nothing more."""
    erased = {}
    for h in hooks():
        total, done = 0, False
        while not done:
            removed, done = h.erase_page(owner, page)
            total += removed
        erased[h.domain] = total
    return erased
