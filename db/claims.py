"""Claimed work of the deliverers, single deliveries and digests alike: claimed, then ended by an outcome.

A row moves ``pending`` → ``sent`` | ``failed``. A sender claims due rows
with a lease (``next_attempt`` pushed past the expected send time) and its
holder id (``claimed_by``, see db/holders.py), so a process killed mid-send
leaves the row pending, due again once its holder is gone or the lease runs
out. On PostgreSQL the claim also takes ``FOR UPDATE SKIP LOCKED`` so
concurrent workers never claim the same row; SQLite serialises writers with
``BEGIN IMMEDIATE`` instead.

An outcome (sent, failed, retry later) applies only to a row still pending
and ends the claim. A digest's members, the deliveries it carries, take its
outcome in the same transaction: sent together, failed together.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from db.engine import Database
from db.models import Delivery, Digest

PENDING, SENT, FAILED = "pending", "sent", "failed"
DEFAULT_LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class Claims:
    """How the rows of one table are claimed and how a claim ends."""

    table: type[Delivery] | type[Digest]
    # A digest's members are the deliveries naming it: they follow its outcome, but keep their own
    # next attempt (a member is never claimed on its own).
    members: bool = False

    def claim(
        self,
        session: Session,
        due: Sequence[ColumnElement[bool]],
        now: datetime,
        limit: int,
        *,
        channels: Collection[str] | None,
        lease: timedelta,
        holder: str | None,
    ) -> list[int]:
        """Claim up to ``limit`` pending rows matching ``due`` whose attempt is due at ``now``, oldest
        first, for ``lease``; return their ids in that order. Runs in the caller's write transaction."""
        table = self.table
        query = select(table.id).where(table.status == PENDING, table.next_attempt <= now, *due)
        if channels is not None:
            query = query.where(table.channel.in_(list(channels)))
        query = query.order_by(table.next_attempt, table.id).limit(limit)
        ids = list(session.scalars(query.with_for_update(skip_locked=True)))
        if ids:
            session.execute(
                update(table).where(table.id.in_(ids)).values(next_attempt=now + lease, claimed_by=holder)
            )
        return ids

    def mark_sent(self, database: Database, row_id: int, when: datetime) -> bool:
        """The channel's server accepted the message."""
        return self._finish(database, row_id, status=SENT, sent=when, last_error=None)

    def mark_failed(self, database: Database, row_id: int, error: str, *, attempted: bool = True) -> bool:
        """Give up; ``error`` is what ``newsmon alerts`` shows."""
        return self._finish(database, row_id, attempted=attempted, status=FAILED, last_error=error)

    def mark_retry(
        self, database: Database, row_id: int, error: str, next_attempt: datetime, *, attempted: bool = True
    ) -> bool:
        """Keep the row pending, due again at ``next_attempt``."""
        return self._finish(
            database, row_id, attempted=attempted, last_error=error, next_attempt=next_attempt
        )

    def release(self, database: Database, row_ids: Sequence[int], next_attempt: datetime) -> None:
        """Hand claimed rows back unattempted, due at ``next_attempt`` instead of at the lease's end."""
        if not row_ids:
            return
        table = self.table
        with database.write() as session:
            session.execute(
                update(table)
                .where(table.id.in_(list(row_ids)), table.status == PENDING)
                .values(next_attempt=next_attempt, claimed_by=None)
            )

    def _finish(self, database: Database, row_id: int, *, attempted: bool = True, **values: Any) -> bool:
        values["claimed_by"] = None  # an outcome ends the claim
        table = self.table
        with database.write() as session:
            result = session.execute(
                update(table)
                .where(table.id == row_id, table.status == PENDING)
                .values(**values, **({"attempts": table.attempts + 1} if attempted else {}))
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                return False
            if self.members:
                values.pop("next_attempt", None)
                if attempted:
                    values["attempts"] = Delivery.attempts + 1
                session.execute(
                    update(Delivery)
                    .where(Delivery.digest_id == row_id, Delivery.status == PENDING)
                    .values(**values)
                )
            return True


DELIVERIES = Claims(Delivery)
DIGESTS = Claims(Digest, members=True)
