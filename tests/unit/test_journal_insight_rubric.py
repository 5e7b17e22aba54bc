"""The eval rubric of journal.insight (zik_local/eval/rubrics/journal_insight.py): names compare by family,
a mixed day asks one emotion of each side, the summary must be the entry's own words."""

from __future__ import annotations

from zik_local.eval.rubrics import journal_insight as rubric

CASE = {
    "id": "c",
    "data": {"content": "I got the job! Then we had a row and I cried.", "title": "Tuesday", "mood": None, "tags": []},
    "expect": {
        "label": "mixed",
        "emotions": [["joy", "pride"], ["sadness", "anger"]],
        "notEmotions": ["calm"],
        "themes": ["work"],
        "notThemes": ["money"],
    },
}


def answer(**changes: object) -> dict:
    base = {
        "sentiment": {"score": 0.1, "label": "mixed"},
        "emotions": [{"name": "excitement", "intensity": 0.8}, {"name": "grief", "intensity": 0.5}],
        "themes": ["career"],
        "summary": "I got the job!",
    }
    return {**base, **changes}


def verdicts(given: dict) -> dict[str, bool]:
    return {check.name: check.passed for check in rubric.grade(CASE, given)}


def test_the_headline_is_the_label_and_a_right_answer_passes_every_check() -> None:
    assert rubric.TASK == "journal.insight" and rubric.HEADLINE == "label"
    assert all(verdicts(answer()).values()), verdicts(answer())  # excitement ~ joy, grief ~ sadness, career ~ work


def test_a_mixed_day_needs_an_emotion_from_each_side() -> None:
    assert not verdicts(answer(emotions=[{"name": "joy", "intensity": 0.9}]))["emotions"]


def test_forbidden_names_fail_by_family_too() -> None:
    given = verdicts(answer(emotions=[*answer()["emotions"], {"name": "serenity", "intensity": 0.2}], themes=["career", "finances"]))
    assert not given["emotions forbidden"] and not given["themes forbidden"]


def test_the_score_must_read_as_the_label() -> None:
    assert not verdicts(answer(sentiment={"score": 0.9, "label": "mixed"}, emotions=[{"name": "joy", "intensity": 1}]))["score"]
    assert verdicts(answer(sentiment={"score": 0.9, "label": "mixed"}))["score"]  # both sides in the emotions


def test_the_summary_must_be_quoted_not_invented() -> None:
    assert verdicts(answer(summary="Then we had a row and I cried."))["summary"]
    assert verdicts(answer(summary="Then we had a row and I…"))["summary"]
    assert not verdicts(answer(summary="A day of highs and lows."))["summary"]
