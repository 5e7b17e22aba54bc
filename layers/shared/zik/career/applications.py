"""An application's status machine, the history of its transitions, and the stats of a user's applications.
Pure: no AWS (the store, ``zik.career.application_store``, writes what this decides).

Statuses, in the order a hiring process goes:

    saved -> applied -> screening -> interview -> offer -> accepted
                                                       \\-> rejected, withdrawn (from the open ones)

The transitions a job seeker expects:
- Forward through the open statuses, skipping any: a company may invite straight to an interview or make
  an offer without a screening call, and a saved job may have been applied to elsewhere before the user
  said so (saved -> interview when its invitation arrives).
- interview -> interview: a further round (or the same interview at a new time), recorded again.
- accepted only from offer: there is nothing to accept before.
- rejected from every open status past saved (only an application that was sent can be turned down);
  withdrawn from every open status (the seeker steps back, or drops a saved job).
- accepted, rejected and withdrawn are final; nothing goes backward. The history says what happened, and
  a status set by mistake is undone by deleting the application and adding it again.

Each transition is kept in ``history`` as ``{status, at, via}`` (via: "create" for the first status,
"api" for a PUT, "email" for an interview invitation read). ``appliedAt`` is set the first time the
application is known to have been sent: when it becomes applied, or any later status but withdrawn.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from zik.errors import Conflict, InvalidRequest

SAVED, APPLIED, SCREENING, INTERVIEW, OFFER = "saved", "applied", "screening", "interview", "offer"
ACCEPTED, REJECTED, WITHDRAWN = "accepted", "rejected", "withdrawn"

STATUSES = (SAVED, APPLIED, SCREENING, INTERVIEW, OFFER, ACCEPTED, REJECTED, WITHDRAWN)
OPEN = (SAVED, APPLIED, SCREENING, INTERVIEW, OFFER)
FINAL = (ACCEPTED, REJECTED, WITHDRAWN)
# The statuses that say the application was sent (appliedAt is set on reaching the first of them).
SENT = (APPLIED, SCREENING, INTERVIEW, OFFER, ACCEPTED, REJECTED)
# An answer from the company: anything past applied but the seeker's own withdrawal.
RESPONSES = (SCREENING, INTERVIEW, OFFER, ACCEPTED, REJECTED)
INTERVIEWED = (INTERVIEW, OFFER, ACCEPTED)
OFFERED = (OFFER, ACCEPTED)
VIAS = ("create", "api", "email")

ALLOWED: dict[str, frozenset[str]] = {
    SAVED: frozenset({APPLIED, SCREENING, INTERVIEW, OFFER, WITHDRAWN}),
    APPLIED: frozenset({SCREENING, INTERVIEW, OFFER, REJECTED, WITHDRAWN}),
    SCREENING: frozenset({INTERVIEW, OFFER, REJECTED, WITHDRAWN}),
    INTERVIEW: frozenset({INTERVIEW, OFFER, REJECTED, WITHDRAWN}),
    OFFER: frozenset({ACCEPTED, REJECTED, WITHDRAWN}),
    ACCEPTED: frozenset(),
    REJECTED: frozenset(),
    WITHDRAWN: frozenset(),
}


def check_status(raw: Any, field: str = "status") -> str:
    """A status as a client wrote it; anything else is a 400 naming ``field``."""
    if raw not in STATUSES:
        raise InvalidRequest(f"{field} must be one of {', '.join(STATUSES)}", field=field)
    return raw


def allowed_from(status: str) -> list[str]:
    """The statuses ``status`` may move to, in process order."""
    return [s for s in STATUSES if s in ALLOWED[status]]


def can_move(current: str, to: str) -> bool:
    return to in ALLOWED.get(current, frozenset())


def check_transition(current: str, to: str) -> None:
    """Raise Conflict (409) naming both ends when ``current -> to`` is not a transition."""
    if can_move(current, to):
        return
    allowed = allowed_from(current)
    if not allowed:
        reason = f"{current} is final"
    else:
        reason = f"from {current} it can move to {', '.join(allowed)}"
    raise Conflict(
        f"an application cannot move from {current} to {to}: {reason}",
        field="status",
        details={"from": current, "to": to, "allowed": allowed},
    )


def initial(status: str, *, at: str) -> dict[str, Any]:
    """The status fields of a new application: its status, a history of one, and appliedAt."""
    check_status(status)
    return {
        "status": status,
        "history": [{"status": status, "at": at, "via": "create"}],
        "appliedAt": at if status in SENT else None,
    }


def move(application: Mapping[str, Any], to: str, *, at: str, via: str) -> dict[str, Any]:
    """The changes that move ``application`` to ``to`` (Conflict if it may not): the status, its history
    with the transition added, and appliedAt when this is the first time it is known to be sent."""
    if via not in VIAS:
        raise ValueError(f"via must be one of {VIAS}, got {via!r}")
    current = application["status"]
    check_transition(current, to)
    changes: dict[str, Any] = {
        "status": to,
        "history": [*(application.get("history") or []), {"status": to, "at": at, "via": via}],
    }
    if to in SENT and not application.get("appliedAt"):
        changes["appliedAt"] = at
    return changes


def reached(application: Mapping[str, Any]) -> set[str]:
    """Every status the application has ever had (its history, and its status in case of none)."""
    statuses = {step.get("status") for step in application.get("history") or []}
    statuses.add(application.get("status"))
    return statuses


def stats(applications: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The counts by status and the rates a job seeker watches, over the applications sent (appliedAt):
    responseRate (any answer: screening, interview, offer, accepted or rejected), interviewRate (reached an
    interview, or an offer without one) and offerRate. Rates are fractions 0 to 1, 0 with nothing sent."""
    by_status = dict.fromkeys(STATUSES, 0)
    total = sent = responded = interviewed = offered = 0
    for application in applications:
        total += 1
        status = application.get("status")
        if status in by_status:
            by_status[status] += 1
        if not application.get("appliedAt"):
            continue
        sent += 1
        seen = reached(application)
        responded += bool(seen & set(RESPONSES))
        interviewed += bool(seen & set(INTERVIEWED))
        offered += bool(seen & set(OFFERED))
    return {
        "total": total,
        "byStatus": by_status,
        "open": sum(by_status[s] for s in OPEN),
        "applied": sent,
        "responded": responded,
        "interviewed": interviewed,
        "offers": offered,
        "responseRate": _rate(responded, sent),
        "interviewRate": _rate(interviewed, sent),
        "offerRate": _rate(offered, sent),
    }


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0
