"""The points' part of GET /me/export and of a user's erasure: the functions that serve them call ``register()``."""

from __future__ import annotations

from zik import userdata
from zik.points.ledger import Points


def register() -> None:
    points = Points()
    userdata.register("points", export=points.export, erase_page=points.erase_page, size=points.size)
