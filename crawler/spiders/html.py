"""One generic spider for every site without a feed: a listing page and the source's selectors.

For each source: fetch the listing page (conditionally, like a feed), read
article links with ``selectors.links`` (crawler.selectors), and follow the
ones not stored yet in page order, at most ``NEWSMON_MAX_FOLLOW`` a crawl
(crawler.spiders.base). On each article page the source's field selectors
(``title``, ``text``, ``published``, ``author``) override the extractor's
values where they match.

A links selector that matches nothing makes the source fail: a redesigned
site must show up in ``newsmon sources``, not look like a quiet day.
"""

from __future__ import annotations

from collections.abc import Iterator

from scrapy.http import Request, Response, TextResponse
from scrapy.utils.response import get_base_url

from crawler.context import CrawlSource
from crawler.feeds import FeedEntry
from crawler.selectors import PageFields, link_hrefs, select_fields
from crawler.spiders.base import SourceSpider, response_header
from crawler.spiders.options import HtmlOptions, Selectors
from crawler.urls import identity, resolve


class HtmlListingSpider(SourceSpider):
    name = "html"
    source_types = ("html",)
    document = "listing page"

    def source_request(self, source: CrawlSource) -> Request:
        return self.conditional_request(source, self.parse_listing)

    def parse_listing(self, response: Response, source: CrawlSource) -> Iterator[Request]:
        body_hash = self.changed_body_hash(response, source)
        if body_hash is None:
            return
        selectors = _selectors(source)
        expression = selectors.links if selectors else None
        if not isinstance(response, TextResponse) or not expression:
            problem = "is not an HTML page" if expression else "has no `links` selector"
            self.ledger.feed_done(
                source.name,
                "error",
                http_status=response.status,
                error=f"source {source.name}: {response.url} {problem}",
            )
            return
        raw_links = self._links(response, expression)
        if not raw_links:
            self.ledger.feed_done(
                source.name,
                "error",
                http_status=response.status,
                error=f"source {source.name}: the links selector {expression!r} matched no link on "
                f"{response.url} (has the site changed?)",
            )
            return
        entries = [
            FeedEntry(title="", link=link, guid=None, published=None, updated=None, summary="")
            for link in raw_links
        ]
        new = self.new_entries(source, entries)
        to_follow = new[: self.follow_limit()]
        complete = len(to_follow) == len(new)
        self.ledger.feed_done(
            source.name,
            "ok",
            http_status=response.status,
            entries=len(entries),
            followed=len(to_follow),
            # Links left for the next crawl: the same page must not count as unchanged then.
            etag=response_header(response, "ETag") if complete else None,
            last_modified=response_header(response, "Last-Modified") if complete else None,
            body_hash=body_hash if complete else None,
        )
        yield from self.follow(
            source, to_follow, language_hint=source.language, ranked=True, raw_links=raw_links
        )

    def _links(self, response: TextResponse, expression: str) -> dict[str, str]:
        """Absolute http(s) article links → the link as written; each article once, not the listing."""
        base = get_base_url(response)
        seen = {identity(response.url)}
        links: dict[str, str] = {}
        for href in link_hrefs(response.selector, expression):
            link = resolve(base, href)
            if link is not None and identity(link) not in seen:
                seen.add(identity(link))
                links[link] = href
        return links

    def selected_fields(self, response: Response, source: str) -> PageFields | None:
        crawl_source = self.context.source(source)
        selectors = _selectors(crawl_source) if crawl_source is not None else None
        if crawl_source is None or not selectors or not isinstance(response, TextResponse):
            return None
        return select_fields(response.selector, selectors, crawl_source.timezone)


def _selectors(source: CrawlSource) -> Selectors | None:
    return source.options.selectors if isinstance(source.options, HtmlOptions) else None
