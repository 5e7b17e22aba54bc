"""The job feeds' ingestion (hourly, JobIngestionFunction), and the admins' posting and closing of jobs.

The feeds:
  - every object under ``feeds/`` in JobFeedsBucket: ``feeds/greenhouse/<board>.json`` and
    ``feeds/lever/<site>.json`` say their format; any other ``feeds/<name>.json`` is told by its content;
  - every URL in JOB_FEED_URLS (the stack's JobFeedUrls): a Greenhouse board
    (``https://boards-api.greenhouse.io/v1/boards/<token>/jobs?content=true``) or a Lever site
    (``https://api.lever.co/v0/postings/<site>?mode=json``), read over HTTPS with a timeout and a size cap.
    Plain http is taken only from the machine itself (127.0.0.1, localhost): the local cloud's and the
    tests' loopback servers; the URLs are the operator's configuration, never a user's input.
A feed's source is its format and board ("greenhouse:northwind-analytics"): the same board read from the
bucket or a URL is the same source, and a source configured twice is read once.

Each run, for each feed: read it, parse it (zik.career.feeds), upsert its postings and close those it no
longer lists (zik.career.jobs_store), and record the run in the feed's state item (FEED#<source>). A feed
that fails (unreachable, too large, not a feed) is logged, counted and recorded; the others go on. Then
the market's aggregates are rebuilt (zik.career.market). The run raises when every feed failed, so that the
schedule's retries and then its dead-letter queue see it.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from zik import clock, config
from zik.career import feeds, market, vocabulary
from zik.career.jobs_store import ADMIN_SOURCE, JobsStore, new_external_id, open_view, public_job
from zik.errors import InvalidRequest
from zik.observability import logger, metrics

FEEDS_PREFIX = "feeds/"
FETCH_TIMEOUT_SECONDS = 20
USER_AGENT = "zik-job-ingestion/1.0 (+https://github.com/zik)"
_FEED_KEY = re.compile(r"^feeds/(?:(?P<format>greenhouse|lever)/)?(?P<board>[A-Za-z0-9][A-Za-z0-9._-]{0,99})\.json$")
_GREENHOUSE_PATH = re.compile(r"/v1/boards/(?P<board>[A-Za-z0-9._-]{1,100})/jobs/?$")
_LEVER_PATH = re.compile(r"/v0/postings/(?P<board>[A-Za-z0-9._-]{1,100})/?$")


class IngestionFailed(RuntimeError):
    """Every configured feed failed: nothing was read."""


@dataclass(frozen=True)
class FeedSource:
    source: str  # "<format>:<board>", or "url:<host-and-path>" for a URL of neither known shape
    format: str | None
    company: str
    origin: str  # s3://bucket/key or the URL
    read: Callable[[], bytes]


# -- where the feeds are ----------------------------------------------------------------------------------------
def bucket_feeds(s3: Any, bucket: str) -> list[FeedSource]:
    """The feeds under feeds/ in the bucket (other keys are logged and left alone)."""
    found: list[FeedSource] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=FEEDS_PREFIX):
        for entry in page.get("Contents", []):
            key = entry["Key"]
            matched = _FEED_KEY.match(key)
            if not matched:
                if not key.endswith("/"):
                    logger.warning("not a feed: expected feeds/greenhouse/<board>.json or feeds/lever/<site>.json", extra={"key": key})
                continue
            fmt, board = matched.group("format"), matched.group("board")
            found.append(FeedSource(f"{fmt or 'feed'}:{board}", fmt, feeds.company_name(board), f"s3://{bucket}/{key}", _s3_reader(s3, bucket, key)))
    return found


def _s3_reader(s3: Any, bucket: str, key: str) -> Callable[[], bytes]:
    def read() -> bytes:
        answer = s3.get_object(Bucket=bucket, Key=key)
        if int(answer.get("ContentLength") or 0) > feeds.MAX_FEED_BYTES:
            raise feeds.FeedError(f"the feed is {answer['ContentLength']} bytes; the limit is {feeds.MAX_FEED_BYTES}")
        return answer["Body"].read(feeds.MAX_FEED_BYTES + 1)

    return read


def url_feed(url: str) -> FeedSource:
    """A configured URL as a feed: its format and board from its path (the boards' API shapes)."""
    check_url(url)
    parts = urlsplit(url)
    for fmt, pattern in ((feeds.GREENHOUSE, _GREENHOUSE_PATH), (feeds.LEVER, _LEVER_PATH)):
        matched = pattern.search(parts.path)
        if matched:
            board = matched.group("board")
            return FeedSource(f"{fmt}:{board}", fmt, feeds.company_name(board), url, lambda: fetch(url))
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{parts.hostname}{parts.path}").strip("-")[:100]
    return FeedSource(f"url:{name}", None, feeds.company_name(name.rsplit("-", 1)[-1].removesuffix(".json") or name), url, lambda: fetch(url))


def check_url(url: str) -> None:
    """https anywhere; plain http only to this machine (a loopback address or localhost)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname and _loopback(parts.hostname):
        return
    raise feeds.FeedError(f"a feed URL must be https (plain http only from this machine): {url[:200]}")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def fetch(url: str) -> bytes:
    """GET the feed: JSON asked for, redirects only to URLs check_url accepts, at most MAX_FEED_BYTES."""
    import urllib.request  # only the run reads URLs: the API functions that import this module never do

    class CheckedRedirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
            check_url(newurl)
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    opener = urllib.request.build_opener(CheckedRedirects)
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": USER_AGENT})
    with opener.open(request, timeout=FETCH_TIMEOUT_SECONDS) as answer:
        declared = answer.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > feeds.MAX_FEED_BYTES:
            raise feeds.FeedError(f"the feed is {declared} bytes; the limit is {feeds.MAX_FEED_BYTES}")
        body = answer.read(feeds.MAX_FEED_BYTES + 1)
    if len(body) > feeds.MAX_FEED_BYTES:
        raise feeds.FeedError(f"the feed is larger than {feeds.MAX_FEED_BYTES} bytes")
    return body


def configured_feeds(s3: Any | None = None) -> list[FeedSource]:
    """The bucket's feeds, then the URLs' (JOB_FEEDS_BUCKET and JOB_FEED_URLS, read at each run)."""
    bucket = config.optional("JOB_FEEDS_BUCKET", "")
    found: list[FeedSource] = []
    if bucket:
        if s3 is None:
            import boto3

            s3 = boto3.client("s3")
        found += bucket_feeds(s3, bucket)
    for url in config.csv("JOB_FEED_URLS"):
        try:
            found.append(url_feed(url))
        except feeds.FeedError as refused:
            found.append(FeedSource(f"url:{url[:100]}", None, "", url, _refusal(refused)))
    return found


def _refusal(error: Exception) -> Callable[[], bytes]:
    def read() -> bytes:
        raise error

    return read


# -- the run ------------------------------------------------------------------------------------------------------
def run_ingestion(
    *, store: JobsStore | None = None, sources: list[FeedSource] | None = None, today: dt.date | None = None, run_id: str | None = None
) -> dict[str, Any]:
    """Read every feed, upsert, close what is gone, record each feed's run, rebuild the market. What it did."""
    store = store or JobsStore()
    sources = _once_each(configured_feeds() if sources is None else sources)
    today = today or clock.today()
    totals: dict[str, Any] = {
        "feeds": len(sources),
        "failed": 0,
        "postings": 0,
        "skipped": 0,
        "created": 0,
        "updated": 0,
        "reopened": 0,
        "unchanged": 0,
        "closed": 0,
        "kept": 0,
    }
    changes: dict[str, dict[str, Any] | None] = {}
    for feed in sources:
        started = time.monotonic()
        state: dict[str, Any] = {"origin": feed.origin, "format": feed.format, "lastRunAt": clock.now_iso(), "run": run_id}
        try:
            parsed = feeds.parse_feed(feed.read(), source=feed.source, company=feed.company, today=today, format=feed.format)
            outcome = store.sync_source(feed.source, parsed.postings, keep=parsed.skipped_ids)
        except Exception as exc:  # noqa: BLE001  one feed's failure, whatever it is, must not stop the others'
            totals["failed"] += 1
            logger.exception("job feed failed", extra={"source": feed.source, "origin": feed.origin})
            state.update(status="failed", error=f"{type(exc).__name__}: {str(exc)[:500]}")
        else:
            changes.update(outcome.changes)
            counts = outcome.counts()
            for name, value in counts.items():
                totals[name] += value
            totals["postings"] += len(parsed.postings)
            totals["skipped"] += parsed.skipped
            state.update(
                status="ok",
                lastOkAt=state["lastRunAt"],
                format=parsed.format,
                postings=len(parsed.postings),
                skipped=parsed.skipped,
                skippedReasons=dict(parsed.reasons.most_common(10)),
                **counts,
            )
            logger.info(
                "job feed read", extra={"source": feed.source, "postings": len(parsed.postings), "skipped": parsed.skipped, "outcome": counts}
            )
        state["durationMs"] = round((time.monotonic() - started) * 1000)
        store.save_feed_state(feed.source, state)
    for name in ("failed", "created", "updated", "closed", "skipped"):
        metrics.add_metric(name=f"JobFeeds{name.capitalize()}", unit="Count", value=totals[name])
    if sources and totals["failed"] == len(sources):
        raise IngestionFailed(f"every one of the {len(sources)} job feeds failed (their errors are in the log and in FEED#<source> items)")
    totals["market"] = market.rebuild(store, today, changes)
    logger.info("job ingestion done", extra={"totals": totals})
    return totals


def _once_each(sources: list[FeedSource]) -> list[FeedSource]:
    """A source configured twice (a board in the bucket and among the URLs) is read once, from its first
    origin: read twice, each reading would close what only the other lists."""
    first: dict[str, FeedSource] = {}
    for feed in sources:
        if feed.source in first:
            logger.warning(
                "job feed configured twice: read from its first origin",
                extra={"source": feed.source, "origin": feed.origin, "read": first[feed.source].origin},
            )
            continue
        first[feed.source] = feed
    return list(first.values())


# -- an admin's jobs (POST /api/jobs, DELETE /api/jobs/{jobId}) -----------------------------------------------
def admin_posting(data: Mapping[str, Any], *, external_id: str, today: dt.date) -> dict[str, Any]:
    """A posting from a job_post body (zik/schemas/requests/job_post.json, already validated): the same
    shape a feed's posting has, read with the same rules (role, seniority, skills, place)."""
    title = " ".join(data["title"].split())
    requirements = [" ".join(item.split()) for item in data.get("requirements") or [] if item.strip()]
    description = data["description"].strip()
    workplace = data.get("workplace") or ("remote" if data.get("remote") else None)
    place = feeds.parse_location(data.get("location") or "", workplace={"onsite": "on-site"}.get(workplace or "", workplace))
    salary = None
    if data.get("salary"):
        pay = data["salary"]
        salary = feeds.yearly_salary(pay["min"], pay["max"], pay["currency"], pay.get("period") or "year")
    employment = data.get("employmentType") or feeds.employment_type("", title)
    named = vocabulary.canonical_skills(data.get("skills") or [])
    found = vocabulary.skills_in("\n".join((title, *requirements, description)))
    return {
        "source": ADMIN_SOURCE,
        "externalId": external_id,
        "title": title,
        "company": " ".join(data["company"].split()),
        "department": " ".join((data.get("department") or "").split()),
        "location": place.location,
        "locationKey": place.key,
        "remote": place.remote,
        "workplace": place.workplace,
        "seniority": data.get("seniority") or vocabulary.seniority_of(title, "intern" if employment == "internship" else "mid"),
        "roleKey": vocabulary.role_key(title),
        "skills": list(dict.fromkeys([*named, *found])),
        "requirements": requirements,
        "salary": salary,
        "employmentType": employment,
        "description": description,
        "url": data.get("url"),
        "postedDate": today.isoformat(),
    }


def post_job(
    data: Mapping[str, Any], *, posted_by: str | None = None, external_id: str | None = None, store: JobsStore | None = None
) -> dict[str, Any]:
    """An admin's new job (body validated against job_post.json by the caller); the role's market
    aggregates follow. ``external_id``: a caller's own id for it (a retry with the same id is a Conflict,
    not a second job); a new one otherwise."""
    store = store or JobsStore()
    today = clock.today()
    posting = admin_posting(data, external_id=external_id or new_external_id(), today=today)
    if posting["salary"] is None and data.get("salary"):
        raise InvalidRequest("salary is no plausible range: min and max above 0, max at most 5 times min, a year's worth above 1,000", field="salary")
    written = store.post({**posting, **({"postedBy": posted_by} if posted_by else {})})
    market.rebuild(store, today, {written["jobId"]: open_view(written)}, roles={written["roleKey"]})
    return public_job(written)  # type: ignore[return-value]


def close_job(job_id: str, *, store: JobsStore | None = None) -> dict[str, Any]:
    """Close a job as an admin (a feed listing it does not reopen it); NotFound when there is none. The
    role's market aggregates follow. Closing a closed job answers it as it is."""
    store = store or JobsStore()
    job = store.close_by_admin(job_id)
    market.rebuild(store, clock.today(), {job["jobId"]: None}, roles={job["roleKey"]})
    return public_job(job)  # type: ignore[return-value]
