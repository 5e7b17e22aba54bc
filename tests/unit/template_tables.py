"""Tables for unit tests shaped as template.yaml declares them, so a test table cannot drift from it. (A module
of its own, not conftest: with tests/unit and tests/integration collected together, `import conftest` would
find whichever conftest came first.)"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


@functools.cache
def _template_resources() -> dict[str, Any]:
    from zik_local.template import load_yaml

    return load_yaml(TEMPLATE)["Resources"]


def template_table_properties(logical_id: str) -> dict[str, Any]:
    """The key schema of a table as template.yaml declares it, its indexes included (an attribute only an
    index keys on is declared, and CreateTable refuses it without the index)."""
    return template_table(logical_id)


def template_table(logical_id: str) -> dict[str, Any]:
    """A table's keys, billing and secondary indexes as template.yaml declares them (CreateTable's arguments
    but its name)."""
    props = _template_resources()[logical_id]["Properties"]
    keys = ("AttributeDefinitions", "KeySchema", "BillingMode", "GlobalSecondaryIndexes")
    return copy.deepcopy({key: props[key] for key in keys if key in props})
