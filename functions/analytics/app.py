"""The Analytics service: writing statistics and mood over time, in the user's timezone."""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

from zik.http import body, create_app, principal, responds
from zik.journal.reports import Reports
from zik.observability import api_handler

app = create_app()
reports = Reports()


@app.get("/analytics")
@responds({200: "journal_analytics"}, query=("journal.from", "journal.to"))
def summary():
    """Your writing statistics: totals, words, current and longest streak, and entries by weekday, hour and category.

    `from` and `to` (YYYY-MM-DD, both included) narrow it to those days of your timezone; without them
    it covers your whole journal."""
    query = app.current_event.query_string_parameters or {}
    return reports.summary(principal(app), query.get("from"), query.get("to"))


@app.post("/analytics")
@responds({200: "journal_analytics"})
def summary_between():
    """Your writing statistics between two days, as GET /analytics, for a body `{from, to}` (YYYY-MM-DD)."""
    data = body(app, "analytics_range")
    return reports.summary(principal(app), data["from"], data["to"])


@app.get("/analytics/mood")
@responds({200: "journal_mood_series"}, query=("journal.from", "journal.to", "mood.bucket"))
def mood():
    """Your mood over time: average sentiment (-1..1) and mood (1-5), with entry counts, per day or week.

    From `from` to `to` (default: the 30 days up to today, or up to `to`), at most 732 days; every
    period is present, so a chart has no gaps. Only entries the AI service has read count."""
    return reports.mood(principal(app), app.current_event.query_string_parameters or {})


@api_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
