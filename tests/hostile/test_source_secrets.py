"""A secret from the environment in a source's URL never shows: logs, database, CLI, web.

The crawl runs in a subprocess (newsmon crawl, as a user runs it) against a real
HTTP server answering 404 for one tokened source and 200 for the other.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import httpx
import pytest
from rich.console import Console

from db.redact import SECRETS, hide
from newsmon import logs
from newsmon.web.app import create_app
from newsmon.wiring import App
from tests.servers import TestServer
from tests.web.conftest import LiveServer

NEWSMON = [sys.executable, "-m", "newsmon.cli"]
TOKEN = "s3cr3t-T0ken_q"  # in a query string
PASSWORD = "pa55w0rd-Xyz"  # in a query string, and as a URL's password (refused: never sent)

FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>http://127.0.0.1/</link>
<item><title>OpenAI invests</title><link>http://127.0.0.1/a1</link><guid>a1</guid>
<description>text</description></item></channel></rss>"""


def encodings(value: str) -> dict[str, str]:
    return {
        "plain": value,
        "repr": repr(value)[1:-1],
        "percent": quote(value, safe=""),
        "form": quote_plus(value),
        "base64": base64.b64encode(value.encode()).decode(),
        "basic-auth": base64.b64encode(f"user:{value}".encode()).decode(),
    }


def shown(text: str, *values: str) -> list[str]:
    return [f"{value}:{name}" for value in values for name, form in encodings(value).items() if form in text]


@pytest.fixture(autouse=True)
def fresh_secrets(restore_logging: None) -> Iterator[None]:
    SECRETS.clear()
    yield
    SECRETS.clear()


@pytest.mark.parametrize("value", ["p@ss w0rd/Secr3t+x", "ünïcode-s3cret", "a" * 40])
def test_hide_covers_every_encoding(value: str) -> None:
    hidden = hide(" ".join(encodings(value).values()), [value])
    assert not shown(hidden, value), hidden
    for prefix in ("", "u", "us", "user:", "Aladdin:"):  # the value at each offset of a base64 group
        encoded = base64.b64encode((prefix + value).encode()).decode()
        before, mark, after = hide(encoded, [value]).partition("…")
        # What is left is the prefix's characters and the group the value ends in: never the value.
        assert mark and len(before) <= len(prefix) * 4 // 3 + 1 and len(after) <= 4, (prefix, before, after)


def test_a_value_too_short_to_be_a_secret_is_left_alone() -> None:
    assert hide("port 25, tok", ["25", "tok"]) == "port 25, tok"


def test_the_log_filter_hides_message_args_traceback_and_context() -> None:
    SECRETS.add([TOKEN])
    out = io.StringIO()
    logs.configure("debug", Console(file=out, width=400))
    log = logging.getLogger("scrapy.core.engine")
    log.debug("Crawled (404) <GET %s>", f"http://h/f?token={quote_plus(TOKEN)}")
    log.warning("bad %r", TOKEN, extra={"url": f"http://h/?t={TOKEN}"})
    try:
        raise ValueError(f"failed at {TOKEN}")
    except ValueError:
        log.exception("with a traceback")
    logs.use_format("json")
    log.warning("json %s", TOKEN, extra={"url": f"http://h/?t={TOKEN}"})
    logs.use_format("text")
    text = out.getvalue()
    assert "Crawled (404)" in text and "ValueError: failed at …" in text
    assert json.loads(text.splitlines()[-1])["url"] == "http://h/?t=…"
    assert not shown(text, TOKEN), text


def _project(tmp_path: Path, server: TestServer) -> Path:
    config = tmp_path / "config.yaml"
    missing = server.url("/missing.xml?token=${FEED_TOKEN}")
    wire = server.url("/feed.xml?key=${FEED_PASSWORD}")
    userinfo = server.url("/private.xml").replace("http://", "http://user:${FEED_PASSWORD}@")
    config.write_text(
        f"database: sqlite:///{tmp_path}/newsmon.db\nsources:\n"
        f"  - {{name: missing, url: '{missing}'}}\n  - {{name: wire, url: '{wire}'}}\n"
        f"  - {{name: private, url: '{userinfo}'}}\n",
        encoding="utf-8",
    )
    return config


def _newsmon(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FEED_TOKEN": TOKEN, "FEED_PASSWORD": PASSWORD}
    return subprocess.run(
        [*NEWSMON, *args], capture_output=True, text=True, timeout=180, env=env, check=False
    )


def test_a_tokened_source_shows_no_secret_anywhere(
    tmp_path: Path, http_server: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    http_server.set("/feed.xml", status=200, headers={"Content-Type": "application/rss+xml"}, body=FEED)
    config = _project(tmp_path, http_server)
    crawl = _newsmon("crawl", "--config", str(config), "--log-level", "debug")
    assert crawl.returncode == 0, crawl.stderr
    # The crawler fetched the real URLs, with their secrets.
    assert http_server.count(f"/missing.xml?token={TOKEN}") == 1
    assert http_server.count(f"/feed.xml?key={PASSWORD}") == 1
    assert "Refused to fetch http://user:…@127.0.0.1" in crawl.stderr
    assert "Crawled (404)" in crawl.stderr and "Crawled (200)" in crawl.stderr
    assert " WARNING " in crawl.stderr and "missing" in crawl.stderr
    assert not shown(crawl.stderr + crawl.stdout, TOKEN, PASSWORD), crawl.stderr

    with sqlite3.connect(tmp_path / "newsmon.db") as db:
        stored = repr(db.execute("SELECT name, url, last_error FROM sources").fetchall())
        stored += repr(db.execute("SELECT error FROM fetch_log").fetchall())
    assert "missing.xml?token=…" in stored and "404" in stored
    assert not shown(stored, TOKEN, PASSWORD), stored

    with sqlite3.connect(tmp_path / "newsmon.db") as db:  # as stored by a version that kept it
        db.execute(
            "UPDATE sources SET last_error = ? WHERE name = 'wire'", (f"HTTP 500 from ?key={PASSWORD}",)
        )
    for output in ("table", "json", "csv", "opml"):
        listed = _newsmon("sources", "--config", str(config), "--format", output)
        assert listed.returncode == 0 and "missing" in listed.stdout, listed.stderr
        assert not shown(listed.stdout + listed.stderr, TOKEN, PASSWORD), listed.stdout

    monkeypatch.setenv("FEED_TOKEN", TOKEN)
    monkeypatch.setenv("FEED_PASSWORD", PASSWORD)
    with LiveServer(create_app(App.open(config))) as live:
        page = httpx.get(f"{live.base}/sources", timeout=30).text
        api = httpx.get(f"{live.base}/api/sources", timeout=30).text
    assert "missing" in page and "wire" in page and "HTTP 500 from ?key=…" in api
    assert not shown(page + api, TOKEN, PASSWORD), page


def test_a_second_crawl_still_fetches_the_real_url_conditionally(
    tmp_path: Path, http_server: TestServer
) -> None:
    http_server.set(
        "/feed.xml",
        status=200,
        headers={"Content-Type": "application/rss+xml", "ETag": '"v1"'},
        body=FEED,
        conditional=True,
    )
    config = _project(tmp_path, http_server)
    for _ in range(2):
        crawl = _newsmon("crawl", "--config", str(config), "--log-level", "debug")
        assert crawl.returncode == 0, crawl.stderr
    feeds = [h for h in http_server.hits if h.path == "/feed.xml"]
    assert len(feeds) == 2 and feeds[1].headers.get("if-none-match") == '"v1"'  # validators keyed by name
    assert http_server.count(f"/missing.xml?token={TOKEN}") == 2
    assert http_server.count(f"/feed.xml?key={PASSWORD}") == 2
