"""Starting the roadmap workflow (Step Functions). The execution is named after the goal and the
attempt, so a retried start of the same attempt is the same execution, never a second one."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any

import boto3
from botocore.exceptions import ClientError

from zik import config
from zik.principal import Principal


@cache
def _client() -> Any:
    return boto3.client("stepfunctions")


class WorkflowNotStarted(RuntimeError):
    pass


def start_roadmap(owner: Principal, goal: Mapping[str, Any], *, today: str, timezone: str) -> str:
    arn = config.require("ROADMAP_STATE_MACHINE_ARN")["ROADMAP_STATE_MACHINE_ARN"]
    document = roadmap_input(owner, goal, today=today, timezone=timezone)
    try:
        answer = _client().start_execution(stateMachineArn=arn, name=f"{goal['goalId']}-{goal.get('attempt', 1)}", input=json.dumps(document))
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ExecutionAlreadyExists":
            return f"{arn.replace(':stateMachine:', ':execution:')}:{goal['goalId']}-{goal.get('attempt', 1)}"
        raise WorkflowNotStarted(exc.response["Error"]["Code"]) from None
    return answer["executionArn"]


def roadmap_input(owner: Principal, goal: Mapping[str, Any], *, today: str, timezone: str) -> dict[str, Any]:
    """What the state machine gets (events/roadmap_start.json is one)."""
    return {
        "owner": {"tenantId": owner.tenant_id, "userId": owner.user_id},
        "goal": {
            "goalId": goal["goalId"],
            "title": goal["title"],
            "description": goal.get("description") or "",
            "category": goal.get("category") or "",
            "targetDate": goal.get("targetDate") or "",
        },
        "today": today,
        "timezone": timezone,
    }
