"""The alerts outbox: alerts and their deliveries, raised and claimed.

Alerts are written by ``raise_alerts`` inside the transaction that stores the
article (the outbox pattern): the article and its alerts land together or not
at all. One alert per (rule, article), one per (rule, story) and one delivery
per (alert, channel) are unique constraints; inserts skip conflicts instead of
failing, so a duplicate never aborts the article's transaction.

A delivery moves ``pending`` → ``sent`` | ``failed``. Senders claim due
deliveries with a lease — ``next_attempt`` is pushed past the expected send
time — and their holder id (``claimed_by``, see db/holders.py), so a process
killed mid-send leaves the delivery pending, due again as soon as another
process sees its holder gone, and at the latest once the lease runs out.
On PostgreSQL the claim also takes ``FOR UPDATE SKIP LOCKED`` so concurrent
workers never claim the same row; SQLite serialises writers with ``BEGIN
IMMEDIATE`` instead.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Insert, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import Alert, Article, Delivery, Source, utcnow

PENDING, SENT, FAILED = "pending", "sent", "failed"
DEFAULT_LEASE = timedelta(minutes=5)


class AlertMatch(Protocol):
    """What the rule engine reports for one rule matching one article."""

    @property
    def rule(self) -> str: ...

    @property
    def channels(self) -> Sequence[str]: ...

    @property
    def terms(self) -> Sequence[str]: ...


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


@dataclass(frozen=True)
class DeliveryRow:
    """One row of ``newsmon alerts``: a delivery of an alert to one channel."""

    id: int
    rule: str
    article_id: int
    title: str
    url: str
    channel: str
    status: str
    attempts: int
    last_error: str | None
    created: datetime
    sent: datetime | None
    story_id: int | None  # last: CSV columns keep the positions they had before stories

    def as_dict(self) -> dict[str, Any]:
        return {
            key: _iso(value) if isinstance(value, datetime) else value for key, value in asdict(self).items()
        }


def _iso(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


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
    told by twenty outlets alerts once per rule.
    """
    now = now or utcnow()
    new_ids: list[int] = []
    for match in matches:
        values = {
            "rule": match.rule,
            "article_id": article_id,
            "story_id": story_id,
            "matched": list(match.terms),
            "created": now,
        }
        alert_id = _insert_ignoring_conflict(session, Alert, values, None)
        if alert_id is None:
            continue
        new_ids.append(alert_id)
        for channel in dict.fromkeys(match.channels):
            _insert_ignoring_conflict(
                session,
                Delivery,
                {
                    "alert_id": alert_id,
                    "channel": channel,
                    "status": PENDING,
                    "created": now,
                    "next_attempt": now,
                },
                ("alert_id", "channel"),
            )
    return new_ids


def _insert_ignoring_conflict(
    session: Session,
    model: type[Alert] | type[Delivery],
    values: dict[str, Any],
    keys: tuple[str, ...] | None,
) -> int | None:
    """Insert one row unless it breaks the unique constraint on ``keys`` (None: any of the table's);
    return its id, None on conflict."""
    dialect = session.get_bind().dialect.name
    stmt: Insert
    if dialect == "sqlite":
        stmt = sqlite.insert(model).values(values).on_conflict_do_nothing(index_elements=keys)
    elif dialect == "postgresql":
        stmt = postgresql.insert(model).values(values).on_conflict_do_nothing(index_elements=keys)
    else:
        # No portable ON CONFLICT: a savepoint keeps the caller's transaction alive.
        try:
            with session.begin_nested():
                return session.execute(insert(model).values(values).returning(model.id)).scalar_one()
        except IntegrityError:
            return None
    return session.execute(stmt.returning(model.id)).scalar_one_or_none()


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
        query = select(Delivery.id).where(Delivery.status == PENDING, Delivery.next_attempt <= now)
        if channels is not None:
            query = query.where(Delivery.channel.in_(list(channels)))
        query = query.order_by(Delivery.next_attempt, Delivery.id).limit(limit)
        ids = list(session.scalars(query.with_for_update(skip_locked=True)))
        if not ids:
            return []
        session.execute(
            update(Delivery).where(Delivery.id.in_(ids)).values(next_attempt=now + lease, claimed_by=holder)
        )
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
    """When the earliest pending delivery (of ``channels``, if given) is due."""
    query = select(func.min(Delivery.next_attempt)).where(Delivery.status == PENDING)
    if channels is not None:
        query = query.where(Delivery.channel.in_(list(channels)))
    with database.read() as session:
        return session.scalar(query)


def pending_count(database: Database, channel: str | None = None) -> int:
    query = select(func.count()).select_from(Delivery).where(Delivery.status == PENDING)
    if channel is not None:
        query = query.where(Delivery.channel == channel)
    with database.read() as session:
        return session.scalar(query) or 0


# ------------------------------------------------------------------ outcomes


def mark_sent(database: Database, delivery_id: int, when: datetime) -> bool:
    """The channel's server accepted the message."""
    return _finish(database, delivery_id, status=SENT, sent=when, last_error=None)


def mark_failed(database: Database, delivery_id: int, error: str, *, attempted: bool = True) -> bool:
    """Give up on a delivery; ``error`` is what ``newsmon alerts`` shows."""
    return _finish(database, delivery_id, attempted=attempted, status=FAILED, last_error=error)


def mark_retry(
    database: Database, delivery_id: int, error: str, next_attempt: datetime, *, attempted: bool = True
) -> bool:
    """Keep a delivery pending, due again at ``next_attempt``."""
    return _finish(database, delivery_id, attempted=attempted, last_error=error, next_attempt=next_attempt)


def release(database: Database, delivery_ids: Sequence[int], next_attempt: datetime) -> None:
    """Hand claimed deliveries back unattempted, due at ``next_attempt`` instead of at the lease's end."""
    if not delivery_ids:
        return
    with database.write() as session:
        session.execute(
            update(Delivery)
            .where(Delivery.id.in_(list(delivery_ids)), Delivery.status == PENDING)
            .values(next_attempt=next_attempt, claimed_by=None)
        )


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


def _finish(database: Database, delivery_id: int, *, attempted: bool = True, **values: Any) -> bool:
    values["claimed_by"] = None  # an outcome ends the claim
    if attempted:
        values["attempts"] = Delivery.attempts + 1
    with database.write() as session:
        result = session.execute(
            update(Delivery).where(Delivery.id == delivery_id, Delivery.status == PENDING).values(**values)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


# ------------------------------------------------------------------- listing


def delivery_rows() -> Any:
    """The columns of a :class:`DeliveryRow`, one row a delivery, with its alert and article joined."""
    return (
        select(
            Delivery.id,
            Alert.rule,
            Alert.article_id,
            Article.title,
            Article.url,
            Delivery.channel,
            Delivery.status,
            Delivery.attempts,
            Delivery.last_error,
            Delivery.created,
            Delivery.sent,
            Article.story_id,
        )
        .join(Alert, Alert.id == Delivery.alert_id)
        .join(Article, Article.id == Alert.article_id)
    )


def list_deliveries(
    database: Database, since: datetime | None = None, rule: str | None = None
) -> list[DeliveryRow]:
    """Every delivery, oldest first; ``since`` filters on the article's published (else fetched) time."""
    query = delivery_rows().order_by(Delivery.id)
    if since is not None:
        query = query.where(func.coalesce(Article.published, Article.fetched) >= since)
    if rule is not None:
        query = query.where(Alert.rule == rule)
    with database.read() as session:
        return [DeliveryRow(*row) for row in session.execute(query)]


def alert_rules(database: Database) -> list[str]:
    """The rules that have raised alerts (a rule removed from the config keeps its alerts)."""
    with database.read() as session:
        return sorted(session.scalars(select(Alert.rule).distinct()))
