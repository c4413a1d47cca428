"""The daemon lock: one holder at a time, named to the next claimant, released on exit or death."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from db import locks
from db.engine import Database
from db.errors import LockHeldError


def test_a_second_claim_fails_naming_the_holder(database: Database, tmp_path: Path) -> None:
    first = locks.acquire(database, "run")
    try:
        with pytest.raises(LockHeldError) as raised:
            locks.acquire(database, "run")
        message = str(raised.value)
        assert f"pid {os.getpid()} on host {socket.gethostname()}" in message
        assert str(tmp_path / "newsmon.db.lock") in message
    finally:
        first.release()
    second = locks.acquire(database, "run")  # released: free again
    second.release()


def test_a_stale_lock_file_does_not_block(database: Database, tmp_path: Path) -> None:
    # What a holder killed with SIGKILL leaves behind: the file with its record, but no flock.
    (tmp_path / "newsmon.db.lock").write_text('{"pid": 999999, "host": "gone", "lock": "run"}\n')
    lock = locks.acquire(database, "run")
    assert f'"pid": {os.getpid()}' in (tmp_path / "newsmon.db.lock").read_text()
    lock.release()
    assert (tmp_path / "newsmon.db.lock").read_text() == ""


def test_an_unreadable_holder_record_still_refuses(database: Database, tmp_path: Path) -> None:
    lock = locks.acquire(database, "run")
    try:
        (tmp_path / "newsmon.db.lock").write_text("garbage")
        with pytest.raises(LockHeldError, match="did not say who it is"):
            locks.acquire(database, "run")
    finally:
        lock.release()


def test_an_in_memory_database_needs_no_lock() -> None:
    database = Database("sqlite://")
    locks.acquire(database, "run").release()
    locks.acquire(database, "run").release()


def test_advisory_lock_keys_are_stable_and_fit_in_an_oid() -> None:
    assert locks.lock_key("run") == locks.lock_key("run") != locks.lock_key("other")
    assert 0 <= locks.lock_key("run") < 2**31
