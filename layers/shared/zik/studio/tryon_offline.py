"""The ``local`` AI provider's hairstyle try-on: a real, deterministic image edit with no network.

1. The photo is read as every studio photo is (``images.upright``): by its bytes, within the upload's
   bounds checked from the header before any pixel is decoded, turned upright, in sRGB.
2. The face: OpenCV's frontal-face Haar cascade, the model file that ships inside opencv-python, run on a
   copy at most DETECT_SIDE pixels on its long side; the largest face wins. No face is a 422 ``no_face``.
3. The hair there is now: GrabCut (OpenCV), on a crop around the head scaled so that the face is
   WORK_FACE_WIDTH pixels wide, seeded by the face box: the band just above the box is hair (when it is
   not the colour of the skin: a bald head or a shaved one has no hair to find), the brows-to-chin part of
   the face and everything far from the head are not, the rest is for GrabCut's colour models to decide.
   Only the regions of that mask that touch the seed band are kept. This works on real photos, where hair
   and background differ in colour, far better than a fixed shape would, and needs no model download.
4. The hair the style wants: the style's shape (``hairstyles.hair_layers``, the geometry its preview is
   drawn from) painted around the face box, feathered.
5. The edit, in CIE Lab: inside the style's shape, pixels are blended towards the target colour, keeping
   each pixel's lightness relative to the hair's mean (so strands, shine and shadow stay); where the style
   has hair and the photo had none, a strand texture (seeded noise, streaked along the hair's fall) stands
   in for it. Hair the style does not have (a long cut made short) is painted out with OpenCV's inpainting.
6. ``hairstyles.protected_box`` (brows, eyes, nose, mouth, chin) is never written: its pixels are the
   input's, up to the JPEG encoding of the output.

The output is a JPEG of the input's (upright) size, with no metadata, and a report of what changed. Same
input, same bytes out: GrabCut's random start is seeded, the texture's noise too. OpenCV and NumPy are
imported here only; this module is for the studio's image functions, which carry them in their layer.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from typing import Any

from zik.errors import Unprocessable
from zik.studio import hairstyles, images

DETECT_SIDE = 1024
WORK_FACE_WIDTH = 110  # the face's width in the working crop: GrabCut's cost is bounded by it
MIN_FACE_FRACTION = 0.06  # a face smaller than this part of the photo's short side is not a portrait
JPEG_QUALITY = 92
BLEND_STRENGTH = 0.9  # how far hair goes towards the target colour (1 would flatten it)
_GRABCUT_SEED = 20_141
_GRABCUT_ITERATIONS = 4
_TEXTURE_SEED = 7_919
# A seed band whose colour is this close (Lab distance) to the skin's is skin: no hair to find.
_BALD_DISTANCE = 18.0


class NoFace(Unprocessable):
    code = "no_face"


@dataclass(frozen=True)
class TryOn:
    jpeg: bytes
    report: dict[str, Any]


def _decode(data: bytes, field: str):
    """The photo as an upright RGB array, read within the studio's bounds (zik.studio.images)."""
    import numpy as np

    return np.asarray(images.upright(data, field=field), dtype=np.uint8).copy()


@cache
def _cascade():
    import cv2

    cascade = cv2.CascadeClassifier(
        cv2.data.haarcascades + "haarcascade_frontalface_default.xml"  # type: ignore[attr-defined]  # cv2.data is missing from OpenCV's stubs
    )
    if cascade.empty():
        raise RuntimeError("OpenCV's frontal-face cascade did not load")
    return cascade


def find_face(rgb) -> tuple[int, int, int, int]:
    """The largest frontal face (x, y, width, height) in full-size pixels; ``NoFace`` when there is none."""
    import cv2

    height, width = rgb.shape[:2]
    scale = min(1.0, DETECT_SIDE / max(height, width))
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    if scale < 1.0:
        gray = cv2.resize(
            gray,
            (max(1, round(width * scale)), max(1, round(height * scale))),
            interpolation=cv2.INTER_AREA,
        )
    gray = cv2.equalizeHist(gray)
    smallest = max(24, round(MIN_FACE_FRACTION * min(gray.shape)))
    faces = _cascade().detectMultiScale(gray, scaleFactor=1.1, minNeighbors=5, minSize=(smallest, smallest))
    if len(faces) == 0:
        raise NoFace(
            "no face was found in the photo: use a photo of one face, looking at the camera",
            field="photoId",
        )
    # Largest first; ties broken by position so that the choice never depends on the detector's order.
    x, y, w, h = max(
        (tuple(int(v) for v in face) for face in faces),
        key=lambda f: (f[2] * f[3], -f[1], -f[0]),
    )
    return (round(x / scale), round(y / scale), round(w / scale), round(h / scale))


def _lab(rgb):
    import cv2
    import numpy as np

    return cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)


def _paint(layers, shape: tuple[int, int], offset: tuple[float, float], scale: float):
    """The layers as a float mask (0..1) of ``shape`` (height, width): hair at its strength, face as 0."""
    import numpy as np
    from PIL import Image, ImageDraw

    mask = Image.new("L", (shape[1], shape[0]), 0)
    draw = ImageDraw.Draw(mask)
    ox, oy = offset
    for layer in layers:
        points = [(v - (ox if i % 2 == 0 else oy)) * scale for i, v in enumerate(layer.points)]
        fill = 0 if layer.kind == "face" else round(255 * layer.strength)
        if layer.primitive == "ellipse":
            left, top, right, bottom = points
            draw.ellipse(
                (
                    min(left, right),
                    min(top, bottom),
                    max(left, right),
                    max(top, bottom),
                ),
                fill=fill,
            )
        else:
            draw.polygon(points, fill=fill)
    return np.asarray(mask, dtype=np.float32) / 255.0


def _box_mask(shape: tuple[int, int], box, offset: tuple[float, float], scale: float):
    import numpy as np

    mask = np.zeros(shape, dtype=bool)
    left, top, right, bottom = (round((v - offset[i % 2]) * scale) for i, v in enumerate(box))
    mask[max(0, top) : max(0, bottom), max(0, left) : max(0, right)] = True
    return mask


def _existing_hair(crop, face_local, protected_local, head_local):
    """The photo's own hair in the working crop (bool mask), by GrabCut seeded from the face box."""
    import cv2
    import numpy as np

    x, y, w, h = face_local
    height, width = crop.shape[:2]
    seed = np.zeros((height, width), dtype=bool)
    s_top, s_bottom = max(0, round(y - 0.20 * h)), max(1, round(y - 0.03 * h))
    s_left, s_right = max(0, round(x + 0.25 * w)), min(width, round(x + 0.75 * w))
    seed[s_top:s_bottom, s_left:s_right] = True
    lab = _lab(crop)
    skin_box = lab[
        round(y + 0.55 * h) : round(y + 0.75 * h),
        round(x + 0.3 * w) : round(x + 0.7 * w),
    ]
    if not seed.any() or skin_box.size == 0:
        return np.zeros((height, width), dtype=bool)
    band_colour = np.median(lab[seed], axis=0)
    skin_colour = np.median(skin_box.reshape(-1, 3), axis=0)
    if float(np.linalg.norm(band_colour - skin_colour)) < _BALD_DISTANCE:
        return np.zeros((height, width), dtype=bool)

    mask = np.full((height, width), cv2.GC_BGD, dtype=np.uint8)
    mask[head_local > 0] = cv2.GC_PR_BGD
    likely = np.zeros((height, width), dtype=np.uint8)
    cv2.ellipse(
        likely,
        (round(x + w / 2), round(y + 0.1 * h)),
        (round(0.72 * w), round(0.5 * h)),
        0,
        180,
        360,
        1,
        -1,
    )
    mask[(likely > 0) & (head_local > 0)] = cv2.GC_PR_FGD
    mask[seed] = cv2.GC_FGD
    mask[protected_local] = cv2.GC_BGD
    background, foreground = (
        np.zeros((1, 65), np.float64),
        np.zeros((1, 65), np.float64),
    )
    cv2.setRNGSeed(_GRABCUT_SEED)
    cv2.grabCut(  # type: ignore[call-overload]  # with GC_INIT_WITH_MASK there is no rect; OpenCV's stubs insist on one
        crop[:, :, ::-1].copy(),
        mask,
        None,
        background,
        foreground,
        _GRABCUT_ITERATIONS,
        cv2.GC_INIT_WITH_MASK,
    )
    hair = ((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)).astype(np.uint8)
    hair = cv2.morphologyEx(hair, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    count, labels = cv2.connectedComponents(hair, connectivity=8)
    touching = set(np.unique(labels[seed & (hair > 0)]).tolist()) - {0}
    return np.isin(labels, sorted(touching)) if count > 1 and touching else np.zeros((height, width), dtype=bool)


def _strands(shape: tuple[int, int], face_width: float):
    """A deterministic hair-like lightness texture (mean 0, about +-1): noise streaked downwards."""
    import cv2
    import numpy as np

    rng = np.random.default_rng(_TEXTURE_SEED)
    noise = rng.standard_normal(shape).astype(np.float32)
    length = max(3, round(face_width * 0.25)) | 1
    streaks = cv2.blur(noise, (1, length))
    streaks = cv2.GaussianBlur(streaks, (3, 3), 0)
    return streaks / (float(streaks.std()) or 1.0)


def try_on(
    photo: bytes,
    style: dict[str, Any],
    color: str | None = None,
    *,
    field: str = "photo",
) -> TryOn:
    """``photo`` wearing ``style`` (a hairstyle of the library) in ``color`` (the style's default when None)."""
    import cv2
    import numpy as np

    target_hex = hairstyles.color_hex(style, color)
    original = _decode(photo, field)
    height, width = original.shape[:2]
    face = find_face(original)
    fx, fy, fw, fh = face
    edit = style["edit"]

    # The working crop: the head and wherever the style or the photo's hair may reach, face WORK_FACE_WIDTH wide.
    reach = max(edit["lengthRatio"], 2.4) + 0.9
    left, right = max(0, round(fx - 1.6 * fw)), min(width, round(fx + 2.6 * fw))
    top, bottom = (
        max(0, round(fy - 1.4 * fh)),
        min(height, round(fy + (0.55 + reach) * fh)),
    )
    scale = min(1.0, WORK_FACE_WIDTH / fw)
    crop_full = original[top:bottom, left:right]
    size = (
        max(1, round((right - left) * scale)),
        max(1, round((bottom - top) * scale)),
    )
    crop = cv2.resize(crop_full, size, interpolation=cv2.INTER_AREA) if scale < 1.0 else crop_full.copy()
    shape = crop.shape[:2]
    offset = (float(left), float(top))
    face_local = ((fx - left) * scale, (fy - top) * scale, fw * scale, fh * scale)
    protected = hairstyles.protected_box(face)
    protected_local = _box_mask(shape, protected, offset, scale)

    # Where hair may be at all: around the head, down to the longest hair the crop holds.
    head_zone = np.zeros(shape, dtype=np.uint8)
    lx, ly, lw, lh = face_local
    cv2.ellipse(
        head_zone,
        (round(lx + lw / 2), round(ly + 0.6 * lh)),
        (round(1.25 * lw), round(1.35 * lh)),
        0,
        0,
        360,
        1,
        -1,
    )
    cv2.rectangle(
        head_zone,
        (round(lx - 0.55 * lw), round(ly + 0.4 * lh)),
        (round(lx + 1.55 * lw), shape[0]),
        1,
        -1,
    )
    existing = _existing_hair(crop, face_local, protected_local, head_zone)

    feather = max(1.0, 0.03 * lw)
    wanted = _paint(hairstyles.hair_layers(edit, face), shape, offset, scale)
    wanted = cv2.GaussianBlur(wanted, (0, 0), feather)
    wanted[protected_local] = 0.0

    # Hair the style does not keep is painted out first, from what surrounds it.
    trim = (existing & (wanted < 0.2) & ~protected_local).astype(np.uint8)
    base = crop.copy()
    if trim.any():
        base = cv2.inpaint(
            crop,
            cv2.dilate(trim, np.ones((3, 3), np.uint8)),
            max(3, round(0.06 * lw)),
            cv2.INPAINT_TELEA,
        )

    lab = _lab(base)
    target_lab = _lab(np.array([[hairstyles.rgb(target_hex)]], dtype=np.uint8))[0, 0]
    existing_f = cv2.GaussianBlur(existing.astype(np.float32), (0, 0), feather)
    if existing.any():
        hair_mean = lab[existing].mean(axis=0)
        spread = float(lab[existing][:, 0].std()) or 10.0
    else:
        hair_mean, spread = target_lab, 10.0
    # Lightness: the photo's own where it had hair, a strand texture of the same spread where it had none.
    texture = hair_mean[0] + _strands(shape, lw) * min(spread, 8.0)
    source_l = lab[:, :, 0] * existing_f + texture * (1.0 - existing_f)
    recoloured = np.empty_like(lab)
    recoloured[:, :, 0] = target_lab[0] + (source_l - hair_mean[0]) * 0.85
    recoloured[:, :, 1:] = target_lab[1:] + (lab[:, :, 1:] * existing_f[:, :, None] - hair_mean[1:] * existing_f[:, :, None]) * 0.2
    recoloured = np.clip(recoloured, 0, 255).astype(np.uint8)
    recoloured_rgb = cv2.cvtColor(recoloured, cv2.COLOR_LAB2RGB)
    # Painted hair covers what was behind it; the photo's own hair keeps a little of its colour.
    alpha = wanted * (BLEND_STRENGTH * existing_f + (1.0 - existing_f))
    edited = base.astype(np.float32) * (1.0 - alpha[:, :, None]) + recoloured_rgb.astype(np.float32) * alpha[:, :, None]
    change = np.maximum(alpha, trim.astype(np.float32))

    # Back to full size: only the change is scaled up and added, so the photo keeps its own detail.
    delta = edited - crop.astype(np.float32)
    full_size = (right - left, bottom - top)
    if scale < 1.0:
        delta = cv2.resize(delta, full_size, interpolation=cv2.INTER_LINEAR)
        change = cv2.resize(change, full_size, interpolation=cv2.INTER_LINEAR)
    change = np.clip(change, 0.0, 1.0)
    untouched = _box_mask(change.shape, protected, offset, 1.0)
    change[untouched] = 0.0
    delta[untouched] = 0.0
    output = original.copy()
    region = output[top:bottom, left:right].astype(np.float32) + delta
    output[top:bottom, left:right] = np.clip(np.rint(region), 0, 255).astype(np.uint8)

    changed = change > 0.1
    hair_now = change > 0.5
    before = original[top:bottom, left:right][hair_now]
    after = output[top:bottom, left:right][hair_now]
    jpeg = _jpeg(output)
    scale_back = 1.0 / scale
    report = {
        "faceBox": {"x": fx, "y": fy, "width": fw, "height": fh},
        "protectedBox": dict(zip(("left", "top", "right", "bottom"), (round(v) for v in protected))),
        "targetColor": target_hex,
        "hairPixelsChanged": int(changed.sum()),
        "hairPixelsFound": round(int(existing.sum()) * scale_back * scale_back),
        "hairPixelsTrimmed": round(int(trim.sum()) * scale_back * scale_back),
        "meanColorBefore": _hex(before.mean(axis=0)) if before.size else None,
        "meanColorAfter": _hex(after.mean(axis=0)) if after.size else None,
        "width": width,
        "height": height,
    }
    return TryOn(jpeg=jpeg, report=report)


def _hex(rgb) -> str:
    return "#" + "".join(f"{round(float(v)):02X}" for v in rgb)


def _jpeg(rgb) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()
