"""Runs the template's functions: each function in execution environments of its own (worker processes,
see ``worker.py``) with exactly the environment the template gives it, started on demand, kept warm between
invocations and reclaimed once idle (as Lambda scales down), at most a few at once per function (the
invocations beyond them queue), recycled when its code changes, killed when it overruns its timeout.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import uuid
import weakref
from collections import deque
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from zik_local.template import REGION

if TYPE_CHECKING:
    # Only for types: the runtime starts before anything heavy (boto3, moto) is imported.
    from zik_local.provision import FunctionSpec

_HEADER = struct.Struct(">I")
_WORKER = Path(__file__).with_name("worker.py")
# Variables of the developer's shell that reach the functions, so that e.g. AI_PROVIDERS=anthropic,local
# and ANTHROPIC_API_KEY switch the local cloud to a real model.
PASSTHROUGH_PREFIXES = ("AI_", "ANTHROPIC_", "OPENAI_", "ZIK_FN_")
# At most this many environments of one function at once (ZIK_MAX_ENVIRONMENTS); invocations beyond them
# queue, as they would behind a reserved concurrency. Every environment is a Python process of 50-80 MiB,
# and on a laptop's few cores more of them do not answer faster: the functions wait mostly on the embedded
# AWS, which is one process, and the CPU is already saturated. Measured on 2 cores, 50 clients reading only:
# 8 per function peaked at 3.8 GiB, 3 at 1.85 GiB and 2 at 1.4 GiB, for the same throughput within the noise.
# But with make load's goals in the mix (POST /goals and GET /tasks share a function, and a goal holds its
# environment while the roadmap starts), 2 queued GET /tasks past their timeout (8 errors, p99 31 s) where 4
# answered every request (p99 19 s) at the same peak memory: 4 it is.
MAX_ENVIRONMENTS_PER_FUNCTION = 4
# At most this many environments of all the functions at once (ZIK_MAX_ENVIRONMENTS_TOTAL), as an account's
# concurrency limit bounds them in Lambda: a function without one, when they are all started, takes the place
# of the environment idle the longest (or queues until one is released); a function with one, of one idle for
# TAKEN_AFTER_IDLE, else it waits for its own.
# What bounds the local cloud's memory under load: 16 environments are about 1.1 GiB. (No function here
# invokes another and waits for it, so the functions holding every environment always release them.)
MAX_ENVIRONMENTS_TOTAL = 16
# An invocation that finds every environment of its function busy waits this long for one to be free
# before it starts another (ZIK_SCALE_OUT_AFTER; 0 starts one at once, as Lambda does). On a laptop's few
# cores a new environment costs half a second to a second of CPU, taken from the invocations running
# meanwhile, and most invocations end sooner than that: under make load's 10 clients, starting at once
# made 28 environments in 20 s, most of them for a moment's queue.
SCALE_OUT_AFTER = 0.25
# When all of them are started, a function that has environments and needs one more takes the place of another
# function's environment idle at least this long (ZIK_TAKEN_AFTER_IDLE; a function without one takes the place of
# the one idle the longest at once). Measured on 2 cores under make load's 50 clients: without it, EntriesFunction
# (two requests of the mix's six) kept the one or two environments it had while those of functions called once a
# minute sat idle, and GET /entries waited 4.5 s for its 0.1 s of work.
TAKEN_AFTER_IDLE = 2.0
# While requests are served, at most this many of them hold the environments of the functions no API route calls
# (stream, queue, rule and workflow consumers: ZIK_MAX_BACKGROUND_ENVIRONMENTS), so that the requests a developer
# waits for keep the rest. One of these functions past the bound takes the place of another's environment idle at
# least TAKEN_AFTER_IDLE, else waits for its own; what they consume waits in its queue or stream, and is caught up
# with every environment there is once no request has been served for TAKEN_AFTER_IDLE. In
# Lambda they run on capacity of their own. Measured on 2 cores under make load's 50 clients: without a bound,
# the roadmap workflows the goals started (planner, milestone saver, coach) and the queues' consumers held 10 of
# the 16 and POST /chat waited 6.7 s (p50) for ChatFunction's two; with 6, p99 went from 8.3 s to 3.6 s.
MAX_BACKGROUND_ENVIRONMENTS = 6
# The environments of the functions no API route calls (stream, queue, rule and workflow consumers) run at this
# niceness (ZIK_BACKGROUND_NICE; 0: as the others). In Lambda they run on capacity of their own; on a laptop's
# few cores they take it from the requests a developer waits for, so these go first and the work behind them
# catches up.
BACKGROUND_NICE = 10
# An environment no invocation has used for this long is reclaimed, its process ended (ZIK_IDLE_SECONDS;
# 0 keeps them until the local cloud stops). Lambda keeps one for minutes, but on a laptop memory is the
# scarcer: after a burst the memory is back within a minute, and the next invocation of a function idle for
# longer pays a cold start of a few hundred milliseconds (a ready sandbox has the libraries loaded).
IDLE_SECONDS = 30.0
# What every zik function imports; a sandbox loads it before it knows which function it will be.
DEFAULT_PRELOAD = "boto3,aws_lambda_powertools,aws_lambda_powertools.event_handler"


@dataclass(frozen=True)
class DebugTarget:
    """One function whose execution environment a debugger attaches to (debugpy, on 127.0.0.1:``port``);
    ``wait``: its code runs only once a debugger is attached. Like `sam local --debug-port`, its
    invocations have no timeout (a breakpoint would otherwise end them), and it has one environment at a
    time (the port is one)."""

    function: str
    port: int
    wait: bool = False


@dataclass
class Invocation:
    """The outcome of one invocation, as the Lambda Invoke API reports it."""

    request_id: str
    payload: Any = None
    error: dict[str, Any] | None = None
    duration_ms: float = 0.0
    init_ms: float | None = None
    logs: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.error is not None


class FunctionCrashed(RuntimeError):
    pass


class EnvironmentsBusy(RuntimeError):
    """Every environment the function may have stayed busy for as long as the invocation may wait."""


def _setting(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r}: a number is expected") from None
    if value < 0:
        raise ValueError(f"{name}={raw!r}: it cannot be negative")
    return value


class Sandbox:
    """A started worker process with the runtime's common libraries loaded, not yet any function's.

    Sandboxes are ready ahead of need (see ``SandboxPool``), so that an execution environment only pays
    for importing its own handler: the local counterpart of Lambda keeping its runtime images ready. One is
    forked from a ``SandboxTemplate`` when given one, else started as a new interpreter.
    """

    def __init__(self, preload: str = DEFAULT_PRELOAD, *, template: SandboxTemplate | None = None):
        request_r, request_w = os.pipe()
        response_r, response_w = os.pipe()
        try:
            self.process: subprocess.Popen[bytes] | ForkedProcess
            if template is not None:
                self.process = template.fork(request_r, response_w)
            else:
                env = {**_base_environment(), "ZIK_WORKER_FDS": f"{request_r},{response_w}", "ZIK_PRELOAD": preload}
                self.process = _start_worker(env, (request_r, response_w), output=subprocess.PIPE)
        except BaseException:
            for fd in (request_w, response_r):
                os.close(fd)
            raise
        finally:
            os.close(request_r)
            os.close(response_w)
        self.requests = request_w
        self.responses = response_r

    def discard(self) -> None:
        for fd in (self.requests, self.responses):
            try:
                os.close(fd)
            except OSError:
                pass
        if self.process.poll() is None:
            self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


def _base_environment() -> dict[str, str]:
    return {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "LC_ALL", "SYSTEMROOT") if key in os.environ}


def _start_worker(env: dict[str, str], fds: tuple[int, ...], *, output: int | None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-u", str(_WORKER)],
        env=env,
        pass_fds=fds,
        stdin=subprocess.DEVNULL,
        stdout=output,
        stderr=subprocess.STDOUT if output is not None else None,
    )


def can_fork_sandboxes() -> bool:
    """Whether sandboxes can be forked from a template here: Linux's pidfds watch a process that is not our
    child (the template's), and Unix sockets carry the descriptors it is given."""
    return hasattr(os, "pidfd_open") and hasattr(socket, "send_fds")


class ForkedProcess:
    """A sandbox the template forked: what of ``subprocess.Popen`` the runtime uses, through a pidfd, since
    the process is the template's child and not ours. Its exit status is the template's to know (the kernel
    reaps it): ``returncode`` stays None, and ``poll`` answers ``EXITED`` once it has ended."""

    EXITED = -1

    def __init__(self, pid: int, stdout: IO[bytes]):
        self.pid = pid
        self.stdout = stdout
        self.returncode: int | None = None
        self._ended = False
        try:
            pidfd = os.pidfd_open(pid)
        except ProcessLookupError:  # already over
            self._ended = True
            return
        self._pidfd = pidfd
        # Closed with this object, not when the process ends: another thread may be waiting on it then.
        weakref.finalize(self, os.close, pidfd)

    def poll(self) -> int | None:
        return None if self._running(0) else self.EXITED

    def wait(self, timeout: float | None = None) -> int:
        if self._running(timeout):
            raise subprocess.TimeoutExpired(f"sandbox {self.pid}", timeout or 0)
        return self.EXITED

    def kill(self) -> None:
        if self._running(0):
            with contextlib.suppress(ProcessLookupError):  # ended meanwhile (its pipes closed), as Popen.kill allows
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)

    def _running(self, timeout: float | None) -> bool:
        if not self._ended and select.select([self._pidfd], [], [], timeout)[0]:  # ready once the process ended
            self._ended = True
        return not self._ended


class SandboxTemplate:
    """A worker process with the runtime's common libraries loaded that forks blank sandboxes on demand
    (worker.py's ``_fork_sandboxes``): each is ready in milliseconds and for no CPU, where a new interpreter
    spends 0.3 s of CPU on the imports, and under a burst the environments a function scales out to were
    waiting for it. Its messages travel on a Unix socket that carries each sandbox's descriptors."""

    def __init__(self, preload: str = DEFAULT_PRELOAD):
        ours, theirs = socket.socketpair()
        try:
            env = {**_base_environment(), "ZIK_TEMPLATE_FD": str(theirs.fileno()), "ZIK_PRELOAD": preload}
            self.process = _start_worker(env, (theirs.fileno(),), output=None)  # its own output: a crash's traceback
        finally:
            theirs.close()
        self._socket = ours
        self._lock = threading.Lock()

    def fork(self, request_r: int, response_w: int) -> ForkedProcess:
        """A new sandbox reading its requests from ``request_r`` and answering on ``response_w`` (both still
        ours to close); OSError if the template is gone."""
        output_r, output_w = os.pipe()
        try:
            with self._lock:
                socket.send_fds(self._socket, [b"f"], [request_r, response_w, output_w])
                answer = b""
                while len(answer) < _HEADER.size:
                    chunk = self._socket.recv(_HEADER.size - len(answer))
                    if not chunk:
                        raise BrokenPipeError("the sandboxes' template ended")
                    answer += chunk
        except BaseException:
            os.close(output_r)
            raise
        finally:
            os.close(output_w)
        (pid,) = _HEADER.unpack(answer)
        if not pid:
            os.close(output_r)
            raise OSError("the sandboxes' template refused the request")
        return ForkedProcess(pid, os.fdopen(output_r, "rb"))

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        self._socket.close()  # its loop ends; the sandboxes it forked are the runtime's to end
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class SandboxPool:
    """Sandboxes for the environments: forked from a template where the system allows (``fork``, default
    ``can_fork_sandboxes()``), else a few started ahead, another started each time one is taken."""

    def __init__(self, spares: int = 2, refill_delay: float = 1.0, preload: str = DEFAULT_PRELOAD, *, fork: bool | None = None):
        self.spares = spares
        self.preload = preload
        self.fork = can_fork_sandboxes() if fork is None else fork
        # A taken sandbox is replaced a moment later, not at once: right then, the environment that took
        # it is importing its handler, and a new sandbox would compete with it for the CPU.
        self.refill_delay = refill_delay
        self._ready: list[Sandbox] = []
        self._lock = threading.Lock()
        self._closed = False
        self._template: SandboxTemplate | None = None
        if self.fork:
            if spares:  # loading the libraries now, while the local cloud starts
                self._template = SandboxTemplate(preload)
            return
        for _ in range(spares):
            self._ready.append(Sandbox(preload))

    def take(self) -> Sandbox:
        if self.fork:
            return self._forked()
        with self._lock:
            sandbox = self._ready.pop() if self._ready else None
        if sandbox is None or sandbox.process.poll() is not None:
            if sandbox is not None:
                sandbox.discard()
            sandbox = Sandbox(self.preload)
        threading.Thread(target=self._refill, daemon=True, name="sandbox-refill").start()
        return sandbox

    def _forked(self) -> Sandbox:
        with self._lock:
            if self._closed:
                raise FunctionCrashed("the local cloud is shutting down")
            if self._template is None or not self._template.alive():
                if self._template is not None:
                    self._template.close()
                self._template = SandboxTemplate(self.preload)
            template = self._template
        try:
            return Sandbox(self.preload, template=template)
        except OSError:
            # The template ended between the check and the fork (killed from outside): the next take starts
            # another; this one is a new interpreter.
            return Sandbox(self.preload)

    def _refill(self) -> None:
        time.sleep(self.refill_delay)
        with self._lock:
            missing = 0 if self._closed else self.spares - len(self._ready)
        for _ in range(max(0, missing)):
            sandbox = Sandbox(self.preload)
            with self._lock:
                if self._closed:
                    sandbox.discard()
                    return
                self._ready.append(sandbox)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            ready, self._ready = self._ready, []
            template, self._template = self._template, None
        for sandbox in ready:
            sandbox.discard()
        if template is not None:
            template.close()


class Environment:
    """One warm execution environment (a worker process) of one function."""

    def __init__(
        self,
        spec: FunctionSpec,
        env: dict[str, str],
        generation: int,
        log: Callable[[str, str], None],
        sandbox: Sandbox,
        debug: DebugTarget | None = None,
        on_ready: Callable[[], None] | None = None,
    ):
        """``on_ready``: called once, when its INIT is over (or it ends without one)."""
        self.spec = spec
        self._on_ready = on_ready
        self.generation = generation
        self.log = log
        self.sandbox = sandbox
        self.process = sandbox.process
        self._requests = sandbox.requests
        self._responses = sandbox.responses
        self.lines: deque[str] = deque(maxlen=400)
        self._reader = threading.Thread(target=self._pump_logs, daemon=True, name=f"logs-{spec.logical_id}")
        self._reader.start()
        self.init_ms: float | None = None
        self.init_error: dict[str, Any] | None = None
        self.started = time.perf_counter()
        self.last_used = time.monotonic()  # when its last invocation ended: the reaper reclaims it once idle long enough
        self._initialised = False
        layers = [str(p) for p in spec.layer_dirs]
        init: dict[str, Any] = {"type": "init", "env": env, "taskRoot": str(spec.code_dir), "layers": layers, "handler": spec.handler}
        if debug is not None:
            init["debug"] = {"port": debug.port, "wait": debug.wait}
        self._send(init)

    def _pump_logs(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.lines.append(line)
            self.log(self.spec.logical_id, line)

    def _wait_init(self, deadline: float | None) -> None:
        if self._initialised:
            return
        try:
            message = self._receive(deadline)
        finally:
            self._ready()
        self._initialised = True
        if message.get("type") == "init_error":
            self.init_error = message["error"]
        else:
            self.init_ms = message.get("initMs")

    def _ready(self) -> None:
        on_ready, self._on_ready = self._on_ready, None
        if on_ready is not None:
            on_ready()

    def invoke(self, event: Any, request_id: str, timeout: float | None) -> Invocation:
        """``timeout`` None: no deadline (a function being debugged)."""
        mark = len(self.lines)
        self._wait_init(None if timeout is None else time.monotonic() + timeout + 10)  # INIT has its own 10 s allowance in Lambda
        first_use = self.init_ms
        # The function's timeout (and the REPORT duration) starts once INIT is over, as in Lambda.
        deadline = None if timeout is None else time.monotonic() + timeout
        started = time.perf_counter()
        if self.init_error:
            return Invocation(request_id, error={**self.init_error, "errorType": "Runtime.InitError"}, init_ms=self.init_ms)
        request = {
            "requestId": request_id,
            "event": event,
            "functionArn": self.spec.arn,
            # On the system-wide monotonic clock, which every process shares: a test that moves this
            # process's wall clock (time-machine) must not move the function's deadline. (Debugged: the
            # context still counts down from the function's timeout, which is what the code reads.)
            "deadlineMonotonic": deadline if deadline is not None else time.monotonic() + self.spec.timeout,
        }
        self._send(request)
        message = self._receive(deadline)
        duration = (time.perf_counter() - started) * 1000
        self.init_ms = None  # report the INIT duration once, with the first invocation
        logs = list(self.lines)[mark:]
        if message.get("type") == "result":
            return Invocation(request_id, payload=message.get("result"), duration_ms=duration, init_ms=first_use, logs=logs)
        return Invocation(request_id, error=message.get("error"), duration_ms=duration, init_ms=first_use, logs=logs)

    def _send(self, message: dict[str, Any]) -> None:
        payload = json.dumps(message).encode()
        data = _HEADER.pack(len(payload)) + payload
        try:
            while data:
                data = data[os.write(self._requests, data) :]
        except OSError as exc:
            raise FunctionCrashed(f"the execution environment is gone: {exc}") from None

    def _receive(self, deadline: float | None) -> dict[str, Any]:
        header = self._read_exact(_HEADER.size, deadline)
        (length,) = _HEADER.unpack(header)
        return json.loads(self._read_exact(length, deadline))

    def _read_exact(self, size: int, deadline: float | None) -> bytes:

        chunks = []
        while size:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise TimeoutError
            ready, _, _ = select.select([self._responses], [], [], remaining)
            if not ready:
                raise TimeoutError
            chunk = os.read(self._responses, size)
            if not chunk:
                self.process.wait(timeout=5)
                status = self.process.returncode
                raise FunctionCrashed("the process exited" + (f" with status {status}" if status is not None else ""))
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        self._ready()
        self.sandbox.discard()

    def kill(self) -> None:
        self._ready()
        if self.process.poll() is None:
            self.process.kill()


class Runtime:
    """Every function of a deployment, invocable synchronously or asynchronously."""

    def __init__(
        self,
        functions: dict[str, FunctionSpec],
        endpoint: str,
        *,
        env_overrides: dict[str, dict[str, str]] | None = None,
        log: Callable[[str, str], None] | None = None,
        watch: bool = True,
        sandboxes: SandboxPool | None = None,
        before_invoke: Callable[[FunctionSpec], None] | None = None,
        debug: DebugTarget | None = None,
        idle_seconds: float | None = None,
        max_environments: int | None = None,
        max_total: int | None = None,
        scale_out_after: float | None = None,
        taken_after_idle: float | None = None,
        background: Collection[str] = (),
        max_background: int | None = None,
        reap: bool = True,
    ):
        """``idle_seconds``, ``max_environments``, ``max_total``, ``scale_out_after``, ``taken_after_idle`` and
        ``max_background``: None reads ZIK_IDLE_SECONDS, ZIK_MAX_ENVIRONMENTS, ZIK_MAX_ENVIRONMENTS_TOTAL,
        ZIK_SCALE_OUT_AFTER, ZIK_TAKEN_AFTER_IDLE and ZIK_MAX_BACKGROUND_ENVIRONMENTS, else the defaults above.
        ``background``: the functions whose environments run at ZIK_BACKGROUND_NICE, at most ``max_background``
        of them at once. ``reap`` False: no reaper thread (``reap_idle`` is then called by whoever wants it)."""
        self.functions = functions
        self.idle_seconds = _setting("ZIK_IDLE_SECONDS", IDLE_SECONDS) if idle_seconds is None else idle_seconds
        self.max_environments = int(_setting("ZIK_MAX_ENVIRONMENTS", MAX_ENVIRONMENTS_PER_FUNCTION)) if max_environments is None else max_environments
        if self.max_environments < 1:
            raise ValueError("ZIK_MAX_ENVIRONMENTS: a function needs at least one environment")
        self.max_total = int(_setting("ZIK_MAX_ENVIRONMENTS_TOTAL", MAX_ENVIRONMENTS_TOTAL)) if max_total is None else max_total
        if self.max_total < 1:
            raise ValueError("ZIK_MAX_ENVIRONMENTS_TOTAL: the functions need at least one environment")
        self.scale_out_after = _setting("ZIK_SCALE_OUT_AFTER", SCALE_OUT_AFTER) if scale_out_after is None else scale_out_after
        self.taken_after_idle = _setting("ZIK_TAKEN_AFTER_IDLE", TAKEN_AFTER_IDLE) if taken_after_idle is None else taken_after_idle
        self.background = frozenset(background) & functions.keys()
        self.max_background = (
            int(_setting("ZIK_MAX_BACKGROUND_ENVIRONMENTS", MAX_BACKGROUND_ENVIRONMENTS)) if max_background is None else max_background
        )
        if self.max_background < 1:
            raise ValueError("ZIK_MAX_BACKGROUND_ENVIRONMENTS: the background functions need at least one environment")
        self.background_nice = int(_setting("ZIK_BACKGROUND_NICE", BACKGROUND_NICE))
        self.debug = debug
        self._running: set[Environment] = set()
        self._before_invoke = before_invoke
        self.endpoint = endpoint
        self.env_overrides = env_overrides or {}
        self.log = log or _print_log
        self._idle: dict[str, list[Environment]] = {name: [] for name in functions}
        self._busy: dict[str, int] = {name: 0 for name in functions}
        self._generation: dict[str, int] = {name: 0 for name in functions}
        self._warming: dict[str, int] = {name: 0 for name in functions}
        # Environments of each function being started for an invocation (INIT included): while one is, the
        # next invocation waits for an environment rather than starting a second at once.
        self._starting: dict[str, int] = {name: 0 for name in functions}
        # The invocations waiting for an environment of each function, first come first served: without the
        # queue, whichever waiter woke first would take a freed environment, and an unlucky one would wait
        # for its whole timeout while later ones were served.
        self._queued: dict[str, deque[object]] = {name: deque() for name in functions}
        # One lock for the runtime's state, and a condition of it per function that its queued invocations
        # wait on: a release wakes that function's queue (and the functions waiting for room under
        # max_total), not every invocation waiting anywhere. With one condition for all, under 50 clients
        # each release woke every waiter to find out it was not its turn: 8% of zik dev's time.
        self._lock = threading.RLock()
        self._turn = {name: threading.Condition(self._lock) for name in functions}
        self._wants_room: set[str] = set()  # the functions whose first queued invocation waits for room
        self._routed_released = -math.inf  # (monotonic) when a routed function's invocation last ended
        self._closed = False
        self._stopped = threading.Event()
        self._sandboxes = sandboxes or SandboxPool(spares=1)
        trees: dict[Path, float] = {}
        self._fingerprints = {name: self._fingerprint(spec, trees) for name, spec in functions.items()}
        if watch:
            threading.Thread(target=self._watch, daemon=True, name="code-watcher").start()
        if reap and self.idle_seconds > 0:
            threading.Thread(target=self._reap_while_open, daemon=True, name="environment-reaper").start()

    # -- environments ---------------------------------------------------------------------------------
    def environment_of(self, spec: FunctionSpec) -> dict[str, str]:
        base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "LC_ALL", "SYSTEMROOT") if key in os.environ}
        passthrough = {k: v for k, v in os.environ.items() if k.startswith(PASSTHROUGH_PREFIXES)}
        env = {
            **base,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_LAMBDA_FUNCTION_NAME": spec.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": f"local/{uuid.uuid4().hex}",
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
            "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001",
            "LAMBDA_TASK_ROOT": str(spec.code_dir),
            "LAMBDA_RUNTIME_DIR": str(Path(sys.executable).parent),
            "_HANDLER": spec.handler,
            "TZ": ":UTC",
            # No X-Ray daemon here: the Tracer runs disabled, as under `sam local`.
            "POWERTOOLS_TRACE_DISABLED": "true",
            "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR",
            **spec.environment,
            **passthrough,
            **self.env_overrides.get(spec.logical_id, {}),
        }
        return env

    def _acquire(self, name: str, *, warming: bool = False, wait: float | None = None) -> Environment:
        """An idle environment of the function, or a new one. ``warming``: for the prewarm itself, which
        counts as warming already (the others wait for it). ``wait``: the longest the invocation waits
        for one while the function has all the environments it may (None: as long as it takes), then
        EnvironmentsBusy."""
        spec = self.functions[name]
        began = time.monotonic()
        deadline = None if wait is None else began + wait
        scale_out_at = began + self.scale_out_after
        ticket = object()
        evicted: Environment | None = None
        with self._lock:
            # The prewarm is no queued invocation: the first requests wait for the environment it starts.
            queue = self._queued[name]
            if not warming:
                queue.append(ticket)
            try:
                while True:
                    if self._closed:
                        raise FunctionCrashed("the local cloud is shutting down")
                    idle = self._idle[name]
                    while idle and idle[-1].generation != self._generation[name]:
                        idle.pop().close()
                    if warming or queue[0] is ticket:
                        if idle and not warming:
                            environment = idle.pop()
                            self._busy[name] += 1
                            return environment
                        # An environment of this function starting right now is ready sooner than a new one,
                        # and one busy now is often free sooner than a new one would start.
                        now = time.monotonic()
                        may_start = warming or (
                            not self._warming[name] and not self._starting[name] and (self._busy[name] == 0 or now >= scale_out_at)
                        )
                        if may_start and self._busy[name] < self._most_environments(name):
                            room, evicted = self._room_for_one(name)
                            if room:
                                self._wants_room.discard(name)
                                self._busy[name] += 1
                                self._starting[name] += 1
                                break
                            self._wants_room.add(name)
                    now = time.monotonic()
                    remaining = None if deadline is None else deadline - now
                    if remaining is not None and remaining <= 0:
                        raise EnvironmentsBusy(
                            f"the function's {self._most_environments(name)} environments stayed busy for {wait:.0f} s "
                            f"(ZIK_MAX_ENVIRONMENTS sets how many it may have, ZIK_MAX_ENVIRONMENTS_TOTAL all the functions: {self.max_total})"
                        )
                    timeout = 1.0 if remaining is None else min(1.0, remaining)
                    if now < scale_out_at:
                        timeout = min(timeout, scale_out_at - now)
                    self._turn[name].wait(timeout=timeout)
            finally:
                if not warming:
                    queue.remove(ticket)
                    if not queue:
                        self._wants_room.discard(name)
                    self._turn[name].notify_all()  # the next in the queue may go now
        if evicted is not None:
            evicted.close()
        try:
            debug = self.debug if self._debugged(name) else None
            environment = Environment(
                spec,
                self.environment_of(spec),
                self._generation[name],
                self.log,
                self._sandboxes.take(),
                debug,
                functools.partial(self._started_one, name),
            )
        except BaseException:
            with self._lock:
                self._busy[name] -= 1
                self._starting[name] -= 1
                self._wake(name)
            raise
        if name in self.background and self.background_nice:
            _lower_priority(environment.process.pid, self.background_nice)
        with self._lock:
            self._running.add(environment)
            closed = self._closed
        if closed:
            environment.close()
            raise FunctionCrashed("the local cloud is shutting down")
        return environment

    def _started_one(self, name: str) -> None:
        with self._lock:
            self._starting[name] -= 1
            self._turn[name].notify_all()  # an invocation waiting to start another may now

    def _wake(self, name: str | None = None) -> None:
        """(Under the lock.) Wake the invocations queued for ``name``, and those waiting for room."""
        for waiting in self._wants_room | ({name} if name is not None else set()):
            self._turn[waiting].notify_all()

    def _room_for_one(self, name: str) -> tuple[bool, Environment | None]:
        """(Under the lock.) Whether one more environment fits under ``max_total``, and the idle environment
        of another function it replaces, if it takes one's place (the one idle the longest, taken out of
        its list here, for the caller to close)."""
        unused_since = time.monotonic() - self.taken_after_idle
        if name in self.background and self._serving() and self._started(self.background) >= self.max_background:
            # Past the background functions' bound: the place of another one's environment the burst left idle.
            return self._take_longest_idle(self.background - {name}, unused_since)
        if self._started(self.functions) < self.max_total:
            return True, None
        # A function that has one takes the place only of an environment the load has left idle a while: one
        # that is used now and then stays, or under a load that keeps every function busy the functions would
        # end each other's environments in turn (each ended one a cold start later).
        has_one = bool(self._busy[name] or self._idle[name])
        return self._take_longest_idle(self.functions.keys() - {name}, unused_since if has_one else None)

    def _take_longest_idle(self, names: Collection[str], unused_since: float | None) -> tuple[bool, Environment | None]:
        """(Under the lock.) The place of the environment of ``names`` idle the longest (and, given
        ``unused_since``, unused since then at the latest), taken out of its list for the caller to close;
        (False, None) when there is none."""
        idle = [(env.last_used, other) for other in names for env in self._idle[other][:1] if unused_since is None or env.last_used <= unused_since]
        if not idle:
            return False, None
        _, other = min(idle)
        return True, self._idle[other].pop(0)

    def _serving(self) -> bool:
        """(Under the lock.) Whether a routed function is busy or queued, or was within ``taken_after_idle``:
        the background functions' bound holds while requests are served, and their backlog is caught up
        after, with every environment there is."""
        routed = self.functions.keys() - self.background
        if any(self._busy[name] or self._queued[name] for name in routed):
            return True
        return time.monotonic() - self._routed_released < self.taken_after_idle

    def _started(self, names: Collection[str]) -> int:
        """(Under the lock.) The environments of ``names`` started, busy or idle."""
        return sum(self._busy[name] + len(self._idle[name]) for name in names)

    def _debugged(self, name: str) -> bool:
        return self.debug is not None and name in (self.debug.function, self.functions[name].name)

    def _most_environments(self, name: str) -> int:
        return 1 if self._debugged(name) else self.max_environments

    def _release(self, name: str, environment: Environment, reusable: bool) -> None:
        with self._lock:
            self._busy[name] -= 1
            if name not in self.background:
                self._routed_released = time.monotonic()
            self._running.discard(environment)
            if reusable and not self._closed and environment.generation == self._generation[name]:
                environment.last_used = time.monotonic()
                self._idle[name].append(environment)
            else:
                environment.close()
            self._wake(name)

    def prewarm(self, names: list[str], *, after_first: Callable[[], None] | None = None) -> None:
        """Start one environment per function in the background, in the order given, so that the first
        requests find them warm. The first function is warmed alone (on two cores, nine starting at once
        would delay the one asked for first); ``after_first`` runs once it is. The functions count as
        warming from now on: a request that comes before its function's environment has started waits
        for that one instead of starting a second, which would compete with it for the CPU."""
        # A function waiting for its debugger starts when it is first invoked: warming it would hold the
        # others' warm-up until someone attaches.
        names = [n for n in dict.fromkeys(names) if not (self._debugged(n) and self.debug and self.debug.wait)]
        with self._lock:
            for name in names:
                self._warming[name] += 1

        def stop_warming(name: str) -> None:
            with self._lock:
                self._warming[name] -= 1
                self._turn[name].notify_all()

        def warm() -> None:
            pending = list(names)  # not yet started: released whatever happens, or requests would wait on
            try:
                started: list[tuple[str, Environment]] = []
                for index, name in enumerate(names):
                    if index == 1:
                        self._finish_warming(started)
                        started = []
                        if after_first is not None:
                            after_first()
                    pending.remove(name)
                    try:
                        started.append((name, self._acquire(name, warming=True)))
                    except Exception:  # noqa: BLE001 - the first real invocation reports the problem
                        stop_warming(name)
                self._finish_warming(started)
                if len(names) <= 1 and after_first is not None:
                    after_first()
            finally:
                for name in pending:
                    stop_warming(name)

        threading.Thread(target=warm, daemon=True, name="prewarm").start()

    def _finish_warming(self, started: list[tuple[str, Environment]]) -> None:
        for name, environment in started:
            try:
                environment._wait_init(time.monotonic() + 30)
                reusable = environment.init_error is None
            except Exception:  # noqa: BLE001
                reusable = False
            with self._lock:
                self._warming[name] -= 1
            self._release(name, environment, reusable)

    # -- invocation -----------------------------------------------------------------------------------
    def invoke(self, name: str, event: Any, *, request_id: str | None = None, hold: bool = True) -> Invocation:
        """``hold=False`` skips ``before_invoke``: for the invocations that create what it waits for."""
        spec = self.functions[name]
        request_id = request_id or str(uuid.uuid4())
        if hold and self._before_invoke is not None:
            try:
                self._before_invoke(spec)
            except Exception as exc:  # noqa: BLE001 - e.g. a resource it needs failed: the invocation's answer
                invocation = Invocation(request_id, error={"errorType": type(exc).__name__, "errorMessage": str(exc)})
                self._report(spec, invocation)
                return invocation
        try:
            # Queued at most for the function's timeout, then throttled, as an invocation behind a reserved
            # concurrency would be (a debugged function has no timeout).
            environment = self._acquire(name, wait=None if self._debugged(name) else spec.timeout)
        except EnvironmentsBusy as exc:
            invocation = Invocation(request_id, error={"errorType": "TooManyRequestsException", "errorMessage": str(exc)})
            self._report(spec, invocation)
            return invocation
        reusable = False
        try:
            invocation = environment.invoke(event, request_id, None if self._debugged(name) else spec.timeout)
            reusable = invocation.error is None or invocation.error.get("errorType") != "Runtime.InitError"
        except TimeoutError:
            invocation = Invocation(
                request_id,
                error={
                    "errorType": "Sandbox.Timedout",
                    "errorMessage": f"Task timed out after {spec.timeout:.2f} seconds",
                },
                duration_ms=spec.timeout * 1000,
            )
        except FunctionCrashed as exc:
            reason = "the local cloud is shutting down" if self._closed else str(exc)
            invocation = Invocation(request_id, error={"errorType": "Runtime.ExitError", "errorMessage": reason})
        finally:
            self._release(name, environment, reusable)
        if not self._closed:  # (one ended by the shutdown reports nothing: nobody is there to read it)
            self._report(spec, invocation)
        return invocation

    def _report(self, spec: FunctionSpec, invocation: Invocation) -> None:
        init = f" Init Duration: {invocation.init_ms:.2f} ms" if invocation.init_ms else ""
        status = f" Error: {invocation.error.get('errorType')}" if invocation.error else ""
        self.log(
            spec.logical_id,
            f"REPORT RequestId: {invocation.request_id} Duration: {invocation.duration_ms:.2f} ms{init}{status}",
        )

    # -- scaling down ----------------------------------------------------------------------------------
    def reap_idle(self, now: float | None = None) -> int:
        """Ends the environments idle for ``idle_seconds`` by ``now`` (monotonic; default: now), and says how
        many. Only idle ones: a busy environment is in no idle list, and one taken meanwhile is no longer."""
        if self.idle_seconds <= 0:  # kept until the local cloud stops
            return 0
        now = time.monotonic() if now is None else now
        stale: list[Environment] = []
        with self._lock:
            for name, idle in self._idle.items():
                keep = [environment for environment in idle if now - environment.last_used < self.idle_seconds]
                if len(keep) != len(idle):
                    stale.extend(environment for environment in idle if environment not in keep)
                    self._idle[name] = keep
            if stale:
                self._wake()
        for environment in stale:
            environment.close()
        return len(stale)

    def _reap_while_open(self) -> None:
        period = reap_period(self.idle_seconds)
        while not self._stopped.wait(period):
            try:
                if self.reap_idle() and not any(self._busy.values()):
                    _return_freed_memory()
            except Exception as exc:  # noqa: BLE001 - a failed close must not end the reaping
                self.log("runtime", f"reclaiming idle environments failed: {exc!r}")

    # -- code reload ----------------------------------------------------------------------------------
    @staticmethod
    def _fingerprint(spec: FunctionSpec, trees: dict[Path, float]) -> float:
        """The latest change under the function's code and layers. ``trees`` holds the directories already
        walked in this round: every function shares the layer, which is walked once, not once each."""
        latest = 0.0
        for root in (spec.code_dir, *spec.layer_dirs):
            if root not in trees:
                trees[root] = _latest_change(root)
            latest = max(latest, trees[root])
        return latest

    def _watch(self) -> None:
        while not self._closed:
            time.sleep(0.5)
            trees: dict[Path, float] = {}
            for name, spec in self.functions.items():
                fingerprint = self._fingerprint(spec, trees)
                if fingerprint != self._fingerprints[name]:
                    self._fingerprints[name] = fingerprint
                    with self._lock:
                        self._generation[name] += 1
                        stale, self._idle[name] = self._idle[name], []
                    for environment in stale:
                        environment.close()
                    self.log(name, "code changed: the next invocation starts a fresh environment")

    def close(self) -> None:
        """Ends every environment, the running ones too: their invocations answer Runtime.ExitError."""
        self._stopped.set()
        with self._lock:
            self._closed = True
            environments = [env for envs in self._idle.values() for env in envs]
            running = list(self._running)
            for envs in self._idle.values():
                envs.clear()
            for turn in self._turn.values():
                turn.notify_all()
        for environment in environments:
            environment.close()
        for environment in running:
            # Killed, not closed: its invocation reads the end of its pipe and releases it (closing the pipe
            # under that read would leave it waiting on a closed descriptor).
            environment.kill()
        self._sandboxes.close()


def reap_period(idle_seconds: float) -> float:
    """How often the reaper looks: an environment outlives its idle time by at most a sixth of it, and 5 s (after a
    burst, the background functions' environments, the last to go idle, are gone within the minute)."""
    return max(0.5, min(idle_seconds / 6, 5.0))


def _lower_priority(pid: int, niceness: int) -> None:
    try:
        os.setpriority(os.PRIO_PROCESS, pid, niceness)  # a higher niceness needs no privilege
    except OSError:
        pass  # it ended meanwhile: its invocation says so


def _return_freed_memory() -> None:
    """Once a burst is over (its environments reclaimed, none busy), give the memory this process freed back
    to the system: glibc keeps what the embedded AWS's threads allocated in their arenas for reuse, and
    after 50 clients that is hundreds of megabytes nobody will ask for again soon. (Elsewhere than on glibc,
    nothing to do.)"""
    import ctypes
    import gc

    gc.collect()
    trim = getattr(ctypes.CDLL(None), "malloc_trim", None)  # this process's own symbols, the C library's among them
    if trim is not None:
        trim(0)


def _latest_change(root: Path) -> float:
    latest = 0.0
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != "__pycache__" and not d.startswith(".")]
        for filename in filenames:
            if filename.endswith((".py", ".json", ".yaml", ".txt", ".md")):
                try:
                    latest = max(latest, os.stat(os.path.join(directory, filename)).st_mtime)
                except FileNotFoundError:
                    continue
    return latest


def _print_log(function: str, line: str) -> None:
    sys.stderr.write(f"[{function}] {line}\n")
