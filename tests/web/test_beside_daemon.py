"""`newsmon serve` beside a writer on the same SQLite file: no "database is locked", either way."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx

from tests.web.conftest import LiveServer, Site

# Another process storing articles (with their alerts) and fetch results as fast as it can,
# each in its own BEGIN IMMEDIATE transaction: what `newsmon run` does to the database.
WRITER = """
import sys
from dataclasses import replace
from db.store import FetchResult, NewArticle, record_fetch, store_article
from newsmon.wiring import App

app = App.open(sys.argv[1])
assess = app.assess()
print("ready", flush=True)
for i in range(int(sys.argv[2])):
    text = f"OpenAI will invest in partnership number {i}."
    new = NewArticle("wire", f"https://example.org/w/{i}", f"Deal {i}", (), text=text)
    assessment = assess(new)
    store_article(app.database, replace(new, facts=assessment.facts), matches=assessment.matches)
    record_fetch(app.database, "wire", FetchResult("ok", http_status=200, entries=1, new_articles=1))
print("done", flush=True)
"""


def test_pages_and_retries_while_the_daemon_writes(site: Site, server: LiveServer) -> None:
    config = str(site.app.config.path)
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, config, "300"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
    failures: list[str] = []
    requests = 0
    with httpx.Client(base_url=server.base, timeout=60) as http:
        csrf = http.get("/alerts").text.split('name="csrf" value="')[1].split('"')[0]
        while writer.poll() is None or requests < 20:
            for method, path in (
                ("GET", "/api/search?q=OpenAI"),
                ("GET", "/?q=partnership"),
                ("GET", "/alerts"),
                ("GET", "/sources"),
                ("GET", "/metrics"),
                ("POST", f"/api/alerts/{site.ids['failed_delivery']}/retry"),
            ):
                response = http.request(method, path, headers={"X-CSRF-Token": csrf})
                requests += 1
                if response.status_code != 200:
                    failures.append(f"{method} {path}: {response.status_code} {response.text[:200]}")
            time.sleep(0.01)
    out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    assert "done" in out and "locked" not in err
    assert not failures, failures[:3]
    assert requests >= 20
    with httpx.Client(base_url=server.base) as http:
        assert len(http.get("/api/search?q=title:Deal&limit=1000").json()) == 300
