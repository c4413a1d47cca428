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
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from crawler.encoding import Decoded, decode_feed
from crawler.errors import NotAFeedError
from crawler.text import html_to_text, squash, truncate
from crawler.urls import resolve
from crawler.xmlfeed import read_xml

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
    bozo: str | None = None  # why the feed is malformed though readable (encoding, XML); "; "-separated


@dataclass(frozen=True)
class RawFeed:
    """A document as the readers left it: feedparser's result (XML) or the JSON Feed object."""

    decoded: Decoded
    xml: Any = None  # feedparser.FeedParserDict
    json: dict[str, Any] | None = None
    warning: str | None = None  # about the JSON Feed itself (the XML ones live in ``xml.bozo``)


def parse_feed(body: bytes, url: str, headers: Mapping[str, str] | None = None) -> ParsedFeed:
    """Parse a feed document; raise ``NotAFeedError`` for HTML pages, other JSON and garbage."""
    return build_feed(read_feed(body, url, headers), url)


def read_feed(body: bytes, url: str, headers: Mapping[str, str] | None = None) -> RawFeed:
    """Decode and read a document with the response's headers (Content-Type, Content-Language)."""
    content_type = _header(headers, "content-type")
    if not body.strip():
        raise NotAFeedError(f"{url} returned an empty body, not a feed")
    decoded = decode_feed(body, content_type)
    start = decoded.text.lstrip(" \t\r\n\ufeff")[:1]
    if start in ("{", "[") or (start != "<" and "json" in (content_type or "").lower()):
        document, warning = _json_feed(decoded.text, url)
        return RawFeed(decoded, json=document, warning=warning)
    result = read_xml(decoded, url, _header(headers, "content-language"))
    if not result.get("version") and not result.entries:
        raise NotAFeedError(_not_a_feed(decoded.text, url, content_type))
    return RawFeed(decoded, xml=result)


def build_feed(raw: RawFeed, url: str) -> ParsedFeed:
    """newsmon's ``ParsedFeed`` from what ``read_feed`` returned for ``url``."""
    if raw.json is not None:
        return _parse_json_feed(raw, url)
    result = raw.xml
    feed = result.feed
    language = language_code(feed.get("language"))
    version = result.get("version") or "unknown"
    # Atom entries inherit the feed's author; an RSS channel's managingEditor is nobody's byline.
    feed_authors = _authors(feed) if version.startswith("atom") else ()
    entries = tuple(_entry(entry, url, language, version, feed_authors) for entry in result.entries)
    return ParsedFeed(
        title=squash(html_to_text(feed.get("title", ""))),
        link=resolve(url, feed.get("link", "")),
        language=language,
        version=version,
        entries=entries,
        bozo=_warnings(raw),
    )


def _warnings(raw: RawFeed) -> str | None:
    return "; ".join(raw.xml.get("warnings") or []) or None


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


_HTML = re.compile(r"<(?:!doctype\s+html|html|head|body)[\s>]", re.IGNORECASE)
_FEED_LINK = re.compile(
    r"<link\b(?=[^>]*\brel=[\"']?alternate)(?=[^>]*\btype=[\"']?application/(?:rss|atom|feed)\+(?:xml|json))"
    r"[^>]*\bhref=[\"']?([^\"'\s>]+)",
    re.IGNORECASE,
)
_ROOT = re.compile(r"^(?:\s|<\?[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)*<([\w:.-]+)", re.DOTALL)


def _not_a_feed(text: str, url: str, content_type: str | None) -> str:
    """What the document is instead of a feed, and what to do about it."""
    head = text[:4096]
    if "html" in (content_type or "").lower() or _HTML.search(head):
        feeds = [link for href in _FEED_LINK.findall(text[:65536]) if (link := resolve(url, href))]
        if feeds:
            return f"{url} is an HTML page, not a feed; the page names its feed: {feeds[0]} (use that URL)"
        return f"{url} is an HTML page, not a feed — try `newsmon sources discover {url}`"
    if root := _ROOT.match(head):
        return f"{url} is an XML document whose root is <{root.group(1)}>, not RSS, Atom or JSON Feed"
    sample = head[:512]
    if sum(1 for c in sample if (c < " " and c not in "\t\r\n") or c == "\ufffd") > len(sample) // 10:
        kind = f" ({content_type})" if content_type else ""
        return f"{url} is binary data{kind}, not RSS, Atom or JSON Feed"
    return f"{url} is text that starts {squash(sample[:60])!r}, not RSS, Atom or JSON Feed"


# JSON Feed 1.0 and 1.1 (https://www.jsonfeed.org/version/1.1/): feedparser reads no entry from it.
_BARE_VERSION = re.compile(r"^1(?:\.[01])?$")  # "1.1" for the URL, as some generators (and gofeed) write


def _json_feed(text: str, url: str) -> tuple[dict[str, Any], str | None]:
    """The JSON Feed object, and a warning when it is readable but not quite right."""
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise NotAFeedError(f"{url} is neither a feed nor valid JSON ({exc})") from exc
    if not isinstance(document, dict):
        raise NotAFeedError(f"{url} is JSON but not a JSON Feed (a {type(document).__name__}, not an object)")
    version = document.get("version")
    items = document.get("items")
    known = isinstance(version, str) and (
        "jsonfeed.org/version/" in version or _BARE_VERSION.match(version.strip())
    )
    if not known:
        raise NotAFeedError(f"{url} is JSON but not a JSON Feed (no jsonfeed.org version, found {version!r})")
    if not isinstance(items, list):
        raise NotAFeedError(f"{url} is a JSON Feed without an 'items' list")
    assert isinstance(version, str)
    warning = (
        None if "jsonfeed.org" in version else f"JSON Feed version {version!r} is not a jsonfeed.org URL"
    )
    return document, warning


def _parse_json_feed(raw: RawFeed, url: str) -> ParsedFeed:
    document = raw.json or {}
    version = str(document.get("version"))
    language = language_code(document.get("language"))
    feed_authors = _json_authors(document)
    entries = tuple(
        _json_entry(item, url, language, feed_authors)
        for item in document.get("items") or []
        if isinstance(item, dict)
    )
    notes = [n for n in (raw.decoded.warning, raw.warning) if n]
    return ParsedFeed(
        title=squash(str(document.get("title") or "")),
        link=resolve(url, str(document.get("home_page_url") or "")),
        language=language,
        version="json11" if version.rstrip("/").endswith("1.1") else "json10",
        entries=entries,
        bozo="; ".join(notes) or None,
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
