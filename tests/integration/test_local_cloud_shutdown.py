"""Stopping the local cloud while a function runs (`zik invoke` is done while a custom resource still loads its
data): the running invocation is ended before the embedded AWS is reset, so that it cannot call it half-torn
down (the NoSuchBucket errors `zik invoke` used to print at exit), and it reports nothing afterwards.

The function is held deterministically: it waits for a debugger (`--wait-for-client`) that never attaches.
"""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest

from zik_local.cloud import CloudOptions, LocalCloud, wait_until
from zik_local.runtime import DebugTarget, Invocation

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "wiring"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_stop_ends_a_running_invocation_before_the_embedded_aws_goes(tmp_path: Path) -> None:
    pytest.importorskip("debugpy")
    moto_port = os.environ.get("MOTO_PORT")
    options = CloudOptions(
        template=FIXTURE / "template.yaml",
        port=0,
        state_dir=tmp_path,
        quiet=True,
        prewarm=False,
        watch=False,
        debug=DebugTarget("SlowFunction", _free_port(), wait=True),
    )
    cloud = LocalCloud(options)
    outcome: list[Invocation] = []
    try:
        cloud.start()
        running = threading.Thread(target=lambda: outcome.append(cloud.runtime.invoke("SlowFunction", {})), daemon=True)
        running.start()
        wait_until(lambda: any("waiting for a debugger" in entry["line"] for entry in cloud.function_logs("SlowFunction")[0]), timeout=60)
    finally:
        cloud.stop()
        if moto_port is None:
            os.environ.pop("MOTO_PORT", None)
        else:
            os.environ["MOTO_PORT"] = moto_port
    running.join(timeout=30)

    (invocation,) = outcome
    assert invocation.error == {"errorType": "Runtime.ExitError", "errorMessage": "the local cloud is shutting down"}
    lines = [entry["line"] for entry in cloud.function_logs("SlowFunction")[0]]
    assert not [line for line in lines if line.startswith("REPORT")], lines


def test_an_explicit_aws_port_that_is_taken_fails_clearly(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        cloud = LocalCloud(CloudOptions(template=FIXTURE / "template.yaml", port=0, aws_port=port, state_dir=tmp_path, quiet=True))
        with pytest.raises(OSError, match=f"cannot listen on 127.0.0.1:{port}"):
            cloud.start()
        cloud.stop()


def test_the_default_aws_port_taken_by_another_local_cloud_falls_back_to_a_free_one() -> None:
    """zik dev's default port, bound by another one that started at the same moment: this one binds another."""
    from zik_local.cloud import embedded_aws

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = embedded_aws(port, fallback=True, avoid=0)
        try:
            fallback = server.get_host_and_port()[1]
            assert fallback not in (port, 0)
        finally:
            server.stop()  # never started: closed at once (it used to wait 10 s for a loop that never ran)
    with socket.socket() as again:
        again.bind(("127.0.0.1", fallback))
