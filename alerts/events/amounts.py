"""Amounts of money in English, French, German and Spanish news, normalised to US dollars.

:func:`find_amounts` looks for anchors (a digit, a currency sign, a scale word such as
"milliards") and tries the grammar (:mod:`alerts.events.amount_grammar`) at the few word starts
just before each, then reads the match:

- which convention it follows, by its own words first (a scale word, "de/d'" before the
  currency, German "US-Dollar"), else by the language given: thousand separators (1,000.5 /
  1.000,5 / 1 000,5) and "Billion"/"billón", which is 10^12 outside English;
- a range only when its second number carries a scale or a symbol ("$5bn to 2030" is none);
- a currency from a symbol, a code or a word; without one, a number with a scale word is money
  in the local currency only before a deal noun ("a 1.2bn takeover") or after a price
  preposition when nothing counted follows ("por 1.400 millones."); "$57 a share" is a price,
  not an amount;
- vague phrases ("des milliards", "billions of dollars") and "more than …" are lower bounds.

USD from the dated table of :mod:`db.money`. Pure functions, no I/O.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from alerts.errors import AlertsError
from alerts.events import amount_grammar as grammar
from alerts.events import amount_words as words

# The value and its display live apart, without the grammar; named here too, where amounts are found.
from alerts.events.amount_value import Amount as Amount
from alerts.events.amount_value import format_amount as format_amount
from db.money import USD_PER_UNIT


class AmountFilterError(AlertsError, ValueError):
    """An ``amount>=`` filter of a query that is not a number with a k/M/B suffix and a known currency."""


def find_amounts(text: str, language: str | None = None) -> list[Amount]:
    """Every amount of money stated in ``text``, in order; ``language`` is an ISO 639-1 hint."""
    if not grammar.HINT.search(text):
        return []
    lang = (language or "")[:2].lower() or None  # "fr", "fr-CA" and "FR" alike
    lang = lang if lang in words.DEFAULT_CURRENCY else None
    found = []
    position = 0
    for anchor in grammar.ANCHOR.finditer(text):
        if anchor.start() >= position:
            amount, position = _at(anchor.start(), text, lang, position)
            if amount is not None:
                found.append(amount)
    return found


def _at(anchor: int, text: str, lang: str | None, position: int) -> tuple[Amount | None, int]:
    """The amount around a digit, a currency sign or a scale word, and where to look on.

    The grammar is tried only at the few word starts just before an anchor where an amount's
    phrase may begin ("more than", "between", "US$", "hundreds of", "two"): trying it at every
    character of every sentence cost four times as much.
    """
    for start in _word_starts(text, max(position, anchor - grammar.REACH), anchor):
        first = text[start]
        if first.isdigit() or first in grammar.SIGNS:
            match = grammar.NUMERIC.match(text, start)
        elif _may_begin(text, start):
            match = grammar.PATTERN.match(text, start)
        else:
            continue
        if match is None or match.end() <= anchor:
            continue
        if match.group("num1") is None:
            return _vague(match, text, lang), match.end()
        amount, end = _amount(match, text, lang)
        return amount, max(end, anchor + 1)
    return None, anchor + 1


def _may_begin(text: str, start: int) -> bool:
    """Whether the word at ``start`` is one an amount's phrase can begin with (a cheap test first)."""
    word = grammar.LETTERS.match(text, start)
    if word is None:
        return False
    key = word.group().lower()
    return key in grammar.FIRST_WORDS or key.startswith(grammar.COMPOUND_STARTS) or "stellig" in key


def _word_starts(text: str, low: int, anchor: int) -> list[int]:
    starts = [m.start() for m in grammar.WORD_START.finditer(text, low, anchor)]
    return [*starts, anchor] if not starts or starts[-1] != anchor else starts


def parse_amount_filter(text: str) -> tuple[float, str]:
    """``amount>=`` of the query language: "1B" -> (1e9, "USD"), "500M:EUR" -> (5e8, "EUR")."""
    match = _FILTER.fullmatch(text)
    if match is None:
        raise AmountFilterError(
            f"amount filter {text!r}: expected a number with an optional k, M or B suffix "
            "and an optional :CURRENCY, e.g. 1B or 500M:EUR"
        )
    number, suffix, currency = match.groups()
    currency = (currency or "USD").upper()
    if currency not in USD_PER_UNIT:
        raise AmountFilterError(
            f"amount filter {text!r}: no exchange rate for {currency}; "
            f"known: {', '.join(sorted(USD_PER_UNIT))}"
        )
    return float(number) * _FILTER_SUFFIX[suffix.lower()], currency


_FILTER = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kKmMbB]?)\s*(?::\s*([A-Za-z]{3}))?\s*")
_FILTER_SUFFIX = {"": 1.0, "k": 1e3, "m": 1e6, "b": 1e9}


# -- one match to one Amount ------------------------------------------------------------------------


def _amount(match: re.Match[str], text: str, lang: str | None) -> tuple[Amount | None, int]:
    """The amount of a match, and where to scan on: after it, or after its first number when what
    followed was no range ("$1 billion in 2019 and $10 billion" holds two amounts)."""
    g = match.group
    family = _family(match, lang)
    first = _number(g("num1"), family) * _scale(g("scale1") or g("scale2"), match, lang)
    upper = _range_upper(match, family, lang, first)
    end = match.end()
    if upper is None and g("num2") is not None:
        end = match.end("scale1") if g("scale1") else match.end("num1")
    currency = _currency_of(g("pre1"))
    if upper is not None or g("num2") is None:
        currency = currency or _currency_of(g("pre2")) or _currency_of(g("post"))
        if currency is None and g("cur"):
            currency = words.WORDS[_key(g("cur"))][0]
            if currency == "KRW" and not g("scale1") and not g("scale2"):
                return None, end  # "the 5 won": a verb, not the currency
    if not 0 < first < math.inf or grammar.PER_SHARE.match(text, end):
        return None, end  # "$0" is nothing paid, 400 nines no amount; "$57 a share" a price, not the deal's
    if currency is None:
        currency = _bare_money(match, text, end, lang)
        if currency is None:
            return None, max(end, match.start() + 1)
    start = match.start()
    if not g("least") and (upper is None or not g("between")):
        start = match.start("pre1") if g("pre1") else match.start("num1")
    amount = Amount(
        value=first,
        currency=currency,
        usd=first * USD_PER_UNIT[currency],
        text=text[start:end],
        start=start,
        end=end,
        lower_bound=bool(g("least")),
        upper=upper,
    )
    return amount, end


def _range_upper(match: re.Match[str], family: str, lang: str | None, first: float) -> float | None:
    """The upper end of "$1bn-$2bn", "between €5 and 7 billion", "2 bis 3 Milliarden"; None if not a range."""
    g = match.group
    if g("num2") is None or not (g("scale2") or g("pre2")):
        return None  # "$5bn to 2030" is no range
    if g("sep").lower() in ("and", "et", "und", "y") and not g("between"):
        return None
    upper = _number(g("num2"), family) * _scale(g("scale2") or g("scale1"), match, lang)
    return upper if first < upper < math.inf else None


def _bare_money(match: re.Match[str], text: str, end: int, lang: str | None) -> str | None:
    """A number with a scale but no currency is money in the local currency when a deal noun follows
    ("a 1.2bn takeover", "un rachat de 2 milliards"), or when a price preposition comes before and the
    clause goes on without naming what is counted ("compra autopistas por 1.400 millones")."""
    scale = match.group("scale2") or match.group("scale1")
    if scale is None or len(scale) < 2 or grammar.NOT_MONEY_AFTER.match(text, end):
        return None
    start = match.start("pre1") if match.group("pre1") else match.start("num1")
    priced = grammar.PRICE_BEFORE.search(text, max(0, start - 16), start) and grammar.CLAUSE_GOES_ON.match(
        text, end
    )
    if priced or grammar.DEAL_NOUN.match(text, end):
        return words.DEFAULT_CURRENCY.get(lang or "", "EUR" if _family(match, lang) == "eu" else "USD")
    return None


def _vague(match: re.Match[str], text: str, lang: str | None) -> Amount | None:
    g = match.group
    scale = {"billions": 1e9, "millions": 1e6, "trillions": 1e12, "milliards": 1e9, "milliarden": 1e9}
    scale |= {"billion": 1e9, "million": 1e6, "trillion": 1e12, "millionen": 1e6}
    mult = {"hundreds": 100, "tens": 10, "dozens": 10, "centaines": 100, "dizaines": 10, "hunderte": 100}
    mult |= {"dutzende": 10, "": 1}
    currency_word = None
    family = "eu"
    if g("v_en"):
        value = mult[_low(g("v_en_mult"))] * scale[_key(g("v_en_scale"))]
        currency_word, family = g("v_en_cur"), "en"
    elif g("v_multi"):
        value = scale[_key(g("v_multi_scale"))]
        currency_word, family = g("v_multi_cur"), "en"
    elif g("v_fr"):
        value = mult[_low(g("v_fr_mult"))] * scale[_key(g("v_fr_scale"))]
        currency_word = g("v_fr_cur")
    elif g("v_es"):
        value = {"miles": 1e9, "cientos": 1e8, "decenas": 1e7}[_key(g("v_es_mult"))]
        currency_word = g("v_es_cur")
    elif g("v_de"):
        value = mult[_low(g("v_de_mult"))] * scale[_key(g("v_de_scale"))]
        currency_word = g("v_de_cur")
    elif g("v_st"):
        digits = {"ein": 1, "zwei": 10, "drei": 100}[_key(g("v_st_digits"))]
        value = digits * scale[_key(g("v_st_scale"))]
    else:
        value = scale[_key(g("v_comp_scale"))]
    if currency_word is None and grammar.NOT_MONEY_AFTER.match(text, match.end()):
        return None  # "des milliards de cellules"
    currency = _word_currency(currency_word) if currency_word else _default_currency(lang, family)
    return Amount(
        value=value,
        currency=currency,
        usd=value * USD_PER_UNIT[currency],
        text=match.group(0),
        start=match.start(),
        end=match.end(),
        lower_bound=True,
    )


# -- the parts ----------------------------------------------------------------------------------------


def _family(match: re.Match[str], lang: str | None) -> str:
    """Whose separators and which billion: "en", or "eu" (French, German, Spanish). Own words first."""
    for scale in (match.group("scale1"), match.group("scale2")):
        if scale and len(scale) > 1:
            family = words.SCALES.get(_key(scale), (0.0, ""))[1]
            if family:
                return family
    if match.group("conn"):
        return "eu"
    if match.group("cur"):
        family = words.WORDS[_key(match.group("cur"))][1]
        if family:
            return family
    return "eu" if lang in ("fr", "de", "es") else "en"


def _scale(token: str | None, match: re.Match[str], lang: str | None) -> float:
    if token is None:
        return 1.0
    if token in words.LETTER_SCALES:
        return words.LETTER_SCALES[token]
    key = _key(token)
    if key in words.BILLION:
        return 1e12 if _long_billion(token, match, lang) else 1e9
    return words.SCALES[key][0]


def _long_billion(token: str, match: re.Match[str], lang: str | None) -> bool:
    """French "10 billions d'euros" and German "eine Billion Euro" are 10^12; English "$10 billion" is not."""
    if match.group("conn"):
        return True
    written_after_symbol = match.group("pre1") is not None and token.islower()
    if lang in ("fr", "de", "es"):
        return not written_after_symbol
    cur = match.group("cur") or ""
    return lang is None and token[0] == "B" and cur[:1].isupper() and cur.lower() in _GERMAN_CURRENCY


_GERMAN_CURRENCY = {"dollar", "us-dollar", "euro", "franken", "pfund"}


def _number(raw: str, family: str) -> float:
    """Digits with thousand separators and a decimal mark as the writer's language puts them."""
    key = _key(raw)
    if not key:
        return 1.0  # "mil millones": the scale alone
    if key in words.NUMBER_WORDS:
        return words.NUMBER_WORDS[key]
    digits = re.sub(r"[\s\u00a0\u202f\u2009']", "", raw)
    if "," in digits and "." in digits:
        mark = max(digits.rfind(","), digits.rfind("."))
        return float(re.sub(r"[,.]", "", digits[:mark]) + "." + digits[mark + 1 :])
    for sep in ",.":
        if sep in digits:
            parts = digits.split(sep)
            thousands = len(parts) > 2 or (len(parts[1]) == 3 and (family == "en") == (sep == ","))
            return float("".join(parts)) if thousands else float(".".join(parts))
    return float(digits)


def _currency_of(symbol: str | None) -> str | None:
    if symbol is None:
        return None
    symbol = symbol.strip()
    return words.SYMBOLS.get(symbol) or (symbol if symbol in USD_PER_UNIT else None)


def _word_currency(word: str) -> str:
    key = _key(word)
    if key in words.WORDS:
        return words.WORDS[key][0]
    return {"dollar": "USD", "us-dollar": "USD", "euro": "EUR", "pound": "GBP", "pfund": "GBP"}.get(
        key, "CHF"
    )


def _default_currency(lang: str | None, family: str) -> str:
    if lang is not None:
        return words.DEFAULT_CURRENCY[lang]
    return "USD" if family == "en" else "EUR"


@lru_cache(maxsize=512)
def _key(text: str) -> str:
    return " ".join(text.lower().split())


def _low(text: str | None) -> str:
    return "" if text is None else _key(text)
