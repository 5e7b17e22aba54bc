"""Job feeds read into postings (zik.career.feeds): both boards' formats, HTML, pay, places, bad postings,
whole feeds refused, and the feeds zik ships."""

from __future__ import annotations

import datetime as dt
import html
import json
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zik.career import feeds, vocabulary
from zik_local.job_feeds import ANCHOR_DAY, feed_bytes, feed_files

TODAY = dt.date(2026, 11, 23)  # the parser is pure: "today" is what it is told


def greenhouse_job(**changes):
    content = (
        '<div class="content-intro"><p>Acme builds <b>R&amp;D</b> tools.</p></div>'
        "<h3>What you&rsquo;ll do</h3><ul><li>Build data pipelines for our customers</li></ul>"
        "<h3>Requirements</h3><ul><li>5+ years with Python and SQL</li><li>Experience with Apache Spark or dbt</li></ul>"
        "<p><strong>Nice to have</strong></p><ul><li>Kubernetes</li></ul>"
        "<script>var tracking = 'Java';</script><style>li { color: red }</style>"
    )
    job = {
        "id": 4001234567,
        "internal_job_id": 301,
        "title": "Senior Data Engineer",
        "updated_at": "2026-11-20T23:30:00-05:00",
        "requisition_id": "REQ-1",
        "location": {"name": "Hybrid - Berlin"},
        "absolute_url": "https://job-boards.greenhouse.io/acme/jobs/4001234567",
        "metadata": [
            {"id": 1, "name": "Employment Type", "value": "Full-time", "value_type": "single_select"},
            {
                "id": 2,
                "name": "Pay Transparency Range",
                "value": {"unit": "EUR", "min_value": "70000.0", "max_value": "90000.0"},
                "value_type": "currency_range",
            },
        ],
        "content": html.escape(content, quote=True),
        "departments": [{"id": 9, "name": "Data", "child_ids": [], "parent_id": None}],
        "offices": [{"id": 7, "name": "Berlin", "location": "Berlin, Germany", "child_ids": [], "parent_id": None}],
    }
    job.update(changes)
    return job


def lever_posting(**changes):
    posting = {
        "id": "6a1f2c3d-0000-4000-8000-000000000001",
        "text": "Machine Learning Engineer Intern",
        "categories": {
            "commitment": "Internship",
            "department": "R&D",
            "location": "San Francisco, CA",
            "team": "ML",
            "allLocations": ["San Francisco, CA"],
        },
        "createdAt": int(dt.datetime(2026, 11, 18, 16, 0, tzinfo=dt.UTC).timestamp() * 1000),
        "descriptionPlain": "Help us train models.",
        "description": "<div>Help us train models.</div>",
        "lists": [
            {"text": "What you'll do", "content": "<li>Ship LLM features</li>"},
            {"text": "About you", "content": "<li>Coursework in Machine Learning with PyTorch</li><li>Python</li>"},
        ],
        "additionalPlain": "Free lunch.",
        "additional": "<div>Free lunch.</div>",
        "hostedUrl": "https://jobs.lever.co/acme/6a1f2c3d-0000-4000-8000-000000000001",
        "applyUrl": "https://jobs.lever.co/acme/6a1f2c3d-0000-4000-8000-000000000001/apply",
        "workplaceType": "remote",
        "country": "US",
        "salaryRange": {"min": 40, "max": 50, "currency": "USD", "interval": "per-hour-wage"},
    }
    posting.update(changes)
    return posting


def parse_greenhouse(job):
    return feeds.parse_greenhouse_job(job, source="greenhouse:acme", company="Acme", today=TODAY)


def parse_lever(posting):
    return feeds.parse_lever_posting(posting, source="lever:acme", company="Acme", today=TODAY)


# -- the two formats --------------------------------------------------------------------------------------
def test_a_greenhouse_job_becomes_a_posting() -> None:
    job = parse_greenhouse(greenhouse_job())

    assert job["externalId"] == "4001234567" and job["source"] == "greenhouse:acme" and job["company"] == "Acme"
    assert job["title"] == "Senior Data Engineer" and job["roleKey"] == "data-engineer" and job["seniority"] == "senior"
    assert job["requirements"] == ["5+ years with Python and SQL", "Experience with Apache Spark or dbt", "Kubernetes"]
    assert job["skills"] == ["Python", "SQL", "Spark", "dbt", "Kubernetes", "ETL"]  # never Java: it is in a script
    assert job["salary"] == {"min": 70000, "max": 90000, "currency": "EUR", "period": "year"}
    assert job["location"] == {"city": "Berlin", "region": None, "country": "DE", "display": "Berlin, Germany"}
    assert (job["locationKey"], job["remote"], job["workplace"]) == ("berlin", False, "hybrid")
    assert job["postedDate"] == "2026-11-21"  # 23:30 in New York is the next day in UTC
    assert job["employmentType"] == "full-time" and job["department"] == "Data"
    assert job["url"] == "https://job-boards.greenhouse.io/acme/jobs/4001234567"
    assert "R&D tools" in job["description"] and "tracking" not in job["description"] and "color" not in job["description"]


def test_a_lever_posting_becomes_a_posting() -> None:
    job = parse_lever(lever_posting())

    assert job["externalId"] == "6a1f2c3d-0000-4000-8000-000000000001" and job["roleKey"] == "machine-learning-engineer"
    assert (job["seniority"], job["employmentType"]) == ("intern", "internship")
    assert job["requirements"] == ["Coursework in Machine Learning with PyTorch", "Python"]
    assert job["skills"] == ["Machine Learning", "PyTorch", "Python", "LLMs"]
    assert job["salary"] == {"min": 40 * 2080, "max": 50 * 2080, "currency": "USD", "period": "year"}  # an hour's pay, a year's worth
    assert (job["remote"], job["workplace"], job["locationKey"]) == (True, "remote", "san-francisco")  # the board's word wins
    assert job["postedDate"] == "2026-11-18" and job["url"].startswith("https://jobs.lever.co/acme/")


def test_greenhouse_pay_is_read_from_the_pay_ranges_or_the_text_when_no_field_holds_it() -> None:
    ranges = greenhouse_job(
        metadata=None, pay_input_ranges=[{"min_cents": 12_000_000, "max_cents": 15_000_000, "currency_type": "USD", "title": "US zone 1"}]
    )
    assert parse_greenhouse(ranges)["salary"] == {"min": 120000, "max": 150000, "currency": "USD", "period": "year"}
    written = greenhouse_job(metadata=None, content=html.escape("<p>The base salary range is $120,000 - $150,000 per year.</p>"))
    assert parse_greenhouse(written)["salary"] == {"min": 120000, "max": 150000, "currency": "USD", "period": "year"}
    assert parse_greenhouse(greenhouse_job(metadata=None, content=html.escape("<p>2 - 3 years of SQL</p>")))["salary"] is None


def test_a_lever_salary_by_the_month_is_a_years_worth_and_one_time_pay_is_no_salary() -> None:
    monthly = parse_lever(lever_posting(salaryRange={"min": 18000, "max": 24000, "currency": "BRL", "interval": "per-month-salary"}))
    assert monthly["salary"] == {"min": 216000, "max": 288000, "currency": "BRL", "period": "year"}
    assert (
        parse_lever(
            lever_posting(salaryRange={"min": 5000, "max": 5000, "currency": "USD", "interval": "one-time"}, descriptionPlain="", description="")
        )["salary"]
        is None
    )


def test_a_date_ahead_of_today_is_today() -> None:
    assert parse_greenhouse(greenhouse_job(first_published="2027-01-05T10:00:00Z"))["postedDate"] == TODAY.isoformat()


# -- HTML ---------------------------------------------------------------------------------------------------
def test_html_becomes_lines_and_bullets_without_scripts() -> None:
    text = feeds.read_html(
        "<h2>About</h2><p>We&nbsp;build &amp; ship.<br>Fast.</p><script>alert('x')</script><ul><li>One<ul><li>Nested</li></ul></li><li>Two</li></ul>"
        "<style>p{}</style><p>End &#8212; done</p>"
    )
    assert text.lines == ["About", "We build & ship.", "Fast.", "• One", "• Nested", "• Two", "End — done"]
    assert text.lists == [("Fast.", ["One", "Nested", "Two"])]


@pytest.mark.parametrize("markup", ["<![if !supportLists]>text", "<div" * 50_000, "<p>" + "x" * 500_000, "<!--", "</p></li></ul>", "<li>"])
def test_hostile_html_is_read_as_far_as_it_goes(markup: str) -> None:
    assert isinstance(feeds.strip_html(markup), str)


# -- pay written in text ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, country, expected",
    [
        ("The range is $120,000 - $150,000 a year", None, (120000, 150000, "USD")),
        ("€65.000 – €80.000 brutto", "DE", (65000, 80000, "EUR")),
        ("£45k to £55k", None, (45000, 55000, "GBP")),
        ("CA$40 - CA$48 per hour", None, (40 * 2080, 48 * 2080, "CAD")),
        ("$110,000 - $130,000", "CA", (110000, 130000, "CAD")),  # a Canadian posting's dollars
        ("120,000-150,000 USD", None, (120000, 150000, "USD")),
        ("₹25,00,000 - ₹32,00,000", "IN", (2500000, 3200000, "INR")),
        ("$45.50 - $52.00 per hour, and 25 days off", None, (94640, 108160, "USD")),
        ("pay $100,000 to $130,000 per year, plus 25 days of holiday", None, (100000, 130000, "USD")),
    ],
)
def test_pay_written_in_a_posting(text: str, country: str | None, expected: tuple[int, int, str]) -> None:
    salary = feeds.parse_salary_text(text, country=country)
    assert salary is not None and (salary["min"], salary["max"], salary["currency"]) == expected and salary["period"] == "year"


@pytest.mark.parametrize("text", ["2 - 3 years of experience", "Teams of 5 to 10 people", "$0 - $0", "$10 - $900,000", "Series B, $40M raised"])
def test_what_is_no_pay_range(text: str) -> None:
    assert feeds.parse_salary_text(text) is None


# -- places -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "written, city, region, country, key, remote, workplace",
    [
        ("San Francisco, CA", "San Francisco", "CA", "US", "san-francisco", False, "onsite"),
        ("Remote - US", None, None, "US", "remote", True, "remote"),
        ("US Remote", None, None, "US", "remote", True, "remote"),
        ("Remote (Europe)", None, "Europe", None, "remote", True, "remote"),
        ("Remote", None, None, None, "remote", True, "remote"),
        ("Hybrid - Berlin", "Berlin", None, "DE", "berlin", False, "hybrid"),
        ("London (Hybrid)", "London", None, "GB", "london", False, "hybrid"),
        ("Toronto, Ontario, Canada", "Toronto", "ON", "CA", "toronto", False, "onsite"),
        ("Chicago, IL", "Chicago", "IL", "US", "chicago", False, "onsite"),  # Illinois, not Israel
        ("Berlin, DE", "Berlin", None, "DE", "berlin", False, "onsite"),  # Germany, not Delaware
        ("Springfield, IN", "Springfield", "IN", "US", "springfield", False, "onsite"),
        ("São Paulo, Brazil", "São Paulo", None, "BR", "sao-paulo", False, "onsite"),
        ("Bangalore", "Bengaluru", "Karnataka", "IN", "bengaluru", False, "onsite"),
        ("Germany", None, None, "DE", "country-de", False, "onsite"),
        ("New York, NY; Remote", "New York", "NY", "US", "new-york", True, "remote"),
        ("", None, None, None, "unspecified", False, "onsite"),
    ],
)
def test_places(written: str, city, region, country, key: str, remote: bool, workplace: str) -> None:
    place = feeds.parse_location(written)
    assert (place.location["city"], place.location["region"], place.location["country"]) == (city, region, country)
    assert (place.key, place.remote, place.workplace) == (key, remote, workplace)


def test_a_place_someone_asks_for_has_the_key_postings_have() -> None:
    assert [feeds.location_key(text) for text in ("", "anywhere", "Berlin", "berlin, germany", "Germany", "remote", "NYC")] == [
        "anywhere",
        "anywhere",
        "berlin",
        "berlin",
        "country-de",
        "remote",
        "new-york",
    ]


# -- bad postings, bad feeds ----------------------------------------------------------------------------------
def test_bad_postings_are_skipped_and_counted_never_the_feed() -> None:
    jobs = [
        greenhouse_job(),
        greenhouse_job(id=2, title=""),  # no title
        greenhouse_job(id=3, absolute_url="javascript:alert(1)"),  # no link
        greenhouse_job(id=4, updated_at="last tuesday"),  # no date
        greenhouse_job(id=5, location="Berlin"),  # a field of the wrong type
        "not a posting",
        greenhouse_job(),  # the same id twice
        greenhouse_job(id=6, title="Backend Engineer"),
    ]
    feed = feeds.parse_feed(json.dumps({"jobs": jobs, "meta": {"total": 8}}), source="greenhouse:acme", company="Acme", today=TODAY)

    assert [job["externalId"] for job in feed.postings] == ["4001234567", "6"]
    assert feed.skipped == 6 and sum(feed.reasons.values()) == 6
    assert feed.skipped_ids == {"2", "3", "4", "5"}  # left as they are by the ingestion, not closed


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"{not json", "not JSON"),
        (b'{"jobs": {}}', "neither"),
        (b'"a string"', "neither"),
        (b"[" * 100 + b"]" * 100, "deeper"),
        (b"[" * 100_000 + b"]" * 100_000, "deeper"),
        (b"\xff\xfe", "UTF-8"),
        (json.dumps([{"id": "1"}, {"id": "2"}]).encode(), "none of the feed's 2 postings"),
    ],
)
def test_a_feed_that_is_none_is_refused_whole(raw: bytes, message: str) -> None:
    with pytest.raises(feeds.FeedError, match=message):
        feeds.parse_feed(raw, source="lever:acme", company="Acme", today=TODAY)


def test_a_feed_too_large_or_of_the_other_format_is_refused() -> None:
    with pytest.raises(feeds.FeedError, match="limit"):
        feeds.parse_feed(b" " * (feeds.MAX_FEED_BYTES + 1), source="lever:acme", company="Acme", today=TODAY)
    with pytest.raises(feeds.FeedError, match="expected a greenhouse feed"):
        feeds.parse_feed(json.dumps([lever_posting()]), source="greenhouse:acme", company="Acme", today=TODAY, format="greenhouse")


def test_an_empty_board_is_a_feed_with_no_postings() -> None:
    feed = feeds.parse_feed(b'{"jobs": [], "meta": {"total": 0}}', source="greenhouse:acme", company="Acme", today=TODAY)
    assert feed.postings == [] and feed.skipped == 0


# -- fuzz: whatever a posting holds, the parser answers a posting or skips it ---------------------------------
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
GREENHOUSE_FIELDS = [
    "id",
    "title",
    "updated_at",
    "first_published",
    "location",
    "absolute_url",
    "metadata",
    "content",
    "departments",
    "offices",
    "company_name",
    "pay_input_ranges",
]
LEVER_FIELDS = [
    "id",
    "text",
    "categories",
    "createdAt",
    "description",
    "descriptionPlain",
    "lists",
    "additional",
    "additionalPlain",
    "hostedUrl",
    "applyUrl",
    "workplaceType",
    "country",
    "salaryRange",
]


def postings_of(base: dict, fields: list[str]) -> st.SearchStrategy[dict]:
    """The real posting with any of its fields replaced by any JSON value (or dropped)."""
    return st.dictionaries(st.sampled_from(fields), JSON | st.just("\ud800"), max_size=len(fields)).map(lambda changes: {**base, **changes})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(postings_of(greenhouse_job(), GREENHOUSE_FIELDS), postings_of(lever_posting(), LEVER_FIELDS))
def test_no_posting_breaks_the_parser(greenhouse: dict, lever: dict) -> None:
    for parse, posting in ((parse_greenhouse, greenhouse), (parse_lever, lever)):
        try:
            job = parse(posting)
        except feeds.BadPosting:
            continue
        json.dumps(job).encode("utf-8")  # storable and answerable as it is
        assert job["title"] and job["externalId"] and job["url"].startswith("http")


@settings(max_examples=100, deadline=None)
@given(st.lists(JSON, max_size=5))
def test_no_list_of_anything_breaks_a_feed(postings: list) -> None:
    try:
        feed = feeds.parse_feed(json.dumps(postings), source="lever:acme", company="Acme", today=TODAY)
    except feeds.FeedError:
        return
    assert feed.skipped + len(feed.postings) == len(postings)


# -- the feeds zik ships ------------------------------------------------------------------------------------------
def shipped_postings(today: dt.date = ANCHOR_DAY) -> list[dict]:
    found = []
    for fmt, board, path in feed_files():
        feed = feeds.parse_feed(feed_bytes(path, fmt, today), source=f"{fmt}:{board}", company=feeds.company_name(board), today=today, format=fmt)
        assert feed.skipped == 0, (board, feed.reasons)
        found += feed.postings
    return found


def test_the_shipped_feeds_hold_300_realistic_postings_of_every_kind() -> None:
    postings = shipped_postings()
    formats = Counter(fmt for fmt, _, _ in feed_files())
    known_roles = {role.key for role in vocabulary.roles()}

    assert len(postings) >= 300 and formats["greenhouse"] >= 3 and formats["lever"] >= 3
    assert {job["roleKey"] for job in postings} == known_roles  # every family, and no title a family misses
    assert {job["seniority"] for job in postings} == {level.key for level in vocabulary.seniorities()}
    assert len({job["location"]["city"] for job in postings if job["location"]["city"]}) >= 30
    assert len({job["location"]["country"] for job in postings if job["location"]["country"]}) >= 12
    assert sum(job["remote"] for job in postings) >= 30 and any(job["workplace"] == "hybrid" for job in postings)
    currencies = Counter(job["salary"]["currency"] for job in postings if job["salary"])
    assert len(currencies) >= 8 and 0.5 < sum(currencies.values()) / len(postings) < 0.9  # some state no pay
    assert all(len(job["skills"]) >= 2 and job["requirements"] for job in postings)


def test_the_shipped_feeds_are_as_fresh_on_any_day() -> None:
    later = ANCHOR_DAY + dt.timedelta(days=400)
    then, now = shipped_postings(), shipped_postings(later)
    assert [dt.date.fromisoformat(job["postedDate"]) + dt.timedelta(days=400) for job in then] == [
        dt.date.fromisoformat(job["postedDate"]) for job in now
    ]
    assert max(job["postedDate"] for job in now) == later.isoformat()
