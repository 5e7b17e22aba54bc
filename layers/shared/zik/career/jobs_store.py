"""JobsTable: the jobs (read from the feeds or posted by admins), the market aggregates kept from them, and
each feed's last run. The only module that reads or writes the table.

Items (keys in zik.career.tables):
  a job               pk JOB#<jobId>        sk JOB        the ``job`` shape of tables.py, and closedReason
                                                          ("gone": its feed no longer lists it; "admin")
  market of a role    pk MARKET#<roleKey>   sk LOC#<key>  an aggregate of zik.career.market, its narrative on it
  the market's roles  pk MARKET#ROLES       sk INDEX      {roles}: the role partitions holding aggregates (a
                                                          role's aggregates all go when its last job closes)
  a feed's last run   pk FEED#<source>      sk STATE      {source, origin, format, status, counts, error, ...}

Access patterns:
  a job (GET /api/jobs/{jobId}; an admin's close)     GetItem
  open jobs, newest first (a jobs page)               Query OpenJobsIndex openPk=OPEN, descending: one page
  every open job (the market's rebuild)               the same query, every page (what the index projects)
  a source's postings (ingestion: what to update      Query SourceDateIndex source=<source>, every page
    or close; the seed's index)
  a new posting                                       PutItem, if no item has its key
  a changed, reappeared or gone posting               UpdateItem on the content hash and status it was read with
  market of a role in a place (a request: one read)   GetItem MARKET#<role>, LOC#<place>
  a role's aggregates (the rebuild: what changed)     Query MARKET#<role>: keys and revisions only
  the narrative cached on an aggregate                UpdateItem on the revision it was written for

A job's id is a hash of (source, externalId): the same posting always has the same id, so an upsert is
idempotent and a run that is retried or overlaps another writes nothing twice. Each write is conditional
on what the run read (the content hash and status), so a posting changed meanwhile by another writer is
left to the next run instead of being overwritten with an older reading.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from zik import clock
from zik.career.tables import JOB_SK, OPEN, OPEN_JOBS_INDEX, SOURCE_DATE_INDEX, feed_pk, job_pk, jobs_table, market_key
from zik.dynamo import Filter, Page, Table, from_item, to_item
from zik.errors import Conflict, NotFound

ADMIN_SOURCE = "zik"
GONE = "gone"  # closedReason: the feed no longer lists it
ADMIN = "admin"  # closedReason: an admin closed it (a feed listing it still does not reopen it)
MARKET_ROLES = ("MARKET#ROLES", "INDEX")
FEED_STATE_SK = "STATE"
# What a posting is, for its content hash: a change in any of these is a new version.
CONTENT_FIELDS = (
    "title",
    "company",
    "department",
    "location",
    "locationKey",
    "remote",
    "workplace",
    "seniority",
    "roleKey",
    "skills",
    "requirements",
    "salary",
    "employmentType",
    "description",
    "url",
    "postedDate",
)
_KEYS = ("pk", "sk", "openPk", "openSk", "contentHash")
_LOCATION_FIELDS = ("city", "region", "country", "display")


def job_id_of(source: str, external_id: str) -> str:
    """The job's id: 24 hex digits of a hash of its source and its id there (stable across runs)."""
    return hashlib.sha256(f"{source}\x00{external_id}".encode("utf-8", "surrogatepass")).hexdigest()[:24]


def new_external_id() -> str:
    """An admin's posting's id: time-ordered (milliseconds), then random."""
    return f"{clock.epoch_millis():012x}{secrets.token_hex(4)}"


def content_hash(posting: Mapping[str, Any]) -> str:
    content = {name: posting.get(name) for name in CONTENT_FIELDS}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8", "surrogatepass")).hexdigest()[:16]


def public_job(item: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A job as the API shows it: no keys, the location with all its fields (DynamoDB keeps no null)."""
    if item is None:
        return None
    job = {key: value for key, value in item.items() if key not in _KEYS}
    location = job.get("location") or {}
    job["location"] = {name: location.get(name) for name in _LOCATION_FIELDS}
    job.setdefault("salary", None)
    return job


def open_view(item: Mapping[str, Any]) -> dict[str, Any]:
    """What OpenJobsIndex holds of a job (the market reads no more): to merge a job just written into a
    reading of the index, which may not show it yet."""
    return {name: item.get(name) for name in OPEN_JOB_FIELDS if item.get(name) is not None}


# What OpenJobsIndex projects (template.yaml), besides its keys.
OPEN_JOB_FIELDS = (
    "jobId",
    "title",
    "company",
    "location",
    "locationKey",
    "remote",
    "seniority",
    "roleKey",
    "skills",
    "salary",
    "employmentType",
    "postedDate",
    "source",
    "url",
    "version",
)


@dataclass
class SyncOutcome:
    """What one source's upsert did. ``changes``: jobId -> its open view (created, changed, reopened) or
    None (closed), for the market's rebuild."""

    created: int = 0
    updated: int = 0
    reopened: int = 0
    unchanged: int = 0
    closed: int = 0
    kept: int = 0  # left as they are: closed by an admin, or skipped by the parser this run
    changes: dict[str, dict[str, Any] | None] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "reopened": self.reopened,
            "unchanged": self.unchanged,
            "closed": self.closed,
            "kept": self.kept,
        }


class JobsStore:
    def __init__(self, table: Table | None = None):
        self.table = table or jobs_table()

    @property
    def client(self) -> Any:
        return self.table.client

    # -- jobs ---------------------------------------------------------------------------------------------
    def job(self, job_id: str) -> dict[str, Any] | None:
        """The whole job item (None if there is none)."""
        return self.table.get(job_pk(job_id), JOB_SK, consistent=False)

    def open_jobs_page(self, *, limit: int | None = 20, cursor: str | None = None, where: Filter | None = None) -> Page:
        """One page of open jobs, newest posting first, as OpenJobsIndex projects them (OPEN_JOB_FIELDS);
        ``limit=None``: as many as one round trip gives (1 MB)."""
        return self.table.query_page(
            OPEN, index=OPEN_JOBS_INDEX, pk_name="openPk", sk_name="openSk", newest_first=True, limit=limit, cursor=cursor, where=where
        )

    def open_jobs(self, *, where: Filter | None = None) -> Iterator[dict[str, Any]]:
        """Every open job, newest first (every page of OpenJobsIndex): for the market's rebuild, never a request."""
        return self.table.iterate(OPEN, index=OPEN_JOBS_INDEX, pk_name="openPk", sk_name="openSk", newest_first=True, where=where)

    def source_jobs(self, source: str) -> Iterator[dict[str, Any]]:
        """Every job of a source, open or closed, as SourceDateIndex projects them (jobId, externalId, status,
        contentHash, roleKey, locationKey)."""
        return self.table.iterate(source, index=SOURCE_DATE_INDEX, pk_name="source", sk_name="postedDate")

    def job_item(self, posting: Mapping[str, Any]) -> dict[str, Any]:
        """A posting (the ``job`` shape but for what the store adds) as an open job's item."""
        job_id = job_id_of(posting["source"], posting["externalId"])
        return {
            "pk": job_pk(job_id),
            "sk": JOB_SK,
            "jobId": job_id,
            **posting,
            "contentHash": content_hash(posting),
            "status": "open",
            "openPk": OPEN,
            "openSk": f"{posting['postedDate']}#{job_id}",
        }

    def create(self, posting: Mapping[str, Any]) -> dict[str, Any] | None:
        """Write a new job (version 1); None if a job with its id exists already."""
        try:
            return self.table.create(self.job_item(posting))
        except Conflict:
            return None

    def replace(self, posting: Mapping[str, Any], *, read_hash: str | None, read_status: str) -> dict[str, Any] | None:
        """Write a posting's new content over its job (open again, version bumped), if the job still has the
        content hash and status it was read with; None if it changed meanwhile."""
        item = self.job_item(posting)
        changes = {name: value for name, value in item.items() if name not in ("pk", "sk")}
        for name in CONTENT_FIELDS:
            changes.setdefault(name, None)  # a field the posting no longer has goes
        request = self.table.update_request(item["pk"], JOB_SK, changes, remove=["closedAt", "closedReason"])
        return self._update_if(request, read_hash=read_hash, read_status=read_status)

    def close(self, job_id: str, reason: str) -> dict[str, Any] | None:
        """Close an open job: status closed, closedAt, out of OpenJobsIndex, version bumped. None if it is not
        open (closed meanwhile, or no such job)."""
        request = self.table.update_request(
            job_pk(job_id), JOB_SK, {"status": "closed", "closedAt": clock.now_iso(), "closedReason": reason}, remove=["openPk", "openSk"]
        )
        return self._update_if(request, read_hash=None, read_status="open")

    def _update_if(self, request: dict[str, Any], *, read_hash: str | None, read_status: str) -> dict[str, Any] | None:
        names, values = request["ExpressionAttributeNames"], request["ExpressionAttributeValues"]
        names["#readStatus"] = "status"
        values.update(to_item({":readStatus": read_status}))
        request["ConditionExpression"] += " AND #readStatus = :readStatus"
        if read_hash is not None:
            names["#readHash"] = "contentHash"
            values.update(to_item({":readHash": read_hash}))
            request["ConditionExpression"] += " AND #readHash = :readHash"
        try:
            answer = self.client.update_item(**request, ReturnValues="ALL_NEW")
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return None
            raise
        return from_item(answer["Attributes"])

    def sync_source(self, source: str, postings: Iterable[Mapping[str, Any]], *, keep: Iterable[str] = ()) -> SyncOutcome:
        """Make the source's jobs what its feed lists: new postings created, changed ones updated (a new
        version), closed ones listed again reopened, postings no longer listed closed. Unchanged postings
        cost no write. ``keep``: ids of postings the feed lists but that could not be read this run (left as
        they are, not closed). Jobs an admin closed stay closed."""
        existing = {item["externalId"]: item for item in self.source_jobs(source)}
        outcome = SyncOutcome()
        for posting in postings:
            known = existing.pop(posting["externalId"], None)
            self._sync_one(posting, known, outcome)
        kept = set(keep)
        for known in existing.values():
            if known.get("status") != "open":
                continue
            if known["externalId"] in kept:
                outcome.kept += 1
                continue
            if self.close(known["jobId"], GONE) is not None:
                outcome.closed += 1
                outcome.changes[known["jobId"]] = None
        return outcome

    def _sync_one(self, posting: Mapping[str, Any], known: Mapping[str, Any] | None, outcome: SyncOutcome) -> None:
        if known is None:
            written = self.create(posting)
            if written is None:  # another run created it a moment ago
                outcome.unchanged += 1
                return
            outcome.created += 1
            outcome.changes[written["jobId"]] = open_view(written)
            return
        status = known.get("status")
        if status == "open" and known.get("contentHash") == content_hash(posting):
            outcome.unchanged += 1
            return
        if status != "open" and (self.job(known["jobId"]) or {}).get("closedReason") == ADMIN:
            outcome.kept += 1
            return
        written = self.replace(posting, read_hash=known.get("contentHash"), read_status=status or "open")
        if written is None:  # changed meanwhile: the next run reads it again
            outcome.unchanged += 1
            return
        if status == "open":
            outcome.updated += 1
        else:
            outcome.reopened += 1
        outcome.changes[written["jobId"]] = open_view(written)

    # -- feeds' runs ----------------------------------------------------------------------------------------
    def save_feed_state(self, source: str, state: Mapping[str, Any]) -> None:
        self.client.put_item(TableName=self.table.name, Item=to_item({"pk": feed_pk(source), "sk": FEED_STATE_SK, "source": source, **state}))

    def feed_state(self, source: str) -> dict[str, Any] | None:
        return self.table.get(feed_pk(source), FEED_STATE_SK)

    # -- the market's aggregates --------------------------------------------------------------------------
    def aggregate(self, role_key: str, location_key: str) -> dict[str, Any] | None:
        """The aggregate of a role in a place: the one read of a market-intelligence request."""
        pk, sk = market_key(role_key, location_key)
        return self.table.get(pk, sk, consistent=False)

    def aggregate_revisions(self, role_key: str) -> dict[str, str]:
        """location key -> revision of every aggregate of a role (keys and revisions only)."""
        pk, _ = market_key(role_key, "")
        kwargs: dict[str, Any] = {
            "TableName": self.table.name,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": to_item({":pk": pk}),
            "ProjectionExpression": "sk, revision",
            "ConsistentRead": True,
        }
        revisions: dict[str, str] = {}
        while True:
            answer = self.client.query(**kwargs)
            for item in map(from_item, answer.get("Items", [])):
                revisions[item["sk"].removeprefix("LOC#")] = item.get("revision", "")
            if "LastEvaluatedKey" not in answer:
                return revisions
            kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    def write_aggregates(self, puts: Sequence[Mapping[str, Any]], deletes: list[tuple[str, str]]) -> None:
        """Put aggregates (each whole: a new revision's narrative is yet to be written) and delete the
        (role, place) aggregates given, 25 a batch."""
        requests = [{"PutRequest": {"Item": to_item({**dict(zip(("pk", "sk"), market_key(a["roleKey"], a["locationKey"]))), **a})}} for a in puts]
        requests += [{"DeleteRequest": {"Key": to_item(dict(zip(("pk", "sk"), market_key(role, place))))}} for role, place in deletes]
        for start in range(0, len(requests), 25):
            pending: dict[str, Any] = {self.table.name: requests[start : start + 25]}
            while pending:
                pending = self.client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}

    def market_roles(self) -> set[str]:
        item = self.table.get(*MARKET_ROLES)
        return set((item or {}).get("roles") or [])

    def save_market_roles(self, roles: Iterable[str]) -> None:
        self.client.put_item(
            TableName=self.table.name,
            Item=to_item({"pk": MARKET_ROLES[0], "sk": MARKET_ROLES[1], "roles": sorted(roles), "updatedAt": clock.now_iso()}),
        )

    def save_narrative(self, role_key: str, location_key: str, revision: str, narrative: Mapping[str, Any]) -> bool:
        """Cache a narrative on its aggregate, unless the aggregate was rebuilt meanwhile (another revision):
        whether it was written."""
        pk, sk = market_key(role_key, location_key)
        try:
            self.client.update_item(
                TableName=self.table.name,
                Key=to_item({"pk": pk, "sk": sk}),
                UpdateExpression="SET narrative = :narrative",
                ConditionExpression="revision = :revision",
                ExpressionAttributeValues=to_item({":narrative": dict(narrative), ":revision": revision}),
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    # -- an admin's posting ---------------------------------------------------------------------------------
    def post(self, posting: Mapping[str, Any]) -> dict[str, Any]:
        """Write an admin's job (source zik); Conflict if its id is taken (the same external id twice)."""
        written = self.create(posting)
        if written is None:
            raise Conflict("a job with this id exists already", field="externalId")
        return written

    def close_by_admin(self, job_id: str) -> dict[str, Any]:
        """Close a job as an admin: the job as it now is (a closed job is answered as it is); NotFound if
        there is none."""
        closed = self.close(job_id, ADMIN)
        if closed is not None:
            return closed
        current = self.job(job_id)
        if current is None:
            raise NotFound(f"no job {job_id}", field="jobId")
        return current
