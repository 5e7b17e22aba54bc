"""A resume uploaded with a presigned POST (the bucket's ObjectCreated event under uploads/): read, analysed
and recorded on its pending resume, once per uploaded version. A file that is no readable resume is
recorded as ``failed`` with the reason; only a failure to reach AWS raises, so that Lambda retries the
invocation and, after its retries, leaves it in CareerDeadLetterQueue."""

from __future__ import annotations

from urllib.parse import unquote_plus

import zik.career.resume_ai  # noqa: F401  (registers career.resume)
from zik.career.resumes import Resumes
from zik.observability import instrument, logger

resumes = Resumes()


@instrument()
def lambda_handler(event: dict, context: object) -> dict:
    outcomes = []
    for record in event.get("Records") or []:
        if not str(record.get("eventName", "")).startswith("ObjectCreated"):
            continue
        found = (record.get("s3") or {}).get("object") or {}
        key = unquote_plus(found.get("key") or "")  # S3 events carry keys URL-encoded, spaces as '+'
        outcome = resumes.analyse_upload(key, found.get("versionId"), found.get("sequencer") or "0")
        logger.info("uploaded resume", extra={"key": key, "outcome": outcome})
        outcomes.append({"key": key, "outcome": outcome})
    return {"outcomes": outcomes}
