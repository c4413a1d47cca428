"""Fixtures for every test package: a migrated SQLite database, a local HTTP server, the reactor.

Twisted's asyncio reactor is installed here, at import time, before any
test module can import ``twisted.internet.reactor`` (which would install
the default reactor for the whole process). Crawls then run on that
reactor's loop through the ``run_on_reactor`` fixture.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from crawler.reactor import (
    ensure_reactor_running,
    install_asyncio_reactor,
    reactor_loop,
    stop_reactor_threads,
)

install_asyncio_reactor()

from crawler.robotscache import ROBOTS_CACHE  # noqa: E402
from db.engine import Database  # noqa: E402 - after the reactor, on purpose
from db.migrate import upgrade  # noqa: E402
from tests.databases import Databases  # noqa: E402
from tests.postgres import PostgresServer, needs_postgres  # noqa: E402
from tests.redis import RedisServer  # noqa: E402
from tests.servers import TestServer  # noqa: E402

T = TypeVar("T")


@pytest.fixture(autouse=True)
def fresh_robots_cache() -> Iterator[None]:
    """The process keeps robots.txt across crawls: a test's servers must not see an earlier test's."""
    ROBOTS_CACHE.clear()
    yield
    ROBOTS_CACHE.clear()


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    """An empty, migrated SQLite database in a temporary folder."""
    db = Database(f"sqlite:///{tmp_path / 'newsmon.db'}")
    upgrade(db)
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL server for the session, started by the first test that needs it."""
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=needs_postgres)])
def databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Databases]:
    """Fresh migrated databases of one dialect; a test taking this runs on SQLite and on PostgreSQL."""
    server = request.getfixturevalue("postgres_server") if request.param == "postgresql" else None
    factory = Databases(request.param, tmp_path, server)
    yield factory
    factory.close()


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A throwaway redis-server of the test's own (tests using it take ``tests.redis.needs_redis``)."""
    server = RedisServer().start()
    yield server
    server.close()


@pytest.fixture
def http_server() -> Iterator[TestServer]:
    """A started ``tests.servers.TestServer`` on 127.0.0.1 with no routes yet."""
    with TestServer() as server:
        yield server


@pytest.fixture
def run_on_reactor() -> Callable[[Awaitable[T]], T]:
    """Run a coroutine to completion on the asyncio loop that Twisted's reactor uses."""

    def run(awaitable: Awaitable[Any]) -> Any:
        loop = reactor_loop()
        # Other tests may have run asyncio.run(), which leaves no current loop behind.
        asyncio.set_event_loop(loop)

        async def main() -> Any:
            ensure_reactor_running()
            return await awaitable

        return loop.run_until_complete(main())

    return run


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # The reactor's thread pool is not daemonic: it would keep pytest from exiting.
    stop_reactor_threads()


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """The root logger's level and handlers, and the folded loggers' levels, as they were."""
    import logging

    from newsmon import logs

    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    for name in logs.FOLDED_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET)
