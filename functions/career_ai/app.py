"""Career roadmaps (the seed's /api/ai): from the role you have to the role you want, and the roadmap
made a quest in the same call."""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

import zik.career.roadmap_ai  # noqa: F401  (registers career.roadmap)
from zik.career.roadmaps import CareerRoadmaps
from zik.http import body, create_app, json_response, principal, responds
from zik.idempotency import run_once
from zik.observability import api_handler

app = create_app()
roadmaps = CareerRoadmaps()


@app.post("/api/ai/roadmap")
@responds({200: "career_roadmap_plan", 201: "career_roadmap_plan"}, errors=(409, 422))
def career_roadmap():
    """A career roadmap from your current role to a target role: the skills it takes and 3 to 7 milestones.

    `{currentRole, targetRole, skills}` (your profile's and resume's skills are added) answers `{timeline,
    requiredSkills: [{skill, level, have, resources?}], milestones: [{title, description, durationWeeks,
    skills}]}` (200). With `createQuest: true` (and `targetDate`, optional) the roadmap also becomes a quest
    goal, active at once, its milestones the roadmap's: the answer (201) names it (`questGoalId`; GET
    /goals/{goalId}). Retries with the same `Idempotency-Key` make one goal; 409: a request with that key is
    still running; 422: the key was used with another body."""
    owner = principal(app)
    data = body(app, "career_roadmap")
    answer = run_once(app, owner, lambda claim: roadmaps.roadmap(owner, data, claim=claim))
    return json_response(answer, 201 if answer.get("questGoalId") else 200)


@api_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
