"""What the career's erasure deletes, against the stack template.yaml declares (in moto): CareerAccountFunction
given UserDeleted (the events/career_account_batch.json sample, aimed at the user) leaves nothing of the user in
CareerTable (their partition and the forwarding address's global MAILBOX#<token> item) nor in ResumesBucket
(every version and delete marker under their prefixes), and nothing of another user goes with it."""

from __future__ import annotations

import base64
import json
from typing import Any

import boto3
import pytest

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")

SUB = "8f1c2a7e-4b3d-4c9a-9e61-2d5b7f0a1c34"  # the user of the sample events
OTHER_SUB = "0b5e2f1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
OTHER = {"sub": OTHER_SUB, "cognito:username": OTHER_SUB, "custom:tenant_id": "acme"}
APPLICATIONS = "ApplicationsFunction"

RESUME = "\n".join(
    [
        "Ada Lovelace",
        "London, UK | ada@example.com | +44 20 7946 0958",
        "",
        "SUMMARY",
        "Data Engineer with 6 years of experience building reliable pipelines in Python, SQL and AWS.",
        "",
        "EXPERIENCE",
        "Senior Data Engineer, Analytical Engines Ltd",
        "Mar 2022 - Present",
        "- Led the migration of 40 batch jobs to Airflow, cutting failed runs by 65%",
        "",
        "EDUCATION",
        "BSc Mathematics, University of London, 2016 - 2019",
        "",
        "SKILLS",
        "Python, SQL, Spark, Airflow, AWS, Docker, Terraform, PostgreSQL",
    ]
)


def partition(sub: str) -> str:
    return f"TENANT#acme#USER#{sub}"


def prefixes(sub: str) -> tuple[str, str]:
    return f"resumes/acme/{sub}/", f"uploads/acme/{sub}/"


def table(career) -> str:
    return career.env("ResumeFunction")["CAREER_TABLE"]


def bucket(career) -> str:
    return career.env("ResumeFunction")["RESUMES_BUCKET"]


def sort_keys(career, pk: str) -> list[str]:
    items = boto3.client("dynamodb").query(
        TableName=table(career), KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": {"S": pk}}, ConsistentRead=True
    )["Items"]
    return sorted(item["sk"]["S"] for item in items)


def versions(career, sub: str) -> list[tuple[str, str]]:
    """Every version and delete marker under the user's prefixes, as (key, version id)."""
    found = []
    for prefix in prefixes(sub):
        answer = boto3.client("s3").list_object_versions(Bucket=bucket(career), Prefix=prefix)
        found += [(v["Key"], v["VersionId"]) for v in [*answer.get("Versions", []), *answer.get("DeleteMarkers", [])]]
    return sorted(found)


def career_data(career, claims: dict[str, Any] | None) -> str:
    """A user's career data through the API: a resume analysed, then given a second version and a delete
    marker; a file uploaded that the bucket's event has not analysed yet; an application; the forwarding
    address. Returns the address's token."""
    sub = (claims or {}).get("sub", SUB)
    analysed = career.api(
        "ResumeFunction",
        "career_resume_analyze",
        body={"fileName": "ada.txt", "content": base64.b64encode(RESUME.encode()).decode()},
        claims=claims,
    )
    assert analysed.status == 201, analysed.body
    [key] = [k for k, _ in versions(career, sub)]
    s3 = boto3.client("s3")
    s3.put_object(Bucket=bucket(career), Key=key, Body=b"an older draft")  # a second version of the original
    s3.delete_object(Bucket=bucket(career), Key=key)  # and a delete marker over both
    s3.put_object(Bucket=bucket(career), Key=f"{prefixes(sub)[1]}pending.pdf", Body=b"%PDF-1.7 not analysed yet")
    created = career.api(APPLICATIONS, "career_applications_create", body={"company": "Acme Corp", "role": "Data Engineer"}, claims=claims)
    assert created.status == 201, created.body
    address = career.api(APPLICATIONS, "career_applications_email_address", claims=claims)
    assert address.status == 200, address.body
    token = address.body["address"].split("@", 1)[0].split("+", 1)[1]
    assert sort_keys(career, f"MAILBOX#{token}") == ["MAILBOX"]
    return token


def user_deleted(career, sub: str) -> dict[str, Any]:
    """The sample batch, its UserDeleted aimed at ``sub`` of tenant acme."""
    event = career.sample("career_account_batch")
    body = json.loads(event["Records"][0]["body"])
    assert body["detail-type"] == "UserDeleted" and "career" in body["detail"]["domains"]
    body["detail"].update(tenantId="acme", userId=sub)
    event["Records"][0]["body"] = json.dumps(body)
    return event


def test_the_career_erasure_leaves_nothing_of_the_user_and_everything_of_another(career) -> None:
    token = career_data(career, None)
    other_token = career_data(career, OTHER)
    mine = sort_keys(career, partition(SUB))
    assert any(sk.startswith("RESUME#") for sk in mine) and any(sk.startswith("APP#") for sk in mine) and "MAILBOX" in mine
    assert len(versions(career, SUB)) == 4  # the analysed original, its second version, the delete marker, the upload
    theirs = (sort_keys(career, partition(OTHER_SUB)), sort_keys(career, f"MAILBOX#{other_token}"), versions(career, OTHER_SUB))

    answer = career.step("CareerAccountFunction", user_deleted(career, SUB))

    assert answer == {"batchItemFailures": []}
    assert sort_keys(career, partition(SUB)) == ["ERASED"]  # the tombstone late writers check, no data
    assert sort_keys(career, f"MAILBOX#{token}") == []
    assert versions(career, SUB) == []
    assert (sort_keys(career, partition(OTHER_SUB)), sort_keys(career, f"MAILBOX#{other_token}"), versions(career, OTHER_SUB)) == theirs

    # Delivered again (SQS is at least once), it finds nothing more to erase and fails nothing.
    assert career.step("CareerAccountFunction", user_deleted(career, SUB)) == {"batchItemFailures": []}
    assert sort_keys(career, partition(SUB)) == ["ERASED"] and versions(career, SUB) == []
