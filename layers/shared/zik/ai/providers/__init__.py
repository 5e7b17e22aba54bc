"""Model providers behind the gateway. Each SDK is imported only when its provider is first used, so a
function pays at cold start for none of them.

``KNOWN`` are the text providers (``AI_PROVIDERS``), ``IMAGE_KNOWN`` the image providers
(``AI_IMAGE_PROVIDERS``): the same names where a vendor does both (bedrock, local)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from zik.ai.providers.base import Completion, Provider, Request

if TYPE_CHECKING:
    from zik.ai.images import ImageProvider

__all__ = ["IMAGE_KNOWN", "KNOWN", "Completion", "Provider", "Request", "build", "build_image"]


def _bedrock() -> Provider:
    from zik.ai.providers.bedrock import Bedrock

    return Bedrock.from_environment()


def _anthropic() -> Provider:
    from zik.ai.providers.anthropic_api import AnthropicAPI

    return AnthropicAPI.from_environment()


def _openai() -> Provider:
    from zik.ai.providers.openai_api import OpenAIAPI

    return OpenAIAPI.from_environment()


def _local() -> Provider:
    from zik.ai.providers.local import Local

    return Local()


KNOWN: dict[str, Callable[[], Provider]] = {"bedrock": _bedrock, "anthropic": _anthropic, "openai": _openai, "local": _local}


def build(name: str) -> Provider:
    try:
        return KNOWN[name]()
    except KeyError:
        raise ValueError(f"unknown AI provider {name!r} (known: {', '.join(KNOWN)})") from None


def _bedrock_image() -> ImageProvider:
    from zik.ai.providers.bedrock_image import BedrockImage

    return BedrockImage.from_environment()


def _gemini() -> ImageProvider:
    from zik.ai.providers.gemini_api import GeminiAPI

    return GeminiAPI.from_environment()


def _local_image() -> ImageProvider:
    from zik.ai.providers.local import LocalImage

    return LocalImage()


IMAGE_KNOWN: dict[str, Callable[[], ImageProvider]] = {"bedrock": _bedrock_image, "gemini": _gemini, "local": _local_image}


def build_image(name: str) -> ImageProvider:
    try:
        return IMAGE_KNOWN[name]()
    except KeyError:
        raise ValueError(f"unknown AI image provider {name!r} (known: {', '.join(IMAGE_KNOWN)})") from None
