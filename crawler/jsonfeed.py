"""JSON Feed 1.0 and 1.1 (https://www.jsonfeed.org/version/1.1/), read by hand: feedparser reads no entry."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, tzinfo
from typing import Any

from crawler.dates import parse_date
from crawler.errors import NotAFeedError
from crawler.feedtypes import SUMMARY_MAX, FeedEntry, ParsedFeed, guid_of, language_code, link_of
from crawler.text import html_to_text, squash, truncate

_BARE_VERSION = re.compile(r"^1(?:\.[01])?$")  # "1.1" for the URL, as some generators (and gofeed) write


def read_json(text: str, url: str) -> tuple[dict[str, Any], str | None]:
    """The JSON Feed object, and a warning when it is readable but not quite right."""
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise NotAFeedError(f"{url} is neither a feed nor valid JSON ({exc})") from exc
    except RecursionError as exc:
        raise NotAFeedError(f"{url} is JSON nested too deep to read, not a feed") from exc
    if not isinstance(document, dict):
        raise NotAFeedError(f"{url} is JSON but not a JSON Feed (a {type(document).__name__}, not an object)")
    version = document.get("version")
    if not isinstance(version, str) or not (
        "jsonfeed.org/version/" in version or _BARE_VERSION.match(version.strip())
    ):
        raise NotAFeedError(f"{url} is JSON but not a JSON Feed (no jsonfeed.org version, found {version!r})")
    if not isinstance(document.get("items"), list):
        raise NotAFeedError(f"{url} is a JSON Feed without an 'items' list")
    warning = (
        None if "jsonfeed.org" in version else f"JSON Feed version {version!r} is not a jsonfeed.org URL"
    )
    return document, warning


def build_json(
    document: dict[str, Any], url: str, warnings: tuple[str, ...] = (), zone: tzinfo = UTC
) -> ParsedFeed:
    """newsmon's ``ParsedFeed`` of a JSON Feed object that ``read_json`` accepted.

    Dates are RFC 3339 by the specification; RFC 822 ones, as some generators write, are read too.
    """
    version = str(document.get("version"))
    language = language_code(document.get("language"))
    feed_authors = _json_authors(document)
    entries = tuple(
        _json_entry(item, url, language, feed_authors, zone)
        for item in document.get("items") or []
        if isinstance(item, dict)
    )
    return ParsedFeed(
        title=squash(str(document.get("title") or "")),
        link=link_of(url, document.get("home_page_url")),
        language=language,
        version="json11" if version.rstrip("/").endswith("1.1") else "json10",
        entries=entries,
        bozo="; ".join(warnings) or None,
    )


def _json_entry(
    item: dict[str, Any], base: str, language: str | None, feed_authors: tuple[str, ...], zone: tzinfo
) -> FeedEntry:
    link = link_of(base, item.get("url")) or link_of(base, item.get("external_url"))
    content = html_to_text(str(item.get("content_html") or "")) or squash(str(item.get("content_text") or ""))
    summary = squash(html_to_text(str(item.get("summary") or "")))
    if not summary and content:
        summary = truncate(squash(content), SUMMARY_MAX)
    guid = item.get("id")
    return FeedEntry(
        title=squash(html_to_text(str(item.get("title") or ""))),
        link=link,
        guid=guid_of(str(guid)) if guid not in (None, "") else None,
        published=_date(item.get("date_published"), zone),
        updated=_date(item.get("date_modified"), zone),
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


def _date(value: object, zone: tzinfo) -> datetime | None:
    return parse_date(value, zone) if isinstance(value, str) else None
