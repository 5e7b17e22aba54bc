"""Environment configuration, checked once at init.

A function that lacks a variable fails at cold start with a message naming it, not on the first request
that happens to need it.
"""

from __future__ import annotations

import os


class ConfigError(RuntimeError):
    """The function's environment is missing or has an invalid setting."""


def require(*names: str) -> dict[str, str]:
    """Return the named variables, or raise naming every one that is missing or empty."""
    missing = [name for name in names if not os.environ.get(name)]
    if missing:
        raise ConfigError(f"missing environment variable(s): {', '.join(missing)}")
    return {name: os.environ[name] for name in names}


def optional(name: str, default: str) -> str:
    return os.environ.get(name) or default


def integer(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"environment variable {name} must be an integer, got {raw!r}") from None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ConfigError(f"environment variable {name}={value} is outside [{minimum}, {maximum}]")
    return value


def csv(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in optional(name, default).split(",") if part.strip()]
