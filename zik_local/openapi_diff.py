"""Breaking changes between two OpenAPI 3.0 documents of the API: what a client written against the old one
would meet in the new one. `make lint`'s contract test compares the document the code builds with the last
committed copy (docs/openapi.json), as the handler cookbook does with oasdiff (a Go binary; this is its
rule set for the parts of OpenAPI this API uses).

Breaking, for a client:
- an operation it calls is gone, or now needs a token;
- a request it sends is refused: a new required parameter or body property, a parameter or property it
  sends is gone where unknown ones are refused, a type changed, an enum lost a value, a length, size or
  range got narrower, a pattern changed, a body became required;
- an answer it reads changed: a success status or media type is gone, a property it reads is gone or no
  longer always there, a type changed, a value may now be null, an enum gained a value it does not know.
Additions a client cannot notice (a new operation, an optional parameter, a new answer property, a wider
request limit) are not breaking.
"""

from __future__ import annotations

from typing import Any

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "x-amazon-apigateway-any-method")
# Limits that refuse more when they grow, and those that refuse more when they shrink.
_LOWER_BOUNDS = ("minLength", "minimum", "minItems", "minProperties", "exclusiveMinimum")
_UPPER_BOUNDS = ("maxLength", "maximum", "maxItems", "maxProperties", "exclusiveMaximum")


def breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for path, old_operations in old.get("paths", {}).items():
        new_operations = new.get("paths", {}).get(path, {})
        for method in _METHODS:
            if method not in old_operations:
                continue
            where = f"{method.upper()} {path}"
            if method not in new_operations:
                found.append(f"{where}: the operation is gone")
                continue
            found += _operation(where, old, new, old_operations[method], new_operations[method])
    return found


def _operation(where: str, old_doc: dict[str, Any], new_doc: dict[str, Any], old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    found: list[str] = []
    if not old.get("security") and new.get("security"):
        found.append(f"{where}: now needs a token")
    old_parameters = {(p["in"], p["name"]): p for p in old.get("parameters", [])}
    new_parameters = {(p["in"], p["name"]): p for p in new.get("parameters", [])}
    for key, parameter in new_parameters.items():
        label = f"{where}: {key[0]} parameter {key[1]}"
        if parameter.get("required") and not (old_parameters.get(key) or {}).get("required"):
            found.append(f"{label} is now required")
        if key in old_parameters:
            found += _schema(label, _Request(old_doc, new_doc), old_parameters[key].get("schema", {}), parameter.get("schema", {}))
    old_body, new_body = old.get("requestBody"), new.get("requestBody")
    if new_body and new_body.get("required") and not (old_body or {}).get("required"):
        found.append(f"{where}: a request body is now required")
    if old_body and new_body:
        for media, content in old_body.get("content", {}).items():
            if media not in new_body.get("content", {}):
                found.append(f"{where}: request bodies of {media} are no longer taken")
            else:
                found += _schema(
                    f"{where}: request body", _Request(old_doc, new_doc), content.get("schema", {}), new_body["content"][media].get("schema", {})
                )
    for status, response in old.get("responses", {}).items():
        if not status.startswith("2"):
            continue
        label = f"{where}: answer {status}"
        if status not in new.get("responses", {}):
            found.append(f"{label} is gone")
            continue
        new_content = new["responses"][status].get("content", {})
        for media, content in (response.get("content") or {}).items():
            if media not in new_content:
                found.append(f"{label} as {media} is gone")
            else:
                found += _schema(f"{label}", _Response(old_doc, new_doc), content.get("schema", {}), new_content[media].get("schema", {}))
    return found


class _Direction:
    """Which side of the wire a schema is on: what narrows a request widens an answer."""

    request: bool

    def __init__(self, old_doc: dict[str, Any], new_doc: dict[str, Any]):
        self.old_doc, self.new_doc = old_doc, new_doc
        self.seen: set[tuple[str, str]] = set()


class _Request(_Direction):
    request = True


class _Response(_Direction):
    request = False


def _resolved(document: dict[str, Any], schema: dict[str, Any]) -> tuple[dict[str, Any], str]:
    ref = schema.get("$ref", "")
    while ref:
        schema = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
        if "$ref" not in schema:
            return schema, ref
        ref = schema["$ref"]
    return schema, ""


def _schema(label: str, direction: _Direction, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    old, old_ref = _resolved(direction.old_doc, old)
    new, new_ref = _resolved(direction.new_doc, new)
    if old_ref or new_ref:
        # A schema that refers to itself (or two operations sharing one) is compared once.
        if (old_ref, new_ref) in direction.seen:
            return []
        direction.seen.add((old_ref, new_ref))
    found: list[str] = []
    if old.get("type") != new.get("type") and old.get("type") is not None:
        found.append(f"{label}: type {old.get('type')} became {new.get('type')}")
        return found
    if direction.request:
        found += _narrower_request(label, old, new)
    else:
        found += _changed_answer(label, old, new)
    old_properties, new_properties = old.get("properties", {}), new.get("properties", {})
    for name, old_property in old_properties.items():
        if name in new_properties:
            found += _schema(f"{label}.{name}", direction, old_property, new_properties[name])
        elif direction.request and new.get("additionalProperties") is False:
            found.append(f"{label}.{name} is no longer taken (unknown properties are refused)")
        elif not direction.request:
            found.append(f"{label}.{name} is gone")
    if "items" in old and "items" in new:
        found += _schema(f"{label}[]", direction, old["items"], new["items"])
    for key in ("oneOf", "anyOf"):
        if len(old.get(key, [])) == len(new.get(key, [])):
            for index, (old_choice, new_choice) in enumerate(zip(old.get(key, []), new.get(key, []))):
                found += _schema(f"{label}<{key} {index}>", direction, old_choice, new_choice)
        elif key in old or key in new:
            found.append(f"{label}: its {key} choices changed")
    return found


def _narrower_request(label: str, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    found = []
    for name in sorted(set(new.get("required", [])) - set(old.get("required", []))):
        found.append(f"{label}.{name} is now required")
    if ("enum" in new and set(old.get("enum", new["enum"])) - set(new["enum"])) or ("enum" in new and "enum" not in old):
        found.append(f"{label}: takes fewer values ({sorted(set(old.get('enum', [])) - set(new['enum'])) or 'an enum now'})")
    for key in _LOWER_BOUNDS:
        if key in new and (key not in old or new[key] > old[key]):
            found.append(f"{label}: {key} {old.get(key)} became {new[key]}")
    for key in _UPPER_BOUNDS:
        if key in new and (key not in old or new[key] < old[key]):
            found.append(f"{label}: {key} {old.get(key)} became {new[key]}")
    if new.get("pattern") and new.get("pattern") != old.get("pattern"):
        found.append(f"{label}: pattern {old.get('pattern')!r} became {new['pattern']!r}")
    if old.get("nullable") and not new.get("nullable"):
        found.append(f"{label}: no longer takes null")
    if old.get("additionalProperties") is not False and new.get("additionalProperties") is False and old.get("type") == "object":
        found.append(f"{label}: unknown properties are now refused")
    return found


def _changed_answer(label: str, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    found = []
    for name in sorted(set(old.get("required", [])) - set(new.get("required", []))):
        if name in new.get("properties", {}):
            found.append(f"{label}.{name} is no longer always there")
    if ("enum" in old and set(new.get("enum", [])) - set(old["enum"])) or ("enum" in old and "enum" not in new):
        found.append(f"{label}: may be a value clients do not know ({sorted(set(new.get('enum', [])) - set(old['enum'])) or 'any'})")
    if new.get("nullable") and not old.get("nullable"):
        found.append(f"{label}: may now be null")
    return found
