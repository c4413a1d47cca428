"""Deliverers on PostgreSQL: 2 processes deliver 20,000 alerts exactly once, one killed half-way.

    python -m benchmarks.deliverers [--alerts 20000] [--kill-at 0.4] [--baseline 2000]

A throwaway PostgreSQL holds ``--alerts`` pending alerts (half for an email
channel, half for a Slack-style webhook; seeded in bulk, as crawlers would
have raised them). Two ``newsmon run --role deliverer`` processes deliver them
to a local SMTP server (aiosmtpd) and a local webhook receiver, which count
what arrives per alert. Once ``--kill-at`` of them are sent, one deliverer is
killed with SIGKILL and started again; the run ends when nothing is pending.

Targets: every alert arrives (none lost), and at most the killed deliverer's
sends in flight arrive twice (one per channel). Printed: deliveries per
second over the whole run (process start-ups and the kill included), how many
each process sent, what arrived twice. ``--baseline N`` first times one
deliverer alone on N alerts, for the speed-up of two.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import http.server
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import func, insert, select

from db import claims, outbox
from db.engine import Database
from db.migrate import upgrade
from db.models import Alert, Article, Delivery, Source
from db.store import SourceSpec, sync_sources
from tests.postgres import PostgresServer

REPO = Path(__file__).resolve().parents[1]
CHANNELS = ("mail", "slack")
NUMBER = re.compile(rb"/item/(\d+)")
SEED_BATCH = 1000


class Received:
    """What the receivers got: how often each alert (by number) arrived."""

    def __init__(self) -> None:
        self.counts: Counter[int] = Counter()
        self._lock = threading.Lock()

    def add(self, raw: bytes) -> None:
        found = NUMBER.search(raw)
        if found is not None:
            with self._lock:
                self.counts[int(found.group(1))] += 1


class _MailHandler:
    def __init__(self, received: Received) -> None:
        self.received = received

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.original_content or b"", policy=email.policy.default)
        parts = [p.get_payload(decode=True) or b"" for p in message.walk() if not p.is_multipart()]
        self.received.add(b"\n".join(parts))  # transfer encodings undone: the link is readable
        return "250 OK"


@contextmanager
def receivers(received: Received) -> Iterator[tuple[int, str]]:
    """A local SMTP server and a Slack-style webhook, both counting into ``received``."""

    class Hook(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            received.add(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

    http_server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=http_server.serve_forever, daemon=True).start()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        smtp_port = probe.getsockname()[1]
    smtp = Controller(_MailHandler(received), hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    try:
        yield smtp_port, f"http://127.0.0.1:{http_server.server_port}/hook/T/B/x"
    finally:
        smtp.stop()
        http_server.shutdown()
        http_server.server_close()


def seed(database: Database, count: int) -> None:
    """``count`` stored articles with one pending delivery each, alternating channels, in bulk."""
    now = datetime.now(UTC)
    with database.read() as session:
        source_id = session.scalar(select(Source.id).where(Source.name == "bench"))
    for start in range(0, count, SEED_BATCH):
        numbers = range(start, min(start + SEED_BATCH, count))
        with database.write() as session:
            ids = session.scalars(
                insert(Article).returning(Article.id, sort_by_parameter_order=True),
                [_article(n, source_id, now) for n in numbers],
            ).all()
            alert_ids = session.scalars(
                insert(Alert).returning(Alert.id, sort_by_parameter_order=True),
                [{"rule": "bench", "article_id": i, "matched": ["OpenAI"], "created": now} for i in ids],
            ).all()
            deliveries = [
                {
                    "alert_id": alert_id,
                    "channel": CHANNELS[n % len(CHANNELS)],
                    "status": claims.PENDING,
                    "created": now,
                    "next_attempt": now,
                    "attempts": 0,
                }
                for n, alert_id in zip(numbers, alert_ids, strict=True)
            ]
            session.execute(insert(Delivery), deliveries)


def _article(n: int, source_id: Any, now: datetime) -> dict[str, Any]:
    return {
        "source_id": source_id,
        "url": f"https://example.org/item/{n}",
        "title": f"OpenAI news #{n}",
        "authors": [],
        "fetched": now,
        "published": now,
        "language": "en",
        "summary": "OpenAI raises money.",
        "lead": "",
        "text": "OpenAI raises money from investors.",
        "events": [],
        "event_types": [],
        "orgs": [],
        "amounts": [],
    }


def write_config(folder: Path, database_url: str, smtp_port: int) -> Path:
    config = folder / "config.yaml"
    config.write_text(
        f"""\
database: {database_url}
sources:
  - {{name: bench, type: feed, url: "http://127.0.0.1/feed.xml", every: 1h}}
delivery:
  slack_rate: 0s
channels:
  - {{name: mail, type: email, host: 127.0.0.1, port: {smtp_port}, tls: none,
      sender: newsmon@example.org, to: [bench@example.org]}}
  - {{name: slack, type: slack, webhook_url: "${{BENCH_SLACK_HOOK}}"}}
""",
        encoding="utf-8",
    )
    return config


@dataclass
class Deliverer:
    process: subprocess.Popen[bytes]
    log: Path

    @classmethod
    def start(cls, config: Path, hook: str, log: Path) -> Deliverer:
        env = {**os.environ, "BENCH_SLACK_HOOK": hook, "NEWSMON_LOG_FORMAT": "json"}
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "newsmon.cli", "run", "--role", "deliverer", "--config", str(config)],
                cwd=REPO,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        return cls(process, log)

    def sent(self) -> int:
        lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        return sum(_is_sent(line) for line in lines)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=60)


def _is_sent(line: str) -> bool:
    try:
        record = json.loads(line)
    except ValueError:
        return False
    return record.get("logger") == "alerts.delivery" and " sent to " in str(record.get("message"))


def count_sent(database: Database) -> int:
    with database.read() as session:
        query = select(func.count()).select_from(Delivery).where(Delivery.status == claims.SENT)
        return session.scalar(query) or 0


def wait_until(predicate: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


@dataclass(frozen=True)
class Outcome:
    alerts: int
    seconds: float
    per_process: list[int]
    missing: int
    duplicates: int
    killed_claims: int


def run(
    server: PostgresServer, name: str, alerts: int, processes: int, kill_at: float | None, folder: Path
) -> Outcome:
    database = Database(server.create(name))
    upgrade(database)
    sync_sources(database, [SourceSpec("bench", "feed", "http://127.0.0.1/feed.xml")])
    seed(database, alerts)
    received = Received()
    with receivers(received) as (smtp_port, hook):
        config = write_config(folder, database.url, smtp_port)
        started = time.monotonic()
        running = [Deliverer.start(config, hook, folder / f"{name}-{i}.log") for i in range(processes)]
        everyone = list(running)
        if kill_at is not None:
            wait_until(lambda: count_sent(database) >= alerts * kill_at, 3600)
            running[0].process.kill()
            running[0].process.wait()
            running[0] = Deliverer.start(config, hook, folder / f"{name}-restarted.log")
            everyone.append(running[0])
        done = wait_until(lambda: outbox.pending_count(database) == 0, 3600)
        seconds = time.monotonic() - started
        for deliverer in running:
            deliverer.stop()
        time.sleep(0.5)  # the last responses reach the counters
    database.dispose()
    missing = sum(1 for n in range(alerts) if received.counts[n] == 0) if done else alerts
    duplicates = sum(max(0, c - 1) for c in received.counts.values())
    taken_back = sum(_taken_back(d.log) for d in everyone)
    return Outcome(alerts, seconds, [d.sent() for d in everyone], missing, duplicates, taken_back)


def _taken_back(log: Path) -> int:
    total = 0
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        found = re.search(r"its (\d+) delivery claim\(s\) are due again", line)
        total += int(found.group(1)) if found else 0
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alerts", type=int, default=20_000)
    parser.add_argument("--kill-at", type=float, default=0.4, help="fraction sent when one is killed")
    parser.add_argument("--baseline", type=int, default=2_000, help="alerts for one deliverer alone; 0: skip")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="newsmon-bench-deliverers-") as tmp,
        PostgresServer() as server,
    ):
        folder = Path(tmp)
        if args.baseline:
            one = run(server, "bench_one", args.baseline, 1, None, folder)
            print(
                f"one deliverer: {one.alerts} alerts in {one.seconds:.1f} s, {one.alerts / one.seconds:.0f}/s"
            )
        two = run(server, "bench_two", args.alerts, 2, args.kill_at, folder)
    rate = two.alerts / two.seconds
    print(
        f"two deliverers, one killed at {args.kill_at:.0%} and restarted: {two.alerts} alerts in "
        f"{two.seconds:.1f} s, {rate:.0f}/s"
        + (f" ({rate / (one.alerts / one.seconds):.2f}x one deliverer)" if args.baseline else "")
    )
    print(f"sent per process (first, second, restarted): {two.per_process}")
    print(f"claims of the killed deliverer taken back: {two.killed_claims}")
    print(
        f"lost: {two.missing}, delivered twice: {two.duplicates} (at most {len(CHANNELS)}: one per channel)"
    )
    return 0 if two.missing == 0 and two.duplicates <= len(CHANNELS) else 1


if __name__ == "__main__":
    sys.exit(main())
