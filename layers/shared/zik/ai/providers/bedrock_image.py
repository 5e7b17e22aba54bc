"""Amazon Nova Canvas on Bedrock (InvokeModel), the first image provider: inpainting, where the model finds
the region to change from a mask prompt (the task's ``edit_region``: "hair") and paints it from the text
prompt (the hairstyle), leaving the rest of the photo as it was.

The photo is sent as a PNG of a size Nova Canvas takes (``FIT``: sides multiples of 16 from 320 to 4096,
at most a 1024 x 1024 image's pixels, the size of its lowest price, proportions within 4:1); the answer is ``images[0]``, a
base64 PNG, handed to the task's check as it came. An ``error`` in the answer, or a refusal by the content
filters, is a rejected call: the next provider is asked.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from zik import config
from zik.ai import images
from zik.ai.errors import ProviderFailure, ProviderNotConfigured
from zik.ai.images import ImageCompletion, ImageRequest
from zik.ai.providers.base import call_seconds
from zik.ai.providers.bedrock import Bedrock, bedrock_failure

DEFAULT_MODEL = "amazon.nova-canvas-v1:0"
FIT: dict[str, Any] = {"multiple": 16, "min_side": 320, "max_side": 4096, "max_pixels": 1024 * 1024, "max_ratio": 4.0}
MAX_PROMPT_CHARS = 1024  # Nova Canvas' limit for text and negativeText
_FILTERED = "content filter"


class BedrockImage(Bedrock):
    """Shares the text provider's clients (one per whole second of timeout, no SDK retries)."""

    name = "bedrock"
    offline = False

    @classmethod
    def from_environment(cls) -> BedrockImage:
        return cls(config.optional("BEDROCK_IMAGE_MODEL_ID", DEFAULT_MODEL), timeout_seconds=images.timeout_seconds())

    def body(self, request: ImageRequest) -> dict[str, Any]:
        """The InvokeModel body of an inpainting request (what the Stubber test checks field by field)."""
        task = request.task
        try:
            fitted = images.fit(request.image, **FIT)
        except (ValueError, OSError) as exc:
            raise ProviderFailure(self.name, f"the photo cannot be sent to Nova Canvas ({exc})", kind="rejected") from None
        params: dict[str, Any] = {
            "image": base64.b64encode(fitted.data).decode("ascii"),
            "maskPrompt": task.edit_region,
            "text": _shortened(request.prompt.user),
        }
        if task.avoid:
            params["negativeText"] = _shortened(task.avoid)
        return {
            "taskType": "INPAINTING",
            "inPaintingParams": params,
            "imageGenerationConfig": {"numberOfImages": 1, "quality": "standard", "cfgScale": task.guidance, "seed": task.seed},
        }

    def edit(self, request: ImageRequest, *, timeout: float | None = None) -> ImageCompletion:
        if not self.model:
            raise ProviderNotConfigured(self.name, "BEDROCK_IMAGE_MODEL_ID is empty")
        body = json.dumps(self.body(request))
        seconds = call_seconds(self._timeout, timeout)
        try:
            answer = self.client_for(seconds).invoke_model(modelId=self.model, body=body, contentType="application/json", accept="application/json")
            document = json.loads(answer["body"].read())
        except (ClientError, BotoCoreError) as exc:
            error = exc.response.get("Error", {}) if isinstance(exc, ClientError) else {}
            filtered = error.get("Code") == "ValidationException" and _FILTERED in str(error.get("Message", "")).lower()
            refused = "Nova Canvas' content filters refused the request" if filtered else None
            raise bedrock_failure(self.name, exc, seconds, refused=refused) from None
        except ValueError:
            raise ProviderFailure(self.name, "Nova Canvas answered something that is not JSON", kind="invalid") from None
        return ImageCompletion(_image(self.name, document), "image/png", self.model)


def _image(provider: str, document: Any) -> bytes:
    """``images[0]`` of an answer, decoded; its ``error`` (a content-filter refusal, most often) a failure."""
    if not isinstance(document, dict):
        raise ProviderFailure(provider, "Nova Canvas answered something that is not an object", kind="invalid")
    if document.get("error"):
        # The model's own words are not ours to log or show; whether a filter spoke is.
        filtered = _FILTERED in str(document["error"]).lower()
        reason = "Nova Canvas' content filters refused the image" if filtered else "Nova Canvas answered an error"
        raise ProviderFailure(provider, reason, kind="rejected")
    found = document.get("images")
    if not isinstance(found, list) or not found or not isinstance(found[0], str):
        raise ProviderFailure(provider, "Nova Canvas answered no image", kind="invalid")
    try:
        return base64.b64decode(found[0], validate=True)
    except (binascii.Error, ValueError):
        raise ProviderFailure(provider, "Nova Canvas' image is not base64", kind="invalid") from None


def _shortened(text: str) -> str:
    """At most MAX_PROMPT_CHARS, cut at a word."""
    text = " ".join(text.split())
    if len(text) <= MAX_PROMPT_CHARS:
        return text
    return text[:MAX_PROMPT_CHARS].rsplit(" ", 1)[0]
