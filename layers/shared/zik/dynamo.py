"""DynamoDB helpers: conditional create, optimistic versioning, paginated queries with opaque cursors.

Items are plain Python values here: numbers come back as int or float (never Decimal), floats go in as
exact decimals. A data-access module wraps one ``Table`` per DynamoDB table it owns.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any, cast

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from zik import inputs
from zik.clock import epoch_seconds, now_iso
from zik.errors import Conflict, InvalidRequest, NotFound, VersionConflict

MAX_PAGE_SIZE = 100
# The item an erased user's partition keeps (for as long as the user's tokens and late events may come).
ERASED = "ERASED"
TOMBSTONE_DAYS = 30


@cache
def shared_client() -> Any:
    """The execution environment's one DynamoDB client: every table, the idempotency records, the AI's
    budgets and circuits. A client of its own (as a library would make by default) loads the service
    model again, a tenth of a second of cold start each."""
    return boto3.client("dynamodb")


class _Deserializer(TypeDeserializer):
    def _deserialize_n(self, value: str) -> int | float:
        number = Decimal(value)
        return int(number) if number == number.to_integral_value() else float(number)


_serializer = TypeSerializer()
_deserializer = _Deserializer()


def to_item(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _serializer.serialize(_exact(value)) for key, value in values.items() if value is not None}


def from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _deserializer.deserialize(value) for key, value in item.items()}


def _exact(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {k: _exact(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_exact(v) for v in value]
    return value


@dataclass(frozen=True)
class Filter:
    """A FilterExpression with its names and values (placeholders must not clash with ``#pk``/``:pk``)."""

    expression: str
    names: Mapping[str, str]
    values: Mapping[str, Any]

    @staticmethod
    def all_of(*filters: Filter | None) -> Filter | None:
        present = [f for f in filters if f is not None]
        if not present:
            return None
        return Filter(
            " AND ".join(f"({f.expression})" for f in present),
            {k: v for f in present for k, v in f.names.items()},
            {k: v for f in present for k, v in f.values.items()},
        )


class TransactionFailed(Exception):
    """A transaction was cancelled; ``reasons`` has one code per write, in order ("None" for those that
    were fine, "ConditionalCheckFailed" for a condition that did not hold)."""

    def __init__(self, reasons: list[str]):
        super().__init__(f"transaction cancelled: {reasons}")
        self.reasons = reasons

    def failed(self, index: int) -> bool:
        return index < len(self.reasons) and self.reasons[index] == "ConditionalCheckFailed"


def transact(client: Any, writes: Sequence[Mapping[str, Any]]) -> None:
    """TransactWriteItems; a cancelled transaction raises TransactionFailed saying which write failed."""
    try:
        client.transact_write_items(TransactItems=writes)
    except ClientError as exc:
        if _code(exc) != "TransactionCanceledException":
            raise
        reasons = [reason.get("Code", "None") for reason in exc.response.get("CancellationReasons", [])]
        raise TransactionFailed(reasons) from None


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None


class Table:
    """One DynamoDB table with a composite primary key (``pk`` and ``sk`` unless told otherwise)."""

    def __init__(self, name: str, *, pk: str = "pk", sk: str | None = "sk", client: Any = None):
        self.name = name
        self.pk = pk
        self.sk = sk
        self.client = client or shared_client()

    # -- single items -------------------------------------------------------------------------------
    def key(self, pk: str, sk: str | None = None) -> dict[str, Any]:
        values: dict[str, str | None] = {self.pk: pk}
        if self.sk:
            values[self.sk] = sk
        return to_item(values)

    def get(self, pk: str, sk: str | None = None, *, consistent: bool = True) -> dict[str, Any] | None:
        answer = self.client.get_item(TableName=self.name, Key=self.key(pk, sk), ConsistentRead=consistent)
        return from_item(answer["Item"]) if "Item" in answer else None

    def create(self, item: Mapping[str, Any]) -> dict[str, Any]:
        """Write a new item (version 1); raise Conflict if one with the same key exists."""
        stamp = now_iso()
        values = {"createdAt": stamp, "updatedAt": stamp, **item, "version": 1}
        try:
            self.client.put_item(
                TableName=self.name,
                Item=to_item(values),
                ConditionExpression="attribute_not_exists(#pk)",
                ExpressionAttributeNames={"#pk": self.pk},
            )
        except ClientError as exc:
            if _code(exc) == "ConditionalCheckFailedException":
                raise Conflict("it already exists") from None
            raise
        return values

    def update_request(
        self,
        pk: str,
        sk: str | None,
        changes: Mapping[str, Any],
        *,
        expected_version: int | None = None,
        remove: Iterable[str] = (),
    ) -> dict[str, Any]:
        """The UpdateItem parameters (for ``update_item`` or a transaction's ``Update``) that set
        ``changes`` (a value of None removes the attribute), stamp ``updatedAt`` and bump the version of
        an existing item, at ``expected_version`` when given."""
        names: dict[str, str] = {"#pk": self.pk, "#version": "version", "#updatedAt": "updatedAt"}
        values: dict[str, Any] = {":one": 1, ":zero": 0, ":updatedAt": now_iso()}
        sets = ["#updatedAt = :updatedAt", "#version = if_not_exists(#version, :zero) + :one"]
        removals: list[str] = []
        for index, (attribute, value) in enumerate(changes.items()):
            if attribute in (self.pk, self.sk, "version", "createdAt", "updatedAt"):
                continue
            if value is None:
                names[f"#r{index}"] = attribute
                removals.append(f"#r{index}")
                continue
            names[f"#a{index}"] = attribute
            values[f":v{index}"] = value
            sets.append(f"#a{index} = :v{index}")
        for index, attribute in enumerate(remove):
            names[f"#x{index}"] = attribute
            removals.append(f"#x{index}")
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removals) if removals else "")
        condition = "attribute_exists(#pk)"
        if expected_version is not None:
            condition += " AND #version = :expected"
            values[":expected"] = expected_version
        return {
            "TableName": self.name,
            "Key": self.key(pk, sk),
            "UpdateExpression": expression,
            "ConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": to_item(values),
        }

    def update(
        self,
        pk: str,
        sk: str | None,
        changes: Mapping[str, Any],
        *,
        expected_version: int | None = None,
        remove: Iterable[str] = (),
    ) -> dict[str, Any]:
        """Set ``changes`` on an existing item and bump its version.

        With ``expected_version`` the write happens only if the stored version still matches
        (optimistic locking); a stale one raises VersionConflict, a missing item NotFound.
        """
        written, old = update_or_old(self.client, self.update_request(pk, sk, changes, expected_version=expected_version, remove=remove))
        if written is not None:
            return written
        if old is None:
            raise NotFound("not found")
        raise VersionConflict(expected_version or 0, old.get("version"))

    def delete(self, pk: str, sk: str | None = None, *, must_exist: bool = False) -> dict[str, Any] | None:
        kwargs: dict[str, Any] = {"TableName": self.name, "Key": self.key(pk, sk), "ReturnValues": "ALL_OLD"}
        if must_exist:
            kwargs["ConditionExpression"] = "attribute_exists(#pk)"
            kwargs["ExpressionAttributeNames"] = {"#pk": self.pk}
        try:
            answer = self.client.delete_item(**kwargs)
        except ClientError as exc:
            if _code(exc) == "ConditionalCheckFailedException":
                raise NotFound("not found") from None
            raise
        return from_item(answer["Attributes"]) if "Attributes" in answer else None

    # -- queries --------------------------------------------------------------------------------------
    def query_page(
        self,
        pk_value: str,
        *,
        sk_prefix: str | None = None,
        sk_between: tuple[str, str] | None = None,
        index: str | None = None,
        pk_name: str | None = None,
        sk_name: str | None = None,
        limit: int | None = 20,
        cursor: str | None = None,
        newest_first: bool = False,
        where: Filter | None = None,
        consistent: bool = False,
    ) -> Page:
        """One page of a partition (optionally of a GSI), in sort-key order, with an opaque cursor.

        ``where`` filters after the read, as DynamoDB does: a page may then hold fewer than ``limit``
        items (even none) and still have a next cursor. ``limit=None`` reads as much as DynamoDB gives
        in one call (up to 1 MB): for reading whole partitions, never for a client's page."""
        if limit is not None and not 1 <= limit <= MAX_PAGE_SIZE:
            raise InvalidRequest(f"limit must be between 1 and {MAX_PAGE_SIZE}", field="limit")
        pk_attr = pk_name or self.pk
        sk_attr = sk_name or self.sk
        names = {"#pk": pk_attr}
        values: dict[str, Any] = {":pk": pk_value}
        condition = "#pk = :pk"
        if sk_prefix is not None and sk_attr:
            names["#sk"] = sk_attr
            values[":prefix"] = sk_prefix
            condition += " AND begins_with(#sk, :prefix)"
        if sk_between is not None and sk_attr:
            names["#sk"] = sk_attr
            values[":low"], values[":high"] = sk_between
            condition += " AND #sk BETWEEN :low AND :high"
        if where is not None:
            names.update(where.names)
            values.update(where.values)
        kwargs: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": to_item(values),
            "ScanIndexForward": not newest_first,
        }
        if limit is not None:
            kwargs["Limit"] = limit
        if index:
            kwargs["IndexName"] = index
        elif consistent:
            kwargs["ConsistentRead"] = True
        if where is not None:
            kwargs["FilterExpression"] = where.expression
        if cursor:
            kwargs["ExclusiveStartKey"] = decode_cursor(cursor, pk_attr, pk_value)
        answer = self.client.query(**kwargs)
        last = answer.get("LastEvaluatedKey")
        return Page([from_item(item) for item in answer.get("Items", [])], encode_cursor(last) if last else None)

    def iterate(self, pk_value: str, **query: Any) -> Iterator[dict[str, Any]]:
        """Every item ``query_page`` would give for these arguments (``sk_prefix``, ``index``, ...), page
        after page, each as large as DynamoDB gives (1 MB)."""
        cursor = None
        while True:
            page = self.query_page(pk_value, **query, limit=None, cursor=cursor)
            yield from page.items
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    def delete_partition(self, pk_value: str) -> int:
        """Delete every item of one partition; returns how many went."""
        return self.delete_keys([{k: v for k, v in item.items() if k in (self.pk, self.sk)} for item in self.iterate(pk_value)])

    def delete_partition_page(self, pk_value: str, limit: int, *, keep: Iterable[str] = ()) -> tuple[int, bool]:
        """Delete at most ``limit`` items of one partition (not the sort keys in ``keep``): how many went,
        and whether the partition is now empty (but for those kept). A large partition goes a page a call."""
        kept = set(keep)
        answer = self.client.query(
            TableName=self.name,
            KeyConditionExpression="#pk = :pk",
            ExpressionAttributeNames={"#pk": self.pk, **({"#sk": self.sk} if self.sk else {})},
            ExpressionAttributeValues=to_item({":pk": pk_value}),
            ProjectionExpression="#pk, #sk" if self.sk else "#pk",
            Limit=limit + len(kept),
            ConsistentRead=True,
        )
        keys = [from_item(item) for item in answer.get("Items", [])]
        doomed = [key for key in keys if not self.sk or key[self.sk] not in kept]
        self.delete_keys(doomed)
        return len(doomed), "LastEvaluatedKey" not in answer

    def count(self, pk_value: str, *, index: str | None = None, pk_name: str | None = None) -> int:
        """How many items one partition holds, of the table or of ``index`` (keyed by ``pk_name``): a COUNT
        query, paged: it reads, but returns no item."""
        kwargs: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": pk_name or self.pk},
            "ExpressionAttributeValues": to_item({":pk": pk_value}),
            "Select": "COUNT",
        }
        if index is not None:
            kwargs["IndexName"] = index
        total = 0
        while True:
            answer = self.client.query(**kwargs)
            total += answer["Count"]
            if "LastEvaluatedKey" not in answer:
                return total
            kwargs["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    def erase_page(self, pk_value: str, limit: int) -> tuple[int, bool]:
        """A page of a user's erasure: at most ``limit`` items of the partition deleted; once it is empty, the
        partition's tombstone (sk ERASED, expiring) is written, which late writers check."""
        removed, done = self.delete_partition_page(pk_value, limit, keep=[ERASED])
        if done:
            self.client.put_item(
                TableName=self.name,
                Item=to_item(
                    {
                        self.pk: pk_value,
                        **({self.sk: ERASED} if self.sk else {}),
                        "erasedAt": now_iso(),
                        "expiresAt": epoch_seconds() + TOMBSTONE_DAYS * 86400,
                    }
                ),
            )
        return removed, done

    def erased(self, pk_value: str) -> bool:
        """Whether the partition's user was erased (its tombstone is there)."""
        return self.get(pk_value, ERASED if self.sk else None, consistent=False) is not None

    def delete_keys(self, keys: Sequence[Mapping[str, Any]]) -> int:
        """Delete the items with these keys, 25 a batch, retrying what DynamoDB leaves unprocessed."""
        for start in range(0, len(keys), 25):
            requests = [{"DeleteRequest": {"Key": to_item(key)}} for key in keys[start : start + 25]]
            pending: dict[str, Any] = {self.name: requests}
            while pending:
                pending = self.client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
        return len(keys)


def update_or_old(client: Any, request: Mapping[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """A conditional UpdateItem: ``(the item as written, None)``, or, when its condition failed, ``(None, the
    item as it was)`` (None too when there was none), read by the same call, so that the caller can say why."""
    try:
        answer = client.update_item(**request, ReturnValues="ALL_NEW", ReturnValuesOnConditionCheckFailure="ALL_OLD")
    except ClientError as exc:
        if _code(exc) != "ConditionalCheckFailedException":
            raise
        old = item_of_failed_condition(exc)
        return None, from_item(old) if old else None
    return from_item(answer["Attributes"]), None


def encode_cursor(last_evaluated_key: Mapping[str, Any]) -> str:
    raw = json.dumps(last_evaluated_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, pk_attr: str, pk_value: str) -> dict[str, Any]:
    """Decode a cursor from ``encode_cursor``; refuse one that is malformed or points into another
    partition than the one being read."""
    malformed = InvalidRequest("cursor is malformed: pass back the nextCursor of the previous page", field="cursor")
    try:
        # Through the API's one JSON parser: a cursor is client input (bounded nesting, finite numbers).
        key = inputs.json_document(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError, InvalidRequest):
        raise malformed from None
    if not isinstance(key, dict) or not key or len(key) > 4:
        raise malformed
    for value in key.values():
        if not isinstance(value, dict) or len(value) != 1 or next(iter(value)) not in ("S", "N", "B"):
            raise malformed
        if not isinstance(next(iter(value.values())), str):
            raise malformed
    if key.get(pk_attr) != {"S": pk_value}:
        raise malformed
    return key


def _code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")


def item_of_failed_condition(exc: ClientError) -> dict[str, Any] | None:
    """The item a failed condition found (``ReturnValuesOnConditionCheckFailure="ALL_OLD"``), in DynamoDB's
    form, or None: botocore's type of the error's response leaves this field out."""
    return cast("dict[str, Any] | None", exc.response.get("Item"))
