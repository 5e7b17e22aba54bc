"""zik.ratelimit: the per-user limit counted in DynamoDB (moto, a table shaped as template.yaml declares RateLimitTable), its
windows on the moved clock, concurrent requests, and the 429 zik.http answers past it."""

from __future__ import annotations

import json
import math
import threading
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from template_tables import template_table_properties

from zik import clock, http, ratelimit
from zik.config import ConfigError
from zik.principal import Principal
from zik.ratelimit import Policy, RateLimited, RateLimiter

TABLE = "test-rate-limits"


@pytest.fixture
def table(aws) -> str:
    boto3.client("dynamodb").create_table(TableName=TABLE, **template_table_properties("RateLimitTable"))
    return TABLE


@pytest.fixture
def fresh_window(move_clock):
    """``fresh_window(seconds_in)``: the clock moved forward to ``seconds_in`` seconds into the next minute's
    window (so a test's requests fall in one window whatever the time); that window's start."""

    def move(seconds_in: float = 0.5) -> int:
        now = clock.now().timestamp()
        start = (math.floor(now / 60) + 1) * 60
        move_clock(seconds=start + seconds_in - now)
        return start

    return move


def user(user_id: str = "u-1", tenant: str = "acme", groups: str | None = None) -> Principal:
    claims = {"sub": user_id, "custom:tenant_id": tenant}
    if groups is not None:
        claims["cognito:groups"] = groups
    return Principal(user_id=user_id, tenant_id=tenant, claims=claims)


def counter(table: str, owner: Principal, start: int) -> dict:
    return boto3.client("dynamodb").get_item(TableName=table, Key={"id": {"S": ratelimit.key(owner, start)}}, ConsistentRead=True)["Item"]


def test_a_user_is_admitted_up_to_the_limit_then_refused_until_the_window_ends(table, fresh_window):
    start = fresh_window(0.5)
    limiter = RateLimiter(table, Policy(per_window=3))
    counts = [limiter.admit(user()).count for _ in range(3)]
    assert counts == [1, 2, 3]
    with pytest.raises(RateLimited) as refused:
        limiter.admit(user())
    error = refused.value
    assert error.status == 429 and error.code == "rate_limited"
    assert error.details == {"limit": 3, "windowSeconds": 60, "retryAfterSeconds": error.retry_after_seconds}
    # Half a second (and what the test took) into the window: the rest of it, rounded up.
    assert 58 <= error.retry_after_seconds <= 60
    assert error.headers() == {"Retry-After": str(error.retry_after_seconds)}
    item = counter(table, user(), start)
    assert item["requests"] == {"N": "3"}  # a refused request counts nothing
    assert item["expiration"] == {"N": str(start + 60 + ratelimit.KEEP_SECONDS)}


def test_the_next_window_starts_a_new_count(table, fresh_window, move_clock):
    fresh_window(50)
    limiter = RateLimiter(table, Policy(per_window=2))
    limiter.admit(user())
    limiter.admit(user())
    with pytest.raises(RateLimited) as refused:
        limiter.admit(user())
    assert refused.value.retry_after_seconds <= 10
    move_clock(seconds=refused.value.retry_after_seconds)
    admitted = limiter.admit(user())
    assert admitted.count == 1 and admitted.remaining == 1


def test_retry_after_is_the_whole_seconds_to_the_windows_end_and_never_zero(table, fresh_window):
    start = fresh_window(59.2)
    limiter = RateLimiter(table, Policy(per_window=1))
    limiter.admit(user())
    with pytest.raises(RateLimited) as refused:
        limiter.admit(user())
    if clock.now().timestamp() < start + 60:  # the test ran within the window's last 0.8 s
        assert refused.value.retry_after_seconds == 1
    assert ratelimit.retry_after(start + 59.999, start + 60) == 1
    assert ratelimit.retry_after(start + 60.0, start + 60) == 1
    assert ratelimit.retry_after(start + 0.0, start + 60) == 60
    assert ratelimit.retry_after(start + 0.4, start + 60) == 60


def test_users_and_tenants_are_counted_apart(table, fresh_window):
    fresh_window()
    limiter = RateLimiter(table, Policy(per_window=1))
    limiter.admit(user("u-1", "acme"))
    assert limiter.admit(user("u-2", "acme")).count == 1
    assert limiter.admit(user("u-1", "globex")).count == 1
    with pytest.raises(RateLimited):
        limiter.admit(user("u-1", "acme"))


def test_concurrent_requests_never_overshoot_the_limit(table, fresh_window):
    start = fresh_window()
    limiter = RateLimiter(table, Policy(per_window=25))
    barrier = threading.Barrier(40)

    def one(_: int) -> str:
        barrier.wait()
        try:
            limiter.admit(user())
        except RateLimited:
            return "refused"
        return "admitted"

    with ThreadPoolExecutor(max_workers=40) as pool:
        outcomes = list(pool.map(one, range(40)))
    assert outcomes.count("admitted") == 25 and outcomes.count("refused") == 15
    assert counter(table, user(), start)["requests"] == {"N": "25"}


def test_a_guest_has_the_guests_limit_and_the_lowest_limit_of_a_users_groups_wins(table, fresh_window):
    fresh_window()
    policy = Policy(per_window=5, by_group={"guests": 2, "partners": 50})
    assert policy.limit_for(frozenset()) == 5
    assert policy.limit_for(frozenset({"users", "admins"})) == 5
    assert policy.limit_for(frozenset({"guests", "partners"})) == 2
    assert policy.limit_for(frozenset({"partners"})) == 50
    limiter = RateLimiter(table, policy)
    guest = user("g-1", groups="guests")
    limiter.admit(guest)
    limiter.admit(guest)
    with pytest.raises(RateLimited) as refused:
        limiter.admit(guest)
    assert refused.value.details["limit"] == 2


def test_the_environment_sets_the_limits_and_no_table_means_no_limit(monkeypatch):
    monkeypatch.delenv("RATE_LIMIT_TABLE", raising=False)
    assert ratelimit.from_environment() is None
    monkeypatch.setenv("RATE_LIMIT_TABLE", "counters")
    monkeypatch.delenv("USER_RATE_LIMIT_PER_MINUTE", raising=False)
    monkeypatch.delenv("GUEST_RATE_LIMIT_PER_MINUTE", raising=False)
    limiter = ratelimit.from_environment()
    assert limiter.table_name == "counters"
    assert limiter.policy.limit_for(frozenset()) == 1000 and limiter.policy.limit_for(frozenset({"guests"})) == 1000
    monkeypatch.setenv("USER_RATE_LIMIT_PER_MINUTE", "300")
    monkeypatch.setenv("GUEST_RATE_LIMIT_PER_MINUTE", "60")
    limiter = ratelimit.from_environment()
    assert limiter.policy.limit_for(frozenset()) == 300 and limiter.policy.limit_for(frozenset({"guests"})) == 60
    for bad in ("lots", "0", "-5"):
        monkeypatch.setenv("USER_RATE_LIMIT_PER_MINUTE", bad)
        with pytest.raises(ConfigError, match="USER_RATE_LIMIT_PER_MINUTE"):
            ratelimit.from_environment()


@pytest.mark.parametrize("code", ["ProvisionedThroughputExceededException", "ThrottlingException", "InternalServerError"])
def test_a_busy_dynamodb_lets_the_request_through_uncounted(aws, code, log_records):
    client = boto3.client("dynamodb")
    with Stubber(client) as stub:
        stub.add_client_error("update_item", service_error_code=code, http_status_code=400)
        assert RateLimiter(TABLE, Policy(per_window=1), client=client).admit(user()) is None
    assert any(r.get("message", "").startswith("rate limit not counted") and r.get("code") == code for r in log_records())


def test_a_misconfigured_limiter_fails_loudly(aws):
    # No such table (or no permission): a deployment error, not a reason to stop counting in silence.
    with pytest.raises(ClientError) as failed:
        RateLimiter("no-such-table", Policy(per_window=1)).admit(user())
    assert failed.value.response["Error"]["Code"] == "ResourceNotFoundException"


# -- through zik.http --------------------------------------------------------------------------------------
@pytest.fixture
def api(table, monkeypatch, lambda_context):
    monkeypatch.setenv("RATE_LIMIT_TABLE", table)
    monkeypatch.setenv("USER_RATE_LIMIT_PER_MINUTE", "3")
    monkeypatch.delenv("GUEST_RATE_LIMIT_PER_MINUTE", raising=False)
    app = http.create_app()
    ran: list[str] = []

    @app.get("/whoami")
    def whoami():
        ran.append("whoami")
        return {"userId": http.principal(app, while_erased=True).user_id}

    @app.get("/health")
    def health():
        ran.append("health")
        return {"ok": True}

    def call(event):
        response = app.resolve(event, lambda_context)
        headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
        for key, values in (response.get("multiValueHeaders") or {}).items():
            headers.setdefault(key.lower(), ", ".join(values))
        return response["statusCode"], headers, json.loads(response["body"])

    call.ran = ran
    return call


def test_past_the_limit_the_api_answers_429_rate_limited_with_retry_after(api, api_event, fresh_window):
    fresh_window(30)
    for _ in range(3):
        status, _, body = api(api_event("GET", "/whoami"))
        assert status == 200, body
    event = api_event("GET", "/whoami", headers={"Origin": "https://app.example"})
    status, headers, body = api(event)
    assert status == 429
    error = body["error"]
    assert error["code"] == "rate_limited" and "1000" not in error["message"] and "3" in error["message"]
    assert error["details"] == {"limit": 3, "windowSeconds": 60, "retryAfterSeconds": int(headers["retry-after"])}
    assert 1 <= int(headers["retry-after"]) <= 30
    assert error["requestId"] == event["requestContext"]["requestId"]
    assert headers["content-type"] == "application/json" and headers["access-control-allow-origin"] == "*"
    assert api.ran == ["whoami"] * 3  # the refused request never reached its route


def test_another_user_and_a_request_without_claims_are_not_held_back(api, api_event, user_claims, fresh_window):
    fresh_window()
    for _ in range(4):
        api(api_event("GET", "/whoami"))
    status, _, _ = api(api_event("GET", "/whoami", claims=user_claims()))
    assert status == 200
    for _ in range(5):  # a public route: the stage's throttling alone
        status, _, _ = api(api_event("GET", "/health", claims=None))
        assert status == 200
    status, _, body = api(api_event("GET", "/whoami", claims={"sub": "not a valid subject!"}))
    assert status == 401 and body["error"]["code"] == "unauthorized"  # refused by principal(), not counted


def test_without_a_table_the_api_counts_nothing(api, api_event, monkeypatch, fresh_window):
    fresh_window()
    monkeypatch.delenv("RATE_LIMIT_TABLE")
    for _ in range(5):
        status, _, _ = api(api_event("GET", "/whoami"))
        assert status == 200
    assert boto3.client("dynamodb").scan(TableName=TABLE)["Count"] == 0
