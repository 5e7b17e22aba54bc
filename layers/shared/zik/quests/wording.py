"""The words of the quests' offline rules, shared by the planner, the coach and the chat: lazily compiled
patterns, clipping, and the stems a message and a task title are compared by."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["LazyPattern", "clip", "stem", "upper_first", "words"]


class LazyPattern:
    """A regular expression compiled on first use. Every function that registers the quests' AI tasks
    imports these rules, and its first event uses a few of them: compiling all ninety at import was most
    of this module's share of a cold start."""

    __slots__ = ("_compiled", "_flags", "_source")

    def __init__(self, source: str, flags: int = 0):
        self._source = source
        self._flags = flags
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        if self._compiled is None:
            self._compiled = re.compile(self._source, self._flags)
        return getattr(self._compiled, name)


def clip(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 3]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-") + "..."


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


STOP = {
    "i",
    "me",
    "my",
    "mine",
    "we",
    "our",
    "you",
    "your",
    "the",
    "a",
    "an",
    "and",
    "or",
    "but",
    "to",
    "of",
    "for",
    "with",
    "on",
    "in",
    "at",
    "by",
    "from",
    "it",
    "its",
    "is",
    "was",
    "are",
    "be",
    "been",
    "just",
    "already",
    "finally",
    "done",
    "finished",
    "finish",
    "completed",
    "complete",
    "mark",
    "marked",
    "as",
    "task",
    "tasks",
    "todo",
    "today",
    "todays",
    "have",
    "has",
    "had",
    "ve",
    "this",
    "that",
    "these",
    "those",
    "up",
    "all",
    "off",
    "check",
    "checked",
    "tick",
    "ticked",
    "cross",
    "crossed",
    "did",
    "do",
    "also",
    "now",
    "so",
    "yes",
    "please",
    "can",
    "got",
    "am",
    "m",
    "im",
    "s",
    "then",
    "too",
    "very",
    "really",
    "thing",
    "one",
    "wrapped",
    "knocked",
    "out",
    "through",
    "wrap",
    "some",
    "ok",
    "okay",
    "yay",
    "woohoo",
    "hey",
    "hi",
    "there",
    "coach",
    "zik",
}
IRREGULAR = {
    "ran": "run",
    "wrote": "write",
    "written": "write",
    "read": "read",
    "did": "do",
    "went": "go",
    "swam": "swim",
    "made": "make",
    "bought": "buy",
    "sent": "send",
    "took": "take",
    "spoke": "speak",
    "met": "meet",
    "paid": "pay",
    "ate": "eat",
    "drank": "drink",
    "slept": "sleep",
    "built": "build",
    "sang": "sing",
    "called": "call",
}


def stem(word: str) -> str:
    word = IRREGULAR.get(word, word)
    for suffix, minimum in (("ing", 5), ("ed", 4), ("es", 4), ("s", 3)):
        if word.endswith(suffix) and len(word) > minimum and not word.endswith("ss"):
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiou":
        word = word[:-1]
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


def words(text: str) -> set[str]:
    text = re.sub(r"['’]s\b", "", text.lower()).replace("'", "").replace("’", "")
    return {stem(w) for w in re.findall(r"[a-z0-9]+", text) if w not in STOP}
