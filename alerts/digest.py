"""A digest as a channel-neutral message: the held alerts of a rule, one item per story.

Alerts whose articles belong to one story (``story_id``) make one item: the
story's title, the outlets that reported it and its largest amount, linking
to the first of its articles in the digest. An article without a story is
an item of its own, with its outlet and its largest amount. Items keep the
order of their first alert. Every text is one safe line (``one_line``), as
in single alerts; each channel escapes it for its own markup and bounds the
message by its own limits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from alerts.events.facts import describe_amount
from alerts.message import one_line
from db.digests import DigestEntry, DigestJob


@dataclass(frozen=True)
class DigestItem:
    """A story (or a lone article) of the digest, every text one safe line."""

    title: str
    url: str
    outlets: tuple[str, ...]
    amount: str | None  # as single alerts show it: "$10B (10 milliards de dollars)"
    published: datetime | None
    alerts: int  # how many of the digest's alerts it stands for
    article_id: int
    story_id: int | None = None

    @property
    def date_label(self) -> str:
        return self.published.strftime("%Y-%m-%d %H:%M UTC") if self.published else "date unknown"

    @property
    def details(self) -> str:
        """ "Les Echos, Reuters · $10B (10 milliards de dollars) · 3 articles", the outlets first."""
        parts = [
            ", ".join(self.outlets),
            self.amount or "",
            f"{self.alerts} articles" if self.alerts > 1 else "",
        ]
        return " · ".join(part for part in parts if part)


@dataclass(frozen=True)
class DigestMessage:
    digest_id: int
    channel: str
    attempts: int  # earlier attempts of this digest
    rule: str
    alerts: int
    period: str  # "2026-03-29 07:10–07:55 Europe/Paris": when its alerts were raised
    items: tuple[DigestItem, ...]

    @property
    def headline(self) -> str:
        """ "ai-investment: 12 alerts in 9 stories, 2026-03-29 07:10–07:55 Europe/Paris"."""
        stories = f" in {len(self.items)} stories" if len(self.items) != self.alerts else ""
        noun = "alert" if self.alerts == 1 else "alerts"
        return f"{self.rule}: {self.alerts} {noun}{stories}, {self.period}"

    @property
    def delivery_key(self) -> str:
        """The same on every attempt of this digest and unlike any single alert's: its Message-ID and
        Idempotency-Key."""
        identity = ("digest", self.digest_id, self.channel, self.rule, *(i.article_id for i in self.items))
        digest = hashlib.sha256("\0".join(map(str, identity)).encode()).hexdigest()[:20]
        return f"newsmon-digest-{self.digest_id}-{digest}"


def message_from_digest(job: DigestJob, zone: tzinfo = UTC) -> DigestMessage:
    """The digest of ``job``; ``zone`` (the config's ``timezone``) is the one its period is told in."""
    return DigestMessage(
        digest_id=job.digest_id,
        channel=job.channel,
        attempts=job.attempts,
        rule=one_line(job.rule),
        alerts=len(job.entries),
        period=period_label([entry.raised for entry in job.entries] or [job.due], zone),
        items=digest_items(job.entries),
    )


def digest_items(entries: Sequence[DigestEntry]) -> tuple[DigestItem, ...]:
    groups: dict[tuple[str, int], list[DigestEntry]] = {}
    for entry in entries:
        key = ("story", entry.story_id) if entry.story_id is not None else ("article", entry.article_id)
        groups.setdefault(key, []).append(entry)
    return tuple(_item(members) for members in groups.values())


def _item(members: Sequence[DigestEntry]) -> DigestItem:
    first = members[0]
    if first.story_id is not None:
        outlets = first.story_outlets or tuple(dict.fromkeys(m.source for m in members))
        amount = first.story_amount or _largest(a for m in members for a in m.amounts)
        title = first.story_title or first.title
    else:
        outlets, amount, title = (first.source,), _largest(first.amounts), first.title
    return DigestItem(
        title=one_line(title) or first.url,
        url=first.url,
        outlets=tuple(one_line(outlet) for outlet in outlets),
        amount=describe_amount(amount),
        published=first.published,
        alerts=len(members),
        article_id=first.article_id,
        story_id=first.story_id,
    )


def _largest(amounts: Any) -> Mapping[str, Any] | None:
    stated = [a for a in amounts if isinstance(a, Mapping) and a.get("usd") is not None]
    return max(stated, key=lambda a: float(a["usd"]), default=None)


def period_label(times: Sequence[datetime], zone: tzinfo) -> str:
    """``2026-03-29 07:10–07:55 Europe/Paris``, or two dates when the times span days."""
    first, last = (min(times).astimezone(zone), max(times).astimezone(zone))
    name = str(getattr(zone, "key", None) or zone)
    if first == last:
        return f"{first:%Y-%m-%d %H:%M} {name}"
    end = f"{last:%H:%M}" if first.date() == last.date() else f"{last:%Y-%m-%d %H:%M}"
    return f"{first:%Y-%m-%d %H:%M}–{end} {name}"


def digest_text(digest: DigestMessage, limit: int | None = None) -> str:
    """The digest as plain text, one item a paragraph; at most ``limit`` items, then how many more."""
    shown = digest.items if limit is None else digest.items[:limit]
    lines = [f"Digest of {digest.headline}", ""]
    for item in shown:
        lines += [f"• {item.title}", f"  {item.url}", f"  {item.details or item.date_label}", ""]
    if len(shown) < len(digest.items):
        lines += [more_line(digest, len(digest.items) - len(shown)), ""]
    lines += ["-- ", "newsmon"]
    return "\n".join(lines) + "\n"


def more_line(digest: DigestMessage, hidden: int) -> str:
    return f"…and {hidden} more: newsmon alerts --rule {digest.rule}"
