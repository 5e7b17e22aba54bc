"""journal.insight, offline: the structures blind batch C showed, tested on variants of their own (not eval
cases): French read with a valence lexicon and its negation, understatement as a good day, praise said of an
entry's bad turn however far from it, a tender act by a deathbed that is no joy, and loss told through objects."""

from __future__ import annotations

import pytest

from zik import schemas
from zik.journal import offline


def read(content: str) -> dict:
    answer = offline.insight({"content": content, "title": "", "mood": None, "tags": []})
    assert schemas.validate("ai", "journal.insight", answer) == answer
    return answer


def label(content: str) -> str:
    return str(read(content)["sentiment"]["label"])


def names(answer: dict) -> set[str]:
    return {emotion["name"] for emotion in answer["emotions"]}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("Une matinée vraiment agréable au marché avec ma sœur, on a bien ri.", "positive"),
        ("Quelle semaine affreuse, je suis épuisée et déçue.", "negative"),
        ("Je ne suis pas contente du tout de cette réunion.", "negative"),
        ("Le film n'était pas mauvais, plutôt drôle même.", "positive"),
    ],
)
def test_french_words_carry_valence_and_negation(content: str, expected: str) -> None:
    assert label(content) == expected


def test_english_words_that_look_french_are_not_read_as_french() -> None:
    # French weights are for a French entry only: an English one that names a French word is read as English.
    assert label("Booked the table at Le Bonheur Doux for Friday and sent the invite to the team.") == "neutral"


@pytest.mark.parametrize(
    "content",
    ["Not a bad evening at all, the food was fine and we got home early.", "The dentist wasn't too bad today.", "Soirée pas mal du tout au théâtre."],
)
def test_understatement_is_a_good_day(content: str) -> None:
    assert label(content) == "positive"


def test_praise_after_the_bad_turn_is_irony_even_sentences_away() -> None:
    answer = read("The car got clamped outside the dentist. Then it started to pour on the walk home. Marvellous. Can't wait for tomorrow.")
    assert answer["sentiment"]["label"] == "negative"
    assert not names(answer) & {"joy", "hope"}


def test_praise_stays_sincere_where_good_news_is_told() -> None:
    answer = read("The boiler broke in the morning. In the afternoon my daughter passed her driving test. Brilliant.")
    assert answer["sentiment"]["label"] in {"mixed", "positive"}


def test_a_tender_act_by_a_deathbed_is_not_joy() -> None:
    answer = read("The doctors say it might be hours now. We sat with Gran and sang her favourite hymns softly.")
    assert answer["sentiment"]["label"] == "negative"
    assert "joy" not in names(answer)


@pytest.mark.parametrize(
    "content",
    ["Dropped off his spare key and a box of his things at his mum's.", "Her seat at the end of the table stayed empty all night."],
)
def test_loss_through_objects_and_absences_is_sadness(content: str) -> None:
    answer = read(content)
    assert answer["sentiment"]["label"] == "negative"
    assert "sadness" in names(answer)


def test_a_worry_that_ends_is_relief() -> None:
    answer = read("The appointment I was dreading got postponed, and I can stop worrying for a week.")
    assert "relief" in names(answer)
    assert "anxiety" not in names(answer)


def test_a_text_pasted_without_full_stops_is_read_in_sentence_sized_pieces() -> None:
    """VADER's reading grows with the square of a sentence's length: an entry of 50,000 characters with no full stop
    is read as runs of at most 80 words (and its answer stays valid), not as one sentence of 9,000 words."""
    words = ("so happy but also sad and not sure " * 1300).split()
    text = " ".join(words)[:50000]
    runs = offline._sentences(text)
    assert len(runs) > 100 and max(len(run.split()) for run in runs) <= 80
    assert " ".join(runs) == " ".join(text.split())
    answer = offline.insight({"content": text, "title": "", "mood": None, "tags": []})
    assert answer["sentiment"]["label"] in ("positive", "negative", "neutral", "mixed")
