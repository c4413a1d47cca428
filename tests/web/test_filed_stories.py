"""The web over stories the crawl's own path filed (assessment, then the store's transaction): alert rows
name their story, the article page lists the story's other articles."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from db.store import store_article
from newsmon.web.app import create_app
from newsmon.wiring import App
from tests.web.conftest import LiveServer, article, write_config

ENGLISH = article(
    "wire",
    "https://example.org/openai-invest",
    "Microsoft to invest $10 billion in OpenAI",
    "Microsoft will invest ten billion dollars in OpenAI, the companies said on Monday.",
    3,
)
FRENCH = article(
    "blog",
    "https://example.fr/openai-investissement",
    "Microsoft investit 10 milliards de dollars dans OpenAI",
    "Microsoft investit dix milliards de dollars dans OpenAI, ont annoncé lundi les deux sociétés.",
    2,
    "fr",
)


@pytest.fixture
def filed(tmp_path: Path) -> Iterator[tuple[httpx.Client, dict[str, int]]]:
    app = App.open(write_config(tmp_path))
    assess = app.assess()
    ids = {}
    for name, new in (("english", ENGLISH), ("french", FRENCH)):
        assessment = assess(new)
        stored = store_article(app.database, new, matches=assessment.matches, story=assessment.story)
        assert stored is not None
        ids[name] = stored
    with LiveServer(create_app(app)) as live, httpx.Client(base_url=live.base) as client:
        yield client, ids
    app.database.dispose()


def test_alert_rows_carry_the_story_and_the_story_alerted_once(
    filed: tuple[httpx.Client, dict[str, int]],
) -> None:
    client, ids = filed
    (story,) = client.get("/api/stories").json()
    assert story["article_ids"] == [ids["english"], ids["french"]]
    rows = client.get("/api/alerts", params={"rule": "ai-deals"}).json()
    assert {(row["article_id"], row["story_id"]) for row in rows} == {(ids["english"], story["id"])}
    page = client.get("/alerts").text
    assert f'<a href="/articles/{ids["english"]}#story">{story["id"]}</a>' in page


def test_the_article_page_lists_the_story_s_other_articles(
    filed: tuple[httpx.Client, dict[str, int]],
) -> None:
    client, ids = filed
    assert client.get(f"/api/articles/{ids['french']}").json()["story_id"] is not None
    page = client.get(f"/articles/{ids['french']}").text
    story = page.split('<section id="story">')[1]
    assert f'href="/articles/{ids["english"]}"' in story and f'href="/articles/{ids["french"]}"' not in story
