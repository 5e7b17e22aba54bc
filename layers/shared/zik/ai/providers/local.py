"""The offline provider: each task's own rules answer, deterministically, with no network and no key.

It is the default of ``zik dev`` and of the tests. Its answers go through the same validation as a
model's, and its calls are accounted like any other (at no cost). For an image task it makes the task's
own offline edit (``edit``); a refusal of the edit's (no face in the photo) is the caller's answer, not a
provider failure."""

from __future__ import annotations

import json

from zik.ai.images import ImageCompletion, ImageRequest
from zik.ai.providers.base import Completion, Request

MODEL = "offline-rules-v1"
IMAGE_MODEL = "offline-edit-v1"


class Local:
    name = "local"
    model = MODEL
    offline = True

    def complete(self, request: Request, *, timeout: float | None = None) -> Completion:
        answer = request.task.offline(request.data)
        text = json.dumps(answer, ensure_ascii=False, default=str)
        prompt_chars = len(request.prompt.system) + sum(len(m["content"]) for m in request.messages)
        # A model's count is not available offline; four characters a token is the usual estimate.
        return Completion(text, json.loads(text), MODEL, max(1, prompt_chars // 4), max(1, len(text) // 4))


class LocalImage:
    name = "local"
    model = IMAGE_MODEL
    offline = True

    def edit(self, request: ImageRequest, *, timeout: float | None = None) -> ImageCompletion:
        return ImageCompletion(request.task.offline(request.image, request.data), "image/jpeg", IMAGE_MODEL)
