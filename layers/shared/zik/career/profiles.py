"""The career profile (GET / PUT /api/users): name, career stage, skills and job preferences, always the
caller's own. No AWS here: ``Profiles`` takes its store (``profile_store.CareerProfileStore`` unless told).

A profile never saved is answered with its defaults at version 0 (the name from the token). A save merges
the fields sent into the profile read and writes it at that profile's version, so two saves never lose
each other's changes: a client that sends the ``version`` it read gets a 409 when the profile moved since;
one that sends none has its change merged into the newest profile (read again and retried).

``resume`` ({resumeId, skills, yearsOfExperience, seniority, analyzedAt}) is written by the resumes alone
(an UpdateItem of that attribute); here it is only read: the matching and the jobs page use it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, Protocol

from zik.career import vocabulary
from zik.errors import Conflict, InvalidRequest, VersionConflict
from zik.principal import Principal

REMOTE_CHOICES = ("any", "remote", "hybrid", "onsite")
MAX_NAME_CHARS = 100
# A save that keeps meeting a newer profile (another tab saving at once) gives up after this many reads.
SAVE_ATTEMPTS = 3
# The profile's own fields (what a PUT may change); ``resume`` and the bookkeeping are not among them.
EDITABLE = ("name", "careerStage", "skills", "preferences")

# ISO 4217 codes of the currencies in use (the list SIX keeps; funds and metals left out).
CURRENCIES = frozenset(
    """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD
    CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF
    GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP
    LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB
    PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL
    THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VED VND VUV WST XAF XCD XOF XPF YER ZAR ZMW
    ZWG""".split()
)


def default_preferences() -> dict[str, Any]:
    return {"roles": [], "locations": [], "remote": "any", "minSalary": None, "currency": None}


def defaults(owner: Principal) -> dict[str, Any]:
    """A profile never saved: the name the account gave the token, nothing else yet."""
    return {
        "userId": owner.user_id,
        "name": (owner.name or "").strip()[:MAX_NAME_CHARS],
        "careerStage": None,
        "skills": [],
        "preferences": default_preferences(),
        "version": 0,
        "createdAt": None,
        "updatedAt": None,
    }


def view(owner: Principal, item: Mapping[str, Any] | None) -> dict[str, Any]:
    """The profile as the API answers it: the stored fields over the defaults (an item the resumes wrote
    before any save holds only ``resume``: version 0 still), with the resume's summary when there is one."""
    profile = defaults(owner)
    if item:
        for key in ("name", "careerStage", "skills", "createdAt", "updatedAt"):
            if item.get(key) is not None:
                profile[key] = item[key]
        profile["preferences"] = {**default_preferences(), **(item.get("preferences") or {})}
        profile["version"] = int(item.get("version") or 0)
        if item.get("resume"):
            profile["resume"] = dict(item["resume"])
    profile["userId"] = owner.user_id  # whoever asks, it is theirs
    return profile


def fingerprint(profile: Mapping[str, Any]) -> str:
    """What a match of this profile depends on: its version and its resume (an analysis that lands changes
    the resume, not the profile's version). Cached explanations and page cursors carry it."""
    resume = profile.get("resume") or {}
    text = f"{int(profile.get('version') or 0)}|{resume.get('resumeId') or ''}|{resume.get('analyzedAt') or ''}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def career_seniority(profile: Mapping[str, Any]) -> str | None:
    """The seniority the profile claims (its career stage), else the one its resume shows; None if neither."""
    return vocabulary.stage_seniority(profile.get("careerStage")) or (profile.get("resume") or {}).get("seniority") or None


def all_skills(profile: Mapping[str, Any]) -> list[str]:
    """The profile's skills and its resume's, canonical, each once."""
    return vocabulary.canonical_skills([*(profile.get("skills") or []), *((profile.get("resume") or {}).get("skills") or [])])


# -- a save ---------------------------------------------------------------------------------------------
def merged(current: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    """The editable fields after ``data`` (a valid PUT body) is applied to ``current`` (a ``view``): each
    checked and written the vocabulary's way. Only the fields that change are returned."""
    changes: dict[str, Any] = {}
    if "name" in data:
        changes["name"] = " ".join(data["name"].split())[:MAX_NAME_CHARS]
    if "careerStage" in data:
        changes["careerStage"] = check_career_stage(data["careerStage"])
    if "skills" in data:
        changes["skills"] = vocabulary.canonical_skills(data["skills"])
    if "preferences" in data:
        changes["preferences"] = {**current["preferences"], **_preferences(data["preferences"])}
    return {key: value for key, value in changes.items() if value != current.get(key)}


def check_career_stage(stage: str | None) -> str | None:
    if stage is None:
        return None
    key = stage.strip().lower()
    if key not in vocabulary.career_stages():
        raise InvalidRequest(f"careerStage must be one of {', '.join(vocabulary.career_stages())}", field="careerStage")
    return key


def _preferences(sent: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in ("roles", "locations"):
        if key in sent:
            values[key] = _distinct(sent[key])
    if "remote" in sent:
        values["remote"] = sent["remote"]
    if "minSalary" in sent:
        values["minSalary"] = sent["minSalary"]
    if "currency" in sent:
        values["currency"] = check_currency(sent["currency"])
    return values


def check_currency(code: str | None) -> str | None:
    if code is None:
        return None
    upper = code.upper()
    if upper not in CURRENCIES:
        raise InvalidRequest(f"{code} is not an ISO 4217 currency code (such as USD, EUR, GBP)", field="preferences.currency")
    return upper


def _distinct(texts: list[str]) -> list[str]:
    """Trimmed, inner spaces collapsed, each once (case-insensitively), in the order given."""
    seen: dict[str, str] = {}
    for text in texts:
        cleaned = " ".join(text.split())
        if cleaned:
            seen.setdefault(cleaned.lower(), cleaned)
    return list(seen.values())


class ProfileWriter(Protocol):
    def read(self, owner: Principal) -> dict[str, Any] | None: ...

    def save(self, owner: Principal, changes: Mapping[str, Any], *, expected_version: int) -> dict[str, Any]: ...


class Profiles:
    def __init__(self, store: ProfileWriter | None = None):
        if store is None:
            from zik.career.profile_store import CareerProfileStore

            store = CareerProfileStore()
        self.store = store

    def get(self, owner: Principal) -> dict[str, Any]:
        return view(owner, self.store.read(owner))

    def update(self, owner: Principal, data: Mapping[str, Any]) -> dict[str, Any]:
        """Apply a PUT body. With ``version``: at that version or 409. Without: merged into the newest."""
        wanted = data.get("version")
        for _ in range(SAVE_ATTEMPTS):
            current = self.get(owner)
            if wanted is not None and wanted != current["version"]:
                raise VersionConflict(wanted, current["version"])
            changes = merged(current, data)
            if not changes and current["version"] > 0:
                return current  # nothing to write: the profile already says so
            try:
                # The name a profile is first saved with is the token's unless the body names another.
                first = {"name": current["name"]} if current["version"] == 0 else {}
                return view(owner, self.store.save(owner, {**first, **changes}, expected_version=current["version"]))
            except VersionConflict:
                if wanted is not None:
                    raise
        raise Conflict("the profile kept changing while it was saved; try again", field="version")
