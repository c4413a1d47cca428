"""The daemon lock on PostgreSQL: a session-level advisory lock, holder named, dropped with its process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from db import locks
from db.engine import Database
from db.errors import LockHeldError
from tests.db.conftest import needs_postgres

pytestmark = needs_postgres


HOLD = """
import sys, time
from db import locks
from db.engine import Database
lock = locks.acquire(Database(sys.argv[1]), "run")
print("held", flush=True)
time.sleep(600)
"""


def test_one_holder_named_and_released(postgres_url: str) -> None:
    first, second = Database(postgres_url), Database(postgres_url)
    lock = locks.acquire(first, "run")
    try:
        with pytest.raises(LockHeldError) as raised:
            locks.acquire(second, "run")
        assert f"pid {os.getpid()} on host {socket.gethostname()}" in str(raised.value)
        assert "advisory lock" in str(raised.value)
    finally:
        lock.release()
    locks.acquire(second, "run").release()
    first.dispose()
    second.dispose()


def test_the_lock_of_a_killed_holder_is_taken_over(postgres_url: str) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, postgres_url], stdout=subprocess.PIPE, text=True, cwd=os.getcwd()
    )
    database = Database(postgres_url)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(LockHeldError, match=f"pid {holder.pid} on host"):
            locks.acquire(database, "run")
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
        deadline = time.monotonic() + 20
        while True:  # the server notices the closed connection within moments
            try:
                locks.acquire(database, "run").release()
                break
            except LockHeldError:
                assert time.monotonic() < deadline, "the dead holder's lock was never released"
                time.sleep(0.1)
    finally:
        if holder.poll() is None:
            holder.kill()
        if holder.stdout is not None:
            holder.stdout.close()
        database.dispose()
