"""Upgrading a PostgreSQL database. (Processes starting together take turns through App.open's
lock: tests/roles/test_roles.py starts four at once on an empty database.)"""

from __future__ import annotations

import pytest

from db.engine import Database
from db.errors import MigrationError
from db.migrate import upgrade


def test_a_failed_upgrade_never_shows_the_password() -> None:
    database = Database("postgresql+psycopg://newsmon:hunter2-secret@127.0.0.1:1/newsmon")
    with pytest.raises(MigrationError) as failed:
        upgrade(database)
    assert "hunter2" not in str(failed.value) and "***" in str(failed.value)
