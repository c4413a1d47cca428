"""Filing the articles stored before stories existed: once, first seen first, without alerts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from alerts.stories.embedding import Embedder
from alerts.stories.rebuild import rebuild, stored_fingerprint
from db.engine import Database
from db.facts import ArticleFacts
from db.models import Alert
from db.store import NewArticle, SourceSpec, store_article, sync_sources
from db.stories import list_stories
from tests.databases import Databases
from tests.newsmon.stored import Project

T0 = datetime(2023, 1, 23, 14, 0, tzinfo=UTC)
TEN_BILLION = {"value": 1e10, "currency": "USD", "usd": 1e10, "text": "$10 billion"}
DEAL = ArticleFacts(
    events=(
        {"type": "investment", "actors": ["Microsoft", "OpenAI"], "amount": TEN_BILLION, "sentence": "…"},
    ),
    event_types=("investment",),
    orgs=("Microsoft", "OpenAI"),
    amounts=(TEN_BILLION,),
    amount_usd=1e10,
)
REPORTS = (  # source, hours, title, lead, facts
    (
        "reuters",
        0,
        "Microsoft invests $10 billion in ChatGPT maker OpenAI",
        "Microsoft will invest $10 billion in OpenAI.",
        DEAL,
    ),
    (
        "lemonde",
        3,
        "Microsoft investit 10 milliards de dollars dans OpenAI",
        "Le géant de Redmond injecte 10 milliards de dollars dans OpenAI.",
        DEAL,
    ),
    (
        "spiegel",
        20,
        "Microsoft steigt mit zehn Milliarden Dollar bei OpenAI ein",
        "Microsoft investiert rund zehn Milliarden Dollar in OpenAI.",
        DEAL,
    ),
    ("wetter", 1, "Sunny weekend ahead", "Temperatures climb to 25 degrees.", ArticleFacts()),
)


@pytest.fixture(scope="module")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> Embedder:
    return Embedder(cache_dir=tmp_path_factory.mktemp("cache"))


def test_articles_stored_before_stories_are_filed_once_first_seen_first(
    databases: Databases, embedder: Embedder
) -> None:
    database = databases.open()
    sync_sources(
        database, [SourceSpec(source, "feed", f"http://127.0.0.1/{source}") for source, *_ in REPORTS]
    )
    ids = [
        store_article(
            database,
            NewArticle(
                source,
                f"https://{source}.example/1",
                title,
                (),
                published=T0 + timedelta(hours=hours),
                lead=lead,
                facts=facts,
            ),
        )
        for source, hours, title, lead, facts in reversed(REPORTS)  # stored in another order than published
    ]
    done = rebuild(database, embedder=embedder)
    assert (done.filed, done.started, done.joined) == (3, 1, 2)
    (story,) = list_stories(database)
    assert story["outlets"] == ["reuters", "lemonde", "spiegel"]  # the first seen started it
    assert story["title"] == REPORTS[0][2] and story["amount"] == TEN_BILLION
    assert sorted(story["article_ids"]) == sorted(ids[1:])  # the weather has no facts, and no story
    assert rebuild(database, embedder=embedder).filed == 0
    assert rebuild(database, since=T0 + timedelta(hours=30), embedder=embedder).filed == 0


def test_a_date_in_the_future_is_rebuilt_as_when_the_article_was_fetched(
    databases: Databases, embedder: Embedder
) -> None:
    database = databases.open()
    sync_sources(database, [SourceSpec("liar", "feed", "http://127.0.0.1/liar")])
    before = datetime.now(UTC)
    _, _, title, lead, facts = REPORTS[0]
    in_ten_years = before + timedelta(days=3650)  # a hostile or broken feed's date
    store_article(
        database,
        NewArticle(
            "liar", "https://liar.example/1", title, (), published=in_ten_years, lead=lead, facts=facts
        ),
    )
    assert rebuild(database, embedder=embedder).filed == 1
    (story,) = list_stories(database)
    # Filed as the crawl files a new article: seen when fetched, so the story closes after 72 hours.
    for seen in (story["first_seen"], story["last_seen"]):
        assert before <= datetime.fromisoformat(seen) <= datetime.now(UTC)


def test_the_stored_facts_give_the_fingerprint_the_analysis_gave() -> None:
    vague = {"value": 1e9, "currency": "USD", "usd": 1e9, "text": "billions", "lower_bound": True}
    found = stored_fingerprint(
        ArticleFacts(
            events=(
                {"type": "investment", "actors": ["OpenAI", "Microsoft"], "amount": vague, "sentence": ""},
            ),
            event_types=("investment",),
            orgs=("Google", "OpenAI", "Microsoft"),
            amounts=(vague, TEN_BILLION),
        )
    )
    assert found.orgs == ("OpenAI", "Microsoft")  # the news' actors
    assert found.events == ("investment",)
    assert found.amounts_usd == (1e10,) and found.amount is None  # a vague amount prices nothing


def test_newsmon_stories_rebuild_raises_no_alert(tmp_path: Path) -> None:
    project = Project.create(tmp_path)
    texts = [
        "Microsoft said on Monday it will invest $10 billion in OpenAI, the maker of ChatGPT.",
        "Microsoft va investir 10 milliards de dollars dans OpenAI, le créateur de ChatGPT.",
    ]
    for n, text in enumerate(texts):
        project.store(f"Microsoft invests in OpenAI ({n})", text=text, published=T0 + timedelta(hours=n))
    database = Database(project.app().config.database)
    with database.read() as session:
        alerts = session.scalar(select(func.count()).select_from(Alert))
    assert alerts  # raised per article when they were stored

    done = project.run("stories", "--rebuild", "--format", "json")
    assert done.exit_code == 0, done.output
    assert '"filed": 2' in done.output and '"started": 1' in done.output
    listed = project.run("stories", "--format", "json")
    assert '"articles": 2' in listed.output
    with database.read() as session:
        assert session.scalar(select(func.count()).select_from(Alert)) == alerts
    database.dispose()
    again = project.run("stories", "--rebuild")
    assert again.exit_code == 0 and "filed 0 articles" in again.output
