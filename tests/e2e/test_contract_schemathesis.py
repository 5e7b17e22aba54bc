"""The API against its own document, as a client meets it: schemathesis reads /_zik/openapi.json from a
running `zik dev` and sends each operation requests it generates from the document, valid ones and
invalid ones, as a user of the operation's own. An answer fails the test if it is a 5xx, a status the
operation does not document, a media type it does not document, or a body that breaks its schema.

One test per operation of the committed document (docs/openapi.json, which the unit tests hold equal to
the one the code builds), each run against the live document. schemathesis' own pytest plugin is not
used: its `from_fixture` does not run on pytest 9.

The module runs a `zik dev` of its own: as an admin it posts jobs and hides hairstyles, which every user of a
shared server would see."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from devserver import DevServer, running_dev
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance, status_code_conformance

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))
OPERATIONS = [(method.upper(), path) for path, operations in COMMITTED["paths"].items() for method in operations]
# Requests per operation and per mode: about 85 operations, each request some milliseconds on the local
# cloud; enough to reach each one's answers to valid and to invalid input without a long suite.
EXAMPLES = 8
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def dev(request: pytest.FixtureRequest) -> Iterator[DevServer]:
    yield from running_dev(request)


@pytest.fixture(scope="module")
def live_document(dev: DevServer) -> Any:
    return schemathesis.openapi.from_dict(dev.request("GET", "/_zik/openapi.json").body)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_the_operation_keeps_its_contract(method: str, path: str, live_document: Any, dev: DevServer) -> None:
    operation = live_document[path][method]
    # A user of its own: DELETE /me erases its caller, and no operation spends another's rate limit.
    # An operation that refuses all but admins (403) is tried as an admin: its own answers are the ones to check.
    groups = ["admins"] if "403" in COMMITTED["paths"][path][method.lower()]["responses"] else []
    token = dev.mint(f"contract-{OPERATIONS.index((method, path))}", groups=groups)["token"]
    strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))

    @given(case=strategy)
    @settings(
        max_examples=2 * EXAMPLES,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def keeps_the_contract(case: Any) -> None:
        response = case.call(base_url=dev.url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        statuses.append(response.status_code)
        case.validate_response(response, checks=CHECKS)

    statuses: list[int] = []
    keeps_the_contract()
    # The requests were the operation's, not the authorizer's: some got past it (a token refused, or a
    # route never reached, would pass every check above).
    assert set(statuses) - {401, 403}, f"{method} {path}: every answer was {sorted(set(statuses))}"
