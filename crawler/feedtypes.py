"""What a feed reader hands to the crawler: a ``ParsedFeed`` of ``FeedEntry`` values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from crawler.urls import resolve

SUMMARY_MAX = 1000  # characters of plain text kept as an entry's summary when the feed has none


@dataclass(frozen=True)
class FeedEntry:
    title: str
    link: str | None  # absolute http(s) URL of the article, as the feed gives it
    guid: str | None
    published: datetime | None  # aware, UTC
    updated: datetime | None
    summary: str  # plain text
    authors: tuple[str, ...] = ()
    language: str | None = None  # ISO 639-1, from the entry or the feed
    content: str = ""  # plain text of the full content, when the feed carries it


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    link: str | None
    language: str | None
    version: str  # feedparser's name ("rss20", "atom10", ...) or "json10" / "json11"
    entries: tuple[FeedEntry, ...]
    bozo: str | None = None  # why the feed is malformed though readable (encoding, XML); "; "-separated


def language_code(tag: object) -> str | None:
    """``fr-FR`` → ``fr``; None for anything that is not a language tag."""
    if not isinstance(tag, str):
        return None
    primary = tag.strip().replace("_", "-").split("-")[0].lower()
    return primary if len(primary) in (2, 3) and primary.isalpha() else None


def link_of(base: str, href: object) -> str | None:
    """``href`` as an absolute http(s) URL, or None — also for what urllib refuses (``http://[x``)."""
    try:
        return resolve(base, href if isinstance(href, str) else "")
    except ValueError:
        return None
