"""The studio's Photos table (PHOTOS_TABLE): one item per photo, uploads and try-on results alike.

Items (pk photoId):
  userId, tenantId, kind ("upload" | "tryon"), status ("pending" | "ready" | "rejected"), createdAt,
  updatedAt, version, contentType (as declared at upload), fileName?, favourite (bool)
  userTime     f"{createdAt}#{photoId}"                 UserTimestampIndex (pk userId): the gallery
  favouriteOf  the userId, only while a favourite       FavouritesIndex (sk favouritedAt): the favourites
  favouritedAt
  uploadKey (the raw upload's key), photoKey, thumbnailKeys {"256": key, "1024": key}, record (what the
  cleaning found and took out: images.CleanImage.record()), rejection {code, message}
  kind "tryon" also: sourcePhotoId, jobId, hairstyleId, color (written by the try-on workflow)

Access patterns:
  one photo                               GetItem photoId (the owner is checked on the item: another
                                          user's photo reads as none)
  the gallery, newest first               Query UserTimestampIndex userId=<u>, descending (one query)
  the favourites, newest favourite first  Query FavouritesIndex favouriteOf=<u>, descending (one query)
  the try-ons made from a photo           Query UserTimestampIndex userId=<u>, filtered on
                                          attribute_exists(sourcePhotoId), every page: the user's try-on
                                          graph, read once, for a deletion (rare; see ``derived``)
  pending -> ready | rejected             UpdateItem, conditional on status pending and the version read
                                          (a redelivered message finds it done and writes nothing)
  favourite on / off                      UpdateItem, conditional on the owner (and on it not being set
                                          already: a repeated PUT keeps its first favouritedAt)
  a photo and its try-ons deleted         BatchWriteItem of their keys, once their objects are gone
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from zik import clock, config
from zik.dynamo import Filter, Page, Table, to_item, update_or_old
from zik.errors import Conflict

USER_TIME_INDEX = "UserTimestampIndex"
FAVOURITES_INDEX = "FavouritesIndex"
PENDING, READY, REJECTED = "pending", "ready", "rejected"
# Set by a deletion before it erases the objects: a processing or a try-on that finishes meanwhile finds the
# photo no longer pending (or ready) and takes back what it wrote.
DELETING = "deleting"
STATUSES = (PENDING, READY, REJECTED, DELETING)
UPLOAD, TRYON = "upload", "tryon"


def user_time(created_at: str, photo_id: str) -> str:
    return f"{created_at}#{photo_id}"


class PhotoStore:
    def __init__(self, table: Table | None = None):
        self._table = table

    @property
    def table(self) -> Table:
        # Read on first use: a handler's module imports without its environment in a unit test.
        if self._table is None:
            self._table = Table(config.require("PHOTOS_TABLE")["PHOTOS_TABLE"], pk="photoId", sk=None)
        return self._table

    # -- reading -------------------------------------------------------------------------------------------
    def get(self, photo_id: str) -> dict[str, Any] | None:
        return self.table.get(photo_id)

    def owned(self, user_id: str, photo_id: str) -> dict[str, Any] | None:
        """The photo if ``user_id`` owns it; None for an unknown id and for another user's alike."""
        item = self.get(photo_id)
        return item if item is not None and item.get("userId") == user_id else None

    def gallery(self, user_id: str, *, limit: int, cursor: str | None) -> Page:
        return self.table.query_page(
            user_id, index=USER_TIME_INDEX, pk_name="userId", sk_name="userTime", newest_first=True, limit=limit, cursor=cursor
        )

    def favourites(self, user_id: str, *, limit: int, cursor: str | None) -> Page:
        return self.table.query_page(
            user_id, index=FAVOURITES_INDEX, pk_name="favouriteOf", sk_name="favouritedAt", newest_first=True, limit=limit, cursor=cursor
        )

    def derived(self, user_id: str, photo_id: str) -> list[dict[str, Any]]:
        """Every try-on made from the photo, and from those, and so on (a try-on of a try-on is derived too).

        The user's try-ons are read once (their items only: a filter on attribute_exists(sourcePhotoId)) and
        the graph is walked in memory. A SourcePhotoIndex would read only the photo's own children, but it
        costs a write to every try-on for the rare deletion, and a query per generation; the user's index is
        already there. (A read here is eventually consistent: a try-on finishing during the deletion is the
        workflow's to drop, as it finds its source gone.)"""
        children: dict[str, list[dict[str, Any]]] = {}
        has_source = Filter("attribute_exists(#source)", {"#source": "sourcePhotoId"}, {})
        for item in self.table.iterate(user_id, index=USER_TIME_INDEX, pk_name="userId", sk_name="userTime", where=has_source):
            children.setdefault(item["sourcePhotoId"], []).append(item)
        found: list[dict[str, Any]] = []
        seen = {photo_id}
        frontier = [photo_id]
        while frontier:
            for child in children.get(frontier.pop(), []):
                if child["photoId"] not in seen:
                    seen.add(child["photoId"])
                    found.append(child)
                    frontier.append(child["photoId"])
        return found

    # -- writing -------------------------------------------------------------------------------------------
    def create(self, item: Mapping[str, Any]) -> dict[str, Any]:
        """A new photo (version 1, userTime for the gallery); Conflict when its id is taken (a retried
        request whose id came from its Idempotency-Key)."""
        return self.table.create({**item, "userTime": user_time(item["createdAt"], item["photoId"])})

    def settle(self, photo_id: str, version: int, changes: Mapping[str, Any]) -> dict[str, Any] | None:
        """Move a pending photo to ready or rejected with ``changes``, if it is still pending at ``version``:
        the photo as written, or None when another delivery settled it first (nothing written)."""
        request = self.table.update_request(photo_id, None, changes, expected_version=version)
        request["ConditionExpression"] += " AND #status = :pending"
        request["ExpressionAttributeNames"]["#status"] = "status"
        request["ExpressionAttributeValues"].update(to_item({":pending": PENDING}))
        written, _ = update_or_old(self.table.client, request)
        return written

    def set_favourite(self, user_id: str, photo_id: str, favourite: bool) -> dict[str, Any] | None:
        """Mark the user's ready photo a favourite, or not: the photo as it is now (written or already so);
        None when it is not the user's. Conflict when it is not ready."""
        names = {"#owner": "userId", "#favourite": "favourite"}
        values: dict[str, Any] = {":owner": user_id, ":true": True}
        if favourite:
            changes: dict[str, Any] = {"favourite": True, "favouriteOf": user_id, "favouritedAt": clock.now_iso()}
            # Only a change is written: a repeated PUT keeps its first favouritedAt, and the version stays.
            condition = "#status = :ready AND (attribute_not_exists(#favourite) OR #favourite <> :true)"
            names["#status"] = "status"
            values[":ready"] = READY
        else:
            changes = {"favourite": False, "favouriteOf": None, "favouritedAt": None}
            condition = "#favourite = :true"
        request = self.table.update_request(photo_id, None, changes)
        request["ExpressionAttributeNames"].update(names)
        request["ExpressionAttributeValues"].update(to_item(values))
        request["ConditionExpression"] += f" AND #owner = :owner AND {condition}"
        written, old = update_or_old(self.table.client, request)
        if written is not None:
            return written
        if old is None or old.get("userId") != user_id:
            return None
        if favourite and old.get("status") != READY:
            raise Conflict(f"the photo is {old.get('status')}: only a ready photo can be a favourite", field="photoId")
        return old  # already as asked

    def mark_deleting(self, photo_ids: Iterable[str]) -> None:
        for photo_id in photo_ids:
            try:
                self.table.client.update_item(
                    TableName=self.table.name,
                    Key=to_item({"photoId": photo_id}),
                    UpdateExpression="SET #status = :deleting",
                    ConditionExpression="attribute_exists(photoId)",
                    ExpressionAttributeNames={"#status": "status"},
                    ExpressionAttributeValues=to_item({":deleting": DELETING}),
                )
            except self.table.client.exceptions.ConditionalCheckFailedException:
                pass  # gone already

    def delete(self, photo_ids: Iterable[str]) -> int:
        return self.table.delete_keys([{"photoId": photo_id} for photo_id in photo_ids])
