"""zik.streams: stream records in, domain events out, put on the bus in order with ids that survive a
redelivery; the first record not fully published is where Lambda retries from. The bus is botocore's
EventBridge client with its Stubber, never an imitation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from zik import streams
from zik.dynamo import to_item
from zik.streams import Change, Event

OWNER_PK = "TENANT#acme#USER#8f1c2a7e-4b3d-4c9a-9e61-2d5b7f0a1c34"
BUS = "zik-test"


def record(
    n: int, kind: str = "INSERT", *, new: dict[str, Any] | None = None, old: dict[str, Any] | None = None, sk: str | None = None
) -> dict[str, Any]:
    keys = {"pk": OWNER_PK, "sk": sk or f"THING#{n}"}
    stream: dict[str, Any] = {
        "ApproximateCreationDateTime": 1795000000 + n,
        "Keys": to_item(keys),
        "SequenceNumber": str(1000 + n),
        "SizeBytes": 100,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if kind != "REMOVE":
        stream["NewImage"] = to_item({**keys, "n": n, **(new or {})})
    if kind != "INSERT":
        stream["OldImage"] = to_item({**keys, "n": n, **(old or {})})
    return {"eventID": f"rec{n:04d}", "eventName": kind, "eventSource": "aws:dynamodb", "dynamodb": stream}


def profile_events(change: Change) -> Iterator[Event]:
    """A mapper for the tests: every change means one UserProfileUpdated (two for n divisible by 5)."""
    n = int(change.item["n"])
    for extra in range(2 if n % 5 == 0 else 1):
        yield Event("UserProfileUpdated", "platform", {"version": n + 1, "changed": ["timezone"] if extra else [], "timezone": "UTC"})


@pytest.fixture
def bus(monkeypatch: pytest.MonkeyPatch):
    client = boto3.client("events", region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s")
    stubber = Stubber(client)
    monkeypatch.setattr(streams, "_events_client", lambda: client)
    monkeypatch.setenv("EVENT_BUS_NAME", BUS)
    with stubber:
        yield stubber
    stubber.assert_no_pending_responses()


def accepted(count: int) -> dict[str, Any]:
    return {"FailedEntryCount": 0, "Entries": [{"EventId": f"e{i}"} for i in range(count)]}


def put_details(call: dict[str, Any]) -> list[dict[str, Any]]:
    return [json.loads(entry["Detail"]) for entry in call["Entries"]]


def test_a_change_is_read_from_its_record() -> None:
    change = streams.change_of(record(7, "MODIFY", new={"updatedAt": "2026-11-23T08:15:02.412Z"}, old={"x": 1}))
    assert change.kind == "MODIFY" and change.keys == {"pk": OWNER_PK, "sk": "THING#7"}
    assert change.new["n"] == 7 and change.old["x"] == 1 and change.changed("x") and not change.changed("n")
    assert change.owner.user_id == "8f1c2a7e-4b3d-4c9a-9e61-2d5b7f0a1c34" and change.owner.tenant_id == "acme"
    assert change.at == "2026-11-23T08:15:02.412Z"  # the item's own stamp
    removed = streams.change_of(record(8, "REMOVE"))
    assert removed.new is None and removed.item["n"] == 8
    assert removed.at == "2026-11-18T11:06:48.000Z"  # no new image: the stream's arrival (1795000008)


def test_events_are_put_in_order_ten_a_call_with_ids_made_from_the_records(bus: Stubber) -> None:
    records = [record(n) for n in range(1, 11)]  # 10 records, 12 events (n = 5 and 10 mean two)
    calls: list[dict[str, Any]] = []
    for size in (10, 2):
        bus.add_response("put_events", accepted(size), {"Entries": ANY})
    bus.client.meta.events.register_first("before-parameter-build.eventbridge.PutEvents", lambda params, **kw: calls.append(params))

    assert streams.publish_changes({"Records": records}, profile_events) == {"batchItemFailures": []}
    details = [d for call in calls for d in put_details(call)]
    assert [len(call["Entries"]) for call in calls] == [10, 2]
    assert [d["eventId"] for d in details][:6] == ["rec0001.0", "rec0002.0", "rec0003.0", "rec0004.0", "rec0005.0", "rec0005.1"]
    assert {d["userId"] for d in details} == {"8f1c2a7e-4b3d-4c9a-9e61-2d5b7f0a1c34"} and {d["tenantId"] for d in details} == {"acme"}
    assert all(entry["Source"] == "zik.platform" and entry["EventBusName"] == BUS for call in calls for entry in call["Entries"])


def test_a_record_delivered_again_yields_the_same_events(bus: Stubber) -> None:
    seen: list[list[str]] = []
    bus.client.meta.events.register_first(
        "before-parameter-build.eventbridge.PutEvents",
        lambda params, **kw: seen.append([json.loads(e["Detail"])["eventId"] for e in params["Entries"]]),
    )
    for _ in range(2):
        bus.add_response("put_events", accepted(2), {"Entries": ANY})
        streams.publish_changes({"Records": [record(1), record(2)]}, profile_events)
    assert seen[0] == seen[1] == ["rec0001.0", "rec0002.0"]


def test_the_first_refused_event_is_where_the_batch_is_retried_and_nothing_after_it_is_put(bus: Stubber) -> None:
    records = [record(n) for n in range(11, 25)]  # 14 records: the first call carries 11..20
    first = accepted(10)
    first["FailedEntryCount"] = 1
    first["Entries"][7] = {"ErrorCode": "ThrottlingException", "ErrorMessage": "slow down"}  # record 17 (15 means two events)
    bus.add_response("put_events", first, {"Entries": ANY})

    answer = streams.publish_changes({"Records": records}, profile_events)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "1017"}]}


def test_an_unreachable_bus_fails_the_batch_from_the_first_unput_record(bus: Stubber) -> None:
    bus.add_response("put_events", accepted(10), {"Entries": ANY})
    bus.add_client_error("put_events", service_error_code="InternalException", http_status_code=500)
    records = [record(n) for n in range(1, 14)]  # 1..10 put (n = 5, 10 give two: 10 entries end at record 9)
    answer = streams.publish_changes({"Records": records}, profile_events)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "1010"}]}


def test_a_change_that_cannot_be_mapped_stops_the_batch_at_it_and_the_ones_before_are_put(bus: Stubber) -> None:
    def fussy(change: Change) -> Iterator[Event]:
        if change.item["n"] == 3:
            raise KeyError("title")
        yield from profile_events(change)

    bus.add_response("put_events", accepted(2), {"Entries": ANY})
    answer = streams.publish_changes({"Records": [record(1), record(2), record(3), record(4)]}, fussy)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "1003"}]}


def test_an_event_that_breaks_its_schema_is_never_put(bus: Stubber) -> None:
    def broken(change: Change) -> Iterator[Event]:
        yield Event("UserProfileUpdated", "platform", {"version": "one", "changed": [], "timezone": "UTC"})

    answer = streams.publish_changes({"Records": [record(1)]}, broken)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "1001"}]}


def test_a_change_outside_any_users_partition_is_refused() -> None:
    odd = record(1)
    odd["dynamodb"]["Keys"] = to_item({"pk": "RULES#ACTIVE", "sk": "x"})
    with pytest.raises(ValueError, match="not in a user's partition"):
        _ = streams.change_of(odd).owner


def test_a_batch_with_nothing_to_say_puts_nothing(bus: Stubber) -> None:
    assert streams.publish_changes({"Records": [record(1), record(2)]}, lambda change: iter(())) == {"batchItemFailures": []}


@pytest.mark.parametrize(
    ("detail", "field"),
    [
        ({"version": 0, "changed": [], "timezone": "UTC"}, "version"),
        ({"version": "2", "changed": [], "timezone": "UTC"}, "version"),
        ({"version": 2, "changed": ["password"], "timezone": "UTC"}, "changed"),
        ({"version": 2, "changed": [], "timezone": ""}, "timezone"),
        ({"version": 2, "changed": [], "timezone": "UTC", "secret": "x"}, "secret"),
        ({"version": 2, "changed": []}, "timezone"),
    ],
)
def test_an_event_that_breaks_its_schema_is_refused_naming_the_field(detail: dict[str, Any], field: str) -> None:
    change = streams.change_of(record(1))
    with pytest.raises(ValueError) as caught:
        streams.entries_of(change, [Event("UserProfileUpdated", "platform", detail)], BUS)
    assert "UserProfileUpdated of" in str(caught.value) and "does not match its schema" in str(caught.value) and field in str(caught.value)


def test_every_event_schema_carries_the_common_fields_and_nothing_else() -> None:
    from zik import schemas

    for name in schemas.names("events"):
        schema = schemas.load("events", name)
        assert {"eventId", "occurredAt", "tenantId", "userId"} <= set(schema["required"]), name
        assert schema.get("additionalProperties") is False, name
