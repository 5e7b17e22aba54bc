"""An uploaded photo checked, decoded within bounds, turned upright and re-encoded with no metadata.

A photo's name and declared type are the client's word; its bytes are not. ``sniff`` tells JPEG, PNG,
WebP and HEIC/HEIF apart by their first bytes and refuses everything else (a PDF called photo.jpg, a GIF,
an SVG, text, an executable), naming what it is when that is known. Before any pixel is decoded:

- the file is at most MAX_BYTES;
- the picture's size, read from its header (Pillow opens lazily: ``Image.open`` reads the header, only
  ``load`` decodes), is at most MAX_SIDE pixels a side and MAX_PIXELS in all, so a 20,000 x 20,000 PNG of
  a few kilobytes (a decompression bomb) is refused without allocating its 1.2 GB. Pillow's own guard
  (``Image.MAX_IMAGE_PIXELS``) is set to the same cap, a second lock: past twice that, ``Image.open``
  refuses already (here, and in any other use of Pillow in the process);
- a JPEG has at most MAX_JPEG_SCANS scans: a progressive JPEG of thousands of tiny scans makes libjpeg
  redo the whole picture for each, minutes of CPU from a few kilobytes.

``clean`` then decodes (a truncated or damaged file is refused: ``ImageFile.LOAD_TRUNCATED_IMAGES`` stays
False), applies the orientation the camera recorded (EXIF or XMP ``Orientation``; libheif applies a
HEIC's own), flattens any transparency on white, converts colours tagged with an ICC profile to sRGB and
re-encodes the pixels alone as a baseline JPEG (quality JPEG_QUALITY). Every output is a JPEG because a
photo of a head has no use for transparency, one type keeps every consumer (thumbnails, the AI, the
gallery) simple, and a fresh encode is the one sure way to leave nothing behind: no EXIF (so no GPS, no
camera serial, no date), no XMP, no ICC profile (the pixels are sRGB, the web's default, so none is
needed), no comment, no text chunk, no embedded thumbnail, nothing after the image's end. What was there
is reported (``CleanImage.record``) for the photo's record. An ICC profile Little CMS cannot read, or one
made for another colour space than the pixels', is dropped and the pixels taken as sRGB: colours a little
off beat refusing a user's photo. A HEIC's colour given only as an nclx box (no ICC) is taken as sRGB.

An animated WebP or PNG and a HEIC holding several pictures give their first (HEIC: primary) picture.

A HEIC is read and decoded in a forked child (zik.studio.isolation): libheif 1.19.8, the one Lambda's
python3.11 can load, crashes on some damaged files, and a crash there must refuse the photo, not kill the
function. It costs about 0.2 s on a 12 MP photo (its pixels cross a pipe).

Refusals are ZikErrors with a stable ``code`` (REFUSALS lists them), so the processing function can mark
the photo ``rejected`` with the reason. Pure: no AWS. Pillow and pillow-heif are native code shipped
only with the studio's image functions, so they are imported on first use, never when this module is
imported (the upload function reads MAX_BYTES and CONTENT_TYPES from here without them).
"""

from __future__ import annotations

import base64
import io
import re
import struct
import warnings
from dataclasses import asdict, dataclass
from dataclasses import field as dataclass_field
from typing import TYPE_CHECKING, Any

from zik.errors import PayloadTooLarge, Unprocessable, UnsupportedMediaType

if TYPE_CHECKING:
    from PIL import Image as PILImage

MAX_BYTES = 10 * 1024 * 1024  # the 10 MB: the presigned POST's content-length-range too
MAX_PIXELS = 40_000_000  # a 48-megapixel phone's photo is binned to 12 MP; 40 MP leaves room for a DSLR
MAX_SIDE = 12_000
MAX_JPEG_SCANS = 100  # a progressive JPEG has about ten; libjpeg-turbo's advice for untrusted input is 100
JPEG_QUALITY = 88
THUMBNAIL_QUALITY = 85
THUMBNAIL_SIZES = (256, 1024)
# Transparency is flattened on white, the colour of the gallery's page behind a cut-out portrait.
BACKGROUND = (255, 255, 255)

FORMATS = ("jpeg", "png", "webp", "heic", "heif")
CONTENT_TYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "heic": "image/heic",
    "heif": "image/heif",
}
OUTPUT_FORMAT = "jpeg"
OUTPUT_CONTENT_TYPE = CONTENT_TYPES[OUTPUT_FORMAT]
# The name Pillow's plugin registers for each format: ``Image.open`` is told to try that one decoder only.
_PILLOW_FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "heic": "HEIF", "heif": "HEIF"}
# Decoded in a forked child: libheif 1.19.8 (pillow-heif 1.0.0, the last built for Lambda's python3.11)
# crashes on some damaged files (zik.studio.isolation says why and how).
_ISOLATED_KINDS = frozenset({"heic", "heif"})
ISOLATED_DECODE_SECONDS = 20.0  # a 40 MP HEIC decodes in about a second; silence this long is a hang

_JPEG_MAGIC = b"\xff\xd8\xff"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# ISO base media files (HEIF, AVIF, MP4, QuickTime) start with a box "ftyp": its major brand, a minor
# version, then compatible brands. HEVC-coded HEIF says heic/heix/heim/heis (hevc/hevx... for sequences);
# a generic HEIF says mif1/msf1 and is decoded by the same libheif.
_HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"})
_HEIF_BRANDS = frozenset({b"mif1", b"msf1", b"mif2"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
_VIDEO_BRANDS = frozenset({b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"dash", b"M4V ", b"M4A "})
_QUICKTIME_BRAND = b"qt  "
_MAX_FTYP_BRANDS = 64
_PDF_MAGIC = b"%PDF-"
_PDF_HEADER_WINDOW = 1024  # readers accept a PDF header within the first kilobyte; so does this refusal

# Bytes that begin files a photo never is, with what to call them in the refusal.
_FOREIGN_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image (or a camera's raw file)"),
    (b"MM\x00*", "a TIFF image (or a camera's raw file)"),
    (b"\xff\x0a", "a JPEG XL image"),
    (b"\x00\x00\x00\x0cJXL \r\n\x87\n", "a JPEG XL image"),
    (b"8BPS", "a Photoshop document"),
    (b"\x00\x00\x01\x00", "an icon (ICO)"),
    (b"qoif", "a QOI image"),
    (b"\x7fELF", "an executable program (ELF)"),
    (b"MZ", "a Windows executable (MZ/PE)"),
    (b"\xfe\xed\xfa\xce", "a macOS executable (Mach-O)"),
    (b"\xfe\xed\xfa\xcf", "a macOS executable (Mach-O)"),
    (b"\xce\xfa\xed\xfe", "a macOS executable (Mach-O)"),
    (b"\xcf\xfa\xed\xfe", "a macOS executable (Mach-O)"),
    (b"\xca\xfe\xba\xbe", "a macOS universal executable or a Java class file"),
    (b"\x00asm", "a WebAssembly module"),
    (b"#!", "a script"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document (OLE2)"),
    (b"{\\rtf", "an RTF document"),
)
# A BMP starts "BM", as plenty of text does: its header's own size (at byte 14) says it is one.
_BMP_HEADER_SIZES = frozenset({12, 40, 52, 56, 64, 108, 124})
_TEXT_SAMPLE = 4096
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_SVG = re.compile(rb"<svg[\s>]", re.IGNORECASE)
_HTML = re.compile(rb"<(!doctype html|html|head|body|script)[\s>]", re.IGNORECASE)

# JPEG markers: a segment's length follows each but these standalone ones; inside a scan's entropy-coded
# data a 0xFF byte is always followed by 0x00 (a stuffed byte) or a restart marker, so the next other
# marker ends the scan.
_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})
_JPEG_SOS, _JPEG_EOI = 0xDA, 0xD9
_JPEG_MARKER_AFTER_SCAN = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")

# The metadata that may ride in ``Image.info`` (format plugins' names for them); none reaches the output.
_EXIF_KEYS = ("exif", "Raw profile type exif", "Raw profile type APP1")
_XMP_KEYS = ("xmp", "XML:com.adobe.xmp")
_COMMENT_KEYS = ("comment", "Comment", "Description", "Title", "Author", "Copyright", "Software", "Source")
_GPS_IFD = 0x8825
_ORIENTATION = 0x0112
# What Pillow's decoders raise on bytes they cannot make a picture of (struct.error and IndexError from
# headers too short for what they claim; SyntaxError is how several plugins say "not this format"), and
# pillow-heif's RuntimeError for what libheif cannot decode (a HEIF coded with a codec it lacks).
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError, RuntimeError)


# -- refusals ------------------------------------------------------------------------------------------------
class UnsupportedImage(UnsupportedMediaType):
    """The bytes are not a JPEG, a PNG, a WebP or a HEIC (whatever the file's name says)."""

    code = "unsupported_image"


class EmptyImage(Unprocessable):
    code = "empty_image"


class ImageTooLarge(PayloadTooLarge):
    """More bytes than MAX_BYTES."""

    code = "image_too_large"


class TooManyPixels(Unprocessable):
    """Wider or taller than MAX_SIDE, or more than MAX_PIXELS: a decompression bomb, or close enough."""

    code = "too_many_pixels"


class UnsafeImage(Unprocessable):
    """Small, but built to cost far more to decode than a photo does (a JPEG of too many scans)."""

    code = "unsafe_image"


class CorruptImage(Unprocessable):
    """The header said a supported format; the decoder found the rest truncated or damaged."""

    code = "corrupt_image"


REFUSALS = (UnsupportedImage, EmptyImage, ImageTooLarge, TooManyPixels, UnsafeImage, CorruptImage)


@dataclass(frozen=True)
class CleanImage:
    """A photo's pixels, upright and in sRGB, encoded as a JPEG with nothing else in it."""

    data: bytes = dataclass_field(repr=False)
    width: int
    height: int
    source_format: str  # what was uploaded: one of FORMATS
    orientation_applied: int  # the EXIF orientation (1-8) the pixels were turned by; 1: none
    had_exif: bool
    had_gps: bool
    had_xmp: bool
    had_icc_profile: bool
    had_comments: bool  # a JPEG comment, PNG text chunks (author, software, description...)
    # The decoded pixels (RGB), kept so thumbnails need not decode the JPEG again.
    pixels: PILImage.Image = dataclass_field(repr=False, compare=False)

    format = OUTPUT_FORMAT
    content_type = OUTPUT_CONTENT_TYPE

    def record(self) -> dict[str, Any]:
        """The photo record's account of the upload and of what was taken out of it."""
        return {
            "width": self.width,
            "height": self.height,
            "bytes": len(self.data),
            "format": self.format,
            "contentType": self.content_type,
            "sourceFormat": self.source_format,
            "orientationApplied": self.orientation_applied,
            "hadExif": self.had_exif,
            "hadGps": self.had_gps,
            "hadXmp": self.had_xmp,
            "hadIccProfile": self.had_icc_profile,
            "hadComments": self.had_comments,
        }


# -- the entry points ----------------------------------------------------------------------------------------
def check(data: bytes, *, field: str = "photo", max_bytes: int = MAX_BYTES) -> str:
    """The photo's format (one of FORMATS), or a refusal, from everything that can be known before
    decoding a pixel: its size in bytes, its format by its bytes, its size in pixels from its header."""
    _check_size(data, field, max_bytes)
    kind = sniff(data, field=field)
    if kind in _ISOLATED_KINDS:
        _isolated(_header_read, data, kind, field)
    else:
        _header_read(data, kind, field)
    return kind


def clean(data: bytes, *, field: str = "photo", max_bytes: int = MAX_BYTES, max_side: int | None = None) -> CleanImage:
    """The photo decoded, upright, flattened, in sRGB and re-encoded as a JPEG without any metadata.

    ``max_side`` (optional) scales a larger photo down to fit in a square of that side."""
    from PIL import Image

    pixels, metadata, kind = _decoded(data, field, max_bytes)
    if max_side is not None and max(pixels.size) > max_side:
        pixels.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return CleanImage(
        data=_jpeg(pixels, JPEG_QUALITY),
        width=pixels.width,
        height=pixels.height,
        source_format=kind,
        orientation_applied=metadata.orientation,
        had_exif=metadata.had_exif,
        had_gps=metadata.had_gps,
        had_xmp=metadata.had_xmp,
        had_icc_profile=metadata.icc_profile is not None,
        had_comments=metadata.had_comments,
        pixels=pixels,
    )


def upright(data: bytes, *, field: str = "photo", max_bytes: int = MAX_BYTES) -> PILImage.Image:
    """The photo's pixels, upright, flattened and in sRGB, after every check ``clean`` makes (for an edit
    that encodes its own output: the offline try-on)."""
    return _decoded(data, field, max_bytes)[0]


def _decoded(data: bytes, field: str, max_bytes: int) -> tuple[PILImage.Image, _Metadata, str]:
    _check_size(data, field, max_bytes)
    kind = sniff(data, field=field)
    if kind not in _ISOLATED_KINDS:
        pixels, metadata = _decoded_here(data, kind, field)
        return pixels, metadata, kind
    from PIL import Image

    header, raw = _isolated(_decoded_for_parent, data, kind, field)
    pixels = Image.frombytes("RGB", (header["width"], header["height"]), raw)
    return pixels, _Metadata.from_header(header["metadata"]), kind


def _decoded_here(data: bytes, kind: str, field: str) -> tuple[PILImage.Image, _Metadata]:
    image = _open(data, kind, field)
    try:
        image.load()
    except _DECODE_ERRORS as error:
        raise CorruptImage(f"the {_label(kind)} is truncated or damaged: {_reason(error)}", field=field) from error
    metadata = _Metadata.read(image, kind)
    return _srgb(_upright(image, metadata.orientation, field, kind), metadata.icc_profile), metadata


# -- decoders that run apart ---------------------------------------------------------------------------------
def _isolated(function: Any, data: bytes, kind: str, field: str) -> tuple[dict[str, Any], bytes]:
    """``function`` run in a forked child (zik.studio.isolation): a decoder that crashes on the file, or
    spins on it, refuses the photo instead of killing the process."""
    from zik.studio import isolation

    _pillow(kind)  # imported and configured here, so the child inherits them rather than importing
    try:
        return isolation.run(function, data, kind, field, timeout=ISOLATED_DECODE_SECONDS, errors=REFUSALS)
    except isolation.IsolatedFailure as failure:
        what = "took too long on it" if failure.timed_out else "failed on it"
        raise CorruptImage(f"the {_label(kind)} is damaged: its decoder {what}", field=field) from failure


def _header_read(data: bytes, kind: str, field: str) -> tuple[dict[str, Any], bytes]:
    _open(data, kind, field).close()
    return {}, b""


def _decoded_for_parent(data: bytes, kind: str, field: str) -> tuple[dict[str, Any], bytes]:
    pixels, metadata = _decoded_here(data, kind, field)
    return {"width": pixels.width, "height": pixels.height, "metadata": metadata.header()}, pixels.tobytes()


def thumbnails(image: CleanImage | bytes, sizes: tuple[int, ...] = THUMBNAIL_SIZES) -> dict[int, bytes]:
    """JPEG thumbnails, each fitting in a square of its size (never scaled up), with no metadata.

    ``image`` is a CleanImage, or bytes (which go through ``clean`` first: every check applies)."""
    from PIL import Image

    if any(not isinstance(size, int) or isinstance(size, bool) or size < 1 for size in sizes):
        raise ValueError(f"thumbnail sizes are positive whole numbers of pixels, not {sizes!r}")
    source = image if isinstance(image, CleanImage) else clean(image)
    out: dict[int, bytes] = {}
    # Largest first, each made from the one before: shrinking 1024 px to 256 px costs a sixteenth of
    # shrinking the original again, for the same picture.
    current = source.pixels
    for size in sorted(set(sizes), reverse=True):
        if max(current.size) > size:
            current = current.copy()
            current.thumbnail((size, size), Image.Resampling.LANCZOS)
        out[size] = _jpeg(current, THUMBNAIL_QUALITY)
    return {size: out[size] for size in sizes}


def sniff(data: bytes, *, field: str = "photo") -> str:
    """The format (one of FORMATS) from the bytes alone; anything else is refused, saying what it looks
    like when that is known."""
    if not data:
        raise EmptyImage("the file is empty", field=field)
    if data.startswith(_JPEG_MAGIC):
        return "jpeg"
    if data.startswith(_PNG_MAGIC):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp":
        return _sniff_ftyp(data, field)
    raise UnsupportedImage(f"the file is {_what_else(data)}, not a photo: send a JPEG, PNG, WebP or HEIC", field=field)


# -- what the bytes are --------------------------------------------------------------------------------------
def _sniff_ftyp(data: bytes, field: str) -> str:
    box_size = int.from_bytes(data[:4], "big")
    end = min(max(box_size, 16), 16 + 4 * _MAX_FTYP_BRANDS, len(data))
    major = data[8:12]
    brands = {major, *(data[offset : offset + 4] for offset in range(16, end - 3, 4))}
    if brands & _HEIC_BRANDS:
        return "heic"
    if brands & _AVIF_BRANDS:
        raise UnsupportedImage("the file is an AVIF image, not a photo we take: send a JPEG, PNG, WebP or HEIC", field=field)
    if brands & _HEIF_BRANDS:
        return "heif"
    if major == _QUICKTIME_BRAND:
        what = "a QuickTime video"
    elif major in _VIDEO_BRANDS or brands & _VIDEO_BRANDS:
        what = "an MP4 video (or other ISO media)"
    else:
        what = f"an ISO media file of brand {major.decode('latin-1')!r}"
    raise UnsupportedImage(f"the file is {what}, not a photo: send a JPEG, PNG, WebP or HEIC", field=field)


def _what_else(data: bytes) -> str:
    if _PDF_MAGIC in data[:_PDF_HEADER_WINDOW]:
        return "a PDF document"
    for magic, what in _FOREIGN_MAGIC:
        if data.startswith(magic):
            return what
    if data[:2] == b"BM" and len(data) >= 18 and int.from_bytes(data[14:18], "little") in _BMP_HEADER_SIZES:
        return "a BMP image"
    if data[:4] == b"RIFF":
        return "a RIFF file (audio or video) that is no WebP"
    sample = data[:_TEXT_SAMPLE]
    if _is_text(sample):
        if _SVG.search(sample):
            return "an SVG drawing"
        if _HTML.search(sample):
            return "an HTML page"
        return "text"
    return "of a kind we do not recognise"


def _is_text(sample: bytes) -> bool:
    if _CONTROL_BYTES.search(sample):
        return False
    try:
        sample.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # A multi-byte character cut by the sample's end is still text.
        return error.start >= len(sample) - 3 and error.reason == "unexpected end of data"
    return True


def _label(kind: str) -> str:
    return {"jpeg": "JPEG", "png": "PNG", "webp": "WebP", "heic": "HEIC", "heif": "HEIF"}[kind]


def _reason(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text[:200]


# -- bounds before decoding ----------------------------------------------------------------------------------
def _check_size(data: bytes, field: str, max_bytes: int) -> None:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"a photo is bytes, not {type(data).__name__}")
    if len(data) > max_bytes:
        raise ImageTooLarge(
            f"the file is {len(data)} bytes; a photo may be at most {max_bytes} bytes ({max_bytes // (1024 * 1024)} MB)",
            field=field,
            details={"bytes": len(data), "maxBytes": max_bytes},
        )


def _open(data: bytes, kind: str, field: str) -> PILImage.Image:
    """The image opened lazily (its header read, no pixel decoded), within the pixel bounds."""
    Image = _pillow(kind)
    if kind == "jpeg":
        _check_jpeg_scans(bytes(data), field)
    with warnings.catch_warnings():
        # A JPEG's header reading reads its EXIF (for the DPI), warning of each damaged tag: all dropped.
        warnings.simplefilter("ignore", UserWarning)
        # Pillow warns past MAX_IMAGE_PIXELS (the check below refuses those, saying their size) and
        # raises past twice that.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=[_PILLOW_FORMATS[kind]])
        except Image.DecompressionBombError as error:
            raise TooManyPixels(
                f"the {_label(kind)} is a decompression bomb: {_reason(error)}",
                field=field,
                details={"maxSide": MAX_SIDE, "maxPixels": MAX_PIXELS},
            ) from error
        except _DECODE_ERRORS as error:
            raise CorruptImage(f"the {_label(kind)}'s header is damaged: {_reason(error)}", field=field) from error
    width, height = image.size
    if width < 1 or height < 1:
        image.close()
        raise CorruptImage(f"the {_label(kind)} says it is {width} x {height} pixels", field=field)
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        image.close()
        raise _too_many_pixels(width, height, field)
    return image


def _too_many_pixels(width: int, height: int, field: str) -> TooManyPixels:
    return TooManyPixels(
        f"the picture is {width:,} x {height:,} pixels; a photo may be at most {MAX_SIDE:,} pixels a side "
        f"and {MAX_PIXELS // 1_000_000} megapixels in all",
        field=field,
        details={"width": width, "height": height, "maxSide": MAX_SIDE, "maxPixels": MAX_PIXELS},
    )


def _check_jpeg_scans(data: bytes, field: str) -> None:
    """Count a JPEG's scans (SOS markers) by walking its segments, without decoding anything."""
    scans = 0
    position = 2  # after SOI
    end = len(data)
    while position + 1 < end:
        if data[position] != 0xFF:
            return  # not a marker where one should be: the decoder will say what is wrong
        marker = data[position + 1]
        if marker == 0xFF:  # fill bytes before a marker
            position += 1
            continue
        if marker in _JPEG_STANDALONE:
            position += 2
            continue
        if marker == _JPEG_EOI or position + 4 > end:
            return
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        position += 2 + length
        if marker != _JPEG_SOS:
            continue
        scans += 1
        if scans > MAX_JPEG_SCANS:
            raise UnsafeImage(
                f"the JPEG has more than {MAX_JPEG_SCANS} scans, far more than any photo: it would cost minutes to decode",
                field=field,
                details={"maxScans": MAX_JPEG_SCANS},
            )
        following = _JPEG_MARKER_AFTER_SCAN.search(data, position)
        if following is None:
            return
        position = following.start()


_configured: set[str] = set()


def _pillow(kind: str) -> Any:
    """Pillow's Image module, set for hostile input (and pillow-heif's opener registered for HEIF)."""
    from PIL import Image, ImageFile

    if "pillow" not in _configured:
        # The same cap in Pillow's own guard: whoever else opens an image in this process gets it too.
        Image.MAX_IMAGE_PIXELS = MAX_PIXELS
        ImageFile.LOAD_TRUNCATED_IMAGES = False  # (Pillow's default, held: a cut-off upload is refused)
        _configured.add("pillow")
    if kind in ("heic", "heif") and "heif" not in _configured:
        import pillow_heif

        # Only the primary picture is wanted: not its thumbnails, depth maps or auxiliary images.
        pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)
        _configured.add("heif")
    return Image


# -- metadata, orientation and colour ------------------------------------------------------------------------
@dataclass(frozen=True)
class _Metadata:
    orientation: int
    had_exif: bool
    had_gps: bool
    had_xmp: bool
    had_comments: bool
    icc_profile: bytes | None

    @classmethod
    def read(cls, image: PILImage.Image, kind: str) -> _Metadata:
        info = image.info
        exif_bytes_present = any(info.get(key) for key in _EXIF_KEYS)
        try:
            with warnings.catch_warnings():
                # Pillow warns of each damaged EXIF tag it skips: nothing to tell, all of it is dropped.
                warnings.simplefilter("ignore", UserWarning)
                exif = image.getexif()  # (read now; Pillow keeps it for ImageOps.exif_transpose)
                tags = dict(exif)
                gps = dict(exif.get_ifd(_GPS_IFD)) if _GPS_IFD in exif else {}
        except _DECODE_ERRORS:
            # EXIF this damaged is dropped like any other: the picture itself decoded.
            tags, gps = {}, {}
        if kind in ("heic", "heif"):
            # libheif has turned the pixels already (and pillow-heif set the EXIF tag to 1).
            orientation = _orientation(info.get("original_orientation"))
        else:
            orientation = _orientation(tags.get(_ORIENTATION))
        icc = info.get("icc_profile")
        return cls(
            orientation=orientation,
            had_exif=exif_bytes_present or bool(tags),
            had_gps=bool(gps) or _GPS_IFD in tags,
            had_xmp=any(info.get(key) for key in _XMP_KEYS),
            had_comments=any(info.get(key) for key in _COMMENT_KEYS),
            icc_profile=bytes(icc) if isinstance(icc, (bytes, bytearray)) and icc else None,
        )

    def header(self) -> dict[str, Any]:
        """The metadata as JSON, for a decode that ran in a child."""
        fields = asdict(self)
        fields["icc_profile"] = None if self.icc_profile is None else base64.b64encode(self.icc_profile).decode()
        return fields

    @classmethod
    def from_header(cls, header: dict[str, Any]) -> _Metadata:
        icc = header["icc_profile"]
        return cls(**{**header, "icc_profile": None if icc is None else base64.b64decode(icc)})


def _orientation(value: Any) -> int:
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _upright(image: PILImage.Image, orientation: int, field: str, kind: str) -> PILImage.Image:
    """The pixels turned as the camera said, on an image that carries no metadata any more."""
    from PIL import ImageOps

    # exif_transpose reads the orientation from the EXIF read above (kept by Pillow); with the info
    # emptied, the turned copy has nothing left to rewrite, and nothing travels on to the encoder.
    # Only a PNG's or a GIF-like palette's transparent colour stays: it is a property of the pixels.
    image.info = {key: value for key, value in image.info.items() if key == "transparency"}
    if orientation == 1 or kind in ("heic", "heif"):
        return image
    try:
        upright = ImageOps.exif_transpose(image)
    except _DECODE_ERRORS as error:
        raise CorruptImage(f"the {_label(kind)} could not be turned upright: {_reason(error)}", field=field) from error
    assert upright is not None
    upright.info = {}
    return upright


def _srgb(image: PILImage.Image, icc_profile: bytes | None) -> PILImage.Image:
    """RGB pixels in sRGB, any transparency flattened on BACKGROUND."""
    from PIL import Image

    image = _flattened(image)
    if icc_profile is not None:
        converted = _icc_to_srgb(image, icc_profile)
        if converted is not None:
            image = converted
    if image.mode != "RGB":
        image = image.convert("RGB")
    image.info = {}
    assert isinstance(image, Image.Image)
    return image


def _flattened(image: PILImage.Image) -> PILImage.Image:
    """L, RGB or CMYK pixels (the modes an ICC profile is made for), with no alpha."""
    from PIL import Image

    mode = image.mode
    if mode.startswith("I;16") or mode == "I":
        # 16-bit grey: scaled to 8 bits (a plain convert("L") would clip everything past 255 to white).
        return image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if mode == "1":
        return image.convert("L")
    if mode in ("L", "RGB", "CMYK") and "transparency" not in image.info:
        return image
    if mode in ("LA", "La") or (mode == "L" and "transparency" in image.info):
        grey = image.convert("LA")
        flat = Image.new("L", grey.size, BACKGROUND[0])
        flat.paste(grey.getchannel("L"), mask=grey.getchannel("A"))
        return flat
    if mode in ("RGBA", "RGBa", "PA", "P") or "transparency" in image.info:
        colour = image.convert("RGBA")
        flat = Image.new("RGB", colour.size, BACKGROUND)
        flat.paste(colour, mask=colour.getchannel("A"))
        return flat
    return image.convert("RGB")


def _icc_to_srgb(image: PILImage.Image, icc_profile: bytes) -> PILImage.Image | None:
    """The pixels converted from their ICC profile to sRGB; None when the profile cannot be used."""
    from PIL import ImageCms

    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        space = profile.profile.xcolor_space.strip()
        if (space, image.mode) not in (("RGB", "RGB"), ("GRAY", "L"), ("CMYK", "CMYK")):
            return None
        if image.mode == "RGB" and "srgb" in (profile.profile.profile_description or "").lower():
            return image  # already sRGB: nothing to convert
        converted = ImageCms.profileToProfile(
            image,
            profile,
            ImageCms.createProfile("sRGB"),
            renderingIntent=ImageCms.Intent.PERCEPTUAL,
            outputMode="RGB",
        )
    except (ImageCms.PyCMSError, *_DECODE_ERRORS):
        return None
    return converted


def _jpeg(image: PILImage.Image, quality: int) -> bytes:
    """The pixels alone as a baseline JPEG: no EXIF, XMP, ICC profile or comment is given to the encoder,
    and the image carries none it could pick up on its own."""
    image.info = {}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()
