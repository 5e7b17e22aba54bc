"""Where the local cloud reaches into moto (pinned in requirements/dev.txt; tests/integration/test_moto_hooks.py
checks each hook still fits the pinned version).

moto runs the AWS APIs; what it cannot do is run code. Three places hand over to the local cloud:
  - ``moto.awslambda.models.LambdaFunction.invoke``: the Lambda Invoke API (also used by Step Functions'
    Lambda tasks) would start a Docker container; the local cloud runs the function instead.
  - ``moto.s3.notifications._invoke_awslambda``: S3 notifications to Lambda, invoked asynchronously.
  - ``moto.events.models.Rule.send_to_targets``: EventBridge delivers to SQS, logs and buses only; Lambda
    and Step Functions targets are dispatched by the local cloud.

And one where moto's answer differs from AWS's in a way that matters to a FIFO queue's consumer: moto gives
each FIFO message a random 20-digit SequenceNumber, where SQS's "continues to increase for a particular
MessageGroupId"; ``moto.sqs.models.Queue.add_message`` gives them increasing ones instead.

And four where moto repeats work the local cloud pays for: the module listing it asks at every request,
the service models it reads with a new loader each time (each one scanning botocore's data directory
again, ~40 ms a service), the method names of a response class it lists with ``inspect.getmembers`` at
every request (3% of its time under GET /me), and DynamoDB's answers that carry items, which moto holds
in their wire form already and still walks through its shape-driven serializer (~1 ms an item: 130 ms to
read a library of 132 prompts).
"""

from __future__ import annotations

import base64
import copy
import functools
import itertools
import json
import threading
from typing import Any, Protocol

from moto import backends as moto_backends
from moto.awslambda.models import LambdaFunction
from moto.core import responses as moto_responses
from moto.core import utils as moto_utils
from moto.core.base_backend import AccountSpecificBackend
from moto.core.config import default_user_config
from moto.core.loaders import create_loader as create_moto_loader
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import StreamShard
from moto.dynamodbstreams.models import DynamoDBStreamsBackend, ShardIterator
from moto.dynamodb.responses import DynamoResult
from moto.events.models import Rule
from moto.s3 import notifications as s3_notifications
from moto.sqs.models import Queue as SqsQueue

from zik_local.runtime import Invocation


class Dispatcher(Protocol):
    def invoke_function(self, function_arn: str, event: Any) -> Invocation: ...

    def invoke_function_async(self, function_arn: str, event: Any, *, source: str) -> None: ...

    def deliver_to_target(self, target: dict[str, Any], event: dict[str, Any], rule_arn: str) -> None: ...


_ORIGINAL = {
    "invoke": LambdaFunction.invoke,
    "s3": s3_notifications._invoke_awslambda,
    "send_to_targets": Rule.send_to_targets,
    "modules": moto_backends.list_of_moto_modules,
    "service_model": moto_utils._load_service_model,
    # (the descriptor itself: a classmethod around an lru_cache)
    "backend_session": AccountSpecificBackend.__dict__["get_session"],
    "dynamodb_result": DynamoResult.execute_result,
    "method_names": moto_responses.method_names_from_class,
    "sqs_add_message": SqsQueue.add_message,
}
_RUN_HERE = (":lambda:", ":states:")
# moto's setting as it was before install(), restored by uninstall() (mock_aws copies whatever it finds).
_STEPFUNCTIONS_CONFIG: list[dict[str, Any]] = []


def install(dispatcher: Dispatcher, *, loader: Any = None) -> None:
    """Hand code execution over to ``dispatcher``. ``loader``: a botocore data loader moto's backends share
    (the local cloud's own, which has the endpoints and service models of its clients loaded already)."""
    make_dynamodb_writes_atomic()
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

    def send_to_targets(self: Rule, original_event: dict[str, Any], transform_input: bool = True) -> None:
        if not self.event_pattern.matches_event(original_event):
            return
        ours = [t for t in self.targets if any(marker in t["Arn"] for marker in _RUN_HERE)]
        for target in ours:
            dispatcher.deliver_to_target(target, copy.deepcopy(original_event), self.arn)
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

    LambdaFunction.invoke = invoke  # type: ignore[method-assign]
    SqsQueue.add_message = _add_with_increasing_sequence_number  # type: ignore[method-assign]
    DynamoResult.execute_result = _dynamodb_items_as_json  # type: ignore[method-assign]
    # A class's functions are fixed once it is defined (moto's response classes are never patched).
    moto_responses.method_names_from_class = functools.lru_cache(maxsize=None)(_ORIGINAL["method_names"])
    s3_notifications._invoke_awslambda = s3_notification
    Rule.send_to_targets = send_to_targets  # type: ignore[method-assign]
    moto_backends.list_of_moto_modules = list_of_moto_modules
    moto_utils._load_service_model = load_service_model
    if loader is not None:
        # The botocore session moto's backends ask for regions: with the shared loader, not a new one.
        import botocore.session

        session = botocore.session.Session()
        session.register_component("data_loader", loader)
        AccountSpecificBackend.get_session = classmethod(lambda cls: session)  # type: ignore[method-assign,assignment]


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


# DynamoDB's operations whose answers are items (and their counts, keys and consumed capacity) and nothing
# else: no timestamps, no nested shapes the serializer would rename or drop.
DYNAMODB_ITEM_ANSWERS = frozenset(
    {"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems", "PutItem", "UpdateItem", "DeleteItem"}
)
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
    _serialised(DynamoDBBackend, DYNAMODB_WRITES)
    _serialised(DynamoDBStreamsBackend, STREAM_READS)
    if not getattr(ShardIterator.get, "_zik_current", False):
        ShardIterator.get = _current_shard(ShardIterator.get)  # type: ignore[method-assign]
    if not getattr(StreamShard.add, "_zik_heard", False):
        StreamShard.add = _heard(StreamShard.add)  # type: ignore[method-assign]


def _current_shard(get: Any) -> Any:
    @functools.wraps(get)
    def current(self: ShardIterator, limit: int = 1000) -> dict[str, Any]:
        with _DYNAMODB_WRITE_LOCK:
            table = self.streams_backend.dynamodb.get_table(self.stream_shard.table.name)
            if table.stream_shard is not None:
                self.stream_shard = table.stream_shard
            return get(self, limit)

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
    LambdaFunction.invoke = _ORIGINAL["invoke"]  # type: ignore[method-assign]
    SqsQueue.add_message = _ORIGINAL["sqs_add_message"]  # type: ignore[method-assign]
    DynamoResult.execute_result = _ORIGINAL["dynamodb_result"]  # type: ignore[method-assign]
    moto_responses.method_names_from_class = _ORIGINAL["method_names"]
    s3_notifications._invoke_awslambda = _ORIGINAL["s3"]
    Rule.send_to_targets = _ORIGINAL["send_to_targets"]  # type: ignore[method-assign]
    moto_backends.list_of_moto_modules = _ORIGINAL["modules"]
    moto_utils._load_service_model = _ORIGINAL["service_model"]
    AccountSpecificBackend.get_session = _ORIGINAL["backend_session"]  # type: ignore[method-assign]
    if _STEPFUNCTIONS_CONFIG:
        default_user_config["stepfunctions"] = _STEPFUNCTIONS_CONFIG.pop()
