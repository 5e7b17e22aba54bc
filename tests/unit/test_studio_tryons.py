"""Try-ons end to end in moto: POST and GET /studio/tryons through the real handler (its refusals: another
user's photo or job, a photo not ready, an unknown hairstyle, a bad colour, the day's quota with when it
resets), and the workflow's three steps on the job (the quota counted once however often its step runs, the
edit stored once however often its step runs, a photo with no face failing the job with no_face).

Tables are made as template.yaml declares them."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import json
import sys
import types
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import pytest
from PIL import Image
from template_tables import template_table, template_table_properties

from zik import clock
from zik.studio import hairstyles, tryon_offline, tryon_service, tryons
from zik.studio.job_store import JobMissing, JobStore
from zik.studio.session_store import SessionStore

# The tests marked clock read the user's day from the clock (the quota's day, its reset at midnight): make
# dates runs them at every moved instant (see tests/unit/conftest.py).

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "studio"
PORTRAIT = (FIXTURES / "astronaut.jpg").read_bytes()
NO_FACE = (FIXTURES / "rocket.jpg").read_bytes()
USER = "8f1c2a7e-4b3d-4c9a-9e61-2d5b7f0a1c34"  # the sample events' user (tenant acme)
OTHER = "2d5b7f0a-1c34-4c9a-9e61-8f1c2a7e4b3d"
TENANT = "acme"
LIMIT = 3
BUCKET = "test-studio"


@pytest.fixture
def studio(aws, monkeypatch: pytest.MonkeyPatch) -> types.SimpleNamespace:
    """The studio's tables, bucket and try-on state machine in moto, and the environment the template will give
    the try-on functions."""
    ddb = boto3.client("dynamodb")
    ddb.create_table(TableName="test-photos", **template_table("PhotosTable"))
    ddb.create_table(TableName="test-jobs", **template_table("ProcessingJobsTable"))
    ddb.create_table(TableName="test-sessions", **template_table("UserSessionsTable"))
    ddb.create_table(TableName="test-users", **template_table_properties("UsersTable"))
    ddb.create_table(TableName="test-idempotency", **template_table_properties("IdempotencyTable"))
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    definition = (ROOT / "statemachine" / "tryon.asl.json").read_text()
    for name in ("TryonQuotaFunctionArn", "TryonEditFunctionArn", "TryonFailedFunctionArn"):
        definition = definition.replace("${" + name + "}", f"arn:aws:lambda:us-east-1:123456789012:function:{name}")
    machine = boto3.client("stepfunctions").create_state_machine(
        name="tryon", definition=definition, roleArn="arn:aws:iam::123456789012:role/tryon-workflow"
    )["stateMachineArn"]
    for name, value in {
        "PHOTOS_TABLE": "test-photos",
        "JOBS_TABLE": "test-jobs",
        "SESSIONS_TABLE": "test-sessions",
        "USERS_TABLE": "test-users",
        "IDEMPOTENCY_TABLE": "test-idempotency",
        "STUDIO_BUCKET": BUCKET,
        "TRYON_STATE_MACHINE_ARN": machine,
        "TRYON_DAILY_LIMIT": str(LIMIT),
    }.items():
        monkeypatch.setenv(name, value)
    tryon_service._stepfunctions.cache_clear()
    yield types.SimpleNamespace(ddb=ddb, machine=machine, store=JobStore(), sessions=SessionStore())
    if hasattr(tryon_service._stepfunctions, "cache_clear"):  # a test may have put a stub in its place
        tryon_service._stepfunctions.cache_clear()


def put_photo(studio: types.SimpleNamespace, photo_id: str, *, user: str = USER, status: str = "ready", image: bytes = PORTRAIT) -> None:
    stamp = clock.now_iso()
    studio.ddb.put_item(
        TableName="test-photos",
        Item={
            "photoId": {"S": photo_id},
            "userId": {"S": user},
            "kind": {"S": "upload"},
            "status": {"S": status},
            "createdAt": {"S": stamp},
            "userTime": {"S": f"{stamp}#{photo_id}"},
            "version": {"N": "1"},
        },
    )
    if status == "ready":
        boto3.client("s3").put_object(Bucket=BUCKET, Key=tryon_service.photo_key(user, photo_id), Body=image)


def set_timezone(studio: types.SimpleNamespace, timezone: str, user: str = USER) -> None:
    studio.ddb.put_item(
        TableName="test-users",
        Item={"pk": {"S": f"TENANT#{TENANT}#USER#{user}"}, "sk": {"S": "PROFILE"}, "userId": {"S": user}, "timezone": {"S": timezone}},
    )


@pytest.fixture
def api(studio, monkeypatch: pytest.MonkeyPatch, lambda_context):
    """``api(method, path, body=None, user=USER, headers=None)`` through functions/studio_tryons's handler:
    (status, body, headers)."""
    spec = importlib.util.spec_from_file_location("fn_studio_tryons_app", ROOT / "functions" / "studio_tryons" / "app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "fn_studio_tryons_app", module)
    spec.loader.exec_module(module)
    module.tryons.sign = lambda key: f"https://cdn.test/{key}?signed"

    def call(method: str, path: str, body: Any = None, *, user: str = USER, headers: dict[str, str] | None = None):
        session = path.startswith("/studio/sessions/")
        sample_name = "studio_tryons_create.json" if method == "POST" else "studio_sessions_get.json" if session else "studio_tryons_get.json"
        sample = json.loads((ROOT / "events" / sample_name).read_text())
        sample.update(httpMethod=method, path=path, body=None if body is None else json.dumps(body))
        if method == "GET":
            sample["pathParameters"] = {"photoId" if session else "jobId": path.rsplit("/", 1)[1]}
        sample["headers"] = {**{k: v for k, v in sample["headers"].items() if k != "Idempotency-Key"}, **(headers or {})}
        sample["multiValueHeaders"] = {k: [v] for k, v in sample["headers"].items()}
        sample["requestContext"]["authorizer"]["claims"]["sub"] = user
        sample["requestContext"]["requestTimeEpoch"] = clock.epoch_millis()
        answer = module.lambda_handler(sample, lambda_context)
        headers = {**{k: v[-1] for k, v in (answer.get("multiValueHeaders") or {}).items()}, **(answer.get("headers") or {})}
        return answer["statusCode"], json.loads(answer["body"]) if answer.get("body") else None, headers

    call.module = module
    return call


def executions(studio: types.SimpleNamespace) -> list[dict[str, Any]]:
    client = boto3.client("stepfunctions")
    found = client.list_executions(stateMachineArn=studio.machine)["executions"]
    return [{**e, "input": json.loads(client.describe_execution(executionArn=e["executionArn"])["input"])} for e in found]


def jpeg(size: tuple[int, int] = (640, 800), colour: tuple[int, int, int] = (120, 90, 60)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def step_error(exc: BaseException) -> dict[str, str]:
    """What a Catch puts in ``$.error`` for a Lambda task that raised ``exc`` (Error: its class name)."""
    name = type(exc).__name__
    return {"Error": name, "Cause": json.dumps({"errorMessage": str(exc), "errorType": name, "stackTrace": []})}


# -- POST /studio/tryons ---------------------------------------------------------------------------------------
@pytest.mark.clock
def test_a_try_on_is_queued_its_workflow_started_and_its_session_recorded(studio, api) -> None:
    put_photo(studio, "p1")
    set_timezone(studio, "Europe/Paris")
    status, body, _ = api("POST", "/studio/tryons", {"photoId": "p1", "hairstyleId": "french-crop", "color": "copper"})
    assert status == 202, body
    assert body["status"] == "queued" and body["progress"] == 0
    assert body["jobId"].startswith("j") and body["links"] == {"self": f"/studio/tryons/{body['jobId']}", "photo": "/studio/photos/p1"}
    assert body["color"] == "#B5562A" and body["hairstyleId"] == "french-crop"
    today = clock.today("Europe/Paris").isoformat()
    assert body["day"] in (today, (dt.date.fromisoformat(today) - dt.timedelta(days=1)).isoformat())
    assert body["quota"]["limit"] == LIMIT and body["quota"]["used"] == 0
    job = studio.store.get(body["jobId"])
    assert job["status"] == "queued" and job["userId"] == USER and job["tenantId"] == TENANT and job["timezone"] == "Europe/Paris"
    assert job["statusTime"] == f"{job['updatedAt']}#{job['jobId']}"
    [execution] = executions(studio)
    assert execution["name"] == body["jobId"]
    assert execution["input"] == tryon_service.execution_input(job)
    session = studio.sessions.get(USER, "p1")
    assert [entry["jobId"] for entry in session["tries"]] == [body["jobId"]]
    assert session["expiresAt"] - clock.epoch_seconds() in range(86_390, 86_401)


def test_a_retried_request_with_its_idempotency_key_is_one_try_on(studio, api) -> None:
    put_photo(studio, "p1")
    request = {"photoId": "p1", "hairstyleId": "french-crop"}
    first = api("POST", "/studio/tryons", request, headers={"Idempotency-Key": "k-1"})
    again = api("POST", "/studio/tryons", request, headers={"Idempotency-Key": "k-1"})
    assert first[0] == again[0] == 202
    assert first[1]["jobId"] == again[1]["jobId"]
    assert len(executions(studio)) == 1
    assert len(studio.sessions.get(USER, "p1")["tries"]) == 1
    other = api("POST", "/studio/tryons", request, headers={"Idempotency-Key": "k-2"})
    assert other[1]["jobId"] != first[1]["jobId"]
    assert [e["jobId"] for e in studio.sessions.get(USER, "p1")["tries"]] == [other[1]["jobId"], first[1]["jobId"]]


def test_a_request_whose_first_attempt_wrote_the_job_but_died_before_starting_it_starts_it(studio, api) -> None:
    put_photo(studio, "p1")
    from zik.claims import Claim

    claim = Claim(b"\x01" * 32)
    studio.store.create(
        {
            "jobId": tryons.new_job_id(claim),
            "userId": USER,
            "tenantId": TENANT,
            "photoId": "p1",
            "hairstyleId": "bob",
            "color": "#000000",
            "timezone": "UTC",
            "day": "2026-11-23",
        }
    )
    service = tryon_service.Tryons(studio.store, studio.sessions, profiles=types.SimpleNamespace(get=lambda owner: None))
    from zik.principal import Principal

    answer = service.create(Principal(USER, TENANT), {"photoId": "p1", "hairstyleId": "french-crop"}, claim=claim)
    assert answer["jobId"] == tryons.new_job_id(claim) and answer["hairstyleId"] == "bob"  # the first attempt's job
    assert [e["name"] for e in executions(studio)] == [answer["jobId"]]


def test_another_users_photo_and_a_photo_there_is_not_are_404_naming_photo_id(studio, api) -> None:
    put_photo(studio, "theirs", user=OTHER)
    for photo_id in ("theirs", "nothing"):
        status, body, _ = api("POST", "/studio/tryons", {"photoId": photo_id, "hairstyleId": "french-crop"})
        assert status == 404 and body["error"]["code"] == "not_found" and body["error"]["field"] == "photoId"
    assert executions(studio) == []


@pytest.mark.parametrize("status", ["pending", "rejected"])
def test_a_photo_not_ready_is_409_naming_its_status(studio, api, status) -> None:
    put_photo(studio, "p1", status=status)
    code, body, _ = api("POST", "/studio/tryons", {"photoId": "p1", "hairstyleId": "french-crop"})
    assert code == 409
    assert body["error"]["code"] == "photo_not_ready" and body["error"]["field"] == "photoId"
    assert body["error"]["details"] == {"status": status} and status in body["error"]["message"]


def test_an_unknown_hairstyle_is_404_and_a_bad_colour_400_and_a_bad_body_400(studio, api) -> None:
    put_photo(studio, "p1")
    code, body, _ = api("POST", "/studio/tryons", {"photoId": "p1", "hairstyleId": "mullet-deluxe"})
    assert (code, body["error"]["code"], body["error"]["field"]) == (404, "not_found", "hairstyleId")
    code, body, _ = api("POST", "/studio/tryons", {"photoId": "p1", "hairstyleId": "french-crop", "color": "sky"})
    assert (code, body["error"]["code"], body["error"]["field"]) == (400, "invalid_color", "color")
    code, body, _ = api("POST", "/studio/tryons", {"photoId": "p1"})
    assert code == 400 and body["error"]["field"] == "hairstyleId"
    code, body, _ = api("POST", "/studio/tryons", {"photoId": "p1", "hairstyleId": "french-crop", "extra": 1})
    assert code == 400
    assert executions(studio) == [] and studio.sessions.get(USER, "p1") is None


@pytest.mark.clock
@pytest.mark.parametrize("timezone", ["America/New_York", "Pacific/Kiritimati", None])
def test_over_the_days_quota_is_429_saying_it_resets_at_the_users_next_midnight(studio, api, timezone, same_day) -> None:
    put_photo(studio, "p1")
    if timezone:
        set_timezone(studio, timezone)
    zone = timezone or "UTC"
    today = same_day(minutes=1, zone=zone)
    for number in range(LIMIT):
        job = {
            "jobId": f"jfull{number}",
            "userId": USER,
            "tenantId": TENANT,
            "photoId": "p1",
            "hairstyleId": "bob",
            "timezone": zone,
            "day": today.isoformat(),
        }
        studio.store.create(job)
        studio.store.count(job, LIMIT)
    status, body, headers = api("POST", "/studio/tryons", {"photoId": "p1", "hairstyleId": "french-crop"})
    assert status == 429, body
    midnight = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=ZoneInfo(zone))
    error = body["error"]
    assert error["code"] == "budget_exceeded"
    assert error["details"]["resetsAt"] == clock.iso(midnight) and error["details"]["timezone"] == zone
    assert (error["details"]["limit"], error["details"]["used"], error["details"]["day"]) == (LIMIT, LIMIT, today.isoformat())
    assert clock.iso(midnight) in error["message"]
    wait = int(headers["Retry-After"])
    assert abs(wait - (midnight - clock.now()).total_seconds()) < 5 and wait == error["details"]["retryAfterSeconds"]
    assert executions(studio) == []


def test_a_hairstyle_an_admin_hid_cannot_be_tried_on_and_shown_again_it_can(studio, api, monkeypatch: pytest.MonkeyPatch) -> None:
    put_photo(studio, "p1")
    studio.ddb.create_table(TableName="test-hairstyles", **template_table("HairstyleLibraryTable"))
    monkeypatch.setenv("HAIRSTYLES_TABLE", "test-hairstyles")
    studio.ddb.put_item(TableName="test-hairstyles", Item={"hairstyleId": {"S": "french-crop"}, "hidden": {"BOOL": True}})

    status, body, _ = api("POST", "/studio/tryons", {"photoId": "p1", "hairstyleId": "french-crop"})
    assert status == 404 and body["error"]["code"] == "not_found" and body["error"]["field"] == "hairstyleId"
    assert _jobs(studio) == [] and executions(studio) == []

    studio.ddb.put_item(TableName="test-hairstyles", Item={"hairstyleId": {"S": "french-crop"}})
    assert api("POST", "/studio/tryons", {"photoId": "p1", "hairstyleId": "french-crop"})[0] == 202


def test_a_workflow_that_cannot_start_answers_503_and_a_retry_with_its_key_starts_the_same_job(studio, api, monkeypatch: pytest.MonkeyPatch) -> None:
    from botocore.stub import Stubber

    put_photo(studio, "p1")
    refusing = boto3.client("stepfunctions")
    stubber = Stubber(refusing)
    stubber.add_client_error("start_execution", service_error_code="ServiceUnavailable", http_status_code=503)
    stubber.add_client_error("start_execution", service_error_code="ServiceUnavailable", http_status_code=503)
    stubber.activate()
    monkeypatch.setattr(tryon_service, "_stepfunctions", lambda: refusing)

    # Without an Idempotency-Key the client's retry is a new job: this one, never started, is not left behind.
    status, body, headers = api("POST", "/studio/tryons", {"photoId": "p1", "hairstyleId": "french-crop"})
    assert status == 503 and headers["Retry-After"] == "5" and body["error"]["code"] == "unavailable"
    assert [item for item in _jobs(studio) if item.get("status")] == []

    # With a key the job stays queued, and the retry starts it once Step Functions answers again.
    key = {"Idempotency-Key": "try-on-while-sfn-is-down"}
    assert api("POST", "/studio/tryons", {"photoId": "p1", "hairstyleId": "french-crop"}, headers=key)[0] == 503
    [job] = [item for item in _jobs(studio) if item.get("status")]
    assert job["status"] == "queued" and executions(studio) == []
    stubber.deactivate()
    monkeypatch.setattr(tryon_service, "_stepfunctions", lambda: boto3.client("stepfunctions"))
    status, body, _ = api("POST", "/studio/tryons", {"photoId": "p1", "hairstyleId": "french-crop"}, headers=key)
    assert status == 202 and body["jobId"] == job["jobId"] and body["status"] == "queued"
    assert [execution["name"] for execution in executions(studio)] == [job["jobId"]]


def _jobs(studio: types.SimpleNamespace) -> list[dict[str, Any]]:
    from zik.dynamo import from_item

    return [from_item(item) for item in studio.ddb.scan(TableName="test-jobs")["Items"]]


# -- GET /studio/tryons/{jobId} ----------------------------------------------------------------------------------
def test_another_users_job_and_a_job_there_is_not_are_404(studio, api) -> None:
    put_photo(studio, "p1", user=OTHER)
    studio.store.create(
        {"jobId": "jtheirs", "userId": OTHER, "tenantId": TENANT, "photoId": "p1", "hairstyleId": "bob", "timezone": "UTC", "day": "2026-11-23"}
    )
    for job_id in ("jtheirs", "jnothing"):
        status, body, _ = api("GET", f"/studio/tryons/{job_id}")
        assert (status, body["error"]["code"], body["error"]["field"]) == (404, "not_found", "jobId")
    assert api("GET", "/studio/tryons/jtheirs", user=OTHER)[0] == 200


# -- the workflow ---------------------------------------------------------------------------------------------------
class CountingEditor:
    """Stands in for zik.studio.tryon_ai.try_on (its contract): the offline edit of the local provider."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, photo: bytes, hairstyle_id: str, color: str | None, *, user_id: str, tenant_id: str) -> Any:
        self.calls += 1
        edited = tryon_offline.try_on(photo, hairstyles.hairstyle(hairstyle_id), color)
        return types.SimpleNamespace(data=edited.jpeg, provider="local", model="offline-haar-grabcut")


def queued(studio: types.SimpleNamespace, api: Any, photo: bytes = PORTRAIT, photo_id: str = "p1") -> dict[str, Any]:
    put_photo(studio, photo_id, image=photo)
    status, body, _ = api("POST", "/studio/tryons", {"photoId": photo_id, "hairstyleId": "french-crop", "color": "copper"})
    assert status == 202, body
    [execution] = [e for e in executions(studio) if e["name"] == body["jobId"]]
    return execution["input"]


@pytest.mark.clock
def test_a_retried_quota_step_counts_the_job_once_and_a_full_day_fails_the_job_with_budget_exceeded(studio, api) -> None:
    service = tryon_service.Tryons()
    document = queued(studio, api)
    first = service.check_quota(document)
    again = service.check_quota(document)
    assert (first["used"], first["counted"]) == (1, True)
    assert (again["used"], again["counted"]) == (1, False)
    assert studio.store.used(USER, document["day"]) == 1

    for number in range(LIMIT - 1):  # other jobs of the day fill it
        job = {**studio.store.get(document["jobId"]), "jobId": f"jother{number}"}
        job.pop("countedAt")
        studio.store.create(job)
        studio.store.count(job, LIMIT)
    late = {**studio.store.get(document["jobId"]), "jobId": "jlate"}
    late.pop("countedAt")
    studio.store.create(late)
    with pytest.raises(tryons.TryonBudgetExceeded) as refused:
        service.check_quota({**document, "jobId": "jlate"})
    assert studio.store.used(USER, document["day"]) == LIMIT
    recorded = service.record_failure({**document, "jobId": "jlate", "error": step_error(refused.value)})
    assert recorded["error"]["code"] == "budget_exceeded" and "more from" in recorded["error"]["message"]
    assert studio.store.get("jlate")["status"] == "failed" and "refundedAt" not in studio.store.get("jlate")
    assert studio.store.used(USER, document["day"]) == LIMIT  # the refused job was never counted: nothing given back
    # The first job, counted before the day filled up, still passes its (retried) quota step.
    assert service.check_quota(document)["counted"] is False


def test_the_edit_stores_the_result_photo_and_a_retried_edit_does_nothing_twice(studio, api) -> None:
    editor = CountingEditor()
    service = tryon_service.Tryons(edit=editor, sign=lambda key: f"https://cdn.test/{key}")
    document = queued(studio, api)
    service.check_quota(document)
    result = service.edit(document)
    assert result["resultPhotoId"] == f"{document['jobId']}-result" and result["again"] is False
    job = studio.store.get(document["jobId"])
    assert job["status"] == "succeeded" and job["resultPhotoId"] == result["resultPhotoId"]
    assert (job["provider"], job["model"]) == ("local", "offline-haar-grabcut")
    photo = studio.store.photo(result["resultPhotoId"])
    assert photo["kind"] == "tryon" and photo["status"] == "ready" and photo["userId"] == USER
    assert (photo["sourcePhotoId"], photo["jobId"], photo["hairstyleId"], photo["color"]) == ("p1", job["jobId"], "french-crop", "#B5562A")
    assert photo["userTime"] == f"{photo['createdAt']}#{photo['photoId']}" and photo["version"] == 1
    assert photo["thumbnailKeys"] == {str(s): f"thumbnails/{USER}/{photo['photoId']}/{s}.jpg" for s in (256, 1024)}
    s3 = boto3.client("s3")
    stored = s3.get_object(Bucket=BUCKET, Key=photo["photoKey"])["Body"].read()
    assert photo["photoKey"] == f"processed-images/{USER}/{photo['photoId']}.jpg"
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG" and not image.getexif() and image.size == (photo["record"]["width"], photo["record"]["height"])
    for size, key in photo["thumbnailKeys"].items():
        thumb = Image.open(io.BytesIO(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()))
        assert max(thumb.size) <= int(size)

    again = service.edit(document)
    assert again["again"] is True and again["resultPhotoId"] == result["resultPhotoId"] and editor.calls == 1
    assert studio.store.photo(result["resultPhotoId"])["version"] == 1
    assert studio.store.get(document["jobId"])["version"] == job["version"]

    view = service.get(types.SimpleNamespace(user_id=USER, partition="x"), document["jobId"])
    assert view["status"] == "succeeded" and view["progress"] == 100
    assert view["result"]["photoUrl"] == f"https://cdn.test/{photo['photoKey']}"
    assert view["result"]["thumbnailUrls"] == {s: f"https://cdn.test/{k}" for s, k in photo["thumbnailKeys"].items()}
    assert view["links"]["result"] == f"/studio/photos/{photo['photoId']}"


def test_a_job_erased_with_its_user_while_the_ai_worked_leaves_no_result_behind(studio, api) -> None:
    document = queued(studio, api)
    tryon_service.Tryons().check_quota(document)

    def edit_while_the_user_is_erased(*args: Any, **kwargs: Any) -> Any:
        boto3.client("dynamodb").delete_item(TableName=studio.store.jobs, Key={"jobId": {"S": document["jobId"]}})
        return CountingEditor()(*args, **kwargs)

    with pytest.raises(JobMissing, match="erased while it ran"):
        tryon_service.Tryons(edit=edit_while_the_user_is_erased).edit(document)
    result = f"{document['jobId']}-result"
    assert studio.store.photo(result) is None
    left = boto3.client("s3").list_object_versions(Bucket=BUCKET).get("Versions", [])
    assert [v["Key"] for v in left if result in v["Key"]] == []


def test_a_photos_session_lists_its_tries_newest_first_with_each_jobs_status_now(studio, api) -> None:
    first = queued(studio, api)
    service = tryon_service.Tryons(edit=CountingEditor(), sign=lambda key: key)
    service.check_quota(first)
    result = service.edit(first)
    status, body, _ = api("POST", "/studio/tryons", {"photoId": "p1", "hairstyleId": "french-crop"})
    assert status == 202, body

    status, session, _ = api("GET", "/studio/sessions/p1")
    assert status == 200 and session["photoId"] == "p1"
    assert [(t["jobId"], t["status"]) for t in session["tries"]] == [(body["jobId"], "queued"), (first["jobId"], "succeeded")]
    assert session["tries"][1]["resultPhotoId"] == result["resultPhotoId"] and session["tries"][1]["progress"] == 100
    assert session["expiresAt"] > session["updatedAt"]

    put_photo(studio, "p2")
    assert api("GET", "/studio/sessions/p2")[1]["tries"] == []  # nothing tried on it lately
    status, theirs, _ = api("GET", "/studio/sessions/p1", user=OTHER)
    assert status == 404 and theirs["error"]["field"] == "photoId"


def test_a_photo_deleted_during_its_try_on_leaves_no_result_and_fails_the_job_photo_not_found(studio, api) -> None:
    document = queued(studio, api)
    service = tryon_service.Tryons()
    service.check_quota(document)

    def edit_while_the_photo_is_deleted(*args: Any, **kwargs: Any) -> Any:
        boto3.client("dynamodb").delete_item(TableName=studio.store.photos, Key={"photoId": {"S": "p1"}})
        return CountingEditor()(*args, **kwargs)

    with pytest.raises(tryons.SourcePhotoGone) as gone:
        tryon_service.Tryons(edit=edit_while_the_photo_is_deleted).edit(document)
    result = f"{document['jobId']}-result"
    assert studio.store.photo(result) is None
    assert [v["Key"] for v in boto3.client("s3").list_object_versions(Bucket=BUCKET).get("Versions", []) if result in v["Key"]] == []
    recorded = service.record_failure({**document, "error": step_error(gone.value)})
    assert recorded["status"] == "failed" and recorded["error"]["code"] == "photo_not_found"


def test_get_signs_the_result_through_zik_studio_links(studio, api, monkeypatch: pytest.MonkeyPatch) -> None:
    """GET's links come from zik.studio.links.signed_url (the photos helper's), imported when first needed."""
    signed: list[tuple[str, int]] = []
    links = types.ModuleType("zik.studio.links")
    links.signed_url = lambda key, expires_in=3600: signed.append((key, expires_in)) or f"https://signed/{key}"
    monkeypatch.setitem(sys.modules, "zik.studio.links", links)
    import zik.studio

    monkeypatch.setattr(zik.studio, "links", links, raising=False)
    document = queued(studio, api)
    service = tryon_service.Tryons(edit=CountingEditor())
    service.check_quota(document)
    service.edit(document)
    view = service.get(types.SimpleNamespace(user_id=USER, partition="x"), document["jobId"])
    assert view["result"]["photoUrl"].startswith("https://signed/processed-images/")
    assert {expires for _, expires in signed} == {3600} and len(signed) == 3


def test_a_photo_with_no_face_fails_the_job_with_no_face(studio, api) -> None:
    editor = CountingEditor()
    service = tryon_service.Tryons(edit=editor)
    document = queued(studio, api, photo=NO_FACE)
    service.check_quota(document)
    with pytest.raises(tryon_offline.NoFace) as raised:
        service.edit(document)
    assert studio.store.get(document["jobId"])["status"] == "running"
    assert studio.store.used(USER, document["day"]) == 1
    service.record_failure({**document, "error": step_error(raised.value)})
    job = studio.store.get(document["jobId"])
    assert job["status"] == "failed" and job["error"]["code"] == "no_face" and "face" in job["error"]["message"]
    assert studio.store.used(USER, document["day"]) == 0 and job["refundedAt"]  # a try-on that made nothing costs nothing
    assert studio.store.photo(f"{document['jobId']}-result") is None
    status, body, _ = api("GET", f"/studio/tryons/{document['jobId']}")
    assert status == 200 and body["status"] == "failed" and body["error"]["code"] == "no_face" and body["progress"] == 100
    # The Catch runs again (its own retry): a failed job stays as it was.
    again = service.record_failure({**document, "error": {"Error": "States.TaskFailed", "Cause": "boom"}})
    assert again["error"]["code"] == "no_face" and studio.store.get(document["jobId"])["version"] == job["version"]
    assert studio.store.used(USER, document["day"]) == 0  # given back once


def test_a_failure_after_success_leaves_the_job_succeeded_and_a_deleted_photo_fails_with_photo_not_found(studio, api) -> None:
    service = tryon_service.Tryons(edit=lambda *a, **k: types.SimpleNamespace(data=jpeg(), provider="local", model="m"))
    document = queued(studio, api)
    service.check_quota(document)
    service.edit(document)
    service.record_failure({**document, "error": {"Error": "States.Timeout"}})
    assert studio.store.get(document["jobId"])["status"] == "succeeded"
    assert studio.store.used(USER, document["day"]) == 1

    other = queued(studio, api, photo_id="p2")
    boto3.client("s3").delete_object(Bucket=BUCKET, Key=tryon_service.photo_key(USER, "p2"))
    with pytest.raises(tryons.SourcePhotoGone) as gone:
        service.edit(other)
    assert service.record_failure({**other, "error": step_error(gone.value)})["error"]["code"] == "photo_not_found"


@pytest.mark.parametrize("function", ["tryon_quota", "tryon_edit", "tryon_failed"])
def test_the_step_functions_run_their_sample_events(studio, monkeypatch: pytest.MonkeyPatch, lambda_context, function) -> None:
    sample = json.loads((ROOT / "events" / f"{function}_step.json").read_text())
    put_photo(studio, sample["photoId"])
    studio.store.create(
        {k: sample[k] for k in ("jobId", "photoId", "hairstyleId", "color", "day", "timezone")} | {"userId": USER, "tenantId": TENANT}
    )
    spec = importlib.util.spec_from_file_location(f"fn_{function}_app", ROOT / "functions" / function / "app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, f"fn_{function}_app", module)
    spec.loader.exec_module(module)
    module.tryons.edit_photo = lambda *a, **k: types.SimpleNamespace(data=jpeg(), provider="local", model="m")
    answer = module.lambda_handler(sample, lambda_context)
    job = studio.store.get(sample["jobId"])
    expected = {
        "tryon_quota": ("queued", "counted", True),
        "tryon_edit": ("succeeded", "again", False),
        "tryon_failed": ("failed", "status", "failed"),
    }[function]
    assert job["status"] == expected[0] and answer[expected[1]] == expected[2]


@pytest.fixture
def local_ai(studio, monkeypatch: pytest.MonkeyPatch):
    """The AI gateway with its offline provider only, its budgets in a table shaped like the template's AITable."""
    import zik.ai

    boto3.client("dynamodb").create_table(TableName="test-ai", **template_table_properties("AITable"))
    monkeypatch.setenv("AI_PROVIDERS", "local")
    monkeypatch.delenv("AI_IMAGE_PROVIDERS", raising=False)
    monkeypatch.setenv("AI_TABLE", "test-ai")
    zik.ai.reset()
    yield
    zik.ai.reset()


def _edit_function(monkeypatch: pytest.MonkeyPatch) -> Any:
    spec = importlib.util.spec_from_file_location("fn_tryon_edit_app", ROOT / "functions" / "tryon_edit" / "app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "fn_tryon_edit_app", module)
    spec.loader.exec_module(module)
    return module


def test_the_edit_function_tries_the_style_on_through_the_ai_gateway(studio, api, local_ai, monkeypatch: pytest.MonkeyPatch, lambda_context) -> None:
    document = queued(studio, api)
    tryon_service.Tryons().check_quota(document)
    answer = _edit_function(monkeypatch).lambda_handler(document, lambda_context)
    assert answer["provider"] == "local" and answer["again"] is False
    photo = studio.store.photo(answer["resultPhotoId"])
    assert photo["record"]["contentType"] == "image/jpeg" and photo["record"]["hadExif"] is False
    edited = boto3.client("s3").get_object(Bucket=BUCKET, Key=photo["photoKey"])["Body"].read()
    assert edited != PORTRAIT and Image.open(io.BytesIO(edited)).size == (photo["record"]["width"], photo["record"]["height"])


def test_the_edit_function_raises_no_face_for_the_workflow_to_fail_the_job_with(
    studio, api, local_ai, monkeypatch: pytest.MonkeyPatch, lambda_context
) -> None:
    document = queued(studio, api, photo=NO_FACE)
    with pytest.raises(tryon_offline.NoFace) as raised:
        _edit_function(monkeypatch).lambda_handler(document, lambda_context)
    assert type(raised.value).__name__ == "NoFace"  # the name the state machine's Catch hands RecordFailure
    assert tryon_service.Tryons().record_failure({**document, "error": step_error(raised.value)})["error"]["code"] == "no_face"
