"""The hairstyle library in DynamoDB (the seed's HairstyleLibrary table) and its previews in the studio
bucket, as the deployment loads them (HairstyleLibraryFunction) and the API reads them.

Items (pk hairstyleId): the style as hairstyles.json has it (name, category, length, texture, description,
tags, defaultColor, colors, edit), plus
  shelf "HAIRSTYLES" and styleKey <category>#<length>#<hairstyleId>   LibraryIndex: the whole library in order
  category and styleKey                                               CategoryIndex (the seed's category-index)
  previewKey static-assets/hairstyles/<hairstyleId>.png, libraryVersion

Access patterns (template.yaml, HairstyleLibraryTable):
  the library, optionally of one length          Query LibraryIndex shelf=HAIRSTYLES (one query, 53 styles)
  a category, optionally of one length           Query CategoryIndex category=<c>, begins_with(styleKey, <c>#<length>#)
  one style                                      GetItem hairstyleId
  the loader's stale styles (deployment only)    Query LibraryIndex, every page
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from zik import config
from zik.dynamo import Filter, Page, Table, to_item
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
    def put_all(self, styles: list[Mapping[str, Any]], version: str) -> None:
        for start in range(0, len(styles), 25):
            requests = [{"PutRequest": {"Item": to_item(library_item(style, version))}} for style in styles[start : start + 25]]
            pending: dict[str, Any] = {self.table.name: requests}
            while pending:
                pending = self.table.client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}

    def shelf(self) -> Iterator[dict[str, Any]]:
        return self.table.iterate(SHELF, index=LIBRARY_INDEX, pk_name="shelf", sk_name="styleKey")

    def remove_stale(self, current: set[str]) -> int:
        stale = [{"hairstyleId": item["hairstyleId"]} for item in self.shelf() if item["hairstyleId"] not in current]
        return self.table.delete_keys(stale)

    # -- the API ---------------------------------------------------------------------------------------------
    def page(self, *, category: str | None, length: str | None, limit: int, cursor: str | None) -> Page:
        """Styles in library order (category, length, id): of one category through its index, else the whole
        shelf; a length narrows either by the sort key's prefix (one query)."""
        if category:
            return self.table.query_page(
                category, index=CATEGORY_INDEX, pk_name="category", sk_name="styleKey",
                sk_prefix=f"{category}#{length}#" if length else None, limit=limit, cursor=cursor,
            )
        if length:
            # The shelf is ordered by category first: a length alone filters the one query's page.
            return self.table.query_page(
                SHELF, index=LIBRARY_INDEX, pk_name="shelf", sk_name="styleKey", limit=limit, cursor=cursor,
                where=_length_is(length),
            )
        return self.table.query_page(SHELF, index=LIBRARY_INDEX, pk_name="shelf", sk_name="styleKey", limit=limit, cursor=cursor)

    def get(self, hairstyle_id: str) -> dict[str, Any] | None:
        return self.table.get(hairstyle_id, consistent=False)


def _length_is(length: str) -> Filter:
    return Filter("#length = :length", {"#length": "length"}, {":length": length})
