"""``postgres_url``: an empty database of its own for a module, on the session's PostgreSQL server.

Tests that run on both dialects take the root ``databases`` fixture instead.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.postgres import PostgresServer, needs_postgres

__all__ = ["needs_postgres"]


@pytest.fixture(scope="module")
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    url = postgres_server.fresh()
    yield url
    postgres_server.drop(url)
