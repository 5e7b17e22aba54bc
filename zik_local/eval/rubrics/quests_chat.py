"""The rubric of ``quests.chat``: did the coach understand the message (its intent) and do the right thing with it?

A case's ``expect`` (every key but ``intent`` optional; a key given as null means "must not be there"):
    intent            "create_goal" | "complete_task" | "list_tasks" | "chat"
    taskId            the task the message finished (null: no task)
    goalTitle         words the new goal's title must contain (compared folded and stemmed)
    targetDate        the new goal's target date, YYYY-MM-DD (null: none)
    date              the day a list shows, YYYY-MM-DD (an answer without ``date`` lists the data's today)
    replyMentions     texts the reply must contain (case and accents aside)
    replyNotMentions  texts it must not contain
    language          the reply's language, "en" (the default) or "fr"
Every answer is also held to two rules of its own: the reply is in the user's language, and a sentence that
names a task names no goal but that task's own (a task paired with another goal's title misleads the user).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from zik_local.eval.checks import Check, fold, in_language, missing_words

TASK = "quests.chat"
HEADLINE: str | None = None  # a turn is right when every check passes: the intent and the action it takes

_MISSING = object()


def grade(case: dict, answer: dict) -> list[Check]:
    expect: Mapping[str, Any] = case.get("expect") or {}
    data: Mapping[str, Any] = case["data"]
    reply = str(answer.get("reply") or "")
    intent = answer.get("intent")
    checks = [
        Check("intent", intent == expect.get("intent"), "" if intent == expect.get("intent") else f"{intent!r}, expected {expect.get('intent')!r}")
    ]
    if "taskId" in expect:
        checks.append(_same("task", answer.get("taskId"), expect["taskId"]))
    if "goalTitle" in expect:
        checks.append(_goal_title(answer.get("goalTitle"), expect["goalTitle"]))
    if "targetDate" in expect:
        checks.append(_same("target_date", answer.get("targetDate"), expect["targetDate"]))
    if "date" in expect:
        listed = (answer.get("date") or data.get("today")) if intent == "list_tasks" else None
        checks.append(_same("list_date", listed, expect["date"]))
    if expect.get("replyMentions"):
        missing = [text for text in expect["replyMentions"] if fold(text) not in fold(reply)]
        checks.append(Check("reply_mentions", not missing, f"missing {missing}" if missing else ""))
    if expect.get("replyNotMentions"):
        found = [text for text in expect["replyNotMentions"] if fold(text) in fold(reply)]
        checks.append(Check("reply_not_mentions", not found, f"says {found}" if found else ""))
    checks.append(in_language("language", reply, expect.get("language") or "en"))
    checks.append(_pairing(reply, data))
    return checks


def _same(name: str, got: Any, expected: Any) -> Check:
    ok = got == expected
    return Check(name, ok, "" if ok else f"{got!r}, expected {expected!r}")


def _goal_title(title: Any, words: Sequence[str]) -> Check:
    if not isinstance(title, str) or not title.strip():
        return Check("goal_title", False, "no goalTitle")
    missing = missing_words(title, words)
    return Check("goal_title", not missing, f"{title!r} lacks {missing}" if missing else "")


def _pairing(reply: str, data: Mapping[str, Any]) -> Check:
    """In each sentence (or list line) of the reply that names tasks, every goal named is one of those tasks' own."""
    tasks = [t for key in ("todayTasks", "tomorrowTasks") for t in (data.get(key) or []) if isinstance(t, Mapping) and t.get("title")]
    goals = [str(g.get("title")) for g in (data.get("goals") or []) if isinstance(g, Mapping) and g.get("title")]
    wrong = []
    for sentence in re.split(r"\n|(?<=[.!?])\s+", reply):
        folded = fold(sentence)
        named = [t for t in tasks if fold(str(t["title"])) in folded]
        if not named:
            continue
        own = {fold(str(t.get("goalTitle") or "")) for t in named}
        for goal in goals:
            # A goal whose title is inside a named task's title ("Write 500 words" / "Write") is not named by itself.
            if fold(goal) in folded and fold(goal) not in own and not any(fold(goal) in fold(str(t["title"])) for t in named):
                wrong.append(f"{goal!r} beside {[t['title'] for t in named]}")
    return Check("pairing", not wrong, "; ".join(wrong))
