"""zik.studio.isolation: a function run in a forked child. Its answer comes back; its ZikError is raised
again; its crash, its silence and its other exceptions are IsolatedFailure; the parent lives on. And the
photo that crashes libheif in-process is refused as corrupt_image, through the studio's own checks."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from zik.errors import NotFound, ZikError
from zik.studio import images, isolation

CRASHING_HEIC = Path(__file__).parents[1] / "fixtures" / "studio" / "damaged-heic-crashes-libheif.bin"


def answer(text: str, size: int) -> tuple[dict, bytes]:
    return {"text": text, "pid": os.getpid()}, bytes(range(256)) * size


def refuse(name: str) -> tuple[dict, bytes]:
    raise NotFound(f"no {name}", field="name", details={"name": name})


def crash() -> tuple[dict, bytes]:
    os.kill(os.getpid(), signal.SIGSEGV)
    raise AssertionError("unreachable")


def hang() -> tuple[dict, bytes]:
    signal.pause()
    raise AssertionError("unreachable")


def fail() -> tuple[dict, bytes]:
    raise KeyError("width")


def exit_quietly() -> tuple[dict, bytes]:
    os._exit(0)


def test_the_answer_comes_back_from_another_process_whole():
    # 25 MB: more than a pipe's buffer many times over, as a decoded photo is.
    header, payload = isolation.run(answer, "hello", 100_000, timeout=30)

    assert header["text"] == "hello" and header["pid"] != os.getpid()
    assert payload == bytes(range(256)) * 100_000


def test_a_zik_error_in_the_child_is_raised_again_with_its_field_and_details():
    with pytest.raises(NotFound) as raised:
        isolation.run(refuse, "hairstyle", timeout=30, errors=[NotFound])

    assert (raised.value.message, raised.value.field, raised.value.details) == ("no hairstyle", "name", {"name": "hairstyle"})


def test_a_zik_error_the_caller_did_not_expect_is_a_failure_naming_it():
    with pytest.raises(isolation.IsolatedFailure, match="not_found: no hairstyle"):
        isolation.run(refuse, "hairstyle", timeout=30)


def test_a_crash_in_the_child_is_a_failure_naming_the_signal_and_the_parent_lives_on():
    with pytest.raises(isolation.IsolatedFailure, match="SIGSEGV") as raised:
        isolation.run(crash, timeout=30)

    assert raised.value.signal_number == signal.SIGSEGV and not raised.value.timed_out


def test_a_silent_child_is_stopped_after_its_timeout():
    with pytest.raises(isolation.IsolatedFailure, match="silent for 0.2 s") as raised:
        isolation.run(hang, timeout=0.2)

    assert raised.value.timed_out


def test_any_other_exception_is_a_failure_with_its_text():
    with pytest.raises(isolation.IsolatedFailure, match="KeyError: 'width'"):
        isolation.run(fail, timeout=30)


def test_a_child_that_leaves_without_an_answer_is_a_failure():
    with pytest.raises(isolation.IsolatedFailure, match="no answer"):
        isolation.run(exit_quietly, timeout=30)


def test_no_child_is_left_behind():
    for function in (crash, fail, exit_quietly):
        with pytest.raises(isolation.IsolatedFailure):
            isolation.run(function, timeout=30)
    isolation.run(answer, "x", 1, timeout=30)

    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_the_heic_that_crashes_libheif_is_refused_as_corrupt_and_the_process_lives_on():
    data = CRASHING_HEIC.read_bytes()
    assert images.sniff(data) == "heic"

    for entry_point in (images.clean, images.check, images.upright):
        with pytest.raises(images.CorruptImage) as raised:
            entry_point(data)
        assert raised.value.code == "corrupt_image" and raised.value.status == 422
        assert "HEIC is damaged: its decoder failed on it" in raised.value.message


def test_a_refusal_made_in_the_child_keeps_its_own_code():
    # A HEIC cut short: libheif refuses it cleanly, in the child; the parent raises that same refusal.
    with pytest.raises(ZikError) as raised:
        images.clean(CRASHING_HEIC.read_bytes()[:40])

    assert type(raised.value) is images.CorruptImage and "decoder" not in raised.value.message
    assert raised.value.field == "photo"
