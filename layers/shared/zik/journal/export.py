"""GET /entries/export: all of a user's entries with their insights, as JSON, Markdown or CSV.

A journal of more than a few thousand items (``inline_items()``, counted before anything is read, see
``too_many_to_read``) is exported in the background, as GET /me/export does (zik.platform.exports, kind
``journal``): the answer is 202 and GET /me/exports/<id> gives a link when it is ready. A smaller one is
rendered in the request: the answer's body, or, when the document is over ``inline_limit()`` bytes (API
Gateway answers at most 10 MB, Lambda 6 MB), a presigned link to it in the journal bucket.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from dataclasses import dataclass
from typing import Any

from zik import clock
from zik.clock import now_iso
from zik.errors import InvalidRequest
from zik.journal.entries import entry_view
from zik.journal.store import JournalStore, insight_sk
from zik.principal import Principal

FORMATS = {
    "json": ("application/json; charset=utf-8", "json"),
    "markdown": ("text/markdown; charset=utf-8", "md"),
    "csv": ("text/csv; charset=utf-8", "csv"),
}
LINK_SECONDS = 15 * 60
CSV_COLUMNS = (
    "entryId",
    "entryDate",
    "createdAt",
    "updatedAt",
    "title",
    "mood",
    "categoryId",
    "tags",
    "promptId",
    "wordCount",
    "sentimentScore",
    "sentimentLabel",
    "emotions",
    "themes",
    "summary",
    "content",
)
# A spreadsheet runs a cell that starts with one of these as a formula: such cells are exported quoted.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Export:
    format: str
    content_type: str
    filename: str
    body: str
    entries: int


def check_format(raw: str | None) -> str:
    name = (raw or "json").lower()
    if name not in FORMATS:
        raise InvalidRequest(f"format must be one of {', '.join(FORMATS)}", field="format")
    return name


def journal_of(store: JournalStore, owner: Principal) -> list[dict[str, Any]]:
    """Every entry (newest first) with its insight, read from the partition in key order, where each
    entry's insight follows it."""
    entries: dict[str, dict[str, Any]] = {}
    insights: dict[str, dict[str, Any]] = {}
    for item in store.table.iterate(owner.partition, sk_prefix="ENTRY#"):
        if item["sk"] == insight_sk(item["entryId"]):
            insights[item["entryId"]] = item
        else:
            entries[item["entryId"]] = item
    ordered = sorted(entries.values(), key=lambda e: (e["entryDate"], e["createdAt"]), reverse=True)
    return [entry_view(entry, insights.get(entry["entryId"]), with_insight=True) for entry in ordered]


def render(owner: Principal, entries: list[dict[str, Any]], fmt: str) -> Export:
    content_type, extension = FORMATS[fmt]
    stamp = now_iso()
    body = {"json": _json, "markdown": _markdown, "csv": _csv}[fmt](owner, entries, stamp)
    filename = f"journal-{owner.user_id}-{stamp[:10]}.{extension}"
    return Export(fmt, content_type, filename, body, len(entries))


def inline_items() -> int:
    """A journal of more items than this (entries and their insights) is exported in the background: at
    most a few MB to read and render, a second or two, well inside API Gateway's 29 s."""
    return int(os.environ.get("EXPORT_INLINE_ITEMS") or 2000)


def too_many_to_read(store: JournalStore, owner: Principal, limit: int | None = None) -> bool:
    """Whether the journal holds more than ``limit`` entries and insights, known without reading them:
    a COUNT query of the partition's entries that stops past the limit, so that it reads at most
    ``limit + 1`` items (a page or two) however large the journal is."""
    limit = inline_items() if limit is None else limit
    kwargs: dict[str, Any] = {
        "TableName": store.table.name,
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :entries)",
        "ExpressionAttributeValues": {":pk": {"S": owner.partition}, ":entries": {"S": "ENTRY#"}},
        "Select": "COUNT",
    }
    counted = 0
    while True:
        answer = store.client.query(**kwargs, Limit=limit + 1 - counted)
        counted += answer["Count"]
        if counted > limit:
            return True
        if "LastEvaluatedKey" not in answer:
            return False
        kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


def inline_limit() -> int:
    return int(os.environ.get("EXPORT_INLINE_MAX_BYTES") or 1_000_000)


def is_large(export: Export) -> bool:
    return len(export.body.encode("utf-8")) > inline_limit()


def store_for_download(owner: Principal, export: Export, bucket: str | None = None) -> dict[str, Any]:
    """Write the export to the journal bucket (exports expire there after a day) and give a link to it
    valid for 15 minutes, which downloads it under its file name."""
    from zik.buckets import s3_client

    bucket = bucket or os.environ["JOURNAL_BUCKET"]
    key = f"exports/{owner.tenant_id}/{owner.user_id}/{export.filename}"
    data = export.body.encode("utf-8")
    client = s3_client()
    client.put_object(Bucket=bucket, Key=key, Body=data, ContentType=export.content_type)
    url = client.generate_presigned_url(
        "get_object",
        Params={"Bucket": bucket, "Key": key, "ResponseContentDisposition": f'attachment; filename="{export.filename}"'},
        ExpiresIn=LINK_SECONDS,
    )
    expires = clock.now() + dt.timedelta(seconds=LINK_SECONDS)
    return {
        "format": export.format,
        "entries": export.entries,
        "bytes": len(data),
        "downloadUrl": url,
        "expiresAt": expires.isoformat(timespec="seconds").replace("+00:00", "Z"),
    }


def _json(owner: Principal, entries: list[dict[str, Any]], stamp: str) -> str:
    document = {"exportedAt": stamp, "userId": owner.user_id, "count": len(entries), "entries": entries}
    return json.dumps(document, ensure_ascii=False, indent=2, default=str)


def _markdown(owner: Principal, entries: list[dict[str, Any]], stamp: str) -> str:
    lines = ["# Journal", "", f"{len(entries)} entries, exported {stamp}.", ""]
    for entry in entries:
        heading = entry["entryDate"] + (f" — {entry['title']}" if entry.get("title") else "")
        lines += ["---", "", f"## {heading}", ""]
        facts = []
        if entry.get("mood"):
            facts.append(f"mood {entry['mood']}/5")
        if entry.get("tags"):
            facts.append("tags: " + ", ".join(entry["tags"]))
        if entry.get("categoryId"):
            facts.append(f"category {entry['categoryId']}")
        facts.append(f"{entry['wordCount']} words")
        lines += ["*" + " · ".join(facts) + "*", "", entry["content"].rstrip(), ""]
        insight = entry.get("insight")
        if insight:
            sentiment = insight["sentiment"]
            lines.append(f"> **Insight** ({sentiment['label']}, {sentiment['score']:+.2f}): {insight['summary']}")
            if insight.get("themes"):
                lines.append("> Themes: " + ", ".join(insight["themes"]))
            if insight.get("emotions"):
                lines.append("> Emotions: " + ", ".join(e["name"] for e in insight["emotions"]))
            lines.append("")
    return "\n".join(lines)


def _csv(owner: Principal, entries: list[dict[str, Any]], stamp: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        insight = entry.get("insight") or {}
        sentiment = insight.get("sentiment") or {}
        row = {
            **entry,
            "tags": ";".join(entry.get("tags") or []),
            "sentimentScore": sentiment.get("score"),
            "sentimentLabel": sentiment.get("label"),
            "emotions": ";".join(e["name"] for e in insight.get("emotions") or []),
            "themes": ";".join(insight.get("themes") or []),
            "summary": insight.get("summary"),
        }
        writer.writerow([_cell(row.get(column)) for column in CSV_COLUMNS])
    return buffer.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    cell = str(value)
    return "'" + cell if cell.startswith(_FORMULA_START) else cell
