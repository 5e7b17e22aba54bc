"""The journal's account events, through its own queue: UserDeleted erases the user's journal (entries,
insights, settings, the search index and the exports, every S3 version) a page at a time (zik.erasure)."""

from __future__ import annotations

import os

from zik.erasure import account_events
from zik.journal import userdata_hooks
from zik.observability import queue_handler

userdata_hooks.register()
QUEUE_URL = os.environ["ACCOUNT_QUEUE_URL"]  # where what is left of a large erasure goes on


@queue_handler
def lambda_handler(event: dict, context: object) -> dict:
    return account_events(event, domain="journal", queue_url=QUEUE_URL)
