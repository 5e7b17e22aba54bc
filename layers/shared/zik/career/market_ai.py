"""The AI task career.market: the narrative of a market-intelligence answer, a few sentences a job seeker
can act on, written from the figures of one aggregate (zik.career.market). Importing this module registers
the task (again, harmlessly, on a second import).

The offline rules (the local provider's answer, and what a request says when the AI cannot answer) turn
the figures into concrete sentences: how strong demand is and why, whether hiring is picking up or
slowing, where advertised pay centres, the skills to show, and the levels and remote share of the openings.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from zik import ai

TASK = "career.market"
MAX_SENTENCES = 5
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}


def narrative_data(figures: Mapping[str, Any]) -> dict[str, Any]:
    """The task's data with every field its prompt names (the prompt refuses a missing one)."""
    salary = None
    if figures.get("salaryPercentiles"):
        salary = {
            "currency": figures["currency"],
            "average": figures["averageSalary"],
            **figures["salaryPercentiles"],
            "min": (figures.get("salaryRange") or {}).get("min"),
            "max": (figures.get("salaryRange") or {}).get("max"),
            "sampleSize": figures.get("salarySampleSize", 0),
        }
    return {
        "role": figures["roleName"],
        "location": figures["location"],
        "locationKey": figures["locationKey"],
        "openings": figures["openings"],
        "demandLevel": figures["demandLevel"],
        "trend": figures["trend"],
        "postings": dict(figures["postings"]),
        "salary": salary,
        "topSkills": [dict(entry) for entry in figures.get("topSkills") or []][:5],
        "seniorityMix": [dict(entry) for entry in figures.get("seniorityMix") or []],
        "remoteShare": figures.get("remoteShare", 0.0),
        "topCompanies": [dict(entry) for entry in figures.get("topCompanies") or []][:3],
    }


def money(amount: int | float, currency: str) -> str:
    """ "€86,500" as people say it: to the thousand from 10,000 (half up), else to the unit."""
    step = 1000 if amount >= 10_000 else 1
    rounded = int(math.floor(amount / step + 0.5) * step)
    symbol = _SYMBOLS.get(currency)
    return f"{symbol}{rounded:,}" if symbol else f"{currency} {rounded:,}"


def percent(fraction: float) -> str:
    return f"{round(fraction * 100)}%"


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _where(data: Mapping[str, Any]) -> str:
    key = data.get("locationKey")
    if key == "anywhere":
        return ""
    if key == "remote":
        return " working remotely"
    return f" in {data['location']}"


def trends(data: Mapping[str, Any]) -> dict[str, Any]:
    """The offline rules: at most five sentences from the figures, most telling first."""
    role = f"{data['role']}s"
    openings = int(data["openings"])
    postings = data["postings"]
    last7, last30 = int(postings["last7Days"]), int(postings["last30Days"])
    before = last30 - last7
    sentences = [_demand(role, _where(data), data["demandLevel"], openings, last30)]
    if data["trend"] == "rising":
        sentences.append(
            f"Hiring is picking up: {_plural(last7, 'new posting', 'new postings')} in the last 7 days, against {before} in the 23 days before."
        )
    elif data["trend"] == "falling" and last30 == 0:
        sentences.append(
            f"No new postings in the last 30 days: the {_plural(openings, 'open one is', 'open ones are')} older, so apply soon or widen the search."
        )
    elif data["trend"] == "falling":
        sentences.append(
            f"Hiring is slowing: {_plural(last7, 'new posting', 'new postings')} in the last 7 days, against {before} in the 23 days before."
        )
    else:
        sentences.append(f"New postings arrive at a steady pace: {last30} in the last 30 days.")
    sentences.append(_pay(data.get("salary")))
    skills = data.get("topSkills") or []
    if skills:
        named = [f"{entry['skill']} ({percent(entry['share'])})" for entry in skills[:3]]
        listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + f" and {named[-1]}"
        sentences.append(f"The skills asked for most: {listed} of postings; name the ones you have in your resume's skills section.")
    levels = data.get("seniorityMix") or []
    if levels:
        top = max(levels, key=lambda entry: entry["share"])
        entry = sum(entry["share"] for entry in levels if entry["level"] in ("intern", "junior"))
        sentence = f"Most openings are {top['level']}-level ({percent(top['share'])}); {percent(entry)} are open to interns and juniors"
        if data.get("locationKey") != "remote" and data.get("remoteShare"):
            sentence += f", and {percent(data['remoteShare'])} can be done remotely"
        sentences.append(sentence + ".")
    return {"trends": sentences[:MAX_SENTENCES]}


def _demand(role: str, where: str, level: str, openings: int, last30: int) -> str:
    count = _plural(openings, "open posting", "open postings")
    word = {"high": "high", "medium": "moderate"}.get(level, "low")
    return f"Demand for {role}{where} is {word}: {count}, {_recent(openings, last30)}."


def _recent(openings: int, last30: int) -> str:
    """How many of the openings are from the last 30 days, said as one would of one, none or some."""
    if openings == 1:
        return "posted in the last 30 days" if last30 else "posted more than 30 days ago"
    return f"{last30 or 'none'} of them from the last 30 days"


def _pay(salary: Mapping[str, Any] | None) -> str:
    if not salary:
        return "None of these postings states its pay: ask for the range at the first call."
    currency, size = salary["currency"], int(salary.get("sampleSize") or 0)
    if size >= 3:
        return (
            f"Advertised pay centres on {money(salary['p50'], currency)} a year; the middle half of the {size} postings that state it "
            f"pay between {money(salary['p25'], currency)} and {money(salary['p75'], currency)}."
        )
    return (
        f"Only {_plural(size, 'posting states its', 'postings state their')} pay ({money(salary['min'], currency)} to "
        f"{money(salary['max'], currency)} a year): ask for the range early."
    )


MARKET = ai.register(
    ai.Task(
        TASK,
        offline=trends,
        description="Write up to five short sentences a job seeker can act on about this market: demand, the hiring trend, pay, the skills asked for, levels and remote work, using only the figures given.",
        max_tokens=600,
        # Figures to put in words, not a composition: the same figures should read the same way.
        temperature=0.3,
        daily_calls=50,
    )
)
