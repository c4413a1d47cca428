"""The amount grammar against phrases written for it (amount_phrases.jsonl), and its helpers."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alerts.events.amounts import (
    Amount,
    AmountFilterError,
    find_amounts,
    format_amount,
    parse_amount_filter,
)
from db.money import RATES_AS_OF, USD_PER_UNIT

PHRASES = [
    json.loads(line)
    for line in (Path(__file__).parent / "amount_phrases.jsonl").read_text("utf-8").splitlines()
    if line.strip()
]


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9)


@pytest.mark.parametrize("phrase", PHRASES, ids=[f"{p['lang']}:{p['text'][:50]}" for p in PHRASES])
def test_phrase(phrase: dict[str, Any]) -> None:
    found = find_amounts(phrase["text"], phrase["lang"])
    expected = [] if phrase["expected"] == "none" else phrase["expected"]
    got = [
        {"value": a.value, "currency": a.currency, "lower_bound": a.lower_bound, "upper": a.upper}
        for a in found
    ]
    assert len(got) == len(expected), got
    for amount, want in zip(got, expected, strict=True):
        assert _close(amount["value"], want["value"]), got
        assert amount["currency"] == want["currency"], got
        assert amount["lower_bound"] == want.get("lower_bound", False), got
        assert _close(amount["upper"], want.get("upper")), got


def test_the_phrase_set_is_large_and_covers_every_language() -> None:
    assert len(PHRASES) >= 150
    assert {p["lang"] for p in PHRASES} == {"en", "fr", "de", "es"}
    assert sum(p["expected"] == "none" for p in PHRASES) >= 30


@pytest.mark.parametrize("phrase", PHRASES[:40], ids=[p["text"][:40] for p in PHRASES[:40]])
def test_offsets_and_text_are_the_phrase_as_written(phrase: dict[str, Any]) -> None:
    for amount in find_amounts(phrase["text"], phrase["lang"]):
        assert phrase["text"][amount.start : amount.end] == amount.text


def test_usd_uses_the_dated_rate_table() -> None:
    (amount,) = find_amounts("Le groupe a levé 10 milliards d'euros.", "fr")
    assert amount.usd == pytest.approx(1e10 * USD_PER_UNIT["EUR"])
    assert RATES_AS_OF.year >= 2025


def test_every_currency_the_grammar_names_has_a_rate() -> None:
    from alerts.events import amount_words

    named = {
        *amount_words.SYMBOLS.values(),
        *amount_words.CODES,
        *(c for c, _ in amount_words.WORDS.values()),
    }
    assert named <= set(USD_PER_UNIT)


def test_language_decides_what_an_ambiguous_number_means() -> None:
    assert find_amounts("It paid $1.500 billion.", "en")[0].value == 1.5e9
    assert find_amounts("Pagó 1.500 millones de dólares.", "es")[0].value == 1.5e9
    # Without a language, the match's own words decide: "millones" is Spanish.
    assert find_amounts("Pagó 1.500 millones de dólares.")[0].value == 1.5e9
    assert find_amounts("Der Konzern ist eine Billion Dollar wert.", "de")[0].value == 1e12
    assert find_amounts("The group is worth a billion dollars.", "en")[0].value == 1e9


def test_language_tags_with_a_region_or_in_capitals_count() -> None:
    for language in ("de", "de-CH", "DE"):
        assert find_amounts("Der Konzern ist eine Billion Dollar wert.", language)[0].value == 1e12
    assert find_amounts("Der Konzern ist eine Billion Dollar wert.", "it")[0].value == 1e12


def test_a_range_needs_a_second_amount_not_a_year() -> None:
    (amount,) = find_amounts("The fund will invest $5bn to 2030.", "en")
    assert (amount.value, amount.upper, amount.text) == (5e9, None, "$5bn")


def test_a_vague_word_followed_by_something_else_than_money_is_no_amount() -> None:
    assert find_amounts("Des milliards d'étoiles brillent.", "fr") == []


@pytest.mark.parametrize(
    ("text", "language", "shown"),
    [
        ("10 milliards de dollars", "fr", "$10B (10 milliards de dollars)"),
        ("$450 million", "en", "$450M"),
        ("des milliards de dollars", "fr", "≥ $1B (des milliards de dollars)"),
        ("more than $1bn", "en", "≥ $1B"),
        ("$1bn-$2bn", "en", "$1B–$2B"),
        ("10 Milliarden Euro", "de", "$11.7B (10 Milliarden Euro)"),
        ("£300m", "en", "$411M (£300m)"),
        ("$999.9 million", "en", "$1B"),
        ("$5k", "en", "$5K"),
    ],
)
def test_format_amount(text: str, language: str, shown: str) -> None:
    (amount,) = find_amounts(text, language)
    assert format_amount(amount) == shown


def test_format_amount_of_a_vague_amount_rounds_down() -> None:
    vague = Amount(1e9, "EUR", 1.172e9, "des milliards", 0, 13, lower_bound=True)
    assert format_amount(vague) == "≥ $1B (des milliards)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1B", (1e9, "USD")),
        ("500M:EUR", (5e8, "EUR")),
        ("250k", (2.5e5, "USD")),
        ("1.5b:gbp", (1.5e9, "GBP")),
        ("1000000", (1e6, "USD")),
    ],
)
def test_parse_amount_filter(text: str, expected: tuple[float, str]) -> None:
    assert parse_amount_filter(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1X", "expected a number with an optional k, M or B suffix"),
        ("", "expected a number"),
        ("B1", "expected a number"),
        ("5M:XYZ", "no exchange rate for XYZ"),
        ("5M:EURO", "expected a number"),
    ],
)
def test_parse_amount_filter_refuses_bad_input_naming_it(text: str, message: str) -> None:
    with pytest.raises(AmountFilterError, match=message) as caught:
        parse_amount_filter(text)
    assert repr(text) in str(caught.value)


# Where natura (an English money finder) and this grammar disagree, natura is wrong: it reads
# "¥" as yuan and "C$" as córdobas, drops suffixes ("$4T", "€1,5 Md", "120 Mio."), doubles
# "half a billion", reads "$1-2 billion" as minus two billion, and knows no long-scale "Billion".
NATURA_WRONG = {
    "Toshiba was bought for ¥2 trillion.",
    "Sony will spend ¥50 billion on the plant.",
    "Shopify invested C$2.5 billion in the venture.",
    "Nvidia is worth $4T, analysts say.",
    "It is valued at half a billion dollars.",
    "The unit could sell for $1-2 billion.",
    "The stake is valued between €5 and 7 billion.",
    "Le montant atteint €1,5 Md selon le communiqué.",
    "Die Firma erhält 120 Mio. Euro.",
    "Die Bank zahlt CHF 200 Mio. für die Sparte.",
    "Der Konzern ist eine Billion Dollar wert.",
}


def test_cross_check_with_natura_where_it_parses() -> None:
    from natura import Finder

    finder = Finder()
    agreed = []
    for phrase in PHRASES:
        theirs = finder.findall(phrase["text"])
        ours = find_amounts(phrase["text"], phrase["lang"])
        if len(theirs) != 1 or len(ours) != 1 or phrase["text"] in NATURA_WRONG:
            continue
        assert _close(theirs[0].value, ours[0].value), phrase["text"]
        assert str(theirs[0].currency) == ours[0].currency, phrase["text"]
        agreed.append(phrase["text"])
    assert len(agreed) >= 40


_PIECES = [
    *"0123456789 ,.'-$€£¥kmMbB%()ä\u202f",
    *("milliards", "de", "d'euros", "dollars", "Mrd.", "US-", "between", "and", "more than", "bn", "mil"),
    *("millones", "des", "Milliardenbetrag", "to", "US$", "C$", "half a", "billion", "Billion", "2030"),
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))
def test_any_text_gives_ordered_amounts_whose_offsets_are_their_text(text: str) -> None:
    for language in (None, "en", "fr", "de", "es"):
        found = find_amounts(text, language)
        for amount in found:
            assert text[amount.start : amount.end] == amount.text
            assert 0 < amount.value < math.inf and 0 < amount.usd < math.inf
            assert amount.upper is None or amount.upper > amount.value
        assert all(a.end <= b.start for a, b in itertools.pairwise(found))
