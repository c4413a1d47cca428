"""The query semantics written the slow, obvious way — the fast engine's yardstick.

:mod:`alerts.matcher` answers from an automaton, trigger sets and key ids;
this module answers the same question by walking the tree over plain word
lists, so that tests and ``benchmarks.rules`` can check the two agree on
every rule and article. It shares nothing with the matcher but the folding
(:func:`db.textfold.tokens`). Never used to match in production.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from db.money import to_usd
from db.query import AmountAtLeast, And, Field, Near, Node, Not, Or, Words
from db.textfold import tokens

_FIELDS_OF_SCOPE = {
    "body": ("title", "summary", "text"),
    "title": ("title",),
    "lead": ("title", "lead"),
    "source": ("source",),
    "lang": ("lang",),
    "event": ("event",),
    "org": ("org",),
}


class Fields:
    """An article as the folded words of each field, with a word → positions index."""

    def __init__(
        self,
        title: str,
        summary: str,
        text: str,
        lead: str,
        source: str,
        language: str | None,
        events: Sequence[str] = (),
        orgs: Sequence[str] = (),
        amount_usd: float | None = None,
    ) -> None:
        raw = {"title": title, "summary": summary, "text": text, "lead": lead, "source": source}
        raw["lang"] = language or ""
        self.words = {name: tokens(value) for name, value in raw.items()}
        # One name must never continue into the next: an empty word keeps them apart.
        self.words["event"] = [word for name in events for word in (*tokens(name), "")]
        self.words["org"] = [word for name in orgs for word in (*tokens(name), "")]
        self.amount_usd = amount_usd
        self.index: dict[str, dict[str, list[int]]] = {}
        for name, words in self.words.items():
            index: dict[str, list[int]] = {}
            for position, word in enumerate(words):
                index.setdefault(word, []).append(position)
            self.index[name] = index

    def occurrences(self, words: Words, name: str) -> list[int]:
        """Word positions in field ``name`` where ``words`` starts."""
        text = self.words[name]
        n = len(words.words)
        if n == 1 and words.prefix:
            starts = sorted(
                p for w, ps in self.index[name].items() if w.startswith(words.words[0]) for p in ps
            )
        else:
            starts = self.index[name].get(words.words[0], [])
        found = []
        for i in starts:
            if i + n > len(text):
                continue
            head_ok = all(text[i + k] == words.words[k] for k in range(n - 1))
            last = text[i + n - 1]
            last_ok = last.startswith(words.words[-1]) if words.prefix else last == words.words[-1]
            if head_ok and last_ok:
                found.append(i)
        return found


def evaluate(node: Node, fields: Fields, scope: str = "body") -> bool:
    """Whether ``node`` (topics resolved) holds for the article ``fields``."""
    if isinstance(node, Words):
        return any(fields.occurrences(node, name) for name in _FIELDS_OF_SCOPE[scope])
    if isinstance(node, And):
        return all(evaluate(child, fields, scope) for child in node.children)
    if isinstance(node, Or):
        return any(evaluate(child, fields, scope) for child in node.children)
    if isinstance(node, Not):
        return not evaluate(node.child, fields, scope)
    if isinstance(node, Field):
        return evaluate(node.child, fields, node.name)
    if isinstance(node, Near):
        return any(_near(node, fields, name) for name in _FIELDS_OF_SCOPE[scope])
    if isinstance(node, AmountAtLeast):
        return fields.amount_usd is not None and fields.amount_usd >= to_usd(node.value, node.currency)
    raise TypeError(f"unresolved topic @{node.name}")


def _near(node: Near, fields: Fields, name: str) -> bool:
    spans = [
        [(i, i + len(child.words) - 1) for i in fields.occurrences(child, name)] for child in node.children
    ]
    for choice in itertools.product(*spans):
        first_start = min(start for start, _ in choice)
        # The window runs from the end of the first occurrence (the longest,
        # when several start at the same word) to the start of the last.
        first_end = max(end for start, end in choice if start == first_start)
        last_start = max(start for start, _ in choice)
        if last_start - first_end - 1 <= node.distance:
            return True
    return False
