"""The deploy pipeline, read from its files: the workflows (.github/workflows), the deploy action they share
(.github/actions/sam-deploy), samconfig.toml, and the bootstrap stack of each stage (pipeline/template.yaml).
What it holds: dev, then staging, then prod, each from its own samconfig environment and GitHub environment;
only the deploying jobs may ask for an OIDC token; each deploy role is trusted by its environment alone and
holds no unconditioned wildcard; the execution role holds what CloudFormation's handlers need for every
resource type of template.yaml, on the stage's own names."""

from __future__ import annotations

import fnmatch
import itertools
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

from zik_local.template import load, load_yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
DEPLOY_ACTION = "./.github/actions/sam-deploy"
STAGES = ["dev", "staging", "prod"]

BOOTSTRAP = load_yaml(ROOT / "pipeline" / "template.yaml")
BOOT = BOOTSTRAP["Resources"]
SAMCONFIG = tomllib.loads((ROOT / "samconfig.toml").read_text(encoding="utf-8"))


def workflow(name: str) -> dict[str, Any]:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def triggers(flow: dict[str, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the key `on` as True.
    return flow.get("on", flow.get(True))


def deploy_steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for step in job.get("steps", []) if step.get("uses") == DEPLOY_ACTION]


DEPLOY = workflow("deploy.yml")
DEPLOY_JOBS = {deploy_steps(job)[0]["with"]["stage"]: name for name, job in DEPLOY["jobs"].items() if deploy_steps(job)}
ACTION = yaml.safe_load((ROOT / DEPLOY_ACTION / "action.yml").read_text(encoding="utf-8"))


def needed_by(job_name: str) -> set[str]:
    """Every job ``job_name`` waits for, directly or through others."""
    needs = DEPLOY["jobs"][job_name].get("needs", [])
    direct = {needs} if isinstance(needs, str) else set(needs)
    return direct.union(*(needed_by(name) for name in direct)) if direct else set()


def test_main_is_tested_then_built_then_deployed_to_dev_then_staging_then_prod() -> None:
    assert triggers(DEPLOY) == {"push": {"branches": ["main"]}}
    assert sorted(DEPLOY_JOBS) == sorted(STAGES)
    assert needed_by(DEPLOY_JOBS["dev"]) == {"test", "build"}
    assert DEPLOY["jobs"]["build"]["needs"] == "test"
    for earlier, later in itertools.pairwise(STAGES):
        assert needed_by(DEPLOY_JOBS[later]) == needed_by(DEPLOY_JOBS[earlier]) | {DEPLOY_JOBS[earlier]}


def test_main_runs_the_pull_requests_tests_and_the_tests_are_make_test() -> None:
    assert DEPLOY["jobs"]["test"]["uses"] == "./.github/workflows/pull-request.yml"
    pull_request = workflow("pull-request.yml")
    assert set(triggers(pull_request)) == {"pull_request", "workflow_call"}
    runs = [step["run"] for job in pull_request["jobs"].values() for step in job["steps"] if "run" in step]
    assert runs == ["make test PYTHON=python"]
    pythons = [
        step["with"]["python-version"] for job in pull_request["jobs"].values() for step in job["steps"] if "setup-python" in step.get("uses", "")
    ]
    assert pythons == ["3.11"]


def test_the_build_is_made_once_and_every_stage_deploys_that_build() -> None:
    builds = [name for name, job in DEPLOY["jobs"].items() for step in job.get("steps", []) if "make build" in step.get("run", "")]
    assert builds == ["build"]
    uploaded = [step["with"]["name"] for step in DEPLOY["jobs"]["build"]["steps"] if "upload-artifact" in step.get("uses", "")]
    downloaded = [step["with"]["name"] for step in ACTION["runs"]["steps"] if "download-artifact" in step.get("uses", "")]
    assert uploaded == downloaded == ["sam-build"]
    assert not any("sam build" in step.get("run", "") for step in ACTION["runs"]["steps"])


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_deploys_its_own_samconfig_environment_in_its_own_github_environment(stage: str) -> None:
    job = DEPLOY["jobs"][DEPLOY_JOBS[stage]]
    assert job["environment"] == stage
    (step,) = deploy_steps(job)
    assert step["with"]["stage"] == stage
    settings = SAMCONFIG[stage]["deploy"]["parameters"]
    assert settings["stack_name"] == f"zik-{stage}"
    assert f"Stage={stage}" in settings["parameter_overrides"].split()
    for variable in ("deploy-role-arn", "execution-role-arn", "artifacts-bucket"):
        assert step["with"][variable].startswith("${{ vars.")


def test_the_deploy_action_runs_sam_deploy_of_the_stage_through_the_execution_role() -> None:
    (deploy,) = [step for step in ACTION["runs"]["steps"] if "sam deploy" in step.get("run", "")]
    assert deploy["env"]["STAGE"] == "${{ inputs.stage }}"
    assert deploy["env"]["EXECUTION_ROLE_ARN"] == "${{ inputs.execution-role-arn }}"
    assert deploy["env"]["ARTIFACTS_BUCKET"] == "${{ inputs.artifacts-bucket }}"
    command = " ".join(deploy["run"].replace("\\\n", " ").split())
    for option in (
        '--config-env "$STAGE"',
        "--no-confirm-changeset",
        "--no-fail-on-empty-changeset",
        '--role-arn "$EXECUTION_ROLE_ARN"',
        # samconfig.toml's resolve_s3 = true would refuse --s3-bucket.
        "--no-resolve-s3",
        '--s3-bucket "$ARTIFACTS_BUCKET"',
    ):
        assert option in command
    (credentials,) = [step for step in ACTION["runs"]["steps"] if "configure-aws-credentials" in step.get("uses", "")]
    assert credentials["with"]["role-to-assume"] == "${{ inputs.deploy-role-arn }}"


def test_the_prod_deployment_waits_for_its_environment_and_no_two_deployments_of_a_stage_overlap() -> None:
    groups = [DEPLOY["jobs"][DEPLOY_JOBS[stage]]["concurrency"] for stage in STAGES]
    assert [group["group"] for group in groups] == [f"deploy-{stage}" for stage in STAGES]
    assert all(group["cancel-in-progress"] is False for group in groups)
    assert DEPLOY["jobs"][DEPLOY_JOBS["prod"]]["environment"] == "prod"


def test_only_the_jobs_that_deploy_may_ask_for_an_oidc_token() -> None:
    for path in sorted(WORKFLOWS.glob("*.yml")):
        flow = workflow(path.name)
        assert flow["permissions"] == {"contents": "read"}, path.name
        for name, job in flow["jobs"].items():
            asks = (job.get("permissions") or {}).get("id-token") == "write"
            assert asks == bool(deploy_steps(job)), f"{path.name}: {name}"
            if asks:
                assert job["permissions"] == {"id-token": "write", "contents": "read"}


def test_every_action_is_pinned_to_a_commit_with_its_version_beside_it() -> None:
    files = [*WORKFLOWS.glob("*.yml"), ROOT / DEPLOY_ACTION / "action.yml"]
    uses = [line.split("uses:", 1)[1].strip() for path in files for line in path.read_text(encoding="utf-8").splitlines() if "uses:" in line]
    remote = [use for use in uses if not use.startswith("./")]
    assert remote
    for use in remote:
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+", use), use


# --- the bootstrap stack ------------------------------------------------------------------------------


def statements(resource: str) -> list[dict[str, Any]]:
    props = BOOT[resource]["Properties"]
    if "PolicyDocument" in props:
        return props["PolicyDocument"]["Statement"]
    return [statement for policy in props.get("Policies", []) for statement in policy["PolicyDocument"]["Statement"]]


def listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def execution_statements() -> list[dict[str, Any]]:
    policies = [ref["Ref"] for ref in BOOT["ExecutionRole"]["Properties"]["ManagedPolicyArns"]]
    return [statement for policy in policies for statement in statements(policy)]


def subbed(value: Any, stage: str) -> str:
    """A Fn::Sub string of the bootstrap or app template with a stage's values; ``*`` for what the deploy
    decides (logical ids of the app's resources, whose generated names CloudFormation prefixes with the stack)."""
    text = value["Fn::Sub"] if isinstance(value, dict) else value
    known = {"Stage": stage, "AWS::Partition": "aws", "AWS::Region": "us-east-1", "AWS::AccountId": "123456789012"}
    return re.sub(r"\$\{([^}]+)\}", lambda match: known.get(match.group(1), f"zik-{stage}-*"), text)


def test_the_bootstrap_serves_the_stages_the_workflow_deploys() -> None:
    assert BOOTSTRAP["Parameters"]["Stage"]["AllowedValues"] == STAGES


def test_the_deploy_role_is_trusted_by_its_stages_github_environment_alone() -> None:
    (trust,) = BOOT["DeployRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert trust["Principal"]["Federated"] == {"Fn::If": ["CreatesOidcProvider", {"Ref": "GitHubOidcProvider"}, {"Ref": "OidcProviderArn"}]}
    assert trust["Condition"] == {
        "StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": {"Fn::Sub": "repo:${GitHubOrg}/${GitHubRepo}:environment:${Stage}"},
        }
    }
    assert BOOT["GitHubOidcProvider"]["Properties"]["Url"] == "https://token.actions.githubusercontent.com"


def test_the_execution_role_is_assumed_by_cloudformation_alone_and_passed_by_the_deploy_role_to_it_alone() -> None:
    (trust,) = BOOT["ExecutionRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "cloudformation.amazonaws.com"}
    passes = [statement for statement in statements("DeployRole") if "iam:PassRole" in listed(statement["Action"])]
    assert passes == [
        {
            "Sid": "HandTheStackToTheExecutionRole",
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": {"Fn::GetAtt": ["ExecutionRole", "Arn"]},
            "Condition": {"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}},
        }
    ]


def test_no_deploy_role_statement_holds_a_wildcard_action_or_an_unconditioned_wildcard_resource() -> None:
    for statement in statements("DeployRole"):
        assert statement["Effect"] == "Allow"
        assert not [action for action in listed(statement["Action"]) if action == "*" or action.endswith(":*")], statement["Sid"]
        if "Condition" not in statement:
            assert "*" not in listed(statement["Resource"]), statement["Sid"]


@pytest.mark.parametrize("stage", STAGES)
def test_the_deploy_role_changes_its_stages_stack_alone(stage: str) -> None:
    stack_resources = {
        subbed(resource, stage)
        for statement in statements("DeployRole")
        if any(action.startswith("cloudformation:") for action in listed(statement["Action"]))
        for resource in listed(statement["Resource"])
    }
    assert stack_resources == {
        f"arn:aws:cloudformation:us-east-1:123456789012:stack/zik-{stage}/*",
        "arn:aws:cloudformation:us-east-1:123456789012:changeSet/samcli-deploy*/*",
        "arn:aws:cloudformation:us-east-1:aws:transform/Serverless-2016-10-31",
    }


# The statements whose resource is "*": each takes no resource ARN (pipeline/template.yaml says why). A new
# one is a decision to make, not a line to add.
UNSCOPED = {
    "MappingsOfTheStageFunctions",  # held to the stage's functions by lambda:FunctionArn
    "StateMachineLogDelivery",
    "CreateTheDataKey",
    "ListAliases",
    "MailReceiptRules",
    "CreatePools",
    "StudioCdn",
}
# Services whose resources have random ids rather than names: any of them in the account and region.
RANDOM_IDS = (
    "arn:aws:apigateway:us-east-1::/",
    "arn:aws:kms:us-east-1:123456789012:key/*",
    "arn:aws:cognito-idp:us-east-1:123456789012:userpool/*",
    "arn:aws:cognito-identity:us-east-1:123456789012:identitypool/*",
    "arn:aws:lambda:us-east-1:123456789012:event-source-mapping:*",
)


@pytest.mark.parametrize("stage", STAGES)
def test_the_execution_role_acts_on_the_stages_names_and_never_on_its_own_roles(stage: str) -> None:
    assert {statement["Sid"] for statement in execution_statements() if statement["Resource"] == "*"} == UNSCOPED
    for statement in execution_statements():
        if statement["Resource"] == "*":
            continue
        for resource in (subbed(value, stage) for value in listed(statement["Resource"])):
            named = f"zik-{stage}-" in resource or resource.endswith(f"event-bus/zik-{stage}") or f"rule/zik-{stage}/" in resource
            artifacts = resource.startswith(f"arn:aws:s3:::zik-pipeline-{stage}-artifacts-")
            assert named or artifacts or resource.startswith(RANDOM_IDS), (statement["Sid"], resource)
    for role in ("DeployRole", "ExecutionRole", "ApiGatewayLogsRole"):
        name = subbed(BOOT[role]["Properties"]["RoleName"], stage)
        assert not fnmatch.fnmatchcase(name, f"zik-{stage}-*"), name


def test_each_execution_policy_fits_iams_limit() -> None:
    for policy in (ref["Ref"] for ref in BOOT["ExecutionRole"]["Properties"]["ManagedPolicyArns"]):
        document = json.dumps(BOOT[policy]["Properties"]["PolicyDocument"], separators=(",", ":"))
        longest = document.replace("${AWS::Region}", "ap-southeast-2").replace("${Stage}", "staging").replace("${AWS::Partition}", "aws-us-gov")
        # IAM counts a managed policy's characters without whitespace: 6,144 at most.
        assert len(re.sub(r"\s", "", longest)) < 6144, policy


# What CloudFormation's handlers list but the app never makes them do, by feature; the execution role holds
# none of it. The handlers' permissions come from the CloudFormation registry's schemas, which cfn-lint ships.
NOT_USED = {
    "functions in a VPC, on EFS or S3 Files, code signing, managed instances": set(
        """
        ec2:DescribeNetworkInterfaces ec2:DescribeSecurityGroups ec2:DescribeSubnets ec2:DescribeVpcs
        elasticfilesystem:DescribeMountTargets s3files:ListMountTargets lambda:PutFunctionCodeSigningConfig
        lambda:DeleteFunctionCodeSigningConfig lambda:PassCapacityProvider lambda:PutFunctionScalingConfig
        lambda:AssociateRuntimeAlias
        """.split()
    ),
    "tables imported from S3, streamed to Kinesis, replicated, with resource policies": set(
        """
        dynamodb:ImportTable dynamodb:BatchWriteItem dynamodb:PutItem dynamodb:GetItem dynamodb:UpdateItem dynamodb:DeleteItem
        dynamodb:Query dynamodb:Scan s3:GetObjectMetadata logs:CreateLogStream logs:PutLogEvents
        dynamodb:EnableKinesisStreamingDestination dynamodb:DisableKinesisStreamingDestination
        dynamodb:UpdateKinesisStreamingDestination kinesis:DescribeStream kinesis:PutRecords dynamodb:CreateTableReplica
        dynamodb:AssociateTableReplica dynamodb:PutResourcePolicy dynamodb:DeleteResourcePolicy
        """.split()
    ),
    "service-linked roles (global tables, Cognito features), permissions boundaries, policies on users or groups": set(
        """
        iam:CreateServiceLinkedRole iam:PutRolePermissionsBoundary iam:DeleteRolePermissionsBoundary iam:AttachUserPolicy
        iam:DetachUserPolicy iam:AttachGroupPolicy iam:DetachGroupPolicy
        """.split()
    ),
    "bucket metadata tables, S3 Tables, object ACLs; objects are never CloudFormation's to delete": set(
        """
        s3:CreateBucketMetadataTableConfiguration s3:DeleteBucketMetadataTableConfiguration
        s3:UpdateBucketMetadataAnnotationTableConfiguration s3:UpdateBucketMetadataInventoryTableConfiguration
        s3:UpdateBucketMetadataJournalTableConfiguration s3tables:CreateNamespace s3tables:CreateTable
        s3tables:CreateTableBucket s3tables:GetTable s3tables:GetTableMetadataLocation s3tables:PutTableBucketPolicy
        s3tables:PutTableEncryption s3tables:PutTablePolicy s3tables:UpdateTableMetadataLocation s3:PutObjectAcl s3:DeleteObject
        """.split()
    ),
    "log groups with data protection, field indexes, resource policies, bearer tokens, deletion protection, delivery": set(
        """
        logs:PutDataProtectionPolicy logs:DeleteDataProtectionPolicy logs:PutIndexPolicy logs:DeleteIndexPolicy
        logs:DeleteResourcePolicy logs:PutBearerTokenAuthentication logs:PutLogGroupDeletionProtection
        firehose:TagDeliveryStream s3:REST.PUT.OBJECT
        """.split()
    ),
    "a bus policy, Cognito Sync, CloudFront connection groups, VPC origins and staging distributions": set(
        """
        events:PutPermission events:RemovePermission cognito-sync:SetCognitoEvents cognito-sync:SetIdentityPoolConfiguration
        cloudfront:CreateConnectionGroup cloudfront:GetConnectionGroup cloudfront:GetVpcOrigin
        cloudfront:UpdateDistributionWithStagingConfig
        """.split()
    ),
}
# The registry names the API call; IAM authorizes it as another action.
AUTHORIZED_AS = {
    "s3:DeleteBucketCors": "s3:PutBucketCORS",
    "s3:DeleteBucketLifecycle": "s3:PutLifecycleConfiguration",
    "s3:DeleteBucketEncryption": "s3:PutEncryptionConfiguration",
    "s3:DeleteBucketAnalyticsConfiguration": "s3:PutAnalyticsConfiguration",
    "s3:DeleteBucketMetricsConfiguration": "s3:PutMetricsConfiguration",
    "s3:DeleteBucketReplication": "s3:PutReplicationConfiguration",
    "cloudfront:CreateDistributionWithTags": "cloudfront:CreateDistribution",
}


@pytest.fixture(scope="module")
def app_resource_types() -> set[str]:
    # Every optional part on (the mail domain, the CDN, the alarm e-mail), so every resource is counted.
    parameters = {
        "Stage": "prod",
        "MailDomain": "mail.zik.example",
        "AlarmEmail": "ops@zik.example",
        "CdnPublicKeyPem": "-----BEGIN PUBLIC KEY-----",
        "CdnPrivateKeySecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:zik/prod/cdn",
    }
    return {resource["Type"] for resource in load(ROOT / "template.yaml", parameters=parameters).resources.values()}


def test_the_execution_role_holds_what_cloudformation_needs_for_every_resource_type_of_the_app(app_resource_types: set[str]) -> None:
    granted = [pattern.lower() for statement in execution_statements() for pattern in listed(statement["Action"])]
    not_used = set().union(*NOT_USED.values())
    missing: dict[str, list[str]] = {}
    for kind in sorted(kind for kind in app_resource_types if not kind.startswith("Custom::")):
        handlers = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", kind).schema["handlers"]
        for operation in ("create", "read", "update", "delete"):
            for action in handlers.get(operation, {}).get("permissions", []):
                authorized = AUTHORIZED_AS.get(action, action).lower()
                if action not in not_used and not any(fnmatch.fnmatchcase(authorized, pattern) for pattern in granted):
                    missing.setdefault(action, []).append(f"{kind} {operation}")
    assert missing == {}
    # CloudFormation calls a custom resource's function with the execution role.
    if any(kind.startswith("Custom::") for kind in app_resource_types):
        assert "lambda:invokefunction" in granted


def test_the_app_names_what_the_execution_role_holds_by_name() -> None:
    """CloudFormation prefixes the names it generates with the stack's name (zik-<stage>-...), except a state
    machine's and an archive's: the template names those, as it names the rest it names, zik-${Stage}-..."""
    name_of = {
        "AWS::Serverless::StateMachine": "Name",
        "AWS::Events::Archive": "ArchiveName",
        "AWS::Serverless::LayerVersion": "LayerName",
        "AWS::Events::EventBus": "Name",
        "AWS::SNS::Topic": "TopicName",
        "AWS::SQS::Queue": "QueueName",
        "AWS::S3::Bucket": "BucketName",
        "AWS::KMS::Alias": "AliasName",
        "AWS::Logs::LogGroup": "LogGroupName",
    }
    must_name = {"AWS::Serverless::StateMachine", "AWS::Events::Archive"}
    template = load_yaml(ROOT / "template.yaml")
    for logical_id, resource in template["Resources"].items():
        kind = resource["Type"]
        if kind not in name_of:
            continue
        name = (resource.get("Properties") or {}).get(name_of[kind])
        if name is None:
            assert kind not in must_name, f"{logical_id} needs {name_of[kind]}: !Sub zik-${{Stage}}-..."
            continue
        named = subbed(name, "staging")
        assert re.match(r"^(alias/|/aws/(lambda|apigateway|vendedlogs/states)/)?zik-staging(-|$)", named), (logical_id, named)
