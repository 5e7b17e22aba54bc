"""The moto internals zik_local/hooks.py replaces must still be there, with the signatures the hooks expect,
in the moto that requirements/dev.txt pins; install() must swap them and uninstall() put them back.

When moto is upgraded, this module says what moved before the local cloud silently stops delivering
events. The second half runs each hook through moto's own APIs (mock_aws, no server) with a recording
dispatcher in place of the local cloud.
"""

from __future__ import annotations

import base64
import inspect
import json
import re
import uuid
from datetime import UTC
from importlib.metadata import version
from pathlib import Path
from typing import Any

import botocore.loaders
import botocore.session
import pytest
from jsonpath_ng import ext as jsonpath_ext
from moto import backends as moto_backends
from moto.awslambda.models import LambdaFunction
from moto.core import responses as moto_responses
from moto.core import utils as moto_utils
from moto.core.base_backend import AccountSpecificBackend
from moto.core.common_models import BaseModel
from moto.core.config import default_user_config
from moto.dynamodb.responses import DynamoResult
from moto.events.models import Rule
from moto.s3 import notifications as s3_notifications
from moto.sqs.models import Queue as SqsQueue
from moto.sqs.models import SQSBackend
from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils as sfn_lambda

from zik_local import hooks
from zik_local.runtime import Invocation

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT_ID = "123456789012"
REGION = "us-east-1"


def _parameters(function: Any) -> list[tuple[str, Any]]:
    return [(p.name, p.default) for p in inspect.signature(function).parameters.values()]


# -- the pin ------------------------------------------------------------------------------------------
def test_moto_is_the_pinned_version() -> None:
    pins = re.findall(r"^moto(?:\[[^\]]*\])?==(\S+)\s*$", (ROOT / "requirements" / "dev.txt").read_text(), re.MULTILINE)

    assert len(pins) == 1, "requirements/dev.txt pins moto exactly once (moto[server]==X.Y.Z)"
    assert version("moto") == pins[0]


# -- what the hooks replace, as the pinned moto has it ------------------------------------------------------
def test_lambda_function_invoke_signature() -> None:
    original = hooks._ORIGINAL["invoke"]

    assert original.__qualname__ == "LambdaFunction.invoke"
    assert _parameters(original) == [
        ("self", inspect.Parameter.empty),
        ("body", inspect.Parameter.empty),
        ("request_headers", inspect.Parameter.empty),
        ("response_headers", inspect.Parameter.empty),
    ]


def test_lambda_backend_calls_the_function_invoke_with_the_response_headers() -> None:
    # moto's Invoke API reaches LambdaFunction.invoke through the backend with (body, headers, response_headers).
    from moto.awslambda.models import LambdaBackend

    source = inspect.getsource(LambdaBackend.invoke)
    assert re.search(r"\.invoke\(\s*body,\s*headers,\s*response_headers\s*\)", source), source


def test_s3_invoke_awslambda_signature_and_lookup() -> None:
    original = hooks._ORIGINAL["s3"]

    assert original.__module__ == "moto.s3.notifications"
    assert original.__name__ == "_invoke_awslambda"
    assert [name for name, _ in _parameters(original)] == ["account_id", "event_body", "fn_arn", "region_name"]
    # send_event looks the function up in the module at call time, so replacing the module attribute works.
    assert "_invoke_awslambda" in s3_notifications.send_event.__code__.co_names


def test_rule_send_to_targets_signature() -> None:
    original = hooks._ORIGINAL["send_to_targets"]

    assert original.__qualname__ == "Rule.send_to_targets"
    assert _parameters(original) == [
        ("self", inspect.Parameter.empty),
        ("original_event", inspect.Parameter.empty),
        ("transform_input", True),
    ]


def test_rule_event_pattern_matches_events(aws: None) -> None:
    import boto3
    from moto.events.models import events_backends

    name = f"hook-check-{uuid.uuid4().hex[:8]}"
    boto3.client("events", region_name=REGION).put_rule(Name=name, EventPattern=json.dumps({"source": ["zik.check"], "detail-type": ["Checked"]}))
    rule = events_backends[ACCOUNT_ID][REGION].describe_rule(name, "default")

    assert isinstance(rule, Rule)
    assert rule.event_pattern.matches_event({"source": "zik.check", "detail-type": "Checked", "detail": {}})
    assert not rule.event_pattern.matches_event({"source": "zik.other", "detail-type": "Checked", "detail": {}})
    assert isinstance(rule.targets, list)
    assert rule.arn.endswith(f":rule/{name}")


def test_moto_server_routes_hosts_by_the_module_listing() -> None:
    """The server asks ``backends.list_of_moto_modules()`` (looked up on the module at each request) whether
    a host names a service; the cached listing must give the same answers."""
    from moto.moto_server import werkzeug_app

    source = inspect.getsource(werkzeug_app.DomainDispatcherApplication)
    assert "backends.list_of_moto_modules()" in source
    assert inspect.signature(moto_backends.list_of_moto_modules).parameters == {}

    listed = list(moto_backends.list_of_moto_modules())
    hooks.install(RecordingDispatcher())
    try:
        cached = moto_backends.list_of_moto_modules()
        assert list(cached) == listed
        assert "dynamodb" in cached and "s3" in cached
        app = werkzeug_app.DomainDispatcherApplication(werkzeug_app.create_backend_app)
        assert app.get_backend_for_host("s3") == "s3"
    finally:
        hooks.uninstall()


def test_moto_loads_service_models_and_regions_where_the_hooks_share_them() -> None:
    """moto reads a service model through ``_load_service_model`` (looked up on its module when called)
    and a backend's regions through ``AccountSpecificBackend.get_session()``: the hooks give both one
    loader, and the models they give are moto's own (its extras applied)."""
    from moto.core.loaders import create_loader as create_moto_loader

    assert "_load_service_model" in moto_utils.get_service_model.__wrapped__.__code__.co_names
    assert "get_session" in inspect.getsource(AccountSpecificBackend._generate_regions)
    assert [name for name, _ in _parameters(hooks._ORIGINAL["service_model"])] == ["service_name", "model_name"]

    expected = create_moto_loader().load_service_model("sqs", "service-2")
    loader = botocore.loaders.create_loader()
    hooks.install(RecordingDispatcher(), loader=loader)
    try:
        assert moto_utils._load_service_model("sqs", "service-2") == expected
        assert moto_utils._load_service_model("sqs", "service-2") is moto_utils._load_service_model("sqs", "service-2")
        session = AccountSpecificBackend.get_session()
        assert isinstance(session, botocore.session.Session)
        assert session.get_component("data_loader") is loader
        assert "us-east-1" in session.get_available_regions("sqs")
    finally:
        hooks.uninstall()


def _table_of_ids(client: Any, name: str) -> None:
    """An on-demand table keyed by a string ``id`` alone."""
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def test_dynamodb_writes_are_serialised(aws: None) -> None:
    """The write methods exist with the names the hook wraps, and concurrent conditional writes of one
    counter never pass their condition together."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import boto3
    from moto.dynamodb.models import DynamoDBBackend

    hooks.make_dynamodb_writes_atomic()
    for name in hooks.DYNAMODB_WRITES:
        assert getattr(DynamoDBBackend, name)._zik_atomic
    client = boto3.client("dynamodb", region_name=REGION)
    _table_of_ids(client, "counters")
    start = threading.Barrier(16)

    def take(_: int) -> bool:
        start.wait()
        try:
            client.update_item(
                TableName="counters",
                Key={"id": {"S": "c"}},
                UpdateExpression="ADD n :one",
                ConditionExpression="attribute_not_exists(n) OR n < :max",
                ExpressionAttributeValues={":one": {"N": "1"}, ":max": {"N": "3"}},
            )
            return True
        except client.exceptions.ConditionalCheckFailedException:
            return False

    with ThreadPoolExecutor(16) as pool:
        taken = list(pool.map(take, range(16)))

    assert taken.count(True) == 3
    assert client.get_item(TableName="counters", Key={"id": {"S": "c"}})["Item"]["n"] == {"N": "3"}


def test_state_machines_lambda_tasks_share_a_client_per_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto's Lambda task calls the module's boto_client_for by name (so the hook's is the one used); the hook
    gives one client per region, service and server port."""
    source = inspect.getsource(sfn_lambda)
    assert source.count("boto_client_for(") >= 2 and "from moto.stepfunctions.parser.asl.utils.boto_client import boto_client_for" in source
    hooks.install(RecordingDispatcher())
    try:
        monkeypatch.setenv("MOTO_PORT", "5001")
        first = sfn_lambda.boto_client_for(region=REGION, service="lambda", state_credentials=None)
        assert sfn_lambda.boto_client_for(region=REGION, service="lambda", state_credentials=object()) is first
        assert first.meta.endpoint_url == "http://localhost:5001"
        monkeypatch.setenv("MOTO_PORT", "5002")
        other = sfn_lambda.boto_client_for(region=REGION, service="lambda", state_credentials=None)
        assert other is not first and other.meta.endpoint_url == "http://localhost:5002"
    finally:
        hooks.uninstall()


def test_moto_lists_no_instance_of_its_models_but_s3_objects(aws: None) -> None:
    """moto's BaseModel.__new__ appends every instance to its class's list (what the hook replaces); with the
    hook, a DynamoDB item version or an SQS message is not kept by it, an S3 object is (moto's reset disposes
    of its buffer)."""
    import gc
    import weakref

    import boto3
    from moto.dynamodb.models.dynamo_type import Item
    from moto.s3.models import FakeKey

    assert "instances_tracked.append(instance)" in inspect.getsource(BaseModel.__new__)
    hooks.install(RecordingDispatcher())
    try:
        before = len(Item.instances_tracked), len(FakeKey.instances_tracked)  # type: ignore[attr-defined]
        client = boto3.client("dynamodb", region_name=REGION)
        _table_of_ids(client, "untracked")
        for n in range(3):
            client.put_item(TableName="untracked", Item={"id": {"S": "one"}, "n": {"N": str(n)}})
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="kept-listed")
        s3.put_object(Bucket="kept-listed", Key="k", Body=b"x")
        assert len(Item.instances_tracked) == before[0]  # type: ignore[attr-defined]
        assert len(FakeKey.instances_tracked) == before[1] + 1  # type: ignore[attr-defined]
        from moto.dynamodb.models import dynamodb_backends

        table = dynamodb_backends[ACCOUNT_ID][REGION].get_table("untracked")
        replaced = weakref.ref(table.items[next(iter(table.items))])
        client.put_item(TableName="untracked", Item={"id": {"S": "one"}, "n": {"N": "9"}})
        gc.collect()
        assert replaced() is None  # the item version the last write replaced is gone
    finally:
        hooks.uninstall()


def test_eventbridge_reads_input_paths_with_the_parser_the_hook_caches() -> None:
    """EventTemplateParser imports jsonpath_ng.ext's parse at each call (so the cached one installed there is
    the one it uses), and a parsed path answers the same whatever it was used on before."""
    from moto.events.utils import EventTemplateParser

    assert "from jsonpath_ng.ext import parse" in inspect.getsource(EventTemplateParser.parse)
    hooks.install(RecordingDispatcher())
    try:
        first = EventTemplateParser.parse(input_template="", input_paths_map={}, event=_sample_event("a"))
        second = EventTemplateParser.parse(input_template="", input_paths_map={}, event=_sample_event("b"))
        assert jsonpath_ext.parse("$.detail") is jsonpath_ext.parse("$.detail")
    finally:
        hooks.uninstall()
    assert first["detail"] == {"n": "a"} and second["detail"] == {"n": "b"}
    assert second == EventTemplateParser.parse(input_template="", input_paths_map={}, event=_sample_event("b"))


def _sample_event(n: str) -> dict[str, Any]:
    return {
        "version": "0",
        "id": n,
        "detail-type": "t",
        "source": "s",
        "account": ACCOUNT_ID,
        "time": 1767225600,
        "region": REGION,
        "resources": [],
        "detail": {"n": n},
        "ingestion-time": 1.0,
    }


def test_moto_copies_a_transactions_tables_through_its_modules_copy() -> None:
    """The rollback hook replaces ``moto.dynamodb.models.copy``: TransactWriteItems must still take its copies
    with that module's deepcopy, one per table written, before any write, and put them back on failure."""
    import moto.dynamodb.models as dynamodb_models

    source = inspect.getsource(dynamodb_models.DynamoDBBackend.transact_write_items)
    assert "original_table_state[table_name] = copy.deepcopy(" in source
    assert "self.tables[table_name] = original_table_state[table_name]" in source
    assert source.index("copy.deepcopy(") < source.index("self.put_item(")
    assert re.search(r"^import copy$", inspect.getsource(dynamodb_models), re.MULTILINE)


def _ledger(client: Any) -> None:
    client.create_table(
        TableName="ledger",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": p, "AttributeType": "S"} for p in ("pk", "sk")],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    for n in range(5):
        client.put_item(TableName="ledger", Item={"pk": {"S": "u"}, "sk": {"S": f"e{n}"}, "n": {"N": str(n)}, "tags": {"L": [{"S": "a"}]}})


def _set_e0(expression: str, values: dict[str, Any]) -> dict[str, Any]:
    """A transaction's Update of the ledger's item e0."""
    key = {"pk": {"S": "u"}, "sk": {"S": "e0"}}
    return {"Update": {"TableName": "ledger", "Key": key, "UpdateExpression": expression, "ExpressionAttributeValues": values}}


def test_a_failed_transaction_puts_back_what_it_wrote_and_shares_what_it_did_not(aws: None) -> None:
    import boto3
    from moto.dynamodb.models import dynamodb_backends

    hooks.make_dynamodb_writes_atomic()
    client = boto3.client("dynamodb", region_name=REGION)
    _ledger(client)
    table = dynamodb_backends[ACCOUNT_ID][REGION].get_table("ledger")
    untouched = table.items[next(iter(table.items))]
    untouched_item = next(v for k, v in untouched.items() if k.value == "e4")
    stream_length = len(table.stream_shard.items)

    with pytest.raises(client.exceptions.TransactionCanceledException):
        client.transact_write_items(
            TransactItems=[
                _set_e0("SET n = :n, tags[0] = :t", {":n": {"N": "100"}, ":t": {"S": "z"}}),
                {"Delete": {"TableName": "ledger", "Key": {"pk": {"S": "u"}, "sk": {"S": "e1"}}}},
                {"Put": {"TableName": "ledger", "Item": {"pk": {"S": "u"}, "sk": {"S": "new"}}}},
                {"Put": {"TableName": "ledger", "Item": {"pk": {"S": "u"}, "sk": {"S": "e2"}}, "ConditionExpression": "attribute_not_exists(pk)"}},
            ]
        )

    items = client.query(TableName="ledger", KeyConditionExpression="pk = :u", ExpressionAttributeValues={":u": {"S": "u"}})["Items"]
    assert [(i["sk"]["S"], i["n"]["N"], i["tags"]["L"][0]["S"]) for i in items] == [(f"e{n}", str(n), "a") for n in range(5)]
    restored = dynamodb_backends[ACCOUNT_ID][REGION].get_table("ledger")
    assert restored is not table  # moto's own rollback: the copy taken before the first write
    assert len(restored.stream_shard.items) == stream_length and restored.stream_shard.table is restored
    # The items the transaction did not write are the same objects, not copies (what makes it cheap).
    assert next(v for k, v in restored.items[next(iter(restored.items))].items() if k.value == "e4") is untouched_item

    client.transact_write_items(
        TransactItems=[
            _set_e0("SET n = :n", {":n": {"N": "100"}}),
            {"Delete": {"TableName": "ledger", "Key": {"pk": {"S": "u"}, "sk": {"S": "e1"}}}},
        ]
    )
    items = client.query(TableName="ledger", KeyConditionExpression="pk = :u", ExpressionAttributeValues={":u": {"S": "u"}})["Items"]
    assert [(i["sk"]["S"], i["n"]["N"]) for i in items] == [("e0", "100"), ("e2", "2"), ("e3", "3"), ("e4", "4")]
    assert [r.record["eventName"] for r in restored.stream_shard.items[stream_length:]] == ["MODIFY", "REMOVE"]


def test_stream_iterators_beyond_the_newest_are_forgotten_as_expired_ones(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    hooks.make_dynamodb_writes_atomic()
    monkeypatch.setattr(hooks, "MAX_SHARD_ITERATORS", 5)
    client = boto3.client("dynamodb", region_name=REGION)
    streams = boto3.client("dynamodbstreams", region_name=REGION)
    _ledger(client)
    arn = client.describe_table(TableName="ledger")["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    read = []
    for n in range(12):
        answer = streams.get_records(ShardIterator=iterator, Limit=1)
        read += [r["dynamodb"]["Keys"]["sk"]["S"] for r in answer["Records"]]
        iterator = answer["NextShardIterator"]
        client.put_item(TableName="ledger", Item={"pk": {"S": "v"}, "sk": {"S": f"later{n}"}})
    assert len(dynamodbstreams_backends[ACCOUNT_ID][REGION].shard_iterators) <= 5
    assert read[:5] == [f"e{n}" for n in range(5)] and read[5:] == [f"later{n}" for n in range(7)]  # every record, in order


def _index(name: str, projection: dict[str, Any], *, ranged: bool = True) -> dict[str, Any]:
    """An index over gpk (and gsk when ``ranged``)."""
    keys = [{"AttributeName": "gpk", "KeyType": "HASH"}] + ([{"AttributeName": "gsk", "KeyType": "RANGE"}] if ranged else [])
    return {"IndexName": name, "KeySchema": keys, "Projection": projection}


def _table_with_indexes(name: str, sort_key_type: str, indexes: list[dict[str, Any]]) -> Any:
    """A table keyed pk (S) and sk (``sort_key_type``), with ``indexes`` over gpk and gsk (S); its client."""
    import boto3

    client = boto3.client("dynamodb", region_name=REGION)
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": t} for a, t in (("pk", "S"), ("sk", sort_key_type), ("gpk", "S"), ("gsk", "S"))],
        GlobalSecondaryIndexes=indexes,
        BillingMode="PAY_PER_REQUEST",
    )
    return client


def test_queries_read_one_partition_and_answer_as_moto_does(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every page of base-table and index queries (ranges, both directions, limits, filters, sparse index items,
    numbers ordered as numbers) is the same with the hook as with moto's own reading of the whole table."""
    import random

    from moto.dynamodb.models.table import Table

    hooks.make_dynamodb_writes_atomic()
    assert Table.query._zik_one_partition
    client = _table_with_indexes(
        "pages",
        "N",
        [
            _index("byG", {"ProjectionType": "ALL"}),
            _index("byGOnly", {"ProjectionType": "KEYS_ONLY"}, ranged=False),
        ],
    )
    rng = random.Random(18)
    for n in range(160):
        item = {
            "pk": {"S": f"user#{rng.randrange(6)}"},
            "sk": {"N": rng.choice(["1", "10", "2.5", "-3", str(n), f"{n}.25"])},
            "v": {"N": str(rng.randrange(5))},
        }
        if rng.random() < 0.7:  # the rest are not in the indexes
            item |= {"gpk": {"S": f"day#{rng.randrange(4)}"}, "gsk": {"S": rng.choice(["a", "b", "c", f"t{n:03d}"])}}
        client.put_item(TableName="pages", Item=item)

    queries: list[dict[str, Any]] = []
    for user in range(7):  # user#6 has no items
        values = {":p": {"S": f"user#{user}"}}
        queries += [
            {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": values},
            {
                "KeyConditionExpression": "pk = :p AND sk > :s",
                "ExpressionAttributeValues": values | {":s": {"N": "2"}},
                "ScanIndexForward": False,
                "Limit": 3,
            },
            {"KeyConditionExpression": "pk = :p", "FilterExpression": "v < :v", "ExpressionAttributeValues": values | {":v": {"N": "3"}}, "Limit": 4},
        ]
    for day in range(5):
        values = {":g": {"S": f"day#{day}"}}
        queries += [
            {"IndexName": "byG", "KeyConditionExpression": "gpk = :g", "ExpressionAttributeValues": values, "Limit": 5},
            {
                "IndexName": "byG",
                "KeyConditionExpression": "gpk = :g AND begins_with(gsk, :t)",
                "ExpressionAttributeValues": values | {":t": {"S": "t"}},
                "ScanIndexForward": False,
            },
            {"IndexName": "byGOnly", "KeyConditionExpression": "gpk = :g", "ExpressionAttributeValues": values, "Limit": 7},
        ]

    def every_page(query: dict[str, Any]) -> list[Any]:
        pages, start = [], None
        while True:
            answer = client.query(TableName="pages", **query, **({"ExclusiveStartKey": start} if start else {}))
            pages.append((answer["Items"], answer["Count"], answer["ScannedCount"], answer.get("LastEvaluatedKey")))
            start = answer.get("LastEvaluatedKey")
            if not start:
                return pages

    hooked = [every_page(q) for q in queries]
    monkeypatch.setattr(Table, "query", Table.query.__wrapped__)
    monkeypatch.setattr(Table, "all_items", Table.all_items.__wrapped__)
    assert [every_page(q) for q in queries] == hooked
    assert sum(len(items) for pages in hooked for items, *_ in pages) > 200


def test_index_queries_project_the_attributes_moto_projects(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """KEYS_ONLY and INCLUDE pages (every type of value, attributes missing from some items) are the same with
    the hook as with moto's projection through plain Python and back (sets compared as sets)."""
    from moto.dynamodb.models.table import SecondaryIndex

    hooks.make_dynamodb_writes_atomic()
    assert SecondaryIndex.project._zik_as_they_are
    client = _table_with_indexes(
        "projected",
        "S",
        [
            _index("included", {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["title", "n", "tags", "nested", "flags", "gone"]}),
            _index("keys", {"ProjectionType": "KEYS_ONLY"}, ranged=False),
        ],
    )
    for n in range(12):
        item: dict[str, Any] = {"pk": {"S": f"u#{n % 3}"}, "sk": {"S": f"e#{n:02d}"}, "gpk": {"S": "all"}, "gsk": {"S": f"{n:02d}"}}
        item |= {"title": {"S": f"entry {n} é"}, "n": {"N": f"{n}.50"}, "content": {"S": "not projected " * 20}}
        if n % 2:
            item |= {"tags": {"SS": ["b", "a", f"t{n}"]}, "flags": {"L": [{"BOOL": True}, {"NULL": True}, {"B": b"\x00\xff"}]}}
        if n % 3:
            item |= {"nested": {"M": {"deep": {"M": {"x": {"N": "1"}}}, "list": {"L": [{"S": "y"}]}}}}
        client.put_item(TableName="projected", Item=item)

    def pages(index: str) -> list[list[dict[str, Any]]]:
        found, start = [], None
        while True:
            extra = {"ExclusiveStartKey": start} if start else {}
            answer = client.query(
                TableName="projected",
                IndexName=index,
                KeyConditionExpression="gpk = :g",
                ExpressionAttributeValues={":g": {"S": "all"}},
                Limit=5,
                **extra,
            )
            found.append([{k: ({"SS": sorted(v["SS"])} if "SS" in v else v) for k, v in item.items()} for item in answer["Items"]])
            if not (start := answer.get("LastEvaluatedKey")):
                return found

    hooked = {index: pages(index) for index in ("included", "keys")}
    monkeypatch.setattr(SecondaryIndex, "project", SecondaryIndex.project.__wrapped__)
    assert {index: pages(index) for index in ("included", "keys")} == hooked
    first = hooked["included"][0][0]
    assert set(first) == {"pk", "sk", "gpk", "gsk", "title", "n"} and first["n"] == {"N": "0.50"}  # no content
    assert {"tags", "flags", "nested"} <= set(hooked["included"][1][0])
    assert set(hooked["keys"][0][0]) == {"pk", "sk", "gpk"}


def test_a_transaction_moto_cannot_read_keys_of_is_copied_whole(aws: None) -> None:
    """A request whose keys are unreadable (a missing key attribute) gets moto's own copy and moto's answer."""
    import boto3

    hooks.make_dynamodb_writes_atomic()
    client = boto3.client("dynamodb", region_name=REGION)
    _ledger(client)
    with pytest.raises(client.exceptions.ClientError):
        client.transact_write_items(
            TransactItems=[
                _set_e0("SET n = :n", {":n": {"N": "7"}}),
                {"Put": {"TableName": "ledger", "Item": {"pk": {"S": "u"}}}},
            ]
        )
    item = client.get_item(TableName="ledger", Key={"pk": {"S": "u"}, "sk": {"S": "e0"}})["Item"]
    assert item["n"] == {"N": "0"}


def test_stepfunctions_execution_setting_exists() -> None:
    from moto.stepfunctions import responses

    assert "execute_state_machine" in default_user_config["stepfunctions"]
    assert 'sfn_config.get("execute_state_machine"' in inspect.getsource(responses)


def test_stepfunctions_interpreter_reaches_lambda_through_moto_port(monkeypatch: pytest.MonkeyPatch) -> None:
    # LocalCloud.start() sets MOTO_PORT so that Lambda tasks of state machines come back to its server.
    from moto.settings import moto_server_port
    from moto.stepfunctions.parser.asl.utils import boto_client

    monkeypatch.setenv("MOTO_PORT", "4567")

    assert moto_server_port() == "4567"
    assert 'f"http://localhost:{moto_server_port()}"' in inspect.getsource(boto_client.boto_client_for)


# -- install() and uninstall() ------------------------------------------------------------------------
class RecordingDispatcher:
    """What the local cloud does, reduced to remembering what it was asked."""

    def __init__(self) -> None:
        self.sync: list[tuple[str, Any]] = []
        self.asynchronous: list[tuple[str, Any, str]] = []
        self.delivered: list[tuple[dict[str, Any], dict[str, Any], str]] = []
        self.answer = Invocation("request-1", payload={"ok": True}, logs=["START", "hello from the function", "END"])

    def invoke_function(self, function_arn: str, event: Any) -> Invocation:
        self.sync.append((function_arn, event))
        return self.answer

    def invoke_function_async(self, function_arn: str, event: Any, *, source: str) -> None:
        self.asynchronous.append((function_arn, event, source))

    def deliver_to_target(self, target: dict[str, Any], event: dict[str, Any], rule_arn: str) -> None:
        self.delivered.append((target, event, rule_arn))


def _current() -> dict[str, Any]:
    return {
        "invoke": LambdaFunction.invoke,
        "s3": s3_notifications._invoke_awslambda,
        "send_to_targets": Rule.send_to_targets,
        "modules": moto_backends.list_of_moto_modules,
        "service_model": moto_utils._load_service_model,
        "backend_session": AccountSpecificBackend.__dict__["get_session"],
        "dynamodb_result": DynamoResult.execute_result,
        "method_names": moto_responses.method_names_from_class,
        "jsonpath_parse": jsonpath_ext.parse,
        "sfn_lambda_client": sfn_lambda.boto_client_for,
        "model_new": BaseModel.__dict__["__new__"],
        "stepfunctions": dict(default_user_config["stepfunctions"]),
        **{f"sqs_{name}": SqsQueue.__dict__[name] for name in hooks._QUEUE_COUNTS},
        "sqs_retention": SQSBackend.is_message_valid_based_on_retention_period,
    }


@pytest.fixture
def dispatcher() -> Any:
    recording = RecordingDispatcher()
    hooks.install(recording)
    try:
        yield recording
    finally:
        hooks.uninstall()


def test_nothing_is_installed_outside_a_local_cloud() -> None:
    current = _current()

    assert current["invoke"] is hooks._ORIGINAL["invoke"]
    assert current["s3"] is hooks._ORIGINAL["s3"]
    assert current["send_to_targets"] is hooks._ORIGINAL["send_to_targets"]
    assert current["modules"] is hooks._ORIGINAL["modules"]
    assert current["service_model"] is hooks._ORIGINAL["service_model"]
    assert current["backend_session"] is hooks._ORIGINAL["backend_session"]
    assert current["dynamodb_result"] is hooks._ORIGINAL["dynamodb_result"]
    assert current["method_names"] is hooks._ORIGINAL["method_names"]


def test_install_swaps_and_uninstall_restores(monkeypatch: pytest.MonkeyPatch) -> None:
    # moto's default, whatever ran before: a leak of execute_state_machine=True would show here.
    monkeypatch.setitem(default_user_config, "stepfunctions", {"execute_state_machine": False})
    before = _current()

    hooks.install(RecordingDispatcher(), loader=botocore.loaders.create_loader())
    try:
        during = _current()
    finally:
        hooks.uninstall()
    after = _current()

    for name in (
        "invoke",
        "s3",
        "send_to_targets",
        "modules",
        "service_model",
        "backend_session",
        "dynamodb_result",
        "method_names",
        "jsonpath_parse",
        *(f"sqs_{name}" for name in hooks._QUEUE_COUNTS),
        "sqs_retention",
    ):
        assert during[name] is not before[name], name
        assert after[name] is before[name], name
    assert during["stepfunctions"]["execute_state_machine"] is True
    assert after["stepfunctions"] == {"execute_state_machine": False}


def test_install_twice_then_uninstall_restores_the_originals(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(default_user_config, "stepfunctions", {"execute_state_machine": False})
    before = _current()

    hooks.install(RecordingDispatcher())
    hooks.install(RecordingDispatcher())
    hooks.uninstall()

    assert _current() == before


# -- each hook, through moto's own APIs ---------------------------------------------------------------
def _function(name: str) -> str:
    import boto3

    role = boto3.client("iam", region_name=REGION).create_role(
        RoleName=f"{name}-role",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )["Role"]["Arn"]
    return boto3.client("lambda", region_name=REGION).create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=role,
        Handler="app.lambda_handler",
        Code={"ZipFile": base64.b64decode("UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==")},  # an empty zip
    )["FunctionArn"]


def test_lambda_invoke_runs_in_the_dispatcher(aws: None, dispatcher: RecordingDispatcher) -> None:
    import boto3

    arn = _function("hooked")
    client = boto3.client("lambda", region_name=REGION)

    answer = client.invoke(FunctionName="hooked", Payload=json.dumps({"n": 1}), LogType="Tail")

    assert json.loads(answer["Payload"].read()) == {"ok": True}
    assert "FunctionError" not in answer
    assert "hello from the function" in base64.b64decode(answer["LogResult"]).decode()
    assert dispatcher.sync == [(arn, {"n": 1})]


def test_lambda_invoke_reports_the_function_error(aws: None, dispatcher: RecordingDispatcher) -> None:
    import boto3

    _function("hooked")
    dispatcher.answer = Invocation("request-2", error={"errorType": "ValueError", "errorMessage": "no"})

    answer = boto3.client("lambda", region_name=REGION).invoke(FunctionName="hooked", Payload=b"{}")

    assert answer["FunctionError"] == "Unhandled"
    assert json.loads(answer["Payload"].read()) == {"errorType": "ValueError", "errorMessage": "no"}


def test_lambda_event_invocation_is_handed_over_asynchronously(aws: None, dispatcher: RecordingDispatcher) -> None:
    import boto3

    arn = _function("hooked")

    answer = boto3.client("lambda", region_name=REGION).invoke(FunctionName="hooked", InvocationType="Event", Payload=json.dumps({"n": 2}))

    assert answer["StatusCode"] == 202
    assert dispatcher.sync == []
    assert dispatcher.asynchronous == [(arn, {"n": 2}, "lambda:Invoke")]


def test_s3_notification_is_handed_over_asynchronously(aws: None, dispatcher: RecordingDispatcher) -> None:
    import boto3

    arn = _function("on-upload")
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="hooked-bucket")
    s3.put_bucket_notification_configuration(
        Bucket="hooked-bucket",
        NotificationConfiguration={"LambdaFunctionConfigurations": [{"LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"]}]},
    )

    s3.put_object(Bucket="hooked-bucket", Key="a.txt", Body=b"x")

    ((function_arn, event, source),) = dispatcher.asynchronous
    assert (function_arn, source) == (arn, "s3")
    assert event["Records"][0]["s3"]["object"]["key"] == "a.txt"
    assert event["Records"][0]["eventName"] == "ObjectCreated:Put"


def test_rule_delivers_lambda_targets_itself_and_leaves_the_rest_to_moto(aws: None, dispatcher: RecordingDispatcher) -> None:
    import boto3

    arn = _function("on-event")
    sqs = boto3.client("sqs", region_name=REGION)
    queue_url = sqs.create_queue(QueueName="hooked-queue")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events = boto3.client("events", region_name=REGION)
    rule_arn = events.put_rule(Name="hooked-rule", EventPattern=json.dumps({"source": ["zik.check"]}))["RuleArn"]
    events.put_targets(Rule="hooked-rule", Targets=[{"Id": "fn", "Arn": arn}, {"Id": "queue", "Arn": queue_arn}])

    events.put_events(
        Entries=[
            {"Source": "zik.check", "DetailType": "Checked", "Detail": json.dumps({"n": 1})},
            {"Source": "zik.other", "DetailType": "Checked", "Detail": json.dumps({"n": 2})},
        ]
    )

    ((target, event, delivered_by),) = dispatcher.delivered
    assert (target["Id"], target["Arn"], delivered_by) == ("fn", arn, rule_arn)
    assert (event["source"], event["detail"]) == ("zik.check", {"n": 1})
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    assert [json.loads(m["Body"])["detail"] for m in messages] == [{"n": 1}]
    assert [t["Id"] for t in events.list_targets_by_rule(Rule="hooked-rule")["Targets"]] == ["fn", "queue"]


# -- DynamoDB answers written as JSON ----------------------------------------------------------------------
_EVERY_TYPE = {
    "pk": {"S": "USER#1"},
    "sk": {"S": "ITEM#1"},
    "gsi": {"S": "shelf"},
    "text": {"S": 'héllo \u2603 "quoted"'},
    "n": {"N": "12.50"},
    "blob": {"B": b"\x00\xffbinary"},
    "tags": {"SS": ["a", "b"]},
    "scores": {"NS": ["1", "2.5"]},
    "blobs": {"BS": [b"\x01", b"\x02"]},
    "flag": {"BOOL": False},
    "nothing": {"NULL": True},
    "nested": {"M": {"list": {"L": [{"S": "x"}, {"N": "1"}, {"M": {"deep": {"B": b"\x07"}}}]}, "empty": {"M": {}}}},
}


def _item_answers(client: Any, table: str) -> list[tuple[str, dict[str, Any]]]:
    """One call of each operation DYNAMODB_ITEM_ANSWERS names, with every option that changes the answer."""
    key = {"pk": {"S": "USER#1"}, "sk": {"S": "ITEM#1"}}
    return [
        ("PutItem", {"TableName": table, "Item": _EVERY_TYPE, "ReturnValues": "ALL_OLD", "ReturnConsumedCapacity": "TOTAL"}),
        ("PutItem", {"TableName": table, "Item": {**key, "sk": {"S": "ITEM#2"}, "gsi": {"S": "shelf"}}}),
        ("GetItem", {"TableName": table, "Key": key, "ReturnConsumedCapacity": "INDEXES"}),
        ("GetItem", {"TableName": table, "Key": {**key, "sk": {"S": "NONE"}}}),
        ("GetItem", {"TableName": table, "Key": key, "ProjectionExpression": "tags, #n.empty", "ExpressionAttributeNames": {"#n": "nested"}}),
        (
            "Query",
            {
                "TableName": table,
                "KeyConditionExpression": "pk = :p",
                "ExpressionAttributeValues": {":p": {"S": "USER#1"}},
                "Limit": 1,
                "ReturnConsumedCapacity": "TOTAL",
            },
        ),
        (
            "Query",
            {"TableName": table, "IndexName": "ByShelf", "KeyConditionExpression": "gsi = :g", "ExpressionAttributeValues": {":g": {"S": "shelf"}}},
        ),
        ("Query", {"TableName": table, "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "USER#1"}}, "Select": "COUNT"}),
        ("Scan", {"TableName": table, "FilterExpression": "attribute_exists(#b)", "ExpressionAttributeNames": {"#b": "blob"}}),
        ("BatchGetItem", {"RequestItems": {table: {"Keys": [key, {**key, "sk": {"S": "ITEM#2"}}]}}, "ReturnConsumedCapacity": "TOTAL"}),
        ("TransactGetItems", {"TransactItems": [{"Get": {"TableName": table, "Key": key}}], "ReturnConsumedCapacity": "TOTAL"}),
        (
            "UpdateItem",
            {
                "TableName": table,
                "Key": key,
                "UpdateExpression": "SET n = n + :one",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
                "ReturnValues": "ALL_NEW",
            },
        ),
        (
            "UpdateItem",
            {
                "TableName": table,
                "Key": key,
                "UpdateExpression": "SET flag = :t",
                "ExpressionAttributeValues": {":t": {"BOOL": True}},
                "ReturnValues": "UPDATED_OLD",
            },
        ),
        ("DeleteItem", {"TableName": table, "Key": {**key, "sk": {"S": "ITEM#2"}}, "ReturnValues": "ALL_OLD", "ReturnConsumedCapacity": "TOTAL"}),
    ]


def _raw_answers(table: str) -> list[tuple[str, int, str]]:
    """The status and body moto's server gives each call of _item_answers (the body as sent on the wire)."""
    import boto3
    from moto.backends import get_backend

    client = boto3.client("dynamodb", region_name=REGION)
    get_backend("dynamodb")  # (the backends are created on first use)
    client.create_table(
        TableName=table,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk", "gsi")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {"IndexName": "ByShelf", "KeySchema": [{"AttributeName": "gsi", "KeyType": "HASH"}], "Projection": {"ProjectionType": "KEYS_ONLY"}}
        ],
    )
    bodies: list[tuple[str, int, str]] = []

    def keep(http_response: Any, **_: Any) -> None:
        bodies.append((http_response.headers.get("Content-Type", ""), http_response.status_code, http_response.text))

    client.meta.events.register("after-call.dynamodb.*", lambda http_response, **kw: keep(http_response))
    for operation, params in _item_answers(client, table):
        getattr(client, re.sub(r"(?<!^)([A-Z])", r"_\1", operation).lower())(**params)
    return bodies


def test_dynamodb_item_answers_are_the_ones_moto_serializes(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each operation the hook writes as JSON: the same status, content type and JSON document as moto's
    own serializer gives, with every attribute type, projections, counts, keys and consumed capacity."""
    theirs = _raw_answers("serialized-by-moto")
    binaries_written: list[bytes] = []
    encode = hooks._binary_in_wire_form
    monkeypatch.setattr(hooks, "_binary_in_wire_form", lambda value: binaries_written.append(value) or encode(value))
    hooks.install(RecordingDispatcher())
    try:
        ours = _raw_answers("written-as-json")
    finally:
        hooks.uninstall()
    assert b"\x00\xffbinary" in binaries_written  # the hook wrote them, not moto's serializer

    assert {operation for operation, _ in _item_answers(None, "t")} == hooks.DYNAMODB_ITEM_ANSWERS
    assert len(ours) == len(theirs) == len(_item_answers(None, "t"))
    for (operation, _), mine, moto_s in zip(_item_answers(None, "t"), ours, theirs):
        assert mine[:2] == moto_s[:2], operation
        normalise = lambda text: json.loads(text.replace("written-as-json", "serialized-by-moto"))  # noqa: E731
        assert normalise(mine[2]) == normalise(moto_s[2]), operation


def test_an_answer_that_is_not_in_wire_form_goes_to_moto_serializer(aws: None, dispatcher: RecordingDispatcher) -> None:
    from datetime import datetime

    from moto.core.responses import ActionContext

    operation = botocore.session.get_session().get_service_model("dynamodb").operation_model("GetItem")
    context = ActionContext(None, operation, None, None)  # type: ignore[arg-type]
    handed_over: list[Any] = []
    original = hooks._ORIGINAL["dynamodb_result"]
    try:
        hooks._ORIGINAL["dynamodb_result"] = lambda self, ctx: handed_over.append(self.result) or (200, {}, "moto")
        assert DynamoResult({"Item": {"at": datetime(2026, 1, 1, tzinfo=UTC)}}).execute_result(context) == (200, {}, "moto")
        assert DynamoResult({"Item": {"pk": {"S": "x"}}}).execute_result(context) == (
            200,
            {"Content-Type": "application/x-amz-json-1.0"},
            '{"Item": {"pk": {"S": "x"}}}',
        )
    finally:
        hooks._ORIGINAL["dynamodb_result"] = original
    assert len(handed_over) == 1


def test_moto_lists_a_response_class_methods_through_the_hooked_function(aws: None, dispatcher: RecordingDispatcher) -> None:
    """BaseResponse.call_action asks moto.core.responses.method_names_from_class at every request: the
    cached one answers the same and is the one asked."""
    import boto3
    from moto.dynamodb.responses import DynamoHandler

    asked: list[Any] = []
    cached = moto_responses.method_names_from_class
    original = hooks._ORIGINAL["method_names"]
    assert inspect.getsource(moto_responses.BaseResponse.call_action).count("method_names_from_class(self.__class__)") == 1
    assert cached(DynamoHandler) == original(DynamoHandler) and "get_item" in cached(DynamoHandler)
    try:
        moto_responses.method_names_from_class = lambda cls: asked.append(cls) or cached(cls)
        boto3.client("dynamodb", region_name=REGION).list_tables()
    finally:
        moto_responses.method_names_from_class = cached
    assert asked == [DynamoHandler]


def test_sqs_queue_add_message_signature() -> None:
    from moto.sqs.models import Queue

    original = hooks._ORIGINAL["sqs_add_message"]
    assert original.__qualname__ == "Queue.add_message"
    assert _parameters(original) == [("self", inspect.Parameter.empty), ("message", inspect.Parameter.empty)]
    assert Queue.add_message is original  # nothing installed outside a local cloud


def test_sqs_queue_counts_and_retention_check_are_what_the_hooks_replace() -> None:
    from moto.sqs.models import Queue, SQSBackend

    for name in hooks._QUEUE_COUNTS:
        original = hooks._ORIGINAL[f"sqs_{name}"]
        assert isinstance(original, property) and Queue.__dict__[name] is original, name  # nothing installed here
    retention = hooks._ORIGINAL["sqs_retention"]
    assert retention.__qualname__ == "SQSBackend.is_message_valid_based_on_retention_period"
    assert _parameters(retention) == [
        ("self", inspect.Parameter.empty),
        ("queue_name", inspect.Parameter.empty),
        ("message", inspect.Parameter.empty),
    ]
    assert SQSBackend.is_message_valid_based_on_retention_period is retention


def test_queue_counts_and_retention_answer_as_moto_does(aws: None, dispatcher: RecordingDispatcher) -> None:
    """The hooked counts (one clock read, one pass each) against moto's own properties, on a queue holding
    messages ready, delayed, in flight and past their retention, at a few instants."""
    import time

    import boto3
    import time_machine
    from moto.sqs.models import sqs_backends

    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="counted", Attributes={"MessageRetentionPeriod": "60", "VisibilityTimeout": "30"})["QueueUrl"]
    for n in range(5):
        sqs.send_message(QueueUrl=url, MessageBody=f"ready-{n}")
    for n in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=f"delayed-{n}", DelaySeconds=20)
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2)["Messages"]
    assert len(received) == 2
    backend = sqs_backends[ACCOUNT_ID][REGION]
    queue = backend.get_queue("counted")

    def both() -> tuple[dict[str, Any], dict[str, Any]]:
        hooked = {name: getattr(queue, name) for name in hooks._QUEUE_COUNTS}
        hooked["retained"] = [backend.is_message_valid_based_on_retention_period("counted", m) for m in queue._messages]
        moto = {name: hooks._ORIGINAL[f"sqs_{name}"].fget(queue) for name in hooks._QUEUE_COUNTS}
        moto["retained"] = [hooks._ORIGINAL["sqs_retention"](backend, "counted", m) for m in queue._messages]
        return hooked, moto

    hooked, moto = both()
    assert hooked == moto
    assert (hooked["approximate_number_of_messages"], hooked["approximate_number_of_messages_delayed"]) == (3, 3)
    assert hooked["approximate_number_of_messages_not_visible"] == 2 and all(hooked["retained"])
    with time_machine.travel(time.time() + 25, tick=False):  # delays over, the received ones still in flight
        hooked, moto = both()
        assert hooked == moto and hooked["approximate_number_of_messages"] == 6
    with time_machine.travel(time.time() + 90, tick=False):  # past the retention period: every one of them
        hooked, moto = both()
        assert hooked == moto and hooked["approximate_number_of_messages"] == 8 and not any(hooked["retained"])
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (attributes["ApproximateNumberOfMessages"], attributes["ApproximateNumberOfMessagesNotVisible"]) == ("3", "2")


def test_fifo_sequence_numbers_increase_in_the_queue_order(aws: None, dispatcher: RecordingDispatcher) -> None:
    """SQS: a FIFO message's SequenceNumber "continues to increase for a particular MessageGroupId" (moto's are
    random); a consumer that checks the order it was given by them can then trust them. A standard queue's
    messages have none, as in SQS."""
    import threading

    import boto3

    sqs = boto3.client("sqs", region_name=REGION)
    fifo = sqs.create_queue(QueueName="ordered.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    standard = sqs.create_queue(QueueName="plain")["QueueUrl"]

    def send(group: str, n: int) -> None:
        for i in range(n):
            sqs.send_message(QueueUrl=fifo, MessageBody=f"{group}-{i}", MessageGroupId=group, MessageDeduplicationId=f"{group}-{i}")

    senders = [threading.Thread(target=send, args=(group, 15)) for group in ("alice", "bob", "carol")]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    sent = sqs.send_message(QueueUrl=fifo, MessageBody="last", MessageGroupId="alice", MessageDeduplicationId="last")
    received = []
    while batch := sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10, AttributeNames=["All"]).get("Messages", []):
        received.extend(batch)
        sqs.delete_message_batch(QueueUrl=fifo, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)])

    numbers = [int(m["Attributes"]["SequenceNumber"]) for m in received]
    assert len(received) == 46 and numbers == sorted(numbers) and len(set(numbers)) == 46
    assert all(len(m["Attributes"]["SequenceNumber"]) == 20 for m in received)
    for group in ("alice", "bob", "carol"):
        bodies = [m["Body"] for m in received if m["Attributes"]["MessageGroupId"] == group]
        assert bodies[:15] == [f"{group}-{i}" for i in range(15)]
    assert received[-1]["Body"] == "last" and sent["SequenceNumber"] == received[-1]["Attributes"]["SequenceNumber"]
    sqs.send_message(QueueUrl=standard, MessageBody="plain")
    (message,) = sqs.receive_message(QueueUrl=standard, AttributeNames=["All"])["Messages"]
    assert "SequenceNumber" not in message["Attributes"]


# -- Cognito: the user-pool internals the sign-in hooks replace or call ------------------------------------
def test_cognito_internals_the_hooks_replace_have_the_expected_signatures() -> None:
    from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUserPool
    from moto.cognitoidp.responses import CognitoIdpResponse

    names = lambda function: [name for name, _ in _parameters(function)]  # noqa: E731
    assert names(CognitoIdpBackend.sign_up) == ["self", "client_id", "username", "password", "attributes"]
    assert names(CognitoIdpBackend.forgot_password) == ["self", "client_id", "username"]
    assert names(CognitoIdpBackend.confirm_forgot_password) == ["self", "client_id", "username", "password", "confirmation_code"]
    assert names(CognitoIdpBackend.initiate_auth) == ["self", "client_id", "auth_flow", "auth_parameters"]
    assert names(CognitoIdpBackend.respond_to_auth_challenge) == ["self", "session", "client_id", "challenge_name", "challenge_responses"]
    assert names(CognitoIdpBackend.associate_software_token) == ["self", "access_token", "session"]
    assert names(CognitoIdpBackend.verify_software_token) == ["self", "access_token", "session", "user_code", "friendly_device_name"]
    assert names(CognitoIdpBackend._validate_password) == ["self", "user_pool_id", "password"]
    assert names(CognitoIdpUserPool.create_refresh_token) == ["self", "client_id", "username"]
    assert names(CognitoIdpUserPool.sign_out) == ["self", "username"]
    assert names(CognitoIdpUserPool.get_user_extra_data_by_client_id) == ["self", "client_id", "username"]
    # What the hooks read of moto's models: sessions, refresh tokens (client, username, origin jti), access tokens.
    pool = CognitoIdpUserPool(ACCOUNT_ID, REGION, "shape", {})
    assert pool.refresh_tokens == {} and pool.access_tokens == {}
    assert pool.create_refresh_token.__name__ == "create_refresh_token"
    # moto 5.2.5 answers none of these itself: the hooks add them (a moto that does should be read first).
    for action in ("revoke_token", "delete_user", "resend_confirmation_code"):
        assert action not in CognitoIdpResponse.__dict__ or CognitoIdpResponse.__dict__[action] is hooks._COGNITO_RESPONSES[action]


def test_cognito_hooks_install_and_uninstall() -> None:
    from moto.cognitoidp import models as cognito_models
    from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUserPool
    from moto.cognitoidp.responses import CognitoIdpResponse

    before = {name: CognitoIdpBackend.__dict__[name] for name in hooks._COGNITO_BACKEND}
    pool_before = {name: CognitoIdpUserPool.__dict__[name] for name in hooks._COGNITO_POOL}
    confirm_before = CognitoIdpResponse.__dict__["confirm_sign_up"]
    hooks.install(RecordingDispatcher())
    try:
        assert CognitoIdpBackend.initiate_auth is hooks._initiate_auth
        assert CognitoIdpUserPool.sign_out is hooks._sign_out
        assert CognitoIdpResponse.revoke_token is hooks._revoke_token_response
        assert cognito_models.get_cognito_idp_user_pool_enable_totp() is False
    finally:
        hooks.uninstall()
    assert {name: CognitoIdpBackend.__dict__[name] for name in hooks._COGNITO_BACKEND} == before
    assert {name: CognitoIdpUserPool.__dict__[name] for name in hooks._COGNITO_POOL} == pool_before
    assert CognitoIdpResponse.__dict__["confirm_sign_up"] is confirm_before
    assert "revoke_token" not in CognitoIdpResponse.__dict__ and not hooks.cognito_codes


def test_srp_server_side_agrees_with_a_client_that_knows_the_password() -> None:
    """The server's half of Cognito's SRP (hooks.srp_*) against pycognito's client half, and a wrong password."""
    import datetime

    from pycognito.aws_srp import AWSSRP

    pool_id, user_id, salt = "us-east-1_abcDEF123", str(uuid.uuid4()), "0f" * 16
    secret_block = base64.b64encode(b"block" * 10).decode()
    v = hooks.srp_verifier(pool_id, user_id, "Correct-horse-9", salt)
    b = 123456789**7
    big_b = (hooks.SRP_K * v + pow(hooks.SRP_G, b, hooks.SRP_N)) % hooks.SRP_N
    claims = []
    for password in ("Correct-horse-9", "Wrong-horse-9"):
        client = AWSSRP(username=user_id, password=password, pool_id=pool_id, client_id="c", client=object())
        timestamp = AWSSRP.get_cognito_formatted_timestamp(datetime.datetime(2026, 3, 5, 7, 8, 9))
        answer = client.process_challenge(
            {"USERNAME": user_id, "USER_ID_FOR_SRP": user_id, "SALT": salt, "SRP_B": f"{big_b:x}", "SECRET_BLOCK": secret_block},
            {"USERNAME": user_id},
        )
        expected = hooks.srp_password_claim(pool_id, user_id, secret_block, answer["TIMESTAMP"], a=client.large_a_value, b=b, v=v, big_b=big_b)
        claims.append(answer["PASSWORD_CLAIM_SIGNATURE"] == expected)
        assert timestamp == "Thu Mar 5 07:08:09 UTC 2026"
    assert claims == [True, False]


# -- Cognito's PostConfirmation trigger, run by the dispatcher ---------------------------------------------
TRIGGER_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:zik-post-confirmation"
TRIGGER_PASSWORD = "Correct-horse-9"


def test_cognito_confirmations_the_trigger_hooks_wrap_are_moto_answers() -> None:
    """AdminConfirmSignUp and ConfirmForgotPassword are moto's answers, wrapped; moto keeps a pool's LambdaConfig."""
    from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUserPool
    from moto.cognitoidp.responses import CognitoIdpResponse

    for action in ("admin_confirm_sign_up", "confirm_forgot_password"):
        assert callable(CognitoIdpResponse.__dict__[action]), action
    assert [name for name, _ in _parameters(CognitoIdpBackend.admin_confirm_sign_up)] == ["self", "user_pool_id", "username"]
    pool = CognitoIdpUserPool(ACCOUNT_ID, REGION, "shape", {"LambdaConfig": {"PostConfirmation": TRIGGER_ARN}})
    assert pool.extended_config["LambdaConfig"] == {"PostConfirmation": TRIGGER_ARN}
    assert pool.region == REGION


def _triggered_pool(trigger: bool = True) -> tuple[Any, str, str]:
    import boto3

    idp = boto3.client("cognito-idp", region_name=REGION)
    pool_id = idp.create_user_pool(
        PoolName=f"triggered-{uuid.uuid4().hex[:6]}",
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        **({"LambdaConfig": {"PostConfirmation": TRIGGER_ARN}} if trigger else {}),
    )["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app")["UserPoolClient"]["ClientId"]
    return idp, pool_id, client_id


def _signed_up(idp: Any, client_id: str) -> str:
    email = f"t{uuid.uuid4().hex[:8]}@example.com"
    idp.sign_up(
        ClientId=client_id,
        Username=email,
        Password=TRIGGER_PASSWORD,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "name", "Value": "Ada"}],
    )
    return email


def _sign_up_code(email: str, purpose: str = "sign_up") -> str:
    return next(r["code"] for r in reversed(hooks.cognito_codes) if r["user"] == email and r["purpose"] == purpose)


def test_confirm_sign_up_runs_the_post_confirmation_trigger_with_cognitos_event(aws: None, dispatcher: RecordingDispatcher) -> None:
    idp, pool_id, client_id = _triggered_pool()
    email = _signed_up(idp, client_id)
    dispatcher.answer = Invocation("request-3", payload={"echo": True})

    idp.confirm_sign_up(ClientId=client_id, Username=email, ConfirmationCode=_sign_up_code(email), ClientMetadata={"source": "app"})

    ((arn, event),) = dispatcher.sync
    sub = idp.admin_get_user(UserPoolId=pool_id, Username=email)["Username"]
    sample = json.loads((ROOT / "events" / "post_confirmation.json").read_text())
    assert arn == TRIGGER_ARN
    assert set(event) == set(sample) and set(event["callerContext"]) == set(sample["callerContext"])
    assert event["triggerSource"] == "PostConfirmation_ConfirmSignUp"
    assert (event["version"], event["region"], event["userPoolId"], event["userName"]) == ("1", REGION, pool_id, sub)
    assert event["callerContext"]["clientId"] == client_id
    assert event["request"] == {
        "userAttributes": {
            "sub": sub,
            "email": email,
            "name": "Ada",
            "email_verified": "true",
            "cognito:user_status": "CONFIRMED",
            "cognito:email_alias": email,
        },
        "clientMetadata": {"source": "app"},
    }
    assert event["response"] == {}


def test_admin_confirm_and_a_confirmed_password_reset_run_the_trigger(aws: None, dispatcher: RecordingDispatcher) -> None:
    idp, pool_id, client_id = _triggered_pool()
    email = _signed_up(idp, client_id)

    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username=email)
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        idp.admin_confirm_sign_up(UserPoolId=pool_id, Username=email)  # confirmed already: no second trigger
    idp.forgot_password(ClientId=client_id, Username=email)
    idp.confirm_forgot_password(ClientId=client_id, Username=email, ConfirmationCode=_sign_up_code(email, "forgot_password"), Password="New-horse-77")

    assert [(e["triggerSource"], e["callerContext"]["clientId"]) for _, e in dispatcher.sync] == [
        ("PostConfirmation_ConfirmSignUp", hooks.NO_CLIENT),
        ("PostConfirmation_ConfirmForgotPassword", client_id),
    ]
    assert all(e["request"]["userAttributes"]["cognito:user_status"] == "CONFIRMED" for _, e in dispatcher.sync)


def test_a_failed_confirmation_runs_no_trigger_and_a_pool_without_one_invokes_nothing(aws: None, dispatcher: RecordingDispatcher) -> None:
    idp, _pool_id, client_id = _triggered_pool()
    email = _signed_up(idp, client_id)
    with pytest.raises(idp.exceptions.CodeMismatchException):
        idp.confirm_sign_up(ClientId=client_id, Username=email, ConfirmationCode="not-a-code")
    idp.forgot_password(ClientId=client_id, Username=email)
    with pytest.raises(idp.exceptions.InvalidPasswordException):
        idp.confirm_forgot_password(ClientId=client_id, Username=email, ConfirmationCode=_sign_up_code(email, "forgot_password"), Password="weak")
    assert dispatcher.sync == []

    plain, plain_pool, plain_client = _triggered_pool(trigger=False)
    other = _signed_up(plain, plain_client)
    plain.confirm_sign_up(ClientId=plain_client, Username=other, ConfirmationCode=_sign_up_code(other))
    plain.admin_confirm_sign_up(UserPoolId=plain_pool, Username=_signed_up(plain, plain_client))
    assert dispatcher.sync == []


@pytest.mark.parametrize(
    ("answer", "code", "message"),
    [
        (
            Invocation("r", error={"errorType": "ClientError", "errorMessage": "AccessDenied"}),
            "UserLambdaValidationException",
            "PostConfirmation failed with error AccessDenied.",
        ),
        (
            Invocation("r", error={"errorType": "Sandbox.Timedout", "errorMessage": "Task timed out after 5.00 seconds"}),
            "UnexpectedLambdaException",
            "Socket timeout while invoking Lambda function",
        ),
        (Invocation("r", payload=None), "InvalidLambdaResponseException", "Invalid lambda function output : Invalid JSON"),
        (LookupError(f"no function behind {TRIGGER_ARN}"), "UnexpectedLambdaException", "no function behind"),
    ],
)
def test_a_failing_trigger_fails_the_call_as_cognito_does_and_the_user_stays_confirmed(
    aws: None,
    dispatcher: RecordingDispatcher,
    monkeypatch: pytest.MonkeyPatch,
    answer: Any,
    code: str,
    message: str,
) -> None:
    from botocore.exceptions import ClientError

    idp, pool_id, client_id = _triggered_pool()
    email = _signed_up(idp, client_id)
    if isinstance(answer, Exception):

        def refuse(function_arn: str, event: Any) -> Invocation:
            raise answer

        monkeypatch.setattr(dispatcher, "invoke_function", refuse)
    else:
        dispatcher.answer = answer

    with pytest.raises(ClientError) as excinfo:
        idp.confirm_sign_up(ClientId=client_id, Username=email, ConfirmationCode=_sign_up_code(email))

    assert excinfo.value.response["Error"]["Code"] == code
    assert message in excinfo.value.response["Error"]["Message"]
    assert idp.admin_get_user(UserPoolId=pool_id, Username=email)["UserStatus"] == "CONFIRMED"
