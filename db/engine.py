"""Engines and sessions.

SQLite: WAL, busy_timeout, foreign keys. Writers open their transaction with
``BEGIN IMMEDIATE`` — a plain ``BEGIN`` that later writes fails at once with
SQLITE_BUSY and ignores busy_timeout — while readers keep a deferred
``BEGIN`` so a search never waits for a crawl.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, make_url

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

BUSY_TIMEOUT_MS = 30_000
# The page cache of read_raw's held connection (SQLite's default is 2 MB): a search reads the
# articles and index pages of its page again and again (a refresh, the next page, the same topic).
HOT_READ_CACHE_KIB = 32_768


class Database:
    """One database: a reader engine and a writer view of it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _create_engine(url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._writer = self.engine.execution_options(newsmon_immediate=True)
        self._held: Any = None  # read_raw's own connection, out of the pool
        self._held_lock = threading.Lock()

    @contextmanager
    def read(self) -> Iterator[Session]:
        from sqlalchemy.orm import Session  # the ORM's import is the writers' cost, not a reading verb's

        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on error."""
        from sqlalchemy.orm import Session

        with Session(self._writer, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def read_raw(self) -> Iterator[Any]:
        """The driver's own connection, for a hot read path (search): no ORM or statement layers,
        each statement its own snapshot. SQL only; nothing is written. Read every row of a statement
        inside the block: an unfinished one would keep its snapshot open.

        One connection is kept for these reads, because a pool checkout costs as much as a rare
        term's search; a thread that finds it in use takes one from the pool instead of waiting.
        """
        if not self._held_lock.acquire(blocking=False):
            connection = self.engine.raw_connection()
            try:
                yield connection.driver_connection
            finally:
                connection.close()
            return
        try:
            if self._held is None:
                self._held = self.engine.raw_connection()
                self._held.detach()  # ours until dispose(): the pool neither counts nor recycles it
                self._held.dbapi_connection.execute(f"PRAGMA cache_size = -{HOT_READ_CACHE_KIB}")
            yield self._held.dbapi_connection  # driver_connection is None once detached
        finally:
            self._held_lock.release()

    def dispose(self) -> None:
        with self._held_lock:
            if self._held is not None:
                self._held.close()
                self._held = None
        self.engine.dispose()


# JSON columns keep names as written: the SQLite index reads them as text, where "\u00d8rsted" is no
# word and ``org:Ørsted`` would find nothing.
_JSON_TEXT = functools.partial(json.dumps, ensure_ascii=False)


def _create_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, json_serializer=_JSON_TEXT)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, json_serializer=_JSON_TEXT)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event, not the driver, decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get("newsmon_immediate")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine
