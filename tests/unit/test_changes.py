"""What each committed change of a domain table means (zik.<domain>.changes): pure, an item before and after
in, events out. Every event comes out valid against its schema (zik.streams checks it; here too)."""

from __future__ import annotations

from typing import Any

import pytest

from zik import schemas
from zik.career import changes as career
from zik.journal import changes as journal
from zik.platform import changes as platform
from zik.quests import changes as quests
from zik.streams import Change

PK = "TENANT#acme#USER#8f1c2a7e-4b3d-4c9a-9e61-2d5b7f0a1c34"
AT = "2026-11-23T08:15:02.412Z"


def change(kind: str, sk: str, *, old: dict[str, Any] | None = None, new: dict[str, Any] | None = None) -> Change:
    keys = {"pk": PK, "sk": sk}
    return Change(
        kind=kind,
        keys=keys,
        old={**keys, **old} if old is not None else None,
        new={**keys, **new} if new is not None else None,
        record_id="r1",
        sequence="1",
        arrived=AT,
    )


def events(mapper: Any, c: Change) -> list[tuple[str, dict[str, Any]]]:
    found = [(e.detail_type, dict(e.detail)) for e in mapper.events_of(c)]
    for detail_type, detail in found:
        schemas.validate("events", detail_type, {"eventId": "x", "occurredAt": AT, "tenantId": "acme", "userId": "u", **detail})
    return found


# -- journal ----------------------------------------------------------------------------------------------
ENTRY = {
    "entryId": "0193a1b2c3d4e5f6",
    "version": 1,
    "wordCount": 47,
    "entryDate": "2026-11-23",
    "timezone": "Europe/Paris",
    "contentHash": "aaa",
    "createdAt": AT,
    "updatedAt": AT,
}


def test_an_entry_written_is_entry_created_and_prompt_used_when_it_answers_a_prompt() -> None:
    assert [t for t, _ in events(journal, change("INSERT", "ENTRY#0193a1b2c3d4e5f6", new=ENTRY))] == ["EntryCreated"]
    both = events(journal, change("INSERT", "ENTRY#0193a1b2c3d4e5f6", new={**ENTRY, "promptId": "gratitude-01", "categoryId": "c1"}))
    assert [t for t, _ in both] == ["EntryCreated", "PromptUsed"]
    assert both[0][1] == {
        **{k: ENTRY[k] for k in ("entryId", "version", "wordCount", "entryDate", "timezone")},
        "categoryId": "c1",
        "promptId": "gratitude-01",
    }
    assert both[1][1] == {"promptId": "gratitude-01", "entryId": ENTRY["entryId"], "entryDate": "2026-11-23"}


def test_an_entry_changed_is_entry_updated_saying_whether_its_text_changed() -> None:
    retagged = events(journal, change("MODIFY", "ENTRY#e1", old=ENTRY, new={**ENTRY, "version": 2, "tags": ["x"]}))
    assert retagged == [("EntryUpdated", {**journal.entry_detail({**ENTRY, "version": 2}), "contentChanged": False})]
    rewritten = events(journal, change("MODIFY", "ENTRY#e1", old=ENTRY, new={**ENTRY, "version": 2, "contentHash": "bbb"}))
    assert rewritten[0][1]["contentChanged"] is True


def test_an_insight_written_onto_its_entry_means_nothing_and_a_request_for_one_means_ai_insight_requested() -> None:
    scored = {**ENTRY, "sentimentScore": 0.4, "sentimentLabel": "positive", "insightAt": AT}
    assert events(journal, change("MODIFY", "ENTRY#e1", old=ENTRY, new=scored)) == []
    asked = events(journal, change("MODIFY", "ENTRY#e1", old=scored, new={**scored, "insightRequestedAt": "2026-11-24T10:00:00.000Z"}))
    assert asked == [("AIInsightRequested", {"entryId": ENTRY["entryId"], "version": 1})]


def test_an_entry_deleted_is_entry_deleted_and_other_items_mean_nothing() -> None:
    assert events(journal, change("REMOVE", "ENTRY#e1", old=ENTRY)) == [("EntryDeleted", {"entryId": ENTRY["entryId"], "entryDate": "2026-11-23"})]
    for sk in ("ENTRY#e1#INSIGHT", "SETTINGS", "CATEGORY#c1", "PROMPTUSED#x", "SEARCHINDEX"):
        assert events(journal, change("INSERT", sk, new={"x": 1})) == []


# -- quests -----------------------------------------------------------------------------------------------
GOAL = {
    "goalId": "g0000000000ab",
    "title": "Run a half marathon",
    "status": "planning",
    "path": "workflow",
    "via": "chat",
    "milestoneCount": 0,
    "createdAt": AT,
}
MILESTONE = {"goalId": GOAL["goalId"], "seq": 2, "title": "Run 10 km", "status": "active", "milestoneCount": 3}
TASK = {
    "taskId": "g0000000000ab.m2.t1",
    "title": "Run 5 km",
    "goalId": GOAL["goalId"],
    "milestoneSeq": 2,
    "source": "coach",
    "dueDate": "2026-11-24",
    "status": "todo",
}


def test_goals_created_ready_and_completed() -> None:
    created = events(quests, change("INSERT", "GOAL#g0000000000ab", new=GOAL))
    assert created == [
        ("GoalCreated", {"goalId": GOAL["goalId"], "title": GOAL["title"], "category": None, "targetDate": None, "path": "workflow", "via": "chat"})
    ]
    active = {**GOAL, "status": "active", "milestoneCount": 3, "plannedTaskCount": 4}
    assert events(quests, change("MODIFY", "GOAL#g0000000000ab", old={**GOAL, "milestoneCount": 3}, new=active)) == [
        ("RoadmapReady", {"goalId": GOAL["goalId"], "milestoneCount": 3, "taskCount": 4})
    ]
    done = events(quests, change("MODIFY", "GOAL#g0000000000ab", old=active, new={**active, "status": "completed"}))
    assert done == [("QuestCompleted", {"goalId": GOAL["goalId"], "title": GOAL["title"], "milestoneCount": 3})]
    paused = events(quests, change("MODIFY", "GOAL#g0000000000ab", old=active, new={**active, "status": "paused", "updatedAt": AT}))
    assert paused == []


def test_a_milestone_completed_names_the_next_one_and_the_last_names_none() -> None:
    middle = events(quests, change("MODIFY", "GOAL#g0000000000ab#MS#02", old=MILESTONE, new={**MILESTONE, "status": "completed"}))
    assert middle == [
        ("MilestoneCompleted", {"goalId": GOAL["goalId"], "milestoneSeq": 2, "milestoneCount": 3, "title": "Run 10 km", "nextMilestoneSeq": 3})
    ]
    last = {**MILESTONE, "seq": 3}
    assert (
        events(quests, change("MODIFY", "GOAL#g0000000000ab#MS#03", old=last, new={**last, "status": "completed"}))[0][1]["nextMilestoneSeq"] is None
    )
    assert events(quests, change("MODIFY", "GOAL#g0000000000ab#MS#02", old=MILESTONE, new={**MILESTONE, "openTasks": 2})) == []


def test_a_task_done_is_task_completed_and_undone_or_redone_is_nothing() -> None:
    sk = "GOAL#g0000000000ab#MS#02#TASK#g0000000000ab.m2.t1"
    done = events(quests, change("MODIFY", sk, old=TASK, new={**TASK, "status": "done"}))
    assert done == [("TaskCompleted", {k: TASK[k] for k in ("taskId", "title", "goalId", "milestoneSeq", "source", "dueDate")})]
    own = {"taskId": "t1", "title": "Buy shoes", "source": "user", "dueDate": "2026-11-24", "status": "todo"}
    assert events(quests, change("MODIFY", "TASK#t1", old=own, new={**own, "status": "done"}))[0][1]["goalId"] is None
    assert events(quests, change("MODIFY", sk, old={**TASK, "status": "done"}, new=TASK)) == []
    assert events(quests, change("INSERT", "TASK#t1", new=own)) == []
    for sk in ("RULE#r1", "CHAT#c1#x#0"):
        assert events(quests, change("INSERT", sk, new={"x": 1})) == []


# -- platform ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["INSERT", "MODIFY"])
def test_a_profile_saved_is_user_profile_updated_with_what_the_save_changed(kind: str) -> None:
    old = {"version": 1, "timezone": "UTC", "changed": []} if kind == "MODIFY" else None
    new = {"version": 2, "timezone": "Europe/Paris", "changed": ["timezone"]}
    assert events(platform, change(kind, "PROFILE", old=old, new=new)) == [
        ("UserProfileUpdated", {"version": 2, "changed": ["timezone"], "timezone": "Europe/Paris"})
    ]
    assert events(platform, change("MODIFY", "PROFILE", old=new, new=new)) == []
    assert events(platform, change("REMOVE", "PROFILE", old=new)) == []


# -- career -----------------------------------------------------------------------------------------------
RESUME = {"resumeId": "01795421600000x7k2", "status": "pending", "source": "upload", "createdAt": AT}
ANALYZED = {**RESUME, "status": "analyzed", "atsScore": 78, "skills": ["Python", "AWS"], "analyzedAt": "2026-11-23T08:15:04.000Z"}
APPLICATION = {
    "applicationId": "a7c91d2e40b1",
    "jobId": "gh3f9a1c2b7d",
    "company": "Northwind Labs",
    "role": "Backend Engineer",
    "status": "applied",
    "history": [{"status": "applied", "at": AT, "via": "create"}],
    "version": 1,
    "updatedAt": AT,
}


def test_a_resume_analysed_is_resume_analyzed_once() -> None:
    sk = "RESUME#01795421600000x7k2"
    analysed = events(career, change("MODIFY", sk, old=RESUME, new=ANALYZED))
    assert analysed == [("ResumeAnalyzed", {"resumeId": RESUME["resumeId"], "atsScore": 78, "skillCount": 2, "source": "upload"})]
    assert events(career, change("INSERT", sk, new={**ANALYZED, "source": "api"}))[0][1]["source"] == "api"
    # written pending, failed, changed again once analysed, deleted: nothing
    assert events(career, change("INSERT", sk, new=RESUME)) == []
    assert events(career, change("MODIFY", sk, old=RESUME, new={**RESUME, "status": "failed"})) == []
    assert events(career, change("MODIFY", sk, old=ANALYZED, new={**ANALYZED, "fileName": "x.pdf"})) == []
    assert events(career, change("REMOVE", sk, old=ANALYZED)) == []


def test_an_application_created_or_moved_is_application_status_changed_and_nothing_else_is() -> None:
    sk = "APP#a7c91d2e40b1"
    created = events(career, change("INSERT", sk, new=APPLICATION))
    assert created == [
        (
            "ApplicationStatusChanged",
            {
                "applicationId": "a7c91d2e40b1",
                "jobId": "gh3f9a1c2b7d",
                "company": "Northwind Labs",
                "role": "Backend Engineer",
                "from": None,
                "to": "applied",
                "via": "create",
                "version": 1,
            },
        )
    ]
    moved = {
        **APPLICATION,
        "status": "interview",
        "version": 2,
        "history": [*APPLICATION["history"], {"status": "interview", "at": AT, "via": "email"}],
    }
    assert events(career, change("MODIFY", sk, old=APPLICATION, new=moved))[0][1] == {
        **created[0][1],
        "from": "applied",
        "to": "interview",
        "via": "email",
        "version": 2,
    }
    assert events(career, change("MODIFY", sk, old=moved, new={**moved, "notes": "bring portfolio", "version": 3})) == []
    assert events(career, change("REMOVE", sk, old=moved)) == []
    for other in ("PROFILE", "PROFILE#MATCH#j1", "SAVED#j1", "APPJOB#j1", "EMAIL#d1", "MAILBOX"):
        assert events(career, change("INSERT", other, new={"status": "analyzed", "x": 1})) == []


def test_a_saved_career_profile_is_career_profile_saved_and_its_resume_alone_is_not() -> None:
    first = {"targetRole": "Data Engineer", "version": 1}
    assert events(career, change("INSERT", "PROFILE", new=first)) == [("CareerProfileSaved", {"version": 1})]
    assert events(career, change("MODIFY", "PROFILE", old=first, new={**first, "targetRole": "ML Engineer", "version": 2})) == [
        ("CareerProfileSaved", {"version": 2})
    ]
    assert events(career, change("MODIFY", "PROFILE", old=first, new={**first, "resume": {"resumeId": "r1"}})) == []
    assert events(career, change("REMOVE", "PROFILE", old=first)) == []
