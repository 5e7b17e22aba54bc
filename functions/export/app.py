"""The export worker, through its own queue: ExportRequested prepares a large export of all of a user's
data (every domain's part) into the exports bucket; UserDeleted erases the user's exports (zik.erasure).
A request that keeps failing is marked failed on its last delivery, before it goes to the DLQ."""

from __future__ import annotations

import os
from typing import Any, Mapping

from zik import userdata
from zik.erasure import account_events
from zik.career import userdata_hooks as career_data
from zik.journal import userdata_hooks as journal_data
from zik.observability import logger, queue_handler
from zik.platform import exports_hooks
from zik.platform.exports import Exports
from zik.platform.store import ProfileStore
from zik.points import userdata_hooks as points_data
from zik.principal import Principal
from zik.quests import userdata_hooks as quests_data
from zik.studio import userdata_hooks as studio_data

profiles = ProfileStore()
exports = Exports(profiles.table)
quests_data.register()
journal_data.register()
career_data.register()
studio_data.register()
points_data.register()
exports_hooks.register(exports)
QUEUE_URL = os.environ["ACCOUNT_QUEUE_URL"]
# The queue's maxReceiveCount (template.yaml, ExportQueue): the delivery after which a message goes to the DLQ.
LAST_DELIVERY = int(os.environ.get("EXPORT_LAST_DELIVERY", "5"))


def prepare(owner: Principal, detail: Mapping[str, Any], record: Mapping[str, Any]) -> None:
    try:
        exports.prepare(owner, detail["exportId"], lambda: {"profile": profiles.get(owner), **userdata.export_all(owner)})
    except Exception as exc:
        if int((record.get("attributes") or {}).get("ApproximateReceiveCount", "1")) >= LAST_DELIVERY:
            logger.exception("export failed for good", extra={"exportId": detail["exportId"]})
            exports.fail(owner, detail["exportId"], type(exc).__name__)
        raise


@queue_handler
def lambda_handler(event: dict, context: object) -> dict:
    return account_events(event, domain="exports", queue_url=QUEUE_URL, others={"ExportRequested": prepare})
