"""The hourly job ingestion (scheduled): reads the job feeds (JobFeedsBucket's feeds/ and JOB_FEED_URLS),
upserts their postings, closes those gone, records each feed's run and rebuilds the market aggregates
(zik.career.ingestion). It raises only when every feed failed: the schedule retries it twice, then its
dead-letter queue keeps the event."""

from __future__ import annotations

from zik.career import ingestion
from zik.observability import schedule_handler


@schedule_handler
def lambda_handler(event: dict, context: object) -> dict:
    return ingestion.run_ingestion(run_id=event.get("id") or getattr(context, "aws_request_id", None))
