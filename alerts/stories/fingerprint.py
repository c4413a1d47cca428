"""An article's fingerprint: who did what, for how much — what two reports of one event share.

Built from ``alerts.events``' analysis of the article. Only the article's
news counts (``Event.news``): a background mention ("Microsoft, which backed
OpenAI in 2019, ...") must not pull an article into an older story. Every
precise amount of the news sentences is compared, not only the one that
prices the event: outlets lead with different figures of one deal (the
round, the valuation, the investor's share). Vague amounts ("billions") are
not compared: they agree with everything.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from db.textfold import WORD_RE, fold

# Two outlets round and convert differently: $10bn, 9.2 milliards d'euros, "about $10 billion".
AMOUNT_TOLERANCE = 0.15


class AmountLike(Protocol):
    @property
    def value(self) -> float: ...
    @property
    def currency(self) -> str: ...
    @property
    def usd(self) -> float: ...
    @property
    def text(self) -> str: ...
    @property
    def lower_bound(self) -> bool: ...


class EventLike(Protocol):
    @property
    def type(self) -> str: ...
    @property
    def actors(self) -> tuple[str, ...]: ...
    @property
    def amount(self) -> AmountLike | None: ...
    @property
    def news(self) -> bool: ...


class AnalysisLike(Protocol):
    """What ``alerts.events.Analysis`` offers."""

    @property
    def orgs(self) -> tuple[str, ...]: ...
    @property
    def events(self) -> Sequence[EventLike]: ...
    @property
    def amounts(self) -> Sequence[AmountLike]: ...  # those of the news sentences


@dataclass(frozen=True)
class Fingerprint:
    orgs: tuple[str, ...] = ()  # canonical names, in order of appearance
    events: tuple[str, ...] = ()  # event types of the article's news
    amounts_usd: tuple[float, ...] = ()  # precise amounts of the news sentences, in USD
    amount: dict[str, Any] | None = None  # the largest pricing an event: {value, currency, usd, text}


def fingerprint(analysis: AnalysisLike) -> Fingerprint:
    news = [event for event in analysis.events if event.news]
    actors = _unique(actor for event in news for actor in event.actors)
    # The news' actors say who the story is about; other organisations are context.
    orgs = actors or _unique(analysis.orgs)
    priced = [event.amount for event in news if event.amount is not None and not event.amount.lower_bound]
    largest = max(priced, key=lambda amount: amount.usd, default=None)
    stated = [*priced, *analysis.amounts]
    return Fingerprint(
        orgs=orgs,
        events=_unique(event.type for event in news),
        amounts_usd=tuple(sorted({amount.usd for amount in stated if not amount.lower_bound})),
        amount=amount_dict(largest) if largest is not None else None,
    )


def amount_dict(amount: AmountLike) -> dict[str, Any]:
    return {"value": amount.value, "currency": amount.currency, "usd": amount.usd, "text": amount.text}


def amounts_agree(ours: Iterable[float], theirs: Iterable[float]) -> bool:
    """True when either side states no amount, or some pair is within the tolerance."""
    ours, theirs = list(ours), list(theirs)
    if not ours or not theirs:
        return True
    return any(abs(a - b) <= AMOUNT_TOLERANCE * max(a, b) for a in ours for b in theirs)


def orgs_overlap(ours: Iterable[str], theirs: Iterable[str]) -> bool:
    """Whether two lists of organisations name one in common: the same canonical name, or a word of
    their names beyond the generic ones — detection writes "Hess Corp." in one outlet, "Hess" in
    another, "Sir Jim Ratcliffe" and "Jim Ratcliffe"."""
    ours, theirs = set(ours), set(theirs)
    return bool(ours & theirs) or bool(_name_words(ours) & _name_words(theirs))


# Words that many organisations' names share, and so tell none apart.
_GENERIC_TEXT = """
    inc corp corporation co company ltd limited llc plc sa sas se ag gmbh spa nv bv ab asa oyj
    holding holdings group groupe grupo capital ventures partners partner technologies technology
    tech labs systems therapeutics pharmaceuticals pharma robotics energy bank banque banco motor
    motors airlines airways aerospace semiconductor ai international global industries investments
    management fund the of and de la le les du des del
"""
_GENERIC = frozenset(_GENERIC_TEXT.split())


def _name_words(orgs: Iterable[str]) -> set[str]:
    return {word for org in orgs for word in WORD_RE.findall(fold(org)) if len(word) > 2} - _GENERIC


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
