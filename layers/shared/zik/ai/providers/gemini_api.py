"""Google Gemini image editing through Google's official SDK (``google-genai``), the image fallback: the
prompt and the photo go in one request (``contents=[prompt, image]``) and the answer's ``inline_data``
part is the edited image.

As the other vendors' fallbacks (providers/vendor.py): the model from the environment (``GEMINI_MODEL``),
the key read per call from ``GEMINI_API_KEY`` / ``GEMINI_API_KEY_SECRET`` / ``GEMINI_API_KEY_PARAMETER``
(providers/keys.py; a rotated key gets a new SDK client), no SDK retries (the gateway falls back instead),
each call's own timeout, and the SDK's errors told apart as the gateway counts them, with no service text
in them. The SDK is imported on first use only.
"""

from __future__ import annotations

from typing import Any

from zik import config
from zik.ai import images
from zik.ai.errors import ProviderFailure
from zik.ai.images import ImageCompletion, ImageRequest
from zik.ai.providers.base import call_seconds, kind_of_status
from zik.ai.providers.keys import api_key

DEFAULT_MODEL = "gemini-3.1-flash-image"  # gemini-2.5-flash-image was shut down on 2026-10-02
# A blocked prompt or a withheld image: the request is refused, not the service down.
_REFUSED = {"SAFETY", "IMAGE_SAFETY", "PROHIBITED_CONTENT", "IMAGE_PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "RECITATION", "IMAGE_RECITATION"}


class GeminiAPI:
    name = "gemini"
    offline = False
    env_prefix = "GEMINI"
    label = "the Gemini API"

    def __init__(self, model: str, *, timeout_seconds: float = 60.0, http_client: Any = None):
        self.model = model
        self._timeout = timeout_seconds
        self._http_client = http_client  # an httpx2.Client (a mock transport in tests), else the SDK's own
        self._client: Any = None
        self._key: str | None = None

    @classmethod
    def from_environment(cls) -> GeminiAPI:
        return cls(config.optional("GEMINI_MODEL", DEFAULT_MODEL), timeout_seconds=images.timeout_seconds())

    def _sdk_client(self) -> Any:
        key = api_key(self.name, self.env_prefix)
        if self._client is None or key != self._key:
            from google import genai
            from google.genai import types

            options = types.HttpOptions(retry_options=types.HttpRetryOptions(attempts=1), httpx_client=self._http_client)
            self._client = genai.Client(api_key=key, http_options=options)
            self._key = key
        return self._client

    def edit(self, request: ImageRequest, *, timeout: float | None = None) -> ImageCompletion:
        import httpx2  # the SDK's HTTP client, loaded with it
        from google.genai import errors, types

        client = self._sdk_client()
        seconds = call_seconds(self._timeout, timeout)
        try:
            answer = client.models.generate_content(
                model=self.model,
                contents=[request.instruction, types.Part.from_bytes(data=request.image, mime_type="image/jpeg")],
                config=types.GenerateContentConfig(
                    response_modalities=["IMAGE"],
                    seed=request.task.seed,
                    candidate_count=1,
                    # The SDK takes the timeout in whole milliseconds, for connect and read alike.
                    http_options=types.HttpOptions(timeout=max(1, int(seconds * 1000)), retry_options=types.HttpRetryOptions(attempts=1)),
                ),
            )
        except errors.APIError as exc:
            raise ProviderFailure(self.name, f"{self.label} answered HTTP {exc.code}", kind=kind_of_status(int(exc.code or 500))) from None
        except httpx2.TimeoutException:
            raise ProviderFailure(self.name, f"no answer within {seconds:.1f}s", kind="timeout") from None
        except httpx2.TransportError:
            raise ProviderFailure(self.name, f"{self.label} could not be reached", kind="unavailable") from None
        except (errors.UnknownApiResponseError, ValueError):
            raise ProviderFailure(self.name, f"{self.label} answered something the SDK cannot read", kind="invalid") from None
        return self._image(answer)

    def _image(self, answer: Any) -> ImageCompletion:
        usage = answer.usage_metadata
        tokens: dict[str, Any] = {
            "model": answer.model_version or self.model,
            "input_tokens": (usage.prompt_token_count or 0) if usage else 0,
            "output_tokens": (usage.candidates_token_count or 0) if usage else 0,
        }
        feedback = answer.prompt_feedback
        if feedback is not None and feedback.block_reason is not None:
            raise ProviderFailure(self.name, f"{self.label} blocked the prompt ({_named(feedback.block_reason)})", kind="rejected")
        if not answer.candidates:
            raise ProviderFailure(self.name, f"{self.label} answered no candidate", kind="invalid")
        candidate = answer.candidates[0]
        for part in candidate.content.parts if candidate.content and candidate.content.parts else []:
            inline = part.inline_data
            if inline is not None and inline.data and str(inline.mime_type or "").startswith("image/"):
                return ImageCompletion(inline.data, str(inline.mime_type), images=1, **tokens)
        reason = _named(candidate.finish_reason) if candidate.finish_reason is not None else "none given"
        if reason in _REFUSED:
            raise ProviderFailure(self.name, f"{self.label} withheld the image ({reason})", kind="rejected")
        raise ProviderFailure(self.name, f"{self.label} answered no image (finish reason {reason})", kind="invalid")


def _named(value: Any) -> str:
    """An SDK enum's name, or the string the service sent when the SDK does not know it yet."""
    return str(getattr(value, "value", value))
