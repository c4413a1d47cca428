"""Feed bytes → entries: RSS 0.9x/1.0/2.0, RDF, Atom 0.3/1.0 through feedparser, JSON Feed by hand.

Reading happens in two steps, so that the robustness check
(``benchmarks.corpus``) can look at what feedparser made of a document
exactly as newsmon obtains it:

- ``read_feed``: bytes → text (``crawler.encoding``: BOM > HTTP charset >
  XML declaration > detection, verified), then feedparser's result for XML
  (``crawler.xmlfeed``, recovering ill-formed documents) or the JSON object
  of a JSON Feed; anything else raises ``NotAFeedError`` naming the URL and
  what was found instead;
- ``build_feed``: that result → ``ParsedFeed``, newsmon's own shape.

The bytes come from Scrapy's downloader; feedparser is only ever given a
byte stream (a ``str`` that looks like a URL would make it fetch, and raw
``bytes`` that look like a path would make it open a local file).

A crawl reads its feeds with ``parse_feed_async``: feedparser costs about
0.2–0.4 ms an entry, so a feed of a few megabytes read on the reactor's
thread stalls every other source's fetches for seconds, long enough for them
to time out. Documents over ``INLINE_MAX`` bytes are read by one worker
process instead, one at a time, so big feeds never take more than one core
between them. Not a thread: it would share the interpreter's lock with the
reactor, whose every turn would then wait out the thread's switch interval
(the small feeds beside a big one took 3–5 times as long and timed out).
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo
from typing import Any

from crawler import notafeed
from crawler.dates import from_struct_time, parse_date
from crawler.encoding import Decoded, decode_feed
from crawler.errors import NotAFeedError
from crawler.feedtypes import SUMMARY_MAX, FeedEntry, ParsedFeed, guid_of, language_code, link_of
from crawler.jsonfeed import build_json, read_json
from crawler.text import html_to_text, squash, truncate
from crawler.titles import common_suffix, without_site_name
from crawler.xmlfeed import read_xml

__all__ = [
    "SUMMARY_MAX",
    "FeedEntry",
    "ParsedFeed",
    "RawFeed",
    "build_feed",
    "language_code",
    "parse_feed",
    "parse_feed_async",
    "read_feed",
]

# Ordinary feeds (the 99th percentile of real ones is a few hundred kB) are read at once, in turn.
INLINE_MAX = 256 * 1024
_BIG_FEEDS = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("forkserver"))


@dataclass(frozen=True)
class RawFeed:
    """A document as the readers left it: feedparser's result (XML) or the JSON Feed object."""

    decoded: Decoded
    xml: Any = None  # feedparser.FeedParserDict
    json: dict[str, Any] | None = None
    warnings: tuple[str, ...] = ()  # what is wrong with the document, though it was read


def parse_feed(
    body: bytes, url: str, headers: Mapping[str, str] | None = None, zone: tzinfo = UTC
) -> ParsedFeed:
    """Parse a feed document; raise ``NotAFeedError`` for HTML pages, other JSON and garbage.

    ``zone`` is the source's time zone, for dates written without an offset.
    """
    return build_feed(read_feed(body, url, headers), url, zone)


async def parse_feed_async(
    body: bytes, url: str, headers: Mapping[str, str] | None = None, zone: tzinfo = UTC
) -> ParsedFeed:
    """``parse_feed`` from a coroutine on the event loop, which a big document does not hold up."""
    if len(body) <= INLINE_MAX:
        return parse_feed(body, url, headers, zone)
    return await asyncio.wrap_future(_BIG_FEEDS.submit(parse_feed, body, url, dict(headers or {}), zone))


def read_feed(body: bytes, url: str, headers: Mapping[str, str] | None = None) -> RawFeed:
    """Decode and read a document with the response's headers (Content-Type, Content-Language)."""
    content_type = _header(headers, "content-type")
    if not body.strip():
        raise NotAFeedError(f"{url} returned an empty body, not a feed")
    decoded = decode_feed(body, content_type)
    start = decoded.text.lstrip(" \t\r\n\ufeff")[:1]
    if start in ("{", "[") or (start != "<" and "json" in (content_type or "").lower()):
        document, warning = read_json(decoded.text, url)
        warnings = tuple(w for w in (decoded.warning, warning) if w)
        return RawFeed(decoded, json=document, warnings=warnings)
    result = read_xml(decoded, url, _header(headers, "content-language"))
    if not result.get("version") and not result.entries:
        raise NotAFeedError(notafeed.describe(decoded.text, url, content_type))
    return RawFeed(decoded, xml=result, warnings=tuple(result["warnings"]))


def build_feed(raw: RawFeed, url: str, zone: tzinfo = UTC) -> ParsedFeed:
    """newsmon's ``ParsedFeed`` from what ``read_feed`` returned for ``url``."""
    feed = (
        build_json(raw.json, url, raw.warnings, zone) if raw.json is not None else _build_xml(raw, url, zone)
    )
    return _without_site_suffix(feed)


def _build_xml(raw: RawFeed, url: str, zone: tzinfo) -> ParsedFeed:
    result = raw.xml
    feed = result.feed
    language = language_code(feed.get("language"))
    version = result.get("version") or "unknown"
    # Atom entries inherit the feed's author; an RSS channel's managingEditor is nobody's byline.
    feed_authors = _authors(feed) if version.startswith("atom") else ()
    entries = tuple(_entry(entry, url, language, version, feed_authors, zone) for entry in result.entries)
    return ParsedFeed(
        title=squash(html_to_text(feed.get("title", ""))),
        link=link_of(url, feed.get("link")),
        language=language,
        version=version,
        entries=entries,
        bozo="; ".join(raw.warnings) or None,
    )


def _without_site_suffix(feed: ParsedFeed) -> ParsedFeed:
    """Entry titles that all end in `` | Site`` carry the site's name, not the articles'."""
    name = common_suffix([entry.title for entry in feed.entries])
    if name is None:
        return feed
    entries = tuple(replace(e, title=without_site_name(e.title, [name])) for e in feed.entries)
    return replace(feed, entries=entries)


def _entry(
    entry: Any,
    base: str,
    feed_language: str | None,
    version: str,
    feed_authors: tuple[str, ...],
    zone: tzinfo,
) -> FeedEntry:
    link = link_of(base, entry.get("link"))
    if link is None:
        link = _alternate_link(entry, base)
    guid = guid_of(entry.get("id") or "")
    content = " ".join(html_to_text(c.get("value", "")) for c in entry.get("content") or [])
    summary = html_to_text(entry.get("summary") or "")
    if not summary and content:
        summary = truncate(squash(content), SUMMARY_MAX)
    detail = entry.get("summary_detail") or entry.get("title_detail") or {}
    updated = _entry_date(entry, "updated", zone)
    published = _entry_date(entry, "published", zone) or _entry_date(entry, "created", zone)
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
        if link.get("rel", "alternate") == "alternate" and (href := link_of(base, link.get("href"))):
            return href
    return None


def _authors(entry: Any) -> tuple[str, ...]:
    names = [squash(a.get("name") or a.get("email") or "") for a in entry.get("authors") or []]
    if not any(names) and entry.get("author"):
        names = [squash(entry["author"])]
    return tuple(dict.fromkeys(n for n in names if n))


def _entry_date(entry: Any, key: str, zone: tzinfo) -> datetime | None:
    """The entry's date as written, else as feedparser read it.

    feedparser reads a time without offset as UTC, knows no French or German
    names and ignores PM in ``Dec 16 2023 02:02:33 PM``: its reading is only
    the fallback. ``dict.get``: feedparser's own get() maps a missing
    ``updated`` to ``published``, with a warning.
    """
    raw = dict.get(entry, key)
    return parse_date(raw if isinstance(raw, str) else None, zone) or from_struct_time(
        dict.get(entry, f"{key}_parsed")
    )


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None
