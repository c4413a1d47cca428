"""Hostile queries: nesting deep enough to overflow Python's stack is a QueryError with its column."""

from __future__ import annotations

import httpx
import pytest

from db import query as q
from db.errors import QueryError
from tests.web.conftest import client, server, site  # noqa: F401 - the web tests' fixtures

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
