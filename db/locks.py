"""One daemon per database: a lock that the operating system releases when its holder dies.

A lock that needs cleaning up after a crash is a lock that one day blocks a
restart, or is stolen from a live holder. So neither backend writes a "taken"
flag; both hold something the OS or the server drops with the process:

* SQLite: an ``flock`` on ``<database file>.lock``, beside the database. The
  file also holds the holder's pid and host for the message the next
  claimant prints; its content is rewritten by each new holder, and a stale
  one (left by a killed holder) is harmless because the flock is gone.
* PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) on a
  connection kept open for the daemon's life. The holder names itself in that
  connection's ``application_name``, which ``pg_stat_activity`` shows.

An in-memory SQLite database cannot be shared, so it needs no lock.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Connection, make_url, text
from sqlalchemy.exc import DBAPIError

from db.engine import Database
from db.errors import DatabaseError, LockHeldError

if TYPE_CHECKING:  # the reading verbs import this module and never open a session
    from sqlalchemy.orm import Session

APPLICATION_NAME = "newsmon {name} pid={pid} host={host}"
_HOLDER = re.compile(r"pid=(\d+) host=(\S+)")


class Lock(Protocol):
    def held(self) -> bool:
        """Whether the lock is still ours (a PostgreSQL lock goes with its connection)."""
        ...

    def release(self) -> None: ...


def holder_text(pid: int | str, host: str) -> str:
    return f"pid {pid} on host {host}"


def acquire(database: Database, name: str) -> Lock:
    """Take the lock ``name`` on ``database`` or raise :class:`LockHeldError` naming its holder."""
    if database.is_sqlite:
        path = _sqlite_path(database.url)
        return _NoLock() if path is None else _FileLock.acquire(Path(f"{path}.lock"), name)
    return _AdvisoryLock.acquire(database, name)


def _sqlite_path(url: str) -> str | None:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return database


class _NoLock:
    def held(self) -> bool:
        return True

    def release(self) -> None:
        pass


class _FileLock:
    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self.fd: int | None = fd

    @classmethod
    def acquire(cls, path: Path, name: str) -> _FileLock:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise LockHeldError(_held_message(name, holder, str(path)), holder) from None
        except BaseException:
            os.close(fd)
            raise
        record = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "lock": name})
        os.ftruncate(fd, 0)
        os.pwrite(fd, record.encode() + b"\n", 0)
        return cls(path, fd)

    def held(self) -> bool:
        return self.fd is not None

    def release(self) -> None:
        if self.fd is None:
            return
        os.ftruncate(self.fd, 0)  # the next reader must not name a process that has let go
        os.close(self.fd)  # closing drops the flock
        self.fd = None


def _read_holder(fd: int) -> str | None:
    try:
        record: Any = json.loads(os.pread(fd, 4096, 0) or b"null")
        return holder_text(int(record["pid"]), str(record["host"]))
    except (ValueError, TypeError, KeyError, OSError):
        return None  # being written right now, or not ours


class _AdvisoryLock:
    def __init__(self, connection: Connection, key: int) -> None:
        self.connection: Connection | None = connection
        self.key = key

    @classmethod
    def acquire(cls, database: Database, name: str) -> _AdvisoryLock:
        key = lock_key(name)
        connection = database.engine.connect()
        try:
            me = APPLICATION_NAME.format(name=name, pid=os.getpid(), host=socket.gethostname())
            connection.execute(text("SELECT set_config('application_name', :me, false)"), {"me": me})
            taken = connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key})
            if not taken:
                holder = _advisory_holder(connection, key)
                raise LockHeldError(_held_message(name, holder, "a PostgreSQL advisory lock"), holder)
            connection.commit()  # a session-level lock outlives the transaction
        except BaseException:
            connection.close()
            raise
        return cls(connection, key)

    def held(self) -> bool:
        if self.connection is None:
            return False
        try:
            # Not a pool pre-ping: this connection's session is the lock, a new one would not be.
            self.connection.execute(text("SELECT 1")).scalar()
            self.connection.commit()
        except DBAPIError:
            return False
        return True

    def release(self) -> None:
        if self.connection is None:
            return
        try:
            self.connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            self.connection.commit()
        except DBAPIError:
            pass  # the connection is lost, and the lock with it
        finally:
            self.connection.close()
            self.connection = None


def _advisory_holder(connection: Connection, key: int) -> str | None:
    name = connection.scalar(
        text(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = :key"
        ),
        {"key": key},
    )
    match = _HOLDER.search(name or "")
    return holder_text(match.group(1), match.group(2)) if match else None


@contextmanager
def serialized(database: Database, name: str) -> Iterator[None]:
    """Wait for, then hold, the lock ``name`` (PostgreSQL): processes starting together take turns
    at creating the schema and syncing the sources. SQLite's writers already take turns."""
    if database.is_sqlite:
        yield
        return
    key = lock_key(name)
    try:
        connection = database.engine.connect()
    except DBAPIError as exc:
        raise DatabaseError(f"cannot connect to the database: {exc.orig}") from exc
    with connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            connection.commit()


def hold_until_commit(session: Session, name: str) -> None:
    """Wait for, then hold until the session's transaction ends, the lock ``name`` (PostgreSQL): a
    writer's count and the insert it decides stay one step. SQLite's writers already take turns."""
    if session.connection().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(name)})


def lock_key(name: str) -> int:
    """A stable advisory-lock key below 2**31 (so PostgreSQL shows it as classid 0, objid key)."""
    return int.from_bytes(hashlib.sha256(f"newsmon:{name}".encode()).digest()[:4], "big") & 0x7FFFFFFF


def _held_message(name: str, holder: str | None, where: str) -> str:
    who = holder or "a process that did not say who it is"
    return (
        f"another newsmon {name} ({who}) already runs on this database (lock: {where}); "
        "stop it first, or give this one another database"
    )
