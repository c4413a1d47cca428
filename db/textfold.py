"""Unicode folding and word splitting shared by search and the rule engine.

Both sides of every comparison — the query and the article — go through the
same two steps, so "Comète", "COMETE" and "comete" are one word, and so are
"Straße"/"strasse" and "Œuvre"/"oeuvre":

``fold(text)``
    apostrophe variants (’ ʼ ‘ ´ …) become ``'``; compatibility decomposition
    (NFKD: ligatures such as "ﬁ", full-width letters, superscripts); case
    folding (``ß`` → ``ss``); diacritics removed; the letters NFKD leaves
    whole (œ æ ø ł đ ð þ ı) spelt out in ASCII.

``tokens(text)``
    the folded text split into words. A word is a maximal run of Unicode
    letters and digits; everything else separates words — spaces,
    punctuation, apostrophes, hyphens, dots and underscores. So "d’OpenAI"
    is the two words ``d openai`` (a rule for ``openai`` finds it), "GPT-4"
    is ``gpt 4`` and "A.I." is ``a i``: a query term with the same
    punctuation is matched as the same words in sequence. This is also
    what SQLite's ``unicode61`` tokenizer does, so search and rules agree
    (the letters it keeps whole, such as ß and œ, reach its index spelt out:
    ``db.fts.FOLDED_LETTERS``).

Word boundaries are Unicode-aware: "ÉNERGIE" at the start of a sentence is
the word ``energie``, and ``energie`` is not a word of "xénergie".

Everything here runs in C (``unicodedata.normalize``, ``str.casefold``,
compiled regexes, ``str.replace``): folding is on the hot path of matching
every article against every rule.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

# The letters NFKD does not decompose and users expect spelt out, plus the
# apostrophe look-alikes. "´" must be replaced before NFKD, which would turn
# it into a space and a combining accent.
_SPELLED: tuple[tuple[str, str], ...] = (
    ("’", "'"),
    ("ʼ", "'"),
    ("‘", "'"),
    ("´", "'"),
    ("‛", "'"),
    ("œ", "oe"),
    ("Œ", "OE"),
    ("æ", "ae"),
    ("Æ", "AE"),
    ("ø", "o"),
    ("Ø", "O"),
    ("ł", "l"),
    ("Ł", "L"),
    ("đ", "d"),
    ("Đ", "D"),
    ("ð", "d"),
    ("Ð", "D"),
    ("þ", "th"),
    ("Þ", "TH"),
    ("ı", "i"),
)
_SPELLED_RE = re.compile("[" + "".join(ch for ch, _ in _SPELLED) + "]")

# Combining diacritics of the Latin, Greek and Cyrillic scripts — the marks
# accents decompose into. Marks of other scripts (Devanagari vowel signs,
# Arabic harakat) are part of their words and stay; SQLite's
# remove_diacritics and PostgreSQL's unaccent draw the line in the same place.
# Invisible characters that web pages put inside words (soft hyphen,
# zero-width space and joiners, BOM) go too, or they would split the word.
_MARKS_RE = re.compile(
    "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u00ad\u200b-\u200d\u2060\ufeff]+"
)

WORD_RE = re.compile(r"[^\W_]+")
"""A word of folded text: a run of Unicode letters and digits."""


def fold(text: str) -> str:
    """Return ``text`` case-folded, without diacritics, apostrophes unified.

    The result keeps every separator, so offsets of words differ from the
    input only where a character expanded (``ß`` → ``ss``) or vanished.
    """
    if text.isascii():
        return text.lower()
    if _SPELLED_RE.search(text):
        for char, spelled in _SPELLED:
            if char in text:
                text = text.replace(char, spelled)
    folded = unicodedata.normalize("NFKD", text).casefold()
    return _MARKS_RE.sub("", folded)


def fold_with_origin(text: str) -> tuple[str, list[int]]:
    """``fold(text)``, and for each folded character the index in ``text`` of the character it came from.

    What a highlighter needs to mark, in the original text, the words the rules found in the folded one.
    """
    if text.isascii():
        return text.lower(), list(range(len(text)))
    parts: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        # Folding works character by character (a mark only ever joins its own letter).
        folded = fold(char)
        parts.append(folded)
        origin.extend([index] * len(folded))
    return "".join(parts), origin


def tokens(text: str) -> list[str]:
    """The folded words of ``text``, in order."""
    return WORD_RE.findall(fold(text))


def token_spans(text: str) -> Iterator[tuple[str, int, int]]:
    """Each folded word of ``text`` with its ``start, end`` in ``fold(text)``."""
    for match in WORD_RE.finditer(fold(text)):
        yield match.group(), match.start(), match.end()


def word_string(text: str) -> str:
    """The folded words of ``text`` joined by single spaces, with a space at each end.

    ``" microsoft investit des milliards "``: a word ``w`` occurs exactly where
    ``" w "`` does, and a phrase where ``" w1 w2 "`` does — the form the rule
    engine scans with one Aho-Corasick automaton. Equal to
    ``" " + " ".join(tokens(text)) + " "`` (a lone space when there is no word).
    """
    try:
        raw = text.encode("cp1252")
    except UnicodeEncodeError:
        pass
    else:
        # English, French, German and Spanish prose nearly always fits in
        # Windows-1252: one byte-to-byte table then folds and separates in a
        # single C pass, several times faster than NFKD plus regexes.
        mapped = raw.translate(_CP1252_TABLE, _CP1252_DELETED)
        if b"\0" not in mapped:
            for placeholder, spelled in _CP1252_SPELLED:
                if placeholder in mapped:
                    mapped = mapped.replace(placeholder, spelled)
            words = mapped.split()
            return (b" " + b" ".join(words) + b" ").decode("ascii") if words else " "
    words_ = WORD_RE.findall(fold(text))
    return " " + " ".join(words_) + " " if words_ else " "


def _cp1252_table() -> tuple[bytes, bytes, tuple[tuple[bytes, bytes], ...]]:
    """Derive the Windows-1252 shortcut of ``word_string`` from ``fold`` and ``WORD_RE``.

    Each byte maps to the one ASCII letter or digit its character folds to,
    or to a space when it folds to no word character; the soft hyphen, which
    folds to nothing, is deleted. A character folding
    to several letters (ß, œ, ™) maps to a placeholder control byte replaced
    afterwards; one folding to anything else (ƒ, ¼, µ) maps to NUL, which
    sends the text down the general path. Folding is per character (NFKD and
    casefold have no context rules), so the table is exact.
    """
    table = bytearray(b" " * 256)
    deleted = bytearray()
    spelled: list[tuple[bytes, bytes]] = []
    # Control bytes that bytes.split() does not treat as whitespace.
    free = [b for b in range(1, 32) if not bytes([b]).isspace()]
    for byte in range(256):
        try:
            char = bytes([byte]).decode("cp1252")
        except UnicodeDecodeError:
            continue  # never produced by encode("cp1252")
        if not fold(char):
            deleted.append(byte)
            continue
        words = WORD_RE.findall(fold(char))
        if not words:
            continue
        word = words[0]
        if len(words) > 1 or not word.isascii():
            table[byte] = 0
        elif len(word) == 1:
            table[byte] = ord(word)
        else:
            placeholder = free.pop(0)
            table[byte] = placeholder
            spelled.append((bytes([placeholder]), word.encode("ascii")))
    return bytes(table), bytes(deleted), tuple(spelled)


_CP1252_TABLE, _CP1252_DELETED, _CP1252_SPELLED = _cp1252_table()
