"""The studio's photos: ask for an upload (a pending photo and its presigned POST), read one with its
links, the gallery (newest first, or the favourites), favourites set and cleared, and deletion with
everything made from the photo."""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

from zik.errors import InvalidRequest
from zik.http import body, create_app, json_response, no_content, principal, responds
from zik.idempotency import run_once
from zik.inputs import page_limit
from zik.observability import api_handler
from zik.studio.photos import Photos

app = create_app()
photos = Photos()


@app.post("/studio/photos")
@responds({201: "studio_photo_upload"}, errors=(409, 422))
def create_photo():
    """Ask to upload a photo: a pending photo and the presigned POST that uploads its bytes.

    The body is `{contentType (image/jpeg, image/png, image/webp, image/heic or image/heif), fileName?}`.
    Answers 201 `{photoId, status: "pending", upload: {method, url, fields, expiresAt, maxBytes}}`: post the
    `fields` and then the file (as `file`) to `url` within 15 minutes, with that Content-Type, up to 10 MB.
    The bytes decide whether it is a photo: GET /studio/photos/{photoId} then shows it `ready` (with links)
    or `rejected` (with the reason). Retries with the same `Idempotency-Key` ask for one photo: once that photo
    has moved on from pending, a retry answers it as it is now. 409 while a request with the same key is still
    in progress (or when the retry declares another contentType), 422 for a key used with another body."""
    owner = principal(app)
    data = body(app, "photo_create")
    answer = run_once(app, owner, lambda claim: photos.create_upload(owner, data, claim=claim))
    return json_response(photos.replayed(owner, answer), 201)


@app.get("/studio/photos/<photoId>")
@responds({200: "studio_photo"})
def get_photo(photoId: str):  # noqa: N803 (the path parameter's name)
    """One of your photos with its status and, once ready, signed links to it and its thumbnails.

    `record` says what the cleaning found in the upload and took out; `photoUrl` and `thumbnailUrls` are
    valid for an hour (until `linksExpireAt`); a rejected photo says why in `rejection` `{code, message}`."""
    return photos.get(principal(app), photoId)


@app.delete("/studio/photos/<photoId>")
@responds({204: None})
def delete_photo(photoId: str):  # noqa: N803 (the path parameter's name)
    """Delete a photo with every stored version of its upload, cleaned photo and thumbnails, and the
    try-ons made from it with theirs (204)."""
    photos.delete(principal(app), photoId)
    return no_content()


@app.put("/studio/photos/<photoId>/favourite")
@responds({200: "studio_photo"}, errors=(409,))
def favourite_photo(photoId: str):  # noqa: N803 (the path parameter's name)
    """Make a ready photo of yours a favourite, and answer the photo.

    A favourite made again changes nothing (its `favouritedAt` stays). 409 for a photo not ready (pending or
    rejected)."""
    return photos.set_favourite(principal(app), photoId, True)


@app.delete("/studio/photos/<photoId>/favourite")
@responds({200: "studio_photo"})
def unfavourite_photo(photoId: str):  # noqa: N803 (the path parameter's name)
    """Make a photo of yours no longer a favourite, and answer the photo (if it was not one, nothing changes)."""
    return photos.set_favourite(principal(app), photoId, False)


@app.get("/studio/gallery")
@responds({200: "studio_photo_page"}, query=("gallery.favourites", "limit", "cursor"))
def gallery():
    """A page of your photos and try-ons, newest first, each ready one with its `thumbnailUrls`.

    With `favourites=true` only the favourites, the newest favourite first. Its items carry neither
    `photoUrl` nor `record`: GET /studio/photos/{photoId} has them."""
    owner = principal(app)
    query = app.current_event.query_string_parameters or {}
    favourites = (query.get("favourites") or "false").lower()
    if favourites not in ("true", "false"):
        raise InvalidRequest("favourites must be true or false", field="favourites")
    return photos.gallery(owner, limit=page_limit(query.get("limit")), cursor=query.get("cursor") or None, favourites=favourites == "true")


@api_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
