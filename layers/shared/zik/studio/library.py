"""The hairstyle library as the API answers it: the table's styles with a link to each preview. The filters
are checked against the library's own words (an unknown category is a 400 naming it, not an empty list)."""

from __future__ import annotations

from typing import Any

from zik import config
from zik.buckets import s3_client
from zik.studio import hairstyles
from zik.studio.library_store import HairstyleLibrary, public

PREVIEW_LINK_SECONDS = 3600


class Hairstyles:
    def __init__(self, store: HairstyleLibrary | None = None, bucket: str | None = None):
        self.store = store or HairstyleLibrary()
        self.bucket = bucket or config.require("STUDIO_BUCKET")["STUDIO_BUCKET"]

    def list(self, *, category: str | None, length: str | None, limit: int, cursor: str | None, include_hidden: bool = False) -> dict[str, Any]:
        """A page of the library; the styles an admin hid only with ``include_hidden`` (an admin's view)."""
        hairstyles.check_filters(category=category, length=length)
        page = self.store.page(category=category, length=length, limit=limit, cursor=cursor, include_hidden=include_hidden)
        return {"items": [self._view(item) for item in page.items], "nextCursor": page.next_cursor}

    def get(self, hairstyle_id: str, *, include_hidden: bool = False) -> dict[str, Any]:
        """One style; a hidden one is, to a user, a style there is not (404)."""
        item = self.store.get(hairstyle_id)
        if item is None or (item.get("hidden") and not include_hidden):
            raise _not_found(hairstyle_id)
        return self._view(item)

    def set_hidden(self, hairstyle_id: str, hidden: bool) -> dict[str, Any]:
        """Hide a style from users' library (or show it again): the style as an admin now sees it."""
        item = self.store.set_hidden(hairstyle_id, hidden)
        if item is None:
            raise _not_found(hairstyle_id)
        return {**self._view(item), "hidden": bool(item.get("hidden"))}

    def _view(self, item: dict[str, Any]) -> dict[str, Any]:
        # Signed locally (no network): in AWS the studio's CloudFront distribution will sign these instead.
        url = s3_client().generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": item["previewKey"]}, ExpiresIn=PREVIEW_LINK_SECONDS
        )
        return {**public(item), "previewUrl": url}


def _not_found(hairstyle_id: str) -> hairstyles.HairstyleNotFound:
    return hairstyles.HairstyleNotFound(f"no hairstyle {hairstyle_id!r} in the library", field="hairstyleId")
