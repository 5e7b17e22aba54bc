"""zik.career.documents: resumes told apart by their bytes, their text read with real parsers (pypdf,
python-docx) within bounds, and every other file refused with a clear 4xx, never an unexpected error."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zik.career import documents
from zik.errors import ZikError

RESUME_LINES = [
    "Ada Lovelace",
    "London, UK | ada@example.com | +44 20 7946 0958",
    "EXPERIENCE",
    "Senior Data Engineer, Analytical Engines Ltd, Mar 2021 - Present",
    "- Led the migration of 40 batch jobs to Airflow, cutting failures by 65%",
    "SKILLS",
    "Python, SQL, Spark, Airflow, AWS",
]


def make_pdf(pages: list[list[str]]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for lines in pages:
        pdf.add_page()
        for line in lines:
            pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def make_image_pdf() -> bytes:
    """A scanned resume: the page is one picture of text, with no text layer."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (600, 200), "white")
    ImageDraw.Draw(picture).text((20, 20), "Ada Lovelace - Data Engineer - ada@example.com", fill="black")
    pdf = FPDF()
    pdf.add_page()
    pdf.image(picture, x=10, y=10, w=180)
    return bytes(pdf.output())


def encrypted(pdf: bytes, *, user_password: str, algorithm: str = "AES-256") -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_docx(*, with_table: bool = True, header: str | None = "ada@example.com | +44 20 7946 0958") -> bytes:
    import docx

    document = docx.Document()
    if header:
        document.sections[0].header.paragraphs[0].text = header
    document.add_heading("Ada Lovelace", level=1)
    document.add_paragraph("Experience")
    document.add_paragraph("Led the migration of 40 batch jobs to Airflow", style="List Bullet")
    document.add_paragraph("Built a Spark pipeline for 300 analysts", style="List Bullet")
    if with_table:
        table = document.add_table(rows=2, cols=2)
        table.cell(0, 0).text = "Skills"
        table.cell(0, 1).text = "Python, SQL, Spark"
        table.cell(1, 0).text = "Education"
        table.cell(1, 1).text = "BSc Mathematics, 2016"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def zip_of(members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def refusal(data: bytes) -> ZikError:
    with pytest.raises(ZikError) as caught:
        documents.read(data)
    return caught.value


# -- PDF -------------------------------------------------------------------------------------------------------
def test_a_one_page_pdf_is_read_in_order() -> None:
    document = documents.read(make_pdf([RESUME_LINES]))
    assert document.kind == "pdf" and document.pages == 1 and not document.truncated
    assert document.content_type == "application/pdf" and document.extension == "pdf"
    lines = document.text.split("\n")
    assert lines[0] == "Ada Lovelace"
    assert "- Led the migration of 40 batch jobs to Airflow, cutting failures by 65%" in lines
    assert lines.index("EXPERIENCE") < lines.index("SKILLS")


def test_a_two_page_pdf_is_read_whole() -> None:
    document = documents.read(make_pdf([RESUME_LINES, ["EDUCATION", "BSc Mathematics, University of London, 2013 - 2016"]]))
    assert document.pages == 2
    assert document.text.index("SKILLS") < document.text.index("EDUCATION")
    assert "BSc Mathematics" in document.text


def test_a_pdf_behind_a_password_is_refused_saying_so() -> None:
    for algorithm in ("AES-256", "RC4-128"):
        error = refusal(encrypted(make_pdf([RESUME_LINES]), user_password="open-sesame", algorithm=algorithm))
        assert (error.status, error.code, error.field) == (422, "encrypted_document", "content")
        assert "password" in error.message and "no text" in error.message


def test_a_pdf_with_only_an_owner_password_opens_and_is_read() -> None:
    # Restrictions on printing or copying do not hide the text: an empty user password opens it.
    document = documents.read(encrypted(make_pdf([RESUME_LINES]), user_password="", algorithm="RC4-128"))
    assert "Ada Lovelace" in document.text


def test_an_image_only_pdf_is_refused_saying_it_has_no_text() -> None:
    error = refusal(make_image_pdf())
    assert (error.status, error.code) == (422, "no_text")
    assert "no text" in error.message and "scanned" in error.message


@pytest.mark.parametrize("data", [b"%PDF-1.4\nnot really a pdf", make_pdf([RESUME_LINES])[:400]], ids=["garbage", "truncated"])
def test_a_damaged_pdf_is_a_422(data: bytes) -> None:
    error = refusal(data)
    assert error.status == 422 and error.code in ("malformed_document", "no_text")


def test_only_the_first_pages_of_a_long_pdf_are_read(monkeypatch) -> None:
    monkeypatch.setattr(documents, "MAX_PAGES", 2)
    document = documents.read(make_pdf([[f"Page {n} of a long CV with enough words to read"] for n in range(1, 5)]))
    assert document.pages == 4 and document.truncated
    assert "Page 2" in document.text and "Page 3" not in document.text


# -- DOCX ------------------------------------------------------------------------------------------------------
def test_a_docx_is_read_with_its_header_bullets_and_tables() -> None:
    document = documents.read(make_docx())
    assert document.kind == "docx" and document.pages is None
    lines = document.text.split("\n")
    assert lines[0] == "ada@example.com | +44 20 7946 0958"
    assert "• Led the migration of 40 batch jobs to Airflow" in lines
    assert "Skills | Python, SQL, Spark" in lines and "Education | BSc Mathematics, 2016" in lines


def test_a_docx_zip_bomb_is_refused_before_python_docx_reads_it() -> None:
    bomb = zip_of(
        {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": b"<w:document/>",
            "word/media/padding.bin": bytes(100 * 1024 * 1024),  # 100 MB of zeros: about 100 KB compressed
        }
    )
    assert len(bomb) < documents.MAX_FILE_BYTES
    error = refusal(bomb)
    assert (error.status, error.code) == (422, "unsafe_archive")
    assert "zip bomb" in error.message


def test_the_total_a_docx_expands_to_is_bounded_by_the_bytes_that_come_out(monkeypatch) -> None:
    monkeypatch.setattr(documents, "MAX_UNCOMPRESSED_BYTES", 2 * 1024 * 1024)
    members = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}
    members.update({f"word/media/part{n}.bin": bytes(range(256)) * 4096 for n in range(3)})  # 1 MB each, stored
    error = refusal(zip_of(members, compression=zipfile.ZIP_STORED))
    assert error.code == "unsafe_archive"


def test_a_zip_that_lies_about_its_sizes_is_not_trusted() -> None:
    """A member whose header says 10 bytes but that inflates to megabytes: zipfile stops at the declared
    size and the CRC check fails, so the lie ends in a refusal, not in megabytes read."""
    honest = zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": bytes(3 * 1024 * 1024)})
    header = honest.index(b"PK\x03\x04", honest.index(b"word/document.xml") - 40)
    lying = bytearray(honest)
    lying[header + 22 : header + 26] = (10).to_bytes(4, "little")  # the local header's uncompressed size
    central = honest.rindex(b"PK\x01\x02")
    lying[central + 24 : central + 28] = (10).to_bytes(4, "little")  # and the central directory's
    error = refusal(bytes(lying))
    assert (error.status, error.code) == (422, "malformed_document")


def test_a_zip_that_is_not_a_word_document_is_unsupported() -> None:
    error = refusal(zip_of({"xl/workbook.xml": b"<workbook/>", "[Content_Types].xml": b"<Types/>"}))
    assert (error.status, error.code) == (415, "unsupported_file_type")


def test_a_docx_with_too_many_members_is_refused(monkeypatch) -> None:
    monkeypatch.setattr(documents, "MAX_MEMBERS", 10)
    members = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}
    members.update({f"word/part{n}.xml": b"<x/>" for n in range(20)})
    assert refusal(zip_of(members)).code == "unsafe_archive"


def test_a_broken_docx_is_a_422() -> None:
    error = refusal(zip_of({"[Content_Types].xml": b"not xml", "word/document.xml": b"<w:document/>"}))
    assert (error.status, error.code) == (422, "malformed_document")


# -- plain text and the rest ----------------------------------------------------------------------------------------
def test_utf8_text_is_read_with_or_without_a_byte_order_mark() -> None:
    text = "Zoë Ångström\nDéveloppeuse, Paris\n\n\n\nPython   et SQL\r\n"
    for data in (text.encode(), b"\xef\xbb\xbf" + text.encode()):
        document = documents.read(data)
        assert document.kind == "text" and document.content_type == "text/plain"
        assert document.text == "Zoë Ångström\nDéveloppeuse, Paris\n\nPython et SQL"


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"\x7fELF\x02\x01\x01\x00" + bytes(120), "ELF"),
        (b"MZ\x90\x00\x03\x00\x00\x00" + bytes(120), "Windows executable"),
        (b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + bytes(120), "Mach-O"),
        (b"#!/bin/sh\nrm -rf /\n", "script"),
        (b"\x89PNG\r\n\x1a\n" + bytes(40), "PNG"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), ".doc"),
        ("Curriculum vitæ in Latin-1".encode("latin-1"), "neither"),
        ("UTF-16 text".encode("utf-16"), "neither"),
        (b"plain text with a NUL\x00 in it", "neither"),
    ],
    ids=["elf", "pe", "mach-o", "script", "png", "ole2", "latin-1", "utf-16", "nul"],
)
def test_files_that_are_no_resume_are_refused_by_their_bytes(data: bytes, said: str) -> None:
    error = refusal(data)
    assert (error.status, error.code, error.field) == (415, "unsupported_file_type", "content")
    assert said in error.message


def test_text_that_begins_like_an_executable_header_is_still_text() -> None:
    assert documents.read(b"MZ Okafor\nData Analyst, Lagos").kind == "text"


def test_an_executable_is_refused_whatever_it_is_called() -> None:
    """The name is not even an input: an ELF binary is refused as one, with a PDF's header inside it too."""
    elf = b"\x7fELF\x02\x01\x01" + bytes(60) + b"%PDF-1.7 decoy"
    assert "ELF" in refusal(elf).message


@pytest.mark.parametrize("data", [b"", b"   \n\t  \r\n", b"\xef\xbb\xbf"], ids=["nothing", "blank", "bom-only"])
def test_an_empty_resume_is_a_422(data: bytes) -> None:
    error = refusal(data)
    assert (error.status, error.code) == (422, "empty_document")


def test_a_file_over_the_limit_is_a_413() -> None:
    error = refusal(b"a" * (documents.MAX_FILE_BYTES + 1))
    assert (error.status, error.code) == (413, "file_too_large")


def test_text_is_cut_to_the_limit_at_a_word() -> None:
    document = documents.read(("word " * 30_000).encode())
    assert document.truncated and len(document.text) <= documents.MAX_TEXT_CHARS
    assert document.text.endswith("word")


# -- whatever comes in ---------------------------------------------------------------------------------------------
_SEEDS = [make_pdf([RESUME_LINES]), make_docx(with_table=False, header=None)]


def _mutated(seed: bytes, cuts: list[tuple[int, bytes]]) -> bytes:
    data = bytearray(seed)
    for position, chunk in cuts:
        at = position % max(len(data), 1)
        data[at : at + len(chunk)] = chunk
    return bytes(data)


FILES = st.one_of(
    st.binary(max_size=2048),
    st.builds(lambda rest: b"%PDF-1." + rest, st.binary(max_size=2048)),
    st.builds(lambda rest: b"PK\x03\x04" + rest, st.binary(max_size=2048)),
    st.text(max_size=500).map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.builds(_mutated, st.sampled_from(_SEEDS), st.lists(st.tuples(st.integers(min_value=0), st.binary(min_size=1, max_size=16)), max_size=4)),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(FILES)
def test_any_bytes_give_text_or_a_clear_refusal(data: bytes) -> None:
    try:
        document = documents.read(data)
    except ZikError as error:
        assert 400 <= error.status < 500 and error.field == "content" and error.message
        assert isinstance(error, documents.REFUSALS)
    else:
        assert document.kind in ("pdf", "docx", "text") and document.text.strip()
        assert len(document.text) <= documents.MAX_TEXT_CHARS
