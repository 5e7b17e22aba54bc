"""The career profile's rules (zik.career.profiles): defaults, the vocabulary's names, checked stages and
currencies, preferences merged key by key, saves at the version read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from zik.career import profiles
from zik.errors import Conflict, InvalidRequest, VersionConflict
from zik.principal import Principal

ADA = Principal(user_id="u-ada", tenant_id="acme", name="  Ada Lovelace ")


class MemoryStore:
    """CareerProfileStore's contract, in memory: a save holds only at the stored version."""

    def __init__(self, item: dict[str, Any] | None = None, *, interfere: int = 0):
        self.item = item
        self.saves: list[dict[str, Any]] = []
        self.interfere = interfere  # how many saves another writer wins first

    def read(self, owner: Principal) -> dict[str, Any] | None:
        return dict(self.item) if self.item else None

    def save(self, owner: Principal, changes: Mapping[str, Any], *, expected_version: int) -> dict[str, Any]:
        if self.interfere:
            self.interfere -= 1
            stored = dict(self.item or {})
            stored["version"] = int(stored.get("version") or 0) + 1
            stored["skills"] = [*stored.get("skills", []), "Git"]
            self.item = stored
        current = int((self.item or {}).get("version") or 0)
        if current != expected_version:
            raise VersionConflict(expected_version, current)
        self.saves.append(dict(changes))
        self.item = {**(self.item or {}), **{k: v for k, v in changes.items() if v is not None}, "version": current + 1}
        for key in [k for k, v in changes.items() if v is None]:
            self.item.pop(key, None)
        return dict(self.item)


def test_a_new_profile_is_its_defaults_at_version_0_named_by_the_token():
    profile = profiles.Profiles(MemoryStore()).get(ADA)
    assert profile == {
        "userId": "u-ada",
        "name": "Ada Lovelace",
        "careerStage": None,
        "skills": [],
        "preferences": {"roles": [], "locations": [], "remote": "any", "minSalary": None, "currency": None},
        "version": 0,
        "createdAt": None,
        "updatedAt": None,
    }


def test_a_profile_the_resumes_wrote_first_is_still_version_0_and_shows_the_resume():
    resume = {"resumeId": "r1", "skills": ["Python"], "seniority": "senior", "analyzedAt": "2026-11-23T10:00:00.000Z"}
    profile = profiles.view(ADA, {"pk": "p", "sk": "PROFILE", "resume": resume})
    assert profile["version"] == 0 and profile["resume"] == resume and profile["skills"] == []
    assert profiles.all_skills({"skills": ["python", "AWS"], "resume": resume}) == ["Python", "AWS"]
    assert profiles.career_seniority({"careerStage": None, "resume": resume}) == "senior"
    assert profiles.career_seniority({"careerStage": "entry", "resume": resume}) == "junior"  # what the person says comes first


def test_a_save_writes_skills_in_the_vocabularys_names_and_merges_preferences():
    store = MemoryStore()
    service = profiles.Profiles(store)
    saved = service.update(
        ADA,
        {
            "skills": ["python", "Postgres", "PYTHON", "  Rust  Lang "],
            "careerStage": "Senior",
            "preferences": {"roles": ["Backend  Engineer"], "currency": "eur", "minSalary": 70000},
        },
    )
    assert saved["skills"] == ["Python", "PostgreSQL", "Rust Lang"]
    assert saved["careerStage"] == "senior" and saved["version"] == 1
    assert saved["preferences"] == {"roles": ["Backend Engineer"], "locations": [], "remote": "any", "minSalary": 70000, "currency": "EUR"}
    assert store.saves[0]["name"] == "Ada Lovelace"  # the first save keeps the token's name

    again = service.update(ADA, {"preferences": {"remote": "remote"}, "version": 1})
    assert again["preferences"]["roles"] == ["Backend Engineer"] and again["preferences"]["remote"] == "remote"
    assert again["version"] == 2 and "name" not in store.saves[1]

    cleared = service.update(ADA, {"careerStage": None, "preferences": {"minSalary": None, "currency": None}})
    assert cleared["careerStage"] is None and cleared["preferences"]["minSalary"] is None and cleared["version"] == 3


def test_a_save_that_changes_nothing_writes_nothing():
    store = MemoryStore({"skills": ["Python"], "version": 4})
    assert profiles.Profiles(store).update(ADA, {"skills": ["python"]})["version"] == 4
    assert store.saves == []


def test_a_stale_version_is_a_409_naming_the_current_one():
    store = MemoryStore({"skills": ["Python"], "version": 3})
    with pytest.raises(VersionConflict) as stale:
        profiles.Profiles(store).update(ADA, {"skills": ["Go"], "version": 2})
    assert stale.value.details == {"currentVersion": 3} and store.saves == []


def test_without_a_version_a_save_is_merged_into_the_newest_profile():
    store = MemoryStore({"skills": ["Python"], "version": 1}, interfere=1)  # another tab saves first
    saved = profiles.Profiles(store).update(ADA, {"preferences": {"locations": ["Berlin"]}})
    assert saved["version"] == 3 and saved["skills"] == ["Python", "Git"] and saved["preferences"]["locations"] == ["Berlin"]


def test_a_save_that_never_finds_the_profile_still_gives_up_with_a_409():
    store = MemoryStore({"version": 1}, interfere=profiles.SAVE_ATTEMPTS)
    with pytest.raises(Conflict):
        profiles.Profiles(store).update(ADA, {"skills": ["Go"]})


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"careerStage": "wizard"}, "careerStage"),
        ({"preferences": {"currency": "ABC"}}, "preferences.currency"),
        ({"preferences": {"currency": "XAU"}}, "preferences.currency"),  # a metal, not a currency
    ],
)
def test_values_outside_the_vocabulary_are_refused_naming_the_field(data, field):
    with pytest.raises(InvalidRequest) as refused:
        profiles.merged(profiles.defaults(ADA), data)
    assert refused.value.field == field


def test_every_career_stage_of_the_vocabulary_is_taken():
    from zik.career import vocabulary

    for stage in vocabulary.career_stages():
        assert profiles.check_career_stage(stage.upper()) == stage


def test_the_fingerprint_moves_with_the_version_and_the_resume_only():
    base = {"version": 2, "skills": ["Python"], "resume": {"resumeId": "r1", "analyzedAt": "2026-11-23T10:00:00.000Z"}}
    assert profiles.fingerprint(base) == profiles.fingerprint({**base, "skills": ["Go"]})  # a save moves the version anyway
    assert profiles.fingerprint(base) != profiles.fingerprint({**base, "version": 3})
    assert profiles.fingerprint(base) != profiles.fingerprint({**base, "resume": {"resumeId": "r2", "analyzedAt": "2026-11-23T10:00:00.000Z"}})
    assert profiles.fingerprint(base) != profiles.fingerprint({**base, "resume": {"resumeId": "r1", "analyzedAt": "2026-11-24T10:00:00.000Z"}})
