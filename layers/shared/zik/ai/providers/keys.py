"""API keys of the model vendors: from the environment (local development), else from Secrets Manager or
SSM through Powertools parameters, cached for five minutes. A key is never logged or put in an error."""

from __future__ import annotations

import os

from zik.ai.errors import ProviderFailure, ProviderNotConfigured

KEY_MAX_AGE_SECONDS = 300


def api_key(provider: str, prefix: str) -> str:
    """``<PREFIX>_API_KEY``, else the secret named by ``<PREFIX>_API_KEY_SECRET``, else the SecureString
    parameter named by ``<PREFIX>_API_KEY_PARAMETER``."""
    direct = os.environ.get(f"{prefix}_API_KEY")
    if direct:
        return direct
    secret = os.environ.get(f"{prefix}_API_KEY_SECRET")
    parameter = os.environ.get(f"{prefix}_API_KEY_PARAMETER")
    if not secret and not parameter:
        raise ProviderNotConfigured(provider, f"no {prefix}_API_KEY, {prefix}_API_KEY_SECRET or {prefix}_API_KEY_PARAMETER is set")

    from aws_lambda_powertools.utilities import parameters

    try:
        if secret:
            value = parameters.get_secret(secret, max_age=KEY_MAX_AGE_SECONDS)
        elif parameter:
            value = parameters.get_parameter(parameter, decrypt=True, max_age=KEY_MAX_AGE_SECONDS)
    except parameters.exceptions.GetParameterError:
        where = f"secret {secret}" if secret else f"parameter {parameter}"
        raise ProviderFailure(provider, f"the API key could not be read from {where}", kind="not_configured") from None
    key = value.decode() if isinstance(value, bytes) else str(value)
    if not key.strip():
        raise ProviderNotConfigured(provider, "the stored API key is empty")
    return key.strip()
