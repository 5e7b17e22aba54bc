"""Search for a real word the journal does not hold finds nothing rather than its neighbour: a short word
holds only slips as typos (``only_slips``), and a spelling or form that is also another word stands in only
when the word itself is missing (``stand_ins``)."""

from __future__ import annotations

import random

import pytest

from zik.journal import text
from zik.journal.search import SearchIndex, parse_query, snippet
from zik.journal.text import NearbyTerms, only_slips, stand_ins, terms, typo_budget


def index_of(*entries: tuple[str, str]) -> SearchIndex:
    """An index of (entry id, text), the later ones newer, at version 1."""
    index = SearchIndex()
    for number, (entry_id, content) in enumerate(entries):
        assert index.put(entry_id, content, created_at=f"2026-02-{number + 1:02d}T09:00:00.000Z", version=1)
    return index


def ids(index: SearchIndex, q: str) -> list[str]:
    return [hit.entry_id for hit in index.search(parse_query(q))]


# ------------------------------------------------------------------------------------ short words


@pytest.mark.parametrize(
    ("word", "expected"),
    [("lamb", True), ("lambs", True), ("making", True), ("wrok", True), ("tierd", False), ("bicyle", False), ("presentaton", False)],
)
def test_only_a_short_stem_is_limited_to_slips(word: str, expected: bool) -> None:
    assert only_slips(word) is expected


@pytest.mark.parametrize(
    ("word", "meant"),
    [
        ("wrok", "work"),  # two neighbours swapped
        ("wokr", "work"),
        ("lmap", "lamp"),
        ("gose", "goose"),  # one of a doubled letter dropped
        ("helo", "hello"),
        ("shopping", "shoping"),  # one doubled letter too many (read the other way)
        ("runing", "running"),
        ("tierd", "tired"),  # five letters: any edit
        ("hapy", "happy"),
    ],
)
def test_a_short_word_is_near_what_a_slip_made_of_it(word: str, meant: str) -> None:
    (term,) = terms(meant)
    assert term in NearbyTerms([term, *terms("walk lamb poem seed")]).near(word)


@pytest.mark.parametrize(
    ("word", "vocabulary"),
    [
        ("lamb", "lamp lamps"),  # a changed letter
        ("pier", "pie pies"),  # a dropped letter that doubles nothing
        ("poet", "poem post"),
        ("seep", "seed sleep seeing"),
        ("lambs", "lamps"),  # the stem decides, not the plural's length
        ("making", "baking raking"),
        ("hose", "horse"),
        ("tyre", "tired tiring"),
    ],
)
def test_a_short_real_word_is_not_near_its_neighbours(word: str, vocabulary: str) -> None:
    assert NearbyTerms(terms(vocabulary)).near(word) == {}


def test_slips_agree_with_a_brute_force_over_every_word_a_term_stands_for() -> None:
    """On a crowded vocabulary of short stems with doubled letters, the walk finds exactly the terms, and
    distances, that comparing each short word with every key, doubled letter and ending would."""
    rng = random.Random(17)
    letters = "aelnost"
    vocabulary = sorted({text._plain_term("".join(rng.choices(letters, k=rng.randint(2, 5)))) or "na" for _ in range(200)})
    endings = text._word_forms().suffixes
    candidates: list[tuple[str, str]] = []
    for term in vocabulary:
        for key in [term] + ([term[:-1] + "y"] if term.endswith("i") else []):
            for lead in ("", key[-1]):
                candidates.extend((key + lead + ending, term) for ending in endings if text._plain_term(key + lead + ending) == term)
    nearby = NearbyTerms(vocabulary)
    checked = found = 0
    for _ in range(800):
        written, _term = rng.choice(candidates)
        word = _slip_or_not(written, rng)
        budget = typo_budget(word)
        if budget != 1 or not only_slips(word):
            continue
        expected: dict[str, int] = {}
        for other, term in candidates:
            if abs(len(other) - len(word)) > budget:
                continue
            distance = text._edit_distance(word, other, budget, ("", ""))
            if distance <= budget and distance < expected.get(term, budget + 1):
                expected[term] = distance
        assert nearby.near(word) == expected, word
        checked += 1
        found += bool(expected)
    assert checked > 150 and found > checked // 3  # the test reaches short words, and many have slips to find


def _slip_or_not(word: str, rng: random.Random) -> str:
    """``word`` with one random edit: a swap, a doubled or dropped letter, or a changed letter."""
    at = rng.randrange(len(word))
    edit = rng.choice(("swap", "double", "drop", "change"))
    if edit == "swap" and at + 1 < len(word):
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    if edit == "double":
        return word[: at + 1] + word[at:]
    if edit == "drop":
        return word[:at] + word[at + 1 :]
    return word[:at] + rng.choice("aelnost") + word[at + 1 :]


def test_a_short_real_word_finds_nothing_in_a_journal_of_its_neighbours() -> None:
    index = index_of(("lamp", "bought a daylight lamp"), ("pie", "a chicken pie"), ("poem", "wrote a poem"), ("work", "late at work"))
    assert ids(index, "lamb") == []
    assert ids(index, "pier") == []
    assert ids(index, "poet") == []
    assert ids(index, "wrok") == ["work"]
    assert ids(index, "lmap") == ["lamp"]


# ------------------------------------------------------------------------------------ stand-ins


@pytest.mark.parametrize(
    ("word", "stands_for"),
    [
        ("curb", "kerb"),
        ("kerb", "curb"),
        ("tire", "tyre"),
        ("tires", "tyres"),
        ("check", "cheque"),
        ("story", "storey"),
        ("ring", "rang"),
        ("lend", "lent"),
    ],
)
def test_a_word_has_its_stand_ins(word: str, stands_for: str) -> None:
    assert set(terms(stands_for)) <= set(stand_ins(word))


@pytest.mark.parametrize("word", ["tyre", "tired", "cheque", "storey", "draught", "rang", "curbing", "bite", "leave"])
def test_a_word_whose_other_form_is_also_another_common_word_has_no_stand_in(word: str) -> None:
    assert stand_ins(word) == ()


def test_a_stand_in_is_used_only_when_the_word_itself_is_missing() -> None:
    journal = [("kerb", "scraped the wheel on the kerb"), ("novel", "a story about a lighthouse")]
    assert ids(index_of(*journal), "curb") == ["kerb"]
    assert ids(index_of(*journal, ("spending", "trying to curb my spending")), "curb") == ["spending"]
    assert ids(index_of(*journal), "story") == ["novel"]  # held: "storey" does not stand in


def test_a_stand_in_counts_as_the_word_itself_and_is_highlighted() -> None:
    content = "Rang Mum for an hour."
    index = index_of(("mum", content), ("other", "a long walk"))
    (hit,) = index.search(parse_query("ring"))
    assert hit.entry_id == "mum" and hit.matched == ("ring",)
    found = snippet(content, index.resolve(parse_query("ring")))
    assert [found.text[start:end] for start, end in found.highlights] == ["Rang"]


def test_tyre_does_not_find_tired() -> None:
    index = index_of(("tired", "so tired after the shift"), ("bike", "fixed the bike tyre"))
    assert ids(index, "tyre") == ["bike"]
    assert ids(index_of(("tired", "so tired after the shift")), "tyre") == []
    assert ids(index_of(("bike", "fixed the bike tyre")), "tires") == ["bike"]
