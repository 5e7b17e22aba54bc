"""zik.studio.images: photos told apart by their bytes, bounded before a pixel is decoded, turned upright
and re-encoded with no metadata at all; every other file, and every damaged one, refused with a stable
code, never an unexpected error. Every image here is a real one, made by Pillow or pillow-heif."""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pillow_heif
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageCms, ImageFile

from zik.errors import ZikError
from zik.studio import images

RED, GREEN, BLUE, YELLOW = (230, 20, 20), (20, 200, 20), (20, 20, 230), (240, 230, 20)
GPS_LATITUDE = (51.0, 30.0, 26.5)
GPS_LONGITUDE = (0.0, 7.0, 39.3)


# -- real images ---------------------------------------------------------------------------------------------
def quadrants(width: int = 64, height: int = 32) -> Image.Image:
    """Four colours (red, green / blue, yellow, left to right, top to bottom): any turn or flip shows."""
    image = Image.new("RGB", (width, height), RED)
    image.paste(GREEN, (width // 2, 0, width, height // 2))
    image.paste(BLUE, (0, height // 2, width // 2, height))
    image.paste(YELLOW, (width // 2, height // 2, width, height))
    return image


def colours_at_quadrants(data: bytes) -> tuple[tuple[int, ...], ...]:
    image = Image.open(io.BytesIO(data)).convert("RGB")
    w, h = image.size
    return tuple(image.getpixel((x, y)) for x, y in ((w // 4, h // 4), (3 * w // 4, h // 4), (w // 4, 3 * h // 4), (3 * w // 4, 3 * h // 4)))


def close(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 24) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


def camera_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: GPS_LATITUDE, 3: "W", 4: GPS_LONGITUDE}
    return exif


XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="51,30.44N"/></rdf:RDF></x:xmpmeta>'


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    if fmt == "HEIC":
        exif = options.pop("exif", None)
        pillow_heif.from_pillow(image).save(out, quality=90, exif=exif.tobytes() if exif is not None else None, **options)
    else:
        image.save(out, fmt, **options)
    return out.getvalue()


def png_header_only_bomb(width: int, height: int) -> bytes:
    """A real, valid 1-bit greyscale PNG of width x height, all black: its rows of zeros compress to a
    few kilobytes, however many pixels they say."""
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte, then the packed bits
    compressor = zlib.compressobj(9)
    idat = bytearray()
    rows_at_once = max(1, (1 << 20) // len(row))
    for start in range(0, height, rows_at_once):
        idat += compressor.compress(row * min(rows_at_once, height - start))
    idat += compressor.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", bytes(idat)) + chunk(b"IEND", b"")


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return struct.pack(">I", 8 + len(body)) + b"ftyp" + body + b"\x00" * 32


@pytest.fixture
def forbid_decoding(monkeypatch):
    """Once called, decoding pixels fails the test: what is refused then is refused from the header alone."""

    def decoding(self, *args, **kwargs):
        raise AssertionError("pixels were decoded")

    def forbid() -> None:
        monkeypatch.setattr(ImageFile.ImageFile, "load", decoding)
        monkeypatch.setattr(Image.Image, "load", decoding)

    return forbid


def refusal(data: bytes, expected: type[ZikError], **kwargs) -> ZikError:
    with pytest.raises(expected) as raised:
        images.clean(data, **kwargs)
    error = raised.value
    assert error.code == expected.code and error.field == "photo" and error.message
    return error


# -- every format taken, by its bytes --------------------------------------------------------------------------
@pytest.mark.parametrize(("fmt", "kind"), [("JPEG", "jpeg"), ("PNG", "png"), ("WEBP", "webp"), ("HEIC", "heic")])
def test_each_format_is_told_by_its_bytes_and_comes_out_a_jpeg_of_the_same_picture(fmt, kind):
    data = encoded(quadrants(), fmt)
    assert images.sniff(data) == kind
    assert images.check(data) == kind

    photo = images.clean(data)

    assert (photo.width, photo.height, photo.source_format) == (64, 32, kind)
    assert photo.content_type == "image/jpeg" and photo.data.startswith(b"\xff\xd8\xff")
    back = Image.open(io.BytesIO(photo.data))
    assert back.format == "JPEG" and back.size == (64, 32) and back.mode == "RGB"
    assert all(close(a, e) for a, e in zip(colours_at_quadrants(photo.data), (RED, GREEN, BLUE, YELLOW), strict=True))
    assert photo.record() == {
        "width": 64, "height": 32, "bytes": len(photo.data), "format": "jpeg", "contentType": "image/jpeg",
        "sourceFormat": kind, "orientationApplied": 1, "hadExif": False, "hadGps": False, "hadXmp": False,
        "hadIccProfile": False, "hadComments": False,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        (ftyp(b"heic", b"mif1", b"heic"), "heic"),
        (ftyp(b"mif1", b"mif1", b"heix"), "heic"),
        (ftyp(b"msf1", b"msf1", b"hevc"), "heic"),
        (ftyp(b"mif1", b"mif1", b"miaf"), "heif"),
    ],
)
def test_heif_brands_are_read_from_the_ftyp_box(header, kind):
    assert images.sniff(header) == kind


# -- everything else refused, saying what it is -----------------------------------------------------------------
def a_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, "not a photo")
    return bytes(pdf.output())


@pytest.mark.parametrize(
    ("make", "named"),
    [
        (a_pdf, "a PDF document"),
        (lambda: encoded(quadrants(), "GIF"), "a GIF image"),
        (lambda: encoded(quadrants(), "TIFF"), "a TIFF image"),
        (lambda: encoded(quadrants(), "BMP"), "a BMP image"),
        (lambda: b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', "an SVG drawing"),
        (lambda: b"<!DOCTYPE html><html><body>hi</body></html>", "an HTML page"),
        (lambda: "Bonjour, voici ma photo \u00e9t\u00e9".encode(), "text"),
        (lambda: b"\x7fELF\x02\x01\x01" + bytes(64), "an executable program (ELF)"),
        (lambda: b"MZ\x90\x00\x03" + bytes(64), "a Windows executable"),
        (lambda: b"PK\x03\x04\x14\x00" + bytes(64), "a ZIP archive"),
        (lambda: ftyp(b"avif", b"mif1", b"avif"), "an AVIF image"),
        (lambda: ftyp(b"isom", b"isom", b"mp41"), "an MP4 video"),
        (lambda: ftyp(b"qt  ", b"qt  "), "a QuickTime video"),
        (lambda: b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(32), "a RIFF file"),
        (lambda: bytes(range(256)) * 4, "of a kind we do not recognise"),
    ],
)
def test_a_file_that_is_no_photo_is_refused_saying_what_it_is_whatever_its_name(make, named):
    error = refusal(make(), images.UnsupportedImage)
    assert error.status == 415 and named in error.message


def test_an_empty_file_is_refused():
    assert refusal(b"", images.EmptyImage).status == 422


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_random_bytes_are_refused_cleanly_never_with_an_unexpected_error(data):
    with pytest.raises(images.REFUSALS):
        images.clean(data)


MAGICS = [b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF\x10\x00\x00\x00WEBPVP8 ", ftyp(b"heic", b"mif1")[:28]]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(MAGICS), st.binary(max_size=1024))
def test_a_right_signature_followed_by_garbage_is_refused_cleanly(magic, tail):
    with pytest.raises(images.REFUSALS):
        images.clean(magic + tail)


_SEEDS = {fmt: encoded(quadrants(48, 40), fmt, exif=camera_exif(6)) for fmt in ("JPEG", "PNG", "WEBP", "HEIC")}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(_SEEDS)), st.data())
def test_a_damaged_photo_is_cleaned_or_refused_never_an_unexpected_error(fmt, draw):
    data = bytearray(_SEEDS[fmt])
    if draw.draw(st.booleans()):
        data = data[: draw.draw(st.integers(0, len(data) - 1))]
    else:
        for _ in range(draw.draw(st.integers(1, 8))):
            data[draw.draw(st.integers(0, len(data) - 1))] = draw.draw(st.integers(0, 255))
    try:
        photo = images.clean(bytes(data))
    except images.REFUSALS:
        return
    back = Image.open(io.BytesIO(photo.data))
    assert back.format == "JPEG" and not back.getexif() and "exif" not in back.info


# -- bounds before decoding ---------------------------------------------------------------------------------------
def test_an_11_mb_file_is_refused_before_anything_reads_it(monkeypatch):
    data = encoded(quadrants(), "JPEG") + bytes(11 * 1024 * 1024)
    monkeypatch.setattr(Image, "open", lambda *a, **k: pytest.fail("the file was opened"))

    error = refusal(data, images.ImageTooLarge)

    assert error.status == 413 and error.details == {"bytes": len(data), "maxBytes": 10 * 1024 * 1024}
    assert images.MAX_BYTES == 10 * 1024 * 1024


def test_a_20000_by_20000_png_is_refused_as_a_decompression_bomb_without_decoding_it(forbid_decoding):
    bomb = png_header_only_bomb(20_000, 20_000)
    forbid_decoding()
    assert len(bomb) < 200_000  # 400 megapixels in a few tens of kilobytes

    error = refusal(bomb, images.TooManyPixels)

    assert error.status == 422 and "decompression bomb" in error.message and "400000000 pixels" in error.message
    with pytest.raises(images.TooManyPixels):
        images.check(bomb)


@pytest.mark.parametrize(("width", "height"), [(12_001, 8), (8, 12_001), (7_000, 6_000)])
def test_a_picture_too_wide_too_tall_or_of_too_many_pixels_is_refused_from_its_header(forbid_decoding, width, height):
    # (7,000 x 6,000 is 42 MP: past our cap, short of twice it, where Pillow's own guard would raise.)
    data = png_header_only_bomb(width, height)
    forbid_decoding()
    error = refusal(data, images.TooManyPixels)
    assert error.details == {"width": width, "height": height, "maxSide": 12_000, "maxPixels": 40_000_000}


def test_the_largest_picture_allowed_is_not_refused_by_the_header_check(forbid_decoding):
    data = png_header_only_bomb(12_000, 3_000)
    forbid_decoding()
    assert images.check(data) == "png"


def test_a_jpeg_of_too_many_scans_is_refused_before_decoding(forbid_decoding):
    progressive = encoded(quadrants(), "JPEG", progressive=True)
    last_scan = progressive.rindex(b"\xff\xda")
    scan = progressive[last_scan:-2]  # the last scan, up to EOI
    assert progressive.count(b"\xff\xda") < images.MAX_JPEG_SCANS
    forbid_decoding()

    error = refusal(progressive[:-2] + scan * images.MAX_JPEG_SCANS + b"\xff\xd9", images.UnsafeImage)

    assert error.details == {"maxScans": images.MAX_JPEG_SCANS}


def test_a_progressive_jpeg_is_taken():
    photo = images.clean(encoded(quadrants(), "JPEG", progressive=True))
    assert (photo.width, photo.height) == (64, 32)


# -- damaged files -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "HEIC"])
def test_a_truncated_photo_is_refused_as_corrupt(fmt):
    noisy = Image.effect_noise((160, 120), 64).convert("RGB")
    data = encoded(noisy, fmt)

    error = refusal(data[: len(data) // 2], images.CorruptImage)

    assert error.code == "corrupt_image" and error.status == 422
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


# -- metadata out, orientation in ------------------------------------------------------------------------------------
def assert_bare(data: bytes) -> None:
    """Nothing but pixels: no EXIF, GPS, XMP, ICC profile or comment, read back by Pillow or in the bytes."""
    back = Image.open(io.BytesIO(data))
    back.load()
    assert back.format == "JPEG"
    assert not back.getexif() and not back.getexif().get_ifd(0x8825)
    assert not {"exif", "xmp", "icc_profile", "comment", "photoshop", "adobe"} & set(back.info)
    assert b"Exif" not in data and b"xmpmeta" not in data and b"ICC_PROFILE" not in data
    assert b"PhoneMaker" not in data


def test_a_jpeg_with_gps_and_orientation_6_comes_out_upright_with_no_metadata_at_all():
    # Stored as the camera saw it: the sensor's top is the picture's right; orientation 6 turns it back.
    upright = quadrants(64, 32)
    stored = upright.transpose(Image.Transpose.ROTATE_90)
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encoded(stored, "JPEG", exif=camera_exif(6), xmp=XMP, comment=b"taken at home", icc_profile=srgb)
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the GPS really is in the upload

    photo = images.clean(data)

    assert (photo.width, photo.height) == (64, 32)
    assert all(close(a, e) for a, e in zip(colours_at_quadrants(photo.data), (RED, GREEN, BLUE, YELLOW), strict=True))
    assert_bare(photo.data)
    record = photo.record()
    assert record["orientationApplied"] == 6
    assert record["hadExif"] and record["hadGps"] and record["hadXmp"] and record["hadIccProfile"] and record["hadComments"]


# What each orientation asks a viewer to do, undone to make the stored picture.
STORED_FOR_ORIENTATION = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


@pytest.mark.parametrize("orientation", sorted(STORED_FOR_ORIENTATION))
def test_every_exif_orientation_is_turned_upright(orientation):
    upright = quadrants(64, 32)
    method = STORED_FOR_ORIENTATION[orientation]
    stored = upright if method is None else upright.transpose(method)

    photo = images.clean(encoded(stored, "PNG", exif=camera_exif(orientation)))

    assert (photo.width, photo.height, photo.orientation_applied) == (64, 32, orientation)
    assert all(close(a, e) for a, e in zip(colours_at_quadrants(photo.data), (RED, GREEN, BLUE, YELLOW), strict=True))
    assert_bare(photo.data)


def test_a_heic_with_gps_and_orientation_comes_out_upright_with_no_metadata():
    stored = quadrants(64, 32).transpose(Image.Transpose.ROTATE_90)
    data = encoded(stored, "HEIC", exif=camera_exif(6), xmp=XMP)

    photo = images.clean(data)

    assert (photo.width, photo.height, photo.source_format) == (64, 32, "heic")
    assert all(close(a, e, 30) for a, e in zip(colours_at_quadrants(photo.data), (RED, GREEN, BLUE, YELLOW), strict=True))
    assert photo.orientation_applied == 6 and photo.had_gps and photo.had_exif and photo.had_xmp
    assert_bare(photo.data)


def test_png_and_webp_metadata_is_dropped_too():
    from PIL import PngImagePlugin

    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "Ada at 12 Elm Street")
    text.add_itxt("XML:com.adobe.xmp", XMP.decode())
    png = images.clean(encoded(quadrants(), "PNG", pnginfo=text, exif=camera_exif()))
    webp = images.clean(encoded(quadrants(), "WEBP", exif=camera_exif(), xmp=XMP))

    for photo in (png, webp):
        assert photo.had_gps and photo.had_exif and photo.had_xmp
        assert_bare(photo.data)
    assert png.had_comments and b"Elm Street" not in png.data


# -- colour ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "transparent",
    [
        lambda: Image.new("RGBA", (32, 32), (0, 0, 0, 0)),
        lambda: Image.new("LA", (32, 32), (0, 0)),
        lambda: Image.new("P", (32, 32), 0),  # saved with palette entry 0 transparent
    ],
)
def test_transparency_is_flattened_on_white(transparent):
    image = transparent()
    options = {"transparency": 0} if image.mode == "P" else {}
    photo = images.clean(encoded(image, "PNG", **options))
    assert close(Image.open(io.BytesIO(photo.data)).getpixel((16, 16)), (255, 255, 255), 2)


def test_a_16_bit_grey_png_keeps_its_brightness():
    grey = Image.new("I;16", (16, 16), 32768)  # half of 65535
    photo = images.clean(encoded(grey, "PNG"))
    assert close(Image.open(io.BytesIO(photo.data)).getpixel((8, 8)), (128, 128, 128), 3)


def test_a_cmyk_jpeg_comes_out_rgb():
    photo = images.clean(encoded(Image.new("CMYK", (16, 16), (0, 255, 255, 0)), "JPEG"))
    assert close(Image.open(io.BytesIO(photo.data)).getpixel((8, 8)), (255, 0, 0), 12)


@pytest.mark.parametrize(
    "profile",
    [
        ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(),
        ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes(),  # made for other pixels than RGB
        b"not an ICC profile at all",
    ],
)
def test_an_icc_profile_is_applied_or_dropped_never_kept_and_never_a_refusal(profile):
    photo = images.clean(encoded(quadrants(), "PNG", icc_profile=profile))
    assert photo.had_icc_profile
    assert all(close(a, e) for a, e in zip(colours_at_quadrants(photo.data), (RED, GREEN, BLUE, YELLOW), strict=True))
    assert_bare(photo.data)


def test_an_animated_webp_gives_its_first_frame():
    frames = [Image.new("RGB", (32, 32), RED), Image.new("RGB", (32, 32), BLUE)]
    out = io.BytesIO()
    frames[0].save(out, "WEBP", save_all=True, append_images=frames[1:], duration=100, lossless=True)
    photo = images.clean(out.getvalue())
    assert close(Image.open(io.BytesIO(photo.data)).getpixel((16, 16)), RED)


def test_max_side_scales_a_large_photo_down():
    photo = images.clean(encoded(quadrants(400, 200), "PNG"), max_side=100)
    assert (photo.width, photo.height) == (100, 50)
    assert Image.open(io.BytesIO(photo.data)).size == (100, 50)


# -- thumbnails ---------------------------------------------------------------------------------------------------------
def test_thumbnails_fit_their_square_keep_the_aspect_and_carry_nothing():
    photo = images.clean(encoded(quadrants(1600, 900), "JPEG", exif=camera_exif(1)))

    thumbs = images.thumbnails(photo)

    assert list(thumbs) == [256, 1024]
    assert Image.open(io.BytesIO(thumbs[256])).size == (256, 144)
    assert Image.open(io.BytesIO(thumbs[1024])).size == (1024, 576)
    for data in thumbs.values():
        assert_bare(data)
        assert all(close(a, e) for a, e in zip(colours_at_quadrants(data), (RED, GREEN, BLUE, YELLOW), strict=True))


def test_a_small_photo_is_never_scaled_up_and_bytes_are_cleaned_first():
    thumbs = images.thumbnails(encoded(quadrants(200, 100), "PNG", exif=camera_exif(6)), sizes=(1024, 256, 64))
    assert list(thumbs) == [1024, 256, 64]
    assert [Image.open(io.BytesIO(thumbs[size])).size for size in (1024, 256, 64)] == [(100, 200), (100, 200), (32, 64)]
    for data in thumbs.values():
        assert_bare(data)


def test_thumbnails_of_damaged_bytes_are_refused_and_odd_sizes_are_a_programming_error():
    with pytest.raises(images.CorruptImage):
        images.thumbnails(encoded(quadrants(), "PNG")[:60])
    with pytest.raises(ValueError, match="positive"):
        images.thumbnails(images.clean(encoded(quadrants(), "PNG")), sizes=(0,))


# -- the module itself ------------------------------------------------------------------------------------------------------
def test_importing_the_module_does_not_import_the_image_libraries():
    # The upload function reads MAX_BYTES and CONTENT_TYPES from here without carrying Pillow's layer.
    code = "import sys, zik.studio.images as m; assert m.MAX_BYTES; print(sorted(n for n in ('PIL', 'pillow_heif') if n in sys.modules))"
    layer = str(Path(images.__file__).parents[2])
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": layer})
    assert result.stdout.strip() == "[]"


def test_every_refusal_is_a_zik_error_with_its_own_code():
    codes = [refused.code for refused in images.REFUSALS]
    assert len(set(codes)) == len(codes)
    assert all(issubclass(refused, ZikError) and 400 <= refused.status < 500 for refused in images.REFUSALS)
    assert set(images.CONTENT_TYPES) == set(images.FORMATS)
