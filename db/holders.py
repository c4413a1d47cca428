"""Who holds the claims on deliveries, and whether they are still there.

A process that claims deliveries registers as a holder (its host, pid and
process start time, and where that pid means something: the machine's boot
id and pid namespace) and renews a heartbeat while it runs; each claim names
its holder. A holder is gone when

- it shares this process's host, boot and pid namespace, and its pid is no
  longer running, is a zombie, or is another process (started at another
  time: the pid was reused) — known at once, so a daemon restarted after a
  kill -9 takes back its predecessor's claims within seconds;
- it runs anywhere else, and its heartbeat is older than ``STALE_AFTER``.

``reap`` makes the claims of gone holders due at once (deliveries, and crawl
jobs: db/jobs.py) and forgets those holders. A live holder's claims are left
alone; each claim still has its lease, so a live but hung holder loses them
when the lease ends.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import psutil
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from db.engine import Database
from db.jobs import release as release_jobs
from db.models import ClaimHolder, Delivery, Digest

HEARTBEAT_EVERY = timedelta(seconds=10)
STALE_AFTER = timedelta(seconds=60)
# Start times are clock ticks since boot: the same process reads the same to the tick.
_SAME_START = 0.05
_SINCE_EPOCH = 1e9  # 2001: no machine has been up that long


@dataclass(frozen=True)
class ProcessIdentity:
    """A process as others on the same database can recognise it."""

    host: str
    machine: str
    pid: int
    process_start: float  # seconds after the machine booted

    @classmethod
    def current(cls) -> ProcessIdentity:
        pid = os.getpid()
        return cls(socket.gethostname(), _machine(), pid, _started_after_boot(psutil.Process(pid)))

    def is_running(self) -> bool:
        """Whether this process still runs; only meaningful where ``machine`` and ``host`` are ours."""
        try:
            process = psutil.Process(self.pid)
            if process.status() == psutil.STATUS_ZOMBIE:
                return False
            # A holder registered by an earlier newsmon (running on during an upgrade) recorded its
            # start in seconds since the epoch (about 1.8e9; seconds after boot are far fewer).
            since_epoch = self.process_start > _SINCE_EPOCH
            started: float = process.create_time() if since_epoch else _started_after_boot(process)
        except psutil.Error:
            return False
        return abs(started - self.process_start) < _SAME_START

    def describe(self) -> str:
        return f"pid {self.pid} on {self.host}"


@dataclass(frozen=True)
class GoneHolder:
    identity: ProcessIdentity
    released: int  # delivery claims made due again
    jobs: int = 0  # crawl jobs made claimable again (db/jobs.py)
    holder_id: str = ""  # what its claims carried (its jobs in the Redis queue, crawler/redisjobs.py)


def register(database: Database, identity: ProcessIdentity, now: datetime) -> str:
    """Record ``identity`` as a new holder; return the id its claims carry."""
    holder_id = uuid.uuid4().hex
    with database.write() as session:
        session.add(
            ClaimHolder(
                id=holder_id,
                host=identity.host,
                machine=identity.machine,
                pid=identity.pid,
                process_start=identity.process_start,
                started=now,
                heartbeat=now,
            )
        )
    return holder_id


def beat(database: Database, holder_id: str, now: datetime) -> None:
    with database.write() as session:
        session.execute(update(ClaimHolder).where(ClaimHolder.id == holder_id).values(heartbeat=now))


def unregister(database: Database, holder_id: str, now: datetime) -> None:
    """A holder leaving cleanly: whatever it still claims is due at once."""
    with database.write() as session:
        release_jobs(session, [holder_id])
        _release(session, [holder_id], now)


def reap(database: Database, me: ProcessIdentity, now: datetime) -> list[GoneHolder]:
    """Make the claims of every gone holder due at ``now`` and forget those holders; return them."""
    with database.read() as session:
        gone = [h for h in session.scalars(select(ClaimHolder)) if _is_gone(h, me, now)]
    if not gone:
        return []
    with database.write() as session:
        jobs = release_jobs(session, [h.id for h in gone])
        released = _release(session, [h.id for h in gone], now)
    return [GoneHolder(_identity(h), released.get(h.id, 0), jobs.get(h.id, 0), h.id) for h in gone]


def _release(session: Session, holder_ids: list[str], now: datetime) -> Counter[str]:
    """Make the claims of ``holder_ids`` (deliveries and digests) due at ``now`` and delete those
    holders; count claims per holder."""
    claims: Counter[str | None] = Counter()
    for table in (Delivery, Digest):
        claims.update(session.scalars(select(table.claimed_by).where(table.claimed_by.in_(holder_ids))))
        session.execute(
            update(table).where(table.claimed_by.in_(holder_ids)).values(claimed_by=None, next_attempt=now)
        )
    session.execute(delete(ClaimHolder).where(ClaimHolder.id.in_(holder_ids)))
    return Counter({holder: n for holder, n in claims.items() if holder is not None})


def _is_gone(holder: ClaimHolder, me: ProcessIdentity, now: datetime) -> bool:
    if (holder.host, holder.machine) == (me.host, me.machine):
        return not _identity(holder).is_running()
    return now - holder.heartbeat > STALE_AFTER


def _identity(holder: ClaimHolder) -> ProcessIdentity:
    return ProcessIdentity(holder.host, holder.machine, holder.pid, holder.process_start)


def _started_after_boot(process: psutil.Process) -> float:
    """When ``process`` started, in seconds after the machine booted.

    psutil's start time is the boot time plus the kernel's ticks since boot, and the kernel
    derives the boot time (in whole seconds) from the wall clock: a clock step (NTP, a virtual
    machine resumed) moves it a second, and every live holder looked gone to its neighbours, who
    took its claims. The ticks since boot never move; both reads below are microseconds apart.
    """
    return float(process.create_time() - psutil.boot_time())


def _machine() -> str:
    """The kernel's boot id and this process's pid namespace (Linux); empty where there are none."""
    parts = []
    try:
        parts.append(Path("/proc/sys/kernel/random/boot_id").read_text().strip())
        parts.append(os.readlink("/proc/self/ns/pid"))
    except OSError:
        pass
    return " ".join(parts)
