"""The career's account events, through its own queue: UserDeleted erases the user's career data (the
career profile, resumes with every S3 version of their originals, applications, saved jobs, e-mails read and
the forwarding address) a page at a time (zik.erasure)."""

from __future__ import annotations

import os

from zik.career import userdata_hooks
from zik.erasure import account_events
from zik.observability import queue_handler

userdata_hooks.register()
QUEUE_URL = os.environ["ACCOUNT_QUEUE_URL"]  # where what is left of a large erasure goes on


@queue_handler
def lambda_handler(event: dict, context: object) -> dict:
    return account_events(event, domain="career", queue_url=QUEUE_URL)
