"""The Prompts service: the library of writing prompts, the prompt of the day, a random prompt."""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

from zik.http import create_app, principal, responds
from zik.journal.library import PromptLibrary
from zik.observability import api_handler

app = create_app()
library = PromptLibrary()


def _category() -> str | None:
    return (app.current_event.query_string_parameters or {}).get("category") or None


@app.get("/prompts")
@responds({200: "journal_prompt_library"}, query=("prompts.category",))
def list_prompts():
    """List the library of writing prompts, with the list of its categories.

    `category` narrows the prompts to one category; an unknown one is a 400."""
    principal(app)
    return library.listing(_category())


@app.get("/prompts/daily")
@responds({200: "journal_daily_prompt"}, errors=(404,))
def daily_prompt():
    """Your writing prompt of the day: the same all day (your timezone's), another tomorrow.

    Never one you answered lately; from your settings' `promptCategories` when you chose some. 404 when
    the deployment loaded no prompt library."""
    return library.daily(principal(app))


@app.get("/prompts/random")
@responds({200: "journal_prompt"}, query=("prompts.category",), errors=(404,))
def random_prompt():
    """A writing prompt picked at random from the library, of one `category` when given.

    An unknown category is a 400; 404 when the deployment loaded no prompt library."""
    principal(app)
    return library.random(_category())


@api_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
