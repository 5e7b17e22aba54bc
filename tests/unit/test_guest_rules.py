"""The guests' rules that need no AWS: their generated credentials, the password policy the platform checks
before it changes a user (the template's own), the shards of the activity index and the inactivity cutoff."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st
from template_tables import _template_resources

from zik.platform import guests, passwords


def test_the_password_rules_are_the_user_pools():
    policy = _template_resources()["UserPool"]["Properties"]["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] == passwords.MINIMUM_LENGTH
    assert (policy["RequireUppercase"], policy["RequireLowercase"], policy["RequireNumbers"], policy["RequireSymbols"]) == (
        passwords.REQUIRE_UPPERCASE,
        passwords.REQUIRE_LOWERCASE,
        passwords.REQUIRE_NUMBERS,
        passwords.REQUIRE_SYMBOLS,
    )


def test_each_missing_rule_is_named():
    assert passwords.problems("Analytical-Engine-1843") == []
    assert passwords.problems("short") == ["at least 8 characters", "an upper case letter", "a digit", "a symbol"]
    assert passwords.problems("ALLUPPER1!") == ["a lower case letter"]
    assert passwords.problems(" Padded-Pass1 ") == ["no space at either end"]
    assert passwords.problems("Aa1!" * 65) == ["at most 256 characters"]
    # Letters Cognito does not count as upper or lower case (it checks ASCII) do not pass for them.
    assert passwords.problems("ÉÇÀ-éçà-1") == ["an upper case letter", "a lower case letter"]


def test_a_guests_generated_credentials_are_new_each_time_and_meet_the_policy():
    made = [guests.new_credentials() for _ in range(50)]
    assert len({username for username, _ in made}) == len({secret for _, secret in made}) == 50
    for username, secret in made:
        assert username.endswith("@" + guests.GUEST_DOMAIN) and username.startswith("guest-")
        assert passwords.problems(secret) == []


@given(st.text(min_size=1, max_size=64))
def test_every_user_has_one_shard_of_the_sixteen(user_id):
    shard = guests.shard_of(user_id)
    assert shard == guests.shard_of(user_id) and shard in guests.shards()


def test_guests_spread_over_the_shards():
    counts = {shard: 0 for shard in guests.shards()}
    for n in range(1600):
        counts[guests.shard_of(f"user-{n}")] += 1
    assert min(counts.values()) > 60  # about 100 each: no shard of the index is hot


def test_the_cutoff_is_thirty_days_before_now_as_the_index_writes_instants():
    now = dt.datetime(2028, 3, 1, 0, 0, 30, tzinfo=dt.UTC)
    assert guests.inactive_cutoff(now) == "2028-01-31T00:00:30.000Z"  # across a leap February
    assert guests.owner_of_partition("TENANT#default#USER#a-b#c").user_id == "a-b#c"
