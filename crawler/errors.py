"""Errors raised by the crawler.

    CrawlerError
    ├── NotAFeedError     the bytes fetched for a feed are an HTML page or garbage
    ├── NotASitemapError  the bytes fetched for a sitemap are neither a sitemap nor an index
    ├── DiscoveryError    feed autodiscovery was given something other than an http(s) URL
    ├── ReactorError      Twisted's reactor is missing, of the wrong kind or on another loop
    ├── ContextError      the spider has no CrawlContext and none can be built
    ├── UnknownSourceError a source name that the CrawlContext does not know
    ├── QueueError        the Redis crawl queue cannot be reached or refused a command
    └── MalformedJobError data from the Redis crawl queue that is no crawl job

Fetch failures (DNS, timeouts, HTTP errors) are not exceptions here: they are
outcomes recorded per source in the fetch log.
"""

from __future__ import annotations


class CrawlerError(Exception):
    """Base class of crawler errors."""


class NotAFeedError(CrawlerError):
    """The document is not RSS, RDF, Atom or JSON Feed."""


class NotASitemapError(CrawlerError):
    """The document is neither a sitemap (urlset) nor a sitemap index, or cannot be unpacked."""


class DiscoveryError(CrawlerError):
    """Feed autodiscovery cannot start: the URL is not an http(s) URL."""


class ReactorError(CrawlerError):
    """Twisted's reactor cannot be used as newsmon needs it."""


class ContextError(CrawlerError):
    """No CrawlContext was given and none could be built from the settings."""


class UnknownSourceError(CrawlerError):
    """A crawl names a source that is not in the CrawlContext."""

    def __init__(self, names: list[str], known: list[str]) -> None:
        self.names = names
        super().__init__(
            f"unknown source(s) {', '.join(names)}; configured sources: {', '.join(known) or 'none'}"
        )


class QueueError(CrawlerError):
    """The Redis crawl queue (``queue:``) cannot be reached or refused a command; the message
    names the queue without its password."""


class MalformedJobError(CrawlerError):
    """Data taken from the Redis crawl queue is no crawl job (not JSON naming a source)."""
