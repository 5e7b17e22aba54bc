"""The ChatHandler: the coach in conversation. It knows the caller's active goals and today's tasks, and
acts on what it understands: sets goals, completes tasks, lists the day."""

from __future__ import annotations

import zik.quests.ai_tasks  # noqa: F401  (registers quests.chat and the roadmap's tasks)
from zik.errors import InvalidRequest
from zik.http import body, create_app, principal
from zik.observability import api_handler
from zik.quests.service import Quests
from zik.inputs import identifier, page_limit

app = create_app()
quests = Quests()


@app.post("/chat")
def chat():
    """Talk to the coach: `{message, conversationId?}` gives `{reply, conversationId, intent, actions[]}`.

    `actions` says what the coach did: `goal_created` (the roadmap is being planned), `task_completed`,
    `tasks_listed`."""
    data = body(app, "chat_message")
    return quests.chat(principal(app), data["message"], data.get("conversationId"))


@app.get("/chat/history")
def history():
    """A conversation's messages, newest first (`conversationId`, `limit`, `cursor`)."""
    query = app.current_event.query_string_parameters or {}
    if not query.get("conversationId"):
        raise InvalidRequest("conversationId is required: the one POST /chat answered", field="conversationId")
    conversation = identifier(query["conversationId"], "conversationId")
    return quests.history(principal(app), conversation, limit=page_limit(query.get("limit")), cursor=query.get("cursor") or None)


@api_handler
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
