"""The daemon's CPU per unchanged (304) feed, next to `newsmon crawl`'s, side by side in one process.

A server in a subprocess (``benchmarks._latency_server``, 50–200 ms per
response) serves FEEDS feeds over HOSTS loopback addresses, one entry each.
A crawling subprocess loads a config of those feeds (the bundled crawl
settings, without the per-host delay and AutoThrottle so that latency alone
bounds the rate), crawls them once cold, then measures, in each of
``--repeat`` rounds, its CPU time (user + sys) per feed answering 304:

1. ``newsmon crawl``: one ``CrawlService.crawl`` over every source;
2. the daemon: every source's job due at once, run by the daemon's own
   scheduler (``newsmon.daemon``: its jobs, its poll with back-off, health
   and staleness in ``newsmon.polling``, its next runs), each source handed
   to its one long-lived spider (``crawler.duespider``);
3. the daemon, sources falling due one after another (``SPREAD_SECONDS``
   apart; a restarted daemon's are 0.2 s apart): those within a second of
   one another start together (``newsmon.daemon.GATHER``);
4. one crawl per source: the same polls, each its own Scrapy crawl, as the
   daemon ran before (a new crawler, engine, connections per source).

Each pass starts from a full garbage collection, so that one the passes
before made due (about 1 ms per feed here) is not charged to it.
The daemon's figures are ratios to `newsmon crawl`'s, measured in the same
rounds: the targets are ≤ 1.25× for sources due together and ≤ 2× for
sources falling due one after another (the rounds of one run spread by
about 10 %). What the daemon adds per source is
its scheduler's job and its poll: a read of health before and after, a write
of the next run, each one statement for all the sources of a gathering.
Loaded machine (load 4–5), three runs, 200 feeds: due together 1.00–1.17×
(2.1–2.9 ms), one after another 1.33–1.57×; one core busy (load 1.5): 1.08×
(2.17 ms), 1.63×; before the gathering 1.88–2.10×
and 3.50–3.61×; a crawl per source 8–10×.

    python -m benchmarks.daemon [--feeds 200] [--hosts 16] [--repeat 3] [--profile FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks.politeness import _server_stats

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from newsmon.daemon import Daemon

ROOT = Path(__file__).resolve().parents[1]
# x newsmon crawl's CPU per 304; the rounds of one run spread by about 10 %
TARGETS = {"daemon": 1.25, "spread": 2.0}
CHILD_TIMEOUT = 900  # seconds
PATHS = ("crawl", "daemon", "spread", "per-source")
SPREAD_SECONDS = 0.05


def _config(folder: Path, bases: list[str], feeds: int) -> Path:
    lines = [f"database: sqlite:///{folder / 'daemon.db'}", "crawl:", "  download_delay: 0s"]
    lines += ["  autothrottle: false", "sources:"]
    for i in range(feeds):
        lines += [f"  - name: feed{i}", "    type: feed", f"    url: {bases[i % len(bases)]}/feeds/{i}.xml"]
        lines += ["    every: 15m"]
    config = folder / "config.yaml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def child(bases: list[str], feeds: int, repeat: int, profile: str = "") -> None:
    """In the crawling subprocess: a cold pass, then ``repeat`` rounds of the four paths; one JSON line."""
    from crawler.reactor import run
    from newsmon.daemon import Daemon
    from newsmon.polling import SourcePoller
    from newsmon.wiring import App

    with tempfile.TemporaryDirectory() as workdir:
        app = App.open(_config(Path(workdir), bases, feeds))
        names = [source.name for source in app.config.sources]
        measures: dict[str, list[float]] = {path: [] for path in PATHS}

        async def measured(path: str, one_pass: Callable[[], Awaitable[Any]]) -> None:
            _server_stats(bases[0], reset=True)
            # A full collection of the whole heap costs a pass about 1 ms per feed: one the passes
            # before made due is not charged to this one.
            gc.collect()
            profiler = None
            if profile and not measures[path]:
                import cProfile

                profiler = cProfile.Profile(time.process_time)  # CPU, as measured: not the waits
                profiler.enable()
            cpu = time.process_time()
            await one_pass()
            cpu = time.process_time() - cpu
            if profiler is not None:
                profiler.disable()
                profiler.dump_stats(f"{profile}.{path}")
            answered = _server_stats(bases[0], reset=False)["responses"].get("feed-304", 0)
            if answered != feeds:
                raise RuntimeError(f"{path}: {answered} of {feeds} feeds answered 304")
            measures[path].append(cpu / feeds * 1000)

        async def rounds() -> None:
            daemon = Daemon(app)
            scheduler = daemon_scheduler(daemon)
            service, context = daemon.service, daemon.context
            per_source = SourcePoller(app, service, context, {})
            await service.crawl(context)  # cold: articles stored, validators kept
            try:
                for _ in range(repeat):
                    await measured("crawl", lambda: service.crawl(context))
                    await measured("daemon", lambda: fired(scheduler, names, 0.0))
                    await measured("spread", lambda: fired(scheduler, names, SPREAD_SECONDS))
                    await measured("per-source", lambda: asyncio.gather(*map(per_source.poll, names)))
            finally:
                scheduler.shutdown(wait=False)
                await service.stop()

        run(rounds)
        app.database.dispose()
    print(json.dumps(measures), flush=True)


def daemon_scheduler(daemon: Daemon) -> AsyncIOScheduler:
    """The daemon's own scheduler, paused, with its sources' jobs and nothing else (``fired`` runs them)."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from newsmon.daemon import PRUNE_JOB

    daemon._crawling({})
    scheduler = AsyncIOScheduler(event_loop=asyncio.get_running_loop(), timezone=UTC)
    daemon._schedule(scheduler)
    scheduler.remove_job(PRUNE_JOB)
    scheduler.start(paused=True)
    return scheduler


async def fired(scheduler: AsyncIOScheduler, names: list[str], gap: float) -> None:
    """The sources' jobs due ``gap`` seconds one after the other (0: together), run by the scheduler."""
    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent

    done = asyncio.Event()
    left = len(names)
    failed: list[JobExecutionEvent] = []

    def ran(event: JobExecutionEvent) -> None:
        nonlocal left
        if event.exception is not None:
            failed.append(event)
        left -= 1
        if not left:
            done.set()

    scheduler.add_listener(ran, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    now = datetime.now(UTC)
    for index, name in enumerate(names):
        scheduler.modify_job(name, next_run_time=now + timedelta(seconds=index * gap))
    scheduler.resume()
    try:
        await done.wait()
    finally:
        scheduler.pause()
        scheduler.remove_listener(ran)
    if failed:
        raise RuntimeError(f"{len(failed)} polls failed; the first: {failed[0].exception!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--hosts", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", default="", help="a cProfile of each path's first round: FILE.<path>")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    # `python -m benchmarks` calls main() with no arguments: its own argv names the benchmarks.
    args = parser.parse_args([] if argv is None else argv)
    if args.child:
        child(json.loads(args.child), args.feeds, args.repeat, args.profile)
        return 0
    server = subprocess.Popen(
        [sys.executable, "-m", "benchmarks._latency_server", "--hosts", str(args.hosts), "--entries", "1"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        bases = json.loads(server.stdout.readline())
        command = [sys.executable, "-m", "benchmarks.daemon", "--child", json.dumps(bases)]
        command += ["--feeds", str(args.feeds), "--repeat", str(args.repeat), "--profile", args.profile]
        done = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=CHILD_TIMEOUT, check=False
        )
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(timeout=10)
    if done.returncode != 0 or not done.stdout.strip():
        print(f"ERROR: the crawling process failed ({done.returncode}):\n{done.stderr[-3000:]}")
        return 1
    measures: dict[str, list[float]] = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"{args.feeds} feeds answering 304 over {args.hosts} loopback hosts, 50-200 ms per response; "
        f"CPU per feed, median of {args.repeat} rounds (range), the paths alternating in one process"
    )
    crawl = statistics.median(measures["crawl"])
    for path in PATHS:
        values = measures[path]
        median = statistics.median(values)
        print(
            f"  {path:<11} {median:6.2f} ms ({min(values):.2f}-{max(values):.2f})"
            f"  {median / crawl:5.2f}x newsmon crawl"
        )
    met = True
    for path, target in TARGETS.items():
        ratio = statistics.median(measures[path]) / crawl
        met = met and ratio <= target
        verdict = "met" if ratio <= target else "MISSED"
        print(f"{path} / newsmon crawl: {ratio:.2f}x (target <= {target}x): {verdict}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
