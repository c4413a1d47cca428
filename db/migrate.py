"""Create or upgrade the schema on start, with Alembic, from the first schema on.

Every verb upgrades, so a database already at the newest revision is
recognised without Alembic: loading it (and Mako, and every dialect's DDL)
would cost a reading verb more than its whole work.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import make_url
from sqlalchemy.exc import DBAPIError

from db.engine import Database
from db.errors import MigrationError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(database: Database) -> None:
    """Bring the schema to the head revision, in one transaction.

    Every role of a split daemon (scheduler, crawlers, deliverers, web) upgrades
    on start. Processes starting together on PostgreSQL take turns through the
    caller's lock (``locks.serialized("startup")`` in ``App.open``, which also
    covers the sources' sync): the second one waits, then finds the schema at
    head instead of failing on tables the first one is creating.
    """
    if at_head(database):
        return
    from alembic import command

    cfg = alembic_config(database.url)
    try:
        with database.engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")
    except Exception as exc:
        shown = make_url(database.url).render_as_string(hide_password=True)
        raise MigrationError(f"cannot create or upgrade the database {shown!r}: {exc}") from exc


def at_head(database: Database) -> bool:
    """Whether the database records exactly the one head of the migration scripts."""
    head = script_head()
    if head is None:
        return False
    try:
        with database.engine.connect() as connection:
            stamped = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    except DBAPIError:
        return False  # no version table yet: a new database
    return stamped == [head]


@cache
def script_head() -> str | None:
    """The revision no script names as its ``down_revision``, read from the scripts' source; None when
    that is not one revision (a branch, a script written some other way): Alembic then decides."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        values = _assignments(script)
        revision = values.get("revision")
        if not isinstance(revision, str):
            return None
        revisions.add(revision)
        down = values.get("down_revision")
        parents.update((down,) if isinstance(down, str) else down if isinstance(down, tuple) else ())
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _assignments(script: Path) -> dict[str, object]:
    """The script's module-level ``revision`` and ``down_revision``, as written."""
    values: dict[str, object] = {}
    for node in ast.parse(script.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
            try:
                values[target.id] = ast.literal_eval(value)
            except ValueError:
                continue
    return values
