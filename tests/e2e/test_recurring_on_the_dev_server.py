"""The daily recurring-task run through `zik dev`, fanned out as in AWS: `zik schedule` fires the schedule's
dispatcher, which sends one message per shard of the active rules' index to the recurring-task queue,
whose event source mapping runs the worker: a rule's missing task is written again, once."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from devserver import ROOT, DevServer, eventually, new_user, zik_command

pytestmark = pytest.mark.e2e


def test_the_schedule_fans_out_to_the_worker_which_writes_a_rules_missing_task_once(dev: DevServer, on_one_day) -> None:
    token = dev.token(new_user())  # a new user without a profile: UTC
    rule = dev.request("POST", "/recurrences", token=token, body={"title": "Water the plants", "rule": {"freq": "daily"}})
    assert rule.status == 201, rule.raw
    rule_id = rule.body["recurrenceId"]

    def tomorrows(day: str) -> list[dict]:
        listed = dev.request("GET", f"/tasks?date={day}", token=token).body["tasks"]
        return [t for t in listed if t.get("recurrenceId") == rule_id]

    def remove_tomorrows_then_run(today: dt.date) -> None:
        tomorrow = (today + dt.timedelta(days=1)).isoformat()
        task_id = f"R-{rule_id}-{tomorrow.replace('-', '')}"
        assert dev.request("DELETE", f"/tasks/{task_id}", token=token).status in (200, 404)  # 404: a repeat of this block
        assert tomorrows(tomorrow) == []
        for _ in range(2):
            fired = subprocess.run(
                [*zik_command(), "schedule", "RecurringTaskGeneratorFunction", "--url", dev.url],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert fired.returncode == 0, fired.stdout + fired.stderr
        written = eventually(lambda: tomorrows(tomorrow), "tomorrow's task written again by the run's worker")
        assert [t["taskId"] for t in written] == [task_id]

    on_one_day(remove_tomorrows_then_run, zone="UTC")
    assert '"message":"recurring page"' in dev.output()
