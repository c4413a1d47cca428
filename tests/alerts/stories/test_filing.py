"""A story's filing prepared before the store's transaction (the embedding) and done inside it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from alerts.events.detect import EventDetector
from alerts.stories.embedding import DIMENSIONS, Embedder
from alerts.stories.filing import StoryFiler
from db.engine import Database
from db.store import NewArticle, SourceSpec, store_article, sync_sources
from db.stories import list_stories, story_id_of

T0 = datetime(2023, 1, 23, 14, 0, tzinfo=UTC)
ENGLISH = NewArticle(
    source="reuters",
    url="https://reuters.example/openai",
    title="Microsoft makes multibillion-dollar investment in ChatGPT maker OpenAI",
    keys=(),
    published=T0,
    language="en",
    text="Microsoft said on Monday it is making a multiyear, multibillion-dollar investment in OpenAI.",
)
FRENCH = NewArticle(
    source="lemonde",
    url="https://lemonde.example/openai",
    title="Le créateur de ChatGPT reçoit le soutien massif de Microsoft",
    keys=(),
    published=T0 + timedelta(hours=4),
    language="fr",
    text="Le géant de Redmond va injecter plusieurs milliards de dollars dans OpenAI, qui a conçu ChatGPT.",
)
FACTLESS = NewArticle(
    source="reuters",
    url="https://reuters.example/weather",
    title="Heavy snow expected across the Alps this weekend",
    keys=(),
    published=T0,
    language="en",
    text="Forecasters warned of avalanches as up to a metre of snow is expected above 1,500 metres.",
)


@pytest.fixture(scope="module")
def detector() -> EventDetector:
    return EventDetector()


@pytest.fixture(scope="module")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> Embedder:
    return Embedder(cache_dir=tmp_path_factory.mktemp("cache"))


def prepared(filer: StoryFiler, detector: EventDetector, article: NewArticle, now: datetime = T0) -> object:
    return filer.prepare(article, detector.analyse(article.title, article.text, article.language), now)


def test_an_article_without_facts_gets_no_story_and_loads_no_model(
    detector: EventDetector, tmp_path: Path
) -> None:
    untouched = Embedder(cache_dir=tmp_path)
    assert prepared(StoryFiler(untouched), detector, FACTLESS) is None
    assert not untouched.loaded and not any(tmp_path.iterdir())


def test_the_embedding_is_computed_before_the_transaction(
    detector: EventDetector, embedder: Embedder
) -> None:
    draft = StoryFiler(embedder).prepare(ENGLISH, detector.analyse(ENGLISH.title, ENGLISH.text, "en"), T0)
    assert draft is not None and draft.report.vector is not None
    assert draft.report.vector.shape == (DIMENSIONS,)
    assert {"Microsoft", "OpenAI"} <= set(draft.report.fingerprint.orgs)
    assert draft.report.seen == T0


def test_a_date_in_the_future_counts_as_now(detector: EventDetector, embedder: Embedder) -> None:
    future = NewArticle(**{**ENGLISH.__dict__, "published": datetime(2100, 1, 1, tzinfo=UTC)})
    draft = StoryFiler(embedder).prepare(future, detector.analyse(future.title, future.text, "en"), T0)
    assert draft is not None and draft.report.seen == T0


def test_drafts_filed_by_the_store_join_one_story(
    database: Database, detector: EventDetector, embedder: Embedder
) -> None:
    sync_sources(
        database, [SourceSpec(name, "feed", f"http://127.0.0.1/{name}") for name in ("reuters", "lemonde")]
    )
    filer = StoryFiler(embedder)
    ids = []
    for article in (ENGLISH, FRENCH, FACTLESS):
        draft = filer.prepare(article, detector.analyse(article.title, article.text, article.language), T0)
        ids.append(store_article(database, article, story=draft))
    english, french, factless = ids
    assert None not in ids
    [story] = list_stories(database)
    assert story["article_ids"] == [english, french]
    assert story["outlets"] == ["reuters", "lemonde"] and story["languages"] == ["en", "fr"]
    with database.read() as session:
        assert story_id_of(session, factless) is None
