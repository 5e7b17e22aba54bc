"""Greenhouse and Lever job feeds read into postings: pure (no AWS, no network, no clock of its own).

The two formats, as the boards publish them:
  Greenhouse job board API, ``GET https://boards-api.greenhouse.io/v1/boards/<token>/jobs?content=true``:
    ``{"jobs": [{"id", "internal_job_id", "title", "updated_at", "first_published"?, "requisition_id",
    "location": {"name"}, "absolute_url", "metadata": [{"name", "value", "value_type"}] | null, "content"
    (the description's HTML, HTML-escaped once more), "departments", "offices", "company_name"?,
    "pay_input_ranges"? (with ?pay_transparency=true)}], "meta": {"total"}}``
  Lever postings API, ``GET https://api.lever.co/v0/postings/<site>?mode=json``: a bare list of
    ``{"id", "text", "categories": {"commitment", "department", "location", "team", "allLocations"},
    "createdAt" (epoch milliseconds), "description", "descriptionPlain", "lists": [{"text", "content"
    (<li> elements)}], "additional", "additionalPlain", "hostedUrl", "applyUrl", "workplaceType" ("remote",
    "hybrid", "on-site", "unspecified"), "country", "salaryRange"?: {"min", "max", "currency", "interval"}}``

A posting becomes the ``job`` shape of zik.career.tables without what the store adds (jobId, status,
version, contentHash, timestamps): its text taken out of the HTML with the standard library's parser
(scripts and styles dropped), its requirements the bullets under a heading that asks for something ("What
you'll bring", "Requirements", "Nice to have"), its skills the vocabulary's words in its title,
requirements and description, its role and seniority read from the title, its place parsed ("Remote - US",
"Hybrid - Berlin", "Toronto, ON"; a posting listed in several places is read in its first), its pay a yearly range in one currency (Lever's salaryRange,
Greenhouse's pay ranges or custom fields, or a range written in the text such as "$120,000 - $150,000").

One bad posting (no id, no title, no link, no date, a field of the wrong type) is skipped and counted,
never the feed. A feed is refused whole (FeedError) when it is too large, nested too deep, not JSON, of
neither shape, or when every one of its postings is bad: the ingestion closes the postings a feed no
longer lists, and a broken feed must not close a whole board.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from zik.career import vocabulary
from zik.career.markup import parseable

GREENHOUSE = "greenhouse"
LEVER = "lever"
FORMATS = (GREENHOUSE, LEVER)
MAX_FEED_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 64  # a board's JSON nests five or six deep
MAX_POSTINGS = 10_000
MAX_HTML_CHARS = 200_000
MAX_DESCRIPTION_CHARS = 20_000
MAX_TITLE_CHARS = 200
MAX_REQUIREMENTS = 25
MAX_REQUIREMENT_CHARS = 300
MAX_ID_CHARS = 128
MAX_URL_CHARS = 2048
OLDEST_POSTING = dt.date(2000, 1, 1)
HOURS_A_YEAR, DAYS_A_YEAR, WEEKS_A_YEAR, MONTHS_A_YEAR = 2080, 260, 52, 12
PER_YEAR = {"year": 1, "month": MONTHS_A_YEAR, "week": WEEKS_A_YEAR, "day": DAYS_A_YEAR, "hour": HOURS_A_YEAR}
LEVER_INTERVALS = {"per-year-salary": "year", "per-month-salary": "month", "per-week-salary": "week", "per-day-wage": "day", "per-hour-wage": "hour"}


class FeedError(ValueError):
    """The whole feed is unusable (nothing of it is applied)."""


class BadPosting(ValueError):
    """One posting is unusable: it is skipped and counted."""


@dataclass
class Feed:
    format: str
    postings: list[dict[str, Any]]
    skipped: int = 0
    reasons: Counter = field(default_factory=Counter)
    # Ids of skipped postings that could be read: the ingestion leaves their jobs as they are instead of
    # closing them (a posting that is broken for one run has not disappeared from the board).
    skipped_ids: set[str] = field(default_factory=set)


# -- the feed -------------------------------------------------------------------------------------------
def parse_feed(raw: bytes | str, *, source: str, company: str, today: dt.date, format: str | None = None) -> Feed:  # noqa: A002
    """Every usable posting of a feed. ``company``: the board's display name when postings do not say it;
    ``format``: greenhouse or lever when known (from the feed's key or URL), else told by the content."""
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode("utf-8", "surrogatepass"))
    if size > MAX_FEED_BYTES:
        raise FeedError(f"the feed is {size} bytes; the limit is {MAX_FEED_BYTES}")
    document = _json(raw)
    found = detect_format(document)
    if format is not None and format != found:
        raise FeedError(f"expected a {format} feed, found a {found} one")
    postings = document["jobs"] if found == GREENHOUSE else document
    if len(postings) > MAX_POSTINGS:
        raise FeedError(f"the feed lists {len(postings)} postings; the limit is {MAX_POSTINGS}")
    parse_one = parse_greenhouse_job if found == GREENHOUSE else parse_lever_posting
    feed = Feed(found, [])
    seen: set[str] = set()
    for posting in postings:
        try:
            job = parse_one(posting, source=source, company=company, today=today)
            if job["externalId"] in seen:
                raise BadPosting("the feed lists its id twice")
        except BadPosting as bad:
            feed.skipped += 1
            feed.reasons[str(bad)] += 1
            readable = _readable_id(posting)
            if readable and readable not in seen:
                feed.skipped_ids.add(readable)
            continue
        seen.add(job["externalId"])
        feed.postings.append(job)
    if postings and not feed.postings:
        raise FeedError(f"none of the feed's {len(postings)} postings could be read ({', '.join(sorted(feed.reasons))})")
    return feed


def detect_format(document: Any) -> str:
    if isinstance(document, dict) and isinstance(document.get("jobs"), list):
        return GREENHOUSE
    if isinstance(document, list):
        return LEVER
    raise FeedError('the feed is neither a Greenhouse job board ({"jobs": [...]}) nor a Lever postings list ([...])')


def _json(raw: bytes | str) -> Any:
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise FeedError("the feed is not UTF-8 text") from None
    try:
        # NaN and Infinity are no numbers a board means: read as missing values.
        document = json.loads(text, parse_constant=lambda constant: None)
    except RecursionError:
        raise FeedError(f"the feed nests deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:
        raise FeedError(f"the feed is not JSON: {exc}") from None
    if _nests_deeper(document, MAX_DEPTH):
        raise FeedError(f"the feed nests deeper than {MAX_DEPTH} levels")
    return document


def _nests_deeper(document: Any, limit: int) -> bool:
    pending: list[tuple[Any, int]] = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children: Iterable[Any] = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _readable_id(posting: Any) -> str | None:
    if not isinstance(posting, dict):
        return None
    try:
        return _external_id(posting.get("id"))
    except BadPosting:
        return None


# -- Greenhouse -------------------------------------------------------------------------------------------
def parse_greenhouse_job(job: Any, *, source: str, company: str, today: dt.date) -> dict[str, Any]:
    job = _mapping(job, "posting")
    title = _title(job.get("title"))
    markup = html.unescape(_text(job.get("content"), "content", limit=MAX_HTML_CHARS))  # escaped once more by the API
    sections = read_html(markup)
    metadata = [entry for entry in _list(job.get("metadata"), "metadata") if isinstance(entry, dict)]
    employment = employment_type(_metadata_value(metadata, ("employment type", "commitment", "job type", "time type")), title)
    location_name = _text(_mapping(job.get("location"), "location", optional=True).get("name"), "location.name", limit=300)
    offices = [office for office in _list(job.get("offices"), "offices") if isinstance(office, dict)]
    if not location_name and offices:
        location_name = _text(offices[0].get("location") or offices[0].get("name"), "offices.location", limit=300)
    place = parse_location(location_name)
    departments = [d for d in _list(job.get("departments"), "departments") if isinstance(d, dict)]
    salary = (
        _greenhouse_pay_ranges(job.get("pay_input_ranges"))
        or _metadata_salary(metadata)
        or parse_salary_text(sections.text, country=place.location["country"])
    )
    return _posting(
        source=source,
        external_id=_external_id(job.get("id")),
        title=title,
        company=_text(job.get("company_name"), "company_name", limit=200) or company,
        place=place,
        employment=employment,
        department=_text(departments[0].get("name"), "departments.name", limit=200) if departments else "",
        sections=sections,
        salary=salary,
        url=_url(job.get("absolute_url")),
        posted=_iso_day(job.get("first_published") or job.get("updated_at"), today),
    )


def _metadata_value(metadata: list[dict[str, Any]], names: tuple[str, ...]) -> str:
    for entry in metadata:
        name = entry.get("name")
        if isinstance(name, str) and name.strip().lower() in names and isinstance(entry.get("value"), str):
            return entry["value"][:100]
    return ""


def _metadata_salary(metadata: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A custom field of type currency_range (``{"unit", "min_value", "max_value"}``, amounts as strings),
    paid by the period another field names ("Pay Frequency": "Hourly") or the year."""
    frequency = _metadata_value(metadata, ("pay frequency", "pay period", "salary frequency", "pay interval", "salary period"))
    for entry in metadata:
        value = entry.get("value")
        if entry.get("value_type") != "currency_range" or not isinstance(value, dict):
            continue
        name = entry.get("name") if isinstance(entry.get("name"), str) else ""
        salary = yearly_salary(value.get("min_value"), value.get("max_value"), value.get("unit"), period_of(f"{frequency} {name}"))
        if salary:
            return salary
    return None


def _greenhouse_pay_ranges(ranges: Any) -> dict[str, Any] | None:
    """``pay_input_ranges`` (the board's pay transparency ranges): amounts in cents."""
    if not isinstance(ranges, list):
        return None
    for entry in ranges:
        if not isinstance(entry, dict):
            continue
        low, high = _number(entry.get("min_cents")), _number(entry.get("max_cents"))
        title = raw_title if isinstance(raw_title := entry.get("title"), str) else ""
        if low is not None and high is not None:
            salary = yearly_salary(low / 100, high / 100, entry.get("currency_type"), period_of(title))
            if salary:
                return salary
    return None


# -- Lever ------------------------------------------------------------------------------------------------
def parse_lever_posting(posting: Any, *, source: str, company: str, today: dt.date) -> dict[str, Any]:
    posting = _mapping(posting, "posting")
    title = _title(posting.get("text"))
    categories = _mapping(posting.get("categories"), "categories", optional=True)
    pieces = [_text(posting.get("description"), "description", limit=MAX_HTML_CHARS)]
    if not pieces[0]:
        pieces = [html.escape(_text(posting.get("descriptionPlain"), "descriptionPlain", limit=MAX_HTML_CHARS))]
    for entry in _list(posting.get("lists"), "lists")[:20]:
        if isinstance(entry, dict):
            heading = _text(entry.get("text"), "lists.text", limit=200)
            pieces.append(f"<h3>{html.escape(heading)}</h3><ul>{_text(entry.get('content'), 'lists.content', limit=MAX_HTML_CHARS)}</ul>")
    pieces.append(
        _text(posting.get("additional"), "additional", limit=MAX_HTML_CHARS)
        or html.escape(_text(posting.get("additionalPlain"), "additionalPlain", limit=MAX_HTML_CHARS))
    )
    sections = read_html("".join(pieces)[: MAX_HTML_CHARS * 2])
    workplace = _text(posting.get("workplaceType"), "workplaceType", limit=40).lower()
    country = _text(posting.get("country"), "country", limit=10).upper() or None
    place = parse_location(_text(categories.get("location"), "categories.location", limit=300), workplace=workplace, country=country)
    salary = _lever_salary(posting.get("salaryRange")) or parse_salary_text(sections.text, country=place.location["country"])
    return _posting(
        source=source,
        external_id=_external_id(posting.get("id")),
        title=title,
        company=company,
        place=place,
        employment=employment_type(_text(categories.get("commitment"), "categories.commitment", limit=100), title),
        department=_text(categories.get("team") or categories.get("department"), "categories.team", limit=200),
        sections=sections,
        salary=salary,
        url=_url(posting.get("hostedUrl") or posting.get("applyUrl")),
        posted=_epoch_day(posting.get("createdAt"), today),
    )


def _lever_salary(salary_range: Any) -> dict[str, Any] | None:
    if not isinstance(salary_range, dict):
        return None
    period = LEVER_INTERVALS.get(interval) if isinstance(interval := salary_range.get("interval"), str) else None
    if period is None:  # "one-time" and the unknown are no salary
        return None
    return yearly_salary(salary_range.get("min"), salary_range.get("max"), salary_range.get("currency"), period)


# -- the posting --------------------------------------------------------------------------------------------
def _posting(
    *,
    source: str,
    external_id: str,
    title: str,
    company: str,
    place: ParsedPlace,
    employment: str,
    department: str,
    sections: HtmlText,
    salary: dict[str, Any] | None,
    url: str,
    posted: str,
) -> dict[str, Any]:
    requirements = sections.requirements()
    description = sections.text[:MAX_DESCRIPTION_CHARS]
    default_seniority = "intern" if employment == "internship" else "mid"
    return {
        "source": source,
        "externalId": external_id,
        "title": title,
        "company": " ".join(company.split())[:200],
        "department": department,
        "location": place.location,
        "locationKey": place.key,
        "remote": place.remote,
        "workplace": place.workplace,
        "seniority": vocabulary.seniority_of(title, default_seniority),
        "roleKey": vocabulary.role_key(title),
        "skills": vocabulary.skills_in("\n".join((title, *requirements, description))),
        "requirements": requirements,
        "salary": salary,
        "employmentType": employment,
        "description": description,
        "url": url,
        "postedDate": posted,
    }


_EMPLOYMENT = (
    ("internship", re.compile(r"\bintern(?:ship)?s?\b|\bworking student\b|\btrainee\b|\bapprentice", re.IGNORECASE)),
    ("part-time", re.compile(r"\bpart[- ]?time\b", re.IGNORECASE)),
    ("contract", re.compile(r"\bcontract(?:or)?\b|\bfreelance\b", re.IGNORECASE)),
    ("temporary", re.compile(r"\btemporary\b|\bfixed[- ]term\b|\btemp\b", re.IGNORECASE)),
)


def employment_type(commitment: str, title: str) -> str:
    """full-time, part-time, contract, temporary or internship, from the board's word ("Full-time",
    "Internship", "Contract") or, when it says none, the title."""
    words = commitment or title
    return next((kind for kind, pattern in _EMPLOYMENT if pattern.search(words)), "full-time")


def company_name(token: str) -> str:
    """A board's display name from its token: "northwind-analytics" -> "Northwind Analytics"."""
    return " ".join(word.capitalize() for word in re.split(r"[-_\s]+", token) if word) or token


# -- checked values of a posting -----------------------------------------------------------------------------
def _mapping(value: Any, name: str, *, optional: bool = False) -> Mapping[str, Any]:
    if isinstance(value, dict):
        return value
    if optional and value is None:
        return {}
    raise BadPosting(f"{name} is not an object")


def _list(value: Any, name: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    raise BadPosting(f"{name} is not a list")


def _text(value: Any, name: str, *, limit: int) -> str:
    """A string field (missing: empty), cut to ``limit`` characters, its lone surrogates dropped (no JSON
    answer or DynamoDB item can hold one)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadPosting(f"{name} is not text")
    return _no_surrogates(value[:limit])


def _no_surrogates(text: str) -> str:
    return text.encode("utf-8", "ignore").decode("utf-8") if any("\ud800" <= ch <= "\udfff" for ch in text) else text


def _title(value: Any) -> str:
    title = " ".join(_text(value, "title", limit=MAX_TITLE_CHARS * 2).split())
    if not title:
        raise BadPosting("no title")
    if len(title) > MAX_TITLE_CHARS:
        title = title[:MAX_TITLE_CHARS].rsplit(" ", 1)[0]
    return title


def _external_id(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        raise BadPosting("no id")
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        raise BadPosting("the id is not text or a whole number")
    value = value.strip()
    if not value or len(value) > MAX_ID_CHARS or not value.isprintable():
        raise BadPosting("the id is empty, too long or unprintable")
    return _no_surrogates(value)


def _url(value: Any) -> str:
    url = _text(value, "url", limit=MAX_URL_CHARS + 1).strip()
    if not re.match(r"^https?://[^\s/]+", url) or len(url) > MAX_URL_CHARS:
        raise BadPosting("no link to the posting")
    return url


def _iso_day(value: Any, today: dt.date) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadPosting("no date")
    try:
        instant = dt.datetime.fromisoformat(value.strip()[:40])
        if instant.tzinfo is not None:
            instant = instant.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        raise BadPosting("the date is not an ISO 8601 date in range") from None
    return _day(instant.date(), today)


def _epoch_day(value: Any, today: dt.date) -> str:
    millis = _number(value)
    if millis is None:
        raise BadPosting("no date")
    try:
        day = dt.datetime.fromtimestamp(millis / 1000, dt.UTC).date()
    except (OverflowError, OSError, ValueError):
        raise BadPosting("the date is out of range") from None
    return _day(day, today)


def _day(day: dt.date, today: dt.date) -> str:
    if day < OLDEST_POSTING:
        raise BadPosting("the date is too old")
    return min(day, today).isoformat()  # a date ahead of ours would stay first of every list for good


def _number(value: Any) -> float | None:
    """A finite number from a JSON number or a numeric string ("62000.0", "62,000"); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.replace(",", "").strip()[:40])
        except ValueError:
            return None
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:
            return None
        return number if math.isfinite(number) else None
    return None


# -- pay --------------------------------------------------------------------------------------------------------
_PERIOD_WORDS = {
    "year": re.compile(r"\b(?:year|yearly|annual|annually|annum|yr|p\.a)\b", re.IGNORECASE),
    "month": re.compile(r"\b(?:month|monthly|mo)\b", re.IGNORECASE),
    "week": re.compile(r"\b(?:week|weekly|wk)\b", re.IGNORECASE),
    "day": re.compile(r"\b(?:day|daily)\b", re.IGNORECASE),
    "hour": re.compile(r"\b(?:hour|hourly|hr)\b", re.IGNORECASE),
}


def period_of(text: str) -> str:
    """The pay period the words name first ("per hour", "Monthly", "a year, 25 days off" -> year); a year
    when they name none."""
    found = [(match.start(), period) for period, pattern in _PERIOD_WORDS.items() if (match := pattern.search(text))]
    return min(found)[1] if found else "year"


def yearly_salary(low: Any, high: Any, currency: Any, period: str) -> dict[str, Any] | None:
    """``{min, max, currency, period: "year"}``: the range paid a year (an hour's pay times 2,080, a month's
    times 12...); None when it is no plausible range."""
    low_number, high_number = _number(low), _number(high)
    if low_number is None and high_number is None:
        return None
    low_number = low_number if low_number is not None else high_number
    high_number = high_number if high_number is not None else low_number
    code = currency.strip().upper() if isinstance(currency, str) else ""
    if not re.fullmatch(r"[A-Z]{3}", code) or period not in PER_YEAR:
        return None
    assert low_number is not None and high_number is not None
    if low_number > high_number:
        low_number, high_number = high_number, low_number
    if low_number <= 0 or high_number > low_number * 5:
        return None
    yearly_low, yearly_high = low_number * PER_YEAR[period], high_number * PER_YEAR[period]
    if yearly_low < 1000 or yearly_high > 1e10:
        return None
    return {"min": round(yearly_low), "max": round(yearly_high), "currency": code, "period": "year"}


# "CA$" before "$": the longest sign first.
_SIGNS = {
    "CA$": "CAD",
    "C$": "CAD",
    "A$": "AUD",
    "AU$": "AUD",
    "S$": "SGD",
    "SG$": "SGD",
    "NZ$": "NZD",
    "HK$": "HKD",
    "R$": "BRL",
    "MX$": "MXN",
    "US$": "USD",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "₩": "KRW",
    "₪": "ILS",
    "zł": "PLN",
    "CHF": "CHF",
}
_DOLLAR_COUNTRIES = {"CA": "CAD", "AU": "AUD", "SG": "SGD", "NZ": "NZD", "HK": "HKD", "MX": "MXN"}
_CODES = (
    "USD",
    "EUR",
    "GBP",
    "CAD",
    "AUD",
    "SGD",
    "NZD",
    "HKD",
    "BRL",
    "MXN",
    "JPY",
    "INR",
    "CHF",
    "SEK",
    "NOK",
    "DKK",
    "PLN",
    "CZK",
    "ILS",
    "KRW",
    "ZAR",
    "CNY",
    "AED",
    "TRY",
    "RON",
    "HUF",
    "COP",
    "CLP",
    "ARS",
    "PHP",
    "IDR",
    "MYR",
    "THB",
    "VND",
    "NGN",
    "KES",
)
_SIGN = "|".join(re.escape(sign) for sign in sorted(_SIGNS, key=len, reverse=True))
_CODE = "|".join(_CODES)
_AMOUNT = r"\d{1,3}(?:[,.\u00a0\u202f ]\d{2,3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?"
_SALARY = re.compile(
    rf"(?P<lead>{_SIGN}|\b(?:{_CODE})\b)?\s?(?P<low>{_AMOUNT})\s?(?P<lowk>[kK]\b)?\s?(?:\b(?:{_CODE})\b)?"
    rf"\s*(?:-|–|—|to)\s*"
    rf"(?P<mid>{_SIGN}|\b(?:{_CODE})\b)?\s?(?P<high>{_AMOUNT})\s?(?P<highk>[kK]\b)?\s?(?P<tail>\b(?:{_CODE})\b)?"
    r"(?P<after>[^\n]{0,40})"
)


def parse_salary_text(text: str, *, country: str | None = None) -> dict[str, Any] | None:
    """The first pay range written in ``text`` with its currency ("$120,000 - $150,000", "€65.000 – €80.000",
    "£45k to £55k", "CA$40 - CA$48 per hour", "120,000-150,000 USD"), a year's worth; a bare "$" is the
    posting country's dollar where it has one. A range without a currency ("2 - 3 years") is none."""
    for match in _SALARY.finditer(text[:MAX_DESCRIPTION_CHARS]):
        marker = next((match.group(name) for name in ("lead", "mid", "tail") if match.group(name)), None)
        if marker is None:
            continue
        currency = _currency_of(marker, match.group("tail"), country)
        low, high = _amount(match.group("low"), match.group("lowk") or match.group("highk")), _amount(match.group("high"), match.group("highk"))
        salary = yearly_salary(low, high, currency, period_of(match.group("after")))
        if salary:
            return salary
    return None


def _currency_of(marker: str, tail: str | None, country: str | None) -> str:
    if tail:
        return tail
    code = _SIGNS.get(marker, marker)
    if marker == "$" and country in _DOLLAR_COUNTRIES:
        return _DOLLAR_COUNTRIES[country]
    return code


def _amount(written: str, thousands: str | None) -> float | None:
    """ "120,000" -> 120000; "65.000" -> 65000 (dots grouping thousands); "45.50" -> 45.5; "1,234.50" ->
    1234.5; "12,00,000" (lakh grouping) -> 1200000; with "k", times 1,000."""
    cleaned = re.sub(r"[\u00a0\u202f ]", "", written)
    decimal = re.fullmatch(r"(\d[\d,.]*?)\.(\d{1,2})", cleaned)
    whole, fraction = (decimal.group(1), decimal.group(2)) if decimal and "." not in decimal.group(1) else (cleaned, "")
    digits = re.sub(r"[,.]", "", whole)
    if not digits.isdigit() or len(digits) > 15:
        return None
    number = float(f"{digits}.{fraction}" if fraction else digits)
    return number * 1000 if thousands else number


# -- places -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ParsedPlace:
    location: dict[str, Any]  # {city, region, country (ISO 3166-1 alpha-2), display}
    key: str  # the city's slug, "remote" for remote-only work, else "country-<code>", else "unspecified"
    remote: bool
    workplace: str  # remote | hybrid | onsite


COUNTRIES: dict[str, tuple[str, ...]] = {
    "US": ("United States", "USA", "U.S.", "U.S.A.", "United States of America", "America"),
    "CA": ("Canada",),
    "MX": ("Mexico", "México"),
    "BR": ("Brazil", "Brasil"),
    "AR": ("Argentina",),
    "CO": ("Colombia",),
    "CL": ("Chile",),
    "PE": ("Peru",),
    "GB": ("United Kingdom", "UK", "U.K.", "Great Britain", "Britain", "England", "Scotland", "Wales"),
    "IE": ("Ireland",),
    "DE": ("Germany", "Deutschland"),
    "FR": ("France",),
    "NL": ("Netherlands", "The Netherlands", "Holland"),
    "BE": ("Belgium",),
    "LU": ("Luxembourg",),
    "ES": ("Spain", "España"),
    "PT": ("Portugal",),
    "IT": ("Italy", "Italia"),
    "CH": ("Switzerland",),
    "AT": ("Austria",),
    "SE": ("Sweden",),
    "NO": ("Norway",),
    "DK": ("Denmark",),
    "FI": ("Finland",),
    "IS": ("Iceland",),
    "PL": ("Poland",),
    "CZ": ("Czech Republic", "Czechia"),
    "RO": ("Romania",),
    "HU": ("Hungary",),
    "GR": ("Greece",),
    "EE": ("Estonia",),
    "LT": ("Lithuania",),
    "UA": ("Ukraine",),
    "TR": ("Turkey", "Türkiye"),
    "IL": ("Israel",),
    "AE": ("United Arab Emirates", "UAE"),
    "SA": ("Saudi Arabia",),
    "EG": ("Egypt",),
    "ZA": ("South Africa",),
    "NG": ("Nigeria",),
    "KE": ("Kenya",),
    "IN": ("India",),
    "PK": ("Pakistan",),
    "SG": ("Singapore",),
    "MY": ("Malaysia",),
    "ID": ("Indonesia",),
    "PH": ("Philippines",),
    "TH": ("Thailand",),
    "VN": ("Vietnam", "Viet Nam"),
    "CN": ("China",),
    "HK": ("Hong Kong",),
    "TW": ("Taiwan",),
    "KR": ("South Korea", "Korea"),
    "JP": ("Japan",),
    "AU": ("Australia",),
    "NZ": ("New Zealand",),
}
AREAS = {
    "europe": "Europe",
    "emea": "EMEA",
    "apac": "APAC",
    "asia pacific": "APAC",
    "latam": "Latin America",
    "latin america": "Latin America",
    "north america": "North America",
    "americas": "Americas",
    "worldwide": "Worldwide",
    "global": "Worldwide",
    "anywhere": "Worldwide",
    "eu": "Europe",
    "africa": "Africa",
    "asia": "Asia",
}
US_STATES = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "DC": "District of Columbia",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
}
CA_PROVINCES = {
    "AB": "Alberta",
    "BC": "British Columbia",
    "MB": "Manitoba",
    "NB": "New Brunswick",
    "NL": "Newfoundland and Labrador",
    "NS": "Nova Scotia",
    "ON": "Ontario",
    "PE": "Prince Edward Island",
    "QC": "Quebec",
    "SK": "Saskatchewan",
}
AU_STATES = {
    "NSW": "New South Wales",
    "VIC": "Victoria",
    "QLD": "Queensland",
    "WA": "Western Australia",
    "SA": "South Australia",
    "TAS": "Tasmania",
    "ACT": "Australian Capital Territory",
    "NT": "Northern Territory",
}
_REGIONS = {"US": US_STATES, "CA": CA_PROVINCES, "AU": AU_STATES}
# Cities a posting may name alone: (its name, region code, country).
CITIES: dict[str, tuple[str, str | None, str]] = {
    "san francisco": ("San Francisco", "CA", "US"),
    "sf": ("San Francisco", "CA", "US"),
    "new york": ("New York", "NY", "US"),
    "new york city": ("New York", "NY", "US"),
    "nyc": ("New York", "NY", "US"),
    "seattle": ("Seattle", "WA", "US"),
    "austin": ("Austin", "TX", "US"),
    "boston": ("Boston", "MA", "US"),
    "chicago": ("Chicago", "IL", "US"),
    "denver": ("Denver", "CO", "US"),
    "los angeles": ("Los Angeles", "CA", "US"),
    "la": ("Los Angeles", "CA", "US"),
    "san diego": ("San Diego", "CA", "US"),
    "san jose": ("San Jose", "CA", "US"),
    "palo alto": ("Palo Alto", "CA", "US"),
    "mountain view": ("Mountain View", "CA", "US"),
    "atlanta": ("Atlanta", "GA", "US"),
    "miami": ("Miami", "FL", "US"),
    "pittsburgh": ("Pittsburgh", "PA", "US"),
    "philadelphia": ("Philadelphia", "PA", "US"),
    "portland": ("Portland", "OR", "US"),
    "dallas": ("Dallas", "TX", "US"),
    "houston": ("Houston", "TX", "US"),
    "washington dc": ("Washington", "DC", "US"),
    "washington, d.c.": ("Washington", "DC", "US"),
    "toronto": ("Toronto", "ON", "CA"),
    "vancouver": ("Vancouver", "BC", "CA"),
    "montreal": ("Montreal", "QC", "CA"),
    "montréal": ("Montreal", "QC", "CA"),
    "ottawa": ("Ottawa", "ON", "CA"),
    "calgary": ("Calgary", "AB", "CA"),
    "london": ("London", None, "GB"),
    "manchester": ("Manchester", None, "GB"),
    "edinburgh": ("Edinburgh", None, "GB"),
    "bristol": ("Bristol", None, "GB"),
    "dublin": ("Dublin", None, "IE"),
    "berlin": ("Berlin", None, "DE"),
    "munich": ("Munich", None, "DE"),
    "münchen": ("Munich", None, "DE"),
    "hamburg": ("Hamburg", None, "DE"),
    "frankfurt": ("Frankfurt", None, "DE"),
    "amsterdam": ("Amsterdam", None, "NL"),
    "rotterdam": ("Rotterdam", None, "NL"),
    "paris": ("Paris", None, "FR"),
    "lyon": ("Lyon", None, "FR"),
    "madrid": ("Madrid", None, "ES"),
    "barcelona": ("Barcelona", None, "ES"),
    "lisbon": ("Lisbon", None, "PT"),
    "lisboa": ("Lisbon", None, "PT"),
    "porto": ("Porto", None, "PT"),
    "milan": ("Milan", None, "IT"),
    "rome": ("Rome", None, "IT"),
    "zurich": ("Zurich", None, "CH"),
    "zürich": ("Zurich", None, "CH"),
    "geneva": ("Geneva", None, "CH"),
    "vienna": ("Vienna", None, "AT"),
    "brussels": ("Brussels", None, "BE"),
    "stockholm": ("Stockholm", None, "SE"),
    "oslo": ("Oslo", None, "NO"),
    "copenhagen": ("Copenhagen", None, "DK"),
    "helsinki": ("Helsinki", None, "FI"),
    "warsaw": ("Warsaw", None, "PL"),
    "krakow": ("Krakow", None, "PL"),
    "prague": ("Prague", None, "CZ"),
    "tallinn": ("Tallinn", None, "EE"),
    "tel aviv": ("Tel Aviv", None, "IL"),
    "dubai": ("Dubai", None, "AE"),
    "cape town": ("Cape Town", None, "ZA"),
    "johannesburg": ("Johannesburg", None, "ZA"),
    "lagos": ("Lagos", None, "NG"),
    "nairobi": ("Nairobi", None, "KE"),
    "bengaluru": ("Bengaluru", "Karnataka", "IN"),
    "bangalore": ("Bengaluru", "Karnataka", "IN"),
    "hyderabad": ("Hyderabad", "Telangana", "IN"),
    "pune": ("Pune", "Maharashtra", "IN"),
    "mumbai": ("Mumbai", "Maharashtra", "IN"),
    "delhi": ("Delhi", None, "IN"),
    "singapore": ("Singapore", None, "SG"),
    "tokyo": ("Tokyo", None, "JP"),
    "seoul": ("Seoul", None, "KR"),
    "hong kong": ("Hong Kong", None, "HK"),
    "shanghai": ("Shanghai", None, "CN"),
    "taipei": ("Taipei", None, "TW"),
    "jakarta": ("Jakarta", None, "ID"),
    "manila": ("Manila", None, "PH"),
    "sydney": ("Sydney", "NSW", "AU"),
    "melbourne": ("Melbourne", "VIC", "AU"),
    "brisbane": ("Brisbane", "QLD", "AU"),
    "auckland": ("Auckland", None, "NZ"),
    "são paulo": ("São Paulo", None, "BR"),
    "sao paulo": ("São Paulo", None, "BR"),
    "rio de janeiro": ("Rio de Janeiro", None, "BR"),
    "mexico city": ("Mexico City", None, "MX"),
    "ciudad de méxico": ("Mexico City", None, "MX"),
    "buenos aires": ("Buenos Aires", None, "AR"),
    "bogotá": ("Bogotá", None, "CO"),
    "bogota": ("Bogotá", None, "CO"),
    "santiago": ("Santiago", None, "CL"),
    "lima": ("Lima", None, "PE"),
}
_COUNTRY_OF: dict[str, str] = {alias.lower(): code for code, names in COUNTRIES.items() for alias in (code, *names)}
_WORKPLACE = r"remote|hybrid|on-?site|in[- ]office|office[- ]based"
_LEADING = re.compile(rf"^\(?(?P<kind>{_WORKPLACE})\)?(?:\s*[-–—:,/|(]\s*|\s+|$)(?P<rest>.*?)\)?$", re.IGNORECASE)
_TRAILING = re.compile(rf"^(?P<rest>.*?)[\s,(/|–—-]+\(?(?P<kind>{_WORKPLACE})\)?$", re.IGNORECASE)
_WORKPLACE_OF = {"remote": "remote", "hybrid": "hybrid"}
LEVER_WORKPLACES = {"remote": "remote", "hybrid": "hybrid", "on-site": "onsite", "onsite": "onsite"}


def country_name(code: str | None) -> str | None:
    return COUNTRIES[code][0] if code in COUNTRIES else None


def country_key(code: str) -> str:
    return f"country-{code.lower()}"


def parse_location(text: str, *, workplace: str | None = None, country: str | None = None) -> ParsedPlace:
    """A board's place ("San Francisco, CA", "Remote - US", "Hybrid - Berlin", "Berlin (Hybrid)", "Toronto,
    Ontario, Canada", "Remote (Europe)", "London or Remote"): city, region, country and how the work is
    done. ``workplace``: the board's own word (Lever's workplaceType) wins over the text; ``country``: the
    board's country code, when the text does not name one."""
    flat = " ".join(_no_surrogates(text[:300]).split())
    alternatives = [part.strip() for part in re.split(r"\s*(?:;|\|| or )\s*", flat, flags=re.IGNORECASE) if part.strip()]
    first = alternatives[0] if alternatives else ""
    said = None
    for pattern in (_LEADING, _TRAILING):
        matched = pattern.match(first)
        if matched:
            said, first = matched.group("kind").lower(), matched.group("rest").strip(" -–—,()")
            break
    also_remote = any(_is_remote_alone(alternative) for alternative in alternatives[1:])  # "London or Remote"
    kind = LEVER_WORKPLACES.get(workplace or "") or _WORKPLACE_OF.get(said or "", "onsite")
    if also_remote and kind == "onsite":
        kind = "remote"
    city, region, code, area = _place(first)
    code = code or (country.upper() if country and country.upper() in COUNTRIES else None)
    remote = kind == "remote" or also_remote
    display = _display(city, region, code, area, kind)
    if city:
        key = vocabulary.slug(city) or "unspecified"
    elif remote:
        key = "remote"
    elif code:
        key = country_key(code)
    else:
        key = "unspecified"
    return ParsedPlace({"city": city, "region": region or area, "country": code, "display": display}, key, remote, kind)


def _is_remote_alone(text: str) -> bool:
    matched = _LEADING.match(text)
    return bool(matched) and matched.group("kind").lower() == "remote" and not matched.group("rest").strip(" -–—,()")  # type: ignore[union-attr]


def _place(text: str) -> tuple[str | None, str | None, str | None, str | None]:
    """(city, region, country code, area) of "City, Region, Country" and its shorter forms."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts:
        return None, None, None, None
    area = AREAS.get(parts[-1].lower())
    if area:
        return (parts[0] if len(parts) > 1 else None), None, None, area
    last = parts[-1]
    code = _COUNTRY_OF.get(last.lower().rstrip("."))
    if code and len(parts) > 1 and last.upper() in US_STATES:
        known = CITIES.get(parts[0].lower())
        if not (known and known[2] == code):  # "Chicago, IL" is in Illinois, "Berlin, DE" in Germany
            code = None
    if code and (len(parts) > 1 or len(last) > 2 or last.isupper()):
        parts = parts[:-1]
    else:
        code = None
    if not parts:
        return None, None, code, None
    city, region = parts[0], (parts[1] if len(parts) > 1 else None)
    known = CITIES.get(city.lower())
    if region:
        region_code, region_country = _region(region, code)
        region, code = region_code or region, code or region_country
    if known and (code is None or code == known[2]):
        city, region, code = known[0], region or known[1], known[2]
    elif code is None and region is None and city.lower() in (name.lower() for name in US_STATES.values()):
        return None, next(k for k, v in US_STATES.items() if v.lower() == city.lower()), "US", None
    return city, region, code, None


def _region(region: str, country: str | None) -> tuple[str | None, str | None]:
    """A region's short code and its country ("CA" -> California, US; "Ontario" -> ON, CA)."""
    for code_of_country, regions in _REGIONS.items():
        if country not in (None, code_of_country):
            continue
        upper = region.upper().rstrip(".")
        if upper in regions:
            return upper, code_of_country
        for short, name in regions.items():
            if name.lower() == region.lower():
                return short, code_of_country
    return None, None


def _display(city: str | None, region: str | None, code: str | None, area: str | None, kind: str) -> str:
    where = ", ".join(part for part in (city, region, country_name(code) or area) if part)
    if kind == "remote" and not city:
        return f"Remote ({where})" if where else "Remote"
    return where or "Unspecified"


def location_key(text: str) -> str:
    """The key of the place someone names ("Berlin" -> berlin, "Germany" -> country-de, "Remote" -> remote,
    "" or "anywhere" -> anywhere): what a jobs filter or the market intelligence looks up."""
    flat = " ".join(text.split()).lower()
    if not flat or flat in ("anywhere", "any", "all", "everywhere", "worldwide", "global"):
        return "anywhere"
    return parse_location(text).key


# -- HTML -------------------------------------------------------------------------------------------------------
_REQUIREMENT_HEADING = re.compile(
    r"requir|qualif|what you(?:'|’)?ll (?:bring|need)|what you bring|what we(?:'|’)?re looking for|looking for|"
    r"you (?:have|bring|are|might|should)|about you|who you are|your (?:profile|background|skills|experience)|"
    r"skills|experience|must|nice to have|nice-to-have|bonus|preferred|ideal candidate|we(?:'|’)?d love",
    re.IGNORECASE,
)
_NOT_REQUIREMENT_HEADING = re.compile(
    r"what you(?:'|’)?ll do|responsibilit|day to day|your role|the role|benefit|perks|offer|about us|why join|compensation",
    re.IGNORECASE,
)
_BLOCKS = frozenset("p div br h1 h2 h3 h4 h5 h6 tr table section article header footer blockquote pre hr dd dt li ul ol".split())
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_SKIPPED = frozenset("script style template noscript iframe svg head object".split())


@dataclass
class HtmlText:
    lines: list[str]  # paragraphs, headings and "• " bullets, in order
    lists: list[tuple[str, list[str]]]  # each list's heading (the text just before it) and its items

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def requirements(self) -> list[str]:
        """The bullets under headings that ask for something; when no heading does, the bullets of every
        list but those of duties and benefits."""
        asked = [items for heading, items in self.lists if _REQUIREMENT_HEADING.search(heading) and not _NOT_REQUIREMENT_HEADING.search(heading)]
        if not asked:
            asked = [items for heading, items in self.lists if not _NOT_REQUIREMENT_HEADING.search(heading)]
        bullets = [_clip(item, MAX_REQUIREMENT_CHARS) for items in asked for item in items]
        return bullets[:MAX_REQUIREMENTS]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.lists: list[tuple[str, list[str]]] = []
        self.pending: list[str] = []
        self.item: list[str] | None = None
        self.skipping = 0
        self.depth = 0  # of lists

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag in ("ul", "ol"):
            self._end_item()
            self._flush()
            if self.depth == 0:
                self.lists.append((self._heading(), []))
            self.depth += 1
        elif tag == "li":
            self._end_item()
            self._flush()
            if self.depth == 0 and not (self.lines and self.lines[-1].startswith("• ")):  # items outside a list: a new group
                self.lists.append((self._heading(), []))
            self.item = []
        elif tag in _BLOCKS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "li":
            self._end_item()
        elif tag in ("ul", "ol"):
            self._end_item()
            self.depth = max(0, self.depth - 1)
        elif tag in _BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        (self.item if self.item is not None else self.pending).append(data)

    def _heading(self) -> str:
        last = self.lines[-1] if self.lines else ""
        return last if len(last) <= 120 and not last.startswith("• ") else ""

    def _flush(self) -> None:
        line = " ".join("".join(self.pending).split())
        self.pending = []
        if line:
            self.lines.append(line)

    def _end_item(self) -> None:
        if self.item is None:
            return
        line = " ".join("".join(self.item).split())
        self.item = None
        if line:
            self.lines.append(f"• {line}")
            if not self.lists:
                self.lists.append(("", []))
            self.lists[-1][1].append(line)

    def finish(self) -> HtmlText:
        self.close()
        self._end_item()
        self._flush()
        return HtmlText(self.lines, [(heading, items) for heading, items in self.lists if items])


def read_html(markup: str) -> HtmlText:
    """The text of an HTML fragment: paragraphs and headings as lines, list items as "• " bullets, entities
    decoded, scripts and styles dropped. html.parser reads tags in a loop (no recursion), so no nesting
    is too deep for it; the fragment is cut at MAX_HTML_CHARS characters first."""
    reader = _Reader()
    try:
        reader.feed(parseable(_no_surrogates(markup[: MAX_HTML_CHARS * 2])))
    except AssertionError:  # _markupbase's answer to a malformed "<![" section: keep what was read before it
        pass
    return reader.finish()


def strip_html(markup: str) -> str:
    return read_html(markup).text
