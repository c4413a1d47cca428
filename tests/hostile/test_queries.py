"""Hostile queries: nesting deep enough to overflow Python's stack is a QueryError with its column."""

from __future__ import annotations

import httpx
import pytest

from db import query as q
from db import search as db_search
from db.errors import QueryError
from db.search import MAX_SEARCH_PHRASES, SearchFilters, search, to_fts5
from tests.web.conftest import Site, client, server, site  # noqa: F401 - the web tests' fixtures

DEEP = 1_000  # levels: a RecursionError before


@pytest.mark.parametrize(
    "query",
    [
        "(" * DEEP + "openai" + ")" * DEEP,
        "(" * 100_000 + "openai",
        "NOT " * DEEP + "openai",
        "-(" * DEEP + "openai" + ")" * DEEP,
        "title:(" * DEEP + "openai" + ")" * DEEP,
    ],
    ids=["parentheses", "unclosed", "nots", "dashes", "fields"],
)
def test_nesting_beyond_the_limit_is_a_query_error(query: str) -> None:
    with pytest.raises(QueryError, match=f"nested more than {q.MAX_NESTING} levels deep at column"):
        q.parse(query)


def test_nesting_up_to_the_limit_parses() -> None:
    depth = q.MAX_NESTING
    assert q.parse("(" * depth + "openai" + ")" * depth) == q.parse("openai")
    fields = depth // 2  # a field and its parenthesis are two levels
    assert isinstance(q.parse("title:(" * fields + "x" + ")" * fields), q.Field)


def test_the_api_answers_a_deep_query_with_400(client: httpx.Client) -> None:  # noqa: F811
    response = client.get("/api/search", params={"q": "(" * DEEP + "openai" + ")" * DEEP})
    assert response.status_code == 400
    assert "nested more than" in response.json()["detail"]
    page = client.get("/", params={"q": "NOT " * DEEP + "openai"})
    assert page.status_code in (200, 400)
    assert "nested more than" in page.text


def test_operators_deeper_than_fts5_takes_are_a_query_error(client: httpx.Client) -> None:  # noqa: F811
    # SQLite's FTS5 parser overflowed its stack at 32 levels: a crash of `newsmon search`, a 500 here.
    deep = "(a OR " * (q.MAX_DEPTH + 1) + "b" + ")" * (q.MAX_DEPTH + 1)
    response = client.get("/api/search", params={"q": deep})
    assert response.status_code == 400
    assert f"nests more than {q.MAX_DEPTH} operators" in response.json()["detail"]
    at_the_limit = "(a OR " * q.MAX_DEPTH + "b" + ")" * q.MAX_DEPTH
    assert client.get("/api/search", params={"q": at_the_limit}).status_code == 200


def test_topics_that_double_at_each_level_are_refused() -> None:
    # 30 topics, each using the previous one twice, made 2^30 terms once resolved: check-config never
    # ended. Within the chain's limit, four uses each.
    uses = " ".join(f"(@t{{0}} OR {word})" for word in "abcd")
    topics = {"t0": "x"} | {f"t{n}": uses.format(n - 1) for n in range(1, q.MAX_TOPIC_CHAIN)}
    with pytest.raises(QueryError, match=f"topic @t7 expands to more than {q.MAX_RESOLVED_NODES} terms"):
        q.resolve_topics(q.parse("@t7"), topics)


def test_a_long_chain_of_topics_is_refused() -> None:
    # 1,500 topics, each using the previous one: a RecursionError (a traceback from check-config).
    topics = {"t0": "x"} | {f"t{n}": f"@t{n - 1}" for n in range(1, 1500)}
    chain = " -> ".join(f"@t{n}" for n in range(1499, 1499 - q.MAX_TOPIC_CHAIN - 1, -1))
    with pytest.raises(QueryError, match=f"more than {q.MAX_TOPIC_CHAIN} levels deep: {chain} at"):
        q.resolve_topics(q.parse("@t1499"), topics)


def test_topics_at_every_limit_at_once_resolve_without_overflowing_the_stack() -> None:
    fields = "title:" * (q.MAX_NESTING - q.MAX_DEPTH)
    ors = "(a OR " * (q.MAX_DEPTH - 1)
    last = q.MAX_TOPIC_CHAIN - 1
    topics = {"t0": "x"} | {f"t{n}": f"{fields}@t{n - 1}" for n in range(1, last)}
    topics[f"t{last}"] = f"{ors}@t{last - 1}{')' * (q.MAX_DEPTH - 1)}"
    tree = q.resolve_topics(q.parse(f"@t{last}"), topics)
    assert q.terms_of(tree)[-1] == q.parse("x")


def test_the_bundled_topics_resolve_within_the_limits() -> None:
    from newsmon.config import load_config

    config = load_config("config.yaml")
    for name in config.topics:
        q.resolve_topics(q.parse(f"@{name}"), dict(config.topics))


def test_a_term_asked_over_and_over_costs_one_term(client: httpx.Client) -> None:  # noqa: F811
    # FTS5 scored and quoted each copy: 250 copies of one word took seconds a search.
    once = client.get("/api/search", params={"q": "openai"})
    over_and_over = client.get("/api/search", params={"q": " OR ".join(["openai"] * 1000)})
    assert once.status_code == over_and_over.status_code == 200
    assert over_and_over.json() == once.json()
    assert to_fts5(q.parse(" OR ".join(["openai"] * 3))) == '({title summary text} : "openai")'


def test_more_distinct_terms_than_a_search_takes_are_a_query_error(client: httpx.Client) -> None:  # noqa: F811
    words = [f"w{n}" for n in range(MAX_SEARCH_PHRASES + 1)]
    response = client.get("/api/search", params={"q": " OR ".join(words)})
    assert response.status_code == 400
    assert f"a search takes at most {MAX_SEARCH_PHRASES}" in response.json()["detail"]
    negated = client.get("/api/search", params={"q": "openai NOT (" + " OR ".join(words) + ")"})
    assert negated.status_code == 400
    assert client.get("/api/search", params={"q": " OR ".join(words[:-1])}).status_code == 200


def test_a_search_outlasting_its_budget_is_stopped_with_a_query_error(
    site: Site,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    query = " OR ".join(["openai", "microsoft", "investit", "milliards"])
    assert search(site.app.database, query, SearchFilters(limit=20))
    monkeypatch.setattr(db_search, "SEARCH_SECONDS", -1.0)  # spent before it starts
    monkeypatch.setattr(db_search, "_PROGRESS_STEPS", 1)
    with pytest.raises(QueryError, match="the search took more than -1 s and was stopped"):
        search(site.app.database, query, SearchFilters(limit=20))
    monkeypatch.undo()
    assert search(site.app.database, query, SearchFilters(limit=20))  # the connection is not left stopping
