"""The journal functions' real handlers against the stack template.yaml declares (in moto): the API of the
Entry, Analytics, Settings, Prompts and Gamification services, and the three consumers fed by the bus
through their queues (the rules and queues are the template's own; a test drains a queue into its function
the way the event source mapping does)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from zik import clock

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")

SUB = "8f1c2a7e-4b3d-4c9a-9e61-2d5b7f0a1c34"  # the user of the sample events
OTHER = {"sub": "0b5e2f1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b", "custom:tenant_id": "acme"}


# -- entries ----------------------------------------------------------------------------------------------
@pytest.mark.clock
def test_an_entry_is_written_read_listed_changed_and_deleted(journal, days, dynamodb_calls):
    with days() as span:
        created = journal.write("Walked to the café by the river. It was lovely.", title="Sunday", mood=4, tags=["Walk", "walk", "friends"])
    assert created["wordCount"] == 10
    assert created["version"] == 1 and created["entryDate"] in span
    assert created["tags"] == ["walk", "friends"] and created["insight"] is None
    entry_id = created["entryId"]

    got = journal.api("EntriesFunction", "entries_get", params={"id": entry_id})
    assert got.status == 200 and got.body["content"].startswith("Walked to the café")

    listed = journal.api("EntriesFunction", "entries_list", query={})
    assert [e["entryId"] for e in listed.body["items"]] == [entry_id]
    assert "content" not in listed.body["items"][0] and listed.body["items"][0]["preview"].startswith("Walked")

    store = journal.load_function("EntriesFunction").entries.store
    calls = dynamodb_calls(store.client, store.table.name)
    changed = journal.api("EntriesFunction", "entries_update", params={"id": entry_id}, body={"version": 1, "content": "Rain all day.", "mood": None})
    assert changed.status == 200, changed.body
    assert changed.body["version"] == 2 and changed.body["wordCount"] == 3 and "mood" not in changed.body
    assert calls[-1] == "UpdateItem" and "TransactWriteItems" not in calls  # its answer is the entry: no read after

    stale = journal.api("EntriesFunction", "entries_update", params={"id": entry_id}, body={"version": 1, "content": "Lost update"})
    assert stale.status == 409 and stale.body["error"]["details"]["currentVersion"] == 2

    gone = journal.api("EntriesFunction", "entries_delete", params={"id": entry_id})
    assert gone.status == 200 and gone.body["deleted"] is True
    assert journal.api("EntriesFunction", "entries_get", params={"id": entry_id}).status == 404


def test_an_entry_and_its_insight_are_deleted_in_one_transaction(journal, dynamodb_calls):
    entry = journal.write("A calm morning by the sea. I felt grateful and rested.")
    journal.drain("InsightFunction")
    assert journal.api("EntriesFunction", "entries_get", params={"id": entry["entryId"]}).body["insight"]
    store = journal.load_function("EntriesFunction").entries.store
    calls = dynamodb_calls(store.client, store.table.name)

    assert journal.api("EntriesFunction", "entries_delete", params={"id": entry["entryId"]}).status == 200
    assert calls[:2] == ["GetItem", "TransactWriteItems"]
    left = boto3.client("dynamodb").scan(TableName=journal.deployment.functions["EntriesFunction"].environment["JOURNAL_TABLE"])["Items"]
    assert not [item for item in left if entry["entryId"] in item["sk"]["S"]]  # neither the entry nor its insight
    assert journal.api("EntriesFunction", "entries_delete", params={"id": entry["entryId"]}).status == 404


@pytest.mark.clock
def test_lists_go_newest_first_by_day_and_filter_by_range_category_and_tag(journal):
    category = journal.api("SettingsFunction", "categories_create", body={"name": "Work"}).body["categoryId"]
    today = journal.today()
    days = [(today - dt.timedelta(days=n)).isoformat() for n in (3, 2, 1, 0)]
    ids = [
        journal.write(f"Day {n} entry", entryDate=day, tags=["odd"] if n % 2 else [], **({"categoryId": category} if n < 2 else {}))["entryId"]
        for n, day in enumerate(days)
    ]
    listed = journal.api("EntriesFunction", "entries_list", query={}).body["items"]
    assert [e["entryId"] for e in listed] == ids[::-1]
    ranged = journal.api("EntriesFunction", "entries_list", query={"from": days[1], "to": days[2]}).body["items"]
    assert [e["entryDate"] for e in ranged] == [days[2], days[1]]
    in_category = journal.api("EntriesFunction", "entries_list", query={"categoryId": category}).body["items"]
    assert {e["entryId"] for e in in_category} == set(ids[:2])
    tagged = journal.api("EntriesFunction", "entries_list", query={"tag": "ODD"}).body["items"]
    assert {e["entryId"] for e in tagged} == {ids[1], ids[3]}
    first = journal.api("EntriesFunction", "entries_list", query={"limit": "3"}).body
    rest = journal.api("EntriesFunction", "entries_list", query={"limit": "3", "cursor": first["nextCursor"]}).body
    assert [e["entryId"] for e in first["items"] + rest["items"]] == ids[::-1]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"content": ""}, "content"),
        ({"content": "   \n "}, "content"),
        ({"content": "x" * 50_001}, "content"),
        ({"content": "ok", "mood": 0}, "mood"),
        ({"content": "ok", "mood": 6}, "mood"),
        ({"content": "ok", "categoryId": "cnosuchcat000"}, "categoryId"),
        ({"content": "ok", "promptId": "no-such-prompt"}, "promptId"),
        ({"content": "ok", "entryDate": "2999-01-01"}, "entryDate"),
        ({"content": "ok", "entryDate": "23/11/2026"}, "entryDate"),
        ({"content": "ok", "surprise": 1}, "surprise"),
    ],
)
def test_bad_entries_are_refused_naming_the_field_and_leave_nothing(journal, body, field):
    reply = journal.api("EntriesFunction", "entries_create", body=body)
    assert reply.status == 400, reply.body
    assert reply.body["error"]["field"] == field
    assert journal.api("EntriesFunction", "entries_list", query={}).body["items"] == []


@pytest.mark.parametrize(
    ("sample_name", "query", "field"),
    [
        ("entries_list", {"cursor": "not-a-cursor"}, "cursor"),
        ("entries_list", {"from": "2026-13-01"}, "from"),
        ("entries_list", {"from": "2026-11-20", "to": "2026-11-01"}, "from"),
        ("entries_search", {"q": "?!… ---"}, "q"),
        ("entries_search", {"q": ""}, "q"),
        ("entries_search", {"q": "walk", "cursor": "zzz"}, "cursor"),
        ("entries_export", {"format": "pdf"}, "format"),
    ],
)
def test_bad_queries_are_refused_naming_the_parameter(journal, sample_name, query, field):
    reply = journal.api("EntriesFunction", sample_name, query=query)
    assert reply.status == 400, reply.body
    assert reply.body["error"]["field"] == field


def test_another_users_entry_is_not_found_and_stays_unchanged(journal):
    mine = journal.write("Private thoughts")
    for sample, body in (
        ("entries_get", ...),
        ("entries_update", {"version": 1, "content": "hacked"}),
        ("entries_delete", ...),
        ("entries_insight_request", ...),
    ):
        reply = journal.api("EntriesFunction", sample, params={"id": mine["entryId"]}, body=body, claims=OTHER)
        assert reply.status == 404, (sample, reply.body)
    still = journal.api("EntriesFunction", "entries_get", params={"id": mine["entryId"]}).body
    assert still["content"] == "Private thoughts" and still["version"] == 1


def test_a_retried_post_with_the_same_idempotency_key_writes_one_entry(journal):
    headers = {"Idempotency-Key": "retry-me-0001"}
    first = journal.api("EntriesFunction", "entries_create", body={"content": "Only once"}, headers=headers)
    again = journal.api("EntriesFunction", "entries_create", body={"content": "Only once"}, headers=headers)
    assert first.status == again.status == 201 and first.body["entryId"] == again.body["entryId"]
    assert len(journal.api("EntriesFunction", "entries_list", query={}).body["items"]) == 1


# -- insights ---------------------------------------------------------------------------------------------
def test_the_ai_service_writes_an_insight_once_per_text(journal, log_records):
    entry = journal.write("I am so grateful for my friends. Today was wonderful and I feel calm and happy.")
    journal.drain("InsightFunction", keep=True)
    insight = journal.api("EntriesFunction", "entries_get", params={"id": entry["entryId"]}).body["insight"]
    assert insight["sentiment"]["label"] == "positive" and insight["sentiment"]["score"] > 0.3
    assert insight["summary"] and insight["entryVersion"] == 1
    assert len([r for r in log_records() if r.get("message") == "ai call"]) == 1

    replayed = journal.replay("InsightFunction")  # the same message delivered again
    assert replayed == {"batchItemFailures": []}
    assert len([r for r in log_records() if r.get("message") == "ai call"]) == 1  # still the first one only
    again = journal.api("EntriesFunction", "entries_get", params={"id": entry["entryId"]}).body["insight"]
    assert again["createdAt"] == insight["createdAt"]

    listed = journal.api("EntriesFunction", "entries_list", query={}).body["items"][0]
    assert listed["sentiment"]["label"] == "positive"


def test_a_changed_text_gets_a_new_insight_and_a_changed_tag_does_not(journal):
    entry = journal.write("Everything went wrong today. I am exhausted, angry and sad.")
    journal.drain("InsightFunction")
    first = journal.api("EntriesFunction", "entries_get", params={"id": entry["entryId"]}).body["insight"]
    assert first["sentiment"]["label"] == "negative"
    journal.api("EntriesFunction", "entries_update", params={"id": entry["entryId"]}, body={"version": 1, "tags": ["rough"]})
    journal.drain("InsightFunction")
    assert journal.api("EntriesFunction", "entries_get", params={"id": entry["entryId"]}).body["insight"]["createdAt"] == first["createdAt"]
    journal.api(
        "EntriesFunction",
        "entries_update",
        params={"id": entry["entryId"]},
        body={"version": 2, "content": "Actually the evening was great, a lovely dinner with family."},
    )
    journal.drain("InsightFunction")
    latest = journal.api("EntriesFunction", "entries_get", params={"id": entry["entryId"]}).body["insight"]
    assert latest["sentiment"]["label"] == "positive" and latest["entryVersion"] == 3


def test_no_insight_for_a_user_who_turned_them_off(journal):
    assert journal.api("SettingsFunction", "settings_put", body={"aiInsightsEnabled": False}).status == 200
    entry = journal.write("A quiet day.")
    journal.drain("InsightFunction")
    assert journal.api("EntriesFunction", "entries_get", params={"id": entry["entryId"]}).body["insight"] is None
    refused = journal.api("EntriesFunction", "entries_insight_request", params={"id": entry["entryId"]})
    assert refused.status == 400 and refused.body["error"]["field"] == "aiInsightsEnabled"


def test_asking_again_makes_a_fresh_insight(journal):
    entry = journal.write("Good news at work today.")
    journal.drain("InsightFunction")
    first = journal.api("EntriesFunction", "entries_get", params={"id": entry["entryId"]}).body["insight"]
    asked = journal.api("EntriesFunction", "entries_insight_request", params={"id": entry["entryId"]})
    assert asked.status == 202
    journal.drain("InsightFunction")
    fresh = journal.api("EntriesFunction", "entries_get", params={"id": entry["entryId"]}).body["insight"]
    assert fresh["createdAt"] > first["createdAt"]


# -- search -----------------------------------------------------------------------------------------------
def test_search_is_ranked_accent_and_case_insensitive_with_highlights(journal):
    cafe = journal.write("Met Léa at the Café Lumière; we talked about running and about the café's new owner.")["entryId"]
    run = journal.write("Went running in the park. Running helps.")["entryId"]
    journal.write("Nothing to do with it.")
    journal.drain("SearchIndexerFunction")
    found = journal.api("EntriesFunction", "entries_search", query={"q": "CAFE"}).body
    assert [hit["entryId"] for hit in found["items"]] == [cafe]
    snippet = found["items"][0]["snippet"]
    assert next(snippet["text"][a:b].lower() for a, b in snippet["highlights"]).startswith("café")
    both = journal.api("EntriesFunction", "entries_search", query={"q": "run"}).body
    assert [hit["entryId"] for hit in both["items"]] == [run, cafe]
    paged = journal.api("EntriesFunction", "entries_search", query={"q": "run", "limit": "1"}).body
    assert paged["total"] == 2 and len(paged["items"]) == 1
    rest = journal.api("EntriesFunction", "entries_search", query={"q": "run", "limit": "1", "cursor": paged["nextCursor"]}).body
    assert [hit["entryId"] for hit in rest["items"]] == [cafe] and rest["nextCursor"] is None


def test_the_index_follows_changes_and_deletions_and_ignores_redelivery(journal):
    entry = journal.write("A walk by the lighthouse.")
    journal.drain("SearchIndexerFunction", keep=True)
    assert journal.replay("SearchIndexerFunction") == {"batchItemFailures": []}
    journal.drain("SearchIndexerFunction")
    journal.api("EntriesFunction", "entries_update", params={"id": entry["entryId"]}, body={"version": 1, "content": "A swim in the harbour."})
    journal.drain("SearchIndexerFunction")
    assert journal.api("EntriesFunction", "entries_search", query={"q": "lighthouse"}).body["items"] == []
    assert len(journal.api("EntriesFunction", "entries_search", query={"q": "harbour"}).body["items"]) == 1
    journal.api("EntriesFunction", "entries_delete", params={"id": entry["entryId"]})
    journal.drain("SearchIndexerFunction")
    assert journal.api("EntriesFunction", "entries_search", query={"q": "harbour"}).body["total"] == 0


def test_search_sees_only_the_callers_entries(journal):
    journal.write("Secret garden plans")
    journal.write("My own garden", claims=OTHER)
    journal.drain("SearchIndexerFunction")
    mine = journal.api("EntriesFunction", "entries_search", query={"q": "garden"}).body["items"]
    theirs = journal.api("EntriesFunction", "entries_search", query={"q": "garden"}, claims=OTHER).body["items"]
    assert len(mine) == len(theirs) == 1 and mine[0]["entryId"] != theirs[0]["entryId"]


# -- export -----------------------------------------------------------------------------------------------
def test_exports_in_three_formats_with_insights(journal):
    journal.write('First, with a comma, and "quotes"', title="=SUM(A1)")
    journal.drain("InsightFunction")
    as_json = journal.api("EntriesFunction", "entries_export", query={"format": "json"})
    assert as_json.status == 200 and "attachment" in as_json.headers["content-disposition"]
    assert as_json.body["count"] == 1 and as_json.body["entries"][0]["insight"]["sentiment"]
    markdown = journal.api("EntriesFunction", "entries_export", query={"format": "markdown"})
    assert markdown.headers["content-type"].startswith("text/markdown") and "## " in markdown.body and "**Insight**" in markdown.body
    as_csv = journal.api("EntriesFunction", "entries_export", query={"format": "csv"})
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(as_csv.body)))
    assert rows[0]["content"] == 'First, with a comma, and "quotes"' and rows[0]["title"] == "'=SUM(A1)"


def test_a_large_export_is_a_presigned_link(journal, monkeypatch):
    journal.write("A long enough entry to pass the limit of one hundred bytes once it is exported as JSON.")
    monkeypatch.setenv("EXPORT_INLINE_MAX_BYTES", "100")  # after the function's INIT set the template's value
    reply = journal.api("EntriesFunction", "entries_export", query={"format": "json"})
    assert reply.status == 200 and reply.body["entries"] == 1
    assert "X-Amz-Signature" in reply.body["downloadUrl"] and reply.body["expiresAt"].endswith("Z")
    bucket = journal.deployment.functions["EntriesFunction"].environment["JOURNAL_BUCKET"]
    keys = [o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=bucket, Prefix="exports/")["Contents"]]
    assert len(keys) == 1 and keys[0].startswith(f"exports/acme/{SUB}/")


# -- settings and categories ------------------------------------------------------------------------------
def test_settings_start_from_defaults_and_save_with_versions(journal):
    defaults = journal.api("SettingsFunction", "settings_get", claims=OTHER).body
    assert defaults == {
        "timezone": "UTC",
        "reminderTime": None,
        "aiInsightsEnabled": True,
        "defaultCategoryId": None,
        "promptCategories": [],
        "version": 0,
    }
    saved = journal.api("SettingsFunction", "settings_put", claims=OTHER)
    assert saved.status == 200 and saved.body["timezone"] == "Europe/Paris" and saved.body["version"] == 1
    stale = journal.api("SettingsFunction", "settings_put", body={"version": 0, "reminderTime": "07:00"}, claims=OTHER)
    assert stale.status == 409
    for body, field in (
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"reminderTime": "25:00"}, "reminderTime"),
        ({"promptCategories": ["nope"]}, "promptCategories"),
        ({"defaultCategoryId": "cnothere00000"}, "defaultCategoryId"),
    ):
        reply = journal.api("SettingsFunction", "settings_put", body=body, claims=OTHER)
        assert reply.status == 400 and reply.body["error"]["field"] == field, (body, reply.body)


def test_category_names_are_unique_per_user_whatever_their_case_and_accents(journal):
    work = journal.api("SettingsFunction", "categories_create", body={"name": "Santé", "color": "#00aa00"})
    assert work.status == 201
    clash = journal.api("SettingsFunction", "categories_create", body={"name": "  SANTE "})
    assert clash.status == 409 and clash.body["error"]["field"] == "name"
    assert journal.api("SettingsFunction", "categories_create", body={"name": "Santé"}, claims=OTHER).status == 201
    other = journal.api("SettingsFunction", "categories_create", body={"name": "Family"}).body
    renamed = journal.api("SettingsFunction", "categories_update", params={"id": other["categoryId"]}, body={"name": "santé"})
    assert renamed.status == 409
    moved = journal.api("SettingsFunction", "categories_update", params={"id": other["categoryId"]}, body={"name": "Home"})
    assert moved.status == 200 and moved.body["name"] == "Home"
    assert journal.api("SettingsFunction", "categories_create", body={"name": "family"}).status == 201  # the old name is free again
    names = [c["name"] for c in journal.api("SettingsFunction", "categories_list").body["items"]]
    assert names == ["family", "Home", "Santé"]


def test_the_default_category_files_new_entries_and_goes_with_its_category(journal):
    category = journal.api("SettingsFunction", "categories_create", body={"name": "Daily"}).body["categoryId"]
    journal.api("SettingsFunction", "settings_put", body={"defaultCategoryId": category})
    assert journal.write("Filed by default")["categoryId"] == category
    assert journal.api("SettingsFunction", "categories_delete", params={"id": category}).status == 200
    assert journal.api("SettingsFunction", "settings_get").body["defaultCategoryId"] is None
    assert "categoryId" not in journal.write("Not filed")
    assert journal.api("SettingsFunction", "categories_delete", params={"id": category}).status == 404


# -- analytics --------------------------------------------------------------------------------------------
@pytest.mark.clock
def test_analytics_count_words_streaks_and_patterns(journal):
    today = journal.today()
    for back in (4, 2, 1, 0):
        journal.write("one two three four five", entryDate=(today - dt.timedelta(days=back)).isoformat(), mood=3)
    report = journal.api("AnalyticsFunction", "analytics_get").body
    assert report["totalEntries"] == 4 and report["totalWords"] == 20
    assert report["currentStreak"] == 3 and report["longestStreak"] == 3
    assert sum(report["byWeekday"].values()) == 4 and sum(report["byHour"]) == 4
    ranged = journal.api(
        "AnalyticsFunction", "analytics_post", body={"from": (today - dt.timedelta(days=2)).isoformat(), "to": today.isoformat()}
    ).body
    assert ranged["totalEntries"] == 3
    bad = journal.api("AnalyticsFunction", "analytics_post", body={"from": "2026-01-01"})
    assert bad.status == 400 and bad.body["error"]["field"] == "to"


@pytest.mark.clock
def test_mood_series_from_insights_has_every_bucket(journal):
    today = journal.today()
    journal.write("Wonderful, happy, grateful day!", entryDate=(today - dt.timedelta(days=2)).isoformat(), mood=5)
    journal.write("Terrible, sad and awful.", entryDate=today.isoformat(), mood=1)
    journal.drain("InsightFunction")
    start = (today - dt.timedelta(days=3)).isoformat()
    series = journal.api("AnalyticsFunction", "analytics_mood", query={"from": start, "to": today.isoformat(), "bucket": "day"}).body["series"]
    assert [point["period"] for point in series] == [(today - dt.timedelta(days=n)).isoformat() for n in (3, 2, 1, 0)]
    assert [point["entries"] for point in series] == [0, 1, 0, 1]
    assert series[1]["averageSentiment"] > 0 > series[3]["averageSentiment"] and series[0]["averageSentiment"] is None
    assert journal.api("AnalyticsFunction", "analytics_mood", query={"bucket": "month"}).status == 400


# -- prompts ----------------------------------------------------------------------------------------------
def test_the_deployment_loaded_the_prompt_library(journal):
    library = journal.api("PromptsFunction", "prompts_list", query={}).body
    assert len(library["items"]) >= 100 and len(library["categories"]) >= 10
    gratitude = journal.api("PromptsFunction", "prompts_list").body["items"]
    assert gratitude and {p["category"] for p in gratitude} == {"gratitude"}
    assert journal.api("PromptsFunction", "prompts_list", query={"category": "astrology"}).status == 400
    assert journal.api("PromptsFunction", "prompts_random").body["promptId"] in {p["promptId"] for p in library["items"]}


@pytest.mark.clock
def test_the_daily_prompt_holds_all_day_and_an_answered_prompt_counts(journal, same_day):
    today = same_day(minutes=2, zone=journal.zone)
    daily = journal.api("PromptsFunction", "prompts_daily").body
    assert journal.api("PromptsFunction", "prompts_daily").body == daily and daily["date"] == today.isoformat()
    entry = journal.write("Answering today's prompt.", promptId=daily["promptId"])
    assert entry["promptId"] == daily["promptId"]
    assert journal.api("PromptsFunction", "prompts_daily").body == daily


# -- gamification -----------------------------------------------------------------------------------------
@pytest.mark.clock
def test_points_streaks_and_achievements_from_journal_and_quest_events(journal, sample):
    today = journal.today()
    for back in (2, 1, 0):
        journal.write("word " * 60, entryDate=(today - dt.timedelta(days=back)).isoformat())
    journal.drain("GamificationEventsFunction", keep=True)
    stats = journal.api("GamificationFunction", "gamification_stats").body
    assert stats["entries"] == 3 and stats["currentStreak"] == 3 and stats["points"] > 0
    achievements = journal.api("GamificationFunction", "gamification_achievements").body
    earned = {a["achievementId"] for a in achievements["earned"]}
    assert {"first_entry", "streak_3"} <= earned and all(a["earnedAt"] for a in achievements["earned"])
    assert all(0 <= a["progress"]["percent"] <= 100 for a in achievements["locked"])

    assert journal.replay("GamificationEventsFunction") == {"batchItemFailures": []}  # redelivered
    journal.drain("GamificationEventsFunction")
    assert journal.api("GamificationFunction", "gamification_stats").body["points"] == stats["points"]

    task = sample("gamification_events_batch")
    task["Records"] = task["Records"][1:]  # the TaskCompleted of the sample user
    journal.load_function("GamificationEventsFunction").lambda_handler(task, journal.context)
    after = journal.api("GamificationFunction", "gamification_stats").body
    assert after["points"] > stats["points"] and after["tasksCompleted"] == 1

    ledger = journal.api("GamificationFunction", "gamification_transactions", query={"limit": "100"}).body["items"]
    assert sum(line["points"] for line in ledger) == after["points"]
    assert ledger[0]["balance"] == after["points"]


def _ledger(journal: Any, limit: int = 100) -> list[dict[str, Any]]:
    """The whole ledger, newest first, read page by page as a client would."""
    lines, cursor = [], None
    while True:
        query = {"limit": str(limit), **({"cursor": cursor} if cursor else {})}
        page = journal.api("GamificationFunction", "gamification_transactions", query=query).body
        lines += page["items"]
        if not (cursor := page["nextCursor"]):
            return lines


def _task_completed(journal: Any, redate: Callable[..., Any], occurred: dt.datetime, event_id: str) -> dict[str, Any]:
    """The sample's TaskCompleted of the sample user, as the queue delivers it, having occurred at ``occurred``."""
    batch = redate(journal.sample("gamification_events_batch"), occurred.date())
    batch["Records"] = batch["Records"][1:]
    envelope = json.loads(batch["Records"][0]["body"])
    envelope["time"] = occurred.strftime("%Y-%m-%dT%H:%M:%SZ")
    envelope["detail"].update(eventId=event_id, occurredAt=clock.iso(occurred))
    batch["Records"][0]["body"] = json.dumps(envelope)
    return batch


@pytest.mark.clock
def test_the_ledger_is_in_award_order_and_agrees_with_the_stats_when_events_come_late_or_twice(journal, redate):
    today = journal.today()
    for back in (1, 0):
        journal.write("word " * 60, entryDate=(today - dt.timedelta(days=back)).isoformat())
    journal.drain("GamificationEventsFunction")
    consumer = journal.load_function("GamificationEventsFunction")

    week_ago = clock.now() - dt.timedelta(days=7)  # EventBridge retried it for a day; then a DLQ was redriven
    late = _task_completed(journal, redate, week_ago, "0f1e2d3c4b5a-late-task-event-0001")
    assert consumer.lambda_handler(late, journal.context) == {"batchItemFailures": []}
    assert consumer.lambda_handler(late, journal.context) == {"batchItemFailures": []}  # delivered again
    journal.write("word " * 60, entryDate=today.isoformat(), title="after the late event")
    journal.drain("GamificationEventsFunction")

    stats = journal.api("GamificationFunction", "gamification_stats").body
    ledger = _ledger(journal, limit=2)
    assert ledger == _ledger(journal), "pages of two lines make up the same ledger"
    assert stats["tasksCompleted"] == 1 and sum(line["points"] for line in ledger) == stats["points"]
    assert ledger[0]["balance"] == stats["points"]
    running = 0
    for line in reversed(ledger):  # every line's balance counts exactly the lines below it and itself
        running += line["points"]
        assert line["balance"] == running, line
    task_lines = [line for line in ledger if line["eventType"] == "TaskCompleted"]
    assert {line["occurredAt"] for line in task_lines} == {clock.iso(week_ago)}
    assert len({line["transactionId"] for line in ledger}) == len(ledger)
    order = [line["eventType"] for line in ledger]
    # newest award first: the last entry, then the late task (awarded after the first two entries although it happened before them)
    assert order.index("TaskCompleted") > 0 and order[0] == "EntryCreated"
    assert all(order[i] == "EntryCreated" for i in range(order.index("TaskCompleted") + len(task_lines), len(order)))
    assert [line["awardedAt"] for line in ledger] == sorted((line["awardedAt"] for line in ledger), reverse=True)


def test_stats_of_a_new_user_are_zero(journal):
    stats = journal.api("GamificationFunction", "gamification_stats").body
    assert stats["points"] == 0 and stats["level"] >= 1 and stats["currentStreak"] == 0
    assert journal.api("GamificationFunction", "gamification_transactions", query={}).body == {"items": [], "nextCursor": None}


# -- the user's data --------------------------------------------------------------------------------------
def test_me_exports_the_journal_and_points_and_erases_them_with_the_user(journal, api_event, move_clock):
    journal.write("To be exported, then erased.")
    journal.settle()
    exported = journal.invoke("MeFunction", api_event("GET", "/me/export"))
    data = exported.body["data"]
    assert len(data["journal"]["entries"]) == 1 and data["journal"]["entries"][0]["insight"]
    assert data["points"]["stats"]["entries"] == 1
    assert journal.invoke("MeFunction", api_event("DELETE", "/me")).status == 202
    journal.settle()
    move_clock(seconds=31)  # the erasers wait out the requests still in flight
    journal.settle()
    erasure = journal.invoke("MeFunction", api_event("GET", "/me/erasure")).body
    assert erasure["status"] == "erased" and erasure["erased"]["journal"] >= 2 and erasure["erased"]["points"] >= 1
    assert journal.api("EntriesFunction", "entries_list", query={}).status == 401  # the account opens nothing
    for variable in ("JOURNAL_TABLE", "GAMIFICATION_TABLE"):
        table = journal.deployment.functions["MeFunction"].environment[variable]
        left = boto3.client("dynamodb").scan(TableName=table)["Items"]
        assert [item["sk"]["S"] for item in left if item["pk"]["S"].endswith(SUB)] == ["ERASED"]


# -- the sample events ------------------------------------------------------------------------------------
# The API samples: tests/integration/test_sample_events.py (every product's, each answered by its function).


@pytest.mark.parametrize(
    ("function", "name"),
    [
        ("InsightFunction", "insights_entry_created"),
        ("SearchIndexerFunction", "search_indexer_entry_created"),
        ("GamificationEventsFunction", "gamification_events_batch"),
    ],
)
def test_every_queue_sample_is_handled(journal, function, name):
    assert journal.load_function(function).lambda_handler(journal.sample(name), journal.context) == {"batchItemFailures": []}


def test_the_custom_resource_sample_loads_the_library_and_answers_cloudformation(journal, cloudformation):
    event = journal.sample("prompt_library_create")
    event["ResourceProperties"]["TableName"] = journal.deployment.functions["PromptsFunction"].environment["PROMPTS_TABLE"]
    event["ResponseURL"] = cloudformation.url
    loader = journal.load_function("PromptLibraryFunction")
    assert loader.lambda_handler(event, journal.context)["Status"] == "SUCCESS"
    event["RequestType"], event["ResourceProperties"]["TableName"] = "Update", "no-such-table"
    assert loader.lambda_handler(event, journal.context)["Status"] == "FAILED"
    loaded, failed = cloudformation.answers
    assert loaded["Status"] == "SUCCESS" and loaded["Data"]["Prompts"] >= 100 and loaded["RequestId"] == event["RequestId"]
    assert failed["Status"] == "FAILED" and "ResourceNotFound" in failed["Reason"]


# -- the timezone has one owner: the profile ---------------------------------------------------------------
def test_the_timezone_is_the_profiles_and_the_copies_follow_it(journal, quests, api_event, move_clock):
    moved = journal.api("SettingsFunction", "settings_put", body={"timezone": "Asia/Tokyo"})
    assert moved.status == 200 and moved.body["timezone"] == "Asia/Tokyo"
    assert journal.invoke("MeFunction", api_event("GET", "/me")).body["timezone"] == "Asia/Tokyo"  # written on the profile
    rule = quests.api("quests_recurrence_create", body={"title": "Stretch", "rule": {"freq": "daily"}}).body
    journal.write("word " * 60)
    journal.settle()

    assert journal.invoke("MeFunction", api_event("PUT", "/me", body={"timezone": "America/Lima"})).status == 200
    assert journal.api("SettingsFunction", "settings_get").body["timezone"] == "America/Lima"
    journal.settle()
    move_clock(seconds=31)  # the account queues hold UserProfileUpdated as they hold any account event
    journal.settle()
    rules = quests.api("quests_recurrences_list", query={}).body["recurrences"]
    assert [r["timezone"] for r in rules if r["recurrenceId"] == rule["recurrenceId"]] == ["America/Lima"]
    table = journal.deployment.functions["GamificationFunction"].environment["GAMIFICATION_TABLE"]
    stats = boto3.client("dynamodb").get_item(TableName=table, Key={"pk": {"S": f"TENANT#acme#USER#{SUB}"}, "sk": {"S": "STATS"}})["Item"]
    assert stats["timezone"] == {"S": "America/Lima"}
