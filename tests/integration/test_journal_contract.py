"""The journal's answers that its other modules do not reach, each held to the API's document by the
``invoke`` fixture: an Idempotency-Key reused with another body, a large export of another format than
JSON, and the prompt categories the document lists against the library the deployment loaded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import zik

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")

PARAMETERS = Path(zik.__file__).resolve().parent / "schemas" / "parameters"


def test_an_idempotency_key_used_with_another_body_is_unprocessable_and_writes_nothing(journal):
    headers = {"Idempotency-Key": "reused-key-0001"}
    first = journal.api("EntriesFunction", "entries_create", body={"content": "The first text"}, headers=headers)
    assert first.status == 201, first.body
    other = journal.api("EntriesFunction", "entries_create", body={"content": "Another text"}, headers=headers)
    assert other.status == 422 and other.body["error"]["field"] == "Idempotency-Key", other.body
    listed = journal.api("EntriesFunction", "entries_list", query={}).body["items"]
    assert [entry["entryId"] for entry in listed] == [first.body["entryId"]]


def test_a_large_markdown_export_is_a_json_link_to_the_markdown(journal, monkeypatch):
    journal.write("An entry long enough that its Markdown export passes a limit of one hundred bytes.")
    monkeypatch.setenv("EXPORT_INLINE_MAX_BYTES", "100")  # after the function's INIT set the template's value
    reply = journal.api("EntriesFunction", "entries_export", query={"format": "markdown"})
    assert reply.status == 200 and reply.headers["content-type"].startswith("application/json"), reply.headers
    assert reply.body["format"] == "markdown" and reply.body["entries"] == 1 and reply.body["bytes"] > 100
    assert "X-Amz-Signature" in reply.body["downloadUrl"]


def test_the_documented_prompt_categories_are_the_loaded_librarys(journal):
    documented = json.loads((PARAMETERS / "prompts.category.json").read_text(encoding="utf-8"))["schema"]["enum"]
    library = journal.api("PromptsFunction", "prompts_list", query={}).body
    assert sorted(documented) == library["categories"]
    for category in documented:
        picked = journal.api("PromptsFunction", "prompts_random", query={"category": category})
        assert picked.status == 200 and picked.body["category"] == category, picked.body
