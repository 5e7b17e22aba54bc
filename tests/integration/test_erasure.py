"""A user's erasure (DELETE /me) end to end against the stack: UserDeleted leaves UsersTable's stream, each
domain erases through its own queue a page at a time and reports, the erasure completes; the account
opens nothing from the first moment, and an event that comes late writes nothing."""

from __future__ import annotations

import io
import json
from typing import Any

import boto3
import pytest

from zik import erasure
from zik.dynamo import to_item

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")

SUB = "8f1c2a7e-4b3d-4c9a-9e61-2d5b7f0a1c34"
PARTITION = f"TENANT#acme#USER#{SUB}"
TABLES = {"quests": "QUESTS_TABLE", "journal": "JOURNAL_TABLE", "points": "GAMIFICATION_TABLE"}


def partition(deployment: Any, variable: str) -> list[str]:
    """The sort keys left in the sample user's partition of a table."""
    table = next(spec.environment[variable] for spec in deployment.functions.values() if variable in spec.environment)
    items = boto3.client("dynamodb").query(
        TableName=table, KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": {"S": PARTITION}}, ConsistentRead=True
    )["Items"]
    return sorted(item["sk"]["S"] for item in items)


def erasure_of(journal: Any, api_event: Any) -> Any:
    return journal.invoke("MeFunction", api_event("GET", "/me/erasure"))


def studio_left(studio: Any) -> dict[str, Any]:
    """What the studio still holds of the sample user: photos, UserSessions items, objects (any version)."""
    dynamodb = boto3.client("dynamodb")
    photos = dynamodb.query(
        TableName=studio.env("StudioPhotosFunction")["PHOTOS_TABLE"],
        IndexName="UserTimestampIndex",
        KeyConditionExpression="userId = :u",
        ExpressionAttributeValues={":u": {"S": SUB}},
    )["Items"]
    sessions = dynamodb.query(
        TableName=studio.env("StudioDevicesFunction")["SESSIONS_TABLE"],
        KeyConditionExpression="userId = :u",
        ExpressionAttributeValues={":u": {"S": SUB}},
        ConsistentRead=True,
    )["Items"]
    objects = boto3.client("s3").list_object_versions(Bucket=studio.bucket)
    return {
        "photos": len(photos),
        "sessions": sorted(item["itemKey"]["S"] for item in sessions),
        "objects": sorted(v["Key"] for v in [*objects.get("Versions", []), *objects.get("DeleteMarkers", [])] if SUB in v["Key"]),
    }


def test_every_domain_erases_the_user_and_the_erasure_completes(journal, quests, studio, api_event, move_clock) -> None:
    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 60, 40)).save(picture, "JPEG")
    assert studio.upload(picture.getvalue())["status"] == "ready"
    assert studio.api("StudioDevicesFunction", "studio_devices_register", body={"platform": "android", "token": "fcm-" + "x1" * 80}).status == 201
    before = studio_left(studio)
    assert before["photos"] == 1 and before["objects"] and any(key.startswith("DEVICE#") for key in before["sessions"])
    for n in range(3):
        journal.write(f"Day {n} by the harbour.")
    goal = quests.api("quests_goal_create", body={"title": "Learn to swim"}, headers={"Idempotency-Key": "swim"}).body
    quests.plan_and_coach(goal)
    task = quests.goal(goal["goalId"])["milestones"][0]["tasks"][0]
    quests.api("quests_task_update", body={"status": "done"}, params={"taskId": task["taskId"]})
    journal.settle()
    assert all(partition(journal.deployment, variable) for variable in TABLES.values())
    bucket = journal.deployment.functions["EntriesFunction"].environment["JOURNAL_BUCKET"]
    assert boto3.client("s3").list_object_versions(Bucket=bucket).get("Versions")  # the search index
    late = journal.last_batch  # the points' last batch, to deliver again after the erasure

    started = journal.invoke("MeFunction", api_event("DELETE", "/me"))
    assert started.status == 202 and started.body["status"] == "erasing"
    journal.settle()
    assert erasure_of(journal, api_event).body["status"] == "erasing"  # the queues hold it 30 s

    move_clock(seconds=31)
    journal.settle()
    done = erasure_of(journal, api_event).body
    assert done["status"] == "erased" and done["completedAt"] >= done["requestedAt"]
    assert done["domains"] == {
        "career": "erased",
        "exports": "erased",
        "journal": "erased",
        "points": "erased",
        "quests": "erased",
        "studio": "erased",
    }
    assert studio_left(studio) == {"photos": 0, "sessions": ["ERASED"], "objects": []}
    assert all(done["erased"][domain] > 0 for domain in TABLES), done["erased"]
    for variable in TABLES.values():
        assert partition(journal.deployment, variable) == ["ERASED"]  # a tombstone, no data
    s3 = boto3.client("s3").list_object_versions(Bucket=bucket)
    assert not s3.get("Versions") and not s3.get("DeleteMarkers")

    # An event delivered after the erasure (a retry, a redriven DLQ) writes nothing back.
    assert journal.load_function("GamificationEventsFunction").lambda_handler(late, journal.context) == {"batchItemFailures": []}
    assert partition(journal.deployment, "GAMIFICATION_TABLE") == ["ERASED"]


def test_a_user_with_many_items_is_erased_a_page_at_a_time_in_as_many_invocations(journal, api_event, move_clock, monkeypatch) -> None:
    count, page = 2_400, 200
    table = journal.deployment.functions["QuestsFunction"].environment["QUESTS_TABLE"]
    client = boto3.client("dynamodb")
    for start in range(0, count, 25):
        client.batch_write_item(
            RequestItems={
                table: [{"PutRequest": {"Item": to_item({"pk": PARTITION, "sk": f"TASK#t{n:05d}", "title": "x"})}} for n in range(start, start + 25)]
            }
        )
    monkeypatch.setattr(erasure, "PAGE_ITEMS", page)
    invocations = []
    module = journal.load_function("QuestsAccountFunction")
    handler = module.lambda_handler
    monkeypatch.setattr(module, "lambda_handler", lambda event, context: invocations.append(len(event["Records"])) or handler(event, context))

    assert journal.invoke("MeFunction", api_event("DELETE", "/me")).status == 202
    journal.settle()  # UserDeleted reaches the queues, which hold it 30 s
    move_clock(seconds=31)
    journal.settle()
    done = erasure_of(journal, api_event).body
    assert done["status"] == "erased" and done["erased"]["quests"] == count, done
    # The test's Lambda context has 5 s left, within the eraser's margin: one page an invocation, the
    # rest sent on each time.
    assert len(invocations) == count // page and partition(journal.deployment, "QUESTS_TABLE") == ["ERASED"]


def test_an_erasure_message_delivered_again_erases_nothing_more_and_reports_nothing_twice(journal, api_event, move_clock) -> None:
    journal.write("One entry.")
    journal.settle()
    assert journal.invoke("MeFunction", api_event("DELETE", "/me")).status == 202
    journal.settle()
    move_clock(seconds=31)
    journal.drain("JournalAccountFunction", keep=True)
    first = erasure_of(journal, api_event).body
    assert journal.replay("JournalAccountFunction") == {"batchItemFailures": []}
    assert erasure_of(journal, api_event).body["erased"] == first["erased"]


def test_another_users_erasure_touches_nothing_of_this_user(journal, api_event, user_claims, move_clock) -> None:
    journal.write("Mine.")
    journal.settle()
    before = partition(journal.deployment, "JOURNAL_TABLE")
    assert journal.invoke("MeFunction", api_event("DELETE", "/me", claims=user_claims())).status == 202
    journal.settle()
    move_clock(seconds=31)
    journal.settle()
    assert partition(journal.deployment, "JOURNAL_TABLE") == before
    assert journal.api("EntriesFunction", "entries_list", query={}).status == 200


# -- large exports ----------------------------------------------------------------------------------------
def _many_tasks(journal: Any, count: int) -> None:
    table = journal.deployment.functions["QuestsFunction"].environment["QUESTS_TABLE"]
    client = boto3.client("dynamodb")
    for start in range(0, count, 25):
        client.batch_write_item(
            RequestItems={
                table: [
                    {"PutRequest": {"Item": to_item({"pk": PARTITION, "sk": f"TASK#t{n:05d}", "taskId": f"t{n:05d}", "title": "x"})}}
                    for n in range(start, min(count, start + 25))
                ]
            }
        )


def test_a_large_export_is_prepared_in_the_background_and_answered_as_a_link(journal, api_event, user_claims) -> None:
    _many_tasks(journal, 2_100)
    journal.write("And one entry.")
    asked = journal.invoke("MeFunction", api_event("GET", "/me/export"))
    assert asked.status == 202 and asked.body["status"] == "preparing"
    status_url = asked.body["statusUrl"]
    export_id = asked.body["exportId"]
    assert status_url == f"/me/exports/{export_id}"

    def status(claims: Any = None) -> Any:
        event = api_event("GET", status_url, **({"claims": claims} if claims else {}))
        event.update(resource="/me/exports/{exportId}", pathParameters={"exportId": export_id})
        return journal.invoke("MeFunction", event)

    assert status().body["status"] == "preparing" and "downloadUrl" not in status().body
    journal.settle()  # ExportRequested -> ExportQueue -> ExportFunction
    ready = status().body
    assert ready["status"] == "ready" and ready["bytes"] > 0 and "X-Amz-Signature" in ready["downloadUrl"] and ready["expiresAt"].endswith("Z")
    assert status(user_claims()).status == 404  # another user's export

    bucket = journal.deployment.functions["MeFunction"].environment["EXPORTS_BUCKET"]
    body = boto3.client("s3").get_object(Bucket=bucket, Key=f"exports/acme/{SUB}/{export_id}.json")["Body"].read()
    document = json.loads(body)
    assert len(document["data"]["quests"]["tasks"]) == 2_100 and len(document["data"]["journal"]["entries"]) == 1
    assert document["user"]["userId"] == SUB and document["data"]["exports"][0]["exportId"] == export_id


def test_a_users_exports_go_with_their_erasure(journal, api_event, move_clock) -> None:
    _many_tasks(journal, 2_100)
    assert journal.invoke("MeFunction", api_event("GET", "/me/export")).status == 202
    journal.settle()
    bucket = journal.deployment.functions["MeFunction"].environment["EXPORTS_BUCKET"]
    assert boto3.client("s3").list_object_versions(Bucket=bucket).get("Versions")
    assert journal.invoke("MeFunction", api_event("DELETE", "/me")).status == 202
    journal.settle()
    move_clock(seconds=31)
    journal.settle()
    done = erasure_of(journal, api_event).body
    assert done["status"] == "erased" and done["domains"]["exports"] == "erased" and done["erased"]["exports"] == 1
    assert not boto3.client("s3").list_object_versions(Bucket=bucket).get("Versions")


# -- the samples ------------------------------------------------------------------------------------------
ACCOUNT_SAMPLES = {
    "QuestsAccountFunction": "quests_account_batch",
    "JournalAccountFunction": "journal_account_batch",
    "PointsAccountFunction": "points_account_batch",
    "CareerAccountFunction": "career_account_batch",
    "ExportFunction": "export_batch",
}


@pytest.mark.parametrize("function", sorted(ACCOUNT_SAMPLES))
def test_every_account_sample_is_handled(deployment, load_function, lambda_context, sample, function) -> None:
    assert load_function(function).lambda_handler(sample(ACCOUNT_SAMPLES[function]), lambda_context) == {"batchItemFailures": []}


@pytest.mark.parametrize(("name", "status"), [("me_erasure", 404), ("me_export_status", 404)])
def test_the_me_samples_of_erasure_and_export_are_answered(invoke, sample, name, status) -> None:
    reply = invoke("MeFunction", sample(name))  # the sample user is not being erased and asked for no export
    assert reply.status == status and reply.body["error"]["code"] == "not_found"
