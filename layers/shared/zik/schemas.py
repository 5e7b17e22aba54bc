r"""JSON schemas kept as files (request bodies, domain events, AI answers), compiled once and reused.

The code validates with them and the tests read the same files. Validation uses fastjsonschema, the
engine under Powertools' validation utility, compiled once per schema: Powertools' ``validate`` compiles
on every call, which a request path should not pay for.

A schema's ``pattern`` is an ECMA-262 regular expression, where ``\d`` is 0-9 and ``\w`` is ASCII;
fastjsonschema runs it with Python's ``re``, where both are Unicode ("٣" and "³" are digits there). The
patterns are rewritten to mean what the schema says before they are compiled.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema

ROOT = Path(__file__).parent / "schemas"
_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


class SchemaViolation(ValueError):
    """Data does not match its schema; ``field`` is the dotted path of the offending value."""

    def __init__(self, message: str, field: str | None):
        super().__init__(message)
        self.message = message
        self.field = field


@cache
def load(kind: str, name: str) -> dict[str, Any]:
    if not _NAME.match(kind) or not _NAME.match(name):
        raise ValueError(f"bad schema name {kind}/{name}")
    return json.loads((ROOT / kind / f"{name}.json").read_text(encoding="utf-8"))


@cache
def _compiled(kind: str, name: str) -> Callable[[Any], Any]:
    return fastjsonschema.compile(_ecma_patterns(load(kind, name)))


def validate(kind: str, name: str, data: Any) -> Any:
    """Validate ``data`` (filling schema defaults); raise SchemaViolation naming the field."""
    try:
        return _compiled(kind, name)(data)
    except fastjsonschema.JsonSchemaValueException as exc:
        raise _violation(exc) from None


def validator(schema: dict[str, Any]) -> Callable[[Any], Any]:
    """A compiled validator for a schema held elsewhere; raises SchemaViolation like ``validate``."""
    compiled = fastjsonschema.compile(_ecma_patterns(schema))

    def check(data: Any) -> Any:
        try:
            return compiled(data)
        except fastjsonschema.JsonSchemaValueException as exc:
            raise _violation(exc) from None

    return check


def names(kind: str) -> list[str]:
    return sorted(path.stem for path in (ROOT / kind).glob("*.json"))


# ECMA-262's ASCII classes, as the ranges a Python character class holds.
_ECMA_CLASSES = {"d": "0-9", "w": "A-Za-z0-9_"}


def _ecma_patterns(schema: Any) -> Any:
    """A copy of ``schema`` whose ``pattern`` and ``patternProperties`` mean in Python what they mean in
    ECMA-262."""
    if isinstance(schema, list):
        return [_ecma_patterns(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    rewritten: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "pattern" and isinstance(value, str):
            rewritten[key] = ecma_pattern(value)
        elif key == "patternProperties" and isinstance(value, dict):
            rewritten[key] = {ecma_pattern(pattern): _ecma_patterns(sub) for pattern, sub in value.items()}
        else:
            rewritten[key] = _ecma_patterns(value)
    return rewritten


def ecma_pattern(pattern: str) -> str:
    r"""``\d`` and ``\w`` (and ``\D``, ``\W`` outside a class) spelled as the ASCII ranges they are in
    ECMA-262; everything else as written."""
    out: list[str] = []
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            escaped = pattern[index + 1]
            ranges = _ECMA_CLASSES.get(escaped.lower())
            if ranges and escaped.islower():
                out.append(ranges if in_class else f"[{ranges}]")
            elif ranges and not in_class:
                out.append(f"[^{ranges}]")
            else:
                out.append(pattern[index : index + 2])
            index += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        out.append(char)
        index += 1
    return "".join(out)


_PROPERTIES = re.compile(r"\{([^}]*)\}|\[([^\]]*)\]")


def _violation(exc: fastjsonschema.JsonSchemaValueException) -> SchemaViolation:
    """Turn fastjsonschema's ``data.a.b must be ...`` into ``a.b must be ...`` with field ``a.b``."""
    name = exc.name or "data"  # the compiled validators always name the value; the exception's type allows None
    path = name[len("data") :].lstrip(".") if name.startswith("data") else name
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
    if message.startswith(name):
        message = (path or "body") + message[len(name) :]
    return SchemaViolation(message, path or None)
