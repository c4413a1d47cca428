"""The store pipeline writes articles several to a transaction and acknowledges each only once its
transaction has committed: through real crawls of local feeds into a real SQLite file."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

import crawler.pipelines
from crawler.context import ProgressEvent
from crawler.runner import CrawlService
from db.engine import Database
from tests.crawler.helpers import articles, context, fetch_log
from tests.servers import Hit, Reply, Route, TestServer
from tests.waiting import wait_for

Run = Callable[[Any], Any]
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
HTML = {"Content-Type": "text/html; charset=utf-8"}
PAGE = "<html><head><title>{0}</title></head><body><article><h1>{0}</h1><p>{1}</p></article></body></html>"
PROSE = "The harbour council approved the new tram line on Tuesday after a long debate. " * 8


def serve_feed(server: TestServer, name: str, pages: int, slow: dict[int, float] | None = None) -> str:
    """A feed of ``pages`` article pages; ``slow`` holds some of them back (page number -> seconds)."""
    items = "".join(
        f"<item><title>{name} {n}</title><link>{server.url(f'/{name}/{n}.html')}</link></item>"
        for n in range(pages)
    )
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>{name}</title>{items}</channel></rss>'
    server.set(f"/{name}.xml", Reply(body=feed, headers=RSS))
    for n in range(pages):
        delay = (slow or {}).get(n, 0.0)
        body = PAGE.format(f"{name} story {n}", PROSE)
        server.set(f"/{name}/{n}.html", Reply(body=body, headers=HTML, delay=delay))
    return server.url(f"/{name}.xml")


def article_inserts(database: Database) -> list[int]:
    """The number of rows of each INSERT into articles, as executed."""
    sizes: list[int] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO ARTICLES "):
            sizes.append(statement.count("), (") + 1)  # one multi-row INSERT ... VALUES (...), (...)

    event.listen(database.engine, "before_cursor_execute", count)
    return sizes


def committed(db_file: Path, url: str) -> bool:
    """Whether another connection sees the article: whether its transaction has committed."""
    with closing(sqlite3.connect(db_file)) as connection:
        return connection.execute("SELECT 1 FROM articles WHERE url = ?", (url,)).fetchone() is not None


def test_articles_are_batched_and_acknowledged_after_their_commit(
    database: Database, tmp_path: Path, run_on_reactor: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Batches of 3, and a timer long enough never to fire: only the count and the source's end flush.
    monkeypatch.setattr(crawler.pipelines, "BATCH_ARTICLES", 3)
    monkeypatch.setattr(crawler.pipelines, "BATCH_SECONDS", 60.0)
    sizes = article_inserts(database)
    seen_committed: list[bool] = []

    def on_progress(progress: ProgressEvent) -> None:
        if progress.kind == "article" and progress.stored:
            assert progress.url is not None
            seen_committed.append(committed(tmp_path / "newsmon.db", progress.url))

    with TestServer() as server:
        server.set("/robots.txt", Reply(body=b"", headers={"Content-Type": "text/plain"}))
        ctx = context(database, ("wire", serve_feed(server, "wire", 7)), on_progress=on_progress)
        started = time.monotonic()
        reports = run_on_reactor(CrawlService().crawl(ctx))

    assert time.monotonic() - started < 30, "the source's last article waited for the timer"
    assert reports["wire"].new_articles == 7 and len(articles(database)) == 7
    assert seen_committed == [True] * 7
    assert sorted(sizes) == [1, 3, 3]
    assert fetch_log(database, "wire")[0].new_articles == 7


def test_a_lone_article_is_written_when_the_batch_times_out(
    database: Database, tmp_path: Path, run_on_reactor: Run
) -> None:
    first_stored = threading.Event()
    second_sent_after_the_first: list[bool] = []

    def on_progress(progress: ProgressEvent) -> None:
        if progress.kind == "article" and progress.stored and progress.url:
            first_stored.set()

    with TestServer() as server:
        server.set("/robots.txt", Reply(body=b"", headers={"Content-Type": "text/plain"}))
        url = serve_feed(server, "wire", 2)
        second = server.routes["/wire/1.html"]

        def after_the_first(hit: Hit) -> Route:
            # Were the first article's batch waiting to fill up, it would wait for this page for ever.
            second_sent_after_the_first.append(first_stored.wait(timeout=20))
            return second

        server.set("/wire/1.html", after_the_first)
        ctx = context(database, ("wire", url), on_progress=on_progress, settings={"DOWNLOAD_TIMEOUT": 30})
        reports = run_on_reactor(CrawlService().crawl(ctx))

    assert second_sent_after_the_first == [True]
    assert reports["wire"].new_articles == 2


def test_a_failing_hook_costs_only_its_article_in_a_batch(
    database: Database, run_on_reactor: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(crawler.pipelines, "BATCH_SECONDS", 60.0)  # all in one batch: the source's end
    sizes = article_inserts(database)

    def on_stored(_session: Any, _article_id: int, article: Any) -> None:
        if article.url.endswith("/1.html"):
            raise RuntimeError("outbox is broken")

    with TestServer() as server:
        server.set("/robots.txt", Reply(body=b"", headers={"Content-Type": "text/plain"}))
        ctx = context(database, ("wire", serve_feed(server, "wire", 3)), on_stored=on_stored)
        reports = run_on_reactor(CrawlService().crawl(ctx))

    assert sizes[0] == 3, "the three articles were tried as one batch first"
    assert sorted(a.url.rsplit("/", 1)[1] for a in articles(database)) == ["0.html", "2.html"]
    assert reports["wire"].new_articles == 2
    assert any("outbox is broken" in p for p in reports["wire"].problems)


def test_two_sources_listing_one_page_store_it_once(database: Database, run_on_reactor: Run) -> None:
    with TestServer() as server:
        server.set("/robots.txt", Reply(body=b"", headers={"Content-Type": "text/plain"}))
        url = serve_feed(server, "wire", 3)
        ctx = context(database, ("wire", url), ("mirror", url))
        reports = run_on_reactor(CrawlService().crawl(ctx))

    assert len(articles(database)) == 3
    assert reports["wire"].new_articles + reports["mirror"].new_articles == 3


# ------------------------------------------------------------------ kill -9

HARNESS = """
import sys
from pathlib import Path
from crawler.context import CrawlContext, CrawlSource
from crawler.reactor import run
from crawler.runner import CrawlService
from db.engine import Database
from db.migrate import upgrade

db_file, acks, feed = sys.argv[1:]
database = Database(f"sqlite:///{db_file}")
upgrade(database)
out = open(acks, "a", encoding="utf-8")

def acknowledged(progress):
    if progress.kind == "article" and progress.stored:
        out.write(progress.url + "\\n")
        out.flush()

context = CrawlContext(
    database=database,
    sources=(CrawlSource("wire", "feed", feed),),
    settings={"DOWNLOAD_TIMEOUT": 30, "LOG_LEVEL": "WARNING", "DOWNLOAD_DELAY": 0},
    on_progress=acknowledged,
)
run(lambda: CrawlService().crawl(context))
"""


def test_articles_acknowledged_before_a_kill_9_are_all_stored(tmp_path: Path) -> None:
    db_file, acks = tmp_path / "newsmon.db", tmp_path / "acks"
    acks.touch()
    with TestServer() as server:
        server.set("/robots.txt", Reply(body=b"", headers={"Content-Type": "text/plain"}))
        # Page 5 hangs: the crawl is still running, its other pages acknowledged, when it is killed.
        feed = serve_feed(server, "wire", 6)
        server.set("/wire/5.html", Reply(hangs=True))
        crawl = subprocess.Popen(
            [sys.executable, "-c", HARNESS, str(db_file), str(acks), feed],
            cwd=Path(__file__).resolve().parents[2],
            env={k: v for k, v in os.environ.items() if "proxy" not in k.lower()},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            wait_for(lambda: len(acks.read_text().split()) == 5, "five pages acknowledged", process=crawl)
            crawl.send_signal(signal.SIGKILL)
            crawl.wait(timeout=20)
        finally:
            if crawl.poll() is None:
                crawl.kill()
            stderr = crawl.communicate()[1].decode()
    acknowledged = acks.read_text().split()
    assert len(acknowledged) == 5, stderr
    with closing(sqlite3.connect(db_file)) as connection:
        stored = {url for (url,) in connection.execute("SELECT url FROM articles")}
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert set(acknowledged) <= stored
    assert not any(url.endswith("/5.html") for url in stored)
