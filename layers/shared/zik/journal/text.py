"""Journal text as search and statistics see it: folded for comparison, counted in words, cut into index terms.

Every function here reads words off the original text with one tokenizer (``words``), so a word count, the
terms an entry is indexed under and the words a snippet highlights always agree on where a word starts and
ends. A word is a run of letters, digits and combining marks, joined by apostrophes and hyphens
("don't", "well-being") and, between digits, by ``.``, ``,`` and ``:`` ("3.14", "1,000", "10:30").

Search also asks which index terms a query word stands for beyond its own (``other_forms``: British and
American spellings, irregular forms, from ``word_forms.json`` next to this module) and which terms of an
index a misspelt word may have meant (``NearbyTerms``).

Pure functions, no I/O but reading ``word_forms.json`` once. The stemmer (``snowballstemmer``) is imported
on the first call of ``terms``, so code that only folds or counts does not pay for it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import accumulate
from pathlib import Path

__all__ = [
    "STOP_WORDS",
    "TYPO_ANY_EDIT_FROM",
    "TYPO_MIN_LETTERS",
    "TYPO_TWO_EDITS_FROM",
    "NearbyTerms",
    "fold",
    "only_slips",
    "other_forms",
    "stand_ins",
    "terms",
    "typo_budget",
    "word_count",
    "word_pieces",
    "word_terms",
    "words",
]

# English stop words (the usual NLTK list plus "could" and "would"), folded and without apostrophes: words
# are split at apostrophes before this list is consulted, which is also why the clitics "ll", "re" and "ve"
# are here.
STOP_WORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before being below between
    both but by can could did do does doing down during each few for from further had has have having he her
    here hers herself him himself his how i if in into is it its itself just ll me more most my myself no nor
    not now of off on once only or other our ours ourselves out over own re same she should so some such than
    that the their theirs them themselves then there these they this those through to too under until up ve
    very was we were what when where which while who whom why will with would you your yours yourself
    yourselves
    """.split()
)

# Letters that casefold and NFKD leave whole although a reader takes them for two plain letters or one.
_UNDECOMPOSABLE_LETTERS = str.maketrans({"æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"})

# Python's \w leaves out combining marks, which sit inside words of most scripts (Devanagari vowel signs,
# Hebrew points, a decomposed "é"). These blocks hold every mark of the Basic Multilingual Plane; scanning
# only them keeps building the pattern at about 2 ms instead of 15.
_BLOCKS_WITH_MARKS = ((0x0300, 0x3100), (0xA000, 0xAC00), (0xFB00, 0xFE30))
_ZERO_WIDTH_JOINERS = "\u200c\u200d"  # inside Persian and Indic words
_APOSTROPHES = "'\u2019\u2018\u02bc"
_HYPHENS = "\\-\u2010\u2011"

# Chinese and Japanese put no space between words: a person (and every word processor) counts each
# ideograph or kana as a word, and the index uses overlapping pairs of them as terms, as search engines do.
_CJK_CHARS = "\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0002fa1f"
_CJK_RUN = re.compile(f"([{_CJK_CHARS}]+)")

# What cutting "n't" leaves of can't, won't, shan't and ain't, and the word it stands for.
_IRREGULAR_NEGATIONS = {"ca": "can", "wo": "will", "sha": "shall", "ai": "am"}
_APOSTROPHE_TO_ASCII = str.maketrans({quote: "'" for quote in _APOSTROPHES})
_PART_SEPARATOR = re.compile(f"[{_HYPHENS}_]+")

# A long-lived indexer sees the vocabulary of many users; bound what it remembers.
_WORD_TERMS_CACHE_SIZE = 1 << 15

_WORD_FORMS_FILE = Path(__file__).with_name("word_forms.json")

# Typo tolerance: a word shorter than this is never corrected (a three-letter word is one letter away from
# dozens: "cat" from car, cap, bat, cut), and a word this long or longer may hold two typos.
TYPO_MIN_LETTERS = 4
TYPO_TWO_EDITS_FROM = 8
# A word whose stem is shorter than this is one changed, added or dropped letter away from other real words
# too often ("lamb" and "lamp", "pier" and "pie", "making" and "baking"): its only typos are the slips that
# seldom make another word (see ``only_slips``).
TYPO_ANY_EDIT_FROM = 5


def fold(text: str) -> str:
    """``text`` as comparisons should see it: casefolded and without accents ("Ǽté Straße" -> "aete strasse").

    Only the diacritics of the alphabets before Devanagari (Latin, Greek, Cyrillic, Hebrew, Arabic) and the
    generic combining blocks are dropped: in Indic scripts, Thai or Japanese (が) a combining mark changes the
    letter itself, so it stays.
    """
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text).casefold()
    bare = "".join(char for char in decomposed if not _is_accent(char))
    return unicodedata.normalize("NFC", bare.translate(_UNDECOMPOSABLE_LETTERS))


def _is_accent(char: str) -> bool:
    return bool(unicodedata.combining(char)) and (
        char < "\u0900"
        or "\u1ab0" <= char <= "\u1aff"
        or "\u1dc0" <= char <= "\u1dff"
        or "\u20d0" <= char <= "\u20ff"
        or "\ufe20" <= char <= "\ufe2f"
    )


def words(text: str) -> Iterator[re.Match[str]]:
    """The words of ``text`` as matches, so that callers have both the word and where it stands."""
    return _word_pattern().finditer(text)


def word_count(text: str) -> int:
    """Words as a person counts them: "don't", "well-being" and "3.14" are one word each, punctuation and
    emoji none, and each Chinese or Japanese character one."""
    if not _CJK_RUN.search(text):
        return sum(1 for _ in words(text))
    return sum(len(run) if is_cjk else 1 for match in words(text) for run, is_cjk in _cjk_runs(match.group()))


def terms(text: str) -> list[str]:
    """The index terms of ``text`` in order, repeated as often as they occur: folded, without English stop
    words and one-letter words (digits stay), stemmed ("Running" -> "run")."""
    return [term for match in words(text) for term in word_terms(match.group())]


@lru_cache(maxsize=_WORD_TERMS_CACHE_SIZE)
def word_terms(word: str) -> tuple[str, ...]:
    """The terms of one word as ``words`` finds it.

    Parts joined by hyphens are terms of their own, and so is their concatenation ("e-mail" -> "mail",
    "email"), so that "wellbeing" finds "well-being" and the other way round. Apostrophes split a word too
    ("l'été" -> "ete", "Anna's" -> "anna"), except in English negations, which keep their base ("don't" ->
    "do").
    """
    return tuple(term for _, term in word_pieces(word))


def word_pieces(word: str) -> list[tuple[str, str]]:
    """The terms of one word (as ``word_terms``), each with the folded piece of the word it was cut from:
    what a query compares when it looks for other spellings and typos ("Colour-coded" -> ("colour",
    "colour"), ("coded", "code"), ("colourcoded", "colourcod"))."""
    folded = fold(word.translate(_APOSTROPHE_TO_ASCII))
    parts = [part for part in _PART_SEPARATOR.split(folded) if part]
    found: list[tuple[str, str]] = []
    for part in parts:
        for piece in _apostrophe_pieces(part):
            found.extend((piece, term) for term in _piece_terms(piece))
    if len(parts) > 1:
        joined = "".join(parts).replace("'", "")
        if not joined.isdigit():  # "2024-05-01" is not the number 20240501
            seen = {term for _, term in found}
            found.extend((joined, term) for term in _piece_terms(joined) if term not in seen)
    return found


def _apostrophe_pieces(part: str) -> list[str]:
    if part.endswith("n't"):
        base = part[:-3]
        return [_IRREGULAR_NEGATIONS.get(base, base)]
    return part.split("'")


def _piece_terms(piece: str) -> list[str]:
    if _CJK_RUN.search(piece):
        return [term for run, is_cjk in _cjk_runs(piece) for term in (_cjk_terms(run) if is_cjk else _piece_terms(run))]
    term = _plain_term(piece)
    return [term] if term else []


def _cjk_runs(word: str) -> Iterator[tuple[str, bool]]:
    """The runs of ``word`` in order, each with whether it is Chinese or Japanese."""
    for position, run in enumerate(_CJK_RUN.split(word)):
        if run:
            yield run, position % 2 == 1  # split puts the captured (CJK) runs at odd positions


def _cjk_terms(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def _plain_term(piece: str) -> str | None:
    if piece in STOP_WORDS or (len(piece) < 2 and not piece.isdigit()):
        return None
    if piece.isascii() and piece.isalpha():
        return _english_stem()(piece)
    # The English rules mean nothing for other scripts and would only mangle them.
    return piece


@cache
def _english_stem() -> Callable[[str], str]:
    import snowballstemmer  # imports all its languages (~25 ms): only for code that needs terms

    return snowballstemmer.stemmer("english").stemWord


@cache
def _word_pattern() -> re.Pattern[str]:
    mark_ranges = _as_ranges(
        code for start, stop in _BLOCKS_WITH_MARKS for code in range(start, stop) if unicodedata.category(chr(code)).startswith("M")
    )
    marks = "".join(f"\\u{low:04x}-\\u{high:04x}" if low != high else f"\\u{low:04x}" for low, high in mark_ranges)
    char = f"[\\w{marks}{_ZERO_WIDTH_JOINERS}]"
    joiner = f"(?:[{_APOSTROPHES}{_HYPHENS}]|(?<=\\d)[.,:](?=\\d))"
    # A word starts with a letter or digit: a stray mark or a run of underscores is not a word.
    return re.compile(f"(?=[^\\W_]){char}+(?:{joiner}{char}+)*")


def _as_ranges(codes: Iterator[int]) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    return ranges


# ------------------------------------------------------------------------------------ other forms


@dataclass(frozen=True)
class _SpellingEnding:
    """One ending spelt two ways ("colour" and "color"): ``mine`` becomes ``theirs`` when a word ends with it
    and one of ``tails`` ("colours", "coloured"), after one of the letters ``after`` and at least
    ``min_before`` letters, which keeps short words and look-alikes out ("four" is not "for", "door" not "dour")."""

    mine: str
    theirs: str
    tails: tuple[str, ...]
    after: str
    min_before: int


@dataclass(frozen=True)
class _Groups:
    """Groups of words that are one word, found by the term of a word the stemmer inflects ("running" ->
    "run", "greys" -> "grey") or by an irregular form as written: "saw" is see's, "saws" is not, nor is
    "founded" find's."""

    by_term: dict[str, tuple[str, ...]]
    by_word: dict[str, tuple[str, ...]]

    def of(self, piece: str, term: str | None) -> tuple[str, ...]:
        return self.by_word.get(piece) or (self.by_term.get(term, ()) if term else ())


@dataclass(frozen=True)
class _WordForms:
    """``word_forms.json``, read for lookups."""

    groups: _Groups
    verbs: _Groups
    verb_prefixes: tuple[str, ...]
    noun_endings: tuple[tuple[str, tuple[str, ...]], ...]
    endings: tuple[_SpellingEnding, ...]
    beginnings: tuple[tuple[str, str], ...]
    suffixes: tuple[str, ...]
    stand_ins: dict[str, tuple[str, ...]]


def other_forms(piece: str) -> tuple[str, ...]:
    """The terms of the other words a folded word piece (see ``word_pieces``) stands for in a search: its
    British or American spelling ("colours" -> "color", "organised" -> "organiz", "centre" -> "center") and
    its irregular forms ("ran" -> "run", "slept" -> "sleep", "mice" -> "mous", "grandchildren" ->
    "grandchild"). Spelling rules also make words nobody writes ("jornal" from "journal"): a search keeps
    only the terms its index holds. Only English words (ASCII letters) have other forms."""
    if not (piece.isascii() and piece.isalpha()):
        return ()
    own = _plain_term(piece)
    if own is None:
        return ()
    forms = _word_forms()
    variants: list[str] = list(forms.groups.of(piece, own))
    for prefix in forms.verb_prefixes:  # "understood" -> "understand", "overslept" -> "oversleep"
        rest = piece[len(prefix) :]
        if piece.startswith(prefix) and len(rest) > 1:
            variants.extend(prefix + verb for verb in forms.verbs.of(rest, _plain_term(rest)))
    for ending, others in forms.noun_endings:  # "women" -> "woman", "grandchildren" -> "grandchild"
        if piece.endswith(ending):
            variants.extend(piece[: len(piece) - len(ending)] + other for other in others)
    for rule in forms.endings:
        for tail in rule.tails:
            before = piece[: len(piece) - len(rule.mine) - len(tail)]
            if piece.endswith(rule.mine + tail) and len(before) >= rule.min_before and before[-1] in rule.after:
                variants.append(before + rule.theirs + tail)
    for beginning, other in forms.beginnings:  # "paediatrician" -> "pediatrician"
        if piece.startswith(beginning) and len(piece) > len(beginning):
            variants.append(other + piece[len(beginning) :])
    found = dict.fromkeys(term for variant in variants if (term := _plain_term(variant)) is not None and term != own)
    return tuple(found)


def stand_ins(piece: str) -> tuple[str, ...]:
    """The terms of the words a folded word piece stands for only when an index holds none of its own forms
    ("curb" -> "kerb", "check" -> "chequ", "ring" -> "rang"): another spelling or form of the word that
    ``other_forms`` leaves out because one of the two is also another word ("to curb", "check in", a
    wedding ring). When the word itself is missing, the journal cannot hold its other sense either, so the
    other spelling is what it can mean; each word stands in only for words whose other sense is rare in a
    journal (``standIns`` in ``word_forms.json``)."""
    return tuple(dict.fromkeys(term for other in _word_forms().stand_ins.get(piece, ()) if (term := _plain_term(other)) is not None))


@cache
def _word_forms() -> _WordForms:
    raw = json.loads(_WORD_FORMS_FILE.read_text(encoding="utf-8"))
    groups, verbs = _Groups({}, {}), _Groups({}, {})
    for key, into in (("irregularVerbs", (groups, verbs)), ("irregularNouns", (groups,))):
        for group in raw[key]:
            base, *irregular = group
            for table in into:
                table.by_term[_plain_term(base) or base] = tuple(group)
                table.by_word.update(dict.fromkeys(irregular, tuple(group)))
    for group in raw["spellingWords"]:  # each spelling is inflected as the other is
        groups.by_term.update(dict.fromkeys((_plain_term(word) or word for word in group), tuple(group)))
    noun_endings = tuple((ending, tuple(other for other in pair if other != ending)) for pair in raw["irregularNounEndings"] for ending in pair)
    endings = tuple(
        _SpellingEnding(mine, theirs, tuple(rule["tails"]), rule["after"], rule["minBefore"])
        for rule in raw["spellingEndings"]
        for mine, theirs in ((rule["british"], rule["american"]), (rule["american"], rule["british"]))
    )
    beginnings = tuple((mine, theirs) for pair in raw["spellingBeginnings"] for mine, theirs in (pair, pair[::-1]))
    stand_ins = {word: tuple(others) for word, others in raw["standIns"].items()}
    return _WordForms(groups, verbs, tuple(raw["verbPrefixes"]), noun_endings, endings, beginnings, tuple(raw["suffixes"]), stand_ins)


# ------------------------------------------------------------------------------------------ typos


def typo_budget(word: str) -> int:
    """How many typos a folded query word may hold: 0 (never corrected) for words under
    ``TYPO_MIN_LETTERS`` letters and for what is not an English word (digits, other scripts), 2 from
    ``TYPO_TWO_EDITS_FROM`` letters, else 1."""
    if len(word) < TYPO_MIN_LETTERS or not (word.isascii() and word.isalpha()):
        return 0
    return 2 if len(word) >= TYPO_TWO_EDITS_FROM else 1


def only_slips(word: str) -> bool:
    """Whether the only typos a folded query word may hold are slips that seldom make another word: two
    neighbouring letters swapped ("wrok"), a letter doubled ("poemm") or one of a doubled letter dropped
    ("gose"). So it is for a word whose stem is shorter than ``TYPO_ANY_EDIT_FROM`` letters: changing,
    adding or dropping any other letter of a short word gives another real word too often ("lamb" ->
    "lamp", "pier" -> "pie", "making" -> "baking"), and a search for a word the journal does not hold
    should find nothing rather than its neighbour."""
    return len(_plain_term(word) or word) < TYPO_ANY_EDIT_FROM


class NearbyTerms:
    """The terms of a vocabulary (index terms: folded, stemmed) that a misspelt word may have meant.

    A term is near a word when one of the words it is the stem of lies within ``typo_budget(word)`` edits of
    it, in Damerau-Levenshtein distance (a letter added, dropped, changed, or two neighbours swapped); for
    a short word (``only_slips``), only swaps and doubled letters added or dropped count.
    Typos often fall in the ending, where the stemmer would read them as part of the stem ("presentaton"
    stems to "presentaton", not "present"), so the words a term stands for are rebuilt as the term, its last
    letter doubled or not, a final "i" read as "y" ("happi" -> "happy"), then one of the usual English
    endings ("ation", "ing", "s"...), and kept only when they stem back to the term ("present" + "ation").

    The vocabulary is kept sorted and walked as a trie built on demand: a branch is left as soon as no
    beginning of the word is within the budget of it, so a search reads a small part of a large vocabulary
    and building costs only a sort.
    """

    def __init__(self, vocabulary: Iterable[str]) -> None:
        terms_by_key: dict[str, list[str]] = {}
        for term in vocabulary:
            if term.isascii() and term.isalpha():
                terms_by_key.setdefault(term, []).append(term)
                if term.endswith("i"):  # the stemmer writes a final "y" as "i"
                    terms_by_key.setdefault(term[:-1] + "y", []).append(term)
        self._keys = sorted(terms_by_key)
        self._terms_by_key = terms_by_key

    def near(self, word: str) -> dict[str, int]:
        """The terms near the folded ``word``, each with its distance (the fewest edits found)."""
        budget = typo_budget(word)
        keys = self._keys
        if not budget or not keys:
            return {}
        found: dict[str, int] = {}
        length, beyond = len(word), budget + 1
        slips = budget == 1 and only_slips(word)
        # A node: keys[low:high], the keys that begin with the same ``depth`` letters, with the edit
        # distances between that beginning and each beginning of the word (only the band the budget can
        # reach; the rest is beyond it), and the same for the beginning a letter shorter (for swaps).
        # With slips only, no letter can be dropped or added at the start: it would not double a letter.
        first_row = [0] + [beyond] * length if slips else [min(j, beyond) for j in range(length + 1)]
        stack: list[tuple[int, int, int, list[int], list[int] | None]] = [(0, len(keys), 0, first_row, None)]
        while stack:
            low, high, depth, row, row_above = stack.pop()
            beginning = keys[low][:depth]
            if len(keys[low]) == depth:  # sorted: the beginning itself comes first, when it is a key
                self._read_as(beginning, row, row_above, word, budget, slips, found)
                low += 1
            last = beginning[-1:]
            deeper = depth + 1
            band = range(max(1, deeper - budget), min(length, deeper + budget) + 1)
            while low < high:
                letter = keys[low][depth]
                end = bisect_left(keys, beginning + letter + "\x7f", low, high)  # keys are ASCII: \x7f sorts after them
                # One row of the edit distance table, written out: this loop is where a search spends its time.
                following = [beyond if slips else min(deeper, beyond)] + [beyond] * length
                least = following[0]
                for j in band:
                    char = word[j - 1]
                    if slips:  # only a dropped or added letter that repeats the one before it
                        best = row[j - 1] if char == letter else beyond
                        if row[j] < best and letter == last:
                            best = row[j] + 1
                        if following[j - 1] < best and j > 1 and char == word[j - 2]:
                            best = following[j - 1] + 1
                    else:
                        best = row[j - 1] + (char != letter)
                        if row[j] < best:
                            best = row[j] + 1
                        if following[j - 1] < best:
                            best = following[j - 1] + 1
                    if row_above is not None and char == last and j > 1 and word[j - 2] == letter and row_above[j - 2] < best:
                        best = row_above[j - 2] + 1
                    following[j] = best
                    if best < least:
                        least = best
                # With slips only, the first letter of a swap costs more than the budget until the second pays it
                # back: keep a branch whose beginning a letter shorter is still exact.
                if least <= budget or (slips and min(row) < budget):
                    stack.append((low, end, deeper, following, row))
                low = end
        return found

    def _read_as(self, key: str, row: list[int], row_above: list[int] | None, word: str, budget: int, slips: bool, found: dict[str, int]) -> None:
        """Record the terms of ``key`` that ``word`` is within budget of, read as the key, its last letter
        doubled or not ("swim" + "m" + "ing"), plus an ending that the stemmer takes off again.

        The distance to such a word is the least, over where the word is cut, of the distance from the
        word's beginning to the key (``row``) plus that from its end to the ending. Two letters swapped
        across the cut ("meeitng") would be counted as two edits, so the ending is also read from the key's
        last letter on, against the key without it (``row_above``): the least of both is exact."""
        last = key[-1]
        readings = [(row, len(key), ""), (row, len(key), last)]
        if row_above is not None:
            readings += [(row_above, len(key) - 1, last), (row_above, len(key) - 1, last + last)]
        for base_row, cut_at, lead in readings:
            for j in range(max(0, cut_at - budget), min(len(word), cut_at + budget) + 1):
                spent = base_row[j]
                if spent > budget:
                    continue
                # With slips only, whether a letter repeats the one before it looks across the cut.
                before = (word[j - 1 : j], key[cut_at - 1 : cut_at]) if slips else None
                for ending, more in _endings_near(word[j:], lead, budget - spent, before):
                    distance = spent + more
                    for term in self._terms_by_key[key]:
                        if distance < found.get(term, budget + 1) and _plain_term(key[:cut_at] + ending) == term:
                            found[term] = distance


@lru_cache(maxsize=8192)
def _endings_near(tail: str, lead: str, budget: int, before: tuple[str, str] | None) -> tuple[tuple[str, int], ...]:
    """The English endings, each after ``lead`` (the letters of the word's key read with it), within
    ``budget`` edits of ``tail`` (the end of a word), with their distances; slips only when ``before``
    gives the letters before the tail and before the ending (see ``_edit_distance``)."""
    near = []
    for suffix in _word_forms().suffixes:
        ending = lead + suffix
        if abs(len(ending) - len(tail)) <= budget:
            distance = _edit_distance(tail, ending, budget, before)
            if distance <= budget:
                near.append((ending, distance))
    return tuple(near)


def _edit_distance(first: str, second: str, limit: int, before: tuple[str, str] | None = None) -> int:
    """Damerau-Levenshtein distance (optimal string alignment), or ``limit`` + 1 when it is over ``limit``.

    With ``before`` (the letter before ``first`` and the one before ``second``, "" at a word's start), only
    slips count (see ``only_slips``): swaps, and a letter dropped or added where it repeats the one before it."""
    over = limit + 1
    if before is None:
        drop, add, change = [1] * len(first), [1] * len(second), 1
    else:
        drop = [1 if char == previous else over for char, previous in zip(first, (before[0] or "\0") + first)]
        add = [1 if char == previous else over for char, previous in zip(second, (before[1] or "\0") + second)]
        change = over
    row = [min(cost, over) for cost in accumulate(add, initial=0)]
    above: list[int] | None = None
    for i, char in enumerate(first, 1):
        dropped = drop[i - 1]
        current = [min(row[0] + dropped, over)] + [0] * len(second)
        for j, other in enumerate(second, 1):
            best = min(row[j] + dropped, current[j - 1] + add[j - 1], row[j - 1] + (0 if char == other else change))
            if above is not None and j > 1 and char == second[j - 2] and first[i - 2] == other:
                best = min(best, above[j - 2] + 1)
            current[j] = min(best, over)
        # With slips only, a swap's first letter costs more than the limit until its second pays it back.
        if min(current) > limit and (before is None or min(row) >= limit):
            return over
        above, row = row, current
    return row[-1]
