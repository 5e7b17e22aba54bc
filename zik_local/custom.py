"""CloudFormation custom resources (``Custom::<Name>``, ``AWS::CloudFormation::CustomResource``), created as
CloudFormation creates them.

The ServiceToken's function gets a genuine ``Create`` request whose ResponseURL is a presigned S3 PUT URL,
on the embedded AWS's S3 (bucket ``zik-local-cfn-responses``), so that a handler written for CloudFormation
(cfnresponse, crhelper, a plain urllib PUT) answers unchanged. The object it PUTs decides the resource:
SUCCESS gives the PhysicalResourceId (``Ref``) and the Data (``Fn::GetAtt``); FAILED, or no answer by the
time the invocation is over, fails the deployment with the Reason.

Only ``Create`` is sent: the local cloud's stack is created at each start and never updated or deleted.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
import uuid
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from zik_local.resolve import Physical, TemplateError
from zik_local.runtime import Invocation

if TYPE_CHECKING:
    from zik_local.provision import FunctionSpec

RESPONSE_BUCKET = "zik-local-cfn-responses"
GENERIC_TYPE = "AWS::CloudFormation::CustomResource"
# CloudFormation keeps a response URL valid for two hours.
RESPONSE_URL_SECONDS = 7200

Invoke = Callable[["FunctionSpec", dict[str, Any]], Invocation]  # (function, event) -> its invocation


class CustomResourceFailed(TemplateError):
    """A custom resource answered FAILED, or did not answer: the deployment fails, as CloudFormation's does."""


def is_custom(kind: str) -> bool:
    return kind.startswith("Custom::") or kind == GENERIC_TYPE


def as_request_properties(value: Any) -> Any:
    """CloudFormation hands a custom resource every scalar property as a string ("3", "true")."""
    if isinstance(value, dict):
        return {k: as_request_properties(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_request_properties(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


def request(*, logical_id: str, kind: str, properties: dict[str, Any], stack_id: str, presigner: Any) -> tuple[dict[str, Any], str]:
    """CloudFormation's Create request for the resource, and the key of the response object its
    ResponseURL (presigned by ``presigner``, an S3 client) lets the function PUT."""
    request_id = str(uuid.uuid4())
    key = f"{logical_id}/{request_id}"
    url = presigner.generate_presigned_url("put_object", Params={"Bucket": RESPONSE_BUCKET, "Key": key}, ExpiresIn=RESPONSE_URL_SECONDS)
    event = {
        "RequestType": "Create",
        "ServiceToken": properties["ServiceToken"],
        "ResponseURL": url,
        "StackId": stack_id,
        "RequestId": request_id,
        "ResourceType": kind,
        "LogicalResourceId": logical_id,
        "ResourceProperties": as_request_properties(properties),
    }
    return event, key


def create(
    *,
    logical_id: str,
    kind: str,
    properties: dict[str, Any],
    function: FunctionSpec,
    stack_id: str,
    s3: Any,
    presigner: Any,
    invoke: Invoke,
) -> Physical:
    """Send the Create request to ``function`` and read its answer. ``s3`` reads the answer; ``presigner``
    is an S3 client whose endpoint the function can reach (they differ when the AWS is in-process)."""
    event, key = request(logical_id=logical_id, kind=kind, properties=properties, stack_id=stack_id, presigner=presigner)
    request_id = event["RequestId"]
    invocation = invoke(function, event)
    failed = f"{logical_id} ({kind}) failed"
    try:
        answer = json.loads(s3.get_object(Bucket=RESPONSE_BUCKET, Key=key)["Body"].read())
    except s3.exceptions.NoSuchKey:
        why = f"{function.logical_id} sent no response within its timeout ({function.timeout} s)"
        if invocation.failed:
            error = invocation.error or {}
            why += f"; it failed: {error.get('errorType')}: {error.get('errorMessage')}"
        raise CustomResourceFailed(f"{failed}: {why}") from None
    except ValueError:
        raise CustomResourceFailed(f"{failed}: its response is not JSON") from None
    if answer.get("RequestId") != request_id or answer.get("LogicalResourceId") != logical_id:
        raise CustomResourceFailed(
            f"{failed}: the response is for request {answer.get('RequestId')} of {answer.get('LogicalResourceId')}, not {request_id} of {logical_id}"
        )
    status = answer.get("Status")
    if status == "FAILED":
        raise CustomResourceFailed(f"{failed}: {answer.get('Reason') or 'no reason given'} (RequestId: {request_id})")
    if status != "SUCCESS":
        raise CustomResourceFailed(f"{failed}: response Status {status!r} is neither SUCCESS nor FAILED")
    physical_id = answer.get("PhysicalResourceId")
    if not physical_id:
        raise CustomResourceFailed(f"{failed}: a SUCCESS response without a PhysicalResourceId")
    data = answer.get("Data") or {}
    if not isinstance(data, dict):
        raise CustomResourceFailed(f"{failed}: the response's Data is not an object")
    return Physical(str(physical_id), dict(data))


def ensure_bucket(s3: Any) -> None:
    try:
        s3.create_bucket(Bucket=RESPONSE_BUCKET)
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass


# -- the tests' provisioning: the AWS is moto's in-process mock ------------------------------------------
def invoke_here(function: FunctionSpec, event: dict[str, Any], endpoint: str | None = None) -> Invocation:
    """Run the function in this process, with its environment and search path for the call only.

    This is how a provisioning into moto's in-process mock (the tests' ``deployment`` fixture) answers a
    custom resource: no worker process could reach that AWS, and importing the handler here costs
    milliseconds where a worker would cost a second per provisioning."""
    from zik_local.worker import LambdaContext, _error

    request_id = str(uuid.uuid4())
    environment = {
        **function.environment,
        "AWS_LAMBDA_FUNCTION_NAME": function.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory),
        "AWS_LAMBDA_LOG_STREAM_NAME": f"local/{request_id}",
        **({"AWS_ENDPOINT_URL": endpoint} if endpoint else {}),
    }
    saved_environment = {name: os.environ.get(name) for name in environment}
    saved_path = list(sys.path)
    os.environ.update(environment)
    sys.path[0:0] = [str(function.code_dir), *(str(p) for p in function.layer_dirs)]
    module_name, _, handler_name = function.handler.rpartition(".")
    unique = f"zik_custom_resource_{function.logical_id}_{module_name.replace('.', '_')}"
    try:
        spec = importlib.util.spec_from_file_location(unique, function.code_dir / f"{module_name.replace('.', '/')}.py")
        if spec is None or spec.loader is None:
            raise ImportError(f"no module {module_name} in {function.code_dir}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[unique] = module
        spec.loader.exec_module(module)
        context = LambdaContext({"functionArn": function.arn, "requestId": request_id, "deadlineMonotonic": time.monotonic() + function.timeout})
        return Invocation(request_id, payload=getattr(module, handler_name)(event, context))
    except Exception as exc:  # noqa: BLE001 - the handler's failure is the invocation's answer
        return Invocation(request_id, error=_error(exc))
    finally:
        sys.modules.pop(unique, None)
        sys.path[:] = saved_path
        for name, value in saved_environment.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@cache
def loopback_endpoint() -> str:
    """An HTTP endpoint onto moto's in-process state, for the function's PUT to its ResponseURL (moto's
    server and its decorators share one state). Started once per process, on a free loopback port."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return f"http://{host}:{port}"
