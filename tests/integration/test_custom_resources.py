"""CloudFormation custom resources in the local cloud, on tests/fixtures/custom_resource/template.yaml: a
library loaded into a table by the deployment (Custom::PromptLibrary and AWS::CloudFormation::CustomResource),
its loader answering through the presigned S3 URL CloudFormation gives it.

Provisioned inline into moto's in-process mock (as the tests' ``deployment`` fixture does) and deferred by
a running local cloud (as ``zik dev`` does), where a function naming the loaded table waits for it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from zik_local import custom
from zik_local.cloud import CloudOptions, LocalCloud
from zik_local.custom import CustomResourceFailed
from zik_local.provision import FunctionSpec, provision
from zik_local.runtime import Invocation
from zik_local.template import Stack, load

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "custom_resource"
REGION = "us-east-1"


@pytest.fixture(scope="module")
def stack() -> Stack:
    return load(FIXTURE / "template.yaml")


def library_item(table: str, key: str = "library", client: Any = None) -> dict[str, str] | None:
    client = client or boto3.client("dynamodb", region_name=REGION)
    item = client.get_item(TableName=table, Key={"pk": {"S": key}}, ConsistentRead=True).get("Item")
    return {k: v["S"] for k, v in item.items()} if item else None


# -- inline: the tests' provisioning ----------------------------------------------------------------------
def test_success_gives_ref_and_getatt_and_the_function_got_a_cloudformation_request(aws, stack: Stack) -> None:
    deployment = provision(copy.deepcopy(stack), None)

    assert deployment.outputs["LibraryId"] == "library-v3"  # Ref: the PhysicalResourceId it answered
    assert deployment.outputs["LibraryPrompts"] == "3"  # GetAtt: its Data (the property came as a string)
    assert deployment.outputs["MarkerId"] == "marker-v3"  # AWS::CloudFormation::CustomResource as well
    loaded = library_item(deployment.outputs["LibraryTableName"])
    assert loaded == {
        "pk": "library",
        "version": "3",
        "prompts": "3",
        "requestType": "Create",
        "serviceToken": deployment.functions["LoaderFunction"].arn,
    }
    # Its answer went where CloudFormation reads it: the response bucket, through the presigned URL.
    answers = boto3.client("s3", region_name=REGION).list_objects_v2(Bucket=custom.RESPONSE_BUCKET)["Contents"]
    assert sorted(a["Key"].split("/")[0] for a in answers) == ["Library", "Marker"]


def test_failed_fails_the_deployment_with_the_reason(aws, stack: Stack) -> None:
    with pytest.raises(CustomResourceFailed, match=r"Library \(Custom::PromptLibrary\) failed: the prompt file is missing"):
        provision(copy.deepcopy(stack), None, {"FailWith": "the prompt file is missing"})


def test_no_response_fails_the_deployment(aws, stack: Stack) -> None:
    """A function that returns (or crashes) without PUTting its answer: CloudFormation would wait for it."""
    s3 = boto3.client("s3", region_name=REGION)
    custom.ensure_bucket(s3)
    function = FunctionSpec(
        "Silent",
        "silent",
        "arn:aws:lambda:us-east-1:123456789012:function:silent",
        FIXTURE,
        "app.lambda_handler",
        "python3.11",
        {},
        7,
        128,
        [],
        ["arm64"],
    )
    requests: list[dict[str, Any]] = []

    def crashes(spec: FunctionSpec, event: dict[str, Any]) -> Invocation:
        requests.append(event)
        return Invocation("r", error={"errorType": "KeyError", "errorMessage": "'TableName'"})

    with pytest.raises(CustomResourceFailed, match=r"Silent sent no response within its timeout \(7 s\); it failed: KeyError: 'TableName'"):
        custom.create(
            logical_id="Quiet",
            kind="Custom::Quiet",
            properties={"ServiceToken": function.arn, "On": True},
            function=function,
            stack_id="stack",
            s3=s3,
            presigner=s3,
            invoke=crashes,
        )
    request = requests[0]
    assert request["ResourceProperties"] == {"ServiceToken": function.arn, "On": "true"}
    assert request["ResponseURL"].startswith(f"https://{custom.RESPONSE_BUCKET}.s3.amazonaws.com/Quiet/{request['RequestId']}?")


# -- deferred: a running local cloud ------------------------------------------------------------------------
def start_cloud(tmp_path: Path, **parameters: str) -> LocalCloud:
    options = CloudOptions(
        template=FIXTURE / "template.yaml", port=0, state_dir=tmp_path, quiet=True, prewarm=False, watch=False, parameters=parameters
    )
    return LocalCloud(options).start()


@pytest.fixture
def slow_library_cloud(tmp_path: Path) -> Iterator[LocalCloud]:
    cloud = start_cloud(tmp_path, LoadDelaySeconds="1.5")
    try:
        yield cloud
    finally:
        cloud.stop()


def test_deferred_custom_resource_holds_the_functions_that_name_its_table(slow_library_cloud: LocalCloud) -> None:
    cloud = slow_library_cloud
    assert cloud.deployment is not None and cloud.runtime is not None
    # start() returned before the loader (which takes 1.5 s) was done: nothing waited for it.
    assert "LibraryId" not in cloud.deployment.outputs

    reader = cloud.runtime.invoke("ReaderFunction", {})  # names LIBRARY_TABLE: held until the library is loaded

    assert reader.error is None
    assert reader.payload["library"]["version"] == "3"
    assert cloud._resources_ready.wait(30)
    assert cloud.deployment.outputs["LibraryId"] == "library-v3"
    assert cloud.deployment.outputs["LibraryPrompts"] == "3"
    assert not cloud.deployment.late_outputs


def test_deferred_failure_is_the_answer_of_the_functions_that_name_its_table(tmp_path: Path) -> None:
    cloud = start_cloud(tmp_path, FailWith="the prompt file is missing")
    try:
        assert cloud.runtime is not None
        reader = cloud.runtime.invoke("ReaderFunction", {})
        assert reader.error is not None
        assert reader.error["errorType"] == "DeploymentFailed"
        assert "Library (Custom::PromptLibrary) failed: the prompt file is missing" in reader.error["errorMessage"]
        assert cloud._resources_ready.wait(30)
        # The other custom resource on that table was created all the same.
        assert cloud.info()["outputs"]["MarkerId"] == "marker-v3"
        assert "LibraryId" not in cloud.info()["outputs"]
    finally:
        cloud.stop()
