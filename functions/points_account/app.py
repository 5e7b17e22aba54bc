"""The points' account events, through their own queue: UserDeleted erases the user's points, ledger and
achievements a page at a time (zik.erasure); UserProfileUpdated moves the stats' copy of the timezone."""

from __future__ import annotations

import os

from zik.erasure import account_events
from zik.observability import queue_handler
from zik.points import userdata_hooks
from zik.points.ledger import Points

userdata_hooks.register()
QUEUE_URL = os.environ["ACCOUNT_QUEUE_URL"]  # where what is left of a large erasure goes on
points = Points()


@queue_handler
def lambda_handler(event: dict, context: object) -> dict:
    return account_events(event, domain="points", queue_url=QUEUE_URL, on_profile=points.follow_timezone)
