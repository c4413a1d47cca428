"""The schedule and the crawl job queue of the scheduler and crawler roles (table ``crawl_jobs``).

PostgreSQL only (several processes share it); every claim is ``FOR UPDATE
SKIP LOCKED``, so no two processes ever wait for, or take, the same row.
One row per scheduled source (db.models.CrawlJob):

* The scheduler writes each configured source's interval once
  (``plan_schedule``), then each tick queues the sources due
  (``next_poll_at`` passed) and moves each one's ``next_poll_at`` on, in one
  statement (``queue_due``). A source still queued or being crawled stays
  queued once.
* A crawler worker claims queued jobs (``claim``) as a registered holder
  (db/holders.py) with a lease, renews the lease while it crawls (``renew``),
  and marks the job done (``finish``).
* The jobs of a worker that is gone (killed, its machine lost) are made
  claimable at once by ``holders.reap`` (``release``); a live but hung one
  loses them when the lease ends.

With ``queue: redis://…`` the table keeps the schedule only: each tick the
scheduler hands the jobs it queued over to Redis (``hand_over``;
crawler/redisjobs.py), where the workers claim them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import CrawlJob, Source

# Renewed by the holder's heartbeat: only a holder alive but stuck this long loses its jobs this way.
LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class Job:
    source_id: int
    source: str
    attempts: int  # claims of this job so far, this one included


@dataclass(frozen=True)
class Poll:
    """How the scheduler polls one configured, enabled source."""

    first_run: datetime  # when it is due first, unless it has a due time already
    latest: datetime  # a stored due time later than this is from a longer interval: replan
    every: timedelta | None  # None: a cron source, whose next runs ``queue_due`` asks for
    jitter: timedelta = timedelta(0)


def plan_schedule(database: Database, polls: Mapping[str, Poll]) -> int:
    """Align the schedule with the configuration; return how many sources changed.

    A source keeps its due time, so a restarted or standby scheduler goes on
    where the last one stopped; one without (new), or due later than its
    interval allows (its interval was shortened), gets its first run; a source
    no longer configured or disabled gets none, so it is never queued.
    """
    with database.write() as session:
        rows = session.execute(
            select(
                Source.id, Source.name, CrawlJob.next_poll_at, CrawlJob.every_seconds, CrawlJob.jitter_seconds
            ).outerjoin(CrawlJob, CrawlJob.source_id == Source.id)
        ).all()
        changed: list[Mapping[str, object]] = []
        for source_id, name, next_poll_at, every, jitter in rows:
            poll = polls.get(name)
            wanted: tuple[datetime | None, float | None, float] = (None, None, 0.0)
            if poll is not None:
                keep = next_poll_at is not None and next_poll_at <= poll.latest
                wanted = (
                    next_poll_at if keep else poll.first_run,
                    poll.every.total_seconds() if poll.every is not None else None,
                    poll.jitter.total_seconds(),
                )
            if wanted != (next_poll_at, every, jitter or 0.0):
                changed.append(
                    {"source_id": source_id, "next_poll_at": wanted[0], "every_seconds": wanted[1]}
                    | {"jitter_seconds": wanted[2], "attempts": 0}
                )
        if changed:
            upsert = insert(CrawlJob)
            session.execute(
                upsert.on_conflict_do_update(
                    index_elements=[CrawlJob.source_id],
                    set_={
                        "next_poll_at": upsert.excluded.next_poll_at,
                        "every_seconds": upsert.excluded.every_seconds,
                        "jitter_seconds": upsert.excluded.jitter_seconds,
                    },
                ),
                changed,
            )
    return len(changed)


# Interval sources are moved on and queued in one statement that sends nothing per source:
# 50,000 due sources must take well under a second.
_QUEUE_DUE = text(
    """
    UPDATE crawl_jobs SET
        queued_at = COALESCE(queued_at, :now),
        next_poll_at = CAST(:now AS timestamptz)
            + make_interval(secs => every_seconds + random() * jitter_seconds)
    WHERE source_id IN (
        SELECT source_id FROM crawl_jobs
        WHERE next_poll_at <= :now AND every_seconds IS NOT NULL
        FOR UPDATE SKIP LOCKED
    )
    """
)


def queue_due(database: Database, now: datetime, next_cron_run: Callable[[str], datetime | None]) -> int:
    """Queue every source due at ``now`` and set its next due time; return how many were due.

    Interval sources move on by their interval (and jitter); ``next_cron_run(name)``
    gives a cron source's next run (None: not scheduled any more). A source
    already queued stays queued once; one locked by another transaction (a
    worker claiming it) is left for the next call rather than waited for.
    """
    with database.write() as session:
        due = _rowcount(session.execute(_QUEUE_DUE, {"now": now}))
        cron = session.execute(
            select(CrawlJob.source_id, Source.name)
            .join(Source, Source.id == CrawlJob.source_id)
            .where(CrawlJob.next_poll_at <= now, CrawlJob.every_seconds.is_(None))
            .with_for_update(of=CrawlJob, skip_locked=True)
        ).all()
        for source_id, name in cron:
            when = next_cron_run(name)
            session.execute(
                update(CrawlJob)
                .where(CrawlJob.source_id == source_id)
                .values(next_poll_at=when, queued_at=func.coalesce(CrawlJob.queued_at, now) if when else None)
            )
            due += 1
    return due


# Jobs queued here and claimed by no worker of the database's own queue (left from before a switch to Redis).
_HAND_OVER = text(
    """
    WITH due AS (
        SELECT source_id, queued_at FROM crawl_jobs
        WHERE queued_at IS NOT NULL AND claimed_by IS NULL
        FOR UPDATE SKIP LOCKED
    )
    UPDATE crawl_jobs SET queued_at = NULL
    FROM due, sources
    WHERE crawl_jobs.source_id = due.source_id AND sources.id = due.source_id
    RETURNING due.queued_at, sources.name
    """
)


def hand_over(database: Database, send: Callable[[list[str]], object]) -> int:
    """Give the queued jobs to ``send`` (names, oldest first) and unqueue them here; how many.

    One transaction: when ``send`` raises (Redis unreachable), the jobs stay
    queued here for the next call. When the commit fails after ``send``,
    they are sent again; Redis keeps one job per source, so nothing doubles.
    """
    with database.write() as session:
        rows = session.execute(_HAND_OVER).all()
        if rows:
            send([name for _, name in sorted(rows)])
    return len(rows)


def claim(database: Database, holder: str, limit: int, now: datetime, lease: timedelta = LEASE) -> list[Job]:
    """Claim up to ``limit`` queued jobs for ``holder``, oldest first, skipping those others are claiming."""
    if limit <= 0:
        return []
    claimable = (
        select(CrawlJob.source_id)
        .where(
            CrawlJob.queued_at.is_not(None), or_(CrawlJob.lease_until.is_(None), CrawlJob.lease_until < now)
        )
        .order_by(CrawlJob.queued_at, CrawlJob.source_id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    with database.write() as session:
        claimed = session.execute(
            update(CrawlJob)
            .where(CrawlJob.source_id.in_(claimable.scalar_subquery()))
            .values(claimed_by=holder, lease_until=now + lease, attempts=CrawlJob.attempts + 1)
            .returning(CrawlJob.source_id, CrawlJob.attempts)
            .execution_options(synchronize_session=False)
        ).all()
        ids = [source_id for source_id, _ in claimed]
        names = dict(session.execute(select(Source.id, Source.name).where(Source.id.in_(ids))).all())
    return [Job(source_id, names[source_id], attempts) for source_id, attempts in sorted(claimed)]


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
    """The crawl is done: the source is no longer queued, unless its job was taken back from ``holder``."""
    with database.write() as session:
        session.execute(
            update(CrawlJob)
            .where(CrawlJob.source_id == job.source_id, CrawlJob.claimed_by == holder)
            .values(queued_at=None, claimed_by=None, lease_until=None, attempts=0)
            .execution_options(synchronize_session=False)
        )


def postpone(database: Database, source: str, until: datetime) -> None:
    """The source waits out a back-off: not due before ``until``."""
    with database.write() as session:
        session.execute(
            update(CrawlJob)
            .where(CrawlJob.source_id == select(Source.id).where(Source.name == source).scalar_subquery())
            .values(next_poll_at=until)
            .execution_options(synchronize_session=False)
        )


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
        return int(session.scalar(select(func.count()).where(CrawlJob.queued_at.is_not(None))) or 0)


def forget(database: Database) -> None:
    """The whole daemon (``--role all``) schedules in its own process: the roles' schedule goes."""
    with database.write() as session:
        session.execute(delete(CrawlJob))


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
