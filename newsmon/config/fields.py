"""Field types of the config schema: sizes, names, source URLs, languages, cron.

The types the plug-ins' options share (durations, secrets, ``problem``) live
in :mod:`db.options` and are re-exported here; a notifier's or a source
type's own field types live with its options model. Each validator raises
:func:`problem`, whose message is shown to the user as is (the loader adds
file, line and key).
"""

from __future__ import annotations

import re
from datetime import UTC
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator

from db.options import (
    ERROR_TYPE,
    Duration,
    NonEmptySecret,
    NonEmptyStr,
    PositiveDuration,
    Secret,
    SecretUrl,
    http_url_problem,
    problem,
)
from db.policy import DeliveryPolicy, PolicyError, parse_deliver, parse_quiet_hours

__all__ = [
    "ERROR_TYPE",
    "ByteSize",
    "Cron",
    "Deliver",
    "Duration",
    "Language",
    "Name",
    "NonEmptySecret",
    "NonEmptyStr",
    "PositiveDuration",
    "QuietHoursText",
    "Secret",
    "SecretUrl",
    "SourceUrl",
    "http_url_problem",
    "problem",
]


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


def _check_source_url(value: str) -> str:
    reason = http_url_problem(value)
    if reason is not None:
        raise problem(f"{reason}: {value!r}")
    return value.strip()


SourceUrl = Annotated[str, AfterValidator(_check_source_url)]


def _check_language(value: str) -> str:
    code = value.strip().lower()
    if not re.fullmatch(r"[a-z]{2}", code):
        raise problem(f"bad language {value!r} (use a two-letter ISO 639-1 code: en, fr, de, es)")
    return code


Language = Annotated[str, AfterValidator(_check_language)]


def _check_time_zone(value: str) -> str:
    import difflib
    import zoneinfo

    name = value.strip()
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        known = {z.casefold(): z for z in zoneinfo.available_timezones()}
        close = difflib.get_close_matches(name.casefold(), known, n=1)
        hint = f"did you mean {known[close[0]]}? " if close else ""
        raise problem(f"unknown time zone {value!r} ({hint}use an IANA name: Europe/Paris, UTC)") from None
    return name


#: An IANA time zone name (``Europe/Berlin``), checked against the zone database.
TimeZone = Annotated[str, AfterValidator(_check_time_zone)]


def _check_deliver(value: str) -> str:
    try:
        digest = parse_deliver(value)
    except PolicyError as exc:
        raise problem(str(exc)) from None
    return DeliveryPolicy(digest=digest).deliver


#: A rule's ``deliver:``: ``immediate``, ``digest hourly`` or ``digest daily HH:MM`` (db.policy).
Deliver = Annotated[str, AfterValidator(_check_deliver)]


def _check_quiet_hours(value: str) -> str:
    try:
        return str(parse_quiet_hours(value))
    except PolicyError as exc:
        raise problem(str(exc)) from None


#: A rule's ``quiet_hours:``, ``"22:00-07:00"``.
QuietHoursText = Annotated[str, AfterValidator(_check_quiet_hours)]


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
