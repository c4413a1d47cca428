"""Which story a new article belongs to: pure decisions over the candidates, no I/O.

An article joins the candidate story whose centroid is closest in meaning
(cosine of title-and-lead embeddings, across languages) when that closeness
reaches the threshold AND the fingerprints agree:

1. event types overlap, when both sides have some;
2. at least one organisation is shared, when both sides name some — by its
   canonical name or a distinctive word of it ("Hess Corp." and "Hess"), as
   detection names organisations outside its list as they are written;
3. some stated amount is within 15 % of one the story stated, when both state one.

Otherwise it starts a story of its own. The bar depends on the evidence:

- an organisation in common and a stated amount that matches the story's:
  the same deal even when two outlets tell it in words far apart
  (``Thresholds.with_amount``, lowest);
- no amount to compare, the same kind of event, and every organisation of
  the article already in the story (``Thresholds.join``);
- no amount to compare, and the article names an organisation the story
  does not know — Microsoft investing in Builder.ai the week Microsoft
  invests in OpenAI — or one side has no event to compare
  (``Thresholds.novel``, highest);
- no organisation in common (one side names none: detection did not know
  them), so that the meaning alone tells (``Thresholds.unshared``: lower
  than ``novel``, no organisation being evidence of neither the same event
  nor another; a matching amount does not lower it, deals of one size
  being common).

Candidates share an organisation with the article, or two names of their
titles and leads (``alerts.stories.names``), which find the story of a
company detection does not know.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np
import numpy.typing as npt

from alerts.stories.fingerprint import Fingerprint, amounts_agree, orgs_overlap
from db.stories import StoryRecord

Vector = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Thresholds:
    """Cosine similarities to a story's centroid; tuned on half of benchmarks/data/stories
    (``unshared`` with organisations dropped at random, as detection drops those it does not know)."""

    join: float = 0.45
    with_amount: float = 0.4
    novel: float = 0.65
    unshared: float = 0.55


@dataclass(frozen=True)
class Arrival:
    """A new article as the clusterer sees it."""

    article_id: int
    title: str
    source: str
    language: str | None
    seen: datetime  # when it was published (or fetched, when the feed gives no date)
    fingerprint: Fingerprint
    vector: Vector  # L2-normalised embedding of title and lead
    names: tuple[str, ...] = ()  # alerts.stories.names of title and lead


@dataclass(frozen=True)
class Match:
    story: StoryRecord
    similarity: float


def best_match(
    arrival: Arrival, candidates: Sequence[StoryRecord], thresholds: Thresholds = Thresholds()
) -> Match | None:
    """The closest agreeing candidate over its threshold, or None: the article starts a story."""
    best: Match | None = None
    for story in candidates:
        if not agrees(arrival.fingerprint, story):
            continue
        similarity = float(arrival.vector @ unit(centroid(story)))
        bar = _bar(arrival.fingerprint, story, thresholds)
        if similarity >= bar and (best is None or similarity > best.similarity):
            best = Match(story, similarity)
    return best


def agrees(ours: Fingerprint, story: StoryRecord) -> bool:
    if ours.events and story.events and not set(ours.events) & set(story.events):
        return False
    if ours.orgs and story.orgs and not orgs_overlap(ours.orgs, story.orgs):
        return False
    return amounts_agree(ours.amounts_usd, story.amounts_usd)


def start(arrival: Arrival) -> StoryRecord:
    """A new story of one article (``id`` 0 until stored)."""
    found = arrival.fingerprint
    return StoryRecord(
        id=0,
        title=arrival.title,
        first_seen=arrival.seen,
        last_seen=arrival.seen,
        articles=1,
        outlets=(arrival.source,),
        languages=(arrival.language,) if arrival.language else (),
        orgs=found.orgs,
        events=found.events,
        amount=found.amount,
        amounts_usd=found.amounts_usd,
        centroid=arrival.vector.astype(np.float32).tobytes(),
        names=arrival.names,
    )


def join(story: StoryRecord, arrival: Arrival) -> StoryRecord:
    """``story`` with ``arrival`` added: outlets, languages, organisations, events, largest amount."""
    found = arrival.fingerprint
    mean = (centroid(story) * story.articles + arrival.vector) / (story.articles + 1)
    larger = found.amount is not None and (story.amount is None or found.amount["usd"] > story.amount["usd"])
    return replace(
        story,
        first_seen=min(story.first_seen, arrival.seen),
        last_seen=max(story.last_seen, arrival.seen),
        articles=story.articles + 1,
        outlets=_union(story.outlets, (arrival.source,)),
        languages=_union(story.languages, (arrival.language,) if arrival.language else ()),
        orgs=_union(story.orgs, found.orgs),
        events=_union(story.events, found.events),
        amount=found.amount if larger else story.amount,
        amounts_usd=tuple(sorted(set(story.amounts_usd) | set(found.amounts_usd))),
        centroid=mean.astype(np.float32).tobytes(),
        names=_union(story.names, arrival.names),
    )


def centroid(story: StoryRecord) -> Vector:
    return np.frombuffer(story.centroid, dtype=np.float32)


def unit(vector: Vector) -> Vector:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


def _bar(ours: Fingerprint, story: StoryRecord, thresholds: Thresholds) -> float:
    if not orgs_overlap(ours.orgs, story.orgs):
        return thresholds.unshared
    if ours.amounts_usd and story.amounts_usd and amounts_agree(ours.amounts_usd, story.amounts_usd):
        return thresholds.with_amount
    if ours.events and story.events and set(ours.orgs) <= set(story.orgs):
        return thresholds.join
    return thresholds.novel


def _union(first: Sequence[str], more: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*first, *more]))
