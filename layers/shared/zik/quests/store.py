"""Quests data in DynamoDB (QuestsTable): goals with their milestones and tasks, the user's own tasks,
recurrence rules and chat history, all in the owner's partition.

Items (pk = TENANT#<t>#USER#<u> for all of them):
  goal            sk GOAL#<goalId>                          gsi1pk <pk>#GOALS       gsi1sk <createdAt>#<goalId>
  milestone       sk GOAL#<goalId>#MS#<nn>
  goal task       sk GOAL#<goalId>#MS#<nn>#TASK#<taskId>    gsi1pk <pk>#DAY#<due>   gsi1sk TASK#<taskId>
  own task        sk TASK#<taskId>                          gsi1pk <pk>#DAY#<due>   gsi1sk TASK#<taskId>
  recurring task  sk TASK#R-<ruleId>-<yyyymmdd>             gsi1pk <pk>#DAY#<due>   gsi1sk TASK#R-...
  rule            sk RULE#<ruleId>                          gsi1pk RULES#ACTIVE#<nn>  gsi1sk <pk>#<ruleId>  (active only; nn: its shard)
  chat message    sk CHAT#<conversationId>#<at>#<n>

Access patterns (template.yaml, QuestsTable):
  a goal with its milestones and tasks     Query pk, begins_with(sk, GOAL#<goalId>)          one query
  the user's goals, newest first           Query GSI1 <pk>#GOALS, descending                  one query a page
  the tasks due on a day                   Query GSI1 <pk>#DAY#<date>                         one query a page
  how many open tasks a few days hold      Query GSI1 <pk>#DAY#<date>, Select COUNT, each day  one query a day, in parallel
  a task by id                             GetItem / UpdateItem (the id says where it lives)
  a milestone's open tasks                 the milestone's openTasks counter, kept in the same transaction
  the user's rules                         Query pk, begins_with(sk, RULE#)
  every active rule (the daily run)        Query GSI1 RULES#ACTIVE#<nn>, each of 32 shards      one query a page of
                                           (sparse: active rules only), a page a message        RULES_PER_PAGE rules
  a conversation, newest first             Query pk, begins_with(sk, CHAT#<conversationId>#)
  export / erase with the user             Query / delete the partition
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, overload

from botocore.exceptions import ClientError

from zik import config
from zik.clock import now_iso
from zik.dynamo import Page, Table, TransactionFailed, decode_cursor, encode_cursor, from_item, to_item, transact, update_or_old
from zik.errors import Conflict, NotFound, VersionConflict
from zik.principal import Principal

BY_LIST = "ByList"

# The index of active rules is sharded: each active rule is under one of RULE_SHARDS keys of ByList,
# RULES#ACTIVE#00 to RULES#ACTIVE#31, chosen by a stable hash of its owner and id. One key would take
# every rule's index write and the whole daily read: a hot partition (DynamoDB gives one key about 1,000
# writes and 3,000 reads a second) and one reader that has to walk every rule in turn. 32 keys spread both
# over partitions and let the daily run read 32 shards at once, each a page per message (100,000 rules are
# about 3,000 a shard: a few pages each). The number is fixed: the daily run must know every key, and
# changing it would move every rule. 32 keeps the run's fixed cost small (32 queries and messages a day,
# however few rules there are) while a shard stays a few hundred pages even at ten million rules.
RULE_SHARDS = 32
ACTIVE_RULE_SHARDS = tuple(f"RULES#ACTIVE#{shard:02d}" for shard in range(RULE_SHARDS))
# The index's one key before it was sharded: the daily run still reads it and moves each rule it finds
# there to its shard (remove it once it is empty in every stage).
UNSHARDED_ACTIVE_RULES = "RULES#ACTIVE"
# What the daily run reads: one message each.
ACTIVE_RULE_PARTITIONS = (*ACTIVE_RULE_SHARDS, UNSHARDED_ACTIVE_RULES)
# A page of the daily run: one query (a rule item is about 500 bytes: a page stays under the 1 MB a query
# answers), at most two tasks a rule, so one invocation writes at most 2,000 tasks.
RULES_PER_PAGE = 1000
_TASK_ID = re.compile(r"^(?:(?P<goal>g[0-9a-z]{12})\.m(?P<seq>[0-9]{1,2})\.)?(?P<own>[0-9a-zA-Z-]{3,80})$")
_HIDDEN = ("pk", "sk", "gsi1pk", "gsi1sk")


def new_id(prefix: str) -> str:
    """Short, URL-safe, unguessable ids: ``g`` + 12 base-36 characters for goals, and so on."""
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
    return prefix + "".join(secrets.choice(alphabet) for _ in range(12))


def goal_task_id(goal_id: str, seq: int) -> str:
    return f"{goal_id}.m{seq}.{new_id('t')}"


def recurring_task_id(rule_id: str, day: str) -> str:
    return f"R-{rule_id}-{day.replace('-', '')}"


def rule_shard(partition: str, rule_id: str) -> str:
    """The shard of the active rules' index a rule is under: a hash of its owner and id, the same in every
    process and release (Python's own ``hash`` of a string is not: it is salted per process)."""
    digest = hashlib.sha256(f"{partition}#{rule_id}".encode()).digest()
    return ACTIVE_RULE_SHARDS[int.from_bytes(digest[:8], "big") % RULE_SHARDS]


@overload
def public(item: Mapping[str, Any]) -> dict[str, Any]: ...
@overload
def public(item: Mapping[str, Any] | None) -> dict[str, Any] | None: ...
def public(item: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if item is None:
        return None
    return {key: value for key, value in item.items() if key not in _HIDDEN and key != "openTasks"}


@dataclass(frozen=True)
class TaskStep:
    """What marking a task done does to its milestone, as read before the write (the write holds only if
    it still is so): ``counted`` moves the milestone's open-task count (from ``open_tasks``);
    ``completes_milestone`` (the last open task) completes it; ``goal_status`` (the last milestone of a
    goal in that status) completes the goal too."""

    counted: bool = False
    open_tasks: int | None = None
    completes_milestone: bool = False
    goal_status: str | None = None

    @property
    def finishes_goal(self) -> bool:
        return self.completes_milestone and self.goal_status is not None


class QuestsStore:
    def __init__(self, table: Table | None = None):
        self.table = table or Table(config.require("QUESTS_TABLE")["QUESTS_TABLE"])

    @property
    def client(self) -> Any:
        return self.table.client

    # -- keys -----------------------------------------------------------------------------------------
    @staticmethod
    def goal_sk(goal_id: str) -> str:
        return f"GOAL#{goal_id}"

    @staticmethod
    def milestone_sk(goal_id: str, seq: int) -> str:
        return f"GOAL#{goal_id}#MS#{seq:02d}"

    @classmethod
    def task_sk(cls, task_id: str) -> str:
        """Where a task lives, read from its id; an id that cannot be ours is simply not found."""
        match = _TASK_ID.match(task_id or "")
        if not match:
            raise NotFound(f"no task {task_id}")
        if match.group("goal"):
            return f"{cls.milestone_sk(match.group('goal'), int(match.group('seq')))}#TASK#{task_id}"
        return f"TASK#{task_id}"

    # -- goals ----------------------------------------------------------------------------------------
    def create_goal(self, owner: Principal, goal: Mapping[str, Any]) -> dict[str, Any]:
        stamp = now_iso()
        item = {
            "pk": owner.partition,
            "sk": self.goal_sk(goal["goalId"]),
            "gsi1pk": f"{owner.partition}#GOALS",
            "gsi1sk": f"{stamp}#{goal['goalId']}",
            **goal,
            "createdAt": stamp,
        }
        return public(self.table.create(item))

    def goal(self, owner: Principal, goal_id: str) -> dict[str, Any]:
        item = self.table.get(owner.partition, self.goal_sk(goal_id))
        if item is None:
            raise NotFound(f"no goal {goal_id}")
        return item

    def goal_tree(self, owner: Principal, goal_id: str) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
        """The goal, its milestones and their tasks, from one query (paged only past 1 MB)."""
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "TableName": self.table.name,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :goal)",
            "ExpressionAttributeValues": to_item({":pk": owner.partition, ":goal": self.goal_sk(goal_id)}),
            "ConsistentRead": True,
        }
        while True:
            answer = self.client.query(**kwargs)
            items.extend(from_item(item) for item in answer.get("Items", []))
            if "LastEvaluatedKey" not in answer:
                break
            kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
        # GOAL#<id>x... of another goal can share the prefix; keep this goal's own items only.
        mine = [i for i in items if i["sk"] == self.goal_sk(goal_id) or i["sk"].startswith(self.goal_sk(goal_id) + "#")]
        goal = next((i for i in mine if i["sk"] == self.goal_sk(goal_id)), None)
        if goal is None:
            raise NotFound(f"no goal {goal_id}")
        milestones = [i for i in mine if "#MS#" in i["sk"] and "#TASK#" not in i["sk"]]
        tasks = [i for i in mine if "#TASK#" in i["sk"]]
        return goal, milestones, tasks

    def goals_page(self, owner: Principal, *, limit: int, cursor: str | None) -> Page:
        return self.table.query_page(
            f"{owner.partition}#GOALS", index=BY_LIST, pk_name="gsi1pk", sk_name="gsi1sk", limit=limit, cursor=cursor, newest_first=True
        )

    def update_goal(
        self,
        owner: Principal,
        goal_id: str,
        changes: Mapping[str, Any],
        *,
        expected_version: int | None = None,
        when_status: Iterable[str] | None = None,
    ) -> dict[str, Any]:
        """Change a goal; with ``when_status``, only if its status is one of those (else Conflict)."""
        if when_status is None:
            return self.table.update(owner.partition, self.goal_sk(goal_id), changes, expected_version=expected_version)
        # One conditional write: the status is checked by DynamoDB as it writes, not read first.
        allowed = list(dict.fromkeys(when_status))
        request = self._goal_update_request(owner, goal_id, changes, expected_version=expected_version, when_status=allowed)
        written, current = update_or_old(self.client, request)
        if written is not None:
            return written
        if current is None:
            raise NotFound(f"no goal {goal_id}")
        if current.get("status") not in allowed:
            raise Conflict(f"the goal is {current.get('status')}", field="status", details={"status": current.get("status")})
        raise VersionConflict(expected_version or 0, current.get("version"))

    def _goal_update_request(
        self, owner: Principal, goal_id: str, changes: Mapping[str, Any], *, expected_version: int | None, when_status: list[str]
    ) -> dict[str, Any]:
        """The UpdateItem (or transaction Update) of ``update_goal``: it holds only in one of these statuses."""
        request = self.table.update_request(owner.partition, self.goal_sk(goal_id), changes, expected_version=expected_version)
        request["ConditionExpression"] += f" AND #status IN ({', '.join(f':when{i}' for i in range(len(when_status)))})"
        request["ExpressionAttributeNames"]["#status"] = "status"
        request["ExpressionAttributeValues"].update(to_item({f":when{i}": status for i, status in enumerate(when_status)}))
        return request

    def delete_goal(self, owner: Principal, goal_id: str) -> int:
        goal, milestones, tasks = self.goal_tree(owner, goal_id)
        return self.table.delete_keys([{"pk": owner.partition, "sk": i["sk"]} for i in (goal, *milestones, *tasks)])

    def fail_planning(self, owner: Principal, goal_id: str, changes: Mapping[str, Any]) -> int | None:
        """A goal whose roadmap workflow failed: ``changes`` written (its failed status) and the milestones
        and tasks the workflow wrote removed, in one transaction that holds only if the goal is still
        being planned as it was read (its version): a late or redelivered failure of a goal that has
        since become active, or been replanned, changes nothing. How many items went; None when the
        goal was not being planned (or is gone)."""
        try:
            goal, milestones, tasks = self.goal_tree(owner, goal_id)
        except NotFound:
            return None
        if goal.get("status") != "planning":
            return None
        roadmap = [{"pk": owner.partition, "sk": item["sk"]} for item in (*milestones, *tasks)]
        if not roadmap:  # it failed before saving anything: one conditional write
            try:
                self.update_goal(owner, goal_id, changes, expected_version=goal["version"], when_status=["planning"])
            except (NotFound, Conflict):
                return None
            return 0
        request = self._goal_update_request(owner, goal_id, changes, expected_version=goal["version"], when_status=["planning"])
        # A failed workflow leaves at most its milestones and the first one's tasks (a dozen items);
        # a transaction takes 100 writes, the goal's and 99 deletes.
        deletes = [{"Delete": {"TableName": self.table.name, "Key": to_item(key)}} for key in roadmap[:99]]
        try:
            transact(self.client, [{"Update": request}, *deletes])
        except TransactionFailed as failed:
            if failed.failed(0):
                return None
            raise
        return len(deletes) + self.table.delete_keys(roadmap[99:])

    # -- milestones and their tasks, written whole ------------------------------------------------------
    def save_milestones(self, owner: Principal, goal_id: str, milestones: Sequence[Mapping[str, Any]]) -> None:
        """All milestones at once, only while the goal is still being planned (one transaction)."""
        stamp = now_iso()
        writes: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self.table.name,
                    "Key": to_item({"pk": owner.partition, "sk": self.goal_sk(goal_id)}),
                    "UpdateExpression": "SET milestoneCount = :n, updatedAt = :at",
                    "ConditionExpression": "#status = :planning",
                    "ExpressionAttributeNames": {"#status": "status"},
                    "ExpressionAttributeValues": to_item({":n": len(milestones), ":at": stamp, ":planning": "planning"}),
                }
            }
        ]
        for seq, milestone in enumerate(milestones, start=1):
            item = self._milestone_item(owner, goal_id, seq, milestone, len(milestones), stamp)
            writes.append({"Put": {"TableName": self.table.name, "Item": to_item(item)}})
        self._transact(writes, on_condition=lambda: NotFound(f"goal {goal_id} is no longer being planned"))

    def _milestone_item(self, owner: Principal, goal_id: str, seq: int, milestone: Mapping[str, Any], count: int, stamp: str) -> dict[str, Any]:
        """A pending milestone's item."""
        return {
            "pk": owner.partition,
            "sk": self.milestone_sk(goal_id, seq),
            "goalId": goal_id,
            "milestoneId": f"{goal_id}.m{seq}",
            "seq": seq,
            "title": milestone["title"],
            "description": milestone.get("description", ""),
            "dueDate": milestone["dueDate"],
            "status": "pending",
            "openTasks": 0,
            "milestoneCount": count,  # MilestoneCompleted says which one comes next
            "createdAt": stamp,
            "updatedAt": stamp,
        }

    def _goal_task_item(self, owner: Principal, goal_id: str, seq: int, task: Mapping[str, Any], stamp: str) -> dict[str, Any]:
        """A new task of milestone ``seq`` of a goal (the coach's)."""
        task_id = goal_task_id(goal_id, seq)
        return {
            "pk": owner.partition,
            "sk": self.task_sk(task_id),
            "gsi1pk": f"{owner.partition}#DAY#{task['dueDate']}",
            "gsi1sk": f"TASK#{task_id}",
            "taskId": task_id,
            "goalId": goal_id,
            "milestoneSeq": seq,
            "title": task["title"],
            "description": task.get("description", ""),
            "dueDate": task["dueDate"],
            "status": "todo",
            "source": "coach",
            "createdAt": stamp,
            "updatedAt": stamp,
            "version": 1,
        }

    def create_goal_with_roadmap(
        self, owner: Principal, goal: Mapping[str, Any], milestones: Sequence[Mapping[str, Any]], first_tasks: Sequence[Mapping[str, Any]]
    ) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
        """A goal whose roadmap is already known (a career roadmap made a quest), written as the roadmap
        workflow would leave it, in one transaction: the goal active, its milestones, the first one active
        with ``first_tasks`` (the coach plans each next one when the one before is completed). Conflict
        when a goal with that id exists. The goal, milestones and tasks as written."""
        stamp = now_iso()
        goal_item = {
            "pk": owner.partition,
            "sk": self.goal_sk(goal["goalId"]),
            "gsi1pk": f"{owner.partition}#GOALS",
            "gsi1sk": f"{stamp}#{goal['goalId']}",
            **goal,
            "status": "active",
            "attempt": 1,
            "milestoneCount": len(milestones),
            "currentMilestone": 1,
            "plannedAt": stamp,
            "plannedTaskCount": len(first_tasks),
            "createdAt": stamp,
            "updatedAt": stamp,
            "version": 1,
        }
        milestone_items = [self._milestone_item(owner, goal["goalId"], seq, m, len(milestones), stamp) for seq, m in enumerate(milestones, start=1)]
        milestone_items[0].update(status="active", openTasks=len(first_tasks), startedAt=stamp)
        task_items = [self._goal_task_item(owner, goal["goalId"], 1, task, stamp) for task in first_tasks]
        writes = [{"Put": {"TableName": self.table.name, "Item": to_item(goal_item), "ConditionExpression": "attribute_not_exists(pk)"}}]
        writes += [{"Put": {"TableName": self.table.name, "Item": to_item(item)}} for item in (*milestone_items, *task_items)]
        self._transact(writes, on_condition=lambda: Conflict(f"goal {goal['goalId']} already exists"))
        return public(goal_item), milestone_items, [public(t) for t in task_items]

    def start_milestone(
        self,
        owner: Principal,
        goal_id: str,
        seq: int,
        tasks: Sequence[Mapping[str, Any]],
        *,
        activate_goal: bool,
    ) -> list[dict[str, Any]]:
        """Write a milestone's tasks and make it the active one (and the goal active, for the first), in one
        transaction that holds only while the milestone is still pending: a redelivery writes nothing."""
        stamp = now_iso()
        goal_condition = "#status = :planning" if activate_goal else "#status IN (:active, :paused)"
        goal_update = "SET currentMilestone = :seq, updatedAt = :at" + (
            ", #status = :active, plannedAt = :at, plannedTaskCount = :n" if activate_goal else ""
        )
        writes: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self.table.name,
                    "Key": to_item({"pk": owner.partition, "sk": self.goal_sk(goal_id)}),
                    "UpdateExpression": goal_update + " ADD version :one",
                    "ConditionExpression": goal_condition,
                    "ExpressionAttributeNames": {"#status": "status"},
                    "ExpressionAttributeValues": to_item(
                        {
                            ":seq": seq,
                            ":at": stamp,
                            ":one": 1,
                            ":active": "active",
                            **({":planning": "planning", ":n": len(tasks)} if activate_goal else {":paused": "paused"}),
                        }
                    ),
                }
            },
            {
                "Update": {
                    "TableName": self.table.name,
                    "Key": to_item({"pk": owner.partition, "sk": self.milestone_sk(goal_id, seq)}),
                    "UpdateExpression": "SET #status = :active, openTasks = :n, startedAt = :at, updatedAt = :at",
                    "ConditionExpression": "#status = :pending",
                    "ExpressionAttributeNames": {"#status": "status"},
                    "ExpressionAttributeValues": to_item({":active": "active", ":pending": "pending", ":n": len(tasks), ":at": stamp}),
                }
            },
        ]
        written = []
        for task in tasks:
            item = self._goal_task_item(owner, goal_id, seq, task, stamp)
            writes.append({"Put": {"TableName": self.table.name, "Item": to_item(item)}})
            written.append(public(item))
        self._transact(writes, on_condition=lambda: NotFound(f"milestone {seq} of goal {goal_id} is not waiting for tasks"))
        return written

    def milestone(self, owner: Principal, goal_id: str, seq: int) -> dict[str, Any] | None:
        return self.table.get(owner.partition, self.milestone_sk(goal_id, seq))

    # -- tasks ----------------------------------------------------------------------------------------
    def task(self, owner: Principal, task_id: str) -> dict[str, Any]:
        item = self.table.get(owner.partition, self.task_sk(task_id))
        if item is None:
            raise NotFound(f"no task {task_id}")
        return item

    def put_task(self, owner: Principal, task: Mapping[str, Any], *, only_if_new: bool = True) -> dict[str, Any] | None:
        """Write a task of the user's own (or a recurrence's); None when it already exists."""
        stamp = now_iso()
        item = {
            "pk": owner.partition,
            "sk": self.task_sk(task["taskId"]),
            "gsi1pk": f"{owner.partition}#DAY#{task['dueDate']}",
            "gsi1sk": f"TASK#{task['taskId']}",
            "status": "todo",
            "createdAt": stamp,
            "updatedAt": stamp,
            "version": 1,
            **task,
        }
        kwargs: dict[str, Any] = {"TableName": self.table.name, "Item": to_item(item)}
        if only_if_new:
            kwargs["ConditionExpression"] = "attribute_not_exists(pk)"
        try:
            self.client.put_item(**kwargs)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return None
            raise
        return public(item)

    def tasks_due(self, owner: Principal, day: str, *, limit: int, cursor: str | None) -> Page:
        return self.table.query_page(f"{owner.partition}#DAY#{day}", index=BY_LIST, pk_name="gsi1pk", sk_name="gsi1sk", limit=limit, cursor=cursor)

    def open_tasks_by_day(self, owner: Principal, days: Sequence[str]) -> dict[str, int]:
        """How many tasks still to do fall on each of ``days`` ({date: count}, days with none left out): one
        COUNT query of the index a day, all at once (the coach reads at most two weeks of them)."""
        counts: dict[str, int] = {}
        failures: list[BaseException] = []

        def count(day: str) -> None:
            request: dict[str, Any] = {
                "TableName": self.table.name,
                "IndexName": BY_LIST,
                "KeyConditionExpression": "gsi1pk = :day",
                "FilterExpression": "#status = :todo",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": to_item({":day": f"{owner.partition}#DAY#{day}", ":todo": "todo"}),
                "Select": "COUNT",
            }
            total = 0
            try:
                while True:
                    answer = self.client.query(**request)
                    total += answer["Count"]
                    if "LastEvaluatedKey" not in answer:
                        break
                    request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
            except BaseException as exc:  # noqa: BLE001 - raised by the caller's thread below
                failures.append(exc)
                return
            if total:
                counts[day] = total

        # Threads, not an executor: the coach's function imports little, and a day's query waits on DynamoDB.
        threads = [threading.Thread(target=count, args=(day,), daemon=True) for day in dict.fromkeys(days)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            raise failures[0]
        return {day: counts[day] for day in days if day in counts}

    def set_task_status(self, owner: Principal, task: Mapping[str, Any], status: str, step: TaskStep) -> str:
        """todo <-> done, and in the same transaction what ``step`` says of its milestone and goal.

        "changed"; "unchanged" when the task already had that status (nothing written: marking done twice
        has one effect); "raced" when the milestone or the goal is no longer as ``step`` read it."""
        stamp = now_iso()
        done = status == "done"
        writes: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self.table.name,
                    "Key": to_item({"pk": owner.partition, "sk": task["sk"]}),
                    "UpdateExpression": (
                        "SET #status = :to, completedAt = :at, updatedAt = :at" if done else "SET #status = :to, updatedAt = :at REMOVE completedAt"
                    )
                    + " ADD version :one",
                    "ConditionExpression": "#status = :from",
                    "ExpressionAttributeNames": {"#status": "status"},
                    "ExpressionAttributeValues": to_item({":to": status, ":from": "todo" if done else "done", ":at": stamp, ":one": 1}),
                }
            }
        ]
        if step.counted:
            writes.append({"Update": self._milestone_count(owner, task, step, -1 if done else 1, stamp)})
        if step.finishes_goal:
            writes.append(
                {
                    "Update": {
                        "TableName": self.table.name,
                        "Key": to_item({"pk": owner.partition, "sk": self.goal_sk(task["goalId"])}),
                        "UpdateExpression": "SET #status = :done, completedAt = :at, updatedAt = :at ADD version :one",
                        "ConditionExpression": "#status = :was",
                        "ExpressionAttributeNames": {"#status": "status"},
                        "ExpressionAttributeValues": to_item({":done": "completed", ":at": stamp, ":one": 1, ":was": step.goal_status}),
                    }
                }
            )
        try:
            transact(self.client, writes)
        except TransactionFailed as failure:
            return "unchanged" if failure.failed(0) else "raced"
        return "changed"

    def _milestone_count(self, owner: Principal, task: Mapping[str, Any], step: TaskStep, delta: int, stamp: str) -> dict[str, Any]:
        """The milestone's side of a task's change: its open-task count moves by ``delta``; the count read
        must still hold when one was read, and the last open task done completes the milestone."""
        request: dict[str, Any] = {
            "TableName": self.table.name,
            "Key": to_item({"pk": owner.partition, "sk": self.milestone_sk(task["goalId"], int(task["milestoneSeq"]))}),
            "UpdateExpression": "ADD openTasks :delta",
            "ConditionExpression": "attribute_exists(pk)",
            "ExpressionAttributeValues": {":delta": delta},
        }
        if step.open_tasks is not None:
            request["ConditionExpression"] = "#status = :active AND openTasks = :open"
            request["ExpressionAttributeNames"] = {"#status": "status"}
            request["ExpressionAttributeValues"].update({":active": "active", ":open": step.open_tasks})
        if step.completes_milestone:
            request["UpdateExpression"] = "SET #status = :done, openTasks = :zero, completedAt = :at, updatedAt = :at"
            request["ExpressionAttributeValues"] = {":active": "active", ":open": step.open_tasks, ":done": "completed", ":zero": 0, ":at": stamp}
        request["ExpressionAttributeValues"] = to_item(request["ExpressionAttributeValues"])
        return request

    def update_task(self, owner: Principal, task: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
        values = dict(changes)
        if "dueDate" in values:
            values["gsi1pk"] = f"{owner.partition}#DAY#{values['dueDate']}"
        return self.table.update(owner.partition, task["sk"], values)

    def delete_task(self, owner: Principal, task: Mapping[str, Any]) -> None:
        writes: list[dict[str, Any]] = [
            {
                "Delete": {
                    "TableName": self.table.name,
                    "Key": to_item({"pk": owner.partition, "sk": task["sk"]}),
                    "ConditionExpression": "attribute_exists(pk)",
                }
            }
        ]
        if task.get("goalId") and task.get("milestoneSeq") and task.get("status") == "todo":
            writes.append(
                {
                    "Update": {
                        "TableName": self.table.name,
                        "Key": to_item({"pk": owner.partition, "sk": self.milestone_sk(task["goalId"], int(task["milestoneSeq"]))}),
                        "UpdateExpression": "ADD openTasks :minus",
                        "ExpressionAttributeValues": to_item({":minus": -1}),
                    }
                }
            )
        self._transact(writes, on_condition=lambda: NotFound(f"no task {task.get('taskId')}"))

    # -- recurrence rules -------------------------------------------------------------------------------
    def create_rule(self, owner: Principal, rule: Mapping[str, Any]) -> dict[str, Any]:
        return public(self.table.create(self.rule_item(owner, rule)))

    @staticmethod
    def rule_item(owner: Principal, rule: Mapping[str, Any]) -> dict[str, Any]:
        """A rule's item, but for what ``Table.create`` adds (its timestamps and version)."""
        rule_id = rule["recurrenceId"]
        # Only an active rule is in the index (sparse): the daily run reads none but active rules.
        index = {"gsi1pk": rule_shard(owner.partition, rule_id), "gsi1sk": f"{owner.partition}#{rule_id}"} if rule.get("active", True) else {}
        return {"pk": owner.partition, "sk": f"RULE#{rule_id}", **index, "tenantId": owner.tenant_id, "userId": owner.user_id, **rule}

    def rule(self, owner: Principal, rule_id: str) -> dict[str, Any]:
        item = self.table.get(owner.partition, f"RULE#{rule_id}")
        if item is None:
            raise NotFound(f"no recurrence {rule_id}")
        return item

    def rules_page(self, owner: Principal, *, limit: int, cursor: str | None) -> Page:
        return self.table.query_page(owner.partition, sk_prefix="RULE#", limit=limit, cursor=cursor)

    def active_rules(self, partition: str, *, cursor: str | None = None, limit: int = RULES_PER_PAGE) -> Page:
        """One page of one partition of the active rules' index (one of ACTIVE_RULE_PARTITIONS): at most
        ``limit`` rules from one query (``Table.query_page`` pages are the API's, of at most 100)."""
        if partition not in ACTIVE_RULE_PARTITIONS:
            raise ValueError(f"{partition!r} is not a partition of the active rules' index")
        request: dict[str, Any] = {
            "TableName": self.table.name,
            "IndexName": BY_LIST,
            "KeyConditionExpression": "gsi1pk = :partition",
            "ExpressionAttributeValues": to_item({":partition": partition}),
            "Limit": limit,
        }
        if cursor:
            request["ExclusiveStartKey"] = decode_cursor(cursor, "gsi1pk", partition)
        answer = self.client.query(**request)
        last = answer.get("LastEvaluatedKey")
        return Page([from_item(item) for item in answer.get("Items", [])], encode_cursor(last) if last else None)

    def existing_tasks(self, tasks: Iterable[tuple[Principal, str]]) -> set[tuple[str, str]]:
        """Which of these tasks (owner, task id) exist, as ``(pk, sk)``: BatchGetItem, 100 keys a call,
        eventually consistent. Only a shortcut: a task written a moment ago, or a key DynamoDB leaves
        unprocessed, is not in the answer, and the caller's conditional put decides for it."""
        keys = list(dict.fromkeys((owner.partition, self.task_sk(task_id)) for owner, task_id in tasks))
        found: set[tuple[str, str]] = set()
        for start in range(0, len(keys), 100):
            answer = self.client.batch_get_item(
                RequestItems={
                    self.table.name: {
                        "Keys": [to_item({"pk": pk, "sk": sk}) for pk, sk in keys[start : start + 100]],
                        "ProjectionExpression": "pk, sk",
                    }
                }
            )
            found.update((item["pk"]["S"], item["sk"]["S"]) for item in answer.get("Responses", {}).get(self.table.name, []))
        return found

    def move_to_shards(self, rules: Iterable[Mapping[str, Any]]) -> int:
        """The rules of a page still under the unsharded key of the index, each moved to its shard while it
        is still there (a rule deleted meanwhile stays deleted). How many moved."""
        moved = 0
        for rule in rules:
            if rule.get("gsi1pk") != UNSHARDED_ACTIVE_RULES:
                continue
            try:
                self.client.update_item(
                    TableName=self.table.name,
                    Key=to_item({"pk": rule["pk"], "sk": rule["sk"]}),
                    UpdateExpression="SET gsi1pk = :shard",
                    ConditionExpression="gsi1pk = :unsharded",
                    ExpressionAttributeValues=to_item({":shard": rule_shard(rule["pk"], rule["recurrenceId"]), ":unsharded": UNSHARDED_ACTIVE_RULES}),
                )
                moved += 1
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
        return moved

    def delete_rule(self, owner: Principal, rule_id: str) -> dict[str, Any]:
        removed = self.table.delete(owner.partition, f"RULE#{rule_id}")
        if removed is None:
            raise NotFound(f"no recurrence {rule_id}")
        return removed

    def rule_tasks(self, owner: Principal, rule_id: str) -> list[dict[str, Any]]:
        return list(self.table.iterate(owner.partition, sk_prefix=f"TASK#R-{rule_id}-"))

    # -- chat -----------------------------------------------------------------------------------------
    def add_messages(self, owner: Principal, conversation_id: str, messages: Sequence[Mapping[str, Any]]) -> None:
        stamp = now_iso()
        writes = []
        for n, message in enumerate(messages):
            item = {
                "pk": owner.partition,
                "sk": f"CHAT#{conversation_id}#{stamp}#{n}",
                "conversationId": conversation_id,
                "at": stamp,
                **message,
            }
            writes.append({"Put": {"TableName": self.table.name, "Item": to_item(item)}})
        self.client.transact_write_items(TransactItems=writes)

    def messages_page(self, owner: Principal, conversation_id: str, *, limit: int, cursor: str | None) -> Page:
        return self.table.query_page(owner.partition, sk_prefix=f"CHAT#{conversation_id}#", limit=limit, cursor=cursor, newest_first=True)

    # -- the user's data --------------------------------------------------------------------------------
    def export(self, owner: Principal) -> dict[str, Any]:
        document: dict[str, Any] = {"goals": [], "tasks": [], "recurrences": [], "chat": []}
        goals: dict[str, dict[str, Any]] = {}
        for item in self.table.iterate(owner.partition):
            sk = item["sk"]
            if sk.startswith("GOAL#") and "#MS#" not in sk:
                goals[item["goalId"]] = {**public(item), "milestones": []}
            elif sk.startswith("GOAL#") and "#TASK#" not in sk:
                goals[item["goalId"]]["milestones"].append({**public(item), "tasks": []})
            elif sk.startswith("GOAL#"):
                milestone = goals[item["goalId"]]["milestones"][int(item["milestoneSeq"]) - 1]
                milestone["tasks"].append(public(item))
            elif sk.startswith("TASK#"):
                document["tasks"].append(public(item))
            elif sk.startswith("RULE#"):
                document["recurrences"].append(public(item))
            elif sk.startswith("CHAT#"):
                document["chat"].append(public(item))
        document["goals"] = list(goals.values())
        return document

    def erase_page(self, owner: Principal, limit: int) -> tuple[int, bool]:
        return self.table.erase_page(owner.partition, limit)

    def size(self, owner: Principal) -> int:
        return self.table.count(owner.partition)

    # -- helpers --------------------------------------------------------------------------------------
    def _transact(self, writes: list[dict[str, Any]], *, on_condition: Any) -> None:
        try:
            self.client.transact_write_items(TransactItems=writes)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "TransactionCanceledException":
                raise on_condition() from None
            raise
