"""The quests' account events, through their own queue: UserDeleted erases the user's quests a page at a
time (zik.erasure); UserProfileUpdated moves the user's recurring rules to their new timezone."""

from __future__ import annotations

import os

from zik.erasure import account_events
from zik.observability import queue_handler
from zik.quests import userdata_hooks
from zik.quests.service import Quests

userdata_hooks.register()
QUEUE_URL = os.environ["ACCOUNT_QUEUE_URL"]  # where what is left of a large erasure goes on
quests = Quests()


@queue_handler
def lambda_handler(event: dict, context: object) -> dict:
    return account_events(event, domain="quests", queue_url=QUEUE_URL, on_profile=quests.follow_timezone)
