"""Points: the platform's one currency, with levels, streaks and achievements, earned from every domain's
events (journal entries and prompts, quest tasks, milestones and quests). No domain writes points: they
publish events, and this package's consumer (GamificationEventsFunction) records them. It owns
GamificationTable. The Reflekt seed's routes (/gamification/...) read it.

GamificationTable, in the owner's partition (pk = TENANT#<t>#USER#<u>):
  stats          sk STATS                                  counters, points, earned achievements, version
  ledger line    sk TX#<version:012d>#<n:02d>              one per award
  event seen     sk EVENT#<eventId>                        written with the awards; expires after 30 days
  erased         sk ERASED                                 the user was erased: nothing is recorded any more

Access patterns (template.yaml, GamificationTable):
  stats, level, streak, achievements        GetItem STATS                                    one read
  the points ledger, newest award first     Query pk, begins_with(sk, TX#), descending
  export / erase with the user              Query / delete the partition

An event's awards, the counters and the event's marker are one transaction whose marker must be new: a
redelivered event awards nothing twice. Two events of one user at once are serialised by the counters'
version (the loser reads again and retries).

The ledger is in the order points were awarded, which is the order the counters' versions were taken:
each line's key carries the version its transaction wrote, so every line's ``balance`` is the sum of
the lines below it and the newest line's balance is the stats' points. When the event happened is the
line's ``occurredAt``; events arrive late (EventBridge retries for a day, a DLQ is redriven days
later) and a late event is still the newest award, so the ledger is never sorted by ``occurredAt``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zik import clock, config
from zik import days as streaks
from zik.clock import now_iso
from zik.dynamo import ERASED, Table, TransactionFailed, to_item, transact
from zik.points import rules as points
from zik.principal import Principal

STATS = "STATS"
EVENT_MARKER_DAYS = 30
MAX_ATTEMPTS = 10


class Points:
    def __init__(self, table: Table | None = None):
        self.table = table or Table(config.require("GAMIFICATION_TABLE")["GAMIFICATION_TABLE"])

    # -- consuming events -----------------------------------------------------------------------------
    def record(self, owner: Principal, event_type: str, detail: Mapping[str, Any]) -> list[points.Award] | None:
        """Apply one event; its awards, or None when this event was already recorded."""
        for _ in range(MAX_ATTEMPTS):
            stats = self.table.get(owner.partition, STATS)
            counters = points.Counters.from_item((stats or {}).get("counters") or {})
            timezone = detail.get("timezone") or (stats or {}).get("timezone") or "UTC"
            today = streaks.local_date(detail.get("occurredAt") or now_iso(), timezone)
            updated, awards = points.apply(counters, event_type, _with_local_date(detail), today=today)
            try:
                transact(self.table.client, self._writes(owner, stats, updated, awards, event_type, detail, timezone))
            except TransactionFailed as failure:
                if failure.failed(0) or failure.failed(1):
                    return None  # recorded already, or the user was erased
                continue  # the counters moved meanwhile: apply the event to the newer ones
            return awards
        raise RuntimeError(f"the stats of {owner.partition} kept changing under {MAX_ATTEMPTS} attempts")

    def _writes(
        self,
        owner: Principal,
        stats: Mapping[str, Any] | None,
        counters: points.Counters,
        awards: list[points.Award],
        event_type: str,
        detail: Mapping[str, Any],
        timezone: str,
    ) -> list[dict[str, Any]]:
        event_id = detail["eventId"]
        awarded = now_iso()
        occurred = detail.get("occurredAt") or awarded
        marker = {
            "pk": owner.partition,
            "sk": f"EVENT#{event_id}",
            "eventType": event_type,
            "expiresAt": clock.epoch_seconds() + EVENT_MARKER_DAYS * 86400,
        }
        writes: list[dict[str, Any]] = [
            {"Put": {"TableName": self.table.name, "Item": to_item(marker), "ConditionExpression": "attribute_not_exists(pk)"}},
            # An event that comes after the user's erasure (a late delivery, a redriven DLQ) writes nothing.
            {
                "ConditionCheck": {
                    "TableName": self.table.name,
                    "Key": self.table.key(owner.partition, ERASED),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        ]
        version = (stats or {}).get("version", 0)
        item = {
            "pk": owner.partition,
            "sk": STATS,
            "counters": counters.to_item(),
            "points": counters.points,
            "timezone": timezone,
            "updatedAt": awarded,
            "version": version + 1,
        }
        condition = "attribute_not_exists(pk)" if stats is None else "#version = :version"
        put: dict[str, Any] = {"TableName": self.table.name, "Item": to_item(item), "ConditionExpression": condition}
        if stats is not None:
            put["ExpressionAttributeNames"] = {"#version": "version"}
            put["ExpressionAttributeValues"] = to_item({":version": version})
        writes.append({"Put": put})
        balance = (stats or {}).get("points", 0)
        for number, award in enumerate(awards):
            balance += award.points
            line = {
                "pk": owner.partition,
                "sk": f"TX#{version + 1:012d}#{number:02d}",
                "transactionId": f"{event_id}.{number}",
                "eventId": event_id,
                "eventType": event_type,
                "reason": award.reason,
                "points": award.points,
                "note": award.note,
                "balance": balance,
                "occurredAt": occurred,
                "awardedAt": awarded,
            }
            writes.append({"Put": {"TableName": self.table.name, "Item": to_item(line)}})
        return writes

    def follow_timezone(self, owner: Principal, detail: Mapping[str, Any]) -> None:
        """UserProfileUpdated: the stats keep a copy of the profile's timezone (the user's days for streaks)."""
        if "timezone" not in detail.get("changed", ()):
            return
        try:
            self.table.client.update_item(
                TableName=self.table.name,
                Key=self.table.key(owner.partition, STATS),
                UpdateExpression="SET #tz = :tz",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames={"#tz": "timezone"},
                ExpressionAttributeValues=to_item({":tz": detail["timezone"]}),
            )
        except self.table.client.exceptions.ConditionalCheckFailedException:
            pass  # no stats yet: the first event brings the timezone

    # -- reading --------------------------------------------------------------------------------------
    def _counters(self, owner: Principal) -> tuple[points.Counters, str]:
        stats = self.table.get(owner.partition, STATS, consistent=False) or {}
        return points.Counters.from_item(stats.get("counters") or {}), stats.get("timezone") or "UTC"

    def stats(self, owner: Principal) -> dict[str, Any]:
        counters, timezone = self._counters(owner)
        today = clock.today(streaks.zone(timezone))
        streak = streaks.streaks(counters.days, today)
        return {
            **points.level_for(counters.points),
            "currentStreak": streak.current,
            "longestStreak": max(streak.longest, counters.longest_streak),
            "lastEntryDate": streak.last_day.isoformat() if streak.last_day else None,
            "entries": counters.entries,
            "words": counters.words,
            "promptsUsed": counters.prompts_used,
            "tasksCompleted": counters.tasks_completed,
            "milestonesCompleted": counters.milestones_completed,
            "questsCompleted": counters.quests_completed,
            "resumesAnalyzed": counters.resumes_analyzed,
            "applicationsSent": counters.applications_sent,
            "interviews": counters.interviews,
            "offers": counters.offers,
            "achievementsEarned": len(counters.earned),
        }

    def achievements(self, owner: Principal) -> dict[str, Any]:
        counters, _ = self._counters(owner)
        items = points.achievements(counters)
        return {"earned": [a for a in items if a["earned"]], "locked": [a for a in items if not a["earned"]]}

    def transactions(self, owner: Principal, *, limit: int, cursor: str | None) -> dict[str, Any]:
        page = self.table.query_page(owner.partition, sk_prefix="TX#", limit=limit, cursor=cursor, newest_first=True)
        hidden = ("pk", "sk")
        return {"items": [{k: v for k, v in item.items() if k not in hidden} for item in page.items], "nextCursor": page.next_cursor}

    # -- the user's data ------------------------------------------------------------------------------
    def export(self, owner: Principal) -> dict[str, Any]:
        ledger = [{k: v for k, v in item.items() if k not in ("pk", "sk")} for item in self.table.iterate(owner.partition, sk_prefix="TX#")]
        return {"stats": self.stats(owner), "achievements": self.achievements(owner)["earned"], "transactions": ledger}

    def erase_page(self, owner: Principal, limit: int) -> tuple[int, bool]:
        return self.table.erase_page(owner.partition, limit)

    def size(self, owner: Principal) -> int:
        return self.table.count(owner.partition)


def _with_local_date(detail: Mapping[str, Any]) -> dict[str, Any]:
    """The rules speak of an entry's day as ``localDate``; journal events call it ``entryDate``."""
    values = dict(detail)
    if "entryDate" in values and "localDate" not in values:
        values["localDate"] = values["entryDate"]
    return values
