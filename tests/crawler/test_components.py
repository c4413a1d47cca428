"""Scrapy components that newsmon switches off or replaces (crawler/settings.py, crawler/stats.py)
still do what a user can see: a proxy named in the environment carries the crawl, and the daemon's
log at INFO keeps its line per source without Scrapy's progress lines."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

from crawler.runner import CrawlService
from db.engine import Database
from tests.crawler.helpers import context
from tests.servers import Reply, TestServer

Run = Callable[[Any], Any]
FEED = '<?xml version="1.0"?><rss version="2.0"><channel><title>proxied</title></channel></rss>'


def test_a_proxy_named_in_the_environment_carries_the_crawl(
    database: Database, run_on_reactor: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    with TestServer() as proxy:
        proxy.set("/feed.xml", Reply(body=FEED, headers={"Content-Type": "application/rss+xml"}))
        for name in ("no_proxy", "NO_PROXY", "HTTP_PROXY"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("http_proxy", proxy.base_url)
        # The name does not resolve: only the proxy can fetch it.
        ctx = context(database, ("far", "http://feeds.invalid/feed.xml"))
        reports = run_on_reactor(CrawlService().crawl(ctx))
        targets = [hit.target for hit in proxy.hits]

    assert reports["far"].outcome == "ok", reports["far"].error
    assert "http://feeds.invalid/feed.xml" in targets
    assert all(target.startswith("http://feeds.invalid/") for target in targets)


def test_a_crawl_logs_its_sources_at_info_without_scrapys_progress_lines(
    database: Database, run_on_reactor: Run, caplog: pytest.LogCaptureFixture
) -> None:
    with TestServer() as server:
        server.set("/feed.xml", Reply(body=FEED, headers={"Content-Type": "application/rss+xml"}))
        ctx = context(database, ("quiet", server.url("/feed.xml")), settings={"LOG_LEVEL": "INFO"})
        with caplog.at_level(logging.INFO):
            reports = run_on_reactor(CrawlService().crawl(ctx))

    assert reports["quiet"].outcome == "ok"
    assert "source quiet: ok, 0 entries, 0 new articles" in caplog.messages
    assert not [r for r in caplog.records if r.name.startswith("scrapy.extensions.")]
    assert not [m for m in caplog.messages if m.startswith("Crawled ")]
