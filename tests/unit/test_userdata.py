"""zik.userdata: every domain's export and erase hooks, reached by GET /me/export and DELETE /me."""

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

    def erase(self, owner: Principal) -> int:
        return len(self.items.pop(owner.partition, []))


def test_registry_starts_empty_in_each_test():
    assert userdata.hooks() == []
    assert userdata.export_all(OWNER) == {}
    assert userdata.erase_all(OWNER) == {}


def test_export_and_erase_reach_every_registered_domain_in_name_order():
    quests = FakeDomain("quests", ["q1", "q2"])
    journal = FakeDomain("journal", ["j1"])
    userdata.register("quests", export=quests.export, erase=quests.erase)
    userdata.register("journal", export=journal.export, erase=journal.erase)
    assert [hook.domain for hook in userdata.hooks()] == ["journal", "quests"]
    assert userdata.export_all(OWNER) == {"journal": ["j1"], "quests": ["q1", "q2"]}
    assert userdata.erase_all(OWNER) == {"journal": 1, "quests": 2}


def test_erasure_is_idempotent():
    quests = FakeDomain("quests", ["q1"])
    userdata.register("quests", export=quests.export, erase=quests.erase)
    assert userdata.erase_all(OWNER) == {"quests": 1}
    assert userdata.erase_all(OWNER) == {"quests": 0}
    assert userdata.export_all(OWNER) == {"quests": []}


def test_registering_the_same_hooks_again_is_harmless():
    # Bound methods: each ``quests.export`` is a new object, yet the same hook.
    quests = FakeDomain("quests", ["q1"])
    userdata.register("quests", export=quests.export, erase=quests.erase)
    userdata.register("quests", export=quests.export, erase=quests.erase)
    assert len(userdata.hooks()) == 1


def test_a_second_domain_under_the_same_name_is_refused():
    first, second = FakeDomain("quests", []), FakeDomain("quests", [])
    userdata.register("quests", export=first.export, erase=first.erase)
    with pytest.raises(ValueError, match="already registered"):
        userdata.register("quests", export=second.export, erase=second.erase)
    with pytest.raises(ValueError, match="already registered"):
        userdata.register("quests", export=first.export, erase=second.erase)
