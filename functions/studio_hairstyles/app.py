"""The studio's hairstyle library: the styles a user can try on, with their colours and a link to each
preview (the seed's HairstyleLibrary, loaded at each deployment). Its managers, the members of the admins
group (the token's cognito:groups), hide a style from users or show it again, and see the hidden ones."""

from __future__ import annotations

from zik.errors import Forbidden
from zik.http import body, create_app, principal
from zik.inputs import page_limit
from zik.observability import api_handler
from zik.studio.library import Hairstyles

app = create_app()
library = Hairstyles()
ADMINS = "admins"


@app.get("/studio/hairstyles")
def list_hairstyles():
    """The library in order of category, length and name (`category`, `length`, `limit`, `cursor`), each
    style with its colours and `previewUrl`, a link to its preview valid for an hour."""
    admin = ADMINS in principal(app).groups
    query = app.current_event.query_string_parameters or {}
    return library.list(
        category=query.get("category"), length=query.get("length"), limit=page_limit(query.get("limit")), cursor=query.get("cursor") or None,
        include_hidden=admin,
    )


@app.get("/studio/hairstyles/<hairstyleId>")
def get_hairstyle(hairstyleId: str):  # noqa: N803 (the path parameter's name)
    """One style with its colours, what the try-on draws (`edit`) and `previewUrl`."""
    return library.get(hairstyleId, include_hidden=ADMINS in principal(app).groups)


@app.put("/studio/hairstyles/<hairstyleId>")
def update_hairstyle(hairstyleId: str):  # noqa: N803 (the path parameter's name)
    """Hide a style from users, or show it again (`hidden`): admins only (403 for anyone else).

    A hidden style is missing from users' library and a 404 by its id; admins still see it, marked `hidden`."""
    if ADMINS not in principal(app).groups:
        raise Forbidden(f"only members of the {ADMINS} group manage the hairstyle library")
    return library.set_hidden(hairstyleId, body(app, "hairstyle_update")["hidden"])


@api_handler
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
