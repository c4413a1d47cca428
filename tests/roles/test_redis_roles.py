"""The split roles with ``queue: redis://…``: real scheduler and crawler processes, a real redis-server
(with a password, never printed), a real PostgreSQL and local feeds."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from sqlalchemy import func, select

from crawler.redisjobs import QUEUE_KEY, RedisJobQueue
from db import jobs
from db.engine import Database
from db.models import CrawlJob, utcnow
from db.queries import source_states
from newsmon.roles.crawler import MAX_CLAIMS
from newsmon.wiring import App
from tests.redis import RedisServer, needs_redis
from tests.roles.conftest import needs_postgres
from tests.roles.test_roles import (
    CRAWL,
    ENTRIES,
    Roles,
    article_count,
    crawled_a_source,
    kill_a_crawler_on_the_slow_page,
    news_site,
    poll_times,
    wait_for,
)
from tests.servers import TestServer

# A ceiling above the waits' sum (ROLE_WAIT, tests/roles/test_roles.py).
pytestmark = [*needs_postgres, *needs_redis, pytest.mark.timeout(600)]

PASSWORD = "Redis-queue-pa55"


@pytest.fixture
def locked_redis() -> Iterator[RedisServer]:
    server = RedisServer(password=PASSWORD).start()
    yield server
    server.close()


@pytest.fixture
def roles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Path], Roles]]:
    monkeypatch.setenv("REDIS_PASSWORD", PASSWORD)  # the children read the config's ${REDIS_PASSWORD}
    made: list[Roles] = []

    def make(config: Path) -> Roles:
        made.append(Roles(config))
        return made[-1]

    yield make
    for run in made:
        run.kill_all()


def write_config(
    folder: Path, database: str, queue: RedisServer, site: TestServer, feeds: int, every: str
) -> Path:
    sources = "".join(
        f"  - name: s{feed}\n    url: {site.url(f'/feeds/{feed}.xml')}\n    every: {every}\n    jitter: 0s\n"
        for feed in range(feeds)
    )
    url = f"redis://:${{REDIS_PASSWORD}}@127.0.0.1:{queue.port}/0"
    config = folder / "config.yaml"
    config.write_text(f"database: {database}\nqueue: {url}\n{CRAWL}sources:\n{sources}", encoding="utf-8")
    return config


def claimed_in_database(database: Database) -> int:
    with database.read() as session:
        return int(session.scalar(select(func.count()).where(CrawlJob.claimed_by.is_not(None))) or 0)


def pending(server: RedisServer) -> int:
    queue = RedisJobQueue(server.url)
    try:
        return queue.pending()
    finally:
        queue.close()


def assert_clean_logs(run: Roles) -> None:
    for name in run.processes:
        log = run.log(name)
        assert "Traceback" not in log, log
        assert PASSWORD not in log, f"{name} printed the Redis password"


def test_one_scheduler_and_two_crawlers_share_the_jobs_through_redis(
    fresh_postgres: str,
    database: Database,
    tmp_path: Path,
    locked_redis: RedisServer,
    roles: Callable[[Path], Roles],
) -> None:
    feeds, every = 6, 3.0
    site = news_site(feeds, feed_delay=0.5)  # a crawler busy with two feeds leaves the rest to the other
    try:
        run = roles(write_config(tmp_path, fresh_postgres, locked_redis, site, feeds, f"{every:g}s"))
        run.start("scheduler", "scheduler")
        run.start("crawler-1", "crawler")
        run.start("crawler-2", "crawler")
        feeds_paths = [f"/feeds/{feed}.xml" for feed in range(feeds)]
        wait_for(lambda: all(site.count(p) >= 3 for p in feeds_paths), "every source polled three times")
        wait_for(lambda: all(crawled_a_source(run, f"crawler-{n}") for n in (1, 2)), "both crawlers to crawl")
        assert claimed_in_database(database) == 0  # the jobs went through Redis, not crawl_jobs
        assert set(run.stop_all().values()) == {0}
    finally:
        site.stop()
    for path in feeds_paths:
        # Never more often than due (a fixed rate: a late crawl may be followed closely by the next).
        times = poll_times(site, path)
        assert len(times) <= (times[-1] - times[0]) / every + 2, (path, times)
    # Each article stored once, its page fetched once, whichever crawler read its feed.
    assert article_count(database) == feeds * ENTRIES
    pages = [f"/a/{feed}/{entry}.html" for feed in range(feeds) for entry in range(ENTRIES)]
    assert {page: site.count(page) for page in pages} == dict.fromkeys(pages, 1)
    shown = f"Redis at redis://:***@127.0.0.1:{locked_redis.port}/0"
    assert f"crawl jobs to {shown}" in run.log("scheduler")
    for name in ("crawler-1", "crawler-2"):
        assert f"crawl jobs from {shown}" in run.log(name)
    assert_clean_logs(run)


def test_a_killed_crawlers_redis_job_is_crawled_by_another(
    fresh_postgres: str,
    database: Database,
    tmp_path: Path,
    locked_redis: RedisServer,
    roles: Callable[[Path], Roles],
) -> None:
    slow = "/a/0/1.html"
    site = news_site(1, slow_page=slow)

    def claimed_by_the_dead_worker() -> None:
        assert pending(locked_redis) == 1

    try:
        # Due once in this test: a second crawl can only be the lost job coming back.
        run = roles(write_config(tmp_path, fresh_postgres, locked_redis, site, 1, "1h"))
        kill_a_crawler_on_the_slow_page(
            run, database, site, slow, lambda: pending(locked_redis), claimed_by_the_dead_worker
        )
    finally:
        site.stop()
    assert_clean_logs(run)


def test_redis_down_is_a_clear_error_and_no_job_is_lost(
    fresh_postgres: str,
    database: Database,
    tmp_path: Path,
    locked_redis: RedisServer,
    roles: Callable[[Path], Roles],
) -> None:
    site = news_site(2)
    locked_redis.stop()
    try:
        run = roles(write_config(tmp_path, fresh_postgres, locked_redis, site, 2, "1h"))
        run.start("scheduler", "scheduler")
        run.start("crawler", "crawler")
        refused = f"crawl queue redis://:***@127.0.0.1:{locked_redis.port}/0: ConnectionError"
        for name in ("scheduler", "crawler"):
            wait_for(lambda name=name: refused in run.log(name), f"the {name} to say Redis does not answer")
        assert site.count("/feeds/0.xml") == site.count("/feeds/1.xml") == 0
        locked_redis.start()
        # Due once an hour: the jobs queued while Redis was down are the only ones there will be.
        wait_for(lambda: article_count(database) == 2 * ENTRIES, "the jobs kept meanwhile to be crawled")
        wait_for(lambda: pending(locked_redis) == 0, "the jobs to be done")
        assert set(run.stop_all().values()) == {0}
    finally:
        site.stop()
    assert site.count("/feeds/0.xml") == site.count("/feeds/1.xml") == 1
    for name in ("scheduler", "crawler"):
        log = run.log(name)
        assert log.count(refused) == 1, log  # once per outage, not every second
        assert "answers again" in log, log
    assert_clean_logs(run)


def test_a_crawler_stopped_with_sigterm_hands_its_redis_jobs_back(
    fresh_postgres: str,
    database: Database,
    tmp_path: Path,
    locked_redis: RedisServer,
    roles: Callable[[Path], Roles],
) -> None:
    site = news_site(1, slow_page="/a/0/1.html")
    try:
        run = roles(write_config(tmp_path, fresh_postgres, locked_redis, site, 1, "1h"))
        run.start("scheduler", "scheduler")
        stopped = run.start("crawler-1", "crawler")
        wait_for(lambda: site.count("/a/0/1.html") == 1, "the crawl to reach the slow page")
        stopped.terminate()
        assert stopped.wait(timeout=90) == 0
        client = redis.Redis.from_url(locked_redis.url)
        assert client.llen("newsmon:{crawl}:queue") == 1  # back in the queue, for any worker
        client.close()
        run.start("crawler-2", "crawler")
        wait_for(lambda: pending(locked_redis) == 0, "the other crawler to do the job")
        assert set(run.stop_all().values()) == {0}
    finally:
        site.stop()
    assert "crawling again a job a stopped worker left (claim 2)" in run.log("crawler-2")
    assert site.count("/feeds/0.xml") == 2
    # The page cut short by the stop waits out its retry back-off (crawler/retries.py): not fetched again yet.
    assert article_count(database) == ENTRIES - 1 and site.count("/a/0/1.html") == 1
    assert_clean_logs(run)


def test_a_redis_job_lost_again_and_again_is_dropped_until_due_again(
    fresh_postgres: str, tmp_path: Path, locked_redis: RedisServer, roles: Callable[[Path], Roles]
) -> None:
    site = news_site(1)
    config = write_config(tmp_path, fresh_postgres, locked_redis, site, 1, "1h")
    app = App.open(config)
    now = utcnow()
    jobs.plan_schedule(app.database, {"s0": jobs.Poll(now, now + timedelta(hours=1), timedelta(hours=1))})
    client = redis.Redis.from_url(locked_redis.url)  # claimed three times, each by a crawler that died
    client.hset("newsmon:{crawl}:jobs", "s0", json.dumps({"holder": "", "attempts": MAX_CLAIMS}))
    client.rpush(QUEUE_KEY, json.dumps({"source": "s0"}))
    client.close()
    try:
        run = roles(config)
        run.start("crawler", "crawler")
        wait_for(lambda: pending(locked_redis) == 0, "the job to be dropped")
        assert set(run.stop_all().values()) == {0}
    finally:
        site.stop()
    assert site.count("/feeds/0.xml") == 0
    state = source_states(app.database)["s0"]
    assert state.status == "failing" and "lost 3 times in a row" in (state.last_error or "")
    assert "lost 3 times in a row" in run.log("crawler")
    assert_clean_logs(run)
    app.database.dispose()
