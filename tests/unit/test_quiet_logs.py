"""Quiet logs: an invocation that publishes no metric of its own says nothing about it (Powertools warns at
every such invocation: 34 times in one `zik dev` session), and every other warning still shows.

Run in a fresh interpreter, as a function's execution environment is: the filter zik.observability installs
at import is what is checked, not one a test (or pytest's own warning capture) put in place.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import zik

LAYER = Path(zik.__file__).resolve().parents[1]

HANDLER_RUN = """
import warnings
from types import SimpleNamespace

from zik.observability import api_handler, metrics, queue_handler

context = SimpleNamespace(
    function_name="quiet", memory_limit_in_mb=128, aws_request_id="r-1",
    invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:quiet",
    get_remaining_time_in_millis=lambda: 3000,
)

@queue_handler
def silent(event, context):
    return {"metrics": "none"}

@api_handler
def counting(event, context):
    metrics.add_metric(name="Counted", unit="Count", value=1)
    return {"statusCode": 200, "body": ""}

for _ in range(3):
    silent({}, context)
counting({"requestContext": {}}, context)
warnings.warn("some other warning still shows", UserWarning)
"""


def run_in_a_fresh_interpreter(source: str) -> subprocess.CompletedProcess[str]:
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(LAYER),
        "POWERTOOLS_SERVICE_NAME": "zik",
        "POWERTOOLS_METRICS_NAMESPACE": "Zik",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "AWS_REGION": "us-east-1",
    }
    return subprocess.run([sys.executable, "-c", source], env=environment, capture_output=True, text=True, timeout=60, check=False)


def test_an_invocation_without_metrics_warns_about_nothing() -> None:
    done = run_in_a_fresh_interpreter(HANDLER_RUN)

    assert done.returncode == 0, done.stderr
    assert "No application metrics to publish" not in done.stderr
    assert "some other warning still shows" in done.stderr
    # The metrics themselves still go out: the cold start once, the counted one with its invocation.
    assert done.stdout.count('"ColdStart":[1.0]') == 1
    assert '"Counted":[1.0]' in done.stdout


def test_without_the_filter_powertools_would_warn() -> None:
    """The control: the same run with the filter taken out shows the warning, once per empty invocation."""
    done = run_in_a_fresh_interpreter(
        "import warnings, zik.observability as o\n"
        "warnings.filters[:] = [f for f in warnings.filters if f[1] is None or f[1].pattern != o.EMPTY_METRICS_WARNING]\n"
        "warnings.simplefilter('always', UserWarning)\n" + HANDLER_RUN
    )

    assert done.returncode == 0, done.stderr
    assert done.stderr.count("No application metrics to publish") == 3
