"""Jobs ranked for the caller, one job with the caller's match, saved jobs (the seed's /api/jobs); members
of the Cognito group `admins` also post and close jobs."""

from __future__ import annotations

from zik.career.search import JobSearch
from zik.errors import Forbidden
from zik.http import body, create_app, json_response, principal
from zik.idempotency import run_once
from zik.inputs import page_limit
from zik.observability import api_handler
from zik.principal import Principal

ADMINS = "admins"

app = create_app()
search = JobSearch()


def _query() -> dict[str, str]:
    return app.current_event.query_string_parameters or {}


def _admin() -> Principal:
    owner = principal(app)
    if ADMINS not in owner.groups:
        raise Forbidden(f"only members of the {ADMINS} group may post or close jobs")
    return owner


@app.get("/api/jobs")
def search_jobs():
    """Open jobs ranked by your compatibility score (0-100), best first: each with its `score`, `reasons`,
    `missingSkills`, `matchedSkills` and an `explanation`. Filters: `q` (words of the title, company or
    skills; case and accents do not matter), `location` (a city, region or country; `remote` for
    remote-only jobs), `remote` (true or false). `limit`, `cursor` (`nextCursor`: a cursor from before your
    profile, resume or the filters changed answers 409)."""
    query = _query()
    return search.page(principal(app), query, limit=page_limit(query.get("limit")))


@app.post("/api/jobs")
def post_job():
    """Post a job (admins only): `{title, company, description, location?, remote?, workplace?,
    employmentType?, seniority?, skills?, requirements?, salary?, url?}`; its role, level, skills and place
    are read as a feed's are. It is open at once (201). Retries with the same `Idempotency-Key` post one job."""
    owner = _admin()
    data = body(app, "job_post")
    return json_response(run_once(app, owner, lambda claim: search.post(owner, data, claim=claim)), 201)


@app.get("/api/jobs/saved")
def saved_jobs():
    """Your saved jobs, each as it was when you saved it (`limit`, `cursor`)."""
    query = _query()
    return search.saved(principal(app), limit=page_limit(query.get("limit")), cursor=query.get("cursor") or None)


@app.get("/api/jobs/<jobId>")
def get_job(jobId: str):  # noqa: N803 (the template's path parameter)
    """A job, description included, with your match (`score`, `reasons`, `missingSkills`, `explanation`)
    and whether you saved it. A closed job is still shown (`status`)."""
    return search.job(principal(app), jobId)


@app.delete("/api/jobs/<jobId>")
def close_job(jobId: str):  # noqa: N803
    """Close a job (admins only): it leaves every jobs page; saved copies stay."""
    _admin()
    return search.close(jobId)


@app.put("/api/jobs/<jobId>/save")
def save_job(jobId: str):  # noqa: N803
    """Save an open job (201; 200 when it was saved already). A closed or unknown job: 404."""
    saved, new = search.save(principal(app), jobId)
    return json_response(saved, 201 if new else 200)


@app.delete("/api/jobs/<jobId>/save")
def unsave_job(jobId: str):  # noqa: N803
    """Forget a saved job (404 when you have not saved it)."""
    return {"jobId": jobId, "saved": False, "removed": search.unsave(principal(app), jobId)}


@api_handler
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
