"""zik.inputs: the one parser of request bodies, of query numbers and of dates, and the checks of query
strings and path parameters. Every refusal is a 400 that names the field where there is one."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from zik import inputs
from zik.errors import InvalidRequest


def refused(call, *args, **kwargs) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as error:
        call(*args, **kwargs)
    return error.value


# -- JSON bodies -------------------------------------------------------------------------------------------
def test_a_plain_document_is_parsed():
    assert inputs.json_document('{"content": "café ☕", "mood": 4, "tags": ["a"], "ratio": 0.5, "x": null}') == {
        "content": "café ☕",
        "mood": 4,
        "tags": ["a"],
        "ratio": 0.5,
        "x": None,
    }


def test_a_duplicate_key_keeps_the_last_value():
    assert inputs.json_document('{"a": 1, "a": 2}') == {"a": 2}


@pytest.mark.parametrize(
    "text",
    [
        "[" * 5000 + "]" * 5000,
        '{"a":' * 5000 + "1" + "}" * 5000,
        "[" * 100_000,  # never closed: refused before the parser sees it
        '{"content": ' + "[" * 40 + "]" * 40 + "}",
    ],
)
def test_deep_nesting_is_refused_before_parsing(text):
    error = refused(inputs.json_document, text)
    assert f"deeper than {inputs.MAX_DEPTH}" in error.message


def test_nesting_up_to_the_limit_is_fine_and_brackets_inside_strings_do_not_count():
    at_limit = "[" * inputs.MAX_DEPTH + "]" * inputs.MAX_DEPTH
    assert json.dumps(inputs.json_document(at_limit)) == at_limit
    assert inputs.json_document(json.dumps({"content": "[" * 1000 + '\\"{' * 100})) == {"content": "[" * 1000 + '\\"{' * 100}


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('{"mood": NaN}', "mood"),
        ('{"mood": Infinity}', "mood"),
        ('{"a": {"b": [1, -Infinity]}}', "a.b[1]"),
        ('{"mood": 1e400}', "mood"),
        ("NaN", None),
    ],
)
def test_numbers_that_are_not_finite_are_refused_naming_the_field(text, field):
    error = refused(inputs.json_document, text)
    assert error.field == field and "finite" in error.message


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('{"version": ' + "9" * 5000 + "}", "version"),  # int() itself refuses 4,301 digits and more
        ('{"version": -' + "9" * 40 + "}", "version"),
        ('{"version": 9007199254740992}', "version"),
        ('{"rule": {"interval": 18446744073709551616}}', "rule.interval"),
    ],
)
def test_integers_past_the_safe_range_are_refused_naming_the_field(text, field):
    error = refused(inputs.json_document, text)
    assert error.field == field and str(inputs.MAX_SAFE_INTEGER) in error.message


def test_the_ends_of_the_safe_range_are_kept():
    assert inputs.json_document(f"[{inputs.MAX_SAFE_INTEGER}, -{inputs.MAX_SAFE_INTEGER}, 1.5e300]") == [
        inputs.MAX_SAFE_INTEGER,
        -inputs.MAX_SAFE_INTEGER,
        1.5e300,
    ]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('{"content": "\\ud800"}', "content"),  # the JSON escape
        ('{"content": "a\ud800b"}', "content"),  # the character itself, in a body already decoded
        ('{"title": "ok", "tags": ["fine", "\\udfff"]}', "tags[1]"),
        ('{"preferences": {"notifications": {"\\ud800": true}}}', "preferences.notifications"),
        ('{"\\udc00": 1}', None),
        ('"\\ud83d"', None),
    ],
)
def test_a_lone_surrogate_anywhere_is_refused_naming_the_field(text, field):
    error = refused(inputs.json_document, text)
    assert error.field == field and "surrogate" in error.message
    assert "\ud800" not in error.message and "\udfff" not in error.message  # the answer must stay UTF-8
    json.dumps(error.message, ensure_ascii=False).encode("utf-8")


def test_a_surrogate_pair_is_one_character_and_welcome():
    assert inputs.json_document('{"content": "\\ud83d\\ude00"}') == {"content": "😀"}


@pytest.mark.parametrize("text", ["{", "[1,2", '{"a":1}garbage', "{'a': 1}", "{1: 2}", "\ufeff{}"])
def test_text_that_is_not_json_is_refused(text):
    assert "not valid JSON" in refused(inputs.json_document, text).message


# -- query values and path parameters ----------------------------------------------------------------------
def test_query_values_that_are_text_and_short_pass():
    inputs.check_query({"q": "café walk", "limit": "20", "tags": ["a", "b"]})
    inputs.check_query(None)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"q": "\ud800"}, "q"),
        ({"tag": ["ok", "x\udfff"]}, "tag"),
        ({"\ud800": "x"}, None),
        ({"cursor": "x" * (inputs.MAX_QUERY_VALUE_CHARS + 1)}, "cursor"),
        ({"x" * (inputs.MAX_QUERY_NAME_CHARS + 1): "1"}, None),
    ],
)
def test_query_values_that_are_not_text_or_too_long_are_refused(query, field):
    error = refused(inputs.check_query, query)
    assert error.field == field
    assert len(error.message) < 200  # a long name or value is not repeated back


@pytest.mark.parametrize("value", ["01a228451d5c693f9904", "c1a2b3", "g-1", "t_1.2", "A" * inputs.MAX_ID_CHARS])
def test_ids_of_the_platforms_shape_pass(value):
    assert inputs.is_identifier(value)
    assert inputs.identifier(value, "conversationId") == value


@pytest.mark.parametrize(
    "value",
    ["", "a" * (inputs.MAX_ID_CHARS + 1), "a" * 10_000, "a/b", "..%2F", "ｃ１", "e\u0301", "é", "a b", "a\x00", "\ud800", "a\n", None],
)
def test_other_ids_are_refused_naming_the_parameter(value):
    assert not inputs.is_identifier(value)
    assert refused(inputs.identifier, value, "conversationId").field == "conversationId"


# -- whole numbers ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("raw", "expected"), [(None, 20), ("", 20), ("1", 1), ("100", 100), ("007", 7), ("0" * 50 + "5", 5)])
def test_a_page_limit_is_ascii_digits_from_1_to_the_page_size(raw, expected):
    assert inputs.page_limit(raw) == expected


@pytest.mark.parametrize("raw", ["³", "٣", "１", "߃", "𝟑", "²⁵", "0", "101", "-1", "+5", " 5", "5 ", "1e3", "0x10", "NaN", "9" * 5000, "1.0"])
def test_anything_else_is_a_400_naming_limit(raw):
    error = refused(inputs.page_limit, raw)
    assert error.field == "limit" and error.message == "limit must be a whole number from 1 to 100"


def test_whole_numbers_take_their_own_bounds_and_default():
    assert inputs.whole_number("365", "interval", minimum=1, maximum=365, default=1) == 365
    assert inputs.whole_number(None, "interval", minimum=1, maximum=365, default=1) == 1
    assert refused(inputs.whole_number, "366", "interval", minimum=1, maximum=365, default=1).field == "interval"


# -- days --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw", ["1900-01-01", "2026-11-23", "2028-02-29", "2999-12-31"])
def test_a_day_is_yyyy_mm_dd_within_the_range(raw):
    assert inputs.day(raw, "entryDate") == dt.date.fromisoformat(raw)


def test_no_day_is_none():
    assert inputs.day(None, "from") is None and inputs.day("", "from") is None


@pytest.mark.parametrize(
    "raw",
    ["0001-01-01", "0001-01-05", "1899-12-31", "3000-01-01", "9999-12-31"],
)
def test_a_day_outside_the_range_is_refused_naming_the_field(raw):
    error = refused(inputs.day, raw, "to")
    assert error.field == "to" and error.message == "to must be a date from 1900-01-01 to 2999-12-31"


@pytest.mark.parametrize(
    "raw",
    [
        "٢٠٢٦-١١-٢٣",
        "２０２６-１１-２３",
        "20261123",
        "2026-W48-1",
        "2026-11-23T00:00:00",
        "2026-11-23\n",
        " 2026-11-23",
        "+2026-11-23",
        "26-11-23",
        20261123,
    ],
)
def test_anything_but_ascii_yyyy_mm_dd_is_refused(raw):
    error = refused(inputs.day, raw, "date")
    assert error.field == "date" and error.message == "date must be a date, YYYY-MM-DD"


@pytest.mark.parametrize("raw", ["2026-02-30", "2026-13-01", "2026-00-10", "0000-01-01", "2027-02-29"])
def test_a_day_that_is_not_on_the_calendar_is_refused(raw):
    error = refused(inputs.day, raw, "dueDate")
    assert error.field == "dueDate" and error.message.startswith("dueDate must be a date of the calendar")


def test_a_day_of_the_range_can_be_moved_a_year_either_way():
    """Why the range stops where it does: arithmetic on any day the API takes stays in the calendar."""
    for end in (inputs.FIRST_DAY, inputs.LAST_DAY):
        assert end - dt.timedelta(days=366) >= dt.date.min and end + dt.timedelta(days=366) <= dt.date.max
