"""Groups and the per-user rate limit through `zik dev`, as an app meets them: a user signs up, confirms with the
code the control route shows (Cognito would have e-mailed it), signs in with SRP (pycognito's AWSSRP), and the
ID token names the users group the template's PostConfirmation trigger put the user in; then the API's per-user
limit refuses the request past it (429 rate_limited, Retry-After) and serves the user again once the window
has passed.

The module runs its own `zik dev` with ``--parameter UserRateLimitPerMinute=5`` and a small stage throttle
(``ApiThrottlingRateLimit=2``, ``ApiThrottlingBurstLimit=30``: the deployed defaults, the seed's 10,000 a second and
5,000 at once, are out of a test's reach) (the shared ``dev`` fixture takes no parameters); it is called ``dev`` so that
a failure's report shows its output, as the others do."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from devserver import DevServer, running_dev
from pycognito.aws_srp import AWSSRP

PASSWORD = "Correct-horse-9"
LIMIT = 5
STAGE_RATE, STAGE_BURST = 2, 30


@pytest.fixture(scope="module")
def dev(request: pytest.FixtureRequest) -> Iterator[DevServer]:
    yield from running_dev(
        request,
        "--parameter",
        f"UserRateLimitPerMinute={LIMIT}",
        "--parameter",
        f"ApiThrottlingRateLimit={STAGE_RATE}",
        "--parameter",
        f"ApiThrottlingBurstLimit={STAGE_BURST}",
    )


def _confirmed_id_token(dev: DevServer, app: dict[str, Any]) -> tuple[str, str]:
    """Sign up, confirm with the code GET /_zik/codes shows, sign in with SRP: (e-mail, ID token)."""
    email = f"e2e-{uuid.uuid4().hex[:10]}@example.com"
    app["idp"].sign_up(
        ClientId=app["client_id"],
        Username=email,
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "name", "Value": "Katherine Johnson"}],
    )
    answer = dev.request("GET", f"/_zik/codes?user={email}")
    assert answer.status == 200, answer.raw
    (code,) = [c for c in answer.body["codes"] if c["purpose"] == "sign_up"]
    app["idp"].confirm_sign_up(ClientId=app["client_id"], Username=email, ConfirmationCode=code["code"])
    tokens = AWSSRP(username=email, password=PASSWORD, pool_id=app["pool_id"], client_id=app["client_id"], client=app["idp"]).authenticate_user()
    return email, tokens["AuthenticationResult"]["IdToken"]


def test_a_confirmed_user_signs_in_as_a_member_of_the_users_group(dev: DevServer, app: dict[str, Any]) -> None:
    email, id_token = _confirmed_id_token(dev, app)

    claims = jwt.decode(id_token, options={"verify_signature": False})
    assert claims["cognito:groups"] == ["users"]
    groups = app["idp"].admin_list_groups_for_user(UserPoolId=app["pool_id"], Username=email)["Groups"]
    assert [g["GroupName"] for g in groups] == ["users"]
    # The trigger ran in the local runtime, as any function does.
    assert "PostConfirmationFunction" in dev.output()
    assert dev.request("GET", "/me", token=id_token).status == 200


def test_the_per_user_rate_limit_refuses_past_the_limit_and_serves_again_after_the_window(dev: DevServer, app: dict[str, Any]) -> None:
    _, id_token = _confirmed_id_token(dev, app)
    # The window is the clock's minute: start early enough in one that the limit's requests all fall in it.
    second = time.time() % 60
    if second > 45:
        time.sleep(60 - second + 0.5)

    answers = [dev.request("GET", "/me", token=id_token) for _ in range(LIMIT + 1)]

    assert [a.status for a in answers] == [200] * LIMIT + [429], [a.raw[:200] for a in answers]
    refused = answers[-1]
    assert refused.error["code"] == "rate_limited"
    retry_after = int(refused.headers["retry-after"])
    assert 1 <= retry_after <= 60
    # Another user is not held to this user's count.
    assert dev.request("GET", "/me", token=_confirmed_id_token(dev, app)[1]).status == 200

    time.sleep(retry_after + 0.5)
    again = dev.request("GET", "/me", token=id_token)
    assert again.status == 200, again.raw[:300]


def test_the_stage_throttle_a_parameter_sets_answers_429_past_its_burst(dev: DevServer) -> None:
    """Last in the module: it spends the stage's burst, which the requests before it never came near."""
    answers = [dev.request("GET", "/health") for _ in range(STAGE_BURST + 20)]

    statuses = [a.status for a in answers]
    assert statuses.count(429) >= 10, statuses
    assert statuses[:10] == [200] * 10, statuses
    throttled = next(a for a in answers if a.status == 429)
    assert throttled.error["code"] == "too_many_requests"
