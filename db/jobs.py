"""The crawl job queue in the database, between the scheduler role and the crawler role.

PostgreSQL only (several processes share it); every claim is ``FOR UPDATE
SKIP LOCKED``, so no two processes ever wait for, or take, the same row.

* The scheduler queues the sources due (``sources.next_run`` passed) and moves
  each one's ``next_run`` on, in one transaction (``queue_due``). A source
  already queued or being crawled is not queued twice (one job per source).
* A crawler worker claims jobs (``claim``) as a registered holder
  (db/holders.py) with a lease, renews the lease while it crawls (``renew``),
  and deletes the job when the crawl is done (``finish``).
* A worker that is gone (killed, its machine lost) is found by
  ``holders.reap``, which makes its jobs claimable at once (``release``); a
  live but hung one loses them when the lease ends.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, text, update
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import CrawlJob, Source

# Renewed by the holder's heartbeat: only a holder alive but stuck this long loses its jobs this way.
LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class Job:
    id: int
    source: str
    attempts: int  # claims so far, this one included


@dataclass(frozen=True)
class Plan:
    """The sources the scheduler polls, and when each one's first poll is due."""

    first_run: Mapping[str, datetime]  # configured, enabled sources
    latest: Mapping[str, datetime]  # a stored next_run later than this is from a longer interval: replan


def plan_schedule(database: Database, plan: Plan) -> int:
    """Align ``sources.next_run`` with the configuration; return how many sources changed.

    A source keeps its next_run, so a restarted or standby scheduler goes on
    where the last one stopped; one without (new), or due later than its
    interval allows (its interval was shortened), gets its first run; a source
    no longer configured or disabled gets none, so it is never queued.
    """
    with database.write() as session:
        rows = session.execute(select(Source.id, Source.name, Source.next_run)).all()
        ids: list[int] = []
        times: list[datetime | None] = []
        for source_id, name, next_run in rows:
            wanted = next_run
            if name not in plan.first_run:
                wanted = None
            elif next_run is None or next_run > plan.latest[name]:
                wanted = plan.first_run[name]
            if wanted != next_run:
                ids.append(source_id)
                times.append(wanted)
        _set_next_runs(session, ids, times)
    return len(ids)


def queue_due(database: Database, now: datetime, next_run: Callable[[str], datetime | None]) -> int:
    """Queue a job for every source due at ``now`` and set its next run; return the jobs queued.

    ``next_run(name)`` is the source's next due time after this one (None: not
    scheduled any more). Sources locked by another transaction (a crawl
    recording its outcome) are left for the next call rather than waited for.
    """
    with database.write() as session:
        due = session.execute(
            select(Source.id, Source.name).where(Source.next_run <= now).with_for_update(skip_locked=True)
        ).all()
        if not due:
            return 0
        times = [next_run(name) for _, name in due]
        ids = [source_id for source_id, _ in due]
        queued = session.execute(
            text(
                "INSERT INTO crawl_jobs (source_id, enqueued, attempts) "
                "SELECT s, :now, 0 FROM unnest(CAST(:ids AS integer[])) AS s "
                "ON CONFLICT (source_id) DO NOTHING"
            ),
            {"now": now, "ids": [i for i, when in zip(ids, times, strict=True) if when is not None]},
        )
        _set_next_runs(session, ids, times)
    return int(getattr(queued, "rowcount", 0) or 0)


def claim(database: Database, holder: str, limit: int, now: datetime, lease: timedelta = LEASE) -> list[Job]:
    """Claim up to ``limit`` jobs for ``holder``, oldest first, skipping those others are claiming."""
    if limit <= 0:
        return []
    claimable = (
        select(CrawlJob.id)
        .where(or_(CrawlJob.lease_until.is_(None), CrawlJob.lease_until < now))
        .order_by(CrawlJob.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    with database.write() as session:
        claimed = session.execute(
            update(CrawlJob)
            .where(CrawlJob.id.in_(claimable.scalar_subquery()))
            .values(claimed_by=holder, lease_until=now + lease, attempts=CrawlJob.attempts + 1)
            .returning(CrawlJob.id, CrawlJob.source_id, CrawlJob.attempts)
            .execution_options(synchronize_session=False)
        ).all()
        names = dict(
            session.execute(
                select(Source.id, Source.name).where(Source.id.in_([c[1] for c in claimed]))
            ).all()
        )
    return [Job(job_id, names[source_id], attempts) for job_id, source_id, attempts in sorted(claimed)]


def renew(database: Database, holder: str, now: datetime, lease: timedelta = LEASE) -> None:
    """Extend the lease of every job ``holder`` still has."""
    with database.write() as session:
        session.execute(
            update(CrawlJob)
            .where(CrawlJob.claimed_by == holder)
            .values(lease_until=now + lease)
            .execution_options(synchronize_session=False)
        )


def finish(database: Database, job: Job, holder: str) -> None:
    """The crawl is done: the job goes, unless it was taken back from ``holder`` meanwhile."""
    with database.write() as session:
        session.execute(delete(CrawlJob).where(CrawlJob.id == job.id, CrawlJob.claimed_by == holder))


def release(session: Session, holder_ids: Sequence[str]) -> Counter[str]:
    """Make the jobs of ``holder_ids`` claimable at once (their holders are gone); count them per holder."""
    # RETURNING would give the new, empty holder: count before.
    released = Counter(
        session.scalars(select(CrawlJob.claimed_by).where(CrawlJob.claimed_by.in_(holder_ids)))
    )
    session.execute(
        update(CrawlJob)
        .where(CrawlJob.claimed_by.in_(holder_ids))
        .values(claimed_by=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return Counter({holder: n for holder, n in released.items() if holder is not None})


def queued(database: Database) -> int:
    """Jobs waiting or being crawled."""
    with database.read() as session:
        return int(session.scalar(select(func.count()).select_from(CrawlJob)) or 0)


def _set_next_runs(session: Session, ids: Sequence[int], times: Sequence[datetime | None]) -> None:
    if not ids:
        return
    # One statement whatever the count: 50,000 sources per tick must stay well under a second.
    session.execute(
        text(
            "UPDATE sources SET next_run = v.next_run "
            "FROM unnest(CAST(:ids AS integer[]), CAST(:times AS timestamptz[])) AS v(id, next_run) "
            "WHERE sources.id = v.id"
        ),
        {"ids": list(ids), "times": list(times)},
    )
