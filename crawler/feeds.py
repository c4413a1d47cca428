"""Feed bytes → entries: RSS 0.9x/1.0/2.0, RDF, Atom 0.3/1.0 through feedparser, JSON Feed by hand.

The bytes come from Scrapy's downloader; feedparser is only ever given a
byte stream (a ``str`` that looks like a URL would make it fetch, and raw
``bytes`` that look like a path would make it open a local file). The
response's Content-Type goes along so that a declared charset is honoured.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import feedparser

from crawler.errors import NotAFeedError
from crawler.text import html_to_text, squash, truncate
from crawler.urls import resolve

SUMMARY_MAX = 1000


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
    bozo: str | None = None  # why the feed is malformed though readable


def parse_feed(body: bytes, url: str, headers: Mapping[str, str] | None = None) -> ParsedFeed:
    """Parse a feed document; raise ``NotAFeedError`` for HTML pages, other JSON and garbage."""
    content_type = _header(headers, "content-type")
    if not body.strip():
        raise NotAFeedError(f"{url} returned an empty body, not a feed")
    if _looks_like_json(body, content_type):
        return _parse_json_feed(body, url)
    response_headers = {"content-location": url}
    if content_type:
        response_headers["content-type"] = content_type
    result = feedparser.parse(io.BytesIO(body), response_headers=response_headers)
    if not result.get("version") and not result.entries:
        raise NotAFeedError(f"{url} is {_what_is(body, content_type, result)}, not a feed")
    feed = result.feed
    language = language_code(feed.get("language"))
    version = result.get("version") or "unknown"
    # Atom entries inherit the feed's author; an RSS channel's managingEditor is nobody's byline.
    feed_authors = _authors(feed) if version.startswith("atom") else ()
    entries = tuple(_entry(entry, url, language, version, feed_authors) for entry in result.entries)
    bozo = str(result.get("bozo_exception")) if result.get("bozo") else None
    return ParsedFeed(
        title=squash(html_to_text(feed.get("title", ""))),
        link=resolve(url, feed.get("link", "")),
        language=language,
        version=version,
        entries=entries,
        bozo=bozo,
    )


def language_code(tag: object) -> str | None:
    """``fr-FR`` → ``fr``; None for anything that is not a language tag."""
    if not isinstance(tag, str):
        return None
    primary = tag.strip().replace("_", "-").split("-")[0].lower()
    return primary if len(primary) in (2, 3) and primary.isalpha() else None


def _entry(
    entry: Any, base: str, feed_language: str | None, version: str, feed_authors: tuple[str, ...]
) -> FeedEntry:
    link = resolve(base, entry.get("link") or "")
    if link is None:
        link = _alternate_link(entry, base)
    guid = squash(entry.get("id") or "") or None
    content = " ".join(html_to_text(c.get("value", "")) for c in entry.get("content") or [])
    summary = html_to_text(entry.get("summary") or "")
    if not summary and content:
        summary = truncate(squash(content), SUMMARY_MAX)
    detail = entry.get("summary_detail") or entry.get("title_detail") or {}
    # dict.get: feedparser's own get() maps a missing updated_parsed to published_parsed, with a warning.
    updated = _struct_time(dict.get(entry, "updated_parsed"))
    published = _struct_time(entry.get("published_parsed") or entry.get("created_parsed"))
    if published is None and version.startswith("rss"):
        # RSS has no "modified" date: its dc:date (which feedparser files as updated) is the item's date.
        published = updated
    return FeedEntry(
        title=squash(html_to_text(entry.get("title") or "")),
        link=link,
        guid=guid,
        published=published,
        updated=updated,
        summary=summary,
        authors=_authors(entry) or feed_authors,
        language=language_code(detail.get("language")) or feed_language,
        content=content.strip(),
    )


def _alternate_link(entry: Any, base: str) -> str | None:
    for link in entry.get("links") or []:
        if link.get("rel", "alternate") == "alternate" and (href := resolve(base, link.get("href") or "")):
            return href
    return None


def _authors(entry: Any) -> tuple[str, ...]:
    names = [squash(a.get("name") or a.get("email") or "") for a in entry.get("authors") or []]
    if not any(names) and entry.get("author"):
        names = [squash(entry["author"])]
    return tuple(dict.fromkeys(n for n in names if n))


def _struct_time(value: time.struct_time | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _looks_like_json(body: bytes, content_type: str | None) -> bool:
    if content_type and "json" in content_type.lower():
        return True
    return body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")


def _what_is(body: bytes, content_type: str | None, result: Any) -> str:
    head = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:512].lower()
    if (content_type and "html" in content_type.lower()) or head.startswith((b"<!doctype html", b"<html")):
        return "an HTML page"
    reason = result.get("bozo_exception")
    return f"not RSS, Atom or JSON Feed ({reason})" if reason else "not RSS, Atom or JSON Feed"


# JSON Feed 1.0 and 1.1 (https://www.jsonfeed.org/version/1.1/): feedparser reads no entry from it.


def _parse_json_feed(body: bytes, url: str) -> ParsedFeed:
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise NotAFeedError(f"{url} is neither a feed nor valid JSON ({exc})") from exc
    version = document.get("version") if isinstance(document, dict) else None
    if not isinstance(version, str) or "jsonfeed.org/version/" not in version:
        raise NotAFeedError(f"{url} is JSON but not a JSON Feed (no jsonfeed.org version)")
    items = document.get("items")
    if not isinstance(items, list):
        raise NotAFeedError(f"{url} is a JSON Feed without an 'items' list")
    language = language_code(document.get("language"))
    feed_authors = _json_authors(document)
    entries = tuple(
        _json_entry(item, url, language, feed_authors) for item in items if isinstance(item, dict)
    )
    return ParsedFeed(
        title=squash(str(document.get("title") or "")),
        link=resolve(url, str(document.get("home_page_url") or "")),
        language=language,
        version="json11" if version.rstrip("/").endswith("1.1") else "json10",
        entries=entries,
    )


def _json_entry(
    item: dict[str, Any], base: str, language: str | None, feed_authors: tuple[str, ...]
) -> FeedEntry:
    link = resolve(base, str(item.get("url") or "")) or resolve(base, str(item.get("external_url") or ""))
    content = html_to_text(str(item.get("content_html") or "")) or squash(str(item.get("content_text") or ""))
    summary = squash(html_to_text(str(item.get("summary") or "")))
    if not summary and content:
        summary = truncate(squash(content), SUMMARY_MAX)
    guid = item.get("id")
    return FeedEntry(
        title=squash(html_to_text(str(item.get("title") or ""))),
        link=link,
        guid=squash(str(guid)) if guid not in (None, "") else None,
        published=_iso_datetime(item.get("date_published")),
        updated=_iso_datetime(item.get("date_modified")),
        summary=summary,
        authors=_json_authors(item) or feed_authors,
        language=language_code(item.get("language")) or language,
        content=content,
    )


def _json_authors(obj: dict[str, Any]) -> tuple[str, ...]:
    # 1.1 has "authors", 1.0 had a single "author".
    raw = obj.get("authors")
    if not isinstance(raw, list):
        raw = [obj["author"]] if isinstance(obj.get("author"), dict) else []
    names = (squash(str(a.get("name") or "")) for a in raw if isinstance(a, dict))
    return tuple(dict.fromkeys(n for n in names if n))


def _iso_datetime(value: object) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
