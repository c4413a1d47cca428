"""The alerts outbox on a real SQLite file: raising, claiming with a lease, outcomes, listing."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import outbox
from db.engine import Database
from db.models import Alert, Article, Delivery
from db.store import NewArticle, store_article
from db.stories import StoryRecord, insert_story, update_story

from .outbox_helpers import T0, Match, new_database, store


@pytest.fixture
def database(tmp_path: Path) -> Database:
    return new_database(tmp_path)


def counts(database: Database) -> tuple[int, int]:
    with database.read() as session:
        alerts = session.scalar(select(func.count()).select_from(Alert)) or 0
        deliveries = session.scalar(select(func.count()).select_from(Delivery)) or 0
    return alerts, deliveries


def test_one_alert_per_rule_and_one_pending_delivery_per_channel(database: Database) -> None:
    store(database, [Match("ai-deals", ("mail", "slack", "mail")), Match("other", ("mail",))], now=T0)
    assert counts(database) == (2, 3)
    rows = outbox.list_deliveries(database)
    assert {(r.rule, r.channel, r.status, r.attempts) for r in rows} == {
        ("ai-deals", "mail", "pending", 0),
        ("ai-deals", "slack", "pending", 0),
        ("other", "mail", "pending", 0),
    }
    assert outbox.pending_count(database) == 3
    assert outbox.pending_count(database, "slack") == 1
    assert outbox.next_due_time(database) == T0


def test_raising_again_is_a_no_op_that_keeps_the_transaction_alive(database: Database) -> None:
    article_id = store(database, [Match("ai-deals", ("mail", "slack"))], now=T0)
    with database.write() as session:
        again = outbox.raise_alerts(session, article_id, [Match("ai-deals", ("mail", "slack", "new"))])
        # The transaction is still usable after the ignored duplicate.
        session.execute(select(Article.id)).all()
    assert again == []
    assert counts(database) == (1, 2)


def test_alerts_roll_back_with_the_article(database: Database) -> None:
    def on_stored(session: object, article_id: int, _article: NewArticle) -> None:
        outbox.raise_alerts(session, article_id, [Match("ai-deals", ("mail",))])  # type: ignore[arg-type]
        raise RuntimeError("the crawl failed after matching")

    with pytest.raises(RuntimeError):
        store_article(
            database, NewArticle(source="arsfr", url="https://e.org/x", title="x", keys=()), on_stored
        )
    assert counts(database) == (0, 0)


def test_a_claim_leases_the_delivery_until_marked(database: Database) -> None:
    article_id = store(database, [Match("ai-deals", ("mail", "slack"))], now=T0)
    jobs = outbox.due_deliveries(database, T0, 10, lease=timedelta(minutes=5))
    assert [j.channel for j in jobs] == ["mail", "slack"]
    job = jobs[0]
    with database.read() as session:
        delivery = session.get(Delivery, job.delivery_id)
        article = session.get(Article, article_id)
    assert delivery is not None and article is not None
    assert (job.alert_id, job.attempts, job.created, job.last_error) == (delivery.alert_id, 0, T0, None)
    assert (job.article_id, job.title, job.summary, job.lead, job.text) == (
        article.id,
        article.title,
        article.summary,
        article.lead,
        article.text,
    )
    assert (job.rule, job.terms, job.source, job.language, job.published) == (
        "ai-deals",
        ("investissement", "OpenAI"),
        "arsfr",
        "fr",
        T0,
    )
    assert "OpenAI" in job.text and job.url.endswith("microsoft-investit-openai.html")
    # Leased: nobody else gets them before the lease ends; then they are due again (a crash mid-send).
    assert outbox.due_deliveries(database, T0 + timedelta(minutes=4), 10) == []
    assert outbox.next_due_time(database) == T0 + timedelta(minutes=5)
    again = outbox.due_deliveries(database, T0 + timedelta(minutes=5), 10)
    assert [j.delivery_id for j in again] == [j.delivery_id for j in jobs]


def test_claims_respect_the_limit_the_channels_and_the_order(database: Database) -> None:
    for n in range(3):
        store(
            database, [Match("ai-deals", ("mail", "slack"))], url=f"https://e.org/{n}", now=T0 + timedelta(n)
        )
    later = T0 + timedelta(days=5)
    mail = outbox.due_deliveries(database, later, 2, channels=["mail"])
    assert [j.channel for j in mail] == ["mail", "mail"]
    assert [j.url for j in mail] == ["https://e.org/0", "https://e.org/1"]
    assert outbox.next_due_time(database, ["slack"]) == T0
    assert len(outbox.due_deliveries(database, later, 10)) == 4


def test_outcomes_update_the_row(database: Database) -> None:
    store(database, [Match("ai-deals", ("mail", "slack", "hook"))], now=T0)
    mail, slack, hook = outbox.due_deliveries(database, T0, 10)
    assert outbox.mark_sent(database, mail.delivery_id, T0 + timedelta(seconds=1))
    assert outbox.mark_retry(database, slack.delivery_id, "HTTP 500", T0 + timedelta(seconds=30))
    assert outbox.mark_failed(database, hook.delivery_id, "HTTP 410: gone")
    # A finished delivery is never changed again.
    assert not outbox.mark_retry(database, mail.delivery_id, "late", T0)
    rows = {r.channel: r.as_dict() for r in outbox.list_deliveries(database)}
    assert rows["mail"]["status"] == "sent" and rows["mail"]["sent"] == "2026-01-23T19:05:01+00:00"
    assert rows["slack"] | {"id": 0, "article_id": 0} == {
        "id": 0,
        "rule": "ai-deals",
        "article_id": 0,
        "story_id": None,
        "title": rows["slack"]["title"],
        "url": "https://example.org/fr/microsoft-investit-openai.html",
        "channel": "slack",
        "status": "pending",
        "attempts": 1,
        "last_error": "HTTP 500",
        "created": "2026-01-23T19:05:00+00:00",
        "sent": None,
    }
    assert (rows["hook"]["status"], rows["hook"]["last_error"], rows["hook"]["attempts"]) == (
        "failed",
        "HTTP 410: gone",
        1,
    )
    assert outbox.next_due_time(database) == T0 + timedelta(seconds=30)


def test_release_hands_claims_back_unattempted(database: Database) -> None:
    store(database, [Match("ai-deals", ("mail",))], now=T0)
    (job,) = outbox.due_deliveries(database, T0, 10)
    outbox.release(database, [job.delivery_id], T0)
    (again,) = outbox.due_deliveries(database, T0, 10)
    assert again.attempts == 0


def test_unconfigured_channels_are_noted_and_kept(database: Database) -> None:
    store(database, [Match("ai-deals", ("mail", "gone"))], now=T0)
    assert outbox.flag_unconfigured(database, ["mail"]) == ["gone"]
    rows = {r.channel: r for r in outbox.list_deliveries(database)}
    assert (rows["gone"].status, rows["gone"].last_error) == ("pending", "channel 'gone' not configured")
    assert rows["mail"].last_error is None
    assert [j.channel for j in outbox.due_deliveries(database, T0, 10, channels=["mail"])] == ["mail"]


def test_listing_filters_by_rule_and_by_the_articles_time(database: Database) -> None:
    store(database, [Match("ai-deals", ("mail",)), Match("other", ("mail",))], now=T0)
    assert {r.rule for r in outbox.list_deliveries(database, rule="other")} == {"other"}
    # The article was published at T0.
    assert len(outbox.list_deliveries(database, since=T0 - timedelta(days=1))) == 2
    assert outbox.list_deliveries(database, since=T0 + timedelta(days=1)) == []


STORY = StoryRecord(
    id=0,
    title="Microsoft invests $10bn in OpenAI",
    first_seen=T0,
    last_seen=T0,
    articles=1,
    outlets=("arsfr",),
    languages=("fr",),
    orgs=("Microsoft", "OpenAI"),
    events=("investment",),
    amount=None,
    amounts_usd=(),
    centroid=b"\x00\x00\x80?" * 4,
)


@dataclass
class OneStory:
    """Files every article into one story: the clustering is tested on its own (tests/alerts/stories)."""

    story_id: int | None = None

    def file(self, session: Session, article_id: int) -> int:
        if self.story_id is None:
            self.story_id = insert_story(session, STORY, article_id)
        else:
            update_story(session, replace(STORY, id=self.story_id), article_id, previous_keys=STORY.keys)
        return self.story_id


def store_in(database: Database, story: OneStory | None, url: str, *matches: Match) -> int | None:
    article = NewArticle(source="arsfr", url=url, title=url, keys=(), published=T0, language="fr")
    return store_article(database, article, matches=matches, story=story)


def alerts_raised(database: Database) -> list[tuple[str, int, int | None]]:
    with database.read() as session:
        rows = session.execute(select(Alert.rule, Alert.article_id, Alert.story_id).order_by(Alert.id))
        return [(rule, article_id, story_id) for rule, article_id, story_id in rows]


def test_one_alert_per_rule_and_story_and_a_rule_the_story_starts_to_match_alerts_once(
    database: Database,
) -> None:
    deals, partners = Match("ai-deals", ("mail",)), Match("ai-partners", ("mail", "slack"))
    seed, other = OneStory(), OneStory()
    first = store_in(database, seed, "https://e.org/en", deals)
    second = store_in(database, seed, "https://e.org/fr", deals)  # another outlet: the story alerted
    third = store_in(database, seed, "https://e.org/de", deals, partners)  # partners: new for the story
    fourth = store_in(database, seed, "https://e.org/es", deals, partners)
    elsewhere = store_in(database, other, "https://e.org/builder", deals)  # another story alerts
    alone = store_in(database, None, "https://e.org/factless", deals)  # in no story: per article
    assert None not in (first, second, third, fourth, elsewhere, alone)
    assert alerts_raised(database) == [
        ("ai-deals", first, seed.story_id),
        ("ai-partners", third, seed.story_id),
        ("ai-deals", elsewhere, other.story_id),
        ("ai-deals", alone, None),
    ]
    assert counts(database) == (4, 5)
    rows = {(r.rule, r.article_id, r.channel): r.story_id for r in outbox.list_deliveries(database)}
    assert rows[("ai-partners", third, "slack")] == seed.story_id
    assert rows[("ai-deals", alone, "mail")] is None


def test_the_story_guard_is_the_database_s_own(database: Database) -> None:
    """Two writers that both saw no alert for the story still raise one: the unique index decides."""
    story = OneStory()
    first = store_in(database, story, "https://e.org/en")
    second = store_in(database, story, "https://e.org/fr")
    assert first is not None and second is not None
    with database.write() as session:
        raised = outbox.raise_alerts(session, first, [Match("ai-deals", ("mail",))], story_id=story.story_id)
        again = outbox.raise_alerts(session, second, [Match("ai-deals", ("mail",))], story_id=story.story_id)
        session.execute(select(Article.id)).all()  # the transaction survived the ignored duplicate
    assert len(raised) == 1 and again == []
    assert counts(database) == (1, 1)
