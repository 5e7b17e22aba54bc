"""``make bench``: how fast the local cloud is, measured in one run, printed next to its targets.

  (a) start   seconds from launching ``zik dev`` to its first 200 on GET /health (median of 3 starts); and,
              without a target, when it said the whole stack was created (what it creates after serving:
              role policies, log groups, functions in moto's Lambda, state machines, custom resources)
  (b) latency p50 / p99 of GET /me through the local gateway with a token: 500 sequential requests on one
              keep-alive HTTP/1.1 connection, after a warm-up, once the stack is complete; and, without a
              target, the p50 of 100 requests sent at once after the first /health 200, while it is not
  (c) cold    per function of template.yaml, a fresh Python process that does what Lambda's INIT and first
              invocation do (function environment, code and layer on sys.path, import the handler, serve
              one sample event from events/ against the embedded AWS) compared with the floor, a fresh
              process that imports boto3 and creates one client, once the embedded AWS has created the
              whole stack (its background work would slow the first functions measured, not the floor).
              The machine's speed drifts by a third over seconds (shared host), so each of 11 cold starts
              is divided by the mean of the floors run just before and just after it, and the ratio is the
              median of these 11. Each is timed from the process's launch to the moment the event is
              answered (the client created), on the system-wide monotonic clock: the interpreter's
              teardown (100-250 ms here, freeing botocore's models) is no part of a cold start, as Lambda
              keeps the process for the next event or freezes it.

  (d) quests  DynamoDB round trips of GET /goals/{goalId} and GET /tasks (counted in the embedded AWS, the
              screen's own: not the platform's two calls of every request, see below), AI calls per created
              goal (the gateway's accounting lines), seconds from POST /goals to "active" (median of 3 goals,
              the roadmap workflow run by the embedded Step Functions)
  (e) journal search p50 / p99 over 5,000 entries of one user, DynamoDB round trips of GET /entries and
              GET /gamification/stats (the screen's own), seconds from POST /entries to its insight
              (zik_local/bench_journal.py)
  (f) recurring the daily recurring-task run over 100,000 active rules: seconds from firing the schedule until
              every shard's last page is written, the DynamoDB calls it made, the most rules one invocation
              handled, and a shard read again (zik_local/bench_quests.py; about 16 minutes here, most of it
              moto's: ZIK_BENCH_RULES=20000 for a quicker look)
  (g) erasure a user with 100,000 items erased: DELETE /me's answer, seconds until GET /me/erasure says
              ``erased``, the account functions' invocations and the DynamoDB calls meanwhile
              (zik_local/bench_accounts.py; ZIK_BENCH_ERASE_ITEMS=20000 for a quicker look).
              ``python -m zik_local.bench scale`` measures only (f) and (g).
  (h) career  AI calls per job search page (first, again, next, after a profile change) and DynamoDB round
              trips per page over a few hundred jobs (zik_local/bench_career_jobs.py); the resume analysis of a
              two-page PDF through ResumeFunction, p50 of 20 (zik_local/bench_career_resume.py); DynamoDB reads
              per market-intelligence request and the ingestion of the shipped feeds
              (zik_local/bench_career_market.py). ``python -m zik_local.bench career`` measures only these.
  (i) studio  figures, no targets: a portrait's upload to its ready thumbnail p50 of 20, POST /studio/tryons to
              its offline result p50 of 10, FIFO order per user kept under 20 uploads of 4 users posted at
              once, and the peak memory of the process tree (zik_local/bench_studio.py).
              ``python -m zik_local.bench studio`` measures only these.

Round trips per request: every API request of a signed-in user makes two DynamoDB calls before its route
runs (zik.http): the account check (GetItem of the user's ERASURE item in UsersTable,
zik.platform.accounts) and the per-user rate limit's count (UpdateItem of a counter in RateLimitTable,
zik.ratelimit). They are the platform's, the same for every route, and counted apart
(``counting_dynamodb``: ``calls[1]`` and ``calls[2]``); a screen's "round trips" are the calls its route
makes, the figures the targets are about. The notes give the platform's count beside them.

A missed target is reported, not fatal (exit 0); a crash (a start that never answers, a non-200, a
function that fails) exits non-zero.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path.cwd()
TEMPLATE = ROOT / "template.yaml"
EVENTS = ROOT / "events"

START_RUNS = 3
START_TIMEOUT = 60.0
LATENCY_WARMUP = 50
LATENCY_REQUESTS = 500
COLD_RUNS = 11
EARLY_REQUESTS = 100

TARGET_START_S = 3.0
TARGET_P50_MS = 10.0
TARGET_COLD_RATIO = 1.3

_RESULT_MARK = "ZIK_BENCH_RESULT "

# The child of (c): what Lambda's Python runtime does for INIT and one invocation.
_COLD_CHILD = textwrap.dedent(
    """
    import json, os, sys, time
    task_root, layers, handler_name, event_path = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    sys.path[0:1] = [task_root, *[p for p in layers.split(os.pathsep) if p]]
    import importlib
    module_name, _, function_name = handler_name.rpartition(".")
    handler = getattr(importlib.import_module(module_name), function_name)

    class Context:
        function_name = "bench"
        function_version = "$LATEST"
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
        memory_limit_in_mb = 512
        aws_request_id = "00000000-0000-4000-8000-000000000000"
        log_group_name = "/aws/lambda/bench"
        log_stream_name = "bench"
        def get_remaining_time_in_millis(self):
            return 30000

    with open(event_path, encoding="utf-8") as source:
        event = json.load(source)
    result = handler(event, Context())
    served = time.monotonic()
    status = result.get("statusCode") if isinstance(result, dict) else None
    answer = {"served": served, "statusCode": status, "api": "httpMethod" in event}
    sys.stdout.write("\\n%s%s\\n" % (sys.argv[5], json.dumps(answer)))
    """
)

_FLOOR_CHILD = textwrap.dedent(
    """
    import json, sys, time
    import boto3
    boto3.client("dynamodb")
    sys.stdout.write("\\n%s%s\\n" % (sys.argv[1], json.dumps({"served": time.monotonic()})))
    """
)


class BenchError(RuntimeError):
    """Something did not work: the bench cannot report a figure for it."""


# -- helpers ---------------------------------------------------------------------------------------------
def _zik() -> list[str]:
    script = Path(sys.executable).with_name("zik")
    return [str(script)] if script.exists() else [sys.executable, "-m", "zik_local.cli"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


def _progress(message: str) -> None:
    sys.stderr.write(f"bench: {message}\n")
    sys.stderr.flush()


class DevProcess:
    """One ``zik dev`` subprocess, its output kept in a file (read when something fails)."""

    def __init__(self, *extra: str):
        self.port = _free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="zik-bench-dev-", suffix=".log", delete=False)  # noqa: SIM115 - the server writes it until stop()
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [*_zik(), "dev", "--port", str(self.port), *extra],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self, lines: int = 60) -> str:
        self.log.flush()
        text = Path(self.log.name).read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def wait_healthy(self) -> float:
        """Seconds from the launch to the first 200 on GET /health."""
        deadline = self.started + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise BenchError(f"zik dev exited with {self.process.returncode}:\n{self.output()}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                try:
                    connection.request("GET", "/health")
                    response = connection.getresponse()
                    response.read()
                    if response.status == 200:
                        return time.perf_counter() - self.started
                finally:
                    connection.close()
            except OSError:
                pass
            if time.perf_counter() > deadline:
                raise BenchError(f"GET /health did not answer 200 within {START_TIMEOUT:.0f}s:\n{self.output()}")
            time.sleep(0.01)

    def reported_up(self) -> float | None:
        """What ``zik dev`` itself printed: "zik dev is up in 1.23s" (from its LocalCloud to serving)."""
        found = re.search(r"zik dev is up in ([0-9.]+)s", self.output(400))
        return float(found.group(1)) if found else None

    def wait_complete(self) -> float:
        """Seconds from the start of its LocalCloud until it said the whole stack was created."""
        deadline = time.perf_counter() + START_TIMEOUT
        while True:
            found = re.search(r"stack complete ([0-9.]+)s after start", self.output(10_000))
            if found:
                return float(found.group(1))
            if self.process.poll() is not None or time.perf_counter() > deadline:
                raise BenchError(f"zik dev never said its stack was complete:\n{self.output()}")
            time.sleep(0.05)

    def stop(self, keep: Path | None = None) -> None:
        """``keep``: where its output is copied before the temporary file goes."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()
        if keep is not None:
            shutil.copyfile(self.log.name, keep)
        Path(self.log.name).unlink(missing_ok=True)


# -- (a) start ---------------------------------------------------------------------------------------------
def measure_start() -> tuple[list[float], list[float | None], list[float]]:
    times: list[float] = []
    reported: list[float | None] = []
    complete: list[float] = []
    for run in range(1, START_RUNS + 1):
        dev = DevProcess()
        try:
            times.append(dev.wait_healthy())
            reported.append(dev.reported_up())
            complete.append(dev.wait_complete())
        finally:
            dev.stop()
        _progress(f"start {run}/{START_RUNS}: {times[-1]:.2f}s (stack complete {complete[-1]:.2f}s)")
    return times, reported, complete


# -- (b) latency -------------------------------------------------------------------------------------------
def measure_latency() -> tuple[list[float], list[float]]:
    """The latencies once the stack is complete, and those of the requests sent right after the first
    /health 200, while it is still being created."""
    # The stage's throttling (100 requests/s in template.yaml) and the per-user rate limit (1,000 a minute)
    # would answer 429 to a tight loop of one user: the bench measures the gateway and the function (the
    # limit's one counter write included), so this one dev runs with neither biting.
    dev = DevProcess("--no-throttle", "--parameter", "UserRateLimitPerMinute=1000000")
    try:
        dev.wait_healthy()
        connection = http.client.HTTPConnection("127.0.0.1", dev.port, timeout=30)
        connection.request("POST", "/_zik/token", body=json.dumps({"user": "bench"}), headers={"Content-Type": "application/json"})
        answer = connection.getresponse()
        payload = answer.read()
        if answer.status != 200:
            raise BenchError(f"POST /_zik/token answered {answer.status}: {payload[:300]!r}")
        headers = {"Authorization": f"Bearer {json.loads(payload)['token']}"}

        def get_me() -> float:
            started = time.perf_counter()
            connection.request("GET", "/me", headers=headers)
            response = connection.getresponse()
            body = response.read()
            elapsed = time.perf_counter() - started
            if response.status != 200:
                raise BenchError(f"GET /me answered {response.status}: {body[:300]!r}\n{dev.output()}")
            if response.getheader("Connection", "").lower() == "close":
                raise BenchError("the gateway closed the keep-alive connection")
            return elapsed * 1000

        early = [get_me() for _ in range(EARLY_REQUESTS)]
        dev.wait_complete()
        for _ in range(LATENCY_WARMUP):
            get_me()
        samples = [get_me() for _ in range(LATENCY_REQUESTS)]
        connection.close()
        _progress(f"latency: {len(samples)} requests")
        return samples, early
    finally:
        dev.stop()


# -- (c) cold init -----------------------------------------------------------------------------------------
@dataclass
class ColdResult:
    function: str
    event: str
    cold: list[float]
    floor: list[float]  # one more than cold: floor[i] ran just before cold[i], floor[i + 1] just after

    @property
    def ratios(self) -> list[float]:
        return [cold / ((before + after) / 2) for cold, before, after in zip(self.cold, self.floor, self.floor[1:])]

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)


def sample_event_for(code_dir: Path, sam_properties: dict[str, Any]) -> Path:
    """The function's first sample in events/: of the files named after its code directory
    (``health_get.json`` for functions/health), the one of the first API event the template gives the
    function (``GetMe`` -> GET /me -> ``me_get.json``), else the first by name."""
    samples = sorted(EVENTS.glob(f"{code_dir.name}_*.json")) or sorted(EVENTS.glob(f"{code_dir.name}*.json"))
    if not samples:
        raise BenchError(f"no sample event for {code_dir.name} in {EVENTS} (expected {code_dir.name}_*.json)")
    routes = [
        (str(e["Properties"].get("Method", "")).upper(), e["Properties"].get("Path"))
        for e in (sam_properties.get("Events") or {}).values()
        if isinstance(e, dict) and e.get("Type") == "Api" and isinstance(e.get("Properties"), dict)
    ]
    described = []
    for sample in samples:
        try:
            event = json.loads(sample.read_text(encoding="utf-8"))
        except ValueError:
            continue
        if isinstance(event, dict):
            described.append((sample, (str(event.get("httpMethod", "")).upper(), event.get("resource") or event.get("path"))))
    for route in routes:
        for sample, key in described:
            if key == route:
                return sample
    return samples[0]


def _timed(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, dict[str, Any], str]:
    """Seconds from launching the child to the moment it reports (its result line's ``served``, on the
    same system-wide monotonic clock), with that result and the child's output."""
    started = time.monotonic()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise BenchError(f"{' '.join(command[:3])}... exited with {done.returncode}:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    lines = [line for line in done.stdout.splitlines() if line.startswith(_RESULT_MARK)]
    if not lines:
        raise BenchError(f"{' '.join(command[:3])}... reported no result:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    result = json.loads(lines[-1][len(_RESULT_MARK) :])
    return result["served"] - started, result, done.stdout


def measure_cold(only: set[str] | None = None) -> list[ColdResult]:
    """``only``: these functions (logical ids), not every one."""
    from zik_local import custom
    from zik_local.cloud import CloudOptions, LocalCloud
    from zik_local.template import REGION

    results: list[ColdResult] = []
    cloud = LocalCloud(CloudOptions(template=TEMPLATE, port=0, quiet=True, prewarm=False, watch=False))
    cloud.start()
    try:
        if not cloud.wait_until_complete(START_TIMEOUT):
            raise BenchError(f"the embedded AWS did not complete the stack within {START_TIMEOUT:.0f}s")
        assert cloud.deployment is not None and cloud.stack is not None
        declared = cloud.stack.sam_functions  # every function of template.yaml, Globals merged
        base = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if k in os.environ}
        aws = {
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_ENDPOINT_URL": cloud.aws_endpoint,
            "POWERTOOLS_TRACE_DISABLED": "true",
        }
        floor_command = [sys.executable, "-c", _FLOOR_CHILD, _RESULT_MARK]
        # A custom resource's function runs once per deployment, answering CloudFormation's ResponseURL:
        # it has no cold start a user waits for.
        deployment_only = {
            token["Fn::GetAtt"][0] if isinstance(token.get("Fn::GetAtt"), list) else str(token["Fn::GetAtt"]).split(".")[0]
            for resource in cloud.stack.resources.values()
            if custom.is_custom(str(resource.get("Type", "")))
            and isinstance(token := (resource.get("Properties") or {}).get("ServiceToken"), dict)
            and "Fn::GetAtt" in token
        }
        for logical_id, properties in declared.items():
            if logical_id in deployment_only or (only is not None and logical_id not in only):
                continue
            spec = cloud.deployment.functions[logical_id]
            event = sample_event_for(spec.code_dir, properties)
            env = {
                **base,
                **spec.environment,
                **aws,
                "AWS_LAMBDA_FUNCTION_NAME": spec.name,
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory),
            }
            command = [
                sys.executable,
                "-c",
                _COLD_CHILD,
                str(spec.code_dir),
                os.pathsep.join(str(p) for p in spec.layer_dirs),
                spec.handler,
                str(event),
                _RESULT_MARK,
            ]

            def cold_start() -> float:
                if spec.code_dir.name in SAMPLE_GOAL_FUNCTIONS:
                    _reset_sample_goal(cloud, with_roadmap=SAMPLE_GOAL_FUNCTIONS[spec.code_dir.name])
                elapsed, result, stdout = _timed(command, env, spec.code_dir)
                status = result["statusCode"]
                # An API function must answer below 500; any other returned (a raise leaves no result line).
                if result["api"] and (not isinstance(status, int) or status >= 500):
                    raise BenchError(f"{logical_id} answered {status!r} to its sample event:\n{stdout[-3000:]}")
                _wait_for_queues(cloud)
                return elapsed

            # One discarded run first: the file cache and bytecode, not the code, would be measured.
            cold_start()
            cold, floor = [], [_timed(floor_command, env, spec.code_dir)[0]]
            for _ in range(COLD_RUNS):
                cold.append(cold_start())
                floor.append(_timed(floor_command, env, spec.code_dir)[0])
            results.append(ColdResult(logical_id, event.name, cold, floor))
            _progress(f"cold {logical_id}: {statistics.median(cold):.3f}s vs floor {statistics.median(floor):.3f}s")
    finally:
        cloud.stop()
    return results


def _wait_for_queues(cloud: Any, timeout: float = 60.0) -> None:
    """Until the queues the local cloud polls are empty: the work a sample sent to one (the recurring-task
    dispatcher's 33 messages) is done before the next process is timed, not beside it."""
    sqs = cloud.client("sqs")
    deadline = time.monotonic() + timeout
    for mapping in cloud.deployment.queue_mappings:
        while True:
            counts = sqs.get_queue_attributes(
                QueueUrl=mapping.queue_url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
            )["Attributes"]
            if not any(int(value) for value in counts.values()):
                break
            if time.monotonic() > deadline:
                raise BenchError(f"{mapping.queue_url} still holds messages after {timeout:.0f}s")
            time.sleep(0.05)


# The functions whose samples (planner_step, milestone_saver_step, coach_*, roadmap_failed_step) act on the
# sample goal of events/roadmap_start.json; the coach's need its roadmap saved.
SAMPLE_GOAL_FUNCTIONS = {"planner": False, "milestone_saver": False, "coach": True, "roadmap_failed": False}


def _reset_sample_goal(cloud: Any, *, with_roadmap: bool) -> None:
    """The goal the workflow-step samples act on, as POST /goals leaves it (being planned), and nothing
    else of its owner's; with its roadmap saved (milestone_saver_step.json run by MilestoneSaverFunction)
    when asked. Run before each cold start of these functions, so that each does its first-time work."""
    start = json.loads((EVENTS / "roadmap_start.json").read_text(encoding="utf-8"))
    table = cloud.deployment.functions["QuestsFunction"].environment["QUESTS_TABLE"]
    owner = f"TENANT#{start['owner']['tenantId']}#USER#{start['owner']['userId']}"
    goal = start["goal"]
    dynamodb = cloud.client("dynamodb")  # the cloud's own, not a new client before every cold start
    keys = dynamodb.query(
        TableName=table, KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": {"S": owner}}, ProjectionExpression="pk, sk"
    )["Items"]
    for first in range(0, len(keys), 25):
        dynamodb.batch_write_item(RequestItems={table: [{"DeleteRequest": {"Key": key}} for key in keys[first : first + 25]]})
    item = {
        "pk": {"S": owner},
        "sk": {"S": f"GOAL#{goal['goalId']}"},
        "gsi1pk": {"S": f"{owner}#GOALS"},
        "gsi1sk": {"S": f"2026-11-23T00:00:00.000Z#{goal['goalId']}"},
        "goalId": {"S": goal["goalId"]},
        "title": {"S": goal["title"]},
        "status": {"S": "planning"},
        "path": {"S": "workflow"},
        "attempt": {"N": "1"},
        "milestoneCount": {"N": "0"},
        "version": {"N": "1"},
        "targetDate": {"S": goal["targetDate"]},
    }
    dynamodb.put_item(TableName=table, Item=item)
    if with_roadmap:
        saved = cloud.runtime.invoke("MilestoneSaverFunction", json.loads((EVENTS / "milestone_saver_step.json").read_text(encoding="utf-8")))
        if saved.failed:
            raise BenchError(f"MilestoneSaverFunction could not save the sample roadmap: {saved.error}")


# -- (d) quests -----------------------------------------------------------------------------------------------
QUEST_GOALS = 3
TARGET_ROUND_TRIPS = 1
TARGET_AI_CALLS = 2
TARGET_ACTIVE_S = 2.0


@dataclass
class QuestFigures:
    goal_trips: int
    tasks_trips: int
    tasks_dated_trips: int
    ai_calls: list[int]
    to_active: list[float]
    platform_trips: int = 0  # the account check and the rate-limit count of each request, not in the figures above


@contextlib.contextmanager
def counting_dynamodb() -> Iterator[list[int]]:
    """The embedded DynamoDB's requests, counted in three (reset a count to count one request's):

    ``calls[0]``  the screens': every request but the two below
    ``calls[1]``  the API's account check, the GetItem of a user's ERASURE item (zik.platform.accounts) every
                  API request of a signed-in user makes: a platform read, not the screen's
    ``calls[2]``  the per-user rate limit's count, the UpdateItem of a counter in RateLimitTable (zik.ratelimit)
                  every such request makes: a platform write, not the screen's; told by its table's name (the
                  local cloud's generated ``<stack>-RateLimitTable-<hash>``)
    """
    from moto.dynamodb.responses import DynamoHandler

    calls = [0, 0, 0]
    original = DynamoHandler.call_action

    def counted(self: Any) -> Any:
        action = self._get_action()
        body = self.body.encode() if isinstance(self.body, str) else self.body or b""
        if action == "GetItem" and b'"ERASURE"' in body:
            calls[1] += 1
        elif action == "UpdateItem" and is_rate_limit_table(_table_name(body)):
            calls[2] += 1
        else:
            calls[0] += 1
        return original(self)

    DynamoHandler.call_action = counted  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        DynamoHandler.call_action = original  # type: ignore[method-assign]


def _table_name(body: bytes) -> str:
    try:
        parsed = json.loads(body or b"{}")
    except ValueError:
        return ""
    return str(parsed.get("TableName", "")) if isinstance(parsed, dict) else ""


def is_rate_limit_table(name: str) -> bool:
    """RateLimitTable's name as the local cloud generates it (zik_local.provision.physical_name)."""
    return "-RateLimitTable-" in name


def platform_calls(calls: list[int]) -> int:
    """The platform's calls counted so far: account checks and rate-limit counts."""
    return calls[1] + calls[2]


def reset(calls: list[int]) -> None:
    """Start counting one request's calls, the screen's and the platform's."""
    calls[0] = calls[1] = calls[2] = 0


def measure_quests() -> QuestFigures:
    from zik_local.cloud import CloudOptions, LocalCloud

    lines: list[str] = []

    class Recording(LocalCloud):
        def log(self, source: str, line: str) -> None:
            lines.append(line)

    with counting_dynamodb() as dynamodb_calls:
        cloud = Recording(CloudOptions(template=TEMPLATE, port=0, quiet=False, watch=False, throttle=False))
        cloud.start()
        try:
            return _quests_figures(cloud, lines, dynamodb_calls)
        finally:
            cloud.stop()


def measure_journal() -> Any:
    from zik_local.bench_journal import measure_journal as measure

    with counting_dynamodb() as dynamodb_calls:
        return measure(_quiet_cloud, dynamodb_calls, _progress)


def _quiet_cloud() -> Any:
    from zik_local.cloud import CloudOptions, LocalCloud

    cloud = LocalCloud(CloudOptions(template=TEMPLATE, port=0, quiet=True, watch=False, throttle=False))
    cloud.start()
    return cloud


@dataclass
class CareerFigures:
    resume: Any
    market: Any
    jobs: Any

    def rows(self) -> list[tuple[str, str, str, str]]:
        from zik_local import bench_career_jobs, bench_career_market, bench_career_resume

        return [*bench_career_jobs.rows(self.jobs, _met), *bench_career_resume.rows(self.resume, _met), *bench_career_market.rows(self.market, _met)]

    def notes(self) -> list[str]:
        from zik_local import bench_career_jobs, bench_career_market, bench_career_resume

        return [bench_career_jobs.notes(self.jobs), bench_career_resume.notes(self.resume), bench_career_market.notes(self.market)]


def measure_career() -> CareerFigures:
    from zik_local import bench_career_jobs, bench_career_market, bench_career_resume

    lines: list[str] = []
    with counting_dynamodb() as dynamodb_calls:
        jobs = bench_career_jobs.measure_career_jobs(_recording_cloud(lambda source, line: lines.append(line)), dynamodb_calls, lines, _progress)
        market = bench_career_market.measure_career_market(_quiet_cloud, dynamodb_calls, _progress)
    resume = bench_career_resume.measure_resume(_quiet_cloud, _progress)
    return CareerFigures(resume, market, jobs)


def measure_studio() -> Any:
    from zik_local import bench_studio

    return bench_studio.measure_studio(lambda: bench_studio.started_cloud(TEMPLATE), _progress)


def _recording_cloud(record: Callable[[str, str], None]) -> Callable[[], Any]:
    """A factory of started LocalClouds whose log lines go to ``record(source, line)``."""
    from zik_local.cloud import CloudOptions, LocalCloud

    class Recording(LocalCloud):
        def log(self, source: str, line: str) -> None:
            record(source, line)

    def start() -> LocalCloud:
        cloud = Recording(CloudOptions(template=TEMPLATE, port=0, quiet=False, watch=False, throttle=False))
        cloud.start()
        return cloud

    return start


def measure_recurring() -> Any:
    from zik_local.bench_quests import measure_recurring as measure

    lines: list[str] = []
    with counting_dynamodb() as dynamodb_calls:
        return measure(_recording_cloud(lambda source, line: lines.append(line)), dynamodb_calls, lines, _progress)


def measure_erasure() -> Any:
    from zik_local.bench_accounts import measure_erasure as measure

    lines: list[tuple[str, str]] = []
    with counting_dynamodb() as dynamodb_calls:
        return measure(_recording_cloud(lambda source, line: lines.append((source, line))), dynamodb_calls, lines, _progress)


def api_client(cloud: Any) -> Callable[..., Any]:
    """``call(method, path, body=None, token=None)``: the parsed JSON answer of the cloud's gateway, on
    one keep-alive connection; an error answer is a BenchError."""
    connection = http.client.HTTPConnection("127.0.0.1", int(cloud.api_url.rsplit(":", 1)[1]), timeout=60)

    def call(method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
        connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        answer = connection.getresponse()
        payload = json.loads(answer.read() or b"null")
        if answer.status >= 400:
            raise BenchError(f"{method} {path} answered {answer.status}: {payload}")
        return payload

    return call


def _quests_figures(cloud: Any, lines: list[str], dynamodb_calls: list[int]) -> QuestFigures:
    call = api_client(cloud)
    token = call("POST", "/_zik/token", {"user": "bench-quests"})["token"]
    to_active: list[float] = []
    ai_calls: list[int] = []
    goal_id = ""
    for index in range(QUEST_GOALS):
        before = len(lines)
        started = time.perf_counter()
        goal_id = call("POST", "/goals", {"title": f"Learn to play the guitar {index + 1}", "targetDate": "2027-06-30"}, token)["goalId"]
        while True:
            status = call("GET", f"/goals/{goal_id}", token=token)["status"]
            if status == "active":
                break
            if status == "failed" or time.perf_counter() - started > 60:
                raise BenchError(f"goal {goal_id} ended {status}:\n" + "\n".join(lines[before:][-40:]))
            time.sleep(0.01)
        to_active.append(time.perf_counter() - started)
        time.sleep(0.2)  # the last accounting lines of the coach
        ai_calls.append(sum(1 for line in lines[before:] if '"message":"ai call"' in line and '"outcome":"ok"' in line))
    call("GET", "/tasks", token=token)  # the caller's timezone is read once, then remembered

    platform: list[int] = []

    def trips(path: str) -> int:
        reset(dynamodb_calls)
        call("GET", path, token=token)
        platform.append(platform_calls(dynamodb_calls))
        return dynamodb_calls[0]

    figures = QuestFigures(trips(f"/goals/{goal_id}"), trips("/tasks"), trips("/tasks?date=2026-11-23"), ai_calls, to_active, max(platform))
    _progress(f"quests: {figures}")
    return figures


# -- the report --------------------------------------------------------------------------------------------
def _met(ok: bool) -> str:
    return "yes" if ok else "NO"


def report(
    starts: list[float],
    reported: list[float | None],
    complete: list[float],
    latencies: list[float],
    early: list[float],
    colds: list[ColdResult],
    quests: QuestFigures,
    journal: Any,
    recurring: Any,
    erasure: Any = None,
    career: CareerFigures | None = None,
    studio: Any = None,
) -> str:
    from zik_local import bench_accounts, bench_journal, bench_quests, bench_studio

    start = statistics.median(starts)
    p50, p99 = _percentile(latencies, 0.50), _percentile(latencies, 0.99)
    rows: list[tuple[str, str, str, str]] = [
        ("zik dev start -> first /health 200 (median of 3)", f"{start:.2f} s", f"< {TARGET_START_S:g} s", _met(start < TARGET_START_S)),
        (f"GET /me p50 ({len(latencies)} sequential, keep-alive)", f"{p50:.2f} ms", f"< {TARGET_P50_MS:g} ms", _met(p50 < TARGET_P50_MS)),
        (f"GET /me p99 ({len(latencies)} sequential, keep-alive)", f"{p99:.2f} ms", "-", "-"),
    ]
    for cold in colds:
        rows.append(
            (
                f"cold init {cold.function} / floor ({cold.event}, median of {len(cold.ratios)})",
                f"{cold.ratio:.2f}",
                f"<= {TARGET_COLD_RATIO:g}",
                _met(cold.ratio <= TARGET_COLD_RATIO),
            )
        )
    active = statistics.median(quests.to_active)
    rows += [
        ("DynamoDB round trips, GET /goals/{goalId}", str(quests.goal_trips), f"{TARGET_ROUND_TRIPS}", _met(quests.goal_trips <= TARGET_ROUND_TRIPS)),
        ("DynamoDB round trips, GET /tasks", str(quests.tasks_trips), f"{TARGET_ROUND_TRIPS}", _met(quests.tasks_trips <= TARGET_ROUND_TRIPS)),
        ("AI calls per created goal (max of 3)", str(max(quests.ai_calls)), f"{TARGET_AI_CALLS}", _met(max(quests.ai_calls) <= TARGET_AI_CALLS)),
        (f"POST /goals -> active (median of {len(quests.to_active)})", f"{active:.2f} s", f"< {TARGET_ACTIVE_S:g} s", _met(active < TARGET_ACTIVE_S)),
        *bench_journal.rows(journal, _percentile, _met, TARGET_ROUND_TRIPS),
        *bench_quests.rows(recurring, _met),
        *bench_accounts.rows(erasure, _met),
        *(career.rows() if career is not None else []),
        *(bench_studio.rows(studio) if studio is not None else []),
    ]
    out = [*table(rows), ""]
    out.append("details")
    out.append(
        f'  starts: {", ".join(f"{s:.2f}s" for s in starts)} ("zik dev is up in" as it printed: '
        f"{', '.join('?' if r is None else f'{r:.2f}s' for r in reported)}); stack complete "
        f"{', '.join(f'{c:.2f}s' for c in complete)} after start"
    )
    out.append(
        f"  GET /me: min {min(latencies):.2f} ms, mean {statistics.fmean(latencies):.2f} ms, max {max(latencies):.2f} ms; "
        f"the {len(early)} sent right after the first /health 200 (stack not complete): p50 {_percentile(early, 0.5):.2f} ms, "
        f"p99 {_percentile(early, 0.99):.2f} ms"
    )
    for cold in colds:
        out.append(
            f"  {cold.function}: cold {statistics.median(cold.cold) * 1000:.0f} ms "
            f"[{', '.join(f'{c * 1000:.0f}' for c in cold.cold)}], floor {statistics.median(cold.floor) * 1000:.0f} ms "
            f"[{', '.join(f'{f * 1000:.0f}' for f in cold.floor)}], ratios [{', '.join(f'{r:.2f}' for r in cold.ratios)}]"
        )
    out.append(
        f"  quests: to active {', '.join(f'{t:.2f}s' for t in quests.to_active)}; AI calls {quests.ai_calls}; "
        f"GET /tasks?date= round trips {quests.tasks_dated_trips} (GET /tasks reads the timezone once a minute); "
        f"each request's platform calls besides (account check, rate-limit count): {quests.platform_trips}"
    )
    out.append(f"  {bench_journal.notes(journal)}")
    out.append(f"  {bench_quests.notes(recurring)}")
    if erasure is not None:
        out.append(f"  {bench_accounts.notes(erasure)}")
    out.extend(f"  {note}" for note in (career.notes() if career is not None else []))
    out.extend(f"  {note}" for note in (bench_studio.notes(studio) if studio is not None else []))
    out.append("")
    out.append(missed_line(rows))
    return "\n".join(out)


def table(rows: list[tuple[str, str, str, str]]) -> list[str]:
    header = ("measure", "figure", "target", "met")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    line = lambda r: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))  # noqa: E731
    return [line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def missed_line(rows: list[tuple[str, str, str, str]]) -> str:
    missed = [r[0] for r in rows if r[3] == "NO"]
    return f"targets missed: {len(missed)}" + (f" ({'; '.join(missed)})" if missed else " (all met)")


def main(argv: list[str] | None = None) -> int:
    if not TEMPLATE.exists():
        print(f"bench: run it from the checkout (no {TEMPLATE})", file=sys.stderr)
        return 2
    started = time.perf_counter()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    if (argv if argv is not None else sys.argv[1:]) == ["studio"]:
        from zik_local import bench_studio

        try:
            studio = measure_studio()
        except BenchError as exc:
            print(f"bench: FAILED: {exc}", file=sys.stderr)
            return 1
        print(f"zik bench (studio): {os.cpu_count()} CPUs, load average {load:.2f} when it began")
        print("\n".join([*table(bench_studio.rows(studio)), "", *bench_studio.notes(studio)]))
        print(f"(bench took {time.perf_counter() - started:.0f}s)")
        return 0
    if (argv if argv is not None else sys.argv[1:]) == ["career"]:
        try:
            career = measure_career()
        except BenchError as exc:
            print(f"bench: FAILED: {exc}", file=sys.stderr)
            return 1
        print(f"zik bench (career): {os.cpu_count()} CPUs, load average {load:.2f} when it began")
        print("\n".join([*table(career.rows()), "", *career.notes(), "", missed_line(career.rows())]))
        print(f"(bench took {time.perf_counter() - started:.0f}s)")
        return 0
    if (argv if argv is not None else sys.argv[1:]) == ["scale"]:
        from zik_local import bench_accounts, bench_quests

        try:
            recurring = measure_recurring()
            erasure = measure_erasure()
        except BenchError as exc:
            print(f"bench: FAILED: {exc}", file=sys.stderr)
            return 1
        rows = [*bench_quests.rows(recurring, _met), *bench_accounts.rows(erasure, _met)]
        print(f"zik bench (scale): {os.cpu_count()} CPUs, load average {load:.2f} when it began")
        print("\n".join([*table(rows), "", f"  {bench_quests.notes(recurring)}", f"  {bench_accounts.notes(erasure)}", "", missed_line(rows)]))
        print(f"(bench took {time.perf_counter() - started:.0f}s)")
        return 0
    try:
        starts, reported, complete = measure_start()
        latencies, early = measure_latency()
        colds = measure_cold()
        quests = measure_quests()
        journal = measure_journal()
        recurring = measure_recurring()
        erasure = measure_erasure()
        career = measure_career()
        studio = measure_studio()
    except BenchError as exc:
        print(f"bench: FAILED: {exc}", file=sys.stderr)
        return 1
    print(f"zik bench: {os.cpu_count()} CPUs, load average {load:.2f} when it began (figures are noisy under load)")
    print(report(starts, reported, complete, latencies, early, colds, quests, journal, recurring, erasure, career, studio))
    print(f"(bench took {time.perf_counter() - started:.0f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
