"""The rule engine: matching semantics, fields, NEAR, errors, agreement with the reference."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alerts import reference
from alerts.errors import RuleError
from alerts.rules import ArticleText, Match, RuleSet, RuleSpec
from db.query import And, Field, Near, Node, Not, Or, Words, parse, resolve_topics, unparse


def article(
    text: str = "",
    title: str = "",
    summary: str = "",
    lead: str = "",
    source: str = "wire",
    language: str | None = "en",
) -> ArticleText:
    return ArticleText(title=title, summary=summary, text=text, lead=lead, source=source, language=language)


def matches(query: str, art: ArticleText, topics: dict[str, str] | None = None) -> bool:
    rules = RuleSet.compile([RuleSpec("r", query, ("console",))], topics or {})
    return bool(rules.match(art))


# --- semantics, table-driven ----------------------------------------------------

TEXT_CASES = [
    # case and accents, both ways
    ("comete", "Une comète visible à l'œil nu", True),
    ("comète", "UNE COMETE VISIBLE", True),
    ("energie", "ÉNERGIE: les prix montent", True),
    ("énergie", "la xénergie est un mot inventé", False),
    ("energie", "xénergie", False),
    ("energie", "énergies", False),
    ("oeuvre", "Une Œuvre majeure", True),
    ("strasse", "Hauptstraße 1", False),
    ("hauptstrasse", "Hauptstraße 1", True),
    # whole words only
    ("ai", "he said that", False),
    ("ai", "Meta AI, said", True),
    ("ia", "l'IA générative", True),
    ("openai", "les recherches d’OpenAI avancent", True),
    ("d'openai", "les recherches d’OpenAI avancent", True),
    ('"l\'IA générative"', "le boom de l’IA générative", True),
    # prefixes
    ("invest*", "Microsoft investit dans OpenAI", True),
    ("invest*", "a reinvestment plan", False),
    ("investit", "investissement", False),
    ('"series b*"', "a Series Bravo round", True),
    # phrases and punctuation
    ('"milliards de dollars"', "des milliards de dollars", True),
    ('"milliards de dollars"', "des milliards, de dollars", True),
    ('"milliards de dollars"', "des dollars de milliards", False),
    ("GPT-4", "the GPT 4 model", True),
    ("GPT-4", "gpt-4o", False),
    ("GPT-4*", "gpt-4o", True),
    ("A.I.", "the A.I. boom", True),
    ('"raises $450 million"', "Anthropic raises $450 million", True),
    # booleans
    ("openai microsoft", "Microsoft and OpenAI", True),
    ("openai microsoft", "OpenAI alone", False),
    ("openai OR anthropic", "Anthropic alone", True),
    ("openai -microsoft", "OpenAI alone", True),
    ("openai -microsoft", "OpenAI and Microsoft", False),
    ("NOT crypto", "nothing about it", True),
    ("NOT crypto", "Crypto winter", False),
    ("a OR b c", "a", True),
    ("a OR b c", "b", False),
    ("(a OR b) c", "a", False),
    # lowercase operators are words
    ("salt and pepper", "salt, pepper", False),
    ("salt and pepper", "salt and pepper", True),
    # NEAR counts the words in between
    ("Microsoft NEAR/2 OpenAI", "Microsoft backs OpenAI", True),
    ("Microsoft NEAR/2 OpenAI", "OpenAI is backed by Microsoft", False),
    ("Microsoft NEAR/3 OpenAI", "OpenAI is backed by Microsoft", True),
    ("a NEAR/0 b", "a b", True),
    ("a NEAR/0 b", "b a", True),
    ("a NEAR/0 b", "a x b", False),
    ('"series c" NEAR/1 anthropic', "Anthropic closes Series C", True),
    ('anthropic NEAR/1 "series c"', "Series C for Anthropic", True),
    ('anthropic NEAR/0 "series c"', "Series C for Anthropic", False),
    # a chain is one window: at most n words from the end of the first to the last
    ("a NEAR/3 b NEAR/3 c", "a x b y c", True),
    ("a NEAR/2 b NEAR/2 c", "a x b y c", False),
    ("a NEAR/2 b NEAR/2 c", "c b x a", True),
    ("(buys OR acquires) NEAR/3 startup", "Nvidia acquires the startup", True),
    # a parenthesised OR in NEAR is a product of NEARs, checked as one group
    ("(a OR b) NEAR/1 (c OR d)", "b x d", True),
    ("(a OR b) NEAR/1 (c OR d)", "a x x d", False),
    ("(a OR b) NEAR/1 (c OR d) NEAR/1 e", "e d b", True),
    ("raises NEAR/1 (million* OR 1* OR 2* OR 3* OR 4*)", "Anthropic raises $450 million", True),
    ("raises NEAR/1 (million* OR 1* OR 2* OR 3* OR 4*)", "Apple raises prices by 5%", False),
    ("(invest* OR raises) NEAR/2 (openai OR anthropic) OR crypto", "crypto", True),
    ("invest* NEAR/1 openai", "investit dans OpenAI", True),
]


@pytest.mark.parametrize(("query", "text", "expected"), TEXT_CASES)
def test_text_matching(query: str, text: str, expected: bool) -> None:
    art = article(text=text)
    assert matches(query, art) is expected
    assert reference.evaluate(parse(query), _words(art)) is expected


def _words(art: ArticleText) -> reference.Fields:
    return reference.Fields(
        art.title,
        art.summary,
        art.text,
        art.lead,
        art.source,
        art.language,
        art.events,
        art.orgs,
        art.amount_usd,
    )


FIELD_CASES = [
    ("title:openai", article(title="OpenAI raises", text="nothing"), True),
    ("title:openai", article(title="Funding news", text="OpenAI"), False),
    ("openai", article(title="OpenAI", text="x"), True),
    ("openai", article(summary="about OpenAI"), True),
    ("openai", article(lead="OpenAI"), False),  # the lead is not part of the body
    ("lead:openai", article(lead="OpenAI raised", text="OpenAI raised"), True),
    ("lead:openai", article(title="OpenAI raised"), True),
    ("lead:openai", article(text="later, OpenAI raised", lead="Other news."), False),
    ("source:arsfr", article(source="arsfr"), True),
    ("source:ars", article(source="ars-fr"), True),
    ("source:arsfr", article(source="wire", text="arsfr"), False),
    ("lang:fr", article(language="fr"), True),
    ("lang:fr", article(language="en", text="fr"), False),
    ("lang:fr", article(language=None), False),
    ("-lang:fr", article(language=None), True),
    ("lang:(fr OR de)", article(language="de"), True),
    ("title:(openai NEAR/2 funding)", article(title="OpenAI gets funding"), True),
    ("title:(openai NEAR/2 funding)", article(title="OpenAI", text="funding"), False),
    ('"openai funding"', article(title="About OpenAI", text="funding rounds"), False),
    ("openai NEAR/5 funding", article(title="About OpenAI", text="funding rounds"), False),
    ("title:(openai lead:funding)", article(title="OpenAI", lead="funding"), True),
    ("lead:x title:y", article(title="y", lead="x"), True),
]


@pytest.mark.parametrize(("query", "art", "expected"), FIELD_CASES)
def test_fields(query: str, art: ArticleText, expected: bool) -> None:
    assert matches(query, art) is expected
    assert reference.evaluate(parse(query), _words(art)) is expected


def test_topics_are_expanded() -> None:
    topics = {"ai": "OpenAI OR @labs", "labs": "Anthropic OR DeepMind"}
    assert matches("@ai AND invest*", article(text="DeepMind investit"), topics)
    assert not matches("@ai AND invest*", article(text="Nokia investit"), topics)


def test_seed_rule_from_the_contract() -> None:
    rules = RuleSet.compile(
        [
            RuleSpec(
                "ai-deals",
                '(invest* OR investissement OR "milliards de dollars") AND (@ai OR Microsoft)',
                ("mail", "slack"),
            )
        ],
        {"ai": 'OpenAI OR Anthropic OR "intelligence artificielle" OR "artificial intelligence"'},
    )
    seed = article(
        title="Microsoft investit des milliards de dollars dans OpenAI et étend leur partenariat",
        text="Lundi, OpenAI a annoncé qu’elle avait reçu un “investissement pluriannuel” de Microsoft.",
        language="fr",
    )
    found = rules.match(seed)
    assert [m.rule for m in found] == ["ai-deals"]
    assert found[0].channels == ("mail", "slack")
    assert found[0].terms == ("investit", "investissement", "milliards de dollars", "openai", "microsoft")
    comet = article(title="Les astronomes observent une comète", text="Une comète à longue période.")
    assert rules.match(comet) == []


def test_match_lists_rules_in_order_with_terms() -> None:
    rules = RuleSet.compile(
        [
            RuleSpec("b-rule", "title:openai", ("slack",)),
            RuleSpec("a-rule", "invest* -crypto", ("mail",)),
            RuleSpec("never", "crypto", ("mail",)),
        ],
        {},
    )
    art = article(title="OpenAI news", text="Microsoft investit. Puis réinvestit.")
    assert rules.match(art) == [
        Match("b-rule", ("slack",), ("openai",)),
        Match("a-rule", ("mail",), ("investit",)),
    ]
    assert rules.names == ("b-rule", "a-rule", "never")


@pytest.mark.parametrize(
    ("query", "text", "terms"),
    [
        ("openai OR (crypto AND bitcoin)", "OpenAI and crypto", ("openai",)),
        ("(a NEAR/1 b) OR c", "a x x b c", ("c",)),
        ("(a NEAR/1 b) OR c", "a x b c", ("a", "b", "c")),
        ("openai -crypto", "OpenAI", ("openai",)),
        ("openai lang:en source:wire", "OpenAI", ("openai",)),
        ("title:openai OR invest*", "OpenAI réinvestit, puis investit", ("investit",)),
        # A topic's long OR of terms: those present, in the topic's order, once each.
        ("x AND (zeta OR beta OR gamma OR alpha OR beta)", "x alpha beta", ("x", "beta", "alpha")),
        ("title:(zeta OR alpha) OR (beta OR alpha)", "beta alpha", ("beta", "alpha")),
        # Plain terms and subtrees side by side keep the tree's order.
        ("alpha OR (x AND -zeta) OR (y z) OR beta", "beta z y x alpha", ("alpha", "x", "y", "z", "beta")),
        ("x AND (zeta OR (y AND w)) AND alpha AND -beta", "alpha w y x", ("x", "y", "w", "alpha")),
        ("x AND (zeta OR (y AND w)) AND alpha", "alpha y x", None),
        (
            "(raises OR secures) NEAR/1 (million* OR 4*)",
            "Anthropic raises $450 million",
            ("raises", "million", "450"),
        ),
    ],
)
def test_terms_are_those_that_made_the_rule_hold(
    query: str, text: str, terms: tuple[str, ...] | None
) -> None:
    rules = RuleSet.compile([RuleSpec("r", query, ())], {})
    found = rules.match(article(text=text))
    assert [match.terms for match in found] == ([terms] if terms is not None else [])


def test_match_rule_tests_one_rule() -> None:
    rules = RuleSet.compile([RuleSpec("x", "openai", ()), RuleSpec("y", "nvidia", ())], {})
    art = article(text="OpenAI")
    assert rules.match_rule("x", art) == Match("x", (), ("openai",))
    assert rules.match_rule("y", art) is None
    with pytest.raises(KeyError):
        rules.match_rule("z", art)


def test_an_empty_rule_set_matches_nothing() -> None:
    assert RuleSet.compile([], {}).match(article(text="anything")) == []


def test_a_negation_only_rule_is_always_evaluated() -> None:
    rules = RuleSet.compile([RuleSpec("quiet", "-crypto", ())], {})
    assert [m.rule for m in rules.match(article(text="plain"))] == ["quiet"]


# --- errors name the rule or topic and the column --------------------------------


@pytest.mark.parametrize(
    ("query", "column", "message"),
    [
        ("(invest* OR funding", 1, "never closed"),
        ("invest* AND", 9, "AND needs a term after it"),
        ('openai "series b', 8, "quote"),
        ("openai AND @nope", 12, "unknown topic @nope"),
        ("a NEAR/x b", 3, "NEAR/"),
    ],
)
def test_rule_syntax_errors_name_the_rule_and_column(query: str, column: int, message: str) -> None:
    specs = [RuleSpec("fine", "openai", ()), RuleSpec("ai-deals", query, ())]
    with pytest.raises(RuleError) as caught:
        RuleSet.compile(specs, {"ai": "OpenAI"})
    error = caught.value
    assert (error.rule, error.column, error.query) == ("ai-deals", column, query)
    assert message in error.message
    assert str(error).startswith(f"rule 'ai-deals', column {column}: ")
    assert error.pointer().splitlines() == [query, " " * (column - 1) + "^"]


def test_a_topic_syntax_error_names_the_topic() -> None:
    with pytest.raises(RuleError) as caught:
        RuleSet.compile([RuleSpec("r", "@ai", ())], {"ai": "OpenAI OR"})
    assert (caught.value.topic, caught.value.column) == ("ai", 8)
    assert str(caught.value).startswith("topic 'ai', column 8: ")


def test_a_topic_cycle_is_an_error_even_when_unused() -> None:
    with pytest.raises(RuleError) as caught:
        RuleSet.compile([RuleSpec("r", "x", ())], {"a": "x OR @b", "b": "y @a"})
    assert caught.value.topic == "a"
    assert caught.value.column == 6
    assert "@b -> @a -> @b" in caught.value.message


def test_an_unknown_topic_inside_a_topic_names_the_topic() -> None:
    with pytest.raises(RuleError) as caught:
        RuleSet.compile([], {"ai": "OpenAI OR @labs"})
    assert (caught.value.topic, caught.value.column) == ("ai", 11)
    assert "@labs" in caught.value.message


def test_duplicate_rule_names_are_an_error() -> None:
    with pytest.raises(RuleError, match="unique"):
        RuleSet.compile([RuleSpec("r", "a", ()), RuleSpec("r", "b", ())], {})


# --- properties ---------------------------------------------------------------------

_BASE = st.text(alphabet=st.sampled_from("aeioucnbrst"), min_size=2, max_size=8)
_MARKS = st.sampled_from(["\u0301", "\u0300", "\u0302", "\u0308", "\u0303", "\u0327", ""])


@st.composite
def variant_of(draw: st.DrawFn, word: str) -> str:
    chars = []
    for char in word:
        char = unicodedata.normalize("NFC", char + draw(_MARKS))
        chars.append(char.upper() if draw(st.booleans()) else char)
    return "".join(chars)


@given(st.data(), _BASE)
@settings(max_examples=200)
def test_a_word_and_its_accented_or_cased_variants_match_each_other(data: st.DataObject, word: str) -> None:
    one = data.draw(variant_of(word))
    other = data.draw(variant_of(word))
    assert matches(one, article(text=f"before {other}, after"))
    assert matches(other, article(text=f"«{one}»"))


@given(st.data(), _BASE, st.text(alphabet=st.sampled_from("aeéxzÉÀç0"), min_size=1, max_size=3))
@settings(max_examples=200)
def test_a_term_never_matches_inside_a_longer_word(data: st.DataObject, word: str, extra: str) -> None:
    inside = data.draw(variant_of(word))
    for longer in (extra + inside, inside + extra, extra + inside + extra):
        assert not matches(word, article(text=f"1 {longer} 2"))
        assert matches(word, article(text=f"1 {longer} 2 {inside}."))


_VOCAB = ["alpha", "beta", "gamma", "delta", "eps"]


def _words_strategy() -> st.SearchStrategy[Words]:
    return st.builds(
        lambda words, prefix: Words(tuple(word[:3] if prefix else word for word in words), prefix),
        st.lists(st.sampled_from(_VOCAB), min_size=1, max_size=2),
        st.booleans(),
    )


def _trees() -> st.SearchStrategy[Node]:
    def extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
        several = st.lists(children, min_size=2, max_size=3).map(tuple)
        return st.one_of(
            several.map(And),
            several.map(Or),
            children.map(Not),
            st.builds(Field, st.sampled_from(["title", "lead"]), children),
        )

    near = st.builds(
        Near,
        st.lists(_words_strategy(), min_size=2, max_size=3).map(tuple),
        st.integers(min_value=0, max_value=3),
    )
    return st.recursive(st.one_of(_words_strategy(), near), extend, max_leaves=6)


_TEXTS = st.lists(
    st.sampled_from([*_VOCAB, "Alphabet", "BÉTA", "zeta", "-", "gamma-delta"]), max_size=12
).map(" ".join)


@given(st.lists(_trees(), min_size=1, max_size=6), _TEXTS, _TEXTS, _TEXTS)
@settings(max_examples=300, deadline=None)
def test_the_engine_agrees_with_the_reference(trees: list[Node], title: str, text: str, lead: str) -> None:
    specs = [RuleSpec(f"r{i}", unparse(tree), ()) for i, tree in enumerate(trees)]
    rules = RuleSet.compile(specs, {})
    art = article(title=title, text=text, lead=lead)
    fields = _words(art)
    expected = [spec.name for spec in specs if reference.evaluate(parse(spec.query), fields)]
    assert [m.rule for m in rules.match(art)] == expected
    for spec in specs:
        assert (rules.match_rule(spec.name, art) is not None) is (spec.name in expected)


# --- scale --------------------------------------------------------------------------


def test_resolved_topics_are_shared_between_rules() -> None:
    # Sanity of the test above: topics expand to the same tree object.
    tree = resolve_topics(parse("@t AND @t"), {"t": "a OR b"})
    assert isinstance(tree, And)
    assert tree.children[0] is tree.children[1]
    assert isinstance(tree.children[0], Or)


# --- facts: event:, org:, amount>= ---------------------------------------------


def deal(
    text: str = "", events: tuple[str, ...] = (), orgs: tuple[str, ...] = (), amount: float | None = None
) -> ArticleText:
    return ArticleText(
        title="", summary="", text=text, lead="", source="wire", language="en",
        events=events, orgs=orgs, amount_usd=amount,
    )  # fmt: skip


FACT_CASES = [
    ("event:investment", deal(events=("investment",)), True),
    ("event:investment", deal("investment news", events=("partnership",)), False),
    ("event:(investment OR acquisition)", deal(events=("acquisition",)), True),
    ("-event:acquisition", deal(events=("investment",)), True),
    ("org:openai", deal(orgs=("OpenAI", "Microsoft")), True),
    ("org:openai", deal("OpenAI says", orgs=("Microsoft",)), False),
    ('org:"mistral ai"', deal(orgs=("Mistral AI",)), True),
    # Two organisations are two names, never one phrase.
    ('org:"ai microsoft"', deal(orgs=("Mistral AI", "Microsoft")), False),
    ("org:mistral", deal(orgs=("Mistral AI",)), True),
    ("amount>=1B", deal(amount=1.5e9), True),
    ("amount>=1B", deal(amount=9.99e8), False),
    ("amount>=1B", deal(), False),
    ("NOT amount>=1B", deal(), True),
    ("amount>=800M:EUR", deal(amount=1e9), True),
    ("amount>=900M:EUR", deal(amount=1e9), False),
    (
        "event:investment AND org:openai AND amount>=1B",
        deal(events=("investment",), orgs=("OpenAI",), amount=1e10),
        True,
    ),
    ("openai OR amount>=1B", deal("nothing", amount=2e9), True),
]


@pytest.mark.parametrize(("query", "art", "expected"), FACT_CASES)
def test_facts(query: str, art: ArticleText, expected: bool) -> None:
    assert matches(query, art) is expected
    assert reference.evaluate(parse(query), _words(art)) is expected


def test_org_aliases_stand_for_the_canonical_name() -> None:
    aliases = {("open", "ai"): ("openai",), ("msft",): ("microsoft",)}
    rules = RuleSet.compile(
        [RuleSpec("deals", 'org:"Open AI" AND org:MSFT', ("console",))], {}, org_aliases=aliases
    )
    assert rules.match(deal(orgs=("OpenAI", "Microsoft")))
    assert not rules.match(deal("Open AI and MSFT", orgs=("OpenAI",)))


def test_facts_are_not_terms_to_highlight() -> None:
    rules = RuleSet.compile([RuleSpec("r", "org:openai AND event:investment AND invest*", ("c",))], {})
    [match] = rules.match(deal("OpenAI investment", events=("investment",), orgs=("OpenAI",)))
    assert match.terms == ("investment",)


def test_a_rule_of_facts_alone_is_evaluated_without_a_text_hit() -> None:
    rules = RuleSet.compile([RuleSpec("big", "amount>=1B", ("c",))], {})
    assert rules.match(deal(amount=2e9))
