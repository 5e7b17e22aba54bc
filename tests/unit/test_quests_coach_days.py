"""The offline coach and the days that already have enough (busyDays), the order of a milestone's tasks,
and a goal in French coached in French."""

from __future__ import annotations

import datetime as dt

import pytest

import zik.quests.ai_tasks  # noqa: F401  (registers the quests tasks)
from zik import ai
from zik.quests import offline

TODAY = dt.date(2026, 3, 1)
COACH = ai.get("quests.coach")


def day(n: int) -> str:
    return (TODAY + dt.timedelta(days=n)).isoformat()


def coach(goal: str, milestone: str, number: int = 1, count: int = 5, due_in: int = 14, busy: dict[int, int] | None = None) -> dict:
    answer = offline.coach(
        {
            "goalTitle": goal,
            "goalDescription": "",
            "milestoneTitle": milestone,
            "milestoneDescription": "",
            "milestoneDueDate": day(due_in),
            "milestoneNumber": number,
            "milestoneCount": count,
            "today": TODAY.isoformat(),
            "busyDays": {day(n): tasks for n, tasks in (busy or {}).items()},
        }
    )
    assert COACH.validate(answer) == answer
    return answer


def test_without_busy_days_the_first_task_is_today_and_the_last_on_the_due_date() -> None:
    dates = [t["dueDate"] for t in coach("Learn Spanish", "Set up a daily Spanish routine")["tasks"]]
    assert dates[0] == day(0) and dates[-1] == day(14) and dates == sorted(dates)


@pytest.mark.parametrize(("busy", "first"), [({0: 3}, 1), ({0: 5, 1: 4}, 2), ({0: 2}, 0), ({0: 3, 1: 1, 2: 3}, 1)])
def test_the_first_task_is_on_the_first_day_with_room(busy: dict[int, int], first: int) -> None:
    answer = coach("Run a marathon", "Build a base: run 3 times a week", busy=busy)
    dates = [t["dueDate"] for t in answer["tasks"]]
    assert dates[0] == day(first)
    assert not [d for d in dates if busy.get((dt.date.fromisoformat(d) - TODAY).days, 0) >= 3]  # no task on a full day
    if first:
        assert day(first) in answer["message"] and "already full" in answer["message"]


def test_when_every_day_is_full_the_tasks_still_land_inside_the_window() -> None:
    dates = [t["dueDate"] for t in coach("Pay off my debt", "List every debt", due_in=4, busy=dict.fromkeys(range(5), 4))["tasks"]]
    assert dates[0] == day(0) and dates[-1] == day(4)


def test_a_milestone_already_due_puts_everything_today_even_a_full_today() -> None:
    dates = {t["dueDate"] for t in coach("Learn Python", "Finish the first pass", number=3, due_in=-3, busy={0: 6})["tasks"]}
    assert dates == {day(0)}


@pytest.mark.parametrize(
    ("goal", "milestone"),
    [("Lose 10 kg", "Goal weight: Lose 10 kg"), ("Run a marathon", "Race day: Run a marathon"), ("Do 20 pull-ups", "Final test: Do 20 pull-ups")],
)
def test_a_last_milestone_gets_ready_before_the_finish(goal: str, milestone: str) -> None:
    titles = [t["title"] for t in coach(goal, milestone, number=5, count=5)["tasks"]]
    assert not any(word in titles[0].lower() for word in ("final", "last weigh-in", "race day")), titles
    assert titles[-1] == f"Check the goal is met: {goal}"


def test_set_up_tasks_come_before_the_practice_and_the_review_last() -> None:
    titles = [t["title"] for t in coach("Save $5000 for a trip", "Reach the halfway mark: $2,500 saved", number=3)["tasks"]]
    assert titles[0] == "Plan next month's budget"
    assert titles[-1].startswith("Review progress on")


def test_a_goal_in_french_is_coached_in_french() -> None:
    answer = coach("Courir un semi-marathon", "Construire une base : courir 3 fois par semaine", busy={0: 3})
    assert answer["message"].startswith("Étape 1 sur 5")
    assert "Vos prochains jours sont déjà pleins" in answer["message"]
    assert answer["tasks"][-1]["title"].startswith("Faire le point")
