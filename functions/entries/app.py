"""The Entry service: journal entries (write, read, list, change, delete), search and export."""

from __future__ import annotations

from functools import cache

from aws_lambda_powertools.utilities.typing import LambdaContext

from zik.http import Response, body, create_app, json_response, principal, responds
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
@responds({201: "journal_entry"}, errors=(409, 422))
def create_entry():
    """Write a journal entry, filed under your default category unless it names one.

    The body is `{content, title?, mood? (1-5), categoryId?, tags?, promptId?, entryDate?}`; 201 answers the
    entry (`entryId`, `wordCount`, `version`, timestamps) with `insight` null: it follows asynchronously
    (GET /entries/{id}). Retries with the same `Idempotency-Key` header write one entry and answer it
    again; 409 while the first request with that key is still running, 422 when the key was used with
    another body. An unknown `categoryId` or `promptId`, or an `entryDate` in the future, is a 400."""
    owner = principal(app)
    data = body(app, "entry_create", max_bytes=MAX_ENTRY_BODY_BYTES)
    return json_response(run_once(app, owner, lambda claim: entries.create(owner, data, claim=claim)), 201)


@app.get("/entries")
@responds({200: "journal_entry_page"}, query=("journal.from", "journal.to", "entries.categoryId", "entries.tag", "limit", "cursor"))
def list_entries():
    """List your entries newest day first, each with a preview instead of its full text.

    `from` and `to` (YYYY-MM-DD), `categoryId` and `tag` narrow the list. With a filter a page may hold
    fewer than `limit` entries, even none, and still have a next one: follow `nextCursor` until null."""
    query = _query()
    return entries.list(principal(app), query, limit=page_limit(query.get("limit")), cursor=query.get("cursor") or None)


@app.get("/entries/search")
@responds({200: "journal_search_page"}, query=("entries.q", "limit", "cursor"))
def search_entries():
    """Search your entries' text for the words of `q`, best match first.

    Case and accents do not matter, nor British or American spelling; irregular forms find each other (ran,
    run), and a word no entry holds finds the words a typo or two away. Each hit has a snippet and the
    offsets of the matching words in it. A `cursor` is good only for the `q` that gave it (400 otherwise).
    An entry shows up in the search a moment after it is written (the index follows the entries' events)."""
    query = _query()
    return entries.search(principal(app), query.get("q"), limit=page_limit(query.get("limit")), cursor=query.get("cursor") or None)


@app.get("/entries/export")
@responds(
    {200: {"application/json": "journal_export", "text/markdown": None, "text/csv": None}, 202: "export_job"},
    query=("entries.format",),
)
def export_entries() -> Response:
    """Download all your entries with their insights as JSON, Markdown or CSV (`format`).

    A journal of more than a few thousand entries and insights is prepared in the background: 202 with
    `{exportId, status: preparing, statusUrl}`; GET /me/exports/{exportId} answers a `downloadUrl` (valid
    15 minutes) once it is ready. A smaller one is the answer itself (200, an attachment in the format
    asked), or, when the document is over 1 MB, whatever the format, a JSON
    `{format, entries, bytes, downloadUrl, expiresAt}` with a link valid 15 minutes."""
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
@responds({200: "journal_entry"})
def get_entry(id: str):  # noqa: A002 (the seed's path parameter)
    """Read one of your entries with its full text and its insight.

    `insight` is null until the AI service has read the entry's current text."""
    return entries.get(principal(app), id)


@app.put("/entries/<id>")
@responds({200: "journal_entry"}, errors=(409,))
def update_entry(id: str):  # noqa: A002
    """Change an entry's text, title, mood, category, tags or day, given the `version` you read.

    Send the fields to change (null clears title, mood or categoryId); 409 when the entry changed since
    the version you read (`details.currentVersion`). A changed text gets a new insight, asynchronously:
    `insight` is null until then."""
    return entries.update(principal(app), id, body(app, "entry_update", max_bytes=MAX_ENTRY_BODY_BYTES))


@app.delete("/entries/<id>")
@responds({200: "journal_entry_deletion"}, errors=(409,))
def delete_entry(id: str):  # noqa: A002
    """Delete an entry and its insight, together.

    409 when the entry kept changing while it was deleted: try again."""
    return entries.delete(principal(app), id)


@app.post("/entries/<id>/insight")
@responds({202: "journal_insight_request"})
def request_insight(id: str):  # noqa: A002
    """Ask the AI service to read an entry again and write a fresh insight.

    202: asked (AIInsightRequested); GET /entries/{id} shows the new insight once it is written. A 400
    names `aiInsightsEnabled` when your settings turned insights off."""
    return json_response(entries.request_insight(principal(app), id), 202)


@api_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
