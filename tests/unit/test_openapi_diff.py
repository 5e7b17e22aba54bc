"""The breaking-change check of the API's document (zik_local.openapi_diff): each kind of change a client
would meet is found, and additions a client cannot notice are not."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from zik_local.openapi_diff import breaking_changes


def _document() -> dict[str, Any]:
    goal = {
        "type": "object",
        "additionalProperties": False,
        "required": ["goalId", "status"],
        "properties": {
            "goalId": {"type": "string"},
            "status": {"type": "string", "enum": ["planning", "active"]},
            "note": {"type": "string"},
            "parent": {"$ref": "#/components/schemas/Goal"},
        },
    }
    create = {
        "type": "object",
        "additionalProperties": False,
        "required": ["title"],
        "properties": {"title": {"type": "string", "maxLength": 200}, "category": {"type": "string", "enum": ["a", "b"]}},
    }
    return {
        "openapi": "3.0.3",
        "paths": {
            "/goals": {
                "post": {
                    "security": [{"cognito": []}],
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/GoalCreate"}}}},
                    "responses": {"202": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Goal"}}}}, "400": {}},
                },
                "get": {
                    "security": [],
                    "parameters": [{"name": "limit", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "maximum": 100}}],
                    "responses": {
                        "200": {"content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Goal"}}}}}
                    },
                },
            }
        },
        "components": {"schemas": {"Goal": goal, "GoalCreate": create}},
    }


def _changed(change: Callable[[dict[str, Any]], None]) -> list[str]:
    new = copy.deepcopy(_document())
    change(new)
    return breaking_changes(_document(), new)


def _schemas(document: dict[str, Any]) -> dict[str, Any]:
    return document["components"]["schemas"]


BREAKING = {
    "an operation is gone": lambda d: d["paths"]["/goals"].pop("get"),
    "an operation now needs a token": lambda d: d["paths"]["/goals"]["get"].update(security=[{"cognito": []}]),
    "a new required parameter": lambda d: d["paths"]["/goals"]["get"]["parameters"].append(
        {"name": "q", "in": "query", "required": True, "schema": {"type": "string"}}
    ),
    "a parameter's range is narrower": lambda d: d["paths"]["/goals"]["get"]["parameters"][0]["schema"].update(maximum=50),
    "a parameter's type changed": lambda d: d["paths"]["/goals"]["get"]["parameters"][0]["schema"].update(type="string"),
    "a body property is now required": lambda d: _schemas(d)["GoalCreate"]["required"].append("category"),
    "a body property is no longer taken": lambda d: _schemas(d)["GoalCreate"]["properties"].pop("category"),
    "a body enum lost a value": lambda d: _schemas(d)["GoalCreate"]["properties"]["category"].update(enum=["a"]),
    "a body length is narrower": lambda d: _schemas(d)["GoalCreate"]["properties"]["title"].update(maxLength=100),
    "a body pattern appeared": lambda d: _schemas(d)["GoalCreate"]["properties"]["title"].update(pattern="^x"),
    "a success status is gone": lambda d: d["paths"]["/goals"]["post"]["responses"].pop("202"),
    "an answer property is gone": lambda d: _schemas(d)["Goal"]["properties"].pop("note"),
    "an answer property is no longer always there": lambda d: _schemas(d)["Goal"]["required"].remove("status"),
    "an answer enum gained a value": lambda d: _schemas(d)["Goal"]["properties"]["status"]["enum"].append("paused"),
    "an answer property may be null": lambda d: _schemas(d)["Goal"]["properties"]["note"].update(nullable=True),
    "an answer's type changed": lambda d: _schemas(d)["Goal"]["properties"]["goalId"].update(type="integer"),
}

NOT_BREAKING = {
    "a new operation": lambda d: d["paths"].setdefault("/tasks", {"get": {"security": [], "responses": {"200": {}}}}),
    "a new optional parameter": lambda d: d["paths"]["/goals"]["get"]["parameters"].append(
        {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"}}
    ),
    "a new answer property": lambda d: _schemas(d)["Goal"]["properties"].update(createdAt={"type": "string"}),
    "a wider request limit": lambda d: _schemas(d)["GoalCreate"]["properties"]["title"].update(maxLength=500),
    "a new optional body property": lambda d: _schemas(d)["GoalCreate"]["properties"].update(description={"type": "string"}),
    "a new error status": lambda d: d["paths"]["/goals"]["post"]["responses"].update({"409": {}}),
    "a request enum gained a value": lambda d: _schemas(d)["GoalCreate"]["properties"]["category"]["enum"].append("c"),
}


@pytest.mark.parametrize("name", BREAKING)
def test_a_breaking_change_is_found(name):
    assert _changed(BREAKING[name]), name


@pytest.mark.parametrize("name", NOT_BREAKING)
def test_an_addition_is_not_breaking(name):
    assert _changed(NOT_BREAKING[name]) == [], name


def test_a_schema_that_refers_to_itself_is_compared_once():
    assert breaking_changes(_document(), _document()) == []
