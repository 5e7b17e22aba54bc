"""zik.journal.text: folding, word counts and index terms of journal text."""

from __future__ import annotations

import unicodedata

import pytest

from zik.journal import text
from zik.journal.text import fold, terms, word_count, word_terms, words

# ------------------------------------------------------------------------------------------ fold


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Café", "cafe"),
        ("ÉTÉ", "ete"),
        ("été", "ete"),
        ("Straße", "strasse"),
        ("ẞ", "ss"),
        ("Œuvre", "oeuvre"),
        ("Æsop", "aesop"),
        ("ﬁne ﬂow", "fine flow"),  # typographic ligatures
        ("Øresund Łódź", "oresund lodz"),
        ("Ｆｕｌｌ", "full"),  # fullwidth letters
        ("e\u0301te\u0301", "ete"),  # accents typed as combining marks
        ("ΑΘΉΝΑ", "αθηνα"),
        ("Ёлка", "елка"),
        ("plain ascii", "plain ascii"),
    ],
)
def test_fold_drops_case_and_accents(given: str, expected: str) -> None:
    assert fold(given) == expected


def test_fold_keeps_marks_that_change_the_letter_in_other_scripts() -> None:
    assert fold("が") == "が"  # not か
    assert fold("हिन्दी") == "हिन्दी"
    assert fold("한국어") == "한국어"  # recomposed, not left as jamo


# ------------------------------------------------------------------------------------ word_count


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("", 0),
        ("   \n\t ", 0),
        ("... — !!! 🎉", 0),
        ("Hello, world!", 2),
        ("I don't know what it’s like", 6),
        ("well-being and self-care", 3),
        ("It cost 3.14 or 1,000 at 10:30", 7),
        ("Привет, как дела?", 3),
        ("Καλημέρα κόσμε", 2),
        ("नमस्ते दुनिया", 2),  # vowel signs and viramas are marks, inside the words
        ("e\u0301te\u0301 chaud", 2),
        ("私は学生です", 6),  # each ideograph or kana counts, as word processors count them
        ("東京 tower", 3),
        ("rock 'n' roll", 3),
        ("snake_case __", 1),
    ],
)
def test_word_count_counts_as_a_person_does(given: str, expected: int) -> None:
    assert word_count(given) == expected


def test_words_are_matches_on_the_original_text() -> None:
    sample = "  Café—noir, s'il vous plaît."
    found = [(match.group(), match.start()) for match in words(sample)]
    assert found == [("Café", 2), ("noir", 7), ("s'il", 13), ("vous", 18), ("plaît", 23)]


def test_the_word_pattern_knows_every_combining_mark_of_the_basic_plane() -> None:
    marks = [chr(code) for code in range(0x10000) if unicodedata.category(chr(code)).startswith("M")]
    for mark in marks:
        assert [match.group() for match in words(f"a{mark}b")] == [f"a{mark}b"], hex(ord(mark))


# ------------------------------------------------------------------------------------------ terms


def test_terms_are_stemmed_so_forms_of_a_word_meet() -> None:
    assert terms("Running runs run") == ["run", "run", "run"]
    assert terms("walked walking walks") == ["walk", "walk", "walk"]
    assert terms("Happiness happily") == terms("happiness HAPPILY")


def test_terms_fold_case_and_accents() -> None:
    assert terms("CAFÉ") == terms("cafe") == ["cafe"]
    assert terms("ÉTÉ") == terms("été") == ["ete"]


def test_terms_leave_out_stop_words_and_single_letters_but_keep_digits() -> None:
    assert terms("The cat and I sat on a mat in 5 minutes, x") == ["cat", "sat", "mat", "5", "minut"]


def test_terms_keep_order_and_repetition() -> None:
    assert terms("rain, sun, rain") == ["rain", "sun", "rain"]


def test_apostrophes_split_words_but_negations_keep_their_base() -> None:
    assert terms("Anna's") == ["anna"]
    assert terms("l'été") == ["ete"]
    assert terms("don't can't won't isn't") == []  # do, can, will, is: stop words
    assert terms("O’Brien") == terms("O'Brien") == ["brien"]


def test_hyphenated_words_give_their_parts_and_their_concatenation() -> None:
    assert word_terms("e-mail") == ("mail", "email")
    assert set(terms("well-being")) >= set(terms("wellbeing"))
    assert word_terms("2024-05-01") == ("2024", "05", "01")  # no 20240501


def test_numbers_keep_their_separators() -> None:
    assert terms("3.14 and 10:30") == ["3.14", "10:30"]


def test_non_latin_words_are_terms_unstemmed() -> None:
    assert terms("Москва красивая") == ["москва", "красивая"]
    assert terms("नमस्ते") == ["नमस्ते"]


def test_chinese_and_japanese_runs_become_overlapping_pairs() -> None:
    assert terms("私は学生です") == ["私は", "は学", "学生", "生で", "です"]
    assert terms("学") == ["学"]
    assert terms("東京tower") == ["東京", "tower"]


def test_stop_words_are_folded_and_without_apostrophes() -> None:
    assert all(word == fold(word) and "'" not in word for word in text.STOP_WORDS)
