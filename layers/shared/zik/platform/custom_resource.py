"""CloudFormation custom resources: run the resource's work, then answer CloudFormation at the request's
ResponseURL (a presigned S3 PUT), whatever happens. A handler that never answers leaves the stack waiting
for an hour, so every failure is answered FAILED with its reason.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any

from zik.observability import logger

Work = Callable[[str, Mapping[str, Any], Mapping[str, Any]], Mapping[str, Any] | None]


def respond(
    event: Mapping[str, Any], status: str, *, data: Mapping[str, Any] | None = None, reason: str = "", physical_id: str | None = None
) -> None:
    answer = {
        "Status": status,
        "Reason": reason[:1000] or f"see the logs of {event.get('LogicalResourceId')}",
        "PhysicalResourceId": physical_id or event.get("PhysicalResourceId") or event["LogicalResourceId"],
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
        "NoEcho": False,
        "Data": dict(data or {}),
    }
    body = json.dumps(answer).encode()
    # The presigned URL was signed without a content type: sending one would break the signature.
    request = urllib.request.Request(event["ResponseURL"], data=body, method="PUT", headers={"Content-Type": "", "Content-Length": str(len(body))})
    with urllib.request.urlopen(request, timeout=30) as reply:  # noqa: S310 (CloudFormation's https URL)
        reply.read()


def handle(event: Mapping[str, Any], work: Work, *, physical_id: str) -> dict[str, Any]:
    """Run ``work(request_type, properties, old_properties)`` and answer SUCCESS with what it returns as
    Data, or FAILED with the error."""
    request_type = event["RequestType"]
    try:
        data = work(request_type, event.get("ResourceProperties") or {}, event.get("OldResourceProperties") or {}) or {}
    except Exception as exc:  # every failure must reach CloudFormation
        logger.exception("custom resource failed", extra={"requestType": request_type})
        respond(event, "FAILED", reason=f"{type(exc).__name__}: {exc}", physical_id=physical_id)
        return {"Status": "FAILED"}
    respond(event, "SUCCESS", data=data, physical_id=physical_id)
    return {"Status": "SUCCESS", "Data": dict(data)}
