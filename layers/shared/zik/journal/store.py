"""Journal data in DynamoDB (JournalTable): entries with their insights, settings, categories, the daily
prompt and the prompts used, and the pointer to the search index, all in the owner's partition.

Items (pk = TENANT#<t>#USER#<u> for all of them):
  entry          sk ENTRY#<entryId>                 gsi1pk <pk>#ENTRIES   gsi1sk <entryDate>#<createdAt>#<entryId>
  insight        sk ENTRY#<entryId>#INSIGHT         gsi1pk <pk>#INSIGHTS  gsi1sk <entryDate>#<entryId>
  settings       sk SETTINGS
  category       sk CATEGORY#<categoryId>
  category name  sk CATEGORYNAME#<folded name>      (uniqueness of names, written with the category)
  daily prompt   sk DAILYPROMPT#<date>              (the first pick of the day wins; expires)
  prompt used    sk PROMPTUSED#<createdAt>#<promptId>
  search index   sk SEARCHINDEX                     (where the index document is, and its revision)

Access patterns (template.yaml, JournalTable):
  an entry with its insight                 Query pk, begins_with(sk, ENTRY#<entryId>)          one query
  entries newest first, from/to by day      Query ByDate <pk>#ENTRIES, gsi1sk BETWEEN, descending
    (category and tag filter the page)
  analytics over entries                    the same index: its projection holds what analytics reads
  mood: insights by day                     Query ByDate <pk>#INSIGHTS, gsi1sk BETWEEN
  settings, the daily prompt, the index     GetItem
  categories                                Query pk, begins_with(sk, CATEGORY#)
  prompts used recently                     Query pk, begins_with(sk, PROMPTUSED#), descending
  export / erase with the user              Query / delete the partition
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from botocore.exceptions import ClientError

from zik import config
from zik.clock import now_iso
from zik.dynamo import Filter, Page, Table, TransactionFailed, from_item, to_item, transact
from zik.errors import Conflict, InvalidRequest, NotFound, VersionConflict
from zik.principal import Principal

DELETE_ATTEMPTS = 3  # reads and conditional deletes of an entry being changed meanwhile

BY_DATE = "ByDate"
SETTINGS = "SETTINGS"
SEARCH_INDEX = "SEARCHINDEX"
DAILY_PROMPT_DAYS = 3
_UNKNOWN_REFERENCE = {
    "categoryId": "categoryId names no category of yours (GET /settings/categories lists them)",
    "defaultCategoryId": "defaultCategoryId names no category of yours (GET /settings/categories lists them)",
    "promptId": "promptId names no prompt of the library (GET /prompts lists them)",
}
_HIDDEN = ("pk", "sk", "gsi1pk", "gsi1sk", "contentHash", "expiresAt", "insightRequestedAt")


def public(item: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if item is None:
        return None
    return {key: value for key, value in item.items() if key not in _HIDDEN}


def entry_sk(entry_id: str) -> str:
    return f"ENTRY#{entry_id}"


def insight_sk(entry_id: str) -> str:
    return f"ENTRY#{entry_id}#INSIGHT"


def category_sk(category_id: str) -> str:
    return f"CATEGORY#{category_id}"


def category_name_sk(folded_name: str) -> str:
    return f"CATEGORYNAME#{folded_name}"


class JournalStore:
    def __init__(self, table: Table | None = None, prompts_table: str | None = None):
        self.table = table or Table(config.require("JOURNAL_TABLE")["JOURNAL_TABLE"])
        self.prompts_table = prompts_table if prompts_table is not None else config.optional("PROMPTS_TABLE", "")

    @property
    def client(self) -> Any:
        return self.table.client

    def _key(self, owner: Principal, sk: str) -> dict[str, Any]:
        return to_item({"pk": owner.partition, "sk": sk})

    # -- entries --------------------------------------------------------------------------------------
    def create_entry(self, owner: Principal, entry: Mapping[str, Any]) -> dict[str, Any]:
        """Write a new entry (version 1). Its category must be one of the user's and its prompt one of
        the library's: both are checked in the same transaction, so a refused entry leaves nothing."""
        stamp = entry["createdAt"]
        item = self.entry_item(owner, entry)
        writes: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self.table.name,
                    "Item": to_item(item),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
        ]
        checks = self._reference_checks(owner, entry.get("categoryId"), entry.get("promptId"))
        writes.extend(check for _, check in checks)
        if entry.get("promptId"):
            used = {
                "pk": owner.partition,
                "sk": f"PROMPTUSED#{stamp}#{entry['promptId']}",
                "promptId": entry["promptId"],
                "entryId": entry["entryId"],
                "usedAt": stamp,
            }
            writes.append({"Put": {"TableName": self.table.name, "Item": to_item(used)}})
        try:
            transact(self.client, writes)
        except TransactionFailed as failure:
            self._raise_reference_error(failure, checks, offset=1)
            raise Conflict("an entry with this id already exists") from None
        return item

    @staticmethod
    def entry_item(owner: Principal, entry: Mapping[str, Any]) -> dict[str, Any]:
        """The stored item of a new entry (version 1)."""
        return {
            **entry,
            "pk": owner.partition,
            "sk": entry_sk(entry["entryId"]),
            "gsi1pk": f"{owner.partition}#ENTRIES",
            "gsi1sk": f"{entry['entryDate']}#{entry['createdAt']}#{entry['entryId']}",
            "updatedAt": entry["createdAt"],
            "version": 1,
        }

    def _reference_checks(
        self, owner: Principal, category_id: str | None, prompt_id: str | None, *, category_field: str = "categoryId"
    ) -> list[tuple[str, dict[str, Any]]]:
        checks: list[tuple[str, dict[str, Any]]] = []
        if category_id:
            checks.append(
                (
                    category_field,
                    {
                        "ConditionCheck": {
                            "TableName": self.table.name,
                            "Key": self._key(owner, category_sk(category_id)),
                            "ConditionExpression": "attribute_exists(pk)",
                        }
                    },
                )
            )
        if prompt_id:
            if not self.prompts_table:
                raise InvalidRequest("prompts are not available here", field="promptId")
            checks.append(
                (
                    "promptId",
                    {
                        "ConditionCheck": {
                            "TableName": self.prompts_table,
                            "Key": to_item({"promptId": prompt_id}),
                            "ConditionExpression": "attribute_exists(promptId)",
                        }
                    },
                )
            )
        return checks

    @staticmethod
    def _raise_reference_error(failure: TransactionFailed, checks: list[tuple[str, dict[str, Any]]], *, offset: int) -> None:
        for index, (field, _) in enumerate(checks):
            if failure.failed(offset + index):
                raise InvalidRequest(_UNKNOWN_REFERENCE[field], field=field) from None

    def entry_with_insight(self, owner: Principal, entry_id: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """The entry and its insight, from one query."""
        answer = self.client.query(
            TableName=self.table.name,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :entry)",
            ExpressionAttributeValues=to_item({":pk": owner.partition, ":entry": entry_sk(entry_id)}),
            ConsistentRead=True,
        )
        items = {item["sk"]: item for item in map(from_item, answer.get("Items", []))}
        entry = items.get(entry_sk(entry_id))
        if entry is None:
            raise NotFound(f"no entry {entry_id}", field="id")
        return entry, items.get(insight_sk(entry_id))

    def entry(self, owner: Principal, entry_id: str) -> dict[str, Any] | None:
        return self.table.get(owner.partition, entry_sk(entry_id))

    def entries_by_id(self, owner: Principal, entry_ids: list[str]) -> dict[str, dict[str, Any]]:
        """Several entries by id (BatchGetItem, 100 a call), keyed by id; missing ones are absent."""
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(entry_ids), 100):
            keys = [self._key(owner, entry_sk(entry_id)) for entry_id in dict.fromkeys(entry_ids[start : start + 100])]
            request: dict[str, Any] = {self.table.name: {"Keys": keys, "ConsistentRead": True}}
            while request:
                answer = self.client.batch_get_item(RequestItems=request)
                for item in answer.get("Responses", {}).get(self.table.name, []):
                    entry = from_item(item)
                    found[entry["entryId"]] = entry
                request = answer.get("UnprocessedKeys") or {}
        return found

    def update_entry(self, owner: Principal, entry_id: str, changes: Mapping[str, Any], *, expected_version: int) -> dict[str, Any]:
        """Change an entry (a value of None removes the field) if the stored version is still
        ``expected_version`` (else VersionConflict); a new category is checked in the same transaction
        (which answers nothing: the entry is read again then)."""
        checks = self._reference_checks(owner, changes.get("categoryId"), None)
        if not checks:  # nothing else to check: one UpdateItem, which answers the entry as changed
            try:
                return self.table.update(owner.partition, entry_sk(entry_id), changes, expected_version=expected_version)
            except NotFound:
                raise NotFound(f"no entry {entry_id}", field="id") from None
        update = self.table.update_request(owner.partition, entry_sk(entry_id), changes, expected_version=expected_version)
        try:
            transact(self.client, [{"Update": update}, *(check for _, check in checks)])
        except TransactionFailed as failure:
            self._raise_reference_error(failure, checks, offset=1)
            current = self.entry(owner, entry_id)
            if current is None:
                raise NotFound(f"no entry {entry_id}", field="id") from None
            raise VersionConflict(expected_version, current.get("version")) from None
        updated = self.entry(owner, entry_id)
        if updated is None:  # deleted between the two calls
            raise NotFound(f"no entry {entry_id}", field="id")
        return updated

    def delete_entry(self, owner: Principal, entry_id: str) -> dict[str, Any]:
        """Delete an entry with its insight, in one transaction (an insight never outlives its entry, even
        in the mood analytics); returns the entry as it was. The entry is read first, and the delete
        holds only at the version read."""
        key = self._key(owner, entry_sk(entry_id))
        for _ in range(DELETE_ATTEMPTS):
            entry = self.entry(owner, entry_id)
            if entry is None:
                raise NotFound(f"no entry {entry_id}", field="id")
            unchanged = {
                "ConditionExpression": "#version = :version",
                "ExpressionAttributeNames": {"#version": "version"},
                "ExpressionAttributeValues": to_item({":version": entry["version"]}),
            }
            try:
                transact(
                    self.client,
                    [
                        {"Delete": {"TableName": self.table.name, "Key": key, **unchanged}},
                        {"Delete": {"TableName": self.table.name, "Key": self._key(owner, insight_sk(entry_id))}},
                    ],
                )
            except TransactionFailed as failed:
                if failed.failed(0):
                    continue  # changed (or deleted) since it was read: read it again
                raise
            return entry
        raise Conflict(f"entry {entry_id} kept changing while it was deleted; try again", field="id")

    def entries_page(
        self,
        owner: Principal,
        *,
        start: str | None,
        end: str | None,
        where: Filter | None = None,
        limit: int,
        cursor: str | None,
    ) -> Page:
        """A page of the user's entries by day, newest first (the index's projection: no full content)."""
        return self.table.query_page(
            f"{owner.partition}#ENTRIES", **self._by_date(start, end), where=where, limit=limit, cursor=cursor, newest_first=True
        )

    def all_entries(self, owner: Principal, *, start: str | None = None, end: str | None = None) -> Iterator[dict[str, Any]]:
        """Every entry (projected for analytics) between two days, oldest first."""
        return self.table.iterate(f"{owner.partition}#ENTRIES", **self._by_date(start, end))

    def insights_between(self, owner: Principal, start: str, end: str) -> Iterator[dict[str, Any]]:
        return self.table.iterate(f"{owner.partition}#INSIGHTS", **self._by_date(start, end))

    @staticmethod
    def _by_date(start: str | None, end: str | None) -> dict[str, Any]:
        """The ByDate index between two days (both included; the keys go on past the day with #...)."""
        return {"index": BY_DATE, "pk_name": "gsi1pk", "sk_name": "gsi1sk", "sk_between": (start or "0000", (end or "9999") + "~")}

    def request_insight(self, owner: Principal, entry_id: str) -> None:
        """Write the request for a fresh insight on the entry (its version does not move)."""
        try:
            self.client.update_item(
                TableName=self.table.name,
                Key=self._key(owner, entry_sk(entry_id)),
                UpdateExpression="SET insightRequestedAt = :at",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues=to_item({":at": now_iso()}),
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise NotFound(f"no entry {entry_id}", field="id") from None
            raise

    # -- insights -------------------------------------------------------------------------------------
    def save_insight(self, owner: Principal, entry: Mapping[str, Any], insight: Mapping[str, Any]) -> bool:
        """Store the insight of the entry at the version it was made from, and its sentiment on the entry
        (for lists). False, and nothing written, when the entry changed or went meanwhile: the change's
        own event brings the insight of the new text."""
        stamp = now_iso()
        entry_id = entry["entryId"]
        item = {
            "pk": owner.partition,
            "sk": insight_sk(entry_id),
            "gsi1pk": f"{owner.partition}#INSIGHTS",
            "gsi1sk": f"{entry['entryDate']}#{entry_id}",
            "entryId": entry_id,
            "entryVersion": entry["version"],
            "contentHash": entry.get("contentHash"),
            "entryDate": entry["entryDate"],
            "mood": entry.get("mood"),
            **insight,
            "createdAt": stamp,
        }
        writes = [
            {
                "Update": {
                    "TableName": self.table.name,
                    "Key": self._key(owner, entry_sk(entry_id)),
                    "UpdateExpression": "SET sentimentScore = :score, sentimentLabel = :label, insightAt = :at",
                    "ConditionExpression": "#version = :version",
                    "ExpressionAttributeNames": {"#version": "version"},
                    "ExpressionAttributeValues": to_item(
                        {":score": insight["sentiment"]["score"], ":label": insight["sentiment"]["label"], ":at": stamp, ":version": entry["version"]}
                    ),
                }
            },
            {"Put": {"TableName": self.table.name, "Item": to_item(item)}},
        ]
        try:
            transact(self.client, writes)
        except TransactionFailed:
            return False
        return True

    def insight(self, owner: Principal, entry_id: str) -> dict[str, Any] | None:
        return self.table.get(owner.partition, insight_sk(entry_id))

    # -- settings -------------------------------------------------------------------------------------
    def settings(self, owner: Principal) -> dict[str, Any] | None:
        return self.table.get(owner.partition, SETTINGS)

    def settings_with_profile(self, owner: Principal, users: Table) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """The settings and the profile's timezone (UsersTable, which owns it), in one round trip."""
        request: dict[str, Any] = {
            self.table.name: {"Keys": [self._key(owner, SETTINGS)], "ConsistentRead": True},
            users.name: {
                "Keys": [users.key(owner.partition, "PROFILE")],
                "ProjectionExpression": "#tz",
                "ExpressionAttributeNames": {"#tz": "timezone"},
            },
        }
        found: dict[str, list[dict[str, Any]]] = {}
        while request:
            answer = self.client.batch_get_item(RequestItems=request)
            for table, items in answer.get("Responses", {}).items():
                found.setdefault(table, []).extend(from_item(item) for item in items)
            request = answer.get("UnprocessedKeys") or {}
        settings = next(iter(found.get(self.table.name, [])), None)
        profile = next(iter(found.get(users.name, [])), None)
        return settings, profile

    def save_settings(self, owner: Principal, values: Mapping[str, Any], *, expected_version: int) -> dict[str, Any]:
        """Create (expected_version 0) or update the settings (a value of None removes the field) if
        still at ``expected_version``. A new default category must exist, checked in the same transaction."""
        if expected_version == 0:
            stamp = now_iso()
            item = {"pk": owner.partition, "sk": SETTINGS, **values, "createdAt": stamp, "updatedAt": stamp, "version": 1}
            write: dict[str, Any] = {"Put": {"TableName": self.table.name, "Item": to_item(item), "ConditionExpression": "attribute_not_exists(pk)"}}
        else:
            write = {"Update": self.table.update_request(owner.partition, SETTINGS, values, expected_version=expected_version)}
        checks = self._reference_checks(owner, values.get("defaultCategoryId"), None, category_field="defaultCategoryId")
        try:
            transact(self.client, [write, *(check for _, check in checks)])
        except TransactionFailed as failure:
            self._raise_reference_error(failure, checks, offset=1)
            current = self.settings(owner)
            raise VersionConflict(expected_version, (current or {}).get("version", 0)) from None
        saved = self.settings(owner)
        assert saved is not None
        return saved

    # -- categories -----------------------------------------------------------------------------------
    def categories(self, owner: Principal) -> list[dict[str, Any]]:
        return list(self.table.iterate(owner.partition, sk_prefix="CATEGORY#"))

    def category(self, owner: Principal, category_id: str) -> dict[str, Any]:
        item = self.table.get(owner.partition, category_sk(category_id))
        if item is None:
            raise NotFound(f"no category {category_id}", field="id")
        return item

    def create_category(self, owner: Principal, category: Mapping[str, Any], folded_name: str) -> dict[str, Any]:
        stamp = now_iso()
        item = {
            **category,
            "pk": owner.partition,
            "sk": category_sk(category["categoryId"]),
            "nameKey": folded_name,
            "createdAt": stamp,
            "updatedAt": stamp,
            "version": 1,
        }
        name = {"pk": owner.partition, "sk": category_name_sk(folded_name), "categoryId": category["categoryId"]}
        try:
            transact(
                self.client,
                [
                    {"Put": {"TableName": self.table.name, "Item": to_item(item), "ConditionExpression": "attribute_not_exists(pk)"}},
                    {"Put": {"TableName": self.table.name, "Item": to_item(name), "ConditionExpression": "attribute_not_exists(pk)"}},
                ],
            )
        except TransactionFailed:
            raise Conflict(f"you already have a category named {category['name']!r}", field="name") from None
        return item

    def update_category(self, owner: Principal, category_id: str, changes: Mapping[str, Any], folded_name: str | None) -> dict[str, Any]:
        """Rename (names stay unique: the old name's claim goes, the new one's comes, in one transaction)
        or recolour a category."""
        current = self.category(owner, category_id)
        renamed = folded_name is not None and folded_name != current.get("nameKey")
        values = {**changes, "nameKey": folded_name} if renamed else dict(changes)
        writes: list[dict[str, Any]] = [
            {"Update": self.table.update_request(owner.partition, category_sk(category_id), values, expected_version=current["version"])}
        ]
        if renamed:
            claim = {"pk": owner.partition, "sk": category_name_sk(folded_name), "categoryId": category_id}  # type: ignore[arg-type]
            writes.append({"Put": {"TableName": self.table.name, "Item": to_item(claim), "ConditionExpression": "attribute_not_exists(pk)"}})
            writes.append({"Delete": {"TableName": self.table.name, "Key": self._key(owner, category_name_sk(current["nameKey"]))}})
        try:
            transact(self.client, writes)
        except TransactionFailed as failure:
            if renamed and failure.failed(1):
                raise Conflict(f"you already have a category named {changes.get('name')!r}", field="name") from None
            raise Conflict("the category changed meanwhile: read it again and retry") from None
        return self.category(owner, category_id)

    def delete_category(self, owner: Principal, category_id: str) -> dict[str, Any]:
        current = self.category(owner, category_id)
        try:
            transact(
                self.client,
                [
                    {
                        "Delete": {
                            "TableName": self.table.name,
                            "Key": self._key(owner, category_sk(category_id)),
                            "ConditionExpression": "attribute_exists(pk)",
                        }
                    },
                    {"Delete": {"TableName": self.table.name, "Key": self._key(owner, category_name_sk(current["nameKey"]))}},
                ],
            )
        except TransactionFailed:
            raise NotFound(f"no category {category_id}", field="id") from None
        # A default category that is gone is no default: clear it, if it is still this one.
        try:
            self.client.update_item(
                TableName=self.table.name,
                Key=self._key(owner, SETTINGS),
                UpdateExpression="REMOVE defaultCategoryId SET #version = #version + :one",
                ConditionExpression="defaultCategoryId = :id",
                ExpressionAttributeNames={"#version": "version"},
                ExpressionAttributeValues=to_item({":id": category_id, ":one": 1}),
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
        return current

    # -- prompts of the user --------------------------------------------------------------------------
    def daily_prompt(self, owner: Principal, day: str) -> dict[str, Any] | None:
        return self.table.get(owner.partition, f"DAILYPROMPT#{day}")

    def keep_daily_prompt(self, owner: Principal, day: str, prompt_id: str, expires_at: int) -> str:
        """Remember the day's prompt; the first pick of the day wins (two racing first requests agree)."""
        item = {"pk": owner.partition, "sk": f"DAILYPROMPT#{day}", "promptId": prompt_id, "day": day, "expiresAt": expires_at}
        try:
            self.client.put_item(TableName=self.table.name, Item=to_item(item), ConditionExpression="attribute_not_exists(pk)")
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            kept = self.daily_prompt(owner, day)
            return kept["promptId"] if kept else prompt_id
        return prompt_id

    def prompts_used(self, owner: Principal, *, limit: int = 30) -> list[dict[str, Any]]:
        return self.table.query_page(owner.partition, sk_prefix="PROMPTUSED#", limit=limit, newest_first=True).items

    # -- search index pointer -------------------------------------------------------------------------
    def search_index(self, owner: Principal, *, consistent: bool = False) -> dict[str, Any] | None:
        return self.table.get(owner.partition, SEARCH_INDEX, consistent=consistent)

    def move_search_index(self, owner: Principal, pointer: Mapping[str, Any], expected_revision: int) -> bool:
        """Point at a new index document if nobody else moved the pointer since ``expected_revision``."""
        item = {"pk": owner.partition, "sk": SEARCH_INDEX, **pointer, "revision": expected_revision + 1, "updatedAt": now_iso()}
        condition = "attribute_not_exists(pk)" if expected_revision == 0 else "revision = :expected"
        kwargs: dict[str, Any] = {"TableName": self.table.name, "Item": to_item(item), "ConditionExpression": condition}
        if expected_revision:
            kwargs["ExpressionAttributeValues"] = to_item({":expected": expected_revision})
        try:
            self.client.put_item(**kwargs)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    # -- the whole journal ----------------------------------------------------------------------------
    def everything(self, owner: Principal) -> Iterator[dict[str, Any]]:
        yield from self.table.iterate(owner.partition)

    def erase_page(self, owner: Principal, limit: int) -> tuple[int, bool]:
        return self.table.erase_page(owner.partition, limit)
