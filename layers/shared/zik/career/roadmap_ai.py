"""The AI task ``career.roadmap``: from the role someone has to the role they want, the skills it asks for,
milestones with realistic durations and the timeline. Importing this module registers it (again,
harmlessly, on a second import). The offline answer is ``roadmaps.plan``: the vocabulary's rules."""

from __future__ import annotations

from zik import ai
from zik.career import roadmaps

ROADMAP = ai.register(
    ai.Task(
        roadmaps.TASK,
        offline=roadmaps.plan,
        description=(
            "Record the roadmap: the target role's requiredSkills (skill, level, have, resources for those missing), "
            "3 to 7 ordered milestones (title, description, durationWeeks, skills) and the total timeline."
        ),
        max_tokens=2500,
        daily_calls=30,
    )
)

TASKS = (ROADMAP,)
