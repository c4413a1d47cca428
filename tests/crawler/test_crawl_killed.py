"""A one-shot `newsmon crawl` killed midway has recorded every source that finished before."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from tests.servers import Reply, TestServer
from tests.waiting import wait_for

RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
HTML = {"Content-Type": "text/html; charset=utf-8"}
PAGE = "<html><head><title>{0}</title></head><body><article><h1>{0}</h1><p>{1}</p></article></body></html>"
PROSE = "The harbour council approved the new tram line on Tuesday after a long debate. " * 8
# Two newsmon processes start here: about 6 s quiet, a minute when 2 cores run 10 processes.
pytestmark = pytest.mark.timeout(300)


def _feed(server: TestServer, name: str) -> str:
    item = f"<item><title>{name} story</title><link>{server.url(f'/{name}/1.html')}</link></item>"
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>{name}</title>{item}</channel></rss>'


def _recorded(db: Path) -> dict[str, str]:
    """Source name -> status, for the sources with a fetch log row."""
    if not db.exists():
        return {}
    with closing(sqlite3.connect(db, timeout=5)) as connection:
        try:
            rows = connection.execute(
                "SELECT s.name, s.status FROM sources s WHERE EXISTS "
                "(SELECT 1 FROM fetch_log f WHERE f.source_id = s.id)"
            ).fetchall()
        except sqlite3.OperationalError:  # not migrated yet
            return {}
    return dict(rows)


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_sources_finished_before_the_kill_are_recorded(tmp_path: Path, signum: signal.Signals) -> None:
    with TestServer() as server:
        server.set("/robots.txt", Reply(body=b"", headers={"Content-Type": "text/plain"}))
        for name in ("quick", "slow"):
            server.set(f"/{name}.xml", Reply(body=_feed(server, name), headers=RSS))
        server.set("/quick/1.html", Reply(body=PAGE.format("Quick story", PROSE), headers=HTML))
        # The slow source's page keeps the crawl busy until it is killed, however long it took to get there.
        server.set("/slow/1.html", Reply(hangs=True))
        db = tmp_path / "newsmon.db"
        config = tmp_path / "config.yaml"
        config.write_text(
            f"database: sqlite:///{db}\n"
            "crawl:\n  download_timeout: 30s\n  download_delay: 0s\n  autothrottle: false\n"
            "sources:\n"
            f"  - {{name: quick, type: feed, url: '{server.url('/quick.xml')}', every: 1h}}\n"
            f"  - {{name: slow, type: feed, url: '{server.url('/slow.xml')}', every: 1h}}\n",
            encoding="utf-8",
        )
        crawl = subprocess.Popen(
            [sys.executable, "-m", "newsmon.cli", "crawl", "--config", str(config)],
            cwd=tmp_path,
            env={k: v for k, v in os.environ.items() if "proxy" not in k.lower()},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            wait_for(
                lambda: "quick" in _recorded(db) and server.count("/slow/1.html") == 1,
                "the quick source to be recorded while the slow page is being fetched",
                process=crawl,
            )
            crawl.send_signal(signum)
            crawl.wait(timeout=20)
        finally:
            if crawl.poll() is None:
                crawl.kill()
            stderr = crawl.communicate()[1].decode()
    assert _recorded(db) == {"quick": "ok"}, stderr
    with closing(sqlite3.connect(db)) as connection:
        assert connection.execute("SELECT title FROM articles").fetchall() == [("Quick story",)]
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
