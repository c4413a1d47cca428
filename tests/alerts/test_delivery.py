"""One delivery pass (``Deliverer.deliver_due``) with real SMTP and HTTP servers and a driven clock."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from datetime import timedelta

import pytest

from alerts.delivery import Deliverer, DeliveryReport, RetryPolicy
from alerts.notifiers.base import Notifier
from alerts.notifiers.email_smtp import EmailNotifier
from alerts.notifiers.options import EmailOptions, SlackOptions
from alerts.notifiers.slack import SlackNotifier
from db import outbox
from db.engine import Database
from db.outbox import DeliveryRow
from tests.databases import Databases

from .outbox_helpers import T0, FakeClock, Match, new_database, store
from .smtp_server import Recorder, smtp_server
from .webhook_server import Reply, WebhookServer, webhook_server


@pytest.fixture
def database(databases: Databases) -> Database:
    return new_database(databases)


@pytest.fixture
def smtp() -> Iterator[tuple[Recorder, int]]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def slack() -> Iterator[WebhookServer]:
    with webhook_server() as server:
        yield server


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


def channels(smtp: tuple[Recorder, int], slack: WebhookServer) -> dict[str, Notifier]:
    mail = EmailNotifier(
        "mail",
        EmailOptions(host="127.0.0.1", port=smtp[1], sender="newsmon@example.org", to=["a@example.org"]),
    )
    return {
        "mail": mail,
        "slack": SlackNotifier("slack", SlackOptions(webhook_url=slack.url(), timeout="2s")),
    }


def deliverer(
    database: Database, notifiers: dict[str, Notifier], clock: FakeClock, policy: RetryPolicy | None = None
) -> Deliverer:
    return Deliverer(
        database,
        notifiers,
        policy or RetryPolicy(),
        per_webhook_interval=0,
        clock=clock,
        rng=random.Random(7),
    )


def rows(database: Database) -> dict[str, DeliveryRow]:
    return {row.channel: row for row in outbox.list_deliveries(database)}


def test_a_pass_sends_every_channel_once(
    database: Database, smtp: tuple[Recorder, int], slack: WebhookServer, clock: FakeClock
) -> None:
    store(database, [Match("ai-deals", ("mail", "slack"))], now=T0)
    sender = deliverer(database, channels(smtp, slack), clock)
    assert asyncio.run(sender.deliver_due()) == DeliveryReport(sent=2)
    assert asyncio.run(sender.deliver_due()) == DeliveryReport()
    assert len(smtp[0].messages) == 1 and len(slack.posts) == 1
    assert {(r.status, r.attempts, r.sent) for r in rows(database).values()} == {("sent", 1, T0)}


def test_a_5xx_is_retried_after_backoff_and_only_then_marked_sent(
    database: Database, smtp: tuple[Recorder, int], slack: WebhookServer, clock: FakeClock
) -> None:
    store(database, [Match("ai-deals", ("mail", "slack"))], now=T0)
    slack.then(Reply(500, b"oops"))
    sender = deliverer(database, channels(smtp, slack), clock)
    assert asyncio.run(sender.deliver_due()) == DeliveryReport(sent=1, retrying=1)
    row = rows(database)["slack"]
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "HTTP 500: oops")
    due = outbox.next_due_time(database)
    assert due is not None and T0 + timedelta(seconds=15) <= due <= T0 + timedelta(seconds=30)
    assert asyncio.run(sender.deliver_due()) == DeliveryReport()  # not due yet
    clock.now = due
    assert asyncio.run(sender.deliver_due()) == DeliveryReport(sent=1)
    assert (rows(database)["slack"].status, rows(database)["slack"].attempts) == ("sent", 2)
    assert len(slack.accepted) == 1 and len(smtp[0].messages) == 1


def test_retry_after_is_the_least_wait(
    database: Database, smtp: tuple[Recorder, int], slack: WebhookServer, clock: FakeClock
) -> None:
    store(database, [Match("ai-deals", ("slack",))], now=T0)
    slack.then(Reply(429, b"rate_limited", {"Retry-After": "120"}))
    asyncio.run(deliverer(database, channels(smtp, slack), clock).deliver_due())
    assert outbox.next_due_time(database) == T0 + timedelta(seconds=120)


def test_backoff_doubles_from_retry_min_to_retry_max_with_jitter() -> None:
    policy = RetryPolicy()
    rng = random.Random(3)
    for retry, (low, high) in enumerate([(15, 30), (30, 60), (60, 120), (120, 240), (240, 480)], start=1):
        for _ in range(20):
            assert low <= policy.backoff(retry, rng).total_seconds() <= high
    assert all(450 <= policy.backoff(n, rng).total_seconds() <= 900 for n in (6, 10, 100, 10_000))
    with pytest.raises(ValueError, match="retry_max"):
        RetryPolicy(retry_min=timedelta(minutes=5), retry_max=timedelta(minutes=1))


def test_a_delivery_failing_past_give_up_after_fails_with_the_last_reason(
    database: Database, smtp: tuple[Recorder, int], slack: WebhookServer, clock: FakeClock
) -> None:
    assert RetryPolicy().give_up_after >= timedelta(hours=24)
    store(database, [Match("ai-deals", ("slack",))], now=T0)
    slack.then(*[Reply(503, b"down")] * 100)
    policy = RetryPolicy(give_up_after=timedelta(hours=3))
    sender = deliverer(database, channels(smtp, slack), clock, policy)
    attempts = 0
    while rows(database)["slack"].status == "pending":
        asyncio.run(sender.deliver_due())
        attempts += 1
        assert rows(database)["slack"].status == "pending" or clock.now - T0 >= timedelta(hours=3)
        clock.now = outbox.next_due_time(database) or clock.now
    row = rows(database)["slack"]
    assert (row.status, row.last_error) == ("failed", "gave up after 3h: HTTP 503: down")
    assert row.attempts == attempts and 12 < attempts < 40  # every 7.5 to 15 min once backed off


def test_a_permanent_error_fails_at_once(
    database: Database, smtp: tuple[Recorder, int], slack: WebhookServer, clock: FakeClock
) -> None:
    store(database, [Match("ai-deals", ("mail", "slack"))], now=T0)
    slack.then(Reply(410, b"channel_is_archived"))
    smtp[0].rcpt_reply = "550 5.1.1 No such user"
    report = asyncio.run(deliverer(database, channels(smtp, slack), clock).deliver_due())
    assert report == DeliveryReport(failed=2)
    assert {(r.channel, r.status, r.last_error) for r in rows(database).values()} == {
        ("slack", "failed", "HTTP 410: channel_is_archived"),
        ("mail", "failed", "SMTP recipients refused: a@example.org: 550 5.1.1 No such user"),
    }


def test_one_failing_channel_does_not_stop_the_other(
    database: Database, slack: WebhookServer, clock: FakeClock
) -> None:
    store(database, [Match("ai-deals", ("mail", "slack"))], now=T0)
    with smtp_server(refuse_connections=True) as refusing:
        report = asyncio.run(deliverer(database, channels(refusing, slack), clock).deliver_due())
    assert report == DeliveryReport(sent=1, retrying=1)
    assert rows(database)["slack"].status == "sent"
    assert "421" in (rows(database)["mail"].last_error or "")


def test_after_a_transient_error_the_rest_of_the_channel_waits(
    database: Database, smtp: tuple[Recorder, int], slack: WebhookServer, clock: FakeClock
) -> None:
    for n in range(4):
        store(database, [Match("ai-deals", ("slack",))], url=f"https://e.org/{n}", now=T0)
    slack.then(Reply(503, b"busy"))
    report = asyncio.run(deliverer(database, channels(smtp, slack), clock).deliver_due())
    assert report == DeliveryReport(retrying=1, deferred=3)
    assert len(slack.posts) == 1
    assert [r.attempts for r in outbox.list_deliveries(database)] == [1, 0, 0, 0]
    clock.now = outbox.next_due_time(database) or clock.now
    assert asyncio.run(deliverer(database, channels(smtp, slack), clock).deliver_due()) == DeliveryReport(
        sent=4
    )


def test_a_channel_no_longer_configured_keeps_its_deliveries_pending(
    database: Database, smtp: tuple[Recorder, int], slack: WebhookServer, clock: FakeClock
) -> None:
    store(database, [Match("ai-deals", ("mail", "slack"))], now=T0)
    only_mail = {"mail": channels(smtp, slack)["mail"]}
    assert asyncio.run(deliverer(database, only_mail, clock).deliver_due()) == DeliveryReport(sent=1)
    row = rows(database)["slack"]
    assert (row.status, row.last_error, row.attempts) == ("pending", "channel 'slack' not configured", 0)
    # Configured again (after a restart, say): delivered.
    assert asyncio.run(deliverer(database, channels(smtp, slack), clock).deliver_due()) == DeliveryReport(
        sent=1
    )


def test_secrets_never_reach_last_error(
    database: Database, smtp: tuple[Recorder, int], slack: WebhookServer, clock: FakeClock
) -> None:
    store(database, [Match("ai-deals", ("slack",))], now=T0)
    slack.then(Reply(404, f"no such hook: {slack.url()}".encode()))
    asyncio.run(deliverer(database, channels(smtp, slack), clock).deliver_due())
    last_error = rows(database)["slack"].last_error or ""
    assert last_error.startswith("HTTP 404") and "SECRETxTOKEN" not in last_error


def test_an_unexpected_notifier_bug_keeps_the_delivery(database: Database, clock: FakeClock) -> None:
    class Broken(Notifier):
        type = "broken"

        async def send(self, message: object) -> None:
            raise KeyError("bug")

        async def send_text(self, title: str, text: str) -> None:
            raise KeyError("bug")

    store(database, [Match("ai-deals", ("x",))], now=T0)
    report = asyncio.run(deliverer(database, {"x": Broken("x")}, clock).deliver_due())
    assert report == DeliveryReport(retrying=1)
    assert rows(database)["x"].last_error == "internal error (KeyError), see the log"


def test_every_attempt_of_a_post_carries_the_same_idempotency_key(
    database: Database, slack: WebhookServer, clock: FakeClock
) -> None:
    from alerts.notifiers.options import WebhookOptions
    from alerts.notifiers.webhook import WebhookNotifier

    store(database, [Match("ai-deals", ("slack", "hook"))], now=T0)
    store(database, [Match("ai-deals", ("hook",))], url="https://e.org/other", now=T0)
    slack.then(Reply(500), Reply(503), Reply(500))
    notifiers: dict[str, Notifier] = {
        "slack": SlackNotifier("slack", SlackOptions(webhook_url=slack.url("/slack"), timeout="2s")),
        "hook": WebhookNotifier("hook", WebhookOptions(url=slack.url("/hook"), timeout="2s")),
    }
    for _ in range(4):
        asyncio.run(deliverer(database, notifiers, clock).deliver_due())
        clock.advance(hours=1)
    assert {r.status for r in outbox.list_deliveries(database)} == {"sent"}
    keys: dict[str, list[str]] = {}
    for post in slack.posts:
        keys.setdefault(post.path, []).append(post.headers["Idempotency-Key"])
    assert len(keys["/slack"]) >= 2 and len(set(keys["/slack"])) == 1
    assert len(keys["/hook"]) >= 3 and len(set(keys["/hook"])) == 2  # two deliveries, retried
    assert not set(keys["/slack"]) & set(keys["/hook"])
