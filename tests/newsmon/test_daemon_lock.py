"""One `newsmon run` per database, with real processes: refused while alive, taken over once dead."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import IO

import pytest

from db import locks
from db.engine import Database
from tests.newsmon.peers import Site
from tests.waiting import wait_for

SITE = Path(__file__).parent / "site"
NEWSMON = [sys.executable, "-m", "newsmon.cli"]
# Each test starts several newsmon processes: 26 s with the machine's load at 5, 65 s at 13 (each
# start waits for its share of 2 cores); the ceiling above the suite's 120 s only catches a hang.
pytestmark = pytest.mark.timeout(300)


def holder_pid(lock_file: Path) -> int | None:
    try:
        return int(json.loads(lock_file.read_text())["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def start(config: Path, log: IO[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*NEWSMON, "run", "--config", str(config)],
        cwd=config.parent,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "NEWSMON_LOG_LEVEL"},
    )


def test_one_daemon_per_database(tmp_path: Path) -> None:
    site = Site(SITE)
    config = tmp_path / "config.yaml"
    config.write_text(
        f"database: sqlite:///{tmp_path}/newsmon.db\n"
        f"sources:\n  - name: feed\n    url: {site.base}/feed.xml\n    every: 1s\n    jitter: 0s\n",
        encoding="utf-8",
    )
    lock_file = tmp_path / "newsmon.db.lock"
    first_log, last_log = (tmp_path / "first.log").open("w"), (tmp_path / "last.log").open("w")
    first = start(config, first_log)
    last: subprocess.Popen[str] | None = None
    try:
        wait_for(
            lambda: holder_pid(lock_file) == first.pid, "the first daemon to take the lock", process=first
        )
        second = subprocess.run(
            [*NEWSMON, "run", "--config", str(config)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert second.returncode == 2, second.stderr
        assert f"pid {first.pid} on host {socket.gethostname()}" in second.stderr
        assert str(lock_file) in second.stderr and "Traceback" not in second.stderr

        first.kill()  # SIGKILL: no clean-up runs; the OS drops the flock
        first.wait(timeout=30)
        last = start(config, last_log)
        wait_for(
            lambda: holder_pid(lock_file) == last.pid, "the dead holder's lock to be taken over", process=last
        )
        polls = site.hits.count("/feed.xml")
        wait_for(lambda: site.hits.count("/feed.xml") >= polls + 3, "the new daemon to crawl", process=last)
        last.send_signal(signal.SIGTERM)
        assert last.wait(timeout=40) == 0
    finally:
        for process in (first, last):
            if process is not None and process.poll() is None:
                process.kill()
        first_log.close()
        last_log.close()
        site.close()
    # Released on exit: anyone may take it now.
    database = Database(f"sqlite:///{tmp_path}/newsmon.db")
    locks.acquire(database, "run").release()
    database.dispose()

    # At info a service's log is one line per crawl: no scheduler or Scrapy chatter around it.
    log = (tmp_path / "last.log").read_text()
    assert "Traceback" not in log, log
    for chatter in ("Running job", "executed successfully", "scrapy.", "alembic", "Added job", "apscheduler"):
        assert chatter not in log, f"{chatter!r} in the daemon's log:\n{log}"
    crawls = [line for line in log.splitlines() if "source feed:" in line]
    assert len(crawls) >= 3 and all(" INFO crawler.runner: " in line for line in crawls), log
