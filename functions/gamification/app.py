"""The Gamification service: points, level, streak and achievements (one currency across the platform)."""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

from zik.http import create_app, principal, responds
from zik.inputs import page_limit
from zik.observability import api_handler
from zik.points.ledger import Points

app = create_app()
points = Points()


@app.get("/gamification/stats")
@responds({200: "gamification_stats"})
def stats():
    """Your points, level and points to the next level, current and longest writing streak, and the counts behind them.

    The points of every domain (entries, prompts, quest tasks, applications, try-ons) in one currency;
    zeros for a new user. An event's points show a moment after it (they follow the events)."""
    return points.stats(principal(app))


@app.get("/gamification/transactions")
@responds({200: "gamification_transaction_page"}, query=("limit", "cursor"))
def transactions():
    """Your points ledger, newest award first: every award with its reason, its event and the balance after it."""
    query = app.current_event.query_string_parameters or {}
    return points.transactions(principal(app), limit=page_limit(query.get("limit")), cursor=query.get("cursor") or None)


@app.get("/gamification/achievements")
@responds({200: "gamification_achievements"})
def achievements():
    """Your achievements: those earned, with the day, and those still locked, with your progress towards them."""
    return points.achievements(principal(app))


@api_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
