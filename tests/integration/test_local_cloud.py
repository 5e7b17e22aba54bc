"""Every wiring of the local cloud (zik_local), proven against a small SAM application of its own:
tests/fixtures/wiring/template.yaml. Its functions record what they receive in the Recorder table, which
the tests read through the embedded AWS endpoint.

One cloud serves the whole module. It runs a temporary copy of the fixture application, so that the reload
test can edit a function's code without touching the repository. Asynchronous results are awaited with
``wait_until`` and generous timeouts; nothing here asserts how long anything took.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import shutil
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import boto3
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from zik_local.auth import subject_of
from zik_local.cloud import CloudOptions, LocalCloud, wait_until
from zik_local.gateway import Gateway

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "wiring"
SLOW = 20.0  # seconds to wait for an asynchronous result (a cold start of the function included)


# -- the cloud ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def app_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temporary copy of the fixture application (what the cloud runs, and what the reload test edits)."""
    copy = tmp_path_factory.mktemp("wiring") / "app"
    shutil.copytree(FIXTURE, copy, ignore=shutil.ignore_patterns("__pycache__", ".zik"))
    return copy


@pytest.fixture(scope="module")
def cloud(app_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    options = CloudOptions(
        template=app_dir / "template.yaml",
        port=0,
        state_dir=tmp_path_factory.mktemp("state"),
        quiet=True,
        prewarm=False,
    )
    moto_port = os.environ.get("MOTO_PORT")
    local = LocalCloud(options)
    try:
        local.start()
        yield local
    finally:
        local.stop()
        # LocalCloud.start() points moto's Step Functions interpreter at its server: undo that for later tests.
        if moto_port is None:
            os.environ.pop("MOTO_PORT", None)
        else:
            os.environ["MOTO_PORT"] = moto_port


@pytest.fixture(scope="module")
def outputs(cloud: LocalCloud) -> dict[str, Any]:
    """The fixture template's Outputs: the physical names of what the tests look at, once the stack is
    complete (the tests call the state machines, created after serving, through the embedded AWS's API,
    which does not wait for them as a function's invocation does)."""
    assert cloud.wait_until_complete(60), "the fixture stack did not complete within 60 s"
    return cloud.info()["outputs"]


def recorded(cloud: LocalCloud, outputs: dict[str, Any], pk: str) -> dict[str, Any] | None:
    """What a fixture function recorded under ``pk`` (payload parsed, hits as an int), or None."""
    item = cloud.client("dynamodb").get_item(TableName=outputs["RecorderTable"], Key={"pk": {"S": pk}}, ConsistentRead=True)
    item = item.get("Item")
    if item is None:
        return None
    return {"payload": json.loads(item["payload"]["S"]), "hits": int(item["hits"]["N"])}


def drain(cloud: LocalCloud, queue_url: str, into: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Receive (and delete) what the queue holds now, appending the messages to ``into``; returns ``into``."""
    sqs = cloud.client("sqs")
    answer = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0, MessageAttributeNames=["All"], AttributeNames=["All"])
    for message in answer.get("Messages", []):
        into.append(message)
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return into


# -- HTTP ---------------------------------------------------------------------------------------------
@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # lower-cased names
    body: Any  # parsed JSON, or the text when it is not JSON

    @property
    def error_code(self) -> str | None:
        return (self.body.get("error") or {}).get("code") if isinstance(self.body, dict) else None


def call(cloud: LocalCloud, method: str, path: str, *, token: str | None = None, headers: dict[str, str] | None = None) -> Answer:
    request = urllib.request.Request(cloud.api_url + path, method=method, headers=dict(headers or {}))
    if token is not None:
        request.add_header("Authorization", token)
    if method == "POST":
        request.data = b""
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, raw, text = response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        status, raw, text = error.code, error.headers, error.read().decode()
    try:
        body: Any = json.loads(text) if text else None
    except json.JSONDecodeError:
        body = text
    return Answer(status, {k.lower(): v for k, v in raw.items()}, body)


# -- tokens the authorizer must refuse ---------------------------------------------------------------
def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).rstrip(b"=").decode()


def _parts(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    header, payload, signature = token.split(".")
    return jwt.get_unverified_header(token), jwt.decode(token, options={"verify_signature": False}), signature


def _tampered(cloud: LocalCloud) -> str:
    header, claims, signature = _parts(cloud.cognito().mint("alice"))
    claims["sub"] = subject_of("mallory")
    return f"{_b64(header)}.{_b64(claims)}.{signature}"


def _alg_none(cloud: LocalCloud) -> str:
    header, claims, _ = _parts(cloud.cognito().mint("alice"))
    return f"{_b64({**header, 'alg': 'none'})}.{_b64(claims)}."


def _foreign_key(cloud: LocalCloud) -> str:
    header, claims, _ = _parts(cloud.cognito().mint("alice"))
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, stranger, algorithm="RS256", headers={"kid": header["kid"]})


def _other_pool(cloud: LocalCloud) -> str:
    cognito = cloud.cognito()
    return cognito.mint("alice", extra={"iss": cognito.issuer.rsplit("/", 1)[0] + "/us-east-1_SomeOtherPool"})


BAD_TOKENS = {
    "expired": lambda cloud: cloud.cognito().mint("alice", ttl_seconds=-3600),
    "tampered": _tampered,
    "alg-none": _alg_none,
    "wrong-audience": lambda cloud: cloud.cognito().mint("alice", client_id="not-this-app-client"),
    "wrong-issuer": _other_pool,
    "foreign-key": _foreign_key,
    "access-token": lambda cloud: cloud.cognito().mint("alice", extra={"token_use": "access"}),
    "garbage": lambda cloud: "not-a-jwt",
}


# -- API Gateway and the Cognito authorizer -------------------------------------------------------------
def test_authorized_route_passes_the_path_and_the_claims(cloud: LocalCloud) -> None:
    answer = call(cloud, "GET", "/items/42", token=cloud.cognito().mint("alice"))

    assert answer.status == 200, answer.body
    assert answer.body == {"itemId": "42", "sub": subject_of("alice"), "email": "alice@example.com"}


def test_bearer_prefix_is_accepted(cloud: LocalCloud) -> None:
    answer = call(cloud, "GET", "/items/7", token="Bearer " + cloud.cognito().mint("bob"))

    assert answer.status == 200, answer.body
    assert answer.body["sub"] == subject_of("bob")


def test_route_without_a_token_is_401_json(cloud: LocalCloud) -> None:
    answer = call(cloud, "GET", "/items/42")

    assert answer.status == 401
    assert answer.headers["content-type"] == "application/json"
    assert answer.error_code == "unauthorized"
    assert answer.body["error"]["requestId"]


@pytest.mark.parametrize("kind", sorted(BAD_TOKENS))
def test_route_refuses_a_bad_token(cloud: LocalCloud, kind: str) -> None:
    answer = call(cloud, "GET", "/items/42", token=BAD_TOKENS[kind](cloud))

    assert answer.status == 401, answer.body
    assert answer.error_code == "unauthorized"


def test_public_route_needs_no_token_and_gets_no_claims(cloud: LocalCloud) -> None:
    answer = call(cloud, "GET", "/ping")

    assert answer.status == 200
    assert answer.body["pong"] is True
    assert answer.body["authorizer"] is None
    assert answer.body["function"] == cloud.deployment.functions["PingFunction"].name


@pytest.mark.parametrize(("method", "path"), [("GET", "/nope"), ("GET", "/items"), ("POST", "/ping"), ("GET", "/items/1/more")])
def test_unknown_route_is_404_json(cloud: LocalCloud, method: str, path: str) -> None:
    answer = call(cloud, method, path, token=cloud.cognito().mint("alice"))

    assert answer.status == 404
    assert answer.headers["content-type"] == "application/json"
    assert answer.error_code == "not_found"


def test_cors_preflight_answers_the_template_headers_without_a_token(cloud: LocalCloud) -> None:
    answer = call(
        cloud,
        "OPTIONS",
        "/items/42",
        headers={"Origin": "https://app.wiring.example", "Access-Control-Request-Method": "GET"},
    )

    assert answer.status == 200
    assert answer.headers["access-control-allow-origin"] == "https://app.wiring.example"
    assert answer.headers["access-control-allow-methods"] == "GET,OPTIONS"
    assert answer.headers["access-control-allow-headers"] == "Authorization,Content-Type"
    assert answer.headers["access-control-max-age"] == "600"


def test_cors_preflight_behind_the_authorizer_needs_a_token(cloud: LocalCloud) -> None:
    """With AddDefaultAuthorizerToCorsPreflight (SAM's default) the OPTIONS method carries the authorizer too, and
    API Gateway refuses a preflight without a token: the local gateway must not answer it regardless."""
    api = cloud.gateway.api
    get = next(r for r in api.routes if (r.method, r.path) == ("GET", "/items/{itemId}"))
    preflight = next(r for r in api.routes if (r.method, r.path) == ("OPTIONS", "/items/{itemId}"))
    assert preflight.function is None and preflight.authorizer is None  # the fixture turns the default off
    guarded = Gateway(cloud, dataclasses.replace(api, routes=[dataclasses.replace(preflight, authorizer=get.authorizer)]), None)
    origin = {"Origin": "https://app.wiring.example", "Access-Control-Request-Method": "GET"}

    refused = guarded.handle("OPTIONS", "/items/42", origin, b"", "127.0.0.1")
    let_in = guarded.handle("OPTIONS", "/items/42", {**origin, "Authorization": cloud.cognito().mint("alice")}, b"", "127.0.0.1")

    assert refused[0] == 401
    assert json.loads(refused[2])["error"]["code"] == "unauthorized"
    assert let_in[0] == 200
    assert let_in[1]["Access-Control-Allow-Origin"] == "https://app.wiring.example"


def test_crash_is_502_json(cloud: LocalCloud) -> None:
    answer = call(cloud, "GET", "/crash")

    assert answer.status == 502
    assert answer.headers["content-type"] == "application/json"
    assert answer.error_code == "internal_error"


def test_timeout_is_504_json(cloud: LocalCloud) -> None:
    answer = call(cloud, "GET", "/slow")

    assert answer.status == 504
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["x-amzn-errortype"] == "INTEGRATION_TIMEOUT"
    assert answer.error_code == "internal_error"


def test_slow_init_does_not_count_against_the_timeout(cloud: LocalCloud) -> None:
    # INIT sleeps longer than the function's Timeout of 1 second; Lambda gives INIT its own allowance.
    answer = call(cloud, "GET", "/slow-start")

    assert answer.status == 200, answer.body
    assert answer.body["remainingMs"] > 0


# -- EventBridge --------------------------------------------------------------------------------------
def test_rule_on_the_bus_invokes_the_function(cloud: LocalCloud, outputs: dict[str, Any]) -> None:
    item = str(uuid.uuid4())
    answer = cloud.client("events").put_events(
        Entries=[{"EventBusName": outputs["BusName"], "Source": "wiring.test", "DetailType": "ItemCreated", "Detail": json.dumps({"id": item})}]
    )
    assert answer["FailedEntryCount"] == 0

    note = wait_until(lambda: recorded(cloud, outputs, f"event#{item}"), timeout=SLOW)

    event = note["payload"]
    assert (event["source"], event["detail-type"], event["detail"]) == ("wiring.test", "ItemCreated", {"id": item})
    assert event["time"].endswith("Z")
    assert note["hits"] == 1


def test_rule_on_the_bus_sends_to_the_queue_only_what_matches(cloud: LocalCloud, outputs: dict[str, Any]) -> None:
    queued, created = str(uuid.uuid4()), str(uuid.uuid4())
    cloud.client("events").put_events(
        Entries=[
            {"EventBusName": bus, "Source": "wiring.test", "DetailType": kind, "Detail": json.dumps({"id": item})}
            for bus, kind, item in (
                (outputs["BusName"], "ItemCreated", created),
                (outputs["BusName"], "ItemQueued", queued),
                ("default", "ItemQueued", "on-another-bus"),
            )
        ]
    )
    messages: list[dict[str, Any]] = []
    wait_until(lambda: drain(cloud, outputs["BusSinkQueueUrl"], messages), timeout=SLOW)
    # The ItemCreated event goes to its own rule's function; once it is there, the bus has routed everything.
    wait_until(lambda: recorded(cloud, outputs, f"event#{created}"), timeout=SLOW)
    drain(cloud, outputs["BusSinkQueueUrl"], messages)

    events = [json.loads(m["Body"]) for m in messages]
    assert [(e["detail-type"], e["detail"]) for e in events] == [("ItemQueued", {"id": queued})]


# -- SQS event source mapping -------------------------------------------------------------------------
def test_queue_partial_batch_failure_ends_in_the_dlq_and_the_rest_is_processed_once(cloud: LocalCloud, outputs: dict[str, Any]) -> None:
    run = uuid.uuid4().hex[:8]
    good = [f"{run}-ok-{n}" for n in range(6)]
    bad = [f"{run}-bad-{n}" for n in range(2)]
    bodies = [{"id": i} for i in good[:3]] + [{"id": i, "fail": True} for i in bad] + [{"id": i} for i in good[3:]]
    cloud.client("sqs").send_message_batch(
        QueueUrl=outputs["WorkQueueUrl"],
        Entries=[{"Id": str(n), "MessageBody": json.dumps(body)} for n, body in enumerate(bodies)],
    )

    dead: list[dict[str, Any]] = []
    wait_until(lambda: len(drain(cloud, outputs["WorkDeadLetterQueueUrl"], dead)) >= len(bad), timeout=SLOW)

    def all_recorded() -> list[dict[str, Any]] | None:
        notes = [recorded(cloud, outputs, f"sqs#{i}") for i in good]
        return notes if all(notes) else None

    notes = wait_until(all_recorded, timeout=SLOW)

    assert sorted(json.loads(m["Body"])["id"] for m in dead) == sorted(bad)
    assert all(int(m["Attributes"]["ApproximateReceiveCount"]) >= 2 for m in dead)
    assert [n["hits"] for n in notes] == [1] * len(good)
    for failed in bad:
        assert recorded(cloud, outputs, f"sqs#{failed}") is None
    attributes = cloud.client("sqs").get_queue_attributes(
        QueueUrl=outputs["WorkQueueUrl"], AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    assert attributes == {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0"}


def test_process_batch_deletes_what_succeeded_and_leaves_the_reported_failures(cloud: LocalCloud, outputs: dict[str, Any]) -> None:
    """``process_batch`` directly (what the poller calls), on messages the test holds itself."""
    sqs = cloud.client("sqs")
    url = sqs.create_queue(QueueName=f"wiring-direct-{uuid.uuid4().hex[:8]}", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    (mapping,) = cloud.deployment.queue_mappings
    assert (mapping.function, mapping.batch_size, mapping.report_item_failures) == ("QueueWorkerFunction", 10, True)
    direct = dataclasses.replace(mapping, queue_url=url, queue_arn=arn, enabled=False)
    run = uuid.uuid4().hex[:8]
    for body in ({"id": f"{run}-ok"}, {"id": f"{run}-bad", "fail": True}):
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(body))
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 2

    invocation = cloud.process_batch(direct, messages)

    failed = [m["MessageId"] for m in messages if json.loads(m["Body"]).get("fail")]
    assert invocation.payload == {"batchItemFailures": [{"itemIdentifier": failed[0]}]}
    assert recorded(cloud, outputs, f"sqs#{run}-ok")["hits"] == 1
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "1"  # the failure, back after its visibility timeout


# -- S3 notifications ---------------------------------------------------------------------------------
def test_object_created_invokes_the_function(cloud: LocalCloud, outputs: dict[str, Any]) -> None:
    key = f"uploads/{uuid.uuid4()}.txt"
    cloud.client("s3").put_object(Bucket=outputs["UploadBucketName"], Key=key, Body=b"hello")

    note = wait_until(lambda: recorded(cloud, outputs, f"s3#{key}"), timeout=SLOW)

    record = note["payload"]
    assert record["eventName"].startswith("ObjectCreated:")
    assert record["s3"]["bucket"]["name"] == outputs["UploadBucketName"]
    assert unquote_plus(record["s3"]["object"]["key"]) == key
    assert record["s3"]["object"]["size"] == len(b"hello")


# -- Step Functions -----------------------------------------------------------------------------------
def test_state_machine_retries_then_catches_and_succeeds(cloud: LocalCloud, outputs: dict[str, Any]) -> None:
    sfn = cloud.client("stepfunctions")
    run = str(uuid.uuid4())
    execution = sfn.start_execution(stateMachineArn=outputs["StateMachineArn"], input=json.dumps({"runId": run}))["executionArn"]

    def finished() -> dict[str, Any] | None:
        described = sfn.describe_execution(executionArn=execution)
        return described if described["status"] != "RUNNING" else None

    described = wait_until(finished, timeout=SLOW)

    assert described["status"] == "SUCCEEDED", described
    output = json.loads(described["output"])
    assert output["runId"] == run
    assert output["flaky"] == {"attempts": 2}  # the first attempt failed, the Retry succeeded
    assert output["caught"]["Error"] == "PaymentDeclined"
    assert json.loads(output["caught"]["Cause"])["errorMessage"] == f"card of run {run} declined"
    assert output["recovery"] == "declined payment recovered"
    assert "charge" not in output
    assert recorded(cloud, outputs, f"flaky#{run}")["hits"] == 2

    history = sfn.get_execution_history(executionArn=execution, maxResults=1000)["events"]
    failures = [e["lambdaFunctionFailedEventDetails"]["error"] for e in history if e["type"] == "LambdaFunctionFailed"]
    assert failures == ["FlakyError", "PaymentDeclined"]
    scheduled = [e for e in history if e["type"] == "LambdaFunctionScheduled"]
    assert len(scheduled) == 3  # Flaky twice, Decline once
    entered = [e["stateEnteredEventDetails"]["name"] for e in history if e["type"].endswith("StateEntered")]
    assert entered == ["Flaky", "Decline", "Recover", "Done"]


# -- schedules ----------------------------------------------------------------------------------------
def _ticks(cloud: LocalCloud, outputs: dict[str, Any]) -> int:
    note = recorded(cloud, outputs, "tick")
    return note["hits"] if note else 0


def test_schedule_fired_on_demand(cloud: LocalCloud, outputs: dict[str, Any]) -> None:
    schedules = cloud.schedules_for("TickFunction")
    assert [(s.logical_id, s.expression, s.kind) for s in schedules] == [("TickFunctionDaily", "rate(1 day)", "rule")]
    before = _ticks(cloud, outputs)

    (invocation,) = cloud.fire_schedule(schedules[0])

    assert not invocation.failed, invocation.error
    note = recorded(cloud, outputs, "tick")
    assert note["hits"] == before + 1
    event = note["payload"]
    assert (event["source"], event["detail-type"], event["detail"]) == ("aws.events", "Scheduled Event", {})
    assert event["resources"] == [f"arn:aws:events:us-east-1:123456789012:rule/{schedules[0].name}"]


def test_schedule_fired_over_http(cloud: LocalCloud, outputs: dict[str, Any]) -> None:
    before = _ticks(cloud, outputs)

    answer = call(cloud, "POST", "/_zik/schedules/TickFunction")

    assert answer.status == 200, answer.body
    (fired,) = answer.body["fired"]
    assert (fired["schedule"], fired["expression"], fired["error"]) == ("TickFunctionDaily", "rate(1 day)", None)
    assert _ticks(cloud, outputs) == before + 1


def test_schedules_do_not_fire_by_themselves(cloud: LocalCloud) -> None:
    assert cloud.options.run_schedules is False
    assert not [t for t in cloud._threads if t.name.startswith("schedule-")]


# -- asynchronous invocations that fail --------------------------------------------------------------
def test_async_failure_ends_in_the_dead_letter_queue(cloud: LocalCloud, outputs: dict[str, Any]) -> None:
    spec = cloud.deployment.functions["DeadLetteredFunction"]
    run = str(uuid.uuid4())
    answer = cloud.client("lambda").invoke(FunctionName=spec.name, InvocationType="Event", Payload=json.dumps({"runId": run}))
    assert answer["StatusCode"] == 202

    dead: list[dict[str, Any]] = []
    wait_until(lambda: drain(cloud, outputs["AsyncDeadLetterQueueUrl"], dead), timeout=SLOW)

    (message,) = dead
    assert json.loads(message["Body"]) == {"runId": run}  # Lambda's DLQ gets the event itself
    attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
    assert attributes["ErrorCode"] == "200"
    assert attributes["ErrorMessage"] == f"attempt 3 of run {run} fails"
    assert attributes["RequestID"]
    assert recorded(cloud, outputs, f"async#{spec.name}#{run}")["hits"] == 3  # the first attempt and two retries


def test_async_failure_goes_to_the_on_failure_destination(cloud: LocalCloud, outputs: dict[str, Any]) -> None:
    spec = cloud.deployment.functions["DestinedFunction"]
    run = str(uuid.uuid4())
    cloud.client("lambda").invoke(FunctionName=spec.name, InvocationType="Event", Payload=json.dumps({"runId": run}))

    records: list[dict[str, Any]] = []
    wait_until(lambda: drain(cloud, outputs["AsyncFailureDestinationQueueUrl"], records), timeout=SLOW)

    (message,) = records
    record = json.loads(message["Body"])
    assert record["requestPayload"] == {"runId": run}
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 1  # MaximumRetryAttempts: 0
    assert record["requestContext"]["functionArn"] == f"{spec.arn}:$LATEST"
    assert record["responsePayload"] == {"errorMessage": f"attempt 1 of run {run} fails", "errorType": "AlwaysFails"}
    assert recorded(cloud, outputs, f"async#{spec.name}#{run}")["hits"] == 1


# -- code reload --------------------------------------------------------------------------------------
def test_code_edit_is_picked_up_without_restart(cloud: LocalCloud, app_dir: Path) -> None:
    assert call(cloud, "GET", "/version").body == {"version": 1}  # a warm environment now runs version 1
    source = app_dir / "functions" / "version" / "app.py"
    assert cloud.runtime.functions["VersionFunction"].code_dir == source.parent

    source.write_text(source.read_text(encoding="utf-8").replace("VERSION = 1", "VERSION = 2"), encoding="utf-8")

    wait_until(lambda: call(cloud, "GET", "/version").body == {"version": 2}, timeout=SLOW, interval=0.2)
    assert (FIXTURE / "functions" / "version" / "app.py").read_text(encoding="utf-8").count("VERSION = 1") == 1


# -- resources created after the gateway serves -----------------------------------------------------------
def test_state_machines_are_created_after_start_and_their_users_wait_for_them(cloud: LocalCloud) -> None:
    """zik dev serves before it creates state machines (loading moto's ASL interpreter takes a second):
    their ARNs are known from the start, and an invocation whose environment names one waits for it."""
    assert cloud.deployment is not None
    arn = cloud.deployment.state_machines["RetryCatchStateMachine"]
    assert cloud._resources_ready.wait(30)
    assert cloud.deployment.deferred == [] and not cloud.deployment.pending
    client = boto3.client(
        "stepfunctions", endpoint_url=cloud.aws_endpoint, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    machines = client.list_state_machines()["stateMachines"]
    assert arn in [m["stateMachineArn"] for m in machines]
    # Functions (and their roles) are in moto's Lambda too, with the ARNs handed out before they were.
    functions = {f["FunctionName"]: f["FunctionArn"] for f in cloud.client("lambda").list_functions()["Functions"]}
    assert functions == {spec.name: spec.arn for spec in cloud.deployment.functions.values()}
    assert cloud.info()["complete"] is True

    started = []
    created = threading.Event()
    cloud.deployment.defer(lambda: created.wait(10), "a machine being created", {arn})
    creator = threading.Thread(target=cloud.deployment.create_deferred)
    creator.start()
    waiter = threading.Thread(target=lambda: (cloud.wait_for_resources({"MACHINE": arn}, timeout=10), started.append("after")))
    waiter.start()
    cloud.wait_for_resources({"OTHER": "value"}, timeout=10)  # names nothing pending: no wait
    started.append("unrelated")
    created.set()
    waiter.join(5)
    creator.join(5)
    assert started == ["unrelated", "after"]


# -- pushes to devices --------------------------------------------------------------------------------------
def test_pushes_show_what_was_published_to_each_device_endpoint(cloud: LocalCloud) -> None:
    """A push is SNS's to deliver to Apple or Google; locally GET /_zik/pushes shows, per device endpoint,
    every message published to it (as sent), and ?token= picks one device's."""
    sns = cloud.client("sns")
    application = sns.create_platform_application(Name=f"app-{uuid.uuid4().hex[:8]}", Platform="GCM", Attributes={"PlatformCredential": "local"})[
        "PlatformApplicationArn"
    ]
    mine, other = f"fcm-{uuid.uuid4().hex}", f"fcm-{uuid.uuid4().hex}"
    endpoint = sns.create_platform_endpoint(PlatformApplicationArn=application, Token=mine, CustomUserData="user-1")["EndpointArn"]
    sns.create_platform_endpoint(PlatformApplicationArn=application, Token=other)
    payload = json.dumps({"default": "Your try-on is ready", "GCM": json.dumps({"notification": {"title": "Ready"}})})
    first = sns.publish(TargetArn=endpoint, Message=payload, MessageStructure="json")["MessageId"]
    second = sns.publish(TargetArn=endpoint, Message="plain")["MessageId"]

    answer = call(cloud, "GET", f"/_zik/pushes?token={mine}")

    assert answer.status == 200, answer.body
    (device,) = answer.body["endpoints"]
    assert (device["endpointArn"], device["applicationArn"], device["platform"]) == (endpoint, application, "GCM")
    assert (device["token"], device["enabled"], device["customUserData"]) == (mine, True, "user-1")
    assert device["messages"] == [{"messageId": first, "message": payload}, {"messageId": second, "message": "plain"}]
    every = call(cloud, "GET", "/_zik/pushes").body["endpoints"]
    assert {mine, other} <= {e["token"] for e in every}
    assert [e["messages"] for e in every if e["token"] == other] == [[]]
    assert call(cloud, "GET", "/_zik/pushes?token=nobody").body == {"endpoints": []}
