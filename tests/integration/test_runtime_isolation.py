"""Each function runs in execution environments of its own: exactly the environment the template gives
it (nothing of another function's, nothing of the local cloud's), its own code first on the search path,
and a fresh environment after its code changes."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from zik_local.provision import FunctionSpec
from zik_local.runtime import Runtime, SandboxPool

HANDLER = """
import os, sys
import helper  # a module of this function's own directory

def handler(event, context):
    return {
        "env": dict(os.environ),
        "path": sys.path[:2],
        "helper": helper.NAME,
        "remaining": context.get_remaining_time_in_millis(),
        "event": event,
        "crt": __import__("botocore.compat").compat.HAS_CRT,
    }
"""


def _function(root: Path, name: str, env: dict[str, str]) -> FunctionSpec:
    code = root / name
    code.mkdir()
    (code / "app.py").write_text(HANDLER)
    (code / "helper.py").write_text(f"NAME = {name!r}\n")
    return FunctionSpec(
        logical_id=name,
        name=f"stack-{name}",
        arn=f"arn:aws:lambda:us-east-1:123456789012:function:stack-{name}",
        code_dir=code,
        handler="app.handler",
        runtime="python3.11",
        environment=env,
        timeout=5,
        memory=256,
        layer_dirs=[],
        architectures=["arm64"],
    )


@pytest.fixture
def runtime(tmp_path):
    functions = {
        "First": _function(tmp_path, "First", {"TABLE": "first-table", "ONLY_FIRST": "1"}),
        "Second": _function(tmp_path, "Second", {"TABLE": "second-table"}),
    }
    runtime = Runtime(functions, "http://127.0.0.1:1", log=lambda source, line: None, sandboxes=SandboxPool(spares=1, refill_delay=0))
    yield runtime
    runtime.close()


def test_each_function_sees_only_its_own_environment(runtime, tmp_path):
    first = runtime.invoke("First", {"n": 1})
    second = runtime.invoke("Second", {"n": 2})
    assert not first.failed and not second.failed
    env_first, env_second = first.payload["env"], second.payload["env"]
    assert env_first["TABLE"] == "first-table" and env_first["ONLY_FIRST"] == "1"
    assert env_second["TABLE"] == "second-table" and "ONLY_FIRST" not in env_second
    for env in (env_first, env_second):
        assert not [key for key in env if key.startswith("ZIK_")], "the local cloud's own variables leaked"
        assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:1"
        assert env["LAMBDA_TASK_ROOT"] in (str(tmp_path / "First"), str(tmp_path / "Second"))
    assert first.payload["helper"] == "First" and second.payload["helper"] == "Second"
    assert first.payload["path"][0] == str(tmp_path / "First")
    assert 0 < first.payload["remaining"] <= 5000
    assert first.payload["event"] == {"n": 1}
    assert first.payload["crt"] is False  # boto3 without the AWS CRT, as Lambda's Python runtime has it


def test_a_warm_environment_is_reused_and_reports_init_once(runtime):
    cold = runtime.invoke("First", {})
    warm = runtime.invoke("First", {})
    assert cold.init_ms is not None and warm.init_ms is None


def test_a_code_edit_gets_a_fresh_environment(runtime, tmp_path):
    assert runtime.invoke("First", {}).payload["helper"] == "First"
    (tmp_path / "First" / "helper.py").write_text("NAME = 'edited'\n")
    deadline = time.monotonic() + 10
    while runtime.invoke("First", {}).payload["helper"] != "edited":
        assert time.monotonic() < deadline, "the edit was not picked up"
        time.sleep(0.2)


def test_a_request_during_the_prewarm_waits_for_the_environment_being_warmed(runtime):
    """The first requests of `zik dev` can come before the prewarm has started its environment: they
    take that one (its INIT reported with them) instead of starting a second beside it."""
    firsts: list[str] = []
    runtime.prewarm(["First", "Second"], after_first=lambda: firsts.append("First warm"))
    answers = [runtime.invoke("First", {}), runtime.invoke("Second", {})]

    assert all(not answer.failed for answer in answers)
    assert [len(runtime._idle[name]) for name in ("First", "Second")] == [1, 1]  # one environment each
    assert firsts == ["First warm"] and runtime._warming == {"First": 0, "Second": 0}
