"""Names in a title and its lead: a weak fingerprint that needs no list of organisations.

Event detection finds the organisations it knows and those that look like
one; a story from another industry names others ("Kellanova", "ITA
Airways"), which one outlet's text lets it find and another's does not. Every
capitalised word of the title and lead is kept instead, folded ("Bolloré"
and "BOLLORE" are one name): the names outlets share whatever their
language. Function words, months and days (``alerts.events.orgs.NOT_NAMES``)
and the words of amounts ("Milliarden", "Dollar": ``alerts.events.amount_words``)
are not names; German capitalises every noun, so its texts also give common
words ("Milliarden"): a shared name is weak evidence, which only finds
candidate stories and lets the embedding decide, at a stricter bar, where the
detected organisations differ.
"""

from __future__ import annotations

import re

from alerts.events.amount_words import SCALES, WORDS
from alerts.events.orgs import NOT_NAMES
from db.textfold import fold

# At most this many names an article (the first): each is a key its story is stored under.
MAX_NAMES = 16
# A word, and the letters after an apostrophe ("SoftBank's", "l'Oréal") apart.
_WORD = re.compile(r"[^\W_]+")
# Pronouns and auxiliaries that open sentences, which NOT_NAMES (made for names inside sentences)
# does not hold.
_OPENERS_TEXT = "i it we they he she you il elle ils elles on nous es er sie wir ich yo"
_NOT_NAMES = NOT_NAMES | frozenset(
    [*_OPENERS_TEXT.split(), *(fold(word) for phrase in [*WORDS, *SCALES] for word in phrase.split())]
)


def names(title: str, lead: str) -> tuple[str, ...]:
    """The folded capitalised words of ``title`` and ``lead``, first seen first, at most MAX_NAMES."""
    found: dict[str, None] = {}
    for text in (title if not _title_case(title) else "", lead):
        for match in _WORD.finditer(text):
            word = match.group()
            if not word[0].isupper() or len(word) < 2 or word.isdigit():
                continue
            name = fold(word)
            if name in _NOT_NAMES:
                continue
            found.setdefault(name)
            if len(found) == MAX_NAMES:
                return tuple(found)
    return tuple(found)


def _title_case(title: str) -> bool:
    """An English-style headline ("Cisco to Buy Splunk for $28 Billion"): its capitals name nothing."""
    words = [word for word in _WORD.findall(title) if not word.isdigit()]
    capitalised = sum(word[0].isupper() for word in words)
    return len(words) >= 4 and capitalised >= 0.7 * len(words)
