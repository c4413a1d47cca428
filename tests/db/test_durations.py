"""Durations: the forms config.yaml and --since accept, and the errors for the rest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from db.durations import DurationError, format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30s", timedelta(seconds=30)),
        ("15m", timedelta(minutes=15)),
        ("2h", timedelta(hours=2)),
        ("1d", timedelta(days=1)),
        ("1w", timedelta(weeks=1)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1d 12h", timedelta(days=1, hours=12)),
        ("1.5h", timedelta(hours=1, minutes=30)),
        ("0.5s", timedelta(milliseconds=500)),
        (" 7d ", timedelta(days=7)),
        ("2H", timedelta(hours=2)),
        ("10 min", timedelta(minutes=10)),
        ("3 days", timedelta(days=3)),
        ("0", timedelta(0)),
        ("0s", timedelta(0)),
    ],
)
def test_parse(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "15", "15x", "m", "1h2h", "-5m", "1h-", "five minutes", "1.h", "h1"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(DurationError) as caught:
        parse_duration(text)
    assert f"bad duration {text!r}" in str(caught.value)
    assert "(use 30s, 15m, 2h, 1d)" in str(caught.value)
    assert caught.value.text == text


def test_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=r"^bad duration '15x' \(use 30s, 15m, 2h, 1d\)$"):
        parse_duration("15x")


def test_repeated_unit_says_so() -> None:
    with pytest.raises(DurationError, match="unit 'h' given twice"):
        parse_duration("1h2h")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(0), "0s"),
        (timedelta(seconds=30), "30s"),
        (timedelta(hours=1, minutes=30), "1h30m"),
        (timedelta(days=2), "2d"),
        (timedelta(weeks=1, days=1), "1w1d"),
        (timedelta(milliseconds=500), "0.5s"),
        (-timedelta(minutes=5), "-5m"),
    ],
)
def test_format(value: timedelta, text: str) -> None:
    assert format_duration(value) == text


@given(st.integers(min_value=0, max_value=10**8))
def test_format_reads_back(seconds: int) -> None:
    value = timedelta(seconds=seconds)
    assert parse_duration(format_duration(value)) == value


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(days=2, hours=12, minutes=3, seconds=17), "2d12h"),
        (timedelta(hours=4, minutes=30, seconds=20), "4h30m"),
        (timedelta(minutes=59, seconds=59.6), "1h"),
        (timedelta(seconds=59.96), "1m"),
        (timedelta(seconds=37.34), "37.3s"),
        (timedelta(hours=3), "3h"),
        (timedelta(days=10), "1w3d"),
        (-timedelta(minutes=90, seconds=10), "-1h30m"),
    ],
)
def test_format_in_two_units_for_messages(value: timedelta, text: str) -> None:
    assert format_duration(value, parts=2) == text
