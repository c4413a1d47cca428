"""Query trees compiled for matching many rules against one article at a time.

Matching an article (see :class:`Matcher`):

1. Each field the rules look at is folded and split into words once, as the
   string ``" w1 w2 … "`` (:func:`db.textfold.word_string`).
2. One Aho-Corasick automaton holds every term of every rule, as ``" w "``
   (a phrase as ``" w1 w2 "``, a prefix without its closing space). One
   pass over each field string finds them all; because words are
   space-delimited, every hit is a whole-word match — no boundary checks.
3. Only the rules with a hit among their *trigger* keys — a set of keys of
   which at least one must occur for the rule to hold — are evaluated.
4. A rule's check is a tree of closures over key ids: plain terms are set
   membership, an OR of terms one ``isdisjoint``, an AND of terms one subset
   test; NEAR alone looks at word positions.

Scopes: a term is looked for in the fields of its scope — ``body`` (title,
summary, text) unless a ``title:``, ``lead:`` (title and lead),
``source:`` or ``lang:`` field restricts it; the innermost field wins. A
phrase or NEAR never spans two fields.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import ahocorasick

from db.query import And, Field, Near, Node, Not, Or, TopicRef, Words
from db.textfold import word_string

# Field strings of an article, in this order.
TITLE, SUMMARY, TEXT, LEAD, SOURCE, LANG = range(6)

SCOPES: dict[str, tuple[int, ...]] = {
    "body": (TITLE, SUMMARY, TEXT),
    "title": (TITLE,),
    "lead": (TITLE, LEAD),
    "source": (SOURCE,),
    "lang": (LANG,),
}


class Hits:
    """Where each key occurred in one article: per field, key id → end offsets."""

    __slots__ = ("_keysets", "_positions", "found", "strings")

    def __init__(self, strings: Sequence[str], found: Sequence[dict[int, list[int]]]) -> None:
        self.strings = strings
        self.found = found
        self._keysets: dict[str, frozenset[int]] = {}
        self._positions: dict[tuple[int, int], list[tuple[int, int]]] = {}

    def keys(self, scope: str) -> frozenset[int]:
        """The key ids found in any field of ``scope``."""
        keys = self._keysets.get(scope)
        if keys is None:
            keys = frozenset().union(*(self.found[segment].keys() for segment in SCOPES[scope]))
            self._keysets[scope] = keys
        return keys

    def spans(self, segment: int, key: int, key_length: int, words: int) -> list[tuple[int, int]]:
        """Word positions ``(first, last)`` of each occurrence of ``key`` in one field."""
        cached = self._positions.get((segment, key))
        if cached is None:
            string = self.strings[segment]
            cached = []
            for end in self.found[segment][key]:
                # The key starts with the space before its first word: the
                # spaces before it count the words before it.
                first = string.count(" ", 0, end - key_length + 1)
                cached.append((first, first + words - 1))
            self._positions[(segment, key)] = cached
        return cached


Check = Callable[[Hits], bool]


@dataclass(frozen=True)
class Key:
    """One automaton entry: a term or phrase as it appears in a field string."""

    text: str
    words: int
    prefix: bool


def key_text(words: Words) -> str:
    joined = " " + " ".join(words.words)
    return joined if words.prefix else joined + " "


class _NearCheck:
    """True when one occurrence of every child lies in a window of the scope's fields."""

    def __init__(self, keys: tuple[int, ...], specs: tuple[Key, ...], distance: int, scope: str) -> None:
        self.keys = keys
        self.specs = specs
        self.distance = distance
        self.segments = SCOPES[scope]

    def __call__(self, hits: Hits) -> bool:
        for segment in self.segments:
            found = hits.found[segment]
            if all(key in found for key in self.keys):
                spans = [
                    hits.spans(segment, key, len(spec.text), spec.words)
                    for key, spec in zip(self.keys, self.specs, strict=True)
                ]
                if within(spans, self.distance):
                    return True
        return False


def within(spans: Sequence[Sequence[tuple[int, int]]], distance: int) -> bool:
    """FTS5's NEAR: one span per list such that at most ``distance`` words lie
    between the end of the first (by start) and the start of the last."""
    starts = [[first for first, _ in child] for child in spans]
    for i, child in enumerate(spans):
        for first, last in child:
            # Taking this occurrence as the window's first, the earliest
            # occurrence of every other child at or after it is the best pick.
            for j, other_starts in enumerate(starts):
                if j == i:
                    continue
                k = bisect.bisect_left(other_starts, first)
                if k == len(other_starts) or other_starts[k] - last - 1 > distance:
                    break
            else:
                return True
    return False


class Compiler:
    """Turns query trees into checks sharing one key table and one automaton."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self.keys: list[Key] = []
        self.scopes: set[str] = set()

    def key(self, words: Words) -> int:
        text = key_text(words)
        key = self._ids.get(text)
        if key is None:
            key = self._ids[text] = len(self.keys)
            self.keys.append(Key(text, len(words.words), words.prefix))
        return key

    def automaton(self) -> ahocorasick.Automaton | None:
        if not self.keys:
            return None
        automaton = ahocorasick.Automaton()
        for key, spec in enumerate(self.keys):
            automaton.add_word(spec.text, key)
        automaton.make_automaton()
        return automaton

    def check(self, node: Node, scope: str = "body") -> Check:
        self.scopes.add(scope)
        if isinstance(node, Words):
            key = self.key(node)
            return lambda hits: key in hits.keys(scope)
        if isinstance(node, Or | And):
            return self._boolean(node, scope)
        if isinstance(node, Not):
            inner = self.check(node.child, scope)
            return lambda hits: not inner(hits)
        if isinstance(node, Near):
            keys = tuple(self.key(child) for child in node.children)
            return _NearCheck(keys, tuple(self.keys[k] for k in keys), node.distance, scope)
        if isinstance(node, Field):
            return self.check(node.child, node.name if node.name in SCOPES else scope)
        raise TypeError(f"unresolved topic @{node.name}")  # resolve_topics runs first

    def _boolean(self, node: And | Or, scope: str) -> Check:
        kind = type(node)
        words: list[int] = []
        others: list[Check] = []
        pending = list(node.children)
        while pending:
            child = pending.pop(0)
            if isinstance(child, kind):
                pending[:0] = child.children  # same operator, same scope: flatten
            elif isinstance(child, Words):
                words.append(self.key(child))
            else:
                others.append(self.check(child, scope))
        keys = frozenset(words)
        if kind is Or:

            def any_of(hits: Hits) -> bool:
                if keys and not keys.isdisjoint(hits.keys(scope)):
                    return True
                return any(check(hits) for check in others)

            return any_of

        def all_of(hits: Hits) -> bool:
            if keys and not keys <= hits.keys(scope):
                return False
            return all(check(hits) for check in others)

        return all_of

    def triggers(self, node: Node) -> frozenset[int] | None:
        """Keys of which one at least occurs wherever ``node`` holds; None if there is no such set."""
        if isinstance(node, Words):
            return frozenset({self.key(node)})
        if isinstance(node, Near):
            # Any one child will do; the longest key is the rarest guess.
            longest = max(node.children, key=lambda child: len(key_text(child)))
            return frozenset({self.key(longest)})
        if isinstance(node, Field):
            return self.triggers(node.child)
        if isinstance(node, Or):
            union: set[int] = set()
            for child in node.children:
                keys = self.triggers(child)
                if keys is None:
                    return None
                union |= keys
            return frozenset(union)
        if isinstance(node, And):
            options = [keys for keys in map(self.triggers, node.children) if keys is not None]
            if not options:
                return None
            return min(options, key=lambda keys: (len(keys), -min(len(self.keys[k].text) for k in keys)))
        if isinstance(node, TopicRef):
            raise TypeError(f"unresolved topic @{node.name}")
        return None  # NOT: holds exactly where its terms are absent

    def terms(self, node: Node, scope: str = "body") -> list[tuple[int, str]]:
        """The (key, scope) pairs whose presence explains a match, negations left out."""
        if isinstance(node, Words):
            return [(self.key(node), scope)]
        if isinstance(node, Near):
            return [(self.key(child), scope) for child in node.children]
        if isinstance(node, And | Or):
            return [term for child in node.children for term in self.terms(child, scope)]
        if isinstance(node, Field) and node.name in ("title", "lead"):
            return self.terms(node.child, node.name)
        return []


class Matcher:
    """The compiled form of a rule set: scan an article once, then run its checks."""

    def __init__(self, compiler: Compiler) -> None:
        self.keys = tuple(compiler.keys)
        self._automaton = compiler.automaton()
        optional = (("lead", LEAD), ("source", SOURCE), ("lang", LANG))
        used = (segment for scope, segment in optional if scope in compiler.scopes)
        self._fields = (TITLE, SUMMARY, TEXT, *used)

    def scan(self, fields: Sequence[str]) -> Hits:
        """Find every key in the six fields (title … lang); fields no rule looks at are skipped."""
        strings = [" "] * 6
        found: list[dict[int, list[int]]] = [{} for _ in range(6)]
        if self._automaton is None:
            return Hits(strings, found)
        find = self._automaton.iter
        for segment in self._fields:
            string = strings[segment] = word_string(fields[segment])
            hits = found[segment]
            for end, key in find(string):
                ends = hits.get(key)
                if ends is None:
                    hits[key] = [end]
                else:
                    ends.append(end)
        return Hits(strings, found)

    def term_text(self, hits: Hits, key: int, scope: str) -> str | None:
        """The first occurrence of ``key`` in ``scope`` as folded article words, or None."""
        spec = self.keys[key]
        for segment in SCOPES[scope]:
            ends = hits.found[segment].get(key)
            if ends:
                string = hits.strings[segment]
                start = ends[0] - len(spec.text) + 2
                stop = string.find(" ", ends[0]) if spec.prefix else ends[0]
                return string[start:stop]
        return None
