"""GET /entries/export of a large journal against the stack (moto): past the item threshold, counted before
anything is read, the answer is 202 and the export is prepared in the background by the path GET
/me/export uses (an EXPORT# item of UsersTable, ExportRequested from its stream, ExportFunction through
ExportQueue, the document in ExportsBucket); GET /me/exports/{exportId} answers a link to the journal in
the format asked. A small journal is still answered in the request."""

from __future__ import annotations

import csv
import io
import json
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import boto3
import pytest

from zik.journal import export
from zik.principal import Principal

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")

SUB = "8f1c2a7e-4b3d-4c9a-9e61-2d5b7f0a1c34"  # the user of the sample events
OWNER = Principal(user_id=SUB, tenant_id="acme")
EXTENSIONS = {"json": "json", "markdown": "md", "csv": "csv"}


def _journal_of_three(journal: Any) -> None:
    """Three entries and their insights: six items of the journal's partition."""
    journal.write("Walked by the river, calm and grateful.", title="River", mood=4, tags=["walk"])
    journal.write("A long day at work, tired but proud.", title="=cmd|' /C calc'!A0")
    journal.write('Dinner with friends, "quotes", commas, and laughter.', mood=5)
    journal.drain("InsightFunction")


def _ask(journal: Any, fmt: str, claims: Any = None) -> Any:
    return journal.api("EntriesFunction", "entries_export", query={"format": fmt}, claims=claims)


def _status(journal: Any, api_event: Any, export_id: str, claims: Any = None) -> Any:
    event = api_event("GET", f"/me/exports/{export_id}", **({"claims": claims} if claims else {}))
    event.update(resource="/me/exports/{exportId}", pathParameters={"exportId": export_id})
    return journal.invoke("MeFunction", event)


def _exports_bucket(journal: Any) -> str:
    return journal.deployment.functions["ExportFunction"].environment["EXPORTS_BUCKET"]


def _download(journal: Any, url: str) -> tuple[str, bytes, str]:
    """The object a presigned link names (key, bytes, the file name its download gets), read from the bucket
    it names: the link is checked to be signed for that object."""
    parsed = urlparse(url)
    query = parse_qs(parsed.query)
    assert "X-Amz-Signature" in query and query["X-Amz-Expires"] == ["900"]
    bucket = _exports_bucket(journal)
    path = unquote(parsed.path).lstrip("/")
    key = path[len(bucket) + 1 :] if path.startswith(bucket + "/") else path  # path-style or virtual-hosted
    body = boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    return key, body, query["response-content-disposition"][0]


def _same_journal(fmt: str, downloaded: str, inline: str) -> None:
    """The background export and the one answered in the request hold the same journal (only the time of
    the export may differ)."""
    if fmt == "json":
        ours, theirs = json.loads(downloaded), json.loads(inline)
        assert ours["count"] == theirs["count"] == 3 and ours["userId"] == SUB
        assert ours["entries"] == theirs["entries"] and all(e["insight"] for e in ours["entries"])
    elif fmt == "markdown":
        assert downloaded.startswith("# Journal\n") and downloaded.count("**Insight**") == 3
        assert downloaded.splitlines()[3:] == inline.splitlines()[3:]  # all but the line saying when
    else:
        assert downloaded == inline
        rows = list(csv.DictReader(io.StringIO(downloaded)))
        assert len(rows) == 3 and {r["title"] for r in rows} >= {"River", "'=cmd|' /C calc'!A0"} and all(r["summary"] for r in rows)


@pytest.mark.parametrize("fmt", ["json", "markdown", "csv"])
def test_a_large_journal_is_prepared_in_the_background_and_answered_as_a_link(journal, api_event, user_claims, monkeypatch, fmt) -> None:
    _journal_of_three(journal)
    monkeypatch.setenv("EXPORT_INLINE_ITEMS", "5")  # six items: past it

    asked = _ask(journal, fmt)
    assert asked.status == 202, asked.body
    export_id = asked.body["exportId"]
    assert asked.body["status"] == "preparing" and asked.body["statusUrl"] == f"/me/exports/{export_id}"
    assert asked.body["kind"] == "journal" and asked.body["format"] == fmt and "downloadUrl" not in asked.body
    assert _ask(journal, fmt).body["exportId"] == export_id  # asked again while it is prepared: the same one

    preparing = _status(journal, api_event, export_id)
    assert preparing.status == 200 and preparing.body["status"] == "preparing" and "downloadUrl" not in preparing.body
    journal.settle()  # the EXPORT# item -> ExportRequested -> ExportQueue -> ExportFunction

    ready = _status(journal, api_event, export_id)
    assert ready.status == 200 and ready.body["status"] == "ready" and ready.body["expiresAt"].endswith("Z")
    key, body, disposition = _download(journal, ready.body["downloadUrl"])
    assert key == f"exports/acme/{SUB}/{export_id}.{EXTENSIONS[fmt]}" and ready.body["bytes"] == len(body)
    assert disposition.startswith(f'attachment; filename="journal-{SUB}-') and disposition.endswith(f'.{EXTENSIONS[fmt]}"')
    head = boto3.client("s3").head_object(Bucket=_exports_bucket(journal), Key=key)
    assert head["ContentType"] == export.FORMATS[fmt][0]

    assert _status(journal, api_event, export_id, claims=user_claims()).status == 404  # another user's export
    theirs = _ask(journal, fmt, claims={"sub": "0b5e2f1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b", "custom:tenant_id": "acme"})
    assert theirs.status == 200  # their journal is empty: answered at once, whoever else's is large

    monkeypatch.delenv("EXPORT_INLINE_ITEMS")
    inline = _ask(journal, fmt)
    assert inline.status == 200 and "attachment" in inline.headers["content-disposition"]
    _same_journal(fmt, body.decode("utf-8"), inline.body if isinstance(inline.body, str) else json.dumps(inline.body))


def test_a_redelivered_request_prepares_nothing_twice(journal, api_event, monkeypatch) -> None:
    _journal_of_three(journal)
    monkeypatch.setenv("EXPORT_INLINE_ITEMS", "1")
    export_id = _ask(journal, "csv").body["exportId"]
    journal.drain("ExportFunction", keep=True)  # prepared; its message stays to be delivered again
    first = _status(journal, api_event, export_id).body
    assert first["status"] == "ready"

    assert journal.replay("ExportFunction") == {"batchItemFailures": []}  # the same record, delivered again
    again = _status(journal, api_event, export_id).body
    assert again["readyAt"] == first["readyAt"] and again["bytes"] == first["bytes"]
    versions = boto3.client("s3").list_object_versions(Bucket=_exports_bucket(journal), Prefix=f"exports/acme/{SUB}/")["Versions"]
    assert [v["Key"] for v in versions] == [f"exports/acme/{SUB}/{export_id}.csv"]  # one document, written once


def test_an_export_that_keeps_failing_is_marked_failed_and_ends_in_the_dead_letter_queue(
    journal, api_event, load_function, lambda_context, monkeypatch, move_clock
) -> None:
    _journal_of_three(journal)
    monkeypatch.setenv("EXPORT_INLINE_ITEMS", "1")
    export_id = _ask(journal, "markdown").body["exportId"]
    worker = load_function("ExportFunction")

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the journal could not be read")

    monkeypatch.setattr(worker.journal_export, "journal_of", broken)
    sqs = boto3.client("sqs")
    urls = sqs.list_queues()["QueueUrls"]
    queue = next(url for url in urls if "ExportQueue" in url.rsplit("/", 1)[1])
    dead = next(url for url in urls if "ExportDeadLetterQueue" in url.rsplit("/", 1)[1])
    journal.streams.pump()
    for delivery in range(1, 6):  # the queue's maxReceiveCount: 5
        messages = sqs.receive_message(QueueUrl=queue, AttributeNames=["All"]).get("Messages", [])
        assert len(messages) == 1 and messages[0]["Attributes"]["ApproximateReceiveCount"] == str(delivery)
        answer = worker.lambda_handler(journal.sqs_event(messages[:1]), lambda_context)
        assert answer == {"batchItemFailures": [{"itemIdentifier": messages[0]["MessageId"]}]}
        status = _status(journal, api_event, export_id).body
        assert status["status"] == ("failed" if delivery == 5 else "preparing"), (delivery, status)
        move_clock(seconds=1801)  # past the queue's visibility timeout
    assert status["reason"] == "RuntimeError" and "downloadUrl" not in status
    assert not sqs.receive_message(QueueUrl=queue).get("Messages")
    moved = sqs.receive_message(QueueUrl=dead).get("Messages", [])
    assert len(moved) == 1 and json.loads(moved[0]["Body"])["detail"]["exportId"] == export_id
    assert not boto3.client("s3").list_object_versions(Bucket=_exports_bucket(journal)).get("Versions")  # nothing half-written
    assert _ask(journal, "markdown").body["exportId"] != export_id  # a failed export is not answered again: a new one


def test_a_small_journal_is_still_answered_in_the_request(journal, monkeypatch) -> None:
    _journal_of_three(journal)
    monkeypatch.setenv("EXPORT_INLINE_ITEMS", "6")  # six items: not past it
    reply = _ask(journal, "json")
    assert reply.status == 200 and reply.body["count"] == 3 and "attachment" in reply.headers["content-disposition"]
    users = journal.deployment.functions["EntriesFunction"].environment["USERS_TABLE"]
    asked = boto3.client("dynamodb").query(
        TableName=users,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :x)",
        ExpressionAttributeValues={":pk": {"S": OWNER.partition}, ":x": {"S": "EXPORT#"}},
    )["Items"]
    assert asked == []  # no export asked in the background


def test_the_count_stops_past_the_threshold_whatever_the_journal_holds(journal) -> None:
    for n in range(12):
        journal.write(f"Entry number {n}")
    store = journal.load_function("EntriesFunction").entries.store
    read: list[int] = []

    def record(parsed: dict[str, Any], model: Any, **kwargs: Any) -> None:
        if model.name == "Query":
            read.append(parsed["ScannedCount"])

    store.client.meta.events.register("after-call.dynamodb.Query", record)
    try:
        assert export.too_many_to_read(store, OWNER, 3) is True
        assert sum(read) == 4  # the limit and one more, not the twelve entries
        read.clear()
        assert export.too_many_to_read(store, OWNER, 12) is False and sum(read) == 12
        assert export.too_many_to_read(store, OWNER, 11) is True
    finally:
        store.client.meta.events.unregister("after-call.dynamodb.Query", record)


def test_a_users_journal_exports_go_with_their_erasure(journal, api_event, monkeypatch, move_clock) -> None:
    _journal_of_three(journal)
    monkeypatch.setenv("EXPORT_INLINE_ITEMS", "1")
    assert _ask(journal, "markdown").status == 202
    journal.settle()
    bucket = _exports_bucket(journal)
    assert [v["Key"].rsplit(".", 1)[1] for v in boto3.client("s3").list_object_versions(Bucket=bucket)["Versions"]] == ["md"]
    assert journal.invoke("MeFunction", api_event("DELETE", "/me")).status == 202
    journal.settle()
    move_clock(seconds=31)
    journal.settle()
    done = journal.invoke("MeFunction", api_event("GET", "/me/erasure")).body
    assert done["status"] == "erased" and done["erased"]["exports"] == 1
    assert not boto3.client("s3").list_object_versions(Bucket=bucket).get("Versions")
