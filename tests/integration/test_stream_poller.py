"""The local cloud's DynamoDB stream event source mappings (zik_local.streams) against moto's tables and
streams: order, batches, filters, partial failures, bisection, retries and the on-failure destination,
as Lambda's stream pollers behave; and moto's streams seen through the hooks (a failed transaction is
never seen, records every poller has read are dropped)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from zik.dynamo import to_item
from zik_local import hooks
from zik_local.streams import Outcome, StreamMapping, StreamPoller

TABLE = "stream-test"


@pytest.fixture
def table(aws) -> dict[str, Any]:
    client = boto3.client("dynamodb")
    answer = client.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )["TableDescription"]
    return {"client": client, "stream": answer["LatestStreamArn"]}


class Function:
    """The function behind the mapping: records each batch's sequence numbers; fails as it is told."""

    def __init__(self, fail: Any = None):
        self.batches: list[list[str]] = []
        self.fail = fail or (lambda sequence, attempt: None)

    def __call__(self, name: str, event: dict[str, Any]) -> Outcome:
        sequence = [r["dynamodb"]["SequenceNumber"] for r in event["Records"]]
        self.batches.append(sequence)
        verdict = self.fail(sequence, len(self.batches))
        if verdict == "crash":
            return Outcome(failed=True)
        if verdict:
            return Outcome(failed=False, payload={"batchItemFailures": [{"itemIdentifier": verdict}]})
        return Outcome(failed=False, payload={"batchItemFailures": []})

    @property
    def delivered(self) -> list[str]:
        return [s for batch in self.batches for s in batch]


def poller(table: dict[str, Any], function: Function, sent: list, **options: Any) -> StreamPoller:
    mapping = StreamMapping(
        logical_id="Mapping",
        function="Fn",
        function_arn="arn:aws:lambda:us-east-1:123456789012:function:fn",
        stream_arn=table["stream"],
        **{"report_item_failures": True, "on_failure": "arn:aws:sqs:us-east-1:123456789012:dlq", **options},
    )
    return StreamPoller(mapping, boto3.client("dynamodbstreams"), function, lambda destination, record: sent.append((destination, record)))


def put(table: dict[str, Any], *sks: str) -> None:
    for sk in sks:
        table["client"].put_item(TableName=TABLE, Item=to_item({"pk": "p", "sk": sk}))


def test_a_poll_reads_once_from_where_the_last_read_ended(table) -> None:
    """Each poll is one GetRecords on the iterator the last one handed on: no new iterator, no empty read
    to find the end; an iterator the stream forgot is replaced by one at the checkpoint."""
    calls: list[str] = []
    function, sent = Function(), []
    reader = poller(table, function, sent)
    reader.client.meta.events.register("before-call.dynamodbstreams.*", lambda model, **_: calls.append(model.name))
    put(table, "a", "b")
    assert reader.poll() == 2
    first = list(calls)
    calls.clear()
    put(table, "c")
    assert reader.poll() == 1 and calls == ["GetRecords"]
    calls.clear()
    assert reader.poll() == 0 and calls == ["GetRecords"]
    assert first.count("GetRecords") == 1 and first.count("GetShardIterator") == 1

    from moto.dynamodbstreams.models import dynamodbstreams_backends

    dynamodbstreams_backends["123456789012"]["us-east-1"].shard_iterators.clear()  # as if it had expired
    calls.clear()
    put(table, "d")
    assert reader.poll() == 1 and calls[-2:] == ["GetShardIterator", "GetRecords"]
    assert [len(b) for b in function.batches] == [2, 1, 1] and function.delivered == sorted(function.delivered)


def test_records_come_in_order_in_batches_of_the_mappings_size(table) -> None:
    put(table, *(f"item{n}" for n in range(7)))
    function, sent = Function(), []
    reader = poller(table, function, sent, batch_size=3)
    assert reader.poll() == 7
    assert [len(b) for b in function.batches] == [3, 3, 1]
    assert function.delivered == sorted(function.delivered) and sent == []
    put(table, "item7")
    assert reader.poll() == 1 and len(function.delivered) == 8  # from the checkpoint on


def test_a_record_is_handed_over_as_lambda_hands_it(table) -> None:
    put(table, "item0")
    seen: list[dict[str, Any]] = []
    reader = poller(table, Function(), [])
    reader.invoke = lambda name, event: seen.extend(event["Records"]) or Outcome(False, {})
    reader.poll()
    [record] = seen
    assert record["eventName"] == "INSERT" and record["eventSourceARN"] == table["stream"] and record["awsRegion"] == "us-east-1"
    assert isinstance(record["dynamodb"]["ApproximateCreationDateTime"], int)
    assert record["dynamodb"]["NewImage"] == {"pk": {"S": "p"}, "sk": {"S": "item0"}}
    json.dumps(record)  # what a function receives is JSON


def test_filters_drop_records_before_the_function_sees_them(table) -> None:
    put(table, "ENTRY#1", "SETTINGS", "ENTRY#2", "CATEGORY#x")
    function = Function()
    reader = poller(table, function, [], filters=[{"dynamodb": {"Keys": {"sk": {"S": [{"prefix": "ENTRY#"}]}}}}])
    assert reader.poll() == 4 and len(function.delivered) == 2
    assert reader.poll() == 0  # the filtered ones are done with too


def test_a_reported_failure_retries_from_that_record_and_the_ones_before_are_done(table) -> None:
    put(table, *(f"item{n}" for n in range(5)))
    first = {}

    def fail(sequence: list[str], attempt: int) -> str | None:
        first.setdefault("batch", sequence)
        return sequence[2] if attempt == 1 else None

    function = Function(fail)
    reader = poller(table, function, [])
    reader.poll()
    assert function.batches == [first["batch"], first["batch"][2:]]


def test_a_crashing_function_is_bisected_until_the_bad_record_is_alone_then_skipped_to_the_destination(table) -> None:
    put(table, *(f"item{n}" for n in range(8)))
    sequence = list(_all_sequence_numbers(table))
    bad = sequence[5]
    function, sent = Function(lambda batch, attempt: "crash" if bad in batch else None), []
    reader = poller(table, function, sent, bisect=True, max_retries=2)
    reader.poll()
    assert sorted(set(function.delivered) - {bad}) == sorted(set(sequence) - {bad})  # every other record got through
    [(destination, record)] = sent
    assert destination.endswith(":dlq") and record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    info = record["DDBStreamBatchInfo"]
    assert info["startSequenceNumber"] == info["endSequenceNumber"] == bad and info["batchSize"] == 1 and info["streamArn"] == table["stream"]
    assert reader.poll() == 0  # skipped: the stream goes on


def test_without_bisection_a_failing_batch_is_retried_whole_then_sent_on(table) -> None:
    put(table, "a", "b")
    function, sent = Function(lambda batch, attempt: "crash"), []
    poller(table, function, sent, max_retries=3).poll()
    assert len(function.batches) == 4 and all(len(b) == 2 for b in function.batches)  # 1 try + 3 retries
    assert sent[0][1]["requestContext"]["approximateInvokeCount"] == 4 and sent[0][1]["DDBStreamBatchInfo"]["batchSize"] == 2


def test_a_mapping_from_latest_reads_only_what_comes_after_it_started(table) -> None:
    put(table, "before")
    function = Function()
    reader = poller(table, function, [], starting_position="LATEST")
    assert reader.poll() == 0
    put(table, "after")
    reader.poll()
    assert len(function.delivered) == 1


def test_a_failed_transaction_never_reaches_the_stream(table) -> None:
    put(table, "kept")
    client = table["client"]
    with pytest.raises(client.exceptions.TransactionCanceledException):
        client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": TABLE, "Item": to_item({"pk": "p", "sk": "half"})}},
                {"Put": {"TableName": TABLE, "Item": to_item({"pk": "p", "sk": "kept"}), "ConditionExpression": "attribute_not_exists(pk)"}},
            ]
        )
    put(table, "after")
    seen: list[str] = []
    reader = poller(table, Function(), [])
    reader.invoke = lambda name, event: seen.extend(r["dynamodb"]["Keys"]["sk"]["S"] for r in event["Records"]) or Outcome(False, {})
    reader.poll()
    assert seen == ["kept", "after"]


def test_records_every_poller_has_read_can_be_dropped_and_reading_goes_on(table) -> None:
    from moto.dynamodb.models import dynamodb_backends

    put(table, "a", "b", "c")
    function = Function()
    reader = poller(table, function, [])
    reader.poll()
    moto_table = dynamodb_backends["123456789012"]["us-east-1"].get_table(TABLE)
    assert hooks.trim_stream(moto_table, int(reader.checkpoint)) == 3 and moto_table.stream_shard.items == []
    put(table, "d")
    assert reader.poll() == 1 and len(function.delivered) == 4


def _all_sequence_numbers(table: dict[str, Any]) -> list[str]:
    streams = boto3.client("dynamodbstreams")
    shard = streams.describe_stream(StreamArn=table["stream"])["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=table["stream"], ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    return [r["dynamodb"]["SequenceNumber"] for r in streams.get_records(ShardIterator=iterator)["Records"]]
