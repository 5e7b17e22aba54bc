"""Onboarding's consumer: the steps other domains complete (a first goal, GoalCreated; a first journal entry,
EntryCreated; the career profile saved, CareerProfileSaved), through its queue, marked on the user's
profile. Each step keeps the earliest time any of its events gives: a redelivered event, or events out of
order, change nothing more; an event of an account being erased writes nothing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zik.consumers import each_event
from zik.observability import metrics, queue_handler
from zik.platform import onboarding
from zik.platform.store import ProfileStore
from zik.principal import Principal

store = ProfileStore()


def record(owner: Principal, detail_type: str, detail: Mapping[str, Any]) -> str:
    step = onboarding.step_of_event(detail_type)
    if step is None:
        return "ignored"  # not an event of onboarding (the rule sends none: a rule wider than this consumer)
    outcome = store.mark(owner, step, detail["occurredAt"])
    if outcome == "marked":
        metrics.add_metric(name="OnboardingStepsDone", unit="Count", value=1)
    return outcome


@queue_handler
def lambda_handler(event: dict, context: object) -> dict:
    return each_event(event, context, record)
