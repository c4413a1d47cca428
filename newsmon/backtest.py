"""`newsmon rules test`: run rules over stored articles, sending nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.queries import StoredArticle, iter_articles
from newsmon.wiring import App, article_text


@dataclass(frozen=True)
class BacktestMatch:
    rule: str
    article: StoredArticle
    terms: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "article_id": self.article.id,
            "title": self.article.title,
            "url": self.article.url,
            "source": self.article.source,
            "published": self.article.published.isoformat() if self.article.published else None,
            "language": self.article.language,
            "terms": list(self.terms),
        }


def backtest(app: App, rule: str | None, since: datetime | None) -> Iterator[BacktestMatch]:
    ruleset = app.ruleset
    for article in iter_articles(app.database, since):
        text = article_text(article)
        matches = [m for m in [ruleset.match_rule(rule, text)] if m] if rule else ruleset.match(text)
        for match in matches:
            yield BacktestMatch(match.rule, article, match.terms)
