"""Field types of the config schema: durations, sizes, names, URLs, cron, selectors.

Each validator raises :func:`problem`, whose message is shown to the user as
is (the loader adds file, line and key). A message may quote the bad value,
except for secrets: those fields use :data:`Secret` and their validators
never repeat what they were given.
"""

from __future__ import annotations

import re
from datetime import UTC, timedelta
from email.utils import parseaddr
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, SecretStr
from pydantic_core import PydanticCustomError

from crawler.selectors import selector_kind
from db.durations import HINT as DURATION_HINT
from db.durations import DurationError, parse_duration

#: A string field whose value is masked in ``repr``/``str``; read it with ``.get_secret_value()``.
Secret = SecretStr

ERROR_TYPE = "newsmon"


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


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*$", re.IGNORECASE)
_SIZE_UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1000,
    "m": 1000**2,
    "mb": 1000**2,
    "g": 1000**3,
    "gb": 1000**3,
    "ki": 1024,
    "kib": 1024,
    "mi": 1024**2,
    "mib": 1024**2,
    "gi": 1024**3,
    "gib": 1024**3,
}


def _to_bytes(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise problem("must not be negative")
        return value
    if isinstance(value, str):
        match = _SIZE.match(value)
        if match:
            return int(float(match.group(1)) * _SIZE_UNITS[(match.group(2) or "").lower()])
    raise problem(f"bad size {value!r} (use 10MiB, 500KB or a number of bytes)")


ByteSize = Annotated[int, BeforeValidator(_to_bytes)]


_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*$")


def _check_name(value: str) -> str:
    # Names appear on the command line and in queries (source:NAME, @topic): no spaces.
    if not _NAME.match(value) or len(value) > 64:
        raise problem(f"bad name {value!r} (use letters, digits, '-' and '_', at most 64)")
    return value


Name = Annotated[str, AfterValidator(_check_name)]


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


def _check_source_url(value: str) -> str:
    reason = http_url_problem(value)
    if reason is not None:
        raise problem(f"{reason}: {value!r}")
    return value.strip()


SourceUrl = Annotated[str, AfterValidator(_check_source_url)]


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


def _check_email(value: str) -> str:
    _, address = parseaddr(value)
    local, _, domain = address.rpartition("@")
    if not local or not domain or " " in address:
        raise problem(f"bad email address {value!r} (use name@example.org)")
    return value.strip()


EmailAddress = Annotated[str, AfterValidator(_check_email)]


def _one_or_many(value: object) -> object:
    # `to: analyst@example.org` reads naturally; a list of one is what we keep.
    return [value] if isinstance(value, str) else value


EmailList = Annotated[tuple[EmailAddress, ...], BeforeValidator(_one_or_many)]


def _check_language(value: str) -> str:
    code = value.strip().lower()
    if not re.fullmatch(r"[a-z]{2}", code):
        raise problem(f"bad language {value!r} (use a two-letter ISO 639-1 code: en, fr, de, es)")
    return code


Language = Annotated[str, AfterValidator(_check_language)]


def _check_cron(value: str) -> str:
    from apscheduler.triggers.cron import CronTrigger

    expression = " ".join(value.split())
    try:
        # The zone does not change whether an expression is valid; fixing it avoids a tzlocal lookup.
        CronTrigger.from_crontab(expression, timezone=UTC)
    except ValueError as exc:
        raise problem(
            f"bad cron expression {value!r}: {exc} (use 5 fields: minute hour day month weekday,"
            ' e.g. "*/15 * * * *")'
        ) from None
    return expression


Cron = Annotated[str, AfterValidator(_check_cron)]


def _check_selector(value: str) -> str:
    from cssselect import GenericTranslator, SelectorError
    from lxml import etree

    expression = value.strip()
    if not expression:
        raise problem("must not be empty")
    kind = selector_kind(expression)
    try:
        if kind == "xpath":
            etree.XPath(expression)
        else:
            # parsel's ::text and ::attr() are not CSS; they are the parts most selectors need.
            GenericTranslator().css_to_xpath(re.sub(r"::(text|attr\([^)]*\))", "", expression))
    except (etree.XPathError, SelectorError) as exc:
        raise problem(f"bad {kind} selector {value!r}: {exc}") from None
    return expression


Selector = Annotated[str, AfterValidator(_check_selector)]
