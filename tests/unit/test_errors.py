"""zik.errors: one error shape, a stable code and HTTP status per error."""

from __future__ import annotations

import pytest

from zik import errors
from zik.errors import (
    Conflict,
    Forbidden,
    InvalidRequest,
    NotFound,
    PayloadTooLarge,
    TooManyRequests,
    Unauthorized,
    Unprocessable,
    VersionConflict,
    ZikError,
    error_body,
)


def test_error_body_has_only_code_and_message_when_nothing_else_is_known():
    assert error_body("not_found", "no such goal") == {"error": {"code": "not_found", "message": "no such goal"}}


def test_error_body_carries_field_details_and_request_id():
    body = error_body("invalid_request", "bad", field="timezone", details={"max": 3}, request_id="req-1")
    assert body == {
        "error": {
            "code": "invalid_request",
            "message": "bad",
            "field": "timezone",
            "details": {"max": 3},
            "requestId": "req-1",
        }
    }


@pytest.mark.parametrize(
    ("cls", "status", "code"),
    [
        (ZikError, 500, "internal_error"),
        (InvalidRequest, 400, "invalid_request"),
        (Unauthorized, 401, "unauthorized"),
        (Forbidden, 403, "forbidden"),
        (NotFound, 404, "not_found"),
        (Conflict, 409, "conflict"),
        (PayloadTooLarge, 413, "payload_too_large"),
        (Unprocessable, 422, "unprocessable"),
    ],
)
def test_each_error_has_its_status_and_code(cls, status, code):
    exc = cls("something is wrong", field="name")
    assert (exc.status, exc.code) == (status, code)
    assert str(exc) == "something is wrong"
    assert exc.headers() == {}
    assert exc.body("r-9") == {"error": {"code": code, "message": "something is wrong", "field": "name", "requestId": "r-9"}}


def test_every_error_is_a_zik_error():
    for name in (
        "InvalidRequest",
        "Unauthorized",
        "Forbidden",
        "NotFound",
        "Conflict",
        "VersionConflict",
        "PayloadTooLarge",
        "Unprocessable",
        "TooManyRequests",
    ):
        assert issubclass(getattr(errors, name), ZikError), name


def test_version_conflict_is_a_409_naming_version_and_the_current_one():
    exc = VersionConflict(2, 5)
    assert isinstance(exc, Conflict)
    assert exc.status == 409
    assert exc.code == "version_conflict"
    assert exc.field == "version"
    assert exc.details == {"currentVersion": 5}
    assert "2" in exc.message and "5" in exc.message
    assert exc.body()["error"]["details"] == {"currentVersion": 5}


def test_too_many_requests_sends_retry_after():
    exc = TooManyRequests("slow down", retry_after_seconds=30, details={"limit": 10})
    assert exc.status == 429
    assert exc.code == "too_many_requests"
    assert exc.headers() == {"Retry-After": "30"}
    assert exc.details == {"retryAfterSeconds": 30, "limit": 10}
    assert exc.body()["error"]["details"]["retryAfterSeconds"] == 30
