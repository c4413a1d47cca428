"""Human durations: ``30s``, ``15m``, ``2h``, ``1d``, ``1w`` and sums like ``1h30m``.

Used by ``config.yaml`` (``every``, ``retry_min``, …) and by ``--since`` on the
command line. A bare number is refused — ``every: 30`` could mean seconds or
minutes, and guessing wrong polls a site 60 times too often — except ``0``,
which means the same in every unit.
"""

from __future__ import annotations

import re
from datetime import timedelta

HINT = "use 30s, 15m, 2h, 1d"

_UNITS: dict[str, timedelta] = {}
for _names, _unit in (
    (("s", "sec", "secs", "second", "seconds"), timedelta(seconds=1)),
    (("m", "min", "mins", "minute", "minutes"), timedelta(minutes=1)),
    (("h", "hr", "hrs", "hour", "hours"), timedelta(hours=1)),
    (("d", "day", "days"), timedelta(days=1)),
    (("w", "week", "weeks"), timedelta(weeks=1)),
):
    for _name in _names:
        _UNITS[_name] = _unit

_PART = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-z]+)", re.IGNORECASE)


class DurationError(ValueError):
    """A text is not a duration; the message quotes it and shows the accepted forms."""

    def __init__(self, text: str, reason: str = "") -> None:
        self.text = text
        detail = f": {reason}" if reason else ""
        super().__init__(f"bad duration {text!r}{detail} ({HINT})")


def parse_duration(text: str) -> timedelta:
    """``"1h30m"`` → ``timedelta(hours=1, minutes=30)``; raises :class:`DurationError`."""
    stripped = text.strip()
    if stripped == "0":
        return timedelta(0)
    total = timedelta(0)
    pos = 0
    seen: set[timedelta] = set()
    while pos < len(stripped):
        match = _PART.match(stripped, pos)
        if match is None:
            raise DurationError(text)
        unit = _UNITS.get(match.group(2).lower())
        if unit is None:
            raise DurationError(text)
        if unit in seen:
            # "1h2h" is a typo, not a sum anyone means.
            raise DurationError(text, f"unit {match.group(2)!r} given twice")
        seen.add(unit)
        total += float(match.group(1)) * unit
        pos = match.end()
    if not seen:
        raise DurationError(text)
    return total


def format_duration(value: timedelta) -> str:
    """The shortest text :func:`parse_duration` reads back: ``1h30m``, ``2d``, ``0.5s``."""
    seconds = value.total_seconds()
    if seconds < 0:
        return "-" + format_duration(-value)
    if seconds == 0:
        return "0s"
    whole = int(seconds)
    parts: list[str] = []
    for suffix, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        count, whole = divmod(whole, size)
        if count:
            parts.append(f"{count}{suffix}")
    rest = whole + (seconds - int(seconds))
    if rest:
        parts.append(f"{rest:g}s")
    return "".join(parts)
