"""A NEWSMON_CONTEXT_FACTORY for `scrapy crawl` tests: the context comes from environment variables.

NEWSMON_TEST_DATABASE is a SQLAlchemy URL (migrated here); NEWSMON_TEST_SOURCES is
JSON: a list of [name, url] feed sources.
"""

from __future__ import annotations

import json
import os

from scrapy.settings import Settings

from crawler.context import CrawlContext, CrawlSource
from db.engine import Database
from db.migrate import upgrade


def context_from_environment(settings: Settings) -> CrawlContext:
    database = Database(os.environ["NEWSMON_TEST_DATABASE"])
    upgrade(database)
    pairs = json.loads(os.environ["NEWSMON_TEST_SOURCES"])
    sources = tuple(CrawlSource(name, "feed", url) for name, url in pairs)
    return CrawlContext(database=database, sources=sources)
