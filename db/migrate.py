"""Create or upgrade the schema on start, with Alembic, from the first schema on."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from db.engine import Database
from db.errors import MigrationError

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(database: Database) -> None:
    cfg = alembic_config(database.url)
    try:
        with database.engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")
    except Exception as exc:
        raise MigrationError(f"cannot create or upgrade the database {database.url!r}: {exc}") from exc
