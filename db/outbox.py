"""The alerts outbox: alerts and their deliveries, raised and claimed.

Alerts are written by ``raise_alerts`` inside the transaction that stores the
article (the outbox pattern): the article and its alerts land together or not
at all. One alert per (rule, article), one per (rule, story) and one delivery
per (alert, channel) are unique constraints; inserts skip conflicts instead of
failing, so a duplicate never aborts the article's transaction.

A delivery moves ``pending`` → ``sent`` | ``failed``: senders claim due
deliveries with a lease and their holder id, and an outcome ends the claim,
as for digests (db/claims.py).

A rule's policy (db/policy.py) is applied when its alert is raised: a
delivery held for a digest (``deliver: digest``, quiet hours, past
``max_per_hour``) records ``hold_until``, is never claimed on its own, and
goes out with its digest (db/digests.py); ``baseline`` raises nothing for a
source's first crawl.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, cast

from sqlalchemy import Insert, Table, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.claims import DEFAULT_LEASE, DELIVERIES, PENDING
from db.engine import Database
from db.locks import hold_until_commit
from db.models import Alert, Article, Delivery, Digest, Source, utcnow
from db.policy import IMMEDIATE, DeliveryPolicy

# Listed without the ORM, with the other reads (db.queries); named here too, beside what they list.
from db.queries import DeliveryRow as DeliveryRow
from db.queries import alert_rules as alert_rules
from db.queries import list_deliveries as list_deliveries


class AlertMatch(Protocol):
    """What the rule engine reports for one rule matching one article."""

    @property
    def rule(self) -> str: ...

    @property
    def channels(self) -> Sequence[str]: ...

    @property
    def terms(self) -> Sequence[str]: ...

    # Optionally also ``policy``, a DeliveryPolicy: see policy_of.


@dataclass(frozen=True)
class DeliveryJob:
    """A claimed delivery with everything a message needs."""

    delivery_id: int
    alert_id: int
    channel: str
    attempts: int
    created: datetime
    last_error: str | None
    rule: str
    terms: tuple[str, ...]
    article_id: int
    title: str
    url: str
    source: str
    published: datetime | None
    language: str | None
    summary: str
    lead: str
    text: str
    events: tuple[dict[str, Any], ...] = ()  # the article's news: {type, actors, amount, sentence}


# ------------------------------------------------------------------ raising


def raise_alerts(
    session: Session,
    article_id: int,
    matches: Sequence[AlertMatch],
    now: datetime | None = None,
    story_id: int | None = None,
) -> list[int]:
    """Record the alerts of one stored article and their pending deliveries; return the new alert ids.

    Runs in the caller's transaction. An alert that already exists for the
    (rule, article), or for the (rule, story) of the article's ``story_id``,
    is left alone, with its deliveries: raising twice is a no-op, and a story
    told by twenty outlets alerts once per rule. Each match's rule policy
    (db/policy.py) decides whether its deliveries go out at once or are held
    for a digest, and whether a new source's first crawl raises it at all
    (``baseline``).
    """
    now = now or utcnow()
    if any(policy_of(match).baseline for match in matches) and _first_crawl(session, article_id):
        matches = [match for match in matches if not policy_of(match).baseline]
    _take_turns_at_caps(session, matches, now)
    new_ids: list[int] = []
    for match in matches:
        values = {
            "rule": match.rule,
            "article_id": article_id,
            "story_id": story_id,
            "matched": list(match.terms),
            "created": now,
        }
        alert_id = insert_ignoring_conflict(session, Alert, values, None)
        if alert_id is None:
            continue
        new_ids.append(alert_id)
        for channel in dict.fromkeys(match.channels):
            hold_until = _hold_until(session, policy_of(match), match.rule, channel, now)
            insert_ignoring_conflict(
                session,
                Delivery,
                {
                    "alert_id": alert_id,
                    "channel": channel,
                    "status": PENDING,
                    "created": now,
                    "next_attempt": hold_until or now,
                    "hold_until": hold_until,
                },
                ("alert_id", "channel"),
            )
    return new_ids


def policy_of(match: AlertMatch) -> DeliveryPolicy:
    # The rule engine's matches carry their rule's policy; a bare match (a script's) goes out at once.
    policy = getattr(match, "policy", None)
    return policy if isinstance(policy, DeliveryPolicy) else IMMEDIATE


def _take_turns_at_caps(session: Session, matches: Sequence[AlertMatch], now: datetime) -> None:
    """Writers raising alerts of a rule with ``max_per_hour`` at once count that hour's deliveries one
    after the other, each seeing the other's: otherwise both count below the cap and both send.

    The locks are held until the article's transaction ends, taken in one order for an article. (A
    storage batch of several articles may take them in another: PostgreSQL then breaks the rare
    deadlock, and the batch is stored again one article at a time.)
    """
    capped = {
        (match.rule, channel)
        for match in matches
        # A rule holding its alerts anyway (a digest, quiet hours) counts nothing.
        if policy_of(match).max_per_hour is not None and policy_of(match).hold_until(now) is None
        for channel in match.channels
    }
    for rule, channel in sorted(capped):
        hold_until_commit(session, f"max_per_hour {rule} {channel}")


def _first_crawl(session: Session, article_id: int) -> bool:
    """Whether the article's source has never been fetched successfully: this is its first crawl.

    A crawl records its sources when it ends, so every article of a first
    crawl (also one killed and started again) sees no success yet.
    """
    last_success = session.scalar(
        select(Source.last_success)
        .join(Article, Article.source_id == Source.id)
        .where(Article.id == article_id)
    )
    return last_success is None


def _hold_until(
    session: Session, policy: DeliveryPolicy, rule: str, channel: str, now: datetime
) -> datetime | None:
    """When the digest this delivery waits for is due, or None to send it at once."""
    held = policy.hold_until(now)
    if held is not None or policy.max_per_hour is None:
        return held
    start, _ = policy.hour(now)
    # Stops at the cap: the hour's first deliveries are the ones sent at once, found first by the index.
    first_of_hour = (
        select(Delivery.id)
        .join(Alert, Alert.id == Delivery.alert_id)
        .where(
            Delivery.channel == channel,
            Delivery.created >= start,
            Delivery.hold_until.is_(None),
            Alert.rule == rule,
        )
        .order_by(Delivery.created)
        .limit(policy.max_per_hour)
    )
    sent_at_once = session.scalar(select(func.count()).select_from(first_of_hour.subquery()))
    return policy.over_cap_until(now) if (sent_at_once or 0) >= policy.max_per_hour else None


def insert_ignoring_conflict(
    session: Session,
    model: type[Alert] | type[Delivery] | type[Digest],
    values: dict[str, Any],
    keys: tuple[str, ...] | None,
) -> int | None:
    """Insert one row unless it breaks the unique constraint on ``keys`` (None: any of the table's);
    return its id, None on conflict."""
    connection = session.connection()
    stmt = _ignoring_conflict(connection.dialect.name, model, keys)
    if stmt is None:
        # No portable ON CONFLICT: a savepoint keeps the caller's transaction alive.
        try:
            with session.begin_nested():
                return session.execute(insert(model).values(values).returning(model.id)).scalar_one()
        except IntegrityError:
            return None
    return connection.execute(stmt, values).scalar_one_or_none()


@functools.cache
def _ignoring_conflict(
    dialect: str, model: type[Alert] | type[Delivery] | type[Digest], keys: tuple[str, ...] | None
) -> Insert | None:
    """The Core INSERT ... ON CONFLICT DO NOTHING RETURNING id of a table, built once: a crawl
    raises alerts article after article, and building the statement cost more than running it."""
    table = cast(Table, model.__table__)
    # Each dialect's insert is imported only where it runs: loading the PostgreSQL dialect costs a
    # SQLite user's every command a tenth of a second.
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table).on_conflict_do_nothing(index_elements=keys).returning(table.c.id)
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(table).on_conflict_do_nothing(index_elements=keys).returning(table.c.id)
    return None


# ----------------------------------------------------------------- claiming


def due_deliveries(
    database: Database,
    now: datetime,
    limit: int,
    *,
    channels: Collection[str] | None = None,
    lease: timedelta = DEFAULT_LEASE,
    holder: str | None = None,
) -> list[DeliveryJob]:
    """Claim up to ``limit`` pending deliveries due at ``now``, oldest first, for ``lease``.

    ``channels`` restricts the claim to those channels (the configured ones);
    ``holder`` (a db.holders id) is recorded with the claim.
    The lease must outlast the send: a claimed delivery is due again at
    ``now + lease`` unless marked sent, failed or retried before.
    """
    with database.write() as session:
        # A held delivery goes out only with its digest.
        due = [Delivery.hold_until.is_(None)]
        ids = DELIVERIES.claim(session, due, now, limit, channels=channels, lease=lease, holder=holder)
        if not ids:
            return []
        rows = session.execute(_JOB_COLUMNS.where(Delivery.id.in_(ids))).all()
    jobs = {row.delivery_id: _job(row._asdict()) for row in rows}
    return [jobs[i] for i in ids if i in jobs]


# Labelled with DeliveryJob's field names: a row becomes a job by name, never by position.
_JOB_COLUMNS = (
    select(
        Delivery.id.label("delivery_id"),
        Delivery.alert_id,
        Delivery.channel,
        Delivery.attempts,
        Delivery.created,
        Delivery.last_error,
        Alert.rule,
        Alert.matched.label("terms"),
        Article.id.label("article_id"),
        Article.title,
        Article.url,
        Source.name.label("source"),
        Article.published,
        Article.language,
        Article.summary,
        Article.lead,
        Article.text,
        Article.events,
    )
    .join(Alert, Alert.id == Delivery.alert_id)
    .join(Article, Article.id == Alert.article_id)
    .join(Source, Source.id == Article.source_id)
)


def _job(values: dict[str, Any]) -> DeliveryJob:
    return DeliveryJob(
        **{**values, "terms": tuple(values["terms"] or ()), "events": tuple(values["events"] or ())}
    )


def next_due_time(database: Database, channels: Collection[str] | None = None) -> datetime | None:
    """When the earliest pending delivery or digest (of ``channels``, if given) is due.

    A held delivery is due when its digest is to be made; once made, the digest is what is due.
    """
    # A held delivery is waited for until its window ends, whatever its next attempt says.
    deliveries = select(func.min(func.coalesce(Delivery.hold_until, Delivery.next_attempt))).where(
        Delivery.status == PENDING, Delivery.digest_id.is_(None)
    )
    digests = select(func.min(Digest.next_attempt)).where(Digest.status == PENDING)
    if channels is not None:
        deliveries = deliveries.where(Delivery.channel.in_(list(channels)))
        digests = digests.where(Digest.channel.in_(list(channels)))
    with database.read() as session:
        times = [session.scalar(deliveries), session.scalar(digests)]
    return min((t for t in times if t is not None), default=None)


def pending_count(database: Database, channel: str | None = None, *, held: bool = False) -> int:
    """Pending deliveries (of ``channel``); with ``held``, only those held for a digest."""
    query = select(func.count()).select_from(Delivery).where(Delivery.status == PENDING)
    if channel is not None:
        query = query.where(Delivery.channel == channel)
    if held:
        query = query.where(Delivery.hold_until.is_not(None))
    with database.read() as session:
        return session.scalar(query) or 0


# ------------------------------------------------------------------ outcomes

mark_sent = DELIVERIES.mark_sent
mark_failed = DELIVERIES.mark_failed
mark_retry = DELIVERIES.mark_retry
release = DELIVERIES.release


def flag_unconfigured(database: Database, configured: Collection[str]) -> list[str]:
    """Note on pending deliveries whose channel is not configured why they wait; return those channels.

    They stay pending, untouched otherwise: configuring the channel again
    delivers them.
    """
    with database.read() as session:
        missing = list(
            session.scalars(
                select(Delivery.channel)
                .where(Delivery.status == PENDING, Delivery.channel.not_in(list(configured)))
                .distinct()
            )
        )
    if missing:
        with database.write() as session:
            for channel in missing:
                reason = f"channel {channel!r} not configured"
                session.execute(
                    update(Delivery)
                    .where(Delivery.status == PENDING, Delivery.channel == channel)
                    .where((Delivery.last_error.is_(None)) | (Delivery.last_error != reason))
                    .values(last_error=reason)
                )
    return sorted(missing)
