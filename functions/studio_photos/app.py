"""The studio's photos: ask for an upload (a pending photo and its presigned POST), read one with its
links, the gallery (newest first, or the favourites), favourites set and cleared, and deletion with
everything made from the photo."""

from __future__ import annotations

from zik.errors import InvalidRequest
from zik.http import body, create_app, json_response, no_content, principal
from zik.idempotency import run_once
from zik.inputs import page_limit
from zik.observability import api_handler
from zik.studio.photos import Photos

app = create_app()
photos = Photos()


@app.post("/studio/photos")
def create_photo():
    """Ask to upload a photo: `{contentType (image/jpeg, image/png, image/webp, image/heic or image/heif),
    fileName?}`.

    Answers 201 `{photoId, status: "pending", upload: {method, url, fields, expiresAt, maxBytes}}`: post the
    `fields` and then the file (as `file`) to `url` within 15 minutes, with that Content-Type, up to 10 MB.
    The bytes decide whether it is a photo: GET /studio/photos/{photoId} then shows it `ready` (with links)
    or `rejected` (with the reason). Retries with the same `Idempotency-Key` ask for one photo."""
    owner = principal(app)
    data = body(app, "photo_create")
    answer = run_once(app, owner, lambda claim: photos.create_upload(owner, data, claim=claim))
    return json_response(photos.replayed(owner, answer), 201)


@app.get("/studio/photos/<photoId>")
def get_photo(photoId: str):
    """One photo: its status, what the cleaning found and removed (`record`), and when ready `photoUrl` and
    `thumbnailUrls` (signed links valid for an hour); when rejected, `rejection` `{code, message}`."""
    return photos.get(principal(app), photoId)


@app.delete("/studio/photos/<photoId>")
def delete_photo(photoId: str):
    """Delete a photo with every stored version of its upload, cleaned photo and thumbnails, and the
    try-ons made from it with theirs. Answers 204."""
    photos.delete(principal(app), photoId)
    return no_content()


@app.put("/studio/photos/<photoId>/favourite")
def favourite_photo(photoId: str):
    """Make a ready photo a favourite (again: nothing changes). Answers the photo."""
    return photos.set_favourite(principal(app), photoId, True)


@app.delete("/studio/photos/<photoId>/favourite")
def unfavourite_photo(photoId: str):
    """A photo no longer a favourite (if it was not, nothing changes). Answers the photo."""
    return photos.set_favourite(principal(app), photoId, False)


@app.get("/studio/gallery")
def gallery():
    """Your photos and try-ons newest first, each with its `thumbnailUrls` (`limit`, `cursor`); with
    `favourites=true` only the favourites, the newest favourite first."""
    owner = principal(app)
    query = app.current_event.query_string_parameters or {}
    favourites = (query.get("favourites") or "false").lower()
    if favourites not in ("true", "false"):
        raise InvalidRequest("favourites must be true or false", field="favourites")
    return photos.gallery(owner, limit=page_limit(query.get("limit")), cursor=query.get("cursor") or None, favourites=favourites == "true")


@api_handler
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
