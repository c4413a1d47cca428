"""When an alert is delivered: a rule's delivery policy, and the times it implies.

A rule sends each alert at once (``immediate``, the default) or holds it for
a digest: ``digest hourly`` (sent at the end of each local clock hour) or
``digest daily HH:MM``. ``quiet_hours`` hold whatever would go out inside them
until they end, then send it as one digest; ``max_per_hour`` sends at most N
alerts of a local clock hour at once and holds the rest for a digest at the
end of that hour. ``baseline`` silences the first crawl of a new source.

A held alert waits for the digest due at its window's end, an aware UTC time
that also names the digest: there is one per (rule, channel, due time).

Times are wall-clock times in the policy's zone, across DST changes:
hourly windows are the local clock hours, so the repeated hour of an autumn
change is two windows and the skipped one of spring none; a daily time that
a spring change skips (02:30) comes as if the clock had not moved (03:30
summer time), and one that an autumn change repeats comes at its first
occurrence. Quiet hours are half-open, ``[start, end)``, and may span
midnight (``22:00-07:00``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Literal

HOURLY: Literal["hourly"] = "hourly"
IMMEDIATE_WORD = "immediate"
_HOUR = timedelta(hours=1)
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
DELIVER_HINT = 'use immediate, "digest hourly" or "digest daily 08:00"'
QUIET_HINT = 'use "HH:MM-HH:MM", 24-hour clock: "22:00-07:00"'


class PolicyError(ValueError):
    """A policy value that cannot be read; the message says what to write instead."""


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start == self.end:
            raise PolicyError(f"quiet hours start and end at the same time ({self}): {QUIET_HINT}")

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    def contains(self, moment: time) -> bool:
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end  # spans midnight


@dataclass(frozen=True)
class DeliveryPolicy:
    """``digest``: None to send at once, ``"hourly"``, or the local time of a daily digest."""

    digest: Literal["hourly"] | time | None = None
    quiet_hours: QuietHours | None = None
    max_per_hour: int | None = None
    baseline: bool = False
    zone: tzinfo = UTC

    def __post_init__(self) -> None:
        if self.max_per_hour is not None and self.max_per_hour < 1:
            raise PolicyError("max_per_hour must be at least 1")

    @property
    def deliver(self) -> str:
        """The policy's ``deliver:`` as config.yaml writes it."""
        if self.digest is None:
            return IMMEDIATE_WORD
        return "digest hourly" if self.digest == HOURLY else f"digest daily {self.digest:%H:%M}"

    def hold_until(self, now: datetime) -> datetime | None:
        """When the digest holding an alert raised at ``now`` is due; None when it goes out at once
        (``max_per_hour`` aside: see :meth:`over_cap_until`)."""
        if self.digest == HOURLY:
            return self._outside_quiet(self.hour(now)[1])
        if isinstance(self.digest, time):
            return self._outside_quiet(next_local(now, self.digest, self.zone))
        if self.quiet_hours is not None and self.quiet_hours.contains(self._local(now).time()):
            return next_local(now, self.quiet_hours.end, self.zone)
        return None

    def hour(self, now: datetime) -> tuple[datetime, datetime]:
        """The local clock hour ``now`` falls in, as UTC start and end: what ``max_per_hour`` counts."""
        local = self._local(now)
        # Floored in local time (keeping the fold of a repeated hour), then counted in real time.
        start = local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
        return start, start + _HOUR

    def over_cap_until(self, now: datetime) -> datetime:
        """When an alert past ``max_per_hour`` goes out: in the digest at the end of its hour."""
        return self._outside_quiet(self.hour(now)[1])

    def _outside_quiet(self, due: datetime) -> datetime:
        if self.quiet_hours is not None and self.quiet_hours.contains(self._local(due).time()):
            return next_local(due, self.quiet_hours.end, self.zone)
        return due

    def _local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)


IMMEDIATE = DeliveryPolicy()


def next_local(now: datetime, at: time, zone: tzinfo) -> datetime:
    """The first moment after ``now`` when the clock in ``zone`` reads ``at``, in UTC."""
    day = now.astimezone(zone).date()
    for offset in range(3):  # today, tomorrow, or (past a DST change late in the day) the day after
        candidate = datetime.combine(day + timedelta(days=offset), at, tzinfo=zone).astimezone(UTC)
        if candidate > now:
            return candidate
    raise AssertionError("unreachable: a local time recurs within three days")


def parse_clock(text: str, where: str) -> time:
    """``"07:00"`` → 07:00; ``where`` names the value in the error."""
    match = _CLOCK.match(text.strip())
    if match is None:
        raise PolicyError(f"bad time {text.strip()!r} in {where} (24-hour HH:MM, 00:00 to 23:59)")
    return time(int(match.group(1)), int(match.group(2)))


def parse_deliver(text: str) -> Literal["hourly"] | time | None:
    """``immediate`` → None, ``digest hourly`` → "hourly", ``digest daily 08:00`` → 08:00."""
    words = text.split()
    if [w.lower() for w in words] == [IMMEDIATE_WORD]:
        return None
    if len(words) >= 2 and words[0].lower() == "digest":
        if words[1].lower() == HOURLY and len(words) == 2:
            return HOURLY
        if words[1].lower() == "daily":
            if len(words) != 3:
                raise PolicyError(f'{text!r}: a daily digest needs its time, e.g. "digest daily 08:00"')
            return parse_clock(words[2], "deliver")
    raise PolicyError(f"bad deliver {text!r} ({DELIVER_HINT})")


def parse_quiet_hours(text: str) -> QuietHours:
    """``"22:00-07:00"`` → 22:00 to 07:00 the next morning."""
    start, dash, end = text.strip().partition("-")
    if not dash or not start.strip() or not end.strip():
        raise PolicyError(f"bad quiet_hours {text!r} ({QUIET_HINT})")
    return QuietHours(parse_clock(start, "quiet_hours"), parse_clock(end, "quiet_hours"))
