"""``load_config``: file → YAML → ``${VAR}`` → pydantic → :class:`Config`, or one error listing all problems.

Every problem becomes ``file:line:col: key.path: what is wrong (what to do)``.
Pydantic reports a ``loc`` (``("channels", 0, "email", "host")``); it is
walked against the parsed data to find the YAML key path (dropping union
tags such as ``"email"``) and from there the line and column.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from db.redact import SECRETS
from newsmon.config.checks import KeyPath, cross_check, format_path, suggest
from newsmon.config.environ import hide_values, substitute
from newsmon.config.fields import ERROR_TYPE
from newsmon.config.models import SKIP_CROSS_CHECK, Config, check_database, check_queue
from newsmon.config.schema import annotation_at, holds_secret, is_union, members, strip, tag
from newsmon.config.secrecy import secret_values
from newsmon.config.source import Document, parse, read_text
from newsmon.errors import ConfigError, ConfigIssue

ENV_VAR = "NEWSMON_CONFIG"
# Overrides the file's `database:`: one config for several databases (a staging server, the CI's).
DATABASE_ENV = "NEWSMON_DATABASE"
# Overrides the file's `queue:` (compose sets both from its own services).
QUEUE_ENV = "NEWSMON_QUEUE"
DEFAULT_PATH = "config.yaml"

# Values at these keys are never quoted back in a message, nor any value of a field typed Secret.
SECRET_KEYS = frozenset({"database", "queue"})


def default_config_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$NEWSMON_CONFIG`` if set, else ``./config.yaml``."""
    env = os.environ if environ is None else environ
    return Path(env.get(ENV_VAR) or DEFAULT_PATH)


def load_config(path: str | Path, environ: Mapping[str, str] | None = None) -> Config:
    """Read and validate a config file; raises :class:`ConfigError` naming every problem."""
    env = os.environ if environ is None else environ
    shown = str(path)
    file = Path(path)
    doc = parse(read_text(file, shown), shown)
    if doc.data is None:
        raise ConfigError(f"{shown}: the config file is empty (start from the bundled config.yaml)")
    if not isinstance(doc.data, dict):
        raise ConfigError(f"{shown}:1:1: the top level must be keys (database:, sources:, rules:, …)")

    issues = list(doc.issues)
    env_result = substitute(doc.data, env)
    issues += [doc.issue(p, message) for p, message in env_result.errors.items()]
    data: dict[str, Any] = env_result.data
    if "path" in data:
        # `path` is where the file was read from, not a setting.
        issues.append(doc.issue(("path",), _unknown_key("path", ("path",)), at_key=True))
        del data["path"]

    def where(p: KeyPath) -> str:
        return f"{format_path(p)}, line {doc.value_position(p)[0]}"

    skip: list[KeyPath] = list(env_result.errors)
    for key, variable, check in (
        ("database", DATABASE_ENV, check_database),
        ("queue", QUEUE_ENV, check_queue),
    ):
        override = env.get(variable)
        if override:
            data[key] = override
            skip.append((key,))  # its error names the variable, not the file's line
            try:
                check(override)
            except ValueError as exc:
                issues.append(ConfigIssue(f"${variable}", None, None, "", str(exc)))
    issues += [doc.issue(p, message) for p, message in cross_check(data, where)]
    config: Config | None = None
    try:
        config = Config.model_validate({**data, "path": file.resolve()}, context={SKIP_CROSS_CHECK: True})
    except ValidationError as exc:
        for error in exc.errors():
            issue = _issue(error, data, doc, skip=skip)
            if issue is not None:
                issues.append(issue)
    overrides = [env[variable] for variable in (DATABASE_ENV, QUEUE_ENV) if env.get(variable)]
    # From now on the process's logs and the database never show them (see db.redact).
    SECRETS.add([*secret_values(env_result.read, data), *overrides])
    if issues or config is None:
        # Every value read, secret or not: an error quotes the value itself, and may show little else.
        read = [*env_result.values, *overrides]
        shown_issues = [replace(i, message=hide_values(i.message, read)) for i in issues]
        raise ConfigError.from_issues(_unique(shown_issues))
    return config


def _unique(issues: list[ConfigIssue]) -> list[ConfigIssue]:
    return list(dict.fromkeys(issues))


def _issue(error: ErrorDetails, data: dict[str, Any], doc: Document, skip: Any) -> ConfigIssue | None:
    loc = tuple(error["loc"])
    kind = error["type"]
    path, exists = _data_path(loc, data, missing=kind == "missing")
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    if kind == ERROR_TYPE and "key" in ctx:
        path = (*path, ctx["key"])
    if any(path[: len(p)] == p for p in skip):
        return None  # the ${VAR} error on this value says it already
    if kind == "extra_forbidden":
        return doc.issue(path, _unknown_key(str(path[-1]), loc), at_key=True)
    if kind == "union_tag_not_found":
        return doc.issue(path, f"missing `type:` (use {_tags_at(loc)})")
    if kind == "union_tag_invalid":
        tags = ctx.get("expected_tags")
        return doc.issue((*path, "type"), f"unknown type {ctx.get('tag')!r} (use {tags}){_suggest_tag(ctx)}")
    if loc and loc[-1] == "[key]":
        return doc.issue(path, _message(error, ctx, secret=False), at_key=True)
    if not exists and kind == "missing":
        return doc.issue(path, "required key is missing")
    return doc.issue(path, _message(error, ctx, secret=_is_secret(path, loc)))


def _suggest_tag(ctx: dict[str, Any]) -> str:
    tags = [t.strip(" '") for t in str(ctx.get("expected_tags", "")).split(",")]
    return suggest(str(ctx.get("tag")), tags)


def _data_path(loc: tuple[int | str, ...], data: Any, missing: bool) -> tuple[KeyPath, bool]:
    """The YAML key path for a pydantic ``loc``, and whether a value exists there.

    ``missing``: the error is about an absent key, which is then the last part of ``loc``.
    """
    path: list[str | int] = []
    current = data
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        if _has(current, part):
            current = current[part]
            path.append(part)
        elif part == "[key]":
            continue
        elif last and missing:
            path.append(part)
            return tuple(path), False
        # Otherwise a union tag or a validator's name: not in the data.
    return tuple(path), True


def _has(container: Any, part: int | str) -> bool:
    if isinstance(container, dict):
        return isinstance(part, str) and part in container
    return isinstance(container, list) and isinstance(part, int) and 0 <= part < len(container)


def _is_secret(path: KeyPath, loc: tuple[int | str, ...]) -> bool:
    if any(part in SECRET_KEYS for part in path):
        return True
    return any(holds_secret(annotation_at(loc[:end])) for end in range(1, len(loc) + 1))


_TYPE_WORDS = {
    "int_parsing": "expected a whole number",
    "int_type": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_parsing": "expected a number",
    "float_type": "expected a number",
    "bool_parsing": "expected true or false",
    "bool_type": "expected true or false",
    "string_type": "expected text (put it in quotes)",
    "list_type": "expected a list (- item lines or [a, b])",
    "tuple_type": "expected a list (- item lines or [a, b])",
    "dict_type": "expected keys (key: value lines)",
    "mapping_type": "expected keys (key: value lines)",
    "model_type": "expected keys (key: value lines)",
    "model_attributes_type": "expected keys (key: value lines)",
}

_BOUNDS = {
    "greater_than": "more than",
    "greater_than_equal": "at least",
    "less_than": "less than",
    "less_than_equal": "at most",
}


def _message(error: ErrorDetails, ctx: dict[str, Any], *, secret: bool) -> str:
    kind = error["type"]
    given = "" if secret else f", got {_show(error.get('input'))}"
    if kind == ERROR_TYPE:
        return str(ctx["reason"])
    if kind in _TYPE_WORDS:
        return _TYPE_WORDS[kind] + given
    if kind == "literal_error":
        return f"bad value {_show(error.get('input'))} (use {ctx.get('expected')})"
    if kind in _BOUNDS:
        return f"must be {_BOUNDS[kind]} {next(iter(ctx.values()), '')}{given}"
    if kind == "too_short":
        return "must not be empty"
    if kind == "missing":
        return "required key is missing"
    text = error["msg"]
    return text[:1].lower() + text[1:] + given


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "keys"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _unknown_key(key: str, loc: tuple[int | str, ...]) -> str:
    model = _model_at(loc[:-1])
    if model is None:
        return "unknown key"
    others = _types_taking(key, loc[:-2]) if len(loc) >= 3 else []
    if others:
        # A key of another type of source or channel (selectors on a feed, host on a slack channel).
        section = loc[0] if isinstance(loc[0], str) else "items"
        return f"only {' and '.join(others)} {section} take `{key}` (this one is {loc[-2]})"
    known = [k for k in model.model_fields if not (model is Config and k == "path")]
    return f"unknown key (known: {', '.join(known)}){suggest(key, known)}"


def _types_taking(key: str, loc: tuple[int | str, ...]) -> list[str]:
    """The tags of the tagged union at ``loc`` whose model has the field ``key``."""
    union = strip(annotation_at(loc))
    if not is_union(union):
        return []
    return [str(tag(m)) for m in members(union) if key in getattr(m, "model_fields", {})]


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model class validating the mapping at ``loc`` (union tags included)."""
    found = strip(annotation_at(loc))
    return found if isinstance(found, type) and issubclass(found, BaseModel) else None


def _tags_at(loc: tuple[int | str, ...]) -> str:
    """The ``type`` values the tagged union at ``loc`` accepts: ``'email', 'slack'``."""
    found = strip(annotation_at(loc))
    tags = [tag(m) for m in members(found)] if is_union(found) else []
    return ", ".join(repr(t) for t in tags if t is not None)
