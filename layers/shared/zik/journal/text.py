"""Journal text as search and statistics see it: folded for comparison, counted in words, cut into index terms.

Every function here reads words off the original text with one tokenizer (``words``), so a word count, the
terms an entry is indexed under and the words a snippet highlights always agree on where a word starts and
ends. A word is a run of letters, digits and combining marks, joined by apostrophes and hyphens
("don't", "well-being") and, between digits, by ``.``, ``,`` and ``:`` ("3.14", "1,000", "10:30").

Pure functions, no I/O. The stemmer (``snowballstemmer``) is imported on the first call of ``terms``, so
code that only folds or counts does not pay for it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from functools import cache, lru_cache

__all__ = ["STOP_WORDS", "fold", "terms", "word_count", "word_terms", "words"]

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
    folded = fold(word.translate(_APOSTROPHE_TO_ASCII))
    parts = [part for part in _PART_SEPARATOR.split(folded) if part]
    found: list[str] = []
    for part in parts:
        for piece in _apostrophe_pieces(part):
            found.extend(_piece_terms(piece))
    if len(parts) > 1:
        joined = "".join(parts).replace("'", "")
        if not joined.isdigit():  # "2024-05-01" is not the number 20240501
            found.extend(term for term in _piece_terms(joined) if term not in found)
    return tuple(found)


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
