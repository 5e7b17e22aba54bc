"""What a request may carry, parsed once: its JSON body, its query values, ids, whole numbers and dates.
Each refusal is an InvalidRequest (400) naming the field where there is one, raised before any work is
done, so that nothing hostile reaches a store, a queue or the AI. (A path parameter that is not an id is
zik.http's to answer: a 404, since it names nothing there is.)

What each rule stops:
- a body nested thousands deep overflows the stack of any recursive parser or validator;
- NaN, Infinity and numbers past the range a JSON number holds exactly (I-JSON, RFC 7493) mean
  different things to each reader of the data, and Python's int() refuses 4,301 digits with a ValueError;
- a lone surrogate (``"\\ud800"``) is valid JSON but no UTF-8 text: every write of it (DynamoDB, the
  bus, the AI, a log line, the answer itself) fails;
- ``str.isdigit()`` and ``int()`` take other scripts' digits ("٣" is 3, "³" is a digit int() refuses);
- a date near year 1 or 9999 leaves the calendar as soon as a day is added to it or taken from it.

Messages never repeat a hostile value as it came: a lone surrogate in an answer would break the answer.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from typing import Any

from zik.errors import InvalidRequest

# A request schema nests three deep at most; this leaves room and keeps every recursive reader shallow.
MAX_DEPTH = 32
MAX_SAFE_INTEGER = 2**53 - 1
# Enough for any cursor this API gives out; far less than it takes to nest a cursor's JSON past the stack.
MAX_QUERY_VALUE_CHARS = 1024
MAX_QUERY_NAME_CHARS = 128
MAX_ID_CHARS = 128
DEFAULT_PAGE_SIZE = 20
# The days the API takes: a century and more either side of anything a person plans or remembers, and
# far from the ends of the calendar, so arithmetic on a day never leaves it.
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)

_STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
_SURROGATE = re.compile("[\ud800-\udfff]")
_ASCII_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ID = re.compile(r"[A-Za-z0-9_.-]+")
# Stands for an integer literal longer than any safe integer, so that the check below names its field
# (int() of 4,301 digits or more raises inside the parser, where the field is not known).
_BEYOND_SAFE = MAX_SAFE_INTEGER + 1
_SAFE_DIGITS = len(str(MAX_SAFE_INTEGER))


# -- JSON bodies -------------------------------------------------------------------------------------------
def json_document(text: str) -> Any:
    """The JSON document in ``text``: at most MAX_DEPTH deep, finite numbers, safe integers, no lone
    surrogate in any key or value. Duplicate keys are allowed (the last one wins)."""
    if _nesting_exceeds(text, MAX_DEPTH):
        raise InvalidRequest(f"request body nests deeper than {MAX_DEPTH} levels")
    try:
        document = json.loads(text, parse_int=_integer)
    except json.JSONDecodeError as exc:
        raise InvalidRequest(f"request body is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    _check_value(document, "")
    return document


def _nesting_exceeds(text: str, limit: int) -> bool:
    depth = 0
    for token in _STRING_OR_BRACKET.finditer(text):
        bracket = token.group()
        if bracket in "[{":
            depth += 1
            if depth > limit:
                return True
        elif bracket in "]}":
            depth -= 1
    return False


def _integer(literal: str) -> int:
    if len(literal.lstrip("-")) > _SAFE_DIGITS:
        return -_BEYOND_SAFE if literal.startswith("-") else _BEYOND_SAFE
    return int(literal)


def _check_value(value: Any, field: str) -> None:
    if isinstance(value, str):
        _refuse_surrogates(value, field or None, "the request body")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidRequest(
                f"{field or 'the request body'} must be a finite number (NaN and Infinity are not JSON numbers)", field=field or None
            )
    elif isinstance(value, int) and not isinstance(value, bool):
        if abs(value) > MAX_SAFE_INTEGER:
            raise InvalidRequest(
                f"{field or 'the request body'} must be a number from -{MAX_SAFE_INTEGER} to {MAX_SAFE_INTEGER}", field=field or None
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_surrogates(key, field or None, f"a key of {field or 'the request body'}")
            _check_value(item, f"{field}.{key}" if field else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_value(item, f"{field}[{index}]")


def _refuse_surrogates(text: str, field: str | None, what: str) -> None:
    if _SURROGATE.search(text):
        raise InvalidRequest(f"{what} holds a lone UTF-16 surrogate (such as \\ud800), which is not text", field=field)


# -- query values and path parameters ----------------------------------------------------------------------
def check_query(parameters: Mapping[str, Any] | None) -> None:
    """Every name and value of a query string: text (no lone surrogate), names of at most
    MAX_QUERY_NAME_CHARS and values of at most MAX_QUERY_VALUE_CHARS."""
    for name, values in (parameters or {}).items():
        _refuse_surrogates(name, None, "a query parameter's name")
        if len(name) > MAX_QUERY_NAME_CHARS:
            raise InvalidRequest(f"a query parameter's name is {len(name)} characters long; at most {MAX_QUERY_NAME_CHARS} are allowed")
        for value in values if isinstance(values, list) else [values]:
            if not isinstance(value, str):
                continue
            _refuse_surrogates(value, name, name)
            if len(value) > MAX_QUERY_VALUE_CHARS:
                raise InvalidRequest(f"{name} is {len(value)} characters long; at most {MAX_QUERY_VALUE_CHARS} are allowed", field=name)


ID_SHAPE = f"1 to {MAX_ID_CHARS} letters (A-Z, a-z), digits, '.', '_' or '-'"


def is_identifier(raw: Any) -> bool:
    """Whether ``raw`` has the shape of the platform's ids: ID_SHAPE, exactly as given (ids are compared
    byte for byte, never normalised: "ａ1" is not "a1")."""
    return isinstance(raw, str) and len(raw) <= MAX_ID_CHARS and _ID.fullmatch(raw) is not None


def identifier(raw: Any, field: str) -> str:
    """An id from a query; anything else is a 400 naming the field."""
    if not is_identifier(raw):
        raise InvalidRequest(f"{field} must be {ID_SHAPE}", field=field)
    return raw


# -- numbers and dates -------------------------------------------------------------------------------------
def whole_number(raw: str | None, field: str, *, minimum: int, maximum: int, default: int) -> int:
    """A whole number written in ASCII digits, from ``minimum`` to ``maximum``; ``default`` when absent."""
    if raw is None or raw == "":
        return default
    refused = InvalidRequest(f"{field} must be a whole number from {minimum} to {maximum}", field=field)
    if not (isinstance(raw, str) and raw.isascii() and raw.isdigit()):
        raise refused
    digits = raw.lstrip("0") or "0"
    if len(digits) > len(str(maximum)) or not minimum <= int(digits) <= maximum:
        raise refused
    return int(digits)


def page_limit(raw: str | None) -> int:
    """The ``limit`` of a list: 1 to the most a page reads, DEFAULT_PAGE_SIZE when absent."""
    from zik.dynamo import MAX_PAGE_SIZE  # only lists ask, and they read DynamoDB anyway: /health stays free of boto3

    return whole_number(raw, "limit", minimum=1, maximum=MAX_PAGE_SIZE, default=DEFAULT_PAGE_SIZE)


def day(raw: Any, field: str) -> dt.date | None:
    """A YYYY-MM-DD day (ASCII digits) from FIRST_DAY to LAST_DAY, from a query or a body; None when
    absent or empty."""
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str) or not _ASCII_DAY.fullmatch(raw):
        raise InvalidRequest(f"{field} must be a date, YYYY-MM-DD", field=field)
    try:
        value = dt.date.fromisoformat(raw)
    except ValueError:
        raise InvalidRequest(f"{field} must be a date of the calendar, YYYY-MM-DD: there is no {raw}", field=field) from None
    if not FIRST_DAY <= value <= LAST_DAY:
        raise InvalidRequest(f"{field} must be a date from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}", field=field)
    return value
