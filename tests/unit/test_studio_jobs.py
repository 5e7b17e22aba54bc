"""zik.studio.tryons, the try-on job's rules without AWS (the quota's day and when it resets in any zone, what a
failed step tells the user, the job as the API shows it, ids), and zik.studio.session_store in moto (newest
first, capped, a day after the last try-on, a job recorded once)."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo, available_timezones

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from template_tables import template_table_properties

from zik import clock
from zik.claims import Claim
from zik.config import ConfigError
from zik.studio import tryons
from zik.studio.session_store import MAX_TRIES, SessionStore

# The tests marked clock read the user's day from the clock (the quota's day, its reset at midnight): make
# dates runs them at every moved instant (see tests/unit/conftest.py).

ZONES = sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))


@given(
    zone=st.sampled_from(ZONES),
    instant=st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2037, 12, 31), timezones=st.just(dt.UTC)),
)
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_the_quota_resets_at_the_first_instant_of_the_users_next_day(zone: str, instant: dt.datetime) -> None:
    day = tryons.quota_day(zone, instant)
    reset = tryons.resets_at(day, zone)
    assert reset > instant
    assert reset.astimezone(ZoneInfo(zone)).date() == day + dt.timedelta(days=1)
    assert (reset - dt.timedelta(seconds=1)).astimezone(ZoneInfo(zone)).date() == day
    assert reset.utcoffset() == dt.timedelta(0)


def test_midnight_around_a_dst_change_and_in_a_zone_a_day_ahead() -> None:
    # New York springs forward on 2026-03-08 at 02:00: that day is 23 hours long, its midnight still 05:00 UTC.
    assert tryons.resets_at("2026-03-07", "America/New_York") == dt.datetime(2026, 3, 8, 5, tzinfo=dt.UTC)
    assert tryons.resets_at("2026-03-08", "America/New_York") == dt.datetime(2026, 3, 9, 4, tzinfo=dt.UTC)
    # Kiritimati is UTC+14: its day ends at 10:00 UTC of the day before in UTC terms.
    assert tryons.resets_at("2026-12-31", "Pacific/Kiritimati") == dt.datetime(2026, 12, 31, 10, tzinfo=dt.UTC)
    at = dt.datetime(2026, 12, 31, 10, 30, tzinfo=dt.UTC)
    assert tryons.quota_day("Pacific/Kiritimati", at) == dt.date(2027, 1, 1) and tryons.quota_day("UTC", at) == dt.date(2026, 12, 31)


@pytest.mark.clock
def test_the_refusal_says_when_and_waits_until_then() -> None:
    day = clock.today("Asia/Tokyo")
    refusal = tryons.budget_exceeded(used=20, limit=20, day=day, timezone="Asia/Tokyo")
    reset = tryons.resets_at(day, "Asia/Tokyo")
    assert refusal.status == 429 and refusal.code == "budget_exceeded"
    assert refusal.details["resetsAt"] == clock.iso(reset) and clock.iso(reset) in refusal.message
    assert abs(refusal.retry_after_seconds - (reset - clock.now()).total_seconds()) <= 2
    assert refusal.headers() == {"Retry-After": str(refusal.retry_after_seconds)}
    past = tryons.budget_exceeded(used=3, limit=3, day=day - dt.timedelta(days=3), timezone="Asia/Tokyo")
    assert past.retry_after_seconds == 1  # never 0 or negative


def test_the_daily_limit_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRYON_DAILY_LIMIT", raising=False)
    assert tryons.daily_limit() == 20
    monkeypatch.setenv("TRYON_DAILY_LIMIT", "5")
    assert tryons.daily_limit() == 5
    monkeypatch.setenv("TRYON_DAILY_LIMIT", "many")
    with pytest.raises(ConfigError, match="TRYON_DAILY_LIMIT"):
        tryons.daily_limit()


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("NoFace", "no_face"),
        ("TryonBudgetExceeded", "budget_exceeded"),
        ("AIBudgetExceeded", "budget_exceeded"),
        ("AIUnavailable", "ai_unavailable"),
        ("SourcePhotoGone", "photo_not_found"),
        ("States.Timeout", "internal"),
        ("KeyError", "internal"),
        ("Lambda.ServiceException", "internal"),
    ],
)
def test_a_failed_step_is_told_to_the_user_by_its_name(name: str, code: str) -> None:
    cause = json.dumps({"errorMessage": "Traceback: secret internals at /var/task/app.py", "errorType": name})
    error = tryons.failure_of({"Error": name, "Cause": cause})
    assert error["code"] == code and error["message"]
    if code != "budget_exceeded":
        assert "internals" not in error["message"]  # only the quota's own message (when it resets) is passed on


@pytest.mark.clock
def test_the_quota_steps_own_message_is_passed_on_and_a_missing_error_is_internal() -> None:
    refusal = tryons.budget_exceeded(used=3, limit=3, day="2026-11-23", timezone="UTC")
    cause = json.dumps({"errorMessage": refusal.message, "errorType": "TryonBudgetExceeded"})
    assert tryons.failure_of({"Error": "TryonBudgetExceeded", "Cause": cause}) == {"code": "budget_exceeded", "message": refusal.message}
    assert tryons.failure_of({"Error": "TryonBudgetExceeded", "Cause": "not json"})["message"] == "today's try-ons are used up"
    assert tryons.failure_of(None)["code"] == "internal"


def test_a_job_as_the_api_shows_it() -> None:
    job = {
        "jobId": "j1",
        "userId": "u",
        "tenantId": "t",
        "photoId": "p1",
        "hairstyleId": "bob",
        "color": "#000000",
        "day": "2026-11-23",
        "timezone": "UTC",
        "status": "queued",
        "createdAt": "a",
        "updatedAt": "b",
        "statusTime": "b#j1",
        "version": 1,
        "countedAt": "c",
    }
    view = tryons.job_view(job)
    assert set(view) == {"jobId", "status", "photoId", "hairstyleId", "color", "day", "createdAt", "updatedAt", "progress", "links"}
    assert view["progress"] == 0 and "result" not in view and "error" not in view
    assert tryons.job_view({**job, "status": "running"})["progress"] == 40
    done = tryons.job_view({**job, "status": "succeeded", "resultPhotoId": "j1-result"}, result_links={"photoUrl": "u"})
    assert done["result"] == {"photoUrl": "u"} and done["links"]["result"] == "/studio/photos/j1-result" and done["progress"] == 100
    failed = tryons.job_view({**job, "status": "failed", "error": {"code": "no_face", "message": "m"}})
    assert failed["error"] == {"code": "no_face", "message": "m"} and "result" not in failed


def test_job_ids_come_from_the_key_or_at_random_and_name_their_result() -> None:
    claim = Claim(bytes(range(32)))
    assert tryons.new_job_id(claim) == tryons.new_job_id(claim) != tryons.new_job_id(Claim(bytes(32)))
    ids = {tryons.new_job_id() for _ in range(200)}
    assert len(ids) == 200 and all(i.startswith("j") and len(i) == 17 and i.isalnum() for i in ids)
    assert tryons.result_photo_id("jabc") == "jabc-result"


# -- sessions ------------------------------------------------------------------------------------------------------
@pytest.fixture
def sessions(aws) -> SessionStore:
    client = boto3.client("dynamodb")
    client.create_table(TableName="test-sessions", **template_table_properties("UserSessionsTable"))
    return SessionStore("test-sessions", client=client)


def test_a_session_holds_the_styles_tried_newest_first_capped_and_each_job_once(sessions: SessionStore) -> None:
    for number in range(MAX_TRIES + 5):
        sessions.record("u1", "p1", {"jobId": f"j{number}", "hairstyleId": "bob", "color": None})
    sessions.record("u1", "p1", {"jobId": f"j{MAX_TRIES + 4}", "hairstyleId": "bob", "color": None})  # a retried request
    session = sessions.get("u1", "p1")
    assert [t["jobId"] for t in session["tries"]] == [f"j{n}" for n in range(MAX_TRIES + 4, 4, -1)]
    assert session["version"] == MAX_TRIES + 5 and session["photoId"] == "p1"
    assert sessions.get("u1", "p2") is None and sessions.get("u2", "p1") is None


def test_a_session_ends_a_day_after_its_last_try_on(sessions: SessionStore, move_clock) -> None:
    sessions.record("u1", "p1", {"jobId": "j1", "hairstyleId": "bob", "color": None})
    move_clock(seconds=23 * 3600)
    sessions.record("u1", "p1", {"jobId": "j2", "hairstyleId": "bob", "color": None})
    move_clock(seconds=23 * 3600)
    assert [t["jobId"] for t in sessions.get("u1", "p1")["tries"]] == ["j2", "j1"]
    move_clock(seconds=2 * 3600)
    assert sessions.get("u1", "p1") is None  # expired, though DynamoDB's TTL may not have deleted it yet
    fresh = sessions.record("u1", "p1", {"jobId": "j3", "hairstyleId": "bob", "color": None})
    assert [t["jobId"] for t in fresh["tries"]] == ["j3"]


def test_a_session_written_meanwhile_is_read_again_not_overwritten(sessions: SessionStore, monkeypatch: pytest.MonkeyPatch) -> None:
    sessions.record("u1", "p1", {"jobId": "j1", "hairstyleId": "bob", "color": None})
    real_get = sessions.client.get_item
    raced = []

    def get_item(**kwargs):
        answer = real_get(**kwargs)
        if not raced:  # another try-on of the photo writes between this read and this write
            raced.append(True)
            SessionStore("test-sessions", client=boto3.client("dynamodb")).record("u1", "p1", {"jobId": "j2", "hairstyleId": "bob", "color": None})
        return answer

    monkeypatch.setattr(sessions.client, "get_item", get_item)
    sessions.record("u1", "p1", {"jobId": "j3", "hairstyleId": "bob", "color": None})
    assert [t["jobId"] for t in sessions.get("u1", "p1")["tries"]] == ["j3", "j2", "j1"]
