"""zik.journal.search: queries, the per-user index (ranking, updates, serialized form), snippets, cursors."""

from __future__ import annotations

import base64
import gzip
import json
import random
from math import log

import pytest

from zik.errors import InvalidRequest
from zik.journal.search import (
    K1,
    B,
    Form,
    Hit,
    Query,
    SearchIndex,
    Snippet,
    decode_offset,
    encode_offset,
    parse_query,
    snippet,
)
from zik.journal.text import terms


def index_of(*entries: tuple[str, str, str]) -> SearchIndex:
    """An index of (entry id, text, created at) at version 1."""
    index = SearchIndex()
    for entry_id, text, created_at in entries:
        assert index.put(entry_id, text, created_at=created_at, version=1)
    return index


def ids(index: SearchIndex, q: str) -> list[str]:
    return [hit.entry_id for hit in index.search(parse_query(q))]


# ---------------------------------------------------------------------------------------- queries


def test_parse_query_keeps_the_text_and_its_distinct_terms_in_order() -> None:
    query = parse_query("  Running   to the café, running when sunny ")
    assert query.text == "Running to the café, running when sunny"
    assert query.terms == ("run", "cafe", "sunni")
    # Each term with the words it stands for (its own first) and the folded word it was read from.
    assert query.forms == ((Form("run", 0), Form("ran", 0)), (Form("cafe", 0),), (Form("sunni", 0),))
    assert query.words == ("running", "cafe", "sunny")


@pytest.mark.parametrize("q", [None, "", "   \n "])
def test_a_missing_query_is_refused(q: str | None) -> None:
    with pytest.raises(InvalidRequest) as caught:
        parse_query(q)
    assert caught.value.field == "q"
    assert "required" in caught.value.message


def test_a_query_over_200_characters_is_refused() -> None:
    assert parse_query("word " * 40)  # 199 characters once trimmed
    with pytest.raises(InvalidRequest) as caught:
        parse_query("x" * 201)
    assert caught.value.field == "q"
    assert "201" in caught.value.message and "200" in caught.value.message


@pytest.mark.parametrize("q", ["?!", "... — 🎉", "***"])
def test_a_query_of_punctuation_only_is_refused(q: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        parse_query(q)
    assert caught.value.field == "q"
    assert "punctuation" in caught.value.message


def test_a_query_of_stop_words_only_is_refused_naming_them() -> None:
    with pytest.raises(InvalidRequest) as caught:
        parse_query("The and of, don't")
    assert caught.value.field == "q"
    message = caught.value.message
    assert "stop words" in message
    assert all(f'"{word}"' in message for word in ("The", "and", "of", "don't"))


def test_a_query_of_single_letters_is_refused() -> None:
    with pytest.raises(InvalidRequest) as caught:
        parse_query("x y")
    assert caught.value.field == "q"
    assert "single letters" in caught.value.message


# ---------------------------------------------------------------------------------------- ranking


def test_search_is_case_accent_and_form_insensitive() -> None:
    index = index_of(("e1", "Un café au soleil, ÉTÉ 2024", "2024-07-01"), ("e2", "I kept running all morning", "2024-07-02"))
    assert ids(index, "cafe") == ["e1"]
    assert ids(index, "été") == ["e1"]
    assert ids(index, "runs") == ["e2"]
    assert ids(index, "walking") == []


def test_entries_matching_more_terms_come_first() -> None:
    index = index_of(
        ("rain-only", "rain rain rain rain rain all day long", "2024-01-03"),
        ("both", "rain then a walk in the park with friends, family, neighbours, dogs, children, kites", "2024-01-01"),
        ("walk-only", "a walk", "2024-01-02"),
        ("another-walk", "walk home", "2024-01-04"),
    )
    hits = index.search(parse_query("rain walk"))
    assert [hit.entry_id for hit in hits] == ["both", "rain-only", "walk-only", "another-walk"]
    assert [hit.matched for hit in hits] == [("rain", "walk"), ("rain",), ("walk",), ("walk",)]
    # Without coordination the single strong "rain" entry would have outscored "both".
    assert hits[1].score > hits[0].score


def test_more_occurrences_rank_higher() -> None:
    index = index_of(
        ("once", "garden flowers today sunny", "2024-01-02"),
        ("thrice", "garden garden garden today", "2024-01-01"),
        ("other", "nothing related here", "2024-01-03"),
    )
    assert ids(index, "garden") == ["thrice", "once"]


def test_shorter_entries_rank_higher_for_the_same_occurrences() -> None:
    index = index_of(
        ("long", "garden " + "sunny day outside bright " * 10, "2024-01-02"),
        ("short", "garden sunny", "2024-01-01"),
        ("other", "unrelated", "2024-01-03"),
    )
    assert ids(index, "garden") == ["short", "long"]


def test_ties_go_newest_first_then_by_entry_id() -> None:
    index = index_of(
        ("b", "same words here", "2024-01-01T10:00:00Z"),
        ("a", "same words here", "2024-01-01T10:00:00Z"),
        ("newest", "same words here", "2024-03-01T10:00:00Z"),
        ("oldest", "same words here", "2023-01-01T10:00:00Z"),
    )
    hits = index.search(parse_query("words"))
    assert [hit.entry_id for hit in hits] == ["newest", "a", "b", "oldest"]
    assert len({hit.score for hit in hits}) == 1


def test_scores_are_bm25() -> None:
    index = index_of(("e1", "apple apple pear", "2024-01-01"), ("e2", "pear plum", "2024-01-02"), ("e3", "fig", "2024-01-03"))
    (hit,) = index.search(parse_query("apple"))
    average_length = (3 + 2 + 1) / 3
    idf = log(1 + (3 - 1 + 0.5) / (1 + 0.5))
    assert hit == Hit("e1", pytest.approx(idf * 2 * (K1 + 1) / (2 + K1 * (1 - B + B * 3 / average_length))), ("appl",))


def test_nothing_matches_in_an_empty_index_or_for_unknown_words() -> None:
    assert SearchIndex().search(parse_query("anything")) == []
    assert index_of(("e1", "some text", "2024-01-01")).search(parse_query("missing")) == []


# ---------------------------------------------------------------------------------------- updates


def test_put_again_replaces_the_old_postings() -> None:
    index = index_of(("e1", "sailing on the lake", "2024-01-01"))
    assert index.put("e1", "hiking in the mountains", created_at="2024-01-01", version=2)
    assert ids(index, "sailing") == []
    assert ids(index, "lake") == []
    assert ids(index, "hiking") == ["e1"]
    assert len(index) == 1
    assert index.version_of("e1") == 2


def test_put_at_the_same_version_is_a_no_op() -> None:
    index = index_of(("e1", "sailing on the lake", "2024-01-01"))
    assert index.put("e1", "something else entirely", created_at="2024-01-01", version=1) is False
    assert ids(index, "sailing") == ["e1"]
    assert ids(index, "entirely") == []


def test_put_of_an_older_version_is_a_no_op() -> None:
    index = index_of(("e1", "first", "2024-01-01"))
    assert index.put("e1", "third", created_at="2024-01-01", version=3)
    assert index.put("e1", "second", created_at="2024-01-01", version=2) is False
    assert ids(index, "third") == ["e1"]
    assert index.version_of("e1") == 3


def test_remove() -> None:
    index = index_of(("e1", "sailing on the lake", "2024-01-01"), ("e2", "lake swim", "2024-01-02"))
    assert index.remove("e1") is True
    assert index.remove("e1") is False
    assert index.remove("never-there") is False
    assert "e1" not in index and "e2" in index
    assert len(index) == 1
    assert index.version_of("e1") is None
    assert ids(index, "lake") == ["e2"]
    assert ids(index, "sailing") == []


def test_an_entry_without_words_is_indexed_but_never_found() -> None:
    index = index_of(("e1", "…!", "2024-01-01"))
    assert "e1" in index and index.version_of("e1") == 1
    assert ids(index, "anything") == []


# ------------------------------------------------------------------------------- serialized form


def sample_index() -> SearchIndex:
    return index_of(
        ("e1", "Un café au soleil. Running by the lake", "2024-07-01T08:00:00Z"),
        ("e2", "Running late again; the lake was cold", "2024-07-02T08:00:00Z"),
        ("e3", "Straße, été, œuvre — 東京 tower", "2024-07-03T08:00:00Z"),
    )


QUERIES = ["running lake", "cafe", "strasse oeuvre", "東京", "cold again late", "absent"]


def results(index: SearchIndex) -> list[list[Hit]]:
    return [index.search(parse_query(q)) for q in QUERIES]


def test_dumps_and_loads_give_the_same_search_results() -> None:
    index = sample_index()
    index.remove("e2")
    index.put("e4", "a lake and a café", created_at="2024-07-04T08:00:00Z", version=7)
    loaded = SearchIndex.loads(index.dumps())
    assert results(loaded) == results(index)
    assert len(loaded) == len(index) == 3
    assert loaded.version_of("e4") == 7 and "e2" not in loaded
    assert loaded.dumps() == index.dumps()  # same index, same bytes


def test_a_loaded_index_takes_changes_like_a_new_one() -> None:
    loaded = SearchIndex.loads(sample_index().dumps())
    assert loaded.put("e1", "only mountains now", created_at="2024-07-01T08:00:00Z", version=2)
    assert loaded.put("e5", "running to the lake", created_at="2024-07-05T08:00:00Z", version=1)
    assert loaded.put("e5", "running to the lake", created_at="2024-07-05T08:00:00Z", version=1) is False
    assert ids(loaded, "running lake") == ["e5", "e2"]
    assert ids(loaded, "mountains") == ["e1"]
    again = SearchIndex.loads(loaded.dumps())
    assert results(again) == results(loaded)


def test_the_serialized_form_is_gzip_with_a_format_number() -> None:
    data = SearchIndex().dumps()
    header = gzip.decompress(data).split(b"\n", 1)[0]
    assert json.loads(header)["format"] == 1
    assert len(SearchIndex.loads(data)) == 0


def test_an_unknown_format_is_refused() -> None:
    body = gzip.decompress(sample_index().dumps())
    header, rest = body.split(b"\n", 1)
    future = json.loads(header) | {"format": 2}
    with pytest.raises(ValueError, match="format 2"):
        SearchIndex.loads(gzip.compress(json.dumps(future).encode() + b"\n" + rest))


# mtime=0: a gzip header holds the time it was made, and each xdist worker must collect the same test ids.
@pytest.mark.parametrize("data", [b"", b"not gzip at all", gzip.compress(b"no header line", mtime=0), gzip.compress(b"[1]\n", mtime=0)])
def test_what_is_not_an_index_is_refused(data: bytes) -> None:
    with pytest.raises(ValueError):
        SearchIndex.loads(data)


def test_cut_postings_are_refused() -> None:
    body = gzip.decompress(sample_index().dumps())
    with pytest.raises(ValueError, match="not a search index"):
        SearchIndex.loads(gzip.compress(body[:-3]))


def test_many_changes_agree_with_a_search_over_the_entries_themselves() -> None:
    """Random puts, re-puts and removes (enough to compact several times), stored and loaded now and then,
    must always rank as a brute-force BM25 over the entries as they are."""
    rng = random.Random(20240701)
    vocabulary = [f"word{n}" for n in range(40)]
    entries: dict[str, tuple[list[str], str]] = {}
    versions: dict[str, int] = {}
    index = SearchIndex()
    for step in range(1500):
        entry_id = f"e{rng.randrange(120)}"
        if rng.random() < 0.25:
            assert index.remove(entry_id) == (entry_id in entries)
            entries.pop(entry_id, None)
        else:
            text = " ".join(rng.choices(vocabulary, k=rng.randint(0, 12)))
            versions[entry_id] = versions.get(entry_id, 0) + 1
            created_at = f"2024-01-{rng.randint(1, 28):02d}"
            assert index.put(entry_id, text, created_at=created_at, version=versions[entry_id])
            entries[entry_id] = (terms(text), created_at)
        if step % 100 == 99:
            index = SearchIndex.loads(index.dumps())
        if step % 50 == 49:
            query = parse_query(" ".join(rng.sample(vocabulary, rng.randint(1, 3))))
            assert [(hit.entry_id, hit.matched) for hit in index.search(query)] == brute_force(entries, query)
            assert len(index) == len(entries)


def brute_force(entries: dict[str, tuple[list[str], str]], query: Query) -> list[tuple[str, tuple[str, ...]]]:
    average_length = sum(len(found) for found, _ in entries.values()) / len(entries) or 1.0
    ranked = []
    for entry_id, (found, created_at) in entries.items():
        matched = tuple(term for term in query.terms if term in found)
        if not matched:
            continue
        score = 0.0
        for term in matched:
            df = sum(1 for other, _ in entries.values() if term in other)
            tf = found.count(term)
            idf = log(1 + (len(entries) - df + 0.5) / (df + 0.5))
            score += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * len(found) / average_length))
        ranked.append((len(matched), round(score, 9), created_at, entry_id, matched))
    ranked.sort(key=lambda row: row[3])
    ranked.sort(key=lambda row: row[:3], reverse=True)
    return [(row[3], row[4]) for row in ranked]


# ---------------------------------------------------------------------------------------- snippets

FILLER_BEFORE = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore. " * 3
FILLER_AFTER = " Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla. " * 3
LONG_TEXT = FILLER_BEFORE + "I went RUNNING to the Café,\n\nthe café   was full of people who run." + FILLER_AFTER


def highlighted(found: Snippet) -> list[str]:
    return [found.text[start:end] for start, end in found.highlights]


def test_a_snippet_is_a_window_around_the_matches_with_ellipses() -> None:
    found = snippet(LONG_TEXT, parse_query("cafe running"))
    assert found.text.startswith("…") and found.text.endswith("…")
    assert "I went RUNNING to the Café, the café was full of people who run." in found.text
    assert len(found.text) <= 160 + 2


def test_highlights_point_at_the_matching_words_in_their_original_form() -> None:
    found = snippet(LONG_TEXT, parse_query("cafe running"))
    assert highlighted(found) == ["RUNNING", "Café", "café", "run"]


def test_the_snippet_goes_to_the_densest_cluster() -> None:
    text = "A walk alone. " + "Nothing to see here at all, just filler words. " * 10 + "Walk and run, walk and run."
    found = snippet(text, parse_query("walk run"), width=60)
    assert highlighted(found) == ["Walk", "run", "walk", "run"]
    assert found.text.startswith("…") and not found.text.endswith("…")


def test_a_snippet_cuts_at_word_boundaries() -> None:
    found = snippet(LONG_TEXT, parse_query("cafe"), width=40)
    body = found.text.strip("…")
    assert body == body.strip()
    for word in body.split():
        assert word.strip(",.") in LONG_TEXT.split() or word.strip(",.") in LONG_TEXT.replace(",", " ").split()


def test_a_short_text_is_its_own_snippet() -> None:
    found = snippet("  Été à Paris.  ", parse_query("ete paris"))
    assert found == Snippet("Été à Paris.", ((0, 3), (6, 11)))


def test_a_text_without_matches_gives_its_beginning() -> None:
    found = snippet(LONG_TEXT, parse_query("zebra"), width=40)
    assert found.highlights == ()
    assert found.text == "Lorem ipsum dolor sit amet, consectetur…"


def test_a_text_without_words_gives_what_it_has() -> None:
    assert snippet("", parse_query("zebra")) == Snippet("", ())
    assert snippet(" 🎉 ", parse_query("zebra")) == Snippet("🎉", ())


def test_a_word_longer_than_the_width_is_shown_whole() -> None:
    word = "super" + "long" * 60
    (term,) = terms(word)
    found = snippet(f"before {word} after", Query(word, (term,), ((Form(term, 0),),), (word,)), width=20)
    assert highlighted(found) == [word]


# ---------------------------------------------------------------------------------------- cursors


def test_cursors_round_trip() -> None:
    query = parse_query("running lake")
    for offset in (0, 20, 12345):
        cursor = encode_offset(offset, query)
        assert all(char.isalnum() or char in "-_" for char in cursor)
        assert decode_offset(cursor, query) == offset


def test_a_cursor_fits_other_spellings_of_the_same_search() -> None:
    assert decode_offset(encode_offset(20, parse_query("Running LAKE")), parse_query("runs lakes")) == 20


def cursor_of(content: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(content).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "not a cursor!",
        "%%%%",
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        cursor_of([1, 2]),
        cursor_of({"o": 20}),
        cursor_of({"o": -1, "q": "x"}),
        cursor_of({"o": True, "q": "x"}),
        cursor_of({"o": "20", "q": "x"}),
        "A" * 500,
    ],
)
def test_a_malformed_cursor_is_refused(cursor: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        decode_offset(cursor, parse_query("lake"))
    assert caught.value.field == "cursor"


def test_a_cursor_of_another_query_is_refused() -> None:
    cursor = encode_offset(20, parse_query("lake"))
    with pytest.raises(InvalidRequest) as caught:
        decode_offset(cursor, parse_query("mountain"))
    assert caught.value.field == "cursor"
    assert "another query" in caught.value.message
