"""zik.events: events are checked against their schema before they leave, and reach the bus."""

from __future__ import annotations

import json
import uuid

import boto3
import pytest

from zik import events, schemas
from zik.principal import Principal

OWNER = Principal(user_id="8f1c2a7e-4b3d-4c9a-9e61-2d5b7f0a1c34", tenant_id="acme", email="ada@example.com")
BUS = "zik-test"


@pytest.fixture
def bus(aws, monkeypatch):
    boto3.client("events").create_event_bus(Name=BUS)
    monkeypatch.setenv("EVENT_BUS_NAME", BUS)
    return BUS


def _profile_updated(**overrides):
    detail = {"version": 2, "changed": ["timezone"], "timezone": "Europe/Paris", **overrides}
    return events.event("UserProfileUpdated", "platform", OWNER, **detail)


def test_event_fills_the_common_fields_and_validates():
    event = _profile_updated()
    assert event.detail_type == "UserProfileUpdated"
    assert event.source == "zik.platform"
    detail = dict(event.detail)
    uuid.UUID(detail.pop("eventId"))
    assert detail.pop("occurredAt").endswith("Z")
    assert detail == {
        "tenantId": "acme",
        "userId": OWNER.user_id,
        "version": 2,
        "changed": ["timezone"],
        "timezone": "Europe/Paris",
    }
    schemas.validate("events", "UserProfileUpdated", dict(event.detail))


def test_every_event_gets_its_own_id():
    assert _profile_updated().detail["eventId"] != _profile_updated().detail["eventId"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"version": 0}, "version"),
        ({"version": "2"}, "version"),
        ({"changed": ["password"]}, "changed"),
        ({"timezone": ""}, "timezone"),
        ({"secret": "x"}, "secret"),
    ],
)
def test_event_with_a_bad_detail_is_refused_naming_the_field(overrides, field):
    with pytest.raises(ValueError) as caught:
        _profile_updated(**overrides)
    assert "UserProfileUpdated does not match its schema" in str(caught.value)
    assert field in str(caught.value)


def test_event_missing_a_required_field_is_refused():
    with pytest.raises(ValueError, match="erased is required"):
        events.event("UserDeleted", "platform", OWNER)


def test_entry_is_what_put_events_takes():
    entry = _profile_updated().entry("bus-1")
    assert entry["EventBusName"] == "bus-1"
    assert entry["Source"] == "zik.platform"
    assert entry["DetailType"] == "UserProfileUpdated"
    assert json.loads(entry["Detail"])["version"] == 2


def test_publish_puts_the_event_on_the_bus(bus, event_sink):
    sink = event_sink(bus, {"source": ["zik.platform"], "detail-type": ["UserDeleted"]})
    deleted = events.event("UserDeleted", "platform", OWNER, erased={"profile": 1, "quests": 4})
    events.publish(deleted)
    received = sink.received()
    assert len(received) == 1
    envelope = received[0]
    assert envelope["source"] == "zik.platform"
    assert envelope["detail-type"] == "UserDeleted"
    assert envelope["detail"] == dict(deleted.detail)


def test_publish_sends_more_than_ten_events_in_chunks(bus, event_sink, monkeypatch):
    sink = event_sink(bus)
    calls = []
    client = boto3.client("events")
    original = client.put_events

    def counting_put_events(**kwargs):
        calls.append(len(kwargs["Entries"]))
        return original(**kwargs)

    monkeypatch.setattr(client, "put_events", counting_put_events)
    monkeypatch.setattr(events, "_client", lambda: client)
    batch = [_profile_updated(version=n) for n in range(1, 24)]
    events.publish(*batch)
    assert calls == [10, 10, 3]
    assert sorted(e["detail"]["version"] for e in sink.received()) == list(range(1, 24))


def test_publish_to_a_named_bus(aws, event_sink, monkeypatch):
    monkeypatch.delenv("EVENT_BUS_NAME", raising=False)
    boto3.client("events").create_event_bus(Name="other-bus")
    sink = event_sink("other-bus")
    events.publish(_profile_updated(), bus="other-bus")
    assert [e["detail-type"] for e in sink.received()] == ["UserProfileUpdated"]


def test_publish_raises_when_the_bus_refuses_an_entry(monkeypatch):
    class Refusing:
        def put_events(self, Entries):
            return {
                "FailedEntryCount": 1,
                "Entries": [{"EventId": "1"}, {"ErrorCode": "InternalFailure", "ErrorMessage": "boom"}],
            }

    monkeypatch.setattr(events, "_client", lambda: Refusing())
    with pytest.raises(events.PublishError, match="InternalFailure"):
        events.publish(_profile_updated(), _profile_updated(), bus="any")


def test_publish_nothing_makes_no_call(monkeypatch):
    monkeypatch.setattr(events, "_client", lambda: pytest.fail("no call expected"))
    events.publish(bus="any")


def test_event_schemas_carry_the_common_fields():
    for name in schemas.names("events"):
        schema = schemas.load("events", name)
        assert {"eventId", "occurredAt", "tenantId", "userId"} <= set(schema["required"]), name
        assert schema.get("additionalProperties") is False, name
