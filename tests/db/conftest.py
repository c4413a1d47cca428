"""A throwaway PostgreSQL server for tests (STACK-NOTES: as the postgres user, initdb into a
temporary folder, listen on 127.0.0.1 with a private socket folder): the ``postgres_url`` fixture."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# CI installs PostgreSQL (.ci/run): there a missing server is a failure, not a skip.
needs_postgres = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        shutil.which("initdb") is None and not os.environ.get("CI"), reason="PostgreSQL is not installed"
    ),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_postgres(*args: str) -> None:
    command = list(args) if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--", *args]
    subprocess.run(command, check=True, capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    folder = Path(tempfile.mkdtemp(prefix="newsmon-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    data, port = folder / "data", _free_port()
    _as_postgres("initdb", "-D", str(data), "-A", "trust", "-U", "newsmon")
    options = f"-k {folder} -h 127.0.0.1 -p {port} -c fsync=off"
    _as_postgres("pg_ctl", "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start")
    try:
        yield f"postgresql+psycopg://newsmon@127.0.0.1:{port}/postgres"
    finally:
        _as_postgres("pg_ctl", "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)
