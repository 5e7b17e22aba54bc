"""journal.insight, offline: the classes of entries users found misread (zik issue 17), each by a few
variants of its own (the eval cases in zik_local/eval/cases/journal.insight.json hold others)."""

from __future__ import annotations

import pytest

from zik import schemas
from zik.journal import offline

POSITIVE = {"joy", "gratitude", "calm", "love", "pride", "hope", "relief", "awe"}


def read(content: str, **extra: object) -> dict:
    answer = offline.insight({"content": content, "title": "", "mood": None, "tags": [], **extra})
    assert schemas.validate("ai", "journal.insight", answer) == answer
    return answer


def names(answer: dict) -> set[str]:
    return {e["name"] for e in answer["emotions"]}


@pytest.mark.parametrize(
    "content",
    [
        # good news and a quarrel, not the louder side
        "My article got accepted by the magazine! Then Dad and I had a blazing row over dinner and he walked out.",
        # relief after fear
        "I was terrified all week about the audit. It came back clean and I could finally breathe again.",
        # a bittersweet goodbye, inside one sentence
        "I'm so happy for her new life in Canada, but watching my best friend board that plane broke my heart.",
        # proud but exhausted
        "We moved the whole office in one weekend and I'm proud of every one of us. I am also completely drained.",
        # "although" at the head of the sentence
        "Although the wedding was beautiful, I spent the evening miserable because my ex was there with someone new.",
    ],
)
def test_a_day_with_a_strong_side_of_each_is_mixed(content: str) -> None:
    answer = read(content)
    assert answer["sentiment"]["label"] == "mixed"
    assert names(answer) & POSITIVE and names(answer) - POSITIVE  # an emotion from each side


@pytest.mark.parametrize(
    ("content", "label"),
    [
        ("Tired but happy after the school fair. The kids loved the tombola.", "positive"),  # a mild "but" is not a mixed day
        ("The kitchen flooded while we were out, but nobody was hurt and we laughed about it over takeaway.", "positive"),
        ("A bit nervous before the recital, then it went beautifully and everyone clapped.", "positive"),
    ],
)
def test_a_small_shadow_on_a_good_day_does_not_make_it_mixed(content: str, label: str) -> None:
    assert read(content)["sentiment"]["label"] == label


@pytest.mark.parametrize(
    "content",
    [
        "Oh wonderful, the dishwasher has flooded the kitchen again.",
        "The bus drove straight past me in the pouring rain. Fantastic.",
        "Great, just great. Lost my wallet on the first day of the holiday.",
        "My landlord 'fixed' the heating, so now it only works on the hottest days. Yeah right, he's a real professional.",
        "Thanks a lot, train company, for cancelling the last service home.",
        "Just what I needed: a parking ticket on the way to the funeral.",
    ],
)
def test_sarcasm_reads_as_the_frustration_it_is(content: str) -> None:
    answer = read(content)
    assert answer["sentiment"]["label"] == "negative" and answer["sentiment"]["score"] < 0
    assert "frustration" in names(answer)
    assert not names(answer) & {"joy", "gratitude", "love"}


@pytest.mark.parametrize(
    "content",
    [
        "Oh, great news: the offer on the flat went through!",
        "A hot shower and a cup of tea. Just what I needed after the hike.",
        "Brilliant gig tonight. The band played every song I wanted. Fantastic.",
    ],
)
def test_the_same_words_said_sincerely_stay_positive(content: str) -> None:
    answer = read(content)
    assert answer["sentiment"]["label"] == "positive"
    assert "frustration" not in names(answer)


@pytest.mark.parametrize(
    ("content", "felt"),
    [
        ("Aunt Jo's funeral is on Thursday. I've been asked to carry the coffin.", {"sadness"}),
        ("Grandad passed away on Sunday morning. The nurses let us stay with him.", {"sadness"}),
        ("We had the scan today. There was no heartbeat. I had a miscarriage.", {"sadness"}),
        ("The consultant said the word cancer and I didn't hear anything after that.", {"anxiety", "sadness"}),
        ("Maya moved out tonight. We broke up after six years.", {"sadness"}),
        ("I was made redundant this morning. Twelve years, and a ten-minute call.", {"sadness", "anxiety"}),
        ("Nobody texted on my birthday. I ate a cupcake with a candle in it by myself.", {"loneliness"}),
    ],
)
def test_loss_and_illness_carry_their_feeling_without_a_word_for_it(content: str, felt: set[str]) -> None:
    answer = read(content)
    assert answer["sentiment"]["label"] in {"negative", "mixed"} and answer["sentiment"]["score"] < 0
    assert names(answer) & felt
    assert "joy" not in names(answer)


@pytest.mark.parametrize(
    ("content", "label", "absent"),
    [
        ("Not bad at all for a first attempt at a sponge cake.", "positive", {"sadness"}),
        ("I wasn't happy with the way the meeting ended.", "negative", {"joy"}),
        ("I'm not anxious about the move any more. Everything is packed.", "positive", {"anxiety"}),
        ("I've never been happier than on this trip.", "positive", {"sadness"}),
    ],
)
def test_negation_turns_a_feeling_around(content: str, label: str, absent: set[str]) -> None:
    answer = read(content)
    assert answer["sentiment"]["label"] == label
    assert not names(answer) & absent


@pytest.mark.parametrize(
    ("content", "wanted", "unwanted"),
    [
        ("Spent all afternoon weeding the vegetable patch and sowing carrots.", {"nature"}, {"money", "work"}),
        ("Ran out of bread, ran into Sue at the shop, ran late for everything.", set(), {"exercise"}),
        ("We picnicked on the canal bank and watched the narrowboats.", {"nature"}, {"money"}),
        ("My team finally shipped the app and my manager bought cake.", {"work"}, set()),
        ("Of course the washing machine broke the week the in-laws came.", {"home"}, {"study"}),
        ("Painted the nursery yellow today, ready for the baby.", {"home", "family"}, {"creativity"}),
        ("Bought a new pair of trainers for my first half marathon.", {"exercise"}, set()),
        ("Paid the rent, the gas bill and the council tax in one go.", {"money"}, set()),
    ],
)
def test_themes_follow_the_sense_of_the_words(content: str, wanted: set[str], unwanted: set[str]) -> None:
    themes = set(read(content)["themes"])
    assert wanted <= themes and not themes & unwanted, themes


def test_one_weak_hint_is_not_a_theme_and_two_are() -> None:
    assert "money" not in read("Spent four euros on a coffee by the harbour and watched the boats.")["themes"]
    assert "money" in read("The shopping cost more than I expected. Then I paid for the parking too.")["themes"]


def test_a_neutral_day_stays_neutral_and_its_score_near_zero() -> None:
    answer = read("Dropped the car at the garage. Read on the train. Agreed the date for the next review.")
    assert answer["sentiment"]["label"] == "neutral" and abs(answer["sentiment"]["score"]) < 0.3
    assert answer["emotions"] == []


def test_repeating_the_ironic_word_keeps_the_irony() -> None:
    answer = read("The 'quick' trip to the furniture shop took five hours and the wardrobe doesn't fit. So quick.")
    assert answer["sentiment"]["label"] == "negative" and "joy" not in names(answer)
