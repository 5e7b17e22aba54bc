"""The studio's account events, through its own queue: UserDeleted erases the user's studio data (photos
and try-on results with every S3 version of their objects, try-on jobs and quota counters, sessions, push
devices and their SNS endpoints) a page at a time (zik.erasure)."""

from __future__ import annotations

import os

from zik.erasure import account_events
from zik.observability import queue_handler
from zik.studio import userdata_hooks

userdata_hooks.register()
QUEUE_URL = os.environ["ACCOUNT_QUEUE_URL"]  # where what is left of a large erasure goes on


@queue_handler
def lambda_handler(event: dict, context: object) -> dict:
    return account_events(event, domain="studio", queue_url=QUEUE_URL)
