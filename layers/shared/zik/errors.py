"""Domain errors. Raised anywhere, turned into HTTP answers in one place (``zik.http``).

Each error carries its HTTP status and a stable machine-readable ``code``; ``field`` names the input
that is wrong, so a client can point at it.
"""

from __future__ import annotations

from typing import Any


class ZikError(Exception):
    status = 500
    code = "internal_error"

    def __init__(self, message: str, *, field: str | None = None, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details or {}

    def headers(self) -> dict[str, str]:
        return {}

    def body(self, request_id: str | None = None) -> dict[str, Any]:
        return error_body(self.code, self.message, field=self.field, details=self.details, request_id=request_id)


class InvalidRequest(ZikError):
    status = 400
    code = "invalid_request"


class Unauthorized(ZikError):
    status = 401
    code = "unauthorized"


class Forbidden(ZikError):
    status = 403
    code = "forbidden"


class NotFound(ZikError):
    status = 404
    code = "not_found"


class Conflict(ZikError):
    status = 409
    code = "conflict"


class VersionConflict(Conflict):
    """The client sent back a version that is no longer the current one."""

    code = "version_conflict"

    def __init__(self, expected: int, current: int | None):
        super().__init__(
            f"version {expected} is stale; the current version is {current}: read it again and retry",
            field="version",
            details={"currentVersion": current},
        )


class PayloadTooLarge(ZikError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(ZikError):
    """The bytes are of a kind the route does not take (told by the bytes, never by the file's name)."""

    status = 415
    code = "unsupported_media_type"


class Unprocessable(ZikError):
    status = 422
    code = "unprocessable"


class TooManyRequests(ZikError):
    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after_seconds: int, details: dict[str, Any] | None = None):
        super().__init__(message, details={"retryAfterSeconds": retry_after_seconds, **(details or {})})
        self.retry_after_seconds = retry_after_seconds

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_seconds)}


def error_body(
    code: str,
    message: str,
    *,
    field: str | None = None,
    details: dict[str, Any] | None = None,
    request_id: str | None = None,
) -> dict[str, Any]:
    """The one shape of every error answer: ``{"error": {"code", "message", "field"?, ...}}``."""
    error: dict[str, Any] = {"code": code, "message": message}
    if field:
        error["field"] = field
    if details:
        error["details"] = details
    if request_id:
        error["requestId"] = request_id
    return {"error": error}
