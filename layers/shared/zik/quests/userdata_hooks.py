"""The quests domain's part of GET /me/export and DELETE /me: the /me function calls ``register()`` at init."""

from __future__ import annotations

from zik import userdata
from zik.quests.store import QuestsStore


def register() -> None:
    store = QuestsStore()
    userdata.register("quests", export=store.export, erase_page=store.erase_page, size=store.size)
