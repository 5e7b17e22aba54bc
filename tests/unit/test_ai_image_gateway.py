"""Image tasks through the gateway (Gateway.edit) with the text tasks' machinery: providers in order with
fallback, an image the task's check refuses counted as a failure, the user's daily budget in the
template's AITable (moto), the invocation's deadline, and the accounting of every call, billed per image."""

from __future__ import annotations

import base64
import copy
import io
import json
import time
from typing import Any

import boto3
import httpx2
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber
from PIL import Image
from template_tables import template_table_properties

from zik.ai import gateway as gateway_module
from zik.ai.budget import DailyBudget
from zik.ai.errors import AIBudgetExceeded, AIUnavailable
from zik.ai.gateway import Gateway
from zik.ai.providers.bedrock_image import BedrockImage
from zik.ai.providers.gemini_api import GeminiAPI
from zik.ai.providers.local import LocalImage
from zik.observability import within_deadline
from zik.principal import Principal
from zik.studio import hairstyles, tryon_ai
from zik.studio.tryon_offline import NoFace

# The tests marked clock count today's budget (a UTC day): make dates runs them at every moved instant (see
# tests/unit/conftest.py); they hold their calls to one UTC day (same_day), as a day's budget is counted.
pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")

ALICE = Principal(user_id="alice-sub", tenant_id="default")
STABILITY = "us.stability.stable-image-search-replace-v1:0"
DATA = tryon_ai.prompt_data(hairstyles.hairstyle("classic-bob"), "platinum")


def picture(size=(640, 480), color=(150, 110, 90), fmt="JPEG", exif: bytes | None = None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, color)
    image.save(out, format=fmt, **({"exif": exif} if exif else {}))
    return out.getvalue()


PHOTO = picture()


def stability_png(color=(10, 200, 30)) -> dict[str, Any]:
    image = base64.b64encode(picture((640, 480), color, "PNG")).decode()
    raw = json.dumps({"seeds": [1], "finish_reasons": [None], "images": [image]}).encode()
    return {"body": StreamingBody(io.BytesIO(raw), len(raw)), "contentType": "application/json"}


class Wire:
    def __init__(self, *answers: httpx2.Response):
        self.answers = list(answers)
        self.sent = 0

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.sent += 1
        return self.answers.pop(0)

    def client(self) -> httpx2.Client:
        return httpx2.Client(transport=httpx2.MockTransport(self))


def gemini_image(data: bytes, mime: str = "image/png") -> httpx2.Response:
    return httpx2.Response(
        200,
        json={
            "candidates": [
                {
                    "content": {"role": "model", "parts": [{"inlineData": {"mimeType": mime, "data": base64.b64encode(data).decode()}}]},
                    "finishReason": "STOP",
                }
            ],
            "usageMetadata": {"promptTokenCount": 1300, "candidatesTokenCount": 1290, "totalTokenCount": 2590},
            "modelVersion": "gemini-2.5-flash-image",
        },
    )


class Painted:
    """A local image provider with an edit that answers at once (the real offline try-on is tested in
    test_studio_tryon_ai): paints the photo one colour, or refuses it as the offline edit does."""

    name = "local"
    model = "offline-edit-v1"
    offline = True

    def __init__(self, refuse: Exception | None = None):
        self.refuse = refuse
        self.calls = 0

    def edit(self, request, *, timeout=None):
        from zik.ai.images import ImageCompletion

        self.calls += 1
        if self.refuse:
            raise self.refuse
        return ImageCompletion(picture((640, 480), (1, 2, 3)), "image/jpeg", self.model)


@pytest.fixture
def stability():
    client = boto3.client("bedrock-runtime", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stubber:
        yield BedrockImage(STABILITY, client=client), stubber


@pytest.fixture(autouse=True)
def _gemini_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "gm-secret-DO-NOT-LOG")


@pytest.fixture
def budget(aws) -> DailyBudget:
    boto3.client("dynamodb").create_table(TableName="test-ai", **template_table_properties("AITable"))
    return DailyBudget("test-ai")


def calls(log_records) -> list[dict[str, Any]]:
    return [r["ai"] for r in log_records() if r.get("message") == "ai call"]


def color_of(jpeg: bytes) -> tuple[int, ...]:
    with Image.open(io.BytesIO(jpeg)) as image:
        assert image.format == "JPEG" and not image.info.get("exif")
        return image.convert("RGB").getpixel((320, 240))


# -- fallback, check, accounting ------------------------------------------------------------------------
def test_providers_are_tried_in_order_and_the_answer_is_the_checked_jpeg(stability, log_records) -> None:
    provider, stubber = stability
    stubber.add_client_error("invoke_model", service_error_code="ThrottlingException", http_status_code=429)
    wire = Wire(gemini_image(picture((512, 512), (200, 40, 40), "PNG")))
    local = Painted()
    gateway = Gateway([], image_providers=[provider, GeminiAPI("gemini-2.5-flash-image", http_client=wire.client()), local])

    edited = gateway.edit("studio.tryon", PHOTO, DATA)

    assert (edited.provider, edited.model) == ("gemini", "gemini-2.5-flash-image")
    assert max(abs(a - b) for a, b in zip(color_of(edited.data), (200, 40, 40))) < 6  # the PNG, now a clean JPEG
    assert wire.sent == 1 and local.calls == 0
    lines = log_records()  # read once: it takes what was printed
    records = [r["ai"] for r in lines if r.get("message") == "ai call"]
    assert [(c["provider"], c["outcome"], c["images"]) for c in records] == [("bedrock", "throttled", 0), ("gemini", "ok", 1)]
    assert records[1]["cost_usd"] == pytest.approx(1300 * 0.30 / 1e6 + 0.039)
    assert records[1]["prompt_version"] == "studio.tryon.v1"
    text = json.dumps(lines)
    assert "gm-secret" not in text and "Classic bob" not in text  # no key, no prompt in logs or metrics
    metrics = [r for r in lines if "_aws" in r]
    assert any(r.get("AIImages") in (1.0, [1.0]) and r.get("Provider") == "gemini" for r in metrics)
    assert any(r.get("AIProviderFailures") in (1.0, [1.0]) and r.get("Provider") == "bedrock" for r in metrics)


def test_stability_is_billed_per_image(stability, log_records) -> None:
    provider, stubber = stability
    stubber.add_response("invoke_model", stability_png())

    edited = Gateway([], image_providers=[provider]).edit("studio.tryon", PHOTO, DATA)

    assert (edited.provider, edited.model) == ("bedrock", STABILITY)
    [record] = calls(log_records)
    assert (record["outcome"], record["images"], record["cost_usd"]) == ("ok", 1, 0.07)


def test_an_image_the_check_refuses_is_a_failure_and_the_next_provider_answers(stability, log_records) -> None:
    provider, stubber = stability
    not_an_image = base64.b64encode(b"%PDF-1.7 not a picture").decode()
    raw = json.dumps({"images": [not_an_image]}).encode()
    stubber.add_response("invoke_model", {"body": StreamingBody(io.BytesIO(raw), len(raw)), "contentType": "application/json"})

    edited = Gateway([], image_providers=[provider, Painted()]).edit("studio.tryon", PHOTO, DATA)

    assert edited.provider == "local"
    assert [(c["provider"], c["outcome"]) for c in calls(log_records)] == [("bedrock", "invalid"), ("local", "ok")]


def test_when_every_provider_fails_the_call_is_unavailable_and_given_back(stability, budget, log_records) -> None:
    provider, stubber = stability
    stubber.add_client_error("invoke_model", service_error_code="ServiceUnavailableException", http_status_code=503)
    wire = Wire(httpx2.Response(500, json={"error": {"code": 500, "message": "x", "status": "INTERNAL"}}))
    gateway = Gateway([], budget=budget, image_providers=[provider, GeminiAPI("gemini-2.5-flash-image", http_client=wire.client())])

    with pytest.raises(AIUnavailable) as unavailable:
        gateway.edit("studio.tryon", PHOTO, DATA, owner=ALICE)

    assert [a["provider"] for a in unavailable.value.attempts] == ["bedrock", "gemini"]
    assert unavailable.value.status == 503 and unavailable.value.details["retryable"]
    assert budget.usage(ALICE, tryon_ai.TRYON)["calls"] == 0
    assert any(r.get("AIUnavailable") in (1.0, [1.0]) for r in log_records())


# -- budget -------------------------------------------------------------------------------------------
@pytest.mark.clock
def test_the_daily_try_on_budget_is_counted_and_then_refused(budget, same_day) -> None:
    same_day(minutes=1, zone="UTC")  # the budget counts a UTC day
    gateway = Gateway([], budget=budget, image_providers=[Painted()])
    limited = DailyBudget(budget.table_name, overrides={"studio.tryon": {"calls": 2}})
    gateway.budget = limited

    for _ in range(2):
        gateway.edit("studio.tryon", PHOTO, DATA, owner=ALICE)
    with pytest.raises(AIBudgetExceeded) as spent:
        gateway.edit("studio.tryon", PHOTO, DATA, owner=ALICE)

    assert spent.value.status == 429 and "resetsAt" in spent.value.details
    assert limited.usage(ALICE, tryon_ai.TRYON)["calls"] == 2
    # A backstop behind the workflow's quota (TRYON_DAILY_LIMIT, 20 by default): twice it, unless AI_BUDGETS says otherwise.
    assert tryon_ai.TRYON.daily_calls == 2 * 20


def test_a_refusal_of_the_offline_edit_is_the_callers_answer_and_costs_no_try_on(budget) -> None:
    gateway = Gateway([], budget=budget, image_providers=[Painted(refuse=NoFace("no face was found in the photo", field="photo"))])

    with pytest.raises(NoFace):
        gateway.edit("studio.tryon", PHOTO, DATA, owner=ALICE)

    assert budget.usage(ALICE, tryon_ai.TRYON)["calls"] == 0


def test_bad_data_is_refused_before_the_budget_or_a_provider(budget) -> None:
    local = Painted()
    gateway = Gateway([], budget=budget, image_providers=[local])

    with pytest.raises(ValueError, match="colorHex"):
        gateway.edit("studio.tryon", PHOTO, {**DATA, "colorHex": "red"}, owner=ALICE)

    assert local.calls == 0 and budget.usage(ALICE, tryon_ai.TRYON)["calls"] == 0


def test_text_and_image_tasks_are_not_mixed_up(digest_task) -> None:
    gateway = Gateway([], image_providers=[Painted()])

    with pytest.raises(ValueError, match="image task"):
        gateway.run("studio.tryon", DATA)
    with pytest.raises(ValueError, match="not an image task"):
        gateway.edit("tests.digest", PHOTO, {"text": "x", "length": 1})


# -- deadline -----------------------------------------------------------------------------------------
def countdown(context: Any, seconds: float) -> Any:
    ends = time.monotonic() + seconds
    context = copy.copy(context)
    context.get_remaining_time_in_millis = lambda: max(0, int((ends - time.monotonic()) * 1000))
    return context


def test_with_too_little_time_left_the_models_are_skipped_and_the_offline_edit_answers(stability, lambda_context) -> None:
    provider, stubber = stability  # nothing stubbed: a call would fail the test
    wire = Wire()
    gateway = Gateway([], image_providers=[provider, GeminiAPI("gemini-2.5-flash-image", http_client=wire.client()), Painted()])

    with within_deadline({}, countdown(lambda_context, 6)):  # 4 s for the AI once the 2 s margin is kept
        edited = gateway.edit("studio.tryon", PHOTO, DATA)

    assert edited.provider == "local" and wire.sent == 0


# -- which providers ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "image", "expected"),
    [
        ("bedrock,anthropic,openai", None, ["bedrock", "gemini"]),
        ("local", None, ["local"]),
        ("anthropic,local", None, ["bedrock", "gemini", "local"]),
        ("bedrock,anthropic,openai", "gemini,local", ["gemini", "local"]),
    ],
)
def test_image_providers_follow_ai_providers_unless_named(monkeypatch: pytest.MonkeyPatch, text, image, expected) -> None:
    if image is None:
        monkeypatch.delenv("AI_IMAGE_PROVIDERS", raising=False)
    else:
        monkeypatch.setenv("AI_IMAGE_PROVIDERS", image)

    assert gateway_module.image_provider_names(text.split(",")) == expected


def test_the_gateway_from_the_environment_has_the_image_providers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AI_PROVIDERS", "local")
    monkeypatch.setenv("AI_TABLE", "test-ai")
    monkeypatch.delenv("AI_IMAGE_PROVIDERS", raising=False)

    gateway = Gateway.from_environment()

    assert [type(p) for p in gateway.image_providers] == [LocalImage]
