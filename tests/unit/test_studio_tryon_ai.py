"""zik.studio.tryon_ai.try_on: the studio's try-on through the AI gateway's studio.tryon task, on the
process's gateway from the environment (AI_PROVIDERS=local: the real offline edit) and on one whose first
provider is Nova Canvas (botocore's Stubber): a clean JPEG out whoever made it, the library's refusals
before anything is counted, no face a 422 that costs no try-on, the daily budget a 429."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber
from PIL import Image
from template_tables import template_table_properties

import zik.ai
from zik.ai.budget import DailyBudget
from zik.ai.errors import AIBudgetExceeded
from zik.ai.gateway import Gateway
from zik.ai.providers.bedrock_image import BedrockImage
from zik.principal import Principal
from zik.studio import hairstyles, images, tryon_ai
from zik.studio.tryon_offline import NoFace

# The tests marked clock count today's budget (a UTC day): make dates runs them at every moved instant (see
# tests/unit/conftest.py); they hold their calls to one UTC day (same_day), as a day's budget is counted.
pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "studio"
PORTRAIT = (FIXTURES / "astronaut.jpg").read_bytes()
LANDSCAPE = (FIXTURES / "rocket.jpg").read_bytes()
ALICE = Principal(user_id="alice-sub", tenant_id="default")


@pytest.fixture
def local_ai(aws, monkeypatch: pytest.MonkeyPatch) -> DailyBudget:
    boto3.client("dynamodb").create_table(TableName="test-ai", **template_table_properties("AITable"))
    monkeypatch.setenv("AI_PROVIDERS", "local")
    monkeypatch.delenv("AI_IMAGE_PROVIDERS", raising=False)
    monkeypatch.setenv("AI_TABLE", "test-ai")
    zik.ai.reset()
    yield DailyBudget("test-ai")
    zik.ai.reset()


@pytest.mark.clock
def test_the_offline_try_on_answers_a_clean_jpeg_and_counts_one_try_on(local_ai, same_day) -> None:
    same_day(minutes=1, zone="UTC")  # the budget counts a UTC day
    result = tryon_ai.try_on(PORTRAIT, "classic-bob", "platinum", user_id="alice-sub")

    assert (result.provider, result.model) == ("local", "offline-edit-v1")
    with Image.open(io.BytesIO(result.data)) as image:
        assert image.format == "JPEG" and image.size == (512, 512)
        assert not image.info.get("exif") and not image.getexif()
    assert local_ai.usage(ALICE, tryon_ai.TRYON)["calls"] == 1


def test_no_face_is_a_422_that_costs_no_try_on(local_ai) -> None:
    with pytest.raises(NoFace) as refused:
        tryon_ai.try_on(LANDSCAPE, "classic-bob", None, user_id="alice-sub")

    assert (refused.value.status, refused.value.code) == (422, "no_face")
    assert local_ai.usage(ALICE, tryon_ai.TRYON)["calls"] == 0


@pytest.mark.parametrize(
    ("photo", "style", "color", "refusal", "field"),
    [
        (PORTRAIT, "no-such-style", None, hairstyles.HairstyleNotFound, "hairstyleId"),
        (PORTRAIT, "classic-bob", "not a colour", hairstyles.InvalidColor, "color"),
        (b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "classic-bob", None, images.UnsupportedImage, "photo"),
        (b"", "classic-bob", None, images.EmptyImage, "photo"),
    ],
)
def test_bad_input_is_refused_before_a_try_on_is_counted(local_ai, photo, style, color, refusal, field) -> None:
    with pytest.raises(refusal) as refused:
        tryon_ai.try_on(photo, style, color, user_id="alice-sub")

    assert refused.value.field == field
    assert local_ai.usage(ALICE, tryon_ai.TRYON)["calls"] == 0


@pytest.mark.clock
def test_over_the_days_try_ons_is_a_429_saying_when_it_resets(local_ai, monkeypatch: pytest.MonkeyPatch, same_day) -> None:
    same_day(minutes=1, zone="UTC")  # the budget counts a UTC day
    monkeypatch.setenv("AI_BUDGETS", json.dumps({"studio.tryon": {"calls": 1}}))
    zik.ai.reset()
    tryon_ai.try_on(PORTRAIT, "pixie-cut", None, user_id="alice-sub")

    with pytest.raises(AIBudgetExceeded) as spent:
        tryon_ai.try_on(PORTRAIT, "pixie-cut", None, user_id="alice-sub")

    assert spent.value.status == 429 and spent.value.details["task"] == "studio.tryon" and spent.value.details["resetsAt"].endswith("Z")


@pytest.mark.clock
def test_a_models_image_leaves_as_a_clean_jpeg_with_no_metadata(local_ai, monkeypatch: pytest.MonkeyPatch, same_day) -> None:
    same_day(minutes=1, zone="UTC")  # the budget counts a UTC day
    exif = Image.Exif()
    exif[0x010F] = "NovaCam"  # Make: metadata that must not survive
    made = io.BytesIO()
    Image.new("RGB", (512, 512), (230, 220, 40)).save(made, format="PNG", exif=exif)
    raw = json.dumps({"images": [base64.b64encode(made.getvalue()).decode()]}).encode()
    client = boto3.client("bedrock-runtime", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stubber:
        stubber.add_response("invoke_model", {"body": StreamingBody(io.BytesIO(raw), len(raw)), "contentType": "application/json"})
        monkeypatch.setattr(
            zik.ai, "_gateway", Gateway([], budget=local_ai, image_providers=[BedrockImage("amazon.nova-canvas-v1:0", client=client)])
        )

        result = tryon_ai.try_on(PORTRAIT, "long-straight", "copper", user_id="alice-sub")

    assert (result.provider, result.model) == ("bedrock", "amazon.nova-canvas-v1:0")
    assert result.data.startswith(b"\xff\xd8") and b"NovaCam" not in result.data and b"Exif" not in result.data
    assert local_ai.usage(ALICE, tryon_ai.TRYON)["calls"] == 1


def test_the_prompt_names_the_style_and_its_colour() -> None:
    style = hairstyles.hairstyle("classic-bob")

    named = tryon_ai.prompt_data(style, "platinum")
    any_hex = tryon_ai.prompt_data(style, "#123abc")

    assert named["colorName"] == "Platinum" and named["colorHex"].startswith("#")
    assert (any_hex["colorName"], any_hex["colorHex"]) == ("#123ABC", "#123ABC")
    prompt = tryon_ai.TRYON.render(named)
    assert prompt.user.startswith("Classic bob: a medium, straight hairstyle in Platinum hair colour")
    assert style["description"] in prompt.user
