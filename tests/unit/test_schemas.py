"""zik.schemas: schema files, compiled once, and violations that name the offending field."""

from __future__ import annotations

import json

import jsonschema
import pytest

from zik import schemas
from zik.schemas import SchemaViolation


def _violation(kind: str, name: str, data) -> SchemaViolation:
    with pytest.raises(SchemaViolation) as caught:
        schemas.validate(kind, name, data)
    return caught.value


def test_every_schema_file_is_a_valid_draft7_schema():
    # schemas/parameters holds OpenAPI Parameter Objects (each with its schema), not JSON Schemas.
    files = sorted(path for path in schemas.ROOT.rglob("*.json") if path.parent.name != "parameters")
    assert files, "no schema files found"
    for path in files:
        schema = json.loads(path.read_text(encoding="utf-8"))
        jsonschema.Draft7Validator.check_schema(schema)
        assert schema.get("title") == path.stem or path.parent.name == "requests", path


def test_every_parameter_file_is_a_query_parameter_with_a_valid_schema():
    files = sorted((schemas.ROOT / "parameters").glob("*.json"))
    assert files
    for path in files:
        parameter = json.loads(path.read_text(encoding="utf-8"))
        assert parameter["in"] == "query" and parameter["name"] and parameter["description"], path
        assert path.stem == parameter["name"] or path.stem.endswith("." + parameter["name"]), path
        jsonschema.Draft7Validator.check_schema(parameter["schema"])


def test_names_lists_the_schemas_of_a_kind():
    assert {"UserProfileUpdated", "UserDeleted"} <= set(schemas.names("events"))
    assert "profile_update" in schemas.names("requests")


def test_load_refuses_names_that_could_escape_the_schema_folder():
    with pytest.raises(ValueError):
        schemas.load("requests", "../events/UserDeleted")
    with pytest.raises(ValueError):
        schemas.load("../zik", "profile_update")


def test_valid_data_is_returned():
    body = {"displayName": "Ada", "timezone": "Europe/Paris", "preferences": {"notifications": {"push": False}}}
    assert schemas.validate("requests", "profile_update", body) == body


def test_the_sample_put_event_body_is_a_valid_profile_update(sample):
    body = json.loads(sample("me_put")["body"])
    assert schemas.validate("requests", "profile_update", body) == body


def test_wrong_type_names_the_field():
    exc = _violation("requests", "profile_update", {"displayName": 5})
    assert exc.field == "displayName"
    assert exc.message == "displayName must be string"


def test_unknown_field_is_named():
    exc = _violation("requests", "profile_update", {"displayName": "Ada", "isAdmin": True})
    assert exc.field == "isAdmin"
    assert exc.message == "isAdmin is not an allowed field"


def test_nested_enum_names_the_dotted_path():
    exc = _violation("requests", "profile_update", {"preferences": {"theme": "neon"}})
    assert exc.field == "preferences.theme"
    assert exc.message.startswith("preferences.theme must be one of")


def test_nested_unknown_field_names_the_dotted_path():
    exc = _violation("requests", "profile_update", {"preferences": {"colour": "red"}})
    assert exc.field == "preferences.colour"
    assert exc.message == "preferences.colour is not an allowed field"


def test_deeply_nested_wrong_type_names_the_dotted_path():
    exc = _violation("requests", "profile_update", {"preferences": {"notifications": {"email": "yes"}}})
    assert exc.field == "preferences.notifications.email"
    assert exc.message == "preferences.notifications.email must be boolean"


def test_missing_required_field_is_named_and_only_the_missing_one():
    detail = {
        "eventId": "e-1",
        "occurredAt": "2024-11-23T09:00:00.000Z",
        "tenantId": "acme",
        "userId": "u-1",
        "erasureId": "e0123456789abcdef",
    }
    exc = _violation("events", "UserDeleted", detail)
    assert exc.field == "domains"
    assert exc.message == "domains is required"


def test_a_body_that_is_not_an_object_is_reported_on_the_body():
    exc = _violation("requests", "profile_update", ["displayName"])
    assert exc.field is None
    assert exc.message == "body must be object"


def test_an_empty_update_is_refused():
    exc = _violation("requests", "profile_update", {})
    assert "at least 1 properties" in exc.message


def test_string_constraints_name_the_field():
    assert _violation("requests", "profile_update", {"displayName": ""}).field == "displayName"
    assert _violation("requests", "profile_update", {"displayName": "x" * 101}).field == "displayName"
    assert _violation("requests", "profile_update", {"locale": "English"}).field == "locale"
    assert _violation("requests", "profile_update", {"version": -1}).field == "version"


def test_compiled_validators_are_reused():
    schemas.validate("requests", "profile_update", {"locale": "fr"})
    before = schemas._compiled.cache_info().hits
    schemas.validate("requests", "profile_update", {"locale": "de"})
    assert schemas._compiled.cache_info().hits == before + 1
