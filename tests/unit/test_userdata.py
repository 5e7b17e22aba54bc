"""zik.userdata: every domain's export and erasure hooks, reached by GET /me/export and a user's erasure
(a page at a time)."""

from __future__ import annotations

import pytest

from zik import userdata
from zik.principal import Principal

OWNER = Principal(user_id="u-1", tenant_id="acme")


class FakeDomain:
    def __init__(self, name: str, items: list[str]):
        self.name = name
        self.items = {OWNER.partition: list(items)}

    def export(self, owner: Principal):
        return list(self.items.get(owner.partition, []))

    def erase_page(self, owner: Principal, limit: int) -> tuple[int, bool]:
        items = self.items.get(owner.partition, [])
        gone, self.items[owner.partition] = items[:limit], items[limit:]
        return len(gone), not self.items[owner.partition]


def test_registry_starts_empty_in_each_test():
    assert userdata.hooks() == []
    assert userdata.export_all(OWNER) == {}
    assert userdata.erase_all(OWNER) == {}


def test_export_and_erase_reach_every_registered_domain_in_name_order():
    quests = FakeDomain("quests", ["q1", "q2"])
    journal = FakeDomain("journal", ["j1"])
    userdata.register("quests", export=quests.export, erase_page=quests.erase_page)
    userdata.register("journal", export=journal.export, erase_page=journal.erase_page)
    assert [hook.domain for hook in userdata.hooks()] == ["journal", "quests"]
    assert userdata.export_all(OWNER) == {"journal": ["j1"], "quests": ["q1", "q2"]}
    assert userdata.erase_all(OWNER) == {"journal": 1, "quests": 2}


def test_erasure_is_idempotent():
    quests = FakeDomain("quests", ["q1"])
    userdata.register("quests", export=quests.export, erase_page=quests.erase_page)
    assert userdata.erase_all(OWNER) == {"quests": 1}
    assert userdata.erase_all(OWNER) == {"quests": 0}
    assert userdata.export_all(OWNER) == {"quests": []}


def test_a_large_erasure_goes_a_page_at_a_time_until_nothing_is_left():
    quests = FakeDomain("quests", [f"q{n}" for n in range(25)])
    userdata.register("quests", export=quests.export, erase_page=quests.erase_page)
    assert userdata.hook("quests").erase_page(OWNER, 10) == (10, False)
    assert userdata.erase_all(OWNER, page=10) == {"quests": 15}
    with pytest.raises(LookupError, match="career"):
        userdata.hook("career")


def test_registering_the_same_hooks_again_is_harmless():
    # Bound methods: each ``quests.export`` is a new object, yet the same hook; so is the same store's code
    # on another object (two functions loaded in one process each make their store).
    quests, again = FakeDomain("quests", ["q1"]), FakeDomain("quests", [])
    userdata.register("quests", export=quests.export, erase_page=quests.erase_page)
    userdata.register("quests", export=quests.export, erase_page=quests.erase_page)
    userdata.register("quests", export=again.export, erase_page=again.erase_page)
    assert len(userdata.hooks()) == 1


class OtherDomain(FakeDomain):
    def export(self, owner: Principal):
        return {"other": True}

    def erase_page(self, owner: Principal, limit: int) -> tuple[int, bool]:
        return 0, True


def test_a_second_domain_under_the_same_name_is_refused():
    first, second = FakeDomain("quests", []), OtherDomain("quests", [])
    userdata.register("quests", export=first.export, erase_page=first.erase_page)
    with pytest.raises(ValueError, match="already registered"):
        userdata.register("quests", export=second.export, erase_page=second.erase_page)
    with pytest.raises(ValueError, match="already registered"):
        userdata.register("quests", export=first.export, erase_page=second.erase_page)
