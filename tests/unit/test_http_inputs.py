"""What zik.http refuses before a route runs: hostile bodies (through the one parser, zik.inputs), path
parameters that are not ids (a 404: they name nothing there is), query strings that are not text. Each
answer is in the platform's error shape and names the field."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from zik import http


@pytest.fixture
def app_and_calls(monkeypatch):
    monkeypatch.delenv("CORS_ALLOW_ORIGIN", raising=False)
    app = http.create_app()
    ran: list[str] = []

    @app.post("/entries")
    def create_entry():
        ran.append("create_entry")
        return http.body(app, "entry_create")

    @app.get("/goals/<goal_id>")
    def get_goal(goal_id: str):
        ran.append(goal_id)
        return {"goalId": goal_id}

    @app.get("/entries")
    def list_entries():
        ran.append("list_entries")
        return {"query": app.current_event.query_string_parameters}

    return app, ran


@pytest.fixture
def call(app_and_calls, lambda_context):
    app, _ = app_and_calls

    def resolve(event: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        response = app.resolve(event, lambda_context)
        text = response["body"]
        text.encode("utf-8")  # what Lambda and API Gateway do with it: a lone surrogate would break here
        return response["statusCode"], json.loads(text)

    return resolve


@pytest.fixture
def ran(app_and_calls) -> list[str]:
    return app_and_calls[1]


def _goal_event(api_event, goal_id: str) -> dict[str, Any]:
    event = api_event("GET", f"/goals/{goal_id}")
    event.update(resource="/goals/{goalId}", pathParameters={"goalId": goal_id})
    return event


# -- bodies ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ('{"content": "\\ud800"}', "content"),
        ('{"content": "ok", "tags": ["a", "\\udfff"]}', "tags[1]"),
        ('{"content": "a\ud800"}', "content"),  # the character itself in the event's body
        ('{"content": NaN}', "content"),
        ('{"content": "ok", "mood": 1e400}', "mood"),
        ('{"content": "ok", "mood": ' + "9" * 5000 + "}", "mood"),
    ],
)
def test_a_hostile_value_in_a_body_is_a_400_naming_the_field_before_the_route_works(call, ran, api_event, raw, field):
    status, body = call(api_event("POST", "/entries", body=raw))
    assert status == 400
    assert body["error"]["code"] == "invalid_request" and body["error"]["field"] == field
    assert ran == ["create_entry"]  # the handler started, and stopped at its first line


@pytest.mark.parametrize("raw", ["[" * 5000 + "]" * 5000, '{"content":' * 5000 + '"x"' + "}" * 5000])
def test_a_body_nested_thousands_deep_is_a_400(call, api_event, raw):
    status, body = call(api_event("POST", "/entries", body=raw))
    assert status == 400 and "nests deeper" in body["error"]["message"]


@pytest.mark.parametrize("data", [b'{"content": "\xed\xa0\x80"}', b"\xff\xfe{\x00}\x00", '{"content": "x"}'.encode("utf-16")])
def test_a_base64_body_that_is_not_utf8_is_a_400(call, api_event, data):
    event = api_event("POST", "/entries", body=base64.b64encode(data).decode())
    event["isBase64Encoded"] = True
    status, body = call(event)
    assert status == 400 and body["error"]["message"] == "request body is not UTF-8 text"


# -- path parameters ---------------------------------------------------------------------------------------
def test_an_id_of_the_platforms_shape_reaches_the_route(call, ran, api_event):
    assert call(_goal_event(api_event, "g-01a2b3c4")) == (200, {"goalId": "g-01a2b3c4"})
    assert ran == ["g-01a2b3c4"]


@pytest.mark.parametrize("goal_id", ["a" * 10_000, "ｇ１", "g\u0301", "é", "a b", "a\x00", "%2F"])
def test_a_path_parameter_that_is_not_an_id_is_a_404_naming_it_and_the_route_never_runs(call, ran, api_event, goal_id):
    """It names nothing there is, as another user's id does: the same answer."""
    status, body = call(_goal_event(api_event, goal_id))
    assert status == 404
    assert body["error"]["code"] == "not_found" and body["error"]["field"] == "goalId"  # the API's name, not the handler's
    assert ran == []


@pytest.mark.parametrize("path", ["/goals/a/b", "/goals/\ud800", "/goals/"])
def test_a_path_no_route_matches_is_a_404_that_quotes_it_safely(call, ran, api_event, path):
    event = api_event("GET", path)
    event["pathParameters"] = None
    status, body = call(event)
    assert status == 404 and body["error"]["code"] == "not_found"
    assert ran == []


# -- query strings -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"q": "\ud800"}, "q"),
        ({"cursor": "x" * 5000}, "cursor"),
    ],
)
def test_a_query_value_that_is_not_text_or_too_long_is_a_400_naming_it(call, ran, api_event, query, field):
    status, body = call(api_event("GET", "/entries", query=query))
    assert status == 400 and body["error"]["field"] == field
    assert ran == []


def test_query_values_in_any_script_reach_the_route(call, ran, api_event):
    assert call(api_event("GET", "/entries", query={"q": "café ☕ 東京", "limit": "٣"})) == (
        200,
        {"query": {"q": "café ☕ 東京", "limit": "٣"}},  # what the handler's own parser refuses (limit) is its to refuse
    )
    assert ran == ["list_entries"]
