"""The quests' offline chat coach: what the ``local`` provider answers for ``quests.chat``.

Pure functions, standard library only, deterministic: it reads what the user asks for (a goal to create, a
task finished, today's list) from the message, and answers about the user's own goals and tasks."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from zik.quests.offline import plan
from zik.quests.wording import LazyPattern as _Pattern
from zik.quests.wording import clip as _clip
from zik.quests.wording import upper_first as _upper_first
from zik.quests.wording import words as _words

__all__ = ["chat"]

REPLY_MAX = 2000
GOAL_TITLE_MIN, GOAL_TITLE_MAX = 3, 200

_DONE = {"done", "completed", "complete", "finished", "skipped", "cancelled", "canceled", "archived", "closed"}


def _is_open(task: Mapping[str, Any]) -> bool:
    return str(task.get("status") or "todo").lower() not in _DONE


def _is_active(goal: Mapping[str, Any]) -> bool:
    return str(goal.get("status") or "active").lower() not in _DONE | {"abandoned", "failed"}


_COMPLETE = _Pattern(
    r"\b(?:finished|completed|done with|i(?:'ve| have)? done|(?:just )?did|ticked off|crossed off|knocked out|wrapped up|got through|"
    r"check(?:ed)? off|tick(?:ed)? off|i'?m done|mark(?:ed)?\b.+?\b(?:as )?(?:done|complete|completed|finished)|"
    r"(?:is|are) (?:done|complete|finished))\b",
    re.IGNORECASE,
)
_COMPLETE_END = _Pattern(r"\b(?:done|finished|complete|completed)\W*$", re.IGNORECASE)
_PAST = _Pattern(r"\b(?:[a-z]{3,}ed|ran|wrote|read|went|swam|made|bought|sent|took|spoke|met|paid|ate|drank|slept|built|sang|did|got)\b")
_NEGATION = _Pattern(
    r"\b(?:not|no|never|didn'?t|couldn'?t|haven'?t|hasn'?t|wasn'?t|won'?t|can'?t|but|wanted|tried|failed|skipped|missed|planned|needed|forgot)\b|n't\b"
)
_LIST = [
    _Pattern(p, re.IGNORECASE)
    for p in (
        r"\bwhat(?:'s| is| are)?\s+(?:on|up|planned|scheduled|left|next|due)\b.*\b(?:today|tonight|for me|my (?:list|plate|agenda|day))\b",
        r"\bwhat(?:'s| is)\s+(?:on|left|next|due)\s*\W*$",
        r"\bwhat(?:'s| is)\s+on\s+my\b",
        r"\bwhat (?:should|shall|do|can|must|could) i (?:do|work on|focus on|tackle|start with)\b",
        r"\bwhat do i (?:have|need|got) to do\b",
        r"\bwhat to do (?:today|now|next|first)\b",
        r"\b(?:my|today'?s?|the day'?s|daily) (?:tasks?|to-?dos?|to-?do list|agenda|plan|schedule)\b",
        r"\b(?:tasks?|to-?dos?|agenda|plan) (?:for )?(?:today|tonight|this morning|this afternoon)\b",
        r"\b(?:show|list|give|tell|remind)(?: me)?(?: what| my| the| today'?s)? (?:tasks?|to-?dos?|list|agenda|plan)\b",
        r"\banything (?:left |else )?(?:to do|due|planned)\b",
        r"\bwhat(?:'s| is) (?:left|remaining)\b",
    )
]
_GOAL_EXPLICIT = [
    _Pattern(p, re.IGNORECASE)
    for p in (
        r"\b(?:set|create|add|make|start|begin)\s+(?:me\s+)?(?:up\s+)?(?:a\s+|an\s+)?(?:new\s+)?(?:goal|quest)\b\s*(?:[:\-—]|to\b|of\b|for\b|called\b|named\b)?\s*(.*)$",
        r"\bmy (?:new |next |big |main |biggest )?(?:goal|quest|resolution|dream)(?: for [^:]+?| this year| now)? (?:is|will be)\s*(?::\s*)?(?:to\s+)?(.*)$",
        r"\b(?:new )?(?:goal|quest)\s*[:\-—–]\s*(.*)$",
    )
]
_GOAL_SOFT = [
    _Pattern(p, re.IGNORECASE)
    for p in (
        r"\bi\s*(?:'d|’d|\s+would)\s+(?:really\s+|so\s+)?(?:like|love)\s+to\s+(.+)$",
        r"\bi\s*(?:'m|’m|\s+am)\s+(?:really\s+|finally\s+)?(?:going to|gonna|planning to|planning on|hoping to|aiming to|determined to|ready to|committing to)\s+(.+)$",
        r"\bi\s+(?:really\s+|also\s+|finally\s+|so\s+|seriously\s+)*(?:want to|wanna|need to|plan to|hope to|aim to|intend to|am going to)\s+(.+)$",
        r"\b(?:please\s+)?help me(?:\s+to)?\s+(.+)$",
        r"\b(?:this|next) year,? i(?:'ll| will| want to)\s+(.+)$",
        r"\bi(?:'ll| will)\s+(.+)$",
    )
]
_NOT_GOALS = _Pattern(
    r"^(?:know|ask|talk|chat|say|tell|understand|see|check|vent|rest|cry|do (?:it|that|this|something)|be motivated|stay motivated|"
    r"get motivated|focus|feel|continue|keep going|get started|start|stop|quit|give up|relax|go to bed|sleep|nap|do|with|be|"
    r"mark|finish (?:my|the|this|that|it|today)|complete (?:my|the|this|that|it)|list|show|thank|change|delete|remove|cancel|skip|"
    r"figure out what|plan my day|organi[sz]e my|going|progressing|on track|behind|hard|tough|difficult|stuck)\b",
    re.IGNORECASE,
)


def _goal_title(phrase: str) -> str | None:
    text = re.split(r"(?<!\d)[.!?;\n](?!\d)|\s+(?:because|since|but|so that|and i need|can you|could you)\b", phrase.strip(), maxsplit=1)[0]
    text = re.sub(r"^[\s\"'“‘:,-]+|[\s\"'”’:,.!-]+$", "", text)
    text = re.sub(r"\s*,?\s*(?:please|pls|thanks|thank you|ok|okay)\W*$", "", text, flags=re.IGNORECASE)
    text = re.sub(r"^(?:to|that i|that|i|really|finally|actually|also)\s+", "", text, flags=re.IGNORECASE)
    text = re.sub(r"^(?:be able to|start to|try to|manage to)\s+", "", text, flags=re.IGNORECASE)
    text = " ".join(text.split()).strip(" ,.;:")
    if len(text) < GOAL_TITLE_MIN:
        return None
    return _upper_first(_clip(text, GOAL_TITLE_MAX))


def _quoted(message: str) -> str | None:
    found = re.search(r"[\"“']([^\"”']{2,200})[\"”']", message)
    return found.group(1) if found else None


def _best_task(query: str, tasks: Sequence[Mapping[str, Any]], *, share: float = 0.5) -> tuple[Mapping[str, Any] | None, bool]:
    """The task whose title shares most words with ``query`` (None when nothing matches well enough);
    the flag says the best match was a tie."""
    words = _words(query)
    if not words:
        return None, False
    scored = []
    for index, task in enumerate(tasks):
        title_words = _words(str(task.get("title") or ""))
        overlap = len(words & title_words)
        if overlap and (overlap >= 2 or overlap / len(words) >= share):
            scored.append((overlap, overlap / max(1, len(title_words)), -index, task))
    if not scored:
        return None, False
    scored.sort(key=lambda item: item[:3], reverse=True)
    tie = len(scored) > 1 and scored[0][:2] == scored[1][:2]
    return scored[0][3], tie


def _task_list(tasks: Sequence[Mapping[str, Any]], limit: int = 10) -> str:
    lines = []
    for number, task in enumerate(tasks[:limit], start=1):
        goal = str(task.get("goalTitle") or "").strip()
        lines.append(f"{number}. {_clip(str(task.get('title') or 'Untitled task'), 120)}" + (f" (for {_clip(goal, 60)})" if goal else ""))
    if len(tasks) > limit:
        lines.append(f"...and {len(tasks) - limit} more.")
    return "\n".join(lines)


def _first_step(title: str) -> str:
    stages = plan({"title": title, "description": "", "category": "", "targetDate": "", "today": "2000-01-01"})
    return stages["milestones"][0]["title"]


def _nudge(goals: Sequence[Mapping[str, Any]], open_tasks: Sequence[Mapping[str, Any]]) -> str:
    active = [g for g in goals if _is_active(g)]
    if open_tasks:
        task = open_tasks[0]
        goal = str(task.get("goalTitle") or "").strip()
        for_goal = f' for "{_clip(goal, 80)}"' if goal else ""
        return f'Your next open task is "{_clip(str(task.get("title")), 120)}"{for_goal}. Give it 20 focused minutes and see how far you get.'
    if active:
        goal = str(active[0].get("title") or "your goal")
        return f'A good use of 15 minutes today: move "{_clip(goal, 80)}" one step forward, or rest and start fresh tomorrow.'
    return "You don't have a goal yet. Tell me one, for example \"I want to learn Spanish\", and I'll break it into milestones and daily tasks."


def _reply(text: str) -> str:
    text = text.strip()
    if len(text) > REPLY_MAX:
        text = text[: REPLY_MAX - 3].rstrip() + "..."
    return text or "I'm here. Tell me a goal, ask what's on today, or tell me which task you finished."


def chat(data: Mapping[str, Any]) -> dict[str, Any]:
    """``quests.chat``: the coach's reply and what the user asked for (create a goal, complete a task,
    list today's tasks, or just talk)."""
    message = " ".join(str(data.get("message") or "").split())
    goals = [g for g in (data.get("goals") or []) if isinstance(g, Mapping)]
    tasks = [t for t in (data.get("todayTasks") or []) if isinstance(t, Mapping) and t.get("taskId")]
    open_tasks = [t for t in tasks if _is_open(t)]
    done_tasks = [t for t in tasks if not _is_open(t)]
    low = message.lower()

    def create(title: str) -> dict[str, Any]:
        same = next((g for g in goals if _words(str(g.get("title") or "")) == _words(title)), None)
        if same is not None:
            reply = (
                f'You already have the goal "{_clip(str(same.get("title")), 120)}" ({same.get("status") or "active"}), so I won\'t add it twice. '
                + _nudge(goals, open_tasks)
            )
            return {"reply": _reply(reply), "intent": "chat"}
        step = _first_step(title)
        reply = f'Great goal! I\'m creating "{title}" and breaking it into milestones with daily tasks. A good first milestone: {step}.'
        return {"reply": _reply(reply), "intent": "create_goal", "goalTitle": title}

    # 1. An explicit goal: "set a goal: ...", "my goal is to ...".
    for pattern in _GOAL_EXPLICIT:
        found = pattern.search(message)
        if found:
            title = _goal_title(found.group(1))
            if title and not _NOT_GOALS.match(title):
                return create(title)
            if title:  # "my goal is going well": talk about it
                break
            return {
                "reply": _reply(
                    'Happy to set a goal with you! What would you like to achieve? For example: "Run a 5k by June" or "Save $2,000 for a trip".'
                ),
                "intent": "chat",
            }

    # 2. A finished task: "I finished the 5k run", "mark 'buy shoes' as done".
    question = message.endswith("?")
    if (_COMPLETE.search(message) and not (question and not re.search(r"\bmark", low))) or (not question and _COMPLETE_END.search(message)):
        query = _quoted(message) or message
        task, tie = _best_task(query, open_tasks)
        if task is not None and not tie:
            remaining = len(open_tasks) - 1
            after = (
                f" {remaining} task{'s' if remaining != 1 else ''} left today." if remaining else " That was the last open task for today. Well done!"
            )
            reply = f'Nice work! I\'ve marked "{_clip(str(task.get("title")), 120)}" as done.{after}'
            return {"reply": _reply(reply), "intent": "complete_task", "taskId": str(task["taskId"])}
        closed, _ = _best_task(query, done_tasks)
        if closed is not None and task is None:
            return {
                "reply": _reply(f'"{_clip(str(closed.get("title")), 120)}" is already marked as done. Nice! ' + _nudge(goals, open_tasks)),
                "intent": "chat",
            }
        if open_tasks:
            which = "a few of today's tasks" if tie else "the task you mean"
            reply = f"Well done! Which one did you finish? I couldn't tell {which}. Today's open tasks:\n{_task_list(open_tasks)}\nReply with its name and I'll mark it done."
        else:
            reply = "Great effort! You have no open tasks today, so there's nothing left to mark as done. " + _nudge(goals, open_tasks)
        return {"reply": _reply(reply), "intent": "chat"}

    # 2b. A finished task said without "finished": "bought running shoes", "ran 5k this morning".
    if not question and _PAST.search(low) and not _NEGATION.search(low):
        task, tie = _best_task(message, open_tasks)
        if task is not None and not tie and len(_words(message) & _words(str(task.get("title") or ""))) >= 2:
            remaining = len(open_tasks) - 1
            after = (
                f" {remaining} task{'s' if remaining != 1 else ''} left today." if remaining else " That was the last open task for today. Well done!"
            )
            return {
                "reply": _reply(f'Nice work! I\'ve marked "{_clip(str(task.get("title")), 120)}" as done.{after}'),
                "intent": "complete_task",
                "taskId": str(task["taskId"]),
            }

    # 3. Today's list: "what's on today?", "my tasks".
    if any(pattern.search(message) for pattern in _LIST):
        if open_tasks:
            done = f" ({len(done_tasks)} already done)" if done_tasks else ""
            reply = f"You have {len(open_tasks)} open task{'s' if len(open_tasks) != 1 else ''} today{done}:\n{_task_list(open_tasks)}\nStart with the first one."
        elif done_tasks:
            reply = f"All {len(done_tasks)} of today's tasks are done. Great work! " + _nudge(goals, [])
        else:
            reply = "There's nothing on your list for today. " + _nudge(goals, [])
        return {"reply": _reply(reply), "intent": "list_tasks"}

    # 4. A goal said softly: "I want to learn Spanish", "help me save $5000".
    for pattern in _GOAL_SOFT:
        found = pattern.search(message)
        if found:
            title = _goal_title(found.group(1))
            if (
                title
                and not _NOT_GOALS.match(title)
                and not re.search(r"\b(?:today|tonight|right now|this morning|this afternoon)\b", title, re.IGNORECASE)
            ):
                return create(title)
            break

    # 5. Anything else: a short, supportive reply about the user's own goals and tasks (the task the
    # message talks about first).
    mentioned, tie = _best_task(message, open_tasks, share=0)
    if mentioned is not None and not tie:
        open_tasks = [mentioned] + [t for t in open_tasks if t is not mentioned]
    return {"reply": _reply(_talk(low, goals, open_tasks, done_tasks)), "intent": "chat"}


def _talk(low: str, goals: Sequence[Mapping[str, Any]], open_tasks: Sequence[Mapping[str, Any]], done_tasks: Sequence[Mapping[str, Any]]) -> str:
    active = [g for g in goals if _is_active(g)]
    nudge = _nudge(goals, open_tasks)
    goal = f'"{_clip(str(active[0].get("title")), 80)}"' if active else None
    if re.search(
        r"\b(?:tired|exhausted|stuck|unmotivated|no motivation|overwhelm\w*|stress\w*|anxious|behind|fail\w*|lazy|procrastinat\w*|can'?t|give up|hard|struggl\w*|sad|down|bad day)\b",
        low,
    ):
        lead = "That sounds tough, and it's normal to have days like this."
        if open_tasks:
            return f'{lead} Let\'s make it small: do just 10 minutes of "{_clip(str(open_tasks[0].get("title")), 120)}" and stop there if you want. Small steps still move {goal or "your goal"} forward.'
        return f"{lead} Rest counts too. " + nudge
    if re.search(r"\bmotivat\w*|\bfocus\b|\bdiscipline\b|\bconsisten\w*", low):
        if open_tasks:
            return f'Motivation usually shows up after you start, not before. Set a 5-minute timer and begin "{_clip(str(open_tasks[0].get("title")), 120)}"; if you want to stop after 5 minutes, that still counts.'
        return "Motivation usually shows up after you start, not before. " + nudge
    if re.search(r"\b(?:thanks|thank you|thx|cheers)\b", low):
        return "You're welcome! " + nudge
    if re.search(r"\b(?:great|happy|proud|excited|awesome|amazing|good day|nailed|crushed|killing it)\b", low):
        done = f" You've already done {len(done_tasks)} task{'s' if len(done_tasks) != 1 else ''} today." if done_tasks else ""
        return f"Love that energy!{done} " + nudge
    if re.search(r"\b(?:how (?:am i|are my goals|is my progress)|progress|status|how far)\b", low):
        parts = []
        if active:
            names = ", ".join(f'"{_clip(str(g.get("title")), 60)}"' for g in active[:3])
            parts.append(f"You're working on {len(active)} goal{'s' if len(active) != 1 else ''}: {names}.")
        parts.append(f"Today: {len(done_tasks)} done, {len(open_tasks)} open.")
        return " ".join(parts) + " " + nudge
    if re.search(r"\b(?:help|what can you do|how does this work|how do you work)\b", low):
        return (
            'I can set up a goal ("I want to run a 10k"), tell you what\'s on today ("what\'s on today?"), '
            'and mark tasks done ("I finished the 5k run"). ' + nudge
        )
    if re.search(r"^(?:hi|hello|hey|good (?:morning|afternoon|evening)|yo|hiya)\b", low):
        greeting = f"Hi! Good to see you. You're working on {goal}." if goal and not open_tasks else "Hi! Good to see you."
        return f"{greeting} {nudge}"
    focus = str(open_tasks[0].get("goalTitle") or "").strip() if open_tasks else ""
    goal = f'"{_clip(focus, 80)}"' if focus else goal
    if goal:
        return f"I hear you. Keep your focus on {goal}: progress comes from small steps done often. {nudge}"
    return "I hear you. " + nudge
