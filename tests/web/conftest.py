"""A seeded newsmon site and the web server over it, on a free loopback port.

The server is the real thing (uvicorn, in a thread) over a real SQLite file;
articles go in through the crawler's own assessment (event detection, rules) and ``store_article``,
so the FTS index, alerts and deliveries are the ones a crawl makes.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from db import outbox
from db.store import FetchResult, NewArticle, record_fetch, store_article
from newsmon.web.app import create_app
from newsmon.wiring import App
from tests.web.stories_shape import add_story

TOKEN = "s3cret-token-for-tests-0123456789"
XSS_TITLE = 'Pwned <script>window.__xss = 1</script><img src=x onerror="window.__xss=2">'

CONFIG = """\
database: sqlite:///{db}
sources:
  - name: wire
    type: feed
    url: http://127.0.0.1:9/wire.xml
  - name: blog
    type: feed
    url: http://127.0.0.1:9/blog.xml
rules:
  - name: ai-deals
    query: 'OpenAI AND invest*'
    channels: [mail, slack]
  - name: partnerships
    query: 'partnership'
    channels: [mail]
channels:
  - name: mail
    type: email
    host: 127.0.0.1
    port: 2525
    sender: newsmon@example.org
    to: [analyst@example.org]
  - name: slack
    type: slack
    webhook_url: http://127.0.0.1:9/hook
"""


@dataclass
class Site:
    app: App
    ids: dict[str, int] = field(default_factory=dict)


def write_config(folder: Path, extra: str = "") -> Path:
    path = folder / "config.yaml"
    path.write_text(CONFIG.format(db=folder / "newsmon.db") + extra)
    return path


def article(
    source: str, url: str, title: str, text: str, hours_ago: float, language: str = "en"
) -> NewArticle:
    return NewArticle(
        source=source,
        url=url,
        title=title,
        keys=(),
        published=datetime.now(UTC) - timedelta(hours=hours_ago),
        language=language,
        summary=text[:200],
        lead=text[:400],
        text=text,
    )


def seed(app: App) -> dict[str, int]:
    assess = app.assess()
    store = app.database
    ids: dict[str, int] = {}
    rows = {
        "openai": article(
            "wire",
            "https://example.org/openai-invest",
            "Microsoft to invest $10 billion in OpenAI",
            "Microsoft will invest ten billion dollars in OpenAI, the companies said.\n"
            "The deal extends a partnership.",
            3,
        ),
        "openai_fr": article(
            "blog",
            "https://example.fr/openai-investissement",
            "Microsoft investit 10 milliards dans OpenAI",
            "Microsoft investit dix milliards de dollars dans OpenAI, selon les deux sociétés.",
            2,
            "fr",
        ),
        "weather": article(
            "blog",
            "https://example.org/weather",
            "Sunny weekend ahead",
            "Sun and warm weather all weekend.",
            30,
        ),
        "xss": article(
            "wire",
            "javascript:alert(document.domain)",
            XSS_TITLE,
            'A partnership story <script>window.__xss = 3</script> with <b onmouseover="x()">markup</b>.',
            1,
        ),
    }
    for name, new in rows.items():
        assessment = assess(new)
        stored = store_article(store, replace(new, facts=assessment.facts), matches=assessment.matches)
        assert stored is not None
        ids[name] = stored
    for row in outbox.list_deliveries(store):
        if row.article_id == ids["openai"] and row.channel == "slack":
            outbox.mark_failed(store, row.id, "HTTP 404 from the webhook: no_service")
            ids["failed_delivery"] = row.id
        if row.article_id == ids["openai"] and row.channel == "mail":
            outbox.mark_sent(store, row.id, datetime.now(UTC))
            ids["sent_delivery"] = row.id
    record_fetch(store, "wire", FetchResult("ok", http_status=200, entries=3, new_articles=2))
    record_fetch(store, "blog", FetchResult("error", error="connection refused"))
    ids["story"] = add_story(store, "Microsoft invests in OpenAI", [ids["openai"], ids["openai_fr"]])
    return ids


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    app = App.open(write_config(tmp_path))
    yield Site(app, seed(app))
    app.database.dispose()


class LiveServer:
    """uvicorn in a thread on a socket bound beforehand (so the port is known and free)."""

    def __init__(self, asgi: Any) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        config = uvicorn.Config(asgi, log_level="warning", server_header=False, lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the web server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()


@pytest.fixture
def server(site: Site) -> Iterator[LiveServer]:
    with LiveServer(create_app(site.app)) as live:
        yield live


@pytest.fixture
def token_server(site: Site) -> Iterator[LiveServer]:
    with LiveServer(create_app(site.app, token=TOKEN)) as live:
        yield live


@pytest.fixture
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base, timeout=30) as http:
        yield http
