"""Market intelligence (GET /api/market-intelligence?role=&location=): what the open jobs say about a role
in a place, kept as aggregates at ingestion so that a request is one read.

Aggregates. One item per (role, place) that has an open job: the role's family (vocabulary.role_key of
the title), the place a city's slug ("berlin"), "remote", a country ("country-de") or "anywhere" (every
place). A job counts in "anywhere", in its city, in its country, and in "remote" when it can be done
remotely. Each holds:
  openings            open jobs
  salary              in the currency most of its salaried jobs pay in (jobs paying in others are counted
                      in salaryCurrencies, not mixed in): p25, p50, p75 and the average of the jobs' yearly
                      midpoints ((min + max) / 2), the lowest minimum and the highest maximum, the sample size
  topSkills           the ten skills most jobs ask for, with the share of the jobs asking
  seniority           the share of each level; remoteShare; employmentTypes; topCompanies (the five hiring most)
  postedByDay         open jobs by the day they were posted, for the HISTORY_DAYS before the rebuild (older
                      ones counted in postedEarlier): a request counts the last 7 and 30 days from it, so an
                      aggregate changes only when its jobs do, not every day
  revision            a hash of all the above: the aggregate is written only when it changes

Rebuilt at every ingestion (and for one role when an admin posts or closes a job) from every open job,
read once from OpenJobsIndex; a role's aggregates are compared with the stored revisions and only those
that changed are written, those of places left without jobs deleted.

Figures of a request, from the aggregate and today:
  postings            last7Days, last30Days (both including today), earlier
  trend               "none" without openings; "rising": at least 2 postings in the last 7 days, at a daily rate at least 1.25 times
                      that of the 23 days before; "falling": no posting in 30 days, or at least 2 postings in
                      the 23 days before the last 7 and a rate since at most half theirs; else "steady"
  demandLevel         from openings and recency: a recent posting counts 1, an older one 0.5 (it may be
                      filled already); "high" from 10, "medium" from 3, else "low"

A role or place with no open job answers 200 with openings 0, demand "low", no salary and sentences that say
so: "nobody is hiring for this here right now" is what a job seeker asks to learn, not an error (and a
typo'd role says that it is not one we know). The narrative (``trends``) is the AI task career.market's
(zik.career.market_ai), cached on the aggregate itself under a key of the ISO week, the revision and the
day's demand and trend, written back only if the aggregate was not rebuilt meanwhile: a request is one read
when it is cached, and one read, one AI call and one conditional write once a week per aggregate when not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from zik import clock
from zik.career import feeds, vocabulary
from zik.career.jobs_store import JobsStore
from zik.dynamo import Filter
from zik.errors import InvalidRequest
from zik.observability import logger
from zik.principal import Principal

ANYWHERE = "anywhere"
REMOTE = "remote"
HISTORY_DAYS = 120
TOP_SKILLS = 10
TOP_COMPANIES = 5
MAX_QUERY_CHARS = 100
HIGH_DEMAND, MEDIUM_DEMAND = 10.0, 3.0
OLDER_POSTING_WEIGHT = 0.5
RISING_RATIO, FALLING_RATIO = 1.25, 0.5
FORMAT = 1  # the aggregates' shape: a new one makes every revision new


# -- aggregates (at ingestion) ----------------------------------------------------------------------------
def places_of(job: Mapping[str, Any]) -> list[str]:
    """The aggregates a job counts in."""
    places = [ANYWHERE]
    key = job.get("locationKey")
    if key and key not in (ANYWHERE, "unspecified"):
        places.append(key)
    country = (job.get("location") or {}).get("country")
    if country:
        places.append(feeds.country_key(country))
    if job.get("remote"):
        places.append(REMOTE)
    return list(dict.fromkeys(places))


def build_aggregates(jobs: Iterable[Mapping[str, Any]], today: dt.date) -> dict[str, dict[str, dict[str, Any]]]:
    """role key -> place key -> aggregate, from open jobs (as OpenJobsIndex projects them)."""
    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for job in jobs:
        role = job.get("roleKey") or "other"
        for place in places_of(job):
            groups.setdefault((role, place), []).append(job)
    built: dict[str, dict[str, dict[str, Any]]] = {}
    for (role, place), members in sorted(groups.items()):
        built.setdefault(role, {})[place] = aggregate(role, place, members, today)
    return built


def aggregate(role: str, place: str, jobs: Sequence[Mapping[str, Any]], today: dt.date) -> dict[str, Any]:
    openings = len(jobs)
    skills = Counter(skill for job in jobs for skill in dict.fromkeys(job.get("skills") or []))
    levels = Counter(job.get("seniority") or "mid" for job in jobs)
    cutoff = (today - dt.timedelta(days=HISTORY_DAYS)).isoformat()
    by_day = Counter(job["postedDate"] for job in jobs if job.get("postedDate", "") >= cutoff)
    companies = Counter(job.get("company") or "" for job in jobs if job.get("company"))
    figures: dict[str, Any] = {
        "roleKey": role,
        "roleName": role_name(role),
        "locationKey": place,
        "locationName": place_name(place, jobs),
        "openings": openings,
        **salary_figures(jobs),
        "topSkills": [{"skill": skill, "count": count, "share": share(count, openings)} for skill, count in _top(skills, TOP_SKILLS)],
        "seniority": [
            {"level": level, "count": levels[level], "share": share(levels[level], openings)}
            for level in sorted(levels, key=vocabulary.seniority_rank)
        ],
        "remoteShare": share(sum(1 for job in jobs if job.get("remote")), openings),
        "employmentTypes": dict(sorted(Counter(job.get("employmentType") or "full-time" for job in jobs).items())),
        "topCompanies": [{"company": company, "openings": count} for company, count in _top(companies, TOP_COMPANIES)],
        "postedByDay": dict(sorted(by_day.items())),
        "postedEarlier": openings - sum(by_day.values()),
    }
    figures["revision"] = hashlib.sha256(json.dumps([FORMAT, figures], sort_keys=True, default=str).encode()).hexdigest()[:16]
    return figures


def _top(counts: Counter, size: int) -> list[tuple[str, int]]:
    """The most common first; equal counts in name order (the same jobs always give the same list)."""
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:size]


def share(count: int, total: int) -> float:
    return round(count / total, 2) if total else 0.0


def salary_figures(jobs: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """``salary`` in the dominant currency (None when no job states one) and ``salaryCurrencies``."""
    paid = [job["salary"] for job in jobs if isinstance(job.get("salary"), dict) and job["salary"].get("currency")]
    currencies = Counter(salary["currency"] for salary in paid)
    if not currencies:
        return {"salary": None, "salaryCurrencies": {}}
    currency = min(currencies, key=lambda code: (-currencies[code], code))
    ranges = [salary for salary in paid if salary["currency"] == currency]
    midpoints = sorted((salary["min"] + salary["max"]) / 2 for salary in ranges)
    return {
        "salary": {
            "currency": currency,
            "sampleSize": len(midpoints),
            "p25": round(percentile(midpoints, 0.25)),
            "p50": round(percentile(midpoints, 0.50)),
            "p75": round(percentile(midpoints, 0.75)),
            "average": round(sum(midpoints) / len(midpoints)),
            "min": min(salary["min"] for salary in ranges),
            "max": max(salary["max"] for salary in ranges),
        },
        "salaryCurrencies": dict(sorted(currencies.items())),
    }


def percentile(ordered: list[float], fraction: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default, Excel's PERCENTILE.INC)."""
    if not ordered:
        raise ValueError("no values")
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def role_name(role: str) -> str:
    known = vocabulary.role(role)
    return known.name if known else " ".join(word.capitalize() for word in role.split("-"))


def place_name(place: str, jobs: Sequence[Mapping[str, Any]]) -> str:
    if place == ANYWHERE:
        return "Anywhere"
    if place == REMOTE:
        return "Remote"
    if place.startswith("country-"):
        return feeds.country_name(place.removeprefix("country-").upper()) or place
    displays = Counter(
        ", ".join(part for part in ((job.get("location") or {}).get("city"), feeds.country_name((job.get("location") or {}).get("country"))) if part)
        for job in jobs
        if job.get("locationKey") == place
    )
    return _top(displays, 1)[0][0] if displays else place


# -- writing them -------------------------------------------------------------------------------------------
def rebuild(
    store: JobsStore, today: dt.date, changes: Mapping[str, Mapping[str, Any] | None] | None = None, *, roles: set[str] | None = None
) -> dict[str, int]:
    """Rebuild the aggregates of ``roles`` (every role when None) from the open jobs, with ``changes``
    (jobId -> open view, or None when closed) laid over the reading: the index may not show a write of
    a moment ago yet. Writes only the aggregates that changed; how many were written, deleted, unchanged."""
    where = None
    if roles is not None:
        if not roles:
            return {"written": 0, "deleted": 0, "unchanged": 0}
        ordered = sorted(roles)
        where = Filter(
            "#roleKey IN (" + ", ".join(f":role{n}" for n in range(len(ordered))) + ")",
            {"#roleKey": "roleKey"},
            {f":role{n}": role for n, role in enumerate(ordered)},
        )
    jobs = {job["jobId"]: job for job in store.open_jobs(where=where)}
    for job_id, view in (changes or {}).items():
        if view is None:
            jobs.pop(job_id, None)
        elif roles is None or view.get("roleKey") in roles:
            jobs[job_id] = dict(view)
    built = build_aggregates(jobs.values(), today)
    known_roles = store.market_roles()
    touched = set(built) | known_roles if roles is None else set(roles)
    counts = {"written": 0, "deleted": 0, "unchanged": 0}
    puts: list[dict[str, Any]] = []
    deletes: list[tuple[str, str]] = []
    for role in sorted(touched):
        stored = store.aggregate_revisions(role)
        fresh = built.get(role, {})
        for place, figures in fresh.items():
            if stored.get(place) == figures["revision"]:
                counts["unchanged"] += 1
            else:
                puts.append({**figures, "updatedAt": clock.now_iso()})
        deletes += [(role, place) for place in stored if place not in fresh]
    store.write_aggregates(puts, deletes)
    counts["written"], counts["deleted"] = len(puts), len(deletes)
    now_known = set(built) if roles is None else (known_roles - roles) | set(built)
    if now_known != known_roles:
        store.save_market_roles(now_known)
    return counts


# -- a request ------------------------------------------------------------------------------------------------
def check_query(role: Any, location: Any) -> tuple[str, str]:
    """The request's role (required) and location (optional), trimmed; a 400 naming the field otherwise."""
    role_text = " ".join(role.split()) if isinstance(role, str) else ""
    if not role_text:
        raise InvalidRequest("role is required: a job title or role, such as Data Engineer", field="role")
    if len(role_text) > MAX_QUERY_CHARS:
        raise InvalidRequest(f"role is at most {MAX_QUERY_CHARS} characters", field="role")
    location_text = " ".join(location.split()) if isinstance(location, str) else ""
    if len(location_text) > MAX_QUERY_CHARS:
        raise InvalidRequest(f"location is at most {MAX_QUERY_CHARS} characters", field="location")
    return role_text, location_text


def postings_since(figures: Mapping[str, Any], today: dt.date) -> dict[str, int]:
    by_day: Mapping[str, int] = figures.get("postedByDay") or {}
    week = (today - dt.timedelta(days=6)).isoformat()
    month = (today - dt.timedelta(days=29)).isoformat()
    last7 = sum(count for day, count in by_day.items() if day >= week)
    last30 = sum(count for day, count in by_day.items() if day >= month)
    return {"last7Days": last7, "last30Days": last30, "earlier": int(figures.get("openings") or 0) - last30}


def trend_of(postings: Mapping[str, int]) -> str:
    last7, last30 = postings["last7Days"], postings["last30Days"]
    before = last30 - last7
    recent_rate, before_rate = last7 / 7, before / 23
    if last7 >= 2 and recent_rate >= RISING_RATIO * before_rate:
        return "rising"
    if last30 == 0 or (before >= 2 and recent_rate <= FALLING_RATIO * before_rate):
        return "falling"
    return "steady"


def demand_level(openings: int, postings: Mapping[str, int]) -> str:
    recent = postings["last30Days"]
    weight = recent + OLDER_POSTING_WEIGHT * max(0, openings - recent)
    if weight >= HIGH_DEMAND:
        return "high"
    if weight >= MEDIUM_DEMAND:
        return "medium"
    return "low"


def iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def figures_of(item: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    """An aggregate's figures as of today: what the answer and the narrative are made of."""
    postings = postings_since(item, today)
    openings = int(item.get("openings") or 0)
    salary = item.get("salary")
    return {
        "roleKey": item["roleKey"],
        "roleName": item.get("roleName") or role_name(item["roleKey"]),
        "locationKey": item["locationKey"],
        "location": item.get("locationName") or item["locationKey"],
        "openings": openings,
        "demandLevel": demand_level(openings, postings),
        "trend": trend_of(postings),
        "postings": postings,
        "averageSalary": salary["average"] if salary else None,
        "currency": salary["currency"] if salary else None,
        "salaryPercentiles": {"p25": salary["p25"], "p50": salary["p50"], "p75": salary["p75"]} if salary else None,
        "salaryRange": {"min": salary["min"], "max": salary["max"]} if salary else None,
        "salarySampleSize": salary["sampleSize"] if salary else 0,
        "salaryCurrencies": item.get("salaryCurrencies") or {},
        "topSkills": [{"skill": entry["skill"], "share": entry["share"]} for entry in item.get("topSkills") or []],
        "seniorityMix": [{"level": entry["level"], "share": entry["share"]} for entry in item.get("seniority") or []],
        "remoteShare": item.get("remoteShare", 0.0),
        "employmentTypes": item.get("employmentTypes") or {},
        "topCompanies": item.get("topCompanies") or [],
        "updatedAt": item.get("updatedAt"),
    }


def narrative_key(figures: Mapping[str, Any], revision: str, today: dt.date) -> str:
    return f"{iso_week(today)}:{revision}:{figures['demandLevel']}:{figures['trend']}"


def intelligence(role: Any, location: Any, *, owner: Principal, store: JobsStore | None = None, today: dt.date | None = None) -> dict[str, Any]:
    """The answer of GET /api/market-intelligence: one read of the aggregate; the narrative from its cache,
    or from the AI (then cached on it)."""
    role_text, location_text = check_query(role, location)
    store = store or JobsStore()
    today = today or clock.today()
    role_key = vocabulary.role_key(role_text)
    place = feeds.location_key(location_text)
    item = store.aggregate(role_key, place)
    if item is None:
        return empty_answer(role_text, role_key, location_text, place, today)
    figures = figures_of(item, today)
    key = narrative_key(figures, item["revision"], today)
    cached = item.get("narrative") or {}
    if cached.get("key") == key and cached.get("trends"):
        trends = list(cached["trends"])
    else:
        trends, from_model = narrate(figures, owner)
        if from_model and not store.save_narrative(
            role_key, place, item["revision"], {"key": key, "week": iso_week(today), "trends": trends, "createdAt": clock.now_iso()}
        ):
            logger.info("market narrative of an aggregate rebuilt meanwhile: not cached", extra={"roleKey": role_key, "locationKey": place})
    return {"role": role_text, **figures, "trends": trends, "week": iso_week(today)}


def narrate(figures: Mapping[str, Any], owner: Principal) -> tuple[list[str], bool]:
    """The trend sentences, and whether they came through the AI gateway (and may be cached); when the AI
    cannot answer (budget spent, providers down) the offline rules say it, uncached, so a later request
    gets the model's."""
    from zik import ai
    from zik.career import market_ai

    data = market_ai.narrative_data(figures)
    try:
        return list(ai.run(market_ai.TASK, data, owner=owner)["trends"]), True
    except (ai.AIUnavailable, ai.AIBudgetExceeded) as exc:
        logger.info("market narrative from the offline rules", extra={"reason": type(exc).__name__})
        return market_ai.trends(data)["trends"], False


def empty_answer(role_text: str, role_key: str, location_text: str, place: str, today: dt.date) -> dict[str, Any]:
    """No open job of the role in the place: the figures of an empty market, and sentences saying what to try."""
    known = vocabulary.role(role_key)
    name = known.name if known else role_text
    where = "anywhere" if place == ANYWHERE else ("remotely" if place == REMOTE else f"in {location_text or place}")
    trends = [f"There are no open {name} postings {where} in the jobs we track right now."]
    if known is None:
        trends.append(f'"{role_text}" is not a role family we know: try a common title such as Software Engineer, Data Analyst or Product Manager.')
    elif place != ANYWHERE:
        trends.append(f"Widen the search: ask for {name} without a location, or with location=remote, to see the whole market.")
    return {
        "role": role_text,
        "roleKey": role_key,
        "roleName": name,
        "locationKey": place,
        "location": "Anywhere" if place == ANYWHERE else (location_text or place),
        "openings": 0,
        "demandLevel": "low",
        "trend": "none",
        "postings": {"last7Days": 0, "last30Days": 0, "earlier": 0},
        "averageSalary": None,
        "currency": None,
        "salaryPercentiles": None,
        "salaryRange": None,
        "salarySampleSize": 0,
        "salaryCurrencies": {},
        "topSkills": [],
        "seniorityMix": [],
        "remoteShare": 0.0,
        "employmentTypes": {},
        "topCompanies": [],
        "updatedAt": None,
        "trends": trends,
        "week": iso_week(today),
    }
