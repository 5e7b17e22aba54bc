"""career.market: up to five sentences about a job market, written from the figures of one aggregate
({trends: [sentence]}).

Checks:
  numbers_grounded every number is one of the figures: a count (openings, postings of the last 7 and 30 days,
                   the older ones, the 23 days before the last 7, the pay sample, a company's openings, how
                   many of a list given are named), a
                   share as a percentage (within a point; the interns' and juniors' together; the on-site
                   rest of the remote share) or an amount of pay (within 1%, or to the thousand as people
                   round it; "86k", "8.5 million", "10 lakh" read as the amounts they are).
  demand           the sentence about demand states the level given (high, moderate, low) and no other.
  trend            the trend given is said (picking up, slowing, steady) and the opposite one is not.
  pay              with pay: the median (or, from fewer than three postings, the range) is quoted; without:
                   the text says no posting states pay and quotes no amount.
  skills           only skills of the top skills given are named (the role's own name aside), the most
                   asked-for one among them.
  place            the place is written as given (München, not Munich), where the case names it.
  agreement        counts agree with their nouns ("1 posting", "2 postings", never "1 postings" or
                   "2 postings state its pay").
"""

from __future__ import annotations

import re
from typing import Any

from zik_local.eval.checks import Check
from zik_local.eval.rubrics.career_shared import agreement, lower_set, numbers_in, sentences, skills_named

TASK = "career.market"
HEADLINE: str | None = None

_LEVEL_WORDS = {
    "high": r"\bhigh\b|\bstrong\b|\bhot\b|\bbusy\b|\bbrisk\b",
    "medium": r"\bmoderate\b|\bmedium\b|\baverage\b|\bfair\b|\bmodest\b",
    "low": r"\blow\b|\bweak\b|\bthin\b|\bquiet\b|\blimited\b|\bscarce\b",
}
_TREND_WORDS = {
    "rising": r"picking up|pick(?:s)? up|\brising\b|\brises?\b|increas|\bgrow(?:s|ing)?\b|accelerat|speeding up|upswing|uptick|heating up",
    "falling": r"slowing|\bslows?\b|slowed|slower|falling|\bfalls?\b|declin|\bfewer\b|dropp|cooling|no new postings|dr(?:ied|ying) up|decreas",
    "steady": r"steady|stable|constant|consistent|\bflat\b|unchanged|even pace|similar pace",
}
_OPPOSITE = {"rising": ("falling",), "falling": ("rising",), "steady": ("rising", "falling")}
_NO_PAY = re.compile(
    r"\b(?:no|none|not|n't|without|neither)\b[^.]{0,60}\b(?:pay|salar|wage|compensation)|\b(?:pay|salar\w*)\b[^.]{0,40}\b(?:not (?:stated|given|listed|disclosed)|undisclosed|unstated)",
    re.IGNORECASE,
)
_CURRENCY = r"[$€£¥₹]|\b(?:USD|EUR|GBP|JPY|INR|CAD|CHF|SEK|AUD|NOK|DKK|PLN)\b"
_MONEY = re.compile(
    rf"(?:{_CURRENCY})\s?(?P<a>\d[\d,]*(?:\.\d+)?)\s*(?P<as>k|m|million|bn|billion|lakh|crore)?\b"
    rf"|(?P<b>\d[\d,]*(?:\.\d+)?)\s*(?P<bs>k|m|million|bn|billion|lakh|crore)?\s*(?:{_CURRENCY})",
    re.IGNORECASE,
)
_SCALED = re.compile(r"(?P<n>\d[\d,]*(?:\.\d+)?)\s*(?P<s>k|million|bn|billion|lakh|crore)\b", re.IGNORECASE)
_SCALE = {"k": 1e3, "m": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9, "lakh": 1e5, "crore": 1e7}
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|percent\b|per cent\b)", re.IGNORECASE)


def grade(case: dict[str, Any], answer: dict[str, Any]) -> list[Check]:
    data, expect = case["data"], case["expect"]
    text = " ".join(answer["trends"])
    return [
        _numbers_grounded(data, text),
        _demand(data, answer["trends"]),
        _trend(data, text),
        _pay(data, text),
        _skills(data, text),
        _place(expect, text),
        agreement("agreement", text),
    ]


# -- numbers ---------------------------------------------------------------------------------------------
def _amount(number: str, scale: str | None) -> float:
    return float(number.replace(",", "")) * _SCALE.get((scale or "").lower(), 1.0)


def _counts(data: dict[str, Any]) -> set[float]:
    postings = data["postings"]
    counts = {data["openings"], postings["last7Days"], postings["last30Days"], postings["earlier"], postings["last30Days"] - postings["last7Days"]}
    counts |= {7, 30, 23}
    counts |= {entry.get("openings", 0) for entry in data.get("topCompanies") or []}
    # "the top 3 skills": how many of a list given are named
    counts |= set(range(1, 1 + max(len(data.get(key) or []) for key in ("topSkills", "seniorityMix", "topCompanies"))))
    if data.get("salary"):
        counts.add(data["salary"]["sampleSize"])
    counts |= {value for value, _, _ in numbers_in(f"{data['role']} {data['location']}")}
    return {float(value) for value in counts}


def _percents(data: dict[str, Any]) -> set[float]:
    shares = [entry["share"] for entry in [*(data.get("topSkills") or []), *(data.get("seniorityMix") or [])]]
    remote = data.get("remoteShare") or 0.0
    shares += [remote, 1.0 - remote, sum(e["share"] for e in data.get("seniorityMix") or [] if e["level"] in ("intern", "junior")), 1.0]
    return {round(share * 100) for share in shares}


def _salaries(data: dict[str, Any]) -> list[float]:
    salary = data.get("salary") or {}
    return [float(salary[key]) for key in ("average", "p25", "p50", "p75", "min", "max") if salary.get(key) is not None]


def money_near(amount: float, value: float) -> bool:
    """As people write pay: to 1%, or to the thousand (half up or down)."""
    return abs(amount - value) <= max(0.01 * value, 500.0 if value >= 10_000 else 0.5)


def _numbers_grounded(data: dict[str, Any], text: str) -> Check:
    counts, percents, salaries = _counts(data), _percents(data), _salaries(data)
    invented = []
    taken: list[tuple[int, int]] = []
    for match in _MONEY.finditer(text):
        amount = _amount(match.group("a") or match.group("b"), match.group("as") or match.group("bs"))
        taken.append(match.span())
        if not any(money_near(amount, value) for value in salaries):
            invented.append(match.group(0).strip())
    for match in _SCALED.finditer(text):
        if any(start <= match.start() < end for start, end in taken):
            continue
        taken.append(match.span())
        amount = _amount(match.group("n"), match.group("s"))
        if not any(money_near(amount, value) for value in salaries):
            invented.append(match.group(0))
    for match in _PERCENT.finditer(text):
        taken.append(match.span())
        if not any(abs(float(match.group(1)) - value) <= 1 for value in percents):
            invented.append(match.group(0))
    for value, start, _ in numbers_in(text):
        if any(begin <= start < end for begin, end in taken):
            continue
        if value not in counts and not any(money_near(value, salary) for salary in salaries):
            invented.append(f"{value:g}")
    return Check("numbers_grounded", not invented, f"not in the figures: {invented}" if invented else "")


# -- words -----------------------------------------------------------------------------------------------
def _demand(data: dict[str, Any], trends: list[str]) -> Check:
    level = data["demandLevel"]
    about = [sentence for trend in trends for sentence in sentences(trend) if re.search(r"\bdemand\b", sentence, re.IGNORECASE)]
    if not about:
        return Check("demand", False, "no sentence about demand")
    said = {name for name, words in _LEVEL_WORDS.items() for sentence in about if re.search(words, sentence, re.IGNORECASE)}
    ok = level in said and said <= {level}
    return Check("demand", ok, "" if ok else f"demand is {level}, the text says {sorted(said) or 'nothing'}")


def _trend(data: dict[str, Any], text: str) -> Check:
    trend = data["trend"]
    if trend not in _TREND_WORDS:
        return Check("trend", True, f"trend {trend!r}")
    said = re.search(_TREND_WORDS[trend], text, re.IGNORECASE)
    opposite = [name for name in _OPPOSITE[trend] if re.search(_TREND_WORDS[name], text, re.IGNORECASE)]
    ok = bool(said) and not opposite
    return Check("trend", ok, "" if ok else f"trend is {trend}; said: {bool(said)}, opposite said: {opposite}")


def _pay(data: dict[str, Any], text: str) -> Check:
    salary = data.get("salary")
    amounts = [_amount(m.group("a") or m.group("b"), m.group("as") or m.group("bs")) for m in _MONEY.finditer(text)]
    amounts += [_amount(m.group("n"), m.group("s")) for m in _SCALED.finditer(text)]
    if not salary:
        ok = bool(_NO_PAY.search(text)) and not amounts
        return Check("pay", ok, "" if ok else f"no pay is stated; the text {'quotes ' + str(amounts) if amounts else 'does not say so'}")
    median = any(money_near(amount, salary["p50"]) for amount in amounts)
    ranged = any(money_near(a, salary["min"]) for a in amounts) and any(money_near(a, salary["max"]) for a in amounts)
    ok = median or (salary["sampleSize"] < 3 and ranged)
    return Check("pay", ok, "" if ok else f"neither the median {salary['p50']} nor, from a small sample, the range: {amounts}")


def _skills(data: dict[str, Any], text: str) -> Check:
    top = [entry["skill"] for entry in data.get("topSkills") or []]
    if not top:
        return Check("skills", True, "no skills in the figures")
    named = skills_named(text.replace(data["role"], " "))  # "Machine Learning Engineers" names a role, not a skill
    invented = [skill for skill in named if skill.lower() not in lower_set(top)]
    first = top[0].lower() in lower_set(named)
    problems = ([f"names {invented}, not among the top skills"] if invented else []) + ([] if first else [f"leaves out the top skill {top[0]}"])
    return Check("skills", not problems, "; ".join(problems))


def _place(expect: dict[str, Any], text: str) -> Check:
    place = expect.get("place")
    if not place:
        return Check("place", True, "the case names no place to keep")
    return Check("place", place in text, "" if place in text else f"{place!r} is not written as given")
