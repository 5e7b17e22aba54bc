"""The AI task ``career.match``: one sentence per job of a jobs page explaining the caller's measured fit
(the score, reasons and missing skills are ``matching``'s, never the model's). One call explains a whole
page; importing this module registers it (again, harmlessly, on a second import).

The offline answer is ``matching.explanation`` of each job: the same sentence a page shows when the AI
cannot answer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from zik import ai
from zik.career import matching

TASK = "career.match"


def offline_answer(data: Mapping[str, Any]) -> dict[str, Any]:
    return {"explanations": [{"jobId": job["jobId"], "explanation": matching.explanation(job)} for job in data["jobs"]]}


MATCH = ai.register(
    ai.Task(
        TASK,
        offline=offline_answer,
        description="Record one explanation per job given (its jobId exactly as given): one sentence of at most 300 characters on why it fits the person and what would raise the fit.",
        max_tokens=3000,
        # An explanation of a measurement, not a composition: the same page should read the same twice.
        temperature=0.3,
        # A page's misses make one call; a user paging through fresh results all day stays well below this.
        daily_calls=200,
    )
)

TASKS = (MATCH,)


def task_data(profile: Mapping[str, Any], jobs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Every field the prompt names: the person (``profile``) and the jobs to explain."""
    return {"profile": dict(profile), "jobs": [dict(job) for job in jobs]}
