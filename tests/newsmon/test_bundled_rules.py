"""The bundled config.yaml's topics and rules, crawling the seed site: the events they alert on, and why."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.newsmon.peers import Mailbox, Site, SlackHook, smtp_server

ROOT = Path(__file__).resolve().parents[2]
SEED_SITE = Path(__file__).parent / "seed_site"
NEWSMON = [sys.executable, "-m", "newsmon.cli"]
SEED_PATH = "/fr/2023/01/microsoft-investit-openai.html"
SEED_TITLE = "Microsoft investit des milliards de dollars dans OpenAI et étend leur partenariat"


def bundled_config(workdir: Path, site: Site, smtp_port: int) -> dict[str, Any]:
    """The bundled config.yaml with its topics and rules as shipped, crawling the seed site."""
    config: dict[str, Any] = YAML(typ="safe").load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    config["database"] = f"sqlite:///{workdir}/newsmon.db"
    config["sources"] = [{"name": "arsfr", "type": "feed", "url": f"{site.base}/fr/feed.xml", "every": "1h"}]
    config["channels"] = [
        {"name": "console", "type": "console"},
        {
            "name": "mail",
            "type": "email",
            "host": "127.0.0.1",
            "port": smtp_port,
            "tls": "none",
            "sender": "newsmon@example.org",
            "to": ["analyst@example.org"],
        },
        {"name": "slack", "type": "slack", "webhook_url": "${SEED_SLACK_WEBHOOK}"},
    ]
    for rule in config["rules"]:
        rule["channels"] = ["mail", "slack"]
    return config


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Site, Mailbox, SlackHook]]:
    """One crawl of the seed site with the bundled rules, delivered to real SMTP and Slack peers."""
    tmp_path = tmp_path_factory.mktemp("bundled")
    root = tmp_path / "site"
    shutil.copytree(SEED_SITE, root)
    site, slack = Site(root), SlackHook()
    with smtp_server() as (mailbox, port):
        stream = io.StringIO()
        YAML().dump(bundled_config(tmp_path, site, port), stream)
        (tmp_path / "config.yaml").write_text(stream.getvalue(), encoding="utf-8")
        crawl = newsmon(tmp_path, slack, "crawl")
        assert crawl.returncode == 0, crawl.stderr
        yield tmp_path, site, mailbox, slack
    site.close()
    slack.close()


def newsmon(workdir: Path, slack: SlackHook, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*NEWSMON, *args, "--config", str(workdir / "config.yaml")],
        cwd=workdir,
        env={**os.environ, "SEED_SLACK_WEBHOOK": slack.url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def as_json(workdir: Path, slack: SlackHook, *args: str) -> Any:
    result = newsmon(workdir, slack, *args, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_seed_article_raises_exactly_ai_investment_and_ai_partnership(
    crawled: tuple[Path, Site, Mailbox, SlackHook],
) -> None:
    workdir, _, _, slack = crawled
    deliveries = as_json(workdir, slack, "alerts")
    raised = {(d["rule"], d["title"]) for d in deliveries}
    assert raised == {("ai-investment", SEED_TITLE), ("ai-partnership", SEED_TITLE)}
    assert {d["status"] for d in deliveries} == {"sent"}


def test_show_lists_an_investment_by_microsoft_in_openai(
    crawled: tuple[Path, Site, Mailbox, SlackHook],
) -> None:
    workdir, site, _, slack = crawled
    [hit] = as_json(workdir, slack, "search", "event:investment")
    article = as_json(workdir, slack, "show", str(hit["id"]))
    assert article["url"] == f"{site.base}{SEED_PATH}"
    investments = [e for e in article["events"] if e["type"] == "investment"]
    assert investments and {"Microsoft", "OpenAI"} <= set(investments[0]["actors"])
    assert "milliards de dollars" in investments[0]["amount"]["text"]
    assert investments[0]["amount"]["usd"] >= 1e9
    assert {"partnership"} <= {e["type"] for e in article["events"]}
    assert {"Microsoft", "OpenAI"} <= set(article["orgs"])
    assert any(amount["usd"] >= 1e9 for amount in article["amounts"])
    table = newsmon(workdir, slack, "show", str(hit["id"]))
    assert "Investment: Microsoft → OpenAI" in table.stdout, table.stdout


def test_the_alerts_explain_the_event(crawled: tuple[Path, Site, Mailbox, SlackHook]) -> None:
    _, _, mailbox, slack = crawled
    assert len(mailbox.messages) == 2 and len(slack.posts) == 2
    mail = next(m for m in mailbox.messages if "ai-investment" in str(m["Subject"]))
    text = mail.get_body(preferencelist=("plain",))
    assert text is not None
    plain = " ".join(text.get_content().split())
    assert "Investment: Microsoft → OpenAI" in plain
    assert "≥ $1B (des milliards de dollars)" in plain
    post = next(p for p in slack.posts if "ai-investment" in p["text"])
    blocks = json.dumps(post["blocks"], ensure_ascii=False)
    assert "Microsoft → OpenAI" in blocks and "≥ $1B (des milliards de dollars)" in blocks


def test_the_other_seed_articles_are_stored_without_events(
    crawled: tuple[Path, Site, Mailbox, SlackHook],
) -> None:
    workdir, _, _, slack = crawled
    rows = [json.loads(line) for line in newsmon(workdir, slack, "export").stdout.splitlines()]
    assert len(rows) == 4
    quiet = [row for row in rows if row["title"] != SEED_TITLE]
    assert len(quiet) == 3 and all(row["events"] == [] and row["amounts"] == [] for row in quiet)
