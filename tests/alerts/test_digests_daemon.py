"""Digests in the running delivery loop, and across kills: real time, real processes, sent once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from alerts.delivery import Deliverer, DeliveryReport
from alerts.notifiers.base import Notifier
from alerts.notifiers.options import SlackOptions
from alerts.notifiers.slack import SlackNotifier
from db import claims, outbox
from db.engine import Database
from db.models import Digest
from db.policy import HOURLY, DeliveryPolicy
from tests.alerts.test_delivery_daemon import kill_the_sender_once_the_mail_is_accepted
from tests.databases import Databases

from .outbox_helpers import FakeClock, new_database, store
from .smtp_server import smtp_server
from .test_delivery_daemon import mail, run_until
from .webhook_server import silent_server, webhook_server

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Match:
    rule: str
    channels: tuple[str, ...]
    policy: DeliveryPolicy
    terms: tuple[str, ...] = ("OpenAI",)


@dataclass(frozen=True)
class SoonPolicy(DeliveryPolicy):
    """An hourly digest whose window ends ``seconds`` after the alert: real time stays short."""

    seconds: float = 1.0

    def hold_until(self, now: datetime) -> datetime | None:
        return now + timedelta(seconds=self.seconds)


def held_two_hours_ago(database: Database, channel: str, count: int = 2) -> None:
    """Alerts held for an hourly digest whose window ended an hour ago: due now, in real time."""
    raised = datetime.now(UTC) - timedelta(hours=2)
    for n in range(count):
        store(
            database,
            [Match("deals", (channel,), DeliveryPolicy(digest=HOURLY))],
            url=f"https://example.org/{n}",
            now=raised,
        )


def test_the_running_loop_sends_a_digest_when_its_window_ends(databases: Databases) -> None:
    database = new_database(databases)
    store(database, [Match("deals", ("mail",), SoonPolicy(seconds=1.0))], now=datetime.now(UTC))
    with smtp_server() as (server, port):
        elapsed = asyncio.run(run_until(Deliverer(database, {"mail": mail(port)}), lambda: server.messages))
    assert 0.5 < elapsed < 5  # woken by the due time, not by the 30 s idle poll
    assert server.messages[0]["Subject"].startswith("[newsmon] Digest of deals: 1 alert,")


def claimed_digests(database: Database) -> int:
    with database.read() as session:
        return (
            session.scalar(select(func.count()).select_from(Digest).where(Digest.claimed_by.is_not(None)))
            or 0
        )


CHILD_SLACK = """
import asyncio, sys
from alerts.delivery import Deliverer
from alerts.notifiers.options import SlackOptions
from alerts.notifiers.slack import SlackNotifier
from db.engine import Database
notifier = SlackNotifier("slack", SlackOptions(webhook_url=sys.argv[2], timeout="30s"))
asyncio.run(Deliverer(Database(sys.argv[1]), {"slack": notifier}).deliver_due())
"""


def test_a_digest_claimed_by_a_killed_process_is_sent_once_after_the_restart(databases: Databases) -> None:
    database = new_database(databases)
    held_two_hours_ago(database, "slack")
    with silent_server() as hung, webhook_server() as slack:
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD_SLACK, database.url, f"http://127.0.0.1:{hung}/hook/SECRET"],
            cwd=REPO,
        )
        try:
            deadline = time.monotonic() + 20
            # Made, claimed, and being sent into silence.
            while not claimed_digests(database):
                assert time.monotonic() < deadline and child.poll() is None
                time.sleep(0.05)
        finally:
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
        rows = outbox.list_deliveries(database)
        assert {(r.status, r.attempts) for r in rows} == {("pending", 0)} and rows[0].digest_id is not None
        notifiers: dict[str, Notifier] = {
            "slack": SlackNotifier("slack", SlackOptions(webhook_url=slack.url()))
        }
        # The restart takes the dead holder's claim back at once, not when its lease ends.
        elapsed = asyncio.run(run_until(Deliverer(database, notifiers), lambda: slack.accepted))
        again = asyncio.run(
            Deliverer(
                database, notifiers, clock=FakeClock(datetime.now(UTC) + timedelta(days=1))
            ).deliver_due()
        )
    assert elapsed < 5 and again == DeliveryReport()
    assert len(slack.accepted) == 1
    assert slack.accepted[0].headers["Idempotency-Key"].startswith(f"newsmon-digest-{rows[0].digest_id}-")
    assert {r.status for r in outbox.list_deliveries(database)} == {"sent"}


def test_a_digest_mail_accepted_before_a_kill_is_not_sent_again(databases: Databases) -> None:
    database = new_database(databases)
    held_two_hours_ago(database, "mail", count=3)
    with smtp_server() as (server, port):
        kill_the_sender_once_the_mail_is_accepted(database, server, port)
        later = datetime.now(UTC) + claims.DEFAULT_LEASE + timedelta(hours=1)
        asyncio.run(Deliverer(database, {"mail": mail(port)}, clock=FakeClock(later)).deliver_due())
    (message,) = server.messages
    assert message["Subject"].startswith("[newsmon] Digest of deals: 3 alerts")
    assert {r.status for r in outbox.list_deliveries(database)} == {"sent"}
