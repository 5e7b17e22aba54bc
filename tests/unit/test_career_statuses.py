"""The applications' status machine: every pair of statuses, allowed or refused (409 naming both ends),
the history and appliedAt each transition leaves, walks through the machine drawn by Hypothesis, and the
stats (counts by status, response, interview and offer rates)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zik.career import applications as machine
from zik.career.applications import (
    ACCEPTED,
    APPLIED,
    FINAL,
    INTERVIEW,
    OFFER,
    OPEN,
    REJECTED,
    SAVED,
    SCREENING,
    STATUSES,
    WITHDRAWN,
)
from zik.errors import Conflict, InvalidRequest

AT = "2026-11-23T09:15:00.000Z"
LATER = "2026-11-30T16:00:00.000Z"

# The table a job seeker reads: where each status may go.
EXPECTED = {
    SAVED: {APPLIED, SCREENING, INTERVIEW, OFFER, WITHDRAWN},
    APPLIED: {SCREENING, INTERVIEW, OFFER, REJECTED, WITHDRAWN},
    SCREENING: {INTERVIEW, OFFER, REJECTED, WITHDRAWN},
    INTERVIEW: {INTERVIEW, OFFER, REJECTED, WITHDRAWN},
    OFFER: {ACCEPTED, REJECTED, WITHDRAWN},
    ACCEPTED: set(),
    REJECTED: set(),
    WITHDRAWN: set(),
}


def application(status: str, **fields: object) -> dict:
    return {"applicationId": "a1", **machine.initial(status, at=AT), **fields}


@pytest.mark.parametrize(("current", "to"), list(itertools.product(STATUSES, STATUSES)))
def test_every_pair_of_statuses_is_allowed_or_refused_with_both_named(current: str, to: str) -> None:
    before = application(current)
    if to in EXPECTED[current]:
        changes = machine.move(before, to, at=LATER, via="api")
        assert changes["status"] == to
        assert changes["history"] == [*before["history"], {"status": to, "at": LATER, "via": "api"}]
        assert machine.can_move(current, to)
    else:
        with pytest.raises(Conflict) as refused:
            machine.move(before, to, at=LATER, via="api")
        error = refused.value
        assert error.status == 409 and error.field == "status"
        assert error.details["from"] == current and error.details["to"] == to
        assert error.details["allowed"] == [s for s in STATUSES if s in EXPECTED[current]]
        assert f"from {current} to {to}" in error.message
        assert not machine.can_move(current, to)


def test_final_statuses_go_nowhere_and_open_ones_can_always_be_withdrawn() -> None:
    for status in FINAL:
        assert machine.allowed_from(status) == []
    for status in OPEN:
        assert WITHDRAWN in machine.allowed_from(status)
    assert ACCEPTED in machine.allowed_from(OFFER) and [s for s in STATUSES if machine.can_move(s, ACCEPTED)] == [OFFER]
    assert not machine.can_move(SAVED, REJECTED)  # a job never sent cannot be turned down


def test_the_message_of_a_final_status_says_it_is_final() -> None:
    with pytest.raises(Conflict, match="an application cannot move from rejected to interview: rejected is final"):
        machine.check_transition(REJECTED, INTERVIEW)


def test_applied_at_is_set_the_first_time_it_is_known_to_be_sent() -> None:
    assert machine.initial(SAVED, at=AT)["appliedAt"] is None
    assert machine.initial(WITHDRAWN, at=AT)["appliedAt"] is None
    for status in (APPLIED, SCREENING, INTERVIEW, OFFER, ACCEPTED, REJECTED):
        assert machine.initial(status, at=AT)["appliedAt"] == AT
    # A saved job whose interview comes first was sent: it is applied from then on.
    assert machine.move(application(SAVED), INTERVIEW, at=LATER, via="email")["appliedAt"] == LATER
    assert "appliedAt" not in machine.move(application(SAVED), WITHDRAWN, at=LATER, via="api")
    # Once set, it stays.
    assert "appliedAt" not in machine.move(application(APPLIED), SCREENING, at=LATER, via="api")


def test_an_interview_may_have_further_rounds() -> None:
    first = application(INTERVIEW)
    second = {**first, **machine.move(first, INTERVIEW, at=LATER, via="email")}
    assert [step["status"] for step in second["history"]] == [INTERVIEW, INTERVIEW]
    assert second["history"][-1]["via"] == "email"


def test_statuses_and_vias_are_checked() -> None:
    with pytest.raises(InvalidRequest) as refused:
        machine.check_status("ghosted")
    assert refused.value.field == "status" and "saved, applied" in refused.value.message
    with pytest.raises(InvalidRequest):
        machine.initial("Applied", at=AT)
    with pytest.raises(ValueError):
        machine.move(application(APPLIED), SCREENING, at=LATER, via="chat")


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(STATUSES), st.lists(st.sampled_from(STATUSES), max_size=12))
def test_any_walk_keeps_a_history_of_its_transitions_and_never_leaves_a_final_status(start: str, wanted: list[str]) -> None:
    current = application(start)
    applied_at = current["appliedAt"]
    for step, to in enumerate(wanted):
        at = f"2026-12-{step + 1:02d}T10:00:00.000Z"
        if not machine.can_move(current["status"], to):
            with pytest.raises(Conflict):
                machine.move(current, to, at=at, via="api")
            continue
        assert current["status"] not in FINAL
        current = {**current, **machine.move(current, to, at=at, via="api")}
        applied_at = applied_at or (at if to in machine.SENT else None)
    history = current["history"]
    assert history[0] == {"status": start, "at": AT, "via": "create"}
    assert history[-1]["status"] == current["status"]
    assert all(machine.can_move(a["status"], b["status"]) for a, b in itertools.pairwise(history))
    assert current.get("appliedAt") == applied_at
    # Nothing goes backward but a further interview round.
    order = {status: index for index, status in enumerate(STATUSES)}
    assert all(order[b["status"]] > order[a["status"]] or a["status"] == b["status"] == INTERVIEW for a, b in itertools.pairwise(history))


def test_stats_count_by_status_and_rate_the_answers() -> None:
    rows = [
        application(SAVED),
        application(APPLIED),
        {**application(APPLIED), **machine.move(application(APPLIED), SCREENING, at=LATER, via="api")},
        application(INTERVIEW),
        application(REJECTED),
        application(OFFER),
    ]
    interviewed_then_withdrawn = application(INTERVIEW)
    rows.append({**interviewed_then_withdrawn, **machine.move(interviewed_then_withdrawn, WITHDRAWN, at=LATER, via="api")})
    stats = machine.stats(rows)
    assert stats["byStatus"] == {SAVED: 1, APPLIED: 1, SCREENING: 1, INTERVIEW: 1, OFFER: 1, ACCEPTED: 0, REJECTED: 1, WITHDRAWN: 1}
    assert stats["total"] == 7 and stats["open"] == 5
    assert stats["applied"] == 6  # all but the saved one
    assert stats["responded"] == 5 and stats["responseRate"] == round(5 / 6, 4)
    assert stats["interviewed"] == 3 and stats["interviewRate"] == 0.5
    assert stats["offers"] == 1 and stats["offerRate"] == round(1 / 6, 4)


def test_stats_of_nothing_sent_are_zero_not_a_division_by_zero() -> None:
    assert machine.stats([]) == {
        "total": 0,
        "byStatus": dict.fromkeys(STATUSES, 0),
        "open": 0,
        "applied": 0,
        "responded": 0,
        "interviewed": 0,
        "offers": 0,
        "responseRate": 0.0,
        "interviewRate": 0.0,
        "offerRate": 0.0,
    }
    assert machine.stats([application(SAVED), application(SAVED)])["responseRate"] == 0.0


def test_stats_read_the_projection_the_store_reads() -> None:
    """The store's stats query projects status, appliedAt and history only: that is all stats reads."""
    full = [application(APPLIED), application(OFFER), application(SAVED)]
    projected = [{key: row[key] for key in ("status", "appliedAt", "history") if row.get(key) is not None} for row in full]
    assert machine.stats(projected) == machine.stats(full)
