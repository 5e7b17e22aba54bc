"""Applications (/api/applications): their items in CareerTable, and the service the handlers call: create
from a job or by hand, list newest applied first, read, change the status or the notes, delete, stats,
and interview invitations read from e-mail (the API's or a forwarded MIME message's) moving their
application to interview.

Items (pk = TENANT#<t>#USER#<u>; keys in zik.career.tables):
  application      sk APP#<applicationId>  gsi1pk <pk>#APPLICATIONS  gsi1sk <appliedAt or createdAt>#<applicationId>
                   {applicationId, jobId?, company, role, location?, url?, notes?, status, history, appliedAt?,
                    createdAt, updatedAt, version, interview?}
  its job          sk APPJOB#<jobId>   {applicationId, jobId}: one application per job, written and deleted in
                   the same transaction as the application
  an e-mail read   sk EMAIL#<digest>   {digest, applicationId, subject, receivedAt, readAt, reading}: written in
                   the transaction that moves the application, so a message read again moves nothing
  the mailbox      sk MAILBOX {token, createdAt}, and pk MAILBOX#<token>, sk MAILBOX {tenantId, userId, createdAt}

Every status change is a conditional write at the version read (a stale one is a 409), and each leaves
CareerTable's stream as ApplicationStatusChanged (zik.career.changes reads status, history, version,
applicationId, company, role and jobId off the item).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator, Mapping
from typing import Any

from zik import clock
from zik.career import applications, email_ai, interviews, mail, tables
from zik.claims import HEX, Claim
from zik.dynamo import Filter, Page, Table, TransactionFailed, from_item, to_item, transact
from zik.errors import Conflict, InvalidRequest, NotFound, VersionConflict
from zik.observability import logger, metrics
from zik.principal import Principal

ATTEMPTS = 3  # reads and conditional writes of an application being changed meanwhile
_HIDDEN = ("pk", "sk", "gsi1pk", "gsi1sk")
_OPTIONAL = ("jobId", "location", "url", "notes", "appliedAt")
_BY_HAND = ("company", "role", "location", "url")
SUBJECT_CHARS = 200


def new_application_id(at: dt.datetime) -> str:
    """Time-ordered and unguessable: 12 hex digits of the milliseconds of ``at``, then 8 random ones."""
    return f"{int(at.timestamp() * 1000):012x}{secrets.token_hex(4)}"


def new_token() -> str:
    return "".join(secrets.choice(mail.TOKEN_ALPHABET) for _ in range(mail.TOKEN_LENGTH))


def view(item: Mapping[str, Any]) -> dict[str, Any]:
    """An application as the API answers it."""
    shown = {key: value for key, value in item.items() if key not in _HIDDEN}
    for key in _OPTIONAL:
        shown.setdefault(key, None)
    shown.setdefault("history", [])
    return shown


def index_sk(application_id: str, applied_or_created: str) -> str:
    """UserIdIndex's sort key: newest applied first (one not yet applied by when it was saved)."""
    return f"{applied_or_created}#{application_id}"


class ApplicationStore:
    """The DynamoDB side: CareerTable's application, e-mail and mailbox items; JobsTable's jobs (read only)."""

    def __init__(self, table: Table | None = None, jobs: Table | None = None):
        self.table = table or tables.career_table()
        self._jobs = jobs

    @property
    def jobs(self) -> Table:
        """Read only when an application is made from a job (InterviewMailFunction has no JOBS_TABLE)."""
        if self._jobs is None:
            self._jobs = tables.jobs_table()
        return self._jobs

    def _put(self, item: Mapping[str, Any]) -> dict[str, Any]:
        return {"Put": {"TableName": self.table.name, "Item": to_item(item), "ConditionExpression": "attribute_not_exists(pk)"}}

    # -- applications ------------------------------------------------------------------------------------
    def job(self, job_id: str) -> dict[str, Any] | None:
        return self.jobs.get(tables.job_pk(job_id), tables.JOB_SK, consistent=False)

    def get(self, owner: Principal, application_id: str) -> dict[str, Any] | None:
        return self.table.get(owner.partition, tables.application_sk(application_id))

    def require(self, owner: Principal, application_id: str) -> dict[str, Any]:
        item = self.get(owner, application_id)
        if item is None:
            raise NotFound(f"no application {application_id}", field="applicationId")
        return item

    def insert(self, owner: Principal, application: Mapping[str, Any]) -> dict[str, Any]:
        """Write a new application (and, for a job's, the job's APPJOB item) in one transaction. Conflict if
        the id is taken (``details.existing``: "application") or the job already has an application of the
        owner's (``details.applicationId``)."""
        item = {
            **application,
            "pk": owner.partition,
            "sk": tables.application_sk(application["applicationId"]),
            "gsi1pk": tables.applications_index_pk(owner),
            "gsi1sk": index_sk(application["applicationId"], application.get("appliedAt") or application["createdAt"]),
        }
        writes = [self._put(item)]
        job_id = application.get("jobId")
        if job_id:
            writes.append(
                self._put(
                    {
                        "pk": owner.partition,
                        "sk": tables.application_job_sk(job_id),
                        "applicationId": application["applicationId"],
                        "jobId": job_id,
                        "createdAt": application["createdAt"],
                    }
                )
            )
        try:
            transact(self.table.client, writes)
        except TransactionFailed as failed:
            if failed.failed(0):
                raise Conflict("an application with this id already exists", details={"existing": "application"}) from None
            existing = self.table.get(owner.partition, tables.application_job_sk(job_id or "")) or {}
            raise Conflict(
                f"you already have an application for job {job_id}",
                field="jobId",
                details={"applicationId": existing.get("applicationId")},
            ) from None
        return item

    def update(self, owner: Principal, application_id: str, changes: Mapping[str, Any], *, expected_version: int) -> dict[str, Any]:
        try:
            return self.table.update(owner.partition, tables.application_sk(application_id), changes, expected_version=expected_version)
        except NotFound:
            raise NotFound(f"no application {application_id}", field="applicationId") from None

    def delete(self, owner: Principal, application_id: str) -> dict[str, Any]:
        """Delete an application with its job's APPJOB item, in one transaction at the version read."""
        for _ in range(ATTEMPTS):
            item = self.require(owner, application_id)
            writes: list[dict[str, Any]] = [
                {
                    "Delete": {
                        "TableName": self.table.name,
                        "Key": self.table.key(owner.partition, tables.application_sk(application_id)),
                        "ConditionExpression": "#version = :version",
                        "ExpressionAttributeNames": {"#version": "version"},
                        "ExpressionAttributeValues": to_item({":version": item["version"]}),
                    }
                }
            ]
            if item.get("jobId"):
                writes.append(
                    {
                        "Delete": {
                            "TableName": self.table.name,
                            "Key": self.table.key(owner.partition, tables.application_job_sk(item["jobId"])),
                            "ConditionExpression": "attribute_not_exists(pk) OR applicationId = :id",
                            "ExpressionAttributeValues": to_item({":id": application_id}),
                        }
                    }
                )
            try:
                transact(self.table.client, writes)
                return item
            except TransactionFailed:
                continue  # changed (or deleted) since it was read: read it again
        raise Conflict(f"application {application_id} keeps changing; retry", field="applicationId")

    def page(self, owner: Principal, *, status: str | None, limit: int, cursor: str | None) -> Page:
        where = Filter("#status = :status", {"#status": "status"}, {":status": status}) if status else None
        return self.table.query_page(
            tables.applications_index_pk(owner),
            index=tables.USER_ID_INDEX,
            pk_name="gsi1pk",
            sk_name="gsi1sk",
            limit=limit,
            cursor=cursor,
            newest_first=True,
            where=where,
        )

    def _index(self, owner: Principal, *, values: Mapping[str, Any] | None = None, **query: Any) -> Iterator[dict[str, Any]]:
        """Every application of the owner from UserIdIndex: one Query (a page per MB of applications)."""
        kwargs: dict[str, Any] = {
            "TableName": self.table.name,
            "IndexName": tables.USER_ID_INDEX,
            "KeyConditionExpression": "gsi1pk = :pk",
            "ExpressionAttributeValues": to_item({":pk": tables.applications_index_pk(owner), **(values or {})}),
            **query,
        }
        while True:
            answer = self.table.client.query(**kwargs)
            yield from map(from_item, answer.get("Items", []))
            if "LastEvaluatedKey" not in answer:
                return
            kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    def stats_rows(self, owner: Principal) -> list[dict[str, Any]]:
        """What the stats count, and only that, of every application."""
        return list(self._index(owner, ProjectionExpression="#status, appliedAt, history", ExpressionAttributeNames={"#status": "status"}))

    def open_applications(self, owner: Principal) -> list[dict[str, Any]]:
        names = [f":s{index}" for index in range(len(applications.OPEN))]
        return list(
            self._index(
                owner,
                FilterExpression=f"#status IN ({', '.join(names)})",
                ExpressionAttributeNames={"#status": "status"},
                values=dict(zip(names, applications.OPEN)),
            )
        )

    # -- e-mails read ----------------------------------------------------------------------------------
    def email_read(self, owner: Principal, digest: str) -> dict[str, Any] | None:
        return self.table.get(owner.partition, tables.email_sk(digest))

    def move_by_email(self, owner: Principal, application: Mapping[str, Any], changes: Mapping[str, Any], read: Mapping[str, Any]) -> str:
        """Move the application (at the version read) and record the e-mail, in one transaction: "moved",
        "duplicate" (this e-mail was read already) or "stale" (the application changed or went)."""
        update = self.table.update_request(
            owner.partition, tables.application_sk(application["applicationId"]), changes, expected_version=application["version"]
        )
        record = {**read, "pk": owner.partition, "sk": tables.email_sk(read["digest"])}
        try:
            transact(self.table.client, [{"Update": update}, self._put(record)])
        except TransactionFailed as failed:
            return "duplicate" if failed.failed(1) else "stale"
        return "moved"

    # -- the forwarding address ------------------------------------------------------------------------
    def mailbox(self, owner: Principal) -> dict[str, Any] | None:
        return self.table.get(owner.partition, tables.MAILBOX)

    def create_mailbox(self, owner: Principal, token: str, at: str) -> str:
        """Write the owner's mailbox and its token's owner together: "created", "exists" (the owner has one
        already) or "taken" (another mailbox has the token)."""
        try:
            transact(
                self.table.client,
                [
                    self._put({"pk": owner.partition, "sk": tables.MAILBOX, "token": token, "createdAt": at}),
                    self._put(
                        {"pk": tables.mailbox_pk(token), "sk": tables.MAILBOX, "tenantId": owner.tenant_id, "userId": owner.user_id, "createdAt": at}
                    ),
                ],
            )
        except TransactionFailed as failed:
            return "exists" if failed.failed(0) else "taken"
        return "created"

    def mailbox_owner(self, token: str) -> Principal | None:
        item = self.table.get(tables.mailbox_pk(token), tables.MAILBOX, consistent=False)
        if not item:
            return None
        return Principal(user_id=item["userId"], tenant_id=item["tenantId"])


class Applications:
    """What the API and the mail function do with applications."""

    def __init__(self, store: ApplicationStore | None = None):
        self.store = store or ApplicationStore()

    # -- create, read, change, delete ----------------------------------------------------------------
    def create(self, owner: Principal, data: Mapping[str, Any], *, claim: Claim | None = None) -> dict[str, Any]:
        """An application from a job (``jobId``: its company, role, location and URL are copied as they are
        now) or by hand (``company``, ``role``, ``location?``, ``url?``), with ``notes?`` and ``status?``
        (applied unless said). With an Idempotency-Key's ``claim`` its id comes from the key, so a retry
        answers the application the first attempt wrote."""
        now = clock.now()
        at = clock.iso(now)
        status = applications.check_status(data.get("status") or applications.APPLIED)
        if data.get("jobId"):
            for name in _BY_HAND:
                if name in data:
                    raise InvalidRequest(f"{name} comes from the job when jobId is given: send one or the other", field=name)
            described = self._from_job(data["jobId"])
        else:
            described = self._by_hand(data)
        application = {
            "applicationId": claim.id(length=20, alphabet=HEX) if claim else new_application_id(now),
            **described,
            "notes": _notes(data.get("notes")),
            **applications.initial(status, at=at),
            "createdAt": at,
            "updatedAt": at,
            "version": 1,
        }
        try:
            saved = self.store.insert(owner, {key: value for key, value in application.items() if value is not None})
        except Conflict as conflict:
            if claim is None or (
                conflict.details.get("existing") != "application" and conflict.details.get("applicationId") != application["applicationId"]
            ):
                raise
            return self.get(owner, application["applicationId"])  # written by this request's first attempt
        metrics.add_metric(name="ApplicationsCreated", unit="Count", value=1)
        return view(saved)

    def _from_job(self, job_id: str) -> dict[str, Any]:
        job = self.store.job(job_id)
        if job is None or job.get("status") != "open":
            raise NotFound(f"no open job {job_id}: it is closed or was never posted", field="jobId")
        location = job.get("location")
        place = location.get("display") if isinstance(location, Mapping) else location
        if job.get("remote") and place and "remote" not in str(place).lower():
            place = f"{place} (remote)"
        return {
            "jobId": job_id,
            "company": job.get("company") or "",
            "role": job.get("title") or "",
            "location": place or ("Remote" if job.get("remote") else None),
            "url": job.get("url") or None,
        }

    @staticmethod
    def _by_hand(data: Mapping[str, Any]) -> dict[str, Any]:
        described: dict[str, Any] = {}
        for name in _BY_HAND:
            value = " ".join(str(data.get(name) or "").split()) if name != "url" else str(data.get(name) or "").strip()
            if name in ("company", "role") and not value:
                raise InvalidRequest(f"{name} is required (or a jobId to copy it from)", field=name)
            described[name] = value or None
        return described

    def get(self, owner: Principal, application_id: str) -> dict[str, Any]:
        return view(self.store.require(owner, application_id))

    def update(self, owner: Principal, application_id: str, data: Mapping[str, Any]) -> dict[str, Any]:
        """Move the status and/or change the notes, at the ``version`` read (409 if it moved on). Sending the
        status it has is no transition (a form sent back whole), but for interview: another round."""
        current = self.store.require(owner, application_id)
        if current.get("version") != data["version"]:
            raise VersionConflict(data["version"], current.get("version"))
        changes: dict[str, Any] = {}
        if "notes" in data:
            changes["notes"] = _notes(data["notes"])
        status = data.get("status")
        if status is not None:
            applications.check_status(status)
            if status != current["status"] or status == applications.INTERVIEW:
                changes.update(self._move(current, status, via="api"))
        if not changes:
            return view(current)
        return view(self.store.update(owner, application_id, changes, expected_version=data["version"]))

    @staticmethod
    def _move(application: Mapping[str, Any], to: str, *, via: str) -> dict[str, Any]:
        changes = applications.move(application, to, at=clock.now_iso(), via=via)
        if "appliedAt" in changes:  # first sent: it sorts among the applied from now on
            changes["gsi1sk"] = index_sk(application["applicationId"], changes["appliedAt"])
        return changes

    def delete(self, owner: Principal, application_id: str) -> dict[str, Any]:
        self.store.delete(owner, application_id)
        return {"applicationId": application_id, "deleted": True}

    def list(self, owner: Principal, *, status: str | None, limit: int, cursor: str | None) -> dict[str, Any]:
        """Newest applied first (one not yet applied sorts by when it was saved). With ``status`` a page may
        hold fewer than ``limit``: follow ``nextCursor``."""
        if status is not None:
            applications.check_status(status)
        page = self.store.page(owner, status=status, limit=limit, cursor=cursor)
        return {"items": [view(item) for item in page.items], "nextCursor": page.next_cursor}

    def stats(self, owner: Principal) -> dict[str, Any]:
        return applications.stats(self.store.stats_rows(owner))

    # -- the forwarding address ------------------------------------------------------------------------
    def forwarding_address(self, owner: Principal, domain: str | None) -> dict[str, Any]:
        """The owner's address for forwarding interview e-mails, made the first time it is asked for."""
        for _ in range(ATTEMPTS):
            box = self.store.mailbox(owner)
            if box is None:
                outcome = self.store.create_mailbox(owner, new_token(), clock.now_iso())
                if outcome == "taken":
                    continue
                box = self.store.mailbox(owner)
            if box is not None:
                return {"address": mail.address(box["token"], domain), "createdAt": box["createdAt"]}
        raise Conflict("the forwarding address could not be made; retry")

    # -- interview e-mails -----------------------------------------------------------------------------
    def read_email(self, owner: Principal, message: interviews.Email) -> dict[str, Any]:
        """Whether ``message`` is an interview invitation, what it says, and the application it moved to
        interview: ``{isInterview, company, role, scheduledAt, timezone, location, meetingLink, kind,
        confidence, applicationId, moved, alreadyRead, reason}``. A message read before moves nothing."""
        digest = interviews.message_digest(message)
        seen = self.store.email_read(owner, digest)
        if seen is not None:
            return _answer(seen["reading"], seen.get("applicationId"), moved=False, already_read=True, reason="this e-mail was read before")
        reading = email_ai.reading(message, owner)
        if not reading["isInterview"]:
            return _answer(reading, None, reason="not an interview invitation")
        application, _ = interviews.match(reading, message, self.store.open_applications(owner))
        if application is None:
            return _answer(reading, None, reason=f"no open application matches {reading['company'] or 'this e-mail'}")
        record = {
            "digest": digest,
            "applicationId": application["applicationId"],
            "subject": message.subject[:SUBJECT_CHARS],
            "receivedAt": clock.iso(message.received_at),
            "readAt": clock.now_iso(),
            "reading": reading,
        }
        for _ in range(ATTEMPTS):
            refusal = _interview_refusal(application, reading)
            if refusal:
                return _answer(reading, application["applicationId"], reason=refusal)
            changes = self._move(application, applications.INTERVIEW, via="email")
            changes["interview"] = _interview(reading, message, digest)
            outcome = self.store.move_by_email(owner, application, changes, record)
            if outcome == "moved":
                metrics.add_metric(name="InterviewsDetected", unit="Count", value=1)
                logger.info("interview e-mail moved its application", extra={"applicationId": application["applicationId"]})
                return _answer(reading, application["applicationId"], moved=True)
            if outcome == "duplicate":
                return _answer(reading, application["applicationId"], already_read=True, reason="this e-mail was read before")
            fresh = self.store.get(owner, application["applicationId"])
            if fresh is None:
                return _answer(reading, None, reason="the application was deleted meanwhile")
            application = fresh
        raise Conflict("the application kept changing while the e-mail was read; retry", field="applicationId")


def _interview_refusal(application: Mapping[str, Any], reading: Mapping[str, Any]) -> str | None:
    """Why the invitation does not move ``application`` (None: it does)."""
    status = application["status"]
    if not applications.can_move(status, applications.INTERVIEW):
        return f"the application is {status}: it cannot move to interview"
    if status == applications.INTERVIEW:
        known = (application.get("interview") or {}).get("scheduledAt")
        if reading.get("scheduledAt") is None or reading["scheduledAt"] == known:
            return "the application is at interview already, for that time"  # a reminder, or no new round
    return None


def _interview(reading: Mapping[str, Any], message: interviews.Email, digest: str) -> dict[str, Any]:
    details = {key: reading.get(key) for key in ("scheduledAt", "timezone", "location", "meetingLink", "kind")}
    details.update(
        subject=message.subject[:SUBJECT_CHARS], receivedAt=clock.iso(message.received_at), messageDigest=digest, detectedAt=clock.now_iso()
    )
    return {key: value for key, value in details.items() if value is not None}


def _answer(
    reading: Mapping[str, Any], application_id: str | None, *, moved: bool = False, already_read: bool = False, reason: str | None = None
) -> dict[str, Any]:
    fields = ("isInterview", "company", "role", "scheduledAt", "timezone", "location", "meetingLink", "kind", "confidence")
    return {
        **{key: reading.get(key) for key in fields},
        "applicationId": application_id,
        "moved": moved,
        "alreadyRead": already_read,
        "reason": reason,
    }


def _notes(raw: Any) -> str | None:
    if raw is None:
        return None
    text = str(raw).strip()
    return text or None
