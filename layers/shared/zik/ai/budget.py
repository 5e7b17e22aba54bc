"""The per-user daily AI budget, counted atomically in DynamoDB.

Access patterns (AITable, template.yaml):
  reserve one call      UpdateItem  pk=TENANT#<t>#USER#<u>  sk=BUDGET#<yyyy-mm-dd>#<task>
                        ADD calls 1 if calls < limit (and tokens < limit): concurrent calls cannot overshoot
  give a call back      UpdateItem  ADD calls -1 (every provider failed: the user is not charged)
  count its tokens      UpdateItem  ADD tokens n
The day is the UTC day; items expire two days after it.

A guest (zik.platform.guests) has GUEST_AI_BUDGET_PERCENT of each task's budget (default 20 %, at least one
call). On a request the token says who is a guest (the ``guests`` group); a call made off a request (a
workflow step, a consumer of an event) has no token, and reads the user's plan instead:
  the user's plan       GetItem     pk=TENANT#<t>#USER#<u>  sk=PLAN  (present, {plan: guest}, while a guest)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from zik import clock, config
from zik.ai.errors import AIBudgetExceeded
from zik.ai.registry import ImageTask, Task
from zik.dynamo import shared_client
from zik.principal import GUESTS_GROUP, Principal

DEFAULT_GUEST_PERCENT = 20


@dataclass(frozen=True)
class Limits:
    calls: int
    tokens: int | None


@dataclass(frozen=True)
class Reservation:
    key: dict[str, Any]
    task: str


class DailyBudget:
    def __init__(self, table_name: str, *, overrides: dict[str, dict[str, int]] | None = None, client: Any = None, now=None):
        self.table_name = table_name
        self.overrides = overrides or {}
        self._client = client
        self._now = now or clock.now

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = shared_client()
        return self._client

    def limits(self, task: Task | ImageTask, *, guest: bool = False) -> Limits:
        override = self.overrides.get(task.name, {})
        limits = Limits(calls=int(override.get("calls", task.daily_calls)), tokens=override.get("tokens", task.daily_tokens))
        if not guest:
            return limits
        share = config.integer("GUEST_AI_BUDGET_PERCENT", DEFAULT_GUEST_PERCENT, minimum=0)
        return Limits(
            calls=max(1, limits.calls * share // 100),
            tokens=None if limits.tokens is None else max(1, limits.tokens * share // 100),
        )

    def is_guest(self, owner: Principal) -> bool:
        """From the token's groups when the call is made on a request; else from the user's plan (one read)."""
        if owner.claims:
            return GUESTS_GROUP in owner.groups
        from zik.dynamo import Table
        from zik.platform.guests import GuestPlans

        return GuestPlans(Table(self.table_name, client=self.client)).held_by(owner)

    def reserve(self, owner: Principal, task: Task | ImageTask) -> Reservation:
        """Count one call against today's budget, or raise AIBudgetExceeded (nothing counted)."""
        now = self._now()
        limits = self.limits(task, guest=self.is_guest(owner))
        key = {"pk": {"S": owner.partition}, "sk": {"S": f"BUDGET#{now.date().isoformat()}#{task.name}"}}
        condition = "attribute_not_exists(calls) OR calls < :calls"
        values: dict[str, Any] = {
            ":one": {"N": "1"},
            ":calls": {"N": str(limits.calls)},
            ":expires": {"N": str(int(_next_midnight(now).timestamp()) + 86_400)},
        }
        if limits.tokens is not None:
            condition = f"({condition}) AND (attribute_not_exists(tokens) OR tokens < :tokens)"
            values[":tokens"] = {"N": str(limits.tokens)}
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=key,
                UpdateExpression="ADD calls :one SET expiration = if_not_exists(expiration, :expires)",
                ConditionExpression=condition,
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            resets = _next_midnight(now)
            spent = f"{limits.calls} calls" + (f" or {limits.tokens} tokens" if limits.tokens is not None else "")
            raise AIBudgetExceeded(
                f"today's AI budget for {task.name} ({spent}) is used up; it resets at {resets.isoformat().replace('+00:00', 'Z')}",
                retry_after_seconds=max(1, int((resets - now).total_seconds())),
                details={"task": task.name, "resetsAt": resets.isoformat().replace("+00:00", "Z")},
            ) from None
        return Reservation(key, task.name)

    def release(self, reservation: Reservation) -> None:
        self._add(reservation, "calls", -1)

    def add_tokens(self, reservation: Reservation, tokens: int) -> None:
        if tokens > 0:
            self._add(reservation, "tokens", tokens)

    def usage(self, owner: Principal, task: Task | ImageTask) -> dict[str, int]:
        key = {"pk": {"S": owner.partition}, "sk": {"S": f"BUDGET#{self._now().date().isoformat()}#{task.name}"}}
        item = self.client.get_item(TableName=self.table_name, Key=key, ConsistentRead=True).get("Item", {})
        return {"calls": int(item.get("calls", {}).get("N", 0)), "tokens": int(item.get("tokens", {}).get("N", 0))}

    def _add(self, reservation: Reservation, attribute: str, amount: int) -> None:
        self.client.update_item(
            TableName=self.table_name,
            Key=reservation.key,
            UpdateExpression=f"ADD {attribute} :amount",
            ExpressionAttributeValues={":amount": {"N": str(amount)}},
        )


def _next_midnight(now: dt.datetime) -> dt.datetime:
    return dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
