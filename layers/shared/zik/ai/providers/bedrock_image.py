"""Stability AI's Stable Image Search and Replace on Bedrock (InvokeModel), the first image provider: the
model finds the region to change from a search prompt (the task's ``edit_region``: "hair") and paints it from
the text prompt (the hairstyle), leaving the rest of the photo as it was.

Amazon Nova Canvas, which did this before (its INPAINTING with a mask prompt), reached its end of life on
Bedrock on 2026-09-30. Search and Replace is Active with no end of life announced (its model card,
https://docs.aws.amazon.com/bedrock/latest/userguide/model-card-stability-ai-stable-image-search-and-replace.html,
read 2026-11-30), in us-east-1, us-east-2 and us-west-2, at $0.07 an image whatever its size.

The photo is sent as a PNG of a size the model takes (``FIT``: at least 64 pixels a side, proportions within
2.5:1), at most a megapixel: the price is the same, the request smaller. The answer is ``images[0]``, a base64
PNG, handed to the task's check as it came; ``finish_reasons[0]`` other than null is the content filter's
refusal (https://docs.aws.amazon.com/bedrock/latest/userguide/stable-image-services.html). A refusal, or an
error, is a rejected call: the next provider is asked.
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

# The US cross-region inference profile: the function's region (us-east-1) or either other US region answers.
DEFAULT_MODEL = "us.stability.stable-image-search-replace-v1:0"
FIT: dict[str, Any] = {"multiple": 16, "min_side": 64, "max_side": 4096, "max_pixels": 1024 * 1024, "max_ratio": 2.5}
MAX_PROMPT_CHARS = 10_000  # the model's limit for prompt and negative_prompt
# Stability reads a seed of 0 as "pick one at random": the task's seed is sent one higher, so the same photo,
# style and colour still give the same picture. Its seeds end at 4,294,967,294.
MAX_SEED = 4_294_967_294
_FILTERED = "filter"
_LABEL = "Stability's Search and Replace"


class BedrockImage(Bedrock):
    """Shares the text provider's clients (one per whole second of timeout, no SDK retries)."""

    name = "bedrock"
    offline = False

    @classmethod
    def from_environment(cls) -> BedrockImage:
        return cls(config.optional("BEDROCK_IMAGE_MODEL_ID", DEFAULT_MODEL), timeout_seconds=images.timeout_seconds())

    def body(self, request: ImageRequest) -> dict[str, Any]:
        """The InvokeModel body of a search-and-replace request (what the Stubber test checks field by field)."""
        task = request.task
        try:
            fitted = images.fit(request.image, **FIT)
        except (ValueError, OSError) as exc:
            raise ProviderFailure(self.name, f"the photo cannot be sent to {_LABEL} ({exc})", kind="rejected") from None
        body: dict[str, Any] = {
            "image": base64.b64encode(fitted.data).decode("ascii"),
            "search_prompt": task.edit_region,
            "prompt": _shortened(request.prompt.user),
            "seed": task.seed % MAX_SEED + 1,
            "output_format": "png",
        }
        if task.avoid:
            body["negative_prompt"] = _shortened(task.avoid)
        return body

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
            refused = f"{_LABEL}'s content filter refused the request" if filtered else None
            raise bedrock_failure(self.name, exc, seconds, refused=refused) from None
        except ValueError:
            raise ProviderFailure(self.name, f"{_LABEL} answered something that is not JSON", kind="invalid") from None
        return ImageCompletion(_image(self.name, document), "image/png", self.model)


def _image(provider: str, document: Any) -> bytes:
    """``images[0]`` of an answer, decoded; a ``finish_reasons[0]`` (the content filter's, most often) a failure."""
    if not isinstance(document, dict):
        raise ProviderFailure(provider, f"{_LABEL} answered something that is not an object", kind="invalid")
    reasons = document.get("finish_reasons")
    if isinstance(reasons, list) and reasons and reasons[0] is not None:
        # The model's own words are not ours to log or show; whether a filter spoke is.
        filtered = _FILTERED in str(reasons[0]).lower()
        reason = f"{_LABEL}'s content filter refused the image" if filtered else f"{_LABEL} finished without an image"
        raise ProviderFailure(provider, reason, kind="rejected")
    found = document.get("images")
    if not isinstance(found, list) or not found or not isinstance(found[0], str):
        raise ProviderFailure(provider, f"{_LABEL} answered no image", kind="invalid")
    try:
        return base64.b64decode(found[0], validate=True)
    except (binascii.Error, ValueError):
        raise ProviderFailure(provider, f"{_LABEL}'s image is not base64", kind="invalid") from None


def _shortened(text: str) -> str:
    """At most MAX_PROMPT_CHARS, cut at a word."""
    text = " ".join(text.split())
    if len(text) <= MAX_PROMPT_CHARS:
        return text
    return text[:MAX_PROMPT_CHARS].rsplit(" ", 1)[0]
