"""The API's contract, whole: every route of the template is a route of its handler and the reverse (route
parity), every operation declares its answers (@responds), and every schema and parameter file is used."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from zik_local import openapi
from zik_local.openapi_diff import breaking_changes

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "layers" / "shared" / "zik" / "schemas"


@pytest.fixture
def api(deployment):
    return deployment.apis[0]


@pytest.fixture
def document(deployment, api):
    return openapi.build(deployment, api, SCHEMAS, "http://127.0.0.1:3000")


def _handler_file(deployment, function: str) -> Path:
    spec = deployment.functions[function]
    return spec.code_dir / (spec.handler.rsplit(".", 1)[0].replace(".", "/") + ".py")


def test_every_template_route_has_its_handlers_route_and_every_handler_route_its_template_event(deployment, api):
    template: dict[str, set[tuple[str, str]]] = {}
    for route in api.routes:
        if route.function:
            template.setdefault(route.function, set()).add((route.method, openapi.route_shape(route.path)))
    problems = []
    for function, routes in sorted(template.items()):
        handled = set(openapi.handler_routes(_handler_file(deployment, function)))
        problems += [f"{function}: the template routes {m} {p} to it; its handler has no such route" for m, p in sorted(routes - handled)]
        problems += [f"{function}: its handler has {m} {p}; no template event routes it there" for m, p in sorted(handled - routes)]
    assert not problems, "\n".join(problems)


def test_route_parity_sees_a_missing_route(tmp_path):
    handler = tmp_path / "app.py"
    handler.write_text('@app.get("/goals/<goal_id>")\ndef get_goal(goal_id):\n    """A goal."""\n')
    assert set(openapi.handler_routes(handler)) == {("GET", openapi.route_shape("/goals/{goalId}"))}
    assert ("DELETE", openapi.route_shape("/goals/{goalId}")) not in openapi.handler_routes(handler)


def test_the_document_is_valid_openapi_30(document):
    validate(document)


def test_every_operation_declares_its_answers(document):
    undeclared = [
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if "x-zik-undeclared" in operation
    ]
    assert not undeclared, f"{len(undeclared)} routes have no @responds: " + ", ".join(undeclared)


def test_every_success_answer_has_a_schema_and_errors_are_errors(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            statuses = {int(status) for status in operation["responses"]}
            assert statuses & {200, 201, 202, 204}, f"{where} documents no success"
            assert {400, 429, 500} <= statuses, where
            assert (401 in statuses) == bool(operation["security"]), where
            for status, response in operation["responses"].items():
                content = response.get("content") or {}
                if int(status) == 204:
                    assert not content, where
                elif int(status) < 300:
                    assert content, f"{where} {status} has no body schema"
                    json_schema = (content.get("application/json") or {}).get("schema")
                    assert json_schema != {"type": "object"}, f"{where} {status} is any object"
                else:
                    assert response["$ref"].startswith("#/components/responses/"), where
            if "requestBody" in operation:
                assert 413 in statuses, where


def test_summaries_are_whole_sentences(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            summary = operation["summary"]
            assert summary[-1] in ".?!)" or summary.endswith("`"), f"{method.upper()} {path}: {summary!r} is cut"


def test_every_schema_and_parameter_file_is_used(document):
    components = document["components"]["schemas"]
    for kind in ("requests", "responses"):
        for path in sorted((SCHEMAS / kind).glob("*.json")):
            assert openapi.component_name(path.stem) in components, f"{kind}/{path.name} is in no operation"
    # Each file by its whole definition: `journal.from` and another route's `from` share a name.
    used = [
        parameter for operations in document["paths"].values() for operation in operations.values() for parameter in operation.get("parameters", [])
    ]
    for path in sorted((SCHEMAS / "parameters").glob("*.json")):
        assert json.loads(path.read_text()) in used, f"parameters/{path.name} is in no operation"


def test_the_contract_refuses_what_the_document_does_not_say(document):
    contract = openapi.Contract(document)
    assert (
        contract.problems(
            "GET", "/health", 200, "application/json", {"status": "ok", "service": "zik", "version": "1", "time": "2030-01-01T00:00:00Z"}
        )
        == []
    )
    assert "does not document" in contract.problems("GET", "/health", 418, "application/json", {})[0]
    assert "breaks its schema" in contract.problems("GET", "/health", 200, "application/json", {"status": "ok"})[0]
    assert "text/plain" in contract.problems("GET", "/health", 200, "text/plain", "ok")[0]
    assert contract.problems("GET", "/no/such/path", 404, "application/json", {"error": {"code": "not_found", "message": "no route"}}) == []
    assert contract.problems("GET", "/no/such/path", 200, "application/json", {})


# -- the committed copy --------------------------------------------------------------------------------
COMMITTED = ROOT / "docs" / "openapi.json"


def test_the_document_breaks_no_client_of_the_committed_copy(document):
    breaking = breaking_changes(json.loads(COMMITTED.read_text(encoding="utf-8")), document)
    assert not breaking, (
        "the API would break its clients (against docs/openapi.json):\n  "
        + "\n  ".join(breaking)
        + "\nIf that is meant (a new major version, or clients that are all updated), run `make openapi` and"
        " commit docs/openapi.json, saying why in the commit message."
    )


def test_the_committed_copy_is_the_document_the_code_builds(document):
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(document)), (
        "the API's document changed without breaking anything: run `make openapi` and commit docs/openapi.json"
    )
