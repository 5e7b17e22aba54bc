"""The prompt library and how the daily and random prompts are chosen."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import re

import pytest

from zik.journal import prompts
from zik.journal.prompts import LIBRARY_VERSION, categories, daily_prompt, library, random_prompt

DAY = dt.date(2026, 3, 10)


def test_the_library_is_large_varied_and_well_formed() -> None:
    entries = library()
    ids = [p["promptId"] for p in entries]
    texts = [p["text"] for p in entries]
    assert len(entries) >= 120 and len(set(ids)) == len(ids)
    assert len({" ".join(t.lower().split()) for t in texts}) == len(texts)
    assert len(categories()) >= 10 and set(categories()) == {p["category"] for p in entries}
    assert {"gratitude", "reflection", "goals", "relationships", "self-care", "mindfulness", "growth", "creativity", "work", "memories"} <= set(
        categories()
    )
    for prompt in entries:
        assert set(prompt) == {"promptId", "category", "text"}
        assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)+", prompt["promptId"]) and prompt["promptId"].startswith(prompt["category"] + "-")
        assert 20 <= len(prompt["text"]) <= 300 and prompt["text"][-1] in ".?!"
    for category in categories():
        assert sum(p["category"] == category for p in entries) >= 8, category


def test_the_prompts_are_not_one_template() -> None:
    openings = {" ".join(p["text"].split()[:2]) for p in library()}
    assert len(openings) >= 60


def test_the_library_version_is_a_short_hash_of_the_file() -> None:
    raw = prompts._FILE.read_bytes()
    assert LIBRARY_VERSION == hashlib.sha256(raw).hexdigest()[:12]
    assert json.loads(raw) == library()


def test_library_returns_copies() -> None:
    library()[0]["text"] = "changed"
    assert library()[0]["text"] != "changed"


def test_the_daily_prompt_is_stable_within_a_day_and_per_user() -> None:
    entries = library()
    first = daily_prompt(entries, user_key="user-1", day=DAY, recently_used=[])
    assert all(daily_prompt(list(entries), user_key="user-1", day=DAY, recently_used=()) == first for _ in range(3))
    others = {daily_prompt(entries, user_key=f"user-{n}", day=DAY, recently_used=[])["promptId"] for n in range(20)}
    assert len(others) > 10  # users do not all see the same prompt on a day


def test_the_daily_prompt_changes_every_day_of_a_week() -> None:
    entries = library()
    for user in ("alice", "bob", "tenant#7#user#9"):
        week = [daily_prompt(entries, user_key=user, day=DAY + dt.timedelta(days=n), recently_used=[])["promptId"] for n in range(7)]
        assert len(set(week)) == 7, week


def test_the_daily_prompt_avoids_recently_used_ones_until_all_are_used() -> None:
    entries = library()
    used: list[str] = []
    for n in range(30):
        today = daily_prompt(entries, user_key="alice", day=DAY + dt.timedelta(days=n), recently_used=used)
        assert today["promptId"] not in used
        used.append(today["promptId"])
    everything = [p["promptId"] for p in entries]
    assert daily_prompt(entries, user_key="alice", day=DAY, recently_used=everything) in entries


def test_the_daily_prompt_keeps_to_the_chosen_categories_or_falls_back_to_all() -> None:
    entries = library()
    for n in range(10):
        chosen = daily_prompt(entries, user_key="bob", day=DAY + dt.timedelta(days=n), recently_used=[], categories=["gratitude", "memories"])
        assert chosen["category"] in {"gratitude", "memories"}
    assert daily_prompt(entries, user_key="bob", day=DAY, recently_used=[], categories=["astrology"]) == daily_prompt(
        entries, user_key="bob", day=DAY, recently_used=[]
    )
    gratitude = [p["promptId"] for p in entries if p["category"] == "gratitude"]
    # Every gratitude prompt used: one of them again rather than another category.
    assert daily_prompt(entries, user_key="bob", day=DAY, recently_used=gratitude, categories=["gratitude"])["category"] == "gratitude"


def test_the_random_prompt_follows_the_rng_exclusions_and_categories() -> None:
    entries = library()
    assert random_prompt(entries, rng=random.Random(7)) == random_prompt(entries, rng=random.Random(7))
    rng = random.Random(1)
    seen = {random_prompt(entries, rng=rng, exclude=["work-flow"], categories=["work"])["promptId"] for _ in range(200)}
    assert "work-flow" not in seen and all(pid.startswith("work-") for pid in seen) and len(seen) == 10
    only = entries[:1]
    assert random_prompt(only, rng=rng, exclude=[only[0]["promptId"]]) == only[0]


def test_no_prompts_is_an_error() -> None:
    with pytest.raises(ValueError, match="no prompts"):
        daily_prompt([], user_key="u", day=DAY, recently_used=[])
    with pytest.raises(ValueError, match="no prompts"):
        random_prompt([], rng=random.Random(0))
