"""A schema's ``pattern`` means what ECMA-262 says (JSON Schema's regular expressions): ``\\d`` is 0-9, not
every script's digits as in Python's ``re``."""

from __future__ import annotations

import pytest

from zik import schemas


@pytest.mark.parametrize(
    ("pattern", "python"),
    [
        (r"^\d{4}-\d{2}-\d{2}$", r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
        (r"^([01]\d|2[0-3]):[0-5]\d$", r"^([01][0-9]|2[0-3]):[0-5][0-9]$"),
        (r"[\d-]", r"[0-9-]"),
        (r"\w+\W\D", r"[A-Za-z0-9_]+[^A-Za-z0-9_][^0-9]"),
        (r"\S", r"\S"),
        (r"\\d", r"\\d"),  # an escaped backslash, then a d
        (r"[\]\d]", r"[\]0-9]"),
        (r"^[A-Za-z0-9_.-]+$", r"^[A-Za-z0-9_.-]+$"),
    ],
)
def test_ecma_classes_become_ascii_ranges(pattern, python):
    assert schemas.ecma_pattern(pattern) == python


@pytest.mark.parametrize("due", ["٢٠٢٦-١١-٢٣", "２０２６-１１-２３", "2026-11-2³"])
def test_a_date_in_other_digits_breaks_the_request_schema(due):
    with pytest.raises(schemas.SchemaViolation) as error:
        schemas.validate("requests", "task_create", {"title": "Stretch", "dueDate": due})
    assert error.value.field == "dueDate"


def test_a_reminder_time_in_other_digits_is_refused_and_one_in_ascii_passes():
    with pytest.raises(schemas.SchemaViolation) as error:
        schemas.validate("requests", "settings_update", {"reminderTime": "٠٩:٣٠"})
    assert error.value.field == "reminderTime"
    assert schemas.validate("requests", "settings_update", {"reminderTime": "09:30"}) == {"reminderTime": "09:30"}


def test_validators_of_schemas_held_elsewhere_read_patterns_the_same_way():
    check = schemas.validator({"type": "object", "patternProperties": {r"^\d+$": {"type": "integer"}}, "additionalProperties": False})
    assert check({"12": 1}) == {"12": 1}
    with pytest.raises(schemas.SchemaViolation):
        check({"١٢": 1})
