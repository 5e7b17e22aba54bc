"""The Gamification service: points, level, streak and achievements (one currency across the platform)."""

from __future__ import annotations

from zik.http import create_app, principal
from zik.inputs import page_limit
from zik.points.ledger import Points
from zik.observability import api_handler

app = create_app()
points = Points()


@app.get("/gamification/stats")
def stats():
    """Points, level, points to the next level, current and longest streak, and the counts behind them."""
    return points.stats(principal(app))


@app.get("/gamification/transactions")
def transactions():
    """The points ledger, newest first (`limit`, `cursor`): every award with its reason and balance."""
    query = app.current_event.query_string_parameters or {}
    return points.transactions(principal(app), limit=page_limit(query.get("limit")), cursor=query.get("cursor") or None)


@app.get("/gamification/achievements")
def achievements():
    """Achievements earned (with the day) and locked (with progress)."""
    return points.achievements(principal(app))


@api_handler
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
