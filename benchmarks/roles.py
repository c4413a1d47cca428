"""The daemon split into roles on PostgreSQL: the scheduler's tick, crawlers scaling out, a crawler killed.

    python -m benchmarks.roles [--sources 50000] [--crawl-sources 300] [--entries 10] [--window 20]

Everything runs against a throwaway PostgreSQL server (tests/postgres.py),
and ``scale-redis`` against a throwaway redis-server too (tests/redis.py).

``tick``: SOURCES sources in the database and the configuration, every one
due at once (the worst case: a first start, or a scheduler back after an
outage): one ``Scheduler.tick`` claims them (``FOR UPDATE SKIP LOCKED``),
queues a crawl job each and sets each one's next run. Also timed: the same
tick when every source is still queued, and one with nothing due (the
usual tick). Target: at most 1 s.

``scale``: CRAWL_SOURCES feed sources of ENTRIES articles served by
benchmarks._latency_server (in a process of its own: 50-200 ms per
response, over HOSTS loopback addresses) are queued as jobs, then crawled
by real ``newsmon run --role crawler`` processes, first one, then two, each
on a fresh database. Measured: articles stored per second over WINDOW
seconds, once every worker has crawled a source, and the CPU the workers
used meanwhile. Each worker crawls one source at a time, 2 requests per
host: a worker waits on the network more than it computes, which is what
adding workers is for (on a machine whose cores are busy with other work, a
worker gets less CPU than it asks for and the ratio falls). Target: two
workers >= 1.7x one.

``scale-redis``: the same with ``queue: redis://…``: the jobs are handed to
Redis as the scheduler does (db.jobs.hand_over) and each worker's
long-lived scrapy-redis spider claims them there (crawler/jobspider.py).
Same target.

``kill``: two workers crawl KILL_SOURCES sources; once a quarter of the
articles are stored one worker is killed with SIGKILL. The other takes its
jobs back (db/holders.py: the dead pid is seen at once) and finishes.
Measured: articles stored (target: every one) and article pages fetched
twice (target: at most what the killed worker had in flight: its sources
at once x its requests per host).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from tests.postgres import PostgresServer

ROOT = Path(__file__).resolve().parents[1]
TICK_TARGET = 1.0
SCALE_TARGET = 1.7
WARM_UP = 3.0
PARALLEL_SOURCES = 1
PER_HOST = 2
CRAWL = (
    f"crawl: {{download_delay: 0s, autothrottle: false, per_host_concurrency: {PER_HOST}, "
    f"parallel_sources: {PARALLEL_SOURCES}}}\n"
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=50_000, help="sources of the tick")
    parser.add_argument("--crawl-sources", type=int, default=300, help="sources of each scale run")
    parser.add_argument("--kill-sources", type=int, default=40)
    parser.add_argument("--entries", type=int, default=10)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--window", type=float, default=20.0, help="seconds measured per scale run")
    parser.add_argument("--runs", default="tick,scale,scale-redis,kill", help="which parts to run")
    args = parser.parse_args([] if argv is None else argv)
    runs = set(args.runs.split(","))
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="newsmon-bench-roles-") as work, PostgresServer() as server:
        if "tick" in runs:
            tick = bench_tick(server, args.sources)
            if max(tick.values()) > TICK_TARGET:
                failures.append(f"tick {max(tick.values()):.2f} s > {TICK_TARGET} s")
        with latency_server(args.hosts, args.entries) as bases:
            for run, queued_in in (("scale", "database"), ("scale-redis", "redis")):
                if run in runs:
                    failures += scale_both(server, bases, Path(work), queued_in, args)
            if "kill" in runs:
                failures += bench_kill(server, bases, Path(work), args.kill_sources, args.entries)
    for failure in failures:
        print(f"BELOW TARGET: {failure}")
    return 1 if failures else 0


# ------------------------------------------------------------------ tick


def bench_tick(server: PostgresServer, count: int) -> dict[str, float]:
    import psutil
    from sqlalchemy import insert, text

    from db.engine import Database
    from db.jobs import plan_schedule
    from db.migrate import upgrade
    from db.models import Source, utcnow
    from newsmon.config import Config
    from newsmon.roles.scheduler import Scheduler
    from newsmon.wiring import App

    database = Database(server.create("tick"))
    upgrade(database)
    started = time.perf_counter()
    config = Config.model_validate(
        {
            "sources": [
                {"name": f"s{i}", "url": f"http://127.0.0.{2 + i % 250}/feeds/{i}.xml"} for i in range(count)
            ]
        }
    )
    with database.write() as session:
        session.execute(
            insert(Source), [{"name": s.name, "type": s.type, "url": s.url} for s in config.sources]
        )
    print(f"tick: {count} sources configured and stored in {time.perf_counter() - started:.1f} s (set-up)")
    scheduler = Scheduler(App(config, database))

    started = time.perf_counter()
    plan_schedule(database, scheduler.schedule.polls(utcnow()))
    planned = time.perf_counter() - started
    print(f"tick: the schedule of {count} sources planned in {planned:.1f} s (the scheduler's start-up)")

    def all_due(clear_jobs: bool) -> None:
        with database.write() as session:
            due = utcnow() - timedelta(seconds=1)
            session.execute(text("UPDATE crawl_jobs SET next_poll_at = :due"), {"due": due})
            if clear_jobs:
                session.execute(text("UPDATE crawl_jobs SET queued_at = NULL"))
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE crawl_jobs"))

    def timed(prepare: Callable[[], None]) -> tuple[float, int]:
        prepare()
        # The pool hands the tick the connection used last: its server process does the work.
        with database.read() as session:
            backend = psutil.Process(int(session.scalar(text("SELECT pg_backend_pid()")) or 0))
        server_cpu = sum(backend.cpu_times()[:2])
        started = time.perf_counter()
        due = asyncio.run(scheduler.tick())
        elapsed = time.perf_counter() - started
        server_cpu = sum(backend.cpu_times()[:2]) - server_cpu
        print(
            f"  tick: {due} due, {elapsed * 1000:.0f} ms, the server process's CPU {server_cpu * 1000:.0f} ms"
        )
        return elapsed, due

    results: dict[str, float] = {}
    runs = [timed(lambda: all_due(clear_jobs=True)) for _ in range(3)]
    assert all(due == count for _, due in runs), runs
    results["all due"] = statistics.median(t for t, _ in runs)
    elapsed, _ = timed(lambda: all_due(clear_jobs=False))
    results["all due, all still queued"] = elapsed
    elapsed, _ = timed(lambda: None)
    results["nothing due"] = elapsed
    for name, seconds in results.items():
        print(f"tick: {name}: {seconds * 1000:.0f} ms (target <= {TICK_TARGET * 1000:.0f} ms)")
    print(f"  (load average while measured: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    database.dispose()
    return results


# ------------------------------------------------------------------ crawls


@contextmanager
def latency_server(hosts: int, entries: int) -> Iterator[list[str]]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "benchmarks._latency_server",
            "--hosts",
            str(hosts),
            "--entries",
            str(entries),
        ],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield json.loads(process.stdout.readline())
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=30)


def server_stats(base: str, reset: bool = False) -> dict[str, Any]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{base}/__stats{'?reset=1' if reset else ''}", timeout=10) as answer:
        stats: dict[str, Any] = json.loads(answer.read())
    return stats


class Crawl:
    """A fresh database with ``count`` sources queued as crawl jobs, and crawler processes for it."""

    def __init__(
        self,
        server: PostgresServer,
        bases: list[str],
        folder: Path,
        name: str,
        count: int,
        queue: str | None = None,
    ) -> None:
        from db.jobs import Poll, hand_over, plan_schedule, queue_due
        from db.models import utcnow
        from newsmon.wiring import App

        self.folder = folder
        self.name = name
        url = server.create(name)
        sources = "".join(
            f"  - {{name: s{i}, url: '{bases[i % len(bases)]}/feeds/{i}.xml', every: 1h, jitter: 0s}}\n"
            for i in range(count)
        )
        self.config = folder / f"{name}.yaml"
        queue_line = f"queue: {queue}\n" if queue else ""
        self.config.write_text(f"database: {url}\n{queue_line}{CRAWL}sources:\n{sources}", encoding="utf-8")
        self.app = App.open(self.config)
        now = utcnow()
        hour = timedelta(hours=1)
        plan_schedule(
            self.app.database, {s.name: Poll(now, now + hour, hour) for s in self.app.config.sources}
        )
        queue_due(self.app.database, now, lambda _: None)
        self.queue = None
        if queue:
            from crawler.redisjobs import RedisJobQueue

            self.queue = RedisJobQueue(queue)
            hand_over(self.app.database, self.queue.push)  # as the scheduler's tick does
        self.workers: list[subprocess.Popen[str]] = []

    def start_worker(self) -> subprocess.Popen[str]:
        log = (self.folder / f"{self.name}-{len(self.workers)}.log").open("w")
        worker = subprocess.Popen(
            [sys.executable, "-m", "newsmon.cli", "run", "--role", "crawler", "--config", str(self.config)],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "NEWSMON_LOG_LEVEL": "info"},
        )
        log.close()
        self.workers.append(worker)
        return worker

    def crawling(self) -> int:
        """Workers that have finished a source."""
        logs = (self.folder / f"{self.name}-{n}.log" for n in range(len(self.workers)))
        return sum(" INFO crawler.runner: source " in log.read_text(encoding="utf-8") for log in logs)

    def cpu_seconds(self) -> float:
        import psutil

        times = (psutil.Process(w.pid).cpu_times() for w in self.workers if w.poll() is None)
        return sum(t.user + t.system for t in times)

    def articles(self) -> int:
        from sqlalchemy import func, select

        from db.models import Article

        with self.app.database.read() as session:
            return int(session.scalar(select(func.count()).select_from(Article)) or 0)

    def jobs_left(self) -> int:
        from db.jobs import queued

        return self.queue.pending() if self.queue else queued(self.app.database)

    def stop(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker in self.workers:
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()
        self.app.database.dispose()
        if self.queue:
            self.queue.close()


def wait_until(predicate: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def bench_scale(
    server: PostgresServer,
    bases: list[str],
    folder: Path,
    workers: int,
    count: int,
    window: float,
    queued_in: str,
) -> float:
    name = f"scale{workers}{queued_in}"
    if queued_in != "redis":
        return _scale(Crawl(server, bases, folder, name, count), workers, window)
    from tests.redis import RedisServer

    redis_server = RedisServer().start()
    try:
        return _scale(Crawl(server, bases, folder, name, count, redis_server.url), workers, window)
    finally:
        redis_server.close()


def _scale(crawl: Crawl, workers: int, window: float) -> float:
    folder = crawl.folder
    try:
        for _ in range(workers):
            crawl.start_worker()
        # Measured once every worker crawls: start-up (imports, the first claim) is not throughput.
        if not wait_until(lambda: crawl.crawling() == workers, 180):
            raise RuntimeError(f"{workers} worker(s) not all crawling in 180 s (logs in {folder})")
        time.sleep(WARM_UP)
        first = crawl.articles()
        started, cpu = time.monotonic(), crawl.cpu_seconds()
        time.sleep(window)
        stored = crawl.articles() - first
        elapsed = time.monotonic() - started
        cpu = crawl.cpu_seconds() - cpu
        if crawl.jobs_left() == 0:
            print(f"  {crawl.name}: ran out of jobs within the window; use more --crawl-sources")
    finally:
        crawl.stop()
    print(
        f"  {workers} worker(s): {stored} articles in {elapsed:.1f} s, {cpu:.1f} s of the workers' CPU"
        f" ({stored / cpu if cpu else 0:.0f} articles per CPU second)"
    )
    return stored / elapsed


def scale_both(
    server: PostgresServer, bases: list[str], folder: Path, queued_in: str, args: Any
) -> list[str]:
    """One worker, then two, each on a fresh database (and Redis); the failures."""
    rates = {
        workers: bench_scale(server, bases, folder, workers, args.crawl_sources, args.window, queued_in)
        for workers in (1, 2)
    }
    ratio = rates[2] / rates[1] if rates[1] else 0.0
    where = "Redis" if queued_in == "redis" else "the database"
    print(
        f"scale, jobs in {where}: 1 worker {rates[1]:.1f} articles/s, 2 workers {rates[2]:.1f}: {ratio:.2f}x"
    )
    return [f"jobs in {where}: 2 workers {ratio:.2f}x one < {SCALE_TARGET}x"] if ratio < SCALE_TARGET else []


def bench_kill(server: PostgresServer, bases: list[str], folder: Path, count: int, entries: int) -> list[str]:
    crawl = Crawl(server, bases, folder, "kill", count)
    total = count * entries
    server_stats(bases[0], reset=True)
    try:
        doomed = crawl.start_worker()
        crawl.start_worker()
        if not wait_until(lambda: crawl.articles() >= total // 4, 180):
            raise RuntimeError(f"kill: a quarter of the articles not stored in 180 s (logs in {folder})")
        doomed.kill()
        doomed.wait(timeout=30)
        killed_at = time.monotonic()
        # Fetched but not stored yet, by either worker: what the killed one can have had in flight.
        in_flight = int(server_stats(bases[0])["responses"].get("page", 0)) - crawl.articles()
        done = wait_until(lambda: crawl.jobs_left() == 0 and crawl.articles() == total, 300)
        finished = time.monotonic() - killed_at
        stored = crawl.articles()
    finally:
        crawl.stop()
    pages = int(server_stats(bases[0])["responses"].get("page", 0))
    duplicates = pages - stored
    print(
        f"kill -9 of one of 2 workers: {stored}/{total} articles stored, all done {finished:.1f} s after the"
        f" kill; {pages} article pages fetched: {duplicates} twice"
        f" ({in_flight} fetched and not stored yet at the kill)"
    )
    failures = []
    if not done or stored != total:
        failures.append(f"kill: {total - stored} articles lost")
    if duplicates > in_flight:
        failures.append(f"kill: {duplicates} pages fetched twice > {in_flight} in flight")
    return failures


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
