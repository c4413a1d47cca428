"""The query language: folding, word splitting, parse trees, errors with columns, topics."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from db.errors import QueryError
from db.query import (
    AmountAtLeast,
    And,
    Field,
    Near,
    Node,
    Not,
    Or,
    TopicRef,
    Words,
    canonical_orgs,
    parse,
    resolve_topics,
    terms_of,
    unparse,
)
from db.textfold import fold, fold_with_origin, token_spans, tokens, word_string


def w(*words: str, prefix: bool = False) -> Words:
    return Words(tuple(words), prefix)


# --- folding and words -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Comète", "comete"),
        ("ÉNERGIE", "energie"),
        ("Straße", "strasse"),
        ("Œuvre cœur Æther", "oeuvre coeur aether"),
        ("ﬁnance", "finance"),
        ("d’OpenAI l‘IA lʼIA l´IA", "d'openai l'ia l'ia l'ia"),
        ("İstanbul", "istanbul"),
        ("Ｆｕｌｌ", "full"),
        ("Łódź Øresund", "lodz oresund"),
        ("infor\u00admation", "information"),
        ("plain ASCII, kept: as-is!", "plain ascii, kept: as-is!"),
        ("niño año pingüino", "nino ano pinguino"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("d’OpenAI", ["d", "openai"]),
        ("l'IA générative", ["l", "ia", "generative"]),
        ("GPT-4o, A.I. and snake_case", ["gpt", "4o", "a", "i", "and", "snake", "case"]),
        ("«Bonjour»—dit-il…", ["bonjour", "dit", "il"]),
        ("$6.5bn for 10 000 GPUs", ["6", "5bn", "for", "10", "000", "gpus"]),
        ("ÉNERGIE xénergie", ["energie", "xenergie"]),
        ("東京 AI", ["東京", "ai"]),
        ("", []),
        ("— … —", []),
    ],
)
def test_tokens(text: str, words: list[str]) -> None:
    assert tokens(text) == words


def test_token_spans_point_into_the_folded_text() -> None:
    text = "Microsoft investit des milliards dans d’OpenAI"
    folded = fold(text)
    for word, start, end in token_spans(text):
        assert folded[start:end] == word


@pytest.mark.parametrize(
    "text",
    [
        "Plain ASCII text.",
        "Nvidia invierte 500 millones de dólares — «ronda de financiación» …",
        "Übernahme: Straße, Œuvre, ™, ½ µm, ƒ",
        "Polski: Łódź; Ελληνικά; русский; 東京",
        "",
        "   ",
    ],
)
def test_word_string_is_tokens_joined(text: str) -> None:
    words = tokens(text)
    assert word_string(text) == (" " + " ".join(words) + " " if words else " ")


_ACCENTABLE = st.text(alphabet=st.sampled_from("aeiouncAEIOUNC"), min_size=1, max_size=10)
_MARKS = st.sampled_from(["\u0301", "\u0300", "\u0302", "\u0308", "\u0303", "\u0327"])


@st.composite
def accented(draw: st.DrawFn) -> tuple[str, str]:
    """A plain word and a variant of it with random case and accents (NFC)."""
    plain = draw(_ACCENTABLE)
    chars = []
    for char in plain:
        if draw(st.booleans()):
            char = unicodedata.normalize("NFC", char + draw(_MARKS))
        chars.append(char.upper() if draw(st.booleans()) else char)
    return plain.lower(), "".join(chars)


@given(accented())
def test_an_accented_variant_folds_to_the_plain_word(pair: tuple[str, str]) -> None:
    plain, variant = pair
    assert fold(variant) == plain
    assert tokens(variant) == [plain]


@given(st.text(max_size=60))
@settings(max_examples=300)
def test_fold_is_idempotent_and_word_string_agrees_with_tokens(text: str) -> None:
    assert fold(fold(text)) == fold(text)
    words = tokens(text)
    assert tokens(" ".join(words)) == words
    assert word_string(text) == (" " + " ".join(words) + " " if words else " ")


@given(st.text(max_size=60))
@settings(max_examples=300)
def test_fold_with_origin_folds_alike_and_points_into_the_text(text: str) -> None:
    folded, origin = fold_with_origin(text)
    assert tokens(folded) == tokens(text)
    assert len(origin) == len(folded)
    assert origin == sorted(origin) and all(0 <= i < len(text) for i in origin)


@given(st.text(alphabet=st.characters(codec="cp1252"), max_size=80))
@settings(max_examples=300)
def test_the_cp1252_shortcut_agrees_with_the_general_path(text: str) -> None:
    words = tokens(text)
    assert word_string(text) == (" " + " ".join(words) + " " if words else " ")


# --- parse trees --------------------------------------------------------------

PARSE_CASES: list[tuple[str, Node]] = [
    ("OpenAI", w("openai")),
    ("comète", w("comete")),
    ('"milliards de dollars"', w("milliards", "de", "dollars")),
    ("“milliards de dollars”", w("milliards", "de", "dollars")),
    ("«Series B» OR „neue Runde“", Or((w("series", "b"), w("neue", "runde")))),
    ("invest*", w("invest", prefix=True)),
    ('"machine learn*"', w("machine", "learn", prefix=True)),
    ('"machine learn"*', w("machine", "learn", prefix=True)),
    ("GPT-4", w("gpt", "4")),
    ("A.I.", w("a", "i")),
    ("l'IA", w("l", "ia")),
    ("d’OpenAI", w("d", "openai")),
    ("a b", And((w("a"), w("b")))),
    ("a AND b AND c", And((w("a"), w("b"), w("c")))),
    ("a OR b OR c", Or((w("a"), w("b"), w("c")))),
    ("a OR b c", Or((w("a"), And((w("b"), w("c")))))),
    ("a b OR c", Or((And((w("a"), w("b"))), w("c")))),
    ("(a OR b) c", And((Or((w("a"), w("b"))), w("c")))),
    ("NOT a b", And((Not(w("a")), w("b")))),
    ("a NOT b OR c", Or((And((w("a"), Not(w("b")))), w("c")))),
    ("a -b", And((w("a"), Not(w("b"))))),
    ("-(a OR b)", Not(Or((w("a"), w("b"))))),
    ('-"a b"', Not(w("a", "b"))),
    ("NOT NOT a", Not(Not(w("a")))),
    ("a and b or not c", And((w("a"), w("and"), w("b"), w("or"), w("not"), w("c")))),
    ("a near b", And((w("a"), w("near"), w("b")))),
    ("Microsoft NEAR/10 OpenAI", Near((w("microsoft"), w("openai")), 10)),
    ("a NEAR b", Near((w("a"), w("b")), 10)),
    ("a NEAR/0 b", Near((w("a"), w("b")), 0)),
    ('a NEAR/3 "b c" NEAR/3 d*', Near((w("a"), w("b", "c"), w("d", prefix=True)), 3)),
    ("(a OR b) NEAR/5 c", Or((Near((w("a"), w("c")), 5), Near((w("b"), w("c")), 5)))),
    ("NOT a NEAR/2 b", Not(Near((w("a"), w("b")), 2))),
    ("x a NEAR/2 b", And((w("x"), Near((w("a"), w("b")), 2)))),
    ("title:OpenAI", Field("title", w("openai"))),
    ('lead:"Series B"', Field("lead", w("series", "b"))),
    ("title:(a OR b)", Field("title", Or((w("a"), w("b"))))),
    ("TITLE:a", Field("title", w("a"))),
    ("source:arsfr lang:fr", And((Field("source", w("arsfr")), Field("lang", w("fr"))))),
    ("-title:a", Not(Field("title", w("a")))),
    ("title:(a NEAR/3 b)", Field("title", Near((w("a"), w("b")), 3))),
    ("title:@ai", Field("title", TopicRef("ai"))),
    ("@ai AND @investment", And((TopicRef("ai"), TopicRef("investment")))),
    ("@ai-deals", TopicRef("ai-deals")),
    ("Re:Invent", w("re", "invent")),
    ("AT&T", w("at", "t")),
    ("Procter & Gamble", And((w("procter"), w("gamble")))),
    ("a - b", And((w("a"), w("b")))),
    ("  spaced\tout  ", And((w("spaced"), w("out")))),
    ('"AND OR NOT"', w("and", "or", "not")),
    (
        '(invest* OR investissement OR "milliards de dollars") AND (@ai OR Microsoft)',
        And(
            (
                Or((w("invest", prefix=True), w("investissement"), w("milliards", "de", "dollars"))),
                Or((TopicRef("ai"), w("microsoft"))),
            )
        ),
    ),
]


@pytest.mark.parametrize(("query", "tree"), PARSE_CASES)
def test_parse(query: str, tree: Node) -> None:
    assert parse(query) == tree


@pytest.mark.parametrize(("query", "tree"), PARSE_CASES)
def test_unparse_round_trips(query: str, tree: Node) -> None:
    assert parse(unparse(tree)) == tree


def test_columns_are_recorded_on_terms_and_topics() -> None:
    tree = parse('a  "b c" @t')
    assert isinstance(tree, And)
    assert [getattr(child, "column", None) for child in tree.children] == [1, 4, 10]


# --- errors -----------------------------------------------------------------

ERROR_CASES = [
    ("", 1, "empty"),
    ("   ", 1, "empty"),
    ("(", 1, "never closed"),
    ("(a", 1, "never closed"),
    ("a (b OR c", 3, "never closed"),
    (")", 1, "no matching"),
    ("a)", 2, "no matching"),
    ("(a))", 4, "no matching"),
    ("()", 1, "empty parentheses"),
    ("a () b", 3, "empty parentheses"),
    ('"abc', 1, "quote"),
    ('a "b c', 3, "quote"),
    ("a «b c", 3, "quote"),
    ('""', 1, "empty phrase"),
    ("a AND", 3, "AND needs a term after it"),
    ("a OR", 3, "OR needs a term after it"),
    ("OR a", 1, "OR needs a term before it"),
    ("AND a", 1, "AND needs a term before it"),
    ("a OR OR b", 3, "OR needs a term after it"),
    ("a AND OR b", 3, "AND needs a term after it"),
    ("(a OR) b", 4, "OR needs a term after it"),
    ("NOT", 1, "NOT needs a term after it"),
    ("a NOT", 3, "NOT needs a term after it"),
    ("a NEAR", 3, "NEAR needs a term after it"),
    ("NEAR a", 1, "NEAR needs a term before it"),
    ("a NEAR/x b", 3, "NEAR/ needs a number"),
    ("a NEAR/ b", 3, "NEAR/ needs a number"),
    ("a NEAR/2 b NEAR/3 c", 12, "one distance"),
    ("title:a NEAR b", 1, "NEAR joins terms or phrases"),
    ("a NEAR/2 -b", 3, "NEAR needs a term after it"),
    ("a NEAR/2 @t", 10, "NEAR joins terms or phrases"),
    ("a NEAR (b c)", 8, "NEAR joins terms or phrases"),
    ("title:", 1, "title: must be followed"),
    ("title: a", 1, "title: must be followed"),
    ("x lead:&", 3, "lead: must be followed"),
    ("title:-a", 7, "put '-' before the field"),
    ("in*vest", 3, "only at the end"),
    ("*", 1, "needs the beginning of a word"),
    ("a @", 3, "not a topic name"),
    ("@a.b", 1, "not a topic name"),
]


@pytest.mark.parametrize(("query", "column", "message"), ERROR_CASES)
def test_errors_carry_the_column(query: str, column: int, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse(query)
    assert caught.value.column == column
    assert message in caught.value.message
    assert caught.value.query == query
    assert f"column {column}" in str(caught.value)


@given(st.text(alphabet=st.sampled_from(list('ab "()*-:@ANDORTtitle/0123456789')), max_size=25))
@settings(max_examples=400)
def test_any_input_parses_or_raises_a_query_error_in_range(query: str) -> None:
    try:
        tree = parse(query)
    except QueryError as exc:
        assert exc.column is not None
        assert 1 <= exc.column <= len(query) + 1
    else:
        assert parse(unparse(tree)) == tree


# --- topics and terms ----------------------------------------------------------


def test_resolve_topics_expands_recursively_and_shares_trees() -> None:
    topics = {"ai": "OpenAI OR @labs", "labs": "Anthropic OR DeepMind"}
    tree = resolve_topics(parse("@ai AND title:@labs"), topics)
    labs = Or((w("anthropic"), w("deepmind")))
    assert tree == And((Or((w("openai"), labs)), Field("title", labs)))


def test_resolve_topics_accepts_parsed_trees() -> None:
    assert resolve_topics(parse("@x"), {"x": w("y")}) == w("y")


def test_unknown_topic_names_it_with_its_column() -> None:
    with pytest.raises(QueryError) as caught:
        resolve_topics(parse("a OR @nope"), {})
    assert "@nope" in caught.value.message
    assert caught.value.column == 6


def test_a_topic_cycle_names_the_topics() -> None:
    with pytest.raises(QueryError) as caught:
        resolve_topics(parse("@a"), {"a": "x OR @b", "b": "@a"})
    assert "@a -> @b -> @a" in caught.value.message


def test_a_self_reference_is_a_cycle() -> None:
    with pytest.raises(QueryError, match="@a -> @a"):
        resolve_topics(parse("@a"), {"a": "x OR @a"})


def test_a_syntax_error_inside_a_topic_names_it() -> None:
    with pytest.raises(QueryError) as caught:
        resolve_topics(parse("@a"), {"a": "(x"})
    assert "@a" in caught.value.message
    assert caught.value.column == 1


def test_terms_of_lists_positive_text_terms_once() -> None:
    tree = parse('invest* "Series B" -crypto title:OpenAI source:ars lang:en (a NEAR/3 b) invest*')
    assert terms_of(tree) == [
        w("invest", prefix=True),
        w("series", "b"),
        w("openai"),
        w("a"),
        w("b"),
    ]


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        ("amount>=1B", AmountAtLeast(1e9, "USD")),
        ("amount >= 2.5M", AmountAtLeast(2.5e6, "USD")),
        ("AMOUNT>=500m:eur", AmountAtLeast(5e8, "EUR")),
        ("amount>=750k:gbp", AmountAtLeast(7.5e5, "GBP")),
        ("event:investment", Field("event", Words(("investment",)))),
        ("org:OpenAI amounts", And((Field("org", Words(("openai",))), Words(("amounts",))))),
    ],
)
def test_facts_parse(query: str, tree: Node) -> None:
    assert parse(query) == tree
    assert parse(unparse(tree)) == tree


@pytest.mark.parametrize(
    ("query", "column", "message"),
    [
        ("amount>1B", 1, "amounts compare with >= only"),
        ("x amount>=many", 3, "amount>= takes a number"),
        ("amount>=1B:XYZ", 1, "no rate for that currency"),
        ("event:merger", 1, "event: takes investment, acquisition or partnership"),
        ("event:invest*", 1, "event: takes"),
        ('event:"investment deal"', 1, "event: takes"),
        ("title:amount>=1B", 1, "title: must be followed directly"),
    ],
)
def test_fact_errors_carry_the_column(query: str, column: int, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse(query)
    assert caught.value.column == column
    assert message in caught.value.message


def test_canonical_orgs_rewrites_aliases_inside_org_fields_only() -> None:
    aliases = {("open", "ai"): ("openai",)}
    tree = canonical_orgs(parse('org:"Open AI" OR "open ai"'), aliases)
    assert tree == Or((Field("org", Words(("openai",))), Words(("open", "ai"))))


def test_terms_of_leaves_out_facts() -> None:
    assert terms_of(parse("org:openai event:investment amount>=1B invest*")) == [Words(("invest",), True)]
