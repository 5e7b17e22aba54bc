"""zik.http: the one error-to-HTTP mapping, body parsing against schemas, the caller, CORS."""

from __future__ import annotations

import json

import pytest
from aws_lambda_powertools.event_handler.exceptions import BadRequestError

from zik import http
from zik.ai.errors import AIBudgetExceeded, AIUnavailable
from zik.errors import NotFound, TooManyRequests, VersionConflict


@pytest.fixture
def make_app(monkeypatch):
    def make(cors_origin: str | None = None):
        if cors_origin:
            monkeypatch.setenv("CORS_ALLOW_ORIGIN", cors_origin)
        else:
            monkeypatch.delenv("CORS_ALLOW_ORIGIN", raising=False)
        app = http.create_app()

        @app.get("/things/<thing_id>")
        def get_thing(thing_id: str):
            raise NotFound(f"no thing {thing_id}")

        @app.get("/boom")
        def boom():
            raise RuntimeError("db password=hunter2 leaked in a trace")

        @app.put("/me")
        def put_me():
            return {"saved": http.body(app, "profile_update")}

        @app.get("/whoami")
        def whoami():
            owner = http.principal(app)
            return {"userId": owner.user_id, "tenantId": owner.tenant_id}

        @app.get("/farewell")
        def farewell():
            return {"userId": http.principal(app, while_erased=True).user_id}

        @app.get("/slow")
        def slow():
            raise TooManyRequests("slow down", retry_after_seconds=30)

        @app.get("/ai-down")
        def ai_down():
            raise AIUnavailable("quests.plan", [{"provider": "bedrock", "reason": "Bedrock answered ThrottlingException"}])

        @app.get("/ai-spent")
        def ai_spent():
            raise AIBudgetExceeded("today's AI budget for quests.chat (100 calls) is used up", retry_after_seconds=3600)

        @app.get("/stale")
        def stale():
            raise VersionConflict(1, 2)

        @app.get("/powertools-error")
        def powertools_error():
            raise BadRequestError("powertools refused it")

        @app.post("/created")
        def created():
            return http.json_response({"id": "t-1", "ratio": 0.5}, 201, headers={"Location": "/things/t-1"})

        return app

    return make


@pytest.fixture
def call(make_app, lambda_context):
    app = make_app()

    def resolve(event, on=None):
        response = (on or app).resolve(event, lambda_context)
        headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
        for key, values in (response.get("multiValueHeaders") or {}).items():
            headers.setdefault(key.lower(), ", ".join(values))
        return response["statusCode"], headers, json.loads(response["body"]), response["body"]

    return resolve


def test_a_domain_not_found_is_a_404_json_error(call, api_event):
    event = api_event("GET", "/things/abc")
    status, headers, body, _ = call(event)
    assert status == 404
    assert headers["content-type"] == "application/json"
    assert body == {"error": {"code": "not_found", "message": "no thing abc", "requestId": event["requestContext"]["requestId"]}}


def test_an_unexpected_exception_is_a_500_with_a_request_id_and_no_trace(call, api_event):
    event = api_event("GET", "/boom")
    status, _, body, raw = call(event)
    assert status == 500
    assert body == {
        "error": {
            "code": "internal_error",
            "message": "internal server error",
            "requestId": event["requestContext"]["requestId"],
        }
    }
    assert "hunter2" not in raw and "Traceback" not in raw and "RuntimeError" not in raw


def test_the_body_is_parsed_and_validated(call, api_event):
    update = {"displayName": "Ada", "preferences": {"theme": "dark"}}
    status, _, body, _ = call(api_event("PUT", "/me", body=update))
    assert (status, body) == (200, {"saved": update})


def test_a_base64_body_is_decoded(call, api_event):
    status, _, body, _ = call(api_event("PUT", "/me", body={"locale": "fr"}, base64=True))
    assert (status, body) == (200, {"saved": {"locale": "fr"}})


def test_a_body_that_is_not_base64_is_a_400(call, api_event):
    event = api_event("PUT", "/me", body="{not base64}")
    event["isBase64Encoded"] = True
    status, _, body, _ = call(event)
    assert status == 400
    assert body["error"]["message"] == "request body is not valid base64"


@pytest.mark.parametrize("raw", ['{"displayName": "Ada"', "displayName=Ada", "{'displayName': 'Ada'}"])
def test_invalid_json_is_a_400(call, api_event, raw):
    status, _, body, _ = call(api_event("PUT", "/me", body=raw))
    assert status == 400
    assert body["error"]["code"] == "invalid_request"
    assert body["error"]["message"].startswith("request body is not valid JSON")


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_a_missing_body_is_a_400(call, api_event, raw):
    status, _, body, _ = call(api_event("PUT", "/me", body=raw))
    assert status == 400
    assert body["error"]["message"] == "a JSON request body is required"


def test_an_oversize_body_is_a_413(call, api_event):
    status, _, body, _ = call(api_event("PUT", "/me", body={"displayName": "x" * (http.DEFAULT_MAX_BODY_BYTES + 1)}))
    assert status == 413
    assert body["error"]["code"] == "payload_too_large"
    assert str(http.DEFAULT_MAX_BODY_BYTES) in body["error"]["message"]


def test_the_size_limit_counts_bytes_not_characters(call, api_event):
    # Two bytes per character in UTF-8: under the limit in characters, over it in bytes.
    text = "é" * (http.DEFAULT_MAX_BODY_BYTES // 2 + 10)
    status, _, body, _ = call(api_event("PUT", "/me", body=json.dumps({"displayName": text}, ensure_ascii=False)))
    assert status == 413


@pytest.mark.parametrize(
    ("update", "field"),
    [
        ({"displayName": "Ada", "isAdmin": True}, "isAdmin"),
        ({"displayName": 42}, "displayName"),
        ({"preferences": {"theme": "neon"}}, "preferences.theme"),
        ({"preferences": {"notifications": {"push": "yes"}}}, "preferences.notifications.push"),
    ],
)
def test_a_body_against_its_schema_is_a_400_naming_the_field(call, api_event, update, field):
    status, _, body, _ = call(api_event("PUT", "/me", body=update))
    assert status == 400
    assert body["error"]["code"] == "invalid_request"
    assert body["error"]["field"] == field
    assert field in body["error"]["message"]


@pytest.fixture
def accounts(users_table, monkeypatch):
    """UsersTable (in moto) as the account check reads it."""
    from zik.platform.accounts import Accounts

    monkeypatch.setenv("USERS_TABLE", users_table.name)
    http._accounts.cache_clear()
    yield Accounts(users_table)
    http._accounts.cache_clear()


def test_the_caller_comes_from_the_claims(call, api_event, accounts):
    status, _, body, _ = call(api_event("GET", "/whoami"))
    assert (status, body) == (200, {"userId": "8f1c2a7e-4b3d-4c9a-9e61-2d5b7f0a1c34", "tenantId": "acme"})


def test_an_account_being_erased_opens_nothing_but_what_follows_its_erasure(call, api_event, accounts):
    from zik.principal import Principal

    accounts.begin_erasure(Principal(user_id="8f1c2a7e-4b3d-4c9a-9e61-2d5b7f0a1c34", tenant_id="acme"), ["quests"])
    status, _, body, _ = call(api_event("GET", "/whoami"))
    assert status == 401 and body["error"]["code"] == "unauthorized" and "deleted" in body["error"]["message"]
    assert call(api_event("GET", "/farewell"))[0] == 200
    assert call(api_event("GET", "/whoami", claims={"sub": "0b5e2f1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"}))[0] == 200  # someone else


def test_no_claims_is_a_401_json_error(call, api_event):
    status, _, body, _ = call(api_event("GET", "/whoami", claims=None))
    assert status == 401
    assert body["error"]["code"] == "unauthorized"


def test_an_unknown_route_is_a_404_json_error(call, api_event):
    event = api_event("GET", "/nowhere")
    status, _, body, _ = call(event)
    assert status == 404
    assert body == {
        "error": {
            "code": "not_found",
            "message": "no route for GET /nowhere",
            "requestId": event["requestContext"]["requestId"],
        }
    }


def test_too_many_requests_carries_retry_after(call, api_event):
    status, headers, body, _ = call(api_event("GET", "/slow"))
    assert status == 429
    assert headers["retry-after"] == "30"
    assert body["error"]["details"] == {"retryAfterSeconds": 30}


def test_ai_unavailable_is_a_retryable_503_naming_what_was_tried(call, api_event):
    status, headers, body, _ = call(api_event("GET", "/ai-down"))
    assert status == 503
    assert headers["retry-after"] == "30"
    assert body["error"]["code"] == "ai_unavailable"
    assert body["error"]["details"]["retryable"] is True
    assert body["error"]["details"]["attempts"] == [{"provider": "bedrock", "reason": "Bedrock answered ThrottlingException"}]


def test_an_ai_budget_spent_is_a_429_with_the_time_to_wait(call, api_event):
    status, headers, body, _ = call(api_event("GET", "/ai-spent"))
    assert (status, headers["retry-after"], body["error"]["code"]) == (429, "3600", "ai_budget_exceeded")


def test_a_version_conflict_is_a_409_with_the_current_version(call, api_event):
    status, _, body, _ = call(api_event("GET", "/stale"))
    assert status == 409
    assert body["error"]["code"] == "version_conflict"
    assert body["error"]["field"] == "version"
    assert body["error"]["details"] == {"currentVersion": 2}


def test_a_powertools_error_keeps_our_error_shape(call, api_event):
    status, _, body, _ = call(api_event("GET", "/powertools-error"))
    assert status == 400
    assert body["error"]["code"] == "invalid_request"
    assert body["error"]["message"] == "powertools refused it"


def test_json_response_sets_status_and_headers(call, api_event):
    status, headers, body, raw = call(api_event("POST", "/created", body="{}"))
    assert status == 201
    assert headers["location"] == "/things/t-1"
    assert body == {"id": "t-1", "ratio": 0.5}
    assert raw == '{"id":"t-1","ratio":0.5}'


def test_cors_headers_on_answers_and_errors(call, api_event):
    _, ok_headers, _, _ = call(api_event("GET", "/whoami"))
    _, error_headers, _, _ = call(api_event("GET", "/things/x"))
    for headers in (ok_headers, error_headers):
        assert headers["access-control-allow-origin"] == "*"
        assert "Authorization" in headers["access-control-allow-headers"]
        assert "Idempotency-Key" in headers["access-control-allow-headers"]


def test_cors_origin_comes_from_the_environment(make_app, call, api_event):
    app = make_app("https://app.zik.example")
    _, headers, _, _ = call(api_event("GET", "/whoami", headers={"Origin": "https://app.zik.example"}), on=app)
    assert headers["access-control-allow-origin"] == "https://app.zik.example"
    _, headers, _, _ = call(api_event("GET", "/whoami", headers={"Origin": "https://evil.example"}), on=app)
    assert "access-control-allow-origin" not in headers


def test_an_api_function_imports_only_the_powertools_resolver_and_event_classes_it_uses() -> None:
    """zik.http leaves Powertools' re-exporting package __init__s for later: the names they re-export
    still resolve (each to its own submodule's object), and any other name runs the real __init__."""
    import subprocess
    import sys
    from pathlib import Path

    layer = Path(http.__file__).resolve().parents[1]
    check = """
import sys
import zik.http
loaded = set(sys.modules)
assert "aws_lambda_powertools.event_handler.appsync" not in loaded, "the AppSync resolver was imported"
assert "aws_lambda_powertools.utilities.data_classes.kafka_event" not in loaded, "every event class was imported"
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler import api_gateway
assert APIGatewayRestResolver is api_gateway.APIGatewayRestResolver and Response is api_gateway.Response
assert content_types.APPLICATION_JSON == "application/json"
from aws_lambda_powertools.utilities.data_classes import SQSEvent
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSEvent as own
assert SQSEvent is own and "aws_lambda_powertools.utilities.data_classes.kafka_event" not in sys.modules
import aws_lambda_powertools.utilities.data_classes.event_source
from aws_lambda_powertools.utilities.data_classes import event_source
assert callable(event_source) and type(event_source).__name__ != "module"  # the decorator, not its module
import aws_lambda_powertools.event_handler as package
names = package.__all__  # not a re-exported name: the real __init__ runs
assert "aws_lambda_powertools.event_handler.appsync" in sys.modules
assert all(getattr(package, name) is not None for name in names)
from aws_lambda_powertools.event_handler import AppSyncResolver
print("ok")
"""
    env = {"PYTHONPATH": str(layer), "POWERTOOLS_SERVICE_NAME": "zik", "POWERTOOLS_TRACE_DISABLED": "true", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", check], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
