"""Career roadmaps (CareerAIFunction, POST /api/ai/roadmap) against the stack in moto: the seed's answer
from the career.roadmap task (offline rules here), the caller's profile skills counted, and a roadmap made
a quest in the same call: a goal active at once, read through QuestsFunction like any other, made once per
Idempotency-Key."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import boto3
import pytest

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")

AI = "CareerAIFunction"
OTHER = {"sub": "0b5e2f1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b", "custom:tenant_id": "acme"}


def roadmap(career, body: dict[str, Any], *, key: str | None = None, claims: dict[str, Any] | None = None):
    return career.api(AI, "career_ai_roadmap", body=body, headers={"Idempotency-Key": key} if key else None, claims=claims)


def goal(career, goal_id: str, claims: dict[str, Any] | None = None):
    return career.invoke("QuestsFunction", career.shape(career.sample("quests_goal_get"), params={"goalId": goal_id}, claims=claims))


def goals_in_table(career) -> list[dict[str, Any]]:
    items = boto3.client("dynamodb").scan(TableName=career.env(AI)["QUESTS_TABLE"], ConsistentRead=True)["Items"]
    return [item for item in items if item["sk"]["S"].startswith("GOAL#") and "#MS#" not in item["sk"]["S"]]


# -- the rules, and an answer made consistent (no AWS) -------------------------------------------------------------
def test_the_rules_answer_every_move_between_the_vocabularys_roles_within_the_schema():
    from zik.career import roadmap_ai, roadmaps, vocabulary

    titles = [role.name for role in vocabulary.roles()] + [
        "Senior Data Engineer",
        "Junior Recruiter",
        "Staff Security Engineer",
        "Astronaut",
        "Rust developer",
    ]
    for current in titles:
        for target in titles:
            data = roadmaps.request_data(current, target, ["Python", "SQL"])
            answer = roadmap_ai.ROADMAP.validate(roadmaps.plan(data))
            assert roadmaps.MIN_MILESTONES <= len(answer["milestones"]) <= roadmaps.MAX_MILESTONES, (current, target)
            assert [s["skill"] for s in answer["requiredSkills"]] == data["targetCoreSkills"]
            missing = {s["skill"] for s in answer["requiredSkills"] if not s["have"]}
            assert missing == set(data["missingSkills"]) and missing <= {k for m in answer["milestones"] for k in m["skills"]}
    assert "$targetCoreSkills" not in roadmap_ai.ROADMAP.render(data).user


def test_an_answer_is_made_consistent_with_the_persons_skills():
    from zik.career import roadmaps

    answer = {
        "timeline": "Soon",
        "requiredSkills": [
            {"skill": "python", "level": "advanced", "have": False, "resources": ["The official tutorial"]},
            {"skill": "Python", "level": "working", "have": False},
            {"skill": "golang", "level": "working", "have": True},
        ],
        "milestones": [
            {"title": "  Learn   Go ", "description": "Go tour. ", "durationWeeks": 80, "skills": ["golang"]},
            {"title": "Build", "description": "A service.", "durationWeeks": 6, "skills": ["go", "k8s"]},
            {"title": "Apply", "description": "Apply.", "durationWeeks": 3, "skills": []},
        ],
    }
    made = roadmaps.normalised(answer, ["Python"])
    assert made["requiredSkills"] == [
        {"skill": "Python", "level": "advanced", "have": True},  # it is the person's, whatever the answer said
        {"skill": "Go", "level": "working", "have": False, "resources": roadmaps.resources("Go")},
    ]
    assert [m["title"] for m in made["milestones"]] == ["Learn Go", "Build", "Apply"]
    assert [m["durationWeeks"] for m in made["milestones"]] == [52, 6, 3] and made["timeline"] == "About 14 months (61 weeks)"


def test_a_roadmap_answers_the_seeds_shape_from_the_vocabulary(career):
    reply = roadmap(
        career, {"currentRole": "Junior Frontend Developer", "targetRole": "Senior Backend Engineer", "skills": ["javascript", "React", "sql"]}
    )
    assert reply.status == 200, reply.body
    answer = reply.body
    assert set(answer) >= {"timeline", "requiredSkills", "milestones"} and "questGoalId" not in answer
    assert answer["source"] == "ai"  # the offline provider is the AI here
    required = {entry["skill"]: entry for entry in answer["requiredSkills"]}
    assert list(required) == ["Python", "SQL", "REST APIs", "AWS", "Microservices"]  # the backend family's core
    assert required["SQL"]["have"] is True and "resources" not in required["SQL"]
    assert required["Python"]["have"] is False and required["Python"]["level"] == "advanced" and required["Python"]["resources"]
    milestones = answer["milestones"]
    assert 3 <= len(milestones) <= 7
    assert milestones[0]["skills"] == ["Python", "REST APIs"]  # a language before what builds on it
    assert any(m["title"] == "Take on senior-level responsibilities" for m in milestones)  # junior -> senior
    assert milestones[-1]["title"] == "Apply for Senior Backend Engineer roles"
    assert all(1 <= m["durationWeeks"] <= 52 for m in milestones)
    weeks = sum(m["durationWeeks"] for m in milestones)
    assert answer["totalWeeks"] == weeks and f"({weeks} weeks)" in answer["timeline"]


def test_the_callers_profile_and_resume_skills_count_as_theirs(career):
    assert career.api("CareerUsersFunction", "career_users_put", body={"skills": ["Python", "AWS"]}).status == 200
    answer = roadmap(career, {"currentRole": "Backend Developer", "targetRole": "Backend Engineer", "skills": ["SQL"]}).body
    have = {entry["skill"] for entry in answer["requiredSkills"] if entry["have"]}
    assert have == {"Python", "AWS", "SQL"}
    theirs = roadmap(career, {"currentRole": "Backend Developer", "targetRole": "Backend Engineer", "skills": []}, claims=OTHER).body
    assert not any(entry["have"] for entry in theirs["requiredSkills"])  # another user's profile is not read


def test_without_the_ai_the_rules_answer(career, monkeypatch):
    from zik import ai

    def unavailable(task, data, **kwargs):
        raise ai.AIUnavailable(task, [{"provider": "bedrock", "reason": "throttled"}])

    career.load_function(AI)
    monkeypatch.setattr(ai, "run", unavailable)
    reply = roadmap(career, {"currentRole": "Data Analyst", "targetRole": "Data Scientist", "skills": ["SQL", "Excel"]})
    assert reply.status == 200 and reply.body["source"] == "rules"
    assert [m["skills"] for m in reply.body["milestones"][:2]] == [["Python", "Statistics"], ["Pandas", "Machine Learning"]]


@pytest.mark.clock
def test_a_roadmap_made_a_quest_is_a_goal_like_any_other(career, days):
    target = (career.today() + dt.timedelta(days=300)).isoformat()
    with days() as span:
        reply = roadmap(
            career,
            {
                "currentRole": "Junior Frontend Developer",
                "targetRole": "Senior Backend Engineer",
                "skills": ["JavaScript", "React", "SQL"],
                "createQuest": True,
                "targetDate": target,
            },
            key=str(uuid.uuid4()),
        )
    assert reply.status == 201, reply.body
    goal_id = reply.body["questGoalId"]
    assert reply.body["quest"] == {
        "goalId": goal_id,
        "title": "Become a Senior Backend Engineer",
        "status": "active",
        "targetDate": target,
        "milestoneCount": len(reply.body["milestones"]),
    }

    shown = goal(career, goal_id)
    assert shown.status == 200, shown.body
    quest = shown.body
    assert quest["status"] == "active" and quest["category"] == "career" and quest["targetDate"] == target
    assert [m["title"] for m in quest["milestones"]] == [m["title"] for m in reply.body["milestones"]]
    dues = [m["dueDate"] for m in quest["milestones"]]
    assert dues == sorted(dues) and len(set(dues)) == len(dues) and dues[-1] == target and dues[0] > span.first.isoformat()
    first, *rest = quest["milestones"]
    assert first["status"] == "active" and [t["title"] for t in first["tasks"]] == [
        "Start learning Python",
        "Start learning REST APIs",
        "Build something small with Python",
        "Build something small with REST APIs",
        "Finish and record: Learn Python and REST APIs",
    ]
    assert all(first["dueDate"] >= t["dueDate"] >= span.first.isoformat() for t in first["tasks"])
    assert all(m["status"] == "pending" and m["tasks"] == [] for m in rest)
    assert goal(career, goal_id, claims=OTHER).status == 404

    # Its events are the quests' own, valid against their schemas (the stream checks every one).
    career.streams.pump()
    assert career.streams.failed_invocations == 0


def test_the_quests_tasks_and_coach_carry_the_goal_on(career):
    target = (career.today() + dt.timedelta(days=200)).isoformat()
    body = {"currentRole": "Data Analyst", "targetRole": "Data Scientist", "skills": ["SQL", "Excel"], "createQuest": True, "targetDate": target}
    goal_id = roadmap(career, body).body["questGoalId"]
    first = goal(career, goal_id).body["milestones"][0]
    for task in first["tasks"]:
        done = career.invoke(
            "QuestsFunction", career.shape(career.sample("quests_task_update"), params={"taskId": task["taskId"]}, body={"status": "done"})
        )
        assert done.status == 200, done.body
    after = goal(career, goal_id).body
    assert after["milestones"][0]["status"] == "completed" and after["status"] == "active"

    completed = career.sample("coach_milestone_completed")
    completed["detail"].update(goalId=goal_id, milestoneSeq=1, milestoneCount=len(after["milestones"]), nextMilestoneSeq=2)
    assert career.step("CoachFunction", completed)["tasks"] >= 3  # the coach plans the next milestone, as for any goal
    assert goal(career, goal_id).body["milestones"][1]["status"] == "active"


def test_a_retry_with_the_same_idempotency_key_makes_one_goal(career):
    body = {"currentRole": "QA Engineer", "targetRole": "DevOps Engineer", "skills": ["Python", "Linux"], "createQuest": True}
    key = str(uuid.uuid4())
    first = roadmap(career, body, key=key)
    again = roadmap(career, body, key=key)
    assert first.status == again.status == 201
    assert again.body["questGoalId"] == first.body["questGoalId"]
    assert len(goals_in_table(career)) == 1

    # The first attempt died after its write, before its answer was recorded: the retry finds its goal.
    idempotency = career.env(AI)["IDEMPOTENCY_TABLE"]
    client = boto3.client("dynamodb")
    for item in client.scan(TableName=idempotency)["Items"]:
        client.delete_item(TableName=idempotency, Key={"id": item["id"]})
    third = roadmap(career, body, key=key)
    assert third.status == 201 and third.body["questGoalId"] == first.body["questGoalId"]
    assert len(goals_in_table(career)) == 1

    other = roadmap(career, body, key=str(uuid.uuid4()))
    assert other.body["questGoalId"] != first.body["questGoalId"] and len(goals_in_table(career)) == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"currentRole": "Analyst", "targetRole": "Data Scientist", "createQuest": True, "targetDate": "2000-01-01"}, "targetDate"),
        ({"currentRole": "Analyst", "targetRole": "Data Scientist", "createQuest": True, "targetDate": "2027-02-30"}, "targetDate"),
        ({"currentRole": "Analyst", "targetRole": "   "}, "targetRole"),
        ({"currentRole": "Analyst"}, "targetRole"),
        ({"currentRole": "Analyst", "targetRole": "Data Scientist", "skills": "SQL"}, "skills"),
        ({"currentRole": "Analyst", "targetRole": "Data Scientist", "userId": OTHER["sub"]}, "userId"),
    ],
)
def test_bad_requests_are_refused_naming_the_field_and_make_no_goal(career, body, field):
    reply = roadmap(career, body)
    assert reply.status == 400, reply.body
    assert reply.body["error"]["field"] == field
    assert goals_in_table(career) == []
