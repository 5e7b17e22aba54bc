"""The cost model's rules (zik_local/cost.py): DynamoDB's sizes and units, the log lines it reads, the price
file and the workload it is given, and pricing a usage. The run itself (make cost) is not a test."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from types import SimpleNamespace

import pytest

from zik_local import cost
from zik_local.cost import AIPricing, AIUse, Prices, Usage


def test_an_item_is_sized_as_dynamodb_counts_it() -> None:
    # names and values: "pk" 2 + "USER#1" 6; "n" 1 + 123 (3 digits: 2 bytes, and 1); "ok" 2 + 1
    assert cost.item_size({"pk": {"S": "USER#1"}, "n": {"N": "123"}, "ok": {"BOOL": True}}) == 8 + 4 + 3
    # a map: 3 bytes, each member 1 byte plus its name and value; a list: 3 bytes, each element 1 plus its value
    assert cost.attribute_value_size({"M": {"a": {"S": "xy"}}}) == 3 + 1 + 1 + 2
    assert cost.attribute_value_size({"L": [{"S": "é"}, {"NULL": True}]}) == 3 + (1 + 2) + (1 + 1)
    assert cost.attribute_value_size({"SS": ["ab", "c"]}) == 3
    assert cost.attribute_value_size({"B": "AAEC"}) == 3  # base64 of three bytes
    assert cost.item_size(None) == 0


def test_units_round_up_by_4_kb_read_and_1_kb_written() -> None:
    assert cost.read_units(0, consistent=True) == 1
    assert cost.read_units(4096, consistent=True) == 1
    assert cost.read_units(4097, consistent=True) == 2
    assert cost.read_units(4097, consistent=False) == 1  # eventually consistent: half
    assert cost.read_units(100, consistent=False) == 0.5
    assert cost.write_units(1) == 1
    assert cost.write_units(1025) == 2


class _Table(SimpleNamespace):
    pass


class _Backend:
    """Enough of moto's DynamoDB backend for the unit rules: one table with one global index, its items."""

    def __init__(self, items: dict[str, dict[str, dict[str, str]]]):
        self.items = items
        index = SimpleNamespace(schema=[{"AttributeName": "email", "KeyType": "HASH"}])
        self.table = _Table(hash_key_attr="pk", range_key_attr=None, global_indexes=[index])

    def get_table(self, name: str) -> _Table:
        return self.table

    def get_item(self, table_name: str, key: dict[str, dict[str, str]]) -> object | None:
        item = self.items.get(key["pk"]["S"])
        return SimpleNamespace(to_json=lambda: {"Attributes": item}) if item is not None else None


def _handler(items: dict[str, dict[str, dict[str, str]]]) -> SimpleNamespace:
    return SimpleNamespace(dynamodb_backend=_Backend(items))


def test_a_query_costs_its_items_summed_and_a_filter_does_not_make_it_cheaper() -> None:
    item = {"pk": {"S": "u"}, "text": {"S": "x" * 3000}}
    answer = {"Items": [item, item], "Count": 2, "ScannedCount": 4}
    reads, writes = cost._capacity(_handler({}), "Query", {"TableName": "t"}, answer, {})
    assert (reads, writes) == (cost.read_units(4 * cost.item_size(item), consistent=False), 0.0)
    assert reads == 1.5  # 12 KB read eventually consistent


def test_a_write_costs_the_larger_of_before_and_after_and_once_more_per_index_holding_it() -> None:
    stored = {"pk": {"S": "u"}, "email": {"S": "a@b.c"}, "bio": {"S": "y" * 2000}}
    handler = _handler({"u": stored})
    request = {"TableName": "t", "Key": {"pk": {"S": "u"}}}
    # the update shrank the item, but it replaced 2 KB: 2 units, and the email index holds it: twice
    before = {"size": cost.item_size(stored), "indexes": 1}
    handler.dynamodb_backend.items["u"] = {"pk": {"S": "u"}, "email": {"S": "a@b.c"}}
    assert cost._capacity(handler, "UpdateItem", request, {}, before) == (0.0, 4.0)


def test_a_transaction_costs_twice() -> None:
    handler = _handler({})
    request = {"TransactItems": [{"Put": {"TableName": "t", "Item": {"pk": {"S": "u"}, "v": {"S": "z"}}}}, {"ConditionCheck": {"TableName": "t"}}]}
    assert cost._capacity(handler, "TransactWriteItems", request, {}, {}) == (2.0, 2.0)


def test_control_calls_cost_nothing() -> None:
    assert cost._capacity(_handler({}), "DescribeTable", {"TableName": "t"}, {}, {}) == (0.0, 0.0)


def test_report_lines_are_billed_to_the_millisecond_init_included() -> None:
    assert cost.parse_report("REPORT RequestId: r1 Duration: 12.01 ms") == 13
    assert cost.parse_report("REPORT RequestId: r1 Duration: 12.00 ms Init Duration: 300.5 ms") == 12 + 301
    assert cost.parse_report("REPORT RequestId: r1 Duration: 3.2 ms Error: Sandbox.Timedout") == 4
    assert cost.parse_report("START RequestId: r1") is None
    # Lambda's own layout, with fields between
    lambda_line = (
        "REPORT RequestId: r1\tDuration: 1.50 ms\tBilled Duration: 2 ms\tMemory Size: 512 MB\tMax Memory Used: 80 MB\tInit Duration: 99.1 ms"
    )
    assert cost.parse_report(lambda_line) == 2 + 100


def test_the_gateways_accounting_line_is_read() -> None:
    line = json.dumps(
        {"level": "INFO", "message": "ai call", "ai": {"task": "quests.chat", "provider": "local", "input_tokens": 10, "output_tokens": 2}}
    )
    assert cost.parse_ai_call(line) == {"task": "quests.chat", "provider": "local", "input_tokens": 10, "output_tokens": 2}
    assert cost.parse_ai_call('{"message": "ai call budget", "ai": "no"}') is None
    assert cost.parse_ai_call("an ai call, not json") is None


def _chat_meter(memory: int, *providers: str) -> cost.Meter:
    """A meter during the quests feature that read one quests.chat call (7 tokens in, 3 out) per provider."""
    meter = cost.Meter()
    meter.memory = {"ChatFunction": memory}
    meter.feature = "quests"
    for provider in providers:
        call = {"task": "quests.chat", "provider": provider, "input_tokens": 7, "output_tokens": 3}
        meter.log_line("ChatFunction", json.dumps({"message": "ai call", "ai": call}))
    return meter


def test_a_meter_counts_a_functions_invocation_and_its_ai_call_for_the_feature_running() -> None:
    meter = _chat_meter(1024, "local")
    meter.log_line("ChatFunction", "REPORT RequestId: r Duration: 499.2 ms")
    meter.log_line("scheduler", "REPORT RequestId: r Duration: 1.0 ms")  # not a function's
    usage = meter.usage["quests"]
    assert usage.invocations == {"ChatFunction": 1}
    assert usage.gb_seconds == pytest.approx(0.5)
    assert usage.ai[("quests.chat", "local")] == AIUse(calls=1, input_tokens=7 + cost.tool_tokens("quests.chat"), output_tokens=3)
    assert meter.usage["platform"].lambda_invocations == 0


def test_a_meter_counts_events_messages_and_s3_tiers_and_skips_its_own_calls() -> None:
    meter = cost.Meter()
    meter.feature = "studio"

    def request(target: str = "", body: dict[str, object] | None = None, **extra: str) -> dict[str, object]:
        raw = json.dumps(body or {}).encode()
        return {
            "HTTP_AUTHORIZATION": f"AWS4-HMAC-SHA256 Credential=AKID/20261130/us-east-1/{extra.pop('service', 'events')}/aws4_request, Signature=x",
            "HTTP_X_AMZ_TARGET": target,
            "CONTENT_LENGTH": str(len(raw)),
            "wsgi.input": io.BytesIO(raw),
            **extra,
        }

    meter.aws_request(request("AWSEvents.PutEvents", {"Entries": [{}, {}]}))
    meter.aws_request(request("AmazonSQS.SendMessageBatch", {"QueueUrl": "http://q/jobs.fifo", "Entries": [{}, {}, {}]}, service="sqs"))
    meter.aws_request(request("AmazonSQS.SendMessage", {"QueueUrl": "http://q/work"}, service="sqs"))
    meter.aws_request(request(service="s3", REQUEST_METHOD="PUT", PATH_INFO="/bucket/key"))
    meter.aws_request(request(service="s3", REQUEST_METHOD="GET", PATH_INFO="/bucket/key"))
    meter.aws_request(request(service="s3", REQUEST_METHOD="GET", PATH_INFO="/bucket", QUERY_STRING="list-type=2"))
    meter.aws_request(request("AWSEvents.PutEvents", {"Entries": [{}]}, HTTP_USER_AGENT=f"Boto3/1 {cost.METER_AGENT}"))
    usage = meter.usage["studio"]
    assert (usage.events, usage.sqs_fifo_messages, usage.sqs_standard_messages) == (2, 3, 1)
    assert (usage.s3_tier1, usage.s3_tier2) == (2, 1)


def test_every_price_names_its_page_and_date_and_each_one_the_model_needs_is_there() -> None:
    prices = Prices.load()
    raw = json.loads(cost.PRICES.read_text(encoding="utf-8"))["prices"]
    for name, price in raw.items():
        assert price["source"].startswith("https://aws.amazon.com/"), name
        assert len(price["date"]) == 10, name
    usage = Usage(api_requests=1)
    assert set(cost.cost_by_service(usage, prices, AIPricing.from_template(prices))) == set(cost.SERVICES)


def test_a_price_without_its_source_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"prices": {"lambda.request": {"usd": 0.0000002, "per": "invocation"}}}), encoding="utf-8")
    with pytest.raises(ValueError, match="lacks"):
        Prices.load(path)


def test_a_usage_is_priced_by_service() -> None:
    prices = Prices({name: 1.0 for name in json.loads(cost.PRICES.read_text(encoding="utf-8"))["prices"]})
    usage = Usage(
        api_requests=3, read_units=2, write_units=1, events=4, sqs_standard_messages=1, transitions=5, s3_tier1=1, s3_tier2=2, gb_seconds=0.5
    )
    usage.invocations["F"] = 2
    usage.ai[("quests.chat", "local")] = AIUse(calls=1, input_tokens=2000, output_tokens=1000)
    usage.ai[("studio.tryon", "local")] = AIUse(calls=1, images=1)
    costs = cost.cost_by_service(usage, prices, AIPricing(prices, "nova-micro"), storage_bytes=1024**3)
    assert costs["Lambda"] == 0.5 + 2
    assert costs["API Gateway"] == 3
    assert costs["DynamoDB"] == 2 + 1 + 1  # reads, writes, a GB-month
    assert costs["SQS"] == 3  # send, receive, delete
    assert costs["Step Functions"] == 5
    assert costs["S3"] == 3
    assert costs["Bedrock"] == 2 + 1 + 1  # 2k tokens in, 1k out, an image


def test_usages_add_and_scale() -> None:
    one = Usage(api_requests=2, write_units=1.5)
    one.invocations["F"] = 1
    one.ai[("t", "p")] = AIUse(calls=1, input_tokens=10)
    both = one + one
    assert (both.api_requests, both.write_units, both.invocations["F"], both.ai[("t", "p")].input_tokens) == (4, 3.0, 2, 20)
    month = one.scaled(30)
    assert (month.api_requests, month.invocations["F"], month.ai[("t", "p")].calls) == (60, 30, 30)


def test_the_seed_workload_is_priced_at_the_measured_means() -> None:
    prices = Prices(
        {name: 0.0 for name in json.loads(cost.PRICES.read_text(encoding="utf-8"))["prices"]}
        | {"apigateway.rest.request": 1e-6, "lambda.request": 1e-6}
    )
    usage = Usage(api_requests=10, gb_seconds=1.0)
    usage.invocations["F"] = 10
    usage.ai[("t", "local")] = AIUse(calls=1, input_tokens=1, output_tokens=1)
    ai = AIPricing(prices, "claude-haiku-5-5")
    seed = cost.seed_workload(usage, prices, ai)
    assert seed.api_usd == pytest.approx(1.0)
    assert seed.lambda_usd == pytest.approx(0.5)
    with pytest.raises(cost.CostError):
        cost.seed_workload(Usage(), prices, ai)


def test_the_seed_workloads_ai_is_the_mean_text_call_with_and_without_the_savings() -> None:
    prices = Prices.load()
    usage = Usage(api_requests=1, gb_seconds=1.0)
    usage.invocations["F"] = 1
    usage.ai[("journal.insight", "local")] = AIUse(calls=2, input_tokens=2000, output_tokens=200)
    usage.ai[("studio.tryon", "local")] = AIUse(calls=5, images=5)  # images are not the seed's AI requests
    ai = AIPricing(prices, "claude-haiku-5-5", {"journal.insight": "nova-micro"})
    seed = cost.seed_workload(usage, prices, ai)
    assert seed.ai_usd == pytest.approx(cost.SEED_AI_REQUESTS * (2 * 0.000035 + 0.2 * 0.00014) / 2)
    # before: on Claude Haiku 5.5, whose tokenizer counts the same text as 1.3 times the tokens
    assert seed.ai_usd_before == pytest.approx(cost.SEED_AI_REQUESTS * 1.3 * (2 * 0.0001 + 0.2 * 0.0005) / 2)


def test_a_schedule_fires_its_expressions_number_of_times_in_a_month() -> None:
    assert cost.fires_per_month("rate(1 hour)") in (719, 720)
    assert cost.fires_per_month("cron(5 0 * * ? *)") == 30


def test_the_workload_states_a_reason_for_every_figure(tmp_path: Path) -> None:
    workload = cost.load_workload()
    assert set(cost.FEATURES) <= set(workload)
    assert workload["run"]["days"] == 30
    bare = tmp_path / "bare.toml"
    bare.write_text(cost.WORKLOAD.read_text(encoding="utf-8") + "\n[extra]\nfigure = 3\n", encoding="utf-8")
    with pytest.raises(ValueError, match="without its reason"):
        cost.load_workload(bare)


def test_monthly_figures_are_prorated_to_the_days_run() -> None:
    assert cost.monthly(8, 30) == 8
    assert cost.monthly(8, 7) == 2
    assert cost.monthly(1, 7) == 0


def test_a_local_call_is_counted_with_the_tool_a_model_would_be_sent() -> None:
    meter = _chat_meter(512, "local", "bedrock")
    assert cost.tool_tokens("quests.chat") > cost.TOOL_USE_SYSTEM_TOKENS  # its schema is not empty
    assert meter.usage["quests"].ai[("quests.chat", "local")].input_tokens == 7 + cost.tool_tokens("quests.chat")
    assert meter.usage["quests"].ai[("quests.chat", "bedrock")].input_tokens == 7  # a vendor's own count is whole


def test_an_ai_task_is_priced_on_its_own_model_and_images_by_the_image() -> None:
    prices = Prices.load()
    ai = AIPricing(prices, "claude-haiku-5-5", {"career.match": "nova-micro"})
    text = AIUse(calls=1, input_tokens=1000, output_tokens=1000)
    # Claude Haiku 5.5 bills 1.3 times the tokens four characters a token counts
    assert ai.cost("quests.plan", text) == pytest.approx(1.3 * (0.0001 + 0.0005))
    assert ai.cost("career.match", text) == pytest.approx(0.000035 + 0.00014)
    assert ai.cost("quests.plan", text, model="nova-micro") == pytest.approx(0.000035 + 0.00014)
    assert ai.without_savings().cost("career.match", text) == pytest.approx(1.3 * (0.0001 + 0.0005))
    assert ai.cost("studio.tryon", AIUse(calls=2, images=2)) == pytest.approx(0.14)  # Stability's Search and Replace


def test_a_vendors_token_count_is_the_models_own() -> None:
    ai = AIPricing(Prices.load(), "claude-haiku-5-5")
    text = AIUse(calls=1, input_tokens=1000, output_tokens=1000)
    assert ai.cost("quests.plan", text, provider="bedrock") == pytest.approx(0.0001 + 0.0005)
    assert ai.tokens("quests.plan", 1000) == pytest.approx(1300)


def test_the_template_says_which_model_answers_each_task() -> None:
    ai = AIPricing.from_template(Prices.load())
    assert ai.default_model == "claude-haiku-5-5"
    assert ai.model("quests.chat") == "claude-haiku-5-5"
    assert {ai.model(task) for task in ("journal.insight", "career.match", "career.market")} == {"nova-micro"}
    assert ai.image_model == "stable-image-search-replace"
    assert cost.price_name("us.anthropic.claude-haiku-5-5") == "claude-haiku-5-5"
    assert cost.price_name("us.stability.stable-image-search-replace-v1:0", image=True) == "stable-image-search-replace"
    # the models that reached their end of life have no prices: a template naming one fails make cost
    for gone in ("anthropic.claude-3-5-haiku-20241022-v1:0", "anthropic.claude-3-haiku-20240307-v1:0"):
        with pytest.raises(cost.CostError, match="no prices"):
            cost.price_name(gone)
    with pytest.raises(cost.CostError, match="IMAGE_MODEL_PRICES"):
        cost.price_name("amazon.nova-canvas-v1:0", image=True)


def test_the_template_names_one_image_model() -> None:
    edit = {"Properties": {"Environment": {"Variables": {"BEDROCK_IMAGE_MODEL_ID": "us.stability.stable-image-search-replace-v1:0"}}}}
    assert cost.image_model_id({"Resources": {"Edit": edit, "Other": {"Properties": {}}}}) == "us.stability.stable-image-search-replace-v1:0"
    with pytest.raises(cost.CostError, match="one BEDROCK_IMAGE_MODEL_ID"):
        cost.image_model_id({"Resources": {}})


def test_the_models_priced_as_caching_are_the_ones_the_provider_sends_a_cache_checkpoint() -> None:
    from zik.ai.providers.bedrock import cache_minimum_tokens

    for prefix, name in cost.MODEL_PRICES:
        model = f"{prefix}v1:0" if prefix.endswith("-") else prefix
        assert cache_minimum_tokens(model) == cost.CACHE_MIN_TOKENS.get(name), name


def test_a_calls_cache_hit_is_another_call_within_the_ttl_before_it() -> None:
    assert cost.cache_hit_share(0) == 0
    # 20,000 calls over 30 days of 16 hours: 0.69 a minute, another within 5 minutes 97% of the time
    assert cost.cache_hit_share(20_000) == pytest.approx(1 - math.exp(-20_000 / (30 * 16 * 60) * 5))
    assert 0.96 < cost.cache_hit_share(20_000) < 0.98
    assert cost.cache_hit_share(300) < 0.1  # a rare task mostly writes the cache


def test_a_shared_prefix_long_enough_is_read_from_the_cache_at_its_hit_share() -> None:
    prices = Prices.load()
    ai = AIPricing(prices, "claude-haiku-5-5")
    # 3,200 tokens a call as counted, 4,160 as Claude Haiku 5.5 counts them: over its 4,096-token minimum
    chat = AIUse(calls=20_000, input_tokens=20_000 * 4000, output_tokens=20_000 * 60, prefix_tokens=20_000 * 3200)
    hit = cost.cache_hit_share(20_000)
    plain, read, write = ai.cached("quests.chat", chat)
    assert (plain, read, write) == pytest.approx((1.3 * 20_000 * 800, 1.3 * 20_000 * 3200 * hit, 1.3 * 20_000 * 3200 * (1 - hit)))
    expected = (plain * 0.0001 + read * 0.00001 + write * 0.000125 + 1.3 * chat.output_tokens * 0.0005) / 1000
    assert ai.cost("quests.chat", chat) == pytest.approx(expected)
    assert ai.cost("quests.chat", chat) < 0.4 * ai.without_savings().cost("quests.chat", chat)
    # under the model's minimum nothing is cached (3,000 counted, 3,900 its own); nor on a model sent no checkpoint
    short = AIUse(calls=20_000, input_tokens=20_000 * 4000, output_tokens=0, prefix_tokens=20_000 * 3000)
    assert ai.cached("quests.chat", short) == pytest.approx((1.3 * short.input_tokens, 0, 0))
    assert AIPricing(prices, "nova-micro").cached("quests.chat", chat) == (chat.input_tokens, 0, 0)


def test_a_vendors_own_cache_counts_are_priced_as_they_came() -> None:
    ai = AIPricing(Prices.load(), "claude-haiku-5-5")
    use = AIUse(calls=1, input_tokens=100, output_tokens=10, cache_read_tokens=2000, cache_write_tokens=0)
    assert ai.cost("quests.chat", use, provider="bedrock") == pytest.approx((100 * 0.0001 + 2000 * 0.00001 + 10 * 0.0005) / 1000)


def test_a_tasks_shared_prefix_is_its_tool_and_a_system_prompt_without_fields() -> None:
    chat = cost.prefix_tokens("quests.chat", "quests.chat.v3")
    system = (cost.AI_PROMPTS / "quests.chat.v3.md").read_text(encoding="utf-8").split("[user]")[0].removeprefix("[system]").strip()
    assert chat == cost.tool_tokens("quests.chat") + len(system) // 4
    assert cost.prefix_tokens("quests.coach", "quests.coach.v2") == 0  # its system prompt holds $today: nothing shared
    assert cost.prefix_tokens("quests.chat", "quests.chat.v0") == 0  # no such prompt file


def test_a_meter_counts_a_local_calls_shared_prefix_and_a_vendors_cache() -> None:
    meter = cost.Meter()
    meter.memory = {"ChatFunction": 512}
    meter.feature = "quests"
    line = {"task": "quests.chat", "provider": "local", "input_tokens": 2000, "output_tokens": 3, "prompt_version": "quests.chat.v3"}
    meter.log_line("ChatFunction", json.dumps({"message": "ai call", "ai": line}))
    vendor = line | {"provider": "bedrock", "input_tokens": 300, "cache_read_tokens": 2100, "cache_write_tokens": 0}
    meter.log_line("ChatFunction", json.dumps({"message": "ai call", "ai": vendor}))
    usage = meter.usage["quests"]
    assert usage.ai[("quests.chat", "local")].prefix_tokens == cost.prefix_tokens("quests.chat", "quests.chat.v3")
    assert usage.ai[("quests.chat", "bedrock")] == AIUse(calls=1, input_tokens=300, output_tokens=3, cache_read_tokens=2100)


def test_what_would_halve_a_feature_is_computed() -> None:
    prices = Prices.load()
    ai = AIPricing(prices, "claude-haiku-5-5")
    studio = Usage()
    studio.ai[("studio.tryon", "local")] = AIUse(calls=3000, images=3000)
    costs = {"Bedrock": 210.0, "Step Functions": 0.2}
    [images, rest] = cost.halving(210.2, costs, studio, ai)
    assert "3,000 images at $0.07 = $210.00. Halved by paying for at most 1,498 of them" in images  # 1,502 images' $105.14 unpaid
    assert "Step Functions $0.20" in rest
    journal = Usage()
    journal.ai[("journal.insight", "local")] = AIUse(calls=17_000, input_tokens=29_000_000, output_tokens=980_000, prefix_tokens=17_000 * 1600)
    now = ai.cost("journal.insight", journal.ai[("journal.insight", "local")])
    assert now == pytest.approx(1.3 * (29_000 * 0.0001 + 980 * 0.0005))  # $4.41
    ideas = cost.halving(now + 0.18, {"Bedrock": now, "DynamoDB": 0.18}, journal, ai)
    assert ideas[0].startswith("journal.insight on nova-micro: $4.41 -> $1.15 (halves it)")
    assert ideas[1].startswith("journal.insight on nova-lite: $4.41 -> $1.98 (halves it)")
    assert "2,080 tokens a call, under claude-haiku-5-5's 4,096-token cache minimum" in ideas[2]
