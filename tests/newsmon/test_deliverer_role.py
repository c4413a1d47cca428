"""`newsmon run --role deliverer` on PostgreSQL, as real processes: several deliverers deliver each alert
once; a deliverer killed with SIGKILL loses nothing and duplicates at most the sends it had in flight."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import pytest

from db import outbox
from db.engine import Database
from tests.alerts.outbox_helpers import Match, new_database, store
from tests.databases import Databases
from tests.newsmon.peers import Mailbox, SlackHook, smtp_server
from tests.postgres import PostgresServer, needs_postgres
from tests.waiting import wait_for

NEWSMON = [sys.executable, "-m", "newsmon.cli"]
REPO = Path(__file__).resolve().parents[2]
ALERTS = 150
CHANNELS = ("mail", "slack")


def write_config(folder: Path, database: str, smtp_port: int) -> Path:
    config = folder / "config.yaml"
    config.write_text(
        f"""\
database: {database}
sources:
  - {{name: arsfr, type: feed, url: "http://127.0.0.1/feed.xml", every: 1h}}
delivery:
  slack_rate: 0s
channels:
  - {{name: mail, type: email, host: 127.0.0.1, port: {smtp_port}, tls: none,
      sender: newsmon@example.org, to: [analyst@example.org]}}
  - {{name: slack, type: slack, webhook_url: "${{ROLE_SLACK_HOOK}}"}}
""",
        encoding="utf-8",
    )
    return config


def deliverer(config: Path, log: IO[str], hook: SlackHook) -> subprocess.Popen[str]:
    env = {**os.environ, "ROLE_SLACK_HOOK": hook.url, "NEWSMON_LOG_FORMAT": "json"}
    return subprocess.Popen(
        [*NEWSMON, "run", "--role", "deliverer", "--config", str(config)],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )


def sent(database: Database) -> int:
    return sum(row.status == "sent" for row in outbox.list_deliveries(database))


def received(mailbox: Mailbox, hook: SlackHook) -> dict[str, Counter[int]]:
    """How often each alert (by its article's number) reached each channel."""
    mails = Counter(int(re.findall(r"#(\d+)", str(m["Subject"]))[0]) for m in mailbox.messages)
    posts = Counter(int(re.findall(r"/item/(\d+)", json.dumps(p))[0]) for p in hook.posts)
    return {"mail": mails, "slack": posts}


@pytest.mark.parametrize("_", [pytest.param(None, marks=needs_postgres, id="postgresql")])
def test_two_deliverers_deliver_each_alert_once_and_a_killed_one_loses_nothing(
    postgres_server: PostgresServer, tmp_path: Path, _: None
) -> None:
    databases = Databases("postgresql", tmp_path, postgres_server)
    database = new_database(databases)
    now = datetime.now(UTC)
    for n in range(ALERTS):
        url = f"https://example.org/item/{n}"
        store(database, [Match("ai-deals", CHANNELS)], url=url, title=f"Alert #{n} OpenAI", now=now)
    hook = SlackHook()
    logs = [(tmp_path / f"deliverer-{i}.log").open("w") for i in range(3)]
    processes: list[subprocess.Popen[str]] = []
    try:
        with smtp_server() as (mailbox, port):
            config = write_config(tmp_path, databases.url("t"), port)
            processes += [deliverer(config, logs[0], hook), deliverer(config, logs[1], hook)]
            wait_for(lambda: sent(database) >= ALERTS // 2, "the deliverers to deliver", 120)
            processes[0].kill()  # SIGKILL, mid-way: its claims and in-flight sends are cut short
            processes[0].wait(timeout=30)
            processes.append(deliverer(config, logs[2], hook))  # and it is restarted
            wait_for(lambda: outbox.pending_count(database) == 0, "every alert to be delivered", 120)
            for process in processes[1:]:
                process.send_signal(signal.SIGTERM)
                assert process.wait(timeout=40) == 0
            counts = received(mailbox, hook)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
        for log in logs:
            log.close()
        hook.close()
        databases.close()
    for channel in CHANNELS:
        assert set(counts[channel]) == set(range(ALERTS)), f"{channel}: an alert never arrived"
        extra = sum(counts[channel].values()) - ALERTS
        # The killed deliverer had at most one send in flight per channel.
        assert extra <= 1, f"{channel}: {extra} duplicates: {counts[channel].most_common(3)}"
    lines = [line for i in (1, 2) for line in (tmp_path / f"deliverer-{i}.log").read_text().splitlines()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert any(r["logger"] == "newsmon.deliverer" and "started" in r["message"] for r in records)
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)
    assert not any(hook.url in line or "secret-token" in line for line in lines)


def test_a_split_role_on_sqlite_is_refused_naming_the_fix(tmp_path: Path) -> None:
    config = write_config(tmp_path, f"sqlite:///{tmp_path}/newsmon.db", 25)
    result = subprocess.run(
        [*NEWSMON, "run", "--role", "deliverer", "--config", str(config)],
        cwd=REPO,
        env={**os.environ, "ROLE_SLACK_HOOK": "http://127.0.0.1:9/hook"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2 and "PostgreSQL" in result.stderr and "Traceback" not in result.stderr
