"""Server URLs (the database's, the Redis queue's) as they may be shown: never with their password."""

from __future__ import annotations

from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError


def shown_url(value: str) -> str:
    """``value`` with its password as ``***``; all of it hidden when it cannot be parsed."""
    try:
        return make_url(value).render_as_string(hide_password=True)
    except ArgumentError:
        return "***"
