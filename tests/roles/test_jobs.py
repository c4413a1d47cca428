"""The crawl job queue (db/jobs.py) on a real PostgreSQL: due sources queued once, claims never shared."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from db import holders, jobs
from db.engine import Database
from db.migrate import upgrade
from db.models import CrawlJob, Source
from db.store import SourceSpec, sync_sources
from tests.roles.conftest import needs_postgres

pytestmark = needs_postgres

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@pytest.fixture
def database(database: Database) -> Database:
    upgrade(database)
    sync_sources(database, [SourceSpec(f"s{i}", "feed", f"http://127.0.0.1/{i}.xml") for i in range(20)])
    return database


def next_runs(database: Database) -> dict[str, datetime | None]:
    with database.read() as session:
        rows = session.execute(select(Source.name, CrawlJob.next_poll_at).join(CrawlJob)).all()
    return {name: when for name, when in rows}


EVERY = timedelta(minutes=15)


def plan_all(database: Database, names: list[str], first: datetime) -> None:
    plan(database, dict.fromkeys(names, first))


def plan(database: Database, first: dict[str, datetime], every: timedelta | None = EVERY) -> int:
    polls = {name: jobs.Poll(when, when + timedelta(hours=1), every) for name, when in first.items()}
    return jobs.plan_schedule(database, polls)


def no_cron(name: str) -> datetime | None:
    raise AssertionError(f"{name} is not a cron source")


def test_plan_keeps_a_schedule_and_drops_unconfigured_sources(database: Database) -> None:
    names = [f"s{i}" for i in range(20)]
    plan_all(database, names, NOW)
    assert set(next_runs(database).values()) == {NOW}
    # A second scheduler (a takeover) keeps the stored times; a source left out gets none.
    assert plan(database, dict.fromkeys(names[1:], NOW + timedelta(minutes=5))) == 1
    runs = next_runs(database)
    assert runs["s0"] is None and runs["s1"] == NOW
    # A stored time later than the interval allows (the interval was shortened) is planned again.
    polls = {"s1": jobs.Poll(NOW, NOW - timedelta(minutes=1), EVERY)}
    jobs.plan_schedule(database, polls)
    assert next_runs(database)["s1"] == NOW


def test_due_sources_are_queued_once_and_moved_on(database: Database) -> None:
    names = [f"s{i}" for i in range(20)]
    plan(database, {n: NOW if n in names[:10] else NOW + timedelta(minutes=10) for n in names})
    assert jobs.queue_due(database, NOW, no_cron) == 10
    assert jobs.queued(database) == 10
    runs = next_runs(database)
    assert all(runs[n] == NOW + EVERY for n in names[:10])
    assert all(runs[n] == NOW + timedelta(minutes=10) for n in names[10:])
    # Due again while still queued: queued once, and the schedule still moves on.
    later = NOW + EVERY
    assert jobs.queue_due(database, later, no_cron) == 20
    assert jobs.queued(database) == 20
    assert all(runs == later + EVERY for runs in next_runs(database).values())
    assert jobs.queue_due(database, later, no_cron) == 0
    # Done: no longer queued, due again at its next poll.
    [job] = jobs.claim(database, "a", 1, later)
    jobs.finish(database, job, "a")
    assert jobs.queued(database) == 19


def test_cron_sources_move_on_as_their_schedule_says(database: Database) -> None:
    plan(database, {"s0": NOW, "s1": NOW}, every=None)
    cron = {"s0": NOW + timedelta(hours=1), "s1": None}  # s1: not scheduled any more
    assert jobs.queue_due(database, NOW, cron.__getitem__) == 2
    runs = next_runs(database)
    assert runs["s0"] == NOW + timedelta(hours=1) and runs["s1"] is None
    assert [job.source for job in jobs.claim(database, "a", 5, NOW)] == ["s0"]


def test_concurrent_claims_never_share_a_job(database: Database) -> None:
    plan_all(database, [f"s{i}" for i in range(20)], NOW)
    jobs.queue_due(database, NOW, no_cron)
    claimed: dict[str, list[jobs.Job]] = {"a": [], "b": []}
    start = threading.Barrier(2)

    def worker(holder: str) -> None:
        start.wait()
        while batch := jobs.claim(database, holder, 3, NOW):
            claimed[holder].extend(batch)

    threads = [threading.Thread(target=worker, args=(h,)) for h in claimed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    sources = [job.source for batch in claimed.values() for job in batch]
    assert sorted(sources) == sorted(f"s{i}" for i in range(20))
    # Claimed jobs stay claimed while their lease runs, and are claimable again after it.
    assert jobs.claim(database, "c", 50, NOW + jobs.LEASE - timedelta(seconds=1)) == []
    again = jobs.claim(database, "c", 50, NOW + jobs.LEASE + timedelta(seconds=1))
    assert len(again) == 20 and all(job.attempts == 2 for job in again)


def test_a_renewed_lease_holds_and_a_finished_job_goes(database: Database) -> None:
    plan_all(database, ["s0", "s1"], NOW)
    jobs.queue_due(database, NOW, no_cron)
    first, second = jobs.claim(database, "a", 2, NOW)
    jobs.renew(database, "a", NOW + timedelta(minutes=4))
    assert jobs.claim(database, "b", 2, NOW + jobs.LEASE + timedelta(seconds=1)) == []
    jobs.finish(database, first, "a")
    jobs.finish(database, second, "b")  # not b's: stays queued
    assert jobs.queued(database) == 1


def test_the_jobs_of_a_gone_holder_are_claimable_at_once(database: Database) -> None:
    plan_all(database, ["s0", "s1", "s2"], NOW)
    jobs.queue_due(database, NOW, no_cron)
    me = holders.ProcessIdentity.current()
    # A process of this machine that no longer runs: same pid, another start time.
    gone = holders.ProcessIdentity(me.host, me.machine, me.pid, me.process_start - 1000)
    holder = holders.register(database, gone, NOW)
    assert len(jobs.claim(database, holder, 2, NOW)) == 2
    assert [job.source for job in jobs.claim(database, "other", 5, NOW)] == ["s2"]
    [reaped] = holders.reap(database, me, NOW)
    assert reaped.jobs == 2
    assert sorted(job.source for job in jobs.claim(database, "other", 5, NOW)) == ["s0", "s1"]


def test_hand_over_gives_the_queued_jobs_oldest_first_and_keeps_them_when_sending_fails(
    database: Database,
) -> None:
    plan(database, {"s2": NOW - timedelta(minutes=2), "s1": NOW - timedelta(minutes=1)})
    jobs.queue_due(database, NOW - timedelta(minutes=2), no_cron)  # s2 queued first
    jobs.queue_due(database, NOW, no_cron)

    def unreachable(names: list[str]) -> None:
        raise ConnectionError("Redis does not answer")

    with pytest.raises(ConnectionError):
        jobs.hand_over(database, unreachable)
    assert jobs.queued(database) == 2  # still queued here, for the next tick
    sent: list[list[str]] = []
    assert jobs.hand_over(database, sent.append) == 2
    assert sent == [["s2", "s1"]] and jobs.queued(database) == 0
    assert jobs.hand_over(database, sent.append) == 0 and len(sent) == 1
