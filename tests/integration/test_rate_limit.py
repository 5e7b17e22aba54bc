"""The per-user rate limit through the real API functions on the stack template.yaml declares: a user's
requests to any function count in one window (the counters in the table RATE_LIMIT_TABLE names: the
stack's, or IdempotencyTable where the template names none yet), past the limit each answers 429
rate_limited with Retry-After, and after that many seconds the user is served again; a guest's limit is
its own, and one user's flood holds nobody else back."""

from __future__ import annotations

import math

import boto3
import pytest

from zik import clock, ratelimit
from zik.principal import Principal

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")

LIMIT = 5
FUNCTIONS = ("MeFunction", "SettingsFunction")


@pytest.fixture
def counters(deployment, load_function, monkeypatch) -> str:
    """The functions loaded with the template's environment, then a small limit (read at each request)."""
    for function in FUNCTIONS:
        load_function(function)
    env = deployment.functions["MeFunction"].environment
    table = env.get("RATE_LIMIT_TABLE") or env["IDEMPOTENCY_TABLE"]
    monkeypatch.setenv("RATE_LIMIT_TABLE", table)
    monkeypatch.setenv("USER_RATE_LIMIT_PER_MINUTE", str(LIMIT))
    monkeypatch.setenv("GUEST_RATE_LIMIT_PER_MINUTE", "2")
    return table


@pytest.fixture
def fresh_window(move_clock):
    """The clock moved to ``seconds_in`` seconds into the next minute (the test's requests in one window)."""

    def move(seconds_in: float = 1.0) -> int:
        now = clock.now().timestamp()
        start = (math.floor(now / 60) + 1) * 60
        move_clock(seconds=start + seconds_in - now)
        return start

    return move


def test_a_user_past_the_limit_gets_429_from_every_function_then_is_served_again(counters, invoke, api_event, move_clock, fresh_window) -> None:
    start = fresh_window(20)
    statuses = [invoke(FUNCTIONS[i % 2], api_event("GET", "/me" if i % 2 == 0 else "/settings")).status for i in range(LIMIT)]
    assert statuses == [200] * LIMIT
    for function, path in zip(FUNCTIONS, ("/me", "/settings")):
        event = api_event("GET", path)
        refused = invoke(function, event)
        assert refused.status == 429, refused.body
        error = refused.body["error"]
        assert error["code"] == "rate_limited" and error["requestId"] == event["requestContext"]["requestId"]
        wait = int(refused.headers["retry-after"])
        assert error["details"] == {"limit": LIMIT, "windowSeconds": 60, "retryAfterSeconds": wait}
        assert 1 <= wait <= 40

    claims = api_event("GET", "/me")["requestContext"]["authorizer"]["claims"]
    owner = Principal(claims["sub"], claims.get("custom:tenant_id") or "default")
    item = boto3.client("dynamodb").get_item(TableName=counters, Key={"id": {"S": ratelimit.key(owner, start)}}, ConsistentRead=True)["Item"]
    assert item["requests"] == {"N": str(LIMIT)}  # the refused requests counted nothing
    assert int(item["expiration"]["N"]) == start + 60 + ratelimit.KEEP_SECONDS

    move_clock(seconds=wait)
    recovered = invoke("MeFunction", api_event("GET", "/me"))
    assert recovered.status == 200, recovered.body


def test_one_users_flood_holds_back_no_one_else_and_a_guest_has_the_guests_limit(counters, invoke, api_event, user_claims, fresh_window) -> None:
    fresh_window()
    for _ in range(LIMIT + 2):
        invoke("MeFunction", api_event("GET", "/me"))
    assert invoke("MeFunction", api_event("GET", "/me")).status == 429
    assert invoke("MeFunction", api_event("GET", "/me", claims=user_claims())).status == 200

    guest = {**user_claims(), "cognito:groups": "guests"}
    assert [invoke("SettingsFunction", api_event("GET", "/settings", claims=guest)).status for _ in range(3)] == [200, 200, 429]
    refused = invoke("SettingsFunction", api_event("GET", "/settings", claims=guest))
    assert refused.body["error"]["details"]["limit"] == 2


def test_a_public_route_is_not_counted_per_user(counters, invoke, api_event, fresh_window) -> None:
    fresh_window()
    for _ in range(LIMIT + 1):
        reply = invoke("HealthFunction", api_event("GET", "/health", claims=None))
        assert reply.status == 200, reply.body
