"""The studio's hairstyle library: the styles a user can try on, with their colours and a link to each
preview (the seed's HairstyleLibrary, loaded at each deployment)."""

from __future__ import annotations

from zik.http import create_app, principal
from zik.inputs import page_limit
from zik.observability import api_handler
from zik.studio.library import Hairstyles

app = create_app()
library = Hairstyles()


@app.get("/studio/hairstyles")
def list_hairstyles():
    """The library in order of category, length and name (`category`, `length`, `limit`, `cursor`), each
    style with its colours and `previewUrl`, a link to its preview valid for an hour."""
    principal(app)
    query = app.current_event.query_string_parameters or {}
    return library.list(category=query.get("category"), length=query.get("length"), limit=page_limit(query.get("limit")), cursor=query.get("cursor") or None)


@app.get("/studio/hairstyles/<hairstyleId>")
def get_hairstyle(hairstyleId: str):  # noqa: N803 (the path parameter's name)
    """One style with its colours, what the try-on draws (`edit`) and `previewUrl`."""
    principal(app)
    return library.get(hairstyleId)


@api_handler
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
