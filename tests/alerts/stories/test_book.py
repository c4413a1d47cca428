"""Filing articles into stories through the real pieces: SQLite file, shipped model, store hook."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from alerts.stories.book import Filed, Report, StoryBook, embedding_text
from alerts.stories.embedding import Embedder, Vector
from alerts.stories.fingerprint import Fingerprint, fingerprint
from db.engine import Database
from db.store import NewArticle, SourceSpec, store_article, sync_sources
from db.stories import list_stories, story_articles

T0 = datetime(2023, 1, 23, 14, 0, tzinfo=UTC)
OPENAI = Fingerprint(
    orgs=("Microsoft", "OpenAI"),
    events=("investment",),
    amounts_usd=(1e10,),
    amount={"value": 1e10, "currency": "USD", "usd": 1e10, "text": "$10 billion"},
)


@dataclass(frozen=True)
class Story:
    source: str
    language: str
    title: str
    lead: str
    found: Fingerprint = OPENAI
    hours: float = 0.0


SEED = (
    Story(
        "reuters",
        "en",
        "Microsoft makes multibillion-dollar investment in ChatGPT maker OpenAI",
        "Microsoft said on Monday it is making a multiyear, multibillion-dollar investment in OpenAI.",
    ),
    Story(
        "lemonde",
        "fr",
        "Le créateur de ChatGPT reçoit le soutien massif de Microsoft",
        "Le géant de Redmond va injecter 10 milliards de dollars dans OpenAI, qui a conçu ChatGPT.",
        hours=3,
    ),
    Story(
        "handelsblatt",
        "de",
        "Milliarden für ChatGPT: Microsoft steigt tiefer bei OpenAI ein",
        "Microsoft baut seine Beteiligung an OpenAI mit rund zehn Milliarden Dollar aus.",
        found=Fingerprint(orgs=("Microsoft", "OpenAI"), events=("investment",)),  # no precise amount found
        hours=16,
    ),
)
BUILDER = Story(
    "techcrunch",
    "en",
    "Microsoft takes minority stake in app-building start-up Builder.ai",
    "Microsoft has made an equity investment in Builder.ai, a London start-up that builds apps.",
    found=Fingerprint(orgs=("Microsoft", "Builder.ai"), events=("investment",)),
    hours=49,
)


@pytest.fixture(scope="module")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> Embedder:
    return Embedder(cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture
def db(database: Database) -> Database:
    names = [s.source for s in (*SEED, BUILDER)] + ["spiegel"]
    sync_sources(database, [SourceSpec(name, "feed", f"http://127.0.0.1/{name}") for name in names])
    return database


def filer(book: StoryBook, story: Story, filed: list[Filed]) -> Callable[[Session, int, NewArticle], None]:
    def file(session: Session, article_id: int, article: NewArticle) -> None:
        report = Report(
            article_id=article_id,
            title=article.title,
            lead=article.lead,
            source=article.source,
            language=article.language,
            seen=T0 + timedelta(hours=story.hours),
            fingerprint=story.found,
        )
        filed.append(book.file(session, report))

    return file


def store(db: Database, book: StoryBook, story: Story) -> Filed:
    filed: list[Filed] = []
    article = NewArticle(
        source=story.source,
        url=f"https://{story.source}.example/{story.hours}",
        title=story.title,
        keys=(),
        published=T0 + timedelta(hours=story.hours),
        language=story.language,
        lead=story.lead,
    )
    assert store_article(db, article, filer(book, story, filed)) is not None
    return filed[0]


def test_the_seed_story_in_three_languages_is_one_story_and_the_distractor_another(
    db: Database, embedder: Embedder
) -> None:
    book = StoryBook(embedder)
    first, *later = [store(db, book, story) for story in SEED]
    assert not first.joined and all(filed.joined for filed in later)
    assert {filed.story.id for filed in later} == {first.story.id}
    distractor = store(db, book, BUILDER)
    assert not distractor.joined

    seed, other = sorted(list_stories(db), key=lambda story: story["id"])
    assert seed["title"] == SEED[0].title
    assert seed["outlets"] == ["reuters", "lemonde", "handelsblatt"]
    assert seed["languages"] == ["en", "fr", "de"]
    assert seed["articles"] == 3 and len(seed["article_ids"]) == 3
    assert seed["amount"]["usd"] == 1e10
    assert other["outlets"] == ["techcrunch"]
    assert [h.source for h in story_articles(db, seed["id"])] == ["reuters", "lemonde", "handelsblatt"]


def test_stories_outlive_the_process_and_end_after_72_hours(
    db: Database, embedder: Embedder, tmp_path: Path
) -> None:
    first = store(db, StoryBook(embedder), SEED[0])
    db.dispose()
    restarted = Database(f"sqlite:///{tmp_path / 'newsmon.db'}")
    # A new book, as after a restart: the candidates come from the database.
    same = store(restarted, StoryBook(embedder), SEED[1])
    assert same.joined and same.story.id == first.story.id
    late = store(restarted, StoryBook(embedder), replace(SEED[2], found=OPENAI, hours=3 + 73))
    assert not late.joined
    restarted.dispose()


def test_an_article_whose_organisations_were_not_found_joins_by_the_names_it_shares(
    db: Database, embedder: Embedder
) -> None:
    book = StoryBook(embedder)
    seed = store(db, book, SEED[0])
    unknown = store(db, book, replace(SEED[2], found=Fingerprint(events=("investment",)), hours=1))
    assert unknown.joined and unknown.story.id == seed.story.id
    assert {"microsoft", "openai"} <= set(unknown.story.names)


def test_an_article_with_nothing_to_key_on_starts_its_own_story(db: Database, embedder: Embedder) -> None:
    book = StoryBook(embedder)
    store(db, book, SEED[0])
    title, lead = SEED[2].title.lower(), SEED[2].lead.lower()  # no organisation, event, or name
    bare = store(db, book, Story("spiegel", "de", title, lead, found=Fingerprint(), hours=1))
    assert not bare.joined


SEED_ARTICLES = (  # (source, language, hours, title, text) as three outlets wrote it, then the distractor
    (
        "reuters",
        "en",
        0,
        "Microsoft makes multibillion-dollar investment in ChatGPT maker OpenAI",
        "Microsoft said on Monday it is making a multiyear, multibillion-dollar investment in OpenAI.\n"
        "People familiar with the matter put the new commitment at about $10 billion.",
    ),
    (
        "lemonde",
        "fr",
        4,
        "Le créateur de ChatGPT reçoit le soutien massif de Microsoft",
        "Le géant de Redmond va injecter plusieurs milliards de dollars dans OpenAI, qui a conçu ChatGPT.\n"
        "Selon la presse américaine, la somme avoisinerait les 10 milliards de dollars.",
    ),
    (
        "handelsblatt",
        "de",
        16,
        "Milliarden für ChatGPT: Microsoft steigt tiefer bei OpenAI ein",
        "Microsoft baut seine Beteiligung an OpenAI mit einer Investition in Milliardenhöhe aus.\n"
        "Berichten zufolge fließen rund zehn Milliarden Dollar an das kalifornische Unternehmen.",
    ),
    (
        "techcrunch",
        "en",
        49,
        "Microsoft takes minority stake in app-building start-up Builder.ai",
        "Microsoft has made an equity investment in Builder.ai, a London start-up.\n"
        "The size of the stake was not disclosed.",
    ),
)


def test_the_seed_story_through_event_detection(db: Database, embedder: Embedder) -> None:
    from alerts.events.detect import EventDetector

    detector, book = EventDetector(), StoryBook(embedder)
    filed = []
    for source, language, hours, title, text in SEED_ARTICLES:
        found = fingerprint(detector.analyse(title, text, language))
        story = Story(source, language, title, text.split("\n")[0], found=found, hours=hours)
        filed.append(store(db, book, story))
    assert [f.joined for f in filed] == [False, True, True, False]
    seed = filed[2].story
    assert seed.id == filed[0].story.id != filed[3].story.id
    assert seed.outlets == ("reuters", "lemonde", "handelsblatt")
    assert seed.languages == ("en", "fr", "de")
    assert "investment" in seed.events and {"Microsoft", "OpenAI"} <= set(seed.orgs)


class NoModel(Embedder):
    def embed(self, text: str) -> Vector:
        raise AssertionError("the vector was given: nothing to embed")


def test_a_vector_computed_in_a_batch_is_used_as_given(db: Database, embedder: Embedder) -> None:
    first = store(db, StoryBook(embedder), SEED[0])
    french = SEED[1]
    (vector,) = embedder.embed_many([embedding_text(french.title, french.lead)])
    filed: list[Filed] = []

    def file(session: Session, article_id: int, article: NewArticle) -> None:
        report = Report(
            article_id, article.title, article.lead, article.source, "fr", T0, french.found, vector=vector
        )
        filed.append(StoryBook(NoModel()).file(session, report))

    article = NewArticle(
        source="lemonde", url="https://lemonde.example/1", title=french.title, keys=(), lead=french.lead
    )
    assert store_article(db, article, file) is not None
    assert filed[0].joined and filed[0].story.id == first.story.id
