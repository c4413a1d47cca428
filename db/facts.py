"""What event detection found in an article, as the article's columns store it.

``alerts.events`` finds the facts; this leaf type carries them to the store
and back out to ``show``, ``export``, backtests and alerts, as plain JSON
values: ``events`` (the article's news, ``{type, actors, amount, sentence}``),
``event_types`` (their types, for ``event:``), ``orgs`` (canonical names, for
``org:``), ``amounts`` (``{value, currency, usd, text}`` and, when they say
more, ``lower_bound`` and ``upper``) and ``amount_usd`` (the largest, for
``amount>=``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ArticleFacts:
    events: tuple[Mapping[str, Any], ...] = ()
    event_types: tuple[str, ...] = ()
    orgs: tuple[str, ...] = ()
    amounts: tuple[Mapping[str, Any], ...] = ()
    amount_usd: float | None = None

    def columns(self) -> dict[str, Any]:
        """The values of the article's columns of the same names."""
        return {
            "events": [dict(event) for event in self.events],
            "event_types": list(self.event_types),
            "orgs": list(self.orgs),
            "amounts": [dict(amount) for amount in self.amounts],
            "amount_usd": self.amount_usd,
        }

    @classmethod
    def of(cls, columns: Mapping[str, Any]) -> ArticleFacts:
        """The facts of a stored article, from its columns of the same names."""
        return cls(
            events=tuple(columns["events"] or ()),
            event_types=tuple(columns["event_types"] or ()),
            orgs=tuple(columns["orgs"] or ()),
            amounts=tuple(columns["amounts"] or ()),
            amount_usd=columns["amount_usd"],
        )
