"""The image providers through their real clients: Stability's Search and Replace through botocore's Stubber on
a real bedrock-runtime client, Gemini through google-genai with an httpx2 mock transport (the SDK builds and
reads the real wire format; nothing leaves the process)."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import boto3
import httpx2
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber
from PIL import Image

from zik.ai import images
from zik.ai.errors import ProviderFailure, ProviderNotConfigured
from zik.ai.images import ImageRequest
from zik.ai.providers.bedrock_image import DEFAULT_MODEL, FIT, BedrockImage
from zik.ai.providers.gemini_api import GeminiAPI
from zik.studio import tryon_ai

STABILITY = "us.stability.stable-image-search-replace-v1:0"
KEY = "gm-test-0123456789abcdef"


def picture(size: tuple[int, int], color: tuple[int, int, int] = (120, 80, 60), fmt: str = "JPEG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt)
    return out.getvalue()


def size_of(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


@pytest.fixture
def request_() -> ImageRequest:
    task = tryon_ai.TRYON
    data = tryon_ai.prompt_data(tryon_ai.hairstyles.hairstyle("classic-bob"), "platinum")
    return ImageRequest(task, task.render(data), picture((600, 800)), data)


# -- Stability's Search and Replace on Bedrock ---------------------------------------------------------
def stability_answer(document: dict[str, Any]) -> dict[str, Any]:
    raw = json.dumps(document).encode()
    return {"body": StreamingBody(io.BytesIO(raw), len(raw)), "contentType": "application/json"}


@pytest.fixture
def stability():
    client = boto3.client("bedrock-runtime", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stubber:
        yield BedrockImage(STABILITY, client=client), stubber
        stubber.assert_no_pending_responses()


def test_the_default_image_model_is_the_one_the_template_deploys() -> None:
    from pathlib import Path

    template = (Path(__file__).resolve().parents[2] / "template.yaml").read_text(encoding="utf-8")
    assert f"BEDROCK_IMAGE_MODEL_ID: {DEFAULT_MODEL}" in template
    assert DEFAULT_MODEL == STABILITY


def test_stability_replaces_the_hair_from_the_hairstyles_prompt(stability, request_) -> None:
    provider, stubber = stability
    made = picture((592, 800), (200, 190, 180), "PNG")
    body = provider.body(request_)
    stubber.add_response(
        "invoke_model",
        stability_answer({"seeds": [1], "finish_reasons": [None], "images": [base64.b64encode(made).decode()]}),
        {"modelId": STABILITY, "body": json.dumps(body), "contentType": "application/json", "accept": "application/json"},
    )

    completion = provider.edit(request_)

    assert (completion.data, completion.content_type, completion.model, completion.images) == (made, "image/png", STABILITY, 1)
    assert set(body) == {"image", "search_prompt", "prompt", "negative_prompt", "seed", "output_format"}
    assert body["search_prompt"] == "hair"
    assert body["prompt"].startswith("Classic bob: a medium, straight hairstyle in Platinum hair colour (#")
    assert "watermark" in body["negative_prompt"]
    # The task's seed 0 is sent as 1: Stability would read 0 as a random seed, and the same try-on must give the same picture.
    assert (body["seed"], body["output_format"]) == (1, "png")
    # The 600 x 800 photo, its sides cut to multiples of 16, as a lossless PNG.
    sent = base64.b64decode(body["image"])
    assert sent.startswith(b"\x89PNG") and size_of(sent) == (592, 800)


@pytest.mark.parametrize(
    ("size", "expected"),
    [((512, 512), (512, 512)), ((4000, 3000), (1168, 880)), ((40, 60), (64, 96)), ((1000, 2400), (656, 1584))],
)
def test_a_photo_is_fitted_to_the_sizes_the_model_takes_within_a_megapixel(size, expected) -> None:
    fitted = images.fit(picture(size), **FIT)

    assert (fitted.width, fitted.height) == expected == size_of(fitted.data)
    assert fitted.width % 16 == 0 and fitted.height % 16 == 0 and fitted.width * fitted.height <= 1024 * 1024


def test_a_photo_narrower_than_2_5_to_1_is_refused_before_any_call(stability, request_) -> None:
    provider, _ = stability
    narrow = ImageRequest(request_.task, request_.prompt, picture((300, 1000)), request_.data)

    with pytest.raises(ProviderFailure, match="too narrow") as failure:
        provider.edit(narrow)
    assert failure.value.kind == "rejected"


@pytest.mark.parametrize(
    ("document", "kind", "reason"),
    [
        ({"seeds": [1], "finish_reasons": ["Filter reason: output image"], "images": []}, "rejected", "content filter refused the image"),
        ({"seeds": [1], "finish_reasons": ["Something else went wrong"], "images": []}, "rejected", "finished without an image"),
        ({"seeds": [1], "finish_reasons": [None], "images": []}, "invalid", "no image"),
        ({"images": ["%%% not base64 %%%"]}, "invalid", "not base64"),
        (["not", "an", "object"], "invalid", "not an object"),
    ],
)
def test_stability_answers_without_an_image_are_failures(stability, request_, document, kind, reason) -> None:
    provider, stubber = stability
    stubber.add_response("invoke_model", stability_answer(document))

    with pytest.raises(ProviderFailure) as failure:
        provider.edit(request_)

    assert (failure.value.kind, failure.value.provider) == (kind, "bedrock")
    assert reason in failure.value.reason
    assert "output image" not in failure.value.reason  # the service's words stay out of ours


@pytest.mark.parametrize(
    ("code", "message", "kind", "reason"),
    [
        ("ValidationException", "Your request was rejected by the content filter.", "rejected", "content filter refused the request"),
        ("ValidationException", "Malformed input request", "rejected", "Bedrock answered ValidationException"),
        ("ThrottlingException", "Too many requests", "throttled", "ThrottlingException"),
        ("ServiceUnavailableException", "down", "unavailable", "ServiceUnavailableException"),
        ("AccessDeniedException", "no model access", "rejected", "AccessDeniedException"),
        ("ResourceNotFoundException", "This model version has reached the end of its life.", "rejected", "ResourceNotFoundException"),
    ],
)
def test_stability_errors_are_counted_as_the_gateway_counts_them(stability, request_, code, message, kind, reason) -> None:
    provider, stubber = stability
    stubber.add_client_error("invoke_model", service_error_code=code, service_message=message, http_status_code=400)

    with pytest.raises(ProviderFailure) as failure:
        provider.edit(request_)

    assert failure.value.kind == kind and reason in failure.value.reason


def test_bedrock_image_without_a_model_is_not_configured(request_) -> None:
    with pytest.raises(ProviderNotConfigured, match="BEDROCK_IMAGE_MODEL_ID"):
        BedrockImage("").edit(request_)


# -- Gemini --------------------------------------------------------------------------------------------
class Recorder:
    def __init__(self, *answers: httpx2.Response | Exception):
        self.answers = list(answers)
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def client(self) -> httpx2.Client:
        return httpx2.Client(transport=httpx2.MockTransport(self))


def gemini_answer(parts: list[dict], *, finish: str = "STOP", **extra: Any) -> httpx2.Response:
    return httpx2.Response(
        200,
        json={
            "candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": finish, "index": 0}],
            "usageMetadata": {"promptTokenCount": 1320, "candidatesTokenCount": 1290, "totalTokenCount": 2610},
            "modelVersion": "gemini-2.5-flash-image",
            "responseId": "hV9Kaf2xB8",
            **extra,
        },
    )


@pytest.fixture(autouse=True)
def _gemini_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", KEY)


def test_gemini_edits_the_photo_and_answers_the_inline_image(request_) -> None:
    made = picture((1024, 1024), fmt="PNG")
    recorder = Recorder(
        gemini_answer(
            [
                {"text": "Here is the new look."},
                {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(made).decode()}},
            ]
        )
    )

    completion = GeminiAPI("gemini-2.5-flash-image", timeout_seconds=30, http_client=recorder.client()).edit(request_, timeout=12.5)

    assert (completion.data, completion.content_type, completion.model) == (made, "image/png", "gemini-2.5-flash-image")
    assert (completion.images, completion.input_tokens, completion.output_tokens) == (1, 1320, 1290)
    sent = recorder.requests[0]
    assert sent.url.path.endswith("/models/gemini-2.5-flash-image:generateContent")
    assert sent.headers["x-goog-api-key"] == KEY
    assert sent.extensions["timeout"]["read"] == 12.5  # the gateway's time left, not the provider's 30 s
    body = json.loads(sent.content)
    text, image = body["contents"][0]["parts"]
    assert text["text"] == request_.instruction and "change nothing else" in text["text"]
    encoded = image["inlineData"]["data"]  # the SDK sends it URL-safe, without padding
    assert base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)) == request_.image
    assert body["generationConfig"]["responseModalities"] == ["IMAGE"]
    assert body["generationConfig"]["seed"] == 0


@pytest.mark.parametrize(
    ("answer", "kind", "reason"),
    [
        (httpx2.Response(429, json={"error": {"code": 429, "message": "quota", "status": "RESOURCE_EXHAUSTED"}}), "throttled", "HTTP 429"),
        (httpx2.Response(503, json={"error": {"code": 503, "message": "overloaded", "status": "UNAVAILABLE"}}), "unavailable", "HTTP 503"),
        (httpx2.Response(400, json={"error": {"code": 400, "message": "bad", "status": "INVALID_ARGUMENT"}}), "rejected", "HTTP 400"),
        (httpx2.ReadTimeout("timed out"), "timeout", "no answer within"),
        (httpx2.ConnectError("refused"), "unavailable", "could not be reached"),
        (gemini_answer([], finish="STOP", promptFeedback={"blockReason": "SAFETY"}), "rejected", "blocked the prompt (SAFETY)"),
        (gemini_answer([{"text": "I can't edit this."}], finish="IMAGE_SAFETY"), "rejected", "withheld the image (IMAGE_SAFETY)"),
        (gemini_answer([{"text": "Sure!"}], finish="STOP"), "invalid", "no image"),
    ],
)
def test_gemini_failures(request_, answer, kind, reason) -> None:
    recorder = Recorder(answer)

    with pytest.raises(ProviderFailure) as failure:
        GeminiAPI("gemini-2.5-flash-image", http_client=recorder.client()).edit(request_)

    assert (failure.value.kind, failure.value.provider) == (kind, "gemini")
    assert reason in failure.value.reason
    assert len(recorder.requests) == 1  # no SDK retries: the gateway falls back instead


def test_gemini_without_a_key_is_not_configured(request_, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GEMINI_API_KEY")
    recorder = Recorder()

    with pytest.raises(ProviderNotConfigured, match="no GEMINI_API_KEY"):
        GeminiAPI("gemini-2.5-flash-image", http_client=recorder.client()).edit(request_)
    assert recorder.requests == []
