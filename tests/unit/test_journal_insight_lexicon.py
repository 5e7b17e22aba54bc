"""journal.insight, offline: the word tables live in insight_lexicon.toml (read once, on first use), and the
families added for blind batch A read by class: loss told through objects and rituals, mixed days of two
appraised events, sarcasm as praise next to a mishap (English and French), a feeling held in and then let
go, someone else's success, and themes read by their sense in context. Each test is a variant of its own,
not an eval case."""

from __future__ import annotations

import tomllib

import pytest

from zik import schemas
from zik.journal import offline

POSITIVE = {"joy", "gratitude", "calm", "love", "pride", "hope", "relief", "awe"}
NEGATIVE = {"sadness", "anxiety", "anger", "frustration", "loneliness", "fatigue", "guilt", "disappointment"}


def read(content: str) -> dict:
    answer = offline.insight({"content": content, "title": "", "mood": None, "tags": []})
    assert schemas.validate("ai", "journal.insight", answer) == answer
    return answer


def names(answer: dict) -> set[str]:
    return {e["name"] for e in answer["emotions"]}


def test_the_lexicon_is_a_data_file_read_once() -> None:
    with offline._LEXICON_FILE.open("rb") as file:
        data = tomllib.load(file)
    assert set(data["emotions"]) == POSITIVE | NEGATIVE
    assert offline._words() is offline._words()


def test_a_lexicon_naming_another_emotion_is_refused() -> None:
    with offline._LEXICON_FILE.open("rb") as file:
        data = tomllib.load(file)
    data["emotions"]["boredom"] = ["bored"]
    with pytest.raises(ValueError, match="emotions"):
        offline._compile(data)


@pytest.mark.parametrize(
    "content",
    [
        "Chose a willow casket for Aunt Jo this morning. The undertaker was very kind.",
        "Went through Dad's wardrobe with my sister. His gardening coat is still hanging by the back door.",
        "First birthday without Grandma. Nobody knew which cake to buy.",
        "On a fait les obsèques de mamie samedi. Il faisait beau.",
    ],
)
def test_loss_told_through_objects_and_rituals_is_grief(content: str) -> None:
    answer = read(content)
    assert answer["sentiment"]["label"] == "negative"
    assert "sadness" in names(answer)
    assert "grief" in answer["themes"] or "family" in answer["themes"]


def test_a_price_in_an_entry_about_a_loss_is_not_the_money_theme() -> None:
    answer = read("Ordered the headstone for Mum today. The granite was too expensive so we chose slate.")
    assert "money" not in answer["themes"]
    assert answer["sentiment"]["label"] == "negative"


@pytest.mark.parametrize(
    "content",
    [
        # an achievement and an injury, no feeling word on either side
        "Finished my first triathlon this morning. Twisted my knee getting off the bike in the car park afterwards.",
        # a birth and a distance
        "My brother's twins were born last night. I won't see them until the summer.",
        # relief and a new worry
        "Three years clear of cancer today. Came home to the news that my uncle's biopsy wasn't good.",
    ],
)
def test_two_appraised_events_make_a_mixed_day(content: str) -> None:
    answer = read(content)
    assert answer["sentiment"]["label"] == "mixed"
    assert names(answer) & POSITIVE and names(answer) & NEGATIVE


@pytest.mark.parametrize(
    "content",
    [
        "Loving my day off so far: the washing machine leaked all over the kitchen floor.",
        "Best anniversary ever. The restaurant lost our booking and it was pouring rain.",
        "Génial, le train est encore en retard. Vraiment, j'adore.",
    ],
)
def test_praise_next_to_a_mishap_is_sarcasm(content: str) -> None:
    answer = read(content)
    assert answer["sentiment"]["label"] == "negative"
    assert not names(answer) & {"joy", "love"}


def test_a_feeling_held_in_then_let_go_is_felt() -> None:
    answer = read("I didn't cry at the solicitor's. I held it together until I got home, and then I couldn't stop.")
    assert answer["sentiment"]["label"] == "negative"
    assert "sadness" in names(answer)


def test_someone_elses_success_is_the_writers_pride() -> None:
    answer = read("My niece scored her first goal for the under-tens today. I cheered myself hoarse on the touchline.")
    assert answer["sentiment"]["label"] == "positive"
    assert names(answer) & {"pride", "joy"}


@pytest.mark.parametrize(
    ("content", "theme", "not_theme"),
    [
        ("Worked on my old motorcycle in the shed: new brake pads and a clean carburettor.", "hobbies", "work"),
        ("Been running a high temperature since yesterday. Staying under the duvet.", "health", "exercise"),
        ("The firm's summer garden party had a raffle and a quiz, then back to the spreadsheets.", "work", "nature"),
        ("Finished knitting the scarf for Jo and started a cross-stitch sampler.", "creativity", "work"),
        ("Réunion avec les collègues puis rapport pour le client jusqu'à midi.", "work", "travel"),
    ],
)
def test_themes_read_by_their_sense(content: str, theme: str, not_theme: str) -> None:
    themes = read(content)["themes"]
    assert theme in themes
    assert not_theme not in themes
