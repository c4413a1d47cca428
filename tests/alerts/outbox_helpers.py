"""Shared set-up for the outbox and delivery tests: a real database (SQLite or PostgreSQL), stored
articles, a clock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from alerts.message import AlertMessage, Fragment
from db import outbox
from db.engine import Database
from db.store import NewArticle, SourceSpec, store_article, sync_sources
from tests.databases import Databases

T0 = datetime(2026, 1, 23, 19, 5, tzinfo=UTC)
SEED_TITLE = "Microsoft investit des milliards de dollars dans OpenAI et étend leur partenariat"
SEED_TEXT = (
    "Le géant de Redmond a confirmé lundi un investissement pluriannuel de plusieurs milliards "
    "de dollars dans OpenAI, la jeune pousse à l'origine de ChatGPT. Les deux entreprises "
    "étendent ainsi leur partenariat."
)


@dataclass(frozen=True)
class Match:
    rule: str
    channels: tuple[str, ...]
    terms: tuple[str, ...] = ("investissement", "OpenAI")


def new_database(databases: Databases, name: str = "t") -> Database:
    """The database ``name`` of the test's dialect, with the source the stored articles come from."""
    database = databases.open(name)
    sync_sources(database, [SourceSpec("arsfr", "feed", "http://127.0.0.1/feed.xml")])
    return database


def store(
    database: Database,
    matches: Sequence[Match],
    *,
    url: str = "https://example.org/fr/microsoft-investit-openai.html",
    title: str = SEED_TITLE,
    text: str = SEED_TEXT,
    now: datetime | None = None,
) -> int:
    """Store an article and raise its alerts in the same transaction, as the crawler does."""

    def on_stored(session: object, article_id: int, _article: NewArticle) -> None:
        outbox.raise_alerts(session, article_id, matches, now=now)  # type: ignore[arg-type]

    article = NewArticle(
        source="arsfr", url=url, title=title, keys=(), text=text, published=T0, language="fr"
    )
    article_id = store_article(database, article, on_stored)
    assert article_id is not None
    return article_id


class FakeClock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **span: float) -> datetime:
        self.now += timedelta(**span)
        return self.now


MESSAGE = AlertMessage(
    delivery_id=1,
    alert_id=1,
    channel="test",
    attempts=0,
    rule="ai-deals",
    terms=("investissement", "OpenAI"),
    article_id=7,
    title=SEED_TITLE,
    url="https://example.org/fr/microsoft-investit-openai.html",
    source="arsfr",
    published=T0,
    language="fr",
    summary="Microsoft étend son partenariat avec OpenAI.",
    snippet=(
        Fragment("un "),
        Fragment("investissement", hit=True),
        Fragment(" de plusieurs milliards dans "),
        Fragment("OpenAI", hit=True),
        Fragment("."),
    ),
)


def message(**changes: object) -> AlertMessage:
    return replace(MESSAGE, **changes)  # type: ignore[arg-type]
