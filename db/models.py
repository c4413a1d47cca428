"""The schema, as SQLAlchemy 2 typed models.

Identity rules: an article is one row whatever URL variant or GUID it arrives
under; ``article_keys`` maps every known key (``url:<canonical>``,
``guid:<source id>:<guid>``) to it. One alert per (rule, article), one per
(rule, story) and one delivery per (alert, channel) are unique constraints,
so a second alert is impossible rather than merely avoided.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# The column types live apart, where the reading path finds them without the ORM; the writers
# import them from here, with the models.
from db.types import JSONType as JSONType
from db.types import UTCDateTime as UTCDateTime
from db.types import utcnow as utcnow


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSONType,
        list[str]: JSONType,
    }


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[str] = mapped_column(String(20), default="feed")
    url: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="never")
    etag: Mapped[str | None] = mapped_column(Text, default=None)
    last_modified: Mapped[str | None] = mapped_column(Text, default=None)
    body_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    last_fetch: Mapped[datetime | None] = mapped_column(default=None)
    last_success: Mapped[datetime | None] = mapped_column(default=None)
    last_new_entry: Mapped[datetime | None] = mapped_column(default=None)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    next_run: Mapped[datetime | None] = mapped_column(default=None)
    created: Mapped[datetime] = mapped_column(default=utcnow)


class Article(Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    guid: Mapped[str | None] = mapped_column(Text, default=None)
    title: Mapped[str] = mapped_column(Text, default="")
    authors: Mapped[list[str]] = mapped_column(default=list)
    published: Mapped[datetime | None] = mapped_column(default=None)
    fetched: Mapped[datetime] = mapped_column(default=utcnow)
    language: Mapped[str | None] = mapped_column(String(8), default=None)
    summary: Mapped[str] = mapped_column(Text, default="")
    lead: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    # "page": read from the article's page; "feed": from the feed's own content (no link, or the page
    # could not be fetched for good).
    text_from: Mapped[str] = mapped_column(String(8), default="page", server_default="page")
    # What event detection found: the news events [{type, actors, amount, sentence}] (and
    # their types, for the index), organisations (canonical names) and every amount stated
    # [{value, currency, usd, text}] (and the largest, for amount>=).
    events: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list, server_default="[]")
    event_types: Mapped[list[str]] = mapped_column(default=list, server_default="[]")
    orgs: Mapped[list[str]] = mapped_column(default=list, server_default="[]")
    amounts: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list, server_default="[]")
    amount_usd: Mapped[float | None] = mapped_column(Float, default=None)
    story_id: Mapped[int | None] = mapped_column(
        ForeignKey("stories.id", ondelete="SET NULL"), default=None, index=True
    )

    __table_args__ = (
        Index("ix_articles_published", "published"),
        Index("ix_articles_fetched", "fetched"),
        Index("ix_articles_amount_usd", "amount_usd"),
    )


class Story(Base):
    """The same event reported by several articles: what alerts.stories clusters into.

    ``centroid`` is the mean of the members' title-and-lead embeddings
    (float32 bytes); ``amounts_usd`` every amount the members stated, which a
    newcomer's amount must agree with; ``amount`` the largest, as shown.
    """

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    first_seen: Mapped[datetime] = mapped_column()
    last_seen: Mapped[datetime] = mapped_column(index=True)
    articles: Mapped[int] = mapped_column(Integer, default=1)
    outlets: Mapped[list[str]] = mapped_column(default=list)
    languages: Mapped[list[str]] = mapped_column(default=list)
    orgs: Mapped[list[str]] = mapped_column(default=list)
    events: Mapped[list[str]] = mapped_column(default=list)
    amount: Mapped[dict[str, Any] | None] = mapped_column(JSONType, default=None)
    amounts_usd: Mapped[list[float]] = mapped_column(JSONType, default=list)
    centroid: Mapped[bytes] = mapped_column(LargeBinary)


class StoryKey(Base):
    """What a story can be found by: ``org:<canonical name>`` and ``event:<type>``."""

    __tablename__ = "story_keys"

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    story_id: Mapped[int] = mapped_column(
        ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ArticleKey(Base):
    """Every URL variant and GUID an article was seen under."""

    __tablename__ = "article_keys"

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)


class PendingPage(Base):
    """An article page that failed transiently: asked again on later polls until stored or given up on."""

    __tablename__ = "pending_pages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(Text)
    keys: Mapped[list[str]] = mapped_column(default=list)  # the keys the article will be stored under
    entry: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the feed entry, to store it from the feed
    first_failed: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    next_attempt: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)

    __table_args__ = (UniqueConstraint("source_id", "url", name="uq_pending_pages_source_url"),)


class FetchLog(Base):
    __tablename__ = "fetch_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    started: Mapped[datetime] = mapped_column(default=utcnow)
    finished: Mapped[datetime | None] = mapped_column(default=None)
    outcome: Mapped[str] = mapped_column(String(20))  # ok | not_modified | unchanged | error
    http_status: Mapped[int | None] = mapped_column(Integer, default=None)
    entries: Mapped[int] = mapped_column(Integer, default=0)
    new_articles: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, default=None)


class Alert(Base):
    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule: Mapped[str] = mapped_column(String(200))
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    matched: Mapped[list[str]] = mapped_column(default=list)
    created: Mapped[datetime] = mapped_column(default=utcnow)
    # The article's story when the alert was raised: the guard of one alert per (rule, story),
    # which holds with concurrent writers. None for an article in no story (it has no facts).
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id", ondelete="SET NULL"), default=None)

    __table_args__ = (
        UniqueConstraint("rule", "article_id", name="uq_alerts_rule_article"),
        # NULLs are distinct in a unique index (SQLite, PostgreSQL): articles without a story
        # keep one alert per (rule, article).
        Index("uq_alerts_rule_story", "rule", "story_id", unique=True),
    )


class Delivery(Base):
    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt: Mapped[datetime] = mapped_column(default=utcnow)
    sent: Mapped[datetime | None] = mapped_column(default=None)
    # The holder of an outstanding claim (ClaimHolder.id); None when nobody is sending it.
    claimed_by: Mapped[str | None] = mapped_column(String(32), default=None)
    # Held for a digest (the rule's policy, db/policy.py): due with the digest of its rule and
    # channel at this time, never sent on its own. ``digest_id`` is set when that digest is made.
    hold_until: Mapped[datetime | None] = mapped_column(default=None)
    digest_id: Mapped[int | None] = mapped_column(
        ForeignKey("digests.id", ondelete="SET NULL"), default=None, index=True
    )

    __table_args__ = (
        UniqueConstraint("alert_id", "channel", name="uq_deliveries_alert_channel"),
        Index("ix_deliveries_due", "status", "next_attempt"),
        # max_per_hour counts a channel's deliveries of the last hour for every alert it raises.
        Index("ix_deliveries_channel_created", "channel", "created"),
    )


class Digest(Base):
    """One message listing the held deliveries of a rule to a channel, due at ``due``.

    Made, with its members marked, in one transaction once ``due`` has come;
    unique per (rule, channel, due), so a window is never sent twice. It is
    claimed, retried and finished like a delivery, and its members with it.
    """

    __tablename__ = "digests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(200))
    due: Mapped[datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt: Mapped[datetime] = mapped_column(default=utcnow)
    sent: Mapped[datetime | None] = mapped_column(default=None)
    claimed_by: Mapped[str | None] = mapped_column(String(32), default=None)

    __table_args__ = (
        UniqueConstraint("rule", "channel", "due", name="uq_digests_rule_channel_due"),
        Index("ix_digests_due", "status", "next_attempt"),
    )


class ClaimHolder(Base):
    """A process claiming deliveries, recorded so that others can tell when it is gone (db/holders.py)."""

    __tablename__ = "claim_holders"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    # Boot id and pid namespace: where ``pid`` names the same process for everyone who shares them.
    machine: Mapped[str] = mapped_column(String(255), default="")
    pid: Mapped[int] = mapped_column(Integer)
    process_start: Mapped[float] = mapped_column(Float)  # seconds after the machine booted
    started: Mapped[datetime] = mapped_column(default=utcnow)
    heartbeat: Mapped[datetime] = mapped_column(default=utcnow)


class CrawlJob(Base):
    """The scheduler role's row of one source: when it is due, and its crawl job (db/jobs.py).

    Narrow and apart from ``sources`` on purpose: a tick moves every due
    source on and queues it by updating these rows alone, 50,000 in well
    under a second. ``queued_at`` is set while a crawl is waiting or running
    (once per source: a source due again meanwhile is not queued twice). A
    claimed job names its holder (db/holders.py) and has a lease its holder
    renews; a lost worker's job is claimed again by another.
    """

    __tablename__ = "crawl_jobs"

    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True)
    next_poll_at: Mapped[datetime | None] = mapped_column(default=None)  # None: not scheduled
    every_seconds: Mapped[float | None] = mapped_column(Float, default=None)  # None: a cron source
    jitter_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    queued_at: Mapped[datetime | None] = mapped_column(default=None)
    claimed_by: Mapped[str | None] = mapped_column(String(32), default=None)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # claims of the queued job so far
