"""The applications' functions against the stack template.yaml declares (in moto): ApplicationsFunction's
routes (create from a job or by hand, list newest applied first, read, move, delete, stats, interview
e-mails, the forwarding address) and InterviewMailFunction reading a .eml put into MailBucket under
inbound/, as SES stores a forwarded message."""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from pathlib import Path
from typing import Any

import boto3
import pytest

from zik import clock

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")

FUNCTION = "ApplicationsFunction"
OTHER = {"sub": "0b5e2f1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b", "cognito:username": "0b5e2f1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b", "custom:tenant_id": "acme"}
EVENTS = Path(__file__).resolve().parents[2] / "events"
PACIFIC = dt.timezone(dt.timedelta(hours=-8))


def create(career, body: dict[str, Any], **request: Any) -> dict[str, Any]:
    reply = career.api(FUNCTION, "career_applications_create", body=body, **request)
    assert reply.status == 201, reply.body
    return reply.body


def put_job(career, job_id: str, *, status: str = "open", **fields: Any) -> None:
    job = {
        "pk": {"S": f"JOB#{job_id}"},
        "sk": {"S": "JOB"},
        "jobId": {"S": job_id},
        "status": {"S": status},
        "title": {"S": fields.get("title", "Data Engineer")},
        "company": {"S": fields.get("company", "Globex")},
        "location": {"M": {"display": {"S": "Berlin, Germany"}, "city": {"S": "Berlin"}}},
        "remote": {"BOOL": fields.get("remote", False)},
        "url": {"S": f"https://boards.greenhouse.io/globex/jobs/{job_id}"},
    }
    boto3.client("dynamodb").put_item(TableName=career.env(FUNCTION)["JOBS_TABLE"], Item=job)


def career_items(career) -> list[dict[str, Any]]:
    return boto3.client("dynamodb").scan(TableName=career.env(FUNCTION)["CAREER_TABLE"], ConsistentRead=True)["Items"]


def interview_day(received: dt.datetime) -> dt.date:
    """The day the invitations name: two weeks after they arrive, whatever day the test runs."""
    return received.astimezone(PACIFIC).date() + dt.timedelta(days=14)


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")


def said(day: dt.date) -> str:
    """ "Tuesday, December 8", as a recruiter writes it (no year; English whatever the machine's locale)."""
    return f"{WEEKDAYS[day.weekday()]}, {MONTHS[day.month - 1]} {day.day}"


def invitation(received: dt.datetime, **fields: Any) -> dict[str, Any]:
    return {
        "subject": "Interview invitation - Senior Backend Engineer at Acme",
        "from": "Jane Doe <jane.doe@acme.com>",
        "body": (
            "Hi Ada,\n\nThank you for applying to Acme Corp. We'd like to invite you to a technical interview for the "
            f"Senior Backend Engineer role on {said(interview_day(received))} at 2:30 PM PST.\n\nJoin Zoom Meeting\n"
            "https://acme.zoom.us/j/81234567890?pwd=Q2xhc3NpYw\n\nBest,\nJane Doe\nTechnical Recruiter, Acme Corp"
        ),
        "receivedAt": received.isoformat(),
        **fields,
    }


# -- create, read, move, delete ------------------------------------------------------------------------------
def test_an_application_is_created_read_moved_and_deleted(career, dynamodb_calls):
    created = create(
        career, {"company": "Acme Corp", "role": "Senior Backend Engineer", "url": "https://careers.acme.com/jobs/4821", "notes": "Referred by Dana"}
    )
    assert created["status"] == "applied" and created["version"] == 1 and created["jobId"] is None
    assert created["appliedAt"] == created["createdAt"] and created["history"] == [{"status": "applied", "at": created["createdAt"], "via": "create"}]
    application_id = created["applicationId"]

    got = career.api(FUNCTION, "career_applications_get", params={"applicationId": application_id})
    assert got.status == 200 and got.body == created

    store = career.load_function(FUNCTION).applications.store
    calls = dynamodb_calls(store.table.client, store.table.name)
    moved = career.api(
        FUNCTION,
        "career_applications_update",
        params={"applicationId": application_id},
        body={"status": "screening", "notes": "Call with Jane", "version": 1},
    )
    assert moved.status == 200, moved.body
    assert moved.body["status"] == "screening" and moved.body["version"] == 2 and moved.body["notes"] == "Call with Jane"
    assert [step["status"] for step in moved.body["history"]] == ["applied", "screening"] and moved.body["history"][1]["via"] == "api"
    assert moved.body["appliedAt"] == created["appliedAt"]
    assert calls == ["GetItem", "UpdateItem"]  # the read, then the conditional write that answers the item

    stale = career.api(FUNCTION, "career_applications_update", params={"applicationId": application_id}, body={"status": "interview", "version": 1})
    assert stale.status == 409 and stale.body["error"]["details"]["currentVersion"] == 2

    backward = career.api(FUNCTION, "career_applications_update", params={"applicationId": application_id}, body={"status": "applied", "version": 2})
    assert backward.status == 409, backward.body
    assert backward.body["error"]["field"] == "status"
    assert backward.body["error"]["details"] == {"from": "screening", "to": "applied", "allowed": ["interview", "offer", "rejected", "withdrawn"]}
    assert "from screening to applied" in backward.body["error"]["message"]

    cleared = career.api(
        FUNCTION, "career_applications_update", params={"applicationId": application_id}, body={"notes": None, "status": "screening", "version": 2}
    )
    assert cleared.status == 200 and cleared.body["notes"] is None and cleared.body["status"] == "screening"
    assert len(cleared.body["history"]) == 2  # the status it had is no transition

    gone = career.api(FUNCTION, "career_applications_delete", params={"applicationId": application_id})
    assert gone.status == 200 and gone.body == {"applicationId": application_id, "deleted": True}
    assert career.api(FUNCTION, "career_applications_get", params={"applicationId": application_id}).status == 404
    assert career.api(FUNCTION, "career_applications_delete", params={"applicationId": application_id}).status == 404


def test_final_statuses_are_final(career):
    application = create(career, {"company": "Initech", "role": "QA Engineer", "status": "offer"})
    accepted = career.api(
        FUNCTION, "career_applications_update", params={"applicationId": application["applicationId"]}, body={"status": "accepted", "version": 1}
    )
    assert accepted.status == 200 and accepted.body["status"] == "accepted"
    again = career.api(
        FUNCTION, "career_applications_update", params={"applicationId": application["applicationId"]}, body={"status": "rejected", "version": 2}
    )
    assert again.status == 409 and again.body["error"]["details"]["allowed"] == []
    assert "accepted is final" in again.body["error"]["message"]


def test_an_application_from_a_job_copies_it_and_is_the_only_one_for_that_job(career):
    put_job(career, "gh-globex-7001", title="Senior Data Engineer", company="Globex", remote=True)
    created = create(career, {"jobId": "gh-globex-7001", "status": "saved", "notes": "Apply after the course"})
    assert created["jobId"] == "gh-globex-7001" and created["company"] == "Globex" and created["role"] == "Senior Data Engineer"
    assert created["location"] == "Berlin, Germany (remote)" and created["url"].endswith("/gh-globex-7001")
    assert created["status"] == "saved" and created["appliedAt"] is None

    twice = career.api(FUNCTION, "career_applications_create", body={"jobId": "gh-globex-7001"})
    assert twice.status == 409 and twice.body["error"]["field"] == "jobId"
    assert twice.body["error"]["details"]["applicationId"] == created["applicationId"]

    # Deleting it frees the job (both items go in one transaction).
    assert career.api(FUNCTION, "career_applications_delete", params={"applicationId": created["applicationId"]}).status == 200
    assert not [item for item in career_items(career) if item["sk"]["S"].startswith(("APP#", "APPJOB#"))]
    assert create(career, {"jobId": "gh-globex-7001"})["status"] == "applied"


def test_a_closed_or_unknown_job_is_a_404_naming_it(career):
    put_job(career, "gh-globex-closed", status="closed")
    for job_id in ("gh-globex-closed", "no-such-job"):
        reply = career.api(FUNCTION, "career_applications_create", body={"jobId": job_id})
        assert reply.status == 404 and reply.body["error"]["field"] == "jobId" and job_id in reply.body["error"]["message"]
    mixed = career.api(FUNCTION, "career_applications_create", body={"jobId": "gh-globex-closed", "company": "Other"})
    assert mixed.status == 400 and mixed.body["error"]["field"] == "company"
    missing = career.api(FUNCTION, "career_applications_create", body={"company": "Acme"})
    assert missing.status == 400 and missing.body["error"]["field"] == "role"
    assert not [item for item in career_items(career) if item["sk"]["S"].startswith("APP")]


def test_an_unknown_status_is_a_400_naming_status(career):
    for reply in (
        career.api(FUNCTION, "career_applications_create", body={"company": "Acme", "role": "Engineer", "status": "ghosted"}),
        career.api(FUNCTION, "career_applications_list", query={"status": "ghosted"}),
    ):
        assert reply.status == 400 and reply.body["error"]["field"] == "status", reply.body
    application = create(career, {"company": "Acme", "role": "Engineer"})
    reply = career.api(
        FUNCTION, "career_applications_update", params={"applicationId": application["applicationId"]}, body={"status": "hired", "version": 1}
    )
    assert reply.status == 400 and reply.body["error"]["field"] == "status"


def test_a_retried_create_writes_one_application(career):
    headers = {"Idempotency-Key": "c0ffee00-1111-4222-8333-444455556666"}
    body = {"company": "Hooli", "role": "Site Reliability Engineer"}
    first = create(career, body, headers=headers)
    second = create(career, body, headers=headers)
    assert second["applicationId"] == first["applicationId"]
    listed = career.api(FUNCTION, "career_applications_list", query={}).body["items"]
    assert [item["applicationId"] for item in listed] == [first["applicationId"]]
    other_body = career.api(FUNCTION, "career_applications_create", body={**body, "role": "SRE II"}, headers=headers)
    assert other_body.status == 422


def test_another_users_application_is_a_404_and_stays_as_it_was(career):
    mine = create(career, {"company": "Acme", "role": "Engineer"})
    params = {"applicationId": mine["applicationId"]}
    assert career.api(FUNCTION, "career_applications_get", params=params, claims=OTHER).status == 404
    assert career.api(FUNCTION, "career_applications_update", params=params, body={"status": "rejected", "version": 1}, claims=OTHER).status == 404
    assert career.api(FUNCTION, "career_applications_delete", params=params, claims=OTHER).status == 404
    assert career.api(FUNCTION, "career_applications_list", query={}, claims=OTHER).body["items"] == []
    assert career.api(FUNCTION, "career_applications_get", params=params).body == mine


# -- lists and stats ----------------------------------------------------------------------------------------------
def test_lists_go_newest_applied_first_page_by_page_and_filter_by_status(career):
    first = create(career, {"company": "A1", "role": "Engineer"})
    saved = create(career, {"company": "B2", "role": "Engineer", "status": "saved"})
    third = create(career, {"company": "C3", "role": "Engineer"})
    listed = career.api(FUNCTION, "career_applications_list", query={}).body
    assert [item["company"] for item in listed["items"]] == ["C3", "B2", "A1"] and listed["nextCursor"] is None

    # Applying to the saved one now puts it first: it sorts by when it was applied to.
    moved = career.api(
        FUNCTION, "career_applications_update", params={"applicationId": saved["applicationId"]}, body={"status": "applied", "version": 1}
    )
    assert moved.body["appliedAt"] > third["appliedAt"]
    page = career.api(FUNCTION, "career_applications_list", query={"limit": "2"}).body
    assert [item["company"] for item in page["items"]] == ["B2", "C3"] and page["nextCursor"]
    rest = career.api(FUNCTION, "career_applications_list", query={"limit": "2", "cursor": page["nextCursor"]}).body
    assert [item["company"] for item in rest["items"]] == ["A1"] and rest["nextCursor"] is None

    career.api(FUNCTION, "career_applications_update", params={"applicationId": first["applicationId"]}, body={"status": "rejected", "version": 1})
    rejected = career.api(FUNCTION, "career_applications_list", query={"status": "rejected"}).body["items"]
    assert [item["applicationId"] for item in rejected] == [first["applicationId"]]


def test_stats_count_statuses_and_rates_in_one_query(career, dynamodb_calls):
    made = [
        create(career, {"company": f"Company {n}", "role": "Engineer", "status": status})
        for n, status in enumerate(["saved", "applied", "applied", "interview", "rejected", "offer"])
    ]
    career.api(FUNCTION, "career_applications_update", params={"applicationId": made[1]["applicationId"]}, body={"status": "screening", "version": 1})
    career.api(FUNCTION, "career_applications_update", params={"applicationId": made[3]["applicationId"]}, body={"status": "withdrawn", "version": 1})
    store = career.load_function(FUNCTION).applications.store
    calls = dynamodb_calls(store.table.client, store.table.name)
    stats = career.api(FUNCTION, "career_applications_stats").body
    assert calls == ["Query"]
    assert stats["byStatus"] == {"saved": 1, "applied": 1, "screening": 1, "interview": 0, "offer": 1, "accepted": 0, "rejected": 1, "withdrawn": 1}
    assert stats["total"] == 6 and stats["applied"] == 5 and stats["open"] == 4
    # Answered: screening, interview (then withdrawn), rejected, offer; interviewed: interview, offer.
    assert stats["responded"] == 4 and stats["responseRate"] == 0.8
    assert stats["interviewed"] == 2 and stats["interviewRate"] == 0.4 and stats["offerRate"] == 0.2


# -- interview e-mails -----------------------------------------------------------------------------------------------
def test_an_interview_email_moves_its_application_once(career):
    acme = create(career, {"company": "ACME", "role": "Senior Backend Engineer"})
    create(career, {"company": "Acme Robotics", "role": "Mechanical Designer"})
    create(career, {"company": "Globex", "role": "Backend Engineer"})
    received = clock.now().astimezone(PACIFIC)
    reply = career.api(FUNCTION, "career_applications_email", body=invitation(received))
    assert reply.status == 200, reply.body
    answer = reply.body
    assert answer["isInterview"] is True and answer["moved"] is True and answer["applicationId"] == acme["applicationId"]
    assert answer["company"] == "Acme Corp" and answer["role"] == "Senior Backend Engineer" and answer["kind"] == "technical"
    assert answer["timezone"] == "America/Los_Angeles" and answer["scheduledAt"].endswith(("-08:00", "-07:00"))
    scheduled = dt.datetime.fromisoformat(answer["scheduledAt"])
    assert (scheduled.date(), scheduled.strftime("%H:%M")) == (interview_day(received), "14:30")
    assert answer["meetingLink"] == "https://acme.zoom.us/j/81234567890?pwd=Q2xhc3NpYw" and answer["confidence"] >= 0.8

    moved = career.api(FUNCTION, "career_applications_get", params={"applicationId": acme["applicationId"]}).body
    assert moved["status"] == "interview" and moved["version"] == 2
    assert moved["history"][-1]["status"] == "interview" and moved["history"][-1]["via"] == "email"
    assert moved["interview"]["scheduledAt"] == answer["scheduledAt"] and moved["interview"]["meetingLink"] == answer["meetingLink"]

    again = career.api(FUNCTION, "career_applications_email", body=invitation(received)).body
    assert again["moved"] is False and again["alreadyRead"] is True and again["applicationId"] == acme["applicationId"]
    assert career.api(FUNCTION, "career_applications_get", params={"applicationId": acme["applicationId"]}).body["version"] == 2
    assert len([item for item in career_items(career) if item["sk"]["S"].startswith("EMAIL#")]) == 1


def test_mail_that_is_no_invitation_or_matches_nothing_moves_nothing(career):
    application = create(career, {"company": "Initech", "role": "Data Analyst"})
    received = clock.now()
    rejection = career.api(
        FUNCTION,
        "career_applications_email",
        body={
            "subject": "Your application to Initech",
            "from": "Initech Talent <talent@initech.com>",
            "body": "Thank you for interviewing with us. Unfortunately, we have decided to move forward with other candidates.",
            "receivedAt": received.isoformat(),
        },
    ).body
    assert rejection["isInterview"] is False and rejection["moved"] is False and rejection["applicationId"] is None
    elsewhere = career.api(FUNCTION, "career_applications_email", body=invitation(received)).body
    assert elsewhere["isInterview"] is True and elsewhere["moved"] is False and elsewhere["applicationId"] is None
    assert "no open application" in elsewhere["reason"]
    assert career.api(FUNCTION, "career_applications_get", params={"applicationId": application["applicationId"]}).body["version"] == 1


def test_an_email_of_more_than_2_mb_is_a_413(career):
    body = invitation(clock.now(), body="x" * (2 * 1024 * 1024 + 1))
    reply = career.api(FUNCTION, "career_applications_email", body=body)
    assert reply.status == 413 and reply.body["error"]["field"] == "body"
    bad_time = career.api(FUNCTION, "career_applications_email", body={**invitation(clock.now()), "receivedAt": "next tuesday"})
    assert bad_time.status == 400 and bad_time.body["error"]["field"] == "receivedAt"


def test_the_forwarding_address_is_made_once(career):
    first = career.api(FUNCTION, "career_applications_email_address")
    assert first.status == 200
    assert re.fullmatch(r"interviews\+[a-z0-9]{20}@mail\.zik\.localhost", first.body["address"])
    assert career.api(FUNCTION, "career_applications_email_address").body == first.body
    other = career.api(FUNCTION, "career_applications_email_address", claims=OTHER).body
    assert other["address"] != first.body["address"]


# -- forwarded mail in MailBucket ----------------------------------------------------------------------------------
def eml_for(address: str, received: dt.datetime) -> bytes:
    """The sample .eml sent to ``address`` at ``received``, its interview two weeks on."""
    raw = (EVENTS / "interview_invitation.eml").read_bytes()
    raw = raw.replace(b"Tuesday, December 8", said(interview_day(received)).encode())
    raw = re.sub(rb"interviews\+[a-z0-9]+@[\w.]+", address.encode(), raw)
    return re.sub(rb"^Date: .*$", b"Date: " + email.utils.format_datetime(received).encode(), raw, count=1, flags=re.MULTILINE)


def mail_event(career, key: str) -> dict[str, Any]:
    event = career.sample("interview_mail_s3")
    event["Records"][0]["s3"]["bucket"]["name"] = career.env("InterviewMailFunction")["MAIL_BUCKET"]
    event["Records"][0]["s3"]["object"]["key"] = key
    return event


@pytest.mark.clock
def test_a_forwarded_eml_in_the_mail_bucket_moves_the_application(career):
    application = create(career, {"company": "Acme Corp", "role": "Senior Backend Engineer"})
    address = career.api(FUNCTION, "career_applications_email_address").body["address"]
    bucket = career.env("InterviewMailFunction")["MAIL_BUCKET"]
    s3 = boto3.client("s3")
    s3.put_object(Bucket=bucket, Key="inbound/msg-0001", Body=eml_for(address, clock.now().astimezone(PACIFIC)))

    assert career.step("InterviewMailFunction", mail_event(career, "inbound/msg-0001")) == {"outcomes": ["moved"]}
    moved = career.api(FUNCTION, "career_applications_get", params={"applicationId": application["applicationId"]}).body
    assert moved["status"] == "interview" and moved["history"][-1]["via"] == "email"
    assert moved["interview"]["timezone"] == "America/Los_Angeles" and moved["interview"]["kind"] == "technical"
    assert moved["interview"]["scheduledAt"].startswith(f"{interview_day(clock.now()).isoformat()}T14:30:00")
    assert moved["interview"]["subject"] == "Interview invitation – Senior Backend Engineer at Acme ✨"

    # SES delivering it again (another object, the same Message-ID) moves nothing.
    s3.put_object(Bucket=bucket, Key="inbound/msg-0002", Body=eml_for(address, clock.now().astimezone(PACIFIC)))
    assert career.step("InterviewMailFunction", mail_event(career, "inbound/msg-0002")) == {"outcomes": ["read"]}
    assert career.api(FUNCTION, "career_applications_get", params={"applicationId": application["applicationId"]}).body["version"] == moved["version"]


def test_mail_that_cannot_be_read_is_dropped_not_retried(career):
    create(career, {"company": "Acme Corp", "role": "Senior Backend Engineer"})
    bucket = career.env("InterviewMailFunction")["MAIL_BUCKET"]
    s3 = boto3.client("s3")
    s3.put_object(Bucket=bucket, Key="inbound/AMAZON_SES_SETUP_NOTIFICATION", Body=b"This is a test message from Amazon SES.")
    s3.put_object(Bucket=bucket, Key="inbound/stranger", Body=eml_for("interviews+zzzzzzzzzzzzzzzzzzzz@mail.zik.localhost", clock.now()))
    huge = eml_for("interviews+zzzzzzzzzzzzzzzzzzzz@mail.zik.localhost", clock.now()).replace(b"Hi Ada,", b"Hi Ada, " + b"y" * (2 * 1024 * 1024), 1)
    s3.put_object(Bucket=bucket, Key="inbound/huge", Body=huge)
    outcomes = [
        career.step("InterviewMailFunction", mail_event(career, key))["outcomes"][0]
        for key in ("inbound/AMAZON_SES_SETUP_NOTIFICATION", "inbound/stranger", "inbound/huge")
    ]
    assert outcomes == ["malformed", "unknown-recipient", "too-large"]
    assert career.step("InterviewMailFunction", mail_event(career, "elsewhere/msg")) == {"outcomes": ["ignored"]}
    assert not [item for item in career_items(career) if item["sk"]["S"].startswith("EMAIL#")]


# -- status changes as domain events ----------------------------------------------------------------------------
def test_each_status_change_leaves_as_application_status_changed(career, event_sink):
    sink = event_sink(career.env(FUNCTION)["EVENT_BUS_NAME"], {"source": ["zik.career"], "detail-type": ["ApplicationStatusChanged"]})
    application = create(career, {"company": "Acme Corp", "role": "Senior Backend Engineer", "status": "saved"})
    params = {"applicationId": application["applicationId"]}
    career.api(FUNCTION, "career_applications_update", params=params, body={"notes": "no status change", "version": 1})
    career.api(FUNCTION, "career_applications_update", params=params, body={"status": "applied", "version": 2})
    assert career.api(FUNCTION, "career_applications_email", body=invitation(clock.now().astimezone(PACIFIC))).body["moved"] is True
    changes = [(e["detail"]["from"], e["detail"]["to"], e["detail"]["via"], e["detail"]["version"]) for e in sink.received()]
    assert changes == [(None, "saved", "create", 1), ("saved", "applied", "api", 3), ("applied", "interview", "email", 4)]
    assert {e["detail"]["applicationId"] for e in sink.received()} == {application["applicationId"]}
