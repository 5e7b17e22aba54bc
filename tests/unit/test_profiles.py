"""zik.platform: profile rules (no AWS), the profile store (moto) and the Cognito identity's erasure."""

from __future__ import annotations

import boto3
import pytest

from zik.errors import InvalidRequest, VersionConflict
from zik.platform import profiles
from zik.platform.identity import delete_identity
from zik.platform.store import PROFILE, ProfileStore
from zik.principal import Principal

ADA = Principal(user_id="8f1c2a7e-4b3d-4c9a-9e61-2d5b7f0a1c34", tenant_id="acme", email="ada@example.com", name="Ada Lovelace")


# -- rules ------------------------------------------------------------------------------------------------
def test_default_profile_is_version_0_with_claims_and_defaults():
    profile = profiles.default_profile(ADA)
    assert profile == {
        "userId": ADA.user_id,
        "tenantId": "acme",
        "email": "ada@example.com",
        "displayName": "Ada Lovelace",
        "timezone": "UTC",
        "locale": "en",
        "preferences": profiles.DEFAULT_PREFERENCES,
        "version": 0,
    }


def test_default_display_name_falls_back_to_the_email_then_nothing():
    assert profiles.default_profile(Principal("u", "t", email="grace@example.com"))["displayName"] == "grace"
    assert profiles.default_profile(Principal("u", "t"))["displayName"] is None


def test_default_preferences_are_a_copy():
    profile = profiles.default_profile(ADA)
    profile["preferences"]["notifications"]["email"] = False
    assert profiles.DEFAULT_PREFERENCES["notifications"]["email"] is True


@pytest.mark.parametrize("name", ["Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Etc/GMT+5"])
def test_iana_timezones_are_accepted(name):
    assert profiles.check_timezone(name) == name


@pytest.mark.parametrize("name", ["UTC", "utc"])
def test_utc_in_any_case_is_utc(name):
    assert profiles.check_timezone(name) == "UTC"


@pytest.mark.parametrize("name", ["Mars/Base", "europe/paris", "EST+5", "../../etc/passwd", "/usr/share/zoneinfo/UTC", "Europe/", "GMT+25"])
def test_anything_else_is_refused_naming_timezone(name):
    with pytest.raises(InvalidRequest) as caught:
        profiles.check_timezone(name)
    assert caught.value.field == "timezone"
    assert caught.value.status == 400


def test_apply_update_merges_preferences_key_by_key():
    current = profiles.default_profile(ADA)
    merged = profiles.apply_update(
        current,
        {"displayName": "Ada L.", "preferences": {"theme": "dark", "notifications": {"dailyDigest": True}}},
    )
    assert merged["displayName"] == "Ada L."
    assert merged["preferences"] == {
        "theme": "dark",
        "weekStartsOn": "monday",
        "units": "metric",
        "notifications": {"email": True, "push": True, "dailyDigest": True},
    }
    # The current profile is left as it was.
    assert current["preferences"] == profiles.DEFAULT_PREFERENCES
    assert current["displayName"] == "Ada Lovelace"


def test_apply_update_checks_the_timezone():
    current = profiles.default_profile(ADA)
    assert profiles.apply_update(current, {"timezone": "America/New_York"})["timezone"] == "America/New_York"
    with pytest.raises(InvalidRequest) as caught:
        profiles.apply_update(current, {"timezone": "Mars/Base"})
    assert caught.value.field == "timezone"


def test_apply_update_with_a_stale_version_is_a_version_conflict():
    current = {**profiles.default_profile(ADA), "version": 3}
    with pytest.raises(VersionConflict) as caught:
        profiles.apply_update(current, {"displayName": "x", "version": 2})
    assert caught.value.details == {"currentVersion": 3}
    assert profiles.apply_update(current, {"displayName": "x", "version": 3})["displayName"] == "x"
    assert profiles.apply_update(current, {"displayName": "y"})["displayName"] == "y"


def test_changed_fields_lists_what_differs():
    before = profiles.default_profile(ADA)
    after = profiles.apply_update(before, {"timezone": "Europe/Paris", "preferences": {"units": "imperial"}, "locale": "en"})
    assert profiles.changed_fields(before, after) == ["preferences", "timezone"]
    assert profiles.changed_fields(before, before) == []


# -- store ------------------------------------------------------------------------------------------------
@pytest.fixture
def store(users_table) -> ProfileStore:
    return ProfileStore(users_table)


def test_store_without_a_table_needs_users_table(monkeypatch):
    from zik.config import ConfigError

    monkeypatch.delenv("USERS_TABLE", raising=False)
    with pytest.raises(ConfigError, match="USERS_TABLE"):
        ProfileStore()


def test_first_save_creates_version_1_under_the_owners_partition(store, users_table):
    assert store.get(ADA) is None
    saved = store.save(ADA, profiles.default_profile(ADA), expected_version=0, changed=[])
    assert saved["version"] == 1
    assert "pk" not in saved and "sk" not in saved
    raw = users_table.get(ADA.partition, PROFILE)
    assert raw["pk"] == "TENANT#acme#USER#8f1c2a7e-4b3d-4c9a-9e61-2d5b7f0a1c34"
    assert raw["timezone"] == "UTC"
    assert store.get(ADA) == saved


def test_second_first_save_is_a_version_conflict(store):
    store.save(ADA, profiles.default_profile(ADA), expected_version=0, changed=[])
    with pytest.raises(VersionConflict) as caught:
        store.save(ADA, {**profiles.default_profile(ADA), "displayName": "late"}, expected_version=0, changed=[])
    assert caught.value.details == {"currentVersion": 1}
    assert store.get(ADA)["displayName"] == "Ada Lovelace"


def test_save_of_the_read_version_updates_and_a_stale_one_conflicts(store):
    first = store.save(ADA, profiles.default_profile(ADA), expected_version=0, changed=[])
    second = store.save(ADA, {**first, "timezone": "Europe/Paris"}, expected_version=1, changed=["timezone"])
    assert second["version"] == 2 and second["timezone"] == "Europe/Paris"
    with pytest.raises(VersionConflict):
        store.save(ADA, {**first, "timezone": "Asia/Tokyo"}, expected_version=1, changed=["timezone"])
    assert store.get(ADA)["timezone"] == "Europe/Paris"


def test_store_keeps_users_and_tenants_apart(store):
    grace = Principal(user_id="0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d", tenant_id="acme", email="grace@example.com")
    ada_elsewhere = Principal(user_id=ADA.user_id, tenant_id="globex", email=ADA.email)
    store.save(ADA, profiles.default_profile(ADA), expected_version=0, changed=[])
    assert store.get(grace) is None
    assert store.get(ada_elsewhere) is None


def test_erase_is_idempotent(store):
    store.save(ADA, profiles.default_profile(ADA), expected_version=0, changed=[])
    assert store.erase(ADA) == 1
    assert store.get(ADA) is None
    assert store.erase(ADA) == 0


# -- identity ---------------------------------------------------------------------------------------------
@pytest.fixture
def user_pool(aws, monkeypatch):
    cognito = boto3.client("cognito-idp")
    pool = cognito.create_user_pool(PoolName="zik-test-users", UsernameAttributes=["email"])["UserPool"]["Id"]
    monkeypatch.setenv("USER_POOL_ID", pool)
    return cognito, pool


def test_delete_identity_removes_the_cognito_user_by_subject(user_pool):
    cognito, pool = user_pool
    user = cognito.admin_create_user(UserPoolId=pool, Username="ada@example.com", UserAttributes=[{"Name": "email", "Value": "ada@example.com"}])[
        "User"
    ]
    sub = next(a["Value"] for a in user["Attributes"] if a["Name"] == "sub")
    owner = Principal(user_id=sub, tenant_id="acme", email="ada@example.com")
    assert delete_identity(owner) is True
    assert cognito.list_users(UserPoolId=pool)["Users"] == []
    assert delete_identity(owner) is False  # already gone: not an error


def test_delete_identity_without_a_pool_does_nothing(monkeypatch):
    monkeypatch.delenv("USER_POOL_ID", raising=False)
    assert delete_identity(ADA) is False
