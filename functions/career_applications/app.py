"""Job applications (the seed's /api/applications): create from a job or by hand, list newest applied first,
read, move through their statuses, delete, stats; interview e-mails that move their application."""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

from zik import config
from zik.career import mail
from zik.career.application_store import Applications
from zik.career.interviews import Email, parse_received_at
from zik.clock import now
from zik.errors import PayloadTooLarge
from zik.http import body, create_app, json_response, principal, responds
from zik.idempotency import run_once
from zik.inputs import page_limit
from zik.observability import api_handler

# An e-mail of up to 2 MB, JSON-escaped (a character may take up to 6 bytes), within Lambda's 6 MB request.
MAX_EMAIL_REQUEST_BYTES = 6 * 1024 * 1024 - 64 * 1024

app = create_app()
applications = Applications()


def _query() -> dict[str, str]:
    return app.current_event.query_string_parameters or {}


@app.post("/api/applications")
@responds({201: "career_application"}, errors=(404, 409, 422))
def create_application():
    """Track a job application, made from a job of /api/jobs or written by hand.

    `{jobId}` copies the job's company, role, location and URL (404: no open job has that id); by hand
    send `{company, role, location?, url?}`. Either takes `notes?` and `status?` (applied unless said).
    Answers 201 with the application (`history` holds its first status). One application per job (409
    with the existing `applicationId`). Retries with the same `Idempotency-Key` write one application;
    409 also while a request with that key is still running; 422: the key was used with another body."""
    owner = principal(app)
    data = body(app, "application_create")
    return json_response(run_once(app, owner, lambda claim: applications.create(owner, data, claim=claim)), 201)


@app.get("/api/applications")
@responds({200: "career_application_page"}, query=("applications.status", "limit", "cursor"))
def list_applications():
    """Your applications, newest applied first, all of them or those of one status.

    With a `status` a page may hold fewer than `limit`: follow `nextCursor`."""
    query = _query()
    return applications.list(principal(app), status=query.get("status"), limit=page_limit(query.get("limit")), cursor=query.get("cursor") or None)


@app.get("/api/applications/stats")
@responds({200: "career_application_stats"})
def application_stats():
    """Counts by status, and your response, interview and offer rates over the applications you sent."""
    return applications.stats(principal(app))


@app.post("/api/applications/emails")
@responds({200: "career_interview_reading"}, errors=(409,))
def read_interview_email():
    """Read an e-mail: if it invites you to an interview, the open application it matches moves to interview.

    The body: `{subject, from, body, receivedAt?, messageId?}` (the e-mail's body up to 2 MB: 413 past it).
    Answers whether it is an interview invitation, its company, role, time with its timezone, place or
    link, kind and confidence, and the application it moved (`moved`) or why none moved (`reason`). The
    same e-mail read again moves nothing. 409: the application kept changing while it was read; retry."""
    owner = principal(app)
    data = body(app, "interview_email", max_bytes=MAX_EMAIL_REQUEST_BYTES)
    size = len(data["body"].encode("utf-8"))
    if size > mail.MAX_BODY_BYTES:
        raise PayloadTooLarge(f"the e-mail's body is {size} bytes; the limit is {mail.MAX_BODY_BYTES}", field="body")
    received_at = parse_received_at(data["receivedAt"]) if data.get("receivedAt") else now()
    message = Email(subject=data["subject"], sender=data["from"], body=data["body"], received_at=received_at, message_id=data.get("messageId"))
    return applications.read_email(owner, message)


@app.get("/api/applications/emails/address")
@responds({200: "career_forwarding_address"}, errors=(409,))
def forwarding_address():
    """Your address for forwarding interview e-mails, made the first time you ask.

    Mail forwarded to it moves your applications as POST /api/applications/emails does. 409: it could not
    be made (a rare clash of addresses, several times over); retry."""
    return applications.forwarding_address(principal(app), config.optional("MAIL_DOMAIN", ""))


@app.get("/api/applications/<applicationId>")
@responds({200: "career_application"})
def get_application(applicationId: str):  # noqa: N803 (the template's path parameter)
    """An application with its status history and, once one was detected, its interview."""
    return applications.get(principal(app), applicationId)


@app.put("/api/applications/<applicationId>")
@responds({200: "career_application"}, errors=(409,))
def update_application(applicationId: str):  # noqa: N803
    """Move an application's status and/or change its notes, at the version you read.

    The body: `{status?, notes?, version}`. 409: the application changed since you read that `version`, or
    the status cannot follow its current one (the error's `details` name the statuses it can move to)."""
    return applications.update(principal(app), applicationId, body(app, "application_update"))


@app.delete("/api/applications/<applicationId>")
@responds({200: "career_application_deleted"}, errors=(409,))
def delete_application(applicationId: str):  # noqa: N803
    """Delete an application; its job may then be applied to again.

    409: it kept changing while it was deleted; retry."""
    return applications.delete(principal(app), applicationId)


@api_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
