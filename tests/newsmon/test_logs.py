"""Logging as a service needs it: a level on every verb, one line per crawl or failure, no chatter."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from rich.console import Console

from db.models import utcnow
from db.outbox import mark_retry, pending_count
from newsmon import logs
from newsmon.cli import cli
from newsmon.progress import CrawlProgress
from tests.newsmon.stored import Project
from tests.newsmon.test_cli_docs import COMMANDS

NEWSMON = [sys.executable, "-m", "newsmon.cli"]


pytestmark = pytest.mark.usefixtures("restore_logging")


ACTIONS = [(p, c) for p, c in COMMANDS if not isinstance(c, click.Group) or c.invoke_without_command]


@pytest.mark.parametrize(("path", "command"), ACTIONS, ids=[p for p, _ in ACTIONS])
def test_every_verb_takes_log_level(path: str, command: click.Command) -> None:
    option = next((p for p in command.params if "--log-level" in p.opts), None)
    assert isinstance(option, click.Option), f"`newsmon {path}` lacks --log-level"
    assert option.envvar == "NEWSMON_LOG_LEVEL"
    assert option.default == ("info" if path == "run" else "warning")


def test_the_level_comes_from_the_option_or_the_environment(tmp_path: Path) -> None:
    project = Project.create(tmp_path)
    assert project.run("check-config", "--log-level", "debug").exit_code == 0
    assert logging.getLogger().level == logging.DEBUG
    assert logging.getLogger("scrapy").level == logging.NOTSET  # debug shows everything
    assert project.run("check-config", env={"NEWSMON_LOG_LEVEL": "error"}).exit_code == 0
    assert logging.getLogger().level == logging.ERROR
    assert logging.getLogger("scrapy").level == logging.CRITICAL
    bad = project.run("check-config", env={"NEWSMON_LOG_LEVEL": "loud"})
    assert bad.exit_code == 2 and "NEWSMON_LOG_LEVEL" in bad.stderr and "loud" in bad.stderr


def test_at_info_the_libraries_chatter_is_folded() -> None:
    logs.configure("info", Console(file=io.StringIO()))
    for chatty in ("scrapy.core.scraper", "apscheduler.executors.default", "alembic.runtime.plugins"):
        assert not logging.getLogger(chatty).isEnabledFor(logging.INFO), chatty
    assert not logging.getLogger("scrapy.downloadermiddlewares.retry").isEnabledFor(logging.ERROR)
    assert logging.getLogger("crawler.runner").isEnabledFor(logging.INFO)
    assert not logging.getLogger("apscheduler.scheduler").isEnabledFor(logging.WARNING)  # overlap skipped
    assert logging.getLogger("apscheduler.executors.default").isEnabledFor(logging.ERROR)  # a job crashed


def test_a_log_line_never_runs_into_the_progress_line() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100)
    logs.configure("info", console)
    with CrawlProgress(enabled=True, console=console) as progress:
        progress.update("fetched")
        logging.getLogger("crawler.runner").warning("source x: connection refused")
    text = out.getvalue()
    before = text[: text.index("source x: connection refused")]
    line_start = before.rsplit("\n", 1)[-1]
    # The progress line was erased (or never drawn on this line) before the log line was written.
    assert "crawling" not in line_start.rsplit("\x1b[2K", 1)[-1], repr(text)


def test_log_lines_print_markup_literally() -> None:
    out = io.StringIO()
    logs.configure("info", Console(file=out, width=60))
    logging.getLogger("crawler.runner").info("title [bold]x[/bold] and [/s] %s", "y" * 100)
    assert "title [bold]x[/bold] and [/s] " + "y" * 100 in out.getvalue()


def _config(tmp_path: Path, sources: str, extra: str = "") -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(
        f"database: sqlite:///{tmp_path}/newsmon.db\nsources:\n{sources}{extra}", encoding="utf-8"
    )
    return config


def test_a_failing_source_is_one_log_line_at_info(tmp_path: Path) -> None:
    config = _config(tmp_path, "  - name: refused\n    url: http://127.0.0.1:9/feed.xml\n")
    result = subprocess.run(
        [*NEWSMON, "crawl", "--config", str(config), "--log-level", "info"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    logged = [line for line in lines if " WARNING " in line or " ERROR " in line or " INFO " in line]
    assert len(logged) == 1 and "refused" in logged[0] and "127.0.0.1:9" in logged[0], result.stderr
    assert not any(name in result.stderr for name in ("scrapy.", "alembic", "error(s) logged")), result.stderr
    assert sum("127.0.0.1:9" in line for line in lines) == 1, "the failure is said once"
    assert "crawled 1 sources (1 failing)" in result.stderr


def test_the_crawl_summary_counts_every_pending_delivery(tmp_path: Path) -> None:
    project = Project.create(tmp_path)
    article_id = project.store("OpenAI invests in robots", text="OpenAI invests")
    app = project.app()
    later = utcnow() + timedelta(hours=1)
    # The delivery waits out a backoff: this crawl does not attempt it, yet it is pending.
    with app.database.read() as session:
        from sqlalchemy import select

        from db.models import Alert, Delivery

        delivery_id = session.scalar(
            select(Delivery.id)
            .join(Alert, Alert.id == Delivery.alert_id)
            .where(Alert.article_id == article_id)
        )
    assert delivery_id is not None and mark_retry(app.database, delivery_id, "boom", later)
    assert pending_count(app.database) == 1
    text = project.config.read_text().replace("type: feed", "type: feed\n    enabled: false")
    project.config.write_text(text)
    result = subprocess.run(
        [*NEWSMON, "crawl", "--config", str(project.config)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "alerts: 0 sent, 1 pending, 0 failed" in result.stderr


def test_run_logs_at_info_by_default() -> None:
    result = CliRunner().invoke(cli, ["run", "--help"])
    assert "default: info]" in result.output


def test_a_message_cannot_forge_a_log_line() -> None:
    out = io.StringIO()
    logs.configure("info", Console(file=out, width=200))
    hostile = "Title\n2026-01-01 00:00:00,000 ERROR newsmon: forged\r"
    logging.getLogger("crawler.runner").warning("source x: bad entry %r / %s", 1, hostile)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1 and "\\n2026-01-01" in lines[0]
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("crawler.runner").exception("with a traceback")
    assert "Traceback (most recent call last):" in out.getvalue().splitlines()[2]
