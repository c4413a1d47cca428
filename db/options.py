"""Typed options: what the config and every plug-in's options model are built from.

A plug-in (a notifier in ``alerts.notifiers``, a source type in
``crawler.spiders``) declares its options once, as a frozen :class:`Options`
model, and lists it in its package's registry as a :class:`Plugin`. The
config (``newsmon.config``) builds its tagged unions from those registries,
so a channel or source error is reported with its file, line and key like
any other, and the plug-in's constructor receives the validated model.

Validators raise :func:`problem`, whose message is shown to the user as is
(the config loader adds file, line and key). A message may quote the bad
value, except for secrets: fields typed :data:`Secret` are never quoted back.

Everything here is cheap to import: the config loads the options models of
every plug-in, never the plug-ins themselves (Scrapy, httpx, aiosmtplib).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Generic, TypeVar, cast
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, SecretStr
from pydantic_core import PydanticCustomError

from db.durations import HINT as DURATION_HINT
from db.durations import DurationError, parse_duration

ERROR_TYPE = "newsmon"

#: A string field whose value is masked in ``repr``/``str``; read it with ``.get_secret_value()``.
Secret = SecretStr


class Options(BaseModel):
    """Frozen, and an unknown key is an error: base of every config and options model.

    A ValidationError's text does not quote the input: it may be a secret.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)


T = TypeVar("T")


@dataclass(frozen=True)
class Plugin(Generic[T]):
    """A registry entry: the options model of a plug-in, and where its implementation lives.

    ``implementation`` is ``"package.module:Name"``, imported by :meth:`load`
    when first needed, so that reading the options needs no heavy import.
    """

    options: type[Options]
    implementation: str

    def load(self) -> T:
        module, _, name = self.implementation.partition(":")
        return cast(T, getattr(importlib.import_module(module), name))


def problem(message: str, key: str | None = None) -> PydanticCustomError:
    """A validation error with a user-facing message; ``key`` narrows a model-level error to one key."""
    # The message goes through the context: a template containing "{" would be formatted.
    context: dict[str, str] = {"reason": message}
    if key is not None:
        context["key"] = key
    return PydanticCustomError(ERROR_TYPE, "{reason}", context)


def _to_timedelta(value: object) -> object:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, str):
        try:
            return parse_duration(value)
        except DurationError as exc:
            raise problem(str(exc)) from None
    if value == 0 and not isinstance(value, bool):
        return timedelta(0)  # the same in every unit
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise problem(f"bad duration {value!r}: a number needs a unit ({DURATION_HINT})")
    raise problem(f"expected a duration ({DURATION_HINT})")


def _positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise problem("must be longer than 0s")
    return value


def _not_negative(value: timedelta) -> timedelta:
    if value < timedelta(0):
        raise problem("must not be negative")
    return value


Duration = Annotated[timedelta, BeforeValidator(_to_timedelta), AfterValidator(_not_negative)]
PositiveDuration = Annotated[timedelta, BeforeValidator(_to_timedelta), AfterValidator(_positive)]


def _non_empty(value: str) -> str:
    if not value.strip():
        raise problem("must not be empty")
    return value


NonEmptyStr = Annotated[str, AfterValidator(_non_empty)]


def http_url_problem(url: str) -> str | None:
    """Why ``url`` is not an absolute http(s) URL, or None; the reason never repeats the URL."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return "not a valid URL (use http://… or https://…)"
    if not parts.scheme:
        return "not an absolute URL (use http://… or https://…)"
    if parts.scheme.lower() not in ("http", "https"):
        return f"unsupported URL scheme {parts.scheme!r} (use http:// or https://)"
    if not parts.hostname:
        return "the URL has no host name (use http://host/…)"
    return None


def _check_secret_url(value: SecretStr) -> SecretStr:
    reason = http_url_problem(value.get_secret_value())
    if reason is not None:
        raise problem(f"{reason} (the value is not shown: it is a secret)")
    return value


SecretUrl = Annotated[SecretStr, AfterValidator(_check_secret_url)]


def _check_secret_non_empty(value: SecretStr) -> SecretStr:
    if not value.get_secret_value().strip():
        raise problem("must not be empty")
    return value


NonEmptySecret = Annotated[SecretStr, AfterValidator(_check_secret_non_empty)]


def one_or_many(value: object) -> object:
    """``to: analyst@example.org`` reads naturally; a list of one is what is kept."""
    return [value] if isinstance(value, str) else value
