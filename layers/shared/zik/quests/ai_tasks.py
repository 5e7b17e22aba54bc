"""The quests domain's AI tasks: planning a goal into milestones, coaching a milestone into daily tasks,
and the chat coach. Importing this module registers them (again, harmlessly, on a second import)."""

from __future__ import annotations

from zik import ai
from zik.quests import chat_rules, offline

PLAN = ai.register(
    ai.Task(
        "quests.plan",
        offline=offline.plan,
        description="Record the goal's plan: 3 to 7 ordered milestones, each with a title, a description and a due date (YYYY-MM-DD), and a short summary.",
        max_tokens=2000,
        daily_calls=30,
    )
)

COACH = ai.register(
    ai.Task(
        "quests.coach",
        offline=offline.coach,
        description="Record the milestone's 3 to 5 concrete tasks, each with a title, a description and a due date (YYYY-MM-DD), and a short encouraging message.",
        max_tokens=1500,
        daily_calls=100,
    )
)

CHAT = ai.register(
    ai.Task(
        "quests.chat",
        offline=chat_rules.chat,
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
