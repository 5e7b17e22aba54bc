"""The API's OpenAPI document, built from what already exists: the routes and authorizers of the template,
the handlers' own route functions (read, not imported: their docstrings and the request schema each one
validates with), and the schema files.
"""

from __future__ import annotations

import ast
import re
import json
from pathlib import Path
from typing import Any

from zik_local.provision import Deployment, RestApi

_VERBS = {"get", "post", "put", "patch", "delete", "head", "options"}
_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "example": "invalid_request"},
                "message": {"type": "string"},
                "field": {"type": "string", "description": "the input that is wrong"},
                "details": {"type": "object"},
                "requestId": {"type": "string"},
            },
        }
    },
}


def handler_routes(app_file: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """``(METHOD, path) -> {summary, description, schema}`` from ``@app.<verb>("<path>")`` functions."""
    tree = ast.parse(app_file.read_text(encoding="utf-8"))
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        schema = None
        for call in ast.walk(node):
            if (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Name)
                and call.func.id == "body"
                and len(call.args) >= 2
                and isinstance(call.args[1], ast.Constant)
            ):
                schema = call.args[1].value
        doc = ast.get_docstring(node) or ""
        summary, _, description = doc.partition("\n")
        for decorator in node.decorator_list:
            if (
                isinstance(decorator, ast.Call)
                and isinstance(decorator.func, ast.Attribute)
                and decorator.func.attr in _VERBS
                and decorator.args
                and isinstance(decorator.args[0], ast.Constant)
            ):
                method = decorator.func.attr.upper()
                path = decorator.args[0].value
                found[(method, _shape(path))] = {
                    "summary": summary.strip() or node.name.replace("_", " "),
                    "description": description.strip(),
                    "schema": schema,
                    "operationId": node.name,
                }
    return found


def build(deployment: Deployment, api: RestApi, schema_root: Path, server_url: str) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    components: dict[str, Any] = {"Error": _ERROR}
    described: dict[str, dict[tuple[str, str], dict[str, Any]]] = {}
    for route in api.routes:
        if route.function is None:
            continue
        spec = deployment.functions[route.function]
        if route.function not in described:
            app_file = spec.code_dir / (spec.handler.rsplit(".", 1)[0].replace(".", "/") + ".py")
            described[route.function] = handler_routes(app_file) if app_file.exists() else {}
        meta = described[route.function].get((route.method, _shape(_powertools_path(route.path))), {})
        operation: dict[str, Any] = {
            "summary": meta.get("summary") or f"{route.method} {route.path}",
            "operationId": f"{route.function}.{meta.get('operationId', route.method.lower())}",
            "tags": [route.path.strip("/").split("/")[0] or "root"],
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}},
                "400": _error_response("invalid input; `field` names it"),
                "404": _error_response("not found (or not yours)"),
                "500": _error_response("unexpected error; quote the requestId"),
            },
        }
        if meta.get("description"):
            operation["description"] = meta["description"]
        if route.authorizer is not None:
            operation["security"] = [{"cognito": []}]
            operation["responses"]["401"] = _error_response("missing, expired or invalid token")
        else:
            operation["security"] = []
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in _path_parameters(route.path)
        ]
        if parameters:
            operation["parameters"] = parameters
        schema_name = meta.get("schema")
        if schema_name:
            schema_file = schema_root / "requests" / f"{schema_name}.json"
            if schema_file.exists():
                schema = _openapi_30(json.loads(schema_file.read_text(encoding="utf-8")))
                schema.pop("$schema", None)
                components[schema.get("title", schema_name)] = schema
                operation["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema.get('title', schema_name)}"}}},
                }
                operation["responses"]["413"] = _error_response("request body too large")
        method = "x-amazon-apigateway-any-method" if route.method == "ANY" else route.method.lower()
        paths.setdefault(route.path, {})[method] = operation
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "zik API",
            "version": "1.0.0",
            "description": "The backend of zik, an AI life companion: quests, journal, career and studio on one platform.",
        },
        "servers": [{"url": server_url}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": components,
            "securitySchemes": {
                "cognito": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "A Cognito ID token (locally: `zik token --user alice`).",
                }
            },
        },
    }


def _openapi_30(schema: Any) -> Any:
    """A JSON Schema (draft 7) as OpenAPI 3.0 writes it: ``type: [X, "null"]`` is ``type: X`` with
    ``nullable: true`` there (3.0 takes one type only)."""
    if isinstance(schema, list):
        return [_openapi_30(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    converted = {key: _openapi_30(value) for key, value in schema.items()}
    kinds = converted.get("type")
    if isinstance(kinds, list) and "null" in kinds:
        others = [kind for kind in kinds if kind != "null"]
        if len(others) == 1:
            converted["type"] = others[0]
            converted["nullable"] = True
    return converted


def _error_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _path_parameters(path: str) -> list[str]:
    return [segment.strip("{}+") for segment in path.split("/") if segment.startswith("{")]


def _shape(path: str) -> str:
    """A route with its parameters unnamed: the template may say ``{goalId}`` where the handler says
    ``<goal_id>``; they are the same route."""
    return re.sub(r"<[^>]+>", "<>", path)


def _powertools_path(path: str) -> str:
    """API Gateway writes ``/goals/{goalId}``; Powertools routes write ``/goals/<goalId>``."""
    return "/".join(f"<{s[1:-1]}>" if s.startswith("{") and not s.endswith("+}") else s for s in path.split("/"))
