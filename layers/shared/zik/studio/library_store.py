"""The hairstyle library in DynamoDB (the seed's HairstyleLibrary table) and its previews in the studio
bucket, as the deployment loads them (HairstyleLibraryFunction) and the API reads them.

Items (pk hairstyleId): the style as hairstyles.json has it (name, category, length, texture, description,
tags, defaultColor, colors, edit), plus
  shelf "HAIRSTYLES" and styleKey <category>#<length>#<hairstyleId>   LibraryIndex: the whole library in order
  category and styleKey                                               CategoryIndex (the seed's category-index)
  previewKey static-assets/hairstyles/<hairstyleId>.png, libraryVersion
  hidden true                                                         an admin hid it (PUT /studio/hairstyles/{id});
                                                                      absent when shown; a new library keeps it

Access patterns (template.yaml, HairstyleLibraryTable):
  the library, optionally of one length          Query LibraryIndex shelf=HAIRSTYLES (one query, 53 styles)
  a category, optionally of one length           Query CategoryIndex category=<c>, begins_with(styleKey, <c>#<length>#)
  one style                                      GetItem hairstyleId
  the library as users see it                    either query, filtered on attribute_not_exists(hidden)
  hide or show a style (admins)                  UpdateItem hairstyleId SET / REMOVE hidden, if the style exists
  the loader's stale styles (deployment only)    Query LibraryIndex, every page (which also keeps what is hidden)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from zik import config
from zik.dynamo import Filter, Page, Table, from_item, to_item
from zik.studio import hairstyles

SHELF = "HAIRSTYLES"
LIBRARY_INDEX = "LibraryIndex"
CATEGORY_INDEX = "CategoryIndex"
ASSETS_PREFIX = "static-assets/"
_HIDDEN = ("shelf", "styleKey", "libraryVersion", "previewKey")


def style_key(style: Mapping[str, Any]) -> str:
    return f"{style['category']}#{style['length']}#{style['id']}"


def preview_object_key(style: Mapping[str, Any]) -> str:
    return ASSETS_PREFIX + hairstyles.preview_key(dict(style))


def library_item(style: Mapping[str, Any], version: str) -> dict[str, Any]:
    item = {key: value for key, value in style.items() if key != "id"}
    return {
        **item,
        "hairstyleId": style["id"],
        "shelf": SHELF,
        "styleKey": style_key(style),
        "previewKey": preview_object_key(style),
        "libraryVersion": version,
    }


def public(item: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in item.items() if key not in _HIDDEN}


class HairstyleLibrary:
    def __init__(self, table: Table | None = None):
        self.table = table or Table(config.require("HAIRSTYLES_TABLE")["HAIRSTYLES_TABLE"], pk="hairstyleId", sk=None)

    # -- the deployment's loader -----------------------------------------------------------------------------
    def put_all(self, styles: Sequence[Mapping[str, Any]], version: str) -> None:
        """Write every style of the library (a style an admin hid stays hidden)."""
        hidden = {item["hairstyleId"] for item in self.shelf() if item.get("hidden")}
        items = [{**library_item(style, version), **({"hidden": True} if style["id"] in hidden else {})} for style in styles]
        for start in range(0, len(items), 25):
            requests = [{"PutRequest": {"Item": to_item(item)}} for item in items[start : start + 25]]
            pending: dict[str, Any] = {self.table.name: requests}
            while pending:
                pending = self.table.client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}

    def shelf(self) -> Iterator[dict[str, Any]]:
        return self.table.iterate(SHELF, index=LIBRARY_INDEX, pk_name="shelf", sk_name="styleKey")

    def remove_stale(self, current: set[str]) -> int:
        stale = [{"hairstyleId": item["hairstyleId"]} for item in self.shelf() if item["hairstyleId"] not in current]
        return self.table.delete_keys(stale)

    # -- the API ---------------------------------------------------------------------------------------------
    def page(self, *, category: str | None, length: str | None, limit: int, cursor: str | None, include_hidden: bool = False) -> Page:
        """Styles in library order (category, length, id): of one category through its index, else the whole
        shelf; a length narrows either by the sort key's prefix (one query). Hidden styles only with
        ``include_hidden`` (an admin's view)."""
        shown = None if include_hidden else _SHOWN
        if category:
            return self.table.query_page(
                category,
                index=CATEGORY_INDEX,
                pk_name="category",
                sk_name="styleKey",
                sk_prefix=f"{category}#{length}#" if length else None,
                limit=limit,
                cursor=cursor,
                where=shown,
            )
        if length:
            # The shelf is ordered by category first: a length alone filters the one query's page.
            return self.table.query_page(
                SHELF,
                index=LIBRARY_INDEX,
                pk_name="shelf",
                sk_name="styleKey",
                limit=limit,
                cursor=cursor,
                where=Filter.all_of(_length_is(length), shown),
            )
        return self.table.query_page(SHELF, index=LIBRARY_INDEX, pk_name="shelf", sk_name="styleKey", limit=limit, cursor=cursor, where=shown)

    def get(self, hairstyle_id: str) -> dict[str, Any] | None:
        return self.table.get(hairstyle_id, consistent=False)

    def set_hidden(self, hairstyle_id: str, hidden: bool) -> dict[str, Any] | None:
        """Hide the style from users (or show it again); the style as it is now, None when there is none."""
        client = self.table.client
        try:
            answer = client.update_item(
                TableName=self.table.name,
                Key=self.table.key(hairstyle_id),
                UpdateExpression="SET #hidden = :true" if hidden else "REMOVE #hidden",
                ConditionExpression="attribute_exists(#id)",
                ExpressionAttributeNames={"#hidden": "hidden", "#id": self.table.pk},
                **({"ExpressionAttributeValues": {":true": {"BOOL": True}}} if hidden else {}),
                ReturnValues="ALL_NEW",
            )
        except client.exceptions.ConditionalCheckFailedException:
            return None
        return from_item(answer["Attributes"])


_SHOWN = Filter("attribute_not_exists(#hidden)", {"#hidden": "hidden"}, {})


def _length_is(length: str) -> Filter:
    return Filter("#length = :length", {"#length": "length"}, {":length": length})
