"""Alert rules: pure functions from an article to the rules it matches.

A rule is a query in the newsmon query language (grammar in
:mod:`db.query`; the user's version is CONTRACT.md, "Rule query language"):

    terms, "quoted phrases", prefix*, AND, OR, NOT / -term, ( ), implicit
    AND; precedence NOT > AND > OR; a NEAR/n b; title: lead: source: lang:
    event: org: before a term, phrase or group; amount>=1B; @topic for a
    named query.

Matching is case- and accent-insensitive, on whole words (Unicode word
boundaries); "GPT-4" and "d’OpenAI" are their words in sequence
(:mod:`db.textfold`).

Where terms are looked for: title, summary and full text, unless a field
restricts them — ``title:`` the title, ``lead:`` the title and the lead
(the article's first paragraph, at most 400 characters), ``source:`` the
source's name, ``lang:`` the language code, ``event:`` the event types the
article reports as its news, ``org:`` its organisations (an alias of the
watch list stands for the organisation's canonical name). ``amount>=``
compares the largest amount it states, in US dollars. Phrases and NEAR stay
inside one field.

Order of work: :meth:`RuleSet.compile` parses every topic, then every rule,
expands ``@topics`` and builds one automaton for all terms — errors name the
rule or topic and the column. :meth:`RuleSet.match` then folds and scans each
field of the article once, evaluates only the rules whose trigger terms
occurred, and returns matches in the order the rules were given.

No I/O here: callers load rules from the configuration and store alerts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from alerts.errors import RuleError
from alerts.matcher import Check, Compiler, Explain, Hits, Matcher
from db.errors import QueryError
from db.policy import IMMEDIATE, DeliveryPolicy
from db.query import Node, canonical_orgs, parse, resolve_topics, topic_refs

OrgAliases = Mapping[tuple[str, ...], tuple[str, ...]]
"""Folded words of each organisation alias -> those of its canonical name."""


@dataclass(frozen=True)
class ArticleText:
    """What a rule sees of an article: its words, and what event detection found in it."""

    title: str
    summary: str
    text: str
    lead: str
    source: str
    language: str | None
    events: tuple[str, ...] = ()  # event types reported as the article's news
    orgs: tuple[str, ...] = ()  # canonical names
    amount_usd: float | None = None  # the largest amount stated
    # ``text`` as db.textfold.word_string folds it, when the caller has it already (event
    # detection does: Analysis.text_words); the rules then do not fold the text again.
    text_words: str | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class RuleSpec:
    name: str
    query: str
    channels: tuple[str, ...]
    policy: DeliveryPolicy = IMMEDIATE  # how its alerts are delivered (digests, quiet hours, caps)


@dataclass(frozen=True)
class Match:
    """A rule that matched, with the article's words that made it match (folded)."""

    rule: str
    channels: tuple[str, ...]
    terms: tuple[str, ...]
    policy: DeliveryPolicy = IMMEDIATE


@dataclass(frozen=True)
class _Rule:
    spec: RuleSpec
    check: Check
    explain: Explain


class RuleSet:
    """Rules compiled together; immutable, safe to share between threads."""

    def __init__(
        self,
        rules: tuple[_Rule, ...],
        matcher: Matcher,
        triggered: list[tuple[int, ...]],
        always: tuple[int, ...],
    ) -> None:
        self._rules = rules
        self._matcher = matcher
        self._triggered = triggered
        self._always = always
        self._by_name = {rule.spec.name: rule for rule in rules}
        self.names: tuple[str, ...] = tuple(rule.spec.name for rule in rules)

    @classmethod
    def compile(
        cls, rules: Sequence[RuleSpec], topics: Mapping[str, str], org_aliases: OrgAliases | None = None
    ) -> RuleSet:
        """Compile ``rules`` using ``topics``; raise :class:`RuleError` naming what is wrong."""
        trees = _parse_topics(topics)
        compiler = Compiler()
        compiled: list[_Rule] = []
        triggered: dict[int, list[int]] = {}
        always: list[int] = []
        seen: set[str] = set()
        for index, spec in enumerate(rules):
            if spec.name in seen:
                raise RuleError("two rules have this name; rule names must be unique", rule=spec.name)
            seen.add(spec.name)
            node = canonical_orgs(_parse_rule(spec, trees), org_aliases or {})
            compiled.append(_Rule(spec, compiler.check(node), compiler.explainer(node)))
            keys = compiler.triggers(node)
            if keys is None:
                always.append(index)
            else:
                for key in keys:
                    triggered.setdefault(key, []).append(index)
        # Indexed by key id: every key gets a (possibly empty) tuple of rules.
        by_key = [tuple(triggered.get(key, ())) for key in range(len(compiler.keys))]
        return cls(tuple(compiled), Matcher(compiler), by_key, tuple(always))

    def match(self, article: ArticleText) -> list[Match]:
        """Every rule ``article`` matches, in the rules' order."""
        hits = self._scan(article)
        candidates = set(self._always).union(*map(self._triggered.__getitem__, hits.all_keys()))
        matches = []
        for index in sorted(candidates):
            rule = self._rules[index]
            if rule.check(hits):
                matches.append(self._match(rule, hits))
        return matches

    def match_rule(self, name: str, article: ArticleText) -> Match | None:
        """Whether the rule ``name`` matches ``article``; KeyError for an unknown rule."""
        rule = self._by_name[name]
        hits = self._scan(article)
        return self._match(rule, hits) if rule.check(hits) else None

    def _scan(self, article: ArticleText) -> Hits:
        fields = (
            article.title,
            article.summary,
            article.text,
            article.lead,
            article.source,
            article.language or "",
            article.events,
            article.orgs,
        )
        return self._matcher.scan(fields, article.amount_usd, article.text_words)

    def _match(self, rule: _Rule, hits: Hits) -> Match:
        term_text = self._matcher.term_text
        # A term found in several branches is looked up once.
        found = (term_text(hits, key, scope) for key, scope in dict.fromkeys(rule.explain(hits) or ()))
        terms = tuple(dict.fromkeys(text for text in found if text is not None))
        return Match(rule.spec.name, rule.spec.channels, terms, rule.spec.policy)


def _parse_topics(topics: Mapping[str, str]) -> dict[str, Node]:
    trees: dict[str, Node] = {}
    for name, query in topics.items():
        try:
            trees[name] = parse(query)
        except QueryError as exc:
            raise RuleError(exc.message, topic=name, column=exc.column, query=query) from exc
    # Follow each topic's references here, so that a cycle or an unknown
    # topic is reported against the topic that leads to it (the column of
    # that reference), even when no rule uses it — rules then cannot fail so.
    for name, tree in trees.items():
        for ref in topic_refs(tree):
            try:
                resolve_topics(ref, trees)
            except QueryError as exc:
                raise RuleError(exc.message, topic=name, column=ref.column, query=topics[name]) from exc
    return trees


def _parse_rule(spec: RuleSpec, topics: Mapping[str, Node]) -> Node:
    try:
        return resolve_topics(parse(spec.query), topics)
    except QueryError as exc:
        raise RuleError(exc.message, rule=spec.name, column=exc.column, query=spec.query) from exc
