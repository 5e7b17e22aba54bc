"""Hairstyle try-ons (issue 14, step 4): ask for one on a photo of yours (it runs in the try-on workflow) and
follow it to its result."""

from __future__ import annotations

from zik.http import body, create_app, json_response, principal
from zik.idempotency import run_once
from zik.observability import api_handler
from zik.studio.tryon_service import Tryons

app = create_app()
tryons = Tryons()


@app.post("/studio/tryons")
def create_tryon():
    """Try `hairstyleId` on your ready photo `photoId`, in `color?` (an offered colour's id, name or hex, or
    any #RRGGBB; the style's default unless said). Answers 202 with the queued job (`jobId`, `links.self` to
    follow) and the day's `quota`. 404 for a photo or hairstyle there is not, 409 for a photo not ready, 429
    with Retry-After when the day's try-ons are used up (`details.resetsAt`: your next midnight). Retries
    with the same `Idempotency-Key` make one try-on."""
    owner = principal(app)
    data = body(app, "tryon_create")
    return json_response(run_once(app, owner, lambda claim: tryons.create(owner, data, claim=claim)), 202)


@app.get("/studio/tryons/<jobId>")
def get_tryon(jobId: str):  # noqa: N803 (the path parameter's name)
    """A try-on's `status` (queued, running, succeeded, failed) and `progress` (0-100); once succeeded its
    `resultPhotoId` and `result` links (photo and thumbnails, valid an hour); once failed its `error`."""
    return tryons.get(principal(app), jobId)


@app.get("/studio/sessions/<photoId>")
def get_session(photoId: str):  # noqa: N803 (the path parameter's name)
    """The try-on session on your photo `photoId`: the styles tried on it in the last day (kept a day after
    the last one), newest first, each with its job's `status` now and, once done, its `resultPhotoId`."""
    return tryons.session(principal(app), photoId)


@api_handler
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
