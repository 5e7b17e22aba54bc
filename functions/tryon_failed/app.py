"""RecordFailure (the try-on workflow's Catch): the job marked failed with the reason the user is told
(no_face, budget_exceeded, ai_unavailable, photo_not_found, internal)."""

from __future__ import annotations

from zik.observability import instrument, logger
from zik.studio.tryon_service import Tryons

tryons = Tryons()


@instrument(correlation_id_path="jobId")
def lambda_handler(event: dict, context: object) -> dict:
    result = tryons.record_failure(event)
    logger.warning("try-on failed", extra={**result, "stepError": (event.get("error") or {}).get("Error")})
    return result
