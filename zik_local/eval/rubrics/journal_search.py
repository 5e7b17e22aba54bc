"""journal.search: does the search find what the person meant?

No provider answers this task: ``answer`` indexes the case's journal in a ``SearchIndex`` (each entry with its
``createdAt``, at version 1, its text as the indexer makes it) and runs the query through ``parse_query`` and
``SearchIndex.search``, then makes the snippets of the first three hits with ``snippet`` from the query as
``SearchIndex.resolve`` gives it back (its typo corrections included), as the entries service does
(``zik.journal.entries``).

A case's data: {"journal": name of a journal in the case file's top-level "journals"} or {"entries": [...]},
and "query". Its expect:
  top3        entry ids, at least one of which must be among the first three hits; [] when nothing at all
              may be found
  notTop3     entry ids that must not be among the first three hits (optional)
  highlight   words (as written in the entry) the snippet of the first expected hit among the first three
              must highlight (optional)
"""

from __future__ import annotations

from typing import Any

from zik.journal.indexer import searchable_text
from zik.journal.search import SearchIndex, parse_query, snippet
from zik_local.eval.checks import Check

TASK = "journal.search"
HEADLINE = "top3"
SHOWN = 3


def _entries(case: dict[str, Any]) -> list[dict[str, Any]]:
    data = case["data"]
    if "entries" in data:
        return data["entries"]
    return case["shared"]["journals"][data["journal"]]


def answer(case: dict[str, Any]) -> dict[str, Any]:
    entries = _entries(case)
    index = SearchIndex()
    for entry in entries:
        index.put(entry["entryId"], searchable_text(entry), created_at=entry["createdAt"], version=1)
    query = parse_query(case["data"]["query"])
    hits = index.search(query)
    # As the entries service makes them: from the query as the index resolved it, typo corrections included.
    resolved = index.resolve(query)
    contents = {entry["entryId"]: entry["content"] for entry in entries}
    snippets = {}
    for hit in hits[:SHOWN]:
        found = snippet(contents[hit.entry_id], resolved)
        snippets[hit.entry_id] = [found.text[start:end] for start, end in found.highlights]
    return {"hits": [hit.entry_id for hit in hits], "highlights": snippets}


def grade(case: dict[str, Any], answer: dict[str, Any]) -> list[Check]:
    expect = case["expect"]
    hits = answer["hits"]
    shown = hits[:SHOWN]
    wanted = expect["top3"]
    if wanted:
        found = [entry_id for entry_id in wanted if entry_id in shown]
        checks = [Check("top3", bool(found), "" if found else f"none of {wanted} in the first {SHOWN}: {shown}")]
    else:
        checks = [Check("top3", not hits, "" if not hits else f"expected no hit, got {hits[:5]}")]
    unwanted = [entry_id for entry_id in expect.get("notTop3", []) if entry_id in shown]
    if "notTop3" in expect:
        checks.append(Check("notTop3", not unwanted, "" if not unwanted else f"{unwanted} in the first {SHOWN}: {shown}"))
    if "highlight" in expect:
        first = next((entry_id for entry_id in shown if entry_id in wanted), None)
        highlighted = answer["highlights"].get(first, []) if first else []
        missing = [word for word in expect["highlight"] if word not in highlighted]
        checks.append(
            Check("highlight", first is not None and not missing, "" if not missing else f"{missing} not highlighted in {first}: {highlighted}")
        )
    return checks
