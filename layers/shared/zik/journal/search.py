"""Full-text search over one user's journal entries: the query, the index, its ranking, snippets and page cursors.

``SearchIndex`` is an inverted index of one user's entries, kept as one compressed document: the indexer
loads it, ``put``s or ``remove``s the entries that changed and stores ``dumps()``; the search function loads
it once per version and ranks in memory (BM25 with coordination), then makes snippets of the page's entries.

A query word finds more than its own stem, all at query time, so that stored indexes need no rebuilding:
its other spellings and irregular forms count as the word itself ("neighbours" finds "neighbor", "ran"
finds "run"), and a word the index does not hold at all, in any of its forms, stands for the words that
stand in for it when they are held ("curb" finds "kerb", "ring" finds "rang"), or else for the index's
terms within one typo of it (two from eight letters; never under four, and for a short stem only a swap
or a doubled letter), which score less than the word itself would ("presentaton" finds "presentation").
``resolve`` says which terms a query stood for, for snippets.

Serialized form, format 1: gzip of one line of JSON, then three little-endian integer arrays::

    {"format": 1, "ids": [entry id or null], "created": [...], "versions": [...], "lengths": [...],
     "vocab": [term, ...], "arrays": [[typecode, count], [typecode, count], [typecode, count]]}\\n
    counts: for each term of vocab, how many postings it has
    docs:   the postings' document numbers, term after term; in each term the first is absolute, the others
            the gap to the one before
    tfs:    the postings' term frequencies, in the same order

A document number is a position in the columns ``ids``, ``created``, ``versions`` and ``lengths``. Numbers
only grow: re-indexing or removing an entry leaves a tombstone (a null id) that searches skip, so adding an
entry only appends, and tombstones are compacted away once they are a fifth of the table. Postings stay
packed after ``loads`` and are decoded one term at a time when a search asks for the term, which is what
keeps loading an index of thousands of entries in the tens of milliseconds.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
import sys
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from itertools import accumulate, compress
from math import log
from operator import sub
from typing import NamedTuple, cast

from zik.errors import InvalidRequest
from zik.journal.text import STOP_WORDS, NearbyTerms, fold, other_forms, stand_ins, terms, word_pieces, word_terms, words

__all__ = [
    "FORMAT",
    "MAX_QUERY_CHARS",
    "Form",
    "Hit",
    "Query",
    "SearchIndex",
    "Snippet",
    "decode_offset",
    "encode_offset",
    "parse_query",
    "snippet",
]

FORMAT = 1
MAX_QUERY_CHARS = 200
K1 = 1.2
B = 0.75
# Compacting rewrites every posting; doing it only when tombstones are a fifth of the table keeps its cost
# a small share of the writes that made them.
_COMPACT_FRACTION = 0.2
_COMPACT_AT_LEAST = 32
_CURSOR_MAX_CHARS = 200
_TYPECODES_BY_SIZE = (("B", 0xFF), ("H", 0xFFFF), ("I", 0xFFFF_FFFF), ("Q", 0xFFFF_FFFF_FFFF_FFFF))
_WHITESPACE = re.compile(r"\s+")
_ELLIPSIS = "…"
# What each typo takes off a corrected word's score: below the word itself, and two typos below one.
_TYPO_FACTOR = 0.5
# The corrections an index remembers (by query word) until its vocabulary changes.
_CORRECTIONS_KEPT = 256


class Form(NamedTuple):
    """An index term a query term stands for: ``distance`` 0 for the term itself, another spelling or form
    of its word; 1 or 2 for a term its word is that many typos away from."""

    term: str
    distance: int


@dataclass(frozen=True)
class Query:
    text: str
    terms: tuple[str, ...]
    # For each term, the forms it stands for: itself first, then its word's other spellings and forms
    # (distance 0); in a query ``SearchIndex.resolve`` returned, also the typo corrections the index used.
    forms: tuple[tuple[Form, ...], ...]
    # For each term, the folded word (or piece of a word) it was read from: what typos are looked for in.
    words: tuple[str, ...]


class Hit(NamedTuple):
    """One matching entry. A named tuple rather than a dataclass: a search makes one per matching entry,
    and a tuple costs less than half as much to build."""

    entry_id: str
    score: float
    matched: tuple[str, ...]


@dataclass(frozen=True)
class Snippet:
    text: str
    highlights: tuple[tuple[int, int], ...]


def parse_query(q: str | None) -> Query:
    if not isinstance(q, str) or not q.strip():
        raise InvalidRequest("q is required: the words to search for", field="q")
    text = " ".join(q.split())
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidRequest(f"q is {len(text)} characters long; at most {MAX_QUERY_CHARS} are allowed", field="q")
    pieces: dict[str, str] = {}  # each term, with the piece of the query it was first read from
    for match in words(text):
        for piece, term in word_pieces(match.group()):
            pieces.setdefault(term, piece)
    if not pieces:
        raise InvalidRequest(_why_nothing_is_searchable(text), field="q")
    forms = tuple((Form(term, 0), *(Form(other, 0) for other in other_forms(piece) if other != term)) for term, piece in pieces.items())
    return Query(text, tuple(pieces), forms, tuple(pieces.values()))


def _why_nothing_is_searchable(text: str) -> str:
    found = [match.group() for match in words(text)]
    if not found:
        return "q has no word to search for, only punctuation or symbols"
    # Every word here gave no term, so any longer than a letter is a stop word or a contraction of one.
    stop_words = list(dict.fromkeys(word for word in found if len(fold(word)) > 1 or fold(word) in STOP_WORDS))
    if not stop_words:
        return "q has no searchable word: single letters are not searched"
    listed = ", ".join(f'"{word}"' for word in stop_words)
    letters = " and single letters" if len(stop_words) < len(set(found)) else ""
    return f"q has only stop words, too common to search for ({listed}){letters}: add a word that says what you are looking for"


class SearchIndex:
    def __init__(self) -> None:
        # The document table, one slot per document number; a removed entry's slot has id None.
        self._ids: list[str | None] = []
        self._created: list[str] = []
        self._versions: list[int] = []
        self._lengths: list[int] = []
        self._docnums: dict[str, int] = {}
        self._tombstones: set[int] = set()
        self._live_length = 0
        # Postings packed as the serialized form has them (see the module's docstring); replaced whole by
        # a compaction or a dumps, never changed in place.
        self._stored_vocab: list[str] = []
        self._stored_termnums: dict[str, int] = {}
        self._stored_counts: array = array("B")
        self._stored_starts: list[int] = [0]
        self._stored_docs: array = array("B")
        self._stored_tfs: array = array("B")
        # Postings put since, with absolute document numbers: newer documents have higher numbers, so
        # appending keeps each term's list sorted.
        self._added: dict[str, tuple[list[int], list[int]]] = {}
        # Length norms and recency ranks by document number, built by the first search after a change.
        self._ranking: tuple[list[float], list[int]] | None = None
        # The vocabulary as typo tolerance reads it, and the corrections it found, by query word: built by
        # the first search that needs them after a change.
        self._nearby: NearbyTerms | None = None
        self._corrections: dict[str, tuple[Form, ...]] = {}

    def __len__(self) -> int:
        return len(self._docnums)

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self._docnums

    def version_of(self, entry_id: str) -> int | None:
        docnum = self._docnums.get(entry_id)
        return None if docnum is None else self._versions[docnum]

    def put(self, entry_id: str, text: str, *, created_at: str, version: int) -> bool:
        """Index the entry (in place of what was indexed for it). False, and nothing done, when the entry
        is already indexed at this version or a newer one: a redelivered or overtaken message."""
        current = self._docnums.get(entry_id)
        if current is not None and self._versions[current] >= version:
            return False
        entry_terms = terms(text)
        if current is not None:
            self._bury(current)
        docnum = len(self._ids)
        self._ids.append(entry_id)
        self._created.append(created_at)
        self._versions.append(version)
        self._lengths.append(len(entry_terms))
        self._docnums[entry_id] = docnum
        self._live_length += len(entry_terms)
        for term, frequency in Counter(entry_terms).items():
            postings = self._added.get(term)
            if postings is None:
                postings = self._added[term] = ([], [])
            postings[0].append(docnum)
            postings[1].append(frequency)
        self._changed()
        return True

    def remove(self, entry_id: str) -> bool:
        docnum = self._docnums.get(entry_id)
        if docnum is None:
            return False
        self._bury(docnum)
        self._changed()
        return True

    def _bury(self, docnum: int) -> None:
        del self._docnums[cast(str, self._ids[docnum])]  # a live document: its id is not yet None
        self._live_length -= self._lengths[docnum]
        self._tombstones.add(docnum)
        self._ids[docnum] = None
        self._created[docnum] = ""
        self._versions[docnum] = 0
        self._lengths[docnum] = 0

    def _changed(self) -> None:
        self._ranking = None
        self._nearby = None
        self._corrections = {}
        if len(self._tombstones) > max(_COMPACT_AT_LEAST, _COMPACT_FRACTION * len(self._ids)):
            self._compact()

    def search(self, query: Query) -> list[Hit]:
        """The entries matching any of the query's terms, best first: those matching more of the terms
        before those matching fewer, then by BM25 score, then newest first, then by entry id.

        A term matches the entries holding it or any of its other forms, scored as one term; when the
        index holds none of them, the entries holding one of its typo corrections, each scored as a term
        of its own times ``_TYPO_FACTOR`` per typo, an entry counting its best."""
        live = len(self._docnums)
        if not live:
            return []
        norms, recency = self._ranking_tables()
        scores: dict[int, float] = {}
        masks: dict[int, int] = {}
        for position in range(len(query.terms)):
            bit = 1 << position
            docs, frequencies = self._exact_postings(query.forms[position])
            if not docs:
                self._add_corrections(query.words[position], bit, scores, masks)
                continue
            weight = log(1 + (live - len(docs) + 0.5) / (len(docs) + 0.5)) * (K1 + 1)
            for docnum, frequency in zip(docs, frequencies):
                score = weight * frequency / (frequency + norms[docnum])
                if docnum in masks:
                    scores[docnum] += score
                    masks[docnum] |= bit
                else:
                    scores[docnum] = score
                    masks[docnum] = bit
        ranked = sorted(masks, key=lambda docnum: (-masks[docnum].bit_count(), -scores[docnum], recency[docnum]))
        matched = {mask: tuple(term for i, term in enumerate(query.terms) if mask >> i & 1) for mask in set(masks.values())}
        ids = cast("list[str]", self._ids)  # ranked documents are live: none is a tombstone's None
        return [Hit(ids[docnum], scores[docnum], matched[masks[docnum]]) for docnum in ranked]

    def resolve(self, query: Query) -> Query:
        """``query`` with, for each term the index holds in none of its forms, the typo corrections a
        search used in their place: what a snippet should highlight."""
        forms = []
        for own, word in zip(query.forms, query.words):
            exact = tuple(form for form in own if form.distance == 0)
            forms.append(exact if self._exact_postings(exact)[0] else exact + self._corrected(word))
        return replace(query, forms=tuple(forms))

    def _exact_postings(self, forms: tuple[Form, ...]) -> tuple[list[int], list[int]]:
        """The live postings of the term and its other forms (not its corrections), as of one term."""
        found = [postings for form in forms if form.distance == 0 and (postings := self._live_postings(form.term))[0]]
        if len(found) <= 1:
            return found[0] if found else ([], [])
        merged: Counter[int] = Counter()
        for docs, frequencies in found:
            merged.update(dict(zip(docs, frequencies)))
        docs = sorted(merged)
        return docs, [merged[docnum] for docnum in docs]

    def _add_corrections(self, word: str, bit: int, scores: dict[int, float], masks: dict[int, int]) -> None:
        corrections = self._corrected(word)
        if not corrections:
            return
        live = len(self._docnums)
        norms = self._ranking_tables()[0]
        best: dict[int, float] = {}
        for correction in corrections:
            docs, frequencies = self._live_postings(correction.term)
            weight = log(1 + (live - len(docs) + 0.5) / (len(docs) + 0.5)) * (K1 + 1) * _TYPO_FACTOR**correction.distance
            for docnum, frequency in zip(docs, frequencies):
                score = weight * frequency / (frequency + norms[docnum])
                if score > best.get(docnum, 0.0):
                    best[docnum] = score
        for docnum, score in best.items():
            scores[docnum] = scores.get(docnum, 0.0) + score
            masks[docnum] = masks.get(docnum, 0) | bit

    def _corrected(self, word: str) -> tuple[Form, ...]:
        """What ``word``, which the index holds in none of its forms, stands for: the words standing in for
        it (``stand_ins``: "kerb" for "curb") that the index holds, as the word itself; or else the terms the
        index holds (in a live entry) that it is fewest typos away from, within its typo budget (none for a
        word too short to correct)."""
        corrections = self._corrections.get(word)
        if corrections is None:
            corrections = tuple(Form(term, 0) for term in stand_ins(word) if self._live_postings(term)[0])
            if not corrections:
                if self._nearby is None:
                    self._nearby = NearbyTerms(self._all_terms())
                near = {term: distance for term, distance in self._nearby.near(word).items() if self._live_postings(term)[0]}
                fewest = min(near.values(), default=0)
                corrections = tuple(Form(term, distance) for term, distance in sorted(near.items()) if distance == fewest)
            if len(self._corrections) >= _CORRECTIONS_KEPT:
                self._corrections.clear()
            self._corrections[word] = corrections
        return corrections

    def _ranking_tables(self) -> tuple[list[float], list[int]]:
        if self._ranking is None:
            average_length = self._live_length / len(self._docnums) or 1.0
            norms = [K1 * (1 - B + B * length / average_length) for length in self._lengths]
            live_ids = cast("list[str]", self._ids)  # only live documents are sorted: no None among their ids
            newest_first = sorted(self._docnums.values(), key=live_ids.__getitem__)
            newest_first.sort(key=self._created.__getitem__, reverse=True)  # stable: equal times stay in id order
            recency = [0] * len(self._ids)
            for rank, docnum in enumerate(newest_first):
                recency[docnum] = rank
            self._ranking = (norms, recency)
        return self._ranking

    def _postings(self, term: str) -> tuple[list[int], list[int]]:
        """The term's document numbers (tombstones included) and frequencies, stored and added."""
        docs: list[int] = []
        frequencies: list[int] = []
        termnum = self._stored_termnums.get(term)
        if termnum is not None:
            start, stop = self._stored_starts[termnum], self._stored_starts[termnum + 1]
            docs = list(accumulate(self._stored_docs[start:stop]))
            frequencies = self._stored_tfs[start:stop].tolist()
        added = self._added.get(term)
        if added:
            docs += added[0]
            frequencies += added[1]
        return docs, frequencies

    def _live_postings(self, term: str) -> tuple[list[int], list[int]]:
        docs, frequencies = self._postings(term)
        if not self._tombstones or not docs:
            return docs, frequencies
        dead = self._tombstones
        kept = [(docnum, frequency) for docnum, frequency in zip(docs, frequencies) if docnum not in dead]
        return [docnum for docnum, _ in kept], [frequency for _, frequency in kept]

    def _compact(self) -> None:
        """Drop the tombstones: number the live documents again (in the same order, so postings stay
        sorted) and pack every term's postings anew."""
        new_numbers = [-1] * len(self._ids)
        kept_docnums = [docnum for docnum in range(len(self._ids)) if docnum not in self._tombstones]
        for new_number, docnum in enumerate(kept_docnums):
            new_numbers[docnum] = new_number
        vocab: list[str] = []
        counts: list[int] = []
        gaps: list[int] = []
        frequencies: list[int] = []
        for term in self._all_terms():
            docs, term_frequencies = self._postings(term)
            # map and compress run in C: this loop sees every posting of the index.
            docs = list(map(new_numbers.__getitem__, docs))
            if -1 in docs:
                alive = list(map((-1).__ne__, docs))
                docs = list(compress(docs, alive))
                term_frequencies = list(compress(term_frequencies, alive))
            if not docs:
                continue
            vocab.append(term)
            counts.append(len(docs))
            gaps.extend(_gaps(docs, 0))
            frequencies.extend(term_frequencies)
        self._ids = [self._ids[docnum] for docnum in kept_docnums]
        self._created = [self._created[docnum] for docnum in kept_docnums]
        self._versions = [self._versions[docnum] for docnum in kept_docnums]
        self._lengths = [self._lengths[docnum] for docnum in kept_docnums]
        self._docnums = {entry_id: docnum for docnum, entry_id in enumerate(cast("list[str]", self._ids))}  # all kept are live
        self._tombstones = set()
        self._added = {}
        self._set_stored(vocab, _packed(counts), _packed(gaps), _packed(frequencies))
        self._ranking = None

    def _all_terms(self) -> Iterable[str]:
        yield from self._stored_vocab
        yield from (term for term in self._added if term not in self._stored_termnums)

    def _set_stored(self, vocab: list[str], counts: array, docs: array, frequencies: array) -> None:
        self._stored_vocab = vocab
        self._stored_termnums = dict(zip(vocab, range(len(vocab))))
        self._stored_counts = counts
        self._stored_starts = [0, *accumulate(counts)]
        self._stored_docs = docs
        self._stored_tfs = frequencies

    def _pack_added(self) -> None:
        """Pack the postings put since loading in with the stored ones. Terms nothing was added to are
        copied a run at a time, still packed, so one changed entry costs a copy of the arrays, not a
        Python loop over every posting."""
        if not self._added:
            return
        starts, termnums = self._stored_starts, self._stored_termnums
        stored_count = len(self._stored_vocab)
        vocab = list(self._stored_vocab)
        appended: dict[int, tuple[list[int], list[int]]] = {}
        for term, (docs, frequencies) in self._added.items():
            termnum = termnums.get(term)
            if termnum is None:
                termnum = len(vocab)
                vocab.append(term)
                appended[termnum] = (_gaps(docs, 0), frequencies)
            else:
                last_stored = sum(self._stored_docs[starts[termnum] : starts[termnum + 1]])
                appended[termnum] = (_gaps(docs, last_stored), frequencies)
        stored_counts = _holding(self._stored_counts, max(self._stored_counts, default=0) + max(len(docs) for docs, _ in self._added.values()))
        stored_docs = _holding(self._stored_docs, max(max(gaps) for gaps, _ in appended.values()))
        stored_tfs = _holding(self._stored_tfs, max(max(frequencies) for _, frequencies in appended.values()))
        counts, postings, tfs = array(stored_counts.typecode), array(stored_docs.typecode), array(stored_tfs.typecode)
        copied_to = 0
        for termnum in sorted(appended):
            stored = termnum < stored_count
            run_end = termnum if stored else stored_count
            postings_end = starts[termnum + 1] if stored else starts[stored_count]
            counts.extend(stored_counts[copied_to:run_end])
            postings.extend(stored_docs[starts[copied_to] : postings_end])
            tfs.extend(stored_tfs[starts[copied_to] : postings_end])
            gaps, frequencies = appended[termnum]
            counts.append((stored_counts[termnum] if stored else 0) + len(gaps))
            postings.extend(gaps)
            tfs.extend(frequencies)
            copied_to = termnum + 1 if stored else stored_count
        counts.extend(stored_counts[copied_to:])
        postings.extend(stored_docs[starts[copied_to] :])
        tfs.extend(stored_tfs[starts[copied_to] :])
        self._set_stored(vocab, counts, postings, tfs)
        self._added = {}

    def dumps(self) -> bytes:
        # Packing what was added is the work dumps has to do anyway; keeping the result spares the next
        # dumps of a long-lived index (a warm indexer) doing it again.
        self._pack_added()
        arrays = (self._stored_counts, self._stored_docs, self._stored_tfs)
        header = {
            "format": FORMAT,
            "ids": self._ids,
            "created": self._created,
            "versions": self._versions,
            "lengths": self._lengths,
            "vocab": self._stored_vocab,
            "arrays": [[packed.typecode, len(packed)] for packed in arrays],
        }
        head = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode()
        # mtime=0: the same index gives the same bytes. Level 3 compresses 5,000 entries three times faster
        # than the default 6, for 4 % more bytes; loading is as fast.
        return gzip.compress(b"".join([head, b"\n", *map(_little_endian_bytes, arrays)]), compresslevel=3, mtime=0)

    @classmethod
    def loads(cls, data: bytes) -> SearchIndex:
        try:
            body = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as error:
            raise ValueError(f"not a search index: {error}") from None
        head_end = body.find(b"\n")
        if head_end < 0:
            raise ValueError("not a search index: no header line")
        try:
            header = json.loads(body[:head_end])
        except ValueError:
            raise ValueError("not a search index: the header is not JSON") from None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            found = header.get("format") if isinstance(header, dict) else None
            raise ValueError(f"search index format {found!r} is not one this code reads (format {FORMAT})")
        try:
            return cls._from_parts(header, memoryview(body)[head_end + 1 :])
        except (KeyError, TypeError, ValueError, OverflowError) as error:
            raise ValueError(f"not a search index: {error}") from None

    @classmethod
    def _from_parts(cls, header: dict, packed: memoryview) -> SearchIndex:
        arrays = []
        offset = 0
        for typecode, count in header["arrays"]:
            if typecode not in {code for code, _ in _TYPECODES_BY_SIZE}:
                raise ValueError(f"unknown array type {typecode!r}")
            values = array(typecode)
            size = values.itemsize * count
            if offset + size > len(packed):
                raise ValueError("the postings are cut short")
            values.frombytes(packed[offset : offset + size])
            if sys.byteorder == "big":
                values.byteswap()
            arrays.append(values)
            offset += size
        if offset != len(packed) or len(arrays) != 3:
            raise ValueError("the postings do not match the header")
        counts, docs, frequencies = arrays
        ids, created, versions, lengths, vocab = (header[key] for key in ("ids", "created", "versions", "lengths", "vocab"))
        if not len(ids) == len(created) == len(versions) == len(lengths) or len(vocab) != len(counts):
            raise ValueError("the columns differ in length")
        if sum(counts) != len(docs) or len(docs) != len(frequencies):
            raise ValueError("the posting counts do not add up")
        index = cls()
        index._ids, index._created, index._versions, index._lengths = ids, created, versions, lengths
        index._docnums = {entry_id: docnum for docnum, entry_id in enumerate(ids) if entry_id is not None}
        index._tombstones = {docnum for docnum, entry_id in enumerate(ids) if entry_id is None}
        index._live_length = sum(lengths)
        index._set_stored(vocab, counts, docs, frequencies)
        return index


def _gaps(docs: list[int], previous: int) -> list[int]:
    if not docs:
        return []
    return [docs[0] - previous, *map(sub, docs[1:], docs[:-1])]


def _packed(values: list[int]) -> array:
    """``values`` in the narrowest unsigned array that holds them: most gaps fit two bytes, most term
    frequencies one, which halves what gzip has to squeeze."""
    return array(_typecode_for(max(values, default=0)), values)


def _holding(values: array, largest: int) -> array:
    """``values``, or a copy of them in a wider type when ``largest`` does not fit theirs."""
    typecode = _typecode_for(largest)
    return values if array(typecode).itemsize <= values.itemsize else array(typecode, values)


def _typecode_for(largest: int) -> str:
    return next(code for code, limit in _TYPECODES_BY_SIZE if largest <= limit)


def _little_endian_bytes(values: array) -> bytes:
    if sys.byteorder == "big":
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def snippet(text: str, query: Query, *, width: int = 160) -> Snippet:
    """About ``width`` characters of ``text`` around its densest cluster of matching words, cut at word
    boundaries, runs of whitespace shown as one space, "…" where the text goes on; ``highlights`` are the
    [start, end) offsets of the matching words in the snippet's text. A word matches when it is one of the
    forms of a query term (another spelling, another form; the typo corrections of a ``resolve``d query)."""
    if width < 1:
        raise ValueError("width must be positive")
    wanted = {form.term: term for term, forms in zip(query.terms, query.forms) for form in forms}
    starts: list[int] = []
    ends: list[int] = []
    matches: list[tuple[int, int, frozenset[str]]] = []
    for match in words(text):
        starts.append(match.start())
        ends.append(match.end())
        found = frozenset(wanted[term] for term in word_terms(match.group()) if term in wanted)
        if found:
            matches.append((match.start(), match.end(), found))
    if not starts:
        shown = _squeeze(text).strip()
        return Snippet(shown[:width] + _ELLIPSIS if len(shown) > width else shown, ())
    if matches:
        cluster_start, cluster_end = _densest_cluster(matches, width)
        slack = max(0, width - (cluster_end - cluster_start))
        window_start = max(0, cluster_start - slack // 2)
        window_end = min(len(text), window_start + max(width, cluster_end - cluster_start))
        window_start = max(0, min(window_start, window_end - width))  # near the end, take more before
    else:
        window_start, window_end = starts[0], starts[0] + width
    # Whole words only: start at the first word that begins inside the window, end after the last one
    # that ends inside it (or the first word when it is longer than the window), and keep the punctuation
    # at either end of the text when nothing is cut there.
    first = bisect_left(starts, window_start)
    last = max(first, bisect_right(ends, window_end) - 1)
    start = len(text) - len(text.lstrip()) if first == 0 else starts[first]
    end = len(text.rstrip()) if last == len(ends) - 1 else ends[last]
    prefix = _ELLIPSIS if first > 0 else ""
    suffix = _ELLIPSIS if last < len(ends) - 1 else ""
    pieces = [prefix]
    highlights = []
    length = len(prefix)
    position = start
    for match_start, match_end, _ in matches:
        if match_end > end:
            break
        if match_start < start:
            continue
        gap = _squeeze(text[position:match_start])
        pieces += [gap, text[match_start:match_end]]
        length += len(gap)
        highlights.append((length, length + match_end - match_start))
        length += match_end - match_start
        position = match_end
    pieces += [_squeeze(text[position:end]), suffix]
    return Snippet("".join(pieces), tuple(highlights))


def _densest_cluster(matches: list[tuple[int, int, frozenset[str]]], width: int) -> tuple[int, int]:
    """The start and end of the run of matching words, no wider than ``width`` (or a single word), that
    shows the most distinct query terms, then the most matches; the earliest such run."""
    in_window: Counter[str] = Counter()
    best_key = (-1, -1)
    best = (matches[0][0], matches[0][1])
    left = 0
    for right, (_, end, found) in enumerate(matches):
        in_window.update(found)
        while end - matches[left][0] > width and left < right:
            in_window.subtract(matches[left][2])
            left += 1
        key = (sum(1 for count in in_window.values() if count > 0), right - left + 1)
        if key > best_key:
            best_key, best = key, (matches[left][0], end)
    return best


def _squeeze(text: str) -> str:
    return _WHITESPACE.sub(" ", text)


def encode_offset(offset: int, query: Query) -> str:
    """An opaque cursor for the page of ``query``'s results that starts at ``offset``."""
    if offset < 0:
        raise ValueError("offset must not be negative")
    raw = json.dumps({"o": offset, "q": _query_key(query)}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_offset(cursor: str, query: Query) -> int:
    try:
        if len(cursor) > _CURSOR_MAX_CHARS:
            raise ValueError("too long")
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True)
        content = json.loads(raw)
        offset, key = content["o"], content["q"]
        if type(offset) is not int or offset < 0 or not isinstance(key, str):
            raise ValueError("not an offset")
    except (KeyError, TypeError, ValueError):
        raise InvalidRequest("cursor is not one this search gave out: start again without it", field="cursor") from None
    if key != _query_key(query):
        raise InvalidRequest("cursor belongs to another query: start again without it", field="cursor")
    return offset


def _query_key(query: Query) -> str:
    """Short, and the same for two spellings of one search ("Running" and "runs")."""
    return hashlib.sha256("\n".join(query.terms).encode()).hexdigest()[:12]
