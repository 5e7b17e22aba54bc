"""journal.insight, offline: the classes blind batch B showed, each read by its family and tested on variants
of its own (not eval cases): feelings a situation carries with no word for them, praise in a sentence apart
from the mishap, grief and loss told through paperwork and logistics, themes of activities read by their
sense, and a relief that keeps the fear it ends."""

from __future__ import annotations

import pytest

from zik import schemas
from zik.journal import offline


def read(content: str) -> dict:
    answer = offline.insight({"content": content, "title": "", "mood": None, "tags": []})
    assert schemas.validate("ai", "journal.insight", answer) == answer
    return answer


def names(answer: dict) -> set[str]:
    return {e["name"] for e in answer["emotions"]}


@pytest.mark.parametrize(
    ("content", "felt"),
    [
        ("The agency moved the deadline forward again. Sixth late night this month at my desk.", {"frustration", "fatigue"}),
        ("My flatmates have all gone home for Easter. Nobody's rung since Sunday.", {"loneliness"}),
        ("Flunked the maths resit. I need to tell my dad tonight.", {"disappointment", "anxiety"}),
        ("Security walked him out at noon with his plant in a cardboard box.", {"sadness", "anxiety"}),
        ("The vet went very quiet and went to fetch a colleague.", {"anxiety", "sadness"}),
        ("The rent is crushing us and the boiler quote came in today.", {"anxiety"}),
    ],
)
def test_a_situation_carries_its_feeling_without_a_word_for_it(content: str, felt: set[str]) -> None:
    answer = read(content)
    assert answer["sentiment"]["label"] == "negative"
    assert felt <= names(answer)


@pytest.mark.parametrize(
    "content",
    [
        "Noah said his first word at breakfast. Then the office rang me in on my day off and I missed the whole afternoon with him.",
        "We got the keys to our new flat! The repayments are going to be brutal though.",
        "Leaving do at the bakery after thirty years, lovely cards from everyone. Home by six and I didn't know what to do with myself.",
    ],
)
def test_a_good_event_beside_a_situation_that_weighs_is_mixed(content: str) -> None:
    assert read(content)["sentiment"]["label"] == "mixed"


@pytest.mark.parametrize(
    "content",
    [
        "Gravy all over my good shirt at the dinner. Fabulous.",
        "Dropped my glasses and the lens cracked. Super.",
        "Knocked my coffee over the keyboard at 8am. Loving life.",
        "La machine a débordé dans la salle de bains. Génial.",
    ],
)
def test_praise_in_a_sentence_of_its_own_after_a_mishap_is_irony(content: str) -> None:
    answer = read(content)
    assert answer["sentiment"]["label"] == "negative"
    assert "frustration" in names(answer) and not names(answer) & {"joy", "love"}


@pytest.mark.parametrize(
    "content",
    [
        "Coffee on the sofa with the papers. Perfect.",
        "Finished the tax return a week early. Brilliant.",
    ],
)
def test_the_same_bare_praise_after_a_good_moment_stays_sincere(content: str) -> None:
    assert read(content)["sentiment"]["label"] == "positive"


@pytest.mark.parametrize(
    "content",
    [
        "Cancelled her gym membership this morning. The man on the phone asked why and I said she's dead.",
        "Closed Mum's account at the building society. They needed the death certificate twice.",
    ],
)
def test_grief_told_through_paperwork_is_sadness_not_a_mishap(content: str) -> None:
    answer = read(content)
    assert answer["sentiment"]["label"] == "negative"
    assert "sadness" in names(answer) and "frustration" not in names(answer)
    assert "grief" in answer["themes"]


@pytest.mark.parametrize(
    ("content", "wanted", "unwanted"),
    [
        ("Did thirty lengths before breakfast.", {"exercise"}, set()),
        ("Went to great lengths to get the cake right.", set(), {"exercise"}),
        ("Worked out the budget for the wedding with Sam.", set(), {"exercise"}),
        ("Ran the figures for the school fair: we raised £450 for the library.", {"community"}, {"exercise", "grief"}),
        ("Supper with Ola, reminiscing about our trip to Lagos years ago.", {"food"}, {"travel"}),
        ("Ironing, then a trip to the tip with the old mattress.", {"home"}, {"travel"}),
        ("Two more weeks of revision for the retake.", {"study"}, set()),
        ("Courses et lessive ce matin, rien de spécial.", {"home"}, {"study"}),
    ],
)
def test_themes_of_activities_follow_their_sense(content: str, wanted: set[str], unwanted: set[str]) -> None:
    themes = set(read(content)["themes"])
    assert wanted <= themes and not themes & unwanted


def test_a_relief_keeps_the_fear_it_ends_without_turning_the_day() -> None:
    answer = read("The MRI came back clear. We went for a walk after.")
    assert answer["sentiment"]["label"] == "positive"
    emotions = [e["name"] for e in answer["emotions"]]
    assert emotions.index("relief") < emotions.index("anxiety")  # the fear is named, below the relief


@pytest.mark.parametrize(
    ("content", "absent"),
    [
        ("Won three games in a row at the club tonight.", {"anger"}),
        ("Stayed late at the wedding and danced till one.", {"fatigue"}),
        ("Everyone went home happy after the picnic.", {"loneliness"}),
        ("Le concert était superbe, ils ont joué encore une heure.", {"pride"}),
        ("Dinner for eight and far too much wine.", {"anxiety"}),
    ],
)
def test_words_of_these_families_in_another_sense_say_nothing(content: str, absent: set[str]) -> None:
    assert not names(read(content)) & absent
