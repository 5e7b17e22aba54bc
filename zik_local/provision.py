"""Create, in the embedded AWS, everything the (transformed) template declares, and describe the wiring
the local cloud must run itself: functions, API routes, event source mappings, rules and schedules.

Resources are created in dependency order with boto3 against the moto endpoint, exactly as
CloudFormation would call the service APIs. Types that have nothing to run locally (alarms, log groups,
permissions, deployments) are recorded as accepted.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from zik_local import custom
from zik_local.resolve import Physical, Resolver, TemplateError, references
from zik_local.streams import StreamMapping
from zik_local.template import ACCOUNT_ID, REGION, Stack

LOCAL_ROLE_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)
# Types the local cloud accepts without creating them: they shape AWS, not behaviour here. Each with what a
# developer misses locally (`zik dev` lists them as "not emulated"), or None where nothing is missed: the
# local cloud does their part itself (the gateway serves the stage, functions run at $LATEST...).
ACCEPTED: dict[str, str | None] = {
    "AWS::Lambda::Permission": "not enforced: any caller may invoke any function",
    "AWS::Lambda::Version": None,
    "AWS::Lambda::Alias": None,
    "AWS::ApiGateway::Deployment": None,
    "AWS::ApiGateway::Stage": None,
    "AWS::ApiGateway::Account": "no API access logs in CloudWatch (the gateway logs each request to zik dev's output)",
    "AWS::CloudWatch::Alarm": "no metrics are collected here, so nothing alarms",
    "AWS::CloudWatch::Dashboard": "no metrics are collected here",
    "AWS::SNS::Subscription": "not subscribed: nothing is delivered to its endpoint",
    "AWS::SQS::QueuePolicy": "resource policies are not enforced",
    "AWS::SNS::TopicPolicy": "resource policies are not enforced",
    "AWS::S3::BucketPolicy": "resource policies are not enforced",
    "AWS::IAM::Policy": "IAM is not enforced: a function may call any API",
    "AWS::IAM::ManagedPolicy": "IAM is not enforced: a function may call any API",
    "AWS::Events::Archive": "events are not archived (no replay)",
    "AWS::Logs::LogGroup": None,
    "AWS::Logs::SubscriptionFilter": "log lines stay in zik dev's output (zik logs), none reach the filter's destination",
    "AWS::Lambda::LayerVersion": None,
    "AWS::Lambda::EventInvokeConfig": None,
    "AWS::Lambda::EventSourceMapping": None,
    "AWS::Scheduler::ScheduleGroup": None,
    "AWS::KMS::Key": "nothing is encrypted at rest here",
    "AWS::KMS::Alias": "nothing is encrypted at rest here",
}


_TARGET_FIELDS = (
    "Id",
    "Arn",
    "Input",
    "InputPath",
    "InputTransformer",
    "RoleArn",
    "SqsParameters",
    "DeadLetterConfig",
    "RetryPolicy",
)
_USER_POOL_CLIENT_FIELDS = (
    "GenerateSecret",
    "ExplicitAuthFlows",
    "PreventUserExistenceErrors",
    "AccessTokenValidity",
    "IdTokenValidity",
    "RefreshTokenValidity",
    "TokenValidityUnits",
    "ReadAttributes",
    "WriteAttributes",
    "EnableTokenRevocation",
    "AuthSessionValidity",
)
_USER_POOL_FIELDS = (
    "UsernameAttributes",
    "AutoVerifiedAttributes",
    "Policies",
    "MfaConfiguration",
    "Schema",
    "AccountRecoverySetting",
    "DeletionProtection",
    # The triggers (a function's ARN per trigger): moto keeps them, and the local cloud runs them (zik_local.hooks).
    "LambdaConfig",
)


@dataclass
class FunctionSpec:
    logical_id: str
    name: str
    arn: str
    code_dir: Path
    handler: str
    runtime: str
    environment: dict[str, str]
    timeout: int
    memory: int
    layer_dirs: list[Path]
    architectures: list[str]
    on_failure: str | None = None  # an on-failure destination: gets an invocation record of a failed async event
    max_async_retries: int = 2
    dead_letter: str | None = None  # the function's DLQ (DeadLetterConfig): gets the failed async event itself


@dataclass
class Authorizer:
    name: str
    kind: str  # "cognito_user_pools"
    user_pool_ids: list[str]
    header: str


@dataclass
class Route:
    method: str  # upper case, or ANY
    path: str  # API Gateway resource path, e.g. /goals/{goalId}
    function: str | None  # logical id; None for a mock integration
    authorizer: Authorizer | None
    mock_headers: dict[str, str] = field(default_factory=dict)


@dataclass
class RestApi:
    logical_id: str
    api_id: str
    stage: str
    routes: list[Route]
    gateway_responses: dict[str, dict[str, Any]]
    binary_media_types: list[str]


@dataclass
class QueueMapping:
    logical_id: str
    function: str
    queue_arn: str
    queue_url: str
    batch_size: int
    batching_window: int
    report_item_failures: bool
    enabled: bool


@dataclass
class Target:
    arn: str
    input: str | None
    input_path: str | None
    input_transformer: dict[str, Any] | None
    dead_letter_arn: str | None
    max_retries: int


@dataclass
class Schedule:
    logical_id: str
    expression: str
    targets: list[Target]
    enabled: bool
    name: str
    kind: str  # "rule" or "scheduler"


@dataclass
class Deferred:
    """A creation left for after the cloud serves (see ``provision(defer_slow=True)``)."""

    create: Callable[[], None]
    what: str
    # Values (ARNs, names) that a function's environment may name: its invocations wait until this is done.
    guards: frozenset[str] = frozenset()
    # Run in a thread of its own: it mostly waits on a function, not on this process's CPU.
    alongside: bool = False


class DeploymentFailed(RuntimeError):
    """A resource that an invocation's environment names could not be created."""


@dataclass
class Deployment:
    """The running shape of the stack: what the gateway, the dispatcher and the pollers act on."""

    endpoint: str | None
    resolver: Resolver
    functions: dict[str, FunctionSpec] = field(default_factory=dict)
    apis: list[RestApi] = field(default_factory=list)
    queue_mappings: list[QueueMapping] = field(default_factory=list)
    stream_mappings: list[StreamMapping] = field(default_factory=list)
    schedules: list[Schedule] = field(default_factory=list)
    user_pools: dict[str, dict[str, str]] = field(default_factory=dict)  # pool id -> {arn, clients...}
    user_pool_clients: dict[str, str] = field(default_factory=dict)  # client id -> pool id
    state_machines: dict[str, str] = field(default_factory=dict)  # logical id -> arn
    accepted: list[str] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    # Creations left for later (see provision(defer_slow=True)); the guards of those not done yet (a
    # count each: two creations may guard one table) and why those that failed did.
    deferred: list[Deferred] = field(default_factory=list)
    pending: Counter[str] = field(default_factory=Counter)
    failed: dict[str, str] = field(default_factory=dict)
    late_outputs: dict[str, Any] = field(default_factory=dict)  # Outputs naming a deferred resource
    _settled: threading.Condition = field(default_factory=threading.Condition, repr=False, compare=False)
    _cancelled: threading.Event = field(default_factory=threading.Event, repr=False, compare=False)

    def cancel(self) -> None:
        """Create nothing more of what was deferred (the local cloud stops)."""
        self._cancelled.set()

    def defer(self, create: Callable[[], None], what: str, guards: Any = (), *, alongside: bool = False) -> None:
        item = Deferred(create, what, frozenset(g for g in guards if g), alongside)
        with self._settled:
            self.deferred.append(item)
            self.pending.update(item.guards)

    def create_deferred(self) -> list[str]:
        """Create what was deferred, in order (``alongside`` ones concurrently); returns why any failed."""
        items, self.deferred = self.deferred, []
        errors: list[str] = []

        def run(item: Deferred) -> None:
            error = None
            try:
                if self._cancelled.is_set():
                    raise TemplateError(f"{item.what}: not created, the local cloud stopped")
                item.create()
            except Exception as exc:  # noqa: BLE001 - reported, and to the invocations that need it
                error = str(exc) if isinstance(exc, TemplateError) else f"{item.what}: {exc!r}"
                errors.append(error)
            with self._settled:
                for guard in item.guards:
                    self.pending[guard] -= 1
                    if self.pending[guard] <= 0:
                        del self.pending[guard]
                if error is not None:
                    self.failed.update(dict.fromkeys(item.guards, error))
                self._settled.notify_all()

        threads = [threading.Thread(target=run, args=(i,), daemon=True, name=f"create {i.what}") for i in items if i.alongside]
        for thread in threads:
            thread.start()
        # What invocations wait for first (roles, functions, state machines, in the order they were
        # deferred, which follows their dependencies), bookkeeping (policies, log groups) last.
        for item in sorted((i for i in items if not i.alongside), key=lambda i: not i.guards):
            run(item)
        for thread in threads:
            thread.join()
        for name, value in list(self.late_outputs.items()):
            try:
                self.outputs[name] = self.resolver.value(value)
                del self.late_outputs[name]
            except TemplateError:
                continue
        return errors

    def wait_for(self, values: Any, timeout: float) -> None:
        """Hold until nothing named in ``values`` is still being created (at most ``timeout`` seconds);
        raise DeploymentFailed if something it names could not be created."""
        if not self.pending and not self.failed:
            return
        named = set(values)
        with self._settled:
            self._settled.wait_for(lambda: named.isdisjoint(self.pending), timeout)
            failures = list(dict.fromkeys(self.failed[v] for v in named if v in self.failed))
        if failures:
            raise DeploymentFailed("; ".join(failures))

    def function_by_arn(self, arn: str) -> FunctionSpec | None:
        name = arn.split(":function:", 1)[-1].split(":", 1)[0]
        for spec in self.functions.values():
            if spec.arn == arn or spec.name == name or spec.logical_id == name:
                return spec
        return None

    def find_function(self, name: str) -> FunctionSpec:
        for spec in self.functions.values():
            if name in (spec.logical_id, spec.name, spec.arn):
                return spec
        known = ", ".join(sorted(self.functions))
        raise KeyError(f"no function {name!r} in the template; known: {known}")


@cache
def shared_session() -> boto3.session.Session:
    """One session for every provisioning and the local cloud's own clients: a new one reads the service
    models again (~0.3 s)."""
    return boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)


_NEW_CLIENT = threading.Lock()


def new_client(service: str, endpoint: str | None, config: Config | None = None) -> Any:
    """A client of the shared session, made one at a time: a session is not thread-safe (its clients are)."""
    with _NEW_CLIENT:
        return shared_session().client(service, endpoint_url=endpoint or None, config=config)  # type: ignore[call-overload]  # boto3-stubs types only literal names


def physical_name(stack: str, logical_id: str, max_length: int = 64, lower: bool = False) -> str:
    """A CloudFormation-style generated name, stable across restarts of the local cloud."""
    suffix = hashlib.sha1(f"{stack}/{logical_id}".encode(), usedforsecurity=False).hexdigest()[:12].upper()
    name = f"{stack}-{logical_id}"[: max_length - 13] + "-" + suffix
    return name.lower() if lower else name


class Provisioner:
    def __init__(
        self,
        stack: Stack,
        endpoint: str | None,
        parameters: dict[str, str] | None = None,
        *,
        defer_slow: bool = False,
        invoke: custom.Invoke | None = None,
        create_unread: bool = True,
    ):
        self.stack = stack
        self.endpoint = endpoint
        self.defer_slow = defer_slow
        self.create_unread = create_unread
        self.resolver = Resolver(stack, parameters)
        self.deployment = Deployment(endpoint=endpoint, resolver=self.resolver)
        config = Config(retries={"max_attempts": 2, "mode": "standard"})
        self._clients: dict[str, Any] = {}
        self._client_lock = threading.Lock()  # deferred creations run on other threads
        self._new_client = lambda service, url=endpoint: new_client(service, url, config)
        self._invoke = invoke or (lambda spec, event: custom.invoke_here(spec, event, endpoint))
        self._referenced: set[str] = set()
        self._response_bucket = threading.Lock()
        self._response_bucket_made = False
        self._layers: dict[str, Path] = {}
        self._pending_targets: list[tuple[str, dict[str, Any]]] = []
        self._invoke_configs: dict[str, dict[str, Any]] = {}
        self._esm_specs: list[tuple[str, dict[str, Any]]] = []
        self._queue_urls: dict[str, str] = {}  # ARN -> URL of the queues created here
        self._deferred_apis: list[tuple[str, str, dict[str, Any], str]] = []

    def given_resources(self, parameters: dict[str, str]) -> None:
        """What a deployment is given by parameter rather than creates, made in moto under the same name, so
        the code's real calls to it have something to call: the SNS platform application of push devices
        (in AWS it needs an APNs certificate or an FCM key)."""
        application = parameters.get("PushPlatformApplicationArn") or ""
        if application.startswith(f"arn:aws:sns:{REGION}:{ACCOUNT_ID}:app/"):
            platform, name = application.split(":app/", 1)[1].split("/", 1)
            self._client("sns").create_platform_application(Name=name, Platform=platform, Attributes={})

    def _later(self, create: Callable[[], Any], what: str) -> None:
        """What nothing reads at run time (role policies, log groups, TTL settings): created after the cloud
        serves, or not at all (``create_unread=False``)."""
        if not self.create_unread:
            return
        if self.defer_slow:
            self.deployment.defer(create, what)
        else:
            create()

    def _needed_later(self, create: Callable[[], Any], what: str, guards: set[str]) -> None:
        """What only some invocations read, by a name or ARN known now: created after the cloud serves,
        and an invocation whose environment names one of ``guards`` waits for it."""
        if self.defer_slow:
            self.deployment.defer(create, what, guards)
        else:
            create()

    def _client(self, service: str, endpoint: str | None = None) -> Any:
        """One client per service for the whole provisioning (a client costs more to make than most calls)."""
        key = f"{service} {endpoint or ''}"
        with self._client_lock:
            if key not in self._clients:
                self._clients[key] = self._new_client(service, endpoint or self.endpoint)
            return self._clients[key]

    # -------------------------------------------------------------------------------------------------
    def run(self) -> Deployment:
        skipped: Counter[str] = Counter()
        handlers: dict[str, Callable[[str, dict[str, Any]], Physical]] = {
            "AWS::DynamoDB::Table": self._table,
            "AWS::S3::Bucket": self._bucket,
            "AWS::SQS::Queue": self._queue,
            "AWS::SNS::Topic": self._topic,
            "AWS::Events::EventBus": self._event_bus,
            "AWS::Events::Rule": self._rule,
            "AWS::Scheduler::Schedule": self._schedule,
            "AWS::IAM::Role": self._role,
            "AWS::Lambda::Function": self._function,
            "AWS::Lambda::LayerVersion": self._layer,
            "AWS::StepFunctions::StateMachine": self._state_machine,
            "AWS::Cognito::UserPool": self._user_pool,
            "AWS::Cognito::UserPoolClient": self._user_pool_client,
            "AWS::Cognito::UserPoolGroup": self._user_pool_group,
            "AWS::Cognito::IdentityPool": self._identity_pool,
            "AWS::Cognito::IdentityPoolRoleAttachment": self._identity_pool_roles,
            "AWS::ApiGateway::RestApi": self._rest_api,
            "AWS::Logs::LogGroup": self._log_group,
            "AWS::Lambda::EventInvokeConfig": self._event_invoke_config,
            "AWS::Lambda::EventSourceMapping": self._event_source_mapping,
            "AWS::SSM::Parameter": self._ssm_parameter,
        }
        resources = self.stack.resources
        graph = self.resolver.dependencies()
        self._referenced = {d for deps in graph.values() for d in deps}
        for logical_id in TopologicalSorter(graph).static_order():
            resource = resources[logical_id]
            if not self.resolver.included(resource):
                continue
            kind = resource["Type"]
            props = resource.get("Properties", {})
            handler = handlers.get(kind) or (self._custom_resource if custom.is_custom(kind) else None)
            if handler is not None:
                physical = handler(logical_id, props)
                if physical is not None:  # None: created later (a deferred custom resource)
                    self.resolver.physical[logical_id] = physical
            else:
                if kind not in ACCEPTED:
                    self.deployment.accepted.append(f"{logical_id} ({kind}: not emulated)")
                elif ACCEPTED[kind]:
                    skipped[kind] += 1
                self.resolver.physical[logical_id] = self._placeholder(logical_id, kind)
        self.deployment.accepted[:0] = [f"{count} {kind}: {ACCEPTED[kind]}" for kind, count in sorted(skipped.items())]
        self._finish_functions()
        self._finish_mappings()
        self._finish_targets()
        for name, output in (self.stack.cfn.get("Outputs") or {}).items():
            if self.resolver.included(output):
                try:
                    self.deployment.outputs[name] = self.resolver.value(output["Value"])
                except TemplateError:
                    self.deployment.late_outputs[name] = output["Value"]
        return self.deployment

    def value(self, node: Any) -> Any:
        return self.resolver.value(node)

    def _name(self, logical_id: str, explicit: Any, **kwargs: Any) -> str:
        return self.value(explicit) if explicit else physical_name(self.stack.name, logical_id, **kwargs)

    @staticmethod
    def _arn(service: str, resource: str) -> str:
        return f"arn:aws:{service}:{REGION}:{ACCOUNT_ID}:{resource}"

    def _placeholder(self, logical_id: str, kind: str) -> Physical:
        name = physical_name(self.stack.name, logical_id)
        service = kind.split("::")[1].lower() if "::" in kind else "cloudformation"
        return Physical(name, {"Arn": self._arn(service, name), "Name": name})

    # -- data -----------------------------------------------------------------------------------------
    def _table(self, logical_id: str, props: dict[str, Any]) -> Physical:
        p = self.value(props)
        name = self._name(logical_id, p.get("TableName"), max_length=255)
        kwargs: dict[str, Any] = {
            "TableName": name,
            "KeySchema": p["KeySchema"],
            "AttributeDefinitions": p["AttributeDefinitions"],
            "BillingMode": p.get("BillingMode", "PROVISIONED"),
        }
        if kwargs["BillingMode"] == "PROVISIONED":
            kwargs["ProvisionedThroughput"] = p.get("ProvisionedThroughput", {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
        for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            if p.get(key):
                kwargs[key] = [
                    {k: v for k, v in index.items() if k in ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput")} for index in p[key]
                ]
        if p.get("StreamSpecification"):
            kwargs["StreamSpecification"] = {"StreamEnabled": True, **p["StreamSpecification"]}
        answer = self._client("dynamodb").create_table(**kwargs)["TableDescription"]
        ttl = p.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            # moto records the setting but never expires an item: nothing behaves differently before it is set.
            self._later(
                lambda: self._client("dynamodb").update_time_to_live(
                    TableName=name, TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True}
                ),
                f"{logical_id} (time to live)",
            )
        return Physical(name, {"Arn": answer["TableArn"], "StreamArn": answer.get("LatestStreamArn", "")})

    def _bucket(self, logical_id: str, props: dict[str, Any]) -> Physical:
        p = self.value(props)
        name = self._name(logical_id, p.get("BucketName"), max_length=63, lower=True)
        s3 = self._client("s3")
        s3.create_bucket(Bucket=name)
        if (p.get("VersioningConfiguration") or {}).get("Status") == "Enabled":
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        if p.get("CorsConfiguration"):
            s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": [_cors_rule(rule) for rule in p["CorsConfiguration"]["CorsRules"]]})
        notification = _bucket_notifications(p.get("NotificationConfiguration") or {})
        if notification:
            s3.put_bucket_notification_configuration(Bucket=name, NotificationConfiguration=notification)
        return Physical(
            name,
            {
                "Arn": f"arn:aws:s3:::{name}",
                "DomainName": f"{name}.s3.amazonaws.com",
                "RegionalDomainName": f"{name}.s3.{REGION}.amazonaws.com",
            },
        )

    def _queue(self, logical_id: str, props: dict[str, Any]) -> Physical:
        p = self.value(props)
        fifo = str(p.get("FifoQueue", "false")).lower() == "true"
        name = self._name(logical_id, p.get("QueueName"), max_length=80 - (5 if fifo else 0))
        if fifo and not name.endswith(".fifo"):
            name += ".fifo"
        attributes = {}
        for key in (
            "VisibilityTimeout",
            "MessageRetentionPeriod",
            "DelaySeconds",
            "ReceiveMessageWaitTimeSeconds",
            "MaximumMessageSize",
            "FifoQueue",
            "ContentBasedDeduplication",
            "DeduplicationScope",
            "FifoThroughputLimit",
        ):
            if key in p:
                attributes[key] = str(p[key]).lower() if isinstance(p[key], bool) else str(p[key])
        if p.get("RedrivePolicy"):
            redrive = p["RedrivePolicy"]
            attributes["RedrivePolicy"] = redrive if isinstance(redrive, str) else json.dumps(redrive)
        url = self._client("sqs").create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        self._queue_urls[self._arn("sqs", name)] = url
        return Physical(url, {"Arn": self._arn("sqs", name), "QueueName": name, "QueueUrl": url})

    def _topic(self, logical_id: str, props: dict[str, Any]) -> Physical:
        p = self.value(props)
        name = self._name(logical_id, p.get("TopicName"), max_length=256)
        arn = self._client("sns").create_topic(Name=name)["TopicArn"]
        return Physical(arn, {"TopicName": name, "TopicArn": arn})

    def _ssm_parameter(self, logical_id: str, props: dict[str, Any]) -> Physical:
        p = self.value(props)
        name = self._name(logical_id, p.get("Name"))
        self._client("ssm").put_parameter(Name=name, Value=str(p["Value"]), Type=p.get("Type", "String"), Overwrite=True)
        return Physical(name, {"Type": p.get("Type", "String"), "Value": p["Value"]})

    def _log_group(self, logical_id: str, props: dict[str, Any]) -> Physical:
        p = self.value(props)
        name = self._name(logical_id, p.get("LogGroupName"), max_length=512)
        self._later(lambda: self._client("logs").create_log_group(logGroupName=name), f"{logical_id} (log group)")
        return Physical(name, {"Arn": self._arn("logs", f"log-group:{name}:*")})

    # -- events ---------------------------------------------------------------------------------------
    def _event_bus(self, logical_id: str, props: dict[str, Any]) -> Physical:
        p = self.value(props)
        arn = self._client("events").create_event_bus(Name=p["Name"])["EventBusArn"]
        return Physical(p["Name"], {"Arn": arn, "Name": p["Name"]})

    def _rule(self, logical_id: str, props: dict[str, Any]) -> Physical:
        p = self.value(props)
        name = self._name(logical_id, p.get("Name"))
        bus = p.get("EventBusName", "default")
        if bus.startswith("arn:"):
            bus = bus.rsplit("/", 1)[-1]
        kwargs: dict[str, Any] = {"Name": name, "EventBusName": bus, "State": p.get("State", "ENABLED")}
        if p.get("EventPattern"):
            pattern = p["EventPattern"]
            kwargs["EventPattern"] = pattern if isinstance(pattern, str) else json.dumps(pattern)
        if p.get("ScheduleExpression"):
            kwargs["ScheduleExpression"] = p["ScheduleExpression"]
        arn = self._client("events").put_rule(**kwargs)["RuleArn"]
        targets = [self._target(t) for t in p.get("Targets", [])]
        if p.get("ScheduleExpression"):
            self.deployment.schedules.append(Schedule(logical_id, p["ScheduleExpression"], targets, kwargs["State"] == "ENABLED", name, "rule"))
        else:
            # Targets go in after every resource exists: moto checks that a Lambda target's function does.
            self._pending_targets.append((name, {"bus": bus, "targets": p.get("Targets", [])}))
        return Physical(name, {"Arn": arn})

    @staticmethod
    def _target(t: dict[str, Any]) -> Target:
        retry = t.get("RetryPolicy") or {}
        return Target(
            arn=t["Arn"],
            input=t.get("Input"),
            input_path=t.get("InputPath"),
            input_transformer=t.get("InputTransformer"),
            dead_letter_arn=(t.get("DeadLetterConfig") or {}).get("Arn"),
            max_retries=int(retry.get("MaximumRetryAttempts", 185)),
        )

    def _finish_targets(self) -> None:
        for rule, spec in self._pending_targets:
            targets = [{k: t[k] for k in _TARGET_FIELDS if t.get(k) is not None} for t in spec["targets"]]
            if targets:
                self._client("events").put_targets(Rule=rule, EventBusName=spec["bus"], Targets=targets)

    def _schedule(self, logical_id: str, props: dict[str, Any]) -> Physical:
        p = self.value(props)
        name = self._name(logical_id, p.get("Name"))
        t = p["Target"]
        target = Target(
            arn=t["Arn"],
            input=t.get("Input"),
            input_path=None,
            input_transformer=None,
            dead_letter_arn=(t.get("DeadLetterConfig") or {}).get("Arn"),
            max_retries=int((t.get("RetryPolicy") or {}).get("MaximumRetryAttempts", 185)),
        )
        self.deployment.schedules.append(
            Schedule(logical_id, p["ScheduleExpression"], [target], p.get("State", "ENABLED") == "ENABLED", name, "scheduler")
        )
        return Physical(name, {"Arn": self._arn("scheduler", f"schedule/default/{name}")})

    # -- compute --------------------------------------------------------------------------------------
    def _role(self, logical_id: str, props: dict[str, Any]) -> Physical:
        p = self.value(props)
        name = self._name(logical_id, p.get("RoleName"))
        document = p.get("AssumeRolePolicyDocument") or json.loads(LOCAL_ROLE_POLICY)
        path = p.get("Path") or "/"
        arn = f"arn:aws:iam::{ACCOUNT_ID}:role{path}{name}"

        def create() -> None:
            created = self._client("iam").create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=json.dumps(document))["Role"]["Arn"]
            _check_arn(logical_id, created, arn)

        # Only Lambda's CreateFunction reads a role (it checks that it exists), and functions are
        # created in moto after the cloud serves too.
        self._needed_later(create, f"{logical_id} (role)", {arn})
        for policy in p.get("Policies", []):
            # (its own name: create() above reads ``document``, the trust policy, when it runs, after this loop)
            policy_document = json.dumps({"Version": "2012-10-17", **policy["PolicyDocument"]})

            def put_policy(policy_name: str = policy["PolicyName"], policy_document: str = policy_document) -> None:
                self._client("iam").put_role_policy(RoleName=name, PolicyName=policy_name, PolicyDocument=policy_document)

            self._later(put_policy, f"{logical_id} (policy {policy['PolicyName']})")
        return Physical(name, {"Arn": arn, "RoleId": name})

    def _layer(self, logical_id: str, props: dict[str, Any]) -> Physical:
        p = self.value(props)
        name = p.get("LayerName") or logical_id
        arn = self._arn("lambda", f"layer:{name}:1")
        for sam_id, directory in self.stack.layer_dirs.items():
            if logical_id == sam_id or (logical_id.startswith(sam_id) and len(logical_id) == len(sam_id) + 10):
                self._layers[arn] = directory
        return Physical(arn, {"Arn": arn})

    def _function(self, logical_id: str, props: dict[str, Any]) -> Physical:
        p = self.value(props)
        name = self._name(logical_id, p.get("FunctionName"))
        code_dir = self.stack.code_dirs.get(logical_id)
        if code_dir is None:
            raise TemplateError(f"{logical_id}: only functions with a local CodeUri can run locally")
        env = {k: str(v) for k, v in ((p.get("Environment") or {}).get("Variables") or {}).items()}
        arn = self._arn("lambda", f"function:{name}")

        def create() -> None:
            created = self._client("lambda").create_function(
                FunctionName=name,
                Runtime=p.get("Runtime", "python3.11"),
                Role=p["Role"],
                Handler=p["Handler"],
                Code={"ZipFile": _placeholder_zip()},
                Timeout=int(p.get("Timeout", 3)),
                MemorySize=int(p.get("MemorySize", 128)),
                Environment={"Variables": env},
                Architectures=p.get("Architectures", ["x86_64"]),
            )["FunctionArn"]
            _check_arn(logical_id, created, arn)

        # The runtime runs the function from its code directory: moto's copy only serves the Lambda API
        # (Step Functions' tasks, an Invoke by name), so it is created after the cloud serves; a function
        # whose environment names this one waits for it.
        self._needed_later(create, f"{logical_id} (function)", {arn, name})
        spec = FunctionSpec(
            logical_id=logical_id,
            name=name,
            arn=arn,
            code_dir=code_dir,
            handler=p["Handler"],
            runtime=p.get("Runtime", "python3.11"),
            environment=env,
            timeout=int(p.get("Timeout", 3)),
            memory=int(p.get("MemorySize", 128)),
            layer_dirs=[],
            architectures=p.get("Architectures", ["x86_64"]),
            dead_letter=(p.get("DeadLetterConfig") or {}).get("TargetArn"),
        )
        spec.layer_dirs = [self._layers[arn] for arn in p.get("Layers", []) if arn in self._layers]
        self.deployment.functions[logical_id] = spec
        return Physical(name, {"Arn": arn})

    def _event_invoke_config(self, logical_id: str, props: dict[str, Any]) -> Physical:
        p = self.value(props)
        self._invoke_configs[p["FunctionName"]] = p
        return self._placeholder(logical_id, "AWS::Lambda::EventInvokeConfig")

    def _event_source_mapping(self, logical_id: str, props: dict[str, Any]) -> Physical:
        self._esm_specs.append((logical_id, self.value(props)))
        return Physical(physical_name(self.stack.name, logical_id), {"Id": logical_id})

    def _finish_functions(self) -> None:
        for function, config in self._invoke_configs.items():
            spec = self.deployment.find_function(function)
            spec.max_async_retries = int(config.get("MaximumRetryAttempts", 2))
            on_failure = ((config.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
            spec.on_failure = on_failure or spec.on_failure

    def _finish_mappings(self) -> None:
        for logical_id, p in self._esm_specs:
            source = p.get("EventSourceArn", "")
            if ":dynamodb:" in source and "/stream/" in source:
                self.deployment.stream_mappings.append(self._stream_mapping(logical_id, p))
                continue
            if ":sqs:" not in source:
                self.deployment.accepted.append(f"{logical_id} (event source {source}: not emulated)")
                continue
            url = self._queue_urls.get(source) or self._client("sqs").get_queue_url(QueueName=source.rsplit(":", 1)[-1])["QueueUrl"]
            spec = self.deployment.find_function(p["FunctionName"])
            self.deployment.queue_mappings.append(
                QueueMapping(
                    logical_id=logical_id,
                    function=spec.logical_id,
                    queue_arn=source,
                    queue_url=url,
                    batch_size=int(p.get("BatchSize", 10)),
                    batching_window=int(p.get("MaximumBatchingWindowInSeconds", 0)),
                    report_item_failures="ReportBatchItemFailures" in (p.get("FunctionResponseTypes") or []),
                    enabled=bool(p.get("Enabled", True)),
                )
            )

    def _stream_mapping(self, logical_id: str, p: dict[str, Any]) -> StreamMapping:
        spec = self.deployment.find_function(p["FunctionName"])
        filters = [json.loads(f["Pattern"]) for f in ((p.get("FilterCriteria") or {}).get("Filters") or []) if f.get("Pattern")]
        return StreamMapping(
            logical_id=logical_id,
            function=spec.logical_id,
            function_arn=spec.arn,
            stream_arn=p["EventSourceArn"],
            batch_size=int(p.get("BatchSize", 100)),
            starting_position=p.get("StartingPosition", "LATEST"),
            report_item_failures="ReportBatchItemFailures" in (p.get("FunctionResponseTypes") or []),
            bisect=str(p.get("BisectBatchOnFunctionError", False)).lower() == "true",
            max_retries=int(p.get("MaximumRetryAttempts", -1)),
            max_record_age=int(p.get("MaximumRecordAgeInSeconds", -1)),
            on_failure=((p.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination"),
            filters=filters,
            enabled=str(p.get("Enabled", True)).lower() == "true",
        )

    def _state_machine(self, logical_id: str, props: dict[str, Any]) -> Physical:
        p = self.value(props)
        name = self._name(logical_id, p.get("StateMachineName"), max_length=80)
        definition = p.get("DefinitionString") or json.dumps(p.get("Definition"))
        for key, value in (p.get("DefinitionSubstitutions") or {}).items():
            definition = definition.replace("${" + key + "}", str(value))
        arn = self._arn("states", f"stateMachine:{name}")

        def create() -> None:
            created = self._client("stepfunctions").create_state_machine(
                name=name, definition=definition, roleArn=p["RoleArn"], type=p.get("StateMachineType", "STANDARD")
            )["stateMachineArn"]
            _check_arn(logical_id, created, arn)

        self.deployment.state_machines[logical_id] = arn
        # moto's ASL interpreter takes over a second to load on first use; nothing refers to the machine
        # but by its ARN, which is known now.
        self._needed_later(create, f"{logical_id} (state machine)", {arn})
        return Physical(arn, {"Arn": arn, "Name": name})

    def _custom_resource(self, logical_id: str, props: dict[str, Any]) -> Physical | None:
        p = self.value(props)
        kind = self.stack.resources[logical_id]["Type"]
        token = str(p.get("ServiceToken") or "")
        function = self.deployment.function_by_arn(token) if ":lambda:" in token else None
        if function is None:
            raise TemplateError(
                f"{logical_id} ({kind}): ServiceToken {token!r} is not a function of the template (custom resources backed by SNS are not emulated)"
            )

        def create() -> Physical:
            with self._response_bucket:
                if not self._response_bucket_made:
                    custom.ensure_bucket(self._client("s3"))
                    self._response_bucket_made = True
            return custom.create(
                logical_id=logical_id,
                kind=kind,
                properties=p,
                function=function,
                stack_id=self.resolver.pseudo["AWS::StackId"],
                s3=self._client("s3"),
                presigner=self._client("s3", None if self.endpoint else custom.loopback_endpoint()),
                invoke=self._invoke,
            )

        if not self.defer_slow or logical_id in self._referenced:
            # Another resource needs its Ref or attributes to be created: it cannot wait.
            return create()

        def create_later() -> None:
            self.resolver.physical[logical_id] = create()

        # A function whose environment names what the custom resource acts on (the table it loads) must
        # not run before it is done.
        acted_on = references({k: v for k, v in props.items() if k != "ServiceToken"}, self.stack.resources)
        guards = set()
        for name in acted_on:
            physical = self.resolver.physical.get(name)
            if physical is not None and name != function.logical_id:
                guards.add(physical.ref)
                guards.update(v for v in physical.attrs.values() if isinstance(v, str))
        self.deployment.defer(create_later, f"{logical_id} ({kind})", guards, alongside=True)
        return None

    # -- identity and API -----------------------------------------------------------------------------
    def _user_pool(self, logical_id: str, props: dict[str, Any]) -> Physical:
        p = self.value(props)
        name = self._name(logical_id, p.get("UserPoolName"), max_length=128)
        kwargs: dict[str, Any] = {"PoolName": name, **{k: p[k] for k in _USER_POOL_FIELDS if p.get(k)}}
        pool = self._client("cognito-idp").create_user_pool(**kwargs)["UserPool"]
        self.deployment.user_pools[pool["Id"]] = {"arn": pool["Arn"], "name": name}
        provider = f"cognito-idp.{REGION}.amazonaws.com/{pool['Id']}"
        return Physical(pool["Id"], {"Arn": pool["Arn"], "ProviderName": provider, "ProviderURL": f"https://{provider}", "UserPoolId": pool["Id"]})

    def _user_pool_client(self, logical_id: str, props: dict[str, Any]) -> Physical:
        p = self.value(props)
        client = self._client("cognito-idp").create_user_pool_client(
            UserPoolId=p["UserPoolId"],
            ClientName=p.get("ClientName", logical_id),
            # What the local Cognito holds the app to (zik_local.hooks): its sign-in flows, token lifetimes,
            # readable attributes and whether a missing user is hidden.
            **{name: p[name] for name in _USER_POOL_CLIENT_FIELDS if name in p},
        )["UserPoolClient"]
        self.deployment.user_pool_clients[client["ClientId"]] = p["UserPoolId"]
        return Physical(client["ClientId"], {"ClientId": client["ClientId"]})

    def _user_pool_group(self, logical_id: str, props: dict[str, Any]) -> Physical:
        # The groups a token's cognito:groups names (the PostConfirmation trigger adds confirmed users to one).
        p = self.value(props)
        name = self._name(logical_id, p.get("GroupName"), max_length=128)
        optional = {k: p[k] for k in ("Description", "Precedence", "RoleArn") if p.get(k) is not None}
        self._client("cognito-idp").create_group(UserPoolId=p["UserPoolId"], GroupName=name, **optional)
        return Physical(name, {})

    def _identity_pool(self, logical_id: str, props: dict[str, Any]) -> Physical:
        # GetId and GetCredentialsForIdentity against it are zik_local.identity_pool's (moto's give anyone anything).
        p = self.value(props)
        name = self._name(logical_id, p.get("IdentityPoolName"), max_length=128)
        optional = {
            k: p[k] for k in ("SupportedLoginProviders", "DeveloperProviderName", "OpenIdConnectProviderARNs", "SamlProviderARNs") if p.get(k)
        }
        providers = [
            {
                "ProviderName": c["ProviderName"],
                "ClientId": c.get("ClientId", ""),
                "ServerSideTokenCheck": str(c.get("ServerSideTokenCheck", False)).lower() == "true",
            }
            for c in p.get("CognitoIdentityProviders") or []
        ]
        pool = self._client("cognito-identity").create_identity_pool(
            IdentityPoolName=name,
            AllowUnauthenticatedIdentities=str(p.get("AllowUnauthenticatedIdentities", False)).lower() == "true",
            CognitoIdentityProviders=providers,
            **optional,
        )
        return Physical(pool["IdentityPoolId"], {"Name": name})

    def _identity_pool_roles(self, logical_id: str, props: dict[str, Any]) -> Physical:
        # moto has no SetIdentityPoolRoles: the attachment is kept on moto's pool by zik_local.identity_pool
        # (whose SetIdentityPoolRoles, once the local cloud's hooks are in, does the same).
        from zik_local import identity_pool

        p = self.value(props)
        identity_pool.attach_roles(p["IdentityPoolId"], p.get("Roles") or {}, p.get("RoleMappings"))
        return Physical(p["IdentityPoolId"], {})

    def _rest_api(self, logical_id: str, props: dict[str, Any]) -> Physical:
        api_id = hashlib.sha1(f"{self.stack.name}/{logical_id}".encode(), usedforsecurity=False).hexdigest()[:10]
        # The stage and the integrations reference functions created later: read the body at the end.
        body = props.get("Body") or {}
        stage = self._stage_of(logical_id)
        self._deferred_apis.append((logical_id, api_id, body, stage))
        return Physical(api_id, {"RootResourceId": "root"})

    def _stage_of(self, api_logical_id: str) -> str:
        for resource in self.stack.of_type("AWS::ApiGateway::Stage").values():
            props = resource.get("Properties", {})
            if props.get("RestApiId") == {"Ref": api_logical_id}:
                return str(self.value(props.get("StageName", "prod")))
        return "prod"

    def finish_apis(self) -> None:
        for logical_id, api_id, body, stage in self._deferred_apis:
            self.deployment.apis.append(_parse_api(self, logical_id, api_id, self.value(body), stage))


def _check_arn(logical_id: str, created: str, expected: str) -> None:
    """The ARN was handed out before the resource existed: moto must have made the same."""
    if created != expected:
        raise TemplateError(f"{logical_id}: moto named it {created}, not {expected}")


# CloudFormation's names of a CORS rule's fields where the S3 API names them otherwise.
_CORS_FIELDS = {"Id": "ID", "MaxAge": "MaxAgeSeconds", "ExposedHeaders": "ExposeHeaders"}


def _cors_rule(rule: dict[str, Any]) -> dict[str, Any]:
    return {_CORS_FIELDS.get(key, key): value for key, value in rule.items()}


def _bucket_notifications(config: dict[str, Any]) -> dict[str, Any]:
    def filters(item: dict[str, Any]) -> dict[str, Any]:
        rules = ((item.get("Filter") or {}).get("S3Key") or {}).get("Rules") or []
        return {"Filter": {"Key": {"FilterRules": rules}}} if rules else {}

    result: dict[str, Any] = {}
    lambdas = [{"LambdaFunctionArn": c["Function"], "Events": [c["Event"]], **filters(c)} for c in config.get("LambdaConfigurations", [])]
    queues = [{"QueueArn": c["Queue"], "Events": [c["Event"]], **filters(c)} for c in config.get("QueueConfigurations", [])]
    topics = [{"TopicArn": c["Topic"], "Events": [c["Event"]], **filters(c)} for c in config.get("TopicConfigurations", [])]
    if lambdas:
        result["LambdaFunctionConfigurations"] = lambdas
    if queues:
        result["QueueConfigurations"] = queues
    if topics:
        result["TopicConfigurations"] = topics
    if (config.get("EventBridgeConfiguration") or {}).get("EventBridgeEnabled"):
        result["EventBridgeConfiguration"] = {}
    return result


def _parse_api(provisioner: Provisioner, logical_id: str, api_id: str, body: dict[str, Any], stage: str) -> RestApi:
    deployment = provisioner.deployment
    security_definitions = body.get("securityDefinitions") or (body.get("components") or {}).get("securitySchemes") or {}
    authorizers: dict[str, Authorizer] = {}
    for name, definition in security_definitions.items():
        extension = definition.get("x-amazon-apigateway-authorizer") or {}
        if extension.get("type") == "cognito_user_pools":
            pools = [arn.rsplit("/", 1)[-1] for arn in extension.get("providerARNs", [])]
            header = definition.get("name", "Authorization")
            authorizers[name] = Authorizer(name, "cognito_user_pools", pools, header)
    routes: list[Route] = []
    for path, methods in (body.get("paths") or {}).items():
        for method, operation in methods.items():
            integration = operation.get("x-amazon-apigateway-integration") or {}
            authorizer = None
            for requirement in operation.get("security", body.get("security", [])) or []:
                for name in requirement:
                    if name in authorizers:
                        authorizer = authorizers[name]
            verb = "ANY" if method == "x-amazon-apigateway-any-method" else method.upper()
            if integration.get("type") == "mock":
                responses = (integration.get("responses") or {}).get("default", {}).get("responseParameters", {})
                headers = {k.removeprefix("method.response.header."): str(v).strip("'") for k, v in responses.items()}
                routes.append(Route(verb, path, None, authorizer, headers))
                continue
            uri = str(integration.get("uri", ""))
            function_arn = uri.split("/functions/", 1)[-1].removesuffix("/invocations")
            spec = deployment.function_by_arn(function_arn)
            if spec is None:
                deployment.accepted.append(f"{logical_id} {verb} {path} (integration {uri}: not emulated)")
                continue
            routes.append(Route(verb, path, spec.logical_id, authorizer))
    return RestApi(
        logical_id=logical_id,
        api_id=api_id,
        stage=stage,
        routes=routes,
        gateway_responses=body.get("x-amazon-apigateway-gateway-responses") or {},
        binary_media_types=body.get("x-amazon-apigateway-binary-media-types") or [],
    )


def _placeholder_zip() -> bytes:
    """moto needs a code package; the local cloud runs the code from its directory instead."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.txt", "zik local cloud: code runs from the function's CodeUri directory.\n")
    return buffer.getvalue()


def provision(
    stack: Stack,
    endpoint: str | None,
    parameters: dict[str, str] | None = None,
    *,
    defer_slow: bool = False,
    invoke: custom.Invoke | None = None,
    create_unread: bool = True,
) -> Deployment:
    """Create what the stack declares. With ``defer_slow``, what no request needs at once (role policies,
    log groups, state machines, custom resources nothing else references) is left in ``deployment.deferred``
    for the caller to create once it serves; ``deployment.wait_for`` holds an invocation whose environment
    names one of them. ``invoke`` runs a custom resource's function (default: in this process). With
    ``create_unread=False``, what no code reads at run time (role policies, log groups, TTL settings) is not
    created at all: the tests' stacks, where it was most of each test's setup."""
    provisioner = Provisioner(stack, endpoint, parameters, defer_slow=defer_slow, invoke=invoke, create_unread=create_unread)
    provisioner.given_resources(parameters or {})
    deployment = provisioner.run()
    provisioner.finish_apis()
    return deployment
