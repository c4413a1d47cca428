"""The API's response shapes, for the OpenAPI schema: the command line's JSON shapes (CONTRACT.md).

Handlers return the command line's dictionaries as they are; these models
only document them (``responses=``), so a response costs no second validation.
"""

from __future__ import annotations

import dataclasses
from dataclasses import MISSING
from datetime import datetime
from typing import Any, get_type_hints

from pydantic import BaseModel, create_model

from db.outbox import DeliveryRow
from db.queries import SourceState as SourceStateRow


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


def json_shape(row: type[Any], name: str) -> type[BaseModel]:
    """The JSON shape of a dataclass row whose ``as_dict`` writes datetimes as ISO 8601 strings, read
    from the dataclass: its fields are written once, where the command line's rows are made."""
    hints = get_type_hints(row)
    fields: dict[str, Any] = {
        field.name: (_as_json(hints[field.name]), ... if field.default is MISSING else field.default)
        for field in dataclasses.fields(row)
    }
    return create_model(name, **fields)


def _as_json(hint: Any) -> Any:
    if hint is datetime:
        return str
    if hint == datetime | None:
        return str | None
    return hint


Delivery = json_shape(DeliveryRow, "Delivery")
SourceState = json_shape(SourceStateRow, "SourceState")


class Problem(BaseModel):
    detail: Any


def listed(model: type[BaseModel]) -> dict[int | str, dict[str, Any]]:
    return {200: {"model": list[model]}, 400: {"model": Problem}}  # type: ignore[valid-type]


def one(model: type[BaseModel]) -> dict[int | str, dict[str, Any]]:
    return {200: {"model": model}, 404: {"model": Problem}}
