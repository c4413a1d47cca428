"""A fresh PostgreSQL database per test, on the throwaway server of tests/db/conftest.py."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import make_url

from db.engine import Database
from tests.db.conftest import needs_postgres, postgres_url

__all__ = ["database", "fresh_postgres", "needs_postgres", "postgres_url"]

_numbers = itertools.count()


@pytest.fixture
def fresh_postgres(postgres_url: str) -> Iterator[str]:
    """The URL of an empty database of its own."""
    name = f"roles_{next(_numbers)}"
    server = make_url(postgres_url)
    admin = server.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    yield server.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
def database(fresh_postgres: str) -> Iterator[Database]:
    """The test's own handle on ``fresh_postgres``, closed even when the test fails: a connection left
    open would be reported as a ResourceWarning in whichever test the garbage collector runs next."""
    database = Database(fresh_postgres)
    yield database
    database.dispose()
