"""career.email: is an e-mail an interview invitation, and its company, role, time, zone, place or link and
kind ({isInterview, company, role, scheduledAt, timezone, location, meetingLink, kind, confidence}).

The expectation is the reading a person makes of the mail. Checks:
  is_interview     the decision is the expected one.
  confidence       it agrees with the decision (0.5 or more for an invitation, below for anything else).
For an invitation only:
  company          one of the accepted names, compared without case, accents, punctuation or a legal suffix
                   ("Hanse Payments GmbH" and "Hanse Payments"); never a mail host, ATS or calendar.
  role             one of the accepted titles, as the mail writes it (in its own language), or null.
  scheduled        the same instant with the same UTC offset (the offset in force that day), or null.
  timezone         the expected IANA zone (or one of those listed), or null when the mail names none.
  link             the meeting link exactly as written, or null.
  location         holds the expected part of the address, or null.
  kind             one of the accepted kinds (null among them where the mail does not say).
  as_written       the company and role the answer gives are written in the mail's words, its addresses
                   and links aside (names are not translated, made from a domain or invented).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from zik_local.eval.checks import Check, fold

TASK = "career.email"
HEADLINE: str | None = None

_ADDRESS = re.compile(r"<?[\w.+-]+@[\w.-]+>?|https?://\S+")
_LEGAL = re.compile(r"\b(?:gmbh|ag|inc|ltd|llc|plc|sa|sas|bv|ab|co|corp|corporation|limited|company)\b|株式会社", re.IGNORECASE)


def squeezed(text: str) -> str:
    """Folded, NFKC, letters and digits only: "Softwareentwickler Java (m/w/d)" ~ "softwareentwicklerjavamwd"."""
    text = fold(unicodedata.normalize("NFKC", text))
    return "".join(char for char in text if char.isalnum())


def company_key(name: str) -> str:
    return squeezed(_LEGAL.sub(" ", unicodedata.normalize("NFKC", name)))


def grade(case: dict[str, Any], answer: dict[str, Any]) -> list[Check]:
    expect = case["expect"]
    wanted = expect["isInterview"]
    checks = [
        Check("is_interview", answer["isInterview"] == wanted, f"said {answer['isInterview']}, expected {wanted}"),
        Check(
            "confidence",
            (answer["confidence"] >= 0.5) == answer["isInterview"],
            f"confidence {answer['confidence']} with isInterview {answer['isInterview']}",
        ),
    ]
    if not wanted:
        return checks
    mail = " ".join(str(case["data"].get(key) or "") for key in ("subject", "from", "body"))
    checks += [
        _one_of("company", answer["company"], expect["company"], company_key),
        _one_of("role", answer["role"], expect["role"], squeezed),
        _scheduled(answer["scheduledAt"], expect["scheduledAt"]),
        _timezone(answer["timezone"], expect["timezone"]),
        Check("link", answer["meetingLink"] == expect["meetingLink"], f"{answer['meetingLink']!r}, expected {expect['meetingLink']!r}"),
        _location(answer["location"], expect["location"]),
        Check("kind", answer["kind"] in expect["kind"], f"{answer['kind']!r}, expected one of {expect['kind']}"),
        _as_written(answer, mail),
    ]
    return checks


def _one_of(name: str, given: str | None, accepted: list[str] | None, key: Any) -> Check:
    if accepted is None:
        return Check(name, given is None, f"{given!r}, expected null")
    ok = given is not None and key(given) in {key(option) for option in accepted}
    return Check(name, ok, "" if ok else f"{given!r}, expected one of {accepted}")


def _instant(value: str | None) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


def _scheduled(given: str | None, expected: str | None) -> Check:
    if expected is None:
        return Check("scheduled", given is None, f"{given!r}, expected null (no time in the mail)")
    moment, wanted = _instant(given), _instant(expected)
    ok = moment is not None and wanted is not None and moment == wanted and moment.utcoffset() == wanted.utcoffset()
    return Check("scheduled", ok, "" if ok else f"{given!r}, expected {expected}")


def _timezone(given: str | None, expected: str | list[str] | None) -> Check:
    if expected is None:
        return Check("timezone", given is None, f"{given!r}, expected null (the mail names no zone)")
    accepted = [expected] if isinstance(expected, str) else expected
    return Check("timezone", given in accepted, f"{given!r}, expected {' or '.join(accepted)}")


def _location(given: str | None, expected: list[str] | None) -> Check:
    if expected is None:
        return Check("location", given is None, f"{given!r}, expected null")
    ok = given is not None and any(squeezed(part) in squeezed(given) for part in expected)
    return Check("location", ok, "" if ok else f"{given!r} does not hold {expected}")


def _as_written(answer: dict[str, Any], mail: str) -> Check:
    text = squeezed(_ADDRESS.sub(" ", mail))  # a name made from a mail domain ("Sakurapay") is not written
    foreign = [value for value in (answer["company"], answer["role"]) if value and squeezed(value) not in text]
    return Check("as_written", not foreign, f"not written in the mail: {foreign}" if foreign else "")
