"""GET /health: no auth, no AWS call; says the API and this function's runtime are up."""

from __future__ import annotations

import os

from aws_lambda_powertools.utilities.typing import LambdaContext

from zik.clock import now_iso
from zik.http import create_app, responds
from zik.observability import api_handler

app = create_app()
VERSION = os.environ.get("APP_VERSION", "dev")


@app.get("/health")
@responds({200: "health"})
def health() -> dict:
    """Whether the API is up (no token needed)."""
    return {"status": "ok", "service": "zik", "version": VERSION, "time": now_iso()}


@api_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
