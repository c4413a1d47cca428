"""newsmon driven as a user drives it: the installed command, a local site, real SMTP and Slack peers."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.databases import Databases
from tests.newsmon.peers import Mailbox, Site, SlackHook, smtp_server
from tests.waiting import wait_for

SITE = Path(__file__).parent / "site"
NEWSMON = [sys.executable, "-m", "newsmon.cli"]
# Each test starts several newsmon processes: up to 22 s with the machine's load at 5, up to 71 s at 13 (each
# start waits for its share of 2 cores); the ceiling above the suite's 120 s only catches a hang.
pytestmark = pytest.mark.timeout(300)
ARTICLE_PATH = "/es/nvidia-mistral.html"
TITLE = "Nvidia invierte 500 millones de dólares en la startup francesa Mistral AI"


class Project:
    def __init__(
        self,
        workdir: Path,
        site: Site,
        slack: SlackHook,
        smtp_port: int,
        every: str = "1h",
        database: str | None = None,
    ) -> None:
        self.workdir = workdir
        self.config = workdir / "config.yaml"
        self.env = {**os.environ, "E2E_SLACK_WEBHOOK": slack.url}
        self.config.write_text(
            f"""\
database: {database or f"sqlite:///{workdir}/newsmon.db"}
sources:
  - name: noticias
    type: feed
    url: {site.base}/feed.xml
    every: {every}
topics:
  ai: '"Mistral AI" OR OpenAI OR Nvidia'
rules:
  - name: ai-money
    query: '(invierte OR inversión OR "ronda de financiación") AND @ai'
    channels: [mail, slack]
delivery:
  retry_min: 1s
  retry_max: 2s
channels:
  - name: mail
    type: email
    host: 127.0.0.1
    port: {smtp_port}
    tls: none
    sender: newsmon@example.org
    to: [analyst@example.org]
  - name: slack
    type: slack
    webhook_url: ${{E2E_SLACK_WEBHOOK}}
""",
            encoding="utf-8",
        )

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*NEWSMON, *args, "--config", str(self.config)],
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def json(self, *args: str) -> object:
        result = self.run(*args, "--format", "json")
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)


@pytest.fixture
def peers(tmp_path: Path) -> Iterator[tuple[Site, SlackHook, Mailbox, int]]:
    root = tmp_path / "site"
    shutil.copytree(SITE, root)
    site, slack = Site(root), SlackHook()
    with smtp_server() as (mailbox, port):
        yield site, slack, mailbox, port
    site.close()
    slack.close()


def test_crawl_alert_search_show_export_once(
    tmp_path: Path, peers: tuple[Site, SlackHook, Mailbox, int]
) -> None:
    site, slack, mailbox, port = peers
    project = Project(tmp_path, site, slack, port)

    first = project.run("crawl")
    assert first.returncode == 0, first.stderr
    assert site.hits.count(ARTICLE_PATH) == 1
    assert len(mailbox.messages) == 1 and len(slack.posts) == 1
    message = mailbox.messages[0]
    assert TITLE in " ".join(str(message["Subject"]).split())
    body = message.get_body(preferencelist=("plain",))
    assert body is not None and f"{site.base}{ARTICLE_PATH}" in body.get_content()
    assert "utm_" not in json.dumps(slack.posts[0]) and "ai-money" in body.get_content()
    assert slack.url not in first.stderr + first.stdout

    again = project.run("crawl")
    assert again.returncode == 0, again.stderr
    assert (len(mailbox.messages), len(slack.posts), site.hits.count(ARTICLE_PATH)) == (1, 1, 1)

    deliveries = project.json("alerts")
    assert isinstance(deliveries, list)
    assert sorted((d["channel"], d["status"]) for d in deliveries) == [("mail", "sent"), ("slack", "sent")]

    hits = project.json("search", "inversion nvidia")  # accent-insensitive: inversión
    assert isinstance(hits, list) and [h["url"] for h in hits] == [f"{site.base}{ARTICLE_PATH}"]
    hit = hits[0]
    assert hit["language"] == "es" and hit["published"] == "2024-06-11T06:30:00+00:00"
    article = project.json("show", str(hit["id"]))
    assert isinstance(article, dict)
    assert "girasoles" in article["text"]  # only in the page, never in the feed
    assert "derechos reservados" not in article["text"] and "boletín" not in article["text"]
    assert article["authors"] == ["Lucía Gómez"]

    export = project.run("export", "--format", "jsonl")
    rows = [json.loads(line) for line in export.stdout.splitlines()]
    assert sorted(r["title"] for r in rows)[0] == TITLE and len(rows) == 2

    sources = project.json("sources")
    assert isinstance(sources, list)
    assert [(s["name"], s["status"], s["articles"]) for s in sources] == [("noticias", "ok", 2)]

    backtest = project.json("rules", "test", "ai-money")
    assert isinstance(backtest, list) and [b["article_id"] for b in backtest] == [hit["id"]]


def test_the_daemon_alerts_new_entries_and_stops_on_sigterm(
    tmp_path: Path, peers: tuple[Site, SlackHook, Mailbox, int], databases: Databases
) -> None:
    site, slack, mailbox, port = peers
    feed = (SITE / "feed.xml").read_bytes()
    # At first the feed holds only the unrelated article.
    site.extra["/feed.xml"] = feed[: feed.index(b"<item>")] + feed[feed.index(b"</item>") + len(b"</item>") :]
    project = Project(tmp_path, site, slack, port, every="1s", database=databases.url())
    slack.failures = [(500, {}), (429, {"Retry-After": "1"})]
    log = (tmp_path / "daemon.log").open("w")
    daemon = subprocess.Popen(
        [*NEWSMON, "run", "--config", str(project.config)],
        cwd=tmp_path,
        env=project.env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(lambda: site.hits.count("/feed.xml") >= 2, "the daemon to poll on schedule", process=daemon)
        del site.extra["/feed.xml"]  # the article appears in the feed
        wait_for(lambda: mailbox.messages and slack.posts, "the alert by mail and Slack", process=daemon)
        assert len(mailbox.messages) == 1 and len(slack.posts) == 1
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=25) == 0
    finally:
        if daemon.poll() is None:
            daemon.kill()
        log.close()
    output = (tmp_path / "daemon.log").read_text()
    assert "Traceback" not in output, output
    assert slack.url not in output


def test_check_config_names_file_line_and_key(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "sources:\n  - name: a\n    url: ftp://example.org/feed\n    every: 15x\n", encoding="utf-8"
    )
    result = subprocess.run(
        [*NEWSMON, "check-config", "--config", str(config)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert f"{config}:3" in result.stderr and "url" in result.stderr
    assert f"{config}:4" in result.stderr and "every" in result.stderr
    search = subprocess.run(
        [*NEWSMON, "search", "x", "--config", str(config)], capture_output=True, text=True, check=False
    )
    assert search.returncode == 2 and f"{config}:4" in search.stderr
