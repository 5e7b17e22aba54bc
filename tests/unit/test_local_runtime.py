"""Execution environments scale down as Lambda's do: an environment idle long enough is reclaimed (its
process ended), never a busy one; a function has at most ZIK_MAX_ENVIRONMENTS at once, the invocations
beyond them queue in order, for at most the function's timeout; a busy function waits ZIK_SCALE_OUT_AFTER for
an environment before starting another; past ZIK_MAX_ENVIRONMENTS_TOTAL, a new one replaces the longest idle
(or one idle for ZIK_TAKEN_AFTER_IDLE); the background functions' environments run at ZIK_BACKGROUND_NICE, at
most ZIK_MAX_BACKGROUND_ENVIRONMENTS of them at once while requests are served; on Linux the sandboxes are forked
from a template that loaded the common libraries. Real
worker processes, without the libraries a sandbox preloads (nothing here imports them), and the reaper driven
through its clock."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from zik_local import runtime as runtime_module
from zik_local.provision import FunctionSpec
from zik_local.runtime import Invocation, Runtime, SandboxPool

# Holds its invocation until the file the event names exists: a busy environment, without timing.
HANDLER = """
import os, time

# INIT holds until the file INIT_GATE names exists (when it names one): an environment still starting.
while os.environ.get("INIT_GATE") and not os.path.exists(os.environ["INIT_GATE"]):
    time.sleep(0.01)

def handler(event, context):
    while event.get("hold") and not os.path.exists(event["hold"]):
        time.sleep(0.01)
    return {"pid": os.getpid(), "n": event.get("n")}
"""


def _function(root: Path, name: str = "Fn", timeout: int = 30) -> FunctionSpec:
    code = root / name
    code.mkdir(parents=True)
    (code / "app.py").write_text(HANDLER)
    return FunctionSpec(
        logical_id=name,
        name=f"stack-{name}",
        arn=f"arn:aws:lambda:us-east-1:123456789012:function:stack-{name}",
        code_dir=code,
        handler="app.handler",
        runtime="python3.11",
        environment={"INIT_GATE": str(root / f"{name}-initialised")},
        timeout=timeout,
        memory=128,
        layer_dirs=[],
        architectures=["arm64"],
    )


def _runtime(root: Path, *, timeout: int = 30, functions: tuple[str, ...] = ("Fn",), **options) -> Runtime:
    root.mkdir(parents=True, exist_ok=True)
    for name in functions:
        (root / f"{name}-initialised").touch()  # INIT goes straight through, unless a test removes the file
    options.setdefault("reap", False)
    options.setdefault("scale_out_after", 0)
    return Runtime(
        {name: _function(root, name, timeout=timeout) for name in functions},
        "http://127.0.0.1:1",
        log=lambda source, line: None,
        watch=False,
        sandboxes=SandboxPool(spares=0, preload=""),
        **options,
    )


@pytest.fixture
def runtime(tmp_path) -> Iterator[Runtime]:
    runtime = _runtime(tmp_path, idle_seconds=30, max_environments=2)
    yield runtime
    runtime.close()


def _until(check, what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


class Held:
    """An invocation in a thread of its own, busy until ``release``."""

    def __init__(self, runtime: Runtime, root: Path, n: int, function: str = "Fn"):
        self.gate = root / f"release-{n}"
        self.answer: Invocation | None = None
        self.thread = threading.Thread(target=self._run, args=(runtime, n, function))
        self.thread.start()

    def _run(self, runtime: Runtime, n: int, function: str) -> None:
        self.answer = runtime.invoke(function, {"hold": str(self.gate), "n": n})

    def release(self):
        self.gate.touch()
        self.thread.join(timeout=30)
        assert self.answer is not None and not self.answer.failed, self.answer
        return self.answer


def test_an_idle_environment_is_reclaimed_once_idle_long_enough(runtime):
    first = runtime.invoke("Fn", {})
    (environment,) = runtime._idle["Fn"]

    assert runtime.reap_idle(now=environment.last_used + 29) == 0
    assert runtime._idle["Fn"] == [environment] and environment.process.poll() is None

    assert runtime.reap_idle(now=environment.last_used + 31) == 1
    assert runtime._idle["Fn"] == [] and environment.process.poll() is not None  # its process ended
    again = runtime.invoke("Fn", {})
    assert not again.failed and again.init_ms is not None and again.payload["pid"] != first.payload["pid"]  # a cold start


def test_the_reaper_keeps_the_recently_used_and_never_takes_a_busy_one(runtime, tmp_path):
    held = Held(runtime, tmp_path, 1)
    _until(lambda: len(runtime._running) == 1, "the held invocation started")
    (busy,) = runtime._running
    # A second environment, used (and idle) while the first is busy.
    runtime.invoke("Fn", {})
    (idle,) = runtime._idle["Fn"]

    assert runtime.reap_idle(now=time.monotonic() + 3600) == 1  # only the idle one, however long
    assert idle.process.poll() is not None and busy.process.poll() is None
    answer = held.release()
    assert answer.payload["pid"] == busy.process.pid and runtime._idle["Fn"] == [busy]
    assert runtime._busy["Fn"] == 0
    assert runtime.invoke("Fn", {}).payload["pid"] == busy.process.pid  # still warm


def test_the_reaper_thread_reclaims_on_its_own_and_then_returns_the_memory_freed(tmp_path, monkeypatch):
    returned = threading.Event()
    monkeypatch.setattr(runtime_module, "_return_freed_memory", returned.set)
    runtime = _runtime(tmp_path, idle_seconds=0.2, reap=True)
    try:
        assert not runtime.invoke("Fn", {}).failed
        (environment,) = runtime._idle["Fn"]
        _until(lambda: not runtime._idle["Fn"], "the idle environment was reclaimed")
        environment.process.wait(timeout=10)
        assert returned.wait(timeout=10)
    finally:
        runtime.close()


def test_invocations_beyond_the_cap_queue_in_order_for_a_free_environment(runtime, tmp_path):
    held = [Held(runtime, tmp_path, n) for n in (1, 2)]
    _until(lambda: runtime._busy["Fn"] == 2 and len(runtime._running) == 2, "two environments busy")
    queued = [Held(runtime, tmp_path, 3)]
    _until(lambda: len(runtime._queued["Fn"]) == 1, "one invocation queued")
    queued.append(Held(runtime, tmp_path, 4))  # queued after it, whatever the threads' scheduling
    _until(lambda: len(runtime._queued["Fn"]) == 2, "two invocations queued")
    assert runtime._busy["Fn"] == 2  # no third environment

    pids = {held[0].release().payload["pid"]}
    _until(lambda: len(runtime._queued["Fn"]) == 1, "one queued invocation took the freed environment")
    # The first queued: it can answer now, while the second (queued, or running once the first is done) holds.
    queued[0].gate.touch()
    _until(lambda: queued[0].answer is not None, "the first queued invocation answered")
    _until(lambda: runtime._busy["Fn"] == 2, "the second queued invocation took the environment the first released")
    assert queued[1].answer is None
    pids |= {h.release().payload["pid"] for h in (*held[1:], *queued)}

    assert len(pids) == 2  # every invocation in one of the two environments
    assert runtime._busy["Fn"] == 0 and len(runtime._idle["Fn"]) == 2 and not runtime._queued["Fn"]


def test_an_invocation_queued_longer_than_the_function_timeout_is_throttled(tmp_path):
    runtime = _runtime(tmp_path, timeout=1, max_environments=1)
    try:
        taken = runtime._acquire("Fn")  # the function's one environment, busy for as long as the test holds it
        throttled = runtime.invoke("Fn", {})  # waits its 1 s timeout for it
        assert throttled.error is not None and throttled.error["errorType"] == "TooManyRequestsException"
        assert "ZIK_MAX_ENVIRONMENTS" in throttled.error["errorMessage"]
        assert not runtime._queued["Fn"] and runtime._busy["Fn"] == 1
        runtime._release("Fn", taken, reusable=True)
        assert runtime._busy["Fn"] == 0 and runtime._idle["Fn"] == [taken]
        assert runtime.invoke("Fn", {}).payload["pid"] == taken.process.pid
    finally:
        runtime.close()


def test_a_busy_function_waits_for_its_environment_before_starting_another(tmp_path):
    """With a scale-out delay longer than the test, the second invocation waits for the first one's
    environment and runs in it; with none, it starts a second environment at once."""
    patient = _runtime(tmp_path / "patient", scale_out_after=3600, max_environments=2)
    try:
        first = Held(patient, tmp_path, 1)
        _until(lambda: len(patient._running) == 1, "the first invocation started")
        second = Held(patient, tmp_path, 2)
        _until(lambda: len(patient._queued["Fn"]) == 1, "the second invocation waits")
        second.gate.touch()
        assert patient._busy["Fn"] == 1  # no second environment
        assert first.release().payload["pid"] == second.release().payload["pid"]
    finally:
        patient.close()
    eager = _runtime(tmp_path / "eager", scale_out_after=0, max_environments=2)
    try:
        first = Held(eager, tmp_path, 3)
        _until(lambda: len(eager._running) == 1, "the first invocation started")
        second = Held(eager, tmp_path, 4)
        _until(lambda: len(eager._running) == 2, "a second environment started for the second invocation")
        assert first.release().payload["pid"] != second.release().payload["pid"]
    finally:
        eager.close()


def test_while_an_environment_starts_the_next_invocation_waits_for_it_rather_than_starting_another(tmp_path):
    runtime = _runtime(tmp_path, scale_out_after=0, max_environments=4)
    gate = tmp_path / "Fn-initialised"
    gate.unlink()
    try:
        first = Held(runtime, tmp_path, 1)
        _until(lambda: runtime._starting["Fn"] == 1, "the first environment is starting")
        second = Held(runtime, tmp_path, 2)
        _until(lambda: len(runtime._queued["Fn"]) == 1, "the second invocation waits")
        assert runtime._busy["Fn"] == 1  # no second environment while the first is in its INIT
        gate.touch()
        second.gate.touch()
        # INIT over: the first runs (held), the second may now start an environment of its own.
        assert second.release().payload["pid"] != first.release().payload["pid"]
        assert runtime._starting["Fn"] == 0
    finally:
        runtime.close()


def test_past_the_total_cap_a_function_takes_the_place_of_the_longest_idle_one(tmp_path):
    runtime = _runtime(tmp_path, functions=("Fn", "Gn", "Hn"), max_total=2)
    try:
        runtime.invoke("Fn", {})
        runtime.invoke("Gn", {})
        (oldest,), (newer,) = runtime._idle["Fn"], runtime._idle["Gn"]
        assert not runtime.invoke("Hn", {}).failed  # a third environment: Fn's, idle the longest, made room
        assert oldest.process.wait(timeout=10) is not None and newer.process.poll() is None
        assert runtime._idle["Fn"] == [] and runtime._idle["Gn"] == [newer] and len(runtime._idle["Hn"]) == 1
    finally:
        runtime.close()


def _fn_busy_beside_gn_idle(root: Path, taken_after_idle: float) -> tuple[Runtime, Any, Held]:
    """Past a total cap of 2: Gn's environment idle, Fn's busy with a held invocation."""
    runtime = _runtime(root, functions=("Fn", "Gn"), max_total=2, max_environments=4, taken_after_idle=taken_after_idle)
    runtime.invoke("Gn", {})
    first = Held(runtime, root, 1)
    _until(lambda: len(runtime._running) == 1, "Fn's environment is busy")
    return runtime, runtime._idle["Gn"][0], first


def test_past_the_total_cap_a_function_with_an_environment_waits_for_its_own(tmp_path):
    runtime, gn, first = _fn_busy_beside_gn_idle(tmp_path, taken_after_idle=3600)
    try:
        second = Held(runtime, tmp_path, 2)
        _until(lambda: len(runtime._queued["Fn"]) == 1, "Fn's second invocation waits")
        second.gate.touch()
        assert runtime._busy["Fn"] == 1 and runtime._idle["Gn"] == [gn] and gn.process.poll() is None  # Gn's kept
        assert first.release().payload["pid"] == second.release().payload["pid"]
    finally:
        runtime.close()


def test_past_the_total_cap_a_function_with_an_environment_takes_the_place_of_one_idle_long_enough(tmp_path):
    runtime, gn, first = _fn_busy_beside_gn_idle(tmp_path, taken_after_idle=0)
    try:
        second = Held(runtime, tmp_path, 2)
        # Fn's second invocation runs beside the first (still held), in the place of Gn's idle environment.
        assert second.release().payload["pid"] != first.release().payload["pid"]
        assert gn.process.wait(timeout=10) is not None and runtime._idle["Gn"] == [] and len(runtime._idle["Fn"]) == 2
    finally:
        runtime.close()


def test_past_the_total_cap_with_every_environment_busy_an_invocation_queues(tmp_path):
    runtime = _runtime(tmp_path, functions=("Fn", "Gn"), max_total=1)
    try:
        busy = Held(runtime, tmp_path, 1, "Gn")
        _until(lambda: len(runtime._running) == 1, "Gn's environment is busy")
        waiting = Held(runtime, tmp_path, 2, "Fn")
        _until(lambda: len(runtime._queued["Fn"]) == 1, "Fn's invocation queues for room")
        waiting.gate.touch()
        assert runtime._busy["Fn"] == 0 and waiting.answer is None
        gn = busy.release().payload["pid"]
        fn = waiting.release().payload["pid"]  # Gn's environment, released and idle, made room for Fn's
        assert fn != gn and runtime._idle["Gn"] == [] and len(runtime._idle["Fn"]) == 1
    finally:
        runtime.close()


def test_the_background_functions_environments_run_at_a_lower_priority(tmp_path):
    runtime = _runtime(tmp_path, functions=("Fn", "Gn"), background=("Gn",))
    try:
        runtime.invoke("Fn", {})
        runtime.invoke("Gn", {})
        (fn,), (gn,) = runtime._idle["Fn"], runtime._idle["Gn"]
        ours = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, fn.process.pid) == ours
        assert runtime.background_nice == 10  # the default: ZIK_BACKGROUND_NICE is not set here
        assert os.getpriority(os.PRIO_PROCESS, gn.process.pid) == max(ours, 10)  # niceness is only ever raised
    finally:
        runtime.close()


def test_past_the_background_bound_a_background_function_waits_while_a_routed_one_starts(tmp_path):
    runtime = _runtime(tmp_path, functions=("Fn", "Gn", "Hn"), background=("Gn", "Hn"), max_background=1, taken_after_idle=3600, idle_seconds=30)
    try:
        assert not runtime.invoke("Fn", {}).failed  # a request served (within taken_after_idle): the bound holds
        busy = Held(runtime, tmp_path, 1, "Gn")
        _until(lambda: len(runtime._running) == 1, "Gn's environment is busy")
        waiting = Held(runtime, tmp_path, 2, "Hn")
        _until(lambda: len(runtime._queued["Hn"]) == 1, "Hn's invocation waits: the background's one is Gn's")
        waiting.gate.touch()
        serving = Held(runtime, tmp_path, 3, "Fn")  # a routed function runs beside them all the same
        _until(lambda: runtime._busy["Fn"] == 1, "Fn runs beside Gn")
        serving.release()
        busy.release()
        (gn,) = runtime._idle["Gn"]
        assert runtime._busy["Hn"] == 0 and waiting.answer is None  # Gn's, idle for a moment only, is kept
        assert runtime.reap_idle(now=gn.last_used + 31) == 2  # Gn's (and Fn's) reclaimed: room for Hn
        assert waiting.release().payload["n"] == 2 and len(runtime._idle["Hn"]) == 1
    finally:
        runtime.close()


def test_past_the_background_bound_one_takes_the_place_of_another_idle_long_enough(tmp_path):
    runtime = _runtime(tmp_path, functions=("Fn", "Gn", "Hn"), background=("Gn", "Hn"), max_background=1, taken_after_idle=0)
    try:
        serving = Held(runtime, tmp_path, 1, "Fn")  # a request being served: the bound holds
        _until(lambda: runtime._busy["Fn"] == 1, "Fn's invocation runs")
        runtime.invoke("Gn", {})
        (gn,) = runtime._idle["Gn"]
        assert not runtime.invoke("Hn", {}).failed
        assert gn.process.wait(timeout=10) is not None and runtime._idle["Gn"] == [] and len(runtime._idle["Hn"]) == 1
        assert runtime._started(runtime.background) == 1
        serving.release()
    finally:
        runtime.close()


def test_with_no_request_served_the_background_functions_catch_up_past_their_bound(tmp_path):
    runtime = _runtime(tmp_path, functions=("Fn", "Gn", "Hn"), background=("Gn", "Hn"), max_background=1, taken_after_idle=0.2)
    try:
        runtime.invoke("Fn", {})
        runtime.invoke("Gn", {})
        (gn,) = runtime._idle["Gn"]
        _until(lambda: time.monotonic() - runtime._routed_released > 0.2, "the last request is over 0.2 s old")
        assert not runtime.invoke("Hn", {}).failed  # beside Gn's, which is kept
        assert runtime._idle["Gn"] == [gn] and gn.process.poll() is None and runtime._started(runtime.background) == 2
    finally:
        runtime.close()


def test_the_reaper_looks_every_sixth_of_the_idle_time_at_most_every_5_s():
    assert [runtime_module.reap_period(idle) for idle in (30, 12, 1)] == [5.0, 2.0, 0.5]


def test_the_settings_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("ZIK_IDLE_SECONDS", "45")
    monkeypatch.setenv("ZIK_MAX_ENVIRONMENTS", "4")
    monkeypatch.setenv("ZIK_MAX_ENVIRONMENTS_TOTAL", "9")
    monkeypatch.setenv("ZIK_SCALE_OUT_AFTER", "0.5")
    monkeypatch.setenv("ZIK_TAKEN_AFTER_IDLE", "7")
    monkeypatch.setenv("ZIK_BACKGROUND_NICE", "5")
    monkeypatch.setenv("ZIK_MAX_BACKGROUND_ENVIRONMENTS", "3")
    runtime = _runtime(tmp_path / "set", scale_out_after=None)
    try:
        settings = (runtime.idle_seconds, runtime.max_environments, runtime.max_total, runtime.scale_out_after, runtime.taken_after_idle)
        assert settings == (45, 4, 9, 0.5, 7) and (runtime.background_nice, runtime.max_background) == (5, 3)
    finally:
        runtime.close()
    wrong = (
        ("ZIK_IDLE_SECONDS", "soon"),
        ("ZIK_IDLE_SECONDS", "-1"),
        ("ZIK_MAX_ENVIRONMENTS", "0"),
        ("ZIK_MAX_ENVIRONMENTS_TOTAL", "0"),
        ("ZIK_SCALE_OUT_AFTER", "-2"),
        ("ZIK_TAKEN_AFTER_IDLE", "-1"),
        ("ZIK_BACKGROUND_NICE", "-5"),
        ("ZIK_MAX_BACKGROUND_ENVIRONMENTS", "0"),
    )
    for index, (name, value) in enumerate(wrong):
        monkeypatch.setenv(name, value)
        with pytest.raises(ValueError, match=name):
            _runtime(tmp_path / f"wrong-{index}", scale_out_after=None)
        monkeypatch.delenv(name)


# The sandboxes' template (Linux): forked sandboxes that share what it loaded, watched through pidfds.
FORKING = pytest.mark.skipif(not runtime_module.can_fork_sandboxes(), reason="sandboxes are forked on Linux only")

SANDBOX_PROBE = """
import os, sys, time

LOADED_BEFORE_INIT = "wave" in sys.modules  # what the template preloaded, before this module imported anything

def handler(event, context):
    if event.get("exit"):
        os._exit(event["exit"])
    while event.get("hold") and not os.path.exists(event["hold"]):
        time.sleep(0.01)
    print("a line of the function's log")
    return {"pid": os.getpid(), "parent": os.getppid(), "preloaded": LOADED_BEFORE_INIT, "region": os.environ["AWS_REGION"]}
"""


def _probe_runtime(root: Path, sandboxes: SandboxPool, lines: list[str]) -> Runtime:
    spec = _function(root, "Probe")
    (spec.code_dir / "app.py").write_text(SANDBOX_PROBE)
    return Runtime({"Probe": spec}, "http://127.0.0.1:1", log=lambda source, line: lines.append(line), watch=False, reap=False, sandboxes=sandboxes)


@FORKING
def test_a_forked_sandbox_is_the_templates_child_with_what_it_preloaded_and_its_own_log(tmp_path):
    lines: list[str] = []
    pool = SandboxPool(spares=1, preload="wave")
    runtime = _probe_runtime(tmp_path, pool, lines)
    try:
        assert pool.fork and pool._template is not None  # started with the pool, loading while the cloud starts
        answer = runtime.invoke("Probe", {}).payload
        assert answer["parent"] == pool._template.process.pid != os.getpid()
        assert answer["preloaded"] is True and answer["region"] == "us-east-1"  # the template's modules, the function's env
        _until(lambda: "a line of the function's log" in lines, "the function's output reaches the log")
        second = Held(runtime, tmp_path, 1, "Probe")  # busy: the next invocation forks another sandbox
        _until(lambda: runtime._busy["Probe"] == 1, "the first environment is busy")
        other = runtime.invoke("Probe", {}).payload
        assert other["pid"] != answer["pid"] and other["parent"] == answer["parent"]
        second.release()
    finally:
        runtime.close()
    _until(lambda: pool._template is None, "the pool closed with the runtime")


@FORKING
def test_a_forked_sandbox_that_exits_fails_its_invocation_and_the_next_gets_a_new_one(tmp_path):
    runtime = _probe_runtime(tmp_path, SandboxPool(spares=0, preload=""), [])
    try:
        first = runtime.invoke("Probe", {}).payload["pid"]
        crashed = runtime.invoke("Probe", {"exit": 3})
        assert crashed.error == {"errorType": "Runtime.ExitError", "errorMessage": "the process exited"}
        assert runtime.invoke("Probe", {}).payload["pid"] != first and runtime._idle["Probe"][0].process.poll() is None
    finally:
        runtime.close()


@FORKING
def test_a_template_ended_from_outside_is_started_again(tmp_path):
    pool = SandboxPool(spares=1, preload="")
    runtime = _probe_runtime(tmp_path, pool, [])
    try:
        template = pool._template
        assert template is not None
        template.process.kill()
        template.process.wait(timeout=10)
        answer = runtime.invoke("Probe", {}).payload
        assert pool._template is not template and answer["parent"] == pool._template.process.pid
    finally:
        runtime.close()


def test_without_forking_a_sandbox_is_a_new_interpreter_of_ours(tmp_path):
    runtime = _probe_runtime(tmp_path, SandboxPool(spares=1, preload="wave", refill_delay=0, fork=False), [])
    try:
        answer = runtime.invoke("Probe", {}).payload
        assert answer["parent"] == os.getpid() and answer["preloaded"] is True
    finally:
        runtime.close()


@FORKING
def test_killing_a_forked_sandbox_that_ended_meanwhile_is_no_error(tmp_path, monkeypatch):
    pool = SandboxPool(spares=0, preload="")
    try:
        sandbox = pool.take()
        process = sandbox.process
        assert isinstance(process, runtime_module.ForkedProcess)
        os.close(sandbox.requests)  # a blank sandbox ends when its request pipe closes
        process.wait(timeout=10)
        process._ended = False  # as if it ended between the check and the signal
        monkeypatch.setattr(runtime_module.select, "select", lambda *args: ([], [], []))
        process.kill()
        monkeypatch.undo()
        sandbox.discard()
    finally:
        pool.close()
