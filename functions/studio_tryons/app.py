"""Hairstyle try-ons (issue 14, step 4): ask for one on a photo of yours (it runs in the try-on workflow) and
follow it to its result."""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

from zik.http import body, create_app, json_response, principal, responds
from zik.idempotency import run_once
from zik.observability import api_handler
from zik.studio.tryon_service import Tryons

app = create_app()
tryons = Tryons()


@app.post("/studio/tryons")
@responds({202: "studio_tryon_accepted"}, errors=(404, 409, 422, 503))
def create_tryon():
    """Try the hairstyle `hairstyleId` on your ready photo `photoId`, in `color` or the style's default colour.

    `color` is an offered colour's id, name or hex, or any #RRGGBB (400 naming `color` otherwise). Answers
    202 with the queued job (`jobId`, `links.self` to follow) and the day's `quota`. 404 for a photo or
    hairstyle there is not (`field` says which), 409 for a photo not ready (`photo_not_ready`) or while a
    request with the same `Idempotency-Key` is in progress, 422 for a key used with another body, 429 with
    Retry-After when the day's try-ons are used up (`details.resetsAt`: your next midnight), 503 with
    Retry-After when the try-on workflow cannot be started right now. Retries with the same
    `Idempotency-Key` make one try-on."""
    owner = principal(app)
    data = body(app, "tryon_create")
    return json_response(run_once(app, owner, lambda claim: tryons.create(owner, data, claim=claim)), 202)


@app.get("/studio/tryons/<jobId>")
@responds({200: "studio_tryon"})
def get_tryon(jobId: str):  # noqa: N803 (the path parameter's name)
    """A try-on of yours with its `status` (queued, running, succeeded, failed) and `progress` (0-100).

    Once succeeded its `resultPhotoId` and `result` links (photo and thumbnails, valid an hour; `result` is
    null once you deleted the result photo); once failed its `error` `{code, message}`."""
    return tryons.get(principal(app), jobId)


@app.get("/studio/sessions/<photoId>")
@responds({200: "studio_tryon_session"})
def get_session(photoId: str):  # noqa: N803 (the path parameter's name)
    """The try-on session on your photo `photoId`: the styles tried on it in the last day, newest first.

    A session lasts a day after its last try-on. Each try carries its job's `status` now (`gone` for a job
    that no longer exists) and, once succeeded, its `resultPhotoId`; a photo nothing was tried on lately has
    an empty session (no tries, null times)."""
    return tryons.session(principal(app), photoId)


@api_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
