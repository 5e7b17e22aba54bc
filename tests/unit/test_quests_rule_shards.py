"""The shards of the active rules' index: a rule's shard is stable (the same in every process and release:
the daily run reads the keys rules were written under) and rules spread evenly over the 32 shards."""

from __future__ import annotations

import random
import subprocess
import sys
from collections import Counter

from zik.quests.store import ACTIVE_RULE_PARTITIONS, ACTIVE_RULE_SHARDS, RULE_SHARDS, UNSHARDED_ACTIVE_RULES, rule_shard


def test_the_index_has_32_shards_and_the_unsharded_key_the_daily_run_still_reads() -> None:
    assert RULE_SHARDS == len(set(ACTIVE_RULE_SHARDS)) == 32
    assert ACTIVE_RULE_SHARDS[0] == "RULES#ACTIVE#00" and ACTIVE_RULE_SHARDS[-1] == "RULES#ACTIVE#31"
    assert ACTIVE_RULE_PARTITIONS == (*ACTIVE_RULE_SHARDS, UNSHARDED_ACTIVE_RULES) and UNSHARDED_ACTIVE_RULES == "RULES#ACTIVE"


def test_a_rules_shard_never_changes() -> None:
    # Pinned: a change of the hash would leave every rule written before it under a key the run no longer reads.
    assert rule_shard("TENANT#acme#USER#alice", "r0123456789ab") == "RULES#ACTIVE#07"
    assert rule_shard("TENANT#acme#USER#bob", "r0123456789ab") == "RULES#ACTIVE#22"
    assert rule_shard("TENANT#default#USER#8f1c2a7e-4b3d-4c9a-9e61-2d5b7f0a1c34", "r000000000000") == "RULES#ACTIVE#05"


def test_the_shard_is_the_same_in_another_process() -> None:
    # Python salts str hashes per process (PYTHONHASHSEED): a shard must not depend on it.
    code = "from zik.quests.store import rule_shard; print(rule_shard('TENANT#acme#USER#alice', 'r0123456789ab'))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env={"PYTHONPATH": ":".join(sys.path), "PYTHONHASHSEED": "12345"}
    )
    assert done.stdout.strip() == rule_shard("TENANT#acme#USER#alice", "r0123456789ab"), done.stderr


def test_rules_spread_evenly_over_the_shards() -> None:
    rng = random.Random(12)
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
    owners = [f"TENANT#t{rng.randrange(5)}#USER#{rng.getrandbits(64):016x}" for _ in range(4000)]
    counts = Counter(rule_shard(rng.choice(owners), "r" + "".join(rng.choice(alphabet) for _ in range(12))) for _ in range(32_000))
    assert set(counts) == set(ACTIVE_RULE_SHARDS)
    # 1,000 a shard on average; a binomial's standard deviation here is about 31.
    assert max(counts.values()) < 1150 and min(counts.values()) > 850, counts


def test_one_users_rules_and_one_rule_id_across_users_are_spread_too() -> None:
    rng = random.Random(7)
    one_user = Counter(rule_shard("TENANT#acme#USER#alice", f"r{rng.getrandbits(48):012x}") for _ in range(3200))
    one_id = Counter(rule_shard(f"TENANT#acme#USER#u{n}", "r0123456789ab") for n in range(3200))
    for counts in (one_user, one_id):
        assert len(counts) == 32 and max(counts.values()) < 150, counts
