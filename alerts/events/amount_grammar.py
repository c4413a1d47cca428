"""The grammar of amounts of money (:mod:`alerts.events.amounts`) as compiled regular expressions.

Tried at a word start just before an anchor (a digit, a currency sign, a scale word):

    vague   "billions of dollars", "des milliards", "miles de millones de euros",
            "Milliardenbetrag", "einen dreistelligen Millionenbetrag", "multibillion-dollar"
    amount  [at-least] [between] [symbol] NUMBER [scale] [(-|to|à|bis|and|et|und|y) [symbol] NUMBER [scale]]
            [symbol | code | [de|d'] currency word]

NUMBER is digits with any thousand separator and decimal mark (which is which is decided when
the match is read), or a number word before a scale word ("two billion", "deux milliards").
The words live in :mod:`alerts.events.amount_words`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from alerts.events import amount_words as words


def _alternation(phrases: Iterable[str]) -> str:
    """The phrases as one regular expression shaped like a trie ("mil(?:l(?:ones|ón)|...)?"):
    ``re`` tries the branches of a flat alternation one by one, which made the grammar four times
    slower. At each letter the longer phrase is tried first, so "mil millones" wins over "mil"."""
    trie: dict[str, Any] = {}
    for phrase in phrases:
        node = trie
        for char in phrase:
            node = node.setdefault(char, {})
        node[""] = {}
    return _render(trie)


def _render(node: dict[str, Any]) -> str:
    branches = [
        (r"\s+" if char == " " else re.escape(char)) + _render(child) for char, child in node.items() if char
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
    if "" in node:
        return f"(?:{body})?" if len(branches) == 1 else f"{body}?"
    return body


_END = r"(?![^\W\d_])"  # not followed by a letter
_SYMBOL = rf"(?:{_alternation(words.SYMBOLS)}|(?:{'|'.join(words.CODES)})(?=\s?\d))"
_CODE_AFTER = rf"(?:{_alternation(words.SYMBOLS)}|{'|'.join(words.CODES)}){_END}(?!\s?\d)"
_CURRENCY = rf"(?i:{_alternation(words.WORDS)}){_END}"
_SCALE_WORD = rf"(?i:{_alternation([*words.SCALES, *words.BILLION])})(?:(?<=\.)|{_END})"
_SCALE = rf"(?:{_SCALE_WORD}|(?<=\d)[kKmMbBT]{_END}|[Mk](?=\s?[€$£]))"
_DIGITS = (
    r"(?<![\d.,])\d{1,3}(?:[,.'\u00a0\u202f\u2009 ]\d{3})+(?:[.,]\d+)?(?!\d)"
    r"|(?<![\d.,])\d{1,2}(?:,\d\d)+,\d{3}(?!\d)"  # Indian grouping: "Rs 1,00,000 crore"
    r"|(?<![\d.,])\d+(?:[.,]\d+)?"
)
_NUMBER_WORD = rf"(?i:{_alternation(words.NUMBER_WORDS)})(?:\s+|(?<=-))(?={_SCALE_WORD})"
_NUMBER = rf"(?:{_DIGITS}|{_NUMBER_WORD}|(?=(?i:mil\s+millones)))"
_SEP = r"[\s\u00a0\u202f-]?"
_AT_LEAST = words.AT_LEAST.replace(" ", r"\s+")

_VAGUE = rf"""
    (?P<v_en>(?:(?P<v_en_mult>hundreds|tens|dozens)\s+of\s+)?(?P<v_en_scale>billions|millions|trillions)
        \s+of\s+(?P<v_en_cur>{_CURRENCY}))
  | (?P<v_multi>(?:multi-?)?(?P<v_multi_scale>billion|million|trillion)
        -(?P<v_multi_cur>dollar|euro|pound){_END})
  | (?P<v_fr>(?:des|plusieurs|quelques)\s+(?:(?P<v_fr_mult>centaines|dizaines)\s+de\s+)?
        (?P<v_fr_scale>milliards|millions)(?:\s+(?:de\s+|d['’]\s?)(?P<v_fr_cur>{_CURRENCY}))?)
  | (?P<v_es>(?:(?:varios|unos|algunos)\s+)?(?P<v_es_mult>miles|cientos|decenas)\s+de\s+millones
        (?:\s+de\s+(?P<v_es_cur>{_CURRENCY}))?)
  | (?P<v_de>(?:(?:mehrere|einige|viele|etliche)\s+)?(?:(?P<v_de_mult>hunderte|dutzende)\s+)?
        (?P<v_de_scale>milliarden|millionen)[\s-](?P<v_de_cur>(?:us-)?(?:euro|dollar|franken|pfund)){_END})
  | (?P<v_st>(?P<v_st_digits>ein|zwei|drei)stellige[nmr]?\s+(?P<v_st_scale>millionen|milliarden)betrag{_END})
  | (?P<v_comp>(?P<v_comp_scale>milliarden|millionen)
        (?:betrag|beträge|summe|höhe|deal|auftrag|übernahme|investition|investitionen|pakt|geschäft|kredit
        |spritze|paket|zukauf|einstieg|finanzierung|schwer|schwere|schweren|schwerer|schweres){_END})
"""

_AMOUNT = rf"""
    (?:(?P<least>(?i:{_AT_LEAST}))\s*)?
    (?:(?P<between>{"|".join(words.BETWEEN)})\s+)?
    (?:(?P<pre1>{_SYMBOL})\s?)?
    (?P<num1>{_NUMBER})
    (?:{_SEP}(?P<scale1>{_SCALE}))?
    (?:\s?(?P<sep>-|–|—|\bto\b|\bà\b|\bbis\b|\ba\b|\band\b|\bet\b|\bund\b|\by\b)\s?
        (?:(?P<pre2>{_SYMBOL})\s?)?(?P<num2>{_DIGITS})(?:{_SEP}(?P<scale2>{_SCALE}))?)?
    (?:\s?(?P<post>{_CODE_AFTER})
      |[\s-](?P<conn>de\s+|d['’]\s?)?(?P<cur>{_CURRENCY}))?
"""

PATTERN = re.compile(rf"(?<![\w$€£¥])(?:(?i:{_VAGUE})|{_AMOUNT})", re.VERBOSE)
NUMERIC = re.compile(rf"(?<![\w$€£¥])(?:{_AMOUNT})", re.VERBOSE)  # where a digit or a sign comes first
# Cheap test first: most sentences hold no amount at all.
HINT = re.compile(r"[\d$€£¥₹₩]|(?i:mill|bill)")
# Where an amount may be: its number, its sign, or the scale word of a vague one ("des milliards").
ANCHOR = re.compile(r"[\d$€£¥₹₩]+|(?i:mill|bill|trill|stellige)")
WORD_START = re.compile(r"(?<![\w$€£¥])\S")
REACH = 32  # characters before an anchor where its phrase may begin: "plus de", "hundreds of"
SIGNS = frozenset("$€£¥₹₩")
LETTERS = re.compile(r"[^\W\d_]+")
_VAGUE_STARTS = (
    *("hundreds", "tens", "dozens", "billions", "millions", "trillions", "billion", "million", "trillion"),
    *("des", "plusieurs", "quelques", "varios", "unos", "algunos", "miles", "cientos", "decenas", "mil"),
    *("mehrere", "einige", "viele", "etliche", "hunderte", "dutzende"),
)
FIRST_WORDS = frozenset(
    first.group().lower()
    for phrase in (
        *words.AT_LEAST.split("|"),
        *words.BETWEEN,
        *words.NUMBER_WORDS,
        *words.SYMBOLS,
        *words.CODES,
        *_VAGUE_STARTS,
    )
    if (first := LETTERS.match(phrase))
)
COMPOUND_STARTS = ("milliarden", "millionen", "multi")
DEAL_NOUN = re.compile(rf"[\s-]+(?i:{words.MONEY_NOUNS})\b")
PRICE_BEFORE = re.compile(rf"(?i:\b(?:{words.PRICE_PREPOSITIONS}))\s+(?:(?i:{_AT_LEAST})\s+)?$")
CLAUSE_GOES_ON = re.compile(rf"\s*(?:[.,;:!?)]|$|\s(?i:{words.FUNCTION_WORDS})\b)")
PER_SHARE = re.compile(rf"\s+(?i:{words.PER_SHARE})\b")
NOT_MONEY_AFTER = re.compile(rf"\s+(?:de\s+|d['’]\s?)(?!{_CURRENCY})[^\W\d_]")
