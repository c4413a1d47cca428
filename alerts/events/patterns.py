"""Many phrases found in one pass: the rule engine's machinery for event lexicons and organisations.

A phrase is written as in a query: words, optionally a trailing ``*`` for a
prefix (``acqui*``, ``"agreed to buy"``). It becomes the rule engine's key
(:func:`alerts.matcher.key_text` over :func:`db.textfold.tokens`), so that
folding, Unicode word boundaries and prefixes behave exactly as in rules.
Each key carries the payloads registered for it (several lexicon entries or
organisations may share a key).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, NamedTuple, TypeVar

from alerts.matcher import Compiler
from db.query import Words
from db.textfold import tokens

T = TypeVar("T")


def phrase_words(phrase: str) -> Words | None:
    """The :class:`Words` of a lexicon phrase (``invest*`` is a prefix); None when it has no word."""
    prefix = phrase.endswith("*")
    words = tuple(tokens(phrase.rstrip("*")))
    return Words(words, prefix) if words else None


class Hit(NamedTuple, Generic[T]):
    """A key found in a word string: ``first``/``last`` word positions, and what the key stands for.

    A named tuple: detection makes one per phrase of every sentence it reads.
    """

    first: int
    last: int
    payloads: tuple[T, ...]


class PhraseSet(Generic[T]):
    """Phrases compiled into one automaton; scanning a word string yields the hits in order."""

    def __init__(self, entries: list[tuple[str, T]]) -> None:
        compiler = Compiler()
        payloads: dict[int, list[T]] = {}
        for phrase, payload in entries:
            words = phrase_words(phrase)
            if words is None:
                raise ValueError(f"lexicon phrase {phrase!r} has no word")
            payloads.setdefault(compiler.key(words), []).append(payload)
        self._payloads = [tuple(payloads.get(key, ())) for key in range(len(compiler.keys))]
        # Per key: how many words, how many characters.
        self.words = [spec.words for spec in compiler.keys]
        self.lengths = [len(spec.text) for spec in compiler.keys]
        self._automaton = compiler.automaton()

    def payloads(self, key: int) -> tuple[T, ...]:
        return self._payloads[key]

    def __len__(self) -> int:
        return len(self._payloads)

    def scan(self, string: str) -> Iterator[Hit[T]]:
        """Hits in a :func:`db.textfold.word_string`, ordered by their end; positions count its words."""
        for start, words, key in self.raw(string):
            first = string.count(" ", 0, start)
            yield Hit(first, first + words - 1, self._payloads[key])

    def raw(self, string: str) -> Iterator[tuple[int, int, int]]:
        """Each hit as (offset of the space before its first word, number of words, key)."""
        lengths = self.lengths
        words = self.words
        for end, key in self.ends(string):
            yield end - lengths[key] + 1, words[key], key

    def ends(self, string: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
        """Each hit in ``string[start:end]`` as (offset in ``string`` of its last character, key),
        in order: the automaton's own output."""
        if self._automaton is None:
            return []
        return list(self._automaton.iter(string, start, len(string) if end is None else end))
