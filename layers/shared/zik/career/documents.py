"""Text out of a resume file: PDF, DOCX or plain text, told apart by their bytes, never by a name.

A file's name and declared type are the client's word; its first bytes are not. An executable, an image,
an old Word ``.doc`` or a ZIP that is no Word document is refused whatever it is called (415), before any
parser sees it. What is read is read with bounds:

- PDF (pypdf): at most MAX_PAGES pages; a password-protected file (one that an empty password does not
  open) and a file whose pages hold no text (a scan, an image) say so (422), as does a file pypdf cannot
  parse.
- DOCX (python-docx): the archive is checked first by decompressing every member, in chunks, counting the
  bytes that really come out (a ZIP's header sizes are the sender's word too): more than
  MAX_UNCOMPRESSED_BYTES in all, a member that expands more than MAX_COMPRESSION_RATIO times, or more than
  MAX_MEMBERS members is a decompression bomb, refused (422) before python-docx reads anything.
- Plain text: UTF-8 (a byte-order mark is fine) with no NUL or other control byte but tab, line feed,
  form feed and carriage return.

At most MAX_TEXT_CHARS characters of text are kept (``truncated`` says when more was there). Pure: no
AWS. pypdf and python-docx are imported on first use, so a handler that never reads a file never pays for
them at cold start.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from zik.errors import PayloadTooLarge, Unprocessable, UnsupportedMediaType, ZikError

MAX_FILE_BYTES = 5 * 1024 * 1024  # the seed's limit of a resume
MAX_TEXT_CHARS = 100_000
MAX_PAGES = 30
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_MEMBERS = 1000
# Small members compress oddly (an empty part, a run of spaces): the ratio is only held against a member
# once this much has come out of it.
RATIO_GRACE_BYTES = 1024 * 1024
_CHUNK = 64 * 1024
# A page whose words add up to fewer letters than this holds no text worth reading (page numbers, a stray
# character under a scanned image).
MIN_LETTERS = 20

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT = "text/plain"
CONTENT_TYPES = {"pdf": PDF, "docx": DOCX, "text": TEXT}
EXTENSIONS = {"pdf": "pdf", "docx": "docx", "text": "txt"}

# Bytes that begin files a resume never is, with what to call them in the refusal.
_FOREIGN_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x7fELF", "an executable program (ELF)"),
    (b"MZ", "a Windows executable (MZ/PE)"),
    (b"\xfe\xed\xfa\xce", "a macOS executable (Mach-O)"),
    (b"\xfe\xed\xfa\xcf", "a macOS executable (Mach-O)"),
    (b"\xce\xfa\xed\xfe", "a macOS executable (Mach-O)"),
    (b"\xcf\xfa\xed\xfe", "a macOS executable (Mach-O)"),
    (b"\xca\xfe\xba\xbe", "a macOS universal executable or a Java class file"),
    (b"\x00asm", "a WebAssembly module"),
    (b"#!", "a script"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Word .doc (or another OLE2 file): save it as DOCX or PDF"),
    (b"{\\rtf", "an RTF document: save it as DOCX or PDF"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
)
# Two letters a text resume may well begin with ("MZ Okafor"): an executable has binary bytes after them.
_TEXT_LIKE_MAGIC = frozenset({b"MZ"})
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_PDF_MAGIC = b"%PDF-"
# Acrobat accepts a PDF whose header comes within its first 1024 bytes; so do we.
_PDF_HEADER_WINDOW = 1024
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_C1_CONTROLS = re.compile("[\u0080-\u009f]")
_BLANK_RUNS = re.compile(r"\n{3,}")
_SPACE_RUNS = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff\u00ad\x00]")


# -- refusals ------------------------------------------------------------------------------------------------
class UnsupportedDocument(UnsupportedMediaType):
    """The bytes are not a PDF, a DOCX or UTF-8 text (whatever the file's name says)."""

    code = "unsupported_file_type"


class EmptyDocument(Unprocessable):
    code = "empty_document"


class EncryptedDocument(Unprocessable):
    code = "encrypted_document"


class NoTextInDocument(Unprocessable):
    code = "no_text"


class MalformedDocument(Unprocessable):
    code = "malformed_document"


class UnsafeArchive(Unprocessable):
    """A DOCX that decompresses past the bounds: a zip bomb, or close enough to one."""

    code = "unsafe_archive"


class DocumentTooLarge(PayloadTooLarge):
    code = "file_too_large"


REFUSALS = (UnsupportedDocument, EmptyDocument, EncryptedDocument, NoTextInDocument, MalformedDocument, UnsafeArchive, DocumentTooLarge)


@dataclass(frozen=True)
class Document:
    kind: str  # "pdf" | "docx" | "text"
    text: str
    pages: int | None  # a PDF's page count (all of them, read or not)
    truncated: bool  # more text (or pages) was there than is kept

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.kind]


# -- the one entry point -----------------------------------------------------------------------------------
def read(data: bytes, *, field: str = "content", max_bytes: int = MAX_FILE_BYTES) -> Document:
    """The resume's text, or a refusal (a ZikError with a 4xx status naming ``field``)."""
    if len(data) > max_bytes:
        raise DocumentTooLarge(f"the file is {len(data)} bytes; a resume may be at most {max_bytes} bytes", field=field)
    kind = sniff(data, field=field)
    if kind == "pdf":
        document = _read_pdf(data, field)
    elif kind == "docx":
        document = _read_docx(data, field)
    else:
        document = _read_text(data, field)
    if not document.text.strip():
        raise EmptyDocument("the resume holds no text", field=field)
    return document


def sniff(data: bytes, *, field: str = "content") -> str:
    """ "pdf", "docx" or "text", from the bytes alone; anything else is refused, saying what it looks like."""
    if not data or not data.strip():
        raise EmptyDocument("the file is empty", field=field)
    for magic, what in _FOREIGN_MAGIC:
        if data.startswith(magic) and not (magic in _TEXT_LIKE_MAGIC and _is_text(data)):
            raise UnsupportedDocument(f"the file is {what}, not a resume: send a PDF, a DOCX or plain UTF-8 text", field=field)
    if _PDF_MAGIC in data[:_PDF_HEADER_WINDOW]:
        return "pdf"
    if data.startswith(_ZIP_MAGIC):
        _check_docx_members(data, field)
        return "docx"
    if _is_text(data):
        return "text"
    raise UnsupportedDocument("the file is neither a PDF, a DOCX nor UTF-8 text: send a resume in one of these", field=field)


# -- plain text ----------------------------------------------------------------------------------------------
def _is_text(data: bytes) -> bool:
    if _CONTROL_BYTES.search(data):
        return False
    try:
        decoded = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return not _C1_CONTROLS.search(decoded)


def _read_text(data: bytes, field: str) -> Document:
    text, truncated = _bounded(data.decode("utf-8-sig"))
    return Document("text", text, None, truncated)


# -- PDF -------------------------------------------------------------------------------------------------------
def _read_pdf(data: bytes, field: str) -> Document:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    malformed = MalformedDocument("the PDF is damaged or not a PDF we can read: export it again from your editor", field=field)
    encrypted = EncryptedDocument(
        "the PDF is password-protected, so there is no text we can read: save a copy without the password and send that",
        field=field,
    )
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            # Many PDFs carry only an owner password (printing or copying restrictions) and open with an
            # empty user password: those are read.
            try:
                opened = reader.decrypt("")
            except (DependencyError, NotImplementedError, FileNotDecryptedError):
                raise encrypted from None
            if not opened:
                raise encrypted
        page_count = len(reader.pages)
        parts: list[str] = []
        chars = 0
        for index in range(min(page_count, MAX_PAGES)):
            page_text = reader.pages[index].extract_text() or ""
            parts.append(page_text)
            chars += len(page_text)
            if chars > MAX_TEXT_CHARS:
                break
    except ZikError:
        raise
    except FileNotDecryptedError:
        raise encrypted from None
    except RecursionError:
        raise malformed from None
    except Exception:  # pypdf raises many kinds (PdfReadError, KeyError, ValueError, ...) on a broken file
        raise malformed from None
    text, truncated = _bounded("\n\n".join(parts))
    if _letters(text) < MIN_LETTERS:
        raise NoTextInDocument(
            "the PDF has no text we can read (it looks like a scanned image): export it as a text PDF from your editor, or send a DOCX",
            field=field,
        )
    return Document("pdf", text, page_count, truncated or page_count > MAX_PAGES)


def _letters(text: str) -> int:
    return sum(1 for ch in text if ch.isalpha())


# -- DOCX ------------------------------------------------------------------------------------------------------
def _check_docx_members(data: bytes, field: str) -> None:
    """That the ZIP is a Word document that decompresses within bounds, by decompressing it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise MalformedDocument("the file looks like a ZIP (as a DOCX is) but it is damaged", field=field) from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise UnsafeArchive(f"the archive holds {len(members)} files; a DOCX has far fewer (at most {MAX_MEMBERS} are read)", field=field)
        names = {member.filename for member in members}
        if "[Content_Types].xml" not in names or "word/document.xml" not in names:
            raise UnsupportedDocument("the file is a ZIP archive but not a Word document (DOCX): send a PDF, a DOCX or plain UTF-8 text", field=field)
        total = 0
        for member in members:
            if member.is_dir():
                continue
            total = _decompressed(archive, member, total, field)


def _decompressed(archive: zipfile.ZipFile, member: zipfile.ZipInfo, total: int, field: str) -> int:
    """``total`` plus what ``member`` really decompresses to; refuses a member or a sum past the bounds."""
    bomb = UnsafeArchive(
        f"the DOCX expands far beyond its size (more than {MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB, or a part more than "
        f"{MAX_COMPRESSION_RATIO} times its compressed size): refused as a possible zip bomb",
        field=field,
    )
    produced = 0
    try:
        with archive.open(member) as stream:
            while True:
                chunk = stream.read(_CHUNK)
                if not chunk:
                    break
                produced += len(chunk)
                if total + produced > MAX_UNCOMPRESSED_BYTES:
                    raise bomb
                if produced > RATIO_GRACE_BYTES and produced > MAX_COMPRESSION_RATIO * max(member.compress_size, 1):
                    raise bomb
    except ZikError:
        raise
    except Exception:
        # A CRC mismatch (BadZipFile), an encrypted member (RuntimeError), an unsupported compression method
        # (NotImplementedError), a truncated stream (EOFError), a corrupt one (zlib.error).
        raise MalformedDocument("the DOCX is damaged (a part of it cannot be decompressed): save it again and resend", field=field) from None
    return total + produced


def _read_docx(data: bytes, field: str) -> Document:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        lines = list(_docx_lines(document))
    except ZikError:
        raise
    except RecursionError:
        raise MalformedDocument("the DOCX is nested too deeply to read", field=field) from None
    except Exception:  # python-docx and lxml raise many kinds on a broken or foreign package
        raise MalformedDocument(
            "the DOCX could not be read as a Word document (damaged, or macro-enabled): save it as a plain .docx and resend",
            field=field,
        ) from None
    text, truncated = _bounded("\n".join(lines))
    return Document("docx", text, None, truncated)


def _docx_lines(document: object) -> list[str]:
    """The document's text in reading order: the headers' (where contact details often sit), then the body's
    paragraphs and tables (cells of a row joined by " | ", nested tables too). A list paragraph keeps a
    bullet, which Word stores as numbering rather than text, so that the ATS rules see a bullet list."""
    lines: list[str] = []
    chars = 0

    def add(line: str) -> bool:
        nonlocal chars
        lines.append(line)
        chars += len(line) + 1
        return chars <= MAX_TEXT_CHARS

    seen_headers: set[int] = set()
    for section in document.sections:  # type: ignore[attr-defined]
        header = section.header
        if header.is_linked_to_previous or id(header._element) in seen_headers:
            continue
        seen_headers.add(id(header._element))
        for paragraph in header.paragraphs:
            if paragraph.text.strip() and not add(paragraph.text):
                return lines
    for block in document.iter_inner_content():  # type: ignore[attr-defined]
        if not _block_lines(block, add, depth=0):
            break
    return lines


def _block_lines(block: object, add: object, *, depth: int) -> bool:
    from docx.table import Table

    if isinstance(block, Table):
        if depth > 5:
            return True
        for row in block.rows:
            cells: list[str] = []
            for cell in row.cells:
                text = " ".join(p.text.strip() for p in cell.paragraphs if p.text.strip())
                if text and (not cells or cells[-1] != text):  # merged cells repeat their text
                    cells.append(text)
                for inner in cell.tables:
                    if not _block_lines(inner, add, depth=depth + 1):
                        return False
            if cells and not add(" | ".join(cells)):  # type: ignore[operator]
                return False
        return True
    text = block.text  # type: ignore[attr-defined]
    if not text.strip():
        return add("")  # type: ignore[operator]
    if _is_list_paragraph(block) and not text.lstrip().startswith(("•", "-", "*", "–", "·")):
        text = "• " + text.strip()
    return add(text)  # type: ignore[operator]


def _is_list_paragraph(paragraph: object) -> bool:
    element = paragraph._p  # type: ignore[attr-defined]
    if element.pPr is not None and element.pPr.numPr is not None:
        return True
    style = getattr(paragraph, "style", None)
    name = (getattr(style, "name", "") or "").lower()
    return "list" in name


# -- text ----------------------------------------------------------------------------------------------------------
def _bounded(text: str) -> tuple[str, bool]:
    """``text`` tidied (NFC, invisible characters gone, runs of spaces and blank lines collapsed, lines
    trimmed) and cut to MAX_TEXT_CHARS at a line or word boundary; whether it was cut."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n"))
    text = _INVISIBLE.sub("", text)
    text = "\n".join(_SPACE_RUNS.sub(" ", line).strip() for line in text.split("\n"))
    text = _BLANK_RUNS.sub("\n\n", text).strip()
    if len(text) <= MAX_TEXT_CHARS:
        return text, False
    cut = text[:MAX_TEXT_CHARS]
    boundary = max(cut.rfind("\n"), cut.rfind(" "))
    return (cut[:boundary] if boundary > MAX_TEXT_CHARS // 2 else cut).rstrip(), True
