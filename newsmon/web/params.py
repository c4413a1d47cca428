"""Query parameters shared by the pages and the API: parsed once, errors worded for the user."""

from __future__ import annotations

from datetime import UTC, datetime

from db.durations import DurationError, parse_duration
from db.query import EVENT_TYPES

EVENTS = EVENT_TYPES


class BadParameterError(ValueError):
    """A query parameter the user gave wrongly; the message names it."""


def since_cutoff(since: str | None, now: datetime | None = None) -> datetime | None:
    if not since:
        return None
    try:
        return (now or datetime.now(UTC)) - parse_duration(since)
    except DurationError as exc:
        raise BadParameterError(f"since: {exc}") from None


def compose_query(q: str, event: str | None = None, org: str | None = None) -> str:
    """The search box's text with the event and organisation filters added as query terms."""
    parts = [q.strip()] if q.strip() else []
    if event:
        if event not in EVENTS:
            raise BadParameterError(f"event: {event!r} is not one of {', '.join(EVENTS)}")
        parts.append(f"event:{event}")
    if org and org.strip():
        # A quoted phrase: the name is words to find, never query syntax.
        parts.append('org:"' + org.replace('"', " ").strip() + '"')
    return " ".join(parts)
