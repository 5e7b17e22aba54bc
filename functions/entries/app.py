"""The Entry service: journal entries (write, read, list, change, delete), search and export."""

from __future__ import annotations

from functools import cache

from zik.http import Response, body, create_app, json_response, principal
from zik.idempotency import run_once
from zik.inputs import page_limit
from zik.journal import export
from zik.journal.entries import Entries
from zik.observability import api_handler
from zik.platform.exports import Exports

# An entry may hold 50,000 characters, each up to 6 bytes once JSON-escaped.
MAX_ENTRY_BODY_BYTES = 320 * 1024

app = create_app()
entries = Entries()


@cache
def _exports() -> Exports:
    """Large exports are asked for in UsersTable (its stream carries ExportRequested to the export worker)."""
    return Exports()


def _query() -> dict[str, str]:
    return app.current_event.query_string_parameters or {}


@app.post("/entries")
def create_entry():
    """Write an entry: `{content, title?, mood? (1-5), categoryId?, tags?, promptId?, entryDate?}`.

    Answers 201 with the entry (`entryId`, `wordCount`, `version`, timestamps). Its insight follows
    asynchronously (GET /entries/{id}). Retries with the same `Idempotency-Key` write one entry."""
    owner = principal(app)
    data = body(app, "entry_create", max_bytes=MAX_ENTRY_BODY_BYTES)
    return json_response(run_once(app, owner, lambda claim: entries.create(owner, data, claim=claim)), 201)


@app.get("/entries")
def list_entries():
    """Entries newest first, without their full text (`from`, `to` as YYYY-MM-DD, `categoryId`, `tag`,
    `limit`, `cursor`). With a filter a page may hold fewer than `limit` entries: follow `nextCursor`."""
    query = _query()
    return entries.list(principal(app), query, limit=page_limit(query.get("limit")), cursor=query.get("cursor") or None)


@app.get("/entries/search")
def search_entries():
    """Ranked full-text search of your entries (`q`; case and accents do not matter), each hit with a
    snippet and the offsets of the matching words in it (`limit`, `cursor`)."""
    query = _query()
    return entries.search(principal(app), query.get("q"), limit=page_limit(query.get("limit")), cursor=query.get("cursor") or None)


@app.get("/entries/export")
def export_entries() -> Response:
    """All your entries with their insights as a download (`format`: json, markdown or csv).

    A journal of more than a few thousand entries and insights is prepared in the background: 202 with
    `{exportId, status: preparing, statusUrl}`; GET /me/exports/{exportId} answers a `downloadUrl` (valid
    15 minutes) once it is ready. A smaller one is the answer itself, or `{downloadUrl, expiresAt}` (a link
    valid 15 minutes) when the document is over 1 MB."""
    owner = principal(app)
    fmt = export.check_format(_query().get("format"))
    if export.too_many_to_read(entries.store, owner):
        return json_response(_exports().request(owner, kind="journal", format=fmt), 202)  # ExportRequested leaves through UsersTable's stream
    document = export.render(owner, export.journal_of(entries.store, owner), fmt)
    if export.is_large(document):
        return json_response(export.store_for_download(owner, document))
    return Response(
        status_code=200,
        content_type=document.content_type,
        body=document.body,
        headers={"Content-Disposition": f'attachment; filename="{document.filename}"'},
    )


@app.get("/entries/<id>")
def get_entry(id: str):  # noqa: A002 (the seed's path parameter)
    """An entry with its insight (`insight` is null until the AI service has read it)."""
    return entries.get(principal(app), id)


@app.put("/entries/<id>")
def update_entry(id: str):  # noqa: A002
    """Change an entry: send the `version` you read (409 if it changed since) and the fields to change."""
    return entries.update(principal(app), id, body(app, "entry_update", max_bytes=MAX_ENTRY_BODY_BYTES))


@app.delete("/entries/<id>")
def delete_entry(id: str):  # noqa: A002
    """Delete an entry and its insight."""
    return entries.delete(principal(app), id)


@app.post("/entries/<id>/insight")
def request_insight(id: str):  # noqa: A002
    """Ask for a fresh insight of an entry (AIInsightRequested); it arrives asynchronously."""
    return json_response(entries.request_insight(principal(app), id), 202)


@api_handler
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
