"""The Settings service: journal preferences and categories."""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

from zik.http import body, create_app, json_response, principal, responds
from zik.journal.settings import Settings
from zik.journal.store import JournalStore
from zik.observability import api_handler

app = create_app()
settings = Settings(JournalStore())


@app.get("/settings")
@responds({200: "journal_settings"})
def get_settings():
    """Read your journal settings: reminder time, AI insights, default category, prompt categories and timezone.

    The defaults, with `version` 0, until you save them; the timezone is your profile's (PUT /me)."""
    return settings.current(principal(app))


@app.put("/settings")
@responds({200: "journal_settings"}, errors=(409,))
def put_settings():
    """Change your journal settings: `timezone`, `reminderTime` (HH:MM), `aiInsightsEnabled`, `defaultCategoryId` or `promptCategories`.

    Send `version` to refuse overwriting a newer save: 409 when it is stale (`details.currentVersion`). A
    `timezone` changes your profile's, which every domain follows. An unknown timezone, default category
    or prompt category is a 400 naming it."""
    return settings.update(principal(app), body(app, "settings_update"))


@app.get("/settings/categories")
@responds({200: "journal_category_list"})
def list_categories():
    """List your journal categories, by name."""
    return settings.categories(principal(app))


@app.post("/settings/categories")
@responds({201: "journal_category"}, errors=(409,))
def create_category():
    """Create a journal category `{name, color?, icon?}`.

    Names are unique among your categories whatever their case or accents: 409 (`field` name) when you
    already have one of that name."""
    return json_response(settings.create_category(principal(app), body(app, "category_create")), 201)


@app.put("/settings/categories/<id>")
@responds({200: "journal_category"}, errors=(409,))
def update_category(id: str):  # noqa: A002 (the seed's path parameter)
    """Rename, recolour or change the icon of one of your categories.

    409 when another of your categories has the new name (`field` name), or when the category changed
    meanwhile: read it again and retry."""
    return settings.update_category(principal(app), id, body(app, "category_update"))


@app.delete("/settings/categories/<id>")
@responds({200: "journal_category_deletion"})
def delete_category(id: str):  # noqa: A002
    """Delete one of your categories; it stops being your default category.

    Its entries keep their text and tags."""
    return settings.delete_category(principal(app), id)


@api_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
