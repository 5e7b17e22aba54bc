"""Edit (try-on workflow): the photo edited by the AI (zik.studio.tryon_ai: the gateway's image task, its
providers in order and the user's AI budget), the result and its thumbnails stored, the result photo and the
job's success written together; a retry after success does nothing."""

from __future__ import annotations

from zik.observability import instrument, logger
from zik.studio import tryon_ai
from zik.studio.tryon_service import Tryons

tryons = Tryons(edit=tryon_ai.try_on)


@instrument(correlation_id_path="jobId")
def lambda_handler(event: dict, context: object) -> dict:
    result = tryons.edit(event)
    logger.info("try-on edited", extra={"jobId": event["jobId"], **result})
    return result
