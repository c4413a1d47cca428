"""The config schema's types, looked up by where a value sits: for messages and for secrets.

A place is a pydantic ``loc`` (union tags included: ``("channels", 0, "email",
"password")``) or a path in the parsed data (``("channels", 0, "password")``,
whose union member is chosen by the mapping's ``type:``).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, SecretStr

from newsmon.config.checks import KeyPath
from newsmon.config.models import Config


def holds_secret(annotation: Any) -> bool:
    """Whether the type is a secret, or a container or union of secrets (a header mapping)."""
    stripped = strip(annotation)
    if isinstance(stripped, type) and issubclass(stripped, SecretStr):
        return True
    return any(holds_secret(arg) for arg in typing.get_args(stripped) if arg is not Ellipsis)


def annotation_at(loc: tuple[int | str, ...]) -> Any:
    """The type pydantic validates at ``loc``, or None when the schema has no such place."""
    current: Any = Config
    for part in loc:
        current = strip(current)
        if is_union(current):
            current = next((m for m in members(current) if tag(m) == part), None)
        else:
            current = _inside(current, part)
        if current is None:
            return None
    return current


def annotation_of(path: KeyPath, data: Any) -> Any:
    """The type of the value at ``path`` in the parsed ``data``, or None when the schema has no such place."""
    current: Any = Config
    for part in path:
        current = strip(current)
        if is_union(current):
            kind = data.get("type") if isinstance(data, Mapping) else None
            current = next((m for m in members(current) if tag(m) == kind), None)
        current = None if current is None else _inside(strip(current), part)
        if current is None:
            return None
        data = _child(data, part)
    return current


def _child(data: Any, part: int | str) -> Any:
    if isinstance(data, Mapping):
        return data.get(part)
    if isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
        return data[part]
    return None


def _inside(container: Any, part: int | str) -> Any:
    if isinstance(container, type) and issubclass(container, BaseModel):
        field = container.model_fields.get(str(part))
        return None if field is None else field.annotation
    origin = typing.get_origin(container)
    if origin in (tuple, list) and isinstance(part, int):
        return typing.get_args(container)[0]
    if origin in (dict, Mapping) and isinstance(part, str):
        return typing.get_args(container)[1]
    return None


def strip(annotation: Any) -> Any:
    """Drop ``Annotated`` and ``X | None`` around a type."""
    while True:
        if typing.get_origin(annotation) is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        found = [m for m in members(annotation) if m is not type(None)] if is_union(annotation) else []
        if len(found) == 1:
            annotation = found[0]
            continue
        return annotation


def is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


def members(annotation: Any) -> tuple[Any, ...]:
    return typing.get_args(annotation)


def tag(member: Any) -> Any:
    """The ``type:`` value a member of a tagged union (a kind of source or channel) stands for."""
    if isinstance(member, type) and issubclass(member, BaseModel):
        field = member.model_fields.get("type")
        if field is not None:
            args = typing.get_args(field.annotation)
            return args[0] if args else None
    return None
