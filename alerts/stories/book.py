"""Filing a new article into its story, inside the transaction that stores the article.

The candidates are read from the database (stories seen in the last 72 hours
sharing an organisation or a name of the title and lead with the article — or
an event type, when it has neither), so a restart, or another process, sees
the same stories. Filings take turns (``db.stories.take_turns_filing``: on
SQLite the writer's ``BEGIN IMMEDIATE``, on PostgreSQL an advisory lock held
until the transaction ends), so that two processes filing reports of one
event at the same instant do not each start a story for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple, dataclass, replace
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy.orm import Session

from alerts.stories.cluster import Arrival, Thresholds, best_match, join, start
from alerts.stories.embedding import Embedder, Vector, shared_embedder
from alerts.stories.fingerprint import Fingerprint
from alerts.stories.names import names
from db.stories import (
    StoryRecord,
    candidate_stories,
    insert_story,
    lookup_keys,
    take_turns_filing,
    update_story,
)

WINDOW = timedelta(hours=72)
# A story that shares no organisation with the article is a candidate when it shares two names: one
# alone is often a common word (a German noun, a city).
NAMES_NEEDED = 2
# What the embedding reads besides the title when the extractor found no lead.
LEAD_CHARS = 400


@dataclass(frozen=True)
class Filed:
    story: StoryRecord  # as stored, with the article in it
    joined: bool  # False: the article started the story
    similarity: float | None  # to the story it joined


@dataclass(frozen=True)
class Report:
    """The parts of a new article the clustering reads."""

    article_id: int
    title: str
    lead: str  # the extractor's lead, or the text's beginning when it found none
    source: str
    language: str | None
    seen: datetime
    fingerprint: Fingerprint
    # The embedding of ``embedding_text(title, lead)`` when the caller computed it with others:
    # ``Embedder.embed_many`` costs 0.55-0.75x as much per article as one ``embed`` each.
    vector: Vector | None = None


class StoryBook:
    def __init__(
        self,
        embedder: Embedder | None = None,
        thresholds: Thresholds | None = None,
        window: timedelta = WINDOW,
    ) -> None:
        self._embedder = embedder
        self.thresholds = thresholds or Thresholds()
        self.window = window

    def file(self, session: Session, report: Report) -> Filed:
        """Put the article into the story it reports, or into a new one; return that story."""
        vector = report.vector
        if vector is None:
            vector = (self._embedder or shared_embedder()).embed(embedding_text(report.title, report.lead))
        arrival = Arrival(
            article_id=report.article_id,
            title=report.title,
            source=report.source,
            language=report.language,
            seen=report.seen,
            fingerprint=report.fingerprint,
            vector=vector,
            names=names(report.title, opening(report.lead)),
        )
        keys = lookup_keys(report.fingerprint.orgs, report.fingerprint.events, arrival.names)
        lowest = min(astuple(self.thresholds))

        def near(centroids: Sequence[bytes]) -> list[bool]:
            matrix = np.frombuffer(b"".join(centroids), dtype=np.float32).reshape(len(centroids), -1)
            norms = np.linalg.norm(matrix, axis=1)
            return list(matrix @ arrival.vector >= lowest * np.where(norms > 0, norms, 1.0))

        take_turns_filing(session)
        candidates = candidate_stories(
            session, report.seen - self.window, keys, near, names_needed=NAMES_NEEDED
        )
        match = best_match(arrival, candidates, self.thresholds)
        if match is None:
            story = start(arrival)
            story_id = insert_story(session, story, report.article_id)
            return Filed(replace(story, id=story_id), joined=False, similarity=None)
        story = join(match.story, arrival)
        update_story(session, story, report.article_id, previous_keys=match.story.keys)
        return Filed(story, joined=True, similarity=match.similarity)


def embedding_text(title: str, lead: str) -> str:
    """Title and lead: what every outlet states first, in whatever words."""
    lead = opening(lead)
    return f"{title.strip()}\n{lead}" if lead else title.strip()


def opening(lead: str) -> str:
    """The lead's first LEAD_CHARS characters, cut between words."""
    lead = " ".join(lead[: LEAD_CHARS * 4].split())
    return lead[:LEAD_CHARS].rsplit(" ", 1)[0] if len(lead) > LEAD_CHARS else lead
