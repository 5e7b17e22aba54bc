"""A jobs page (GET /api/jobs): the open jobs filtered, ranked by the caller's compatibility score, and
explained; a job with the caller's match (GET /api/jobs/{jobId}); saved jobs.

A page costs two DynamoDB round trips when nothing changed, and no AI call:
  1. one Query of the caller's PROFILE range: the profile and the match explanations cached under it;
  2. one Query of OpenJobsIndex: the candidates (the newest MAX_CANDIDATES open jobs; a page of the
     index holds about 1 MB, some 1,500 jobs as it projects them, so more take a trip per 1 MB more).
The filters (q: every word in the title, company or skills, case and accents aside; location; remote)
and the ranking run in memory, on the deterministic ``matching`` score. The cursor names the last job
of the page in that order (score, date posted, id) and the profile and filters it was ranked for: a
cursor from before the profile, the resume or the filters changed is refused (409: start again).

Each job on a page has its score, reasons and missing skills (always, from the rules) and an
``explanation`` sentence from the AI task ``career.match``: one batched call per page for the jobs whose
cached explanation is missing or stale (made for another version of the job, or another profile or
resume: ``profiles.fingerprint``), written back under the profile (BatchWriteItem, expiring) only after
such a miss. If the AI is unavailable, over budget, or the request has too little time left for it (the
gateway then answers AIUnavailable at once, see zik.ai.gateway), the rules write the sentence and the page
answers all the same (nothing is cached then: the AI is asked next time).

Why the scores are not cached (the issue asked for scores cached per user and job until the profile, the
resume or the job changes; only the explanations are): a score is pure (``matching``: the same profile and
job always score the same; no I/O, no clock, no AI; the vocabulary it reads is loaded once per process) and
cheap (about 40 µs a job here: the 2,000 candidates of a page in under 0.1 s of CPU). The ranking needs
every candidate's score, not only the page's, so a cache would be read for up to 2,000 items a page: more
round trips and read units than the computation it saves, with the same invalidation (the profile's
fingerprint, the job's version) that recomputing gets for free. What costs (an AI call) is what is cached.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from zik import ai, inputs
from zik.career import match_ai, matching, profiles, tables, vocabulary
from zik.career.jobs_store import ADMIN_SOURCE, OPEN_JOB_FIELDS, JobsStore, job_id_of, public_job
from zik.career.profile_store import CareerProfileStore
from zik.claims import Claim
from zik.errors import Conflict, InvalidRequest, NotFound
from zik.observability import logger, metrics
from zik.principal import Principal

MAX_CANDIDATES = 2000
MAX_QUERY_WORDS = 12
MAX_Q_CHARS = 200
# Who posted a job by hand (an admin's user id) is no one else's business.
_NOT_SHOWN = ("postedBy",)


@dataclass(frozen=True)
class Filters:
    words: tuple[str, ...] = ()
    location: str | None = None
    remote: bool | None = None

    def key(self) -> str:
        return f"{' '.join(self.words)}|{self.location or ''}|{'' if self.remote is None else self.remote}"


def filters_of(query: Mapping[str, Any]) -> Filters:
    """The page's filters from its query string (a userId there is no filter: the caller is the user)."""
    q = query.get("q") or ""
    words: tuple[str, ...] = ()
    if q.strip():
        if len(q) > MAX_Q_CHARS:
            raise InvalidRequest(f"q is {len(q)} characters long; at most {MAX_Q_CHARS} are allowed", field="q")
        words = tuple(dict.fromkeys(word.lower() for word in vocabulary.tokens(q)))[:MAX_QUERY_WORDS]
        if not words:
            raise InvalidRequest("q holds no word to search for (letters or digits)", field="q")
    location = None
    if (query.get("location") or "").strip():
        location = vocabulary.slug(query["location"])
        if not location:
            raise InvalidRequest("location names no place (letters or digits)", field="location")
    remote = None
    if query.get("remote"):
        flag = query["remote"].strip().lower()
        if flag not in ("true", "false"):
            raise InvalidRequest("remote must be true or false", field="remote")
        remote = flag == "true"
    return Filters(words, location, remote)


def passes(job: Mapping[str, Any], filters: Filters) -> bool:
    if filters.remote is not None and bool(job.get("remote")) != filters.remote:
        return False
    if filters.location and not matching.location_matches(filters.location, job):
        return False
    if filters.words:
        skills = [skill.lower() for skill in job.get("skills") or []]
        words = [w.lower() for w in vocabulary.tokens(" ".join([job.get("title") or "", job.get("company") or "", *(job.get("skills") or [])]))]
        for wanted in filters.words:
            if not any(word.startswith(wanted) for word in words) and vocabulary.canonical_skill(wanted).lower() not in skills:
                return False
    return True


# -- the cursor -------------------------------------------------------------------------------------------
def _rank_key(score: int, job: Mapping[str, Any]) -> tuple[int, int, str]:
    """Best score first, then newest, then by id: a total order, the same on every request."""
    try:
        day = dt.date.fromisoformat(job.get("postedDate") or "").toordinal()
    except ValueError:
        day = 0
    return (-score, -day, job["jobId"])


def encode_cursor(last: tuple[int, int, str], ranking: str) -> str:
    raw = json.dumps({"s": -last[0], "d": -last[1], "j": last[2], "r": ranking}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, ranking: str) -> tuple[int, int, str]:
    malformed = InvalidRequest("cursor is malformed: pass back the nextCursor of the previous page", field="cursor")
    try:
        value = inputs.json_document(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError, InvalidRequest):
        raise malformed from None
    if not isinstance(value, dict) or set(value) != {"s", "d", "j", "r"}:
        raise malformed
    score, day, job_id, made_for = value["s"], value["d"], value["j"], value["r"]
    if not (isinstance(score, int) and isinstance(day, int) and isinstance(made_for, str) and inputs.is_identifier(job_id)):
        raise malformed
    if made_for != ranking:
        raise Conflict("the ranking changed since that page (your profile, resume or the filters did): start again without a cursor", field="cursor")
    return (-score, -day, job_id)


def ranking_of(profile: Mapping[str, Any], filters: Filters) -> str:
    return hashlib.sha256(f"{profiles.fingerprint(profile)}|{filters.key()}".encode()).hexdigest()[:16]


def open_candidates(jobs: JobsStore, limit: int = MAX_CANDIDATES) -> list[dict[str, Any]]:
    """The newest ``limit`` open jobs as OpenJobsIndex projects them: a round trip per 1 MB of the index."""
    found: list[dict[str, Any]] = []
    cursor = None
    while len(found) < limit:
        page = jobs.open_jobs_page(limit=None, cursor=cursor)
        found.extend(page.items)
        cursor = page.next_cursor
        if not cursor:
            break
    return found[:limit]


# -- the service ------------------------------------------------------------------------------------------
class JobSearch:
    def __init__(self, store: CareerProfileStore | None = None, jobs: JobsStore | None = None):
        self.store = store or CareerProfileStore()
        self.jobs = jobs or JobsStore()

    def page(self, owner: Principal, query: Mapping[str, Any], *, limit: int) -> dict[str, Any]:
        filters = filters_of(query)
        item, cached = self.store.profile_and_matches(owner)
        profile = profiles.view(owner, item)
        ranking = ranking_of(profile, filters)
        after = decode_cursor(query["cursor"], ranking) if query.get("cursor") else None
        who = matching.candidate(profile)
        ranked = sorted(
            ((_rank_key(m.score, job), job, m) for job in open_candidates(self.jobs) if passes(job, filters) for m in [matching.match(who, job)]),
            key=lambda entry: entry[0],
        )
        remaining = [entry for entry in ranked if after is None or entry[0] > after]
        shown = remaining[:limit]
        explanations = self._explanations(owner, profile, [(job, m) for _, job, m in shown], cached)
        jobs = [{**_listed(job), **m.as_dict(), "explanation": explanations[job["jobId"]]} for _, job, m in shown]
        more = len(remaining) > limit
        return {"items": jobs, "total": len(ranked), "nextCursor": encode_cursor(shown[-1][0], ranking) if more else None}

    def job(self, owner: Principal, job_id: str) -> dict[str, Any]:
        """The job, description included, with the caller's match (a closed job too: it may be saved)."""
        found = self.store.job_with_profile(owner, self.jobs.table, {"pk": tables.job_pk(job_id), "sk": tables.JOB_SK}, job_id)
        job = found["job"]
        if job is None:
            raise NotFound(f"no job {job_id}", field="jobId")
        profile = profiles.view(owner, found["profile"])
        result = matching.match(profile, job)
        cached = {job_id: found["match"]} if found["match"] else {}
        explanation = self._explanations(owner, profile, [(job, result)], cached)[job_id]
        return {
            **{key: value for key, value in (public_job(job) or {}).items() if key not in _NOT_SHOWN},
            **result.as_dict(),
            "explanation": explanation,
            "saved": found["saved"] is not None,
            **({"savedAt": found["saved"]["savedAt"]} if found["saved"] else {}),
        }

    # -- the admins' jobs (the callers are checked by the handler) ----------------------------------------
    def post(self, owner: Principal, data: Mapping[str, Any], *, claim: Claim | None = None) -> dict[str, Any]:
        """An admin's job (a job_post body), open at once. With an Idempotency-Key's ``claim`` its id comes
        from the key: a retry whose first attempt wrote the job answers that job."""
        from zik.career import ingestion  # the admins' path only: a jobs page never needs the feeds' code

        external_id = claim.id("admin-") if claim else None
        try:
            return ingestion.post_job(data, posted_by=owner.user_id, external_id=external_id, store=self.jobs)
        except Conflict:
            existing = self.jobs.job(job_id_of(ADMIN_SOURCE, external_id)) if external_id else None
            if existing is None:
                raise
            return public_job(existing)  # type: ignore[return-value]

    def close(self, job_id: str) -> dict[str, Any]:
        """Close a job (an admin): it leaves every page; saved copies stay. Closing it again answers it."""
        from zik.career import ingestion

        return ingestion.close_job(job_id, store=self.jobs)

    # -- saved jobs -----------------------------------------------------------------------------------
    def save(self, owner: Principal, job_id: str) -> tuple[dict[str, Any], bool]:
        """Keep an open job in the caller's saved jobs, with a snapshot of it; saving it again changes
        nothing (even once it closed). A closed or unknown job not saved: 404. The saved job, and whether
        it is new."""
        job = self.jobs.job(job_id)
        if job is None or job.get("status") != "open":
            kept = self.store.saved_job(owner, job_id)  # saved while it was open: saving it again changes nothing
            if kept is None:
                raise NotFound(f"no open job {job_id}", field="jobId")
            return kept, False
        location = job.get("location") or {}
        snapshot = {
            "jobId": job_id,
            "title": job.get("title"),
            "company": job.get("company"),
            "location": location.get("display") or location.get("city"),
            "remote": bool(job.get("remote")),
            "url": job.get("url"),
            "postedDate": job.get("postedDate"),
        }
        return self.store.save_job(owner, {key: value for key, value in snapshot.items() if value is not None})

    def unsave(self, owner: Principal, job_id: str) -> dict[str, Any]:
        return self.store.unsave_job(owner, job_id)

    def saved(self, owner: Principal, *, limit: int, cursor: str | None) -> dict[str, Any]:
        page = self.store.saved_jobs(owner, limit=limit, cursor=cursor)
        return {"items": page.items, "nextCursor": page.next_cursor}

    # -- explanations ---------------------------------------------------------------------------------
    def _explanations(
        self,
        owner: Principal,
        profile: Mapping[str, Any],
        shown: list[tuple[Mapping[str, Any], matching.Match]],
        cached: Mapping[str, Mapping[str, Any]],
    ) -> dict[str, str]:
        """A sentence for each job shown: the cached one while current, else one AI call for all the
        others (written back), else the rules'."""
        fingerprint = profiles.fingerprint(profile)
        sentences: dict[str, str] = {}
        stale: list[tuple[Mapping[str, Any], dict[str, Any]]] = []
        for job, result in shown:
            hit = cached.get(job["jobId"])
            if hit and hit.get("jobVersion") == job.get("version") and hit.get("profileFingerprint") == fingerprint and hit.get("explanation"):
                sentences[job["jobId"]] = hit["explanation"]
            else:
                stale.append((job, _task_job(job, result)))
        if not stale:
            return sentences
        answered = self._ask(owner, profile, [entry for _, entry in stale])
        fresh = []
        for job, entry in stale:
            sentence = (answered or {}).get(job["jobId"]) or matching.explanation(entry)
            sentences[job["jobId"]] = sentence
            if answered is not None:  # the AI had its say (a job it left out keeps the rules' sentence)
                fresh.append({"jobId": job["jobId"], "jobVersion": job.get("version"), "profileFingerprint": fingerprint, "explanation": sentence})
        if fresh:
            try:
                self.store.save_matches(owner, fresh)
            except Exception:  # noqa: BLE001 - the page is made; a cache not kept only costs the next page a call
                logger.exception("match explanations not cached", extra={"jobs": len(fresh)})
        return sentences

    def _ask(self, owner: Principal, profile: Mapping[str, Any], jobs: list[dict[str, Any]]) -> dict[str, str] | None:
        """The AI's sentences by job id, or None when it could not be asked or could not answer."""
        wanted = {job["jobId"] for job in jobs}
        try:
            answer = ai.run(match_ai.TASK, match_ai.task_data(_task_profile(profile), jobs), owner=owner)
        except (ai.AIUnavailable, ai.AIBudgetExceeded) as exc:
            logger.warning("match explanations by the rules", extra={"reason": type(exc).__name__, "jobs": len(jobs)})
            return None
        metrics.add_metric(name="JobMatchesExplained", unit="Count", value=len(jobs))
        return {entry["jobId"]: " ".join(entry["explanation"].split()) for entry in answer["explanations"] if entry["jobId"] in wanted}


def _listed(job: Mapping[str, Any]) -> dict[str, Any]:
    """What a page shows of a job: what OpenJobsIndex projects (the description is GET /api/jobs/{jobId}'s)."""
    return {key: job[key] for key in OPEN_JOB_FIELDS if key in job}


def _task_profile(profile: Mapping[str, Any]) -> dict[str, Any]:
    """What the AI reads of the person: what the match measured, and no name."""
    preferences = profile.get("preferences") or {}
    return {
        "careerStage": profile.get("careerStage"),
        "seniority": profiles.career_seniority(profile),
        "skills": profiles.all_skills(profile),
        "preferredRoles": preferences.get("roles") or [],
        "locations": preferences.get("locations") or [],
        "remote": preferences.get("remote") or "any",
        "minSalary": preferences.get("minSalary"),
        "currency": preferences.get("currency"),
    }


def _task_job(job: Mapping[str, Any], result: matching.Match) -> dict[str, Any]:
    """A job as the AI is asked to explain it (and as the rules' sentence reads it)."""
    location = job.get("location") or {}
    return {
        "jobId": job["jobId"],
        "title": job.get("title") or "",
        "company": job.get("company") or "",
        "location": location.get("display") or location.get("city") or "",
        "remote": bool(job.get("remote")),
        "seniority": job.get("seniority"),
        "salary": job.get("salary"),
        "score": result.score,
        "reasons": result.reasons,
        "matchedSkills": result.matched_skills,
        "missingSkills": result.missing_skills,
        "concern": matching.concern(result) or "",
    }
