"""The debugger of `zik invoke --debug-port` (the twin of `sam local invoke --debug-port`), attached as VS Code
attaches: a Debug Adapter Protocol client on 127.0.0.1 that initializes, sets a breakpoint in the handler,
attaches, stops there, reads the stack and continues; the invocation then answers as without a debugger.
"""

from __future__ import annotations

import json
import socket
import subprocess
import threading
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from devserver import eventually, free_port, zik_command

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
HANDLER = ROOT / "functions" / "health" / "app.py"
EVENT = ROOT / "events" / "health_get.json"


class DapClient:
    """The client half of the Debug Adapter Protocol: Content-Length framed JSON over TCP."""

    def __init__(self, port: int):
        self.socket = socket.create_connection(("127.0.0.1", port), timeout=120)
        self.stream: BinaryIO = self.socket.makefile("rb")
        self.sequence = 0

    def request(self, command: str, **arguments: Any) -> int:
        self.sequence += 1
        body = json.dumps({"seq": self.sequence, "type": "request", "command": command, "arguments": arguments}).encode()
        self.socket.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        return self.sequence

    def message(self) -> dict[str, Any]:
        headers: dict[str, str] = {}
        while line := self.stream.readline().strip():
            name, _, value = line.decode("ascii").partition(":")
            headers[name.strip().lower()] = value.strip()
        assert "content-length" in headers, f"the debugger closed the connection ({headers})"
        return json.loads(self.stream.read(int(headers["content-length"])))

    def until(self, wanted: Any) -> dict[str, Any]:
        """The next message ``wanted`` accepts (the adapter's output and progress events come in between)."""
        while True:
            message = self.message()
            if wanted(message):
                return message

    def response(self, sequence: int) -> dict[str, Any]:
        answer = self.until(lambda m: m["type"] == "response" and m["request_seq"] == sequence)
        assert answer["success"], answer
        return answer

    def close(self) -> None:
        self.stream.close()
        self.socket.close()


def _connect(port: int, invoke: subprocess.Popen[str]) -> DapClient:
    def attempt() -> DapClient | None:
        assert invoke.poll() is None, f"zik invoke exited with {invoke.returncode}"
        try:
            return DapClient(port)
        except ConnectionRefusedError:
            return None

    return eventually(attempt, f"debugpy listening on 127.0.0.1:{port}", timeout=120)


def test_a_debugger_attaches_to_the_function_stops_at_a_breakpoint_and_lets_it_answer() -> None:
    pytest.importorskip("debugpy")
    breakpoint_line = next(n for n, line in enumerate(HANDLER.read_text().splitlines(), 1) if "return app.resolve(event, context)" in line)
    port = free_port()
    invoke = subprocess.Popen(
        [*zik_command(), "invoke", "HealthFunction", "-e", str(EVENT), "--debug-port", str(port), "--wait-for-client"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stdout: list[str] = []
    stderr: list[str] = []
    readers = [
        threading.Thread(target=lambda: stdout.extend(invoke.stdout), daemon=True),  # type: ignore[arg-type]
        threading.Thread(target=lambda: stderr.extend(invoke.stderr), daemon=True),  # type: ignore[arg-type]
    ]
    for reader in readers:
        reader.start()
    client = None
    try:
        client = _connect(port, invoke)
        initialized = client.response(client.request("initialize", adapterID="python", clientID="zik-e2e", linesStartAt1=True, pathFormat="path"))
        assert initialized["body"]["supportsConfigurationDoneRequest"]

        attach = client.request("attach", justMyCode=False)
        client.until(lambda m: m.get("event") == "initialized")
        placed = client.response(client.request("setBreakpoints", source={"path": str(HANDLER)}, breakpoints=[{"line": breakpoint_line}]))
        assert placed["body"]["breakpoints"][0]["verified"], placed
        client.response(client.request("configurationDone"))
        client.response(attach)

        stopped = client.until(lambda m: m.get("event") == "stopped")
        assert stopped["body"]["reason"] == "breakpoint"
        frames = client.response(client.request("stackTrace", threadId=stopped["body"]["threadId"]))["body"]["stackFrames"]
        assert (frames[0]["name"], Path(frames[0]["source"]["path"]).resolve(), frames[0]["line"]) == ("lambda_handler", HANDLER, breakpoint_line)
        assert invoke.poll() is None  # held at the breakpoint: no timeout ends a function being debugged
        client.response(client.request("continue", threadId=stopped["body"]["threadId"]))

        invoke.wait(timeout=120)
    finally:
        if client is not None:
            client.close()
        if invoke.poll() is None:
            invoke.kill()
            invoke.wait(timeout=30)

    for reader in readers:
        reader.join(timeout=30)
    assert invoke.returncode == 0, "".join(stderr)
    answer = json.loads("".join(stdout))
    assert answer["statusCode"] == 200 and json.loads(answer["body"])["status"] == "ok"
    assert f"127.0.0.1:{port}" in "".join(stderr)


def test_debugging_without_a_port_is_refused_in_one_line() -> None:
    done = subprocess.run(
        [*zik_command(), "invoke", "HealthFunction", "-e", str(EVENT), "--wait-for-client"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode != 0
    assert done.stderr.strip() == "zik invoke: --wait-for-client goes with --debug-port"
