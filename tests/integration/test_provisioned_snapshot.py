"""The tests' stacks: provisioned once per test process, then restored for each test from a copy of moto's state
(tests/conftest.py, ``ProvisionedStack``). A restored stack must be the stack the provisioner makes, and
nothing a test wrote may reach the next one."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from typing import Any

import boto3
import pytest

# What moto stamps on a resource when it is made: a fresh provisioning and a copy of an earlier one differ there only.
_STAMPS = {"CreatedTimestamp", "LastModifiedTimestamp", "CreationDateTime", "creationDate", "CreationDate", "LastModified"}


_REQUEST_ID = re.compile(  # a request's id, or another id drawn at random: a UUID
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
)


def _without_stamps(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_stamps(item) for key, item in value.items() if key not in _STAMPS and key != "ResponseMetadata"}
    if isinstance(value, list):
        return [_without_stamps(item) for item in value]
    return value


def _object(s3: Any, bucket: str, key: str) -> tuple[str, str]:
    """An object by key and the digest of what it holds; one named by a request (a custom resource's answer to
    CloudFormation, under its request id) by what it answers."""
    if _REQUEST_ID.search(key):
        return _REQUEST_ID.sub("<request>", key), "<the answer to that request>"
    return key, hashlib.sha256(s3.get_object(Bucket=bucket, Key=key)["Body"].read()).hexdigest()


def _stack_as_the_apis_show_it() -> dict[str, Any]:
    """Every resource the services list, with its settings and its data (tables' items, buckets' keys), as a
    client of the stack would read them; user pools by name (moto draws their ids at random)."""
    dynamodb, sqs, s3, events = (boto3.client(name) for name in ("dynamodb", "sqs", "s3", "events"))
    cognito, states, sns = (boto3.client(name) for name in ("cognito-idp", "stepfunctions", "sns"))
    tables = {}
    for name in dynamodb.list_tables()["TableNames"]:
        table = dynamodb.describe_table(TableName=name)["Table"]
        items = dynamodb.scan(TableName=name, ConsistentRead=True)["Items"]
        tables[name] = {
            "shape": _without_stamps(
                {k: table.get(k) for k in ("KeySchema", "AttributeDefinitions", "GlobalSecondaryIndexes", "StreamSpecification")}
            ),
            "items": sorted(json.dumps(item, sort_keys=True) for item in items),
        }
    queues = {
        url: _without_stamps(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"])
        for url in sqs.list_queues().get("QueueUrls", [])
    }
    buckets = {
        bucket["Name"]: sorted(_object(s3, bucket["Name"], o["Key"]) for o in s3.list_objects_v2(Bucket=bucket["Name"]).get("Contents", []))
        for bucket in s3.list_buckets()["Buckets"]
    }
    rules = {}
    for bus in events.list_event_buses()["EventBuses"]:
        for rule in events.list_rules(EventBusName=bus["Name"])["Rules"]:
            targets = events.list_targets_by_rule(Rule=rule["Name"], EventBusName=bus["Name"])["Targets"]
            rules[(bus["Name"], rule["Name"])] = (
                rule.get("EventPattern"),
                rule.get("ScheduleExpression"),
                rule["State"],
                sorted(t["Arn"] for t in targets),
            )
    pools = {}
    for pool in cognito.list_user_pools(MaxResults=60)["UserPools"]:
        clients = cognito.list_user_pool_clients(UserPoolId=pool["Id"], MaxResults=60)["UserPoolClients"]
        users = cognito.list_users(UserPoolId=pool["Id"])["Users"]
        pools[pool["Name"]] = {"clients": sorted(c["ClientName"] for c in clients), "users": sorted(u["Username"] for u in users)}
    machines = {
        m["name"]: states.describe_state_machine(stateMachineArn=m["stateMachineArn"])["definition"]
        for m in states.list_state_machines()["stateMachines"]
    }
    topics = sorted(t["TopicArn"] for t in sns.list_topics()["Topics"])
    return {"tables": tables, "queues": queues, "buckets": buckets, "rules": rules, "pools": pools, "machines": machines, "topics": topics}


def test_a_restored_stack_is_the_stack_the_provisioner_makes(deployment, stack):
    from moto.core.base_backend import BackendDict

    from zik_local.cloud import LOCAL_PARAMETER_DEFAULTS
    from zik_local.provision import provision

    restored = _stack_as_the_apis_show_it()
    assert restored["tables"] and restored["queues"] and restored["pools"]  # the comparison compares something
    assert any(table["items"] for table in restored["tables"].values())  # the prompt library's data is there

    BackendDict.reset()  # the test's moto, empty again, and the provisioner run in it afresh
    wanted = copy.deepcopy(stack)
    del wanted.cfn["Resources"]["HairstyleLibrary"]
    fresh_deployment = provision(wanted, None, LOCAL_PARAMETER_DEFAULTS, create_unread=False)

    fresh = _stack_as_the_apis_show_it()
    for part in fresh:
        assert fresh[part] == restored[part], part
    assert fresh_deployment.functions.keys() == deployment.functions.keys()
    assert _environments(fresh_deployment) == _environments(deployment)


def _environments(deployment: Any) -> dict[str, dict[str, str]]:
    """Each function's environment, the ids moto draws at random named: user pools and their clients by the
    pool's name, an identity pool as drawn."""
    ids = {pool_id: f"<pool {pool['name']}>" for pool_id, pool in deployment.user_pools.items()}
    ids |= {client: f"<a client of {deployment.user_pools[pool]['name']}>" for client, pool in deployment.user_pool_clients.items()}
    named = {}
    for logical_id, function in deployment.functions.items():
        environment = {}
        for key, value in function.environment.items():
            for drawn, name in ids.items():
                value = value.replace(drawn, name)
            environment[key] = _REQUEST_ID.sub("<drawn>", value)  # an identity pool's id
        named[logical_id] = environment
    return named


def test_nothing_a_test_wrote_reaches_the_next_tests_stack(deployment, provisioned):
    from moto.core.base_backend import BackendDict

    env = deployment.functions["EntriesFunction"].environment
    table = env["JOURNAL_TABLE"]
    dynamodb, sqs, s3, cognito = (boto3.client(name) for name in ("dynamodb", "sqs", "s3", "cognito-idp"))
    queue = sqs.list_queues()["QueueUrls"][0]
    bucket = s3.list_buckets()["Buckets"][0]["Name"]
    pool = next(iter(deployment.user_pools))
    before = _stack_as_the_apis_show_it()

    dynamodb.put_item(TableName=table, Item={"pk": {"S": "LEAK"}, "sk": {"S": "LEAK"}})
    sqs.send_message(QueueUrl=queue, MessageBody="leak")
    s3.put_object(Bucket=bucket, Key="leak.txt", Body=b"leak")
    cognito.admin_create_user(UserPoolId=pool, Username="leak@example.com")
    deployment.functions["EntriesFunction"].environment["LEAK"] = "1"
    assert _stack_as_the_apis_show_it() != before

    BackendDict.reset()  # what moto does as the test ends (it disposes of every S3 object it made)...
    next_deployment = provisioned[frozenset()].restore()  # ...and what the next test in this process starts from
    assert _stack_as_the_apis_show_it() == before
    assert "LEAK" not in next_deployment.functions["EntriesFunction"].environment
    assert sqs.receive_message(QueueUrl=queue).get("Messages", []) == []


@pytest.mark.hairstyle_library
def test_a_test_marked_for_a_loader_gets_a_stack_of_its_own_with_that_data(deployment, provisioned):
    from moto.core.base_backend import BackendDict

    bucket = deployment.functions["StudioPhotosFunction"].environment["STUDIO_BUCKET"]
    loaded = _stack_as_the_apis_show_it()
    assert len(loaded["buckets"][bucket]) > 50  # the library's previews
    BackendDict.reset()
    provisioned[frozenset({"HairstyleLibrary"})].restore()
    assert _stack_as_the_apis_show_it() == loaded  # every preview whole again in the next test's stack
