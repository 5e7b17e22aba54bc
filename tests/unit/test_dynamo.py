"""zik.dynamo against moto: conditional create, optimistic versions, pages with opaque cursors, plain numbers."""

from __future__ import annotations

import base64
import json
from decimal import Decimal

import pytest

from zik.dynamo import MAX_PAGE_SIZE, Table, decode_cursor, encode_cursor, from_item, to_item
from zik.errors import Conflict, InvalidRequest, NotFound, VersionConflict

PK = "TENANT#acme#USER#u-1"
OTHER = "TENANT#acme#USER#u-2"


def _no_decimals(value) -> bool:
    if isinstance(value, Decimal):
        return False
    if isinstance(value, dict):
        return all(_no_decimals(v) for v in value.values())
    if isinstance(value, (list, tuple, set)):
        return all(_no_decimals(v) for v in value)
    return True


def _raw(table: Table, pk: str, sk: str) -> dict | None:
    """The item as DynamoDB holds it, read past the helper under test."""
    answer = table.client.get_item(TableName=table.name, Key={"pk": {"S": pk}, "sk": {"S": sk}}, ConsistentRead=True)
    return answer.get("Item")


def _fill(table: Table, pk: str, count: int, prefix: str = "ITEM#") -> list[str]:
    keys = [f"{prefix}{i:03d}" for i in range(count)]
    for sk in keys:
        table.create({"pk": pk, "sk": sk, "n": int(sk[-3:])})
    return keys


# -- items ------------------------------------------------------------------------------------------------
def test_create_writes_version_1_with_timestamps(users_table):
    created = users_table.create({"pk": PK, "sk": "PROFILE", "name": "Ada"})
    assert created["version"] == 1
    assert created["createdAt"] == created["updatedAt"]
    assert created["createdAt"].endswith("Z")
    stored = users_table.get(PK, "PROFILE")
    assert stored == created


def test_create_cannot_be_told_its_version(users_table):
    assert users_table.create({"pk": PK, "sk": "A", "version": 7})["version"] == 1
    assert users_table.get(PK, "A")["version"] == 1


def test_create_of_an_existing_key_is_a_conflict_and_changes_nothing(users_table):
    users_table.create({"pk": PK, "sk": "PROFILE", "name": "first"})
    with pytest.raises(Conflict):
        users_table.create({"pk": PK, "sk": "PROFILE", "name": "second"})
    assert users_table.get(PK, "PROFILE")["name"] == "first"


def test_get_of_a_missing_item_is_none(users_table):
    assert users_table.get(PK, "NOPE") is None


def test_update_sets_fields_and_bumps_the_version(users_table):
    users_table.create({"pk": PK, "sk": "P", "name": "Ada", "city": "London"})
    updated = users_table.update(PK, "P", {"name": "Ada L."}, expected_version=1)
    assert updated["version"] == 2
    assert updated["name"] == "Ada L."
    assert updated["city"] == "London"
    assert users_table.get(PK, "P") == updated


def test_update_with_a_stale_version_is_a_version_conflict_with_the_current_version(users_table):
    users_table.create({"pk": PK, "sk": "P", "name": "v1"})
    users_table.update(PK, "P", {"name": "v2"}, expected_version=1)
    with pytest.raises(VersionConflict) as caught:
        users_table.update(PK, "P", {"name": "stale"}, expected_version=1)
    assert caught.value.status == 409
    assert caught.value.details == {"currentVersion": 2}
    assert users_table.get(PK, "P")["name"] == "v2"


def test_update_of_a_missing_item_is_not_found_and_creates_nothing(users_table):
    with pytest.raises(NotFound):
        users_table.update(PK, "GHOST", {"name": "x"}, expected_version=1)
    with pytest.raises(NotFound):
        users_table.update(PK, "GHOST", {"name": "x"})
    assert _raw(users_table, PK, "GHOST") is None


def test_update_without_expected_version_always_applies(users_table):
    users_table.create({"pk": PK, "sk": "P", "count": 1})
    users_table.update(PK, "P", {"count": 2})
    assert users_table.update(PK, "P", {"count": 3})["version"] == 3


def test_update_removes_attributes_set_to_none_or_listed(users_table):
    users_table.create({"pk": PK, "sk": "P", "a": 1, "b": 2, "c": 3})
    updated = users_table.update(PK, "P", {"a": None, "d": 4}, remove=["b"])
    assert "a" not in updated and "b" not in updated
    assert updated["c"] == 3 and updated["d"] == 4


def test_update_never_touches_keys_version_or_created_at(users_table):
    created = users_table.create({"pk": PK, "sk": "P", "name": "x"})
    updated = users_table.update(PK, "P", {"pk": OTHER, "sk": "Q", "version": 99, "createdAt": "1970-01-01T00:00:00.000Z", "name": "y"})
    assert (updated["pk"], updated["sk"]) == (PK, "P")
    assert updated["version"] == 2
    assert updated["createdAt"] == created["createdAt"]
    assert updated["name"] == "y"


def test_update_accepts_attribute_names_that_are_reserved_words(users_table):
    users_table.create({"pk": PK, "sk": "P", "status": "new"})
    updated = users_table.update(PK, "P", {"status": "done", "name": "n", "size": 3}, remove=["data"])
    assert (updated["status"], updated["name"], updated["size"]) == ("done", "n", 3)


def test_delete_returns_the_old_item_and_a_missing_one_is_none(users_table):
    users_table.create({"pk": PK, "sk": "P", "name": "x"})
    assert users_table.delete(PK, "P")["name"] == "x"
    assert users_table.get(PK, "P") is None
    assert users_table.delete(PK, "P") is None


def test_delete_must_exist_raises_not_found(users_table):
    with pytest.raises(NotFound):
        users_table.delete(PK, "P", must_exist=True)


# -- numbers ------------------------------------------------------------------------------------------------
def test_numbers_round_trip_as_int_and_float_never_decimal(users_table):
    values = {
        "ratio": 0.1,
        "count": 3,
        "negative": -2.5,
        "big": 12345678901234567890,
        "nested": {"score": 2.75, "list": [1, 1.25, {"deep": 0.3}]},
    }
    users_table.create({"pk": PK, "sk": "N", **values})
    stored = users_table.get(PK, "N")
    assert _no_decimals(stored)
    for key, value in values.items():
        assert stored[key] == value
    assert type(stored["count"]) is int and type(stored["ratio"]) is float
    # Floats go in as the exact decimal of their repr, not as binary noise.
    assert _raw(users_table, PK, "N")["ratio"] == {"N": "0.1"}

    updated = users_table.update(PK, "N", {"ratio": 0.7, "nested": {"score": 1.5}})
    assert updated["ratio"] == 0.7 and updated["nested"] == {"score": 1.5}
    assert _no_decimals(updated)


def test_item_conversion_drops_nones_and_keeps_plain_types():
    item = to_item({"a": 1, "b": None, "c": {"d": None, "e": 0.5}, "f": [True, "x"]})
    assert "b" not in item
    assert item["c"] == {"M": {"e": {"N": "0.5"}}}
    assert from_item(item) == {"a": 1, "c": {"e": 0.5}, "f": [True, "x"]}


# -- pages --------------------------------------------------------------------------------------------------
def test_query_page_walks_a_partition_with_cursors(users_table):
    keys = _fill(users_table, PK, 25)
    _fill(users_table, OTHER, 3)
    seen, cursor, pages = [], None, 0
    while True:
        page = users_table.query_page(PK, limit=10, cursor=cursor)
        pages += 1
        seen += [item["sk"] for item in page.items]
        assert len(page.items) <= 10
        if not page.next_cursor:
            break
        cursor = page.next_cursor
        assert pages < 10, "pagination does not end"
    assert seen == keys  # every item once, in sort-key order, none of the other partition
    assert pages == 3


def test_query_page_newest_first_and_prefix(users_table):
    _fill(users_table, PK, 5, prefix="GOAL#")
    _fill(users_table, PK, 2, prefix="TASK#")
    page = users_table.query_page(PK, sk_prefix="GOAL#", newest_first=True, limit=3)
    assert [i["sk"] for i in page.items] == ["GOAL#004", "GOAL#003", "GOAL#002"]
    rest = users_table.query_page(PK, sk_prefix="GOAL#", newest_first=True, limit=3, cursor=page.next_cursor)
    assert [i["sk"] for i in rest.items] == ["GOAL#001", "GOAL#000"]
    assert rest.next_cursor is None


def test_query_page_of_an_empty_partition(users_table):
    page = users_table.query_page(PK)
    assert page.items == [] and page.next_cursor is None


@pytest.mark.parametrize("limit", [0, -1, MAX_PAGE_SIZE + 1])
def test_query_page_limit_out_of_range_names_limit(users_table, limit):
    with pytest.raises(InvalidRequest) as caught:
        users_table.query_page(PK, limit=limit)
    assert caught.value.field == "limit"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor!",
        "%%%",
        _b64(b"not json"),
        _b64(b"\xff\xfe"),
        _b64(b"[1,2]"),
        _b64(b"{}"),
        _b64(json.dumps({"pk": {"X": PK}, "sk": {"S": "ITEM#001"}}).encode()),
        _b64(json.dumps({"pk": {"S": PK}, "sk": {"N": 5}}).encode()),
        _b64(json.dumps({"pk": {"S": PK}, "sk": "ITEM#001"}).encode()),
        _b64(json.dumps({f"k{i}": {"S": PK} for i in range(5)} | {"pk": {"S": PK}}).encode()),
    ],
)
def test_malformed_cursor_is_invalid_request_on_field_cursor(users_table, cursor):
    _fill(users_table, PK, 3)
    with pytest.raises(InvalidRequest) as caught:
        users_table.query_page(PK, limit=2, cursor=cursor)
    assert caught.value.field == "cursor"
    assert caught.value.status == 400


def test_cursor_of_another_partition_is_refused(users_table):
    _fill(users_table, PK, 3)
    _fill(users_table, OTHER, 3)
    foreign = users_table.query_page(OTHER, limit=1).next_cursor
    assert foreign
    with pytest.raises(InvalidRequest) as caught:
        users_table.query_page(PK, limit=1, cursor=foreign)
    assert caught.value.field == "cursor"


def test_cursor_round_trip():
    key = {"pk": {"S": PK}, "sk": {"S": "ITEM#001"}}
    cursor = encode_cursor(key)
    assert "=" not in cursor and "/" not in cursor and "+" not in cursor
    assert decode_cursor(cursor, "pk", PK) == key


def test_iterate_reads_every_page_dynamodb_gives(users_table, monkeypatch):
    """No Limit: each call returns what fits in DynamoDB's 1 MB, and iterate follows LastEvaluatedKey."""
    filler = "x" * 200_000
    keys = [f"ITEM#{n:03d}" for n in range(12)]  # 2.4 MB: three answers of at most 1 MB
    for key in keys:
        users_table.create({"pk": PK, "sk": key, "filler": filler})
    calls = []
    original = users_table.client.query
    monkeypatch.setattr(users_table.client, "query", lambda **kw: calls.append(kw) or original(**kw))
    assert [item["sk"] for item in users_table.iterate(PK)] == keys
    assert len(calls) == 3 and all("Limit" not in call for call in calls)


# -- partitions ---------------------------------------------------------------------------------------------
def test_delete_partition_removes_every_item_of_one_partition_only(users_table):
    _fill(users_table, PK, 30)  # more than one BatchWriteItem of 25
    users_table.create({"pk": PK, "sk": "PROFILE"})
    _fill(users_table, OTHER, 4)
    assert users_table.delete_partition(PK) == 31
    assert users_table.query_page(PK).items == []
    assert len(users_table.query_page(OTHER).items) == 4
    assert users_table.delete_partition(PK) == 0
