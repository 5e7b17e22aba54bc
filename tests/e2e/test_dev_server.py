"""`zik dev` as a developer runs it: a real process on a free port, called over HTTP with tokens minted by
`zik token`, and the `zik invoke` / `zik schedule` commands beside it.

The process's state directory is the checkout's `.zik` (the CLI has no option for another one); the
embedded AWS lives in the process, so every start begins with empty tables.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
import pytest
from devserver import Answer, DevServer, eventually, free_port, new_user, zik_command

from zik.platform.profiles import DEFAULT_PREFERENCES

pytestmark = pytest.mark.e2e

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
    # The cloud stops while the custom resources may still load their data: they are ended first, so
    # that nothing calls the embedded AWS once it is reset (it used to log NoSuchBucket from them).
    for noise in ("NoSuchBucket", "Runtime.ExitError", "deployment FAILED", "No application metrics"):
        assert noise not in done.stderr, done.stderr


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


# -- what `zik dev` prints, `zik aws`, `zik logs` and the embedded Lambda API ---------------------------------
def _printed(dev: DevServer, label: str) -> list[str]:
    """What `zik dev` printed after ``label`` in its start-up summary (one entry per line)."""
    prefix = f"  {label:<17}"
    return [line[len(prefix) :] for line in dev.output().splitlines() if line.startswith(prefix)]


def test_zik_dev_prints_what_it_does_not_emulate(dev: DevServer) -> None:
    printed = _printed(dev, "not emulated")
    listed = dev.request("GET", "/_zik/info").body["notEmulated"]

    assert printed == listed
    kinds = {line.split()[1] for line in printed}
    # The README's examples: alarms and permissions have nothing to run locally.
    assert {"AWS::CloudWatch::Alarm:", "AWS::Lambda::Permission:"} <= kinds, printed
    alarms = next(line for line in printed if "AWS::CloudWatch::Alarm" in line)
    assert int(alarms.split()[0]) > 0


def _without_aws_settings(home: Path) -> dict[str, str]:
    """The developer's shell with no AWS settings at all, as on a machine that never ran `aws configure`."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return {**environment, "HOME": str(home), "AWS_CONFIG_FILE": str(home / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(home / "none")}


def _needs_the_aws_cli() -> None:
    if shutil.which("aws") is None:
        pytest.skip("no aws CLI on the PATH")


def test_the_printed_aws_line_works_when_pasted(dev: DevServer, tmp_path: Path) -> None:
    _needs_the_aws_cli()
    (line,) = [entry.removeprefix("or: ") for entry in _printed(dev, "") if entry.startswith("or: ")]

    done = subprocess.run(  # noqa: S602 - the line as a developer pastes it into a shell
        line,
        shell=True,
        cwd=ROOT,
        env=_without_aws_settings(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    tables = json.loads(done.stdout)["TableNames"]
    assert any("UsersTable" in name for name in tables), tables


def test_zik_aws_runs_the_aws_cli_against_the_embedded_aws(dev: DevServer, tmp_path: Path) -> None:
    _needs_the_aws_cli()
    done = subprocess.run(
        [*zik_command(), "aws", "--url", dev.url, "sqs", "list-queues"],
        cwd=ROOT,
        env=_without_aws_settings(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["QueueUrls"]


def _lambda(dev: DevServer) -> Any:
    import boto3
    from botocore.config import Config

    info = dev.request("GET", "/_zik/info").body
    return boto3.client(
        "lambda",
        endpoint_url=info["awsEndpoint"],
        region_name=info["region"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1}, read_timeout=120),
    )


def test_lambda_invoke_of_the_embedded_aws_runs_the_real_handler(dev: DevServer) -> None:
    event = json.loads(_health_event().read_text())

    # By the template's logical id, as `sam local start-lambda` takes it, and by the deployed name.
    by_logical_id = _lambda(dev).invoke(FunctionName="HealthFunction", Payload=json.dumps(event))
    name = dev.request("GET", "/_zik/info").body["functions"]["HealthFunction"]
    by_name = _lambda(dev).invoke(FunctionName=name, Payload=json.dumps(event))

    for answer in (by_logical_id, by_name):
        assert answer["StatusCode"] == 200 and "FunctionError" not in answer
        _assert_health_proxy_answer(json.loads(answer["Payload"].read()))


def test_lambda_invoke_reports_the_handler_error(dev: DevServer) -> None:
    # MeFunction's API resolver cannot route an event that is no API Gateway request: the handler raises.
    answer = _lambda(dev).invoke(FunctionName="MeFunction", Payload=b"{}")

    assert answer["StatusCode"] == 200
    assert answer["FunctionError"] == "Unhandled"
    error = json.loads(answer["Payload"].read())
    assert error["errorType"] == "KeyError" and error["stackTrace"]


def _logs(dev: DevServer, function: str) -> list[str]:
    done = _run("logs", function, "--url", dev.url, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def _invoked(dev: DevServer, function: str, event: Any) -> str:
    answer = dev.request("POST", f"/_zik/invoke/{function}", body=event)
    assert answer.status == 200 and answer.body["error"] is None, answer.raw
    return answer.body["requestId"]


def test_lambda_event_and_dry_run_invocations_answer_as_lambda_does(dev: DevServer) -> None:
    event = _health_event().read_text()
    reports = lambda: sum("REPORT RequestId" in line for line in _logs(dev, "HealthFunction"))  # noqa: E731
    before = reports()

    dry_run = _lambda(dev).invoke(FunctionName="HealthFunction", InvocationType="DryRun", Payload=event)
    queued = _lambda(dev).invoke(FunctionName="HealthFunction", InvocationType="Event", Payload=event)

    assert dry_run["StatusCode"] == 204
    assert queued["StatusCode"] == 202
    eventually(lambda: reports() == before + 1, "the Event invocation's REPORT line")


def test_zik_logs_prints_a_function_s_lines(dev: DevServer) -> None:
    request_id = _invoked(dev, "HealthFunction", json.loads(_health_event().read_text()))

    lines = _logs(dev, "HealthFunction")

    assert any(f"REPORT RequestId: {request_id}" in line for line in lines), lines
    assert not any(f"REPORT RequestId: {request_id}" in line for line in _logs(dev, "MeFunction"))


def test_zik_logs_tail_follows_until_ctrl_c(dev: DevServer) -> None:
    # A suite started as a background job (`make test &`) runs with SIGINT ignored, which every process it
    # starts inherits: as a terminal's background job, `zik logs --tail` would then rightly ignore Ctrl-C.
    # The test is the terminal's foreground: its command starts with SIGINT's default (a handler, unlike
    # SIG_IGN, is not inherited).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        tail = subprocess.Popen(
            [*zik_command(), "logs", "HealthFunction", "--tail", "--url", dev.url],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    finally:
        signal.signal(signal.SIGINT, previous)
    seen: list[str] = []
    reader = threading.Thread(target=lambda: seen.extend(tail.stdout), daemon=True)  # type: ignore[arg-type]
    reader.start()
    try:
        request_id = _invoked(dev, "HealthFunction", json.loads(_health_event().read_text()))
        eventually(lambda: any(f"REPORT RequestId: {request_id}" in line for line in seen), "the new line in `zik logs --tail`")
        assert tail.poll() is None  # still following
    finally:
        tail.send_signal(signal.SIGINT)
        tail.wait(timeout=30)
    reader.join(timeout=10)

    assert tail.returncode == 0
    assert "Traceback" not in tail.stderr.read()


def test_zik_logs_of_an_unknown_function_says_so_in_one_line(dev: DevServer) -> None:
    done = _run("logs", "NoSuchFunction", "--url", dev.url, timeout=60)

    assert done.returncode != 0
    assert done.stdout == ""
    assert done.stderr.strip().count("\n") == 0 and done.stderr.startswith("zik logs: no function 'NoSuchFunction'"), done.stderr
