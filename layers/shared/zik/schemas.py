"""JSON schemas kept as files (request bodies, domain events, AI answers), compiled once and reused.

The code validates with them and the tests read the same files. Validation uses fastjsonschema, the
engine under Powertools' validation utility, compiled once per schema: Powertools' ``validate`` compiles
on every call, which a request path should not pay for.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import fastjsonschema

ROOT = Path(__file__).parent / "schemas"
_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


class SchemaViolation(ValueError):
    """Data does not match its schema; ``field`` is the dotted path of the offending value."""

    def __init__(self, message: str, field: str | None):
        super().__init__(message)
        self.message = message
        self.field = field


@lru_cache(maxsize=None)
def load(kind: str, name: str) -> dict[str, Any]:
    if not _NAME.match(kind) or not _NAME.match(name):
        raise ValueError(f"bad schema name {kind}/{name}")
    return json.loads((ROOT / kind / f"{name}.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def _compiled(kind: str, name: str) -> Callable[[Any], Any]:
    return fastjsonschema.compile(load(kind, name))


def validate(kind: str, name: str, data: Any) -> Any:
    """Validate ``data`` (filling schema defaults); raise SchemaViolation naming the field."""
    try:
        return _compiled(kind, name)(data)
    except fastjsonschema.JsonSchemaValueException as exc:
        raise _violation(exc) from None


def validator(schema: dict[str, Any]) -> Callable[[Any], Any]:
    """A compiled validator for a schema held elsewhere; raises SchemaViolation like ``validate``."""
    compiled = fastjsonschema.compile(schema)

    def check(data: Any) -> Any:
        try:
            return compiled(data)
        except fastjsonschema.JsonSchemaValueException as exc:
            raise _violation(exc) from None

    return check


def names(kind: str) -> list[str]:
    return sorted(path.stem for path in (ROOT / kind).glob("*.json"))


_PROPERTIES = re.compile(r"\{([^}]*)\}|\[([^\]]*)\]")


def _violation(exc: fastjsonschema.JsonSchemaValueException) -> SchemaViolation:
    """Turn fastjsonschema's ``data.a.b must be ...`` into ``a.b must be ...`` with field ``a.b``."""
    path = exc.name[len("data") :].lstrip(".") if exc.name.startswith("data") else exc.name
    message = exc.message
    if exc.rule in ("additionalProperties", "required"):
        listed = _PROPERTIES.search(message)
        props = [p.strip(" '\"") for p in (listed.group(1) or listed.group(2)).split(",")] if listed else []
        prop = props[0] if props else ""
        field = f"{path}.{prop}" if path and prop else (prop or path or None)
        if exc.rule == "additionalProperties":
            message = f"{field} is not an allowed field" if field else "unknown field"
        else:
            message = f"{field} is required"
        return SchemaViolation(message, field)
    if message.startswith(exc.name):
        message = (path or "body") + message[len(exc.name) :]
    return SchemaViolation(message, path or None)
