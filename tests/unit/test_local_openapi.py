"""The OpenAPI document: every route of the template is in it, with the handler's summary, its request
schema from the schema files, and its security."""

from __future__ import annotations

from pathlib import Path

import pytest
from openapi_spec_validator import validate

from zik_local import openapi

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def document(deployment):
    api = deployment.apis[0]
    return api, openapi.build(deployment, api, ROOT / "layers" / "shared" / "zik" / "schemas", "http://127.0.0.1:3000")


def test_the_document_is_valid_openapi(document):
    validate(document[1])


def test_every_template_route_is_documented(document):
    api, spec = document
    for route in api.routes:
        if route.function:
            assert route.method.lower() in spec["paths"][route.path], f"{route.method} {route.path} is undocumented"


def test_request_bodies_come_from_the_schema_files(document):
    _, spec = document
    put_me = spec["paths"]["/me"]["put"]
    assert put_me["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ProfileUpdate"}
    assert spec["components"]["schemas"]["ProfileUpdate"]["additionalProperties"] is False
    assert put_me["security"] == [{"cognito": []}]
    assert spec["paths"]["/health"]["get"]["security"] == []


def test_summaries_are_the_handlers_docstrings(tmp_path):
    app = tmp_path / "app.py"
    app.write_text(
        "from x import app, body\n"
        '@app.put("/goals/<goalId>")\n'
        "def update_goal():\n"
        '    """Change a goal.\n\n    Only the fields sent change."""\n'
        '    return body(app, "goal_update")\n'
    )
    assert openapi.handler_routes(app) == {
        ("PUT", "/goals/<>"): {
            "summary": "Change a goal.",
            "description": "Only the fields sent change.",
            "schema": "goal_update",
            "operationId": "update_goal",
            "contract": None,
            "idempotent": False,
        }
    }
