"""The journal domain's AI task: the insight of one entry (sentiment, emotions, themes, a summary).
Importing this module registers it (again, harmlessly, on a second import)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from zik import ai


def _insight(data: Mapping[str, Any]) -> dict[str, Any]:
    # The offline reading answers only when every vendor before it fails (or in zik dev and the tests): its module is
    # loaded on the first such answer, not in every cold start of the functions that register the task.
    from zik.journal import offline

    return offline.insight(data)


INSIGHT = ai.register(
    ai.Task(
        "journal.insight",
        offline=_insight,
        description="Record the entry's sentiment (score -1 to 1 and its label), up to 5 emotions with intensities, up to 5 themes and a one-line summary in the writer's own words.",
        prompt_version=2,
        max_tokens=600,
        # A reading, not a composition: the same entry should read the same way twice.
        temperature=0.2,
        daily_calls=100,
    )
)

TASKS = (INSIGHT,)


def insight_data(content: str, *, title: str | None = None, mood: int | None = None, tags: Iterable[str] = ()) -> dict[str, Any]:
    """The task's data with every field its prompt names (the prompt refuses a missing one)."""
    return {"content": content, "title": title or "", "mood": mood, "tags": list(tags)}
