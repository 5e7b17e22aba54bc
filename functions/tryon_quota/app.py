"""CheckQuota (try-on workflow, first step): the job counted against its user's day, once; over the day's
quota the step fails with TryonBudgetExceeded and the job with budget_exceeded."""

from __future__ import annotations

from zik.observability import instrument, logger
from zik.studio.tryon_service import Tryons

tryons = Tryons()


@instrument(correlation_id_path="jobId")
def lambda_handler(event: dict, context: object) -> dict:
    result = tryons.check_quota(event)
    logger.info("try-on counted", extra={"jobId": event["jobId"], **result})
    return result
