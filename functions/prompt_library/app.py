"""The deployment's loader of the prompt library (a CloudFormation custom resource): on create and update
it writes every prompt of the library shipped in the layer into PromptsTable and removes the prompts a
newer library no longer has; deleting the resource leaves the table to its own fate."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zik.dynamo import Table, to_item
from zik.journal import prompts
from zik.journal.library import library_item, shelf
from zik.observability import instrument, logger
from zik.platform.custom_resource import handle


def load(request_type: str, properties: Mapping[str, Any], old: Mapping[str, Any]) -> dict[str, Any]:
    if request_type == "Delete":
        return {}
    table = Table(properties["TableName"], pk="promptId", sk=None)
    version = prompts.LIBRARY_VERSION
    library = prompts.library()
    for start in range(0, len(library), 25):
        requests = [{"PutRequest": {"Item": to_item(library_item(p, version))}} for p in library[start : start + 25]]
        pending: dict[str, Any] = {table.name: requests}
        while pending:
            pending = table.client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    current = {p["promptId"] for p in library}
    stale = [{"promptId": item["promptId"]} for item in shelf(table) if item["promptId"] not in current]
    table.delete_keys(stale)
    logger.info("prompt library loaded", extra={"prompts": len(library), "removed": len(stale), "version": version})
    return {"Prompts": len(library), "Categories": len(prompts.categories()), "LibraryVersion": version}


@instrument()
def lambda_handler(event: dict, context: object) -> dict:
    return handle(event, load, physical_id=f"prompt-library-{event.get('ResourceProperties', {}).get('TableName', 'table')}")
