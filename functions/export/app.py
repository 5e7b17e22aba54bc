"""The export worker, through its own queue: ExportRequested prepares a large export into the exports
bucket, of what its item names: all of a user's data (kind ``all``, GET /me/export: every domain's part)
or their journal in one format (kind ``journal``, GET /entries/export: json, markdown or csv);
UserDeleted erases the user's exports (zik.erasure). A redelivered request finds its export ready and
does nothing; one that keeps failing is marked failed on its last delivery, before it goes to the DLQ."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from zik import userdata
from zik.career import userdata_hooks as career_data
from zik.erasure import account_events
from zik.journal import export as journal_export
from zik.journal import userdata_hooks as journal_data
from zik.journal.store import JournalStore
from zik.observability import logger, queue_handler
from zik.platform import exports_hooks
from zik.platform.exports import Exports, Prepared, everything
from zik.platform.store import ProfileStore
from zik.points import userdata_hooks as points_data
from zik.principal import Principal
from zik.quests import userdata_hooks as quests_data
from zik.studio import userdata_hooks as studio_data

profiles = ProfileStore()
exports = Exports(profiles.table)
journal = JournalStore()
quests_data.register()
journal_data.register()
career_data.register()
studio_data.register()
points_data.register()
exports_hooks.register(exports)
QUEUE_URL = os.environ["ACCOUNT_QUEUE_URL"]
# The queue's maxReceiveCount (template.yaml, ExportQueue): the delivery after which a message goes to the DLQ.
LAST_DELIVERY = int(os.environ.get("EXPORT_LAST_DELIVERY", "5"))


def build(owner: Principal, item: Mapping[str, Any]) -> Prepared:
    """The document the export's item asks for (an item without a kind is of every domain)."""
    kind = item.get("kind", "all")
    if kind == "journal":
        document = journal_export.render(owner, journal_export.journal_of(journal, owner), journal_export.check_format(item.get("format")))
        return Prepared(document.body.encode("utf-8"), document.content_type, document.filename)
    if kind == "all":
        return everything(owner, {"profile": profiles.get(owner), **userdata.export_all(owner)}, email=item.get("email"))
    raise ValueError(f"export {item['exportId']} is of an unknown kind {kind!r}")


def prepare(owner: Principal, detail: Mapping[str, Any], record: Mapping[str, Any]) -> None:
    try:
        exports.prepare(owner, detail["exportId"], lambda item: build(owner, item))
    except Exception as exc:
        if int((record.get("attributes") or {}).get("ApproximateReceiveCount", "1")) >= LAST_DELIVERY:
            logger.exception("export failed for good", extra={"exportId": detail["exportId"]})
            exports.fail(owner, detail["exportId"], type(exc).__name__)
        raise


@queue_handler
def lambda_handler(event: dict, context: object) -> dict:
    return account_events(event, domain="exports", queue_url=QUEUE_URL, others={"ExportRequested": prepare})
