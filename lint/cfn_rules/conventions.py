"""cfn-lint rules for zik's own conventions, as the aws-samples serverless e-commerce platform writes its
(shared/lint/rules): what every resource of its kind must have, checked by `make lint` rather than
remembered.

Run with ``cfn-lint --append-rules lint/cfn_rules -- template.yaml``. cfn-lint 1.x validates a SAM template
as written, with the Globals merged into each resource (it no longer runs the SAM transform), so these
rules read AWS::Serverless::Function with its Events, and the plain CloudFormation forms beside them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from cfnlint.rules import CloudFormationLintRule, RuleMatch

FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")
TABLE_TYPES = ("AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable")
# SAM event types Lambda receives as asynchronous invocations (its retries, then the on-failure
# destination or the DLQ; nobody waits for the answer).
ASYNC_EVENTS = frozenset({"S3", "SNS", "EventBridgeRule", "CloudWatchEvent", "Schedule", "ScheduleV2", "IoTRule"})
# ... and those whose EventBridge target may dead-letter the events it cannot deliver.
TARGET_EVENTS = frozenset({"EventBridgeRule", "CloudWatchEvent", "Schedule"})
STREAM_EVENTS = frozenset({"DynamoDB", "Kinesis"})
_SUB_NAME = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z.]+)?\}")


def named(value: Any) -> set[str]:
    """The logical ids a value names: Ref, Fn::GetAtt, ${Name} in Fn::Sub, both sides of an Fn::If."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                found.add(inner)
            elif key == "Fn::GetAtt":
                found.add(inner.split(".")[0] if isinstance(inner, str) else str(inner[0]))
            elif key == "Fn::Sub":
                found.update(_SUB_NAME.findall(inner if isinstance(inner, str) else str(inner[0])))
                found |= named(inner)
            else:
                found |= named(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= named(inner)
    return found


def _get(node: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


class FailurePath(NamedTuple):
    """Where the work of one asynchronous source goes when it fails for good (a NamedTuple: cfn-lint loads
    this file as a module it does not register, where a dataclass cannot be made)."""

    path: tuple[Any, ...]  # where in the template the source is declared
    source: str  # what it is, for the message
    destination: Any  # the DLQ or on-failure destination as written; None when there is none
    wants: str  # what is missing when there is none


def _async_failure_destination(props: dict[str, Any]) -> Any:
    """A function's destination for failed asynchronous invocations: its EventInvokeConfig's OnFailure, or
    its DLQ (SAM's DeadLetterQueue, Lambda's DeadLetterConfig)."""
    return (
        _get(props, "EventInvokeConfig", "DestinationConfig", "OnFailure", "Destination")
        or _get(props, "DeadLetterQueue", "TargetArn")
        or _get(props, "DeadLetterConfig", "TargetArn")
    )


def failure_paths(cfn: Any) -> Iterator[FailurePath]:
    """Every asynchronous source of the template and its failure destination."""
    resources: dict[str, Any] = cfn.template.get("Resources") or {}
    functions = {name: r.get("Properties") or {} for name, r in resources.items() if r.get("Type") in FUNCTION_TYPES}
    queues = {name for name, r in resources.items() if r.get("Type") == "AWS::SQS::Queue"}
    invoke_configs: dict[str, Any] = {}
    for resource in cfn.get_resources(["AWS::Lambda::EventInvokeConfig"]).values():
        props = resource.get("Properties") or {}
        for function in named(props.get("FunctionName")):
            invoke_configs[function] = _get(props, "DestinationConfig", "OnFailure", "Destination") or invoke_configs.get(function)

    def invoked_asynchronously(function: str, path: tuple[Any, ...], source: str) -> FailurePath:
        destination = _async_failure_destination(functions[function]) or invoke_configs.get(function)
        return FailurePath(path, source, destination, f"function {function} has no on-failure destination or DLQ for its asynchronous invocations")

    def reads_queue(queue_value: Any, path: tuple[Any, ...], source: str) -> Iterator[FailurePath]:
        for queue in named(queue_value) & queues:
            redrive = _get(resources[queue], "Properties", "RedrivePolicy")
            yield FailurePath(path, source, _get(redrive, "deadLetterTargetArn"), f"queue {queue} has no RedrivePolicy to a dead-letter queue")

    for function, props in functions.items():
        for event_name, event in (props.get("Events") or {}).items():
            kind = event.get("Type") if isinstance(event, dict) else None
            event_props = (event or {}).get("Properties") or {}
            path = ("Resources", function, "Properties", "Events", event_name)
            source = f"{function} event {event_name} ({kind})"
            if kind in ASYNC_EVENTS:
                yield invoked_asynchronously(function, path, source)
            if kind in TARGET_EVENTS:
                dead_letter = event_props.get("DeadLetterConfig")
                yield FailurePath(
                    path,
                    f"{source} target",
                    _get(dead_letter, "Arn"),
                    "its target has no DeadLetterConfig with the Arn of a queue (events EventBridge cannot deliver)",
                )
            if kind == "SQS":
                yield from reads_queue(event_props.get("Queue"), path, source)
            if kind in STREAM_EVENTS:
                destination = _get(event_props, "DestinationConfig", "OnFailure", "Destination")
                yield FailurePath(path, source, destination, "its stream mapping has no DestinationConfig OnFailure")

    for name, resource in cfn.get_resources(["AWS::Lambda::EventSourceMapping"]).items():
        props = resource.get("Properties") or {}
        path = ("Resources", name)
        source_arn = props.get("EventSourceArn")
        if named(source_arn) & queues:
            yield from reads_queue(source_arn, path, f"event source mapping {name}")
        else:
            destination = _get(props, "DestinationConfig", "OnFailure", "Destination")
            yield FailurePath(path, f"event source mapping {name}", destination, "it has no DestinationConfig OnFailure")

    for name, resource in cfn.get_resources(["AWS::Events::Rule"]).items():
        for index, target in enumerate(_get(resource, "Properties", "Targets") or []):
            path = ("Resources", name, "Properties", "Targets", index)
            source = f"rule {name} target {target.get('Id')}"
            yield FailurePath(path, source, _get(target, "DeadLetterConfig", "Arn"), "it has no DeadLetterConfig (events EventBridge cannot deliver)")
            for function in named(target.get("Arn")) & functions.keys():
                yield invoked_asynchronously(function, path, source)

    for name, resource in cfn.get_resources(["AWS::SNS::Subscription"]).items():
        props = resource.get("Properties") or {}
        if str(props.get("Protocol", "")).lower() == "lambda":
            for function in named(props.get("Endpoint")) & functions.keys():
                yield invoked_asynchronously(function, ("Resources", name), f"subscription {name}")

    for name, resource in cfn.get_resources(["AWS::S3::Bucket"]).items():
        notifications = _get(resource, "Properties", "NotificationConfiguration", "LambdaConfigurations") or []
        for index, notification in enumerate(notifications):
            path = ("Resources", name, "Properties", "NotificationConfiguration", "LambdaConfigurations", index)
            for function in named(notification.get("Function")) & functions.keys():
                yield invoked_asynchronously(function, path, f"bucket {name} notification")


def alarmed_queues(cfn: Any) -> set[str]:
    """The queues a CloudWatch alarm watches (an AWS/SQS metric of their QueueName)."""
    watched: set[str] = set()
    for resource in cfn.get_resources(["AWS::CloudWatch::Alarm"]).values():
        props = resource.get("Properties") or {}
        metrics = [props] + [_get(m, "MetricStat", "Metric") or {} for m in props.get("Metrics") or []]
        for metric in metrics:
            if metric.get("Namespace") != "AWS/SQS":
                continue
            for dimension in metric.get("Dimensions") or []:
                if dimension.get("Name") == "QueueName":
                    watched |= named(dimension.get("Value"))
    return watched


class AsyncSourceFailureDestination(CloudFormationLintRule):
    """Every asynchronous source has somewhere for its failures to go."""

    id = "E9001"
    shortdesc = "Asynchronous source without a failure destination"
    description = (
        "Every asynchronous source keeps what fails: an SQS event source's queue redrives to a dead-letter queue; "
        "a function invoked asynchronously (S3, SNS, EventBridge rules and schedules) has an on-failure destination "
        "or a DLQ; a DynamoDB or Kinesis stream mapping has an on-failure destination; an EventBridge target has a "
        "DeadLetterConfig."
    )
    source_url = "https://github.com/aws-samples/aws-serverless-ecommerce-platform/tree/main/shared/lint/rules"
    tags = ("zik", "lambda", "sqs", "events")

    def match(self, cfn: Any) -> list[RuleMatch]:
        return [RuleMatch(list(p.path), f"{p.source}: {p.wants}") for p in failure_paths(cfn) if not p.destination]


class FailureDestinationAlarm(CloudFormationLintRule):
    """Every failure destination is a queue of the template that an alarm watches."""

    id = "E9002"
    shortdesc = "Failure destination without an alarm"
    description = (
        "The DLQ or on-failure destination of every asynchronous source is an SQS queue of this template with a "
        "CloudWatch alarm on it (an AWS/SQS metric of its QueueName): failed work nobody hears of is lost work."
    )
    source_url = "https://github.com/aws-samples/aws-serverless-ecommerce-platform/tree/main/shared/lint/rules"
    tags = ("zik", "sqs", "cloudwatch")

    def match(self, cfn: Any) -> list[RuleMatch]:
        queues = {name for name, r in (cfn.template.get("Resources") or {}).items() if r.get("Type") == "AWS::SQS::Queue"}
        watched = alarmed_queues(cfn)
        matches: list[RuleMatch] = []
        for failure in failure_paths(cfn):
            if not failure.destination:
                continue  # E9001's
            destinations = named(failure.destination) & queues
            if not destinations:
                matches.append(
                    RuleMatch(
                        list(failure.path),
                        f"{failure.source}: its failure destination is not an SQS queue of this template, so no alarm of it can watch it",
                    )
                )
            matches.extend(
                RuleMatch(list(failure.path), f"{failure.source}: its failure destination {queue} has no CloudWatch alarm on it")
                for queue in sorted(destinations - watched)
            )
        return matches


class TablePointInTimeRecovery(CloudFormationLintRule):
    """Every table can be restored to any second of the last 35 days."""

    id = "E9010"
    shortdesc = "Table without point-in-time recovery"
    description = "Every DynamoDB table has PointInTimeRecoverySpecification with PointInTimeRecoveryEnabled: true."
    source_url = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery.html"
    tags = ("zik", "dynamodb")

    def match(self, cfn: Any) -> list[RuleMatch]:
        return [
            RuleMatch(
                ["Resources", name, "Properties"],
                f"table {name} has no point-in-time recovery (PointInTimeRecoverySpecification: PointInTimeRecoveryEnabled: true)",
            )
            for name, resource in cfn.get_resources(list(TABLE_TYPES)).items()
            if str(_get(resource, "Properties", "PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled")).lower() != "true"
        ]


class TableAccessPatterns(CloudFormationLintRule):
    """Every table says, beside its keys and indexes, which reads and writes they serve."""

    id = "E9011"
    shortdesc = "Table without its access patterns"
    description = (
        "Every DynamoDB table writes its access patterns in Metadata: AccessPatterns (a text or a list, one pattern "
        "a line: what is read or written, and with which key or index), so that a key or index is changed knowing what uses it."
    )
    source_url = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-modeling-nosql.html"
    tags = ("zik", "dynamodb")

    def match(self, cfn: Any) -> list[RuleMatch]:
        matches: list[RuleMatch] = []
        for name, resource in cfn.get_resources(list(TABLE_TYPES)).items():
            patterns = _get(resource, "Metadata", "AccessPatterns")
            lines = patterns.splitlines() if isinstance(patterns, str) else patterns if isinstance(patterns, list) else []
            if not any(isinstance(line, str) and line.strip() for line in lines):
                matches.append(RuleMatch(["Resources", name], f"table {name} has no Metadata: AccessPatterns"))
        return matches


def function_log_groups(cfn: Any) -> dict[str, set[str]]:
    """Each function's log group(s) of this template: the one its LoggingConfig names, or one whose name is
    /aws/lambda/<the function> (the group Lambda writes to by default)."""
    log_groups = cfn.get_resources(["AWS::Logs::LogGroup"])
    groups: dict[str, set[str]] = {}
    for name, resource in cfn.get_resources(list(FUNCTION_TYPES)).items():
        props = resource.get("Properties") or {}
        groups[name] = named(_get(props, "LoggingConfig", "LogGroup")) & log_groups.keys()
        for group, group_resource in log_groups.items():
            group_name = _get(group_resource, "Properties", "LogGroupName")
            if "/aws/lambda/" in str(group_name) and name in named(group_name):
                groups[name].add(group)
    return groups


class FunctionLogGroup(CloudFormationLintRule):
    """Every function logs to a log group of the template, with a retention and the data key."""

    id = "E9020"
    shortdesc = "Function without a log group of the template"
    description = (
        "Every function writes to a log group this template declares (its LoggingConfig's LogGroup, or "
        "/aws/lambda/<function>), which has RetentionInDays and KmsKeyId: otherwise Lambda creates one that "
        "keeps everything forever, unencrypted by our key, and outlives the stack."
    )
    source_url = "https://github.com/aws-samples/aws-serverless-ecommerce-platform/tree/main/shared/lint/rules"
    tags = ("zik", "lambda", "logs")

    def match(self, cfn: Any) -> list[RuleMatch]:
        log_groups = cfn.get_resources(["AWS::Logs::LogGroup"])
        matches: list[RuleMatch] = []
        for function, groups in function_log_groups(cfn).items():
            if not groups:
                matches.append(
                    RuleMatch(["Resources", function], f"function {function} logs to no log group of this template (LoggingConfig: LogGroup)")
                )
            for group in sorted(groups):
                props = log_groups[group].get("Properties") or {}
                missing = [key for key in ("RetentionInDays", "KmsKeyId") if not props.get(key)]
                if missing:
                    matches.append(
                        RuleMatch(["Resources", group, "Properties"], f"log group {group} of function {function} has no {' or '.join(missing)}")
                    )
        return matches


class CustomResourceAfterItsLogGroup(CloudFormationLintRule):
    """A custom resource is created after, and deleted before, the log group its function writes to."""

    id = "E9021"
    shortdesc = "Custom resource without DependsOn its function's log group"
    description = (
        "Every custom resource DependsOn the log group its function (ServiceToken) logs to, so that the Create, "
        "Update and Delete runs of the function leave their logs there, not in a group Lambda would make."
    )
    source_url = "https://github.com/aws-samples/aws-serverless-ecommerce-platform/tree/main/shared/lint/rules"
    tags = ("zik", "lambda", "logs")

    def match(self, cfn: Any) -> list[RuleMatch]:
        groups = function_log_groups(cfn)
        matches: list[RuleMatch] = []
        for name, resource in (cfn.template.get("Resources") or {}).items():
            kind = str(resource.get("Type", ""))
            if not (kind.startswith("Custom::") or kind == "AWS::CloudFormation::CustomResource"):
                continue
            depends_on = resource.get("DependsOn") or []
            depends_on = {depends_on} if isinstance(depends_on, str) else set(depends_on)
            matches.extend(
                RuleMatch(["Resources", name], f"custom resource {name} does not DependsOn {group}, the log group of its function {function}")
                for function in sorted(named(_get(resource, "Properties", "ServiceToken")) & groups.keys())
                for group in sorted(groups[function] - depends_on)
            )
        return matches
