"""Create or upgrade the schema on start, with Alembic, from the first schema on."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import make_url, text

from db.engine import Database
from db.errors import MigrationError

MIGRATIONS = Path(__file__).parent / "migrations"
# pg_advisory_xact_lock's key for upgrades: any constant other locks (db/locks.py) do not use.
MIGRATION_LOCK = 0x6E65_7773_6D69_67


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(database: Database) -> None:
    """Bring the schema to the head revision; processes starting together take turns.

    Every role of a split daemon (scheduler, crawlers, deliverers, web) upgrades
    on start. On PostgreSQL the whole upgrade runs in one transaction holding an
    advisory lock, so the second process waits and then finds the schema at
    head, instead of failing on tables the first one is creating. (SQLite's
    ``BEGIN IMMEDIATE`` serialises the same way.)
    """
    cfg = alembic_config(database.url)
    try:
        with database.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")
    except Exception as exc:
        shown = make_url(database.url).render_as_string(hide_password=True)
        raise MigrationError(f"cannot create or upgrade the database {shown!r}: {exc}") from exc
