"""What the Anthropic and OpenAI fallbacks share: a model from the environment, the key read per call (a
rotated secret gets a new SDK client), no SDK retries (the gateway falls back instead), each call's own
timeout (what the gateway's deadline leaves), and the SDKs' errors, which both name alike, told apart as
the gateway counts them."""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator
from typing import Any, Self

from zik import config
from zik.ai.errors import ProviderFailure
from zik.ai.providers.base import call_seconds, connect_and_read, kind_of_status, timeout_seconds
from zik.ai.providers.keys import api_key


class VendorAPI:
    offline = False
    name: str
    sdk: str  # the SDK's module: "anthropic", "openai"
    client_class: str  # its client: "Anthropic", "OpenAI"
    label: str  # as the errors name it: "the Anthropic API"
    env_prefix: str  # ANTHROPIC_ -> ANTHROPIC_MODEL, ANTHROPIC_API_KEY...
    default_model: str

    def __init__(self, model: str, *, timeout_seconds: float = 20.0, http_client: Any = None):
        self.model = model
        self._timeout = timeout_seconds
        self._http_client = http_client
        self._client: Any = None
        self._key: str | None = None

    @classmethod
    def from_environment(cls) -> Self:
        return cls(config.optional(f"{cls.env_prefix}_MODEL", cls.default_model), timeout_seconds=timeout_seconds())

    def _sdk_client(self) -> Any:
        key = api_key(self.name, self.env_prefix)
        if self._client is None or key != self._key:
            make = getattr(importlib.import_module(self.sdk), self.client_class)
            self._client = make(api_key=key, timeout=self._timeout, max_retries=0, http_client=self._http_client)
            self._key = key
        return self._client

    @contextlib.contextmanager
    def _one_call(self, timeout: float | None) -> Iterator[Any]:
        """Gives the SDK's ``timeout=`` for one call allowed ``timeout`` seconds (at most the provider's
        own): connect and read add up to them. Turns the SDK's errors into ProviderFailures (ours: no
        service text in them)."""
        seconds = call_seconds(self._timeout, timeout)
        connect, read = connect_and_read(seconds)
        sdk = importlib.import_module(self.sdk)
        httpx2 = importlib.import_module("httpx2")  # the SDKs' HTTP client, loaded with them
        try:
            yield httpx2.Timeout(read, connect=connect)
        except sdk.APITimeoutError:
            raise ProviderFailure(self.name, f"no answer within {seconds:.1f}s", kind="timeout") from None
        except sdk.APIConnectionError:
            raise ProviderFailure(self.name, f"{self.label} could not be reached", kind="unavailable") from None
        except sdk.APIStatusError as exc:
            raise ProviderFailure(self.name, f"{self.label} answered HTTP {exc.status_code}", kind=kind_of_status(exc.status_code)) from None
