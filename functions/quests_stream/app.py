"""QuestsTable's change stream to the bus: each committed change becomes the events it means
(zik.quests.changes), published once it is committed and only then (see zik.streams)."""

from __future__ import annotations

from zik.observability import instrument, logger
from zik.quests.changes import events_of
from zik.streams import publish_changes


@instrument()
def lambda_handler(event: dict, context: object) -> dict:
    return publish_changes(event, events_of, log=logger)
