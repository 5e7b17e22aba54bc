"""zik.studio.hairstyles: the library's data holds its own rules, filters and look-ups answer as the API
will, and every style has a real PNG preview drawn from the same shape the offline try-on paints."""

from __future__ import annotations

import copy
import io
import json

import numpy as np
import pytest
from PIL import Image

from zik.errors import InvalidRequest
from zik.studio import hairstyles


def test_the_library_is_valid_and_large_and_varied() -> None:
    raw = json.loads(hairstyles.LIBRARY.read_text(encoding="utf-8"))
    assert hairstyles.problems(raw) == []
    styles = hairstyles.load()
    assert len(styles) >= 40
    assert len({s["id"] for s in styles}) == len(styles)
    assert {s["length"] for s in styles} == {"short", "medium", "long"}
    assert {s["texture"] for s in styles} == {"straight", "wavy", "curly", "coily"}
    assert {s["category"] for s in styles} == set(hairstyles.categories())
    assert len(hairstyles.categories()) >= 8
    assert {s["edit"]["shape"] for s in styles} == set(raw["shapes"])  # every shape is used by some style


def test_colours_are_spelled_out_with_the_default_among_them() -> None:
    style = hairstyles.hairstyle("box-braids")
    assert style["defaultColor"] == {
        "id": "jet-black",
        "name": "Jet black",
        "hex": "#16110F",
    }
    assert style["defaultColor"] in style["colors"]
    assert all(set(c) == {"id", "name", "hex"} for c in style["colors"])


def _broken(change) -> list[str]:
    raw = copy.deepcopy(json.loads(hairstyles.LIBRARY.read_text(encoding="utf-8")))
    change(raw)
    return hairstyles.problems(raw)


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (
            lambda d: d["hairstyles"].append(copy.deepcopy(d["hairstyles"][0])),
            "the id is used twice",
        ),
        (
            lambda d: d["colors"]["jet-black"].update(hex="#12345G"),
            "not a #RRGGBB hex colour",
        ),
        (
            lambda d: d["colors"]["jet-black"].update(hex="black"),
            "not a #RRGGBB hex colour",
        ),
        (
            lambda d: d["hairstyles"][0].update(category="mullets"),
            "unknown category 'mullets'",
        ),
        (
            lambda d: d["hairstyles"][0].update(length="very long"),
            "unknown length 'very long'",
        ),
        (
            lambda d: d["hairstyles"][0].update(texture="frizzy"),
            "unknown texture 'frizzy'",
        ),
        (lambda d: d["hairstyles"][0].update(id="Buzz Cut"), "the id is not a slug"),
        (
            lambda d: d["hairstyles"][0].update(defaultColor="teal"),
            "is not one it offers",
        ),
        (
            lambda d: d["hairstyles"][0]["colors"].append("gold"),
            "colour 'gold' is not in the palette",
        ),
        (
            lambda d: d["hairstyles"][0]["edit"].update(shape="star"),
            "unknown shape 'star'",
        ),
        (
            lambda d: d["hairstyles"][0]["edit"].update(fringeDepth=0.5, fringe=True),
            "edit.fringeDepth must be",
        ),
        (
            lambda d: d["hairstyles"][0]["edit"].update(fringe=True),
            "edit.fringe must be true exactly when",
        ),
        (
            lambda d: d["hairstyles"][0]["edit"].update(volume="big"),
            "edit.volume must be a number",
        ),
        (lambda d: d["hairstyles"][0].update(name=" "), "no name"),
        (lambda d: d.update(hairstyles=[]), "holds no hairstyle"),
    ],
)
def test_a_broken_library_is_named_problem_by_problem(change, complaint: str) -> None:
    found = _broken(change)
    assert any(complaint in problem for problem in found), found


def test_filters_by_category_length_and_texture() -> None:
    braids = hairstyles.hairstyles(category="braids")
    assert len(braids) >= 4 and {s["category"] for s in braids} == {"braids"}
    long_braids = hairstyles.hairstyles(category="braids", length="long")
    assert long_braids and all(s["length"] == "long" for s in long_braids)
    assert {s["id"] for s in long_braids} < {s["id"] for s in braids}  # cornrows are short
    coily = hairstyles.hairstyles(texture="coily")
    assert coily and {s["texture"] for s in coily} == {"coily"}
    assert len(hairstyles.hairstyles()) == len(hairstyles.load())
    by_length = sum(len(hairstyles.hairstyles(length=length)) for length in hairstyles.lengths())
    assert by_length == len(hairstyles.load())


@pytest.mark.parametrize(
    ("field", "value"),
    [("category", "mullets"), ("length", "xl"), ("texture", "frizzy")],
)
def test_an_unknown_filter_is_a_400_naming_it(field: str, value: str) -> None:
    with pytest.raises(InvalidRequest) as raised:
        hairstyles.hairstyles(**{field: value})
    assert raised.value.field == field and raised.value.status == 400
    assert value in raised.value.message


def test_an_unknown_id_is_a_404_with_its_own_code() -> None:
    assert hairstyles.hairstyle("afro")["name"] == "Afro"
    with pytest.raises(hairstyles.HairstyleNotFound) as raised:
        hairstyles.hairstyle("the-rachel")
    assert raised.value.status == 404
    assert raised.value.body()["error"] == {
        "code": "not_found",
        "message": "no hairstyle 'the-rachel' in the library",
        "field": "hairstyleId",
    }


def test_a_caller_cannot_change_the_library() -> None:
    hairstyles.hairstyle("afro")["name"] = "changed"
    hairstyles.load()[0]["colors"].clear()
    assert hairstyles.hairstyle("afro")["name"] == "Afro"
    assert hairstyles.load()[0]["colors"]


def test_colour_choice() -> None:
    style = hairstyles.hairstyle("long-straight")
    assert hairstyles.color_hex(style) == "#16110F"
    assert hairstyles.color_hex(style, "platinum") == "#E6DCC8"
    assert hairstyles.color_hex(style, "Platinum") == "#E6DCC8"
    assert hairstyles.color_hex(style, "#e6dcc8") == "#E6DCC8"
    assert hairstyles.color_hex(style, "teal") == "#2E8B8B"  # the palette's, though not offered for this style
    assert hairstyles.color_hex(style, "#00ff7f") == "#00FF7F"  # any real colour may be tried
    for bad in ("green-ish", "#12345", "#GGGGGG", "rgb(0,0,0)"):
        with pytest.raises(hairstyles.InvalidColor) as raised:
            hairstyles.color_hex(style, bad)
        assert raised.value.field == "color" and raised.value.code == "invalid_color"


def test_every_style_has_a_real_distinct_deterministic_png_preview() -> None:
    seen: dict[bytes, str] = {}
    for style in hairstyles.load():
        png = hairstyles.preview_asset(style)
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        with Image.open(io.BytesIO(png)) as image:
            image.load()
            assert image.format == "PNG" and image.size == hairstyles.PREVIEW_SIZE
            hair = hairstyles.rgb(style["defaultColor"]["hex"])
            pixels = int((np.asarray(image.convert("RGB")) == hair).all(axis=2).sum())
        # The hair is drawn in its colour, and takes a real part of the picture.
        assert pixels > 0.01 * image.size[0] * image.size[1], style["id"]
        assert png not in seen, f"{style['id']} looks exactly like {seen.get(png)}"
        seen[png] = style["id"]
        assert hairstyles.preview_key(style) == f"hairstyles/{style['id']}.png"
    afro = hairstyles.hairstyle("afro")
    assert hairstyles.preview_asset(afro) == hairstyles.preview_asset(afro)


def test_a_preview_in_another_colour_and_size() -> None:
    style = hairstyles.hairstyle("classic-bob")
    png = hairstyles.preview_asset(style, color="burgundy", size=(128, 160))
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (128, 160)
        assert (0x6E, 0x1F, 0x2E) in {pixel for _, pixel in image.convert("RGB").getcolors(1 << 16)}


def test_no_style_paints_hair_over_the_brows_eyes_nose_or_mouth() -> None:
    face = (100.0, 100.0, 80.0, 100.0)
    protected_top = hairstyles.protected_box(face)[1]
    for style in hairstyles.load():
        layers = hairstyles.hair_layers(style["edit"], face)
        assert [layer.kind for layer in layers].count("face") == 1
        after_face = layers[[layer.kind for layer in layers].index("face") + 1 :]
        assert [layer.kind for layer in after_face] == (["hair"] if style["edit"]["fringe"] else [])
        for layer in after_face:  # only a fringe comes after the face, and it stops above the brows
            assert max(layer.points[1::2]) < protected_top, style["id"]
