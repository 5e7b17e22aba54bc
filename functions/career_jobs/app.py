"""Jobs ranked for the caller, one job with the caller's match, saved jobs (the seed's /api/jobs); members
of the Cognito group `admins` also post and close jobs."""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

from zik.career.search import JobSearch
from zik.errors import Forbidden
from zik.http import body, create_app, json_response, principal, responds
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
@responds({200: "career_job_page"}, query=("jobs.q", "jobs.location", "jobs.remote", "limit", "cursor"), errors=(409,))
def search_jobs():
    """Open jobs that pass the filters, ranked by your compatibility score (0-100), best first.

    Each job has its `score`, `reasons`, `matchedSkills`, `missingSkills` and an `explanation`. Filters: `q`
    (words of the title, company or skills; case and accents do not matter), `location` (a city, region or
    country; `remote` for remote-only jobs), `remote` (true or false). 409: the `cursor` is from before your
    profile, your resume or the filters changed; start again without it."""
    query = _query()
    return search.page(principal(app), query, limit=page_limit(query.get("limit")))


@app.post("/api/jobs")
@responds({201: "career_job"}, errors=(403, 409, 422))
def post_job():
    """Post a job (admins only), open at once: its role, level, skills and place are read as a feed's are.

    The body: `{title, company, description, location?, remote?, workplace?, employmentType?, seniority?,
    skills?, requirements?, salary?, url?}`. 403: you are not in the `admins` group. Retries with the same
    `Idempotency-Key` post one job; 409: a request with that key is still running; 422: the key was used
    with another body."""
    owner = _admin()
    data = body(app, "job_post")
    return json_response(run_once(app, owner, lambda claim: search.post(owner, data, claim=claim)), 201)


@app.get("/api/jobs/saved")
@responds({200: "career_saved_job_page"}, query=("limit", "cursor"))
def saved_jobs():
    """Your saved jobs, each as it was when you saved it (a job closed since is still there)."""
    query = _query()
    return search.saved(principal(app), limit=page_limit(query.get("limit")), cursor=query.get("cursor") or None)


@app.get("/api/jobs/<jobId>")
@responds({200: "career_job_match"})
def get_job(jobId: str):  # noqa: N803 (the template's path parameter)
    """A job, description included, with your match and whether you saved it.

    The match: `score`, `reasons`, `matchedSkills`, `missingSkills`, `explanation`. A closed job is still
    shown (`status`)."""
    return search.job(principal(app), jobId)


@app.delete("/api/jobs/<jobId>")
@responds({200: "career_job"}, errors=(403,))
def close_job(jobId: str):  # noqa: N803
    """Close a job (admins only): it leaves every jobs page; saved copies stay.

    Answers the job as it now is (closing a closed job changes nothing). 403: you are not in the `admins`
    group."""
    _admin()
    return search.close(jobId)


@app.put("/api/jobs/<jobId>/save")
@responds({200: "career_saved_job", 201: "career_saved_job"})
def save_job(jobId: str):  # noqa: N803
    """Save an open job, with a copy of it as it is now.

    201 when it is newly saved; 200 when it was saved already (it stays as first saved, even once closed).
    404: a closed or unknown job you have not saved."""
    saved, new = search.save(principal(app), jobId)
    return json_response(saved, 201 if new else 200)


@app.delete("/api/jobs/<jobId>/save")
@responds({200: "career_job_unsaved"})
def unsave_job(jobId: str):  # noqa: N803
    """Forget a saved job; 404 when you have not saved it."""
    return {"jobId": jobId, "saved": False, "removed": search.unsave(principal(app), jobId)}


@api_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
