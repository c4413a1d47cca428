"""One generic spider for every feed source.

For each source: fetch the feed (conditionally, with the validators kept in
the database), parse it, and follow each entry whose article is not stored
yet (crawler.spiders.base). A stored article's page is never fetched again.
An entry without a link (an Atom entry with its content, an RSS item whose
guid is no permalink) is stored from the feed at once, keyed by its id.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from scrapy.http import Request, Response

from crawler.context import CrawlSource
from crawler.errors import NotAFeedError
from crawler.feeds import parse_feed_async
from crawler.items import ArticleItem
from crawler.spiders.base import SOURCE, SourceSpider, response_header, select_sources

__all__ = ["FEED_TYPES", "SOURCE", "FeedSpider", "select_sources"]

FEED_TYPES = ("feed",)


class FeedSpider(SourceSpider):
    name = "feed"
    source_types = FEED_TYPES
    document = "feed"

    def source_request(self, source: CrawlSource) -> Request:
        return self.conditional_request(source, self.parse_feed)

    async def parse_feed(
        self, response: Response, source: CrawlSource
    ) -> AsyncIterator[Request | ArticleItem]:
        body_hash = self.changed_body_hash(response, source)
        if body_hash is None:
            return
        headers = {
            name: value
            for name in ("Content-Type", "Content-Language")
            if (value := response_header(response, name))
        }
        try:
            feed = await parse_feed_async(response.body, response.url, headers, source.timezone)
        except NotAFeedError as exc:
            self.ledger.feed_done(
                source.name, "error", http_status=response.status, error=f"source {source.name}: {exc}"
            )
            return
        if feed.bozo:
            # Read all the same; the fetch log says what is wrong with the feed (charset, ill-formed XML).
            self.ledger.problem(source.name, f"feed read with warnings: {feed.bozo}")
        to_follow = self.new_entries(source, feed.entries)
        self.ledger.feed_done(
            source.name,
            "ok",
            http_status=response.status,
            entries=len(feed.entries),
            followed=len(to_follow),
            etag=response_header(response, "ETag"),
            last_modified=response_header(response, "Last-Modified"),
            body_hash=body_hash,
        )
        language_hint = source.language or feed.language
        for entry in to_follow:
            if entry.link is None:
                yield self.from_document(source.name, entry, language_hint)
        linked = [entry for entry in to_follow if entry.link is not None]
        for request in self.follow(source, linked, language_hint=language_hint):
            yield request
