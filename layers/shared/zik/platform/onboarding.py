"""Onboarding: the steps a new user goes through, as the profile records them. Pure: no AWS in here.

A user's onboarding starts when their profile is created (their first GET or PUT /me) and is kept on the
profile item as ``onboarding = {startedAt, steps: {<step id>: <when it was done>}}``. The steps, in the
order an app shows them:

  timezone              the user chose a timezone (PUT /me sends ``timezone``)     marked in the same write
  interests             the user chose their interests (PUT /me sends ``interests``) marked in the same write
  first_goal_or_entry   a first goal (GoalCreated) or a first journal entry (EntryCreated)   from the bus
  career_profile        the career profile saved (CareerProfileSaved)                        from the bus

A step's time is the earliest one known: a redelivered event, or events taken out of order, leave the
same record (``mark`` is commutative, associative and idempotent; the store's conditional write is the
same rule). ``view`` is what GET /me answers: every step with ``done`` and ``doneAt``, the ``next`` one
to do (the first not done, in the order above) and whether onboarding is ``complete``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

STEPS: tuple[str, ...] = ("timezone", "interests", "first_goal_or_entry", "career_profile")

# The steps the profile's own fields make: done when a PUT /me sends the field (whatever its value: a user
# who keeps UTC, or picks no interests, has answered).
PROFILE_STEPS: Mapping[str, str] = {"timezone": "timezone", "interests": "interests"}

# The steps other domains' events make (detail type -> step).
EVENT_STEPS: Mapping[str, str] = {
    "GoalCreated": "first_goal_or_entry",
    "EntryCreated": "first_goal_or_entry",
    "CareerProfileSaved": "career_profile",
}


@cache
def interests() -> tuple[str, ...]:
    """The interest ids a profile may hold: the profile request schema's list (its one owner)."""
    from zik import schemas

    return tuple(schemas.load("requests", "profile_update")["properties"]["interests"]["items"]["enum"])


def instant(text: str) -> str:
    """An ISO 8601 instant as the platform writes it (``2026-11-23T08:15:02.412Z``), so that recorded times
    compare as text in DynamoDB as they do in time. ValueError for anything else."""
    parsed = dt.datetime.fromisoformat(str(text))
    if parsed.tzinfo is None:
        raise ValueError(f"{text!r} names no time zone")
    return parsed.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def step_of_event(detail_type: str) -> str | None:
    return EVENT_STEPS.get(detail_type)


def steps_of_update(update: Mapping[str, Any]) -> list[str]:
    """The steps a validated PUT /me body completes."""
    return [step for field, step in PROFILE_STEPS.items() if field in update]


def started(at: str, done: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A new onboarding record, started ``at`` (with steps already known done)."""
    return {"startedAt": instant(at), "steps": {step: instant(when) for step, when in (done or {}).items()}}


def mark(record: Mapping[str, Any] | None, step: str, at: str) -> dict[str, Any]:
    """The record with ``step`` done at ``at``, or earlier if it already was: the rule the store's
    conditional write applies. A record that did not exist starts ``at``."""
    if step not in STEPS:
        raise ValueError(f"no onboarding step {step!r}")
    when = instant(at)
    if not record:
        return started(when, {step: when})
    steps = dict(record.get("steps") or {})
    if step not in steps or when < steps[step]:
        steps[step] = when
    return {**record, "steps": steps}


def pending(shown: Mapping[str, Any] | None, steps: Iterable[str]) -> list[str]:
    """Of ``steps``, those an onboarding (as ``view`` shows it) has not done yet."""
    done = {step["id"] for step in (shown or {}).get("steps") or [] if step["done"]}
    return [step for step in steps if step not in done]


def view(record: Mapping[str, Any] | None) -> dict[str, Any]:
    """GET /me's ``onboarding``: ``{startedAt, steps: [{id, done, doneAt}], next, complete}``."""
    done = (record or {}).get("steps") or {}
    steps = [{"id": step, "done": step in done, "doneAt": done.get(step)} for step in STEPS]
    next_step = next((step["id"] for step in steps if not step["done"]), None)
    return {"startedAt": (record or {}).get("startedAt"), "steps": steps, "next": next_step, "complete": next_step is None}
