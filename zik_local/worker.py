"""One function's execution environment: a Python process that imports the handler once (INIT) and then
serves invocations sent by the local cloud, as Lambda's runtime does.

It starts as a blank sandbox that loads the runtime's common libraries (ZIK_PRELOAD) while the local cloud
is still busy elsewhere, then waits for the one message that makes it a function's: that function's
environment variables, code directory, layers and handler. Or, with ZIK_TEMPLATE_FD, as the sandboxes'
template: it loads the libraries once and forks a blank sandbox each time the local cloud asks for one.

Standard library only, and nothing of the local cloud is imported: the function sees its own code, its
layers and the packages of the runtime, like in Lambda. Requests and answers travel as length-prefixed
JSON on two pipes, so the function's own stdout and stderr stay its logs.
"""

from __future__ import annotations

import importlib
import json
import os
import struct
import sys
import time
import traceback
from typing import Any

_HEADER = struct.Struct(">I")


def _read(fd: int) -> dict[str, Any] | None:
    header = _read_exact(fd, _HEADER.size)
    if header is None:
        return None
    (length,) = _HEADER.unpack(header)
    payload = _read_exact(fd, length)
    return None if payload is None else json.loads(payload)


def _read_exact(fd: int, size: int) -> bytes | None:
    chunks = []
    while size:
        chunk = os.read(fd, size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _write(fd: int, message: dict[str, Any]) -> None:
    payload = json.dumps(message).encode()
    data = _HEADER.pack(len(payload)) + payload
    while data:
        data = data[os.write(fd, data) :]


class LambdaContext:
    """The context object the Python runtime passes to a handler."""

    def __init__(self, request: dict[str, Any]):
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = request["functionArn"]
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        self.aws_request_id = request["requestId"]
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = None
        self.client_context = None
        # Lambda counts down from a wall-clock deadline; here the deadline is on CLOCK_MONOTONIC, which all
        # processes share, so that a moved wall clock (a test's, or the machine's) changes nothing.
        self._deadline = request["deadlineMonotonic"]

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _error(exc: BaseException) -> dict[str, Any]:
    return {
        "errorType": type(exc).__name__,
        "errorMessage": str(exc),
        "stackTrace": traceback.format_exception(type(exc), exc, exc.__traceback__),
    }


def _listen_for_debugger(debug: dict[str, Any], response_fd: int) -> None:
    """debugpy's server on 127.0.0.1 (`zik dev --debug-function`, `zik invoke --debug-port`), before the handler
    is imported, so that a breakpoint in its module's own code is hit too; and before the environment
    becomes the function's, so that debugpy's adapter process starts with the developer's."""
    try:
        import debugpy

        debugpy.listen(("127.0.0.1", int(debug["port"])))
    except ImportError as exc:
        _write(response_fd, {"type": "init_error", "error": _error(ImportError(f"{exc}: pip install debugpy to debug a function"))})
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - e.g. the port is taken: the environment's INIT error
        _write(response_fd, {"type": "init_error", "error": _error(exc)})
        sys.exit(1)
    print(f"debugpy listens on 127.0.0.1:{debug['port']}" + (": waiting for a debugger to attach" if debug.get("wait") else ""), flush=True)
    if debug.get("wait"):
        debugpy.wait_for_client()
        print("debugger attached", flush=True)


def main() -> None:
    sys.path.pop(0)  # this file's folder is no part of a function's search path
    # Lambda's Python runtime has boto3 without the AWS Common Runtime; the packages here (the SAM CLI's) have
    # it, and botocore would load it in every environment (6 MB of each one's memory) for what no function
    # has in Lambda. No layer of the template ships it.
    sys.modules["awscrt"] = None  # type: ignore[assignment]  # (None: an import of it fails, as in Lambda)
    for module in filter(None, os.environ.pop("ZIK_PRELOAD", "").split(",")):
        try:
            importlib.import_module(module)
        except ImportError:
            pass
    template = os.environ.pop("ZIK_TEMPLATE_FD", None)
    if template is not None:
        _fork_sandboxes(int(template))
        return
    request_fd, response_fd = (int(fd) for fd in os.environ.pop("ZIK_WORKER_FDS").split(","))
    _serve(request_fd, response_fd)


def _fork_sandboxes(control_fd: int) -> None:
    """The sandboxes' template: with the libraries loaded, it forks a sandbox for each message of the local
    cloud on ``control_fd`` (a Unix socket), which brings the sandbox's three descriptors (its request pipe,
    its response pipe, its output), and answers with the sandbox's pid. A fork shares what the template
    loaded: a sandbox is ready in milliseconds, where a new interpreter spends 0.3 s of CPU on the imports."""
    import signal
    import socket

    control = socket.socket(fileno=control_fd)
    # The kernel reaps the forked sandboxes: the local cloud, not their parent, watches each (through a pidfd).
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 1, 3)
        except OSError:
            return
        if not message:
            return  # the local cloud closed its end: the template's work is over
        if len(fds) != 3:
            for fd in fds:
                os.close(fd)
            control.sendall(_HEADER.pack(0))
            continue
        pid = os.fork()
        if pid == 0:
            control.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the function's own subprocesses are its to wait for
            request_fd, response_fd, output_fd = fds
            os.dup2(output_fd, 1)
            os.dup2(output_fd, 2)
            os.close(output_fd)
            status = 1
            try:
                _serve(request_fd, response_fd)
                status = 0
            except SystemExit as exc:
                status = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
            except BaseException:  # noqa: BLE001 - the sandbox ends here, never back in the template's loop
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(status)
        for fd in fds:
            os.close(fd)
        control.sendall(_HEADER.pack(pid))


def _serve(request_fd: int, response_fd: int) -> None:
    init = _read(request_fd)
    if init is None:
        return
    if init.get("debug"):
        _listen_for_debugger(init["debug"], response_fd)
    # From here on the process is the function's: its environment, and Lambda's search path (the
    # function's code, then its layers, then the runtime's packages).
    os.environ.clear()
    os.environ.update(init["env"])
    time.tzset()
    sys.path[0:0] = [init["taskRoot"], *init["layers"]]
    os.chdir(init["taskRoot"])
    module_name, _, function_name = init["handler"].rpartition(".")
    started = time.perf_counter()
    try:
        handler = getattr(importlib.import_module(module_name), function_name)
    except BaseException as exc:  # noqa: BLE001 - an INIT failure of any kind is reported, as Lambda does
        traceback.print_exc()
        _write(response_fd, {"type": "init_error", "error": _error(exc)})
        sys.exit(1)
    _write(response_fd, {"type": "ready", "initMs": (time.perf_counter() - started) * 1000})
    while True:
        request = _read(request_fd)
        if request is None:
            return
        try:
            result = handler(request["event"], LambdaContext(request))
            answer = {"type": "result", "id": request["requestId"], "result": result}
            try:
                _write(response_fd, answer)
            except (TypeError, ValueError) as exc:  # Runtime.MarshalError: the result is not JSON
                _write(response_fd, {"type": "error", "id": request["requestId"], "error": _error(exc)})
        except BaseException as exc:  # noqa: BLE001 - the handler's failure is the invocation's answer
            traceback.print_exc()
            sys.stderr.flush()
            _write(response_fd, {"type": "error", "id": request["requestId"], "error": _error(exc)})
        sys.stdout.flush()
        sys.stderr.flush()


if __name__ == "__main__":
    main()
