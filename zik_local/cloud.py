"""The embedded cloud: moto's server in-process on loopback, the template's resources created in it, the
functions run by the runtime, and every path between them wired from the template.

``LocalCloud`` is what ``zik dev`` starts and what the tests start: one object, started and stopped.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import threading
import time
import urllib.request
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from zik_local import hooks
from zik_local.auth import LocalCognito, SigningKey, TokenRejected
from zik_local.aws_server import EmbeddedAWS
from zik_local.gateway import Gateway, GatewayServer, TokenBucket
from zik_local.provision import Deployment, FunctionSpec, QueueMapping, Schedule, Target, provision
from zik_local.runtime import DebugTarget, Invocation, Runtime, SandboxPool
from zik_local.schedule import ScheduleError, next_fire
from zik_local.streams import Outcome, PollerThread, StreamPoller
from zik_local.template import ACCOUNT_ID, REGION, Stack, load

# Lambda retries a failed asynchronous invocation after about one and then two minutes; locally the
# same attempts happen after ZIK_ASYNC_RETRY_DELAY seconds (doubling), so that tests see the DLQ quickly.
ASYNC_RETRY_DELAY = float(os.environ.get("ZIK_ASYNC_RETRY_DELAY", "0.2"))
# `zik logs` reads the last lines of each function from memory: enough for a session's scrollback, bounded
# so that a chatty function cannot grow the process.
LOG_LINES_PER_FUNCTION = 2000
# How long one `zik logs --tail` request may wait for a new line before answering empty.
LOG_WAIT_LIMIT_SECONDS = 25.0
# Threads running asynchronous invocations (Lambda's async queue, EventBridge and S3 deliveries) at once.
ASYNC_WORKERS = 16


# Template parameters whose local value differs from the deployed default: the AI (text and image) runs offline unless
# asked otherwise (--parameter AIProviders=anthropic,local, or AI_PROVIDERS in the shell, which reaches
# every function's environment); a user's erasure starts after 2 s instead of 30 (nothing runs for 29 s here).
# The push devices' SNS platform application is one the local cloud makes in moto (provision.given_resources).
LOCAL_PARAMETER_DEFAULTS = {
    "AIProviders": "local",
    "AIImageProviders": "local",
    "ErasureDelaySeconds": "2",
    "PushPlatformApplicationArn": "arn:aws:sns:us-east-1:123456789012:app/GCM/zik-local",
}


@dataclass
class CloudOptions:
    template: Path
    port: int = 3000
    host: str = "127.0.0.1"
    aws_port: int = 0
    stack_name: str = "zik-local"
    parameters: dict[str, str] = field(default_factory=dict)
    env_overrides: dict[str, dict[str, str]] = field(default_factory=dict)
    state_dir: Path | None = None
    run_schedules: bool = False
    watch: bool = True
    prewarm: bool = True
    quiet: bool = False
    throttle: bool = True
    # When aws_port is taken, serve the embedded AWS on any free port instead of failing (zik dev's default
    # port; a port asked for explicitly must be that one).
    aws_port_fallback: bool = False
    debug: DebugTarget | None = None


class LocalCloud:
    def __init__(self, options: CloudOptions, sandboxes: SandboxPool | None = None):
        self.options = options
        self._sandboxes = sandboxes
        self.state_dir = options.state_dir or options.template.parent / ".zik"
        self.stack: Stack | None = None
        self.deployment: Deployment | None = None
        self.runtime: Runtime | None = None
        self.gateway: Gateway | None = None
        self._moto: Any = None
        self._http: GatewayServer | None = None
        self._executor = ThreadPoolExecutor(max_workers=ASYNC_WORKERS, thread_name_prefix="async")
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._cognito: dict[str, LocalCognito] = {}
        self._clients: dict[str, Any] = {}
        self._clients_lock = threading.Lock()
        self._log_lock = threading.Lock()
        self._function_logs: dict[str, deque[tuple[int, float, str]]] = {}
        self._log_sequence = 0
        self._new_log_line = threading.Condition()
        self._deferred_thread: threading.Thread | None = None
        self._resources_ready = threading.Event()
        self._stream_pollers: dict[str, list[PollerThread]] = {}
        self._started = 0.0
        self.complete_after: float | None = None  # seconds from start() until everything was created
        self.aws_endpoint = ""
        self.api_url = ""
        self._previous_moto_port: str | None = None

    # -- lifecycle ------------------------------------------------------------------------------------
    def start(self) -> LocalCloud:
        self._started = time.perf_counter()
        # Sandboxes start first: they load the runtime's libraries on the other core while this one
        # starts moto and creates the stack.
        sandboxes = self._sandboxes or SandboxPool(spares=1)
        import logging

        # moto's werkzeug logger speaks of every AWS call; the gateway and the functions log what matters.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)

        self._moto = embedded_aws(self.options.aws_port, fallback=self.options.aws_port_fallback, avoid=self.options.port).start()
        host, port = self._moto.get_host_and_port()
        self.aws_endpoint = f"http://{host}:{port}"
        # moto's Step Functions interpreter calls Lambda through its own server at localhost:$MOTO_PORT.
        self._previous_moto_port = os.environ.get("MOTO_PORT")
        os.environ["MOTO_PORT"] = str(port)
        from zik_local.provision import shared_session

        hooks.install(self, loader=shared_session()._session.get_component("data_loader"))
        parameters = {**LOCAL_PARAMETER_DEFAULTS, **self.options.parameters}
        self.stack = load(
            self.options.template,
            stack_name=self.options.stack_name,
            parameters=parameters,
            cache_dir=self.state_dir / "cache",
        )
        self.deployment = provision(self.stack, self.aws_endpoint, parameters, defer_slow=True, invoke=self._invoke_for_deployment)
        routed = {route.function for api in self.deployment.apis for route in api.routes}
        self.runtime = Runtime(
            self.deployment.functions,
            self.aws_endpoint,
            background=[name for name in self.deployment.functions if name not in routed],
            env_overrides=self.options.env_overrides,
            log=self.log,
            watch=self.options.watch,
            sandboxes=sandboxes,
            before_invoke=lambda spec: self.wait_for_resources(spec.environment),
            debug=self.options.debug,
        )
        if self.options.debug is not None:
            self.deployment.find_function(self.options.debug.function)  # KeyError: no such function
        key = SigningKey.load_or_create(self.state_dir)
        for pool_id in self.deployment.user_pools:
            clients = [c for c, p in self.deployment.user_pool_clients.items() if p == pool_id] or ["local-client"]
            self._cognito[pool_id] = LocalCognito(key, pool_id, clients)
        if self.deployment.apis:
            api = self.deployment.apis[0]
            self.gateway = Gateway(self, api, self._throttle_of(api.logical_id) if self.options.throttle else None)
            from zik_local.control import register_control_routes, register_invoke_route

            register_control_routes(self, self.gateway, key)
            register_invoke_route(self, self.gateway)
            self._http = GatewayServer((self.options.host, self.options.port), self.gateway)
            self.api_url = f"http://{self.options.host}:{self._http.server_address[1]}"

        # State machines and custom resources last (a function whose environment names one waits for it:
        # wait_for_resources), once the first function is warm: creating state machines loads moto's ASL
        # interpreter, a second of CPU, and a custom resource runs a function.
        def create_deferred() -> None:
            self._deferred_thread = self._spawn(self._create_deferred, "deferred-resources")

        if self.options.prewarm and self.gateway is not None:
            # Only the first public route's function (/health: what a developer, and a load balancer, asks
            # first), before serving: a request that comes at once waits for the environment being warmed.
            # The others start on demand from the ready sandboxes (libraries loaded, only the handler to
            # import), as Lambda's do: warming every function would hold their memory for nothing.
            routes = sorted(self.gateway.api.routes, key=lambda r: (r.authorizer is not None, r.path))
            self.runtime.prewarm([r.function for r in routes if r.function][:1], after_first=create_deferred)
        else:
            create_deferred()
        if self._http is not None:
            self._spawn(self._http.serve_forever, "gateway")
        for mapping in self.deployment.queue_mappings:
            if mapping.enabled:
                self._spawn(functools.partial(self._poll_queue, mapping), f"poll-{mapping.logical_id}")
        self._start_stream_pollers()
        if self.options.run_schedules:
            for schedule in self.deployment.schedules:
                if schedule.enabled:
                    self._spawn(functools.partial(self._run_schedule, schedule), f"schedule-{schedule.logical_id}")
        return self

    def stop(self) -> None:
        self._stopping.set()
        with self._new_log_line:
            self._new_log_line.notify_all()  # a `zik logs --tail` request answers now
        if self._stream_written in hooks.stream_listeners:
            hooks.stream_listeners.remove(self._stream_written)
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
        if self.deployment is not None:
            self.deployment.cancel()
        if self.runtime is not None:
            # Running invocations too (a custom resource still loading its data, when `zik invoke` is done
            # first): a function must not call the embedded AWS while it is reset below.
            self.runtime.close()
        self._executor.shutdown(wait=False, cancel_futures=True)
        if self._deferred_thread is not None:
            self._deferred_thread.join(timeout=30)
        hooks.uninstall()
        if self._moto is not None:
            # moto keeps its accounts in the process: empty them (moto's documented reset API), so that
            # another cloud started in this process begins, as `zik dev` does, with nothing in it.
            try:
                urllib.request.urlopen(urllib.request.Request(f"{self.aws_endpoint}/moto-api/reset", method="POST"), timeout=10).read()
            except OSError as exc:
                self.log("zik", f"could not reset the embedded AWS: {exc!r}")
            self._moto.stop()
            if self._previous_moto_port is None:
                os.environ.pop("MOTO_PORT", None)
            else:
                os.environ["MOTO_PORT"] = self._previous_moto_port

    def __enter__(self) -> LocalCloud:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def _create_deferred(self) -> None:
        try:
            assert self.deployment is not None
            count = len(self.deployment.deferred)
            errors = self.deployment.create_deferred()
            if self._stopping.is_set():
                return  # what failed, failed because the cloud stopped
            for error in errors:
                # The invocations whose environment names what failed answer with this too.
                self.log("zik", f"deployment FAILED: {error}")
            self.complete_after = time.perf_counter() - self._started
            self.log("zik", f"stack complete {self.complete_after:.2f}s after start ({count} created after serving)")
        except Exception as exc:  # noqa: BLE001 (reported; the functions that need it will say so)
            self.log("zik", f"could not create the deferred resources: {exc!r}")
        finally:
            self._resources_ready.set()

    def wait_until_complete(self, timeout: float = 60.0) -> bool:
        """Wait until what is created after serving (policies, state machines, custom resources...) is."""
        return self._resources_ready.wait(timeout)

    def wait_for_resources(self, environment: dict[str, str], timeout: float = 60.0) -> None:
        """Hold an invocation whose environment names a resource still being created, until it exists;
        raise DeploymentFailed if it could not be created."""
        if self.deployment is not None:
            self.deployment.wait_for(environment.values(), timeout)

    def _invoke_for_deployment(self, spec: FunctionSpec, event: Any) -> Invocation:
        """A custom resource's invocation: never held by wait_for_resources (it is what the others wait for)."""
        if self.runtime is not None:
            return self.runtime.invoke(spec.logical_id, event, hold=False)
        # A custom resource another resource references runs while the stack is created, before the
        # runtime exists: in an environment of its own.
        runtime = Runtime(
            {spec.logical_id: spec},
            self.aws_endpoint,
            env_overrides=self.options.env_overrides,
            log=self.log,
            watch=False,
            sandboxes=SandboxPool(spares=0),
        )
        try:
            return runtime.invoke(spec.logical_id, event)
        finally:
            runtime.close()

    def _spawn(self, target: Callable[[], None], name: str) -> threading.Thread:
        thread = threading.Thread(target=target, daemon=True, name=name)
        thread.start()
        self._threads.append(thread)
        return thread

    def log(self, source: str, line: str) -> None:
        if self.deployment is not None and source in self.deployment.functions:
            with self._new_log_line:
                self._log_sequence += 1
                lines = self._function_logs.setdefault(source, deque(maxlen=LOG_LINES_PER_FUNCTION))
                lines.append((self._log_sequence, time.time(), line))
                self._new_log_line.notify_all()
        if self.options.quiet:
            return
        with self._log_lock:
            sys.stderr.write(f"[{source}] {line}\n")
            sys.stderr.flush()

    def function_logs(self, function: str, *, after: int = 0, wait: float = 0.0) -> tuple[list[dict[str, Any]], int]:
        """The function's log lines numbered above ``after`` (the last LOG_LINES_PER_FUNCTION it wrote), and
        the number to ask after next time; when there are none yet, waits up to ``wait`` seconds for one."""
        assert self.deployment is not None
        name = self.deployment.find_function(function).logical_id  # KeyError: no such function
        deadline = time.monotonic() + min(max(wait, 0.0), LOG_WAIT_LIMIT_SECONDS)

        def newer() -> list[tuple[int, float, str]]:
            return [entry for entry in self._function_logs.get(name, ()) if entry[0] > after]

        with self._new_log_line:
            found = newer()
            while not found and not self._stopping.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._new_log_line.wait(remaining)
                found = newer()
            latest = self._log_sequence
        lines: list[dict[str, Any]] = [{"seq": seq, "time": at, "line": line} for seq, at, line in found]
        # (a number past the latest comes from an earlier `zik dev`: from the latest on, then)
        return lines, lines[-1]["seq"] if lines else min(after, latest)

    def physical_function_name(self, name: str) -> str | None:
        """The deployed name of the function whose logical id is ``name`` (`aws lambda invoke --function-name
        MeFunction`, as `sam local start-lambda` takes it), once its copy in the embedded Lambda exists."""
        spec = self.deployment.functions.get(name) if self.deployment is not None else None
        if self.deployment is None or spec is None:
            return None
        self.deployment.wait_for([spec.name], 60.0)
        return spec.name

    def client(self, service: str) -> Any:
        # One client per service (the pollers ask for theirs all at once, at start), from the session the
        # provisioning used: its service models are loaded already. Its connection pool holds one connection
        # per thread that may use it at once (every queue's poller long-polls on the SQS client): with
        # botocore's 10, the eleventh poll opened a connection and closed it after, 9 new connections a
        # second to the embedded AWS under make load, each a thread started there.
        with self._clients_lock:
            if service not in self._clients:
                from botocore.config import Config

                from zik_local.provision import new_client

                assert self.deployment is not None
                deployment = self.deployment
                users = len(deployment.queue_mappings) + len(deployment.stream_mappings) + len(deployment.schedules) + ASYNC_WORKERS + 8
                self._clients[service] = new_client(service, self.aws_endpoint, Config(max_pool_connections=users))
            return self._clients[service]

    def _throttle_of(self, api_logical_id: str) -> TokenBucket | None:
        assert self.stack is not None and self.deployment is not None
        for resource in self.stack.of_type("AWS::ApiGateway::Stage").values():
            props = resource.get("Properties", {})
            if props.get("RestApiId") != {"Ref": api_logical_id}:
                continue
            for setting in self.deployment.resolver.value(props.get("MethodSettings") or []):
                if "ThrottlingRateLimit" in setting:
                    return TokenBucket(float(setting["ThrottlingRateLimit"]), int(setting.get("ThrottlingBurstLimit", 1)))
        return None

    # -- auth -----------------------------------------------------------------------------------------
    def cognito(self, pool_id: str | None = None) -> LocalCognito:
        if not self._cognito:
            raise LookupError("the template declares no Cognito user pool")
        return self._cognito[pool_id] if pool_id else next(iter(self._cognito.values()))

    def verify_token(self, token: str, pool_ids: list[str]) -> dict[str, Any]:
        last: TokenRejected | None = None
        for pool_id in pool_ids:
            try:
                return self.cognito(pool_id).verify(token)
            except TokenRejected as exc:
                last = exc
        raise last or TokenRejected("no user pool to verify against")

    # -- the Dispatcher the moto hooks call -------------------------------------------------------------
    def _spec(self, function_arn: str) -> FunctionSpec:
        assert self.deployment is not None
        spec = self.deployment.function_by_arn(function_arn)
        if spec is None:
            raise LookupError(f"no function behind {function_arn}")
        return spec

    def invoke_function(self, function_arn: str, event: Any) -> Invocation:
        assert self.runtime is not None
        return self.runtime.invoke(self._spec(function_arn).logical_id, event)

    def invoke_function_async(self, function_arn: str, event: Any, *, source: str) -> Future[Invocation | None]:
        spec = self._spec(function_arn)
        return self._executor.submit(self._async_invocation, spec, event, source)

    def _async_invocation(self, spec: FunctionSpec, event: Any, source: str) -> Invocation | None:
        """Lambda's asynchronous invocation: retried, then sent to the DLQ / on-failure destination."""
        attempts = 1 + spec.max_async_retries
        invocation: Invocation | None = None
        for attempt in range(1, attempts + 1):
            if self._stopping.is_set():
                return None
            assert self.runtime is not None
            invocation = self.runtime.invoke(spec.logical_id, event)
            if not invocation.failed:
                return invocation
            if attempt < attempts:
                self._stopping.wait(ASYNC_RETRY_DELAY * 2 ** (attempt - 1))
        assert invocation is not None
        self._on_failure(spec, event, invocation, attempts, source)
        return invocation

    def _on_failure(self, spec: FunctionSpec, event: Any, invocation: Invocation, attempts: int, source: str) -> None:
        error = invocation.error or {}
        if not spec.on_failure and not spec.dead_letter:
            self.log(spec.logical_id, f"asynchronous event from {source} LOST after {attempts} attempts: no DLQ or on-failure destination")
            return
        if spec.dead_letter:
            self._dead_letter(spec, event, invocation, attempts, source)
        if not spec.on_failure:
            return
        record = {
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(),
            "requestContext": {
                "requestId": invocation.request_id,
                "functionArn": f"{spec.arn}:$LATEST",
                "condition": "RetriesExhausted",
                "approximateInvokeCount": attempts,
            },
            "requestPayload": event,
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
            "responsePayload": {k: error.get(k) for k in ("errorMessage", "errorType")},
        }
        self.send_to_destination(spec.on_failure, record)
        self.log(spec.logical_id, f"asynchronous event from {source} failed {attempts} times: sent to {spec.on_failure}")

    def send_to_destination(self, destination: str, record: dict[str, Any]) -> None:
        """An on-failure destination's record: to an SQS queue, an SNS topic, a bus or a function."""
        if ":sqs:" in destination:
            queue_url = self.client("sqs").get_queue_url(QueueName=destination.rsplit(":", 1)[-1])["QueueUrl"]
            self.client("sqs").send_message(QueueUrl=queue_url, MessageBody=json.dumps(record))
        elif ":sns:" in destination:
            self.client("sns").publish(TopicArn=destination, Message=json.dumps(record))
        elif ":event-bus/" in destination:
            self.client("events").put_events(
                Entries=[
                    {
                        "Source": "lambda",
                        "DetailType": "Lambda Function Invocation Result - Failure",
                        "Detail": json.dumps(record),
                        "EventBusName": destination.rsplit("/", 1)[-1],
                    }
                ]
            )
        elif ":lambda:" in destination:
            self.invoke_function_async(destination, record, source="destination")

    def _dead_letter(self, spec: FunctionSpec, event: Any, invocation: Invocation, attempts: int, source: str) -> None:
        """Lambda's DLQ receives the event itself; what went wrong travels in the message attributes."""
        error = invocation.error or {}
        attributes = {
            "RequestID": {"DataType": "String", "StringValue": invocation.request_id},
            "ErrorCode": {"DataType": "Number", "StringValue": "200"},
            "ErrorMessage": {"DataType": "String", "StringValue": str(error.get("errorMessage") or error.get("errorType"))[:1024]},
        }
        target = spec.dead_letter or ""
        if ":sqs:" in target:
            queue_url = self.client("sqs").get_queue_url(QueueName=target.rsplit(":", 1)[-1])["QueueUrl"]
            self.client("sqs").send_message(QueueUrl=queue_url, MessageBody=json.dumps(event), MessageAttributes=attributes)
        elif ":sns:" in target:
            self.client("sns").publish(TopicArn=target, Message=json.dumps(event), MessageAttributes=attributes)
        self.log(spec.logical_id, f"asynchronous event from {source} failed {attempts} times: sent to the DLQ {target}")

    def deliver_to_target(self, target: dict[str, Any], event: dict[str, Any], rule_arn: str) -> None:
        event.pop("ingestion-time", None)
        if isinstance(event.get("time"), (int, float)):
            event["time"] = datetime.fromtimestamp(event["time"], UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        payload = _transform_input(target, event)
        arn = target["Arn"]
        if ":lambda:" in arn:
            self.invoke_function_async(arn, payload, source=f"rule {rule_arn.rsplit('/', 1)[-1]}")
        elif ":states:" in arn:
            self._executor.submit(self.start_execution, arn, payload)

    def start_execution(self, state_machine_arn: str, payload: Any) -> str:
        if self.deployment is not None:  # a rule or a schedule may fire before the machine is created
            self.deployment.wait_for([state_machine_arn], 60.0)
        return self.client("stepfunctions").start_execution(stateMachineArn=state_machine_arn, name=str(uuid.uuid4()), input=json.dumps(payload))[
            "executionArn"
        ]

    # -- DynamoDB stream event source mappings ------------------------------------------------------------
    def _start_stream_pollers(self) -> None:
        assert self.deployment is not None
        for mapping in self.deployment.stream_mappings:
            if not mapping.enabled:
                continue
            poller = StreamPoller(
                mapping,
                self.client("dynamodbstreams"),
                self._invoke_outcome,
                self.send_to_destination,
                log=functools.partial(self.log, mapping.function),
                retry_delay=ASYNC_RETRY_DELAY,
            )
            thread = PollerThread(poller, self._stopping, functools.partial(self.log, mapping.function), after_poll=self._trim_stream)
            self._stream_pollers.setdefault(mapping.table_name, []).append(thread)
            thread.start()
        if self._stream_pollers:
            hooks.stream_listeners.append(self._stream_written)

    def _stream_written(self, table_name: str) -> None:
        for thread in self._stream_pollers.get(table_name, ()):
            thread.wake.set()

    def _trim_stream(self, table_name: str) -> None:
        """Drop the stream records every poller of the table is past (DynamoDB keeps them a day; moto
        would keep them for ever, and copy them with the table in every transaction)."""
        checkpoints = [t.poller.checkpoint for t in self._stream_pollers.get(table_name, ())]
        if checkpoints and all(checkpoints):
            from moto.dynamodb.models import dynamodb_backends

            table = dynamodb_backends[ACCOUNT_ID][REGION].get_table(table_name)
            hooks.trim_stream(table, min(int(c) for c in checkpoints if c))

    def _invoke_outcome(self, function: str, event: dict[str, Any]) -> Outcome:
        assert self.runtime is not None
        invocation = self.runtime.invoke(function, event)
        return Outcome(failed=invocation.failed, payload=invocation.payload)

    # -- SQS event source mappings ----------------------------------------------------------------------
    def _poll_queue(self, mapping: QueueMapping) -> None:
        sqs = self.client("sqs")
        while not self._stopping.is_set():
            try:
                # Long polls, as Lambda's pollers make: a message sent wakes the poll at once.
                answer = sqs.receive_message(
                    QueueUrl=mapping.queue_url,
                    MaxNumberOfMessages=min(10, mapping.batch_size),
                    WaitTimeSeconds=20,
                    AttributeNames=["All"],
                    MessageAttributeNames=["All"],
                )
            except Exception as exc:  # noqa: BLE001 - the poller outlives a failed poll, as Lambda's does
                if not self._stopping.is_set():
                    self.log(mapping.function, f"poll of {mapping.queue_arn} failed: {exc!r}")
                    self._stopping.wait(1)
                continue
            messages = answer.get("Messages") or []
            if messages:
                self.process_batch(mapping, messages)

    def process_batch(self, mapping: QueueMapping, messages: list[dict[str, Any]]) -> Invocation:
        event = {"Records": [_sqs_record(m, mapping.queue_arn) for m in messages]}
        assert self.runtime is not None
        invocation = self.runtime.invoke(mapping.function, event)
        if invocation.failed:
            self.log(mapping.function, f"batch of {len(messages)} failed; the messages return after the visibility timeout")
            return invocation
        failed_ids: set[str | None] = set()  # None: a failure reported without its message's id
        if mapping.report_item_failures and isinstance(invocation.payload, dict):
            reported = invocation.payload.get("batchItemFailures") or []
            known = {m["MessageId"] for m in messages}
            failed_ids = {f.get("itemIdentifier") for f in reported if isinstance(f, dict)}
            if not failed_ids <= known:
                # Lambda treats an unknown or empty identifier as the failure of the whole batch.
                failed_ids = known
        done = [m for m in messages if m["MessageId"] not in failed_ids]
        for start in range(0, len(done), 10):
            self.client("sqs").delete_message_batch(
                QueueUrl=mapping.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done[start : start + 10])],
            )
        if failed_ids:
            self.log(mapping.function, f"{len(failed_ids)} of {len(messages)} messages failed; they return after the visibility timeout")
        return invocation

    # -- schedules ------------------------------------------------------------------------------------
    def schedules_for(self, name: str) -> list[Schedule]:
        assert self.deployment is not None
        found = []
        for schedule in self.deployment.schedules:
            targets = [self.deployment.function_by_arn(t.arn) for t in schedule.targets]
            names = {schedule.logical_id, schedule.name} | {s.logical_id for s in targets if s} | {s.name for s in targets if s}
            if name in names:
                found.append(schedule)
        return found

    def fire_schedule(self, schedule: Schedule, *, wait: bool = True) -> list[Invocation | str | None]:
        results: list[Invocation | str | None] = []
        for target in schedule.targets:
            event = _scheduled_event(schedule, target)
            if ":lambda:" in target.arn:
                future = self.invoke_function_async(target.arn, event, source=f"schedule {schedule.name}")
                results.append(future.result() if wait else None)
            elif ":states:" in target.arn:
                results.append(self.start_execution(target.arn, event))
            elif ":sqs:" in target.arn:
                url = self.client("sqs").get_queue_url(QueueName=target.arn.rsplit(":", 1)[-1])["QueueUrl"]
                self.client("sqs").send_message(QueueUrl=url, MessageBody=json.dumps(event))
                results.append("sent")
        return results

    def _run_schedule(self, schedule: Schedule) -> None:
        while not self._stopping.is_set():
            now = datetime.now(UTC)
            try:
                due = next_fire(schedule.expression, now)
            except ScheduleError as exc:  # e.g. a one-time at() schedule that has fired
                self.log("scheduler", f"{schedule.logical_id} stops: {exc}")
                return
            if self._stopping.wait(max(0.0, (due - now).total_seconds())):
                return
            self.log("scheduler", f"{schedule.logical_id}: {schedule.expression} fired")
            try:
                self.fire_schedule(schedule, wait=False)
            except Exception as exc:  # noqa: BLE001
                self.log("scheduler", f"{schedule.logical_id} failed to fire: {exc!r}")

    # -- what `zik dev` prints and `/_zik/info` answers ---------------------------------------------------
    def info(self) -> dict[str, Any]:
        assert self.deployment is not None
        pools = [{"userPoolId": pool.user_pool_id, "clientIds": pool.client_ids, "issuer": pool.issuer} for pool in self._cognito.values()]
        return {
            "apiUrl": self.api_url,
            "awsEndpoint": self.aws_endpoint,
            "region": REGION,
            "account": ACCOUNT_ID,
            "stackName": self.options.stack_name,
            "openapi": f"{self.api_url}/_zik/openapi.json",
            "docs": f"{self.api_url}/_zik/docs",
            "jwks": f"{self.api_url}/.well-known/jwks.json",
            "userPools": pools,
            "functions": {lid: spec.name for lid, spec in self.deployment.functions.items()},
            "routes": [
                {"method": r.method, "path": r.path, "function": r.function, "auth": bool(r.authorizer)}
                for r in (self.gateway.api.routes if self.gateway else [])
                if r.function
            ],
            "queues": [m.queue_url for m in self.deployment.queue_mappings],
            "stateMachines": self.deployment.state_machines,
            "schedules": [{"name": s.logical_id, "expression": s.expression, "enabled": s.enabled} for s in self.deployment.schedules],
            "outputs": self.deployment.outputs,
            "notEmulated": self.deployment.accepted,
            # False while resources are still being created after serving (an invocation naming one waits).
            "complete": self._resources_ready.is_set(),
        }


def _transform_input(target: dict[str, Any], event: dict[str, Any]) -> Any:
    if target.get("Input") is not None:
        return json.loads(target["Input"])
    if target.get("InputPath"):
        value: Any = event
        for part in target["InputPath"].removeprefix("$").strip(".").split("."):
            if part:
                value = value.get(part) if isinstance(value, dict) else None
        return value
    transformer = target.get("InputTransformer")
    if transformer:
        from moto.events.utils import EventMessageType, EventTemplateParser

        rendered = EventTemplateParser.parse(
            input_template=transformer.get("InputTemplate"),
            input_paths_map=transformer.get("InputPathsMap", {}),
            event=cast("EventMessageType", event),  # the event as put, a plain dict: moto types it as a TypedDict
        )
        return rendered
    return event


def _sqs_record(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    attributes = message.get("Attributes") or {}
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": attributes,
        "messageAttributes": {
            name: {
                "stringValue": value.get("StringValue"),
                "binaryValue": value.get("BinaryValue"),
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": value.get("DataType"),
            }
            for name, value in (message.get("MessageAttributes") or {}).items()
        },
        "md5OfBody": message.get("MD5OfBody"),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    }


def _scheduled_event(schedule: Schedule, target: Target) -> Any:
    if target.input is not None:
        return json.loads(target.input)
    if schedule.kind == "scheduler":
        return {}
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT_ID,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/{schedule.name}"],
        "detail": {},
    }


def embedded_aws(port: int, *, fallback: bool, avoid: int) -> EmbeddedAWS:
    """The embedded AWS's server bound to 127.0.0.1:``port`` (0: any free one); with ``fallback``, on any free
    port when that one cannot be bound. Bound here, not probed first: two local clouds starting at once (two
    test processes) both found the default port free, and the second failed to bind it."""
    if fallback and port == avoid:
        port = 0
    try:
        return EmbeddedAWS("127.0.0.1", port)
    except OSError as exc:
        if fallback and port != 0:
            return EmbeddedAWS("127.0.0.1", 0)
        raise OSError(
            exc.errno, f"the embedded AWS cannot listen on 127.0.0.1:{port} ({exc.strerror}); choose another --aws-port (0: any free)"
        ) from None


def wait_until(predicate: Callable[[], Any], timeout: float = 10.0, interval: float = 0.05) -> Any:
    """Poll ``predicate`` until it returns something truthy (tests and the CLI use it)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(interval)
