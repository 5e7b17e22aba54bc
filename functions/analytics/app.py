"""The Analytics service: writing statistics and mood over time, in the user's timezone."""

from __future__ import annotations

from zik.http import body, create_app, principal
from zik.journal.reports import Reports
from zik.observability import api_handler

app = create_app()
reports = Reports()


@app.get("/analytics")
def summary():
    """Totals, words, current and longest streak, entries by weekday, by hour and by category (`from`,
    `to` as YYYY-MM-DD narrow it)."""
    query = app.current_event.query_string_parameters or {}
    return reports.summary(principal(app), query.get("from"), query.get("to"))


@app.post("/analytics")
def summary_between():
    """The same statistics for `{from, to}`."""
    data = body(app, "analytics_range")
    return reports.summary(principal(app), data["from"], data["to"])


@app.get("/analytics/mood")
def mood():
    """Average sentiment (-1..1) and mood (1-5) with entry counts per `bucket` (day or week) from `from`
    to `to` (default: the last 30 days), every bucket present so a chart has no gaps."""
    return reports.mood(principal(app), app.current_event.query_string_parameters or {})


@api_handler
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
