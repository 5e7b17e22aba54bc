"""The rubric of ``quests.plan``: is the roadmap one a person could follow, made of the goal's own words, in order?

A case's ``data`` is the task's input ({title, description, category, targetDate, today}); its ``expect``
(every key optional):
    mustMention     words or phrases every one of which the milestones must use (the goal's own object)
    mustNotMention  words of a wrong template (a craft shop planned as software: "app", "users"); none may appear
    language        "fr" for a goal written in French ("en" otherwise)
    infeasible      true when the span cannot work (a marathon by tomorrow): the summary must say so plainly and
                    name a realistic date after the target; false or absent: the summary must not cry wolf
    target          a number the plan must keep as the goal ("50,000" words, "80" kg)
    current         a number of the description that is where the person stands now ("5,000 words written"):
                    no milestone title may take it as a target

A case passes when every check passes (HEADLINE None).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from zik_local.eval.checks import (
    Check,
    contains_words,
    dates_non_decreasing,
    fold,
    in_language,
    iso_date,
    missing_words,
    no_broken_grammar,
    stem,
    words,
)

TASK = "quests.plan"
HEADLINE: str | None = None

# Words of a title that say nothing about what the goal is ("I want to get better at...").
_FILLER = {
    fold(word)
    for word in (
        "want would like need plan hope finally really also able get become make start build learn finish reach every each this that "
        "with without within into from under over than about year years month months week weeks days day time more less much many first own have "
        "vouloir veux aimerais faire avant pour dans avec sans chaque tous toutes cette mois semaine année plus moins mon mes notre être avoir "
        "apprendre commencer finir devenir"
    ).split()
}
# What only the end of a plan may say: the goal reached, the race run, the exam sat.
_FINAL = re.compile(
    r"\b(?:final|finale|race day|exam day|launch day|goal reached|goal weight|debt-free|target reached|weigh-in at the end|"
    r"jour de la course|jour de l'examen|objectif atteint|poids cible|pesée finale)\b",
    re.IGNORECASE,
)
# A summary that says the span will not do.
_UNREALISTIC = re.compile(
    r"\b(?:unrealistic|not realistic|too short|not enough time|isn't enough|is not enough|impossible|irr[ée]aliste|pas r[ée]aliste|trop court|"
    r"pas assez de temps|impossible)\b",
    re.IGNORECASE,
)
_ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
# A possessive straight before a bare verb is a goal's verb spliced in as its object ("your illustrate and
# self-publish a book", "votre créer un potager"): verbs a goal's title starts with, and verb-only endings.
_BARE_VERBS = (  # only words that are never a noun after "your" ("plan", "study", "start", "master" can be)
    "adopt|illustrate|write|make|learn|get|create|launch|publish|self-publish|grow|organi[sz]e|climb|hike|save|raise|pay|reduce|quit|"
    "bake|renovate|declutter|visit|become|apply|throw|compose|complete|do|go|take|collect|buy|develop|improve|speak|join|knit|sew|"
    "créer|faire|écrire|apprendre|obtenir|courir|construire|lancer|adopter|organiser|réussir|perdre|économiser"
)
_YOUR_VERB = re.compile(rf"\b(?:your|votre|vos)\s+(?:{_BARE_VERBS}|\w+(?:ize|ify))\b", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![^\W\d_])\d+(?:[ ,.\u00a0\u202f]\d{3})*(?:\.\d+)?(?:k\b)?", re.IGNORECASE)


def _digits(number: str) -> str:
    """'50,000' / '50 000' / '50k' -> '50000'; '2.5' -> '2.5'."""
    text = re.sub(r"(?<=\d)[ ,.\u00a0\u202f](?=\d{3}\b)", "", number.strip())
    if text.lower().endswith("k"):
        base = text[:-1].strip()
        try:
            return f"{float(base) * 1000:.0f}"
        except ValueError:
            return base
    return text


def _numbers(text: str) -> set[str]:
    return {_digits(match.group(0)) for match in _NUMBER.finditer(text)}


def _has_number(text: str, number: str) -> bool:
    """``number`` (or the same amount written another way, or its thousands as 'k') is in ``text``."""
    wanted = _digits(number)
    found = _numbers(text)
    return wanted in found or (wanted.endswith("000") and wanted[:-3] in found)


def _content_words(title: str) -> list[str]:
    # French elision is no part of the word: "l'anglais" is "anglais".
    bare = [re.sub(r"^(?:l|d|j|qu|n|s|m|t|c)'", "", word) for word in words(title)]
    return [word for word in bare if len(word) >= 4 and word not in _FILLER and stem(word) not in {stem(f) for f in _FILLER}]


_ELISION = re.compile(r"\b(?:l|d|j|qu|n|s|m|t|c)['’](?=\w)", re.IGNORECASE)


def _missing(text: str, phrases: list[str]) -> list[str]:
    """The phrases ``text`` lacks: words compared folded and stemmed (a French elision is no part of the word: "d'urgence"
    is "urgence"), a phrase with a number ("$2,500") as it is written."""
    bare = _ELISION.sub("", text)
    return [p for p in phrases if (fold(p) not in fold(text) if re.search(r"\d", p) else missing_words(bare, [p]))]


def _mentions(text: str, phrase: str) -> bool:
    """``phrase`` as a whole word or phrase (a plural allowed), folded: "app" is not "apply" (a stemmer makes them one)."""
    return re.search(rf"\b{re.escape(fold(phrase))}(?:s|es)?\b", fold(text)) is not None


def _cut_words(texts: list[str], title: str) -> list[str]:
    """Words of the title with a letter cut off at either end ("dopt" for "Adopt") that the plan uses while the
    whole word is not there: a splice that cut one letter too many."""
    used = set(words(" ".join(texts)))
    whole = set(words(title))
    cut = []
    for word in whole:
        if len(word) < 4:
            continue
        for part in (word[1:], word[:-1] if word[-1] not in "sed" else ""):
            if part and part in used and part not in whole and not any(w.startswith(word) for w in used):
                cut.append(f"{part!r} for {word!r}")
    return cut


def _grammar(texts: list[str], title: str) -> Check:
    found = no_broken_grammar("grammar", texts)
    problems = [found.detail] if not found.passed else []
    problems += [f"possessive before a verb {match.group(0)!r}" for text in texts for match in _YOUR_VERB.finditer(text)]
    problems += [f"cut word {cut}" for cut in _cut_words(texts, title)]
    return Check("grammar", not problems, "; ".join(problems))


def _own_words(case_title: str, before_last: str, own: list[str]) -> Check:
    """The title's content words in the milestones. A title whose only content word is its verb ("Descendre à
    70 kg") is named by its object: its other words or numbers ("70", "kg") will do."""
    found = contains_words("own words", before_last, own)
    title_words = words(case_title)
    if found.passed or len(own) != 1 or not title_words or fold(own[0]) != title_words[0]:
        return found
    rest = [token for token in re.findall(r"[^\W_]+", fold(case_title))[1:] if token not in _FILLER and (token.isdigit() or len(token) >= 2)]
    rest = [token for token in rest if token not in {"a", "an", "the", "le", "la", "les", "de", "du", "to", "my"}]
    seen = [token for token in rest if re.search(rf"\b{re.escape(token)}\b", fold(before_last))]
    return Check("own words", bool(seen), "" if seen else f"missing {own} and the object {rest}")


def grade(case: dict[str, Any], answer: dict[str, Any]) -> list[Check]:
    data, expect = case["data"], case.get("expect", {})
    milestones = answer["milestones"]
    today = iso_date(data.get("today"))
    target = iso_date(data.get("targetDate"))
    titles = [m["title"] for m in milestones]
    body = " ".join(f"{m['title']}. {m.get('description', '')}" for m in milestones)
    summary = answer["summary"]
    checks = [Check("count", 3 <= len(milestones) <= 7, f"{len(milestones)} milestones")]

    dues = [m["dueDate"] for m in milestones]
    after = [due for due in dues if today is None or (iso_date(due) or dt.date.min) <= today]
    checks.append(Check("after today", not after, f"on or before {today}: {after}" if after else ""))
    checks.append(dates_non_decreasing("in order", dues))

    infeasible = bool(expect.get("infeasible"))
    says_unrealistic = bool(_UNREALISTIC.search(summary))
    if infeasible:
        proposed = [day for day in (iso_date(v) for v in _ISO.findall(summary)) if day and target and day > target]
        ok = says_unrealistic and bool(proposed)
        checks.append(
            Check("honest span", ok, "" if ok else f"the summary does not say the span is unrealistic and name a later date: {summary[:200]!r}")
        )
    else:
        late = [due for due in dues if target and (iso_date(due) or dt.date.max) > target]
        checks.append(Check("by the target", not late, f"after {target}: {late}" if late else ""))
        checks.append(Check("honest span", not says_unrealistic, "a feasible span called unrealistic" if says_unrealistic else ""))

    # The goal's own words: its content words (and what the case names) in the milestones before the last,
    # which otherwise could be any template with "Done: <title>" at the end.
    before_last = " ".join(f"{m['title']}. {m.get('description', '')}" for m in milestones[:-1])
    own = _content_words(data.get("title", ""))
    if own:
        checks.append(_own_words(data.get("title", ""), before_last, own))
    if expect.get("mustMention"):
        missing = _missing(body, expect["mustMention"])
        checks.append(Check("must mention", not missing, f"missing {missing}" if missing else ""))
    if expect.get("mustNotMention"):
        text = f"{body} {summary}"
        found = [phrase for phrase in expect["mustNotMention"] if _mentions(text, phrase)]
        checks.append(Check("wrong template", not found, f"mentions {found}" if found else ""))

    title_numbers = [match.group(0) for match in _NUMBER.finditer(data.get("title", ""))]
    kept = [n for n in title_numbers if not _has_number(body, n)]
    if title_numbers:
        checks.append(Check("title numbers kept", not kept, f"the plan drops {kept}" if kept else ""))
    if expect.get("target"):
        # Not only in the last title, which repeats the goal's: the way there works toward the target.
        working = " ".join([*(m.get("description", "") for m in milestones), *titles[:-1]])
        ok = _has_number(working, expect["target"])
        checks.append(Check("target kept", ok, "" if ok else f"no {expect['target']} in the milestones before the goal's own title"))
    if expect.get("current"):
        taken = [title for title in titles if _has_number(title, expect["current"])]
        checks.append(Check("current not the target", not taken, f"titles with {expect['current']}: {taken}" if taken else ""))

    checks.append(_grammar([*titles, *(m.get("description", "") for m in milestones), summary], data.get("title", "")))
    early = [title for title in titles[: max(1, len(titles) // 2)] if _FINAL.search(title)]
    checks.append(Check("final last", not early, f"final words early: {early}" if early else ""))
    checks.append(in_language("language", f"{body} {summary}", expect.get("language", "en")))
    return checks
