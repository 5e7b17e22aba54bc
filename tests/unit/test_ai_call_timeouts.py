"""The invocation's deadline (zik.observability) and how a provider's call is made to end within the time
it is given: Bedrock's botocore clients per timeout, against a socket that never answers."""

from __future__ import annotations

import copy
import socket
import time
from typing import Any

import pytest

from zik import clock
from zik.ai.gateway import Gateway
from zik.ai.providers.base import connect_and_read
from zik.ai.providers.bedrock import Bedrock
from zik.ai.providers.local import Local
from zik.observability import api_handler, deadline, instrument, within_deadline

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")

NOTE = {"text": "Felt calm after a long walk by the river with Sam.", "length": 51}


def countdown(context: Any, seconds: float) -> Any:
    """The tests' Lambda context with ``seconds`` left from now, counting down as Lambda's does."""
    ends = time.monotonic() + seconds
    context = copy.copy(context)
    context.get_remaining_time_in_millis = lambda: max(0, int((ends - time.monotonic()) * 1000))
    return context


def seconds_left() -> float:
    ends = deadline()
    assert ends is not None
    return ends - time.monotonic()


# -- the invocation's deadline ---------------------------------------------------------------------------
def test_outside_a_handler_there_is_no_deadline() -> None:
    assert deadline() is None


def test_a_handler_runs_within_its_contexts_remaining_time(lambda_context) -> None:
    @instrument()
    def handler(event, context):
        return seconds_left()

    left = handler({}, countdown(lambda_context, 3))

    assert 2 < left <= 3
    assert deadline() is None  # the invocation's own, gone with it


def test_behind_api_gateway_the_deadline_is_29_seconds_after_the_request(lambda_context, api_event) -> None:
    @api_handler
    def handler(event, context):
        return {"statusCode": 200, "body": str(seconds_left())}

    asked_10s_ago = api_event("GET", "/me")
    asked_10s_ago["requestContext"]["requestTimeEpoch"] = clock.epoch_millis() - 10_000
    left = float(handler(asked_10s_ago, countdown(lambda_context, 30))["body"])
    assert 17 < left <= 19  # API Gateway's 29 s, not the function's 30, counted from the request

    # A sample dated long ago (or a replayed event) says nothing about this request: from the handler's start.
    left = float(handler(api_event("GET", "/me"), countdown(lambda_context, 30))["body"])
    assert 27 < left <= 29
    # The function's own time is shorter: it wins.
    left = float(handler(api_event("GET", "/me"), countdown(lambda_context, 4))["body"])
    assert 3 < left <= 4


def test_a_block_can_run_within_an_invocations_deadline(lambda_context) -> None:
    with within_deadline({}, countdown(lambda_context, 5)) as ends:
        assert ends == deadline() and 4 < seconds_left() <= 5
        with within_deadline({}, countdown(lambda_context, 1)):
            assert seconds_left() <= 1
        assert deadline() == ends
    assert deadline() is None


# -- a call's timeouts -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("seconds", "connect", "read"), [(20, 2, 18), (6, 1.5, 4.5), (1, 0.25, 0.75)])
def test_connect_and_read_timeouts_add_up_to_the_time_given(seconds, connect, read) -> None:
    assert connect_and_read(seconds) == (connect, read)


@pytest.fixture
def aws_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


def test_bedrock_has_one_client_per_whole_second_whose_timeouts_fit_in_it(aws_settings) -> None:
    bedrock = Bedrock("global.anthropic.claude-haiku-5-5")

    client = bedrock.client_for(7.6)

    assert (client.meta.config.connect_timeout, client.meta.config.read_timeout) == (1.75, 5.25)  # 7 s, rounded down
    assert client.meta.config.retries["total_max_attempts"] == 1  # one try: the gateway falls back instead
    assert bedrock.client_for(7.1) is client
    short = bedrock.client_for(0.55)
    assert short.meta.config.connect_timeout + short.meta.config.read_timeout == pytest.approx(0.5)


class SilentEndpoint:
    """Bedrock's endpoint as a socket that takes connections and never answers: a hanging service."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"

    def connections(self) -> int:
        """How many connections were made to it (each try opens one: its last one timed out)."""
        self.server.setblocking(False)
        count = 0
        while True:
            try:
                self.server.accept()[0].close()
            except BlockingIOError:
                return count
            count += 1


@pytest.fixture
def silent_endpoint(aws_settings, monkeypatch: pytest.MonkeyPatch):
    endpoint = SilentEndpoint()
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", endpoint.url)
    with endpoint.server:
        yield endpoint


def test_a_hanging_bedrock_times_out_within_the_deadline_and_the_offline_rules_answer(
    digest_task, silent_endpoint, lambda_context, log_records
) -> None:
    gateway = Gateway([Bedrock.from_environment(), Local()])
    started = time.monotonic()

    with within_deadline({}, countdown(lambda_context, 3.5)):  # 1.5 s for the AI, with the 2 s margin kept
        answer = gateway.run("tests.digest", NOTE)

    assert answer == digest_task.offline(NOTE)
    assert time.monotonic() - started < 3.5
    calls = [r["ai"] for r in log_records() if r.get("message") == "ai call"]
    assert [(c["provider"], c["outcome"]) for c in calls] == [("bedrock", "timeout"), ("local", "ok")]
    assert calls[0]["latency_ms"] > 0  # a call cut short is accounted with its latency
    assert silent_endpoint.connections() == 1  # one try: no botocore retry after the timeout
