"""Image tasks in the AI gateway: what the gateway hands an image provider, what it gets back, and what the
caller gets.

An image task (``registry.ImageTask``, e.g. ``studio.tryon``) goes through the same gateway as the text
tasks (``Gateway.edit``): the providers of ``AI_IMAGE_PROVIDERS`` in order, each behind its own circuit,
the user's daily budget counted first, every call accounted (billed per image), all within the
invocation's deadline. A provider answers the image as its vendor sent it (PNG, JPEG or WebP); the task's
``check`` is the one place it is decoded and re-encoded, so it is encoded once, and an image it refuses is
an invalid answer (the next provider is asked; there is no repair: a second try at the same picture is
another bill, not a fix).

Pillow is imported only inside ``fit`` (a provider whose model takes only some sizes): this module is
imported by every function that builds a gateway, and only the studio's image functions carry Pillow.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from zik import config
from zik.ai.registry import ImageTask, Prompt


@dataclass(frozen=True)
class ImageRequest:
    task: ImageTask
    prompt: Prompt
    image: bytes = field(repr=False)  # the photo to edit: a JPEG without metadata (zik.studio.images.clean)
    data: Mapping[str, Any]

    @property
    def instruction(self) -> str:
        """The whole prompt as one text, for a model that takes the instructions with the request."""
        return f"{self.prompt.system}\n\n{self.prompt.user}"


@dataclass(frozen=True)
class ImageCompletion:
    """One provider's image (``data``, in ``content_type``), not yet checked. Models that bill by the token
    say how many; the image models that bill by the image say 0 and ``images`` carries the bill."""

    data: bytes = field(repr=False)
    content_type: str
    model: str
    images: int = 1
    input_tokens: int = 0
    output_tokens: int = 0


@dataclass(frozen=True)
class EditedImage:
    """What ``Gateway.edit`` answers: the checked image (what the task's ``check`` made of it) and who made it."""

    data: bytes = field(repr=False)
    provider: str
    model: str


class ImageProvider(Protocol):
    """``edit`` makes one try (no retries inside) in at most ``timeout`` seconds (or the provider's own
    ``AI_IMAGE_TIMEOUT_SECONDS`` when that is shorter or ``timeout`` is None). ``offline``: answers without
    the network, so the gateway never skips it for lack of time."""

    name: str
    model: str
    offline: bool

    def edit(self, request: ImageRequest, *, timeout: float | None = None) -> ImageCompletion: ...


def timeout_seconds() -> float:
    """Seconds an image call may take (``AI_IMAGE_TIMEOUT_SECONDS``, default 60: an edit takes 5 to 20)."""
    return float(config.integer("AI_IMAGE_TIMEOUT_SECONDS", 60, minimum=1, maximum=900))


@dataclass(frozen=True)
class Fitted:
    data: bytes = field(repr=False)  # PNG: lossless, so the model sees the photo's own pixels
    width: int
    height: int


def fit(image: bytes, *, multiple: int, min_side: int, max_side: int, max_pixels: int, max_ratio: float) -> Fitted:
    """``image`` scaled (keeping its proportions) to the largest size a model takes, up to its own: each side a multiple
    of ``multiple``, between ``min_side`` and ``max_side``, at most ``max_pixels`` in all; the few pixels
    rounding leaves over are cropped from the edges, evenly. ValueError when its proportions are beyond
    ``max_ratio`` (long side to short side)."""
    from PIL import Image

    with Image.open(io.BytesIO(image)) as opened:
        pixels = opened.convert("RGB")
    width, height = pixels.size
    if max(width, height) > min(width, height) * max_ratio:
        raise ValueError(f"a {width}x{height} image is too narrow for the model (at most {max_ratio:g}:1)")
    # Never larger than the photo (a model sees no more in an enlarged one), unless a side is too short.
    scale = min(1.0, math.sqrt(max_pixels / (width * height)), max_side / max(width, height))
    scale = max(scale, min_side / min(width, height))
    target = [max(min_side, (math.floor(side * scale) // multiple) * multiple) for side in (width, height)]
    if target[0] * target[1] > max_pixels:
        raise ValueError(f"a {width}x{height} image cannot be fitted in {max_pixels} pixels")
    scaled = (max(target[0], math.ceil(width * scale)), max(target[1], math.ceil(height * scale)))
    resized = pixels.resize(scaled, Image.Resampling.LANCZOS) if scaled != (width, height) else pixels
    left, top = (scaled[0] - target[0]) // 2, (scaled[1] - target[1]) // 2
    cropped = resized.crop((left, top, left + target[0], top + target[1]))
    out = io.BytesIO()
    cropped.save(out, format="PNG")
    return Fitted(out.getvalue(), target[0], target[1])
