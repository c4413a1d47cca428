"""Fresh migrated databases for a test, on SQLite or PostgreSQL: the ``databases`` fixture's factory.

Tests that take ``databases`` (or a ``database`` built from it) run once per
dialect, so the storage, outbox, delivery and daemon code is checked against
both the SQLite file a user starts with and the PostgreSQL server they move to.
"""

from __future__ import annotations

from pathlib import Path

from db.engine import Database
from tests.postgres import PostgresServer


class Databases:
    """Opens migrated databases by name; opening a name again reaches the same database."""

    def __init__(self, dialect: str, folder: Path, server: PostgresServer | None) -> None:
        assert (dialect == "postgresql") == (server is not None)
        self.dialect = dialect
        self._folder = folder
        self._server = server
        self._urls: dict[str, str] = {}
        self._opened: list[Database] = []

    def url(self, name: str = "newsmon") -> str:
        if name not in self._urls:
            if self._server is None:
                self._urls[name] = self._sqlite(name)
            elif not self._urls:
                self._urls[name] = self._server.emptied()
            else:
                self._urls[name] = self._server.fresh(migrated=True)
        return self._urls[name]

    def open(self, name: str = "newsmon") -> Database:
        database = Database(self.url(name))
        self._opened.append(database)
        return database

    def close(self) -> None:
        for database in self._opened:
            database.dispose()
        if self._server is not None:
            for url in list(self._urls.values())[1:]:  # the first is the shared one, emptied for the next
                self._server.drop(url)

    def _sqlite(self, name: str) -> str:
        from db.migrate import upgrade

        url = f"sqlite:///{self._folder / name}.db"
        database = Database(url)
        upgrade(database)
        database.dispose()
        return url
