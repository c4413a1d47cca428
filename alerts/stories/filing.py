"""A new article's story, prepared in the crawl's assessment step and filed in the store's transaction.

``prepare`` computes the embedding of title and lead — the costly, pure
part — before the write transaction; the transaction then only reads the
candidates and writes (``StoryDraft.file``, the ``db.store.StoryFiling`` the
store calls). An article without facts (no organisation, no event) gets no
story: nothing says which event it reports, and the model is then neither
loaded nor run.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from alerts.stories.book import Report, StoryBook, embedding_text
from alerts.stories.embedding import Embedder, shared_embedder
from alerts.stories.fingerprint import AnalysisLike, fingerprint
from db.store import NewArticle


@dataclass(frozen=True)
class StoryDraft:
    """The article's report, embedded, waiting for its id."""

    book: StoryBook
    report: Report  # article_id 0 until the article is stored

    def file(self, session: Session, article_id: int) -> int:
        return self.book.file(session, replace(self.report, article_id=article_id)).story.id


class StoryFiler:
    """Prepares each new article's filing, with the process's one embedder unless given another."""

    def __init__(self, embedder: Embedder | None = None, book: StoryBook | None = None) -> None:
        self.embedder = embedder or shared_embedder()  # loads the model on its first use only
        self.book = book or StoryBook(self.embedder)

    def prepare(
        self, article: NewArticle, analysis: AnalysisLike, now: datetime | None = None
    ) -> StoryDraft | None:
        """The article's filing, embedded; None when it has no facts to file it by."""
        found = fingerprint(analysis)
        if not found.orgs and not found.events:
            return None
        lead = article.lead or article.text or article.summary
        now = now or datetime.now(UTC)
        report = Report(
            article_id=0,
            title=article.title,
            lead=lead,
            source=article.source,
            language=article.language,
            # A date in the future (a feed's typo, a hostile feed) would keep its story open for ever.
            seen=min(article.published, now) if article.published else now,
            fingerprint=found,
            vector=self.embedder.embed(embedding_text(article.title, lead)),
        )
        return StoryDraft(self.book, report)
