"""Quest rules without AWS: plans and tasks kept within their dates, status changes, the user's today."""

from __future__ import annotations

import datetime as dt

import pytest

from zik.errors import Conflict, InvalidRequest
from zik.quests import model

TODAY = dt.date(2026, 11, 23)


def milestone(title: str, due: str) -> dict[str, str]:
    return {"title": title, "description": "", "dueDate": due}


def test_a_plan_is_ordered_and_kept_between_tomorrow_and_the_target() -> None:
    plan = model.normalise_plan(
        [milestone("C", "2027-05-01"), milestone(" A  first ", "2026-11-01"), milestone("B", "2026-12-15")],
        TODAY,
        dt.date(2027, 3, 1),
    )

    assert [m["title"] for m in plan] == ["A first", "B", "C"]
    assert [m["dueDate"] for m in plan] == ["2026-11-24", "2026-12-15", "2027-03-01"]


def test_a_plan_without_target_stays_within_the_default_horizon_and_dates_never_go_back() -> None:
    plan = model.normalise_plan([milestone("A", "2026-12-01"), milestone("B", "2026-12-01"), milestone("C", "2030-01-01")], TODAY, None)

    dates = [dt.date.fromisoformat(m["dueDate"]) for m in plan]
    assert dates == sorted(dates) and len(set(dates)) == 3
    assert dates[-1] == TODAY + dt.timedelta(days=model.DEFAULT_HORIZON_DAYS)


def test_too_short_a_plan_is_refused_and_a_long_one_cut_to_seven() -> None:
    with pytest.raises(ValueError, match="3 to 7 milestones"):
        model.normalise_plan([milestone("A", "2026-12-01")], TODAY, None)
    many = [milestone(f"M{i}", f"2027-01-{i + 1:02d}") for i in range(9)]
    assert len(model.normalise_plan(many, TODAY, None)) == 7


def test_tasks_are_due_from_today_to_the_milestone_or_today_when_it_is_past() -> None:
    tasks = [milestone("late", "2027-06-01"), milestone("early", "2026-01-01"), milestone("ok", "2026-11-25")]
    kept = model.normalise_tasks(tasks, TODAY, dt.date(2026, 12, 1))
    assert [(t["title"], t["dueDate"]) for t in kept] == [("early", "2026-11-23"), ("ok", "2026-11-25"), ("late", "2026-12-01")]
    overdue = model.normalise_tasks(tasks, TODAY, dt.date(2026, 11, 1))
    assert {t["dueDate"] for t in overdue} == {"2026-11-23"}


@pytest.mark.parametrize(
    ("current", "wanted", "allowed"),
    [
        ("active", "paused", True),
        ("paused", "active", True),
        ("active", "abandoned", True),
        ("failed", "abandoned", True),
        ("active", "active", True),
        ("planning", "paused", False),
        ("completed", "active", False),
        ("abandoned", "active", False),
        ("failed", "active", False),
    ],
)
def test_status_changes(current: str, wanted: str, allowed: bool) -> None:
    if allowed:
        model.check_status_change(current, wanted)
    else:
        with pytest.raises(Conflict, match=f"a {current} goal cannot become {wanted}"):
            model.check_status_change(current, wanted)


def test_the_target_date_must_be_after_the_users_today() -> None:
    assert model.check_target_date("2026-11-24", TODAY) == "2026-11-24"
    for bad in ("2026-11-23", "2020-01-01"):
        with pytest.raises(InvalidRequest) as error:
            model.check_target_date(bad, TODAY)
        assert error.value.field == "targetDate" and "2026-11-23 in your timezone" in error.value.message
    with pytest.raises(InvalidRequest, match="targetDate must be a date"):
        model.check_target_date("2026-02-30", TODAY)


def test_today_follows_the_users_timezone() -> None:
    instant = dt.datetime(2026, 11, 23, 23, 30, tzinfo=dt.UTC)
    assert model.today_in("Asia/Tokyo", instant) == dt.date(2026, 11, 24)
    assert model.today_in("America/Los_Angeles", instant) == dt.date(2026, 11, 23)
    assert model.today_in("Not/AZone", instant) == dt.date(2026, 11, 23)  # an unknown one counts as UTC


def test_the_goal_view_nests_tasks_under_their_milestones_in_date_order() -> None:
    goal = {"pk": "p", "sk": "GOAL#g", "goalId": "g", "attempt": 1, "title": "T", "gsi1pk": "x"}
    milestones = [{"pk": "p", "sk": "s2", "seq": 2, "openTasks": 0}, {"pk": "p", "sk": "s1", "seq": 1, "openTasks": 2}]
    tasks = [
        {"sk": "t", "taskId": "b", "milestoneSeq": 1, "dueDate": "2026-11-25", "title": "b", "gsi1pk": "d"},
        {"sk": "t", "taskId": "a", "milestoneSeq": 1, "dueDate": "2026-11-24", "title": "a", "gsi1pk": "d"},
    ]

    view = model.goal_view(goal, milestones, tasks)

    assert view == {
        "goalId": "g",
        "title": "T",
        "milestones": [
            {
                "seq": 1,
                "tasks": [
                    {"taskId": "a", "milestoneSeq": 1, "dueDate": "2026-11-24", "title": "a"},
                    {"taskId": "b", "milestoneSeq": 1, "dueDate": "2026-11-25", "title": "b"},
                ],
            },
            {"seq": 2, "tasks": []},
        ],
    }
