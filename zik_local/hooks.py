"""Where the local cloud reaches into moto (pinned in requirements/dev.txt; tests/integration/test_moto_hooks.py
checks each hook still fits the pinned version).

moto runs the AWS APIs; what it cannot do is run code. Three places hand over to the local cloud:
  - ``moto.awslambda.models.LambdaFunction.invoke``: the Lambda Invoke API (also used by Step Functions'
    Lambda tasks) would start a Docker container; the local cloud runs the function instead. (And
    ``LambdaBackend.invoke`` takes a template's logical id as a function's name, as `sam local start-lambda`.)
  - ``moto.s3.notifications._invoke_awslambda``: S3 notifications to Lambda, invoked asynchronously.
  - ``moto.events.models.Rule.send_to_targets``: EventBridge delivers to SQS, logs and buses only; Lambda
    and Step Functions targets are dispatched by the local cloud.

And one where moto's answer differs from AWS's in a way that matters to a FIFO queue's consumer: moto gives
each FIFO message a random 20-digit SequenceNumber, where SQS's "continues to increase for a particular
MessageGroupId"; ``moto.sqs.models.Queue.add_message`` gives them increasing ones instead.

And five where moto repeats work the local cloud pays for: the module listing it asks at every request,
the service models it reads with a new loader each time (each one scanning botocore's data directory
again, ~40 ms a service), the method names of a response class it lists with ``inspect.getmembers`` at
every request (3% of its time under GET /me), and DynamoDB's answers that carry items, which moto holds
in their wire form already and still walks through its shape-driven serializer (~1 ms an item: 130 ms to
read a library of 132 prompts), and the JSONPath parser EventBridge builds from its grammar for every path of
every event it delivers. And two where moto's work grows with the data: TransactWriteItems deep-copies each
table it writes, to put it back on failure (the copy shares the items the transaction does not write), and
Query sorts the whole table to keep one partition (it reads that partition alone), and SQS counts a queue's
messages, asking the clock twice for each, whenever it reads any attribute of the queue (one pass, one instant).

And Cognito's sign-in life cycle, which moto answers only in part (install_cognito, below: real SRP password
checks, confirmation and reset codes made, logged and checked once, a TOTP secret per user, expiring and
revocable refresh tokens, RevokeToken / DeleteUser / ResendConfirmationCode, no user-existence hints), and
the user pool's PostConfirmation trigger, which moto never invokes: the local cloud runs it (run_post_confirmation).
"""

from __future__ import annotations

import base64
import binascii
import collections
import contextlib
import copy
import functools
import hashlib
import hmac
import inspect
import itertools
import json
import secrets
import threading
import time
from collections.abc import Iterator
from typing import Any, Protocol, cast

from jsonpath_ng import ext as jsonpath_ext
from moto import backends as moto_backends
from moto.awslambda.models import LambdaBackend, LambdaFunction
from moto.core import responses as moto_responses
from moto.core import utils as moto_utils
from moto.core.base_backend import AccountSpecificBackend
from moto.core.common_models import BaseModel
from moto.core.config import default_user_config
from moto.core.loaders import create_loader as create_moto_loader
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import SecondaryIndex, StreamShard, Table
from moto.dynamodb.responses import DynamoResult
from moto.dynamodbstreams.models import DynamoDBStreamsBackend, ShardIterator
from moto.events.models import Rule
from moto.events.utils import EventMessageType
from moto.s3 import notifications as s3_notifications
from moto.sqs.models import Queue as SqsQueue
from moto.sqs.models import SQSBackend
from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils as sfn_lambda

from zik_local.runtime import Invocation


class Dispatcher(Protocol):
    def invoke_function(self, function_arn: str, event: Any) -> Invocation: ...

    def invoke_function_async(self, function_arn: str, event: Any, *, source: str) -> object: ...

    def deliver_to_target(self, target: dict[str, Any], event: dict[str, Any], rule_arn: str) -> None: ...


# The properties of moto's SQS queues that count its messages (replaced by _install_queue_counts, below).
_QUEUE_COUNTS = ("messages", "approximate_number_of_messages", "approximate_number_of_messages_delayed", "approximate_number_of_messages_not_visible")
_ORIGINAL = {
    "invoke": LambdaFunction.invoke,
    "backend_invoke": LambdaBackend.invoke,
    "s3": s3_notifications._invoke_awslambda,
    "send_to_targets": Rule.send_to_targets,
    "modules": moto_backends.list_of_moto_modules,
    "service_model": moto_utils._load_service_model,
    # (the descriptor itself: a classmethod around an lru_cache)
    "backend_session": AccountSpecificBackend.__dict__["get_session"],
    "dynamodb_result": DynamoResult.execute_result,
    "method_names": moto_responses.method_names_from_class,
    "sqs_add_message": SqsQueue.add_message,
    # (the properties themselves, from the class's namespace)
    **{f"sqs_{name}": SqsQueue.__dict__[name] for name in _QUEUE_COUNTS},
    "sqs_retention": SQSBackend.is_message_valid_based_on_retention_period,
    "jsonpath_parse": jsonpath_ext.parse,
    "sfn_lambda_client": sfn_lambda.boto_client_for,
    "model_new": BaseModel.__dict__["__new__"],
}
_RUN_HERE = (":lambda:", ":states:")
# moto's setting as it was before install(), restored by uninstall() (mock_aws copies whatever it finds).
_STEPFUNCTIONS_CONFIG: list[Any] = []  # moto's own (private) type of its stepfunctions settings


def install(dispatcher: Dispatcher, *, loader: Any = None) -> None:
    """Hand code execution over to ``dispatcher``. ``loader``: a botocore data loader moto's backends share
    (the local cloud's own, which has the endpoints and service models of its clients loaded already)."""
    make_dynamodb_writes_atomic()
    install_cognito()
    # -- the identity pool's GetId / GetCredentialsForIdentity, and S3 as its credentials' policies allow --
    from zik_local import identity_pool

    identity_pool.install()
    # -- (end of the identity pool) --
    trigger_dispatchers[:] = [dispatcher]
    log = getattr(dispatcher, "log", None)
    if log is not None:
        code_listeners[:] = [lambda record: log("cognito", f"code for {record['user']}: {record['code']} ({record['purpose'].replace('_', ' ')})")]
    if not _STEPFUNCTIONS_CONFIG:
        _STEPFUNCTIONS_CONFIG.append(dict(default_user_config.get("stepfunctions") or {}))
    # A new dict, not the current one changed in place: mock_aws restores moto's settings by reference, and
    # an in-place change would outlive both it and uninstall().
    default_user_config["stepfunctions"] = {**(default_user_config.get("stepfunctions") or {}), "execute_state_machine": True}

    def invoke(self: LambdaFunction, body: Any, request_headers: Any, response_headers: Any) -> bytes:
        headers = {k.lower(): v for k, v in dict(request_headers or {}).items()}
        invocation_type = headers.get("x-amz-invocation-type", "RequestResponse")
        event = json.loads(body) if body else {}
        if invocation_type == "DryRun":
            return b""
        if invocation_type == "Event":
            dispatcher.invoke_function_async(self.function_arn, event, source="lambda:Invoke")
            return b""
        invocation = dispatcher.invoke_function(self.function_arn, event)
        if headers.get("x-amz-log-type") == "Tail":
            tail = "\n".join(invocation.logs)[-4096:]
            response_headers["x-amz-log-result"] = base64.b64encode(tail.encode()).decode()
        if invocation.failed:
            error = dict(invocation.error or {})
            response_headers["x-amz-function-error"] = "Unhandled"
            return json.dumps(error).encode()
        return json.dumps(invocation.payload).encode()

    def s3_notification(account_id: str, event_body: Any, fn_arn: str, region_name: str) -> None:
        dispatcher.invoke_function_async(fn_arn, event_body, source="s3")

    def send_to_targets(self: Rule, original_event: EventMessageType, transform_input: bool = True) -> None:
        if not self.event_pattern.matches_event(original_event):
            return
        ours = [t for t in self.targets if any(marker in t["Arn"] for marker in _RUN_HERE)]
        for target in ours:
            dispatcher.deliver_to_target(target, cast("dict[str, Any]", copy.deepcopy(original_event)), self.arn)
        theirs = [t for t in self.targets if t not in ours]
        if theirs:
            # moto's own delivery for the rest, on a copy of the rule so concurrent events see whole targets.
            rest = copy.copy(self)
            rest.targets = theirs
            _ORIGINAL["send_to_targets"](rest, original_event, transform_input)

    modules = tuple(_ORIGINAL["modules"]())

    def list_of_moto_modules() -> tuple[str, ...]:
        return modules

    # moto's own loader (its models carry moto's extras, so it cannot be botocore's), one for all services.
    moto_loader = create_moto_loader()

    def load_service_model(service_name: str, model_name: str) -> dict[str, Any]:
        return moto_loader.load_service_model(service_name, model_name)

    physical_name = getattr(dispatcher, "physical_function_name", None)

    def backend_invoke(self: LambdaBackend, function_name: str, qualifier: str | None, body: Any, headers: Any, response_headers: Any) -> Any:
        # A template's logical id names its function too, as `sam local start-lambda` takes it.
        deployed = physical_name(function_name) if physical_name is not None else None
        return _ORIGINAL["backend_invoke"](self, deployed or function_name, qualifier, body, headers, response_headers)

    LambdaFunction.invoke = invoke  # type: ignore[method-assign]
    LambdaBackend.invoke = backend_invoke  # type: ignore[method-assign]
    SqsQueue.add_message = _add_with_increasing_sequence_number  # type: ignore[method-assign]
    _install_queue_counts()
    DynamoResult.execute_result = _dynamodb_items_as_json  # type: ignore[method-assign, assignment]  # on DynamoResult only: self is one
    # A class's functions are fixed once it is defined (moto's response classes are never patched).
    moto_responses.method_names_from_class = functools.lru_cache(maxsize=None)(_ORIGINAL["method_names"])
    s3_notifications._invoke_awslambda = s3_notification
    Rule.send_to_targets = send_to_targets  # type: ignore[method-assign]
    moto_backends.list_of_moto_modules = list_of_moto_modules
    moto_utils._load_service_model = load_service_model
    # EventBridge reads each target's input paths (eight JSONPaths without an InputTransformer) with a parser
    # it builds anew from its grammar at every event: 4.5% of the embedded AWS's time under make load. A
    # parsed path is never changed by its use.
    jsonpath_ext.parse = functools.lru_cache(maxsize=1024)(_ORIGINAL["jsonpath_parse"])
    sfn_lambda.boto_client_for = _state_machine_lambda_client
    BaseModel.__new__ = _new_untracked  # type: ignore[method-assign]
    if loader is not None:
        # The botocore session moto's backends ask for regions: with the shared loader, not a new one.
        import botocore.session

        session = botocore.session.Session()
        session.register_component("data_loader", loader)
        AccountSpecificBackend.get_session = classmethod(lambda cls: session)  # type: ignore[method-assign,assignment]


# moto's Step Functions interpreter makes a new boto3 client (and a new connection) for every Lambda task it
# runs: 4% of zik dev's time under make load, each roadmap workflow running three. A client is thread-safe
# and its answers depend on nothing but where it calls (moto's server port, or moto's own interception) and
# its region; the state's credentials are not used by the client moto makes.
_STATE_MACHINE_CLIENTS: dict[tuple[Any, ...], Any] = {}
_STATE_MACHINE_CLIENTS_LOCK = threading.Lock()


def _state_machine_lambda_client(region: str, service: str, state_credentials: Any = None) -> Any:
    from moto.core.models import botocore_stubber
    from moto.settings import moto_server_port

    key = (region, service, moto_server_port(), botocore_stubber.enabled)
    with _STATE_MACHINE_CLIENTS_LOCK:
        if key not in _STATE_MACHINE_CLIENTS:
            _STATE_MACHINE_CLIENTS[key] = _ORIGINAL["sfn_lambda_client"](region=region, service=service, state_credentials=state_credentials)
        return _STATE_MACHINE_CLIENTS[key]


# moto lists every instance of its models it ever made (BaseModel.__new__ appends it to its class's
# ``instances_tracked``, for its /moto-api/data.json dashboard): every item version a write makes, every
# message, stream record, shard iterator, a transaction's copy of a table. Nothing is ever freed: zik dev's own
# process grew by ~140 MiB under make load and kept it. Only S3's objects stay listed: moto's reset disposes
# of the buffers of the ones no bucket holds any more (and they are the buckets' data anyway).
@functools.cache
def _kept_listed() -> tuple[type, ...]:
    from moto.s3.models import FakeKey, FakeMultipart

    return (FakeKey, FakeMultipart)


def _new_untracked(cls: type, *args: Any, **kwargs: Any) -> Any:
    instance = super(BaseModel, cls).__new__(cls)  # type: ignore[misc]
    if issubclass(cls, _kept_listed()):
        cls.instances_tracked.append(instance)  # type: ignore[attr-defined]
    return instance


# SQS's FIFO sequence numbers: 20 digits, increasing in the process (moto's accounts reset, these never do).
_SEQUENCE_NUMBERS = itertools.count(10**19)
_SEQUENCE_LOCK = threading.Lock()


def _add_with_increasing_sequence_number(self: SqsQueue, message: Any) -> None:
    """moto's add_message, a FIFO message numbered first: a message sent (moto numbered it at random) or moved
    to a dead-letter queue gets the next number as it enters the queue. Numbered and added under one lock, so
    that the queue's order is the numbers' order."""
    if not (self.fifo_queue and message.sequence_number is not None):
        _ORIGINAL["sqs_add_message"](self, message)
        return
    with _SEQUENCE_LOCK:
        message.sequence_number = str(next(_SEQUENCE_NUMBERS))
        _ORIGINAL["sqs_add_message"](self, message)


# moto's SQS reads every attribute of a queue to know one (whether a FIFO queue deduplicates by content, at each
# SendMessage; its retention period, for each message a ReceiveMessage hands out: three times over), and three of
# them count its messages, each asking the clock twice per message (a datetime made each time). A queue that
# fell behind under make load's 50 clients (hundreds of journal insights waiting) made that 29% of zik dev's
# time. The counts below ask the clock once and go through the messages once each; the retention period is
# read where it is kept. Their answers are moto's (tests/integration/test_moto_hooks.py compares them).
def _ready_messages(queue: SqsQueue) -> list[Any]:
    """moto's Queue.messages: the visible ones not delayed, at one instant."""
    now = moto_utils.unix_time_millis()
    return [message for message in queue._messages if now > message.visible_at and not now < message.delayed_until]


def _delayed_count(queue: SqsQueue) -> int:
    now = moto_utils.unix_time_millis()
    return sum(1 for message in queue._messages if now < message.delayed_until)


def _not_visible_count(queue: SqsQueue) -> int:
    now = moto_utils.unix_time_millis()
    return sum(1 for message in queue._messages if not now > message.visible_at)


def _retained(backend: SQSBackend, queue_name: str, message: Any) -> bool:
    retention_period = backend.get_queue(queue_name).message_retention_period  # type: ignore[attr-defined]  # set from its attributes
    return bool(retention_period + message.sent_timestamp / 1000 > moto_utils.unix_time())


def _install_queue_counts() -> None:
    SqsQueue.messages = property(_ready_messages)  # type: ignore[method-assign, assignment]
    SqsQueue.approximate_number_of_messages = property(lambda queue: len(_ready_messages(queue)))  # type: ignore[method-assign, assignment]
    SqsQueue.approximate_number_of_messages_delayed = property(_delayed_count)  # type: ignore[method-assign, assignment]
    SqsQueue.approximate_number_of_messages_not_visible = property(_not_visible_count)  # type: ignore[method-assign, assignment]
    SQSBackend.is_message_valid_based_on_retention_period = _retained  # type: ignore[method-assign, assignment]


# DynamoDB's operations whose answers are items (and their counts, keys and consumed capacity) and nothing
# else: no timestamps, no nested shapes the serializer would rename or drop.
DYNAMODB_ITEM_ANSWERS = frozenset({"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems", "PutItem", "UpdateItem", "DeleteItem"})
_DYNAMODB_CONTENT_TYPE = "application/x-amz-json-1.0"


def _binary_in_wire_form(value: Any) -> str:
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")  # B and BS values, as the serializer writes blobs
    raise TypeError(f"not a DynamoDB wire value: {type(value).__name__}")


def _dynamodb_items_as_json(self: DynamoResult, context: Any) -> Any:
    """The answer moto's serializer would give (the test compares them), written by json.dumps; anything
    unexpected in the result goes to moto's serializer instead."""
    result = self.result
    operation = context.operation_model
    if operation.name in DYNAMODB_ITEM_ANSWERS and isinstance(result, dict):
        members = operation.output_shape.members  # (moto adds legacy keys, e.g. ConsumedCapacityUnits)
        try:
            body = json.dumps({k: v for k, v in result.items() if v is not None and k in members}, default=_binary_in_wire_form)
        except TypeError:
            pass
        else:
            return 200, {"Content-Type": _DYNAMODB_CONTENT_TYPE}, body
    return _ORIGINAL["dynamodb_result"](self, context)


# The write methods of moto's DynamoDB backend that check a condition and then change items.
DYNAMODB_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item")
# The reads of moto's DynamoDB Streams backend: they see a transaction whole or not at all.
STREAM_READS = ("describe_stream", "get_shard_iterator", "get_records")
_DYNAMODB_WRITE_LOCK = threading.RLock()
# Called with the table's name after each change recorded in its stream (the stream pollers' wake-up).
stream_listeners: list[Any] = []


def _serialised(owner: Any, names: tuple[str, ...]) -> None:
    for name in names:
        method = getattr(owner, name)
        if getattr(method, "_zik_atomic", False):
            continue

        def atomic(*args: Any, _method: Any = method, **kwargs: Any) -> Any:
            with _DYNAMODB_WRITE_LOCK:
                return _method(*args, **kwargs)

        functools.update_wrapper(atomic, method)
        atomic._zik_atomic = True  # type: ignore[attr-defined]
        setattr(owner, name, atomic)


def make_dynamodb_writes_atomic() -> None:
    """Serialise moto's DynamoDB writes, as DynamoDB's own conditional writes are atomic, and let stream
    readers see only whole writes. Idempotent, and harmless to leave in place (it only removes races real
    DynamoDB does not have).

    moto's TransactWriteItems applies its writes one by one (each recorded in the stream) and, when one
    fails, puts back a copy of the table taken before: so a stream read during a transaction would see
    changes that are then undone, and an iterator made before a rollback would still point at the
    discarded table's stream. Here reads wait for writes, and an iterator reads the table's stream as it
    is now (``_current_shard``)."""
    _copy_for_rollback(DynamoDBBackend)
    _query_one_partition(Table)
    _project_attributes_as_they_are(SecondaryIndex)
    _serialised(DynamoDBBackend, DYNAMODB_WRITES)
    _serialised(DynamoDBStreamsBackend, STREAM_READS)
    if not getattr(ShardIterator.get, "_zik_current", False):
        ShardIterator.get = _current_shard(ShardIterator.get)  # type: ignore[method-assign]
    if not getattr(StreamShard.add, "_zik_heard", False):
        StreamShard.add = _heard(StreamShard.add)  # type: ignore[method-assign]


class _RollbackCopies:
    """The ``copy`` module as moto's DynamoDB backend sees it (``moto.dynamodb.models.copy``), with one change.

    TransactWriteItems keeps a deep copy of each table it writes, to put back if the transaction fails:
    every item of the table copied at every transaction, 7% of the embedded AWS's time under make load and
    growing with the data (one table holds all of a domain's items). During a transaction (``of``), the
    copy of a table shares the items the transaction does not write, and copies the ones it does: nothing
    else writes meanwhile (writes are serialised), and moto changes only those items, the table's item
    index and its stream, which are copied. Anything else is copied as ``copy`` would."""

    def __init__(self) -> None:
        self._call = threading.local()

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    def deepcopy(self, value: Any, memo: dict[int, Any] | None = None) -> Any:
        written = getattr(self._call, "written", None)
        if written is None or not isinstance(value, Table) or value.name not in written:
            return copy.deepcopy(value, memo)
        copies = self._call.copies
        if value.name not in copies:  # moto asks once per item of the transaction, before its first write
            copies[value.name] = _table_for_rollback(value, written[value.name])
        return copies[value.name]

    @contextlib.contextmanager
    def of(self, written: dict[str, list[tuple[DynamoType, DynamoType | None]]] | None) -> Iterator[None]:
        """``written``: the keys the transaction writes, by table; None (unreadable): copies as moto's."""
        self._call.written, self._call.copies = written, {}
        try:
            yield
        finally:
            self._call.written, self._call.copies = None, {}


def _keys_written(backend: DynamoDBBackend, transact_items: Any) -> dict[str, list[tuple[DynamoType, DynamoType | None]]] | None:
    keys: dict[str, list[tuple[DynamoType, DynamoType | None]]] = {}
    try:
        for item in transact_items:
            for operation, request in item.items():
                table = backend.tables.get(request.get("TableName"))
                if table is None:
                    continue
                key = request["Item"] if operation == "Put" else request["Key"]
                range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
                keys.setdefault(table.name, []).append((DynamoType(key[table.hash_key_attr]), range_value))
    except (KeyError, TypeError, AttributeError, ValueError):
        return None  # moto answers the malformed request itself
    return keys


def _table_for_rollback(table: Table, keys: list[tuple[DynamoType, DynamoType | None]]) -> Table:
    snapshot = copy.copy(table)
    items: Any = collections.defaultdict(dict)
    for hash_value, stored in table.items.items():
        items[hash_value] = dict(stored) if table.range_key_attr else stored
    for hash_value, range_value in keys:
        if hash_value not in items:
            continue
        if range_value is None:
            items[hash_value] = copy.deepcopy(items[hash_value])
        elif range_value in items[hash_value]:
            items[hash_value][range_value] = copy.deepcopy(items[hash_value][range_value])
    snapshot.items = items
    if table.stream_shard is not None:
        shard = copy.copy(table.stream_shard)
        shard.items = list(shard.items)
        shard.table = snapshot
        snapshot.stream_shard = shard
    return snapshot


_ROLLBACK_COPIES = _RollbackCopies()


def _copy_for_rollback(backend_class: type[DynamoDBBackend]) -> None:
    import moto.dynamodb.models as dynamodb_models

    dynamodb_models.copy = _ROLLBACK_COPIES  # type: ignore[assignment]
    transact = backend_class.transact_write_items
    if getattr(transact, "_zik_rollback_copies", False):
        return

    @functools.wraps(transact)
    def transact_write_items(self: DynamoDBBackend, transact_items: Any) -> Any:
        with _DYNAMODB_WRITE_LOCK, _ROLLBACK_COPIES.of(_keys_written(self, transact_items)):
            return transact(self, transact_items)

    transact_write_items._zik_rollback_copies = True  # type: ignore[attr-defined]
    backend_class.transact_write_items = transact_write_items  # type: ignore[method-assign]


class _QueryScope(threading.local):
    table: Any = None
    partition: Any = None  # the base table's hash key, or _EVERY_ITEM for an index


_EVERY_ITEM = object()
_QUERY_SCOPE = _QueryScope()


def _project_attributes_as_they_are(index_class: Any) -> None:
    """moto projects each item an index query answers (KEYS_ONLY, INCLUDE) through ``Item.project``, which
    turns the whole item into plain Python and back through boto3's (de)serializers once per projected
    attribute: a page of 20 journal entries through the ByDate index (12 attributes) was 24% of DynamoDB's
    time in zik dev under make load. The projection keeps the attributes themselves (moto deep-copied the page
    just before), the values as written: moto's round trip keeps them too, but for a set's order."""
    if getattr(index_class.project, "_zik_as_they_are", False):
        return
    project = index_class.project

    @functools.wraps(project)
    def as_they_are(self: Any, item: Any) -> Any:
        kind = (self.projection or {}).get("ProjectionType")
        if kind not in ("KEYS_ONLY", "INCLUDE"):
            return item  # ALL: moto keeps the item as it is
        names = [*self.table_key_attrs, *(key["AttributeName"] for key in self.schema)]
        if kind == "INCLUDE":
            names += self.projection.get("NonKeyAttributes", [])
        projected = type(item)(hash_key=item.hash_key, range_key=item.range_key, attrs={})
        for name in dict.fromkeys(names):
            if name in item.attrs:
                projected.attrs[name] = item.attrs[name]
        return projected

    as_they_are._zik_as_they_are = True  # type: ignore[attr-defined]
    index_class.project = as_they_are


def _query_one_partition(table_class: Any) -> None:
    """moto's Query reads ``Table.all_items()``: every item of the table, sorted by its key, for a base table's
    query too, which keeps only one partition of them. Under make load that was 26% of the embedded AWS's
    time, growing with the data. During a Query (its thread only), ``all_items`` of the queried table gives
    the queried partition for a base-table query (its items are ``items[hash key]``: moto's filter keeps
    exactly those), and every item unsorted for an index's (moto then sorts what it keeps by the index's
    keys and the table's, a total order that the input order cannot change). Elsewhere, moto's own."""
    if getattr(table_class.query, "_zik_one_partition", False):
        return
    query, all_items = table_class.query, table_class.all_items
    signature = inspect.signature(query)

    @functools.wraps(query)
    def scoped_query(self: Table, *args: Any, **kwargs: Any) -> Any:
        arguments = signature.bind(self, *args, **kwargs).arguments
        hash_key = arguments.get("hash_key")
        previous = (_QUERY_SCOPE.table, _QUERY_SCOPE.partition)
        if arguments.get("index_name"):
            _QUERY_SCOPE.table, _QUERY_SCOPE.partition = self, _EVERY_ITEM
        elif isinstance(hash_key, DynamoType):
            _QUERY_SCOPE.table, _QUERY_SCOPE.partition = self, hash_key
        else:
            _QUERY_SCOPE.table = None
        try:
            return query(self, *args, **kwargs)
        finally:
            _QUERY_SCOPE.table, _QUERY_SCOPE.partition = previous

    @functools.wraps(all_items)
    def scoped_items(self: Table) -> list[Any]:
        if _QUERY_SCOPE.table is not self:
            return all_items(self)
        if _QUERY_SCOPE.partition is _EVERY_ITEM:
            if self.range_key_attr:
                return [item for partition in self.items.values() for item in partition.values()]
            return list(self.items.values())
        stored = self.items.get(_QUERY_SCOPE.partition)  # (get: the defaultdict must not grow a partition)
        if stored is None:
            return []
        return list(stored.values()) if self.range_key_attr else [stored]

    scoped_query._zik_one_partition = True  # type: ignore[attr-defined]
    table_class.query = scoped_query
    table_class.all_items = scoped_items


# DynamoDB Streams' iterators expire 15 minutes after they are handed out; moto keeps every one for ever (two
# for each poll of a stream: some 40,000 an hour from zik dev's pollers at rest, each holding its table's
# stream). The oldest beyond this many are forgotten, as expired ones would be.
MAX_SHARD_ITERATORS = 1000


def _current_shard(get: Any) -> Any:
    @functools.wraps(get)
    def current(self: ShardIterator, limit: int = 1000) -> dict[str, Any]:
        with _DYNAMODB_WRITE_LOCK:
            table = self.streams_backend.dynamodb.get_table(self.stream_shard.table.name)
            if table.stream_shard is not None:
                self.stream_shard = table.stream_shard
            answer = get(self, limit)
            iterators = self.streams_backend.shard_iterators
            for arn in list(itertools.islice(iterators, max(0, len(iterators) - MAX_SHARD_ITERATORS))):
                del iterators[arn]  # (a dict keeps its insertion order: the oldest first)
            return answer

    current._zik_current = True  # type: ignore[attr-defined]
    return current


def _heard(add: Any) -> Any:
    @functools.wraps(add)
    def heard(self: StreamShard, old: Any, new: Any) -> None:
        add(self, old, new)
        for listener in list(stream_listeners):
            listener(self.table.name)

    heard._zik_heard = True  # type: ignore[attr-defined]
    return heard


def trim_stream(table: Any, through: int) -> int:
    """Forget a stream's records up to sequence number ``through`` (every poller is past them), as DynamoDB
    drops records after 24 hours: moto keeps them all, and copies them with the table in every
    transaction. How many were dropped."""
    with _DYNAMODB_WRITE_LOCK:
        shard = table.stream_shard
        if shard is None:
            return 0
        count = max(0, min(len(shard.items), through - shard.starting_sequence_number + 1))
        if count:
            del shard.items[:count]
            shard.starting_sequence_number += count
        return count


def uninstall() -> None:
    uninstall_cognito()
    from zik_local import identity_pool  # -- the identity pool (see install) --

    identity_pool.uninstall()
    code_listeners.clear()
    trigger_dispatchers.clear()
    LambdaFunction.invoke = _ORIGINAL["invoke"]  # type: ignore[method-assign]
    LambdaBackend.invoke = _ORIGINAL["backend_invoke"]  # type: ignore[method-assign]
    SqsQueue.add_message = _ORIGINAL["sqs_add_message"]  # type: ignore[method-assign]
    for name in _QUEUE_COUNTS:
        setattr(SqsQueue, name, _ORIGINAL[f"sqs_{name}"])
    SQSBackend.is_message_valid_based_on_retention_period = _ORIGINAL["sqs_retention"]  # type: ignore[method-assign]
    DynamoResult.execute_result = _ORIGINAL["dynamodb_result"]  # type: ignore[method-assign]
    moto_responses.method_names_from_class = _ORIGINAL["method_names"]
    s3_notifications._invoke_awslambda = _ORIGINAL["s3"]
    Rule.send_to_targets = _ORIGINAL["send_to_targets"]  # type: ignore[method-assign]
    moto_backends.list_of_moto_modules = _ORIGINAL["modules"]
    jsonpath_ext.parse = _ORIGINAL["jsonpath_parse"]
    sfn_lambda.boto_client_for = _ORIGINAL["sfn_lambda_client"]
    BaseModel.__new__ = _ORIGINAL["model_new"]  # type: ignore[method-assign]
    _STATE_MACHINE_CLIENTS.clear()
    moto_utils._load_service_model = _ORIGINAL["service_model"]
    AccountSpecificBackend.get_session = _ORIGINAL["backend_session"]  # type: ignore[method-assign]
    if _STEPFUNCTIONS_CONFIG:
        default_user_config["stepfunctions"] = _STEPFUNCTIONS_CONFIG.pop()


# -- Cognito: what moto's user pools leave out of the sign-in life cycle --------------------------------------
# moto 5.2.5 answers cognito-idp's API, but: its USER_SRP_AUTH returns random hex for SRP_B and accepts any
# PASSWORD_VERIFIER signature (no password is checked); ConfirmSignUp takes no code (any code confirms);
# ConfirmForgotPassword accepts any code not prefixed "moto-confirmation-code:" and skips the password policy;
# every user shares one TOTP secret ("asdfasdfasdf", checked only under an environment flag); refresh tokens
# never expire and are not tied to their app client; RevokeToken, DeleteUser and ResendConfirmationCode are
# missing; an unknown user gets UserNotFoundException (the template's client prevents user-existence errors)
# and an unconfirmed one UserNotConfirmedException before any password; a client's ExplicitAuthFlows are not
# enforced; without ReadAttributes an ID token carries no attribute (Cognito: all readable); and a global
# sign-out by sub misses the tokens of a user who signed in by e-mail. The hooks below close those gaps on
# moto's own models (users, sessions, tokens stay moto's).

# Cognito's SRP group (RFC 5054's 3072-bit prime, generator 2), as its SDKs (amazon-cognito-identity-js) use it.
SRP_N = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
    16,
)
SRP_G = 2
CODE_VALIDITY_SECONDS = 24 * 3600  # Cognito's confirmation and password-reset codes: 24 hours
AUTH_SESSION_SECONDS = 3 * 60  # an app client's AuthSessionValidity default: 3 minutes
TOTP_WINDOW = 1  # one 30 s step either side, as Cognito allows for clock drift
_WRONG_PASSWORD = "Incorrect username or password."
_FLOW_SETTING = {
    "USER_SRP_AUTH": "ALLOW_USER_SRP_AUTH",
    "USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
    "REFRESH_TOKEN_AUTH": "ALLOW_REFRESH_TOKEN_AUTH",
    "REFRESH_TOKEN": "ALLOW_REFRESH_TOKEN_AUTH",
    "CUSTOM_AUTH": "ALLOW_CUSTOM_AUTH",
}
_SYMBOLS = set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ")

# The codes Cognito would have e-mailed, newest last (``zik codes``, GET /_zik/codes), and who hears of each.
cognito_codes: collections.deque[dict[str, Any]] = collections.deque(maxlen=500)
code_listeners: list[Any] = []
_SRP_CHALLENGES: dict[str, dict[str, Any]] = {}
_COGNITO_LOCK = threading.Lock()


def cognito_now() -> float:
    """The clock of codes, sessions and refresh tokens (a test moves it to see them expire)."""
    return time.time()


def _hex_hash(hex_string: str) -> str:
    return hashlib.sha256(bytes.fromhex(hex_string)).hexdigest()


def _pad_hex(value: int | str) -> str:
    text = value if isinstance(value, str) else f"{value:x}"
    if len(text) % 2:
        return "0" + text
    return "00" + text if text[0] in "89abcdefABCDEF" else text


SRP_K = int(_hex_hash(_pad_hex(SRP_N) + _pad_hex(SRP_G)), 16)


def srp_verifier(pool_id: str, user_id_for_srp: str, password: str, salt_hex: str) -> int:
    """v = g^x mod N, x = H(salt | H(poolName | userId ":" password)), as Cognito's SDKs derive it."""
    inner = hashlib.sha256(f"{pool_id.split('_', 1)[1]}{user_id_for_srp}:{password}".encode()).hexdigest()
    x = int(_hex_hash(_pad_hex(salt_hex) + inner), 16)
    return pow(SRP_G, x, SRP_N)


def srp_password_claim(pool_id: str, user_id_for_srp: str, secret_block: str, timestamp: str, *, a: int, b: int, v: int, big_b: int) -> str:
    """The PASSWORD_CLAIM_SIGNATURE a client that knows the password sends, computed on the server's side:
    S = (A v^u)^b mod N, the HKDF of S (salt u), an HMAC of poolName | userId | secretBlock | timestamp."""
    u = int(_hex_hash(_pad_hex(a) + _pad_hex(big_b)), 16)
    s = pow(a * pow(v, u, SRP_N) % SRP_N, b, SRP_N)
    prk = hmac.new(bytes.fromhex(_pad_hex(f"{u:x}")), bytes.fromhex(_pad_hex(s)), hashlib.sha256).digest()
    key = hmac.new(prk, b"Caldera Derived Key\x01", hashlib.sha256).digest()[:16]
    message = pool_id.split("_", 1)[1].encode() + user_id_for_srp.encode() + base64.b64decode(secret_block) + timestamp.encode()
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


def _error(kind: str, message: str) -> Exception:
    from moto.core.exceptions import JsonRESTError

    return JsonRESTError(kind, message)


def _pool_and_client(backend: Any, client_id: str) -> tuple[Any, Any]:
    for pool in backend.user_pools.values():
        if client_id in pool.clients:
            return pool, pool.clients[client_id]
    raise _error("ResourceNotFoundException", f"User pool client {client_id} does not exist.")


def _any_pool_with_client(client_id: str) -> tuple[Any, Any, Any]:
    from moto.cognitoidp.models import cognitoidp_backends

    for regions in cognitoidp_backends.values():
        for region, backend in regions.items():
            if region == "global":
                continue
            for pool in backend.user_pools.values():
                if client_id in pool.clients:
                    return backend, pool, pool.clients[client_id]
    raise _error("ResourceNotFoundException", f"User pool client {client_id} does not exist.")


def _pool_of_access_token(access_token: str) -> tuple[Any, Any, Any]:
    """(backend, pool, user) of a live access token; NotAuthorizedException otherwise (signed out, revoked)."""
    from moto.cognitoidp.models import cognitoidp_backends

    for regions in cognitoidp_backends.values():
        for region, backend in regions.items():
            if region == "global":
                continue
            for pool in backend.user_pools.values():
                if access_token in pool.access_tokens:
                    user = pool._get_user(pool.access_tokens[access_token][1])
                    if user is None:
                        raise _error("NotAuthorizedException", "User does not exist.")
                    return backend, pool, user
    raise _error("NotAuthorizedException", "Access Token has been revoked")


def _prevents_existence_errors(client: Any) -> bool:
    # The template's client sets ENABLED; Cognito's API default for a client that does not say is LEGACY, but a
    # local pool created without the setting is the template's pool whose provisioning dropped it.
    return client.extended_config.get("PreventUserExistenceErrors", "ENABLED") == "ENABLED"


def _validate_password(self: Any, user_pool_id: str, password: str) -> None:
    """The pool's PasswordPolicy, with Cognito's messages (which rule the password breaks)."""
    policy = self.describe_user_pool(user_pool_id).extended_config.get("Policies", {}).get("PasswordPolicy", {})
    password = password or ""
    problems = []
    if len(password) < int(policy.get("MinimumLength", 8)):
        problems.append("Password not long enough")
    if policy.get("RequireUppercase", True) and not any(c.isupper() for c in password):
        problems.append("Password must have uppercase characters")
    if policy.get("RequireLowercase", True) and not any(c.islower() for c in password):
        problems.append("Password must have lowercase characters")
    if policy.get("RequireNumbers", True) and not any(c.isdigit() for c in password):
        problems.append("Password must have numeric characters")
    if policy.get("RequireSymbols", True) and not any(c in _SYMBOLS for c in password):
        problems.append("Password must have symbol characters")
    if len(password) > 256:
        problems.append("Password is too long")
    if problems:
        raise _error("InvalidPasswordException", "Password did not conform with policy: " + "; ".join(problems))


def _new_code(pool: Any, user: Any, purpose: str) -> str:
    code = f"{secrets.randbelow(10**6):06d}"
    now = cognito_now()
    email = user.attribute_lookup.get("email") or user.username
    record = {
        "user": email,
        "sub": user.id,
        "userPoolId": pool.id,
        "purpose": purpose,
        "code": code,
        "issuedAt": int(now),
        "expiresAt": int(now + CODE_VALIDITY_SECONDS),
        "used": False,
    }
    codes = user.__dict__.setdefault("_zik_codes", {})
    codes[purpose] = record
    with _COGNITO_LOCK:
        cognito_codes.append(record)
    for listener in list(code_listeners):  # noqa: PERF101 - a copy: install() may replace them meanwhile
        listener(record)
    return code


def _use_code(user: Any, purpose: str, code: str | None) -> None:
    record = (user.__dict__.get("_zik_codes") or {}).get(purpose)
    if record is None or record["used"] or not code or not hmac.compare_digest(str(code), record["code"]):
        raise _error("CodeMismatchException", "Invalid verification code provided, please try again.")
    if cognito_now() > record["expiresAt"]:
        raise _error("ExpiredCodeException", "Invalid code provided, please request a code again.")
    record["used"] = True


def _sign_up(self: Any, client_id: str, username: str, password: str, attributes: list[dict[str, str]]) -> Any:
    pool, _ = _pool_and_client(self, client_id)
    user, details = _COGNITO_ORIGINAL["sign_up"](self, client_id, username, password, attributes)
    _new_code(pool, user, "sign_up")
    return user, details


def _confirm_sign_up_response(self: Any) -> Any:
    from moto.cognitoidp.models import UserStatus
    from moto.core.responses import EmptyResult

    client_id = self._get_param("ClientId")
    _backend, pool, client = _any_pool_with_client(client_id)
    user = pool._get_user(self._get_param("Username") or "")
    if user is None:
        if _prevents_existence_errors(client):
            raise _error("CodeMismatchException", "Invalid verification code provided, please try again.")
        raise _error("UserNotFoundException", "Username/client id combination not found.")
    if user.status == UserStatus.CONFIRMED:
        raise _error("NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")
    _use_code(user, "sign_up", self._get_param("ConfirmationCode"))
    user.status = UserStatus.CONFIRMED
    if "email" in user.attribute_lookup and "email" in pool.extended_config.get("AutoVerifiedAttributes", []):
        user.update_attributes([{"Name": "email_verified", "Value": "true"}])
    run_post_confirmation(pool, user, "PostConfirmation_ConfirmSignUp", client_id, self._get_param("ClientMetadata"))
    return EmptyResult()


def _admin_confirm_sign_up_response(self: Any) -> Any:
    """moto's AdminConfirmSignUp (it confirms whatever the status), with Cognito's refusal of a user confirmed
    already, then the pool's PostConfirmation trigger (source PostConfirmation_ConfirmSignUp, as Cognito's)."""
    from moto.cognitoidp.models import UserStatus
    from moto.core.responses import EmptyResult

    pool_id = self._get_param("UserPoolId") or ""
    user = self.backend.admin_get_user(pool_id, self._get_param("Username") or "")
    if user.status == UserStatus.CONFIRMED:
        raise _error("NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")
    self.backend.admin_confirm_sign_up(pool_id, user.username)
    pool = self.backend.describe_user_pool(pool_id)
    run_post_confirmation(pool, user, "PostConfirmation_ConfirmSignUp", None, self._get_param("ClientMetadata"))
    return EmptyResult()


def _confirm_forgot_password_response(self: Any) -> Any:
    """moto's ConfirmForgotPassword (with the hooks' code and policy checks: _confirm_forgot_password), then the
    pool's PostConfirmation trigger (source PostConfirmation_ConfirmForgotPassword)."""
    answer = _COGNITO_ORIGINAL["response.confirm_forgot_password"](self)
    client_id = self._get_param("ClientId") or ""
    _backend, pool, _client = _any_pool_with_client(client_id)
    user = pool._get_user(self._get_param("Username") or "")
    if user is not None:
        run_post_confirmation(pool, user, "PostConfirmation_ConfirmForgotPassword", client_id, self._get_param("ClientMetadata"))
    return answer


# The user pool's triggers: moto keeps a pool's LambdaConfig but never invokes it; the local cloud does, through
# the dispatcher install() was given (the Lambda Invoke hook's), and answers the app as Cognito does when the
# trigger fails. Only PostConfirmation for now (the template's one trigger).
trigger_dispatchers: list[Any] = []
# The SDK Cognito names in callerContext when it cannot tell (and for the Admin* calls, no client).
TRIGGER_SDK_VERSION = "aws-sdk-unknown-unknown"
NO_CLIENT = "CLIENT_ID_NOT_APPLICABLE"


def post_confirmation_event(
    pool: Any, user: Any, trigger_source: str, client_id: str | None, client_metadata: dict[str, str] | None = None
) -> dict[str, Any]:
    """The event Cognito sends a PostConfirmation trigger (events/post_confirmation.json): the user's attributes
    as strings, with cognito:user_status, and cognito:email_alias when the pool signs in by a verified e-mail."""
    attributes = {a["Name"]: str(a["Value"]) for a in user.attributes}
    status = getattr(user.status, "value", user.status)
    attributes["cognito:user_status"] = str(status)
    signs_in_by = set(pool.extended_config.get("UsernameAttributes") or []) | set(pool.extended_config.get("AliasAttributes") or [])
    if "email" in signs_in_by and attributes.get("email") and attributes.get("email_verified", "").lower() == "true":
        attributes["cognito:email_alias"] = attributes["email"]
    request: dict[str, Any] = {"userAttributes": attributes}
    if client_metadata:
        request["clientMetadata"] = dict(client_metadata)
    return {
        "version": "1",
        "region": pool.region,
        "userPoolId": pool.id,
        "userName": user.username,
        "callerContext": {"awsSdkVersion": TRIGGER_SDK_VERSION, "clientId": client_id or NO_CLIENT},
        "triggerSource": trigger_source,
        "request": request,
        "response": {},
    }


def run_post_confirmation(pool: Any, user: Any, trigger_source: str, client_id: str | None, client_metadata: dict[str, str] | None = None) -> None:
    """Invoke the pool's PostConfirmation trigger, if it has one, and wait for it, as Cognito does once the user
    is confirmed (and stays confirmed whatever the trigger does). A trigger that fails makes the call fail as
    Cognito's does: UserLambdaValidationException when the function raised ("PostConfirmation failed with
    error ..."), UnexpectedLambdaException when it could not be run or timed out, InvalidLambdaResponseException
    when it answered something other than a JSON object."""
    arn = (pool.extended_config.get("LambdaConfig") or {}).get("PostConfirmation")
    if not arn:
        return
    if not trigger_dispatchers:
        raise _error("UnexpectedLambdaException", f"{arn} cannot be invoked: no local cloud runs this pool's triggers")
    dispatcher = trigger_dispatchers[0]
    event = post_confirmation_event(pool, user, trigger_source, client_id, client_metadata)
    log = getattr(dispatcher, "log", None)
    try:
        invocation = dispatcher.invoke_function(arn, event)
    except Exception as exc:  # noqa: BLE001 (the app is told, as Cognito tells it, whatever stopped the invocation)
        if log is not None:
            log("cognito", f"PostConfirmation trigger {arn} could not be invoked: {exc!r}")
        raise _error("UnexpectedLambdaException", f"{arn} failed with error {exc}.") from None
    if invocation.failed:
        error = invocation.error or {}
        message = error.get("errorMessage") or error.get("errorType") or "unknown error"
        if log is not None:
            log("cognito", f"PostConfirmation trigger failed for {user.username}: {error.get('errorType')}: {message}")
        if error.get("errorType") == "Sandbox.Timedout":
            raise _error("UnexpectedLambdaException", f"{arn} failed with error Socket timeout while invoking Lambda function.")
        raise _error("UserLambdaValidationException", f"PostConfirmation failed with error {message}.")
    if not isinstance(invocation.payload, dict):
        raise _error("InvalidLambdaResponseException", "Invalid lambda function output : Invalid JSON")


def _resend_confirmation_code_response(self: Any) -> Any:
    from moto.cognitoidp.models import UserStatus
    from moto.core.responses import ActionResult

    client_id = self._get_param("ClientId")
    backend, pool, client = _any_pool_with_client(client_id)
    username = self._get_param("Username") or ""
    user = pool._get_user(username)
    recovery = pool.extended_config.get("AccountRecoverySetting")
    if user is None:
        if not _prevents_existence_errors(client):
            raise _error("UserNotFoundException", "Username/client id combination not found.")
        return ActionResult({"CodeDeliveryDetails": backend._get_code_delivery_details(recovery, None, username)})
    if user.status == UserStatus.CONFIRMED:
        raise _error("InvalidParameterException", "User is already confirmed.")
    _new_code(pool, user, "sign_up")
    return ActionResult({"CodeDeliveryDetails": backend._get_code_delivery_details(recovery, user, username)})


def _forgot_password(self: Any, client_id: str, username: str) -> tuple[str, dict[str, Any]]:
    _, response = _COGNITO_ORIGINAL["forgot_password"](self, client_id, username)
    pool, _client = _pool_and_client(self, client_id)
    user = pool._get_user(username)
    if user is not None:
        user.confirmation_code = None  # moto's own code (and its x-moto header) is not used
        _new_code(pool, user, "forgot_password")
    return "", response


def _confirm_forgot_password(self: Any, client_id: str, username: str, password: str, confirmation_code: str) -> None:
    pool, client = _pool_and_client(self, client_id)
    user = pool._get_user(username or "")
    if user is None:
        if _prevents_existence_errors(client):
            raise _error("CodeMismatchException", "Invalid verification code provided, please try again.")
        raise _error("UserNotFoundException", "Username/client id combination not found.")
    record = (user.__dict__.get("_zik_codes") or {}).get("forgot_password")
    if record is None or record["used"] or not hmac.compare_digest(str(confirmation_code or ""), record["code"]):
        raise _error("CodeMismatchException", "Invalid verification code provided, please try again.")
    _validate_password(self, pool.id, password)
    _use_code(user, "forgot_password", confirmation_code)
    user.password = password


def _allowed(client: Any, auth_flow: str) -> bool:
    flows = client.extended_config.get("ExplicitAuthFlows")
    if not flows:
        return True  # a client that names none: moto's (and Cognito's legacy) defaults
    setting = _FLOW_SETTING.get(auth_flow)
    return setting is None or setting in flows or auth_flow in flows


def _refresh_validity_seconds(client: Any) -> float:
    config = client.extended_config
    units = (config.get("TokenValidityUnits") or {}).get("RefreshToken", "days")
    scale = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}.get(units, 86400)
    return float(config.get("RefreshTokenValidity", 30)) * scale


def _initiate_auth(self: Any, client_id: str, auth_flow: str, auth_parameters: dict[str, str]) -> dict[str, Any]:
    from moto.cognitoidp.utils import check_secret_hash

    pool, client = _pool_and_client(self, client_id)
    auth_parameters = auth_parameters or {}
    if auth_flow in _FLOW_SETTING and not _allowed(client, auth_flow):
        raise _error("InvalidParameterException", f"{auth_flow} flow not enabled for this client")
    if auth_flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
        token = auth_parameters.get("REFRESH_TOKEN") or ""
        issued = pool.__dict__.setdefault("_zik_refresh_issued", {}).get(token)
        held = pool.refresh_tokens.get(token)
        if held is None:
            raise _error("NotAuthorizedException", "Refresh Token has been revoked" if token in pool.refresh_tokens else "Invalid Refresh Token")
        if held[0] != client_id:
            raise _error("NotAuthorizedException", "Invalid Refresh Token")
        if issued is not None and cognito_now() > issued + _refresh_validity_seconds(client):
            raise _error("NotAuthorizedException", "Refresh Token has expired")
        user = pool._get_user(held[1])
        if user is None or not user.enabled:
            raise _error("NotAuthorizedException", "Refresh Token has been revoked" if user is None else "User is disabled.")
    if auth_flow == "USER_PASSWORD_AUTH" and _prevents_existence_errors(client):
        user = pool._get_user(auth_parameters.get("USERNAME") or "")
        if user is None or user.password != auth_parameters.get("PASSWORD"):
            raise _error("NotAuthorizedException", _WRONG_PASSWORD)
    if auth_flow != "USER_SRP_AUTH":
        return _COGNITO_ORIGINAL["initiate_auth"](self, client_id, auth_flow, auth_parameters)
    username = auth_parameters.get("USERNAME") or ""
    srp_a = auth_parameters.get("SRP_A") or ""
    try:
        a = int(srp_a, 16)
    except ValueError:
        raise _error("InvalidParameterException", "SRP_A must be a hexadecimal number") from None
    if a % SRP_N == 0:
        raise _error("NotAuthorizedException", _WRONG_PASSWORD)
    if client.generate_secret and not check_secret_hash(client.secret, client.id, username, auth_parameters.get("SECRET_HASH")):
        raise _error("NotAuthorizedException", f"Client {client_id} is configured with secret but SECRET_HASH was not received")
    user = pool._get_user(username)
    if user is None and not _prevents_existence_errors(client):
        raise _error("UserNotFoundException", "User does not exist.")
    user_id = user.username if user is not None else username
    salt = secrets.token_hex(16)
    # An unknown user gets a challenge as well made as a real one (a verifier of a random password), so that
    # nothing here tells whether the user exists; the answer to it is refused as a wrong password is.
    v = srp_verifier(pool.id, user_id, user.password if user is not None else secrets.token_hex(16), salt)
    while True:
        b = secrets.randbelow(SRP_N - 2) + 1
        big_b = (SRP_K * v + pow(SRP_G, b, SRP_N)) % SRP_N
        if big_b:
            break
    secret_block = base64.b64encode(secrets.token_bytes(64)).decode()
    with _COGNITO_LOCK:
        now = cognito_now()
        for key in [k for k, c in _SRP_CHALLENGES.items() if c["expires"] < now]:
            del _SRP_CHALLENGES[key]
        _SRP_CHALLENGES[secret_block] = {
            "pool": pool,
            "client_id": client_id,
            "user": user,
            "user_id": user_id,
            "a": a,
            "b": b,
            "v": v,
            "big_b": big_b,
            "expires": now + AUTH_SESSION_SECONDS,
        }
    return {
        "ChallengeName": "PASSWORD_VERIFIER",
        "ChallengeParameters": {
            "SALT": salt,
            "SRP_B": f"{big_b:x}",
            "USERNAME": user_id,
            "USER_ID_FOR_SRP": user_id,
            "SECRET_BLOCK": secret_block,
        },
    }


def _respond_to_auth_challenge(self: Any, session: str, client_id: str, challenge_name: str, challenge_responses: dict[str, str]) -> dict[str, Any]:
    from moto.cognitoidp.models import UserStatus

    responses = challenge_responses or {}
    if challenge_name == "PASSWORD_VERIFIER":
        secret_block = responses.get("PASSWORD_CLAIM_SECRET_BLOCK") or ""
        with _COGNITO_LOCK:
            challenge = _SRP_CHALLENGES.pop(secret_block, None)  # one answer per challenge
        if challenge is None or challenge["expires"] < cognito_now() or challenge["client_id"] != client_id:
            raise _error("NotAuthorizedException", "Invalid session for the user, session is expired.")
        user = challenge["user"]
        claimed = responses.get("PASSWORD_CLAIM_SIGNATURE") or ""
        timestamp = responses.get("TIMESTAMP") or ""
        named = responses.get("USERNAME")
        if named and user is not None and challenge["pool"]._get_user(named) is not user:
            raise _error("NotAuthorizedException", _WRONG_PASSWORD)
        try:
            expected = srp_password_claim(
                challenge["pool"].id,
                challenge["user_id"],
                secret_block,
                timestamp,
                a=challenge["a"],
                b=challenge["b"],
                v=challenge["v"],
                big_b=challenge["big_b"],
            )
        except (ValueError, binascii.Error):
            raise _error("NotAuthorizedException", _WRONG_PASSWORD) from None
        pool = challenge["pool"]
        # The user as it is now (deleted or its password reset meanwhile: the claim no longer holds).
        if user is None or pool._get_user(user.username) is not user or not hmac.compare_digest(claimed, expected):
            raise _error("NotAuthorizedException", _WRONG_PASSWORD)
        if not user.enabled:
            raise _error("NotAuthorizedException", "User is disabled.")
        if user.status == UserStatus.UNCONFIRMED:
            raise _error("UserNotConfirmedException", "User is not confirmed.")
        # moto's own answer from here on (NEW_PASSWORD_REQUIRED, MFA_SETUP, SOFTWARE_TOKEN_MFA, or tokens).
        self.sessions[secret_block] = (user.username, pool)
        answer = _COGNITO_ORIGINAL["respond_to_auth_challenge"](
            self, secret_block, client_id, challenge_name, {**responses, "USERNAME": user.username}
        )
        if answer.get("ChallengeName") and answer.get("Session") == secret_block:
            # A session of its own for the next step, as Cognito's (the secret block was the client's to see).
            del self.sessions[secret_block]
            fresh = base64.b64encode(secrets.token_bytes(96)).decode()
            self.sessions[fresh] = (user.username, pool)
            answer["Session"] = fresh
        else:
            self.sessions.pop(secret_block, None)
        return answer
    if challenge_name == "SOFTWARE_TOKEN_MFA":
        held = self.sessions.get(session or "")
        if held is None:
            raise _error("NotAuthorizedException", "Invalid session for the user, session is expired.")
        username, pool = held
        user = pool._get_user(username)
        if user is None:
            raise _error("NotAuthorizedException", _WRONG_PASSWORD)
        if not _totp_matches(user.__dict__.get("_zik_totp_secret"), responses.get("SOFTWARE_TOKEN_MFA_CODE")):
            raise _error("CodeMismatchException", "Invalid code received for user")
        return _COGNITO_ORIGINAL["respond_to_auth_challenge"](self, session, client_id, challenge_name, {**responses, "USERNAME": username})
    return _COGNITO_ORIGINAL["respond_to_auth_challenge"](self, session, client_id, challenge_name, challenge_responses)


def _totp_matches(secret: str | None, code: str | None) -> bool:
    if not secret or not code or not str(code).isdigit() or len(str(code)) != 6:
        return False
    from cryptography.hazmat.primitives.twofactor import InvalidToken
    from moto.cognitoidp.utils import cognito_totp

    totp = cognito_totp(secret)
    now = int(cognito_now())
    for step in range(-TOTP_WINDOW, TOTP_WINDOW + 1):
        try:
            totp.verify(str(code).encode(), now + step * 30)
            return True
        except InvalidToken:
            continue
    return False


def _user_of_token_or_session(backend: Any, access_token: str | None, session: str | None) -> Any:
    if session:
        held = backend.sessions.get(session)
        if held is None:
            raise _error("NotAuthorizedException", "Invalid session for the user, session is expired.")
        username, pool = held
        user = pool._get_user(username)
    else:
        _, pool, user = _pool_of_access_token(access_token or "")
    if user is None:
        raise _error("NotAuthorizedException", "User does not exist.")
    return user


def _associate_software_token(self: Any, access_token: str, session: str) -> dict[str, str]:
    user = _user_of_token_or_session(self, access_token, session)
    secret = base64.b32encode(secrets.token_bytes(20)).decode()  # 32 characters of base32, per user
    user.__dict__["_zik_totp_pending"] = secret
    return {"SecretCode": secret, **({"Session": session} if session else {})}


def _verify_software_token(self: Any, access_token: str, session: str, user_code: str, friendly_device_name: str) -> dict[str, str]:
    user = _user_of_token_or_session(self, access_token, session)
    pending = user.__dict__.get("_zik_totp_pending")
    if not pending:
        raise _error("InvalidParameterException", "Call AssociateSoftwareToken first: the user has no software token to verify")
    if not _totp_matches(pending, user_code):
        raise _error("EnableSoftwareTokenMFAException", "Code mismatch")
    user.__dict__["_zik_totp_secret"] = pending
    del user.__dict__["_zik_totp_pending"]
    answer = _COGNITO_ORIGINAL["verify_software_token"](self, access_token, session, user_code, friendly_device_name)
    if not session:
        answer.pop("Session", None)  # (Cognito answers a session only to a session)
    return answer


def _create_refresh_token(self: Any, client_id: str, username: str) -> tuple[str, str]:
    token, origin_jti = _COGNITO_ORIGINAL["create_refresh_token"](self, client_id, username)
    self.__dict__.setdefault("_zik_refresh_issued", {})[token] = cognito_now()
    return token, origin_jti


def _sign_out(self: Any, username: str) -> None:
    """moto's, for every name the user's tokens were issued under (signed in by e-mail, signed out by sub, or
    the other way round): moto compares the names as written."""
    user = self._get_user(username)
    names = {username}
    if user is not None:
        held = [entry[1] for entry in self.refresh_tokens.values() if entry] + [name for _, name in self.access_tokens.values()]
        names |= {name for name in held if self._get_user(name) is user}
    for name in names:
        _COGNITO_ORIGINAL["sign_out"](self, name)


def _user_claims(self: Any, client_id: str, username: str) -> dict[str, Any]:
    """An ID token's attributes: the client's ReadAttributes, or every attribute when it names none (Cognito's
    default), with the verified flags as booleans, as Cognito writes them."""
    client = self.clients.get(client_id)
    user = self._get_user(username)
    readable = client.extended_config.get("ReadAttributes") if client is not None else None
    claims: dict[str, Any] = {}
    for attribute in user.attributes:
        name, value = attribute["Name"], attribute["Value"]
        verified = name.endswith("_verified")
        if name == "sub" or (readable is not None and (name.removesuffix("_verified") if verified else name) not in readable):
            continue
        claims[name] = str(value).lower() == "true" if verified else value
    return claims


def _revoke_token_response(self: Any) -> Any:
    from moto.core.responses import EmptyResult

    token = self._get_param("Token") or ""
    client_id = self._get_param("ClientId") or ""
    _backend, pool, client = _any_pool_with_client(client_id)
    if not client.extended_config.get("EnableTokenRevocation", True):
        raise _error("UnsupportedOperationException", "Token revocation is not enabled for this app client")
    if client.generate_secret and self._get_param("ClientSecret") != client.secret:
        raise _error("UnauthorizedException", "Invalid client secret")
    if token.count(".") == 2:
        raise _error("UnsupportedTokenTypeException", "Only refresh tokens can be revoked")
    held = pool.refresh_tokens.get(token)
    if held is None:
        return EmptyResult()  # unknown or revoked already: nothing to do (RFC 7009)
    if held[0] != client_id:
        raise _error("UnauthorizedException", "The refresh token was not issued to this client")
    origin = held[2]
    pool.refresh_tokens[token] = None
    # The access tokens it issued die with it (GetUser and the rest refuse them); ID tokens are JWTs the
    # API's authorizer checks offline, as API Gateway's Cognito authorizer does, until they expire.
    for access_token in list(pool.access_tokens):
        if _unverified_claims(access_token).get("origin_jti") == origin:
            pool.access_tokens.pop(access_token, None)
    return EmptyResult()


def _unverified_claims(token: str) -> dict[str, Any]:
    try:
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}


def _delete_user_response(self: Any) -> Any:
    from moto.core.responses import EmptyResult

    backend, pool, user = _pool_of_access_token(self._get_param("AccessToken") or "")
    pool.sign_out(user.username)
    backend.admin_delete_user(pool.id, user.username)
    return EmptyResult()


def _admin_update_user_attributes(self: Any, user_pool_id: str, username: str, attributes: list[dict[str, str]]) -> None:
    """moto's, then what Cognito does when the address changes and is not set verified with it: the address
    is unverified until the user confirms the code the pool sends (VerifyUserAttribute)."""
    _COGNITO_ORIGINAL["admin_update_user_attributes"](self, user_pool_id, username, attributes)
    given = {a["Name"]: a.get("Value") for a in attributes}
    pool = self.describe_user_pool(user_pool_id)
    if "email" in given and given.get("email_verified") != "true" and "email" in pool.extended_config.get("AutoVerifiedAttributes", []):
        user = self.admin_get_user(user_pool_id, username)
        user.update_attributes([{"Name": "email_verified", "Value": "false"}])
        _new_code(pool, user, "verify_email")


def _get_user_attribute_verification_code_response(self: Any) -> Any:
    """GetUserAttributeVerificationCode (moto has none): a new code for the signed-in user's address."""
    if self._get_param("AttributeName") != "email":
        raise _error("InvalidParameterException", "only email is verified by code in this pool")
    from moto.core.responses import ActionResult

    _backend, pool, user = _pool_of_access_token(self._get_param("AccessToken") or "")
    _new_code(pool, user, "verify_email")
    email = user.attribute_lookup.get("email", "")
    return ActionResult(
        {"CodeDeliveryDetails": {"Destination": email[:1] + "***@" + email.partition("@")[2], "DeliveryMedium": "EMAIL", "AttributeName": "email"}}
    )


def _verify_user_attribute_response(self: Any) -> Any:
    """VerifyUserAttribute (moto has none): the code the pool sent, once, within its validity."""
    from moto.core.responses import EmptyResult

    if self._get_param("AttributeName") != "email":
        raise _error("InvalidParameterException", "only email is verified by code in this pool")
    _backend, _pool, user = _pool_of_access_token(self._get_param("AccessToken") or "")
    _use_code(user, "verify_email", self._get_param("Code"))
    user.update_attributes([{"Name": "email_verified", "Value": "true"}])
    return EmptyResult()


_COGNITO_ORIGINAL: dict[str, Any] = {}
_COGNITO_RESPONSES = {
    "confirm_sign_up": _confirm_sign_up_response,
    "resend_confirmation_code": _resend_confirmation_code_response,
    "revoke_token": _revoke_token_response,
    "delete_user": _delete_user_response,
    "admin_confirm_sign_up": _admin_confirm_sign_up_response,
    "confirm_forgot_password": _confirm_forgot_password_response,
    "get_user_attribute_verification_code": _get_user_attribute_verification_code_response,
    "verify_user_attribute": _verify_user_attribute_response,
}
_COGNITO_BACKEND = {
    "sign_up": _sign_up,
    "forgot_password": _forgot_password,
    "confirm_forgot_password": _confirm_forgot_password,
    "initiate_auth": _initiate_auth,
    "respond_to_auth_challenge": _respond_to_auth_challenge,
    "associate_software_token": _associate_software_token,
    "verify_software_token": _verify_software_token,
    "_validate_password": _validate_password,
    "admin_update_user_attributes": _admin_update_user_attributes,
}
_COGNITO_POOL = {
    "create_refresh_token": _create_refresh_token,
    "sign_out": _sign_out,
    "get_user_extra_data_by_client_id": _user_claims,
}


def install_cognito() -> None:
    """Close moto's Cognito gaps (above). Idempotent; uninstall_cognito() puts moto's back."""
    from moto.cognitoidp import models as cognito_models
    from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUserPool
    from moto.cognitoidp.responses import CognitoIdpResponse

    if _COGNITO_ORIGINAL:
        return
    for table, owner in ((_COGNITO_BACKEND, CognitoIdpBackend), (_COGNITO_POOL, CognitoIdpUserPool)):
        for name, replacement in table.items():
            _COGNITO_ORIGINAL[name] = owner.__dict__[name]
            setattr(owner, name, replacement)
    for name, replacement in _COGNITO_RESPONSES.items():
        _COGNITO_ORIGINAL[f"response.{name}"] = CognitoIdpResponse.__dict__.get(name)
        setattr(CognitoIdpResponse, name, replacement)
    # TOTP codes are checked above against the user's own secret; moto's check (one secret for all) stays off.
    _COGNITO_ORIGINAL["enable_totp"] = cognito_models.get_cognito_idp_user_pool_enable_totp
    cognito_models.get_cognito_idp_user_pool_enable_totp = lambda: False


def uninstall_cognito() -> None:
    from moto.cognitoidp import models as cognito_models
    from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUserPool
    from moto.cognitoidp.responses import CognitoIdpResponse

    if not _COGNITO_ORIGINAL:
        return
    for table, owner in ((_COGNITO_BACKEND, CognitoIdpBackend), (_COGNITO_POOL, CognitoIdpUserPool)):
        for name in table:
            setattr(owner, name, _COGNITO_ORIGINAL[name])
    for name in _COGNITO_RESPONSES:
        original = _COGNITO_ORIGINAL[f"response.{name}"]
        if original is None:
            delattr(CognitoIdpResponse, name)
        else:
            setattr(CognitoIdpResponse, name, original)
    cognito_models.get_cognito_idp_user_pool_enable_totp = _COGNITO_ORIGINAL["enable_totp"]
    _COGNITO_ORIGINAL.clear()
    with _COGNITO_LOCK:
        _SRP_CHALLENGES.clear()
        cognito_codes.clear()
