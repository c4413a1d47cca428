"""``Database.read_raw``: one held connection for hot reads, the pool when it is busy."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from db.engine import Database


def test_the_held_connection_sees_what_another_connection_commits(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path}/a.db")
    with database.read_raw() as connection:
        connection.execute("CREATE TABLE t (n INTEGER)")
    with database.read_raw() as first:
        assert first.execute("SELECT count(*) FROM t").fetchone() == (0,)
    with sqlite3.connect(tmp_path / "a.db") as other:
        other.execute("INSERT INTO t VALUES (1)")
    with database.read_raw() as second:
        assert second is first
        assert second.execute("SELECT count(*) FROM t").fetchone() == (1,)
    database.dispose()


def test_a_read_while_the_held_connection_is_busy_takes_another(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path}/a.db")
    inside, release = threading.Event(), threading.Event()
    seen: list[object] = []

    def hold() -> None:
        with database.read_raw() as connection:
            seen.append(connection)
            inside.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    assert inside.wait(10)
    with database.read_raw() as connection:  # does not wait for the holder
        assert connection.execute("SELECT 1").fetchone() == (1,)
        assert connection is not seen[0]
    release.set()
    holder.join()
    database.dispose()


def test_dispose_closes_the_held_connection(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path}/a.db")
    with database.read_raw() as connection:
        connection.execute("SELECT 1")
    database.dispose()
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        connection.execute("SELECT 1")
    with database.read_raw() as again:  # a disposed database opens a new one when used again
        assert again.execute("SELECT 1").fetchone() == (1,)
    database.dispose()
