"""The Resume service (the seed's /api/resume): analyse a resume sent as base64, give a presigned POST for a
larger one, list the history, read one with a download link, delete one with every version of its file."""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

import zik.career.resume_ai  # noqa: F401  (registers career.resume)
from zik.career.resumes import MAX_ANALYZE_BODY_BYTES, MAX_INLINE_FILE_BYTES, Resumes
from zik.errors import PayloadTooLarge
from zik.http import body, create_app, json_response, principal, responds
from zik.idempotency import run_once
from zik.inputs import page_limit
from zik.observability import api_handler

app = create_app()
resumes = Resumes()


@app.post("/api/resume/analyze")
@responds({201: "career_resume"}, errors=(409, 415, 422))
def analyze_resume():
    """Analyse a resume sent in the body as base64 (a PDF, DOCX or UTF-8 text of up to 4 MB) and keep it.

    The body: `{fileName, content, contentType?, targetRole?}`. Answers 201 with the resume and its analysis: the seed's `atsScore` (0-100), `strengths`, `weaknesses` and
    `suggestions`, with the `skills`, `sections` and `contact` details found, `yearsOfExperience`, `seniority`
    and the weighted `checks` behind the score. The file's bytes decide its type, not its name: anything else
    is a 415; an encrypted or image-only PDF, a damaged file or a DOCX zip bomb a 422. Files up to 5 MB go
    through POST /api/resume/uploads (a larger body is a 413). Retries with the same `Idempotency-Key` record
    one resume; 409: a request with that key is still running; 422 also when the key was used with another
    body."""
    owner = principal(app)
    try:
        data = body(app, "resume_analyze", max_bytes=MAX_ANALYZE_BODY_BYTES)
    except PayloadTooLarge as exc:
        raise PayloadTooLarge(
            f"{exc.message}: a resume sent in the body may be at most {MAX_INLINE_FILE_BYTES} bytes; upload a larger one "
            "(up to 5 MB) with POST /api/resume/uploads",
            field="content",
        ) from None
    return json_response(run_once(app, owner, lambda claim: resumes.analyse_inline(owner, data, claim=claim)), 201)


@app.post("/api/resume/uploads")
@responds({201: "career_resume_upload"}, errors=(409, 415, 422))
def request_upload():
    """A presigned POST to upload a resume of up to 5 MB, which is analysed once it is in the bucket.

    The body: `{fileName, contentType, size, targetRole?}`. Answers 201 with the `pending` resume and
    `upload` (`url`, `fields` to post with the file as `file`, `expiresAt`); GET /api/resume/{resumeId} then
    shows the analysis (`analyzed`) or why the file was refused (`failed`). 415: a content type other than
    PDF, DOCX or plain text; 413: a size over 5 MB. Retries with the same `Idempotency-Key` make one form;
    409: a request with that key is still running; 422: the key was used with another body."""
    owner = principal(app)
    data = body(app, "resume_upload")
    return json_response(run_once(app, owner, lambda claim: resumes.request_upload(owner, data, claim=claim)), 201)


@app.get("/api/resume")
@responds({200: "career_resume_page"}, query=("limit", "cursor"))
def list_resumes():
    """Your resumes, newest first, and on the first page the newest analysed one with its whole analysis.

    The items are summaries (GET /api/resume/{resumeId} has the rest); `latest` is null on later pages."""
    query = app.current_event.query_string_parameters or {}
    return resumes.list(principal(app), limit=page_limit(query.get("limit")), cursor=query.get("cursor") or None)


@app.get("/api/resume/<resumeId>")
@responds({200: "career_resume"})
def get_resume(resumeId: str):  # noqa: N803 (the path parameter's name)
    """A resume with its analysis and `downloadUrl`, a link to the original valid for 5 minutes.

    A pending resume (its file not uploaded yet) has no analysis and no link; a failed one says why in
    `error`."""
    return resumes.get(principal(app), resumeId)


@app.delete("/api/resume/<resumeId>")
@responds({200: "career_resume_deleted"})
def delete_resume(resumeId: str):  # noqa: N803
    """Delete a resume with every stored version of its file; your profile then keeps the next newest."""
    return resumes.delete(principal(app), resumeId)


@api_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
