"""The API's OpenAPI document, built from what already exists: the routes and authorizers of the template,
the handlers' own route functions (read, not imported: their docstrings and the request schema each one
validates with), and the schema files.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
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


# What each error status means wherever it is answered; a route's own reasons are in its docstring.
_ERROR_STATUSES = {
    400: ("BadRequest", "invalid input: `field` names it"),
    401: ("Unauthorized", "missing, expired or invalid token, or an account being erased"),
    403: ("Forbidden", "the caller's groups do not allow it"),
    404: ("NotFound", "not found (or not yours)"),
    409: ("Conflict", "conflicts with the current state: `code` says which"),
    413: ("PayloadTooLarge", "request body too large"),
    415: ("UnsupportedMediaType", "the body is not of a media type this route takes"),
    422: ("Unprocessable", "understood, but cannot be done with this input: `code` says why"),
    429: ("TooManyRequests", "too many requests: try again after `Retry-After` seconds"),
    500: ("InternalError", "unexpected error: quote the requestId"),
    503: ("ServiceUnavailable", "a service it depends on is unavailable: try again after `Retry-After` seconds"),
}
_SUCCESS_STATUSES = {200: "OK", 201: "Created", 202: "Accepted: the work goes on in the background", 204: "Done; no body"}
_RETRY_AFTER = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer", "minimum": 0}}}
# zik.idempotency.run_once: the routes that create something take the key a client retries with.
_IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Any text of up to 128 printable characters, new for each thing to create: a retry with the same key"
    " (within 24 hours) answers what the first request answered and creates nothing more; the same key with"
    " another body is a 422, and while the first request still runs, a 409.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 128},
}
# inputs.ID_SHAPE: a path parameter of any other shape names nothing there is (404 before any work).
_ID = {"type": "string", "pattern": "^[A-Za-z0-9_.-]+$", "minLength": 1, "maxLength": 128}


def handler_routes(app_file: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """``(METHOD, path) -> {summary, description, schema, operationId, contract}`` from the
    ``@app.<verb>("<path>")`` functions of a handler: their docstrings, the request schema ``body()``
    validates with, and their ``@responds(...)`` arguments (zik.http)."""
    tree = ast.parse(app_file.read_text(encoding="utf-8"))
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        schema = None
        idempotent = False
        for call in ast.walk(node):
            if (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Name)
                and call.func.id == "body"
                and len(call.args) >= 2
                and isinstance(call.args[1], ast.Constant)
            ):
                schema = call.args[1].value
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "run_once":
                idempotent = True
        summary, description = _summary(ast.get_docstring(node) or "")
        contract = _contract(node, app_file)
        for decorator in node.decorator_list:
            if (
                isinstance(decorator, ast.Call)
                and isinstance(decorator.func, ast.Attribute)
                and decorator.func.attr in _VERBS
                and decorator.args
                and isinstance(decorator.args[0], ast.Constant)
                and isinstance(decorator.args[0].value, str)
            ):
                method = decorator.func.attr.upper()
                path = decorator.args[0].value
                found[(method, _shape(path))] = {
                    "summary": summary or node.name.replace("_", " "),
                    "description": description,
                    "schema": schema,
                    "operationId": node.name,
                    "contract": contract,
                    "idempotent": idempotent,
                }
    return found


def _summary(doc: str) -> tuple[str, str]:
    """The docstring's first sentence (its first paragraph may wrap over lines), and what follows it."""
    first, _, rest = doc.strip().partition("\n\n")
    text = " ".join(first.split())
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    summary = (match.group(1) if match else text).strip()
    more = text[len(summary) :].strip()
    description = "\n\n".join(part for part in (more, inspect.cleandoc(rest) if rest else "") if part)
    return summary, description


def _contract(node: ast.FunctionDef | ast.AsyncFunctionDef, app_file: Path) -> dict[str, Any] | None:
    for decorator in node.decorator_list:
        if isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Name) and decorator.func.id == "responds":
            try:
                ok = ast.literal_eval(decorator.args[0]) if decorator.args else None
                keywords = {keyword.arg: ast.literal_eval(keyword.value) for keyword in decorator.keywords}
            except ValueError:
                raise ValueError(f"{app_file}: @responds on {node.name} takes literals only") from None
            ok = keywords.pop("ok", ok)
            return {"ok": ok, "query": tuple(keywords.get("query", ())), "errors": tuple(keywords.get("errors", ()))}
    return None


class Components:
    """The document's schemas: request and response schema files under their component names, each file
    added once, with the files it refers to (``"$ref": "goal.json"``)."""

    def __init__(self, schema_root: Path):
        self.root = schema_root
        self.schemas: dict[str, Any] = {"Error": _ERROR}
        self._named: dict[tuple[str, str], str] = {}

    def ref(self, kind: str, name: str) -> dict[str, str]:
        key = (kind, name)
        if key not in self._named:
            component = component_name(name)
            if component in self.schemas:
                raise ValueError(f"two schemas would be the component {component}: {kind}/{name} and another")
            self._named[key] = component
            path = self.root / kind / f"{name}.json"
            if not path.exists():
                raise FileNotFoundError(f"no schema file {kind}/{name}.json")
            self.schemas[component] = {}  # taken before the refs are followed: a schema may refer to itself
            schema = _openapi_30(json.loads(path.read_text(encoding="utf-8")))
            schema.pop("$schema", None)
            schema.pop("$comment", None)
            self.schemas[component] = self._linked(schema, kind)
        return {"$ref": f"#/components/schemas/{self._named[key]}"}

    def _linked(self, schema: Any, kind: str) -> Any:
        if isinstance(schema, list):
            return [self._linked(item, kind) for item in schema]
        if not isinstance(schema, dict):
            return schema
        if isinstance(schema.get("$ref"), str) and schema["$ref"].endswith(".json"):
            return self.ref(kind, schema["$ref"][: -len(".json")])
        return {key: self._linked(value, kind) for key, value in schema.items()}


def component_name(file_stem: str) -> str:
    """``goal_page`` -> ``GoalPage``."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[_.-]", file_stem) if part)


def build(deployment: Deployment, api: RestApi, schema_root: Path, server_url: str) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    components = Components(schema_root)
    query_parameters = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted((schema_root / "parameters").glob("*.json"))}
    described: dict[str, dict[tuple[str, str], dict[str, Any]]] = {}
    for route in api.routes:
        if route.function is None:
            continue
        spec = deployment.functions[route.function]
        if route.function not in described:
            app_file = spec.code_dir / (spec.handler.rsplit(".", 1)[0].replace(".", "/") + ".py")
            described[route.function] = handler_routes(app_file) if app_file.exists() else {}
        meta = described[route.function].get((route.method, _shape(_powertools_path(route.path))), {})
        contract = meta.get("contract") or {"ok": {200: None}, "query": (), "errors": ()}
        undeclared = meta.get("contract") is None
        path_names = _path_parameters(route.path)
        operation: dict[str, Any] = {
            "summary": meta.get("summary") or f"{route.method} {route.path}",
            "operationId": f"{route.function}.{meta.get('operationId', route.method.lower())}",
            "tags": [_tag(route.path)],
        }
        if meta.get("description"):
            operation["description"] = meta["description"]
        operation["security"] = [{"cognito": []}] if route.authorizer is not None else []
        parameters = [{"name": name, "in": "path", "required": True, "schema": dict(_ID)} for name in path_names]
        if meta.get("idempotent"):
            parameters.append(_IDEMPOTENCY_KEY)
        for key in contract["query"]:
            if key not in query_parameters:
                raise KeyError(f"{route.method} {route.path}: query parameter {key!r} has no file schemas/parameters/<key>.json")
            parameters.append(query_parameters[key])
        if parameters:
            operation["parameters"] = parameters
        statuses = {400, 429, 500, *contract["errors"]}
        if route.authorizer is not None:
            statuses.add(401)
        if path_names:
            statuses.add(404)
        schema_name = meta.get("schema")
        if schema_name:
            operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": components.ref("requests", schema_name)}}}
            statuses.add(413)
        responses: dict[str, Any] = {}
        for status, body in sorted(contract["ok"].items()):
            responses[str(status)] = _success(status, body, components)
        for status in sorted(statuses):
            if status not in _ERROR_STATUSES:
                raise ValueError(f"{route.method} {route.path}: @responds names error {status}, which the document does not describe")
            responses[str(status)] = {"$ref": f"#/components/responses/{_ERROR_STATUSES[status][0]}"}
        operation["responses"] = responses
        if undeclared:
            operation["x-zik-undeclared"] = "the handler's route has no @responds: its answers are not documented"
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
            "schemas": dict(sorted(components.schemas.items())),
            "responses": {
                name: _error_response(description, retry_after=status in (429, 503))
                for status, (name, description) in sorted(_ERROR_STATUSES.items())
            },
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


def _success(status: int, body: Any, components: Components) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": _SUCCESS_STATUSES.get(status, "OK")}
    if body is None:
        return answer
    media = body if isinstance(body, dict) else {"application/json": body}
    answer["content"] = {kind: {"schema": components.ref("responses", name) if name else {"type": "string"}} for kind, name in media.items()}
    return answer


def _tag(path: str) -> str:
    segments = [segment for segment in path.strip("/").split("/") if segment]
    if segments and segments[0] == "api" and len(segments) > 1:
        return f"api/{segments[1]}"
    return segments[0] if segments else "root"


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


def _error_response(description: str, *, retry_after: bool = False) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    if retry_after:
        answer["headers"] = _RETRY_AFTER
    return answer


def _path_parameters(path: str) -> list[str]:
    return [segment.strip("{}+") for segment in path.split("/") if segment.startswith("{")]


def _shape(path: str) -> str:
    """A route with its parameters unnamed: the template may say ``{goalId}`` where the handler says
    ``<goal_id>``; they are the same route."""
    return re.sub(r"<[^>]+>", "<>", path)


def route_shape(template_path: str) -> str:
    """A template route (``/goals/{goalId}``) in the form ``handler_routes`` keys its routes by."""
    return _shape(_powertools_path(template_path))


def _powertools_path(path: str) -> str:
    """API Gateway writes ``/goals/{goalId}``; Powertools routes write ``/goals/<goalId>``."""
    return "/".join(f"<{s[1:-1]}>" if s.startswith("{") and not s.endswith("+}") else s for s in path.split("/"))


class Contract:
    """An API's answers held to its document: the status is one the operation documents, the media type is
    one of that status's, and the body matches its schema. The tests check every answer a handler gives
    with it; the e2e contract test checks what schemathesis sends."""

    def __init__(self, document: dict[str, Any]):
        from openapi_schema_validator import OAS30Validator, oas30_format_checker

        self.document = document
        self._validator = OAS30Validator
        self._formats = oas30_format_checker  # date-time, date, email...: a format is part of the contract
        routes = []
        for path, operations in document["paths"].items():
            pattern = "".join(
                "/(.+)" if segment.endswith("+}") else "/([^/]+)" if segment.startswith("{") else "/" + re.escape(segment)
                for segment in path.strip("/").split("/")
            )
            variables = path.count("{")
            routes.append((variables, re.compile(f"^{pattern or '/'}$"), operations))
        self._routes = sorted(routes, key=lambda route: route[0])  # /entries/search before /entries/{id}
        self._validators: dict[str, Any] = {}

    def operation(self, method: str, path: str) -> dict[str, Any] | None:
        for _, pattern, operations in self._routes:
            if pattern.match(path):
                return operations.get(method.lower()) or operations.get("x-amazon-apigateway-any-method")
        return None

    def problems(self, method: str, path: str, status: int, content_type: str | None, body: Any) -> list[str]:
        """What is wrong with an answer (none: it keeps the contract). ``body`` is the parsed JSON, the text
        of another media type, or None."""
        operation = self.operation(method, path)
        where = f"{method} {path} answered {status}"
        if operation is None:
            # A path the API does not have: the router's own 404 (or the gateway's 403/405) in the error shape.
            if status in (403, 404, 405) and isinstance(body, dict) and isinstance(body.get("error"), dict):
                return []
            return [f"{method} {path} is not in the document, and answered {status} {str(body)[:200]}"]
        if "x-zik-undeclared" in operation:
            return []
        response = operation["responses"].get(str(status))
        if response is not None and "$ref" in response:
            response = self.document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
        if response is None:
            return [f"{where}, which its operation does not document (it documents {', '.join(operation['responses'])})"]
        content = response.get("content")
        if not content:
            return [] if body in (None, "") else [f"{where} with a body; the document says it has none"]
        media = (content_type or "").split(";")[0].strip().lower()
        if media not in content:
            return [f"{where} as {media or 'no media type'}; the document says {', '.join(content)}"]
        schema = content[media]["schema"]
        key = json.dumps(schema, sort_keys=True)
        if key not in self._validators:
            self._validators[key] = self._validator({**schema, "components": self.document["components"]}, format_checker=self._formats)
        return [
            f"{where} with a body that breaks its schema at {'/'.join(str(p) for p in error.absolute_path) or 'the top'}: {error.message[:300]}"
            for error in self._validators[key].iter_errors(body)
        ][:5]
