"""Spiders, one per source type; sources are data, spiders stay generic.

``SPIDERS`` is the explicit registry from a source's ``type`` in config.yaml
to its options model (options.py) and the spider that serves it. The config
builds its ``sources:`` schema from it; the crawl service asks
``spider_for``. A new source type is a spider module, its options model and
one line here. Importing this package loads the options only: Scrapy is
imported with the first spider (Scrapy's own loader walks the modules).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crawler.spiders.options import FeedOptions, HtmlOptions, SitemapOptions
from db.options import Plugin

if TYPE_CHECKING:
    from crawler.spiders.base import SourceSpider

SPIDERS: dict[str, Plugin[type[SourceSpider]]] = {
    "feed": Plugin(FeedOptions, "crawler.spiders.feed:FeedSpider"),
    "html": Plugin(HtmlOptions, "crawler.spiders.html:HtmlListingSpider"),
    "sitemap": Plugin(SitemapOptions, "crawler.spiders.sitemap:SitemapSpider"),
}


def spider_for(source_type: str) -> type[SourceSpider] | None:
    """The spider serving sources of ``source_type``, or None for a type no spider serves."""
    plugin = SPIDERS.get(source_type)
    return plugin.load() if plugin is not None else None
