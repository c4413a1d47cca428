"""Digests on PostgreSQL: the migration both ways, and a window made, claimed and sent once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command

from db import digests, outbox
from db.engine import Database
from db.migrate import alembic_config, upgrade
from db.policy import HOURLY, DeliveryPolicy
from db.store import NewArticle, SourceSpec, store_article, sync_sources

from .conftest import needs_postgres

pytestmark = needs_postgres

T0 = datetime(2026, 12, 3, 10, 20, tzinfo=UTC)


@dataclass(frozen=True)
class Match:
    rule: str
    channels: tuple[str, ...]
    policy: DeliveryPolicy
    terms: tuple[str, ...] = ("OpenAI",)


@pytest.fixture
def pg(postgres_url: str) -> Iterator[Database]:
    database = Database(postgres_url)
    upgrade(database)
    sync_sources(database, [SourceSpec("wire", "feed", "http://127.0.0.1/feed.xml")])
    yield database
    cfg = alembic_config(database.url)
    with database.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "base")
    database.dispose()


def test_a_window_becomes_one_digest_sent_once(pg: Database) -> None:
    matches = [Match("deals", ("mail",), DeliveryPolicy(digest=HOURLY))]
    for n in range(3):
        article = NewArticle(source="wire", url=f"https://example.org/{n}", title=f"OpenAI {n}", keys=())
        store_article(pg, article, lambda s, i, _a: outbox.raise_alerts(s, i, matches, now=T0))
    end = datetime(2026, 12, 3, 11, tzinfo=UTC)
    assert digests.make_due_digests(pg, end, ["mail"]) == 1
    assert digests.make_due_digests(pg, end, ["mail"]) == 0
    (job,) = digests.due_digests(pg, end, 10)
    assert [e.title for e in job.entries] == ["OpenAI 0", "OpenAI 1", "OpenAI 2"]
    assert digests.due_digests(pg, end, 10) == []  # claimed: not due again within its lease
    assert digests.mark_sent(pg, job.digest_id, end + timedelta(seconds=1))
    assert {(r.status, r.held, r.due) for r in outbox.list_deliveries(pg)} == {("sent", True, None)}
    assert outbox.next_due_time(pg) is None
