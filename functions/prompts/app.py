"""The Prompts service: the library of writing prompts, the prompt of the day, a random prompt."""

from __future__ import annotations

from zik.http import create_app, principal
from zik.journal.library import PromptLibrary
from zik.observability import api_handler

app = create_app()
library = PromptLibrary()


def _category() -> str | None:
    return (app.current_event.query_string_parameters or {}).get("category") or None


@app.get("/prompts")
def list_prompts():
    """The library (`category` narrows it), with the list of categories."""
    principal(app)
    return library.listing(_category())


@app.get("/prompts/daily")
def daily_prompt():
    """Your prompt of the day: the same all day, another tomorrow, never one you answered lately, from
    your settings' `promptCategories` when you chose some."""
    return library.daily(principal(app))


@app.get("/prompts/random")
def random_prompt():
    """Any prompt (`category` narrows it)."""
    principal(app)
    return library.random(_category())


@api_handler
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
