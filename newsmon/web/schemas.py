"""The API's response shapes, for the OpenAPI schema: the command line's JSON shapes (CONTRACT.md).

Handlers return the command line's dictionaries as they are; these models
only document them (``responses=``), so a response costs no second validation.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class SearchHit(BaseModel):
    id: int
    title: str
    url: str
    source: str
    published: str | None
    language: str | None
    snippet: str
    score: float


class Article(BaseModel):
    id: int
    title: str
    url: str
    source: str
    published: str | None
    language: str | None
    authors: list[str]
    summary: str
    text: str
    fetched: str | None
    story_id: int | None
    orgs: list[str]
    events: list[dict[str, Any]]
    amounts: list[dict[str, Any]]


class Story(BaseModel):
    id: int
    title: str
    first_seen: str | None
    last_seen: str | None
    articles: int
    article_ids: list[int]
    outlets: list[str]
    languages: list[str]
    orgs: list[str]
    events: list[str]
    amount: dict[str, Any] | None


class Delivery(BaseModel):
    id: int
    rule: str
    article_id: int
    title: str
    url: str
    channel: str
    status: str
    attempts: int
    last_error: str | None
    created: str
    sent: str | None
    story_id: int | None


class SourceState(BaseModel):
    name: str
    type: str
    url: str
    status: str
    last_fetch: str | None
    last_success: str | None
    failures: int
    last_error: str | None
    next_run: str | None
    articles: int


class Problem(BaseModel):
    detail: Any


def listed(model: type[BaseModel]) -> dict[int | str, dict[str, Any]]:
    return {200: {"model": list[model]}, 400: {"model": Problem}}  # type: ignore[valid-type]


def one(model: type[BaseModel]) -> dict[int | str, dict[str, Any]]:
    return {200: {"model": model}, 404: {"model": Problem}}
