"""The daemon's crawls: sources due together share one spider, each keeping its own poll.

The schedule's clock is driven: the test fires the scheduler's jobs itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from scrapy.crawler import Crawler

from db.health import health
from newsmon.daemon import Daemon
from newsmon.wiring import App
from tests.crawler.helpers import articles, fetch_log, source_row
from tests.databases import Databases
from tests.newsmon.peers import Site, SlackHook

SITE = Path(__file__).parent / "site"
Run = Callable[[Awaitable[Any]], Any]


@pytest.fixture
def peers() -> Iterator[tuple[Site, SlackHook]]:
    site, hook = Site(SITE), SlackHook()
    yield site, hook
    site.close()
    hook.close()


def daemon_for(tmp_path: Path, database: str, site: Site, hook: SlackHook) -> Daemon:
    config = tmp_path / "config.yaml"
    config.write_text(
        f"""\
database: {database}
sources:
  - name: good
    type: feed
    url: {site.base}/feed.xml
    every: 15m
  - name: broken
    type: feed
    url: {site.base}/missing.xml
    every: 15m
health:
  channel: ops
channels:
  - name: ops
    type: slack
    webhook_url: {hook.url}
""",
        encoding="utf-8",
    )
    return Daemon(App.open(config))


class Started:
    """Counts the Scrapy crawlers a daemon makes (each has its own engine, middlewares, connections)."""

    def __init__(self, daemon: Daemon) -> None:
        self.crawlers: list[Crawler] = []
        make = daemon.service._crawler

        def counted(*args: Any) -> Crawler:
            self.crawlers.append(make(*args))
            return self.crawlers[-1]

        daemon.service._crawler = counted  # type: ignore[method-assign]


def test_sources_due_together_share_one_crawl_and_keep_their_own_outcomes(
    tmp_path: Path, databases: Databases, peers: tuple[Site, SlackHook], run_on_reactor: Run
) -> None:
    site, hook = peers
    daemon = daemon_for(tmp_path, databases.url(), site, hook)
    database = daemon.app.database

    async def scenario() -> tuple[datetime | None, datetime | None]:
        notifiers = daemon.app.notifiers()
        daemon._crawling(notifiers)
        started = Started(daemon)
        daemon._schedule(AsyncIOScheduler(event_loop=asyncio.get_running_loop(), timezone=UTC))
        try:
            # Both fall due: the scheduler runs both jobs at once.
            await asyncio.gather(daemon._crawl_source("good"), daemon._crawl_source("broken"))
            await asyncio.gather(daemon._crawl_source("good"), daemon._crawl_source("broken"))
            assert len(started.crawlers) == 1, "one spider for every due source"
            # Failing twice in a row: the next run waits out the back-off, without a fetch.
            fetched = site.hits.count("/missing.xml")
            await daemon._crawl_source("broken")
            assert site.hits.count("/missing.xml") == fetched
            return next_run(daemon, "broken"), next_run(daemon, "good")
        finally:
            await daemon.service.stop()
            await asyncio.gather(*(n.aclose() for n in notifiers.values()))

    backing_off_until, good_next = run_on_reactor(scenario())

    assert daemon.poller.inflight == set()
    assert {a.title for a in articles(database)} >= {
        "Nvidia invierte 500 millones de dólares en la startup francesa Mistral AI"
    }
    assert [row.outcome for row in fetch_log(database, "good")] == ["ok", "unchanged"]
    assert [row.outcome for row in fetch_log(database, "broken")] == ["error", "error"]
    state = health(database, "broken")
    assert state is not None and state.status == "failing" and state.failures == 2
    assert backing_off_until is not None and backing_off_until > datetime.now(UTC)
    assert good_next is not None  # the schedule's next run, as before
    texts = [str(post.get("text", "")) for post in hook.posts]
    assert len([t for t in texts if "broken" in t and "failing" in t and "404" in t]) == 1
    assert not [t for t in texts if "good" in t]
    database.dispose()


def next_run(daemon: Daemon, name: str) -> datetime | None:
    return source_row(daemon.app.database, name).next_run
