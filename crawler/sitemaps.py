"""Sitemap bytes → entries: sitemap indexes, sitemaps (urlset) and Google News sitemaps.

Read with lxml's streaming parser in recover mode, entities unresolved and
no network (Scrapy's ``Sitemap`` uses the same options, but it drops the
nested ``news:`` elements). Tags are matched by local name, so a sitemap
with a missing or wrong namespace still reads. Gzip'd sitemaps (``.xml.gz``
served without ``Content-Encoding``) are unpacked here, within a size cap.

An entry's date is its ``news:publication_date``, else its ``lastmod``. A
child sitemap without ``lastmod`` may carry its period in its URL
(``sitemap-2024-03.xml``, ``/2024/03/12/``): ``period_end`` reads it.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from io import BytesIO
from typing import Literal
from urllib.parse import urlsplit

from lxml import etree
from scrapy.utils.gz import gunzip

from crawler.dates import parse_date
from crawler.errors import NotASitemapError
from crawler.feeds import language_code
from crawler.text import squash
from crawler.urls import resolve

_GZIP_MAGIC = b"\x1f\x8b"
_PERIOD = re.compile(r"(?<!\d)((?:19|20)\d\d)[-/_.]?(0[1-9]|1[0-2])(?:[-/_.]?(0[1-9]|[12]\d|3[01]))?(?!\d)")


@dataclass(frozen=True)
class SitemapEntry:
    loc: str  # absolute http(s) URL: an article page, or a child sitemap in an index
    lastmod: datetime | None = None
    published: datetime | None = None  # news:publication_date
    title: str = ""  # news:title
    language: str | None = None  # news:publication/news:language

    @property
    def date(self) -> datetime | None:
        return self.published or self.lastmod


@dataclass(frozen=True)
class ParsedSitemap:
    kind: Literal["index", "urlset"]
    entries: tuple[SitemapEntry, ...]


def parse_sitemap(body: bytes, url: str, max_size: int = 0, zone: tzinfo = UTC) -> ParsedSitemap:
    """Parse a sitemap or sitemap index, gzip'd or not; ``NotASitemapError`` for anything else.

    ``max_size`` caps the unpacked size of a gzip'd body (0: no cap); ``zone`` is the source's time
    zone, for dates without an offset (W3C datetimes require one, real sitemaps often lack it).
    """
    if body.startswith(_GZIP_MAGIC):
        try:
            body = gunzip(body, max_size=max_size)
        except (OSError, EOFError, ValueError) as exc:  # bad gzip, or bigger than max_size
            raise NotASitemapError(f"{url} cannot be unpacked: {exc}") from exc
    if not body.strip():
        raise NotASitemapError(f"{url} returned an empty body, not a sitemap")
    events = etree.iterparse(
        BytesIO(body),
        events=("start", "end"),
        recover=True,
        resolve_entities=False,
        no_network=True,
        remove_comments=True,
        remove_pis=True,
        huge_tree=False,
    )
    kind: Literal["index", "urlset"] | None = None
    entries: list[SitemapEntry] = []
    try:
        for event, element in events:
            name = _local(element)
            if kind is None:
                kind = _kind(name, url)
            elif event == "end" and name == ("sitemap" if kind == "index" else "url"):
                entry = _entry(element, url, zone)
                if entry is not None:
                    entries.append(entry)
                # Streaming: a sitemap may hold 50,000 URLs, read ones are dropped from the tree.
                element.clear(keep_tail=False)
                while element.getprevious() is not None:
                    del element.getparent()[0]  # type: ignore[union-attr]
    except etree.XMLSyntaxError as exc:
        if kind is None:
            raise NotASitemapError(f"{url} is not XML ({exc})") from exc
    if kind is None:
        raise NotASitemapError(f"{url} is not XML")
    return ParsedSitemap(kind, tuple(entries))


def period_end(url: str) -> datetime | None:
    """The end of the month or day a sitemap's URL names (``…-2024-03.xml`` → 2024-04-01), or None."""
    found = None
    for match in _PERIOD.finditer(urlsplit(url).path):
        found = match  # the last one: a host or folder name may carry an unrelated number first
    if found is None:
        return None
    year, month, day = int(found[1]), int(found[2]), found[3]
    if day is not None:
        try:
            return datetime(year, month, int(day), tzinfo=UTC) + timedelta(days=1)
        except ValueError:
            return None
    days = calendar.monthrange(year, month)[1]
    return datetime(year, month, 1, tzinfo=UTC) + timedelta(days=days)


def _kind(root: str, url: str) -> Literal["index", "urlset"]:
    if root == "sitemapindex":
        return "index"
    if root == "urlset":
        return "urlset"
    raise NotASitemapError(f"{url} is not a sitemap (its root element is <{root}>)")


def _local(element: etree._Element) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _entry(element: etree._Element, base: str, zone: tzinfo) -> SitemapEntry | None:
    fields: dict[str, str] = {}
    for child in element:
        name = _local(child)
        if name in ("loc", "lastmod"):
            fields.setdefault(name, (child.text or "").strip())
        elif name == "news":  # image:title and video:title are not the article's
            for part in child.iter():
                if _local(part) in ("publication_date", "title", "language"):
                    fields.setdefault(_local(part), (part.text or "").strip())
    loc = resolve(base, fields.get("loc", ""))
    if loc is None:
        return None
    return SitemapEntry(
        loc=loc,
        lastmod=parse_date(fields.get("lastmod"), zone),
        published=parse_date(fields.get("publication_date"), zone),
        title=squash(fields.get("title", "")),
        language=language_code(fields.get("language")),
    )
