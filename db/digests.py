"""Digests: held deliveries gathered into one message per (rule, channel, window), exactly once.

A delivery held by its rule's policy (db/policy.py; ``raise_alerts`` in
db/outbox.py) waits with ``hold_until``: when its window's digest is due.
Once that time has come, :func:`make_due_digests` makes the digest row and
marks its members in one transaction. The row is unique per (rule, channel,
due), so a window's digest is made once; a crash either made it with all
its members or left them all held for the next pass.

From then on a digest is claimed, sent, retried and failed like a delivery
(a lease, a holder, outcomes that end the claim; see db/claims.py), and its
members follow it in the same transaction: sent together, failed together.
Its members are fixed when it is made, so every attempt sends the same
message under the same key.

A delivery held for a window whose digest was made already (an alert raised
on a clock behind the deliverer's, after the window closed) goes into a
digest of its own, due at once: never into a message already on its way.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from db.claims import DEFAULT_LEASE, DIGESTS, FAILED, PENDING
from db.engine import Database
from db.models import Alert, Article, Delivery, Digest, Source, Story
from db.outbox import insert_ignoring_conflict


@dataclass(frozen=True)
class DigestEntry:
    """One held alert of a digest, with its article and, when filed in one, its story."""

    delivery_id: int
    alert_id: int
    raised: datetime
    terms: tuple[str, ...]
    article_id: int
    title: str
    url: str
    source: str
    published: datetime | None
    amounts: tuple[dict[str, Any], ...]
    story_id: int | None = None
    story_title: str | None = None
    story_outlets: tuple[str, ...] = ()
    story_amount: dict[str, Any] | None = None


@dataclass(frozen=True)
class DigestJob:
    """A claimed digest with its members, oldest alert first."""

    digest_id: int
    rule: str
    channel: str
    due: datetime
    attempts: int
    created: datetime
    last_error: str | None
    entries: tuple[DigestEntry, ...]

    @property
    def label(self) -> str:
        return f"digest {self.digest_id} ({self.rule}, {len(self.entries)} alerts)"


# ------------------------------------------------------------------- making


def make_due_digests(database: Database, now: datetime, channels: Collection[str]) -> int:
    """Make the digests of ``channels`` whose time has come, each with its members; return how many."""
    made = 0
    with database.write() as session:
        windows = session.execute(
            select(Alert.rule, Delivery.channel, Delivery.hold_until)
            .join(Alert, Alert.id == Delivery.alert_id)
            .where(
                Delivery.status == PENDING,
                Delivery.digest_id.is_(None),
                Delivery.hold_until <= now,
                Delivery.channel.in_(list(channels)),
            )
            .distinct()
        ).all()
        for rule, channel, due in windows:
            if due is not None:  # the query's condition; typed optional as the column is
                made += _make(session, rule, channel, due, now)
    return made


def _make(session: Session, rule: str, channel: str, due: datetime, now: datetime) -> int:
    digest_id = _new_digest(session, rule, channel, due, now)
    if digest_id is None:
        # The window's digest exists: these members came late. They go out on their own, now.
        digest_id = _new_digest(session, rule, channel, now, now)
        if digest_id is None:
            return 0  # made by another deliverer this very instant: the next pass sees to them
    members = session.execute(
        update(Delivery)
        .where(
            Delivery.status == PENDING,
            Delivery.digest_id.is_(None),
            Delivery.channel == channel,
            Delivery.hold_until == due,
            Delivery.alert_id.in_(select(Alert.id).where(Alert.rule == rule)),
        )
        .values(digest_id=digest_id)
    )
    if not members.rowcount:  # type: ignore[attr-defined]
        # Another deliverer took them between our look and our update: no empty digest.
        session.execute(delete(Digest).where(Digest.id == digest_id))
        return 0
    return 1


def _new_digest(session: Session, rule: str, channel: str, due: datetime, now: datetime) -> int | None:
    values = {
        "rule": rule,
        "channel": channel,
        "due": due,
        "status": PENDING,
        "attempts": 0,
        "created": now,
        "next_attempt": now,
    }
    return insert_ignoring_conflict(session, Digest, values, ("rule", "channel", "due"))


# ----------------------------------------------------------------- claiming


def due_digests(
    database: Database,
    now: datetime,
    limit: int,
    *,
    channels: Collection[str] | None = None,
    lease: timedelta = DEFAULT_LEASE,
    holder: str | None = None,
) -> list[DigestJob]:
    """Claim up to ``limit`` pending digests due at ``now``, oldest first, as ``due_deliveries`` does."""
    with database.write() as session:
        ids = DIGESTS.claim(session, (), now, limit, channels=channels, lease=lease, holder=holder)
        if not ids:
            return []
        digests = {d.id: d for d in session.scalars(select(Digest).where(Digest.id.in_(ids)))}
        entries = _entries(session, ids)
        # Every member pruned with its article (retention) before the digest went out: nothing to say.
        empty = [i for i in ids if i not in entries]
        if empty:
            session.execute(delete(Digest).where(Digest.id.in_(empty)))
        return [_job(digests[i], entries[i]) for i in ids if i in digests and i in entries]


_ENTRY_COLUMNS = (
    select(
        Delivery.digest_id,
        Delivery.id.label("delivery_id"),
        Alert.id.label("alert_id"),
        Alert.created.label("raised"),
        Alert.matched.label("terms"),
        Article.id.label("article_id"),
        Article.title,
        Article.url,
        Source.name.label("source"),
        Article.published,
        Article.amounts,
        Story.id.label("story_id"),
        Story.title.label("story_title"),
        Story.outlets.label("story_outlets"),
        Story.amount.label("story_amount"),
    )
    .join(Alert, Alert.id == Delivery.alert_id)
    .join(Article, Article.id == Alert.article_id)
    .join(Source, Source.id == Article.source_id)
    .outerjoin(Story, Story.id == Article.story_id)
)


def _entries(session: Session, digest_ids: Sequence[int]) -> dict[int, list[DigestEntry]]:
    rows = session.execute(
        _ENTRY_COLUMNS.where(Delivery.digest_id.in_(list(digest_ids))).order_by(Alert.created, Delivery.id)
    )
    found: dict[int, list[DigestEntry]] = {}
    for row in rows:
        values = row._asdict()
        digest_id = values.pop("digest_id")
        values["terms"] = tuple(values["terms"] or ())
        values["amounts"] = tuple(values["amounts"] or ())
        values["story_outlets"] = tuple(values["story_outlets"] or ())
        found.setdefault(digest_id, []).append(DigestEntry(**values))
    return found


def _job(digest: Digest, entries: list[DigestEntry]) -> DigestJob:
    return DigestJob(
        digest_id=digest.id,
        rule=digest.rule,
        channel=digest.channel,
        due=digest.due,
        attempts=digest.attempts,
        created=digest.created,
        last_error=digest.last_error,
        entries=tuple(entries),
    )


def retry_held(session: Session, delivery_id: int, now: datetime) -> bool:
    """ "Retry now" for a delivery held for a digest; False when it is not one (or is sent).

    A held one waiting for its window goes out in a digest made now; a member
    of a pending digest makes that digest due now; a member of a failed one
    leaves it, to go out in a new digest made now.
    """
    row = session.execute(
        select(Delivery.status, Delivery.hold_until, Delivery.digest_id).where(Delivery.id == delivery_id)
    ).one_or_none()
    if row is None or row.hold_until is None or row.status not in (PENDING, FAILED):
        return False
    pending_digest = (
        row.digest_id is not None
        and session.scalar(select(Digest.status).where(Digest.id == row.digest_id)) == PENDING
    )
    if pending_digest:
        session.execute(update(Digest).where(Digest.id == row.digest_id).values(next_attempt=now))
    else:
        session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id)
            .values(status=PENDING, hold_until=now, next_attempt=now, digest_id=None)
        )
    return True


# ------------------------------------------------------------------ outcomes

# The digest's members take its outcome with it (db/claims.py).
mark_sent = DIGESTS.mark_sent
mark_failed = DIGESTS.mark_failed
mark_retry = DIGESTS.mark_retry
release = DIGESTS.release
