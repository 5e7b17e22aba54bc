"""S3, as every domain uses it: one client per execution environment, and the erasure of every version of
a user's objects (the buckets are versioned, so a plain delete would only hide them)."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config


@cache
def s3_client() -> Any:
    # SigV4: the buckets' objects are KMS-encrypted, and S3 refuses a presigned SigV2 link to those.
    return boto3.client("s3", config=Config(signature_version="s3v4"))


def erase_versions(bucket: str, prefix: str, *, only: str | None = None) -> int:
    """Delete every version (and delete marker) of the objects under ``prefix`` (of the one key ``only``,
    when given: another user's key may start with this one's); returns how many went."""
    client = s3_client()
    removed = 0
    for page in client.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix):
        doomed = [
            {"Key": version["Key"], "VersionId": version["VersionId"]}
            for version in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
            if only is None or version["Key"] == only
        ]
        # A page lists at most 1,000 versions: one DeleteObjects call, not one call a version.
        for start in range(0, len(doomed), 1000):
            answer = client.delete_objects(Bucket=bucket, Delete={"Objects": doomed[start : start + 1000], "Quiet": True})
            errors = answer.get("Errors") or []
            if errors:
                first = errors[0]
                raise RuntimeError(f"S3 kept {len(errors)} version(s) under {prefix!r}: {first.get('Code')} on {first.get('Key')}")
            removed += len(doomed[start : start + 1000])
    return removed
