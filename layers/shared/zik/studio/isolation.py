"""Native code that reads an upload runs in a forked child: if it crashes, only the child dies.

libheif, which pillow-heif bundles, reads HEIC. The last pillow-heif whose wheels load on Lambda's
python3.11 (Amazon Linux 2, glibc 2.26) is 1.0.0, with libheif 1.19.8, and that libheif dies of a
segmentation fault on some damaged HEIC files (tests/fixtures/studio/damaged-heic-crashes-libheif.bin is
one; the newer libheif reads it without harm). In-process, such a file would kill the function's
execution environment. The queue would then deliver the upload again, and the environment would die
again each time until the message reached the DLQ, with no answer for the user. In a child, the crash is
a refusal the user is told about.

``run`` forks. The child calls the function and writes its answer back through a pipe: a JSON header and
raw bytes (the pixels). No pickle is used: whatever the decoder does to the child's memory, the parent
reads only those two things. A ZikError raised in the child is rebuilt in the parent from its code.
Anything else is ``IsolatedFailure``, and so are a child that dies and a child silent for ``timeout``
seconds (which is then killed). Fork, not a fresh interpreter: the child shares the parent's loaded
modules, so starting it costs a few milliseconds, not a second of imports. It also needs no /dev/shm,
which Lambda lacks and multiprocessing's queues need.
"""

from __future__ import annotations

import faulthandler
import json
import os
import select
import signal
import struct
import traceback
from collections.abc import Callable, Iterable
from typing import Any

from zik.errors import ZikError

_LENGTH = struct.Struct(">Q")
_READ_SIZE = 1 << 20
_CHILD_FAILED = 70  # EX_SOFTWARE: the child could not even send its answer


class IsolatedFailure(Exception):
    """The child crashed, ran out of time, or raised something that is not a ZikError."""

    def __init__(self, message: str, *, signal_number: int | None = None, timed_out: bool = False):
        super().__init__(message)
        self.signal_number = signal_number
        self.timed_out = timed_out


def run(
    function: Callable[..., tuple[dict[str, Any], bytes]],
    *args: Any,
    timeout: float,
    errors: Iterable[type[ZikError]] = (),
) -> tuple[dict[str, Any], bytes]:
    """``function(*args)`` called in a forked child. It returns (a JSON-able header, bytes); a ZikError
    of one of ``errors`` classes that it raises is raised here."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's lines run in another process
        os.close(read_end)
        _child(write_end, function, args)
    os.close(write_end)
    try:
        message = _read_all(read_end, pid, timeout)
    finally:
        os.close(read_end)
        _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        raise IsolatedFailure(f"the child died of signal {signal.Signals(number).name}", signal_number=number)
    if os.WEXITSTATUS(status) != 0 or len(message) < _LENGTH.size:
        raise IsolatedFailure(f"the child exited with status {os.WEXITSTATUS(status)} and no answer")
    return _answer(message, {error.code: error for error in errors})


def _child(write_end: int, function: Callable[..., tuple[dict[str, Any], bytes]], args: tuple[Any, ...]) -> None:
    status = 0
    # A crash here is the parent's to report, as a refusal: no second account of it on stderr (pytest and
    # python -X faulthandler turn faulthandler on, and the child inherits it).
    faulthandler.disable()
    try:
        try:
            header, payload = function(*args)
            outcome: dict[str, Any] = {"ok": header}
        except ZikError as error:
            outcome, payload = {"zikError": {"code": error.code, "message": error.message, "field": error.field, "details": error.details}}, b""
        except BaseException as error:  # noqa: BLE001 - whatever it was, the parent hears of it
            outcome, payload = {"failure": "".join(traceback.format_exception_only(error)).strip()}, b""
        head = json.dumps(outcome, default=str).encode()
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(_LENGTH.pack(len(head)))
            pipe.write(head)
            pipe.write(payload)
    except BaseException:  # noqa: BLE001
        status = _CHILD_FAILED
    finally:
        # No cleanup of the parent's (atexit handlers, buffered files, test fixtures) may run in the child.
        os._exit(status)


def _read_all(read_end: int, pid: int, timeout: float) -> bytes:
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([read_end], [], [], timeout)
        if not ready:
            os.kill(pid, signal.SIGKILL)  # (reaped by the caller's waitpid)
            raise IsolatedFailure(f"the child was silent for {timeout} s and was stopped", timed_out=True)
        chunk = os.read(read_end, _READ_SIZE)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _answer(message: bytes, errors: dict[str, type[ZikError]]) -> tuple[dict[str, Any], bytes]:
    (length,) = _LENGTH.unpack_from(message)
    body_start = _LENGTH.size + length
    try:
        outcome = json.loads(message[_LENGTH.size : body_start])
    except ValueError as error:
        raise IsolatedFailure(f"the child's answer is not JSON: {error}") from error
    if "ok" in outcome:
        return outcome["ok"], message[body_start:]
    if "zikError" in outcome:
        raised = outcome["zikError"]
        error_class = errors.get(raised.get("code"))
        if error_class is not None:
            raise error_class(raised["message"], field=raised.get("field"), details=raised.get("details"))
        raise IsolatedFailure(f"the child raised an unexpected {raised.get('code')}: {raised.get('message')}")
    raise IsolatedFailure(f"the child failed: {outcome.get('failure')}")
