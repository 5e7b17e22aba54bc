"""The deployment's loader of the hairstyle library (a CloudFormation custom resource): on create and update
it writes every style of the library shipped in the layer into the HairstyleLibrary table, puts each
style's preview (drawn from its shape) under static-assets/ in the studio bucket, and removes the styles a
newer library no longer has; deleting the resource leaves the table and the assets to their own fate."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from zik.buckets import s3_client
from zik.dynamo import Table
from zik.observability import instrument, logger
from zik.platform.custom_resource import handle
from zik.studio import hairstyles
from zik.studio.library_store import HairstyleLibrary, preview_object_key


def load(request_type: str, properties: Mapping[str, Any], old: Mapping[str, Any]) -> dict[str, Any]:
    if request_type == "Delete":
        return {}
    library = HairstyleLibrary(Table(properties["TableName"], pk="hairstyleId", sk=None))
    styles = hairstyles.load()
    version = hashlib.sha256(hairstyles.LIBRARY.read_bytes()).hexdigest()[:12]
    s3 = s3_client()
    for style in styles:
        s3.put_object(
            Bucket=properties["BucketName"],
            Key=preview_object_key(style),
            Body=hairstyles.preview_asset(style),
            ContentType=hairstyles.PREVIEW_CONTENT_TYPE,
            CacheControl="public, max-age=86400",
        )
    library.put_all(styles, version)
    removed = library.remove_stale({style["id"] for style in styles})
    logger.info("hairstyle library loaded", extra={"hairstyles": len(styles), "removed": removed, "version": version})
    return {"Hairstyles": len(styles), "LibraryVersion": version}


@instrument()
def lambda_handler(event: dict, context: object) -> dict:
    return handle(event, load, physical_id=f"hairstyle-library-{event.get('ResourceProperties', {}).get('TableName', 'table')}")
