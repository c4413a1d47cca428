"""Claim holders on a real SQLite file: who is gone, whose claims come back, whose stay."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import psutil
import pytest

from db import holders, outbox
from db.engine import Database
from db.holders import ProcessIdentity
from tests.alerts.outbox_helpers import T0, Match, new_database, store
from tests.databases import Databases


@pytest.fixture
def database(databases: Databases) -> Database:
    db = new_database(databases)
    store(db, [Match("ai-deals", ("mail",))], now=T0)
    return db


def claim(database: Database, identity: ProcessIdentity) -> str:
    holder = holders.register(database, identity, T0)
    (job,) = outbox.due_deliveries(database, T0, 10, holder=holder)
    assert job.channel == "mail"
    return holder


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


ME = ProcessIdentity.current()


def test_this_process_is_running_and_a_finished_one_or_a_reused_pid_is_not() -> None:
    assert ME.is_running()
    assert not replace(ME, pid=dead_pid()).is_running()
    # The same pid, started at another time: another process now has it.
    assert not replace(ME, process_start=ME.process_start - 3600).is_running()


def test_a_holder_registered_by_an_earlier_newsmon_is_still_recognised() -> None:
    # Before, the start time was recorded in seconds since the epoch: a process still running it
    # during an upgrade keeps its claims until it stops.
    since_epoch = psutil.Process().create_time()
    assert replace(ME, process_start=since_epoch).is_running()
    assert not replace(ME, process_start=since_epoch - 3600).is_running()


def booted_later(folder: Path, seconds: int) -> Path:
    """A /proc whose boot time is ``seconds`` later, as the kernel reports it after the clock was
    stepped forward (NTP, a virtual machine resumed); every other entry is the real one."""
    for entry in Path("/proc").iterdir():
        if entry.name != "stat":
            (folder / entry.name).symlink_to(entry)
    lines = Path("/proc/stat").read_text().splitlines()
    moved = [
        f"btime {int(line.split()[1]) + seconds}" if line.startswith("btime ") else line for line in lines
    ]
    (folder / "stat").write_text("\n".join(moved) + "\n")
    return folder


@pytest.mark.skipif(
    not Path("/proc/stat").exists(), reason="the kernel's boot time is read from Linux's /proc"
)
def test_a_clock_step_leaves_a_live_process_running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    booted = psutil.boot_time()
    monkeypatch.setattr(psutil, "PROCFS_PATH", str(booted_later(tmp_path, seconds=1)))
    assert psutil.boot_time() == booted + 1
    assert ME.is_running()
    assert ProcessIdentity.current().process_start == pytest.approx(ME.process_start, abs=0.01)


def test_claims_of_a_dead_local_holder_are_due_at_once(database: Database) -> None:
    gone = replace(ME, pid=dead_pid())
    claim(database, gone)
    assert outbox.due_deliveries(database, T0 + timedelta(seconds=1), 10) == []  # leased…
    (reaped,) = holders.reap(database, ME, T0 + timedelta(seconds=1))
    assert (reaped.identity, reaped.released) == (gone, 1)
    # …and due again within the second, not when the 5-minute lease ends.
    assert len(outbox.due_deliveries(database, T0 + timedelta(seconds=1), 10)) == 1
    assert holders.reap(database, ME, T0 + timedelta(seconds=2)) == []


def test_claims_of_a_live_local_holder_stay_whatever_its_heartbeat(database: Database) -> None:
    claim(database, ME)
    assert holders.reap(database, ME, T0 + timedelta(hours=1)) == []
    assert outbox.due_deliveries(database, T0 + timedelta(minutes=4), 10) == []


def test_a_holder_elsewhere_is_gone_when_its_heartbeat_is_stale(database: Database) -> None:
    elsewhere = ProcessIdentity("other-host", "another boot", ME.pid, ME.process_start)
    holder = claim(database, elsewhere)
    holders.beat(database, holder, T0 + timedelta(seconds=30))
    assert holders.reap(database, ME, T0 + timedelta(seconds=30) + holders.STALE_AFTER) == []
    later = T0 + timedelta(seconds=31) + holders.STALE_AFTER
    (reaped,) = holders.reap(database, ME, later)
    assert reaped.identity.host == "other-host" and reaped.released == 1
    assert len(outbox.due_deliveries(database, later, 10)) == 1


def test_a_holder_leaving_cleanly_hands_back_what_it_still_claims(database: Database) -> None:
    holder = claim(database, ME)
    holders.unregister(database, holder, T0)
    assert len(outbox.due_deliveries(database, T0, 10)) == 1


def test_an_outcome_ends_the_claim(database: Database) -> None:
    holder = claim(database, replace(ME, pid=dead_pid()))
    (job,) = outbox.due_deliveries(database, T0 + timedelta(minutes=5), 10, holder=holder)
    outbox.mark_retry(database, job.delivery_id, "HTTP 500", T0 + timedelta(hours=1))
    # The retry's wait stands: a gone holder no longer claims the delivery.
    assert [h.released for h in holders.reap(database, ME, T0 + timedelta(minutes=6))] == [0]
    assert outbox.due_deliveries(database, T0 + timedelta(minutes=6), 10) == []
