"""Unit-level fixtures: single resources in moto, shaped by template.yaml, without provisioning the stack."""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import boto3
import pytest

from zik.dynamo import Table

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Unit tests are cheap: all of them run again at every moved clock (``-m clock``, make test)."""
    for item in items:
        if "tests/unit/" in item.nodeid:
            item.add_marker(pytest.mark.clock)


@functools.cache
def _template_resources() -> dict[str, Any]:
    from zik_local.template import load_yaml

    return load_yaml(TEMPLATE)["Resources"]


def template_table_properties(logical_id: str) -> dict[str, Any]:
    """The key schema of a table as template.yaml declares it, so a test table cannot drift from it."""
    props = _template_resources()[logical_id]["Properties"]
    return copy.deepcopy({key: props[key] for key in ("AttributeDefinitions", "KeySchema", "BillingMode")})


@pytest.fixture
def users_table(aws) -> Table:
    """A table with UsersTable's keys, empty, wrapped in zik.dynamo.Table."""
    client = boto3.client("dynamodb")
    client.create_table(TableName="test-users", **template_table_properties("UsersTable"))
    return Table("test-users", client=client)
