"""Market intelligence (the seed's /api/market-intelligence): demand, salaries, skills and trends of a role
in a place, from the aggregates the job ingestion keeps: one read a request (zik.career.market)."""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

import zik.career.market_ai  # noqa: F401  (registers career.market)
from zik.career import market
from zik.http import create_app, principal, responds
from zik.observability import api_handler

app = create_app()


@app.get("/api/market-intelligence")
@responds({200: "career_market_intelligence"}, query=("market.role", "market.location"))
def market_intelligence():
    """The job market of a role in a place: demand, salaries, skills, levels and trends of its open jobs.

    `role` is required (a job title or role family, such as "Data Engineer"); `location` is a city, a
    country or "remote" (none for anywhere). Answers `{demandLevel, averageSalary, trends}` with the
    openings, salary percentiles, top skills, seniority mix, remote share and recent postings behind them;
    a role or place without open jobs answers openings 0."""
    query = app.current_event.query_string_parameters or {}
    return market.intelligence(query.get("role"), query.get("location"), owner=principal(app))


@api_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
