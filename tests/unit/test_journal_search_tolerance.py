"""Search that finds what people mean: other spellings, irregular forms and typos (zik.journal.text's
``other_forms`` and ``NearbyTerms``, and how ``SearchIndex`` uses them)."""

from __future__ import annotations

import base64
import json
import random
from pathlib import Path

import pytest

from zik.journal import text
from zik.journal.search import Form, SearchIndex, parse_query, snippet
from zik.journal.text import NearbyTerms, only_slips, other_forms, terms, typo_budget


def index_of(*entries: tuple[str, str]) -> SearchIndex:
    """An index of (entry id, text), the later ones newer, at version 1."""
    index = SearchIndex()
    for number, (entry_id, content) in enumerate(entries):
        assert index.put(entry_id, content, created_at=f"2026-01-{number + 1:02d}T09:00:00.000Z", version=1)
    return index


def ids(index: SearchIndex, q: str) -> list[str]:
    return [hit.entry_id for hit in index.search(parse_query(q))]


def highlighted(index: SearchIndex, content: str, q: str) -> list[str]:
    found = snippet(content, index.resolve(parse_query(q)))
    return [found.text[start:end] for start, end in found.highlights]


# ------------------------------------------------------------------------------------ other forms


@pytest.mark.parametrize(
    ("british", "american"),
    [
        ("colour", "color"),
        ("colours", "colors"),
        ("colourful", "colorful"),
        ("neighbourhood", "neighborhood"),
        ("behaviour", "behavior"),
        ("favourite", "favorite"),
        ("rumour", "rumor"),
        ("organise", "organize"),
        ("organisation", "organization"),
        ("apologised", "apologized"),
        ("recognise", "recognize"),
        ("analyse", "analyze"),
        ("paralysed", "paralyzed"),
        ("centre", "center"),
        ("centred", "centered"),
        ("theatres", "theaters"),
        ("fibre", "fiber"),
        ("catalogue", "catalog"),
        ("dialogues", "dialogs"),
        ("defence", "defense"),
        ("licence", "license"),
        ("programme", "program"),
        ("skilful", "skillful"),
        ("grey", "gray"),
        ("jewellery", "jewelry"),
        ("mould", "mold"),
        ("pyjamas", "pajamas"),
        ("paediatrician", "pediatrician"),
        ("anaesthetic", "anesthetic"),
    ],
)
def test_british_and_american_spellings_stand_for_each_other(british: str, american: str) -> None:
    (british_term,) = terms(british)
    (american_term,) = terms(american)
    assert american_term in other_forms(british)
    assert british_term in other_forms(american)


@pytest.mark.parametrize(
    ("word", "other"),
    [
        ("ran", "run"),
        ("running", "ran"),
        ("slept", "sleeping"),
        ("went", "go"),
        ("goes", "went"),
        ("ate", "eaten"),
        ("bought", "buying"),
        ("thought", "think"),
        ("learnt", "learned"),
        ("understood", "understand"),
        ("overslept", "oversleep"),
        ("withdrew", "withdraw"),
        ("children", "child"),
        ("mice", "mouse"),
        ("teeth", "tooth"),
        ("knives", "knife"),
        ("women", "woman"),
        ("grandchildren", "grandchild"),
        ("policemen", "policeman"),
    ],
)
def test_irregular_forms_stand_for_each_other(word: str, other: str) -> None:
    (other_term,) = terms(other)
    (word_term,) = terms(word)
    assert other_term in other_forms(word)
    assert word_term in other_forms(other)


@pytest.mark.parametrize(
    ("word", "not_this"),
    [
        ("morning", "mourning"),
        ("door", "dour"),
        ("floor", "flour"),
        ("four", "for"),
        ("tour", "tor"),
        ("tired", "tyre"),
        ("left", "leave"),
        ("stuck", "stick"),
        ("sink", "sank"),
        ("hate", "heat"),
        ("filling", "filing"),
        ("stalled", "stale"),
        ("prize", "prise"),
        ("personal", "people"),
        ("mom", "mum"),
        ("founded", "find"),
        ("saws", "see"),
        ("spokes", "speak"),
    ],
)
def test_look_alikes_are_not_other_forms(word: str, not_this: str) -> None:
    assert not set(terms(not_this)) & set(other_forms(word))


def test_only_english_words_have_other_forms() -> None:
    assert other_forms("東京") == ()
    assert other_forms("2024") == ()
    assert other_forms("colour2") == ()


def test_each_term_belongs_to_one_group_and_nothing_left_out_is_in_one() -> None:
    raw = json.loads(Path(text.__file__).with_name("word_forms.json").read_text(encoding="utf-8"))
    owner: dict[str, tuple[str, ...]] = {}
    for key in ("irregularVerbs", "irregularNouns", "spellingWords", "irregularNounEndings"):
        for group in raw[key]:
            for word in group:
                (term,) = terms(word)
                assert owner.setdefault(term, tuple(group)) == tuple(group), f"{word!r} ({term}) is in {owner[term]} and {group}"
    for word in raw["leftOut"]:
        in_group = [group for group in owner.values() if word in group]
        assert not in_group, f"{word!r} is left out but in {in_group}"


# ------------------------------------------------------------------------------------------ typos


@pytest.mark.parametrize(("word", "budget"), [("cat", 0), ("cart", 1), ("meetign", 1), ("birthdy", 1), ("brithday", 2), ("2024", 0), ("straße", 0)])
def test_the_typo_budget_grows_with_the_word(word: str, budget: int) -> None:
    assert typo_budget(word) == budget


@pytest.mark.parametrize(
    ("word", "meant"),
    [
        ("presentaton", "presentation"),  # a missing letter in the ending the stemmer would take off
        ("presentatoin", "presentation"),  # swapped letters
        ("prsentaton", "presentation"),  # two missing letters in a long word
        ("neigbours", "neighbours"),
        ("swimmming", "swimming"),  # a letter too many, after a doubled one
        ("swiming", "swimming"),  # a doubled letter missing
        ("meetign", "meeting"),
        ("meeitng", "meeting"),  # a swap across the stem's last letter
        ("hapyness", "happiness"),  # the stem's final i written as y
        ("brithday", "birthday"),
        ("anxous", "anxious"),
    ],
)
def test_a_misspelt_word_is_near_what_it_meant(word: str, meant: str) -> None:
    (term,) = terms(meant)
    vocabulary = [term, *terms("present prevent meet swim happy birth anxiety neighbourhood")]
    assert term in NearbyTerms(vocabulary).near(word)


@pytest.mark.parametrize(
    ("word", "vocabulary"), [("cat", "car cart"), ("cartoon", "cart carts carted"), ("walked", "stalking chalk"), ("1234", "1235")]
)
def test_what_is_too_short_or_too_far_is_not_near(word: str, vocabulary: str) -> None:
    assert NearbyTerms(terms(vocabulary)).near(word) == {}


def test_nearby_terms_agree_with_a_brute_force_over_every_word_a_term_stands_for() -> None:
    """On a crowded vocabulary of look-alike stems, the walk finds exactly the terms, and distances, that
    comparing the word with every key, doubled letter and ending would."""
    rng = random.Random(2026)
    letters = "aeinrst"
    vocabulary = sorted({text._plain_term("".join(rng.choices(letters, k=rng.randint(2, 7)))) or "na" for _ in range(150)})
    endings = text._word_forms().suffixes
    candidates: list[tuple[str, str]] = []  # (word the term stands for, term)
    for term in vocabulary:
        for key in [term] + ([term[:-1] + "y"] if term.endswith("i") else []):
            for lead in ("", key[-1]):
                candidates.extend((key + lead + ending, term) for ending in endings if text._plain_term(key + lead + ending) == term)
    nearby = NearbyTerms(vocabulary)
    for _ in range(120):
        word = "".join(rng.choices(letters + "y", k=rng.randint(4, 10)))
        budget = typo_budget(word)
        slips_only = ("", "") if budget == 1 and only_slips(word) else None
        expected: dict[str, int] = {}
        for written, term in candidates:
            if abs(len(written) - len(word)) > budget:
                continue
            distance = text._edit_distance(word, written, budget, slips_only)
            if distance <= budget and distance < expected.get(term, budget + 1):
                expected[term] = distance
        assert nearby.near(word) == expected, word


# ------------------------------------------------------------------------------------------ search


def test_another_spelling_counts_as_the_word_itself() -> None:
    index = index_of(("uk", "a new colour for the kitchen"), ("us", "a new color for the kitchen"), ("other", "a new chair"))
    hits = index.search(parse_query("colour"))
    assert [hit.entry_id for hit in hits] == ["us", "uk"]  # equal scores: newest first
    assert hits[0].score == hits[1].score
    assert hits[0].matched == ("colour",)


def test_irregular_forms_find_each_other() -> None:
    index = index_of(("ran", "I ran six miles"), ("run", "a slow run"), ("mice", "mice in the kitchen"))
    assert set(ids(index, "running")) == {"ran", "run"}
    assert ids(index, "mouse") == ["mice"]


def test_a_word_the_index_lacks_finds_its_typo_correction_below_what_the_word_would_score() -> None:
    index = index_of(("talk", "my presentation went well"), ("other", "a long walk"))
    (typo,) = index.search(parse_query("presentaton"))
    (exact,) = index.search(parse_query("presentation"))
    assert typo.entry_id == exact.entry_id == "talk"
    assert typo.score == pytest.approx(exact.score / 2)
    assert typo.matched == ("presentaton",)


def test_only_the_closest_corrections_are_used() -> None:
    index = index_of(("present", "the presentation"), ("prevent", "we prevented it"))
    assert ids(index, "presentaton") == ["present"]


def test_a_corrected_word_counts_for_coordination() -> None:
    index = index_of(
        ("both", "the presentation slides"),
        ("slides", "slides slides slides"),
        ("talk", "a presentation"),
    )
    assert ids(index, "presentaton slides")[0] == "both"


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("diary", ["diary"]),  # in the index: never corrected to "dairy"
        ("dairy", ["dairy"]),
        ("cat", []),  # too short to correct to "car"
        ("2025", []),  # numbers are not corrected
    ],
)
def test_a_word_the_index_holds_or_a_short_one_is_never_corrected(q: str, expected: list[str]) -> None:
    index = index_of(("diary", "found my old diary"), ("dairy", "a dairy farm"), ("car", "the car broke down"), ("year", "2024 was long"))
    assert ids(index, q) == expected


def test_a_word_whose_other_spelling_the_index_holds_is_not_corrected() -> None:
    index = index_of(("us", "the neighbors"), ("near", "the neighbour's dog"))
    # "neighbours" is held as "neighbor" (another spelling) and as "neighbour": both, at full weight.
    assert sorted(ids(index, "neighbours")) == ["near", "us"]
    assert parse_query("neighbours").terms == ("neighbour",)


def test_corrections_follow_the_index_as_it_changes() -> None:
    index = index_of(("first", "a quiet day"))
    assert ids(index, "presentaton") == []
    index.put("talk", "my presentation", created_at="2026-02-01T09:00:00.000Z", version=1)
    assert ids(index, "presentaton") == ["talk"]
    index.remove("talk")
    assert ids(index, "presentaton") == []
    loaded = SearchIndex.loads(index_of(("talk", "my presentation")).dumps())
    assert ids(loaded, "presentaton") == ["talk"]


def test_resolve_names_the_corrections_and_snippets_highlight_them() -> None:
    content = "Gave the presentation this morning; the colour slides helped. We ran over time."
    index = index_of(("talk", content))
    resolved = index.resolve(parse_query("presentaton color run"))
    assert resolved.terms == ("presentaton", "color", "run")
    assert resolved.forms[0] == (Form("presentaton", 0), Form("present", 1))
    assert resolved.forms[1] == (Form("color", 0), Form("colour", 0))  # a held spelling: no correction
    assert highlighted(index, content, "presentaton color run") == ["presentation", "colour", "ran"]
    # Unresolved, a query still highlights other spellings and forms, not corrections.
    found = snippet(content, parse_query("presentaton color"))
    assert [found.text[start:end] for start, end in found.highlights] == ["colour"]


# An index as the code before other spellings and typos wrote it (format 1): e1 "The quarterly presentation
# went well; the slides were in colour.", e2 "The neighbours ran a street party. Mice in the shed again.",
# e3 put then removed (a tombstone).
STORED_BEFORE = "H4sIAAAAAAAAA2VPwU7DMAyFHvkMnzPkFFGJHvmGnZh6yBrTRsqSzUmHJsS/Y3cCCWZFec579rPzCe+ZD65Cbw0EX6DfAVkwQC2YtMQ4GBiZXCWvUottt0G7wXaLLz2inEdEfJOGX+npRgIxOROXkJMOsMYaFCpSmuqsTGe6lTnn0e11zmlxXInF9shUKFXJPn4gRnmVGDwJjjnmRQsThWneX3N2SUsqE2nnUcyC4CGM2lJm+YyRGWFVvbvIPTn2lHRTx+wuutUOXsHY58HcJMPXw/3fuFvjyjVN80/9BqOZKNtmAQAA"


@pytest.mark.parametrize(
    ("q", "expected"), [("presentaton", ["e1"]), ("color", ["e1"]), ("neighbors", ["e2"]), ("running mouse", ["e2"]), ("garden", [])]
)
def test_an_index_stored_before_finds_what_people_mean(q: str, expected: list[str]) -> None:
    index = SearchIndex.loads(base64.b64decode(STORED_BEFORE))
    assert ids(index, q) == expected
