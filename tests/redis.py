"""A throwaway Redis server for one test: the Redis crawl queue (``queue: redis://…``) against the real thing.

``redis-server`` from the distribution (.ci/run installs it when missing)
listens on 127.0.0.1 and a free port, with its files in a temporary folder.
No snapshots (``--save ''``); an append-only file instead, so that
``restart()`` brings back what it held, as a production Redis configured
for the queue does (deploy/compose.yaml). It starts in a few milliseconds:
each test gets its own.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

# CI installs redis-server (.ci/run): there a missing server is a failure, not a skip.
needs_redis = [
    pytest.mark.redis,
    pytest.mark.skipif(
        shutil.which("redis-server") is None and not os.environ.get("CI"),
        reason="redis-server is not installed",
    ),
]

START_SECONDS = 10.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RedisServer:
    """One ``redis-server`` process; ``stop()`` then ``start()`` is a restart that keeps its data."""

    def __init__(self, password: str | None = None) -> None:
        self.password = password
        self.folder = Path(tempfile.mkdtemp(prefix="newsmon-redis-"))
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        command = ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.folder)]
        command += ["--save", "", "--appendonly", "yes", "--appendfsync", "always"]
        if self.password:
            command += ["--requirepass", self.password]
        with (self.folder / "log").open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_SECONDS
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start: {(self.folder / 'log').read_text()[-2000:]}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        """SIGTERM: Redis closes its append-only file and exits."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as connection:
                connection.sendall(b"PING\r\n")
                # Without the password a server that wants one answers -NOAUTH: it is up all the same.
                return connection.recv(16).startswith((b"+PONG", b"-NOAUTH"))
        except OSError:
            return False
