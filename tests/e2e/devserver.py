"""A real `zik dev` process for end-to-end tests, and how they talk to it."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0


def zik_command() -> list[str]:
    """The `zik` script of the interpreter running the tests (the venv's), else the module."""
    script = Path(sys.executable).with_name("zik")
    return [str(script)] if script.exists() else [sys.executable, "-m", "zik_local.cli"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    raw: bytes
    body: Any = field(init=False)

    def __post_init__(self) -> None:
        try:
            self.body = json.loads(self.raw) if self.raw else None
        except ValueError:
            self.body = None

    @property
    def error(self) -> dict[str, Any]:
        assert isinstance(self.body, dict) and isinstance(self.body.get("error"), dict), (self.status, self.raw[:500])
        return self.body["error"]


@dataclass
class DevServer:
    url: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def tail(self, lines: int = 200) -> str:
        return "\n".join(self.output().splitlines()[-lines:])

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        data: bytes | None
        if body is None:
            data = None
        elif isinstance(body, bytes):
            data = body
        elif isinstance(body, str):
            data = body.encode("utf-8")
        else:
            data = json.dumps(body).encode("utf-8")
        if data is not None:
            sent.setdefault("Content-Type", "application/json")
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=data, headers=sent)
            response = connection.getresponse()
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        finally:
            connection.close()

    def token(self, user: str, *extra: str) -> str:
        """An ID token from the `zik token` command, as a developer gets one."""
        done = subprocess.run(
            [*zik_command(), "token", "--user", user, "--url", self.url, *extra],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, f"zik token failed ({done.returncode}): {done.stdout}{done.stderr}"
        token = done.stdout.strip()
        assert token.count(".") == 2, token
        return token

    def mint(self, user: str, **fields: Any) -> dict[str, Any]:
        """POST /_zik/token directly (for what the command does not offer, e.g. a negative TTL)."""
        answer = self.request("POST", "/_zik/token", body={"user": user, **fields})
        assert answer.status == 200, (answer.status, answer.raw)
        return answer.body


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


WAIT_SECONDS = 45.0


def eventually(check: Callable[[], Any], what: str, timeout: float = WAIT_SECONDS) -> Any:
    """The first truthy answer of ``check``, polled until ``timeout`` (then the test fails saying what)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout:.0f}s")
        time.sleep(0.1)


def new_user() -> str:
    return f"e2e-{uuid.uuid4().hex[:10]}"


def running_dev(request: pytest.FixtureRequest, *extra: str) -> Iterator[DevServer]:
    """A `zik dev` process (``extra``: its arguments, e.g. ``--parameter Name=value``) for a module fixture to
    ``yield from``: started on a free port, served once /health answers, stopped after; its output kept in a
    file, deleted unless a test failed."""
    failed_before = request.session.testsfailed
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="zik-dev-e2e-", suffix=".log", delete=False)  # noqa: SIM115 - the server writes it after this returns
    log_path = Path(log.name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ZIK_FN_"))}
    env["PYTHONUNBUFFERED"] = "1"
    process = subprocess.Popen(
        [*zik_command(), "dev", "--port", str(port), *extra],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    server = DevServer(f"http://127.0.0.1:{port}", port, process, log_path)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        last = "no answer yet"
        while True:
            if process.poll() is not None:
                pytest.fail(f"zik dev exited with {process.returncode} before /health answered:\n{server.output()}")
            try:
                answer = server.request("GET", "/health")
                if answer.status == 200:
                    break
                last = f"{answer.status} {answer.raw[:300]!r}"
            except OSError as exc:
                last = repr(exc)
            if time.monotonic() > deadline:
                pytest.fail(f"GET /health did not answer 200 within {START_TIMEOUT:.0f}s (last: {last}):\n{server.output()}")
            time.sleep(0.1)
        yield server
    finally:
        stop(process)
        if request.session.testsfailed == failed_before:
            log_path.unlink(missing_ok=True)
        else:
            print(f"\nzik dev on port {port} stopped with {process.returncode}; its output is in {log_path}")
