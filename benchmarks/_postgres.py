"""A throwaway PostgreSQL server for benchmarks, as the tests start one (tests/db/conftest.py):
``initdb`` into a temporary folder (as the ``postgres`` user when run as root, since postgres
refuses root), ``pg_ctl`` on 127.0.0.1 and a free port, stopped and removed on exit."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_postgres(*args: str) -> None:
    command = list(args) if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--", *args]
    subprocess.run(command, check=True, capture_output=True, timeout=120)


def _pg_bin() -> str | None:
    if shutil.which("initdb"):
        return None
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return str(found[-1].parent) if found else None


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """The SQLAlchemy URL of a fresh server's ``postgres`` database."""
    extra = _pg_bin()
    if extra:
        os.environ["PATH"] = f"{os.environ['PATH']}:{extra}"
    folder = Path(tempfile.mkdtemp(prefix="newsmon-bench-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    data, port = folder / "data", _free_port()
    _as_postgres("initdb", "-D", str(data), "-A", "trust", "-U", "newsmon")
    options = f"-k {folder} -h 127.0.0.1 -p {port} -c fsync=off -c max_connections=200"
    _as_postgres("pg_ctl", "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start")
    try:
        yield f"postgresql+psycopg://newsmon@127.0.0.1:{port}/postgres"
    finally:
        _as_postgres("pg_ctl", "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def create_database(server_url: str, name: str) -> str:
    """A new empty database on the server of ``server_url``; its URL."""
    port = server_url.rsplit(":", 1)[1].split("/")[0]
    with psycopg.connect(f"postgresql://newsmon@127.0.0.1:{port}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {name}")
    return server_url.rsplit("/", 1)[0] + f"/{name}"
