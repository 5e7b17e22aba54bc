"""ProcessingJobs' change stream to the bus: a try-on that succeeded or failed becomes TryOnCompleted or
TryOnFailed (zik.studio.changes), published once it is committed and only then (see zik.streams)."""

from __future__ import annotations

from zik.observability import instrument, logger
from zik.streams import publish_changes
from zik.studio.changes import events_of, with_owner_keys


@instrument()
def lambda_handler(event: dict, context: object) -> dict:
    return publish_changes(with_owner_keys(event), events_of, log=logger)
