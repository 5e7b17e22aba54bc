"""What every resource of its kind in template.yaml has, checked rather than remembered: the career
seed's operations (PITR, alarms for errors and DynamoDB throttling) and the platform's rules (every
asynchronous path ends in a DLQ, every function logs to the stack's one log group)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


class _Loader(yaml.SafeLoader):
    """CloudFormation short-form tags (!Ref, !Sub, ...) read as {"Tag": value}."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        value: Any = loader.construct_mapping(node, deep=True)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_scalar(node)
    return {suffix: value}


_Loader.add_multi_constructor("!", _tag)
TEMPLATE_DATA: dict[str, Any] = yaml.load(TEMPLATE.read_text(encoding="utf-8"), Loader=_Loader)
RESOURCES: dict[str, Any] = TEMPLATE_DATA["Resources"]


def of_type(kind: str) -> list[str]:
    return sorted(name for name, resource in RESOURCES.items() if resource["Type"] == kind)


def refs(node: Any) -> set[str]:
    """Every logical id ``node`` refers to (Ref, GetAtt, ${...} in Sub)."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "GetAtt":
                found.add(value.split(".")[0] if isinstance(value, str) else value[0])
            elif key == "Sub":
                text = value if isinstance(value, str) else value[0]
                found.update(part.split("}")[0].split(".")[0] for part in text.split("${")[1:])
            found |= refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= refs(value)
    return found


def alarms_on(logical_id: str) -> list[str]:
    return [name for name in of_type("AWS::CloudWatch::Alarm") if logical_id in refs(RESOURCES[name]["Properties"])]


@pytest.mark.parametrize("table", of_type("AWS::DynamoDB::Table"))
def test_every_table_is_recoverable_encrypted_and_watched_for_throttling(table: str) -> None:
    props = RESOURCES[table]["Properties"]
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert f"{table}ThrottlesAlarm" in alarms_on(table)


@pytest.mark.parametrize("bucket", of_type("AWS::S3::Bucket"))
def test_every_bucket_is_versioned_encrypted_private_and_tls_only(bucket: str) -> None:
    props = RESOURCES[bucket]["Properties"]
    assert props["VersioningConfiguration"]["Status"] == "Enabled"
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert all(
        props["PublicAccessBlockConfiguration"][flag] is True
        for flag in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")
    )
    policies = [RESOURCES[p]["Properties"] for p in of_type("AWS::S3::BucketPolicy") if bucket in refs(RESOURCES[p]["Properties"]["Bucket"])]
    assert any(s.get("Sid") == "TlsOnly" and s["Effect"] == "Deny" for p in policies for s in p["PolicyDocument"]["Statement"]), bucket


FUNCTIONS = of_type("AWS::Serverless::Function")


def events_of(function: str) -> dict[str, Any]:
    return RESOURCES[function]["Properties"].get("Events") or {}


def test_every_function_logs_to_the_stacks_one_group_with_its_retention_and_key() -> None:
    """The Globals say it once (LoggingConfig) and no function overrides it; no per-function group is left
    (Lambda names each log stream of the shared group after its function)."""
    logging_config = TEMPLATE_DATA["Globals"]["Function"]["LoggingConfig"]
    assert logging_config == {"LogGroup": {"Ref": "FunctionLogs"}}
    props = RESOURCES["FunctionLogs"]["Properties"]
    assert props["RetentionInDays"] == {"Ref": "LogRetentionDays"} and props["KmsKeyId"] == {"GetAtt": "DataKey.Arn"}
    assert [
        f for f in FUNCTIONS if "LoggingConfig" in RESOURCES[f]["Properties"] or "LoggingConfig" in (RESOURCES[f].get("IgnoreGlobals") or [])
    ] == []
    function_groups = [g for g in of_type("AWS::Logs::LogGroup") if "/aws/lambda/" in str(RESOURCES[g]["Properties"]["LogGroupName"])]
    assert function_groups == ["FunctionLogs"]


def _actions(statement: dict[str, Any]) -> list[str]:
    actions = statement.get("Action") or []
    return actions if isinstance(actions, list) else [actions]


@pytest.mark.parametrize("function", FUNCTIONS)
def test_a_function_uses_the_data_key_only_through_its_managed_policies(function: str) -> None:
    """The key's statements are written once, in the DataKey*Policy managed policies, each through one service
    (kms:ViaService); a function attaches those of the services it reaches with the key."""
    policies = RESOURCES[function]["Properties"].get("Policies") or []
    inline = [
        s for p in policies if isinstance(p, dict) and "Statement" in p for s in p["Statement"] if any(a.startswith("kms:") for a in _actions(s))
    ]
    assert inline == []
    for policy in policies:
        name = policy.get("Ref") if isinstance(policy, dict) else None
        if name in RESOURCES and RESOURCES[name]["Type"] == "AWS::IAM::ManagedPolicy":
            for statement in RESOURCES[name]["Properties"]["PolicyDocument"]["Statement"]:
                if any(a.startswith("kms:") for a in _actions(statement)):
                    assert name.startswith("DataKey"), f"{name} repeats a statement of the DataKey policies"
                    assert statement["Condition"]["StringEquals"]["kms:ViaService"], name


@pytest.mark.parametrize("function", FUNCTIONS)
def test_what_no_caller_sees_raises_an_alarm(function: str) -> None:
    kinds = {event["Type"] for event in events_of(function).values()}
    if kinds and kinds != {"Api"}:  # behind the API, the caller sees the error (and the API's alarms watch)
        assert f"{function}ErrorsAlarm" in alarms_on(function)


@pytest.mark.parametrize("function", [f for f in FUNCTIONS if {e["Type"] for e in events_of(f).values()} & {"S3", "Schedule", "EventBridgeRule"}])
def test_every_asynchronously_invoked_function_ends_in_a_dead_letter_queue(function: str) -> None:
    props = RESOURCES[function]["Properties"]
    on_failure = ((props.get("EventInvokeConfig") or {}).get("DestinationConfig") or {}).get("OnFailure")
    assert on_failure or props.get("DeadLetterQueue"), f"{function}: a failed invocation would vanish"
    for event in events_of(function).values():
        if event["Type"] == "Schedule":
            assert event["Properties"].get("DeadLetterConfig"), f"{function}: a schedule that cannot invoke would vanish"


@pytest.mark.parametrize("queue", of_type("AWS::SQS::Queue"))
def test_every_queue_redrives_to_a_dead_letter_queue_that_raises_an_alarm(queue: str) -> None:
    props = RESOURCES[queue]["Properties"]
    if "DeadLetter" in queue:
        assert any("ApproximateNumberOfMessagesVisible" == RESOURCES[a]["Properties"].get("MetricName") for a in alarms_on(queue)), queue
    else:
        assert props["RedrivePolicy"]["maxReceiveCount"] >= 1


def layers_of(function: str) -> set[str]:
    """Every layer the function may carry (both sides of an Fn::If)."""
    found: set[str] = set()
    for layer in RESOURCES[function]["Properties"].get("Layers") or []:
        condition = layer.get("If") or layer.get("Fn::If")
        alternatives = condition[1:] if condition else [layer]
        found |= {ref["Ref"] for ref in alternatives if ref.get("Ref") != "AWS::NoValue"}
    return found


ROOT = TEMPLATE.parent
# What a function's code uses that only a layer of its own ships (a module, or a function that draws with
# Pillow), and the layer.
LAYER_OF_USE = {
    "zik.career.resumes": "DocumentsLayer",
    "zik.career.documents": "DocumentsLayer",
    "zik.studio.images": "ImageLayer",
    "zik.studio.tryon_offline": ("ImageLayer", "VisionLayer"),
    "zik.studio.processing": "ImageLayer",
    "zik.studio.tryon_ai": ("ImageLayer", "VisionLayer"),
    "preview_asset(": "ImageLayer",
}


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_function_carries_the_layers_of_what_it_uses_and_no_other(function: str) -> None:
    """The shared layer is every function's (Globals); the AI vendors' SDKs are for the functions that may
    call the AI (AIAccessPolicy), the resume parsers for those that read resumes: a function without them
    would fail only in AWS (locally every package is in the virtualenv)."""
    props = RESOURCES[function]["Properties"]
    calls_ai = {"Ref": "AIAccessPolicy"} in (props.get("Policies") or [])
    code = (ROOT / props["CodeUri"] / "app.py").read_text(encoding="utf-8")
    expected = {"VendorLayer"} if calls_ai else set()
    expected |= {layer for used, layers in LAYER_OF_USE.items() if used in code for layer in ((layers,) if isinstance(layers, str) else layers)}
    assert layers_of(function) == expected


@pytest.mark.parametrize("function", FUNCTIONS)
def test_a_functions_environment_adds_to_the_globals_never_empties_them(function: str) -> None:
    """``Environment: {Variables: }`` (null) would be a function without the Globals' variables
    (EVENT_BUS_NAME, the tables...), failing only when it first needs one."""
    environment = RESOURCES[function]["Properties"].get("Environment")
    if environment is not None:
        assert isinstance(environment.get("Variables"), dict) and environment["Variables"], environment


# -- events leave from the tables' change streams, nowhere else (issue 12) -----------------------------------------
STREAM_FUNCTIONS = [f for f in FUNCTIONS if any(event["Type"] == "DynamoDB" for event in events_of(f).values())]
PUT_EVENTS = "events:PutEvents"


def _allows_put_events(statements: Any) -> bool:
    """Whether an IAM policy document's statements allow ``events:PutEvents`` (an ``events:Put*`` or ``*``
    pattern included)."""
    from fnmatch import fnmatchcase

    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        actions = statement.get("Action") or []
        for action in actions if isinstance(actions, list) else [actions]:
            if isinstance(action, str) and fnmatchcase(PUT_EVENTS.lower(), action.lower()):
                return True
    return False


def may_put_events(function: str) -> bool:
    """Whether the function's role may publish to a bus: SAM's EventBridgePutEventsPolicy (or an AWS managed
    policy of EventBridge), an inline statement, a managed policy of the template it refers to, or an
    AWS::IAM::Policy attached to its role."""
    props = RESOURCES[function]["Properties"]
    for policy in props.get("Policies") or []:
        if isinstance(policy, str):
            if "EventBridge" in policy:
                return True
        elif "EventBridgePutEventsPolicy" in policy or ("Statement" in policy and _allows_put_events(policy["Statement"])):
            return True
        elif isinstance(policy.get("Ref"), str) and policy["Ref"] in RESOURCES:
            document = RESOURCES[policy["Ref"]].get("Properties", {}).get("PolicyDocument") or {}
            if _allows_put_events(document.get("Statement") or []):
                return True
    role = f"{function}Role"  # the role SAM makes for the function (or the one it names)
    named = props.get("Role")
    roles = {role} | (refs(named) if named is not None else set())
    for name in of_type("AWS::IAM::Policy") + of_type("AWS::IAM::ManagedPolicy") + of_type("AWS::IAM::Role"):
        resource = RESOURCES[name]["Properties"]
        attached = name in roles or roles & refs(resource.get("Roles") or [])
        documents = [resource.get("PolicyDocument") or {}] + [p.get("PolicyDocument") or {} for p in resource.get("Policies") or []]
        if attached and any(_allows_put_events(d.get("Statement") or []) for d in documents):
            return True
    return False


def test_the_guard_finds_the_permission_where_it_is_given() -> None:
    assert STREAM_FUNCTIONS, "no function reads a table's stream"
    assert all(may_put_events(f) for f in STREAM_FUNCTIONS)
    assert _allows_put_events([{"Effect": "Allow", "Action": ["events:Put*"], "Resource": "*"}])
    assert _allows_put_events({"Effect": "Allow", "Action": "*", "Resource": "*"})
    assert not _allows_put_events([{"Effect": "Deny", "Action": "events:PutEvents", "Resource": "*"}])
    assert not _allows_put_events([{"Effect": "Allow", "Action": ["events:PutRule", "sqs:SendMessage"], "Resource": "*"}])


@pytest.mark.parametrize("function", FUNCTIONS)
def test_only_a_tables_stream_publisher_may_put_events(function: str) -> None:
    """A committed write yields its event from the table's change stream: a function that may call PutEvents
    and reads no stream is a request path publishing beside its write (an entry with no event when the bus
    refuses, an event with no entry when the write fails)."""
    if function not in STREAM_FUNCTIONS:
        assert not may_put_events(function), f"{function} reads no table's stream but may call PutEvents"


@pytest.mark.parametrize("function", STREAM_FUNCTIONS)
def test_every_stream_reader_has_an_iterator_age_alarm(function: str) -> None:
    """A stream whose reader fails or falls behind delays every event of its table, and nothing else shows
    it (the records wait in the stream up to a day, then go to the DLQ)."""
    ages = [a for a in alarms_on(function) if RESOURCES[a]["Properties"].get("MetricName") == "IteratorAge"]
    assert ages, f"{function} reads a stream with no IteratorAge alarm"
    for alarm in ages:
        props = RESOURCES[alarm]["Properties"]
        assert props["Namespace"] == "AWS/Lambda" and props.get("AlarmActions"), alarm
        assert [d["Name"] for d in props["Dimensions"]] == ["FunctionName"] and refs(props["Dimensions"]) == {function}, alarm


PUBLISHER = ROOT / "layers" / "shared" / "zik" / "streams.py"


def test_only_the_stream_publisher_calls_put_events() -> None:
    """No code of the functions or the layers calls PutEvents but zik.streams (the stream functions' publisher):
    an IAM policy is not the only guard, a function given the permission later would slip through."""
    import re

    call = re.compile(r"\bput_events\s*\(")
    sources = [path for folder in ("layers", "functions") for path in sorted((ROOT / folder).rglob("*.py")) if "__pycache__" not in path.parts]
    callers = sorted(str(path.relative_to(ROOT)) for path in sources if call.search(path.read_text(encoding="utf-8", errors="replace")))
    assert PUBLISHER in sources and str(PUBLISHER.relative_to(ROOT)) in callers  # the scan sees the one that does
    assert callers == [str(PUBLISHER.relative_to(ROOT))]
