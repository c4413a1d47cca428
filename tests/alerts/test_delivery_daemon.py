"""The delivery loop as the daemon runs it: real time, wake-ups, stops, crashes and restarts."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alerts.delivery import Deliverer, DeliveryReport, RetryPolicy
from alerts.notifiers.base import Notifier
from alerts.notifiers.email_smtp import EmailNotifier
from alerts.notifiers.options import EmailOptions, SlackOptions
from alerts.notifiers.slack import SlackNotifier
from db import claims, outbox
from db.engine import Database
from tests.databases import Databases

from .outbox_helpers import FakeClock, Match, new_database, store
from .smtp_server import Recorder, smtp_server
from .webhook_server import Reply, silent_server, webhook_server

REPO = Path(__file__).resolve().parents[2]


def mail(port: int) -> EmailNotifier:
    return EmailNotifier(
        "mail", EmailOptions(host="127.0.0.1", port=port, sender="newsmon@example.org", to=["a@example.org"])
    )


async def run_until(deliverer: Deliverer, done: object, *, wake: asyncio.Event | None = None) -> float:
    """Run the loop until ``done()`` holds; return how long that took."""
    stop = asyncio.Event()
    task = asyncio.create_task(deliverer.run(stop, wake))
    started = time.monotonic()
    while not done():  # type: ignore[operator]
        await asyncio.sleep(0.02)
        assert time.monotonic() - started < 10, "the loop did not deliver in time"
    elapsed = time.monotonic() - started
    stop.set()
    await asyncio.wait_for(task, 15)
    return elapsed


def test_a_slow_channel_never_delays_the_others(databases: Databases) -> None:
    database = new_database(databases)
    store(database, [Match("ai-deals", ("mail", "slack"))], now=datetime.now(UTC))
    with smtp_server() as (server, port), silent_server() as hung:
        notifiers: dict[str, Notifier] = {
            "mail": mail(port),
            "slack": SlackNotifier(
                "slack", SlackOptions(webhook_url=f"http://127.0.0.1:{hung}/hook/SECRET", timeout="20s")
            ),
        }
        deliverer = Deliverer(database, notifiers, stop_grace=0.5)
        elapsed = asyncio.run(run_until(deliverer, lambda: server.messages))
    # Well inside the Slack send's 20 s hang: the mail did not wait for it, however loaded the machine.
    assert elapsed < 10
    rows = {r.channel: r for r in outbox.list_deliveries(database)}
    assert rows["mail"].status == "sent"
    # Stopped mid-send: put back, due at once, not counted as an attempt.
    assert (rows["slack"].status, rows["slack"].attempts) == ("pending", 0)
    due = outbox.next_due_time(database)
    assert due is not None and due <= datetime.now(UTC)


def test_the_wake_event_delivers_new_alerts_at_once(databases: Databases) -> None:
    database = new_database(databases)
    with webhook_server() as slack:
        deliverer = Deliverer(
            database, {"slack": SlackNotifier("slack", SlackOptions(webhook_url=slack.url()))}, idle_poll=30
        )

        async def scenario() -> float:
            wake = asyncio.Event()
            stop = asyncio.Event()
            task = asyncio.create_task(deliverer.run(stop, wake))
            await asyncio.sleep(0.2)  # the loop is idle, polling every 30 s
            store(database, [Match("ai-deals", ("slack",))], now=datetime.now(UTC))
            started = time.monotonic()
            wake.set()
            while not slack.posts:
                await asyncio.sleep(0.01)
                assert time.monotonic() - started < 5
            stop.set()
            await task
            return time.monotonic() - started

        assert asyncio.run(scenario()) < 1


def test_retries_happen_in_the_running_loop(databases: Databases) -> None:
    database = new_database(databases)
    store(database, [Match("ai-deals", ("slack",))], now=datetime.now(UTC))
    with webhook_server() as slack:
        slack.then(Reply(500), Reply(429, b"", {"Retry-After": "1"}))
        policy = RetryPolicy(retry_min=timedelta(seconds=0.2), retry_max=timedelta(seconds=0.4))
        deliverer = Deliverer(
            database, {"slack": SlackNotifier("slack", SlackOptions(webhook_url=slack.url()))}, policy
        )
        asyncio.run(run_until(deliverer, lambda: slack.accepted))
    assert [p.status for p in slack.posts] == [500, 429, 200]
    assert slack.posts[2].at - slack.posts[1].at >= 0.95  # Retry-After honoured


def test_sends_to_one_webhook_are_spaced(databases: Databases) -> None:
    database = new_database(databases)
    for n in range(3):
        store(database, [Match("ai-deals", ("slack",))], url=f"https://e.org/{n}", now=datetime.now(UTC))
    with webhook_server() as slack:
        notifier = SlackNotifier("slack", SlackOptions(webhook_url=slack.url()))
        report = asyncio.run(Deliverer(database, {"slack": notifier}, per_webhook_interval=0.3).deliver_due())
    assert report == DeliveryReport(sent=3)
    gaps = [b.at - a.at for a, b in zip(slack.posts, slack.posts[1:], strict=False)]
    # Arrival times also carry each request's own set-up (a new client per post), which load makes uneven.
    assert all(gap >= 0.2 for gap in gaps) and sum(gaps) >= 0.55, gaps


CHILD = """
import asyncio, sys
from alerts.delivery import Deliverer
from alerts.notifiers.options import SlackOptions
from alerts.notifiers.slack import SlackNotifier
from db.engine import Database
notifier = SlackNotifier("slack", SlackOptions(webhook_url=sys.argv[2], timeout="30s"))
asyncio.run(Deliverer(Database(sys.argv[1]), {"slack": notifier}).deliver_due())
"""


def claimed_by_a_child(database: Database, hung_port: int) -> subprocess.Popen[bytes]:
    """A process that claimed the pending delivery and is sending it into a server that never answers."""
    raised = datetime.now(UTC)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, database.url, f"http://127.0.0.1:{hung_port}/hook/SECRET"], cwd=REPO
    )
    deadline = time.monotonic() + 20
    while (outbox.next_due_time(database) or raised) <= raised + timedelta(minutes=1):
        assert time.monotonic() < deadline and child.poll() is None
        time.sleep(0.05)
    return child


def test_claims_of_a_live_process_are_respected_and_taken_back_at_once_when_it_is_killed(
    databases: Databases,
) -> None:
    database = new_database(databases)
    store(database, [Match("ai-deals", ("slack",))], now=datetime.now(UTC))
    with silent_server() as hung, webhook_server() as slack:
        child = claimed_by_a_child(database, hung)
        notifiers: dict[str, Notifier] = {
            "slack": SlackNotifier("slack", SlackOptions(webhook_url=slack.url()))
        }
        try:
            # Another process on the same database, alive and sending: its claim stands.
            assert asyncio.run(Deliverer(database, notifiers).deliver_due()) == DeliveryReport()
            assert child.poll() is None and slack.posts == []
        finally:
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
        row = outbox.list_deliveries(database)[0]
        assert (row.status, row.attempts) == ("pending", 0)
        # The daemon restarted: the dead holder's claim is taken back at once, not when its lease ends.
        elapsed = asyncio.run(run_until(Deliverer(database, notifiers), lambda: slack.accepted))
        again = asyncio.run(Deliverer(database, notifiers).deliver_due())
    assert elapsed < 5 and again == DeliveryReport()
    assert len(slack.posts) == 1
    assert outbox.list_deliveries(database)[0].status == "sent"


def test_pending_deliveries_survive_a_new_deliverer_on_the_same_file(databases: Databases) -> None:
    database = new_database(databases)
    store(database, [Match("ai-deals", ("mail",))], now=datetime.now(UTC))
    with smtp_server(refuse_connections=True) as (_, port):
        first = Deliverer(database, {"mail": mail(port)})
        assert asyncio.run(first.deliver_due()) == DeliveryReport(retrying=1)
    database.dispose()
    reopened = new_database(databases)
    with smtp_server() as (server, port):
        due = outbox.next_due_time(reopened)
        assert due is not None
        second = Deliverer(reopened, {"mail": mail(port)}, clock=FakeClock(due))
        assert asyncio.run(second.deliver_due()) == DeliveryReport(sent=1)
    assert len(server.messages) == 1


CHILD_MAIL = """
import asyncio, sys
from alerts.delivery import Deliverer
from alerts.notifiers.email_smtp import EmailNotifier
from alerts.notifiers.options import EmailOptions
from db.engine import Database
mail = EmailNotifier(
    "mail",
    EmailOptions(
        host="127.0.0.1", port=int(sys.argv[2]), sender="n@example.org", to=["a@example.org"],
        tls="none", timeout="30s",
    ),
)
async def main():
    await Deliverer(Database(sys.argv[1]), {"mail": mail}).deliver_due()
    await mail.aclose()
asyncio.run(main())
"""


def kill_the_sender_once_the_mail_is_accepted(database: Database, server: Recorder, port: int) -> None:
    """Run CHILD_MAIL against a server slow to end the session; SIGKILL it once the first mail
    is accepted and marked sent (or after 20 s: the restart must not send it twice either)."""
    server.quit_delay = 60
    child = subprocess.Popen([sys.executable, "-c", CHILD_MAIL, database.url, str(port)], cwd=REPO)
    try:
        deadline = time.monotonic() + 20
        while not server.messages or outbox.list_deliveries(database)[0].status != "sent":
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()


def test_a_mail_accepted_before_a_kill_during_a_slow_quit_is_not_sent_again(databases: Databases) -> None:
    database = new_database(databases)
    store(database, [Match("ai-deals", ("mail",))], now=datetime.now(UTC))
    with smtp_server() as (server, port):
        kill_the_sender_once_the_mail_is_accepted(database, server, port)
        later = datetime.now(UTC) + claims.DEFAULT_LEASE + timedelta(hours=1)
        restarted = Deliverer(database, {"mail": mail(port)}, clock=FakeClock(later))
        asyncio.run(restarted.deliver_due())
    assert len(server.messages) == 1
    assert outbox.list_deliveries(database)[0].status == "sent"


def test_the_running_loop_takes_back_the_claims_of_a_host_that_fell_silent(databases: Databases) -> None:
    from db import holders

    database = new_database(databases)
    store(database, [Match("ai-deals", ("slack",))], now=datetime.now(UTC))
    # A daemon on another machine claimed it, and its last heartbeat is 59 s old: not stale yet.
    elsewhere = holders.ProcessIdentity("other-host", "another boot", 4242, 1.0)
    beat = datetime.now(UTC) - holders.STALE_AFTER + timedelta(seconds=1)
    holder = holders.register(database, elsewhere, beat)
    assert len(outbox.due_deliveries(database, datetime.now(UTC), 10, holder=holder)) == 1
    with webhook_server() as slack:
        deliverer = Deliverer(
            database, {"slack": SlackNotifier("slack", SlackOptions(webhook_url=slack.url()))}
        )
        deliverer.heartbeat_every = 0.2
        elapsed = asyncio.run(run_until(deliverer, lambda: slack.accepted))
    # Taken back by a heartbeat once stale (~1 s), not when the 5-minute lease or a 30 s poll ends.
    assert 0.5 < elapsed < 5
    assert outbox.list_deliveries(database)[0].status == "sent"
