"""The exports' part of a user's data: their list is exported, their documents erased with the user. The
/me function and the export worker call ``register()``."""

from __future__ import annotations

from zik import userdata
from zik.platform.exports import Exports


def register(exports: Exports | None = None) -> None:
    exports = exports or Exports()
    userdata.register("exports", export=exports.listing, erase_page=exports.erase_page, size=exports.size)
