"""The ChatHandler: the coach in conversation. It knows the caller's active goals (and how far each has come)
and today's and tomorrow's tasks, and acts on what it understands: sets goals (with their target dates),
completes tasks, lists a day."""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

import zik.quests.ai_tasks  # noqa: F401  (registers quests.chat and the roadmap's tasks)
from zik.errors import InvalidRequest
from zik.http import body, create_app, principal, responds
from zik.inputs import identifier, page_limit
from zik.observability import api_handler
from zik.quests.service import Quests

app = create_app()
quests = Quests()


@app.post("/chat")
@responds({200: "chat_reply"}, errors=(409, 503))
def chat():
    """Talk to the coach, who knows the caller's goals and today's and tomorrow's tasks and acts on what it understands.

    `{message, conversationId?}` gives `{reply, conversationId, intent, actions[]}`; send the
    `conversationId` back to go on with the conversation. `actions` says what the coach did:
    `goal_created` (the roadmap is being planned; with its `targetDate` when the message gave one, "by
    March"), `task_completed` (a task named by its title or by its number in the day's list, "task 2"),
    `tasks_listed` (the day asked for: today, tomorrow). English and French messages are understood. 429
    (`ai_budget_exceeded`) when the caller's AI budget is spent; 503 when the AI is unavailable
    (`ai_unavailable`, with Retry-After) or the planning of a goal the coach sets could not start
    (`roadmap_unavailable`); 409 when the task to complete kept changing."""
    data = body(app, "chat_message")
    return quests.chat(principal(app), data["message"], data.get("conversationId"))


@app.get("/chat/history")
@responds({200: "chat_history"}, query=("conversationId", "limit", "cursor"))
def history():
    """Read a conversation's messages, newest first, a page at a time."""
    query = app.current_event.query_string_parameters or {}
    if not query.get("conversationId"):
        raise InvalidRequest("conversationId is required: the one POST /chat answered", field="conversationId")
    conversation = identifier(query["conversationId"], "conversationId")
    return quests.history(principal(app), conversation, limit=page_limit(query.get("limit")), cursor=query.get("cursor") or None)


@api_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
