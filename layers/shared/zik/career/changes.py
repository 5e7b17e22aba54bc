"""What a committed change of CareerTable means: the career's domain events, read from the change stream
(see ``zik.streams``). Pure: an item before and after in, events out.

  a resume's analysis saved (status -> analyzed)      ResumeAnalyzed
  an application written, or its status moved          ApplicationStatusChanged (from null when created)
  the profile saved (its version moved)                CareerProfileSaved (onboarding's career_profile step)

A resume analysed again (a new resume) is a new item, so a new event; an application's notes or interview
details changing move no status and mean nothing. The profile's resume written by the resumes (its version
does not move) and everything else in the table (match explanations, saved jobs, e-mails read, the
mailbox) mean nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from zik.career.tables import APPLICATION_PREFIX, PROFILE, RESUME_PREFIX
from zik.streams import Change, Event

DOMAIN = "career"


def _is(prefix: str, sk: str) -> bool:
    return sk.startswith(prefix) and "#" not in sk[len(prefix) :]


def events_of(change: Change) -> Iterator[Event]:
    if _is(RESUME_PREFIX, change.sk):
        yield from _resume(change)
    elif _is(APPLICATION_PREFIX, change.sk):
        yield from _application(change)
    elif change.sk == PROFILE and change.kind != "REMOVE" and change.changed("version") and change.now("version"):
        yield Event("CareerProfileSaved", DOMAIN, {"version": int(change.now("version"))})


def _resume(change: Change) -> Iterator[Event]:
    if change.kind == "REMOVE" or change.now("status") != "analyzed" or not change.changed("status"):
        return
    resume = change.item
    yield Event(
        "ResumeAnalyzed",
        DOMAIN,
        {
            "resumeId": resume["resumeId"],
            "atsScore": int(resume["atsScore"]),
            "skillCount": len(resume.get("skills") or []),
            "source": resume.get("source") or "api",
        },
        occurred_at=resume.get("analyzedAt"),
    )


def _application(change: Change) -> Iterator[Event]:
    if change.kind == "REMOVE" or not change.changed("status"):
        return
    application = change.item
    last = _last_transition(application)
    yield Event(
        "ApplicationStatusChanged",
        DOMAIN,
        {
            "applicationId": application["applicationId"],
            "jobId": application.get("jobId"),
            "company": application.get("company") or "",
            "role": application.get("role") or "",
            "from": change.was("status") if change.kind == "MODIFY" else None,
            "to": application["status"],
            "via": last.get("via") or "api",
            "version": int(application.get("version") or 1),
        },
        occurred_at=last.get("at") or application.get("updatedAt"),
    )


def _last_transition(application: Mapping[str, Any]) -> Mapping[str, Any]:
    history = application.get("history") or []
    return history[-1] if history else {}
