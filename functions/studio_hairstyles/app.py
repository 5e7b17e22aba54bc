"""The studio's hairstyle library: the styles a user can try on, with their colours and a link to each
preview (the seed's HairstyleLibrary, loaded at each deployment). Its managers, the members of the admins
group (the token's cognito:groups), hide a style from users or show it again, and see the hidden ones."""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

from zik.errors import Forbidden
from zik.http import body, create_app, principal, responds
from zik.inputs import page_limit
from zik.observability import api_handler
from zik.studio.library import Hairstyles

app = create_app()
library = Hairstyles()
ADMINS = "admins"


@app.get("/studio/hairstyles")
@responds({200: "studio_hairstyle_page"}, query=("hairstyles.category", "hairstyles.length", "limit", "cursor"))
def list_hairstyles():
    """A page of the hairstyle library in order of category, length and id, each style with its colours and
    a link to its preview.

    `category` and `length` narrow it (an unknown value is a 400 naming the field); `previewUrl` is valid for
    an hour. Users never see a style an admin hid; admins see it, marked `hidden`."""
    admin = ADMINS in principal(app).groups
    query = app.current_event.query_string_parameters or {}
    return library.list(
        category=query.get("category"),
        length=query.get("length"),
        limit=page_limit(query.get("limit")),
        cursor=query.get("cursor") or None,
        include_hidden=admin,
    )


@app.get("/studio/hairstyles/<hairstyleId>")
@responds({200: "studio_hairstyle"})
def get_hairstyle(hairstyleId: str):  # noqa: N803 (the path parameter's name)
    """One style of the library with its colours, what the try-on draws (`edit`) and `previewUrl`.

    A style an admin hid is a 404 to users; admins get it, marked `hidden`."""
    return library.get(hairstyleId, include_hidden=ADMINS in principal(app).groups)


@app.put("/studio/hairstyles/<hairstyleId>")
@responds({200: "studio_hairstyle"}, errors=(403,))
def update_hairstyle(hairstyleId: str):  # noqa: N803 (the path parameter's name)
    """Hide a style of the library from users, or show it again (`hidden`): for the admins group only.

    403 for anyone outside the admins group (the token's cognito:groups). Answers the style as admins now
    see it, with `hidden` either way. A hidden style is missing from users' library and a 404 by its id;
    admins still see it, marked `hidden`."""
    if ADMINS not in principal(app).groups:
        raise Forbidden(f"only members of the {ADMINS} group manage the hairstyle library")
    return library.set_hidden(hairstyleId, body(app, "hairstyle_update")["hidden"])


@api_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
