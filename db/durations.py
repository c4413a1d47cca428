"""Human durations: ``30s``, ``15m``, ``2h``, ``1d``, ``1w`` and sums like ``1h30m``.

Read from ``config.yaml`` (``every``, ``retry_min``, …) and ``--since`` on the
command line; written in every message that states a duration (a retry's
wait, a stale source's silence) in the same form. A bare number is refused —
``every: 30`` could mean seconds or minutes, and guessing wrong polls a site
60 times too often — except ``0``, which means the same in every unit.
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


def format_duration(value: timedelta, parts: int | None = None) -> str:
    """The shortest text :func:`parse_duration` reads back: ``1h30m``, ``2d``, ``0.5s``.

    ``parts``: at most that many units, rounded to the smallest one kept —
    ``2d12h`` for 2 days 12 hours 3 minutes, ``1h`` for 59 minutes 59.6
    seconds — what a message needs; under a minute, three significant digits.
    """
    seconds = value.total_seconds()
    if seconds < 0:
        return "-" + format_duration(-value, parts)
    if parts is not None:
        seconds = _rounded(seconds, parts)
    if seconds == 0:
        return "0s"
    whole = int(seconds)
    out: list[str] = []
    for suffix, size in _SIZES[:-1]:
        count, whole = divmod(whole, size)
        if count:
            out.append(f"{count}{suffix}")
    rest = whole + (seconds - int(seconds))
    if rest:
        out.append(f"{rest:g}s")
    return "".join(out)


_SIZES = (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1))


def _rounded(seconds: float, parts: int) -> float:
    largest = next((i for i, (_, size) in enumerate(_SIZES) if seconds >= size), len(_SIZES) - 1)
    smallest = _SIZES[min(largest + max(parts, 1) - 1, len(_SIZES) - 1)][1]
    if smallest == 1 and seconds < 60:
        return float(f"{seconds:.3g}")
    return float(round(seconds / smallest) * smallest)
