"""The job feeds zik ships: ten fictional employers' boards, five as the Greenhouse job board API answers
(``greenhouse/<board>.json``) and five as the Lever postings API does (``lever/<site>.json``), 330 postings
in all, written by ``generate.py`` (seeded: ``python -m zik_local.job_feeds.generate`` writes the same
bytes every time).

Their dates are ANCHOR_DAY's: every date in the files is some days before it. ``seed_feeds`` moves them by
the days from ANCHOR_DAY to the day it runs before putting the files where the ingestion reads them, so
the postings are as recent on any day as on ANCHOR_DAY: "posted in the last 7 days", a market's trend and
its demand read the same whichever day ``zik dev`` or a test runs (a test whose clock is moved gets feeds
moved with it).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
ANCHOR_DAY = dt.date(2026, 11, 23)  # the day of the sample events in events/
FORMATS = ("greenhouse", "lever")
GREENHOUSE_DATES = ("updated_at", "first_published")
LEVER_DATES = ("createdAt", "updatedAt")


def feed_files() -> list[tuple[str, str, Path]]:
    """(format, board, file) of every shipped feed, in a stable order."""
    return [(fmt, path.stem, path) for fmt in FORMATS for path in sorted((HERE / fmt).glob("*.json"))]


def redated(document: Any, fmt: str, today: dt.date) -> Any:
    """A feed's document with every posting's dates moved by the days from ANCHOR_DAY to ``today``."""
    shift = today - ANCHOR_DAY
    postings = document["jobs"] if fmt == "greenhouse" else document
    for posting in postings:
        if fmt == "greenhouse":
            for name in GREENHOUSE_DATES:
                if isinstance(posting.get(name), str):
                    posting[name] = (dt.datetime.fromisoformat(posting[name]) + shift).isoformat()
        else:
            for name in LEVER_DATES:
                if isinstance(posting.get(name), int):
                    posting[name] += int(shift.total_seconds() * 1000)
    return document


def feed_bytes(path: Path, fmt: str, today: dt.date) -> bytes:
    """A shipped feed's file as of ``today`` (its dates moved), as a board would serve it."""
    document = json.loads(path.read_text(encoding="utf-8"))
    return json.dumps(redated(document, fmt, today), ensure_ascii=False).encode("utf-8")


def utc_today() -> dt.date:
    """The UTC day, as zik.clock.today() reads it (and as a test's moved clock sets it)."""
    return dt.datetime.now(dt.UTC).date()


def seed_feeds(s3_client: Any, bucket: str, *, today: dt.date | None = None) -> list[str]:
    """Put every shipped feed, dated as of ``today`` (the UTC day by default), under feeds/<format>/ in
    ``bucket``, where the job ingestion reads them; the keys written."""
    day = today or utc_today()
    keys = []
    for fmt, board, path in feed_files():
        key = f"feeds/{fmt}/{board}.json"
        s3_client.put_object(Bucket=bucket, Key=key, Body=feed_bytes(path, fmt, day), ContentType="application/json")
        keys.append(key)
    return keys
