"""Where the AI's settings come from: vendor keys through Powertools parameters (Secrets Manager, SSM),
and in the local cloud the offline provider by default, the developer's shell when it says otherwise."""

from __future__ import annotations

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters

from zik.ai.errors import ProviderFailure, ProviderNotConfigured
from zik.ai.providers.keys import api_key
from zik_local.runtime import Runtime, SandboxPool


@pytest.fixture(autouse=True)
def _no_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_API_KEY_SECRET", "ANTHROPIC_API_KEY_PARAMETER"):
        monkeypatch.delenv(name, raising=False)
    parameters.clear_caches()
    yield
    parameters.clear_caches()


def test_a_key_in_the_environment_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-from-shell")
    monkeypatch.setenv("ANTHROPIC_API_KEY_SECRET", "zik/dev/anthropic-api-key")

    assert api_key("anthropic", "ANTHROPIC") == "sk-from-shell"


def test_the_key_is_read_from_secrets_manager_once_and_cached(aws, monkeypatch: pytest.MonkeyPatch) -> None:
    secrets = boto3.client("secretsmanager")
    secrets.create_secret(Name="zik/dev/anthropic-api-key", SecretString="sk-from-secrets-manager\n")
    monkeypatch.setenv("ANTHROPIC_API_KEY_SECRET", "zik/dev/anthropic-api-key")

    assert api_key("anthropic", "ANTHROPIC") == "sk-from-secrets-manager"
    secrets.put_secret_value(SecretId="zik/dev/anthropic-api-key", SecretString="sk-rotated")
    assert api_key("anthropic", "ANTHROPIC") == "sk-from-secrets-manager"  # cached for five minutes
    parameters.clear_caches()
    assert api_key("anthropic", "ANTHROPIC") == "sk-rotated"


def test_the_key_can_be_an_ssm_secure_string(aws, monkeypatch: pytest.MonkeyPatch) -> None:
    boto3.client("ssm").put_parameter(Name="/zik/dev/anthropic-api-key", Value="sk-from-ssm", Type="SecureString")
    monkeypatch.setenv("ANTHROPIC_API_KEY_PARAMETER", "/zik/dev/anthropic-api-key")

    assert api_key("anthropic", "ANTHROPIC") == "sk-from-ssm"


def test_a_missing_secret_is_a_provider_failure_that_names_where_not_what(aws, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY_SECRET", "zik/dev/nothing-here")

    with pytest.raises(ProviderFailure) as failure:
        api_key("anthropic", "ANTHROPIC")
    assert failure.value.reason == "the API key could not be read from secret zik/dev/nothing-here"


def test_no_key_anywhere_is_not_configured() -> None:
    with pytest.raises(ProviderNotConfigured, match="no ANTHROPIC_API_KEY, ANTHROPIC_API_KEY_SECRET or ANTHROPIC_API_KEY_PARAMETER"):
        api_key("anthropic", "ANTHROPIC")


# -- the local cloud --------------------------------------------------------------------------------
def test_local_functions_use_the_offline_provider_by_default(deployment) -> None:
    """The local cloud deploys the template with AIProviders=local (zik_local.cloud.LOCAL_PARAMETER_DEFAULTS)."""
    for spec in deployment.functions.values():
        assert spec.environment["AI_PROVIDERS"] == "local"
        assert spec.environment["AI_TABLE"]


def test_the_developers_shell_switches_the_local_cloud_to_a_real_api(deployment, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AI_PROVIDERS", "anthropic,local")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-from-shell")
    runtime = Runtime(deployment.functions, "http://127.0.0.1:1", log=lambda source, line: None, sandboxes=SandboxPool(spares=0), watch=False)
    try:
        env = runtime.environment_of(deployment.functions["MeFunction"])
    finally:
        runtime.close()

    assert env["AI_PROVIDERS"] == "anthropic,local"
    assert env["ANTHROPIC_API_KEY"] == "sk-ant-from-shell"
    assert env["ANTHROPIC_MODEL"] == "claude-haiku-4-5"
