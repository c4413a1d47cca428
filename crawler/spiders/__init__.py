"""Spiders, one per source type; sources are data, spiders stay generic."""

from __future__ import annotations

from scrapy import Spider

from crawler.spiders.feed import FeedSpider
from crawler.spiders.html import HtmlListingSpider
from crawler.spiders.sitemap import SitemapSpider

# Which spider serves a source of each ``type`` in the configuration.
SPIDERS: dict[str, type[Spider]] = {
    "feed": FeedSpider,
    "html": HtmlListingSpider,
    "sitemap": SitemapSpider,
}
