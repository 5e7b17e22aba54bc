"""The quests domain's AI tasks: planning a goal into milestones, coaching a milestone into daily tasks,
and the chat coach. Importing this module registers them (again, harmlessly, on a second import)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zik import ai


# The offline rules answer only when every vendor before them fails (or in zik dev and the tests): their words and
# patterns are loaded on the first such answer, not in every cold start of the three functions that register these.
def _plan(data: Mapping[str, Any]) -> dict[str, Any]:
    from zik.quests import offline

    return offline.plan(data)


def _coach(data: Mapping[str, Any]) -> dict[str, Any]:
    from zik.quests import offline

    return offline.coach(data)


def _chat(data: Mapping[str, Any]) -> dict[str, Any]:
    from zik.quests import chat_rules

    return chat_rules.chat(data)


PLAN = ai.register(
    ai.Task(
        "quests.plan",
        offline=_plan,
        description="Record the goal's plan: 3 to 7 ordered milestones, each with a title, a description and a due date (YYYY-MM-DD), and a short summary.",
        prompt_version=2,
        max_tokens=2000,
        daily_calls=30,
    )
)

COACH = ai.register(
    ai.Task(
        "quests.coach",
        offline=_coach,
        description="Record the milestone's 3 to 5 concrete tasks, each with a title, a description and a due date (YYYY-MM-DD), and a short encouraging message.",
        prompt_version=2,
        max_tokens=1500,
        daily_calls=100,
    )
)

CHAT = ai.register(
    ai.Task(
        "quests.chat",
        offline=_chat,
        description=(
            "Record the coach's reply to the user and the intent recognised (create_goal with goalTitle and, when the message gives "
            "a deadline, targetDate; complete_task with taskId; list_tasks with the date listed; or chat)."
        ),
        prompt_version=3,
        max_tokens=800,
        daily_calls=200,
    )
)

TASKS = (PLAN, COACH, CHAT)
