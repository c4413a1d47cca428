"""Sentence splitting for news copy in English, French, German and Spanish.

A sentence ends at ``.``, ``!``, ``?`` or ``…`` (with any closing quotes or
brackets) followed by whitespace and a capital, a digit, an opening quote or
``¿``/``¡``; a line break always ends one. Not an end: a full stop after an
abbreviation ("Inc.", "Mrd.", "Sr."), after a single letter ("z. B.",
"S.A.", "J.P. Morgan", "U.S."), or after a one- or two-digit number (German
ordinals: "am 1. Januar"; the price of this: "rose 12. The" is one sentence).

Detection reads a sentence's phrases against each other, so a run of text
with no sentence end (a hostile page, a list without stops) is cut into
pieces of at most ``MAX_SENTENCE`` characters, each after the last space or
ASCII character that is no letter or digit within that length. Folding never
joins a word across one, so no word is cut and the pieces hold the text's
words: a run with neither (no prose) goes on to the next one.

The whole test is one regular expression (the abbreviations are negative
look-behinds), so splitting an article runs in C.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_ABBREVIATIONS_TEXT = """
    inc corp co ltd mr mrs ms dr prof st jr sr vs no nos jan feb mar apr aug sept sep oct nov dec
    approx est gov sen rep gen lt col mt ft av ave cie ste sté mme mlle mm env etc mrd mio tsd
    nr bzw ca ggf inkl usw vgl str abs bd jh mill sra srta dña dra cía núm aprox ee uu ud uds
"""
ABBREVIATIONS = tuple(_ABBREVIATIONS_TEXT.split())

# One character class first (the regex engine then skips ahead to the next
# candidate in C); the abbreviation test is look-behinds that include the
# full stop, so they run only at full stops.
# A look-behind needs one width: one per length of abbreviation, its words as alternatives.
_NOT_AFTER = "".join(
    rf"(?<!\b(?:{'|'.join(re.escape(word) for word in ABBREVIATIONS if len(word) == length)})\.)"
    for length in sorted({len(word) for word in ABBREVIATIONS})
)
_CLOSE = r"[.!?…]*[\"'»”’)\]]*(?=\s+[\"'«“‘(\[¿¡]?[A-ZÀ-ÖØ-Þ0-9])"
# The whole end is one group: re.split then hands back text and ends alternately, in C.
_END = re.compile(
    r"([.!?…\n](?:(?<=\n)\n*"
    rf"|(?<=[!?…]){_CLOSE}"
    rf"|(?<=\.)(?i:(?<!\b[^\W\d_]\.)(?<!\b\d\.)(?<!\b\d\d\.){_NOT_AFTER}){_CLOSE}))"
)


# Real sentences are under 600 characters: these many keep every one whole.
MAX_SENTENCE = 2000
# Where a piece may end: after a space or an ASCII character that is no letter or digit.
_BREAK = r"(?:[\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]|\s)"
_LAST_BREAK = re.compile(rf"(?s).*{_BREAK}")
_NEXT_BREAK = re.compile(_BREAK)


def split(text: str) -> list[str]:
    """The sentences of ``text``, stripped, in order (none for blank text)."""
    parts = _END.split(text)
    parts.append("")
    pieces = map(str.__add__, parts[::2], parts[1::2])
    found = [stripped for piece in pieces if (stripped := piece.strip())]
    if max(map(len, found), default=0) > MAX_SENTENCE:
        return [piece for sentence in found for piece in bounded(sentence)]
    return found


def bounded(sentence: str) -> Iterator[str]:
    """``sentence`` (a headline, or one of :func:`split`) in pieces of at most ``MAX_SENTENCE``
    characters but for runs with no break, stripped: the sentence alone when it is short enough,
    nothing when it is blank."""
    while len(sentence) > MAX_SENTENCE:
        match = _LAST_BREAK.match(sentence, 0, MAX_SENTENCE) or _NEXT_BREAK.search(sentence, MAX_SENTENCE)
        end = match.end() if match else len(sentence)
        if piece := sentence[:end].strip():
            yield piece
        sentence = sentence[end:]
    if piece := sentence.strip():
        yield piece
