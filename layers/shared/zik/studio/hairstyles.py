"""The studio's hairstyle library (hairstyles.json): the styles a user can try on, their colours, and the
shape each style draws around a face.

Pure: no AWS. The data is checked when it is loaded (unique slugs, known categories, lengths, textures and
shapes, colours that are real ``#RRGGBB`` hex and offered from the palette), so a bad edit of the JSON fails
the unit tests and the deployment that loads it, never a user's request.

The shape of a style is one piece of geometry used twice: ``preview_asset`` paints it on a drawn head for
the library's preview (uploaded to ``static-assets/`` at each deployment), and the offline try-on
(``zik.studio.tryon_offline``) paints it as the hair mask around a detected face. Both go through
``hair_layers``, so what the preview shows is what the try-on draws. Pillow is imported only inside the
functions that draw.
"""

from __future__ import annotations

import copy
import io
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from zik.errors import InvalidRequest, NotFound

LIBRARY = Path(__file__).with_name("hairstyles.json")
PREVIEW_SIZE = (256, 256)
PREVIEW_CONTENT_TYPE = "image/png"
_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# The most a fringe may come down over the forehead, in face heights: below it starts the part of the face
# (brows, eyes, nose, mouth) that the try-on never touches (see ``protected_box``).
MAX_FRINGE_DEPTH = 0.2
_EDIT_BOUNDS = {
    "lengthRatio": (0.0, 3.0),
    "volume": (0.0, 1.0),
    "crown": (0.0, 1.0),
    "fringeDepth": (0.0, MAX_FRINGE_DEPTH),
}


class HairstyleNotFound(NotFound):
    """The platform's 404 (code ``not_found``, as every unknown id answers), naming ``hairstyleId``."""


class InvalidColor(InvalidRequest):
    code = "invalid_color"


class InvalidLibrary(ValueError):
    """hairstyles.json breaks its own rules: a deployment error, listed problem by problem."""


@cache
def _raw() -> dict[str, Any]:
    return json.loads(LIBRARY.read_text(encoding="utf-8"))


def problems(data: dict[str, Any]) -> list[str]:
    """Every rule ``data`` (the shape of hairstyles.json) breaks; [] when it is valid."""
    found: list[str] = []
    categories, lengths, textures, shapes = (set(data.get(k) or ()) for k in ("categories", "lengths", "textures", "shapes"))
    palette = data.get("colors") or {}
    for key, color in palette.items():
        if not _SLUG.match(key):
            found.append(f"colour key {key!r} is not a slug")
        if not isinstance(color, dict) or not str(color.get("name") or "").strip():
            found.append(f"colour {key!r} has no name")
        elif not _HEX.match(str(color.get("hex"))):
            found.append(f"colour {key!r} has {color.get('hex')!r}, not a #RRGGBB hex colour")
    seen: set[str] = set()
    for index, style in enumerate(data.get("hairstyles") or ()):
        sid = style.get("id")
        where = f"hairstyle {sid!r}" if sid else f"hairstyle #{index}"
        if not isinstance(sid, str) or not _SLUG.match(sid):
            found.append(f"{where}: the id is not a slug")
        elif sid in seen:
            found.append(f"{where}: the id is used twice")
        seen.add(str(sid))
        for field in ("name", "description"):
            if not str(style.get(field) or "").strip():
                found.append(f"{where}: no {field}")
        for field, known in (
            ("category", categories),
            ("length", lengths),
            ("texture", textures),
        ):
            if style.get(field) not in known:
                found.append(f"{where}: unknown {field} {style.get(field)!r}")
        colors = style.get("colors") or []
        if not colors:
            found.append(f"{where}: offers no colour")
        for key in colors:
            if key not in palette:
                found.append(f"{where}: colour {key!r} is not in the palette")
        if len(set(colors)) != len(colors):
            found.append(f"{where}: a colour is offered twice")
        if style.get("defaultColor") not in colors:
            found.append(f"{where}: the default colour {style.get('defaultColor')!r} is not one it offers")
        edit = style.get("edit") or {}
        if edit.get("shape") not in shapes:
            found.append(f"{where}: unknown shape {edit.get('shape')!r}")
        for field, (low, high) in _EDIT_BOUNDS.items():
            value = edit.get(field)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
                found.append(f"{where}: edit.{field} must be a number from {low} to {high}, not {value!r}")
        if not isinstance(edit.get("fringe"), bool) or edit.get("fringe") != (edit.get("fringeDepth", 0) > 0):
            found.append(f"{where}: edit.fringe must be true exactly when edit.fringeDepth is above 0")
    if not seen:
        found.append("the library holds no hairstyle")
    return found


def _resolved(style: dict[str, Any], palette: dict[str, Any]) -> dict[str, Any]:
    """A style as the API shows it: its colours spelled out (id, name, hex) rather than palette keys."""
    out = copy.deepcopy(style)
    out["colors"] = [{"id": key, **palette[key]} for key in style["colors"]]
    out["defaultColor"] = {
        "id": style["defaultColor"],
        **palette[style["defaultColor"]],
    }
    return out


@cache
def _library() -> tuple[dict[str, Any], ...]:
    data = _raw()
    broken = problems(data)
    if broken:
        raise InvalidLibrary(f"{LIBRARY.name}: " + "; ".join(broken))
    return tuple(_resolved(style, data["colors"]) for style in data["hairstyles"])


def load() -> list[dict[str, Any]]:
    """Every hairstyle, validated, in the library's order (copies: a caller may change them freely)."""
    return copy.deepcopy(list(_library()))


def categories() -> dict[str, str]:
    """Category key -> its display name."""
    return dict(_raw()["categories"])


def lengths() -> list[str]:
    return list(_raw()["lengths"])


def textures() -> list[str]:
    return list(_raw()["textures"])


def hairstyles(
    *,
    category: str | None = None,
    length: str | None = None,
    texture: str | None = None,
) -> list[dict[str, Any]]:
    """The styles of a category, a length and a texture (each filter optional)."""
    check_filters(category=category, length=length, texture=texture)
    return [
        style
        for style in load()
        if (category is None or style["category"] == category)
        and (length is None or style["length"] == length)
        and (texture is None or style["texture"] == texture)
    ]


def check_filters(*, category: str | None = None, length: str | None = None, texture: str | None = None) -> None:
    """An unknown filter value is a 400 naming the field and the values it may take, rather than an empty
    list that hides a typo."""
    for field, value, known in (
        ("category", category, categories()),
        ("length", length, lengths()),
        ("texture", texture, textures()),
    ):
        if value is not None and value not in known:
            raise InvalidRequest(f"unknown {field} {value!r}: one of {', '.join(known)}", field=field)


def hairstyle(hairstyle_id: str) -> dict[str, Any]:
    """One style by its id; an unknown id is a 404 naming ``hairstyleId``."""
    for style in _library():
        if style["id"] == hairstyle_id:
            return copy.deepcopy(style)
    raise HairstyleNotFound(f"no hairstyle {hairstyle_id!r} in the library", field="hairstyleId")


def color_hex(style: dict[str, Any], color: str | None = None) -> str:
    """The colour to paint ``style`` in, as ``#RRGGBB``: the style's default when none is asked; else one of
    the colours it offers or of the library's palette (by id, name or hex), or any ``#RRGGBB`` hex colour
    (a user may try any colour; the offered ones are the suggestions); anything else is a 400."""
    if color is None or color == "":
        return style["defaultColor"]["hex"].upper()
    wanted = color.strip()
    palette = [{"id": key, **value} for key, value in _raw()["colors"].items()]
    for offered in [*style["colors"], *palette]:
        if wanted.lower() in (
            offered["id"],
            offered["name"].lower(),
            offered["hex"].lower(),
        ):
            return offered["hex"].upper()
    if _HEX.match(wanted):
        return wanted.upper()
    offered_ids = ", ".join(c["id"] for c in style["colors"])
    raise InvalidColor(
        f"colour {color!r} is neither a #RRGGBB hex colour nor one of {offered_ids}",
        field="color",
    )


def rgb(hex_color: str) -> tuple[int, int, int]:
    return int(hex_color[1:3], 16), int(hex_color[3:5], 16), int(hex_color[5:7], 16)


# ---- the shape of a style around a face -------------------------------------------------------------------

FaceBox = tuple[float, float, float, float]  # x, y, width, height (of a frontal face detector's box)
Box = tuple[float, float, float, float]  # left, top, right, bottom


@dataclass(frozen=True)
class Layer:
    """One step of painting a style: ``hair`` paints hair at ``strength`` (1 full, less for a faded side);
    ``face`` paints the face back over what came before (the forehead and cheeks a cut leaves bare)."""

    kind: Literal["hair", "face"]
    primitive: Literal["ellipse", "polygon"]
    points: tuple[float, ...]  # an ellipse's box (left, top, right, bottom) or a polygon's x, y, x, y...
    strength: float = 1.0


def protected_box(face: FaceBox) -> Box:
    """The part of a face box the try-on never changes: from the brows down to the chin, inside the cheeks
    (a Haar box's top fifth is forehead, often under hair; its outer tenth either side is temple or ear)."""
    x, y, w, h = face
    return (x + 0.10 * w, y + (MAX_FRINGE_DEPTH + 0.02) * h, x + 0.90 * w, y + 1.12 * h)


def hair_layers(edit: dict[str, Any], face: FaceBox) -> list[Layer]:
    """The layers that paint a style's hair around ``face``, in order, in the face's pixel coordinates.

    Landmarks, from a frontal Haar box (x, y, w, h): the skull's top about 0.22 h above the box, the ears
    at about 0.55 h below its top, the chin at about 1.08 h, the head about 1.12 w wide. ``edit``'s numbers
    are in face heights and widths (see hairstyles.json's ``about``)."""
    x, y, w, h = face
    cx = x + w / 2
    half = 0.56 * w
    top = y - 0.22 * h - edit["crown"] * h
    ears = y + 0.55 * h
    end = ears + edit["lengthRatio"] * h
    volume = edit["volume"] * w
    shape = edit["shape"]
    layers: list[Layer] = []

    def hair(primitive: Literal["ellipse", "polygon"], *points: float, strength: float = 1.0) -> None:
        layers.append(Layer("hair", primitive, tuple(points), strength))

    def cap(bottom: float, widen: float = 0.0) -> None:
        hair(
            "ellipse",
            cx - half - volume - widen,
            top,
            cx + half + volume + widen,
            bottom,
        )

    def faded_sides(strength: float) -> None:
        """Sides clipped close: a thin shadow of hair from the temples to the ears."""
        hair(
            "ellipse",
            cx - half - 0.02 * w,
            y + 0.05 * h,
            cx + half + 0.02 * w,
            ears,
            strength=strength,
        )

    def curtains(spread: float, inner: float, taper: float, ragged: bool) -> None:
        """Hair hanging down both sides of the face from the temples to ``end``."""
        for side in (-1, 1):
            outer_top, outer_end = (
                cx + side * (half + volume),
                cx + side * (half + volume + spread - taper),
            )
            inner_x = cx + side * inner
            points = [outer_top, y + 0.15 * h, outer_end, end]
            if ragged:  # a layered cut ends in points, not a line
                steps = 4
                for i in range(1, steps):
                    px = outer_end + (inner_x - outer_end) * i / steps
                    points += [px, end - (0.12 * h if i % 2 else 0.0)]
            points += [inner_x, end, inner_x, y + 0.25 * h]
            hair("polygon", *points)

    if shape == "round":
        hair(
            "ellipse",
            cx - half - volume,
            top,
            cx + half + volume,
            max(end + 0.2 * h, y + 0.9 * h),
        )
    elif shape == "fade":
        faded_sides(0.35)
        cap(y + 0.30 * h, -0.04 * w)
    elif shape == "mohawk":
        faded_sides(0.3)
        hair("ellipse", cx - 0.17 * w, top, cx + 0.17 * w, y + 0.35 * h)
    elif shape == "bun":
        cap(y + 0.40 * h)
        hair("ellipse", cx - 0.30 * w, top - 0.42 * h, cx + 0.30 * w, top + 0.08 * h)
    elif shape == "ponytail":
        cap(y + 0.45 * h)
        tail_x = cx + half + volume
        hair(
            "polygon",
            tail_x - 0.12 * w,
            y + 0.05 * h,
            tail_x + 0.16 * w,
            y + 0.15 * h,
            tail_x + 0.10 * w,
            end,
            tail_x - 0.04 * w,
            end,
        )
    else:
        cap(ears if shape in ("crop", "pixie") else y + 0.60 * h)
        if shape == "pixie":
            curtains(0.0, 0.42 * w, 0.04 * w, True)
        elif shape == "bob":
            curtains(0.06 * w, 0.40 * w, 0.0, False)
        elif shape == "layered":
            curtains(0.04 * w, 0.40 * w, 0.10 * w, True)
        elif shape == "long":
            curtains(0.16 * w, 0.40 * w, 0.0, False)
        elif shape == "braids":
            outer = half + volume
            strands = 5
            for side in (-1, 1):
                for i in range(strands):
                    offset = 0.40 * w + (outer - 0.40 * w + 0.10 * w) * i / (strands - 1)
                    left = cx + side * offset - 0.05 * w
                    hair(
                        "polygon",
                        left,
                        y + 0.2 * h,
                        left + 0.10 * w,
                        y + 0.2 * h,
                        left + 0.08 * w,
                        end,
                        left + 0.02 * w,
                        end,
                    )
    # The face shows through: a cut frames it, it does not cover it (the fringe below is the exception).
    layers.append(Layer("face", "ellipse", (x + 0.06 * w, y + 0.06 * h, x + 0.94 * w, y + 1.16 * h)))
    if edit["fringe"]:
        depth = y + edit["fringeDepth"] * h
        hair(
            "polygon",
            x + 0.04 * w,
            y - 0.02 * h,
            x + 0.96 * w,
            y - 0.02 * h,
            x + 0.92 * w,
            depth - 0.03 * h,
            cx,
            depth,
            x + 0.08 * w,
            depth - 0.03 * h,
        )
    return layers


# ---- previews ---------------------------------------------------------------------------------------------

_BACKDROP = (238, 234, 228)
_SKIN = (224, 186, 160)
_SHIRT = (96, 116, 140)
_FEATURES = (92, 64, 52)


def preview_key(style: dict[str, Any]) -> str:
    """Where a style's preview lives under ``static-assets/``."""
    return f"hairstyles/{style['id']}.png"


def preview_asset(
    style: dict[str, Any],
    *,
    color: str | None = None,
    size: tuple[int, int] = PREVIEW_SIZE,
) -> bytes:
    """A PNG preview of ``style``: a drawn head and shoulders wearing the style's shape in its (default)
    colour. Deterministic: the same style gives the same bytes (PNG carries no date here), so each is drawn
    once per execution environment (the loader runs at every deployment; the tests deploy often)."""
    return _drawn(json.dumps(style["edit"], sort_keys=True), color_hex(style, color), tuple(size))


@cache
def _drawn(edit_json: str, hex_color: str, size: tuple[int, int]) -> bytes:
    from PIL import Image, ImageDraw

    edit = json.loads(edit_json)
    width, height = size
    hair_rgb = rgb(hex_color)
    image = Image.new("RGB", size, _BACKDROP)
    draw = ImageDraw.Draw(image)
    face_w, face_h = 0.27 * width, 0.34 * height
    face = ((width - face_w) / 2, 0.30 * height, face_w, face_h)
    x, y, w, h = face
    cx = x + w / 2
    # Shoulders and neck first: hair that falls past the shoulders falls in front of them.
    draw.ellipse((cx - 1.5 * w, y + 1.45 * h, cx + 1.5 * w, y + 3.2 * h), fill=_SHIRT)
    draw.rectangle((cx - 0.24 * w, y + 0.8 * h, cx + 0.24 * w, y + 1.6 * h), fill=_SKIN)
    for layer in hair_layers(edit, face):
        fill: tuple[int, ...] = (
            _SKIN if layer.kind == "face" else tuple(round(s + (c - s) * layer.strength) for c, s in zip(hair_rgb, _SKIN, strict=True))
        )
        if layer.primitive == "ellipse":
            draw.ellipse(layer.points, fill=fill)
        else:
            draw.polygon(layer.points, fill=fill)
    eye_y = y + 0.42 * h
    for eye_x in (x + 0.32 * w, x + 0.68 * w):
        draw.ellipse(
            (eye_x - 0.05 * w, eye_y - 0.035 * h, eye_x + 0.05 * w, eye_y + 0.035 * h),
            fill=_FEATURES,
        )
    draw.arc(
        (cx - 0.18 * w, y + 0.66 * h, cx + 0.18 * w, y + 0.86 * h),
        20,
        160,
        fill=_FEATURES,
        width=max(1, width // 128),
    )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
