"""Resumes through the real handlers (ResumeFunction, ResumeUploadedFunction) on the stack template.yaml
declares, in moto: real PDFs and DOCX files analysed, kept in the versioned bucket under the owner's prefix,
listed newest first, downloaded through their link, deleted with every version; uploads through a presigned
POST analysed from the bucket's event, once; bad files refused with nothing written; the profile's
``resume`` following the newest analysed resume."""

from __future__ import annotations

import base64
import copy
import io
import json
import zipfile
from typing import Any

import boto3
import pytest
import requests

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")

SUB = "8f1c2a7e-4b3d-4c9a-9e61-2d5b7f0a1c34"  # the user of the sample events
OTHER = {"sub": "0b5e2f1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b", "cognito:username": "0b5e2f1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b", "custom:tenant_id": "acme"}
PARTITION = f"TENANT#acme#USER#{SUB}"

RESUME_LINES = [
    "Ada Lovelace",
    "London, UK | ada@example.com | +44 20 7946 0958 | linkedin.com/in/ada-lovelace",
    "",
    "SUMMARY",
    "Data Engineer with 6 years of experience building reliable pipelines in Python, SQL and AWS.",
    "",
    "EXPERIENCE",
    "Senior Data Engineer, Analytical Engines Ltd",
    "Mar 2022 - Present",
    "- Led the migration of 40 batch jobs to Airflow, cutting failed runs by 65%",
    "- Built a Spark pipeline that processes 2 TB a day for 300 analysts",
    "- Worked on the data catalogue",
]
SECOND_PAGE = [
    "Data Engineer, Babbage & Co",
    "Jan 2020 - Feb 2022",
    "- Designed the ETL of billing data into Redshift from 15 sources",
    "",
    "EDUCATION",
    "BSc Mathematics, University of London, 2016 - 2019",
    "",
    "SKILLS",
    "Python, SQL, Spark, Airflow, AWS, Docker, Terraform, PostgreSQL",
]


def pdf_resume(pages: list[list[str]] | None = None) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=10)
    for lines in pages or [RESUME_LINES, SECOND_PAGE]:
        pdf.add_page()
        for line in lines:
            pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def docx_resume() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("Grace Hopper", level=1)
    document.add_paragraph("New York, USA | grace@example.com | +1 (212) 555-0134 | github.com/grace")
    document.add_paragraph("Skills")
    document.add_paragraph("JavaScript, TypeScript, React, HTML, CSS, Node.js, GraphQL, Jest")
    document.add_paragraph("Experience")
    document.add_paragraph("Frontend Engineer, Compilers Inc")
    document.add_paragraph("Jun 2021 - Present")
    document.add_paragraph("Rebuilt the checkout in React, raising conversion by 12%", style="List Bullet")
    document.add_paragraph("Responsible for the design system", style="List Bullet")
    document.add_paragraph("Education")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "BSc Computer Science"
    table.cell(0, 1).text = "2017 - 2021"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def image_pdf() -> bytes:
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (600, 200), "white")
    ImageDraw.Draw(picture).text((20, 20), "Ada Lovelace, Data Engineer", fill="black")
    pdf = FPDF()
    pdf.add_page()
    pdf.image(picture, x=10, y=10, w=180)
    return bytes(pdf.output())


def encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_resume())))
    writer.encrypt(user_password="open-sesame", owner_password="owner", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/media/image1.png", bytes(80 * 1024 * 1024))
    return out.getvalue()


def encoded(data: bytes) -> str:
    return base64.b64encode(data).decode()


# -- helpers over the stack --------------------------------------------------------------------------------------
def analyze(
    career, data: bytes, file_name: str = "resume.pdf", *, claims: dict[str, Any] | None = None, headers: dict[str, str] | None = None, **fields: Any
):
    return career.api(
        "ResumeFunction", "career_resume_analyze", body={"fileName": file_name, "content": encoded(data), **fields}, claims=claims, headers=headers
    )


def bucket(career) -> str:
    return career.env("ResumeFunction")["RESUMES_BUCKET"]


def table(career) -> str:
    return career.env("ResumeFunction")["CAREER_TABLE"]


def career_items(career) -> list[dict[str, Any]]:
    return boto3.client("dynamodb").scan(TableName=table(career), ConsistentRead=True)["Items"]


def resume_items(career) -> list[dict[str, Any]]:
    return [item for item in career_items(career) if item["sk"]["S"].startswith("RESUME#")]


def versions(career, prefix: str = "") -> list[dict[str, Any]]:
    answer = boto3.client("s3").list_object_versions(Bucket=bucket(career), Prefix=prefix)
    return [*answer.get("Versions", []), *answer.get("DeleteMarkers", [])]


def profile_resume(career) -> dict[str, Any] | None:
    from zik.dynamo import from_item

    item = (
        boto3.client("dynamodb")
        .get_item(TableName=table(career), Key={"pk": {"S": PARTITION}, "sk": {"S": "PROFILE"}}, ConsistentRead=True)
        .get("Item")
    )
    return from_item(item).get("resume") if item else None


def uploaded_event(career, key: str, version_id: str | None, size: int, *, sequencer: str = "0067420B6D7A1C2F3E") -> dict[str, Any]:
    """The bucket's ObjectCreated notification, from the sample, for this object (keys arrive URL-encoded)."""
    event = career.sample("resume_uploaded_s3")
    record = event["Records"][0]
    record["s3"]["bucket"]["name"] = bucket(career)
    record["s3"]["bucket"]["arn"] = f"arn:aws:s3:::{bucket(career)}"
    record["s3"]["object"].update(key=key.replace("@", "%40"), size=size, versionId=version_id, sequencer=sequencer)
    return event


# -- analysis through the API ------------------------------------------------------------------------------------------
def test_a_two_page_pdf_is_analysed_kept_encrypted_and_named_on_the_profile(career) -> None:
    data = pdf_resume()
    reply = analyze(career, data, "Ada Lovelace – CV.pdf", targetRole="Data Engineer")
    assert reply.status == 201, reply.body
    resume = reply.body
    assert resume["status"] == "analyzed" and resume["source"] == "api"
    assert resume["contentType"] == "application/pdf" and resume["pageCount"] == 2 and resume["size"] == len(data)
    assert resume["fileName"] == "Ada Lovelace – CV.pdf"
    assert 0 <= resume["atsScore"] <= 100 and resume["strengths"] and resume["suggestions"]
    assert resume["sections"] == ["summary", "experience", "education", "skills"]
    assert {"Python", "SQL", "Spark", "Airflow", "AWS", "Redshift"} <= set(resume["skills"])
    assert resume["contact"]["email"] == "ada@example.com" and resume["contact"]["phone"] == "+44 20 7946 0958"
    assert resume["contact"]["github"] is None
    assert resume["targetRole"]["name"] == "Data Engineer" and resume["targetRole"]["missingSkills"] == []
    assert resume["seniority"] == "senior" and resume["yearsOfExperience"] > 4
    assert any('"Worked on the data catalogue"' in s for s in resume["suggestions"])

    key = f"resumes/acme/{SUB}/{resume['resumeId']}.pdf"
    stored = boto3.client("s3").get_object(Bucket=bucket(career), Key=key)
    assert stored["Body"].read() == data and stored["ContentType"] == "application/pdf"
    assert stored["VersionId"] and stored["VersionId"] != "null"  # the bucket keeps versions

    assert profile_resume(career) == {
        "resumeId": resume["resumeId"],
        "skills": resume["skills"],
        "yearsOfExperience": resume["yearsOfExperience"],
        "seniority": "senior",
        "analyzedAt": resume["analyzedAt"],
    }


def test_a_docx_is_analysed_and_the_list_goes_newest_first_in_pages(career) -> None:
    first = analyze(career, pdf_resume(), "ada.pdf").body
    second = analyze(career, docx_resume(), "grace.docx", targetRole="Frontend Engineer")
    assert second.status == 201, second.body
    docx = second.body
    assert docx["contentType"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document" and docx["pageCount"] is None
    assert {"JavaScript", "TypeScript", "React", "HTML", "CSS"} <= set(docx["skills"])
    assert docx["contact"]["github"] == "github.com/grace" and docx["sections"] == ["skills", "experience", "education"]
    assert any("'Responsible for'" in w for w in docx["weaknesses"])

    listed = career.api("ResumeFunction", "career_resume_list", query={})
    assert listed.status == 200
    assert [r["resumeId"] for r in listed.body["items"]] == [docx["resumeId"], first["resumeId"]]
    assert listed.body["latest"]["resumeId"] == docx["resumeId"] and listed.body["latest"]["suggestions"] == docx["suggestions"]
    assert "suggestions" not in listed.body["items"][0] and listed.body["nextCursor"] is None

    page = career.api("ResumeFunction", "career_resume_list", query={"limit": "1"}).body
    assert [r["resumeId"] for r in page["items"]] == [docx["resumeId"]] and page["nextCursor"]
    rest = career.api("ResumeFunction", "career_resume_list", query={"limit": "1", "cursor": page["nextCursor"]}).body
    assert [r["resumeId"] for r in rest["items"]] == [first["resumeId"]] and rest["latest"] is None
    assert profile_resume(career)["resumeId"] == docx["resumeId"]


def test_the_list_is_one_query(career, dynamodb_calls) -> None:
    analyze(career, pdf_resume(), "ada.pdf")
    store = career.load_function("ResumeFunction").resumes.store
    calls = dynamodb_calls(store.table.client, store.table.name)
    assert career.api("ResumeFunction", "career_resume_list", query={}).status == 200
    assert calls == ["Query"]


def test_a_resume_is_read_with_a_working_download_link(career) -> None:
    data = pdf_resume()
    created = analyze(career, data, "Ada Lovelace.pdf").body
    reply = career.api("ResumeFunction", "career_resume_get", params={"resumeId": created["resumeId"]})
    assert reply.status == 200, reply.body
    assert reply.body["atsScore"] == created["atsScore"] and reply.body["skills"] == created["skills"]
    assert reply.body["downloadExpiresAt"] > created["createdAt"]
    assert "X-Amz-Expires=300" in reply.body["downloadUrl"]
    download = requests.get(reply.body["downloadUrl"], timeout=10)
    assert download.status_code == 200 and download.content == data


def test_a_retried_request_records_one_resume(career) -> None:
    headers = {"Idempotency-Key": "resume-retry-1"}
    data = pdf_resume()  # one body: fpdf2 stamps each PDF with the time it was made
    first = analyze(career, data, headers=headers)
    again = analyze(career, data, headers=headers)
    assert first.status == again.status == 201
    assert again.body["resumeId"] == first.body["resumeId"]
    assert len(resume_items(career)) == 1 and len(versions(career)) == 1


def test_a_retry_after_a_first_attempt_that_died_finds_its_resume(career) -> None:
    """The first attempt wrote its resume and was killed before Powertools kept its answer: the retry runs
    again, and the resume named by the request's key is found before anything is written twice."""
    headers = {"Idempotency-Key": "resume-retry-2"}
    data = pdf_resume()
    first = analyze(career, data, headers=headers).body
    dynamodb = boto3.client("dynamodb")
    records = career.env("ResumeFunction")["IDEMPOTENCY_TABLE"]
    for item in dynamodb.scan(TableName=records)["Items"]:
        dynamodb.delete_item(TableName=records, Key={"id": item["id"]})
    again = analyze(career, data, headers=headers)
    assert again.status == 201 and again.body["resumeId"] == first["resumeId"]
    assert len(resume_items(career)) == 1 and len(versions(career)) == 1
    upload_key = {"Idempotency-Key": "upload-retry"}
    body = {"fileName": "cv.pdf", "contentType": "application/pdf", "size": 1000}
    pending = career.api("ResumeFunction", "career_resume_upload", body=body, headers=upload_key).body
    for item in dynamodb.scan(TableName=records)["Items"]:
        dynamodb.delete_item(TableName=records, Key={"id": item["id"]})
    retried = career.api("ResumeFunction", "career_resume_upload", body=body, headers=upload_key).body
    assert retried["resume"]["resumeId"] == pending["resume"]["resumeId"] and retried["upload"]["fields"]["key"] == pending["upload"]["fields"]["key"]
    assert len(resume_items(career)) == 2


def test_a_resume_that_cannot_be_recorded_leaves_no_original(career, monkeypatch) -> None:
    module = career.load_function("ResumeFunction")

    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("DynamoDB is down")

    monkeypatch.setattr(module.resumes.store, "create", fail)
    assert analyze(career, pdf_resume()).status == 500
    assert versions(career) == [] and resume_items(career) == []


def test_when_the_ai_cannot_answer_the_rules_analyse(career, monkeypatch) -> None:
    from zik import ai
    from zik.ai.errors import AIUnavailable

    def unavailable(task: str, data: Any, **kwargs: Any) -> dict[str, Any]:
        raise AIUnavailable(task, [{"provider": "bedrock", "outcome": "timeout"}])

    monkeypatch.setattr(ai, "run", unavailable)
    reply = analyze(career, pdf_resume(), targetRole="Data Engineer")
    assert reply.status == 201, reply.body
    assert reply.body["atsScore"] > 50 and any('"Worked on the data catalogue"' in s for s in reply.body["suggestions"])


def test_each_analysed_resume_is_one_resume_analyzed_event(career, event_sink) -> None:
    sink = event_sink(career.env("ResumeFunction")["EVENT_BUS_NAME"], {"source": ["zik.career"], "detail-type": ["ResumeAnalyzed"]})
    inline = analyze(career, pdf_resume()).body
    data = docx_resume()
    pending = request_upload(career, data, DOCX).body["resume"]
    key = f"uploads/acme/{SUB}/{pending['resumeId']}.docx"
    put = boto3.client("s3").put_object(Bucket=bucket(career), Key=key, Body=data)
    event = uploaded_event(career, key, put["VersionId"], len(data))
    career.step("ResumeUploadedFunction", event)
    career.step("ResumeUploadedFunction", event)  # redelivered
    analysed = career.api("ResumeFunction", "career_resume_get", params={"resumeId": pending["resumeId"]}).body
    details = [e["detail"] for e in sink.of_type("ResumeAnalyzed")]
    assert [(d["resumeId"], d["atsScore"], d["source"]) for d in details] == [
        (inline["resumeId"], inline["atsScore"], "api"),
        (pending["resumeId"], analysed["atsScore"], "upload"),
    ]


# -- deletion -----------------------------------------------------------------------------------------------------------
def test_delete_removes_every_version_and_the_item_and_the_profile_moves_on(career) -> None:
    older = analyze(career, pdf_resume(), "ada.pdf").body
    newer = analyze(career, docx_resume(), "grace.docx").body
    key = f"resumes/acme/{SUB}/{newer['resumeId']}.docx"
    s3 = boto3.client("s3")
    s3.put_object(Bucket=bucket(career), Key=key, Body=b"an older draft")  # a second version of the original
    s3.delete_object(Bucket=bucket(career), Key=key)  # and a delete marker
    assert len(versions(career, key)) == 3

    gone = career.api("ResumeFunction", "career_resume_delete", params={"resumeId": newer["resumeId"]})
    assert gone.status == 200, gone.body
    assert gone.body == {"resumeId": newer["resumeId"], "deleted": True, "versionsDeleted": 3}
    assert versions(career, key) == []
    assert [item["resumeId"]["S"] for item in resume_items(career)] == [older["resumeId"]]
    assert profile_resume(career)["resumeId"] == older["resumeId"]
    assert career.api("ResumeFunction", "career_resume_get", params={"resumeId": newer["resumeId"]}).status == 404
    assert career.api("ResumeFunction", "career_resume_delete", params={"resumeId": newer["resumeId"]}).status == 404

    assert career.api("ResumeFunction", "career_resume_delete", params={"resumeId": older["resumeId"]}).status == 200
    assert profile_resume(career) is None and versions(career) == [] and resume_items(career) == []


def test_deleting_an_older_resume_leaves_the_profile_on_the_newest(career) -> None:
    older = analyze(career, pdf_resume(), "ada.pdf").body
    newer = analyze(career, docx_resume(), "grace.docx").body
    assert career.api("ResumeFunction", "career_resume_delete", params={"resumeId": older["resumeId"]}).status == 200
    assert profile_resume(career)["resumeId"] == newer["resumeId"]


def test_another_users_resume_is_a_404_and_nothing_changes(career) -> None:
    mine = analyze(career, pdf_resume()).body
    before = (career_items(career), versions(career))
    for sample in ("career_resume_get", "career_resume_delete"):
        reply = career.api("ResumeFunction", sample, params={"resumeId": mine["resumeId"]}, claims=OTHER)
        assert reply.status == 404, reply.body
        assert reply.body["error"]["code"] == "not_found"
    theirs = career.api("ResumeFunction", "career_resume_list", query={}, claims=OTHER).body
    assert theirs == {"latest": None, "items": [], "nextCursor": None}
    assert (career_items(career), versions(career)) == before


# -- bad input --------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("make", "status", "code"),
    [
        (lambda: b"\x7fELF\x02\x01\x01\x00" + bytes(4000), 415, "unsupported_file_type"),
        (encrypted_pdf, 422, "encrypted_document"),
        (image_pdf, 422, "no_text"),
        (zip_bomb, 422, "unsafe_archive"),
        (lambda: b"  \n\n  ", 422, "empty_document"),
        (lambda: b"%PDF-1.7\nthis is no PDF", 422, "malformed_document"),
    ],
    ids=["executable-named-pdf", "encrypted-pdf", "image-only-pdf", "docx-zip-bomb", "empty", "damaged-pdf"],
)
def test_a_file_that_is_no_readable_resume_is_refused_and_nothing_is_written(career, make, status, code) -> None:
    reply = analyze(career, make(), "resume.pdf", contentType="application/pdf")
    assert reply.status == status, reply.body
    assert reply.body["error"]["code"] == code and reply.body["error"]["field"] == "content"
    assert resume_items(career) == [] and versions(career) == [] and profile_resume(career) is None


def test_a_20_mb_body_is_a_413_before_it_is_decoded(career) -> None:
    reply = career.api("ResumeFunction", "career_resume_analyze", body={"fileName": "big.pdf", "content": "A" * (20 * 1024 * 1024)})
    assert reply.status == 413
    assert "/api/resume/uploads" in reply.body["error"]["message"] and reply.body["error"]["field"] == "content"
    assert resume_items(career) == [] and versions(career) == []


def test_a_file_too_large_to_send_inline_points_to_the_uploads(career) -> None:
    reply = analyze(career, b"%PDF-1.7\n" + bytes(4 * 1024 * 1024 + 10))
    assert reply.status == 413
    assert "POST /api/resume/uploads" in reply.body["error"]["message"]
    assert resume_items(career) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"fileName": "cv.pdf", "content": "not base64 at all!"}, "content"),
        ({"fileName": "cv.pdf"}, "content"),
        ({"content": encoded(b"Ada Lovelace, engineer")}, "fileName"),
        ({"fileName": "cv.pdf", "content": encoded(b"Ada"), "targetRole": "x" * 101}, "targetRole"),
        ({"fileName": "cv.pdf", "content": encoded(b"Ada"), "owner": SUB}, "owner"),
    ],
    ids=["bad-base64", "no-content", "no-file-name", "long-role", "unknown-field"],
)
def test_a_bad_request_is_a_400_naming_the_field(career, body, field) -> None:
    reply = career.api("ResumeFunction", "career_resume_analyze", body=body)
    assert reply.status == 400, reply.body
    assert reply.body["error"]["field"] == field
    assert resume_items(career) == []


def test_a_data_url_from_a_browser_is_read(career) -> None:
    content = "data:application/pdf;base64," + encoded(pdf_resume())
    reply = career.api("ResumeFunction", "career_resume_analyze", body={"fileName": "cv.pdf", "content": content})
    assert reply.status == 201, reply.body


# -- uploads through a presigned POST ---------------------------------------------------------------------------------------
def request_upload(career, data: bytes, content_type: str, **fields: Any):
    return career.api(
        "ResumeFunction", "career_resume_upload", body={"fileName": "Grace Hopper.docx", "contentType": content_type, "size": len(data), **fields}
    )


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_an_upload_is_analysed_from_the_buckets_event_once(career) -> None:
    older = analyze(career, pdf_resume(), "ada.pdf").body
    data = docx_resume()
    reply = request_upload(career, data, DOCX, targetRole="Frontend Engineer")
    assert reply.status == 201, reply.body
    pending = reply.body["resume"]
    key = f"uploads/acme/{SUB}/{pending['resumeId']}.docx"
    assert pending["status"] == "pending" and pending["source"] == "upload"
    form = reply.body["upload"]
    assert form["method"] == "POST" and form["fields"]["key"] == key and form["fields"]["Content-Type"] == DOCX
    policy = json.loads(base64.b64decode(form["fields"]["policy"]))
    assert ["content-length-range", 1, 5 * 1024 * 1024] in policy["conditions"]
    assert {"Content-Type": DOCX} in policy["conditions"]
    assert career.api("ResumeFunction", "career_resume_get", params={"resumeId": pending["resumeId"]}).body["status"] == "pending"

    put = boto3.client("s3").put_object(Bucket=bucket(career), Key=key, Body=data, ContentType=DOCX)
    event = uploaded_event(career, key, put["VersionId"], len(data))
    assert career.step("ResumeUploadedFunction", event) == {"outcomes": [{"key": key, "outcome": "analyzed"}]}

    analysed = career.api("ResumeFunction", "career_resume_get", params={"resumeId": pending["resumeId"]}).body
    assert analysed["status"] == "analyzed" and analysed["contentType"] == DOCX and analysed["size"] == len(data)
    assert analysed["targetRole"]["name"] == "Frontend Engineer" and "React" in analysed["skills"]
    assert requests.get(analysed["downloadUrl"], timeout=10).content == data
    assert profile_resume(career)["resumeId"] == pending["resumeId"] != older["resumeId"]
    item = next(i for i in resume_items(career) if i["resumeId"]["S"] == pending["resumeId"])
    assert "expiresAt" not in item  # a pending resume's time to live goes once its file came

    # S3 delivers at least once: the same event again analyses nothing.
    assert career.step("ResumeUploadedFunction", event) == {"outcomes": [{"key": key, "outcome": "duplicate"}]}
    again = career.api("ResumeFunction", "career_resume_get", params={"resumeId": pending["resumeId"]}).body
    assert again["analyzedAt"] == analysed["analyzedAt"]


def test_an_uploaded_file_that_is_no_resume_is_recorded_as_failed_and_not_kept(career) -> None:
    executable = b"MZ\x90\x00" + bytes(2000)
    reply = request_upload(career, executable, "application/pdf")
    resume_id = reply.body["resume"]["resumeId"]
    key = f"uploads/acme/{SUB}/{resume_id}.pdf"
    put = boto3.client("s3").put_object(Bucket=bucket(career), Key=key, Body=executable, ContentType="application/pdf")
    event = uploaded_event(career, key, put["VersionId"], len(executable))
    assert career.step("ResumeUploadedFunction", event)["outcomes"][0]["outcome"] == "failed"
    failed = career.api("ResumeFunction", "career_resume_get", params={"resumeId": resume_id}).body
    assert failed["status"] == "failed" and failed["error"]["code"] == "unsupported_file_type"
    assert "downloadUrl" not in failed and versions(career, key) == []
    assert profile_resume(career) is None
    assert career.step("ResumeUploadedFunction", event)["outcomes"][0]["outcome"] == "duplicate"


def test_an_upload_nobody_asked_for_is_not_kept(career) -> None:
    key = f"uploads/acme/{SUB}/1795425271412zzzzzzzz.pdf"
    put = boto3.client("s3").put_object(Bucket=bucket(career), Key=key, Body=pdf_resume())
    assert career.step("ResumeUploadedFunction", uploaded_event(career, key, put["VersionId"], 10))["outcomes"][0]["outcome"] == "orphan"
    assert versions(career, key) == [] and resume_items(career) == []


def test_an_upload_request_is_checked(career) -> None:
    wrong_type = request_upload(career, b"x" * 10, "image/png")
    assert wrong_type.status == 415 and wrong_type.body["error"]["field"] == "contentType"
    too_large = career.api(
        "ResumeFunction", "career_resume_upload", body={"fileName": "cv.pdf", "contentType": "application/pdf", "size": 6 * 1024 * 1024}
    )
    assert too_large.status == 413 and too_large.body["error"]["field"] == "size"
    assert resume_items(career) == []


def test_the_sample_events_are_answered(career) -> None:
    """The files in events/ (the same ones `sam local invoke -e` takes) run against the stack."""
    analysed = career.api("ResumeFunction", "career_resume_analyze")
    assert analysed.status == 201, analysed.body
    assert analysed.body["targetRole"]["name"] == "Data Engineer"
    upload = career.api("ResumeFunction", "career_resume_upload")
    assert upload.status == 201, upload.body
    listed = career.api("ResumeFunction", "career_resume_list")
    assert listed.status == 200 and len(listed.body["items"]) == 2
    assert career.api("ResumeFunction", "career_resume_get").status == 404  # the sample's id names no resume here
    event = copy.deepcopy(career.sample("resume_uploaded_s3"))
    event["Records"][0]["s3"]["object"]["key"] = upload.body["upload"]["fields"]["key"]
    data = docx_resume()
    put = boto3.client("s3").put_object(Bucket=bucket(career), Key=upload.body["upload"]["fields"]["key"], Body=data)
    event["Records"][0]["s3"]["object"]["versionId"] = put["VersionId"]
    assert career.step("ResumeUploadedFunction", event)["outcomes"][0]["outcome"] == "analyzed"
