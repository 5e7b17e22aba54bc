"""`zik dev` as a developer runs it: a real process on a free port, called over HTTP with tokens minted by
`zik token`, and the `zik invoke` / `zik schedule` commands beside it.

The process's state directory is the checkout's `.zik` (the CLI has no option for another one); the
embedded AWS lives in the process, so every start begins with empty tables.
"""

from __future__ import annotations

import base64
import json
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
import pytest

from zik.platform.profiles import DEFAULT_PREFERENCES

pytestmark = pytest.mark.e2e

from devserver import Answer, DevServer, eventually, free_port, new_user, zik_command

ROOT = Path(__file__).resolve().parents[2]
STATE_DIR = ROOT / ".zik"
HEALTH_EVENT = ROOT / "events" / "health_get.json"
MAX_BODY_BYTES = 64 * 1024


def claims_of(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def assert_unauthorized(answer: Answer) -> None:
    assert answer.status == 401, (answer.status, answer.raw[:500])
    assert answer.headers.get("content-type", "").startswith("application/json")
    assert answer.error["code"] == "unauthorized"
    assert answer.error.get("message")


# -- /health -------------------------------------------------------------------------------------------
def test_health_answers_without_a_token(dev: DevServer) -> None:
    answer = dev.request("GET", "/health")

    assert answer.status == 200
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.body["status"] == "ok"
    assert answer.body["service"] == "zik"
    assert answer.body["version"]
    assert answer.body["time"]
    assert answer.headers.get("x-amzn-requestid")


# -- /me with a token from `zik token` --------------------------------------------------------------------
def test_me_answers_the_profile_defaults(dev: DevServer) -> None:
    user = new_user()
    token = dev.token(user)
    claims = claims_of(token)

    answer = dev.request("GET", "/me", token=token)

    assert answer.status == 200, answer.raw
    assert answer.headers["content-type"].startswith("application/json")
    profile = answer.body
    assert profile["userId"] == claims["sub"]
    assert profile["tenantId"] == "default"
    assert profile["email"] == f"{user}@example.com"
    assert profile["displayName"] == claims["name"]
    assert profile["timezone"] == "UTC"
    assert profile["locale"] == "en"
    assert profile["preferences"] == DEFAULT_PREFERENCES
    assert profile["version"] == 0


def test_the_token_tenant_reaches_the_profile(dev: DevServer) -> None:
    token = dev.token(new_user(), "--tenant", "acme")

    answer = dev.request("GET", "/me", token=token)

    assert answer.status == 200, answer.raw
    assert answer.body["tenantId"] == "acme"


def test_put_me_then_get_me_shows_the_change(dev: DevServer) -> None:
    token = dev.token(new_user())

    saved = dev.request(
        "PUT",
        "/me",
        token=token,
        body={"displayName": "Ada L.", "timezone": "Europe/Paris", "preferences": {"theme": "dark"}},
    )
    read = dev.request("GET", "/me", token=token)

    assert saved.status == 200, saved.raw
    assert saved.body["version"] == 1
    assert read.status == 200
    assert read.body == saved.body
    assert read.body["displayName"] == "Ada L."
    assert read.body["timezone"] == "Europe/Paris"
    assert read.body["preferences"]["theme"] == "dark"
    assert read.body["preferences"]["weekStartsOn"] == DEFAULT_PREFERENCES["weekStartsOn"]


def test_users_do_not_see_each_other(dev: DevServer) -> None:
    alice, bob = dev.token(new_user()), dev.token(new_user())

    assert dev.request("PUT", "/me", token=alice, body={"displayName": "Alice"}).status == 200
    bobs = dev.request("GET", "/me", token=bob)

    assert bobs.status == 200
    assert bobs.body["displayName"] != "Alice"
    assert bobs.body["version"] == 0


def test_export_holds_the_profile(dev: DevServer) -> None:
    user = new_user()
    token = dev.token(user)
    assert dev.request("PUT", "/me", token=token, body={"displayName": "Exported"}).status == 200

    answer = dev.request("GET", "/me/export", token=token)

    assert answer.status == 200, answer.raw
    assert answer.headers["content-type"].startswith("application/json")
    assert "attachment" in answer.headers.get("content-disposition", "")
    assert answer.body["user"]["userId"] == claims_of(token)["sub"]
    assert answer.body["data"]["profile"]["displayName"] == "Exported"
    assert answer.body["data"]["profile"]["version"] == 1


def test_delete_me_erases_everything_and_the_account_opens_nothing_from_then_on(dev: DevServer) -> None:
    token = dev.token(new_user())
    assert dev.request("PUT", "/me", token=token, body={"displayName": "Soon gone"}).status == 200
    assert dev.request("POST", "/entries", token=token, body={"content": "A last entry."}).status == 201

    deleted = dev.request("DELETE", "/me", token=token)
    assert deleted.status == 202, deleted.raw
    assert deleted.body["status"] == "erasing" and deleted.body["statusUrl"] == "/me/erasure"
    for method, path in (("GET", "/me"), ("GET", "/me/export"), ("GET", "/entries"), ("GET", "/goals")):
        assert dev.request(method, path, token=token).status == 401, path

    def erased() -> dict[str, Any] | None:
        answer = dev.request("GET", "/me/erasure", token=token).body
        return answer if answer["status"] == "erased" else None

    done = eventually(erased, "every domain erasing the user (UserDeleted -> each domain's account queue)")
    assert set(done["domains"]) == {"career", "exports", "journal", "points", "quests", "studio"} and done["erased"]["journal"] >= 1
    assert dev.request("DELETE", "/me", token=token).body["erasureId"] == deleted.body["erasureId"]


# -- tokens the authorizer refuses ----------------------------------------------------------------------
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _flip(text: str, index: int) -> str:
    replacement = "A" if text[index] != "A" else "B"
    return text[:index] + replacement + text[index + 1 :]


def _kid(dev: DevServer) -> str:
    answer = dev.request("GET", "/.well-known/jwks.json")
    assert answer.status == 200
    return answer.body["keys"][0]["kid"]


def _signed(dev: DevServer, claims: dict[str, Any]) -> str:
    """Claims signed with the running dev's own key (read from its state directory)."""
    key = (STATE_DIR / "jwt-signing-key.pem").read_bytes()
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": _kid(dev)})


def test_no_authorization_header_is_401(dev: DevServer) -> None:
    for method, path in (("GET", "/me"), ("PUT", "/me"), ("DELETE", "/me"), ("GET", "/me/export")):
        assert_unauthorized(dev.request(method, path, body={"displayName": "x"} if method == "PUT" else None))


def test_an_expired_token_is_401(dev: DevServer) -> None:
    expired = dev.mint(new_user(), ttlSeconds=-3600)["token"]
    assert claims_of(expired)["exp"] < time.time()

    assert_unauthorized(dev.request("GET", "/me", token=expired))


def test_a_token_with_a_tampered_signature_is_401(dev: DevServer) -> None:
    token = dev.token(new_user())
    header, payload, signature = token.split(".")
    tampered = ".".join((header, payload, _flip(signature, len(signature) // 2)))
    assert tampered != token

    assert_unauthorized(dev.request("GET", "/me", token=tampered))


def test_a_token_with_a_tampered_payload_is_401(dev: DevServer) -> None:
    token = dev.token(new_user())
    header, payload, signature = token.split(".")
    claims = claims_of(token)
    claims["sub"] = str(uuid.uuid4())
    forged = ".".join((header, _b64(json.dumps(claims).encode()), signature))

    assert_unauthorized(dev.request("GET", "/me", token=forged))


def test_an_unsigned_alg_none_token_is_401(dev: DevServer) -> None:
    claims = claims_of(dev.token(new_user()))
    unsigned = jwt.encode(claims, None, algorithm="none", headers={"kid": _kid(dev)})
    assert unsigned.endswith(".")
    assert jwt.get_unverified_header(unsigned)["alg"] == "none"

    assert_unauthorized(dev.request("GET", "/me", token=unsigned))


def test_a_token_for_another_audience_is_401(dev: DevServer) -> None:
    claims = claims_of(dev.token(new_user()))
    # The control: the same claims signed the same way are accepted, so only the audience differs.
    assert dev.request("GET", "/me", token=_signed(dev, claims)).status == 200

    assert_unauthorized(dev.request("GET", "/me", token=_signed(dev, {**claims, "aud": "someone-else"})))


def test_a_token_of_another_issuer_is_401(dev: DevServer) -> None:
    claims = claims_of(dev.token(new_user()))

    forged = _signed(dev, {**claims, "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"})

    assert_unauthorized(dev.request("GET", "/me", token=forged))


def test_garbage_in_the_authorization_header_is_401(dev: DevServer) -> None:
    assert_unauthorized(dev.request("GET", "/me", headers={"Authorization": "Bearer not-a-jwt"}))


# -- bad input through the gateway ----------------------------------------------------------------------
@pytest.fixture
def saved_profile(dev: DevServer) -> tuple[str, dict[str, Any]]:
    token = dev.token(new_user())
    saved = dev.request("PUT", "/me", token=token, body={"displayName": "Before", "preferences": {"units": "imperial"}})
    assert saved.status == 200, saved.raw
    return token, saved.body


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        pytest.param(b'{"displayName": "Ada",', 400, "invalid_request", None, id="invalid-json"),
        pytest.param({"displayName": 42}, 400, "invalid_request", "displayName", id="wrong-type"),
        pytest.param({"preferences": {"theme": "neon"}}, 400, "invalid_request", "preferences.theme", id="wrong-enum"),
        pytest.param({"displayName": "Ada", "nickname": "ada"}, 400, "invalid_request", "nickname", id="unknown-field"),
        pytest.param(
            {"preferences": {"notifications": {"sms": True}}},
            400,
            "invalid_request",
            "preferences.notifications.sms",
            id="unknown-nested-field",
        ),
        pytest.param({"displayName": "x" * (MAX_BODY_BYTES + 1)}, 413, "payload_too_large", None, id="oversize"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    dev: DevServer,
    saved_profile: tuple[str, dict[str, Any]],
    body: Any,
    status: int,
    code: str,
    field: str | None,
) -> None:
    token, before = saved_profile

    answer = dev.request("PUT", "/me", token=token, body=body)

    assert answer.status == status, answer.raw[:500]
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.error["code"] == code
    if field is not None:
        assert answer.error["field"] == field
        assert field.rsplit(".", 1)[-1] in answer.error["message"]
    elif status == 400:
        assert "JSON" in answer.error["message"]
    else:
        assert str(MAX_BODY_BYTES) in answer.error["message"]
    assert dev.request("GET", "/me", token=token).body == before


def test_unknown_routes_are_404_json(dev: DevServer) -> None:
    token = dev.token(new_user())
    for method, path, bearer in (
        ("GET", "/no-such-route", None),
        ("GET", "/no-such-route", token),
        ("POST", "/me", token),
        ("GET", "/me/nothing/here", token),
    ):
        answer = dev.request(method, path, token=bearer)
        assert answer.status == 404, (method, path, answer.status, answer.raw)
        assert answer.headers["content-type"].startswith("application/json")
        assert answer.error["code"] == "not_found"


# -- the commands beside `zik dev` ------------------------------------------------------------------------
def _run(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*zik_command(), *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def _health_event() -> Path:
    if not HEALTH_EVENT.exists():
        pytest.skip(f"{HEALTH_EVENT.relative_to(ROOT)} is missing")
    return HEALTH_EVENT


def _assert_health_proxy_answer(answer: Any) -> None:
    assert answer["statusCode"] == 200, answer
    assert json.loads(answer["body"])["status"] == "ok"


def test_zik_invoke_runs_a_function_with_an_event_file() -> None:
    event = _health_event()

    done = _run("invoke", "HealthFunction", "-e", str(event.relative_to(ROOT)))

    assert done.returncode == 0, done.stdout + done.stderr
    _assert_health_proxy_answer(json.loads(done.stdout))


def test_zik_invoke_url_runs_inside_the_running_dev(dev: DevServer) -> None:
    event = _health_event()

    done = _run("invoke", "HealthFunction", "-e", str(event), "--url", dev.url, timeout=60)

    assert done.returncode == 0, done.stdout + done.stderr
    _assert_health_proxy_answer(json.loads(done.stdout))


def test_zik_schedule_of_an_unknown_function_fails_clearly(dev: DevServer) -> None:
    done = _run("schedule", "NoSuchFunction", "--url", dev.url, timeout=60)

    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "NoSuchFunction" in output
    assert "Traceback" not in output


def test_zik_token_without_a_running_dev_says_so() -> None:
    done = _run("token", "--user", "alice", "--url", f"http://127.0.0.1:{free_port()}", timeout=60)

    assert done.returncode != 0
    assert "zik dev" in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("event", "said"),
    [("events/no_such_event.json", "no event file events/no_such_event.json"), ("README.md", "README.md is not JSON")],
)
def test_zik_invoke_of_an_event_file_it_cannot_read_says_so_in_one_line(event: str, said: str) -> None:
    done = _run("invoke", "HealthFunction", "-e", event, timeout=60)

    assert done.returncode != 0
    assert done.stdout == "" and done.stderr.strip().count("\n") == 0 and said in done.stderr, done.stderr


def test_zik_invoke_of_an_unknown_function_says_so_in_one_line() -> None:
    done = _run("invoke", "NoSuchFunction", "-e", str(_health_event().relative_to(ROOT)))

    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("zik invoke: no function 'NoSuchFunction' in the template") and "zik_local/cli.py" not in done.stderr, done.stderr
