"""`retention:`, `newsmon prune`, the daemon's daily prune (on a driven clock) and `newsmon backup`."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import text

from newsmon.config import load_config
from newsmon.daemon import PRUNE_EVERY, PRUNE_JOB, Daemon
from newsmon.errors import ConfigError
from tests.newsmon.stored import Project

RETENTION = "retention:\n  articles: 30d\n  fetch_log: 0\n"


def age(project: Project, article_id: int, days: int) -> None:
    app = project.app()
    with app.database.write() as session:
        fetched = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=days)
        session.execute(
            text("UPDATE articles SET fetched = :t WHERE id = :id"), {"t": fetched, "id": article_id}
        )
    app.database.dispose()


def test_retention_defaults_and_zero_keeps_forever(tmp_path: Path) -> None:
    default = load_config(Project.create(tmp_path).config).retention
    assert (default.articles, default.fetch_log) == (timedelta(days=365), timedelta(days=30))
    config = load_config(Project.create(tmp_path, RETENTION).config).retention
    assert (config.articles, config.fetch_log) == (timedelta(days=30), timedelta(0))


def test_a_bad_retention_names_the_line(tmp_path: Path) -> None:
    project = Project.create(tmp_path, "retention:\n  articles: forever\n  keep: 1d\n")
    with pytest.raises(ConfigError) as raised:
        load_config(project.config)
    message = str(raised.value)
    assert f"{project.config}:18" in message and "articles" in message
    assert "keep" in message


def test_prune_dry_run_counts_then_prune_removes(tmp_path: Path) -> None:
    project = Project.create(tmp_path, RETENTION)
    old = project.store("OpenAI invests in an old story", text="OpenAI invests")
    young = project.store("A young story", text="nothing")
    age(project, old, 40)

    dry = project.run("prune", "--dry-run", "--format", "json")
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.stdout) == {
        "dry_run": True, "articles": 1, "article_keys": 1, "alerts": 1, "deliveries": 1, "fetch_log": 0,
        "digests": 0,
        "stories": 0, "stories_updated": 0,
    }  # fmt: skip
    assert project.run("show", str(old)).exit_code == 0

    done = project.run("prune")
    assert done.exit_code == 0, done.output
    assert (
        done.stdout.strip()
        == "removed 1 articles (1 keys, 1 alerts, 1 deliveries), 0 digests, 0 fetch log entries"
    )
    assert project.run("show", str(old)).exit_code == 1
    assert project.run("show", str(young)).exit_code == 0
    assert json.loads(project.run("alerts", "--format", "json").stdout) == []


def test_the_daemon_prunes_daily_on_its_clock(tmp_path: Path) -> None:
    project = Project.create(tmp_path, RETENTION)
    article_id = project.store("A story", text="text")
    app = project.app()
    now = datetime.now(UTC)
    clock = [now]
    daemon = Daemon(app, clock=lambda: clock[0])
    daemon.context = app.crawl_context()  # what Daemon.run sets before scheduling
    loop = asyncio.new_event_loop()
    scheduler = AsyncIOScheduler(event_loop=loop, timezone=UTC)
    daemon._schedule(scheduler)
    job = scheduler.get_job(PRUNE_JOB)
    assert job is not None and isinstance(job.trigger, IntervalTrigger)
    first = job.next_run_time
    assert now < first <= now + timedelta(minutes=10)  # soon after start, then daily
    assert job.trigger.get_next_fire_time(first, first + timedelta(seconds=1)) == first + PRUNE_EVERY

    try:
        assert loop.run_until_complete(daemon.prune()).articles == 0  # 0 days old: kept
        clock[0] = now + timedelta(days=31)
        assert loop.run_until_complete(daemon.prune()).articles == 1
    finally:
        loop.close()
    assert project.run("show", str(article_id)).exit_code == 1
    app.database.dispose()


def test_backup_copies_and_never_overwrites(tmp_path: Path) -> None:
    project = Project.create(tmp_path)
    article_id = project.store("Kept in the copy", text="text")
    target = tmp_path / "backup.db"
    result = project.run("backup", str(target))
    assert result.exit_code == 0, result.output
    assert f"backed up to {target}" in result.stdout
    copy = Project(tmp_path, tmp_path / "copy.yaml")
    copy.config.write_text(project.config.read_text().replace("newsmon.db", "backup.db"))
    shown = copy.run("show", str(article_id), "--format", "json")
    assert json.loads(shown.stdout)["title"] == "Kept in the copy"

    again = project.run("backup", str(target))
    assert again.exit_code == 2 and "exists" in again.stderr and "never overwrites" in again.stderr
