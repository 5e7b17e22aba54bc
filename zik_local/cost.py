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
  AI              the gateway's ``ai call`` lines: calls, input and output tokens per task and provider, and
                  the tokens a vendor read from or wrote to its prompt cache. The local provider counts four
                  characters a token of its prompt and answer; the tool a model is also sent (the task's
                  schema, and the 340 tokens of Anthropic's tool-use system prompt) is added. Each text task is
                  priced on the Bedrock model the template gives it (BedrockTaskModels, else BedrockModelId),
                  its tokens counted as that model's tokenizer counts the same text (TOKENIZER_FACTORS);
                  its shared prefix (the tool and a system prompt without the user's data) is read from the
                  prompt cache where that model caches and the prefix reaches its minimum, at the share of
                  calls that come within the cache's 5 minutes of another (calls at random over 16 waking
                  hours a day, from the month's count at 1,000 users); image edits by the image, on the
                  template's BEDROCK_IMAGE_MODEL_ID
  Logs            the bytes the functions log, as CloudWatch Logs ingestion (26 bytes of overhead a line)

The local figures are not Lambda's: the functions run on a shared 2-core machine against an in-process moto,
so durations are noisy and mostly longer than in AWS (where a DynamoDB call takes a few milliseconds); the
counts (requests, units, events, messages, transitions, tokens) are exact for the workload stated. What is not
in the model: the free tiers, data transfer out of the API, Cognito (free up to 10,000 MAU on its Lite tier),
CloudWatch metrics and alarms, KMS. The schedules' work (hourly job ingestion, daily recurring tasks, the guest
sweep) is measured by firing each once after the users' month and multiplying by its runs in 30 days: a fixed
line, not scaled with the users.

The report: cost by feature and service (and the AI's cost before the prompt cache and the per-task models),
the counts behind it, AI per task and provider with its model, shared prefix and cache hits, Lambda by
function, the Career seed's workload (500k invocations, 1M API requests, 50k AI requests) at the measured
means against a quarter of its $220, and the three costliest features with what would halve each, computed
(each AI task on the other priced models, the paid renders an image task would have to shed, a prefix under
its model's cache minimum, the largest line outside the AI). docs/ai-costs.md says what was done and why.
About 3 minutes for 3 users on 2 cores; ``--users``, ``--days`` (a part of the month, its figures prorated: a
quicker look) and ``--features``.
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
from dataclasses import dataclass, field, fields
from pathlib import Path
from string import Template
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
AI_PROMPTS = Path(__file__).resolve().parents[1] / "layers" / "shared" / "zik" / "ai" / "prompts"
# Bedrock's prompt cache (https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html, read
# 2026-11-30): the fewest tokens a cache checkpoint's prefix must hold, by the models whose checkpoint the
# provider sends (zik/ai/providers/bedrock.py CACHING_MODELS and cache_minimum_tokens; a test holds the two
# together: Claude Haiku 5.5's 4,096 is assumed there, its own figure not found). A shorter prefix is not
# cached and costs the usual input price.
CACHE_MIN_TOKENS = {"claude-haiku-5-5": 4096}
CACHE_TTL_MINUTES = 5.0  # the cache's default time to live, renewed by every read
# The hours of a day the users' calls are spread over (their waking hours): the calls of a task arrive at
# random within them, and a call finds the cache warm when another came within the TTL before it.
ACTIVE_HOURS_A_DAY = 16
# Bedrock model ids (an inference profile's region prefix dropped) to their prices' names in the price file:
# the text models, then the image models (priced by the image).
MODEL_PRICES = (("anthropic.claude-haiku-5-5", "claude-haiku-5-5"), ("amazon.nova-micro-", "nova-micro"), ("amazon.nova-lite-", "nova-lite"))
IMAGE_MODEL_PRICES = (("stability.stable-image-search-replace-", "stable-image-search-replace"),)
# The local provider counts four characters a token, as the Claude tokenizers before Claude Haiku 5.5 about do.
# Claude Haiku 5.5's counts the same text as about 30 % more tokens than Claude Haiku 4.5's
# (https://platform.claude.com/docs/en/models/haiku-5-5/overview, read 2026-11-30): a month's tokens on it are
# the counted ones times this.
TOKENIZER_FACTORS = {"claude-haiku-5-5": 1.3}
_INFERENCE_PROFILE = re.compile(r"^(us|eu|apac|us-gov|global)\.")
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
    """A task's calls. ``input_tokens`` are the ones priced as input; a vendor's ``cache_read_tokens`` and
    ``cache_write_tokens`` beside them; ``prefix_tokens``: of the input of the offline provider's calls, the
    tool and system prompt every call of the task shares, which a model that caches would read from its
    cache (zik/ai/providers/bedrock.py)."""

    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    images: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    prefix_tokens: int = 0

    def __iadd__(self, other: AIUse) -> AIUse:
        for part in fields(self):
            setattr(self, part.name, getattr(self, part.name) + getattr(other, part.name))
        return self


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
                        total.ai[key] += use
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
                    total.ai[key] = AIUse(*(round(getattr(use, part.name) * factor) for part in fields(use)))
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


def price_name(model_id: str, *, image: bool = False) -> str:
    """The name of a Bedrock model's prices in the price file (``claude-haiku-5-5``), from its id; ``image``:
    an image model's."""
    bare = _INFERENCE_PROFILE.sub("", model_id)
    for prefix, name in IMAGE_MODEL_PRICES if image else MODEL_PRICES:
        if bare.startswith(prefix):
            return name
    table = "IMAGE_MODEL_PRICES" if image else "MODEL_PRICES"
    raise CostError(f"no prices for the Bedrock model {model_id} (zik_local/cost.py {table}, prices/aws.json)")


def image_model_id(template: Mapping[str, Any]) -> str:
    """The Bedrock image model the template gives the functions that edit images (BEDROCK_IMAGE_MODEL_ID)."""
    found = {
        str(variables["BEDROCK_IMAGE_MODEL_ID"])
        for resource in (template.get("Resources") or {}).values()
        if isinstance(resource, dict)
        for variables in [((resource.get("Properties") or {}).get("Environment") or {}).get("Variables") or {}]
        if isinstance(variables, dict) and "BEDROCK_IMAGE_MODEL_ID" in variables
    }
    if len(found) != 1:
        raise CostError(f"the template should give one BEDROCK_IMAGE_MODEL_ID, it gives {sorted(found) or 'none'}")
    return found.pop()


def cache_hit_share(calls_a_month: float) -> float:
    """The share of a task's calls that find its prefix in the cache: calls arriving at random over the users'
    active hours, each finds it when another came within the cache's TTL before it (1 - e^(-rate x TTL))."""
    per_minute = calls_a_month / (30 * ACTIVE_HOURS_A_DAY * 60)
    return 1 - math.exp(-per_minute * CACHE_TTL_MINUTES)


@dataclass(frozen=True)
class AIPricing:
    """How the AI's calls are priced: each text task on the Bedrock model the template gives it (its own in
    BedrockTaskModels, else BedrockModelId), its tokens as that model counts them, its shared prefix read
    from the prompt cache where that model caches and the prefix is long enough; images by the image (the
    template's image model). ``task_models`` and ``cache`` off price every call as before either was used."""

    prices: Prices
    default_model: str  # a price name: "claude-haiku-5-5"
    task_models: Mapping[str, str] = field(default_factory=dict)  # task -> price name
    cache: bool = True
    image_model: str = "stable-image-search-replace"  # a price name

    @classmethod
    def from_template(cls, prices: Prices, template: Path = TEMPLATE) -> AIPricing:
        from zik_local.template import load_yaml

        document = load_yaml(template)
        parameters = document.get("Parameters") or {}
        default = str((parameters.get("BedrockModelId") or {}).get("Default") or "")
        pairs = str((parameters.get("BedrockTaskModels") or {}).get("Default") or "")
        task_models = {}
        for pair in filter(None, (part.strip() for part in pairs.split(","))):
            task, _, model = pair.partition("=")
            task_models[task.strip()] = price_name(model.strip())
        return cls(prices, price_name(default), task_models, image_model=price_name(image_model_id(document), image=True))

    def without_savings(self) -> AIPricing:
        """Every text task on BedrockModelId, no prompt cache: what the AI cost before either."""
        return AIPricing(self.prices, self.default_model, {}, cache=False, image_model=self.image_model)

    def tokens(self, task: str, counted: float, provider: str = "local") -> float:
        """The tokens of a call of ``task`` the task's model is billed for: the local provider's count (four
        characters a token) as the model's tokenizer counts the same text; a vendor's own count as it is."""
        return counted * TOKENIZER_FACTORS.get(self.model(task), 1.0) if provider == "local" else counted

    @property
    def image_price(self) -> float:
        return self.prices[f"bedrock.{self.image_model}.image"]

    def model(self, task: str) -> str:
        return self.task_models.get(task, self.default_model)

    def cached(self, task: str, use: AIUse, provider: str = "local") -> tuple[float, float, float]:
        """(plain input, cache reads, cache writes) tokens of a task's calls, ``use`` being a month's."""
        plain, read, write = (self.tokens(task, count, provider) for count in (use.input_tokens, use.cache_read_tokens, use.cache_write_tokens))
        prefix = self.tokens(task, use.prefix_tokens, provider)
        minimum = CACHE_MIN_TOKENS.get(self.model(task))
        if self.cache and minimum is not None and prefix and prefix / use.calls >= minimum:
            hit = cache_hit_share(use.calls)
            plain -= prefix
            read += prefix * hit
            write += prefix * (1 - hit)
        return plain, read, write

    def cost(self, task: str, use: AIUse, *, model: str | None = None, provider: str = "local") -> float:
        """USD of a month of a task's calls answered by ``provider`` (on ``model``, a price name, rather than
        its own if given)."""
        if use.images:
            return use.images * self.image_price
        pricing = self if model is None else AIPricing(self.prices, self.default_model, {task: model}, self.cache, self.image_model)
        name = pricing.model(task)
        plain, read, write = pricing.cached(task, use, provider)
        output = pricing.tokens(task, use.output_tokens, provider)
        usd = plain * self.prices[f"bedrock.{name}.input_1k"] + output * self.prices[f"bedrock.{name}.output_1k"]
        if read or write:
            usd += read * self.prices[f"bedrock.{name}.cache_read_1k"] + write * self.prices[f"bedrock.{name}.cache_write_1k"]
        return usd / 1000


def cost_by_service(usage: Usage, prices: Prices, ai: AIPricing, *, storage_bytes: int = 0, s3_stored_bytes: int = 0) -> dict[str, float]:
    """USD by service for ``usage`` (a month, at the scale the prompt cache is reckoned at), with a month of
    ``storage_bytes`` in DynamoDB and ``s3_stored_bytes`` in S3."""
    gb = 1024**3
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
        "Bedrock": sum(ai.cost(task, use, provider=provider) for (task, provider), use in usage.ai.items()),
        "CloudWatch Logs": usage.log_bytes / gb * prices["cloudwatch.logs.gb_ingested"],
    }


def scaled(costs: Mapping[str, float], factor: float) -> dict[str, float]:
    return {name: value * factor for name, value in costs.items()}


@dataclass(frozen=True)
class SeedEstimate:
    lambda_usd: float
    api_usd: float
    dynamodb_usd: float
    ai_usd: float
    ai_usd_before: float = 0.0  # the same calls on BedrockModelId with no prompt cache

    @property
    def total(self) -> float:
        return self.lambda_usd + self.api_usd + self.dynamodb_usd + self.ai_usd


def seed_workload(usage: Usage, prices: Prices, ai: AIPricing) -> SeedEstimate:
    """The Career seed's month (500k invocations, 1M API requests, 50k AI requests) at the measured means of
    ``usage`` (a month of 1,000 users): GB-s per invocation, DynamoDB units per API request (everything the
    platform's requests wrote and read, asynchronous work included), USD per text AI call."""
    if not usage.lambda_invocations or not usage.api_requests or not usage.ai_calls:
        raise CostError("the run made no invocation, API request or AI call to take a mean of")
    per_invocation = usage.gb_seconds / usage.lambda_invocations * prices["lambda.arm64.gb_second"] + prices["lambda.request"]
    per_request_dynamodb = (
        usage.read_units * prices["dynamodb.ondemand.read_unit"] + usage.write_units * prices["dynamodb.ondemand.write_unit"]
    ) / usage.api_requests
    text = {key: use for key, use in usage.ai.items() if not use.images}
    text_calls = sum(use.calls for use in text.values()) or 1
    before = ai.without_savings()
    return SeedEstimate(
        lambda_usd=SEED_INVOCATIONS * per_invocation,
        api_usd=SEED_API_REQUESTS * prices["apigateway.rest.request"],
        dynamodb_usd=SEED_API_REQUESTS * per_request_dynamodb,
        ai_usd=SEED_AI_REQUESTS * sum(ai.cost(task, use, provider=provider) for (task, provider), use in text.items()) / text_calls,
        ai_usd_before=SEED_AI_REQUESTS * sum(before.cost(task, use, provider=provider) for (task, provider), use in text.items()) / text_calls,
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


@functools.cache
def prefix_tokens(task: str, prompt_version: str) -> int:
    """The input tokens every call of a task shares, ahead of the provider's cache checkpoint: the tool, then
    the system prompt (four characters a token) when it is the same for every call (no ``$field`` in it).
    A system prompt with the user's data in it shares nothing; nor does a prompt whose file is not found."""
    path = AI_PROMPTS / f"{prompt_version}.md"
    if not prompt_version or not path.exists():
        return 0
    parts = re.split(r"^\[(system|user)\]\s*$", path.read_text(encoding="utf-8"), flags=re.MULTILINE)
    system = next((parts[i + 1].strip() for i in range(1, len(parts) - 1, 2) if parts[i] == "system"), "")
    if not system or Template(system).get_identifiers():
        return 0
    return tool_tokens(task) + len(system) // 4


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
                offline_text = provider == "local" and not images
                # the local provider counts its prompt and answer only; a model is also sent the tool
                use.input_tokens += int(call.get("input_tokens") or 0) + (tool_tokens(task) if offline_text else 0)
                use.output_tokens += int(call.get("output_tokens") or 0)
                use.images += images
                use.cache_read_tokens += int(call.get("cache_read_tokens") or 0)
                use.cache_write_tokens += int(call.get("cache_write_tokens") or 0)
                if offline_text:
                    use.prefix_tokens += prefix_tokens(task, str(call.get("prompt_version") or ""))

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


def report(result: Result, prices: Prices, plan: dict[str, dict[str, float]], ai: AIPricing | None = None) -> str:
    ai = ai or AIPricing.from_template(prices)
    before = ai.without_savings()
    factor = MAU / result.users * 30 / result.days  # a part of a month run stands for the whole month
    lines = [f"# What zik costs: a month of {MAU:,} active users (us-east-1 list prices, zik_local/prices/aws.json)", ""]
    lines.append(
        f"Measured: {result.users} users' month (zik_local/cost_workload.toml) through the local cloud in {result.elapsed_s:.0f} s, scaled x{factor:,.0f}."
    )
    own = ", ".join(f"{task} on {model}" for task, model in sorted(ai.task_models.items()))
    lines += [
        f"Text tasks priced on Bedrock's {ai.default_model} (template BedrockModelId){f', {own} (BedrockTaskModels)' if own else ''}; "
        f"a task's shared prefix (tool and system prompt) read from the prompt cache where its model caches and the prefix reaches "
        f"the model's minimum; a Claude Haiku 5.5 task's tokens counted as its tokenizer does ({TOKENIZER_FACTORS['claude-haiku-5-5']:g} x "
        f"four characters a token); images as {ai.image_model}.",
        "",
    ]
    months = {feature: usage.scaled(factor) for feature, usage in result.usage.items()}
    by_feature: dict[str, dict[str, float]] = {}
    ai_before = 0.0
    for feature, month in months.items():
        storage = result.storage_bytes * factor if feature == "platform" else 0  # the tables' storage is shown once, under the platform
        s3 = result.s3_bytes * factor if feature == "studio" else 0  # what the workload leaves in S3 is the studio's photos
        by_feature[feature] = cost_by_service(month, prices, ai, storage_bytes=round(storage), s3_stored_bytes=round(s3))
        ai_before += cost_by_service(month, prices, before)["Bedrock"]
    by_feature[SCHEDULED] = cost_by_service(result.scheduled, prices, ai)  # a month of runs already: not per user
    by_service = {service: sum(costs[service] for costs in by_feature.values()) for service in SERVICES}
    grand = sum(by_service.values())
    header = "| feature | " + " | ".join(SERVICES) + " | total |"
    lines += [header, "|" + "---|" * (len(SERVICES) + 2)]
    for feature, costs in by_feature.items():
        lines.append(f"| {feature} | " + " | ".join(_usd(costs[s]) for s in SERVICES) + f" | **{_usd(sum(costs.values()))}** |")
    lines.append("| **all** | " + " | ".join(_usd(by_service[s]) for s in SERVICES) + f" | **{_usd(grand)}** |")
    grand_before = grand - by_service["Bedrock"] + ai_before
    lines += [
        "",
        f"Per active user and month: {_usd(grand / MAU)}. Before the prompt cache and the per-task models (every text task on "
        f"{ai.default_model}, uncached): Bedrock {_usd(ai_before)}, in all {_usd(grand_before)} ({_usd(grand_before / MAU)} a user).",
        "",
    ]

    total = result.total
    lines += [
        "## What was counted (per 1,000 MAU)",
        "",
        "| feature | API requests | invocations | GB-s | RRU | WRU | events | SQS msgs | transitions | S3 req | AI calls | tokens in / out |",
        "|" + "---|" * 12,
    ]
    month = total.scaled(factor) + result.scheduled
    rows = [*months.items(), (SCHEDULED, result.scheduled), ("all", month)]
    for feature, usage in rows:
        tokens_in = sum(use.input_tokens for use in usage.ai.values())
        tokens_out = sum(use.output_tokens for use in usage.ai.values())
        lines.append(
            f"| {feature} | {usage.api_requests:,.0f} | {usage.lambda_invocations:,.0f} | {usage.gb_seconds:,.0f} | "
            f"{usage.read_units:,.0f} | {usage.write_units:,.0f} | {usage.events:,.0f} | "
            f"{usage.sqs_standard_messages + usage.sqs_fifo_messages:,.0f} | {usage.transitions:,.0f} | "
            f"{usage.s3_tier1 + usage.s3_tier2:,.0f} | {usage.ai_calls:,.0f} | {tokens_in:,.0f} / {tokens_out:,.0f} |"
        )
    lines += [
        "",
        "## AI per task and provider (per 1,000 MAU)",
        "",
        "Shared prefix: the tool and system prompt every call of the task sends (four characters a token, times the model's "
        "tokenizer factor); cache hits: the "
        f"share of calls that find it cached ({CACHE_TTL_MINUTES:.0f}-minute TTL, calls spread over {ACTIVE_HOURS_A_DAY} hours a day).",
        "",
        "| task | provider | model | calls | input tokens | mean in / out a call | shared prefix a call | cache hits | images | USD | USD before |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (task, provider), use in sorted(month.ai.items(), key=lambda pair: -ai.cost(pair[0][0], pair[1], provider=pair[0][1])):
        calls = max(1, use.calls)
        prefix = ai.tokens(task, use.prefix_tokens, provider) / calls
        _plain, read, write = ai.cached(task, use, provider)
        hits = f"{read / (read + write):.0%}" if read + write else "-"
        lines.append(
            f"| {task} | {provider} | {ai.image_model if use.images else ai.model(task)} | {use.calls:,.0f} | {use.input_tokens:,.0f} | "
            f"{use.input_tokens / calls:,.0f} / {use.output_tokens / calls:,.0f} | {prefix:,.0f} | {hits} | {use.images:,.0f} | "
            f"{_usd(ai.cost(task, use, provider=provider))} | {_usd(before.cost(task, use, provider=provider))} |"
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

    seed = seed_workload(total.scaled(factor), prices, ai)
    target = SEED_ESTIMATE_USD / 4
    lines += [
        "",
        "## The Career seed's own workload (500k invocations, 1M API requests, 50k AI requests)",
        "",
        f"Lambda {_usd(seed.lambda_usd)} + API Gateway {_usd(seed.api_usd)} + DynamoDB {_usd(seed.dynamodb_usd)} + AI {_usd(seed.ai_usd)} = "
        f"**{_usd(seed.total)}** against its $220 estimate: target at most {_usd(target)}: {'met' if seed.total <= target else 'MISSED'}.",
        f"Before the prompt cache and the per-task models: AI {_usd(seed.ai_usd_before)}, total {_usd(seed.total - seed.ai_usd + seed.ai_usd_before)}.",
        "",
        "## The three features that cost most, and what would halve each",
        "",
    ]
    ranked = sorted(by_feature.items(), key=lambda pair: -sum(pair[1].values()))
    for feature, costs in ranked[:3]:
        cost = sum(costs.values())
        top = sorted(costs.items(), key=lambda pair: -pair[1])[:3]
        lines.append(
            f"- **{feature}** {_usd(cost)} ({cost / max(grand, 1e-9):.0%}): " + ", ".join(f"{service} {_usd(value)}" for service, value in top)
        )
        usage = months.get(feature, result.scheduled)
        lines += [f"  - {idea}" for idea in halving(cost, costs, usage, ai)]
    if result.unparsed_dynamodb:
        lines += ["", f"Note: {result.unparsed_dynamodb} DynamoDB answers could not be read by the meter and count no units."]
    return "\n".join(lines)


def halving(cost: float, costs: Mapping[str, float], usage: Usage, ai: AIPricing) -> list[str]:
    """What would halve a feature's month (``cost``, by service ``costs``; ``usage``, a month of 1,000 users),
    computed: each AI task on the other priced models, the renders an image task could leave unpaid, the prompt
    cache a task misses, and the largest line outside the AI."""
    half = cost / 2
    ideas = []
    for (task, provider), use in sorted(usage.ai.items(), key=lambda pair: -ai.cost(pair[0][0], pair[1], provider=pair[0][1])):
        now = ai.cost(task, use, provider=provider)
        if use.images:
            price = ai.image_price
            unpaid = math.ceil(half / price)
            if unpaid <= use.images:
                ideas.append(
                    f"{task}: {use.images:,} images at {_usd(price)} = {_usd(now)}. Halved by paying for at most {use.images - unpaid:,} of them "
                    f"(a render of the same photo, style and colour served again; the free offline edit as the preview, a model's "
                    f"render for the ones kept), or by a model at {_usd((now - half) / use.images)} an image. {ai.image_model} costs "
                    f"the same at any size: a smaller image saves nothing"
                )
            continue
        for model in (name for _prefix, name in MODEL_PRICES if name != ai.model(task)):
            other = ai.cost(task, use, model=model, provider=provider)
            if other < now:
                effect = "halves it" if now - other >= half else f"{(now - other) / cost:.0%} of it"
                ideas.append(f"{task} on {model}: {_usd(now)} -> {_usd(other)} ({effect})")
        minimum = CACHE_MIN_TOKENS.get(ai.model(task))
        prefix = ai.tokens(task, use.prefix_tokens, provider) / max(1, use.calls)
        if minimum is not None and 0 < prefix < minimum:
            ideas.append(
                f"{task}'s shared prefix is {prefix:,.0f} tokens a call, under {ai.model(task)}'s {minimum:,}-token cache minimum: not cached"
            )
    rest = {service: value for service, value in costs.items() if service != "Bedrock"}
    if rest:
        service, value = max(rest.items(), key=lambda pair: pair[1])
        ideas.append(f"outside the AI, its largest line is {service} {_usd(value)} ({value / max(cost, 1e-9):.0%} of it)")
    return ideas


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
