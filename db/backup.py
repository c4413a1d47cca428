"""A consistent copy of a SQLite database, taken while the daemon writes (``VACUUM INTO``).

``VACUUM INTO`` reads one snapshot (WAL readers never block writers) and
writes a compact copy. It writes beside the target first and then links the
copy into place, which fails if the target exists: a backup never
overwrites anything, not even a file created while it ran, and an
interrupted backup never leaves a half-written file under the target name.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy import make_url

from db.engine import Database
from db.errors import BackupError

POSTGRES_HINT = (
    "newsmon backup copies SQLite databases; for PostgreSQL use pg_dump (pg_dump -Fc DB > newsmon.dump)"
)


def backup(database: Database, target: Path) -> int:
    """Copy ``database`` to ``target`` (a new file); return its size in bytes."""
    if not database.is_sqlite:
        raise BackupError(POSTGRES_HINT)
    source = make_url(database.url).database
    if not source or source == ":memory:":
        raise BackupError("an in-memory database has nothing to back up")
    if target.exists() or target.is_symlink():
        raise BackupError(f"{target} exists: a backup never overwrites; give a new path")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a directory")
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    partial.unlink(missing_ok=True)
    try:
        connection = database.engine.raw_connection()
        try:
            # Outside any transaction: the engine's connections run in autocommit (see db.engine).
            connection.driver_connection.execute("VACUUM INTO ?", (str(partial),))  # type: ignore[union-attr]
        finally:
            connection.close()
        _check(partial)
        os.link(partial, target)
    except FileExistsError:
        raise BackupError(f"{target} appeared while the backup ran: a backup never overwrites") from None
    except (sqlite3.Error, OSError) as exc:
        raise BackupError(f"cannot back up to {target}: {exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    return target.stat().st_size


def _check(path: Path) -> None:
    with sqlite3.connect(path) as copy:
        result = copy.execute("PRAGMA quick_check").fetchone()
    copy.close()
    if not result or result[0] != "ok":
        raise BackupError(f"the copy at {path} fails its integrity check: {result}")
