"""The journal through `zik dev`, as the app uses it: entries written over several days (the days the
entries are for), their insights arriving from the AI service through the bus and its queue, searched,
exported, read back as mood and analytics, and turned into points, a streak and achievements; an event
delivered twice awards its points once."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest
from devserver import DevServer, eventually, new_user

from zik import clock

pytestmark = pytest.mark.e2e

DAYS = [
    (3, "Morning run by the river, then coffee at the Café Lumière. I feel strong and happy.", 4),
    (2, "Work was exhausting and the meeting went badly. I am frustrated and tired.", 2),
    (1, "Dinner with family. We laughed a lot; grateful for them.", 5),
    (0, "Quiet evening, reading about gardens and planning the week.", 3),
]


def test_a_week_of_journaling_turns_into_insights_search_analytics_and_points(dev: DevServer, days) -> None:
    token = dev.token(new_user())
    with days("UTC") as span:  # a new user without a profile: UTC
        daily = dev.request("GET", "/prompts/daily", token=token).body
    assert daily["promptId"] and daily["date"] in span
    today = dt.date.fromisoformat(daily["date"])
    written = []
    for back, content, mood in DAYS:
        body: dict[str, Any] = {"content": content, "mood": mood, "entryDate": (today - dt.timedelta(days=back)).isoformat(), "title": f"Day -{back}"}
        if back == 0:
            body["promptId"] = daily["promptId"]
        answer = dev.request("POST", "/entries", token=token, body=body)
        assert answer.status == 201, answer.raw
        written.append(answer.body)

    def insights() -> list[dict[str, Any]] | None:
        entries = [dev.request("GET", f"/entries/{e['entryId']}", token=token).body for e in written]
        return entries if all(e["insight"] for e in entries) else None

    read = eventually(insights, "an insight for every entry (bus -> InsightQueue -> AI service)")
    labels = [e["insight"]["sentiment"]["label"] for e in read]
    assert labels[0] == "positive" and labels[1] == "negative"

    found = eventually(
        lambda: dev.request("GET", "/entries/search?" + urlencode({"q": "cafe"}), token=token).body["items"], "the entry in the search index"
    )
    assert [hit["entryId"] for hit in found] == [written[0]["entryId"]]
    text = found[0]["snippet"]["text"]
    assert [text[a:b] for a, b in found[0]["snippet"]["highlights"]] == ["Café"]

    markdown = dev.request("GET", "/entries/export?" + urlencode({"format": "markdown"}), token=token)
    assert markdown.status == 200 and all(f"Day -{back}" in markdown.raw.decode() for back, _, _ in DAYS)
    rows = list(csv.DictReader(io.StringIO(dev.request("GET", "/entries/export?" + urlencode({"format": "csv"}), token=token).raw.decode())))
    assert len(rows) == 4 and all(row["sentimentLabel"] for row in rows)

    start = (today - dt.timedelta(days=3)).isoformat()
    mood = dev.request("GET", "/analytics/mood?" + urlencode({"from": start, "to": today.isoformat()}), token=token).body
    assert [p["entries"] for p in mood["series"]] == [1, 1, 1, 1]
    assert mood["series"][0]["averageSentiment"] > 0 > mood["series"][1]["averageSentiment"]
    analytics = dev.request("GET", "/analytics", token=token).body
    assert analytics["totalEntries"] == 4 and analytics["currentStreak"] == 4 and analytics["longestStreak"] == 4

    stats = eventually(
        lambda: (s := dev.request("GET", "/gamification/stats", token=token).body)["entries"] == 4 and s["promptsUsed"] == 1 and s,
        "points for every entry and the prompt",
    )
    assert stats["currentStreak"] == 4 and stats["points"] > 0
    earned = {a["achievementId"] for a in dev.request("GET", "/gamification/achievements", token=token).body["earned"]}
    assert {"first_entry", "streak_3", "first_prompt"} <= earned
    ledger = dev.request("GET", "/gamification/transactions?" + urlencode({"limit": "100"}), token=token).body["items"]
    assert sum(line["points"] for line in ledger) == stats["points"]

    # A quest event delivered twice (EventBridge delivers at least once) earns its points once.
    me = dev.request("GET", "/me", token=token).body
    info = dev.request("GET", "/_zik/info").body
    aws = {"endpoint_url": info["awsEndpoint"], "region_name": info["region"], "aws_access_key_id": "local", "aws_secret_access_key": "local"}
    detail = {
        "eventId": str(uuid.uuid4()),
        "occurredAt": clock.now_iso(),
        "tenantId": me["tenantId"],
        "userId": me["userId"],
        "taskId": "tredelivered01",
        "title": "Stretch for ten minutes",
        "goalId": None,
        "milestoneSeq": None,
        "source": "user",
        "dueDate": today.isoformat(),
    }
    bus = boto3.client("events", **aws)
    bus_name = info["outputs"]["EventBusName"]
    for _ in range(2):
        put = bus.put_events(
            Entries=[{"EventBusName": bus_name, "Source": "zik.quests", "DetailType": "TaskCompleted", "Detail": json.dumps(detail)}]
        )
        assert put["FailedEntryCount"] == 0
    queue = next(url for url in info["queues"] if "GamificationQueue" in url)
    sqs = boto3.client("sqs", **aws)

    def settled() -> dict[str, Any] | None:
        counts = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])[
            "Attributes"
        ]
        after = dev.request("GET", "/gamification/stats", token=token).body
        idle = counts["ApproximateNumberOfMessages"] == counts["ApproximateNumberOfMessagesNotVisible"] == "0"
        return after if idle and after["tasksCompleted"] == 1 else None

    after = eventually(settled, "both deliveries handled")
    ledger = dev.request("GET", "/gamification/transactions?" + urlencode({"limit": "100"}), token=token).body["items"]
    task_lines = [line for line in ledger if line["eventId"] == detail["eventId"]]
    assert len({line["transactionId"] for line in task_lines}) == len(task_lines) and task_lines
    assert after["points"] == stats["points"] + sum(line["points"] for line in task_lines)
    assert sum(line["points"] for line in ledger) == after["points"]
