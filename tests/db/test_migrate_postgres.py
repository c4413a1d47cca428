"""Every role of a split daemon upgrades the schema on start: processes starting together on an empty
PostgreSQL database take turns instead of failing on each other's tables."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from db.engine import Database
from db.errors import MigrationError
from db.migrate import alembic_config, upgrade
from tests.postgres import PostgresServer, needs_postgres

REPO = Path(__file__).resolve().parents[2]
UPGRADE = (
    "import sys; from db.engine import Database; from db.migrate import upgrade; "
    "upgrade(Database(sys.argv[1]))"
)


@pytest.mark.parametrize("_", [pytest.param(None, marks=needs_postgres, id="postgresql")])
def test_processes_starting_together_upgrade_one_after_the_other(
    postgres_server: PostgresServer, _: None
) -> None:
    url = postgres_server.fresh()
    children = [
        subprocess.Popen([sys.executable, "-c", UPGRADE, url], cwd=REPO, stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    errors = [child.communicate(timeout=300)[1] for child in children]
    assert [child.returncode for child in children] == [0] * 4, errors
    database = Database(url)
    try:
        with database.read() as session:
            version = session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        assert version == ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    finally:
        database.dispose()
        postgres_server.drop(url)


def test_a_failed_upgrade_never_shows_the_password() -> None:
    database = Database("postgresql+psycopg://newsmon:hunter2-secret@127.0.0.1:1/newsmon")
    with pytest.raises(MigrationError) as failed:
        upgrade(database)
    assert "hunter2" not in str(failed.value) and "***" in str(failed.value)
