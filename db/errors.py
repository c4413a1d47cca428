"""Errors raised by the storage layer.

DatabaseError
├── MigrationError   the schema could not be created or upgraded
├── QueryError       a search or rule query is malformed (carries the column)
├── LockHeldError    another process holds the database's daemon lock (names it)
├── BackupError      a backup cannot be written (exists already, unsupported database)
└── UnknownSourceError  an article names a source the database does not know
"""

from __future__ import annotations


class DatabaseError(Exception):
    """Base class of storage errors."""


class MigrationError(DatabaseError):
    """The database schema could not be brought to the current version."""


class QueryError(DatabaseError):
    """A query in the newsmon query language is malformed."""

    def __init__(self, message: str, column: int | None = None, query: str = "") -> None:
        self.message = message
        self.column = column
        self.query = query
        where = f" at column {column}" if column is not None else ""
        super().__init__(f"{message}{where}")


class LockHeldError(DatabaseError):
    """Another live process holds the lock; ``holder`` names it (pid and host) when known."""

    def __init__(self, message: str, holder: str | None = None) -> None:
        super().__init__(message)
        self.holder = holder


class BackupError(DatabaseError):
    """A backup cannot be written where asked."""


class UnknownSourceError(DatabaseError):
    """An article to store names a source that is not in the sources table."""
