"""zik.config: a missing or bad setting fails at init with a message naming the variable."""

from __future__ import annotations

import pytest

from zik import config
from zik.config import ConfigError


@pytest.fixture(autouse=True)
def _clean(monkeypatch):
    for name in ("ZIK_A", "ZIK_B", "ZIK_C", "ZIK_N", "ZIK_LIST"):
        monkeypatch.delenv(name, raising=False)


def test_require_returns_the_values(monkeypatch):
    monkeypatch.setenv("ZIK_A", "a")
    monkeypatch.setenv("ZIK_B", "b")
    assert config.require("ZIK_A", "ZIK_B") == {"ZIK_A": "a", "ZIK_B": "b"}


def test_require_names_every_missing_or_empty_variable(monkeypatch):
    monkeypatch.setenv("ZIK_A", "a")
    monkeypatch.setenv("ZIK_B", "")
    with pytest.raises(ConfigError) as caught:
        config.require("ZIK_A", "ZIK_B", "ZIK_C")
    message = str(caught.value)
    assert "ZIK_B" in message and "ZIK_C" in message
    assert "ZIK_A" not in message


def test_optional_falls_back_on_missing_or_empty(monkeypatch):
    assert config.optional("ZIK_A", "dflt") == "dflt"
    monkeypatch.setenv("ZIK_A", "")
    assert config.optional("ZIK_A", "dflt") == "dflt"
    monkeypatch.setenv("ZIK_A", "set")
    assert config.optional("ZIK_A", "dflt") == "set"


def test_integer_parses_and_defaults(monkeypatch):
    assert config.integer("ZIK_N", 7) == 7
    monkeypatch.setenv("ZIK_N", "42")
    assert config.integer("ZIK_N", 7, minimum=1, maximum=100) == 42


def test_integer_that_is_not_a_number_names_the_variable(monkeypatch):
    monkeypatch.setenv("ZIK_N", "ten")
    with pytest.raises(ConfigError, match=r"ZIK_N must be an integer, got 'ten'"):
        config.integer("ZIK_N", 7)


@pytest.mark.parametrize("raw", ["0", "101"])
def test_integer_out_of_range_names_the_variable_and_bounds(monkeypatch, raw):
    monkeypatch.setenv("ZIK_N", raw)
    with pytest.raises(ConfigError) as caught:
        config.integer("ZIK_N", 7, minimum=1, maximum=100)
    assert f"ZIK_N={raw}" in str(caught.value)
    assert "[1, 100]" in str(caught.value)


def test_csv_splits_and_trims(monkeypatch):
    assert config.csv("ZIK_LIST") == []
    assert config.csv("ZIK_LIST", "a, b") == ["a", "b"]
    monkeypatch.setenv("ZIK_LIST", " x ,, y ,")
    assert config.csv("ZIK_LIST") == ["x", "y"]
