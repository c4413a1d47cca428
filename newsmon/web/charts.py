"""Small charts as inline SVG geometry, computed here and drawn by the templates (no script, no style).

A chart is numbers only: the templates turn it into ``<rect>``/``<circle>``
elements with autoescaped ``<title>`` tooltips, so nothing stored can reach
the markup unescaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from db.web import DayCount


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: tuple[Bar, ...]
    total: int
    peak: int
    label: str


def daily_bars(
    counts: Sequence[DayCount],
    days: int,
    today: date,
    *,
    width: int = 150,
    height: int = 32,
    unit: str = "articles",
) -> Chart:
    """One bar per day of the last ``days`` (today included), scaled to the busiest day."""
    by_day = {c.day: c.count for c in counts}
    span = [today - timedelta(days=days - 1 - i) for i in range(days)]
    values = [by_day.get(day, 0) for day in span]
    peak = max(values, default=0)
    step = width / days
    bars = []
    for i, (day, value) in enumerate(zip(span, values, strict=True)):
        tall = (height - 1) * value / peak if peak else 0.0
        # Even an empty day gets a hairline, so the axis reads as days.
        tall = max(tall, 1.0)
        bars.append(
            Bar(
                x=round(i * step, 2),
                y=round(height - tall, 2),
                width=round(max(step - 1, 1), 2),
                height=round(tall, 2),
                label=f"{day.isoformat()}: {value} {unit}",
            )
        )
    total = sum(values)
    label = f"{total} {unit} in the last {days} days, at most {peak} a day"
    return Chart(width, height, tuple(bars), total, peak, label)


@dataclass(frozen=True)
class Dot:
    x: float
    label: str


def timeline(moments: Sequence[tuple[datetime, str]], *, width: int = 300) -> tuple[Dot, ...]:
    """Points along a line from the first moment to the last (a story's articles as published)."""
    if not moments:
        return ()
    first = min(m for m, _ in moments)
    last = max(m for m, _ in moments)
    span = (last - first).total_seconds() or 1.0
    margin = 6
    return tuple(
        Dot(round(margin + (width - 2 * margin) * (m - first).total_seconds() / span, 2), label)
        for m, label in sorted(moments, key=lambda pair: pair[0])
    )
