"""A throwaway PostgreSQL server for the test session (and the benchmarks), and fresh databases on it.

STACK-NOTES: postgres refuses to run as root, so the cluster belongs to the
``postgres`` system user; ``initdb`` into a temporary folder, listen on
127.0.0.1 and a private socket folder, no fsync. One server serves the whole
session (it starts in about a second). Tests take turns on one migrated
database, emptied before each (about 50 ms); a test needing a second database
gets a copy of a migrated template (a second or two on a loaded machine), and
migrations run once per session either way.

The benchmarks start theirs here too (``with PostgresServer() as server``):
this module imports nothing from them.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from db.engine import Database
from db.migrate import upgrade

# CI installs PostgreSQL (.ci/run): there a missing server is a failure, not a skip.
needs_postgres = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        shutil.which("initdb") is None and not os.environ.get("CI"), reason="PostgreSQL is not installed"
    ),
]

USER = "newsmon"
TEMPLATE = "newsmon_migrated"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_postgres(*args: str) -> None:
    command = list(args) if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--", *args]
    subprocess.run(command, check=True, capture_output=True, timeout=120)


def _find_server_programs() -> None:
    """Debian keeps initdb and pg_ctl off PATH, in /usr/lib/postgresql/VERSION/bin: use the newest."""
    if shutil.which("initdb"):
        return
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        os.environ["PATH"] = f"{os.environ['PATH']}{os.pathsep}{found[-1].parent}"


class PostgresServer:
    """One running cluster; ``fresh()`` hands out new databases on it."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="newsmon-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        self.data, self.port = self.folder / "data", _free_port()
        self._names = itertools.count(1)
        self._template_ready = False
        self._shared: str | None = None

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> PostgresServer:
        _find_server_programs()
        _as_postgres("initdb", "-D", str(self.data), "-A", "trust", "-U", USER)
        options = f"-k {self.folder} -h 127.0.0.1 -p {self.port} -c fsync=off -c max_connections=200"
        log = str(self.folder / "log")
        _as_postgres("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")
        return self

    def stop(self) -> None:
        _as_postgres("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, name: str = "postgres") -> str:
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{name}"

    def fresh(self, *, migrated: bool = False) -> str:
        """The URL of a new, empty (or migrated) database."""
        if migrated and not self._template_ready:
            self._sql(f"CREATE DATABASE {TEMPLATE}")
            template = Database(self.url(TEMPLATE))
            upgrade(template)
            template.dispose()
            self._template_ready = True
        return self.create(f"test_{next(self._names)}", template=TEMPLATE if migrated else None)

    def create(self, name: str, *, template: str | None = None) -> str:
        """The URL of a new database ``name`` (a copy of ``template``), replacing any left by a run before."""
        self._sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self._sql(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
        return self.url(name)

    def emptied(self) -> str:
        """The URL of the session's shared migrated database, every table emptied.

        Tests take turns on it: emptying it takes milliseconds where a copy of the
        template takes a second or two on a loaded machine.
        """
        if self._shared is None:
            self._shared = self.fresh(migrated=True)
        name = self._shared.rsplit("/", 1)[1]
        with psycopg.connect(self.url(name).replace("+psycopg", ""), autocommit=True) as connection:
            # A test's leftovers (a killed child's session) must not hold a lock the TRUNCATE waits for.
            connection.execute(
                b"SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                b" WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            # Deleting rows and resetting the sequences costs a fraction of a TRUNCATE on small tables.
            connection.execute(b"SET session_replication_role = replica")  # no FK order to follow
            connection.execute(
                b"""DO $$ DECLARE t record; BEGIN
                FOR t IN SELECT quote_ident(tablename) AS name FROM pg_tables
                         WHERE schemaname = 'public' AND tablename <> 'alembic_version' LOOP
                    EXECUTE 'DELETE FROM ' || t.name;
                END LOOP;
                FOR t IN SELECT quote_ident(sequencename) AS name FROM pg_sequences
                         WHERE schemaname = 'public' LOOP
                    EXECUTE 'ALTER SEQUENCE ' || t.name || ' RESTART';
                END LOOP; END $$"""
            )
        return self._shared

    def drop(self, url: str) -> None:
        self._sql(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")

    def _sql(self, statement: str) -> None:
        with psycopg.connect(self.url().replace("+psycopg", ""), autocommit=True) as connection:
            connection.execute(statement.encode())


def a_session_waits_for_a_lock(database: Database) -> bool:
    """Whether a session on ``database``'s server waits for a lock another holds."""
    with database.read() as session:
        return bool(session.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted")))


def wait_for_a_lock_wait(database: Database) -> None:
    """Until a second writer waits for a lock the first holds (30 s at most)."""
    deadline = time.monotonic() + 30
    while not a_session_waits_for_a_lock(database):
        if time.monotonic() > deadline:
            pytest.fail("the second writer never waited for the first")
        time.sleep(0.05)


def main(argv: list[str]) -> int:
    """`python -m tests.postgres COMMAND…`: run COMMAND with $NEWSMON_DATABASE on a throwaway server.

    .ci/run runs the seed scenario this way: the scenario writes a SQLite URL
    into its config, and the environment points newsmon at PostgreSQL instead.
    """
    if not argv:
        print("usage: python -m tests.postgres COMMAND [ARG…]", file=sys.stderr)
        return 2
    server = PostgresServer().start()
    try:
        env = {**os.environ, "NEWSMON_DATABASE": server.fresh()}
        return subprocess.run(argv, env=env, check=False).returncode
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
