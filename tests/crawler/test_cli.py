"""`scrapy list` and `scrapy crawl feed` from the repository root, as the contract says."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from db.engine import Database
from tests.crawler.helpers import SITE, articles, fetch_log
from tests.servers import TestServer

ROOT = Path(__file__).resolve().parents[2]
SCRAPY = [sys.executable, "-m", "scrapy"]


def _scrapy(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [*SCRAPY, *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120, check=False
    )


def test_scrapy_list_names_one_spider_per_source_type() -> None:
    done = _scrapy("list")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["feed", "html", "sitemap"]


def test_scrapy_crawl_feed_crawls_one_source(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    with TestServer(directory=SITE) as server:
        sources = [["jds", server.url("/fr/feed.xml")], ["harbour", server.url("/en/atom.xml")]]
        done = _scrapy(
            "crawl", "feed", "-a", "source=jds",
            "-s", "NEWSMON_CONTEXT_FACTORY=tests.crawler.factory:context_from_environment",
            "-s", "LOG_LEVEL=INFO",
            env={"NEWSMON_TEST_DATABASE": url, "NEWSMON_TEST_SOURCES": json.dumps(sources)},
        )  # fmt: skip
        hits = server.paths()

    assert done.returncode == 0, done.stderr[-3000:]
    assert "/en/atom.xml" not in hits
    database = Database(url)
    try:
        assert len(articles(database)) == 2
        assert [log.outcome for log in fetch_log(database, "jds")] == ["ok"]
    finally:
        database.dispose()
    assert "Traceback" not in done.stderr


def test_scrapy_crawl_without_a_context_factory_says_what_is_missing() -> None:
    done = _scrapy("crawl", "feed", "-s", "NEWSMON_CONTEXT_FACTORY=")
    assert done.returncode != 0
    assert "NEWSMON_CONTEXT_FACTORY" in done.stderr
