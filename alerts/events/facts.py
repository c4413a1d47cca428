"""An :class:`~alerts.events.detect.Analysis` as the facts stored with an article, and back.

Only the news is stored as events (a passing mention is no fact about the
article); amounts keep what :func:`~alerts.events.amount_value.format_amount`
needs to show them again ("$10B (10 milliards de dollars)").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from alerts.events.amount_value import Amount, format_amount
from db.facts import ArticleFacts

if TYPE_CHECKING:
    # Only their types: showing stored facts must load neither the detector nor the rule engine.
    from alerts.events.detect import Analysis, Event
    from alerts.rules import ArticleText


def article_facts(analysis: Analysis) -> ArticleFacts:
    news = [event for event in analysis.events if event.news]
    amounts = [amount_dict(amount) for amount in analysis.amounts]
    return ArticleFacts(
        events=tuple(event_dict(event) for event in news),
        event_types=tuple(dict.fromkeys(event.type for event in news)),
        orgs=analysis.orgs,
        amounts=tuple(amounts),
        amount_usd=max((amount.usd for amount in analysis.amounts), default=None),
    )


def event_dict(event: Event) -> dict[str, Any]:
    return {
        "type": event.type,
        "actors": list(event.actors),
        "amount": amount_dict(event.amount) if event.amount else None,
        "sentence": event.sentence,
    }


def amount_dict(amount: Amount) -> dict[str, Any]:
    values: dict[str, Any] = {
        "value": amount.value,
        "currency": amount.currency,
        "usd": amount.usd,
        "text": amount.text,
    }
    if amount.lower_bound:
        values["lower_bound"] = True
    if amount.upper is not None:
        values["upper"] = amount.upper
    return values


def stored_amount(values: Mapping[str, Any]) -> Amount:
    """An amount as stored, without its place in the text."""
    return Amount(
        value=float(values["value"]),
        currency=str(values["currency"]),
        usd=float(values["usd"]),
        text=str(values["text"]),
        start=0,
        end=0,
        lower_bound=bool(values.get("lower_bound", False)),
        upper=float(values["upper"]) if values.get("upper") is not None else None,
    )


def describe_amount(values: Mapping[str, Any] | None) -> str | None:
    """A stored amount as alerts show it: "$10B (10 milliards de dollars)"."""
    return format_amount(stored_amount(values)) if values else None


def with_facts(article: ArticleText, facts: ArticleFacts) -> ArticleText:
    """``article`` as rules see it once its facts are known (``event:``, ``org:``, ``amount>=``)."""
    return replace(article, events=facts.event_types, orgs=facts.orgs, amount_usd=facts.amount_usd)
