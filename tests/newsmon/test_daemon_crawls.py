"""The daemon's crawls: sources due together share one spider and one read of their health, each
keeping its own poll (back-off, health message, next run).

The schedule's clock is driven: the test fires the scheduler's jobs itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from scrapy.crawler import Crawler
from sqlalchemy import event

from db.engine import Database
from db.health import health
from newsmon.daemon import GATHER, Daemon
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


def daemon_for(tmp_path: Path, database: str, site: Site, hook: SlackHook, *more: str) -> Daemon:
    """Sources ``good`` and ``broken`` (its feed answers 404), and ``more`` serving good's feed."""
    sources = ""
    for name in more:
        site.extra[f"/{name}.xml"] = (SITE / "feed.xml").read_bytes()
        sources += f"  - name: {name}\n    type: feed\n    url: {site.base}/{name}.xml\n    every: 15m\n"
    config = tmp_path / "config.yaml"
    config.write_text(
        f"""\
database: {database}
sources:
{sources}  - name: good
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


class Statements:
    """Counts the statements a database runs, by kind (SQLAlchemy's ``before_cursor_execute``)."""

    def __init__(self, database: Database) -> None:
        self.run: list[str] = []
        self.engine = database.engine

    def __enter__(self) -> Statements:
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.run.append(" ".join(statement.split()).lower())

    def health_reads(self, statements: list[str] | None = None) -> int:
        return sum(_reads_health(s) for s in (self.run if statements is None else statements))

    def after_reads(self) -> int:
        """Health reads after the crawls' hand-off (the first read of validators)."""
        handed = next((n for n, s in enumerate(self.run) if _reads_validators(s)), len(self.run))
        return self.health_reads(self.run[handed:])

    def validator_reads(self) -> int:
        return sum(_reads_validators(s) for s in self.run)

    def next_run_writes(self) -> int:
        return sum(s.startswith("update sources set next_run") for s in self.run)


def _reads_health(statement: str) -> bool:
    return statement.startswith("select") and "last_new_entry" in statement and "failures" in statement


def _reads_validators(statement: str) -> bool:
    return statement.startswith("select") and "etag" in statement


def test_sources_due_in_one_tick_read_their_health_once_and_each_keeps_its_back_off_and_message(
    tmp_path: Path, databases: Databases, peers: tuple[Site, SlackHook], run_on_reactor: Run
) -> None:
    site, hook = peers
    daemon = daemon_for(tmp_path, databases.url(), site, hook, "also", "third")
    database = daemon.app.database
    names = ["good", "also", "third", "broken"]

    async def scenario() -> tuple[Statements, int, Statements]:
        notifiers = daemon.app.notifiers()
        daemon._crawling(notifiers)
        daemon._schedule(AsyncIOScheduler(event_loop=asyncio.get_running_loop(), timezone=UTC))
        try:
            await asyncio.gather(*map(daemon._crawl_source, names))  # articles stored
            with Statements(database) as due:  # unchanged feeds, broken failing twice
                await asyncio.gather(*map(daemon._crawl_source, names))
            fetched = site.hits.count("/missing.xml")
            with Statements(database) as backing_off:
                await asyncio.gather(*map(daemon._crawl_source, names))
            return due, fetched, backing_off
        finally:
            await daemon.service.stop()
            await asyncio.gather(*(n.aclose() for n in notifiers.values()))

    due, fetched, backing_off = run_on_reactor(scenario())

    # Four polls: one read of their health before their crawls (they wait for one another), one
    # hand-off (one read of validators); after, crawls ending within ENDS_WINDOW share a read and a
    # write of next runs, and a loaded machine may spread the four ends over two (one poll each: 8, 4).
    assert (due.health_reads() - due.after_reads(), due.validator_reads()) == (1, 1), due.run
    assert due.after_reads() <= 2 and due.next_run_writes() <= 2, due.run
    assert backing_off.health_reads() == 2 and backing_off.validator_reads() == 1
    assert site.hits.count("/missing.xml") == fetched, "a source waiting out its back-off is not fetched"
    state = health(database, "broken")
    assert state is not None and state.status == "failing" and state.failures == 2
    broken_next = next_run(daemon, "broken")
    assert broken_next is not None and broken_next > datetime.now(UTC)
    for name in ("good", "also", "third"):
        assert [row.outcome for row in fetch_log(database, name)] == ["ok", "unchanged", "unchanged"]
        assert next_run(daemon, name) is not None
        assert health(database, name).status == "ok"  # type: ignore[union-attr]
    texts = [str(post.get("text", "")) for post in hook.posts]
    assert len([t for t in texts if "broken" in t and "failing" in t and "404" in t]) == 1
    assert len(texts) == 1, texts
    database.dispose()


def test_sources_falling_due_within_the_gathering_window_start_together(
    tmp_path: Path, databases: Databases, peers: tuple[Site, SlackHook], run_on_reactor: Run
) -> None:
    site, hook = peers
    daemon = daemon_for(tmp_path, databases.url(), site, hook, "also")
    database = daemon.app.database

    async def scenario() -> Statements:
        notifiers = daemon.app.notifiers()
        daemon._crawling(notifiers)
        daemon._schedule(AsyncIOScheduler(event_loop=asyncio.get_running_loop(), timezone=UTC))
        try:
            await asyncio.gather(daemon._crawl_source("good"), daemon._crawl_source("also"))
            with Statements(database) as counted:
                first = asyncio.ensure_future(daemon._crawl_source("good"))
                # The next job fires a moment later, well within the window (not a wait for a schedule).
                await asyncio.sleep(GATHER.total_seconds() / 20)
                await asyncio.gather(first, daemon._crawl_source("also"))
            return counted
        finally:
            await daemon.service.stop()
            await asyncio.gather(*(n.aclose() for n in notifiers.values()))

    counted = run_on_reactor(scenario())

    # One read of health before, one opening of validators: the two were handed over together.
    assert counted.validator_reads() == 1, counted.run
    assert counted.health_reads() == 2
    for name in ("good", "also"):
        assert [row.outcome for row in fetch_log(database, name)] == ["ok", "unchanged"]
    database.dispose()


def test_a_stop_while_polls_are_gathering_ends_them_without_a_crawl_or_a_cancelled_job(
    tmp_path: Path,
    databases: Databases,
    peers: tuple[Site, SlackHook],
    run_on_reactor: Run,
    caplog: pytest.LogCaptureFixture,
) -> None:
    site, hook = peers
    daemon = daemon_for(tmp_path, databases.url(), site, hook)

    async def scenario() -> int:
        running = asyncio.ensure_future(daemon.run())
        while not daemon._polling:  # the first source's first run is now  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        daemon.stop.set()  # as SIGTERM does, within the gathering window
        return await running

    assert run_on_reactor(scenario()) == 0
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    assert "/feed.xml" not in site.hits and daemon._polling == set()
    daemon.app.database.dispose()
