"""Integration fixtures shared by the modules of tests/integration: the journal's and the quests' handlers,
queues, streams and bus."""

from __future__ import annotations

import copy
import datetime as dt
import http.server
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from zik import clock

QUEUES = {
    "InsightFunction": "InsightQueue",
    "SearchIndexerFunction": "SearchIndexQueue",
    "GamificationEventsFunction": "GamificationQueue",
    "ExportFunction": "ExportQueue",
    "ImageProcessingFunction": "ImageProcessingQueue",
    "StudioNotificationsFunction": "NotificationQueue",
    "OnboardingEventsFunction": "OnboardingQueue",
}
# The domains' consumers of account events: their queues hold a message 30 s (move_clock past it).
ACCOUNT_QUEUES = {
    "QuestsAccountFunction": "QuestsAccountQueue",
    "JournalAccountFunction": "JournalAccountQueue",
    "PointsAccountFunction": "PointsAccountQueue",
    "CareerAccountFunction": "CareerAccountQueue",
    "StudioAccountFunction": "StudioAccountQueue",
}


@dataclass
class Domain:
    """A domain's functions against the deployed stack, for the sample user living in ``zone``."""

    deployment: Any
    invoke: Callable[..., Any]
    load_function: Callable[[str], Any]
    sample: Callable[[str], dict[str, Any]]
    shape: Callable[..., dict[str, Any]]
    context: Any
    zone: str
    streams: Any  # the tables' change streams: events leave every write there

    def today(self) -> dt.date:
        return clock.today(self.zone)

    def _url(self, logical_id: str) -> str:
        urls = [url for url in boto3.client("sqs").list_queues().get("QueueUrls", []) if logical_id in url.rsplit("/", 1)[1]]
        assert len(urls) == 1, f"queues named like {logical_id}: {urls}"
        return urls[0]

    def drain(self, function: str, *, keep: bool = False) -> list[dict[str, Any]]:
        """Feed the function's queue to it until empty, as the event source mapping would; the batches'
        answers. With keep, the messages stay (a redelivery can be replayed from ``last_batch``)."""
        sqs = boto3.client("sqs")
        url = self._url({**QUEUES, **ACCOUNT_QUEUES}[function])
        module = self.load_function(function)
        answers = []
        while True:
            self.streams.pump()
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]).get("Messages", [])
            if not messages:
                return answers
            event = {"Records": [_record(m) for m in messages]}
            self.last_batch = event
            answers.append(module.lambda_handler(event, self.context))
            failed = {f["itemIdentifier"] for f in answers[-1].get("batchItemFailures", [])}
            assert not failed, answers[-1]
            if not keep:
                for message in messages:
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    @staticmethod
    def sqs_event(messages: list[dict[str, Any]]) -> dict[str, Any]:
        """The SQS event Lambda's event source mapping makes of received ``messages``."""
        return {"Records": [_record(m) for m in messages]}

    def replay(self, function: str) -> dict[str, Any]:
        return self.load_function(function).lambda_handler(self.last_batch, self.context)

    def settle(self) -> None:
        """Every change delivered and every event handled (account events too, once they are due)."""
        for function in (*QUEUES, *ACCOUNT_QUEUES):
            self.drain(function)


@dataclass
class Journal(Domain):
    def api(self, function: str, sample: str, *, headers: dict[str, str] | None = None, **request: Any):
        event = self.sample(sample)
        event["headers"].pop("Idempotency-Key", None)  # each test decides whether it retries
        return self.invoke(function, self.shape(event, headers=headers, **request))

    def write(self, content: str, *, claims: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
        reply = self.api("EntriesFunction", "entries_create", body={"content": content, **fields}, claims=claims)
        assert reply.status == 201, reply.body
        return reply.body


def calls_to(client: Any, table: str) -> list[str]:
    """The operations ``client`` sends to ``table`` from now on, in order (the API's account check reads
    another table, UsersTable, on every request: it is not the screen's read)."""
    calls: list[str] = []

    def record(model: Any, params: dict[str, Any], **kwargs: Any) -> None:
        names = {
            params.get("TableName"),
            *(params.get("RequestItems") or {}),
            *(item.get(op, {}).get("TableName") for item in params.get("TransactItems") or [] for op in item),
        }
        if table in names:
            calls.append(model.name)

    client.meta.events.register("before-parameter-build.dynamodb.*", record)
    return calls


@pytest.fixture
def dynamodb_calls() -> Callable[[Any, str], list[str]]:
    """``calls = dynamodb_calls(client, table)``: see ``calls_to``."""
    return calls_to


def _record(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": {},
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:queue",
        "awsRegion": "us-east-1",
    }


@pytest.fixture
def journal(deployment, invoke, load_function, sample, shape, lambda_context, user_zone, streams) -> Journal:
    journal = Journal(deployment, invoke, load_function, sample, shape, lambda_context, user_zone, streams)
    if user_zone != "UTC":  # the sample user has no settings: UTC, unless the run moved the users elsewhere
        assert journal.api("SettingsFunction", "settings_put", body={"timezone": user_zone}).status == 200
    return journal


@dataclass
class Quests(Domain):
    sink: Any = None
    deliveries: Any = None

    @property
    def env(self) -> dict[str, str]:
        return self.deployment.functions["QuestsFunction"].environment

    def api(self, sample: str, *, function: str = "QuestsFunction", **request: Any):
        return self.invoke(function, self.shape(self.sample(sample), **request))

    def step(self, function: str, event: dict[str, Any]) -> dict[str, Any]:
        return self.load_function(function).lambda_handler(copy.deepcopy(event), self.context)

    def complete_task_killed_after_its_write(self, task_id: str, monkeypatch: Any, killed: type[BaseException]) -> None:
        """PATCH the task done, the function's process ending (``killed``) right after the store's write."""
        store = self.load_function("QuestsFunction").quests.store
        written = store.set_task_status

        def write_then_die(*args: Any, **kwargs: Any) -> Any:
            written(*args, **kwargs)
            raise killed("the function ended right after its write")

        with monkeypatch.context() as patched, pytest.raises(killed):
            patched.setattr(store, "set_task_status", write_then_die)
            self.api("quests_task_update", body={"status": "done"}, params={"taskId": task_id})

    def roadmap_input(self, goal: dict[str, Any]) -> dict[str, Any]:
        start = self.sample("roadmap_start")
        start["goal"] = {k: goal.get(k) or "" for k in ("goalId", "title", "description", "category", "targetDate")}
        start["today"] = self.today().isoformat()
        start["timezone"] = self.zone
        return start

    def plan_and_coach(self, goal: dict[str, Any]) -> dict[str, Any]:
        """What the state machine does with a new goal: Plan -> SaveMilestones -> CoachFirstMilestone."""
        run = self.roadmap_input(goal)
        run["plan"] = self.step("PlannerFunction", run)
        run["saved"] = self.step("MilestoneSaverFunction", run)
        run["coached"] = self.step("CoachFunction", run)
        return run

    def goal(self, goal_id: str) -> dict[str, Any]:
        reply = self.api("quests_goal_get", params={"goalId": goal_id})
        assert reply.status == 200, reply.body
        return reply.body

    def items(self) -> list[dict[str, Any]]:
        return boto3.client("dynamodb").scan(TableName=self.env["QUESTS_TABLE"], ConsistentRead=True)["Items"]

    def events(self, detail_type: str) -> list[dict[str, Any]]:
        return [e["detail"] for e in self.sink.of_type(detail_type)]


@pytest.fixture
def quests(deployment, invoke, load_function, sample, shape, lambda_context, event_sink, rule_deliveries, api_event, user_zone, streams) -> Quests:
    env = deployment.functions["QuestsFunction"].environment
    sink = event_sink(env["EVENT_BUS_NAME"], {"source": ["zik.quests"]})
    if user_zone != "UTC":  # the sample user has no profile: UTC, unless the run moved the users elsewhere
        assert invoke("MeFunction", api_event("PUT", "/me", body={"timezone": user_zone})).status == 200
    return Quests(deployment, invoke, load_function, sample, shape, lambda_context, user_zone, streams, sink=sink, deliveries=rule_deliveries)


@dataclass
class Career(Domain):
    """The career's functions: ``api(function, sample, ...)`` sends the sample event shaped as asked (see
    ``shape``); ``step(function, event)`` runs a non-API handler (an S3 event, a schedule) on a copy."""

    def api(self, function: str, sample: str, *, headers: dict[str, str] | None = None, **request: Any):
        event = self.sample(sample)
        event["headers"].pop("Idempotency-Key", None)  # each test decides whether it retries
        return self.invoke(function, self.shape(event, headers=headers, **request))

    def step(self, function: str, event: dict[str, Any]) -> Any:
        return self.load_function(function).lambda_handler(copy.deepcopy(event), self.context)

    def env(self, function: str) -> dict[str, str]:
        return self.deployment.functions[function].environment


@pytest.fixture
def career(deployment, invoke, load_function, sample, shape, lambda_context, user_zone, streams) -> Career:
    return Career(deployment, invoke, load_function, sample, shape, lambda_context, user_zone, streams)


@dataclass
class Studio(Domain):
    """The studio's functions: ``api(function, sample, ...)`` and ``step(function, event)`` as the career's;
    ``upload(data)`` takes a photo the whole way a client's does: the presigned POST asked for, the file
    posted to it as a multipart form, the bucket's event routed to the FIFO queue, the queue drained."""

    def api(self, function: str, sample: str, *, headers: dict[str, str] | None = None, method: str | None = None, **request: Any):
        """``method`` sends the sample's route with another method (DELETE of the favourite PUT's)."""
        event = self.sample(sample)
        event["headers"].pop("Idempotency-Key", None)  # each test decides whether it retries
        if method is not None:
            event["httpMethod"] = event["requestContext"]["httpMethod"] = method
        return self.invoke(function, self.shape(event, headers=headers, **request))

    def step(self, function: str, event: dict[str, Any]) -> Any:
        return self.load_function(function).lambda_handler(copy.deepcopy(event), self.context)

    @property
    def bucket(self) -> str:
        return self.deployment.functions["StudioPhotosFunction"].environment["STUDIO_BUCKET"]

    def env(self, function: str) -> dict[str, str]:
        return self.deployment.functions[function].environment

    def request_upload(self, content_type: str = "image/jpeg", *, claims: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
        reply = self.api("StudioPhotosFunction", "studio_photos_create", body={"contentType": content_type, **fields}, claims=claims)
        assert reply.status == 201, reply.body
        return reply.body

    def post_form(self, upload: dict[str, Any], data: bytes, content_type: str = "image/jpeg") -> Any:
        import requests

        return requests.post(upload["url"], data=upload["fields"], files={"file": ("photo", data, content_type)}, timeout=30)

    def uploaded_event(self, key: str, size: int) -> dict[str, Any]:
        """The EventBridge event S3 sends for the object as it is now (its current version)."""
        head = boto3.client("s3").head_object(Bucket=self.bucket, Key=key)
        event = self.sample("photo_uploaded_eventbridge")
        detail = event["detail"]
        detail["bucket"]["name"] = self.bucket
        detail["object"].update({"key": key, "size": size, "etag": head["ETag"].strip('"')})
        if head.get("VersionId"):
            detail["object"]["version-id"] = head["VersionId"]
        return event

    def upload(self, data: bytes, content_type: str = "image/jpeg", *, claims: dict[str, Any] | None = None) -> dict[str, Any]:
        """The photo's record once the pipeline has processed it."""
        created = self.request_upload(content_type, claims=claims)
        posted = self.post_form(created["upload"], data, content_type)
        assert posted.status_code in (200, 201, 204), posted.text
        self.step("PhotoUploadedFunction", self.uploaded_event(created["upload"]["fields"]["key"], len(data)))
        self.drain("ImageProcessingFunction")
        reply = self.api("StudioPhotosFunction", "studio_photos_get", params={"photoId": created["photoId"]}, claims=claims)
        assert reply.status == 200, reply.body
        return reply.body


@pytest.fixture
def studio(deployment, invoke, load_function, sample, shape, lambda_context, user_zone, streams) -> Studio:
    return Studio(deployment, invoke, load_function, sample, shape, lambda_context, user_zone, streams)


class _ResponseCatcher(http.server.BaseHTTPRequestHandler):
    """Stands where CloudFormation's presigned S3 URL would: keeps what a custom resource's function PUT there."""

    answers: list[dict[str, Any]] = []

    def do_PUT(self) -> None:  # noqa: N802 (http.server's naming)
        self.answers.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return None


@dataclass
class CloudFormationAnswers:
    url: str  # a ResponseURL for a custom resource's request
    answers: list[dict[str, Any]]


@pytest.fixture
def cloudformation() -> Iterator[CloudFormationAnswers]:
    """``cloudformation.url`` to put in a custom resource's request; ``cloudformation.answers``: what the
    function answered there, in order."""
    answers: list[dict[str, Any]] = []
    catcher = type("Catcher", (_ResponseCatcher,), {"answers": answers})
    server = http.server.HTTPServer(("127.0.0.1", 0), catcher)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield CloudFormationAnswers(f"http://127.0.0.1:{server.server_port}/answer?X-Amz-Signature=sample", answers)
    finally:
        server.shutdown()
