"""Upgrading on start: a database at the newest revision is recognised without loading Alembic."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory

from db.engine import Database
from db.migrate import alembic_config, at_head, script_head, upgrade


def test_the_head_read_from_the_scripts_is_alembics() -> None:
    assert script_head() == ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def test_only_a_database_stamped_with_the_head_is_at_head(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'newsmon.db'}")
    assert not at_head(database)  # no version table yet
    cfg = alembic_config(database.url)
    with database.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0001")
    assert not at_head(database)
    upgrade(database)
    assert at_head(database)
    database.dispose()
