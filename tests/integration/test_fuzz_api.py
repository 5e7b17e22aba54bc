"""Every API route of template.yaml, attacked the way a hostile client would: JSON nested thousands deep,
lone surrogates in keys and values, NaN, Infinity and numbers of thousands of digits, wrong types, very
long and oddly written strings; query values written in other scripts' digits, huge or negative, dates at
the ends of the calendar, forged cursors; path parameters that are another user's ids, too long, or full
of odd characters.

Each function's real handler answers in-process against the stack in moto. Whatever comes in, the answer
is never a 5xx and it is UTF-8 JSON, an error in the platform's shape (a download, an export as markdown
or csv, is the one answer that is not JSON). The routes are read from the template, so a new route is
fuzzed without being listed here; a route whose handler validates its body with a schema file gets bodies
shaped by that schema, with hostile values in its fields, so that requests also get past validation.

Hypothesis draws the requests from a fixed seed per route: every run sends the same ones. It runs once
per route, so each route gets as many requests as the others and a failure shrinks to one request.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import unicodedata
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, note, seed, settings
from hypothesis import strategies as st

from zik.schemas import ecma_pattern
from zik_local import openapi
from zik_local.provision import Route

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")

SCHEMAS = Path(__file__).resolve().parents[2] / "layers" / "shared" / "zik" / "schemas"
EXAMPLES_PER_ROUTE = 15
OWNER: dict[str, Any] = {}  # the sample events' own user (no claim changed)
STRANGER = {"sub": "0b5e2f1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b", "cognito:username": "0b5e2f1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b", "custom:tenant_id": "acme"}


class Raw(str):
    """A JSON token written into the body as it is (NaN, 1e400, 5,000 digits, deep nesting): what a
    hostile client sends but json.dumps would not write."""


# -- hostile values ---------------------------------------------------------------------------------------
OTHER_DIGITS = ["³", "٣", "１", "۳", "߃", "𝟑", "Ⅲ", "²⁵", "٢٠", "１０"]
EDGE_DAYS = [
    "0001-01-01",
    "0001-01-05",
    "9999-12-31",
    "9999-12-25",
    "0000-01-01",
    "2026-02-30",
    "2026-13-01",
    "2026-00-10",
    "٢٠٢٦-١١-٢٣",
    "２０２６-１１-２３",
    "2026-11-23T00:00:00Z",
    "20261123",
    "2026-W48-1",
    "+2026-11-23",
    " 2026-11-23",
    "2026-11-23\n",
    "1899-12-31",
    "1900-01-01",
    "3000-01-01",
    "2999-12-31",
    "-001-01-01",
]
ODD_TEXT = [
    "\ud800",
    "a\udfffb",
    "\udc00\ud800",
    "\x00",
    "nul\x00in",
    "\u202eevil",
    "\ufb01",
    "e\u0301",
    "\u00e9",
    "A\u030a",
    "\u212b",
    "🙂",
    "\ufeff",
    "\u200b",
    "../..",
    "%2F",
    "a/b",
    "' OR 1=1 --",
    "<script>",
    " ",
    "",
    "\t\n",
    "\\",
    "#",
    "TENANT#acme#USER#x",
    "null",
    "true",
    "-",
    "__proto__",
]
NUMBER_TEXT = [
    "0",
    "-1",
    "-0",
    "101",
    "100",
    "1",
    "20",
    "9" * 30,
    "9" * 400,
    "1e3",
    "0x10",
    " 5",
    "5 ",
    "+5",
    "NaN",
    "Infinity",
    "1.5",
    "05",
    "0" * 30 + "7",
]
RAW_NUMBERS = [
    Raw(t) for t in ("NaN", "Infinity", "-Infinity", "1e400", "-1e400", "-" + "9" * 40, "1E+999999999", "0.1e-999999", "-0", "9007199254740993")
]
# Built when drawn (Hypothesis shows what it draws from, and these are tens of kilobytes): an opening
# repeated, a middle, a closing repeated.
DEEP_SHAPES = [("[", "", "]", 5000), ('{"a":', "1", "}", 5000), ("[", "", "]", 990), ("[", "", "", 100_000), ('{"a":[', "", "]}", 3000)]
HUGE_NUMBER_SHAPES = [("9", "", "", 5000), ("9", "", "", 4301), ("1", "", "0", 400), ("1", ".5", "0", 400)]


def repeated(shapes: list[tuple[str, str, str, int]]) -> st.SearchStrategy[Raw]:
    return st.sampled_from(shapes).map(lambda shape: Raw(shape[0] * shape[3] + shape[1] + shape[2] * shape[3]))


def deep() -> st.SearchStrategy[Raw]:
    return repeated(DEEP_SHAPES)


def odd_text() -> st.SearchStrategy[str]:
    listed = st.sampled_from(ODD_TEXT + OTHER_DIGITS + EDGE_DAYS)
    drawn = st.text(st.one_of(st.characters(), st.characters(categories=["Cs"])), max_size=12)  # lone surrogates too
    long = st.sampled_from([1_000, 10_000, 70_000]).map(lambda n: "x" * n)
    return st.one_of(listed, listed, drawn, drawn, long)  # Hypothesis picks each branch as often


def hostile_leaf() -> st.SearchStrategy[Any]:
    return st.one_of(
        odd_text(),
        st.sampled_from(RAW_NUMBERS),
        repeated(HUGE_NUMBER_SHAPES),
        deep(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from([None, True, False, [], {}, [None], {"": None}]),
    )


def hostile_json() -> st.SearchStrategy[Any]:
    """Values of any shape with hostile leaves and keys (keys with lone surrogates too)."""
    return st.recursive(
        hostile_leaf(),
        lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(odd_text(), inner, max_size=4)),
        max_leaves=8,
    )


DAY_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
DAYS = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2060, 12, 31)).map(lambda day: day.isoformat())


# -- bodies ------------------------------------------------------------------------------------------------
def resolved(schema: dict[str, Any] | None, components: dict[str, Any]) -> dict[str, Any] | None:
    """The schema itself, where the OpenAPI document refers to it (``$ref``)."""
    return components[schema["$ref"].rsplit("/", 1)[1]] if schema and "$ref" in schema else schema


def from_schema(schema: dict[str, Any], components: dict[str, Any], *, hostile: bool) -> st.SearchStrategy[Any]:
    """What the schema describes (so that a body gets past validation into the domain); with
    ``hostile``, each value may be hostile instead."""
    schema = resolved(schema, components)
    described = _described(schema, components, hostile)
    return st.one_of(described, described, hostile_json()) if hostile else described


def _described(schema: dict[str, Any], components: dict[str, Any], hostile: bool) -> st.SearchStrategy[Any]:
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if schema.get("nullable"):
        return st.one_of(st.none(), _described({k: v for k, v in schema.items() if k != "nullable"}, components, hostile))
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return _object(schema, components, hostile)
    if kind == "string":
        pattern = schema.get("pattern")
        if pattern == DAY_PATTERN:
            return DAYS
        # Read as the API reads it (ASCII digits): other scripts' digits are among the hostile values.
        text = (
            st.from_regex(ecma_pattern(pattern), fullmatch=pattern.startswith("^"))
            if pattern
            else st.text(min_size=schema.get("minLength", 0), max_size=40)
        )
        limit = schema.get("maxLength")
        return text.map(lambda value: value[:limit]) if limit else text
    if kind == "integer":
        low = schema.get("minimum", -5)
        return st.integers(min_value=low - 2, max_value=schema.get("maximum", low + 10) + 2)
    if kind == "boolean":
        return st.booleans()
    if kind == "array":
        return st.lists(_described(schema.get("items") or {}, components, hostile), max_size=schema.get("maxItems", 5) + 1)
    return hostile_json()


@st.composite
def _object(draw: Any, schema: dict[str, Any], components: dict[str, Any], hostile: bool) -> dict[str, Any]:
    """The required properties and some of the others: at least ``minProperties`` in all."""
    properties = schema.get("properties") or {}
    required = [name for name in schema.get("required", []) if name in properties]
    others = sorted(set(properties) - set(required))
    at_least = min(len(others), max(0, schema.get("minProperties", 0) - len(required)))
    chosen = required + (draw(st.lists(st.sampled_from(others), min_size=at_least, unique=True)) if others else [])
    return {name: draw(from_schema(properties[name], components, hostile=hostile)) for name in chosen}


def render(value: Any, ascii_only: bool) -> str:
    """JSON text of ``value``, Raw tokens written as they are (json.dumps refuses some, such as integers
    of more than 4,300 digits); with ``ascii_only`` false a lone surrogate goes in as the character."""
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k), ensure_ascii=ascii_only)}:{render(v, ascii_only)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(render(v, ascii_only) for v in value) + "]"
    return json.dumps(value, ensure_ascii=ascii_only)


GARBAGE_BODIES = [
    "",
    "   ",
    "{",
    "[1,2",
    '"just a string"',
    "123",
    "null",
    "true",
    "[]",
    '{"a":1,"a":2}',
    "\ufeff{}",
    "{'a': 1}",
    "{1: 2}",
    '{"a":1}garbage',
    "NaN",
]
GARBAGE_BYTES = [b'{"content": "\xed\xa0\x80"}', b"\xff\xfe{\x00}\x00", '{"content":"\u00e9"}'.encode("utf-16"), b'{"content": "\xc3"}']


@dataclass
class Body:
    text: str | None
    base64: bool = False


def as_body(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Body]:
    return st.builds(lambda value, ascii_only: Body(render(value, ascii_only)), values, st.booleans())


def bodies(schema: dict[str, Any] | None, components: dict[str, Any]) -> st.SearchStrategy[Body]:
    """Bodies of every kind; for a route with a schema, a quarter of them as it describes."""
    valid = [as_body(from_schema(schema, components, hostile=False))] * 4 if schema else []
    shaped = [as_body(from_schema(schema, components, hostile=True))] * 2 if schema else []
    return st.one_of(
        *valid,
        *shaped,
        as_body(hostile_json()),
        st.sampled_from(GARBAGE_BODIES).map(Body),
        deep().map(Body),
        deep().map(lambda nested: Body(render({"content": nested, "title": nested, "message": nested}, False))),
        st.one_of(st.binary(max_size=40), st.sampled_from(GARBAGE_BYTES)).map(lambda data: Body(base64.b64encode(data).decode(), base64=True)),
        st.just(Body("not base64 at all!", base64=True)),
        st.just(Body(None)),
    )


# -- query strings and path parameters ---------------------------------------------------------------------
def _cursor(document: str) -> str:
    return base64.urlsafe_b64encode(document.encode()).decode().rstrip("=")


FORGED_CURSORS = [
    _cursor("[" * 700),
    _cursor('{"pk":{"S":"TENANT#acme#USER#0b5e2f1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"},"sk":{"S":"x"}}'),
    _cursor('{"pk":{"S":"TENANT#acme#USER#8f1c2a7e-4b3d-4c9a-9e61-2d5b7f0a1c34"},"sk":{"S":"' + "x" * 600 + '"}}'),
    _cursor('{"pk":{"N":"1"}}'),
    _cursor('{"o":-1,"q":"x"}'),
    _cursor('{"o":1e400,"q":"x"}'),
    "!!!",
]


@dataclass
class Known:
    """What exists before the fuzzing starts: both users' things (their ids by the path of the collection
    they were created in, such as /entries), a conversation, a cursor a list gave out."""

    own: dict[str, list[str]]
    theirs: dict[str, list[str]]
    conversations: list[str]
    cursors: list[str]

    @staticmethod
    def flat(ids: dict[str, list[str]]) -> list[str]:
        return [i for collection in ids.values() for i in collection]


def plausible_values(known: Known) -> dict[str, st.SearchStrategy[str]]:
    """For each query parameter the routes read, values a route would take."""
    days = DAYS
    return {
        "limit": st.sampled_from(["1", "20", "100"]),
        "cursor": st.sampled_from(known.cursors),
        "from": days,
        "to": days,
        "date": days,
        "bucket": st.sampled_from(["day", "week"]),
        "format": st.sampled_from(["json", "markdown", "csv"]),
        "q": st.sampled_from(["walk", "river walk", "Walking", "café"]),
        "category": st.sampled_from(["gratitude", "reflection", "goals"]),
        "categoryId": st.sampled_from(Known.flat(known.own)),
        "tag": st.sampled_from(["walk", "Friends"]),
        "conversationId": st.sampled_from(known.conversations),
    }


@st.composite
def plausible_queries(draw: Any, known: Known) -> dict[str, str]:
    values = plausible_values(known)
    names = draw(st.lists(st.sampled_from(sorted(values)), max_size=3, unique=True))
    return {name: draw(values[name]) for name in names}


HOSTILE_QUERY_VALUES = {
    "limit": NUMBER_TEXT + OTHER_DIGITS,
    "cursor": FORGED_CURSORS,
    "from": EDGE_DAYS,
    "to": EDGE_DAYS,
    "date": EDGE_DAYS,
}


@st.composite
def hostile_queries(draw: Any, known: Known) -> dict[str, str]:
    """Each parameter that holds a number, a day or a cursor, hostile to what it holds or absent; some
    plausible others; odd names with any values."""
    plausible = plausible_values(known)
    query = {}
    for name, attacks in HOSTILE_QUERY_VALUES.items():
        value = draw(st.one_of(st.none(), st.sampled_from(attacks), odd_text()))
        if value is not None:
            query[name] = value
    for name in draw(st.lists(st.sampled_from(sorted(set(plausible) - set(query))), max_size=2, unique=True)):
        query[name] = draw(st.one_of(plausible[name], odd_text()))
    others = st.one_of(st.sampled_from(NUMBER_TEXT + EDGE_DAYS), odd_text())
    return {**query, **draw(st.dictionaries(odd_text(), others, max_size=2))}


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def plausible_ids(known: Known, collection: str) -> st.SearchStrategy[str]:
    """Ids that exist: mostly the caller's own in the route's collection, else any of either user's."""
    own = st.sampled_from(known.own.get(collection) or Known.flat(known.own))
    return st.one_of(own, own, st.sampled_from(Known.flat(known.own) + Known.flat(known.theirs)))


def hostile_ids(known: Known) -> st.SearchStrategy[str]:
    """Ids made from existing ones (another case, fullwidth, decomposed, repeated) or from nothing."""
    ids = st.sampled_from(Known.flat(known.own) + Known.flat(known.theirs))
    return st.one_of(
        ids.map(str.upper),
        ids.map(_fullwidth),
        ids.map(lambda i: unicodedata.normalize("NFD", i + "é")),
        ids.map(lambda i: i + "\u0301"),
        ids.map(lambda i: i * 200),
        ids.map(lambda i: "../" + i),
        st.sampled_from(["a" * 10_000, "x" * 129, "a/b", "%2F", "..", ".", "-", "_"]),
        odd_text().filter(bool),
    )


# -- the routes --------------------------------------------------------------------------------------------
@dataclass
class Target:
    route: Route
    schema: dict[str, Any] | None  # the request body's, when the handler validates one

    @property
    def collection(self) -> str:
        """``/entries`` for ``/entries/{id}/insight``: where what the route's ids name is created."""
        return self.route.path.split("/{")[0]

    @property
    def parameters(self) -> list[str]:
        return [segment.strip("{}+") for segment in self.route.path.split("/") if segment.startswith("{")]

    def path(self, params: dict[str, str]) -> str:
        path = self.route.path
        for name, value in params.items():
            path = path.replace("{" + name + "}", value)
        return path


def targets(deployment: Any) -> tuple[list[Target], dict[str, Any]]:
    """Every route of the template that reaches a function, with the request schema its handler
    validates with (read as the OpenAPI document reads it), and the schemas the document holds."""
    found = []
    components: dict[str, Any] = {}
    for api in deployment.apis:
        document = openapi.build(deployment, api, SCHEMAS, "http://127.0.0.1")
        components.update(document["components"]["schemas"])
        for route in api.routes:
            if route.function is None:
                continue
            operation = document["paths"][route.path][route.method.lower()]
            content = (operation.get("requestBody") or {}).get("content", {})
            found.append(Target(route, content.get("application/json", {}).get("schema")))
    return found, components


@dataclass
class Request:
    params: dict[str, str]
    query: dict[str, str]
    body: Body
    caller: dict[str, Any]
    idempotency_key: str | None

    def summary(self) -> str:
        return f"params={_short(self.params)} query={_short(self.query)} body={_short(self.body.text)} base64={self.body.base64} key={_short(self.idempotency_key)}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 300 else f"{text[:300]}... ({len(text)} characters)"


@pytest.fixture
def send(invoke, api_event, load_function, monkeypatch) -> Callable[[Target, Request], Any]:
    """``send(target, request)``: the route's function answers the request as API Gateway would pass it."""

    def call(target: Target, request: Request) -> Any:
        route = target.route
        # The fuzz sends one user more than a minute's allowance (1,000 requests) within a minute of the tests' clock,
        # so its last routes met 429s that are not theirs. The limit has its own tests (test_rate_limit); here it is
        # set out of reach, after the function's load gave it the template's value.
        load_function(route.function)
        monkeypatch.setenv("USER_RATE_LIMIT_PER_MINUTE", "1000000")
        headers = {"Idempotency-Key": request.idempotency_key} if request.idempotency_key is not None else None
        event = api_event(route.method, target.path(request.params), None, query=request.query or None, claims=request.caller, headers=headers)
        event.update(resource=route.path, pathParameters=request.params or None, body=request.body.text, isBase64Encoded=request.body.base64)
        event["requestContext"]["resourcePath"] = route.path
        return invoke(route.function, event)

    return call


@pytest.fixture
def known(deployment, invoke, api_event) -> Known:
    """Two entries, a category, a goal, a task and a recurrence for each of the two users, a conversation
    with the coach, and a cursor a list gave out."""
    ids: dict[str, dict[str, list[str]]] = {}
    for who, claims in (("own", OWNER), ("theirs", STRANGER)):
        for function, collection, body, key in (
            ("EntriesFunction", "/entries", {"content": "A walk by the river."}, "entryId"),
            ("EntriesFunction", "/entries", {"content": "Rain, and a book."}, "entryId"),
            ("SettingsFunction", "/settings/categories", {"name": "Walks"}, "categoryId"),
            ("QuestsFunction", "/goals", {"title": "Run a 10k"}, "goalId"),
            ("QuestsFunction", "/tasks", {"title": "Stretch"}, "taskId"),
            ("QuestsFunction", "/recurrences", {"title": "Read", "rule": {"freq": "daily"}}, "recurrenceId"),
        ):
            reply = invoke(function, api_event("POST", collection, body, claims=claims))
            assert reply.status in (201, 202), reply.body
            ids.setdefault(who, {}).setdefault(collection, []).append(reply.body[key])
    chat = invoke("ChatFunction", api_event("POST", "/chat", {"message": "What is on today?"}))
    assert chat.status == 200, chat.body
    page = invoke("EntriesFunction", api_event("GET", "/entries", query={"limit": "1"}))
    assert page.status == 200 and page.body["nextCursor"], page.body
    return Known(ids["own"], ids["theirs"], [chat.body["conversationId"]], [page.body["nextCursor"]])


# -- the properties ----------------------------------------------------------------------------------------
def test_no_request_gets_a_5xx_or_an_answer_that_is_not_json(deployment, known, send):
    routes, components = targets(deployment)
    assert len(routes) > 30  # the template's routes were read
    # Deletions last, and the erasure of the caller (DELETE /me) after them: what they delete stays there
    # for the other routes to be asked about.
    for target in sorted(routes, key=lambda t: (t.route.method == "DELETE", not t.parameters)):
        fuzz(target, components, known, send)


# What a request gets wrong: one part at a time (so that the rest gets the request past validation to
# where that part is used), or all of them.
HOSTILE_PARTS = ["path", "query", "body", "Idempotency-Key", "caller", "all"]


@st.composite
def requests(draw: Any, target: Target, components: dict[str, Any], known: Known) -> Request:
    hostile = draw(st.sampled_from(HOSTILE_PARTS))

    def pick(part: str, plausible: st.SearchStrategy[Any], attack: st.SearchStrategy[Any]) -> Any:
        return draw(attack if hostile in (part, "all") else plausible)

    valid_body = as_body(from_schema(target.schema, components, hostile=False)) if target.schema else st.just(Body(None))
    return Request(
        params={name: pick("path", plausible_ids(known, target.collection), hostile_ids(known)) for name in target.parameters},
        query=pick("query", plausible_queries(known), hostile_queries(known)),
        body=pick("body", valid_body, bodies(target.schema, components)),
        caller=pick("caller", st.just(OWNER), st.just(STRANGER)),
        idempotency_key=pick("Idempotency-Key", st.none(), odd_text()),
    )


# The attacks of issue 12, sent to every route they apply to before anything is drawn: each alone in a
# request that is otherwise the caller's own and plain.
REPORTED_QUERIES = [
    *({"limit": value} for value in ["³", "٣", "9" * 5000, "-1"]),
    *({name: day} for name in ("from", "to", "date") for day in ["0001-01-05", "9999-12-31", "٢٠٢٦-١١-٢٣", "2026-02-30"]),
    *({"cursor": cursor} for cursor in FORGED_CURSORS[:2]),
]
REPORTED_IDS = ["a" * 10_000, "a/b", "\ud800", "ｃ１"]


def reported_bodies(schema: dict[str, Any]) -> list[Body]:
    field = (schema.get("required") or sorted(schema.get("properties") or {"x": None}))[0]
    return [
        Body("[" * 5000 + "]" * 5000),
        Body('{"a":' * 5000 + "1" + "}" * 5000),
        Body(render({field: "\ud800"}, ascii_only=True)),  # the JSON escape
        Body(render({field: "a\udfff"}, ascii_only=False)),  # the character itself
        Body(render({"\ud800": 1}, ascii_only=True)),
        *(Body(f'{{"{field}": {number}}}') for number in ("NaN", "-Infinity", "1e400", "9" * 5000)),
    ]


def reported_requests(target: Target, components: dict[str, Any], known: Known) -> list[Request]:
    own = {name: (known.own.get(target.collection) or Known.flat(known.own))[0] for name in target.parameters}
    schema = resolved(target.schema, components)
    found = [Request(own, query, Body(None), OWNER, None) for query in REPORTED_QUERIES] if target.route.method == "GET" else []
    found += [Request({name: bad for name in target.parameters}, {}, Body(None), OWNER, None) for bad in REPORTED_IDS if target.parameters]
    found += [Request(own, {}, body, OWNER, None) for body in reported_bodies(schema)] if schema else []
    return found


def fuzz(target: Target, components: dict[str, Any], known: Known, send: Callable[[Target, Request], Any]) -> None:
    route = target.route

    # A seed of its own for each route (the same at every run), so that routes do not all get the same draws.
    @seed(zlib.crc32(f"{route.method} {route.path}".encode()))
    @settings(max_examples=EXAMPLES_PER_ROUTE, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(request=requests(target, components, known))
    def one_request(request: Request) -> None:
        note(f"{route.method} {route.path} ({route.function}): {request.summary()}")
        check(route, send(target, request))

    for reported in reported_requests(target, components, known):
        one_request = example(request=reported)(one_request)
    one_request()


# Routes of the admins group (jobs are everyone's: closing one is an operator's act), refused to the others
# whatever the id, before anything is looked up.
ADMINS_ONLY = {("DELETE", "/api/jobs/{jobId}")}


def test_another_users_ids_are_not_found_on_every_route_that_takes_an_id(deployment, known, send):
    """Every id of the other user's, asked for by the owner on every route with a path parameter that needs
    no body: 404, as if it did not exist (403 on the admins' routes, which the owner may not use at all)."""
    routes, _ = targets(deployment)
    checked = 0
    for target in routes:
        if not target.parameters or target.schema:
            continue
        admins_only = (target.route.method, target.route.path) in ADMINS_ONLY
        for their_id in Known.flat(known.theirs):
            params = {name: their_id for name in target.parameters}
            reply = send(target, Request(params, {}, Body(None), OWNER, None))
            expected = (403, "forbidden") if admins_only else (404, "not_found")
            assert (reply.status, reply.body["error"]["code"]) == expected, (
                f"{target.route.method} {target.path(params)}: {reply.status} {reply.body}"
            )
            checked += 1
    assert checked >= 8 * len(Known.flat(known.theirs))


def check(route: Route, reply: Any) -> None:
    where = f"{route.method} {route.path}"
    assert reply.status < 500, f"{where} answered {reply.status}: {reply.raw.get('body', '')[:500]}"
    raw = reply.raw.get("body") or ""
    # Lambda and API Gateway carry the answer as UTF-8: a lone surrogate in it would break the answer.
    text = (base64.b64decode(raw) if reply.raw.get("isBase64Encoded") else raw.encode("utf-8")).decode("utf-8")
    content_type = reply.headers.get("content-type", "")
    if reply.status >= 400:
        error = json.loads(text)["error"]
        assert isinstance(error["code"], str) and isinstance(error["message"], str), f"{where}: {text[:300]}"
    elif "json" in content_type:
        json.loads(text)
    else:
        # A download (an export as markdown or csv) is the one answer that is not JSON.
        assert "attachment" in reply.headers.get("content-disposition", ""), f"{where} answered {content_type!r}: {text[:300]}"
