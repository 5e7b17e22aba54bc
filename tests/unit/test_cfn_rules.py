"""The custom cfn-lint rules of lint/cfn_rules: each fires on a small template that breaks its convention,
none fires on one that keeps them all, or on template.yaml."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import lint
from cfnlint.config import ManualArgs
from cfnlint.rules import RulesCollection

ROOT = Path(__file__).resolve().parents[2]
RULES = RulesCollection()  # ours only: cfn-lint's own rules run in make lint
RULES.create_from_directory(str(ROOT / "lint" / "cfn_rules"))
REGION = "us-east-1"


def rule_ids(template: str) -> list[str]:
    """The ids of our rules' matches on ``template`` (a SAM template as text), one per match, sorted."""
    return sorted(match.rule.id for match in lint(template, rules=RULES, config=ManualArgs(regions=[REGION])))


def get_att(name: str, attribute: str = "Arn") -> dict[str, Any]:
    return {"Fn::GetAtt": [name, attribute]}


def queue_alarm(queue: str) -> dict[str, Any]:
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "Namespace": "AWS/SQS",
            "MetricName": "ApproximateNumberOfMessagesVisible",
            "Dimensions": [{"Name": "QueueName", "Value": get_att(queue, "QueueName")}],
            "Statistic": "Maximum",
            "Period": 300,
            "EvaluationPeriods": 1,
            "Threshold": 0,
            "ComparisonOperator": "GreaterThanThreshold",
        },
    }


def keeps_every_convention() -> dict[str, Any]:
    """One of each asynchronous source with its failure destination and alarm, a table with PITR and its
    access patterns, functions logging to a group with retention and key, a custom resource after it."""

    def on_failure() -> dict[str, Any]:
        return {"OnFailure": {"Type": "SQS", "Destination": get_att("DeadLetters")}}

    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Globals": {
            "Function": {"Runtime": "python3.11", "Handler": "app.handler", "CodeUri": "src/", "LoggingConfig": {"LogGroup": {"Ref": "FunctionLogs"}}}
        },
        "Resources": {
            "Key": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Version": "2012-10-17", "Statement": []}}},
            "FunctionLogs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 30, "KmsKeyId": get_att("Key")}},
            "DeadLetters": {"Type": "AWS::SQS::Queue"},
            "DeadLettersAlarm": queue_alarm("DeadLetters"),
            "WorkQueue": {
                "Type": "AWS::SQS::Queue",
                "Properties": {"RedrivePolicy": {"deadLetterTargetArn": get_att("DeadLetters"), "maxReceiveCount": 5}},
            },
            "Table": {
                "Type": "AWS::DynamoDB::Table",
                "Metadata": {"AccessPatterns": "an item by id   GetItem id\n"},
                "Properties": {
                    "BillingMode": "PAY_PER_REQUEST",
                    "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                    "StreamSpecification": {"StreamViewType": "NEW_IMAGE"},
                    "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
                },
            },
            "Bucket": {"Type": "AWS::S3::Bucket"},
            "Worker": {
                "Type": "AWS::Serverless::Function",
                "Properties": {
                    "EventInvokeConfig": {"MaximumRetryAttempts": 2, "DestinationConfig": on_failure()},
                    "Events": {
                        "Work": {"Type": "SQS", "Properties": {"Queue": get_att("WorkQueue")}},
                        "Changes": {
                            "Type": "DynamoDB",
                            "Properties": {
                                "Stream": get_att("Table", "StreamArn"),
                                "StartingPosition": "TRIM_HORIZON",
                                "DestinationConfig": on_failure(),
                            },
                        },
                        "Daily": {"Type": "Schedule", "Properties": {"Schedule": "rate(1 day)", "DeadLetterConfig": {"Arn": get_att("DeadLetters")}}},
                        "Uploaded": {"Type": "S3", "Properties": {"Bucket": {"Ref": "Bucket"}, "Events": "s3:ObjectCreated:*"}},
                    },
                },
            },
            "Forward": {
                "Type": "AWS::Events::Rule",
                "Properties": {
                    "EventPattern": {"source": ["zik"]},
                    "Targets": [{"Id": "work", "Arn": get_att("WorkQueue"), "DeadLetterConfig": {"Arn": get_att("DeadLetters")}}],
                },
            },
            "Library": {"Type": "Custom::Library", "DependsOn": "FunctionLogs", "Properties": {"ServiceToken": get_att("Worker")}},
        },
    }


def text(template: dict[str, Any]) -> str:
    return json.dumps(template)


def test_a_template_that_keeps_every_convention_has_no_match() -> None:
    assert rule_ids(text(keeps_every_convention())) == []


def test_a_function_with_a_log_group_of_its_own_keeps_the_log_convention() -> None:
    """The per-function form (/aws/lambda/${Function}) is a log group of the function too."""
    template = keeps_every_convention()
    del template["Globals"]["Function"]["LoggingConfig"]
    template["Resources"]["FunctionLogs"]["Properties"]["LogGroupName"] = {"Fn::Sub": "/aws/lambda/${Worker}"}
    assert rule_ids(text(template)) == []


Break = Callable[[dict[str, Any]], None]


def _resources(template: dict[str, Any]) -> dict[str, Any]:
    return template["Resources"]


def _worker(template: dict[str, Any]) -> dict[str, Any]:
    return template["Resources"]["Worker"]["Properties"]


def no_redrive(t: dict[str, Any]) -> None:
    del _resources(t)["WorkQueue"]["Properties"]["RedrivePolicy"]


def no_async_destination(t: dict[str, Any]) -> None:
    del _worker(t)["EventInvokeConfig"]


def no_stream_destination(t: dict[str, Any]) -> None:
    del _worker(t)["Events"]["Changes"]["Properties"]["DestinationConfig"]


def no_schedule_dead_letters(t: dict[str, Any]) -> None:
    del _worker(t)["Events"]["Daily"]["Properties"]["DeadLetterConfig"]


def no_rule_target_dead_letters(t: dict[str, Any]) -> None:
    del _resources(t)["Forward"]["Properties"]["Targets"][0]["DeadLetterConfig"]


def raw_stream_mapping_without_destination(t: dict[str, Any]) -> None:
    _resources(t)["Mapping"] = {
        "Type": "AWS::Lambda::EventSourceMapping",
        "Properties": {"FunctionName": {"Ref": "Worker"}, "EventSourceArn": get_att("Table", "StreamArn"), "StartingPosition": "LATEST"},
    }


def rule_invoking_a_function_without_destination(t: dict[str, Any]) -> None:
    no_async_destination(t)
    del _worker(t)["Events"]["Daily"], _worker(t)["Events"]["Uploaded"]
    _resources(t)["Forward"]["Properties"]["Targets"][0]["Arn"] = get_att("Worker")


def no_alarm(t: dict[str, Any]) -> None:
    del _resources(t)["DeadLettersAlarm"]


def alarm_on_another_queue(t: dict[str, Any]) -> None:
    _resources(t)["DeadLettersAlarm"] = queue_alarm("WorkQueue")


def destination_outside_the_template(t: dict[str, Any]) -> None:
    _worker(t)["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]["Destination"] = "arn:aws:sqs:us-east-1:123456789012:elsewhere"


def no_point_in_time_recovery(t: dict[str, Any]) -> None:
    del _resources(t)["Table"]["Properties"]["PointInTimeRecoverySpecification"]


def point_in_time_recovery_off(t: dict[str, Any]) -> None:
    _resources(t)["Table"]["Properties"]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] = False


def no_access_patterns(t: dict[str, Any]) -> None:
    del _resources(t)["Table"]["Metadata"]


def blank_access_patterns(t: dict[str, Any]) -> None:
    _resources(t)["Table"]["Metadata"]["AccessPatterns"] = ["  "]


def no_log_group(t: dict[str, Any]) -> None:
    del t["Globals"]["Function"]["LoggingConfig"]


def log_group_without_retention(t: dict[str, Any]) -> None:
    del _resources(t)["FunctionLogs"]["Properties"]["RetentionInDays"]


def custom_resource_before_its_log_group(t: dict[str, Any]) -> None:
    del _resources(t)["Library"]["DependsOn"]


BROKEN: dict[str, tuple[Break, list[str]]] = {
    "an SQS source whose queue redrives nowhere": (no_redrive, ["E9001"]),
    "an S3 and a schedule source with no on-failure destination": (no_async_destination, ["E9001", "E9001"]),
    "a stream mapping with no on-failure destination": (no_stream_destination, ["E9001"]),
    "a schedule whose target dead-letters nowhere": (no_schedule_dead_letters, ["E9001"]),
    "a rule target that dead-letters nowhere": (no_rule_target_dead_letters, ["E9001"]),
    "a raw stream event source mapping with no on-failure destination": (raw_stream_mapping_without_destination, ["E9001"]),
    "a rule invoking a function that has no on-failure destination": (rule_invoking_a_function_without_destination, ["E9001"]),
    # The DLQ is every path's: the redrive, the two async events, the stream, the schedule's target, the rule's.
    "a DLQ that no alarm watches": (no_alarm, ["E9002"] * 6),
    "an alarm on the work queue, not the DLQ": (alarm_on_another_queue, ["E9002"] * 6),
    "an on-failure destination outside the template": (destination_outside_the_template, ["E9002", "E9002"]),
    "a table without PITR": (no_point_in_time_recovery, ["E9010"]),
    "a table with PITR off": (point_in_time_recovery_off, ["E9010"]),
    "a table without access patterns": (no_access_patterns, ["E9011"]),
    "a table with blank access patterns": (blank_access_patterns, ["E9011"]),
    "a function logging to no group of the template": (no_log_group, ["E9020"]),
    "a log group without retention": (log_group_without_retention, ["E9020"]),
    "a custom resource not after its function's log group": (custom_resource_before_its_log_group, ["E9021"]),
}


@pytest.mark.parametrize("case", BROKEN)
def test_each_broken_convention_is_its_rules_match(case: str) -> None:
    breaks, expected = BROKEN[case]
    template = copy.deepcopy(keeps_every_convention())
    breaks(template)
    assert rule_ids(text(template)) == expected


def test_template_yaml_keeps_every_convention() -> None:
    matches = lint((ROOT / "template.yaml").read_text(encoding="utf-8"), rules=RULES, config=ManualArgs(regions=[REGION]))
    assert [f"{m.rule.id} {m.message}" for m in matches] == []
