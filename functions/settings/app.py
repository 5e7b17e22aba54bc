"""The Settings service: journal preferences and categories."""

from __future__ import annotations

from zik.http import body, create_app, json_response, principal
from zik.journal.settings import Settings
from zik.journal.store import JournalStore
from zik.observability import api_handler

app = create_app()
settings = Settings(JournalStore())


@app.get("/settings")
def get_settings():
    """Your journal settings (defaults until you save them, with your profile's timezone)."""
    return settings.current(principal(app))


@app.put("/settings")
def put_settings():
    """Change `timezone`, `reminderTime` (HH:MM), `aiInsightsEnabled`, `defaultCategoryId`,
    `promptCategories`; send `version` to refuse overwriting a newer save (409)."""
    return settings.update(principal(app), body(app, "settings_update"))


@app.get("/settings/categories")
def list_categories():
    """Your categories, by name."""
    return settings.categories(principal(app))


@app.post("/settings/categories")
def create_category():
    """A category `{name, color?, icon?}`; names are unique per user, whatever their case or accents (409)."""
    return json_response(settings.create_category(principal(app), body(app, "category_create")), 201)


@app.put("/settings/categories/<id>")
def update_category(id: str):  # noqa: A002 (the seed's path parameter)
    """Rename, recolour or change the icon of a category."""
    return settings.update_category(principal(app), id, body(app, "category_update"))


@app.delete("/settings/categories/<id>")
def delete_category(id: str):  # noqa: A002
    """Delete a category (it stops being the default; its entries keep their text and tags)."""
    return settings.delete_category(principal(app), id)


@api_handler
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
