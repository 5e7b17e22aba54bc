"""The library of journaling prompts (``prompts.json`` next to this module) and how one is chosen.

The daily prompt is a function of the user and the day alone, so every device, every Lambda instance
and every retry shows the same one without storing it: each user walks the library in an order of
their own (a SHA-256 of user and prompt id, stable across processes where ``hash()`` is salted), one
step a day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from collections.abc import Collection, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["LIBRARY_VERSION", "categories", "daily_prompt", "library", "random_prompt"]

_FILE = Path(__file__).with_name("prompts.json")
_RAW = _FILE.read_bytes()
# Stored copies of the library (a prompts table, a cache) compare this to know they are stale.
LIBRARY_VERSION = hashlib.sha256(_RAW).hexdigest()[:12]


@lru_cache(maxsize=1)
def _parsed() -> tuple[Mapping[str, str], ...]:
    return tuple(json.loads(_RAW))


def library() -> list[dict[str, str]]:
    """Every prompt as {"promptId", "category", "text"}, in the file's order (copies: callers may edit)."""
    return [dict(prompt) for prompt in _parsed()]


def categories() -> list[str]:
    """The library's categories, in the order the file introduces them."""
    return list(dict.fromkeys(prompt["category"] for prompt in _parsed()))


def _candidates(prompts: Sequence[Mapping[str, Any]], wanted: Collection[str] | None, avoid: Collection[str]) -> list[Mapping[str, Any]]:
    """The prompts of the wanted categories (all when none matches) not in ``avoid`` (all of those when
    every one is to be avoided: a prompt seen before beats no prompt)."""
    if not prompts:
        raise ValueError("there are no prompts to choose from")
    pool = list(prompts)
    if wanted:
        chosen = set(wanted)
        pool = [prompt for prompt in pool if prompt.get("category") in chosen] or pool
    avoid = set(avoid)
    return [prompt for prompt in pool if prompt.get("promptId") not in avoid] or pool


def _rank(user_key: str, prompt_id: str) -> bytes:
    return hashlib.sha256(f"{user_key}\x1f{prompt_id}".encode()).digest()


def daily_prompt(
    prompts: Sequence[Mapping[str, Any]],
    *,
    user_key: str,
    day: dt.date,
    recently_used: Collection[str],
    categories: Collection[str] | None = None,
) -> Mapping[str, Any]:
    """The user's prompt for ``day``: the same all day, a different one each day of a week (seven days
    step through seven prompts of the user's order), never one of ``recently_used`` while another fits.

    ``recently_used`` should be what the user used before ``day``: counting today's own use would move
    today's prompt the moment it is used.
    """
    pool = sorted(_candidates(prompts, categories, recently_used), key=lambda prompt: _rank(user_key, str(prompt.get("promptId"))))
    return pool[day.toordinal() % len(pool)]


def random_prompt(
    prompts: Sequence[Mapping[str, Any]],
    *,
    rng: random.Random,
    exclude: Collection[str] = (),
    categories: Collection[str] | None = None,
) -> Mapping[str, Any]:
    return rng.choice(_candidates(prompts, categories, exclude))
