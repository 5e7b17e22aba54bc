"""Model providers behind the gateway. Each SDK is imported only when its provider is first used, so a
function pays at cold start for none of them."""

from __future__ import annotations

from typing import Callable

from zik.ai.providers.base import Completion, Provider, Request

__all__ = ["Completion", "Provider", "Request", "KNOWN", "build"]


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
