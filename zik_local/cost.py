"""``make cost`` (``python -m zik_local.cost``): what the platform costs, from measured work.

A stated month of use per active user (zik_local/cost_workload.toml) runs for a handful of users through
an embedded cloud of its own (the LocalCloud ``zik dev`` serves, started in this process, as ``make bench``
does), one feature after another; what each feature's requests really did is counted, then priced with
zik_local/prices/aws.json (us-east-1 list prices, each with its page and date) and scaled to 1,000 monthly
active users, by service and by feature. Counted, and where:

  Lambda          every invocation's REPORT line (runtime.py): its duration and INIT duration, billed to the
                  millisecond (Lambda bills INIT of on-demand ZIP functions since August 2025) at the
                  function's MemorySize from the template, arm64
  API Gateway     each request the workload sends to the gateway (the control routes under /_zik are not
                  the API's; polls the workload makes only to wait for asynchronous work are not counted:
                  an app is told by a push or reads once)
  DynamoDB        read and write request units of every call the functions make to the embedded DynamoDB,
                  from the sizes of the items read and written, by DynamoDB's rules (a read unit per 4 KB, half
                  for an eventually consistent read, totalled over a Query's or Scan's items; a write unit per
                  1 KB of the larger of the item before and after; one more write per global secondary index
                  the item is in; twice for transactions). moto answers ReturnConsumedCapacity with constants
                  (1.0 or 0.5 whatever the size: moto/dynamodb/responses.py include_consumed_capacity), so its
                  figures are not used. Streams' reads by Lambda are free and not counted. Storage: the items
                  the users hold at the end, by the same size rule (plus the 100 bytes an item's index costs)
  EventBridge     the entries of every PutEvents
  SQS             the messages sent (SendMessage, each entry of SendMessageBatch), each priced as three
                  requests (send, the poller's receive, the delete: an upper bound, as the event source mapping
                  receives and deletes in batches); FIFO queues at their own price
  Step Functions  the state transitions of every execution started (its history's states entered)
  S3              requests by tier (PUT, POST, COPY, LIST; GET, HEAD and the rest) and the bytes stored
  CloudFront      the bytes and requests of the images the workload's client views (the studio's images,
                  served through CloudFront in production, presigned S3 links locally)
  AI              the gateway's ``ai call`` lines: calls, input and output tokens per task and provider. The
                  local provider counts four characters a token of its prompt and answer; the tool a model
                  is also sent (the task's schema, and the 340 tokens of Anthropic's tool-use system prompt)
                  is added; they are priced as Bedrock's Claude 3.5 Haiku would be, and also given at Claude 3
                  Haiku's price; image edits as Nova Canvas images
  Logs            the bytes the functions log, as CloudWatch Logs ingestion (26 bytes of overhead a line)

The local figures are not Lambda's: the functions run on a shared 2-core machine against an in-process moto,
so durations are noisy and mostly longer than in AWS (where a DynamoDB call takes a few milliseconds); the
counts (requests, units, events, messages, transitions, tokens) are exact for the workload stated. What is not
in the model: the free tiers, data transfer out of the API, Cognito (free up to 10,000 MAU on its Lite tier),
CloudWatch metrics and alarms, KMS. The schedules' work (hourly job ingestion, daily recurring tasks, the guest
sweep) is measured by firing each once after the users' month and multiplying by its runs in 30 days: a fixed
line, not scaled with the users.

The report: cost by feature and service, the counts behind it, AI per task and provider (also at Claude 3
Haiku's price, the cheaper model the template's BedrockModelId allows), Lambda by function, the Career seed's
workload (500k invocations, 1M API requests, 50k AI requests) at the measured means against a quarter of its
$220, and the three costliest features with their largest lines. About 3 minutes for 3 users on 2 cores;
``--users``, ``--days`` (a part of the month, its figures prorated: a quicker look) and ``--features``.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import functools
import http.client
import io
import json
import math
import re
import sys
import threading
import time
import tomllib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit
from zoneinfo import ZoneInfo

ROOT = Path.cwd()
TEMPLATE = ROOT / "template.yaml"
PRICES = Path(__file__).parent / "prices" / "aws.json"
WORKLOAD = Path(__file__).parent / "cost_workload.toml"
FEATURES = ("platform", "quests", "journal", "career", "studio")
SERVICES = ("Lambda", "API Gateway", "DynamoDB", "EventBridge", "SQS", "Step Functions", "S3", "CloudFront", "Bedrock", "CloudWatch Logs")
MAU = 1000
USER_ZONE = "Europe/Paris"  # where the simulated users live
SCHEDULED = "scheduled (fixed)"  # the schedules' runs: hourly, daily, whatever the number of users
METER_AGENT = "zik-cost-meter"  # the meter's own AWS calls carry it and are not counted
# The Career seed's month for 1,000 users and its estimate (issue 18): the target is a quarter of it.
SEED_INVOCATIONS = 500_000
SEED_API_REQUESTS = 1_000_000
SEED_AI_REQUESTS = 50_000
SEED_ESTIMATE_USD = 220.0
AI_SCHEMAS = Path(__file__).resolve().parents[1] / "layers" / "shared" / "zik" / "schemas" / "ai"
# The system prompt Anthropic adds to a request that forces a tool (tool_choice "tool"), Claude 3.5 Haiku:
# https://docs.anthropic.com/en/docs/build-with-claude/tool-use (pricing), as read on 2026-11-30.
TOOL_USE_SYSTEM_TOKENS = 340
LOG_LINE_OVERHEAD = 26  # bytes CloudWatch Logs counts for each event beyond its message
ITEM_INDEX_OVERHEAD = 100  # bytes DynamoDB adds to each item's stored size for its indexing
SETTLE_QUIET_S = 3.0
SETTLE_TIMEOUT_S = 180.0
WAIT_TIMEOUT_S = 120.0

# Lambda's REPORT line (the local runtime writes its first fields): Duration first, Init Duration anywhere after.
_REPORT = re.compile(r"^REPORT RequestId: \S+\s+Duration: (?P<duration>[\d.]+) ms")
_INIT = re.compile(r"\sInit Duration: (?P<init>[\d.]+) ms")
_CREDENTIAL = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/(?P<service>[^/]+)/aws4_request")


class CostError(RuntimeError):
    """The run could not measure what it set out to (a failed request, work that never finished)."""


# -- DynamoDB's size and unit rules (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html)
def attribute_value_size(value: Mapping[str, Any]) -> int:
    """The bytes DynamoDB counts for one attribute value in its wire form ({"S": ...}, {"N": ...}, ...)."""
    kind, content = next(iter(value.items()))
    if kind == "S":
        return len(str(content).encode())
    if kind == "N":
        digits = str(content).lstrip("-").replace(".", "").lstrip("0") or "0"
        return math.ceil(len(digits) / 2) + 1
    if kind == "B":
        return len(base64.b64decode(content)) if isinstance(content, str) else len(content)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(str(member).encode()) for member in content)
    if kind == "NS":
        return sum(attribute_value_size({"N": member}) for member in content)
    if kind == "BS":
        return sum(attribute_value_size({"B": member}) for member in content)
    if kind == "L":
        return 3 + sum(1 + attribute_value_size(member) for member in content)
    if kind == "M":
        return 3 + sum(1 + len(name.encode()) + attribute_value_size(member) for name, member in content.items())
    raise ValueError(f"not a DynamoDB attribute value: {kind}")


def item_size(item: Mapping[str, Mapping[str, Any]] | None) -> int:
    """An item's size: each attribute's name and value."""
    return sum(len(name.encode()) + attribute_value_size(value) for name, value in (item or {}).items())


def read_units(total_bytes: int, *, consistent: bool) -> float:
    """Read request units of one read of ``total_bytes`` (a Query's or Scan's items summed first)."""
    units = max(1, math.ceil(total_bytes / 4096))
    return float(units) if consistent else units / 2


def write_units(item_bytes: int) -> int:
    return max(1, math.ceil(item_bytes / 1024))


# -- what was used, and what it costs --------------------------------------------------------------------
@dataclass
class AIUse:
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    images: int = 0


@dataclass
class Usage:
    """What one feature's requests did (or the whole run's: ``+``)."""

    invocations: Counter[str] = field(default_factory=Counter)
    function_ms: Counter[str] = field(default_factory=Counter)  # billed milliseconds (whole) by function
    billed_ms: float = 0.0
    gb_seconds: float = 0.0
    api_requests: int = 0
    read_units: float = 0.0
    write_units: float = 0.0
    dynamodb_calls: int = 0
    events: int = 0
    sqs_standard_messages: int = 0
    sqs_fifo_messages: int = 0
    executions: int = 0
    transitions: int = 0
    s3_tier1: int = 0
    s3_tier2: int = 0
    s3_bytes_in: int = 0
    cdn_requests: int = 0
    cdn_bytes: int = 0
    log_bytes: int = 0
    ai: dict[tuple[str, str], AIUse] = field(default_factory=lambda: defaultdict(AIUse))

    def __add__(self, other: Usage) -> Usage:
        total = Usage()
        for name in self.__dataclass_fields__:
            if name in ("invocations", "function_ms"):
                setattr(total, name, getattr(self, name) + getattr(other, name))
            elif name == "ai":
                for source in (self.ai, other.ai):
                    for key, use in source.items():
                        into = total.ai[key]
                        into.calls += use.calls
                        into.input_tokens += use.input_tokens
                        into.output_tokens += use.output_tokens
                        into.images += use.images
            else:
                setattr(total, name, getattr(self, name) + getattr(other, name))
        return total

    def scaled(self, factor: float) -> Usage:
        """The usage of ``factor`` times the work (a schedule's one run, times its runs in a month)."""
        total = Usage()
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, Counter):
                setattr(total, name, Counter({key: count * factor for key, count in value.items()}))
            elif name == "ai":
                for key, use in value.items():
                    total.ai[key] = AIUse(*(round(part * factor) for part in (use.calls, use.input_tokens, use.output_tokens, use.images)))
            else:
                setattr(total, name, value * factor)
        return total

    @property
    def lambda_invocations(self) -> int:
        return sum(self.invocations.values())

    @property
    def ai_calls(self) -> int:
        return sum(use.calls for use in self.ai.values())


@dataclass(frozen=True)
class Prices:
    usd: Mapping[str, float]

    @classmethod
    def load(cls, path: Path = PRICES) -> Prices:
        prices = json.loads(path.read_text(encoding="utf-8"))["prices"]
        for name, price in prices.items():
            missing = {"usd", "per", "source", "date"} - set(price)
            if missing:
                raise ValueError(f"{path}: the price {name} lacks {sorted(missing)}")
        return cls({name: float(price["usd"]) for name, price in prices.items()})

    def __getitem__(self, name: str) -> float:
        return self.usd[name]


def cost_by_service(usage: Usage, prices: Prices, *, storage_bytes: int = 0, s3_stored_bytes: int = 0) -> dict[str, float]:
    """USD by service for ``usage``, with a month of ``storage_bytes`` in DynamoDB and ``s3_stored_bytes`` in S3."""
    gb = 1024**3
    text_in = sum(use.input_tokens for (task, provider), use in usage.ai.items())
    text_out = sum(use.output_tokens for (task, provider), use in usage.ai.items())
    images = sum(use.images for use in usage.ai.values())
    return {
        "Lambda": usage.gb_seconds * prices["lambda.arm64.gb_second"] + usage.lambda_invocations * prices["lambda.request"],
        "API Gateway": usage.api_requests * prices["apigateway.rest.request"],
        "DynamoDB": usage.read_units * prices["dynamodb.ondemand.read_unit"]
        + usage.write_units * prices["dynamodb.ondemand.write_unit"]
        + storage_bytes / gb * prices["dynamodb.storage.gb_month"],
        "EventBridge": usage.events * prices["eventbridge.event"],
        "SQS": 3 * (usage.sqs_standard_messages * prices["sqs.standard.request"] + usage.sqs_fifo_messages * prices["sqs.fifo.request"]),
        "Step Functions": usage.transitions * prices["stepfunctions.standard.transition"],
        "S3": usage.s3_tier1 * prices["s3.request.tier1"]
        + usage.s3_tier2 * prices["s3.request.tier2"]
        + s3_stored_bytes / gb * prices["s3.standard.gb_month"],
        "CloudFront": usage.cdn_bytes / gb * prices["cloudfront.gb_out"] + usage.cdn_requests * prices["cloudfront.https_request"],
        "Bedrock": text_in / 1000 * prices["bedrock.claude-3-5-haiku.input_1k"]
        + text_out / 1000 * prices["bedrock.claude-3-5-haiku.output_1k"]
        + images * prices["bedrock.nova-canvas.image"],
        "CloudWatch Logs": usage.log_bytes / gb * prices["cloudwatch.logs.gb_ingested"],
    }


def ai_cost(use: AIUse, prices: Prices, model: str = "claude-3-5-haiku") -> float:
    """USD of one task's calls on a Bedrock text model (``model`` names its prices), or its images."""
    if use.images:
        return use.images * prices["bedrock.nova-canvas.image"]
    return use.input_tokens / 1000 * prices[f"bedrock.{model}.input_1k"] + use.output_tokens / 1000 * prices[f"bedrock.{model}.output_1k"]


def scaled(costs: Mapping[str, float], factor: float) -> dict[str, float]:
    return {name: value * factor for name, value in costs.items()}


@dataclass(frozen=True)
class SeedEstimate:
    lambda_usd: float
    api_usd: float
    dynamodb_usd: float
    ai_usd: float
    ai_usd_claude_3_haiku: float = 0.0  # the same calls on the cheaper model

    @property
    def total(self) -> float:
        return self.lambda_usd + self.api_usd + self.dynamodb_usd + self.ai_usd


def seed_workload(usage: Usage, prices: Prices) -> SeedEstimate:
    """The Career seed's month (500k invocations, 1M API requests, 50k AI requests) at the measured means:
    GB-s per invocation, DynamoDB units per API request (everything the platform's requests wrote and read,
    asynchronous work included), tokens per AI call."""
    if not usage.lambda_invocations or not usage.api_requests or not usage.ai_calls:
        raise CostError("the run made no invocation, API request or AI call to take a mean of")
    per_invocation = usage.gb_seconds / usage.lambda_invocations * prices["lambda.arm64.gb_second"] + prices["lambda.request"]
    per_request_dynamodb = (
        usage.read_units * prices["dynamodb.ondemand.read_unit"] + usage.write_units * prices["dynamodb.ondemand.write_unit"]
    ) / usage.api_requests
    text_calls = sum(use.calls for use in usage.ai.values() if not use.images) or 1
    text_usd = cost_by_service(Usage(ai={key: use for key, use in usage.ai.items() if not use.images}), prices)["Bedrock"]
    return SeedEstimate(
        lambda_usd=SEED_INVOCATIONS * per_invocation,
        api_usd=SEED_API_REQUESTS * prices["apigateway.rest.request"],
        dynamodb_usd=SEED_API_REQUESTS * per_request_dynamodb,
        ai_usd=SEED_AI_REQUESTS * text_usd / text_calls,
        ai_usd_claude_3_haiku=SEED_AI_REQUESTS
        * sum(ai_cost(use, prices, "claude-3-haiku") for use in usage.ai.values() if not use.images)
        / text_calls,
    )


# -- reading what the functions log -----------------------------------------------------------------------
def parse_report(line: str) -> int | None:
    """Billed milliseconds of a REPORT line (duration and INIT, each rounded up to the millisecond), or None."""
    match = _REPORT.match(line)
    if not match:
        return None
    init = _INIT.search(line)
    return math.ceil(float(match["duration"])) + (math.ceil(float(init["init"])) if init else 0)


def parse_ai_call(line: str) -> dict[str, Any] | None:
    """The ``ai`` record of a gateway's ``ai call`` log line, or None."""
    if '"ai call"' not in line:
        return None
    start = line.find("{")
    try:
        record = json.loads(line[start:]) if start >= 0 else None
    except ValueError:
        return None
    if not isinstance(record, dict) or record.get("message") != "ai call" or not isinstance(record.get("ai"), dict):
        return None
    return record["ai"]


@functools.cache
def tool_tokens(task: str) -> int:
    """Input tokens a model is sent beyond the prompt for a task's forced tool: its JSON schema (four
    characters a token, as the local provider counts) and the tool-use system prompt."""
    schema = AI_SCHEMAS / f"{task}.json"
    size = len(json.dumps(json.loads(schema.read_text(encoding="utf-8")), separators=(",", ":"))) if schema.exists() else 0
    return math.ceil(size / 4) + TOOL_USE_SYSTEM_TOKENS


# -- the workload ------------------------------------------------------------------------------------------
def load_workload(path: Path = WORKLOAD) -> dict[str, dict[str, float]]:
    """The TOML's tables; every figure must carry a comment saying why (checked on the text)."""
    text = path.read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith(("#", "[")) and "=" in stripped and "#" not in stripped:
            raise ValueError(f"{path}:{number}: a figure without its reason (a comment on its line): {stripped}")
    workload = tomllib.loads(text)
    for section in ("run", *FEATURES):
        if section not in workload:
            raise ValueError(f"{path}: no [{section}] table")
    return workload


def fires_per_month(expression: str) -> int:
    """How many times a schedule expression fires in 30 days (from a fixed instant: no wall clock)."""
    from datetime import UTC, datetime, timedelta

    from zik_local.schedule import next_fire

    start = datetime(2026, 1, 1, tzinfo=UTC)
    end, moment, fires = start + timedelta(days=30), start, 0
    while True:
        moment = next_fire(expression, moment)
        if moment >= end:
            return fires
        fires += 1


def monthly(count: float, days: int) -> int:
    """A monthly figure for a run of ``days`` (a 30-day month), rounded to whole requests."""
    return round(count * days / 30)


# -- the meter: hooks into the embedded AWS ------------------------------------------------------------------
class Meter:
    """Counts what the embedded AWS is asked, for the feature running (``feature``)."""

    def __init__(self) -> None:
        self.usage: dict[str, Usage] = {feature: Usage() for feature in FEATURES}
        self.feature = "platform"
        self.memory: dict[str, int] = {}
        self.function_names: set[str] = set()
        self._lock = threading.Lock()
        self.last_activity = time.monotonic()
        self.unparsed_dynamodb = 0

    @property
    def current(self) -> Usage:
        return self.usage.setdefault(self.feature, Usage())

    # the functions' log lines (LocalCloud.log)
    def log_line(self, source: str, line: str) -> None:
        if source not in self.memory:
            return
        with self._lock:
            self.last_activity = time.monotonic()
            usage = self.current
            usage.log_bytes += len(line.encode()) + LOG_LINE_OVERHEAD
            billed = parse_report(line)
            if billed is not None:
                usage.invocations[source] += 1
                usage.function_ms[source] += billed
                usage.billed_ms += billed
                usage.gb_seconds += billed / 1000 * self.memory[source] / 1024
                return
            call = parse_ai_call(line)
            if call is not None:
                task, provider, images = str(call.get("task")), str(call.get("provider")), int(call.get("images") or 0)
                use = usage.ai[(task, provider)]
                use.calls += 1
                # the local provider counts its prompt and answer only; a model is also sent the tool
                use.input_tokens += int(call.get("input_tokens") or 0) + (tool_tokens(task) if provider == "local" and not images else 0)
                use.output_tokens += int(call.get("output_tokens") or 0)
                use.images += images

    # every HTTP request to the embedded AWS (moto's WSGI application)
    def aws_request(self, environ: dict[str, Any]) -> None:
        if METER_AGENT in environ.get("HTTP_USER_AGENT", ""):
            return
        authorization = environ.get("HTTP_AUTHORIZATION", "")
        query = parse_qs(environ.get("QUERY_STRING", ""))
        match = _CREDENTIAL.search(authorization) or _CREDENTIAL.search("Credential=" + (query.get("X-Amz-Credential") or [""])[0])
        service = match["service"] if match else ""
        if not service and environ.get("REQUEST_METHOD") == "POST" and "multipart/form-data" in environ.get("CONTENT_TYPE", ""):
            service = "s3"  # a browser's presigned POST: its signature is in the form
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if service not in ("s3", "events", "sqs", "states"):
            return
        body = _body(environ)
        with self._lock:
            self.last_activity = time.monotonic()
            usage = self.current
            if service == "s3":
                method = environ.get("REQUEST_METHOD", "GET")
                path = environ.get("PATH_INFO", "/").strip("/")
                listing = method == "GET" and ("/" not in path or "list-type" in query)
                if method in ("PUT", "POST", "COPY") or listing:
                    usage.s3_tier1 += 1
                    if method in ("PUT", "POST"):
                        usage.s3_bytes_in += int(environ.get("CONTENT_LENGTH") or 0)
                elif method != "DELETE":  # DELETE is free
                    usage.s3_tier2 += 1
            elif target == "AWSEvents.PutEvents":
                usage.events += len(_json(body).get("Entries") or [])
            elif target in ("AmazonSQS.SendMessage", "AmazonSQS.SendMessageBatch"):
                parsed = _json(body)
                count = len(parsed.get("Entries") or []) if target.endswith("Batch") else 1
                if str(parsed.get("QueueUrl", "")).endswith(".fifo"):
                    usage.sqs_fifo_messages += count
                else:
                    usage.sqs_standard_messages += count
            elif target == "AWSStepFunctions.StartExecution":
                usage.executions += 1

    # every DynamoDB call, with its request and answer (moto's DynamoHandler)
    def dynamodb_call(self, handler: Any, request: dict[str, Any], answer: dict[str, Any], before: dict[str, int]) -> None:
        action = handler._get_action()
        reads, writes = _capacity(handler, action, request, answer, before)
        with self._lock:
            self.last_activity = time.monotonic()
            usage = self.current
            usage.dynamodb_calls += 1
            usage.read_units += reads
            usage.write_units += writes

    def api_request(self) -> None:
        with self._lock:
            self.current.api_requests += 1

    def cdn_fetch(self, size: int) -> None:
        with self._lock:
            self.current.cdn_requests += 1
            self.current.cdn_bytes += size

    @contextlib.contextmanager
    def installed(self) -> Iterator[Meter]:
        from moto.dynamodb.responses import DynamoHandler
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication

        meter = self
        original_call = DomainDispatcherApplication.__call__
        original_action = DynamoHandler.call_action

        def counted_request(app: Any, environ: dict[str, Any], start_response: Any) -> Any:
            with contextlib.suppress(Exception):  # a request the meter cannot read is still served
                meter.aws_request(environ)
            return original_call(app, environ, start_response)

        def counted_action(handler: Any) -> Any:
            if METER_AGENT in str(handler.headers.get("User-Agent", "")):
                return original_action(handler)
            request = _json(handler.body)
            before = _sizes_before(handler, request)
            result = original_action(handler)
            try:
                answer = _json(result[2] if isinstance(result, tuple) and len(result) == 3 else "")
                meter.dynamodb_call(handler, request, answer, before)
            except Exception:  # noqa: BLE001 - an answer the meter cannot read is counted as unread, never fatal
                meter.unparsed_dynamodb += 1
            return result

        DomainDispatcherApplication.__call__ = counted_request  # type: ignore[method-assign,assignment]
        DynamoHandler.call_action = counted_action  # type: ignore[method-assign]
        try:
            yield self
        finally:
            DomainDispatcherApplication.__call__ = original_call  # type: ignore[method-assign]
            DynamoHandler.call_action = original_action  # type: ignore[method-assign]


def _body(environ: dict[str, Any]) -> bytes:
    """The request's body, read and put back for the application."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if not length or "multipart/form-data" in environ.get("CONTENT_TYPE", ""):
        return b""
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _json(body: Any) -> dict[str, Any]:
    if isinstance(body, dict):
        return body
    try:
        parsed = json.loads(body or b"{}")
    except (ValueError, TypeError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


# DynamoDB's units of one call. ``before`` holds the sizes of the items a write replaces, read before it ran.
_WRITE_ACTIONS = ("PutItem", "UpdateItem", "DeleteItem")


def _table(handler: Any, name: str) -> Any:
    return handler.dynamodb_backend.get_table(name)


def _stored_size(handler: Any, table_name: str, key: Mapping[str, Any]) -> int:
    try:
        item = handler.dynamodb_backend.get_item(table_name, dict(key))
    except Exception:  # noqa: BLE001 - no such item (or table): nothing replaced
        return 0
    return item_size(item.to_json()["Attributes"]) if item is not None else 0


def _key_of(handler: Any, table_name: str, item: Mapping[str, Any]) -> dict[str, Any]:
    table = _table(handler, table_name)
    names = [table.hash_key_attr, *([table.range_key_attr] if table.range_key_attr else [])]
    return {name: item[name] for name in names if name in item}


def _sizes_before(handler: Any, request: dict[str, Any]) -> dict[str, int]:
    """The size of the item each write will replace (its units count the larger of before and after)."""
    try:
        action = handler._get_action()
    except Exception:  # noqa: BLE001
        return {}
    if action not in _WRITE_ACTIONS:
        return {}
    table_name = str(request.get("TableName", ""))
    try:
        key = request.get("Key") or _key_of(handler, table_name, request.get("Item") or {})
        return {"size": _stored_size(handler, table_name, key), "indexes": _indexes_holding(handler, table_name, key)}
    except Exception:  # noqa: BLE001
        return {}


def _indexes_holding(handler: Any, table_name: str, key: Mapping[str, Any]) -> int:
    """How many of the table's global secondary indexes the stored item at ``key`` is in."""
    try:
        item = handler.dynamodb_backend.get_item(table_name, dict(key))
    except Exception:  # noqa: BLE001
        return 0
    if item is None:
        return 0
    return _indexes_of(_table(handler, table_name), item.to_json()["Attributes"])


def _indexes_of(table: Any, item: Mapping[str, Any]) -> int:
    held = 0
    for index in getattr(table, "global_indexes", []) or []:
        names = [part["AttributeName"] for part in index.schema]
        if all(name in item for name in names):
            held += 1
    return held


def _capacity(handler: Any, action: str, request: dict[str, Any], answer: dict[str, Any], before: dict[str, int]) -> tuple[float, float]:
    """(read units, write units) of one call."""
    consistent = bool(request.get("ConsistentRead"))
    table_name = str(request.get("TableName", ""))
    if action == "GetItem":
        return read_units(item_size(answer.get("Item")), consistent=consistent), 0.0
    if action in ("Query", "Scan"):
        items = answer.get("Items") or []
        read = sum(item_size(item) for item in items)
        count, scanned = int(answer.get("Count") or len(items)), int(answer.get("ScannedCount") or len(items))
        if count and scanned > count:  # a filter dropped items after they were read: they cost as the ones kept
            read = read * scanned // count
        return read_units(read, consistent=consistent), 0.0
    if action == "BatchGetItem":
        consistent_tables = {name for name, keys in (request.get("RequestItems") or {}).items() if keys.get("ConsistentRead")}
        units = 0.0
        for name, items in (answer.get("Responses") or {}).items():
            units += sum(read_units(item_size(item), consistent=name in consistent_tables) for item in items)
        return units, 0.0
    if action == "TransactGetItems":
        units = sum(2 * read_units(item_size(response.get("Item")), consistent=True) for response in answer.get("Responses") or [])
        return units, 0.0
    if action in _WRITE_ACTIONS:
        key = request.get("Key") or _key_of(handler, table_name, request.get("Item") or {})
        after = _stored_size(handler, table_name, key)
        size = max(before.get("size", 0), after, item_size(request.get("Item")))
        indexes = max(before.get("indexes", 0), _indexes_holding(handler, table_name, key))
        return 0.0, float(write_units(size) * (1 + indexes))
    if action == "BatchWriteItem":
        units = 0
        for name, requests in (request.get("RequestItems") or {}).items():
            table = _table(handler, name)
            for entry in requests:
                item = (entry.get("PutRequest") or {}).get("Item") or (entry.get("DeleteRequest") or {}).get("Key") or {}
                units += write_units(item_size(item)) * (1 + _indexes_of(table, item))
        return 0.0, float(units)
    if action == "TransactWriteItems":
        units = 0
        for entry in request.get("TransactItems") or []:
            operation = next(iter(entry.values()))
            if "ConditionCheck" in entry:
                continue  # read units, small: counted as one strongly consistent read below
            item = operation.get("Item") or {}
            key = operation.get("Key") or _key_of(handler, operation["TableName"], item)
            size = max(item_size(item), _stored_size(handler, operation["TableName"], key))
            units += 2 * write_units(size) * (1 + _indexes_holding(handler, operation["TableName"], key))
        checks = sum(1 for entry in request.get("TransactItems") or [] if "ConditionCheck" in entry)
        return 2.0 * checks, float(units)
    return 0.0, 0.0  # describe, list, streams: control calls, not billed per request on demand


def stored_bytes_of(users: set[str]) -> int:
    """The DynamoDB storage the users' items take in the embedded AWS (each item's size and its 100 bytes
    of index overhead), read from moto's backends: items whose partition key names a user's id."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    total = 0
    for region_backends in [dynamodb_backends[DEFAULT_ACCOUNT_ID]]:
        for backend in region_backends.values():
            for table in backend.tables.values():
                for item in table.all_items():
                    attributes = item.to_json()["Attributes"]
                    text = json.dumps(attributes)
                    if any(user in text for user in users):
                        total += item_size(attributes) + ITEM_INDEX_OVERHEAD
    return total


def s3_stored_bytes() -> int:
    """The bytes every bucket of the embedded S3 holds (the stack's own seed files are measured before the
    workload and subtracted by the caller)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    total = 0
    for backend in s3_backends[DEFAULT_ACCOUNT_ID].values():
        for bucket in backend.buckets.values():
            for key in bucket.keys.values():
                with contextlib.suppress(Exception):
                    total += int(key.size)
    return total


# -- running the month ----------------------------------------------------------------------------------------
class Workload:
    """A month of one user's use, feature by feature, through the cloud's gateway."""

    def __init__(self, cloud: Any, meter: Meter, plan: dict[str, dict[str, float]], progress: Callable[[str], None]):
        self.cloud = cloud
        self.meter = meter
        self.plan = plan
        self.days = int(plan["run"]["days"])
        self.progress = progress
        port = int(cloud.api_url.rsplit(":", 1)[1])
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def call(self, method: str, path: str, body: Any = None, token: str | None = None, *, counted: bool = True) -> Any:
        headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
        payload = json.dumps(body) if body is not None else None
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=payload, headers=headers)
                answer = self.connection.getresponse()
                raw = answer.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.connection.close()  # a dropped keep-alive connection: once more on a new one
                if attempt:
                    raise
        if counted and not path.startswith("/_zik/"):
            self.meter.api_request()
        parsed = json.loads(raw or b"null")
        if answer.status >= 400:
            raise CostError(f"{method} {path} answered {answer.status}: {str(parsed)[:400]}")
        return parsed

    def until(self, check: Callable[[], Any], what: str) -> Any:
        deadline = time.monotonic() + WAIT_TIMEOUT_S
        while True:
            found = check()
            if found:
                return found
            if time.monotonic() > deadline:
                raise CostError(f"{what}: not within {WAIT_TIMEOUT_S:.0f} s")
            time.sleep(0.3)

    def until_status(self, path: str, token: str, wanted: str, what: str) -> None:
        """Polls (not counted: an app would be told, or read once) until the resource's status is ``wanted``."""
        self.until(lambda: self.call("GET", path, token=token, counted=False)["status"] == wanted, what)

    def month(self, feature: str, user: str, token: str) -> None:
        getattr(self, feature)(user, token, self.plan[feature])

    def n(self, figure: float) -> int:
        return monthly(figure, self.days)

    # platform: sign-up's profile, the app's opens, settings
    def platform(self, user: str, token: str, plan: Mapping[str, float]) -> None:
        self.call("PUT", "/me", {"displayName": f"Cost {user}", "timezone": USER_ZONE}, token)
        for _ in range(max(0, self.n(plan["profile_updates_per_month"]) - 1)):
            self.call("PUT", "/me", {"displayName": f"Cost {user} again"}, token)
        for _ in range(self.n(plan["app_opens_per_day"] * 30)):
            self.call("GET", "/me", token=token)
        for _ in range(self.n(plan["settings_views_per_month"])):
            self.call("GET", "/settings", token=token)

    def quests(self, user: str, token: str, plan: Mapping[str, float]) -> None:
        opens_per_day = float(self.plan["platform"]["app_opens_per_day"])
        goal_ids = []
        for index in range(self.n(plan["goals_per_month"])):
            target = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 120 * 86400))
            goal = self.call(
                "POST",
                "/goals",
                {"title": ("Learn to play the guitar", "Run a half marathon", "Learn Spanish")[index % 3], "targetDate": target},
                token,
            )
            goal_ids.append(goal["goalId"])
            self.until_status(f"/goals/{goal['goalId']}", token, "active", "the goal's plan")
        done_per_day, created_per_day = float(plan["tasks_done_per_day"]), float(plan["tasks_created_per_day"])
        owed_done = owed_created = owed_views = 0.0
        chats = self.n(plan["chat_messages_per_month"])
        conversation: str | None = None
        # The month is run in minutes: each simulated day is a day of the calendar from the user's today, its
        # own tasks due that day and its list read by date, so that no day's list holds the month's tasks
        # (today's list is what the chat coach is sent: a month of tasks in it would inflate its prompt).
        today = dt.datetime.now(ZoneInfo(USER_ZONE)).date()
        for day in range(self.days):
            date = (today + dt.timedelta(days=day)).isoformat()
            owed_created += created_per_day
            owed_done += done_per_day
            owed_views += opens_per_day * float(plan["task_list_views_per_open"])
            while owed_created >= 1:
                self.call("POST", "/tasks", {"title": f"Errand {day + 1}", "dueDate": date}, token)
                owed_created -= 1
            listed: list[dict[str, Any]] = []
            while owed_views >= 1:
                listed = self.call("GET", "/tasks?" + urlencode({"date": date}), token=token)["tasks"]
                owed_views -= 1
            open_tasks = [task for task in listed if task.get("status") != "done"]
            while owed_done >= 1 and open_tasks:
                task = open_tasks.pop(0)
                self.call("PATCH", f"/tasks/{task['taskId']}", {"status": "done"}, token)
                owed_done -= 1
            owed_done = min(owed_done, done_per_day)  # a day without open tasks does not carry its rest on
            if chats and day % max(1, self.days // chats) == 0 and chats > 0:
                body: dict[str, Any] = {"message": ("what should I do today?", "I finished my practice", "how am I doing?")[day % 3]}
                if conversation:
                    body["conversationId"] = conversation
                conversation = self.call("POST", "/chat", body, token).get("conversationId") or conversation
                chats -= 1
        for _ in range(chats):
            self.call("POST", "/chat", {"message": "what's next?", **({"conversationId": conversation} if conversation else {})}, token)
        for index in range(self.n(plan["goal_views_per_month"])):
            if goal_ids:
                self.call("GET", f"/goals/{goal_ids[index % len(goal_ids)]}", token=token)
            else:
                self.call("GET", "/goals", token=token)
        for _ in range(self.n(plan["stats_views_per_month"])):
            self.call("GET", "/gamification/stats", token=token)

    def journal(self, user: str, token: str, plan: Mapping[str, float]) -> None:
        texts = (
            "Long day at work, the deadline moved again but the team pulled together. Tired but proud.",
            "Went for a run by the river this morning and felt great. Called my sister in the evening.",
            "Couldn't sleep, worried about the exam next week. Made a study plan and felt a bit better.",
            "Quiet Sunday: cooked for friends, played the guitar, read a chapter. Grateful for small things.",
        )
        for index in range(self.n(plan["entries_per_week"] * 30 / 7)):
            self.call("POST", "/entries", {"content": texts[index % len(texts)]}, token)
        for _ in range(self.n(plan["entry_list_views_per_month"])):
            self.call("GET", "/entries", token=token)
        for index in range(self.n(plan["searches_per_month"])):
            self.call("GET", "/entries/search?" + urlencode({"q": ("guitar", "exam", "sister", "river")[index % 4]}), token=token)
        for _ in range(self.n(plan["mood_views_per_month"])):
            self.call("GET", "/analytics/mood", token=token)

    def career(self, user: str, token: str, plan: Mapping[str, float]) -> None:
        from zik_local.bench_career_resume import two_page_pdf

        for _ in range(self.n(plan["profile_updates_per_month"])):
            self.call("PUT", "/api/users", {"name": f"Cost {user}", "careerStage": "mid", "skills": ["python", "sql", "aws"]}, token)
        jobs: list[str] = []
        for index in range(self.n(plan["job_searches_per_month"])):
            page = self.call("GET", "/api/jobs?" + urlencode({"q": ("backend", "data", "python", "engineer")[index % 4], "limit": "10"}), token=token)
            jobs.extend(item["jobId"] for item in page["items"])
        for index in range(self.n(plan["job_views_per_month"])):
            if jobs:
                self.call("GET", f"/api/jobs/{quote(jobs[index % len(jobs)])}", token=token)
        for index in range(min(len(jobs), self.n(plan["applications_per_month"]))):
            with contextlib.suppress(CostError):  # the same job applied to twice (409) is the user's slip, not the platform's
                self.call("POST", "/api/applications", {"jobId": jobs[index]}, token)
        for _ in range(self.n(plan["market_views_per_month"])):
            self.call("GET", "/api/market-intelligence?" + urlencode({"role": "Data Engineer"}), token=token)
        if self.n(plan["resume_analyses_per_month"]):
            body = {
                "fileName": "resume.pdf",
                "contentType": "application/pdf",
                "content": base64.b64encode(two_page_pdf()).decode(),
                "targetRole": "Data Engineer",
            }
            for _ in range(self.n(plan["resume_analyses_per_month"])):
                self.call("POST", "/api/resume/analyze", body, token)

    def studio(self, user: str, token: str, plan: Mapping[str, float]) -> None:
        from zik_local.bench_studio import post_form

        portrait = (ROOT / "tests" / "fixtures" / "studio" / "astronaut.jpg").read_bytes()
        photo_ids = []
        for _ in range(max(1, self.n(plan["photo_uploads_per_month"]))):
            created = self.call("POST", "/studio/photos", {"contentType": "image/jpeg", "fileName": "portrait.jpg"}, token)
            post_form(created["upload"], portrait, "image/jpeg", "portrait.jpg")
            photo_ids.append(created["photoId"])
            self.until_status(f"/studio/photos/{created['photoId']}", token, "ready", "the portrait")
        styles = self.call("GET", "/studio/hairstyles", token=token)["items"]
        for index in range(self.n(plan["tryons_per_month"])):
            job = self.call(
                "POST",
                "/studio/tryons",
                {"photoId": photo_ids[index % len(photo_ids)], "hairstyleId": styles[index % len(styles)]["hairstyleId"]},
                token,
            )

            def finished(job_id: str = job["jobId"]) -> bool:
                status = self.call("GET", f"/studio/tryons/{job_id}", token=token, counted=False)["status"]
                if status == "failed":
                    raise CostError(f"try-on {job_id} failed")
                return bool(status == "succeeded")

            self.until(finished, "the try-on")
        for _ in range(self.n(plan["gallery_views_per_month"])):
            for photo in self.call("GET", "/studio/gallery", token=token)["items"]:
                urls = photo.get("thumbnailUrls") or {}
                first = next(iter(urls.values()), None) if isinstance(urls, dict) else (urls[0] if urls else None)
                if first:
                    self.meter.cdn_fetch(len(_fetch(str(first))))


def _fetch(url: str) -> bytes:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=60)
    try:
        connection.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
        answer = connection.getresponse()
        data = answer.read()
        if answer.status != 200:
            raise CostError(f"GET {parts.path} answered {answer.status}")
        return data
    finally:
        connection.close()


def settle(cloud: Any, meter: Meter, progress: Callable[[str], None]) -> None:
    """Waits until the asynchronous work of the feature is over (nothing logged or asked for a while), then
    counts the state transitions of the executions it started."""
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while time.monotonic() - meter.last_activity < SETTLE_QUIET_S:
        if time.monotonic() > deadline:
            progress("cost: still busy after 180 s; counting what is done")
            break
        time.sleep(0.5)


def _seed_job_feeds(cloud: Any) -> None:
    """The shipped job feeds (zik_local/job_feeds) where the ingestion reads them, as ``zik dev`` puts them."""
    from zik_local.job_feeds import seed_feeds

    spec = cloud.deployment.functions.get("JobIngestionFunction") if cloud.deployment else None
    bucket = spec.environment.get("JOB_FEEDS_BUCKET") if spec else None
    if not bucket or not seed_feeds(cloud.client("s3"), bucket):
        raise CostError("no job feeds could be put where JobIngestionFunction reads them")


def count_transitions(cloud: Any, seen: set[str]) -> int:
    """States entered by the executions not seen before (Standard workflows bill each state transition)."""
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "stepfunctions",
        endpoint_url=cloud.aws_endpoint,
        region_name="us-east-1",
        aws_access_key_id="cost",
        aws_secret_access_key="cost",
        config=Config(user_agent_extra=METER_AGENT),
    )
    transitions = 0
    for machine in client.list_state_machines()["stateMachines"]:
        for execution in client.list_executions(stateMachineArn=machine["stateMachineArn"])["executions"]:
            arn = execution["executionArn"]
            if arn in seen:
                continue
            seen.add(arn)
            events = client.get_execution_history(executionArn=arn, maxResults=1000)["events"]
            transitions += sum(1 for event in events if event["type"].endswith("StateEntered"))
    return transitions


@dataclass
class Result:
    users: int
    usage: dict[str, Usage]
    storage_bytes: int
    s3_bytes: int
    elapsed_s: float
    unparsed_dynamodb: int
    memory: dict[str, int]
    days: int = 30
    scheduled: Usage = field(default_factory=Usage)  # a month of the schedules' runs: the same whatever the users
    schedule_runs: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> Usage:
        total = Usage()
        for usage in self.usage.values():
            total = total + usage
        return total


def run(plan: dict[str, dict[str, float]], users: int, features: tuple[str, ...], progress: Callable[[str], None]) -> Result:
    from zik_local.cloud import CloudOptions, LocalCloud

    meter = Meter()

    class Metered(LocalCloud):
        def log(self, source: str, line: str) -> None:
            meter.log_line(source, line)

    started = time.monotonic()
    with meter.installed():
        cloud = Metered(CloudOptions(template=TEMPLATE, port=0, quiet=True, watch=False, throttle=False))
        cloud.start()
        try:
            if not cloud.wait_until_complete(120):
                raise CostError("the embedded AWS did not complete the stack within 120 s")
            assert cloud.runtime is not None  # started
            meter.memory = {name: spec.memory for name, spec in cloud.runtime.functions.items()}
            seen: set[str] = set()
            count_transitions(cloud, seen)  # what the stack ran before the workload is not the users'
            names = [f"cost-user-{index}" for index in range(users)]
            tokens = {name: cloud.cognito().mint(name, tenant="cost") for name in names}
            workload = Workload(cloud, meter, plan, progress)
            meter.feature = "setup"  # the shipped job feeds and their first ingestion, as zik dev has them: nobody's month
            _seed_job_feeds(cloud)
            for schedule in cloud.schedules_for("JobIngestionFunction"):
                cloud.fire_schedule(schedule)
            settle(cloud, meter, progress)
            count_transitions(cloud, seen)
            s3_before = s3_stored_bytes()
            meter.usage = {feature: Usage() for feature in FEATURES}
            for feature in ("platform", *[f for f in features if f != "platform"]):
                meter.feature = feature
                began = time.monotonic()
                for name in names:
                    workload.month(feature, name, tokens[name])
                settle(cloud, meter, progress)
                meter.usage[feature].transitions += count_transitions(cloud, seen)
                usage = meter.usage[feature]
                progress(
                    f"cost: {feature}: {usage.api_requests} API requests, {usage.lambda_invocations} invocations, "
                    f"{usage.read_units:.0f} RRU, {usage.write_units:.0f} WRU, {usage.ai_calls} AI calls in {time.monotonic() - began:.0f} s"
                )
            scheduled, runs = Usage(), {}
            assert cloud.deployment is not None
            for schedule in cloud.deployment.schedules:
                if not schedule.enabled:
                    continue
                meter.feature = f"schedule {schedule.logical_id}"
                cloud.fire_schedule(schedule)
                settle(cloud, meter, progress)
                one = meter.usage.pop(meter.feature, Usage())
                one.transitions += count_transitions(cloud, seen)
                runs[schedule.logical_id] = fires_per_month(schedule.expression)
                scheduled = scheduled + one.scaled(runs[schedule.logical_id])
                progress(
                    f"cost: schedule {schedule.logical_id} ({schedule.expression}): {one.lambda_invocations} invocations a run, {runs[schedule.logical_id]} runs a month"
                )
            user_ids = {str(cloud.cognito().verify(token)["sub"]) for token in tokens.values()}
            storage = stored_bytes_of(user_ids)
            s3_bytes = max(0, s3_stored_bytes() - s3_before)
            elapsed = time.monotonic() - started
            by_feature = {feature: meter.usage.get(feature, Usage()) for feature in FEATURES}
            days = int(plan["run"]["days"])
            return Result(users, by_feature, storage, s3_bytes, elapsed, meter.unparsed_dynamodb, meter.memory, days, scheduled, runs)
        finally:
            cloud.stop()


# -- the report -------------------------------------------------------------------------------------------------
def _usd(value: float) -> str:
    return f"${value:,.2f}" if value >= 0.01 or value == 0 else f"${value:.4f}"


def report(result: Result, prices: Prices, plan: dict[str, dict[str, float]]) -> str:
    factor = MAU / result.users * 30 / result.days  # a part of a month run stands for the whole month
    lines = [f"# What zik costs: a month of {MAU:,} active users (us-east-1 list prices, zik_local/prices/aws.json)", ""]
    lines.append(
        f"Measured: {result.users} users' month (zik_local/cost_workload.toml) through the local cloud in {result.elapsed_s:.0f} s, scaled x{factor:,.0f}."
    )
    lines.append("")
    by_feature: dict[str, dict[str, float]] = {}
    total_storage = result.storage_bytes
    for feature, usage in result.usage.items():
        storage = total_storage if feature == "platform" else 0  # the tables' storage is shown once, under the platform
        s3 = result.s3_bytes if feature == "studio" else 0  # what the workload leaves in S3 is the studio's photos
        by_feature[feature] = scaled(cost_by_service(usage, prices, storage_bytes=storage, s3_stored_bytes=s3), factor)
    by_feature[SCHEDULED] = cost_by_service(result.scheduled, prices)  # a month of runs already: not per user
    by_service = {service: sum(costs[service] for costs in by_feature.values()) for service in SERVICES}
    grand = sum(by_service.values())
    header = "| feature | " + " | ".join(SERVICES) + " | total |"
    lines += [header, "|" + "---|" * (len(SERVICES) + 2)]
    for feature, costs in by_feature.items():
        lines.append(f"| {feature} | " + " | ".join(_usd(costs[s]) for s in SERVICES) + f" | **{_usd(sum(costs.values()))}** |")
    lines.append("| **all** | " + " | ".join(_usd(by_service[s]) for s in SERVICES) + f" | **{_usd(grand)}** |")
    lines += ["", f"Per active user and month: {_usd(grand / MAU)}.", ""]

    total = result.total
    lines += [
        "## What was counted (per 1,000 MAU)",
        "",
        "| feature | API requests | invocations | GB-s | RRU | WRU | events | SQS msgs | transitions | S3 req | AI calls | tokens in / out |",
        "|" + "---|" * 12,
    ]
    month = total.scaled(factor) + result.scheduled
    rows = [*((feature, usage.scaled(factor)) for feature, usage in result.usage.items()), (SCHEDULED, result.scheduled), ("all", month)]
    for feature, usage in rows:
        tokens_in = sum(use.input_tokens for use in usage.ai.values())
        tokens_out = sum(use.output_tokens for use in usage.ai.values())
        lines.append(
            f"| {feature} | {usage.api_requests:,.0f} | {usage.lambda_invocations:,.0f} | {usage.gb_seconds:,.0f} | "
            f"{usage.read_units:,.0f} | {usage.write_units:,.0f} | {usage.events:,.0f} | "
            f"{usage.sqs_standard_messages + usage.sqs_fifo_messages:,.0f} | {usage.transitions:,.0f} | "
            f"{usage.s3_tier1 + usage.s3_tier2:,.0f} | {usage.ai_calls:,.0f} | {tokens_in:,.0f} / {tokens_out:,.0f} |"
        )
    lines += ["", "## AI per task and provider (per 1,000 MAU, priced as Bedrock Claude 3.5 Haiku; images as Nova Canvas)", ""]
    lines += [
        "| task | provider | calls | input tokens | output tokens | images | mean in / out a call | USD | USD on Claude 3 Haiku |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for (task, provider), use in sorted(month.ai.items(), key=lambda pair: -ai_cost(pair[1], prices)):
        mean_in, mean_out = use.input_tokens / max(1, use.calls), use.output_tokens / max(1, use.calls)
        cheaper = "" if use.images else _usd(ai_cost(use, prices, "claude-3-haiku"))
        lines.append(
            f"| {task} | {provider} | {use.calls:,.0f} | {use.input_tokens:,.0f} | {use.output_tokens:,.0f} | {use.images:,.0f} | "
            f"{mean_in:,.0f} / {mean_out:,.0f} | {_usd(ai_cost(use, prices))} | {cheaper} |"
        )
    lines += [
        "",
        "## Lambda by function (per 1,000 MAU, the schedules' month included)",
        "",
        "| function | memory | invocations | mean billed ms | GB-s |",
        "|---|---|---|---|---|",
    ]
    for name, count in month.invocations.most_common():
        memory = result.memory.get(name, 0)
        billed = month.function_ms[name]
        lines.append(f"| {name} | {memory} MB | {count:,.0f} | {billed / count:,.0f} | {billed / 1000 * memory / 1024:,.0f} |")
    if result.schedule_runs:
        lines += ["", "Schedules' runs a month: " + ", ".join(f"{name} {runs:,}" for name, runs in result.schedule_runs.items()) + "."]
    mean_ms = total.billed_ms / max(1, total.lambda_invocations)
    lines += [
        "",
        f"Mean billed duration of an invocation: {mean_ms:,.0f} ms (INIT included); GB-s per invocation {total.gb_seconds / max(1, total.lambda_invocations):.3f}.",
    ]

    seed = seed_workload(total, prices)
    target = SEED_ESTIMATE_USD / 4
    lines += [
        "",
        "## The Career seed's own workload (500k invocations, 1M API requests, 50k AI requests)",
        "",
        f"Lambda {_usd(seed.lambda_usd)} + API Gateway {_usd(seed.api_usd)} + DynamoDB {_usd(seed.dynamodb_usd)} + AI {_usd(seed.ai_usd)} = "
        f"**{_usd(seed.total)}** against its $220 estimate: target at most {_usd(target)}: {'met' if seed.total <= target else 'MISSED'}.",
        f"With the same calls on Claude 3 Haiku: AI {_usd(seed.ai_usd_claude_3_haiku)}, total {_usd(seed.total - seed.ai_usd + seed.ai_usd_claude_3_haiku)}.",
        "",
        "## The three features that cost most",
        "",
    ]
    ranked = sorted(by_feature.items(), key=lambda pair: -sum(pair[1].values()))
    for feature, costs in ranked[:3]:
        top = sorted(costs.items(), key=lambda pair: -pair[1])[:3]
        line = f"- **{feature}** {_usd(sum(costs.values()))} ({sum(costs.values()) / max(grand, 1e-9):.0%}): " + ", ".join(
            f"{service} {_usd(value)}" for service, value in top
        )
        tasks = result.usage[feature].ai if feature in result.usage else {}
        if tasks:
            (task, _), use = max(tasks.items(), key=lambda pair: ai_cost(pair[1], prices))
            line += f"; its costliest AI task {task}: {_usd(ai_cost(use, prices) * factor)}"
        lines.append(line)
    if result.unparsed_dynamodb:
        lines += ["", f"Note: {result.unparsed_dynamodb} DynamoDB answers could not be read by the meter and count no units."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zik_local.cost", description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--users", type=int, help="users to simulate (default: the workload's [run] users)")
    parser.add_argument("--days", type=int, help="days of the month to run, the monthly figures prorated (default 30)")
    parser.add_argument("--features", default=",".join(FEATURES), help="comma-separated features to run (platform always runs)")
    parser.add_argument("--workload", type=Path, default=WORKLOAD)
    args = parser.parse_args(argv)
    plan = load_workload(args.workload)
    if args.days:
        plan["run"]["days"] = args.days
    users = args.users or int(plan["run"]["users"])
    features = tuple(name for name in args.features.split(",") if name)
    unknown = set(features) - set(FEATURES)
    if unknown:
        parser.error(f"unknown features: {sorted(unknown)}")
    prices = Prices.load()

    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    result = run(plan, users, features, progress)
    print(report(result, prices, plan))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
