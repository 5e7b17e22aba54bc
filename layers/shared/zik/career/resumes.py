"""Resumes (the seed's /api/resume): analysis of an upload, storage of the original, history, deletion.

A resume comes in two ways. Sent to the API (POST /api/resume/analyze, the seed's base64 body), it is read,
analysed and saved in the request: the file is read by its bytes (``documents``), refused before anything
is written if it is not a resume, and only then stored (S3) and recorded (one transaction with the
profile's ``resume``). Larger files take a presigned POST (POST /api/resume/uploads): the request records a
``pending`` resume and answers the form; the bucket's event runs ``analyse_upload``, which records the
analysis (``analyzed``) or why the file was refused (``failed``), once per uploaded version.

An analysis is the seed's ``{atsScore, strengths, weaknesses, suggestions}``, from the AI task
``career.resume`` (the ATS rules when the AI cannot answer: a job seeker still gets an analysis), with what
the rules found: skills, sections, contact details, years of experience, seniority, and the checks behind
the score. The profile's ``resume`` names the newest analysed resume, whose skills and experience the job
matching reads.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
import secrets
from collections.abc import Mapping
from typing import Any

from zik import ai, clock, inputs
from zik.career import ats, documents, resume_ai, tables
from zik.career.resume_store import ResumeStore, owner_of_key, padded_sequencer
from zik.claims import Claim
from zik.errors import InvalidRequest, NotFound, PayloadTooLarge, ZikError
from zik.observability import logger, metrics
from zik.principal import Principal

# A Lambda request carries at most 6 MB: a body of base64 (4 bytes for every 3) holds a file of about 4 MB.
MAX_ANALYZE_BODY_BYTES = 6 * 1024 * 1024
MAX_INLINE_FILE_BYTES = 4 * 1024 * 1024
MAX_FILE_BYTES = documents.MAX_FILE_BYTES  # the seed's 5 MB: through an upload
UPLOAD_FORM_SECONDS = 15 * 60
PENDING_KEEP_SECONDS = 24 * 60 * 60  # a pending resume whose file never came goes after a day (TTL)
DOWNLOAD_SECONDS = 5 * 60
MAX_FILE_NAME_CHARS = 200
UPLOAD_TYPES = {documents.PDF: "pdf", documents.DOCX: "docx", documents.TEXT: "txt"}
CONTACT_FIELDS = ("email", "phone", "linkedin", "github", "website", "location")
LIST_FIELDS = (
    "resumeId",
    "status",
    "fileName",
    "contentType",
    "size",
    "source",
    "createdAt",
    "analyzedAt",
    "atsScore",
    "skills",
    "yearsOfExperience",
    "seniority",
    "error",
)
VIEW_FIELDS = (
    "resumeId",
    "status",
    "fileName",
    "contentType",
    "size",
    "pageCount",
    "truncated",
    "source",
    "createdAt",
    "analyzedAt",
    "atsScore",
    "strengths",
    "weaknesses",
    "suggestions",
    "skills",
    "sections",
    "contact",
    "yearsOfExperience",
    "seniority",
    "wordCount",
    "bulletCount",
    "quantifiedBullets",
    "actionVerbBullets",
    "targetRole",
    "checks",
    "error",
    "uploadExpiresAt",
)
_DATA_URL = re.compile(r"^data:[\w.+/-]*(?:;[\w.+=-]+)*;base64,", re.IGNORECASE)
_BASE64_SPACE = re.compile(r"[\s]+")
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def new_resume_id(at_millis: int, claim: Claim | None) -> str:
    """Sorts by time (13 digits of epoch milliseconds), then 8 characters: random, or the request's key."""
    suffix = claim.id(length=8) if claim else "".join(secrets.choice("0123456789abcdefghijklmnopqrstuvwxyz") for _ in range(8))
    return f"{at_millis:013d}{suffix}"


def decode_content(raw: str) -> bytes:
    """The file a ``content`` field carries: base64 (standard or URL-safe alphabet, lines wrapped or not,
    padded or not), or a ``data:...;base64,`` URL as a browser's FileReader makes."""
    text = _BASE64_SPACE.sub("", _DATA_URL.sub("", raw.strip(), count=1))
    if "-" in text or "_" in text:
        text = text.replace("-", "+").replace("_", "/")
    text += "=" * (-len(text) % 4)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidRequest("content must be the file encoded in base64 (or a data: URL of it)", field="content") from None


def clean_file_name(raw: str, extension: str) -> str:
    """The name to show and to download under: no folders, no control or direction characters."""
    name = _UNPRINTABLE.sub("", raw.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    if len(name) > MAX_FILE_NAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_FILE_NAME_CHARS - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:MAX_FILE_NAME_CHARS]
    return name or f"resume.{extension}"


def resume_view(item: Mapping[str, Any], *, fields: tuple[str, ...] = VIEW_FIELDS) -> dict[str, Any]:
    view = {key: item[key] for key in fields if key in item}
    if "contact" in fields and "contact" in item:
        view["contact"] = {key: (item.get("contact") or {}).get(key) for key in CONTACT_FIELDS}
    return view


def profile_resume(item: Mapping[str, Any]) -> dict[str, Any]:
    """What the profile keeps of its newest analysed resume (tables.py: the profile's ``resume``)."""
    return {
        "resumeId": item["resumeId"],
        "skills": item.get("skills") or [],
        "yearsOfExperience": item.get("yearsOfExperience") or 0,
        "seniority": item.get("seniority") or "mid",
        "analyzedAt": item["analyzedAt"],
    }


class Resumes:
    def __init__(self, store: ResumeStore | None = None):
        self.store = store or ResumeStore()

    # -- POST /api/resume/analyze ------------------------------------------------------------------------------
    def analyse_inline(self, owner: Principal, data: Mapping[str, Any], *, claim: Claim | None = None) -> dict[str, Any]:
        """Read, analyse, store and record a resume sent in the request; its view with the analysis. A
        retried request (same Idempotency-Key) answers the resume its first attempt recorded."""
        raw = data["content"]
        if len(raw) * 3 // 4 > MAX_INLINE_FILE_BYTES + 3:  # too large before a byte is decoded
            raise _too_large_inline(len(raw) * 3 // 4)
        content = decode_content(raw)
        if len(content) > MAX_INLINE_FILE_BYTES:
            raise _too_large_inline(len(content))
        request_key = claim.id(length=24) if claim else None
        if request_key:
            first = self.store.claimed(owner, request_key)
            if first is not None:
                return resume_view(first)
        document = documents.read(content, field="content")
        target_role = self._target_role(owner, data.get("targetRole"))
        now = clock.now()
        resume_id = new_resume_id(int(now.timestamp() * 1000), claim)
        file_name = clean_file_name(data["fileName"], document.extension)
        analysis = self._analysis(owner, document, target_role)
        key = f"{tables.resume_prefix(owner)}{resume_id}.{document.extension}"
        version_id = self.store.put_original(key, content, content_type=document.content_type, file_name=file_name)
        item = {
            "resumeId": resume_id,
            "status": "analyzed",
            "fileName": file_name,
            "contentType": document.content_type,
            "size": len(content),
            "pageCount": document.pages,
            "truncated": document.truncated,
            "s3Key": key,
            "versionId": version_id,
            "source": "api",
            "createdAt": clock.iso(now),
            "analyzedAt": clock.iso(now),
            "requestKey": request_key,
            **analysis,
        }
        try:
            self.store.create(owner, item, profile_resume(item))
        except Exception:
            # Nothing half-written: no original is kept without its resume.
            try:
                self.store.delete_versions(key)
            except Exception:
                logger.exception("the original of an unrecorded resume could not be removed", extra={"key": key})
            raise
        metrics.add_metric(name="ResumesAnalyzed", unit="Count", value=1)
        return resume_view(item)

    # -- POST /api/resume/uploads --------------------------------------------------------------------------------
    def request_upload(self, owner: Principal, data: Mapping[str, Any], *, claim: Claim | None = None) -> dict[str, Any]:
        """A pending resume and the presigned POST that uploads its file (up to 5 MB, of the declared type;
        the file's bytes decide, once uploaded, whether it is a resume)."""
        content_type = data["contentType"].split(";", 1)[0].strip().lower()
        extension = UPLOAD_TYPES.get(content_type)
        if extension is None:
            raise documents.UnsupportedDocument(f"contentType must be one of {', '.join(UPLOAD_TYPES)}", field="contentType")
        if data["size"] > MAX_FILE_BYTES:
            raise documents.DocumentTooLarge(f"size is {data['size']} bytes; a resume may be at most {MAX_FILE_BYTES} bytes", field="size")
        request_key = claim.id(length=24) if claim else None
        existing = self.store.claimed(owner, request_key) if request_key else None
        if existing is not None:
            return self._upload_answer(existing)
        now = clock.now()
        resume_id = new_resume_id(int(now.timestamp() * 1000), claim)
        item = {
            "resumeId": resume_id,
            "status": "pending",
            "fileName": clean_file_name(data["fileName"], extension),
            "contentType": content_type,
            "size": data["size"],
            "s3Key": f"{tables.upload_prefix(owner)}{resume_id}.{extension}",
            "source": "upload",
            "createdAt": clock.iso(now),
            "uploadExpiresAt": clock.iso(now + dt.timedelta(seconds=UPLOAD_FORM_SECONDS)),
            "expiresAt": int(now.timestamp()) + PENDING_KEEP_SECONDS,
            "requestedRole": _role_text(data.get("targetRole")),
            "requestKey": request_key,
        }
        self.store.create(owner, item, None)
        return self._upload_answer(item)

    def _upload_answer(self, item: Mapping[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = {"resume": resume_view(item), "statusUrl": f"/api/resume/{item['resumeId']}"}
        if item["status"] == "pending":
            form = self.store.upload_form(item["s3Key"], content_type=item["contentType"], max_bytes=MAX_FILE_BYTES, seconds=UPLOAD_FORM_SECONDS)
            answer["upload"] = {
                "method": "POST",
                "url": form["url"],
                "fields": form["fields"],
                "maxBytes": MAX_FILE_BYTES,
                "expiresAt": item["uploadExpiresAt"],
            }
        return answer

    # -- the bucket's event ------------------------------------------------------------------------------------------
    def analyse_upload(self, key: str, version_id: str | None, sequencer: str) -> str:
        """Analyse an uploaded original, once per version: what became of it (analyzed, failed, duplicate,
        gone, orphan, ignored). Only a failure to reach AWS raises (the invocation is retried)."""
        named = owner_of_key(key)
        if named is None or not key.startswith("uploads/"):
            logger.warning("an object of no resume in uploads/", extra={"key": key})
            return "ignored"
        owner, resume_id = named
        item = self.store.resume(owner, resume_id)
        if item is None or item.get("s3Key") != key:
            # No resume asked for this upload (or it was deleted meanwhile): nothing of it is kept.
            self.store.delete_versions(key)
            return "orphan"
        if item.get("sequencer", "") >= padded_sequencer(sequencer):
            return "duplicate"
        size = self.store.head(key, version_id)
        if size is None:
            return "gone"
        try:
            if size > MAX_FILE_BYTES:
                raise documents.DocumentTooLarge(f"the file is {size} bytes; a resume may be at most {MAX_FILE_BYTES} bytes", field="file")
            content = self.store.read_original(key, version_id, max_bytes=MAX_FILE_BYTES)
            document = documents.read(content, field="file")
        except documents.REFUSALS as refused:
            return self._refuse_upload(owner, item, key, version_id, sequencer, size, refused)
        target_role = self._target_role(owner, item.get("requestedRole"))
        analysis = self._analysis(owner, document, target_role)
        now = clock.now_iso()
        changes = {
            "status": "analyzed",
            "versionId": version_id,
            "size": len(content),
            "contentType": document.content_type,
            "pageCount": document.pages,
            "truncated": document.truncated,
            "analyzedAt": now,
            "error": None,
            **analysis,
        }
        summary = profile_resume({**item, **changes})
        if not self.store.record_upload(owner, resume_id, changes, sequencer, summary):
            return "duplicate"
        metrics.add_metric(name="ResumesAnalyzed", unit="Count", value=1)
        return "analyzed"

    def _refuse_upload(
        self, owner: Principal, item: Mapping[str, Any], key: str, version_id: str | None, sequencer: str, size: int, refused: ZikError
    ) -> str:
        """Record why the file is no resume we can read; its original is not kept."""
        changes = {
            "status": "failed",
            "versionId": None,  # the original goes (the key stays: a later event for it is known)
            "size": size,
            "analyzedAt": clock.now_iso(),
            "error": {"code": refused.code, "status": refused.status, "message": refused.message},
        }
        if not self.store.record_upload(owner, item["resumeId"], changes, sequencer, None):
            return "duplicate"
        self.store.delete_versions(key)
        logger.info("uploaded resume refused", extra={"resumeId": item["resumeId"], "code": refused.code})
        return "failed"

    # -- GET, DELETE ----------------------------------------------------------------------------------------------
    def list(self, owner: Principal, *, limit: int, cursor: str | None) -> dict[str, Any]:
        """Resumes newest first (one query); on the first page, ``latest`` is the newest analysed one, whole."""
        page = self.store.page(owner, limit=limit, cursor=cursor)
        latest = None
        if cursor is None:
            latest = next((resume_view(item) for item in page.items if item.get("status") == "analyzed"), None)
        return {"latest": latest, "items": [resume_view(item, fields=LIST_FIELDS) for item in page.items], "nextCursor": page.next_cursor}

    def get(self, owner: Principal, resume_id: str) -> dict[str, Any]:
        """The resume with its analysis and, while its original is kept, a link to download it (5 minutes)."""
        item = self._existing(owner, resume_id)
        view = resume_view(item)
        if item.get("s3Key") and item.get("status") == "analyzed":
            view["downloadUrl"] = self.store.download_url(
                item["s3Key"], item.get("versionId"), file_name=item.get("fileName") or "resume", seconds=DOWNLOAD_SECONDS
            )
            view["downloadExpiresAt"] = clock.iso(clock.now() + dt.timedelta(seconds=DOWNLOAD_SECONDS))
        return view

    def delete(self, owner: Principal, resume_id: str) -> dict[str, Any]:
        """The resume goes with every version of its original; the profile then names the next newest
        analysed resume (or none)."""
        item = self._existing(owner, resume_id)
        removed = self.store.delete_versions(item["s3Key"]) if item.get("s3Key") else 0
        successor = None
        if item.get("status") == "analyzed":
            following = self.store.latest_analyzed(owner, excluding=resume_id)
            successor = profile_resume(following) if following else None
        if not self.store.delete(owner, resume_id, successor=successor):
            raise NotFound(f"no resume {resume_id}", field="resumeId")
        return {"resumeId": resume_id, "deleted": True, "versionsDeleted": removed}

    # -- the analysis ---------------------------------------------------------------------------------------------
    def _analysis(self, owner: Principal, document: documents.Document, target_role: str | None) -> dict[str, Any]:
        today = clock.today()
        rules = ats.analyse(document.text, target_role=target_role, today=today)
        facts = rules.facts()
        data = resume_ai.task_data(document.text, target_role=target_role, today=today, facts=facts)
        try:
            answer = ai.run(resume_ai.TASK, data, owner=owner)
        except (ai.AIUnavailable, ai.AIBudgetExceeded) as exc:
            # The rules' analysis is a real one: a job seeker gets it rather than an error.
            logger.warning("resume analysed by the ATS rules alone", extra={"reason": exc.code})
            answer = rules.answer()
        return {**facts, **{key: answer[key] for key in ("atsScore", "strengths", "weaknesses", "suggestions")}}

    def _target_role(self, owner: Principal, asked: Any) -> str | None:
        """The role asked for, else the first role of the profile's preferences."""
        role = _role_text(asked)
        if role:
            return role
        preferences = (self.store.profile(owner) or {}).get("preferences") or {}
        roles = preferences.get("roles") or []
        return _role_text(roles[0]) if roles else None

    def _existing(self, owner: Principal, resume_id: str) -> dict[str, Any]:
        item = self.store.resume(owner, inputs.identifier(resume_id, "resumeId"))
        if item is None:
            raise NotFound(f"no resume {resume_id}", field="resumeId")
        return item


def _role_text(raw: Any) -> str | None:
    if not isinstance(raw, str):
        return None
    text = " ".join(raw.split())[:100]
    return text or None


def _too_large_inline(size: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"the file is about {size} bytes; one sent in the request body may be at most {MAX_INLINE_FILE_BYTES} bytes: "
        f"upload files up to {MAX_FILE_BYTES} bytes with POST /api/resume/uploads",
        field="content",
    )
