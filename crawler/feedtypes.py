"""What a feed reader hands to the crawler: a ``ParsedFeed`` of ``FeedEntry`` values."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from crawler.text import squash
from crawler.urls import resolve

SUMMARY_MAX = 1000  # characters of plain text kept as an entry's summary when the feed has none
# An id is a key in the database (and part of a linkless entry's URL): PostgreSQL's index refuses
# a row of 8 kB, so a longer id is known by its hash. Real ids are URLs or UUIDs, far shorter.
GUID_MAX = 512


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


def guid_of(raw: str) -> str | None:
    """An entry's id as newsmon keys it: squashed, and hashed when it is longer than ``GUID_MAX``."""
    guid = squash(raw)
    if len(guid) > GUID_MAX:
        return "sha256:" + hashlib.sha256(guid.encode("utf-8", "replace")).hexdigest()
    return guid or None


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
