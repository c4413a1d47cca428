"""The newsmon query language, parsed into a neutral tree.

One language drives both ``newsmon search`` (compiled to FTS5 or PostgreSQL
text search) and alert rules (evaluated by ``alerts.rules``). This module
only parses; backends walk the tree.

Grammar (EBNF; operators are the UPPERCASE words — lowercase ``and``,
``or``, ``not``, ``near`` are ordinary words)::

    query    = or_expr ;
    or_expr  = and_expr { "OR" and_expr } ;
    and_expr = unary { [ "AND" ] unary } ;          (* juxtaposition is AND *)
    unary    = ( "NOT" | "-" ) unary | near ;       (* "-" attached: -term *)
    near     = primary { ( "NEAR" | "NEAR/" digits ) primary } ;
    primary  = field ":" primary                    (* title:"a b", lead:(x OR y) *)
             | "(" or_expr ")"
             | '"' words [ "*" ] '"' [ "*" ]       (* phrase, optional prefix; “ ” « » „ too *)
             | term                                (* word, GPT-4, l'IA, invest* *)
             | "@" topic_name ;
             | "amount>=" number [ "k" | "M" | "B" ] [ ":" currency ] ;
    field    = "title" | "lead" | "source" | "lang" | "event" | "org" ;

Precedence, tightest first: field prefix, NEAR, NOT/-, AND, OR.

A term or phrase becomes :class:`Words`: its folded words (``db.textfold``),
so "GPT-4" is ``("gpt", "4")`` and "d’OpenAI" is ``("d", "openai")`` — the
same words the article text is split into. A trailing ``*`` makes the last
word a prefix. A term made only of punctuation ("&", "–") is skipped.

``event:`` takes an event type (:data:`EVENT_TYPES`) and ``org:`` an
organisation's name: both look at what event detection found in the article,
not at its words. ``amount>=1B`` holds when the article states an amount of
at least that much (``k``, ``M``, ``B`` suffixes; US dollars unless a
currency follows: ``amount>=500M:EUR``); it becomes :class:`AmountAtLeast`.

``NEAR`` without a distance means ``NEAR/10``. ``a NEAR/n b`` holds when at
most ``n`` words separate an occurrence of ``a`` from one of ``b`` (SQLite
FTS5's definition); ``a NEAR/n b NEAR/n c`` puts all three in one window.
NEAR joins terms and phrases; a parenthesised OR of them is distributed:
``(a OR b) NEAR/5 c`` is ``a NEAR/5 c OR b NEAR/5 c``.

Errors are :class:`db.errors.QueryError` with the 1-based column of the
offending character.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from db.errors import QueryError
from db.money import USD_PER_UNIT
from db.textfold import tokens

FIELDS = frozenset({"title", "lead", "source", "lang", "event", "org"})
"""Field names a query may restrict a term or group to."""

FACT_FIELDS = frozenset({"source", "lang", "event", "org"})
"""Fields that look at what is known about an article rather than at its words."""

EVENT_TYPES = ("investment", "acquisition", "partnership")
"""The events ``event:`` names, as event detection reports them."""

DEFAULT_NEAR = 10
# Distribution multiplies: (10 verbs) NEAR (12 amounts) is 120 NEARs. Beyond
# this, a query is more likely a mistake than a need.
_MAX_NEAR_COMBINATIONS = 1024
# Parentheses, fields and NOTs nest; each level costs the parser and every tree walker a few
# Python frames, and a thousand levels overflowed the stack (a RecursionError, not a QueryError).
MAX_NESTING = 100
# SQLite's FTS5 parser overflows its stack past 31 levels of operators ("fts5: parser stack
# overflow", a crash of `newsmon search`): a query, its topics included, nests at most this many
# AND, OR, NOT and NEAR.
MAX_DEPTH = 30
# Topics using topics multiply: each of 30 topics using the previous one twice made a rule of 2^30
# terms, and check-config never finished. A resolved query holds at most this many nodes.
MAX_RESOLVED_NODES = 20_000
# Topics using topics: each link costs the resolution a stack of Python frames (1,500 of them made
# a RecursionError); the bundled topics use two levels.
MAX_TOPIC_CHAIN = 8


@dataclass(frozen=True)
class Words:
    """A term or phrase: folded words in sequence; ``prefix`` applies to the last one."""

    words: tuple[str, ...]
    prefix: bool = False
    column: int = field(default=0, compare=False)


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class Near:
    """All children within one window: at most ``distance`` words between first and last."""

    children: tuple[Words, ...]
    distance: int


@dataclass(frozen=True)
class Field:
    name: str
    child: Node


@dataclass(frozen=True)
class TopicRef:
    name: str
    column: int = field(default=0, compare=False)


@dataclass(frozen=True)
class AmountAtLeast:
    """``amount>=…``: the article states an amount of at least ``value`` in ``currency``."""

    value: float
    currency: str
    column: int = field(default=0, compare=False)


Node = Words | And | Or | Not | Near | Field | TopicRef | AmountAtLeast


# --- lexer -------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # WORDS, LPAREN, RPAREN, AND, OR, NOT, NEAR, FIELD, TOPIC, AMOUNT, END
    column: int
    words: Words | None = None
    amount: AmountAtLeast | None = None
    name: str = ""
    distance: int = 0


_OPERAND_START = frozenset({"WORDS", "LPAREN", "NOT", "FIELD", "TOPIC", "AMOUNT"})
_PRIMARY_START = frozenset({"WORDS", "LPAREN", "FIELD", "TOPIC", "AMOUNT"})
# Typographic quotes pasted from documents delimit phrases too; any of them
# closes a phrase opened by any other.
_QUOTES = frozenset('"“”„«»')
_QUOTE_RE = re.compile('["“”„«»]')
_BARE_END = frozenset(" \t\r\n\f\v()") | _QUOTES
_AFTER_MINUS_END = frozenset(" \t\r\n\f\v)")
_TOPIC_NAME = re.compile(r"[\w-]+\Z")
_NEAR = re.compile(r"NEAR(?:/(.*))?\Z", re.DOTALL)
_AMOUNT = re.compile(r"amount\s*(>=|<=|>|<|=)\s*", re.IGNORECASE)
_AMOUNT_VALUE = re.compile(r"(\d+(?:\.\d+)?)([kKmMbB]?)(?::([A-Za-z]{3}))?\Z")
_SUFFIXES = {"": 1.0, "k": 1e3, "m": 1e6, "b": 1e9}


def _lex(query: str) -> Iterator[_Token]:
    i = 0
    n = len(query)
    # Set when a "-" or "field:" was just read: the next token must follow it
    # directly, and must not be punctuation that would silently vanish.
    attached_to: _Token | None = None
    while i < n:
        char = query[i]
        column = i + 1
        if char.isspace():
            if attached_to is not None:
                raise _attached_error(query, attached_to)
            i += 1
        elif char == "(":
            attached_to = None
            yield _Token("LPAREN", column)
            i += 1
        elif char == ")":
            if attached_to is not None:
                raise _attached_error(query, attached_to)
            yield _Token("RPAREN", column)
            i += 1
        elif char in _QUOTES:
            attached_to = None
            token, i = _lex_phrase(query, i)
            yield token
        elif char == "-" and attached_to is not None and attached_to.kind == "FIELD":
            raise QueryError(f"put '-' before the field: -{attached_to.name}:term", column, query)
        elif char == "-" and attached_to is None and i + 1 < n and query[i + 1] not in _AFTER_MINUS_END:
            attached_to = _Token("NOT", column, name="-")
            yield attached_to
            i += 1
        elif (amount := _AMOUNT.match(query, i)) is not None:
            if attached_to is not None and attached_to.kind == "FIELD":
                raise _attached_error(query, attached_to)
            attached_to = None
            j = amount.end()
            while j < n and query[j] not in _BARE_END:
                j += 1
            yield _amount_token(query, amount, j)
            i = j
        else:
            j = i
            while j < n and query[j] not in _BARE_END:
                if query[j] == ":" and query[i:j].lower() in FIELDS:
                    break
                j += 1
            if j < n and query[j] == ":":
                attached_to = _Token("FIELD", column, name=query[i:j].lower())
                yield attached_to
                i = j + 1
                if i >= n:
                    raise _attached_error(query, attached_to)
                continue
            bare = _bare_token(query, i, j)
            if bare is None:
                if attached_to is not None:
                    raise _attached_error(query, attached_to)
            else:
                attached_to = None
                yield bare
            i = j
    if attached_to is not None:
        raise _attached_error(query, attached_to)
    yield _Token("END", n + 1)


def _attached_error(query: str, token: _Token) -> QueryError:
    what = f"{token.name}:" if token.kind == "FIELD" else "'-'"
    return QueryError(f"{what} must be followed directly by a term, phrase or group", token.column, query)


def _amount_token(query: str, amount: re.Match[str], end: int) -> _Token:
    column = amount.start() + 1
    if amount.group(1) != ">=":
        raise QueryError("amounts compare with >= only, e.g. amount>=1B", column, query)
    value = _AMOUNT_VALUE.match(query[amount.end() : end])
    if value is None:
        message = (
            "amount>= takes a number with an optional k, M or B and currency: amount>=1B, amount>=500M:EUR"
        )
        raise QueryError(message, column, query)
    number, suffix, currency = value.groups()
    currency = (currency or "USD").upper()
    if currency not in USD_PER_UNIT:
        known = ", ".join(sorted(USD_PER_UNIT))
        raise QueryError(f"amount>= in {currency}: no rate for that currency (known: {known})", column, query)
    threshold = float(number) * _SUFFIXES[suffix.lower()]
    node = AmountAtLeast(threshold, currency, column)
    return _Token("AMOUNT", column, amount=node)


def _lex_phrase(query: str, i: int) -> tuple[_Token, int]:
    closing = _QUOTE_RE.search(query, i + 1)
    end = closing.start() if closing else -1
    if end < 0:
        raise QueryError('unbalanced quote: this " is never closed', i + 1, query)
    content = query[i + 1 : end].rstrip()
    prefix = content.endswith("*")
    if prefix:
        content = content[:-1]
    end += 1
    if end < len(query) and query[end] == "*":
        prefix = True
        end += 1
    words = tuple(tokens(content))
    if not words:
        raise QueryError("empty phrase: put words between the quotes", i + 1, query)
    return _Token("WORDS", i + 1, words=Words(words, prefix, i + 1)), end


def _bare_token(query: str, i: int, j: int) -> _Token | None:
    text = query[i:j]
    column = i + 1
    if text in ("AND", "OR", "NOT"):
        return _Token(text, column)
    near = _NEAR.match(text)
    if near:
        if near.group(1) is None:
            return _Token("NEAR", column, distance=DEFAULT_NEAR)
        if not near.group(1).isascii() or not near.group(1).isdigit():
            raise QueryError("NEAR/ needs a number of words, e.g. NEAR/5", column, query)
        return _Token("NEAR", column, distance=int(near.group(1)))
    if text.startswith("@"):
        name = text[1:]
        if not _TOPIC_NAME.match(name):
            message = f"'{text}' is not a topic name: @ is followed by letters, digits, - or _"
            raise QueryError(message, column, query)
        return _Token("TOPIC", column, name=name)
    prefix = text.endswith("*")
    stem = text[:-1] if prefix else text
    star = stem.find("*")
    if star >= 0:
        raise QueryError("'*' is allowed only at the end of a term (prefix search)", i + star + 1, query)
    words = tuple(tokens(stem))
    if not words:
        if prefix:
            raise QueryError("'*' needs the beginning of a word before it", column, query)
        return None
    return _Token("WORDS", column, words=Words(words, prefix, column))


# --- parser ------------------------------------------------------------------


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = list(_lex(query))
        self.index = 0
        self.depth = 0

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def error(self, message: str, column: int) -> QueryError:
        return QueryError(message, column, self.query)

    def operand_after(self, operator: _Token, starts: frozenset[str] = _OPERAND_START) -> None:
        if self.peek().kind not in starts:
            word = "-" if operator.name == "-" else operator.kind
            raise self.error(f"{word} needs a term after it", operator.column)

    def _check_event_types(self, node: Node, column: int) -> None:
        if isinstance(node, Words):
            if node.prefix or len(node.words) != 1 or node.words[0] not in EVENT_TYPES:
                raise self.error(f"event: takes {', '.join(EVENT_TYPES[:-1])} or {EVENT_TYPES[-1]}", column)
        elif isinstance(node, And | Or):
            for child in node.children:
                self._check_event_types(child, column)
        elif isinstance(node, Not):
            self._check_event_types(node.child, column)
        else:
            raise self.error("event: takes event types, or a parenthesised group of them", column)

    def parse(self) -> Node:
        if self.peek().kind == "END":
            raise self.error("the query is empty", 1)
        node = self.or_expr()
        token = self.peek()
        if token.kind == "RPAREN":
            raise self.error("unbalanced parenthesis: this ')' has no matching '('", token.column)
        if token.kind != "END":  # pragma: no cover - every other token starts or joins an operand
            raise self.error("unexpected text", token.column)
        return node

    def or_expr(self) -> Node:
        children = [self.and_expr()]
        while self.peek().kind == "OR":
            self.operand_after(self.take())
            children.append(self.and_expr())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_expr(self) -> Node:
        children = [self.unary()]
        while True:
            kind = self.peek().kind
            if kind == "AND":
                self.operand_after(self.take())
            elif kind not in _OPERAND_START:
                break
            children.append(self.unary())
        return children[0] if len(children) == 1 else And(tuple(children))

    def unary(self) -> Node:
        if self.peek().kind == "NOT":
            operator = self.take()
            self.operand_after(operator)
            with self.nested(operator):
                return Not(self.unary())
        return self.near()

    @contextmanager
    def nested(self, token: _Token) -> Iterator[None]:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.error(f"nested more than {MAX_NESTING} levels deep", token.column)
        yield
        self.depth -= 1

    def near(self) -> Node:
        start = self.peek().column
        first = self.primary()
        if self.peek().kind != "NEAR":
            return first
        operands = [first]
        columns = [start]
        distance: int | None = None
        while self.peek().kind == "NEAR":
            operator = self.take()
            if distance is not None and operator.distance != distance:
                raise self.error("a NEAR chain takes one distance; group with parentheses", operator.column)
            distance = operator.distance
            self.operand_after(operator, _PRIMARY_START)
            columns.append(self.peek().column)
            operands.append(self.primary())
        assert distance is not None
        return self._build_near(operands, columns, distance)

    def _build_near(self, operands: list[Node], columns: list[int], distance: int) -> Node:
        alternatives: list[tuple[Words, ...]] = []
        for node, column in zip(operands, columns, strict=True):
            if isinstance(node, Words):
                alternatives.append((node,))
            elif isinstance(node, Or) and all(isinstance(c, Words) for c in node.children):
                alternatives.append(tuple(c for c in node.children if isinstance(c, Words)))
            else:
                raise self.error(
                    "NEAR joins terms or phrases (or a parenthesised OR of them); "
                    "put fields and topics around the whole NEAR",
                    column,
                )
        combos = list(itertools.islice(itertools.product(*alternatives), _MAX_NEAR_COMBINATIONS + 1))
        if len(combos) > _MAX_NEAR_COMBINATIONS:
            raise self.error(f"NEAR expands to more than {_MAX_NEAR_COMBINATIONS} combinations", columns[0])
        nears = tuple(Near(combo, distance) for combo in combos)
        return nears[0] if len(nears) == 1 else Or(nears)

    def primary(self) -> Node:
        token = self.take()
        if token.kind == "WORDS":
            assert token.words is not None
            return token.words
        if token.kind == "TOPIC":
            return TopicRef(token.name, token.column)
        if token.kind == "AMOUNT":
            assert token.amount is not None
            return token.amount
        if token.kind == "FIELD":
            self.operand_after(token, _PRIMARY_START)
            with self.nested(token):
                child = self.primary()
            if token.name == "event":
                self._check_event_types(child, token.column)
            return Field(token.name, child)
        if token.kind == "LPAREN":
            if self.peek().kind == "RPAREN":
                raise self.error("empty parentheses", token.column)
            if self.peek().kind == "END":
                raise self.error("unbalanced parenthesis: this '(' is never closed", token.column)
            with self.nested(token):
                node = self.or_expr()
            if self.peek().kind != "RPAREN":
                raise self.error("unbalanced parenthesis: this '(' is never closed", token.column)
            self.take()
            return node
        if token.kind == "RPAREN":
            raise self.error("unbalanced parenthesis: this ')' has no matching '('", token.column)
        if token.kind == "END":
            raise self.error("the query ends where a term is expected", token.column)
        raise self.error(f"{token.kind} needs a term before it", token.column)


def parse(query: str) -> Node:
    """Parse ``query`` into a tree; raise :class:`QueryError` with the column on bad syntax."""
    tree = _Parser(query).parse()
    if _depth(tree) > MAX_DEPTH:
        raise QueryError(f"nests more than {MAX_DEPTH} operators (AND, OR, NOT, NEAR) deep", 1, query)
    return tree


def _depth(node: Node) -> int:
    """How many operators nest in ``node`` (fields and topics are no level of their own)."""
    if isinstance(node, And | Or):
        return 1 + max(_depth(child) for child in node.children)
    if isinstance(node, Not):
        return 1 + _depth(node.child)
    if isinstance(node, Field):
        return _depth(node.child)
    return 1 if isinstance(node, Near) else 0


# --- tree helpers ------------------------------------------------------------


def resolve_topics(node: Node, topics: Mapping[str, str | Node]) -> Node:
    """Replace every ``@name`` by the topic's tree, recursively.

    Topics given as strings are parsed here. An unknown topic, a cycle
    (``@a`` uses ``@b`` uses ``@a``) or a syntax error inside a topic raises
    :class:`QueryError` naming the topic(s). Each topic is resolved once and
    its tree shared by every reference.
    """
    resolved: dict[str, _Sized] = {}

    def topic(ref: TopicRef, stack: tuple[str, ...]) -> _Sized:
        if ref.name in stack:
            cycle = " -> ".join(f"@{name}" for name in (*stack[stack.index(ref.name) :], ref.name))
            raise QueryError(f"topic cycle: {cycle}", ref.column)
        if ref.name in resolved:
            return resolved[ref.name]
        if len(stack) >= MAX_TOPIC_CHAIN:
            chain = " -> ".join(f"@{name}" for name in (*stack, ref.name))
            raise QueryError(
                f"topics use topics more than {MAX_TOPIC_CHAIN} levels deep: {chain}", ref.column
            )
        if ref.name not in topics:
            where = f" (used in topic @{stack[-1]})" if stack else ""
            raise QueryError(f"unknown topic @{ref.name}{where}", ref.column)
        definition = topics[ref.name]
        if isinstance(definition, str):
            try:
                definition = parse(definition)
            except QueryError as exc:
                raise QueryError(f"in topic @{ref.name}: {exc.message}", exc.column, exc.query) from exc
        sized = walk(definition, (*stack, ref.name))
        if sized.nodes > MAX_RESOLVED_NODES or sized.depth > MAX_DEPTH:
            raise QueryError(f"topic @{ref.name} {_too_large(sized)}", ref.column)
        resolved[ref.name] = sized
        return sized

    def walk(node: Node, stack: tuple[str, ...]) -> _Sized:
        if isinstance(node, TopicRef):
            return topic(node, stack)
        if isinstance(node, And | Or):
            children = [walk(child, stack) for child in node.children]
            tree = type(node)(tuple(child.tree for child in children))
            return _Sized.of(tree, children)
        if isinstance(node, Not):
            child = walk(node.child, stack)
            return _Sized.of(Not(child.tree), [child])
        if isinstance(node, Field):
            child = walk(node.child, stack)
            return _Sized(Field(node.name, child.tree), 1 + child.nodes, child.depth)
        return _Sized(node, 1, _depth(node))

    whole = walk(node, ())
    if whole.nodes > MAX_RESOLVED_NODES or whole.depth > MAX_DEPTH:
        raise QueryError(f"the query {_too_large(whole)}", 1)
    return whole.tree


@dataclass(frozen=True)
class _Sized:
    """A resolved tree with its size counted as walkers see it (a shared subtree once per use), and
    how many operators nest in it."""

    tree: Node
    nodes: int
    depth: int

    @classmethod
    def of(cls, tree: Node, children: list[_Sized]) -> _Sized:
        return cls(tree, 1 + sum(c.nodes for c in children), 1 + max(c.depth for c in children))


def _too_large(sized: _Sized) -> str:
    if sized.nodes > MAX_RESOLVED_NODES:
        return f"expands to more than {MAX_RESOLVED_NODES} terms and operators through its topics"
    return f"nests more than {MAX_DEPTH} operators (AND, OR, NOT, NEAR) deep through its topics"


def canonical_orgs(node: Node, aliases: Mapping[tuple[str, ...], tuple[str, ...]]) -> Node:
    """``org:`` terms written as a known alias become the organisation's canonical name.

    ``aliases`` maps the folded words of every alias to those of its
    organisation's canonical name, so ``org:"Open AI"`` and ``org:OpenAI``
    are one condition in rules and in search alike.
    """

    def canon(words: Words) -> Words:
        canonical = None if words.prefix else aliases.get(words.words)
        return Words(canonical, False, words.column) if canonical else words

    def walk(node: Node, in_org: bool) -> Node:
        if isinstance(node, Words):
            return canon(node) if in_org else node
        if isinstance(node, And):
            return And(tuple(walk(child, in_org) for child in node.children))
        if isinstance(node, Or):
            return Or(tuple(walk(child, in_org) for child in node.children))
        if isinstance(node, Not):
            return Not(walk(node.child, in_org))
        if isinstance(node, Near):
            return Near(tuple(canon(w) if in_org else w for w in node.children), node.distance)
        if isinstance(node, Field):
            return Field(node.name, walk(node.child, node.name == "org"))
        return node

    return walk(node, False)


def topic_refs(node: Node) -> list[TopicRef]:
    """Every ``@name`` in ``node``, in order."""
    if isinstance(node, TopicRef):
        return [node]
    if isinstance(node, And | Or):
        return [ref for child in node.children for ref in topic_refs(child)]
    if isinstance(node, Not | Field):
        return topic_refs(node.child)
    return []


def names_field(node: Node, name: str) -> bool:
    """Whether ``name:`` appears anywhere in ``node`` (topics resolved)."""
    if isinstance(node, Field):
        return node.name == name or names_field(node.child, name)
    if isinstance(node, And | Or):
        return any(names_field(child, name) for child in node.children)
    if isinstance(node, Not):
        return names_field(node.child, name)
    return False


def terms_of(node: Node) -> list[Words]:
    """The terms and phrases that make ``node`` match, in order, without duplicates.

    Negated terms and the values of :data:`FACT_FIELDS` are left out: they
    are not words to show or highlight in the article.
    """
    seen: dict[Words, None] = {}

    def walk(node: Node) -> None:
        if isinstance(node, Words):
            seen.setdefault(node, None)
        elif isinstance(node, And | Or | Near):
            for child in node.children:
                walk(child)
        elif isinstance(node, Field) and node.name not in FACT_FIELDS:
            walk(node.child)

    walk(node)
    return list(seen)


def unparse(node: Node) -> str:
    """A query string that parses back to ``node``."""
    if isinstance(node, Words):
        text = " ".join(node.words)
        star = "*" if node.prefix else ""
        return f"{text}{star}" if len(node.words) == 1 else f'"{text}"{star}'
    if isinstance(node, TopicRef):
        return f"@{node.name}"
    if isinstance(node, AmountAtLeast):
        return f"amount>={_amount_text(node.value)}:{node.currency}"
    if isinstance(node, Near):
        return f" NEAR/{node.distance} ".join(unparse(child) for child in node.children)
    if isinstance(node, Not):
        return f"NOT {_grouped(node.child)}"
    if isinstance(node, Field):
        return f"{node.name}:{_grouped(node.child, in_field=True)}"
    joiner = " AND " if isinstance(node, And) else " OR "
    return joiner.join(_grouped(child) for child in node.children)


def _amount_text(value: float) -> str:
    for suffix, unit in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= unit:
            return f"{round(value / unit, 6):f}".rstrip("0").rstrip(".") + suffix
    return f"{value:f}".rstrip("0").rstrip(".")


def _grouped(node: Node, in_field: bool = False) -> str:
    # A field takes a single primary, so a negation or NEAR under it needs
    # parentheses too.
    wrap = isinstance(node, And | Or) or (in_field and isinstance(node, Not | Near))
    return f"({unparse(node)})" if wrap else unparse(node)
