"""Filing the articles stored before stories existed (``newsmon stories --rebuild``).

Their facts are read back from their columns — event detection ran when they
were stored — and they are filed first seen first, as the crawl would have
filed them, in batches of short write transactions beside a running daemon.
No alert is raised: the rules alerted on those articles, one per (rule,
article), when they were stored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from alerts.stories.book import Report, StoryBook, embedding_text
from alerts.stories.embedding import Embedder, Vector, shared_embedder
from alerts.stories.filing import TITLE_CHARS
from alerts.stories.fingerprint import Fingerprint, fingerprint
from db.engine import Database
from db.facts import ArticleFacts
from db.stories import Unfiled, unfiled, unfiled_ids

# Articles embedded together (a batch costs 0.55-0.75x as much per article) and filed in one transaction.
BATCH = 32


@dataclass(frozen=True)
class Rebuilt:
    filed: int = 0
    started: int = 0  # of those, the first of a story

    @property
    def joined(self) -> int:
        return self.filed - self.started


def rebuild(
    database: Database,
    since: datetime | None = None,
    embedder: Embedder | None = None,
    keep_going: Callable[[], bool] = lambda: True,
) -> Rebuilt:
    """File every article in no story that has facts (seen since ``since``), first seen first."""
    embedder = embedder or shared_embedder()
    book = StoryBook(embedder)
    ids = unfiled_ids(database, since)
    filed = started = 0
    for start in range(0, len(ids), BATCH):
        if not keep_going():
            break
        with database.write() as session:
            articles = unfiled(session, ids[start : start + BATCH])  # another process may have filed some
            texts = [embedding_text(article.title[:TITLE_CHARS], article.lead) for article in articles]
            if not texts:
                continue
            vectors = embedder.embed_many(texts)
            for article, vector in zip(articles, vectors, strict=True):
                started += not book.file(session, _report(article, vector)).joined
            filed += len(articles)
    return Rebuilt(filed, started)


def _report(article: Unfiled, vector: Vector) -> Report:
    return Report(
        article_id=article.id,
        title=article.title,
        lead=article.lead,
        source=article.source,
        language=article.language,
        seen=article.seen,
        fingerprint=stored_fingerprint(article.facts),
        vector=vector,
    )


def stored_fingerprint(facts: ArticleFacts) -> Fingerprint:
    """The fingerprint of an article's stored facts, as ``fingerprint`` makes it from the analysis."""
    return fingerprint(
        _Analysis(
            orgs=facts.orgs,
            events=tuple(_Event.of(event) for event in facts.events),
            amounts=tuple(_Amount.of(amount) for amount in facts.amounts),
        )
    )


@dataclass(frozen=True)
class _Amount:
    value: float
    currency: str
    usd: float
    text: str
    lower_bound: bool

    @classmethod
    def of(cls, stored: Mapping[str, Any]) -> _Amount:
        return cls(
            value=float(stored["value"]),
            currency=str(stored["currency"]),
            usd=float(stored["usd"]),
            text=str(stored.get("text", "")),
            lower_bound=bool(stored.get("lower_bound", False)),
        )


@dataclass(frozen=True)
class _Event:
    type: str
    actors: tuple[str, ...]
    amount: _Amount | None
    news: bool = True  # only the news' events are stored

    @classmethod
    def of(cls, stored: Mapping[str, Any]) -> _Event:
        amount = stored.get("amount")
        return cls(
            str(stored["type"]), tuple(stored.get("actors") or ()), _Amount.of(amount) if amount else None
        )


@dataclass(frozen=True)
class _Analysis:
    orgs: tuple[str, ...]
    events: Sequence[_Event]
    amounts: Sequence[_Amount]
