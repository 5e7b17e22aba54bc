"""Career roadmaps (the seed's /api/ai): from the role you have to the role you want, and the roadmap
made a quest in the same call."""

from __future__ import annotations

import zik.career.roadmap_ai  # noqa: F401  (registers career.roadmap)
from zik.career.roadmaps import CareerRoadmaps
from zik.http import body, create_app, json_response, principal
from zik.idempotency import run_once
from zik.observability import api_handler

app = create_app()
roadmaps = CareerRoadmaps()


@app.post("/api/ai/roadmap")
def career_roadmap():
    """A career roadmap: `{currentRole, targetRole, skills}` (your profile's and resume's skills are
    added) answers `{timeline, requiredSkills: [{skill, level, have, resources?}], milestones: [{title,
    description, durationWeeks, skills}]}`. With `createQuest: true` (and `targetDate`, optional) the
    roadmap also becomes a quest goal, active at once, its milestones the roadmap's: the answer (201)
    names it (`questGoalId`; GET /goals/{goalId}). Retries with the same `Idempotency-Key` make one goal."""
    owner = principal(app)
    data = body(app, "career_roadmap")
    answer = run_once(app, owner, lambda claim: roadmaps.roadmap(owner, data, claim=claim))
    return json_response(answer, 201 if answer.get("questGoalId") else 200)


@api_handler
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
