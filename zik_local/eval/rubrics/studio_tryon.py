"""studio.tryon: a portrait wearing a library hairstyle (the answer is the edited image's bytes).

The case names its photo ("image", under cases/) and, in the upright photo's pixels, three kinds of region
found from the face: the hair just above the face, the face from the brows to the chin, and strips of
background well to the side of the head that no hairstyle reaches. Measured with Pillow and NumPy:
  decodes          the answer is an image Pillow reads.
  size             it has the upright photo's size (a photo stored sideways is edited upright).
  aspect           its aspect ratio is the photo's within 1% (the framing is kept, even if rescaled).
  hair_changed     the hair above the face differs from the photo's (mean absolute difference of at least
                   HAIR_CHANGE levels of 255): the style was applied.
  towards_color    where the photo's hair is far from the asked colour, its mean colour moves at least
                   TOWARDS of the way there.
  face_kept        the brows-to-chin region is the photo's (mean difference under FACE_CHANGE: JPEG noise).
  background_kept  the far background strips are the photo's (mean difference under FAR_CHANGE).
The regions are compared after resizing the answer to the photo's size when they differ (``size`` has
already failed then).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from zik_local.eval.checks import Check

TASK = "studio.tryon"
HEADLINE: str | None = None

CASES = Path(__file__).resolve().parents[1] / "cases"
HAIR_CHANGE = 12.0
FACE_CHANGE = 6.0
FAR_CHANGE = 4.0
TOWARDS = 0.3  # of the distance to the asked colour
FAR_FROM_COLOR = 60.0  # RGB distance from which the colour must visibly move
ASPECT_TOLERANCE = 0.01


def _rgb(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(ImageOps.exif_transpose(image).convert("RGB"), dtype=np.float64)


def _box(pixels: np.ndarray, box: list[int]) -> np.ndarray:
    left, top, right, bottom = box
    return pixels[top:bottom, left:right]


def _difference(before: np.ndarray, after: np.ndarray, box: list[int]) -> float:
    return float(np.abs(_box(after, box) - _box(before, box)).mean())


def grade(case: dict[str, Any], answer: bytes) -> list[Check]:
    expect = case["expect"]
    before = _rgb((CASES / case["image"]).read_bytes())
    try:
        after = _rgb(answer)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        return [Check("decodes", False, f"{type(exc).__name__}: {exc}")]
    height, width = before.shape[:2]
    got_height, got_width = after.shape[:2]
    checks = [
        Check("decodes", True),
        Check("size", (got_width, got_height) == (width, height), f"{got_width} x {got_height}, the photo is {width} x {height}"),
        Check(
            "aspect",
            abs(got_width / got_height - width / height) <= ASPECT_TOLERANCE * width / height,
            f"{got_width / got_height:.3f}, the photo's is {width / height:.3f}",
        ),
    ]
    if (got_width, got_height) != (width, height):
        resized = Image.fromarray(after.astype(np.uint8), "RGB").resize((width, height), Image.Resampling.LANCZOS)
        after = np.asarray(resized, dtype=np.float64)
    hair = _difference(before, after, expect["hair"])
    checks.append(Check("hair_changed", hair >= HAIR_CHANGE, f"the hair changed by {hair:.1f} (at least {HAIR_CHANGE})"))
    checks.append(_towards(case, before, after))
    face = _difference(before, after, expect["face"])
    checks.append(Check("face_kept", face < FACE_CHANGE, f"the face changed by {face:.1f} (under {FACE_CHANGE})"))
    far = max(_difference(before, after, box) for box in expect["far"])
    checks.append(Check("background_kept", far < FAR_CHANGE, f"the background changed by {far:.1f} (under {FAR_CHANGE})"))
    return checks


def _towards(case: dict[str, Any], before: np.ndarray, after: np.ndarray) -> Check:
    target = np.array([int(case["data"]["colorHex"][i : i + 2], 16) for i in (1, 3, 5)], dtype=np.float64)
    box = case["expect"]["hair"]
    distance_before = float(np.linalg.norm(_box(before, box).mean(axis=(0, 1)) - target))
    distance_after = float(np.linalg.norm(_box(after, box).mean(axis=(0, 1)) - target))
    detail = f"distance to {case['data']['colorHex']}: {distance_before:.0f} before, {distance_after:.0f} after"
    if not case["expect"].get("towardsColor", True) or distance_before < FAR_FROM_COLOR:
        return Check("towards_color", True, f"not asked ({detail})")
    return Check("towards_color", distance_after <= (1 - TOWARDS) * distance_before, detail)
