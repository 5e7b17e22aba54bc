"""The AI task ``career.resume``: a resume's ATS score, strengths, weaknesses and suggestions (the seed's
analysis). Importing this module registers it (again, harmlessly, on a second import).

The offline answer is the ATS rules' own (``zik.career.ats``), computed from the same text the model reads;
the model is shown what the rules measured, so that it scores what is there, and only its score and its
words are taken: the skills, sections and contact details of an analysis always come from the rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from zik import ai
from zik.career import ats

TASK = "career.resume"
# What the model reads of a resume: about 10,000 tokens (the seed's bound), far more than two pages.
PROMPT_RESUME_CHARS = 40_000


def offline_answer(data: Mapping[str, Any]) -> dict[str, Any]:
    """The rules' analysis of the resume in ``data`` (the task's fields), as the task answers."""
    today = dt.date.fromisoformat(data["today"])
    return ats.analyse(data["resume"], target_role=data.get("targetRole") or None, today=today).answer()


RESUME = ai.register(
    ai.Task(
        TASK,
        offline=offline_answer,
        description=(
            "Record the resume's ATS analysis: atsScore (0-100), up to 8 strengths, up to 8 weaknesses and up to 8 "
            "concrete suggestions, each specific to this resume."
        ),
        max_tokens=1500,
        # A reading, not a composition: the same resume should score the same twice.
        temperature=0.2,
        daily_calls=30,
    )
)

TASKS = (RESUME,)


def task_data(text: str, *, target_role: str | None, today: dt.date, facts: Mapping[str, Any]) -> dict[str, Any]:
    """Every field the prompt names (the prompt refuses a missing one)."""
    shown = {key: value for key, value in facts.items() if key != "checks"}
    shown["checks"] = [
        {"check": check["label"], "points": check["points"], "of": check["weight"], "detail": check["detail"]} for check in facts.get("checks", [])
    ]
    return {
        "resume": text[:PROMPT_RESUME_CHARS],
        "targetRole": target_role or "",
        "today": today.isoformat(),
        "facts": shown,
    }
