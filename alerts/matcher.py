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
``source:``, ``lang:``, ``event:`` or ``org:`` field restricts it; the
innermost field wins. A phrase or NEAR never spans two fields. The last
four are facts about the article written as words (its source's name, its
language, the event types it reports, its organisations' canonical names),
so one automaton serves them too; organisations are written one apart from
the next, so a phrase never joins two names. ``amount>=`` compares the
largest amount the article states.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import ahocorasick

from db.money import to_usd
from db.query import AmountAtLeast, And, Field, Near, Node, Not, Or, TopicRef, Words
from db.textfold import word_string

# Field strings of an article, in this order.
TITLE, SUMMARY, TEXT, LEAD, SOURCE, LANG, EVENT, ORG = range(8)
SEGMENTS = 8

SCOPES: dict[str, tuple[int, ...]] = {
    "body": (TITLE, SUMMARY, TEXT),
    "title": (TITLE,),
    "lead": (TITLE, LEAD),
    "source": (SOURCE,),
    "lang": (LANG,),
    "event": (EVENT,),
    "org": (ORG,),
}
_NOT_SHOWN = frozenset({"source", "lang", "event", "org"})


class Hits:
    """What the automaton found in one article: per field, the keys and (end offset, key) pairs."""

    __slots__ = ("_ends", "_first", "_keysets", "_spans", "amount_usd", "pairs", "present", "strings")

    def __init__(
        self,
        strings: Sequence[str],
        pairs: Sequence[list[tuple[int, int]]],
        amount_usd: float | None = None,
    ) -> None:
        self.strings = strings
        self.pairs = pairs
        self.amount_usd = amount_usd
        self.present = [set(map(_second, found)) for found in pairs]
        self._keysets: dict[str, frozenset[int]] = {}
        self._ends: list[dict[int, list[int]] | None] = [None] * len(pairs)
        self._first: list[dict[int, int] | None] = [None] * len(pairs)
        self._spans: dict[tuple[int, int], list[tuple[int, int]]] = {}

    def keys(self, scope: str) -> frozenset[int]:
        """The key ids found in any field of ``scope``."""
        keys = self._keysets.get(scope)
        if keys is None:
            keys = frozenset().union(*(self.present[segment] for segment in SCOPES[scope]))
            self._keysets[scope] = keys
        return keys

    def all_keys(self) -> set[int]:
        return set().union(*self.present)

    def ends(self, segment: int, key: int) -> list[int]:
        """End offsets of ``key`` in one field's string, in order."""
        by_key = self._ends[segment]
        if by_key is None:
            by_key = self._ends[segment] = {}
            for end, found in self.pairs[segment]:
                by_key.setdefault(found, []).append(end)
        return by_key[key]

    def first_end(self, segment: int, key: int) -> int:
        """End offset of the first occurrence of ``key`` in one field's string."""
        first = self._first[segment]
        if first is None:
            # Built in C: reversed, so that the earliest occurrence is written last.
            backwards = self.pairs[segment][::-1]
            first = self._first[segment] = dict(
                zip(map(_second, backwards), map(_first, backwards), strict=True)
            )
        return first[key]

    def spans(self, segment: int, key: int, key_length: int, words: int) -> list[tuple[int, int]]:
        """Word positions ``(first, last)`` of each occurrence of ``key`` in one field."""
        cached = self._spans.get((segment, key))
        if cached is None:
            string = self.strings[segment]
            cached = []
            for end in self.ends(segment, key):
                # The key starts with the space before its first word: the
                # spaces before it count the words before it.
                first = string.count(" ", 0, end - key_length + 1)
                cached.append((first, first + words - 1))
            self._spans[(segment, key)] = cached
        return cached


# Sources, languages, event types and organisations are few and come back article after article.
_fact_words = functools.lru_cache(maxsize=4096)(word_string)

_first = operator.itemgetter(0)
_second = operator.itemgetter(1)


Check = Callable[[Hits], bool]
# The (key, scope) of each term that makes a rule hold, or None when it does not.
Explained = Sequence[tuple[int, str]] | None
Explain = Callable[[Hits], Explained]


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
    """True when, in one field of the scope, one occurrence per position lies in a window.

    Each position is a tuple of alternative keys: ``(a OR b) NEAR/5 c``
    reaches the parser as ``a NEAR/5 c OR b NEAR/5 c`` and is regrouped
    here (:func:`near_product`), so one check replaces the whole product.
    """

    def __init__(
        self, positions: tuple[tuple[int, ...], ...], keys: Sequence[Key], distance: int, scope: str
    ) -> None:
        self.positions = positions
        self.keys = keys
        self.distance = distance
        self.segments = SCOPES[scope]

    def __call__(self, hits: Hits) -> bool:
        for segment in self.segments:
            found = hits.present[segment]
            spans = []
            for alternatives in self.positions:
                present = [key for key in alternatives if key in found]
                if not present:
                    break
                spans.append(self._spans(hits, segment, present))
            else:
                if within(spans, self.distance):
                    return True
        return False

    def _spans(self, hits: Hits, segment: int, keys: list[int]) -> list[tuple[int, int]]:
        lists = [hits.spans(segment, key, len(self.keys[key].text), self.keys[key].words) for key in keys]
        return lists[0] if len(lists) == 1 else sorted(itertools.chain.from_iterable(lists))


def near_product(node: Or) -> tuple[tuple[Words, ...], ...] | None:
    """The alternatives per position if ``node`` is the OR of a full NEAR product, else None."""
    first = node.children[0]
    if not isinstance(first, Near):
        return None
    nears = [child for child in node.children if isinstance(child, Near)]
    arity = len(first.children)
    if len(nears) != len(node.children) or any(
        n.distance != first.distance or len(n.children) != arity for n in nears
    ):
        return None
    positions = tuple(tuple(dict.fromkeys(n.children[i] for n in nears)) for i in range(arity))
    combos = {n.children for n in nears}
    if len(combos) != len(nears) or len(nears) != math.prod(len(p) for p in positions):
        return None
    return positions


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
        if isinstance(node, Or) and (product := near_product(node)) is not None:
            grouped = tuple(tuple(self.key(words) for words in alternatives) for alternatives in product)
            distance = node.children[0].distance if isinstance(node.children[0], Near) else 0
            return _NearCheck(grouped, self.keys, distance, scope)
        if isinstance(node, Or | And):
            return self._boolean(node, scope)
        if isinstance(node, Not):
            inner = self.check(node.child, scope)
            return lambda hits: not inner(hits)
        if isinstance(node, Near):
            positions = tuple((self.key(child),) for child in node.children)
            return _NearCheck(positions, self.keys, node.distance, scope)
        if isinstance(node, Field):
            return self.check(node.child, node.name if node.name in SCOPES else scope)
        if isinstance(node, AmountAtLeast):
            return _amount_check(node)
        raise TypeError(f"unresolved topic @{node.name}")  # resolve_topics runs first

    def _boolean(self, node: And | Or, scope: str) -> Check:
        kind = type(node)
        words: list[int] = []
        others: list[Check] = []
        pending = list(node.children)
        while pending:
            child = pending.pop(0)
            if isinstance(child, kind) and not (isinstance(child, Or) and near_product(child)):
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

    def explainer(self, node: Node, scope: str = "body") -> Explain:
        """``node`` compiled to explain a match: the (key, scope) of each term that makes it hold,
        or None when it does not.

        Follows the tree rather than the checks, so that only the branches that
        hold are reported: the terms of an OR's false branches, of a NEAR whose
        words are too far apart, of a negation, are left out. Runs only for
        rules that matched.
        """
        if isinstance(node, Words):
            key = self.key(node)
            term = ((key, scope),)
            return lambda hits: term if key in hits.keys(scope) else None
        if isinstance(node, Or | And):
            return self._boolean_explainer(node, scope)
        if isinstance(node, Field):
            inner = self.explainer(node.child, node.name if node.name in SCOPES else scope)
            if node.name not in _NOT_SHOWN:
                return inner
            # A source name, language code, event type or organisation is not a word of the article to show.
            return lambda hits: () if inner(hits) is not None else None
        if isinstance(node, Near):
            near = tuple((self.key(child),) for child in node.children)
            check = _NearCheck(near, self.keys, node.distance, scope)
            terms = tuple((alternatives[0], scope) for alternatives in near)
            return lambda hits: terms if check(hits) else None
        if isinstance(node, AmountAtLeast):
            amount = _amount_check(node)
            return lambda hits: () if amount(hits) else None
        if isinstance(node, Not):
            negated = self.explainer(node.child, scope)
            return lambda hits: None if negated(hits) is not None else ()
        raise TypeError(f"unresolved topic @{node.name}")

    def _boolean_explainer(self, node: And | Or, scope: str) -> Explain:
        # Per child: its key when it is a plain term (looked up, not walked: topics are long
        # ORs of terms), else its explainer.
        children = [
            (self.key(child), None) if isinstance(child, Words) else (None, self.explainer(child, scope))
            for child in node.children
        ]
        terms = [key for key, _ in children if key is not None]
        if isinstance(node, Or) and len(terms) == len(children):
            # The terms present, in the OR's order: sorted from the few present, not the many listed.
            order: dict[int, int] = {}
            for index, key in enumerate(terms):
                order.setdefault(key, index)
            keys = frozenset(order)

            def any_term(hits: Hits) -> Explained:
                present = keys.intersection(hits.keys(scope))
                return [(key, scope) for key in sorted(present, key=order.__getitem__)] if present else None

            return any_term
        if isinstance(node, Or):

            def any_of(hits: Hits) -> Explained:
                present = hits.keys(scope)
                found: list[tuple[int, str]] = []
                held = False
                for key, explain in children:
                    if explain is not None:
                        terms = explain(hits)
                        if terms is not None:
                            found.extend(terms)
                            held = True
                    elif key in present:
                        found.append((key, scope))
                        held = True
                return found if held else None

            return any_of

        def all_of(hits: Hits) -> Explained:
            present = hits.keys(scope)
            found: list[tuple[int, str]] = []
            for key, explain in children:
                if explain is not None:
                    terms = explain(hits)
                    if terms is None:
                        return None
                    found.extend(terms)
                elif key not in present:
                    return None
                else:
                    found.append((key, scope))
            return found

        return all_of

    def triggers(self, node: Node) -> frozenset[int] | None:
        """Keys of which one at least occurs wherever ``node`` holds; None if there is no such set."""
        if isinstance(node, Words):
            return frozenset({self.key(node)})
        if isinstance(node, Near):
            return self._near_triggers(tuple((child,) for child in node.children))
        if isinstance(node, Or) and (product := near_product(node)) is not None:
            return self._near_triggers(product)
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
        return None  # NOT holds where its terms are absent; an amount is no term

    def _near_triggers(self, positions: tuple[tuple[Words, ...], ...]) -> frozenset[int]:
        # Every position must occur: take the one whose shortest key is
        # longest — short keys ("1*", "ai") are the frequent ones.
        best = max(positions, key=lambda alternatives: min(len(key_text(w)) for w in alternatives))
        return frozenset(self.key(words) for words in best)


def _amount_check(node: AmountAtLeast) -> Check:
    threshold = to_usd(node.value, node.currency)
    return lambda hits: hits.amount_usd is not None and hits.amount_usd >= threshold


class Matcher:
    """The compiled form of a rule set: scan an article once, then run its checks."""

    def __init__(self, compiler: Compiler) -> None:
        self.keys = tuple(compiler.keys)
        self._automaton = compiler.automaton()
        optional = (("lead", LEAD), ("source", SOURCE), ("lang", LANG), ("event", EVENT), ("org", ORG))
        used = (segment for scope, segment in optional if scope in compiler.scopes)
        self._fields = (TITLE, SUMMARY, TEXT, *used)

    def scan(
        self,
        fields: Sequence[str | Sequence[str]],
        amount_usd: float | None = None,
        text_words: str | None = None,
    ) -> Hits:
        """Find every key in the fields (title … org); fields no rule looks at are skipped.

        A field given as a sequence of names (events, organisations) is
        written name by name, two spaces apart, so no phrase spans two names.
        ``text_words`` is the text already folded (``word_string(fields[TEXT])``).
        """
        strings = [" "] * SEGMENTS
        pairs: list[list[tuple[int, int]]] = [[] for _ in range(SEGMENTS)]
        if self._automaton is not None:
            find = self._automaton.iter
            for segment in self._fields:
                value = fields[segment]
                if segment == TEXT and text_words is not None:
                    string = text_words
                elif isinstance(value, str):
                    string = _fact_words(value) if segment >= SOURCE else word_string(value)
                else:
                    string = "".join(map(_fact_words, value))
                strings[segment] = string or " "
                pairs[segment] = list(find(string))
        return Hits(strings, pairs, amount_usd)

    def term_text(self, hits: Hits, key: int, scope: str) -> str | None:
        """The first occurrence of ``key`` in ``scope`` as folded article words, or None."""
        spec = self.keys[key]
        for segment in SCOPES[scope]:
            if key in hits.present[segment]:
                end = hits.first_end(segment, key)
                string = hits.strings[segment]
                start = end - len(spec.text) + 2
                stop = string.find(" ", end) if spec.prefix else end
                return string[start:stop]
        return None
