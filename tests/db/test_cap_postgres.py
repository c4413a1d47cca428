"""``max_per_hour`` between two writers at once on PostgreSQL: neither sees the other's uncommitted
delivery, so they take turns at counting the hour's, and the cap holds."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from db.engine import Database
from db.models import Delivery
from db.outbox import raise_alerts
from db.policy import DeliveryPolicy
from db.store import SourceSpec, sync_sources
from tests.alerts.outbox_helpers import store
from tests.db.conftest import needs_postgres
from tests.postgres import PostgresServer, a_session_waits_for_a_lock

pytestmark = needs_postgres
NOW = datetime(2026, 12, 3, 10, 20, tzinfo=UTC)
CAP = DeliveryPolicy(max_per_hour=1)


@dataclass(frozen=True)
class Capped:
    rule: str = "ai-deals"
    channels: tuple[str, ...] = ("mail",)
    terms: tuple[str, ...] = ("OpenAI",)
    policy: DeliveryPolicy = CAP


def test_two_writers_at_once_keep_to_max_per_hour(postgres_server: PostgresServer) -> None:
    url = postgres_server.fresh(migrated=True)
    first_writer, second_writer = Database(url), Database(url)
    try:
        sync_sources(first_writer, [SourceSpec("arsfr", "feed", "http://127.0.0.1/feed.xml")])
        ids = [store(first_writer, [], url=f"https://example.org/{n}") for n in (1, 2)]
        first_raised, first_may_commit, second_done = threading.Event(), threading.Event(), threading.Event()

        def first() -> None:
            with first_writer.write() as session:
                raise_alerts(session, ids[0], [Capped()], now=NOW)  # type: ignore[arg-type,list-item]
                first_raised.set()
                first_may_commit.wait(30)

        def second() -> None:
            with second_writer.write() as session:
                raise_alerts(session, ids[1], [Capped()], now=NOW)  # type: ignore[arg-type,list-item]
            second_done.set()

        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        threads[0].start()
        assert first_raised.wait(30)
        threads[1].start()
        # Without turns the second writer counts no delivery (the first's is not committed) and
        # finishes: sent at once too. With them it waits for the first to commit.
        deadline = time.monotonic() + 30
        while not (second_done.is_set() or a_session_waits_for_a_lock(first_writer)):
            assert time.monotonic() < deadline, "the second writer neither finished nor waited"
            time.sleep(0.05)
        first_may_commit.set()
        for thread in threads:
            thread.join(30)
        with first_writer.read() as session:
            held = list(session.scalars(select(Delivery.hold_until).order_by(Delivery.alert_id)))
        assert len(held) == 2
        assert held[0] is None, "the hour's first delivery goes out at once"
        assert held[1] is not None, "the second is past the cap: held for the hour's digest"
    finally:
        first_writer.dispose()
        second_writer.dispose()
        postgres_server.drop(url)
