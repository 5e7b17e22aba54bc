"""Unit-level fixtures: single resources in moto, shaped by template.yaml, without provisioning the stack."""

from __future__ import annotations

import boto3
import pytest

from template_tables import template_table_properties
from zik.dynamo import Table


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Unit tests are cheap: all of them run again at every moved clock (``-m clock``, make test)."""
    for item in items:
        if "tests/unit/" in item.nodeid:
            item.add_marker(pytest.mark.clock)


@pytest.fixture
def users_table(aws) -> Table:
    """A table with UsersTable's keys, empty, wrapped in zik.dynamo.Table."""
    client = boto3.client("dynamodb")
    client.create_table(TableName="test-users", **template_table_properties("UsersTable"))
    return Table("test-users", client=client)
