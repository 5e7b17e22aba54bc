"""zik.platform.onboarding: the steps, their order, the earliest-time rule for marks (any order of events
gives one record) and the view GET /me answers. No AWS."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zik import schemas
from zik.platform import onboarding, profiles

AT = "2026-11-23T08:15:02.412Z"


def test_steps_in_the_order_an_app_shows_them():
    assert onboarding.STEPS == ("timezone", "interests", "first_goal_or_entry", "career_profile")
    assert set(onboarding.EVENT_STEPS.values()) | set(onboarding.PROFILE_STEPS.values()) == set(onboarding.STEPS)


def test_the_interests_are_the_profile_schemas_known_ids():
    assert onboarding.interests() == (
        "fitness",
        "finance",
        "learning",
        "languages",
        "music",
        "creativity",
        "business",
        "habits",
        "mindfulness",
        "journaling",
        "career",
        "style",
    )
    schemas.validate("requests", "profile_update", {"interests": list(onboarding.interests())})
    schemas.validate("requests", "profile_update", {"interests": []})


@pytest.mark.parametrize(
    ("interests", "message"),
    [(["gardening"], "must be one of"), (["career", "career"], "unique"), ("career", "must be array"), ([None], "must be one of")],
)
def test_unknown_repeated_or_misshapen_interests_are_refused_naming_the_field(interests, message):
    with pytest.raises(schemas.SchemaViolation) as caught:
        schemas.validate("requests", "profile_update", {"interests": interests})
    assert caught.value.field.startswith("interests")
    assert message in caught.value.message


def test_a_new_user_has_done_nothing_and_is_to_set_their_timezone():
    assert onboarding.view(None) == {
        "startedAt": None,
        "steps": [{"id": step, "done": False, "doneAt": None} for step in onboarding.STEPS],
        "next": "timezone",
        "complete": False,
    }


def test_next_is_the_first_step_not_done_in_order_whatever_was_done_first():
    record = onboarding.mark(onboarding.started(AT), "career_profile", AT)
    assert onboarding.view(record)["next"] == "timezone"
    record = onboarding.mark(record, "timezone", AT)
    assert onboarding.view(record)["next"] == "interests"
    record = onboarding.mark(record, "interests", AT)
    assert onboarding.view(record)["next"] == "first_goal_or_entry"
    record = onboarding.mark(record, "first_goal_or_entry", AT)
    shown = onboarding.view(record)
    assert shown["next"] is None and shown["complete"] is True
    assert all(step["done"] and step["doneAt"] == AT for step in shown["steps"])
    assert shown["startedAt"] == AT


def test_which_events_and_which_fields_make_which_steps():
    assert onboarding.step_of_event("GoalCreated") == onboarding.step_of_event("EntryCreated") == "first_goal_or_entry"
    assert onboarding.step_of_event("CareerProfileSaved") == "career_profile"
    assert onboarding.step_of_event("TaskCompleted") is None
    assert onboarding.steps_of_update({"timezone": "UTC", "displayName": "Ada"}) == ["timezone"]
    assert onboarding.steps_of_update({"interests": []}) == ["interests"]  # choosing none answers the step
    assert onboarding.steps_of_update({"locale": "fr"}) == []


def test_pending_leaves_out_the_steps_done():
    shown = onboarding.view(onboarding.mark(None, "timezone", AT))
    assert onboarding.pending(shown, ["timezone", "interests"]) == ["interests"]
    assert onboarding.pending(None, ["timezone"]) == ["timezone"]


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("2026-11-23T08:15:02.412Z", "2026-11-23T08:15:02.412Z"),
        ("2026-11-23T08:15:02Z", "2026-11-23T08:15:02.000Z"),
        ("2026-11-23T09:15:02.412+01:00", "2026-11-23T08:15:02.412Z"),
        ("2026-11-23T08:15:02.412345+00:00", "2026-11-23T08:15:02.412Z"),
    ],
)
def test_instants_are_written_one_way_so_that_text_order_is_time_order(text, written):
    assert onboarding.instant(text) == written


@pytest.mark.parametrize("text", ["2026-11-23T08:15:02", "yesterday", ""])
def test_an_instant_without_a_zone_or_no_instant_is_refused(text):
    with pytest.raises(ValueError):
        onboarding.instant(text)


def test_an_unknown_step_is_refused():
    with pytest.raises(ValueError):
        onboarding.mark(None, "tour", AT)


instants = st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 12, 31), timezones=st.just(dt.UTC)).map(
    lambda moment: moment.isoformat()
)
marks = st.lists(st.tuples(st.sampled_from(onboarding.STEPS), instants), min_size=1, max_size=12)


def replay(events):
    record = None
    for step, at in events:
        record = onboarding.mark(record, step, at)
    return record


@settings(max_examples=200, deadline=None)
@given(marks, st.randoms(use_true_random=False))
def test_any_order_and_any_redelivery_of_the_same_events_give_the_same_steps(events, shuffler):
    reordered = list(events) + list(events[: len(events) // 2])  # some delivered again
    shuffler.shuffle(reordered)
    assert replay(reordered)["steps"] == replay(events)["steps"]


@settings(max_examples=200, deadline=None)
@given(marks)
def test_each_step_keeps_the_earliest_time_any_of_its_events_gave(events):
    steps = replay(events)["steps"]
    for step, group in itertools.groupby(sorted(events), key=lambda event: event[0]):
        assert steps[step] == min(onboarding.instant(at) for _, at in group)
    assert set(steps) == {step for step, _ in events}
    shown = onboarding.view(replay(events))
    assert shown["next"] == next((step for step in onboarding.STEPS if step not in steps), None)
    assert shown["complete"] == (set(steps) == set(onboarding.STEPS))


def test_a_save_names_in_its_event_only_the_fields_the_events_schema_knows():
    known = schemas.load("events", "UserProfileUpdated")["properties"]["changed"]["items"]["enum"]
    before, after = {"timezone": "UTC"}, {"timezone": "Europe/Paris", "interests": ["career"]}
    assert profiles.changed_fields(before, after) == sorted(field for field in ("interests", "timezone") if field in known)
    assert profiles.differs({"interests": []}, {"interests": ["career"]}) is True
    assert profiles.differs({"interests": ["career"]}, {"interests": ["career"]}) is False
