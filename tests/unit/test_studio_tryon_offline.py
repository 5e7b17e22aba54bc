"""zik.studio.tryon_offline: the local provider's try-on on a real photo (tests/fixtures/studio, public
domain): the hair visibly takes the style's colour, the brows-to-chin part of the face stays as it was,
a photo with no face fails with ``no_face``, the same input gives the same bytes, and bad input is refused
with a clear 4xx before any pixel is decoded."""

from __future__ import annotations

import functools
import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from zik.errors import ZikError
from zik.studio import hairstyles, images, tryon_offline

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "studio"
PORTRAIT = (FIXTURES / "astronaut.jpg").read_bytes()  # Eileen Collins, NASA: brown hair, grey backdrop
LANDSCAPE = (FIXTURES / "rocket.jpg").read_bytes()  # a launch pad: no face anywhere


@functools.cache
def run(style_id: str, color: str | None = None, photo: bytes = PORTRAIT) -> tryon_offline.TryOn:
    return tryon_offline.try_on(photo, hairstyles.hairstyle(style_id), color)


def pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGB"), dtype=np.float64)


def hair_above_the_face(report: dict) -> tuple[slice, slice]:
    """A patch that is hair in the portrait whatever the style: above the middle of the face box."""
    box = report["faceBox"]
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    return slice(round(y - 0.3 * h), round(y - 0.05 * h)), slice(round(x + 0.2 * w), round(x + 0.8 * w))


def test_the_face_is_found_where_it_is() -> None:
    report = run("classic-bob").report
    box = report["faceBox"]
    # Her face in the 512 x 512 portrait: left of centre, in the top third.
    assert 150 < box["x"] < 200 and 45 < box["y"] < 90 and 80 < box["width"] < 120
    assert (report["width"], report["height"]) == (512, 512)


@pytest.mark.parametrize(
    ("style_id", "color"),
    [("classic-bob", None), ("long-straight", "platinum"), ("mid-fade", "teal")],
)
def test_the_hair_moves_towards_the_colour_and_the_face_stays(style_id: str, color: str | None) -> None:
    result = run(style_id, color)
    before, after = pixels(PORTRAIT), pixels(result.jpeg)
    assert after.shape == before.shape
    target = np.array(hairstyles.rgb(result.report["targetColor"]), dtype=np.float64)
    rows, cols = hair_above_the_face(result.report)
    distance_before = np.linalg.norm(before[rows, cols].mean(axis=(0, 1)) - target)
    distance_after = np.linalg.norm(after[rows, cols].mean(axis=(0, 1)) - target)
    assert distance_before > 100  # her brown hair is far from each of these colours
    assert distance_after < 0.4 * distance_before, (distance_before, distance_after)

    left, top, right, bottom = result.report["protectedBox"].values()
    box = result.report["faceBox"]
    assert box["x"] < left < right < box["x"] + box["width"] and box["y"] < top < box["y"] + box["height"] < bottom
    # Brows, eyes, nose, mouth, chin: what differs is the JPEG encoding of the output, no more.
    face_change = np.abs(after[top:bottom, left:right] - before[top:bottom, left:right]).mean()
    assert face_change < 2.0, face_change
    hair_change = np.abs(after[rows, cols] - before[rows, cols]).mean()
    assert hair_change > 20 * face_change


def test_the_report_says_what_changed() -> None:
    report = run("long-straight", "platinum").report
    assert report["targetColor"] == "#E6DCC8"
    assert report["hairPixelsFound"] > 3000  # her own hair, found by GrabCut
    # A long style paints hair where she had none: more changes than she had hair.
    assert report["hairPixelsChanged"] > report["hairPixelsFound"]
    before, after = (np.array(hairstyles.rgb(report[k])) for k in ("meanColorBefore", "meanColorAfter"))
    target = np.array(hairstyles.rgb("#E6DCC8"))
    assert np.linalg.norm(after - target) < 0.5 * np.linalg.norm(before - target)


def test_a_longer_style_changes_more_of_the_photo_than_a_buzz_cut() -> None:
    assert run("long-straight", "platinum").report["hairPixelsChanged"] > 1.5 * run("buzz-cut").report["hairPixelsChanged"]
    # A buzz cut takes away hair that a bob keeps.
    assert run("buzz-cut").report["hairPixelsTrimmed"] > run("classic-bob").report["hairPixelsTrimmed"]


def test_the_same_input_gives_the_same_bytes() -> None:
    style = hairstyles.hairstyle("afro")
    first = tryon_offline.try_on(PORTRAIT, style)
    again = tryon_offline.try_on(PORTRAIT, style)
    assert first.jpeg == again.jpeg and first.report == again.report


def test_the_output_is_a_plain_jpeg_of_the_input_size() -> None:
    result = run("classic-bob")
    with Image.open(io.BytesIO(result.jpeg)) as image:
        assert image.format == "JPEG" and image.size == (512, 512)
        assert not image.getexif()


def test_a_large_photo_keeps_its_size_and_its_face() -> None:
    with Image.open(io.BytesIO(PORTRAIT)) as image:
        big = image.resize((1600, 1600), Image.Resampling.LANCZOS)
    data = io.BytesIO()
    big.save(data, format="PNG")
    result = tryon_offline.try_on(data.getvalue(), hairstyles.hairstyle("classic-bob"))
    with Image.open(io.BytesIO(result.jpeg)) as image:
        assert image.size == (1600, 1600)
    small_box = run("classic-bob").report["faceBox"]
    assert abs(result.report["faceBox"]["x"] - small_box["x"] * 1600 / 512) < 30


def test_an_upright_photo_is_read_the_way_its_exif_says() -> None:
    with Image.open(io.BytesIO(PORTRAIT)) as image:
        lying = image.transpose(Image.Transpose.ROTATE_90)  # stored on its side, as a phone does
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: turn 90 degrees clockwise to view
    data = io.BytesIO()
    lying.save(data, format="JPEG", quality=95, exif=exif.tobytes())
    result = tryon_offline.try_on(data.getvalue(), hairstyles.hairstyle("classic-bob"))
    assert abs(result.report["faceBox"]["x"] - run("classic-bob").report["faceBox"]["x"]) < 10


def test_a_photo_with_no_face_fails_with_no_face() -> None:
    with pytest.raises(tryon_offline.NoFace) as raised:
        tryon_offline.try_on(LANDSCAPE, hairstyles.hairstyle("afro"))
    assert raised.value.status == 422 and raised.value.code == "no_face"
    assert "no face" in raised.value.message


def _png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("photo", "error", "status", "code"),
    [
        (
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
            images.UnsupportedImage,
            415,
            "unsupported_image",
        ),
        (b"", images.EmptyImage, 422, "empty_image"),
        (
            PORTRAIT[: len(PORTRAIT) // 3],
            images.CorruptImage,
            422,
            "corrupt_image",
        ),
        (
            _png_header(20_000, 20_000),
            images.TooManyPixels,
            422,
            "too_many_pixels",
        ),
        (
            b"\xff\xd8\xff" + b"\x00" * (images.MAX_BYTES),
            images.ImageTooLarge,
            413,
            "image_too_large",
        ),
    ],
    ids=["pdf", "empty", "truncated-jpeg", "20000x20000-png", "over-10-MB"],
)
def test_bad_photos_are_refused_clearly(photo: bytes, error: type[ZikError], status: int, code: str) -> None:
    with pytest.raises(error) as raised:
        tryon_offline.try_on(photo, hairstyles.hairstyle("afro"))
    assert raised.value.status == status and raised.value.code == code and raised.value.field == "photo"


def test_an_unknown_colour_is_refused_before_any_work() -> None:
    with pytest.raises(hairstyles.InvalidColor):
        tryon_offline.try_on(LANDSCAPE, hairstyles.hairstyle("afro"), "sunset")
