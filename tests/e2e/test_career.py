"""The career through `zik dev`, as a job seeker's app uses it: the shipped job feeds ingested by the
scheduled function, a career profile, a real PDF resume analysed inline and a real DOCX uploaded with a real
multipart POST to its presigned form (analysed from the bucket's event), jobs ranked for the profile, an
application, and an interview invitation forwarded as a .eml into the mail bucket that moves the
application to interview and earns its points."""

from __future__ import annotations

import base64
import datetime as dt
import io
import subprocess
import urllib.request
import uuid
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any
from urllib.parse import quote, urlencode

import boto3
import docx
import pytest
from devserver import ROOT, DevServer, eventually, new_user, zik_command
from fpdf import FPDF

from zik import clock

pytestmark = pytest.mark.e2e

EXPERIENCE = [
    "Senior Backend Engineer, Northwind Labs, 2021 - Present",
    "- Cut p99 latency of the payments API by 45% by moving hot paths from Django to FastAPI and Redis",
    "- Led 4 engineers building event-driven services on AWS Lambda, DynamoDB and Kafka",
    "- Designed PostgreSQL schemas serving 12 million requests a day",
    "Backend Engineer, Contoso, 2017 - 2021",
    "- Built REST APIs in Python and Go; raised test coverage from 40% to 85% with pytest",
    "- Automated deployments with Terraform, Docker and GitHub Actions",
]


def pdf_resume() -> bytes:
    pdf = FPDF()
    for page in range(2):
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        lines = (
            [
                "Jane Doe",
                "jane.doe@example.com | +1 415 555 0100 | linkedin.com/in/janedoe",
                "Summary",
                "Backend engineer with 8 years of Python, AWS and distributed systems.",
                "Experience",
                *EXPERIENCE,
            ]
            if page == 0
            else [
                "Education",
                "B.Sc. Computer Science, State University, 2013 - 2017",
                "Skills",
                "Python, Go, AWS, DynamoDB, PostgreSQL, Kafka, Docker, Kubernetes, Terraform, REST APIs, SQL",
            ]
        )
        for line in lines:
            pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def docx_resume() -> bytes:
    document = docx.Document()
    document.add_heading("Jane Doe", 0)
    document.add_paragraph("jane.doe@example.com | github.com/janedoe")
    document.add_heading("Experience", 1)
    for line in EXPERIENCE:
        document.add_paragraph(line.lstrip("- "), style="List Bullet" if line.startswith("-") else None)
    document.add_heading("Skills", 1)
    document.add_paragraph("Python, AWS, Kubernetes, Terraform, SQL")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def multipart_post(url: str, fields: dict[str, str], file_name: str, content: bytes, content_type: str) -> int:
    """A browser's upload to a presigned POST: the form's fields, then the file, as multipart/form-data."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
    )
    parts.append(content + f"\r\n--{boundary}--\r\n".encode())
    request = urllib.request.Request(url, data=b"".join(parts), method="POST", headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.status


def invitation(address: str, company: str, role: str, domain: str) -> bytes:
    """A recruiter's invitation as the user's mail client forwards it: a real MIME message, dated now."""
    when = clock.now() + dt.timedelta(days=6)
    message = EmailMessage()
    message["From"] = f"{company} Recruiting <recruiting@{domain}>"
    message["To"] = address
    message["Subject"] = f"Interview invitation: {role} at {company}"
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(
        f"Hi Jane,\n\nThank you for applying to the {role} position at {company}. We would like to invite you to a "
        f"technical interview on {when:%A, %B} {when.day}, {when.year} at 2:30 PM PST.\n\n"
        "Join on Zoom: https://zoom.us/j/81234567890\n\nPlease reply to confirm the time works for you.\n\n"
        f"Best regards,\nAlex Kim\nTalent Acquisition, {company}\n"
    )
    return message.as_bytes()


def test_a_job_seeker_from_feeds_to_an_interview(dev: DevServer) -> None:
    info = dev.request("GET", "/_zik/info").body
    aws = {"endpoint_url": info["awsEndpoint"], "region_name": info["region"], "aws_access_key_id": "local", "aws_secret_access_key": "local"}

    # The shipped feeds (zik dev put them in JobFeedsBucket) ingested by the scheduled function.
    fired = subprocess.run(
        [*zik_command(), "schedule", "JobIngestionFunction", "--url", dev.url], cwd=ROOT, capture_output=True, text=True, timeout=180
    )
    assert fired.returncode == 0, fired.stdout + fired.stderr
    token = dev.token(new_user())
    market = dev.request("GET", "/api/market-intelligence?" + urlencode({"role": "Backend Engineer"}), token=token)
    assert market.status == 200 and market.body["openings"] > 0 and market.body["demandLevel"] in ("low", "medium", "high"), market.raw

    profile = dev.request(
        "PUT",
        "/api/users",
        token=token,
        body={
            "name": "Jane Doe",
            "careerStage": "senior",
            "skills": ["python", "aws", "postgres"],
            "preferences": {"roles": ["Backend Engineer"], "locations": ["Remote"], "remote": "any", "currency": "USD"},
        },
    )
    assert profile.status == 200 and profile.body["skills"] == ["Python", "AWS", "PostgreSQL"], profile.raw

    # A real PDF, inline as the seed sends it.
    analysed = dev.request(
        "POST",
        "/api/resume/analyze",
        token=token,
        body={
            "fileName": "jane-doe.pdf",
            "content": base64.b64encode(pdf_resume()).decode(),
            "targetRole": "Backend Engineer",
        },
    )
    assert analysed.status == 201, analysed.raw
    assert 0 <= analysed.body["atsScore"] <= 100 and {"Python", "AWS", "Kafka"} <= set(analysed.body["skills"])
    assert analysed.body["strengths"] and analysed.body["suggestions"]

    # A real DOCX, through the presigned POST and the bucket's event.
    document = docx_resume()
    docx_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    form = dev.request(
        "POST", "/api/resume/uploads", token=token, body={"fileName": "jane-doe.docx", "contentType": docx_type, "size": len(document)}
    )
    assert form.status in (200, 201), form.raw
    assert multipart_post(form.body["upload"]["url"], form.body["upload"]["fields"], "jane-doe.docx", document, docx_type) in (200, 201, 204)
    resume_id = form.body["resume"]["resumeId"]

    def uploaded_analysed() -> dict[str, Any] | None:
        resume = dev.request("GET", f"/api/resume/{resume_id}", token=token).body
        return resume if resume.get("status") == "analyzed" else None

    resume = eventually(uploaded_analysed, "the uploaded DOCX analysed from the bucket's event")
    assert "Terraform" in resume["skills"] and resume["downloadUrl"]
    history = dev.request("GET", "/api/resume", token=token).body
    assert next(r["resumeId"] for r in history["items"]) == resume_id and len(history["items"]) == 2

    # Jobs ranked for this profile and resume.
    page = dev.request("GET", "/api/jobs?" + urlencode({"q": "backend", "limit": "10"}), token=token)
    assert page.status == 200 and page.body["items"], page.raw
    scores = [job["score"] for job in page.body["items"]]
    assert scores == sorted(scores, reverse=True)
    best = page.body["items"][0]
    assert best["reasons"] and "missingSkills" in best

    applied = dev.request("POST", "/api/applications", token=token, body={"jobId": best["jobId"]})
    assert applied.status == 201 and applied.body["status"] == "applied", applied.raw
    application_id = applied.body["applicationId"]

    # An interview invitation forwarded to the user's address, stored by SES in the mail bucket.
    address = dev.request("GET", "/api/applications/emails/address", token=token).body["address"]
    company, role = applied.body["company"], applied.body["role"]
    domain = "".join(ch for ch in company.lower() if ch.isalnum()) + ".com"
    bucket = info["outputs"]["MailBucketName"]
    boto3.client("s3", **aws).put_object(Bucket=bucket, Key=f"inbound/{uuid.uuid4().hex}", Body=invitation(address, company, role, domain))

    def interviewing() -> dict[str, Any] | None:
        application = dev.request("GET", f"/api/applications/{quote(application_id)}", token=token).body
        return application if application["status"] == "interview" else None

    moved = eventually(interviewing, "the application moved to interview by the forwarded e-mail")
    assert [step["status"] for step in moved["history"]] == ["applied", "interview"] and moved["history"][-1]["via"] == "email"
    assert moved["interview"]["meetingLink"] == "https://zoom.us/j/81234567890"

    def points() -> dict[str, Any] | None:
        stats = dev.request("GET", "/gamification/stats", token=token).body
        return stats if stats["applicationsSent"] == 1 and stats["interviews"] == 1 and stats["resumesAnalyzed"] == 2 else None

    stats = eventually(points, "points for two resumes, an application and an interview")
    assert stats["points"] >= 2 * 10 + 10 + 25

    export = dev.request("GET", "/me/export", token=token)
    assert export.status == 200, export.raw
    career = export.body["career"] if "career" in export.body else export.body["data"]["career"]
    assert career["profile"]["name"] == "Jane Doe" and len(career["resumes"]) == 2 and len(career["applications"]) == 1
