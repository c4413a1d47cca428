"""Sentence splitting for news copy in English, French, German and Spanish.

A sentence ends at ``.``, ``!``, ``?`` or ``…`` (with any closing quotes or
brackets) followed by whitespace and a capital, a digit, an opening quote or
``¿``/``¡``; a line break always ends one. Not an end: a full stop after an
abbreviation ("Inc.", "Mrd.", "Sr."), after a single letter ("z. B.",
"S.A.", "J.P. Morgan", "U.S."), or after a one- or two-digit number (German
ordinals: "am 1. Januar"; the price of this: "rose 12. The" is one sentence).

The whole test is one regular expression (the abbreviations are negative
look-behinds), so splitting an article runs in C.
"""

from __future__ import annotations

import re

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


def split(text: str) -> list[str]:
    """The sentences of ``text``, stripped, in order (none for blank text)."""
    parts = _END.split(text)
    parts.append("")
    pieces = map(str.__add__, parts[::2], parts[1::2])
    return [stripped for piece in pieces if (stripped := piece.strip())]
