"""The pages over HTTP: what they show, and how they answer bad input."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import update

from db import web as dbweb
from db.models import Article
from db.web import DayCount
from newsmon.web import charts
from newsmon.web.app import create_app
from newsmon.web.pages import snippet_html, web_link
from newsmon.wiring import App
from tests.web.conftest import LiveServer, Site, write_config


def test_search_page_keeps_the_query_and_highlights(client: httpx.Client, site: Site) -> None:
    page = client.get("/", params={"q": "OpenAI", "lang": "en"}).text
    assert 'value="OpenAI"' in page
    assert f'href="/articles/{site.ids["openai"]}"' in page
    assert f'href="/articles/{site.ids["openai_fr"]}"' not in page
    assert "<mark>OpenAI</mark>" in page


def test_search_page_shows_a_bad_query_and_keeps_the_form(client: httpx.Client) -> None:
    response = client.get("/", params={"q": "OpenAI AND (", "since": "7d"})
    assert response.status_code == 400
    assert "bad query" in response.text and 'value="OpenAI AND ("' in response.text
    bad_since = client.get("/", params={"q": "OpenAI", "since": "a week"})
    assert bad_since.status_code == 400 and "since: bad duration" in bad_since.text


def test_event_and_organisation_filters_are_query_terms(client: httpx.Client, site: Site) -> None:
    with site.app.database.write() as session:
        # What detection found on the seeded articles is replaced by facts this test controls.
        session.execute(update(Article).values(event_types=[], orgs=[]))
        session.execute(
            update(Article)
            .where(Article.id == site.ids["openai"])
            .values(event_types=["investment"], orgs=["OpenAI", "Microsoft"])
        )
    hits = client.get("/api/search", params={"event": "investment"}).json()
    assert [h["id"] for h in hits] == [site.ids["openai"]]
    hits = client.get("/api/search", params={"q": "billion", "org": 'Microsoft" OR "x'}).json()
    assert hits == []  # the name is one quoted phrase, never query syntax
    assert [h["id"] for h in client.get("/api/search", params={"org": "Microsoft"}).json()] == [
        site.ids["openai"]
    ]


def test_article_page_shows_facts_alerts_and_the_story(client: httpx.Client, site: Site) -> None:
    events = [{"type": "investment", "actors": ["Microsoft", "OpenAI"], "amount": None, "sentence": "Deal."}]
    amounts = [{"value": 10, "currency": "USD", "usd": 1e10, "text": "$10 billion"}]
    with site.app.database.write() as session:
        # What detection found on the seeded articles is replaced by facts this test controls.
        session.execute(update(Article).values(event_types=[], orgs=[]))
        session.execute(
            update(Article)
            .where(Article.id == site.ids["openai"])
            .values(events=events, orgs=["Microsoft", "OpenAI"], amounts=amounts)
        )
    page = client.get(f"/articles/{site.ids['openai']}").text
    assert "$10 billion" in page and "≈ $10,000,000,000" in page
    assert 'href="/?org=Microsoft"' in page
    assert "HTTP 404 from the webhook: no_service" in page
    assert f'href="/articles/{site.ids["openai_fr"]}"' in page  # the story's other article
    assert 'href="https://example.org/openai-invest"' in page
    assert 'href="/?source=wire"' in page  # the source's other articles


def test_unknown_article_page_is_a_404(client: httpx.Client) -> None:
    response = client.get("/articles/31337")
    assert response.status_code == 404 and "No article with id 31337" in response.text


def test_rules_page_backtests_and_refuses_an_unknown_rule(client: httpx.Client, site: Site) -> None:
    page = client.get("/rules", params={"rule": "ai-deals", "since": "30d"}).text
    assert "2 matches for ai-deals" in page
    unknown = client.get("/rules", params={"rule": "nope"})
    assert unknown.status_code == 400 and "no rule named" in unknown.text
    assert client.get("/rules", params={"rule": "ai-deals", "since": "x"}).status_code == 400


def test_alerts_page_filters_by_rule_and_status(client: httpx.Client, site: Site) -> None:
    page = client.get("/alerts", params={"rule": "partnerships"}).text
    assert 'data-label="Rule">partnerships<' in page and 'data-label="Rule">ai-deals<' not in page
    failed = client.get("/alerts", params={"status": "failed"}).text
    assert failed.count('<tr id="delivery-') == 1 and f'id="delivery-{site.ids["failed_delivery"]}"' in failed


def test_stories_page_with_no_story_yet(tmp_path: Path) -> None:
    app = App.open(write_config(tmp_path))
    with LiveServer(create_app(app)) as live, httpx.Client(base_url=live.base) as http:
        assert "No story in this period." in http.get("/stories").text
        assert http.get("/api/stories").json() == []
        assert http.get("/api/stories/1").status_code == 404
        assert http.get("/api/articles/1").status_code == 404
    app.database.dispose()


def test_snippets_keep_only_the_index_marks() -> None:
    html = snippet_html("<b>x</b> <mark>OpenAI</mark> & <script>")
    assert html == "&lt;b&gt;x&lt;/b&gt; <mark>OpenAI</mark> &amp; &lt;script&gt;"


def test_links_only_to_the_web() -> None:
    assert web_link("https://example.org/a") == "https://example.org/a"
    for bad in ("javascript:alert(1)", "JAVASCRIPT:x", "data:text/html,x", "/local", "", None):
        assert web_link(bad) is None


def test_daily_bars_scale_to_the_busiest_day() -> None:
    today = date(2026, 12, 3)
    chart = charts.daily_bars(
        [DayCount(today, 4), DayCount(today - timedelta(days=2), 2)], 3, today, height=21
    )
    assert [b.height for b in chart.bars] == [10.0, 1.0, 20.0]
    assert chart.bars[0].label == "2026-12-01: 2 articles" and chart.total == 6 and chart.peak == 4
    assert [b.height for b in charts.daily_bars([], 3, today).bars] == [1.0, 1.0, 1.0]


def test_timeline_spreads_articles_over_the_width() -> None:
    start = datetime(2026, 12, 1, tzinfo=UTC)
    dots = charts.timeline([(start + timedelta(hours=2), "b"), (start, "a")], width=112)
    assert [(d.x, d.label) for d in dots] == [(6.0, "a"), (106.0, "b")]


def test_per_day_counts_and_retry_rules(site: Site) -> None:
    database = site.app.database
    today = datetime.now(UTC).date()
    assert dbweb.articles_per_day(database)["wire"] == [DayCount(today, 2)]
    assert sum(c.count for c in dbweb.alerts_per_day(database)["ai-deals"]) == 2
    assert not dbweb.retry_now(database, site.ids["sent_delivery"])
    assert dbweb.retry_now(database, site.ids["failed_delivery"])
