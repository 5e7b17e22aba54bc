"""End-to-end tests: a real `zik dev` process per test module (the ``dev`` fixture), called over HTTP.
When a test fails, its report shows what the `zik dev` process under test printed."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Iterator

import pytest
from devserver import ROOT, START_TIMEOUT, DevServer, free_port, stop, zik_command


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):  # type: ignore[type-arg]
    outcome = yield
    report = outcome.get_result()
    if not report.failed:
        return
    server = getattr(item, "funcargs", {}).get("dev")
    tail = getattr(server, "tail", None)
    if callable(tail):
        report.sections.append(("zik dev output (last lines)", tail()))


@pytest.fixture(scope="module")
def dev(request: pytest.FixtureRequest) -> Iterator[DevServer]:
    failed_before = request.session.testsfailed
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="zik-dev-e2e-", suffix=".log", delete=False)
    log_path = Path(log.name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ZIK_FN_"))}
    env["PYTHONUNBUFFERED"] = "1"
    process = subprocess.Popen(
        [*zik_command(), "dev", "--port", str(port)],
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
