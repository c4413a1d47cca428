"""`newsmon run --role` with real processes on one real PostgreSQL database: one scheduler leads
(another stands by and takes over when it is killed), two crawlers share the jobs."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from benchmarks.crawl import article_page, feed_document
from db import jobs
from db.engine import Database
from db.models import Article, CrawlJob, utcnow
from db.queries import source_states
from newsmon.roles.crawler import MAX_CLAIMS
from newsmon.wiring import App
from tests import waiting
from tests.roles.conftest import needs_postgres
from tests.servers import Hit, Reply, TestServer

# Each role process loads its models before its first crawl: 31-42 s after it started, with the 2 cores
# at load 12, and three polls of six sources were not done within 90 s. The waits allow for that; the
# test's ceiling, above their sum, only catches a hang.
ROLE_WAIT = 240.0
pytestmark = [*needs_postgres, pytest.mark.timeout(600)]

NEWSMON = [sys.executable, "-m", "newsmon.cli"]
ENTRIES = 3
# Two sources at once per crawler: with six sources due together, one crawler cannot take them all and
# leave the other with nothing to show.
CRAWL = (
    "crawl: {download_delay: 0s, autothrottle: false, per_host_concurrency: 8, obey_robots: false,"
    " parallel_sources: 2}\n"
)


class Roles:
    """The processes of one test, each with its own log file; all stopped at the end."""

    def __init__(self, config: Path) -> None:
        self.config = config
        self.processes: dict[str, subprocess.Popen[str]] = {}

    def start(self, name: str, role: str) -> subprocess.Popen[str]:
        with self.log_path(name).open("w") as log:
            process = subprocess.Popen(
                [*NEWSMON, "run", "--role", role, "--config", str(self.config)],
                cwd=self.config.parent,
                stdout=log,
                stderr=subprocess.STDOUT,
                text=True,
                env={k: v for k, v in os.environ.items() if k != "NEWSMON_LOG_LEVEL"},
            )
        self.processes[name] = process
        return process

    def log_path(self, name: str) -> Path:
        return self.config.parent / f"{name}.log"

    def log(self, name: str) -> str:
        return self.log_path(name).read_text(encoding="utf-8")

    def stop_all(self) -> dict[str, int]:
        """SIGTERM every live process; their exit codes."""
        live = {n: p for n, p in self.processes.items() if p.poll() is None}
        for process in live.values():
            process.send_signal(signal.SIGTERM)
        return {name: process.wait(timeout=60) for name, process in live.items()}

    def kill_all(self) -> None:
        """SIGKILL every live process (the fixtures' teardown), then print the end of each log:
        pytest shows it when the test failed, so a failure in CI says what each process was doing."""
        for process in self.processes.values():
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)
        for name in self.processes:
            print(f"--- {name}.log, last lines:", *self.log(name).splitlines()[-15:], sep="\n")


def wait_for(holds: Callable[[], object], what: str, seconds: float = ROLE_WAIT) -> None:
    waiting.wait_for(holds, what, seconds)


def news_site(feeds: int, slow_page: str | None = None, feed_delay: float = 0.0) -> TestServer:
    """``feeds`` feeds of ENTRIES articles each, answered after ``feed_delay`` seconds; ``slow_page``
    hangs on its first request only."""
    server = TestServer()
    rss = {"Content-Type": "application/rss+xml"}
    html = {"Content-Type": "text/html; charset=utf-8"}
    for feed in range(feeds):
        server.set(
            f"/feeds/{feed}.xml",
            Reply(body=feed_document(server.base_url, feed, ENTRIES), headers=rss, delay=feed_delay),
        )
        for entry in range(ENTRIES):
            server.set(
                f"/a/{feed}/{entry}.html",
                Reply(body=article_page(server.base_url, feed, entry), headers=html),
            )
    if slow_page is not None:
        fast = server.routes[slow_page]
        first = threading.Event()

        def hang_once(hit: Hit) -> Reply:
            if first.is_set():
                return fast  # type: ignore[return-value]
            first.set()
            return Reply(body=b"never sent in time", headers=html, delay=120)

        server.set(slow_page, hang_once)
    return server.start()


def write_config(folder: Path, database: str, site: TestServer, feeds: int, every: str) -> Path:
    sources = "".join(
        f"  - name: s{feed}\n    url: {site.url(f'/feeds/{feed}.xml')}\n    every: {every}\n    jitter: 0s\n"
        for feed in range(feeds)
    )
    config = folder / "config.yaml"
    config.write_text(f"database: {database}\n{CRAWL}sources:\n{sources}", encoding="utf-8")
    return config


def crawled_a_source(run: Roles, name: str) -> bool:
    return " INFO crawler.runner: source s" in run.log(name)


def poll_times(site: TestServer, path: str) -> list[float]:
    return [hit.at for hit in list(site.hits) if hit.path == path]


def article_count(database: Database) -> int:
    with database.read() as session:
        return int(session.scalar(select(func.count()).select_from(Article)) or 0)


@pytest.fixture
def roles(tmp_path: Path) -> Iterator[Callable[[Path], Roles]]:
    with ExitStack() as stack:

        def make(config: Path) -> Roles:
            made = Roles(config)
            stack.callback(made.kill_all)
            return made

        yield make


def test_one_scheduler_leads_a_standby_takes_over_two_crawlers_share(
    fresh_postgres: str, database: Database, tmp_path: Path, roles: Callable[[Path], Roles]
) -> None:
    feeds, every = 6, 3.0
    # Feeds slow enough that a crawler busy with two of them leaves the rest to the other one.
    site = news_site(feeds, feed_delay=0.5)
    try:
        run = roles(write_config(tmp_path, fresh_postgres, site, feeds, f"{every:g}s"))
        first = run.start("scheduler-1", "scheduler")
        wait_for(lambda: "scheduler leads" in run.log("scheduler-1"), "the first scheduler to lead")
        run.start("scheduler-2", "scheduler")
        wait_for(lambda: "standing by" in run.log("scheduler-2"), "the second scheduler to stand by")
        run.start("crawler-1", "crawler")
        run.start("crawler-2", "crawler")
        feeds_paths = [f"/feeds/{feed}.xml" for feed in range(feeds)]
        wait_for(lambda: all(site.count(p) >= 2 for p in feeds_paths), "every source polled twice")
        wait_for(lambda: all(crawled_a_source(run, f"crawler-{n}") for n in (1, 2)), "both crawlers to crawl")

        first.kill()  # SIGKILL: its connection closes, the server drops the advisory lock
        first.wait(timeout=30)
        killed_at = time.monotonic()
        wait_for(lambda: "scheduler leads" in run.log("scheduler-2"), "the standby to lead", seconds=30)
        took_over = time.monotonic() - killed_at
        polled = {p: site.count(p) for p in feeds_paths}
        wait_for(lambda: all(site.count(p) >= polled[p] + 2 for p in feeds_paths), "polls to go on")
        assert set(run.stop_all().values()) == {0}
    finally:
        site.stop()
    assert took_over < 10, f"the standby took {took_over:.1f} s to lead"
    for path in feeds_paths:
        times = poll_times(site, path)
        gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
        # Once per due time: never by two crawlers together, never more often than due. (A late
        # crawl is followed by a short gap: the schedule is fixed-rate, as the daemon's.)
        assert min(gaps) > 1.0, (path, gaps)
        assert len(times) <= (times[-1] - times[0]) / every + 2, (path, gaps)
    # Each article stored once, its page fetched once: the crawlers never crawl a source together.
    assert article_count(database) == feeds * ENTRIES
    pages = [f"/a/{feed}/{entry}.html" for feed in range(feeds) for entry in range(ENTRIES)]
    assert {page: site.count(page) for page in pages} == dict.fromkeys(pages, 1)
    for name in run.processes:
        assert "Traceback" not in run.log(name), run.log(name)


def test_a_killed_crawlers_job_is_crawled_by_another(
    fresh_postgres: str, database: Database, tmp_path: Path, roles: Callable[[Path], Roles]
) -> None:
    slow = "/a/0/1.html"
    site = news_site(1, slow_page=slow)
    try:
        # Due once in this test: a second crawl can only be the lost job coming back.
        run = roles(write_config(tmp_path, fresh_postgres, site, 1, "1h"))
        kill_a_crawler_on_the_slow_page(run, database, site, slow, lambda: jobs_left(database))
    finally:
        site.stop()


def kill_a_crawler_on_the_slow_page(
    run: Roles,
    database: Database,
    site: TestServer,
    slow: str,
    jobs_left: Callable[[], int],
    while_dead: Callable[[], None] = lambda: None,
) -> None:
    """SIGKILL a crawler while it waits for ``slow``, start another: the job comes back to it,
    and only the in-flight page and the feed are fetched twice (whatever queue carries jobs)."""
    run.start("scheduler", "scheduler")
    doomed = run.start("crawler-1", "crawler")
    wait_for(
        lambda: site.count(slow) == 1 and article_count(database) == ENTRIES - 1,
        "the first crawler to store the other articles and fetch the slow page",
    )
    doomed.kill()
    doomed.wait(timeout=30)
    while_dead()
    run.start("crawler-2", "crawler")
    wait_for(lambda: article_count(database) == ENTRIES, "the other crawler to finish the job")
    wait_for(lambda: jobs_left() == 0, "the job to be done")
    assert set(run.stop_all().values()) == {0}
    log = run.log("crawler-2")
    assert "crawl job(s) are claimable again" in log and "crawling again a job" in log, log
    assert site.count(slow) == 2
    assert site.count("/a/0/0.html") == site.count("/a/0/2.html") == 1
    assert site.count("/feeds/0.xml") == 2


def jobs_left(database: Database) -> int:
    return jobs.queued(database)


def test_processes_starting_together_create_the_schema_once(fresh_postgres: str, tmp_path: Path) -> None:
    site = news_site(3)
    starting: list[subprocess.Popen[str]] = []
    try:
        config = write_config(tmp_path, fresh_postgres, site, 3, "1h")
        for _ in range(4):
            starting.append(
                subprocess.Popen(
                    [*NEWSMON, "sources", "--format", "json", "--config", str(config)],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        results = [process.communicate(timeout=120) for process in starting]
    finally:
        site.stop()
        for process in starting:  # a process still running when the test fails must not outlive it
            if process.poll() is None:
                process.kill()
                process.communicate()
    for process, (out, err) in zip(starting, results, strict=True):
        assert process.returncode == 0, err
        assert sorted(source["name"] for source in json.loads(out)) == ["s0", "s1", "s2"]


def test_a_job_lost_again_and_again_is_dropped_until_due_again(
    fresh_postgres: str, tmp_path: Path, roles: Callable[[Path], Roles]
) -> None:
    site = news_site(1)
    config = write_config(tmp_path, fresh_postgres, site, 1, "1h")
    app = App.open(config)
    try:
        now = utcnow()
        jobs.plan_schedule(app.database, {"s0": jobs.Poll(now, now, timedelta(hours=1))})
        jobs.queue_due(app.database, now, lambda _: None)
        with app.database.write() as session:  # claimed three times, each time by a crawler that died
            session.execute(update(CrawlJob).values(attempts=MAX_CLAIMS))
        run = roles(config)
        run.start("crawler", "crawler")
        wait_for(lambda: jobs_left(app.database) == 0, "the job to be dropped")
        assert set(run.stop_all().values()) == {0}
        state = source_states(app.database)["s0"]
    finally:
        site.stop()
        # Closed even when the test fails: an open connection is a ResourceWarning in a later test.
        app.database.dispose()
    assert site.count("/feeds/0.xml") == 0
    assert state.status == "failing" and "lost 3 times in a row" in (state.last_error or "")
    assert "lost 3 times in a row" in run.log("crawler")
