"""The hairstyle try-on as an AI task: ``try_on`` puts a library hairstyle on a user's photo through the
AI gateway's image task ``studio.tryon`` (registered here), and answers a metadata-free JPEG.

The gateway asks the providers of ``AI_IMAGE_PROVIDERS`` in order (zik/ai/images.py): Stability's Search and
Replace of the hair on Bedrock, Google Gemini's image editing, and the offline edit of
``zik.studio.tryon_offline`` (``local``), with the user's daily try-on budget (``DAILY_TRYONS``; AI_BUDGETS
can change it), the invocation's deadline and the accounting every AI call has. Whatever provider made the
image, it leaves through ``zik.studio.images.clean`` (the task's check): decoded within the studio's
bounds, stripped of every metadata and encoded as a JPEG, once. An image that check refuses is the
provider's failure, and the next one is asked.

Refusals: an unknown hairstyle (404 ``not_found`` naming hairstyleId), a colour that is none
(400 ``invalid_color``), a photo the studio does not take (images' refusals), no face (422 ``no_face``,
from the offline edit), and the gateway's AIBudgetExceeded (429) and AIUnavailable (503, retryable).
The photo is read and checked before the budget is counted, so a bad photo costs the user no try-on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from zik import ai
from zik.ai.registry import ImageTask
from zik.principal import DEFAULT_TENANT, Principal
from zik.studio import hairstyles, tryons

TASK_NAME = "studio.tryon"
# The AI's own per-user budget of image edits (the gateway's, counted on the UTC day) is a backstop behind
# the workflow's quota (TRYON_DAILY_LIMIT, counted on the user's own day): twice that, so a user within
# their quota never meets it, while a runaway caller still stops.
DAILY_TRYONS = 2 * tryons.daily_limit()
# The photo sent to a model: large enough for a face's detail, small enough to send quickly (the Bedrock
# provider scales it again to 1 MP, its price the same at any size; Gemini answers about 1 MP whatever it gets).
SOURCE_MAX_SIDE = 2048
RESULT_FIELD = "result"


@dataclass(frozen=True)
class TryOnResult:
    data: bytes = field(repr=False)  # a JPEG with no metadata
    provider: str
    model: str


def _offline_edit(photo: bytes, data: Mapping[str, Any]) -> bytes:
    """The ``local`` provider's edit: the offline try-on of the style in the colour the data names."""
    from zik.studio import tryon_offline

    return tryon_offline.try_on(photo, hairstyles.hairstyle(data["hairstyleId"]), data["colorHex"]).jpeg


def _clean_result(image: bytes) -> bytes:
    """What a provider's image becomes before anyone sees it: the studio's one clean JPEG."""
    from zik.studio import images

    return images.clean(image, field=RESULT_FIELD).data


TRYON = ai.register(
    ImageTask(
        TASK_NAME,
        offline=_offline_edit,
        check=_clean_result,
        description="Put a hairstyle from the library on the person in a portrait, changing only the hair.",
        edit_region="hair",
        avoid="changed face, different person, hat, headband, text, watermark, blurry, distorted features, extra people",
        daily_calls=DAILY_TRYONS,
    )
)


def prompt_data(style: dict[str, Any], color: str | None) -> dict[str, str]:
    """The task's data for ``style`` (a library hairstyle) in ``color`` (hairstyles.color_hex's rules)."""
    color_hex = hairstyles.color_hex(style, color)
    return {
        "hairstyleId": style["id"],
        "name": style["name"],
        "category": style["category"],
        "length": style["length"],
        "texture": style["texture"],
        "description": style["description"],
        "colorName": _color_name(style, color_hex),
        "colorHex": color_hex,
    }


def _color_name(style: dict[str, Any], color_hex: str) -> str:
    for offered in style["colors"]:
        if offered["hex"].upper() == color_hex:
            return offered["name"]
    return color_hex


def try_on(photo: bytes, hairstyle_id: str, color: str | None, *, user_id: str, tenant_id: str = DEFAULT_TENANT) -> TryOnResult:
    """``photo`` (the user's cleaned upload, or any photo the studio takes) wearing ``hairstyle_id`` in
    ``color`` (its default when None), counted against ``user_id``'s daily try-ons."""
    from zik.studio import images

    style = hairstyles.hairstyle(hairstyle_id)
    data = prompt_data(style, color)
    source = images.clean(photo, field="photo", max_side=SOURCE_MAX_SIDE)
    owner = Principal(user_id=user_id, tenant_id=tenant_id, email=None)
    edited = ai.default_gateway().edit(TASK_NAME, source.data, data, owner=owner)
    return TryOnResult(edited.data, edited.provider, edited.model)
