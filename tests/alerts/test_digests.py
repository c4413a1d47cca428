"""Rule policies through the outbox and the deliverer, on a driven clock: digests, quiet hours, caps.

Real parts: a SQLite file, aiosmtpd, a local Slack-like webhook. Times are
Paris wall-clock times; the clock is moved, never waited for.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from alerts.delivery import Deliverer, DeliveryReport
from alerts.notifiers.base import Notifier
from alerts.notifiers.email_smtp import EmailNotifier
from alerts.notifiers.options import EmailOptions, SlackOptions
from alerts.notifiers.slack import SlackNotifier
from db import claims, digests, outbox
from db.engine import Database
from db.policy import HOURLY, DeliveryPolicy, QuietHours
from db.store import NewArticle, store_article
from tests.databases import Databases

from .outbox_helpers import FakeClock, new_database, store
from .smtp_server import smtp_server
from .webhook_server import webhook_server

PARIS = ZoneInfo("Europe/Paris")
HOURLY_PARIS = DeliveryPolicy(digest=HOURLY, zone=PARIS)
T_STORY = datetime(2026, 12, 3, 9, tzinfo=UTC)


@dataclass(frozen=True)
class Match:
    rule: str
    channels: tuple[str, ...]
    policy: DeliveryPolicy
    terms: tuple[str, ...] = ("OpenAI",)


def paris(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=PARIS).astimezone(UTC)


def mail(port: int) -> EmailNotifier:
    return EmailNotifier(
        "mail", EmailOptions(host="127.0.0.1", port=port, sender="newsmon@example.org", to=["a@example.org"])
    )


def raise_at(database: Database, when: datetime, policy: DeliveryPolicy, n: int, **extra: str) -> int:
    channels = tuple(extra.get("channels", "mail").split(","))
    return store(
        database,
        [Match(extra.get("rule", "deals"), channels, policy)],
        url=f"https://example.org/{n}",
        title=extra.get("title", f"OpenAI deal number {n}"),
        now=when,
    )


def deliver(database: Database, notifiers: dict[str, Notifier], now: datetime) -> DeliveryReport:
    return asyncio.run(Deliverer(database, notifiers, clock=FakeClock(now), timezone=PARIS).deliver_due())


def bodies(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def test_an_hourly_digest_is_one_mail_at_the_end_of_the_local_hour(databases: Databases) -> None:
    database = new_database(databases)
    for n, minute in enumerate((20, 40, 50)):
        raise_at(database, paris(f"2026-12-03T10:{minute}"), HOURLY_PARIS, n)
    rows = outbox.list_deliveries(database)
    assert {(r.status, r.held, r.due) for r in rows} == {("pending", True, paris("2026-12-03T11:00"))}
    with smtp_server() as (server, port):
        assert deliver(database, {"mail": mail(port)}, paris("2026-12-03T10:59")) == DeliveryReport()
        assert deliver(database, {"mail": mail(port)}, paris("2026-12-03T11:00")) == DeliveryReport(sent=1)
        assert deliver(database, {"mail": mail(port)}, paris("2026-12-03T12:00")) == DeliveryReport()
    (message,) = server.messages
    assert message["Subject"] == "[newsmon] Digest of deals: 3 alerts, 2026-12-03 10:20–10:50 Europe/Paris"
    text, html = bodies(message)
    assert [line for line in text.splitlines() if line.startswith("• ")] == [
        "• OpenAI deal number 0",
        "• OpenAI deal number 1",
        "• OpenAI deal number 2",
    ]
    assert html.count("<tr>") == 4 and '<a href="https://example.org/1">OpenAI deal number 1</a>' in html
    rows = outbox.list_deliveries(database)
    assert {(r.status, r.attempts, r.due) for r in rows} == {("sent", 1, None)}
    assert len({r.digest_id for r in rows}) == 1


def test_a_daily_digest_keeps_its_local_time_over_the_spring_change(databases: Databases) -> None:
    database = new_database(databases)
    daily = DeliveryPolicy(digest=time(8), zone=PARIS)
    raise_at(database, paris("2026-03-28T09:30"), daily, 1)
    raise_at(database, paris("2026-03-28T23:10"), daily, 2)
    with smtp_server() as (server, port):
        # 08:00 summer time is 06:00 UTC; the day before, 08:00 was 07:00 UTC.
        assert deliver(database, {"mail": mail(port)}, datetime(2026, 3, 29, 5, 59, tzinfo=UTC)).sent == 0
        assert deliver(database, {"mail": mail(port)}, datetime(2026, 3, 29, 6, 0, tzinfo=UTC)).sent == 1
    assert len(server.messages) == 1
    assert "2 alerts, 2026-03-28 09:30–23:10 Europe/Paris" in server.messages[0]["Subject"]


def test_quiet_hours_over_midnight_hold_alerts_for_one_digest_when_they_end(databases: Databases) -> None:
    database = new_database(databases)
    quiet = DeliveryPolicy(quiet_hours=QuietHours(time(22), time(7)), zone=PARIS)
    with smtp_server() as (server, port):
        raise_at(database, paris("2026-12-03T21:30"), quiet, 1)
        assert deliver(database, {"mail": mail(port)}, paris("2026-12-03T21:30")) == DeliveryReport(sent=1)
        raise_at(database, paris("2026-12-03T23:00"), quiet, 2)
        raise_at(database, paris("2026-12-04T02:00"), quiet, 3)
        assert deliver(database, {"mail": mail(port)}, paris("2026-12-04T06:59")) == DeliveryReport()
        assert deliver(database, {"mail": mail(port)}, paris("2026-12-04T07:00")) == DeliveryReport(sent=1)
    first, digest = server.messages
    assert first["Subject"] == "[newsmon] deals: OpenAI deal number 1"
    assert digest["Subject"].startswith(
        "[newsmon] Digest of deals: 2 alerts, 2026-12-03 23:00–2026-12-04 02:00"
    )


def test_alerts_past_max_per_hour_are_folded_into_a_digest_at_the_end_of_the_hour(
    databases: Databases,
) -> None:
    database = new_database(databases)
    capped = DeliveryPolicy(max_per_hour=2, zone=PARIS)
    with smtp_server() as (server, port):
        for n, minute in enumerate((5, 10, 15, 20)):
            now = paris(f"2026-12-03T10:{minute:02}")
            raise_at(database, now, capped, n)
            deliver(database, {"mail": mail(port)}, now)
        assert len(server.messages) == 2
        assert outbox.pending_count(database, held=True) == 2
        assert deliver(database, {"mail": mail(port)}, paris("2026-12-03T11:00")) == DeliveryReport(sent=1)
        # A new hour: sent at once again.
        raise_at(database, paris("2026-12-03T11:05"), capped, 9)
        assert deliver(database, {"mail": mail(port)}, paris("2026-12-03T11:05")) == DeliveryReport(sent=1)
    subjects = [m["Subject"] for m in server.messages]
    assert subjects == [
        "[newsmon] deals: OpenAI deal number 0",
        "[newsmon] deals: OpenAI deal number 1",
        "[newsmon] Digest of deals: 2 alerts, 2026-12-03 10:15–10:20 Europe/Paris",
        "[newsmon] deals: OpenAI deal number 9",
    ]


def test_a_failing_channel_does_not_hold_back_the_other_and_each_gets_its_digest_once(
    databases: Databases,
) -> None:
    database = new_database(databases)
    for n in range(3):
        raise_at(database, paris(f"2026-12-03T10:1{n}"), HOURLY_PARIS, n, channels="mail,slack")
    with webhook_server() as slack:
        hook = SlackNotifier("slack", SlackOptions(webhook_url=slack.url()))
        with smtp_server(refuse_connections=True) as (_, port):
            report = deliver(database, {"mail": mail(port), "slack": hook}, paris("2026-12-03T11:00"))
        assert report == DeliveryReport(sent=1, retrying=1)
        assert len(slack.accepted) == 1
        payload = slack.accepted[0].json()
        assert payload["text"].startswith("Digest of deals: 3 alerts")
        assert sum(block["text"]["text"].count("• ") for block in payload["blocks"][1:]) == 3
        due = outbox.next_due_time(database, ["mail"])
        assert due is not None and due > paris("2026-12-03T11:00")
        with smtp_server() as (server, port):
            assert deliver(database, {"mail": mail(port), "slack": hook}, due) == DeliveryReport(sent=1)
            assert deliver(database, {"mail": mail(port), "slack": hook}, due + timedelta(hours=3)).sent == 0
    assert len(server.messages) == 1 and len(slack.accepted) == 1
    rows = outbox.list_deliveries(database)
    assert {(r.channel, r.status) for r in rows} == {("mail", "sent"), ("slack", "sent")}
    assert {r.attempts for r in rows if r.channel == "mail"} == {2}


def test_a_window_is_made_into_one_digest_whatever_the_passes_and_late_alerts_get_their_own(
    databases: Databases,
) -> None:
    database = new_database(databases)
    raise_at(database, paris("2026-12-03T10:20"), HOURLY_PARIS, 1)
    end = paris("2026-12-03T11:00")
    assert digests.make_due_digests(database, end, ["mail"]) == 1
    # A second deliverer (or this one after a crash) makes nothing more for that window.
    assert digests.make_due_digests(database, end, ["mail"]) == 0
    # An alert raised on a clock behind the deliverer's, for the window already made.
    raise_at(database, paris("2026-12-03T10:59"), HOURLY_PARIS, 2)
    assert digests.make_due_digests(database, end + timedelta(seconds=5), ["mail"]) == 1
    jobs = digests.due_digests(database, end + timedelta(seconds=5), 10)
    assert [len(job.entries) for job in jobs] == [1, 1]
    assert [job.due for job in jobs] == [end, end + timedelta(seconds=5)]


def test_an_unfinished_digest_is_sent_once_after_a_restart(databases: Databases) -> None:
    database = new_database(databases)
    for n in range(2):
        raise_at(database, paris(f"2026-12-03T10:2{n}"), HOURLY_PARIS, n)
    end = paris("2026-12-03T11:00")
    # A deliverer made the digest and claimed it, then died before sending: its claim ends with its lease.
    digests.make_due_digests(database, end, ["mail"])
    (claimed,) = digests.due_digests(database, end, 10)
    with smtp_server() as (server, port):
        assert deliver(database, {"mail": mail(port)}, end + timedelta(minutes=1)) == DeliveryReport()
        later = end + claims.DEFAULT_LEASE
        assert deliver(database, {"mail": mail(port)}, later) == DeliveryReport(sent=1)
        assert deliver(database, {"mail": mail(port)}, later + timedelta(hours=1)) == DeliveryReport()
    (message,) = server.messages
    assert f"newsmon-digest-{claimed.digest_id}-" in message["Message-ID"]


def test_baseline_silences_the_first_crawl_of_a_new_source_for_that_rule_only(databases: Databases) -> None:
    from db.store import FetchResult, record_fetch

    database = new_database(databases)
    baseline = DeliveryPolicy(baseline=True)
    matches = [Match("quiet", ("mail",), baseline), Match("loud", ("mail",), DeliveryPolicy())]
    store(database, matches, url="https://example.org/first")
    record_fetch(database, "arsfr", FetchResult(outcome="error", error="timeout"))
    store(database, matches, url="https://example.org/still-first")  # never fetched successfully yet
    record_fetch(database, "arsfr", FetchResult(outcome="ok"))
    store(database, matches, url="https://example.org/second")
    raised = [(row.rule, row.url.rsplit("/", 1)[1]) for row in outbox.list_deliveries(database)]
    assert raised == [("loud", "first"), ("loud", "still-first"), ("quiet", "second"), ("loud", "second")]


def test_a_digest_whose_alerts_were_all_pruned_is_dropped_unsent(databases: Databases) -> None:
    from db.retention import prune

    database = new_database(databases)
    raise_at(database, paris("2026-12-03T10:20"), HOURLY_PARIS, 1)
    end = paris("2026-12-03T11:00")
    assert digests.make_due_digests(database, end, ["mail"]) == 1
    prune(database, articles_before=datetime.now(UTC) + timedelta(days=1), fetch_log_before=None)
    assert digests.due_digests(database, end, 10) == []
    assert outbox.next_due_time(database) is None


def test_retry_now_sends_a_held_alert_in_a_digest_at_once(databases: Databases) -> None:
    from db.web import retry_now

    database = new_database(databases)
    raise_at(database, paris("2026-12-03T10:20"), DeliveryPolicy(digest=time(8), zone=PARIS), 1)
    now = paris("2026-12-03T10:30")
    (row,) = outbox.list_deliveries(database)
    assert retry_now(database, row.id, now)
    # Due now, not at 08:00 tomorrow (nor every tenth of a second until then).
    assert outbox.next_due_time(database) == now
    with smtp_server(refuse_connections=True) as (_, port):
        assert deliver(database, {"mail": mail(port)}, now) == DeliveryReport(retrying=1)
    (job,) = digests.due_digests(database, now + timedelta(hours=1), 10)
    assert digests.mark_failed(database, job.digest_id, "HTTP 410: gone")
    (row,) = outbox.list_deliveries(database)
    assert row.status == "failed" and row.last_error == "HTTP 410: gone"
    # A member of a failed digest goes out again, in a new one.
    assert retry_now(database, row.id, now + timedelta(hours=2))
    with smtp_server() as (server, port):
        assert deliver(database, {"mail": mail(port)}, now + timedelta(hours=2)) == DeliveryReport(sent=1)
    assert len(server.messages) == 1 and outbox.list_deliveries(database)[0].status == "sent"


def test_a_digest_lists_a_story_once_with_its_outlets_and_amount(databases: Databases) -> None:
    from db.stories import StoryRecord, insert_story, update_story

    database = new_database(databases)
    amount = {"value": 10.0, "currency": "USD", "usd": 1e10, "text": "$10 billion"}
    story = StoryRecord(
        id=0,
        title="Microsoft invests $10B in OpenAI",
        first_seen=T_STORY,
        last_seen=T_STORY,
        articles=1,
        outlets=("arsfr", "reuters", "handelsblatt"),
        languages=("fr", "en", "de"),
        orgs=("Microsoft", "OpenAI"),
        events=("investment",),
        amount=amount,
        amounts_usd=(1e10,),
        centroid=b"\0" * 8,
    )
    filed: list[int] = []

    def file(session: object, article_id: int) -> None:
        if filed:
            update_story(session, replace(story, id=filed[0]), article_id, story.keys)  # type: ignore[arg-type]
        else:
            filed.append(insert_story(session, story, article_id))  # type: ignore[arg-type]

    for n in range(2):
        now = paris(f"2026-12-03T10:1{n}")

        def on_stored(session: Session, article_id: int, _article: NewArticle, now: datetime = now) -> None:
            file(session, article_id)
            outbox.raise_alerts(session, article_id, [Match("deals", ("mail",), HOURLY_PARIS)], now=now)

        article = NewArticle(
            source="arsfr", url=f"https://example.org/story/{n}", title=f"Story {n}", keys=()
        )
        assert store_article(database, article, on_stored) is not None
    raise_at(database, paris("2026-12-03T10:30"), HOURLY_PARIS, 9)
    with smtp_server() as (server, port):
        assert deliver(database, {"mail": mail(port)}, paris("2026-12-03T11:00")) == DeliveryReport(sent=1)
    (message,) = server.messages
    assert "3 alerts in 2 stories" in message["Subject"]
    text, html = bodies(message)
    text = text.replace("\r\n", "\n")
    assert "• Microsoft invests $10B in OpenAI\n  https://example.org/story/0\n" in text
    assert "  arsfr, reuters, handelsblatt · $10B" in text and "· 2 articles" in text
    assert html.count("<tr>") == 3
