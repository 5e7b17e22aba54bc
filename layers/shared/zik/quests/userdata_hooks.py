"""The quests domain's part of GET /me/export and DELETE /me (imported by the /me function)."""

from __future__ import annotations

from zik import userdata
from zik.quests.store import QuestsStore

store = QuestsStore()
userdata.register("quests", export=store.export, erase=store.erase)
