"""The AI task ``career.email``: is this e-mail an interview invitation, and its company, role, time, place
or link and kind. Importing this module registers the task.

The rules (``zik.career.interviews.detect``) always read the mail; they are the offline provider's answer
too. The AI is asked only where it can add: when the rules are unsure whether the mail is an invitation,
or sure it is one but missing its company or its time. Its answer (schema-valid, from the gateway) then
decides the unsure cases and fills what the rules left empty; it never overrides what the rules found,
and a time or zone it gives that does not parse is ignored. No answer in time, or no budget left: the
rules' reading stands (an e-mail is never refused for the AI's sake).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from zik import ai
from zik.career import interviews
from zik.observability import logger
from zik.principal import Principal

TASK = "career.email"
# What the model reads of a mail: an invitation says what it is in its first screens.
AI_BODY_CHARS = 12_000
# Where the rules are unsure (confidence between these) the AI decides.
UNSURE = (0.25, 0.85)
FIELDS = ("company", "role", "location", "meetingLink", "kind")


def offline(data: Mapping[str, Any]) -> dict[str, Any]:
    """The rules' reading of the prompt's data (the local provider's answer)."""
    return interviews.detect(_email(data))


EMAIL = ai.register(
    ai.Task(
        TASK,
        offline=offline,
        description="Decide whether the e-mail invites the reader to a job interview, and give its company, role, time with its IANA timezone, place or meeting link, kind and your confidence.",
        max_tokens=700,
        # A reading, not a composition: the same mail should read the same way twice.
        temperature=0.0,
        daily_calls=200,
    )
)


def prompt_data(message: interviews.Email, rules: Mapping[str, Any]) -> dict[str, Any]:
    """Every field the prompt names: the mail (its body cut to AI_BODY_CHARS) and the rules' reading."""
    return {
        "subject": message.subject[:1000],
        "from": message.sender[:500],
        "body": message.body[:AI_BODY_CHARS],
        "receivedAt": message.received_at.isoformat(),
        "reading": dict(rules),
    }


def _email(data: Mapping[str, Any]) -> interviews.Email:
    return interviews.Email(
        subject=str(data.get("subject") or ""),
        sender=str(data.get("from") or ""),
        body=str(data.get("body") or ""),
        received_at=interviews.parse_received_at(data.get("receivedAt")),
    )


def worth_asking(rules: Mapping[str, Any]) -> bool:
    unsure = UNSURE[0] <= rules["confidence"] < UNSURE[1]
    incomplete = rules["isInterview"] and (rules["company"] is None or rules["scheduledAt"] is None)
    return unsure or incomplete


def reading(message: interviews.Email, owner: Principal | None) -> dict[str, Any]:
    """The reading of ``message``: the rules', refined by the AI where they are unsure or incomplete."""
    rules = interviews.detect(message)
    if not worth_asking(rules):
        return rules
    try:
        answer = ai.run(TASK, prompt_data(message, rules), owner=owner)
    except (ai.AIUnavailable, ai.AIBudgetExceeded) as exc:
        logger.info("interview e-mail read by the rules alone", extra={"reason": type(exc).__name__})
        return rules
    return refine(rules, answer)


def refine(rules: Mapping[str, Any], answer: Mapping[str, Any]) -> dict[str, Any]:
    """The rules' reading with the AI's ``answer`` deciding what the rules were unsure of and filling what
    they left empty."""
    refined = dict(rules)
    if UNSURE[0] <= rules["confidence"] < UNSURE[1]:
        refined["isInterview"] = bool(answer["isInterview"])
        refined["confidence"] = round(float(answer["confidence"]), 2)
    for field in FIELDS:
        if refined.get(field) is None and answer.get(field):
            refined[field] = answer[field]
    if refined.get("meetingLink") and not str(refined["meetingLink"]).lower().startswith(("https://", "http://")):
        refined["meetingLink"] = rules.get("meetingLink")
    if refined.get("scheduledAt") is None and answer.get("scheduledAt"):
        scheduled = _instant(answer["scheduledAt"])
        if scheduled is not None:
            refined["scheduledAt"] = scheduled.isoformat()
            refined["timezone"] = _zone(answer.get("timezone"))
    return refined


def _instant(raw: Any) -> dt.datetime | None:
    """An ISO 8601 instant with its offset (one without says nothing certain)."""
    try:
        moment = dt.datetime.fromisoformat(str(raw))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _zone(raw: Any) -> str | None:
    if not isinstance(raw, str) or not raw or len(raw) > 64 or ".." in raw:
        return None
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return raw
