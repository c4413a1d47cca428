"""html sources: a listing page and selectors in config, one generic spider, real crawls into SQLite."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from parsel import Selector

from crawler.context import CrawlContext, CrawlSource
from crawler.runner import CrawlService
from crawler.selectors import link_hrefs, select_fields, selector_kind
from crawler.spiders.options import HtmlOptions, Selectors
from db.engine import Database
from newsmon.wiring import App
from tests.crawler.helpers import SITE, TEST_SETTINGS, articles, fetch_log, source_row
from tests.servers import Reply, TestServer

Run = Callable[[Any], Any]

CSS = {
    "links": "h2.headline a::attr(href)",
    "title": "h1.story-title::text",
    "text": "div.story-body p",
    "published": "time.stamp",
    "author": ".writer::text",
}
XPATH = {
    "links": '//h2[@class="headline"]/a',  # elements: their href is taken
    "title": '//h1[@class="story-title"]',
    "text": '//div[@class="story-body"]//p/text()',
    "published": '(//time[@class="stamp"]/@datetime)[1]',
    "author": '//span[@class="writer"]',
}
ARTICLES = (
    "/html/2024/03/reservoir-levels.html",
    "/html/2024/03/bridge-reopens.html",
    "/html/2024/03/orchard-frost.html",
)


def html_context(database: Database, url: str, selectors: Mapping[str, str], **settings: Any) -> CrawlContext:
    options = HtmlOptions(selectors=Selectors.model_validate(selectors))
    source = CrawlSource("courier", "html", url, language="en", options=options)
    return CrawlContext(database=database, sources=(source,), settings={**TEST_SETTINGS, **settings})


@pytest.mark.parametrize("selectors", [CSS, XPATH], ids=["css", "xpath"])
def test_a_listing_page_and_selectors_make_a_source(
    database: Database, run_on_reactor: Run, selectors: Mapping[str, str]
) -> None:
    with TestServer(directory=SITE) as server:
        reports = run_on_reactor(
            CrawlService().crawl(html_context(database, server.url("/html/"), selectors))
        )

    report = reports["courier"]
    assert report.outcome == "ok" and report.entries == 3 and report.new_articles == 3
    stored = {a.url.removeprefix(server.base_url): a for a in articles(database)}
    assert set(stored) == set(ARTICLES)  # canonical: no utm_*, no fragment, one per article
    assert server.count("/html/2024/03/reservoir-levels.html") == 1
    assert server.count("/html/subscribe.html") == server.count("/html/about.html") == 0

    reservoir = stored["/html/2024/03/reservoir-levels.html"]
    # The field selectors win over the page's <title> and over the extractor.
    assert reservoir.title == "Reservoir levels reach a ten-year high after a wet winter"
    assert reservoir.text.startswith("The Clearwater reservoir stood at ninety-four percent")
    assert "Drought: the valley counts its wells" not in reservoir.text
    assert "All rights reserved" not in reservoir.text
    assert reservoir.authors == ["Dana Okafor"]
    assert reservoir.published is not None
    assert reservoir.published.isoformat() == "2024-03-14T12:15:00+00:00"
    assert reservoir.language == "en"

    bridge = stored["/html/2024/03/bridge-reopens.html"]
    assert bridge.title == "Old Mill bridge reopens to traffic after eight months of repairs"
    # trafilatura drops class="teaser" blocks as boilerplate: the text selector keeps the lead.
    assert bridge.text.startswith("The stone bridge over the Millrace carries cars again")
    assert bridge.authors == ["Sam Whitfield", "Lea Marchetti"]
    assert bridge.published is not None and bridge.published.isoformat() == "2024-03-13T00:00:00+00:00"

    # No selector matches on this page: the extractor's values stand.
    frost = stored["/html/2024/03/orchard-frost.html"]
    assert frost.title == "Late frost threatens the valley's orchards"
    assert "apricot and peach trees" in frost.text
    assert frost.authors == ["Priya Raman"]
    assert frost.published is not None and frost.published.date().isoformat() == "2024-03-12"
    assert source_row(database, "courier").status == "ok"


def test_a_recrawl_fetches_no_article_again(database: Database, run_on_reactor: Run) -> None:
    service = CrawlService()
    with TestServer(directory=SITE) as server:
        ctx = html_context(database, server.url("/html/"), CSS)
        run_on_reactor(service.crawl(ctx))
        second = run_on_reactor(service.crawl(ctx))
        # The listing changes (a new link, the old ones under other spellings): only the new page.
        listing = (SITE / "html/index.html").read_text().replace("{{BASE}}", server.base_url)
        listing = listing.replace("#top", "&amp;fbclid=1").replace(
            '<ul class="river">',
            '<ul class="river"><li><h2 class="headline"><a href="/html/new.html">New</a></h2></li>',
        )
        server.set("/html/", body=listing, headers={"Content-Type": "text/html"})
        server.set("/html/new.html", _page("A new story", "Fresh text. " * 30))
        third = run_on_reactor(service.crawl(ctx))

    assert second["courier"].outcome == "unchanged"
    assert third["courier"].outcome == "ok" and third["courier"].followed == 1
    for path in ARTICLES:
        assert server.count(path) == 1
    assert len(articles(database)) == 4
    assert [log.outcome for log in fetch_log(database, "courier")] == ["ok", "unchanged", "ok"]


def test_the_follow_cap_leaves_the_rest_for_the_next_crawl(database: Database, run_on_reactor: Run) -> None:
    service = CrawlService()
    with TestServer(directory=SITE) as server:
        ctx = html_context(database, server.url("/html/"), CSS, NEWSMON_MAX_FOLLOW=2, CONCURRENT_REQUESTS=1)
        first = run_on_reactor(service.crawl(ctx))
        first_pages = [p for p in server.paths() if p.startswith("/html/2024/")]
        second = run_on_reactor(service.crawl(ctx))

    assert first["courier"].followed == 2 and first["courier"].new_articles == 2
    assert first_pages == list(ARTICLES[:2])  # page order: the top of the listing first
    # Same listing bytes, but links were left over: it is read again, not "unchanged".
    assert second["courier"].outcome == "ok" and second["courier"].new_articles == 1
    assert server.count(ARTICLES[2]) == 1
    assert len(articles(database)) == 3


def test_links_to_another_local_origin_are_refused(database: Database, run_on_reactor: Run) -> None:
    with TestServer() as other, TestServer() as server:
        other.set("/story.html", _page("Elsewhere", "Text. " * 40))
        listing = f"""<html><body>
          <h2 class="headline"><a href="{other.url("/story.html")}">Elsewhere</a></h2>
          <h2 class="headline"><a href="/here.html">Here</a></h2></body></html>"""
        server.set("/list", body=listing, headers={"Content-Type": "text/html"})
        server.set("/here.html", _page("Here at home", "Home text. " * 40))
        reports = run_on_reactor(CrawlService().crawl(html_context(database, server.url("/list"), CSS)))

    assert other.count("/story.html") == 0  # loopback, and not the source's own origin
    assert [a.url for a in articles(database)] == [server.url("/here.html")]
    assert reports["courier"].outcome == "ok" and reports["courier"].new_articles == 1
    assert any("127.0.0.1" in p for p in reports["courier"].problems)


def test_a_links_selector_that_matches_nothing_fails_the_source(
    database: Database, run_on_reactor: Run
) -> None:
    with TestServer(directory=SITE) as server:
        selectors = {**CSS, "links": "article.teaser a::attr(href)"}
        reports = run_on_reactor(
            CrawlService().crawl(html_context(database, server.url("/html/"), selectors))
        )

    report = reports["courier"]
    assert report.outcome == "error"
    assert "article.teaser a::attr(href)" in (report.error or "") and "matched no link" in (
        report.error or ""
    )
    assert source_row(database, "courier").status == "failing"
    assert articles(database) == []


def test_an_html_source_from_config_crawls_with_its_selectors(tmp_path: Path, run_on_reactor: Run) -> None:
    with TestServer(directory=SITE) as server:
        config = tmp_path / "config.yaml"
        config.write_text(
            f"""
database: sqlite:///{tmp_path / "newsmon.db"}
crawl: {{download_delay: 0s, autothrottle: false}}
sources:
  - name: courier
    type: html
    url: {server.url("/html/")}
    language: en
    selectors:
      links: '{XPATH["links"]}'
      title: h1.story-title::text
""",
            encoding="utf-8",
        )
        app = App.open(config)
        try:
            ctx = app.crawl_context()
            reports = run_on_reactor(CrawlService(TEST_SETTINGS).crawl(ctx))
            stored = articles(app.database)
        finally:
            app.database.dispose()

    (source,) = ctx.sources
    assert source.type == "html"
    assert source.options == HtmlOptions(
        selectors=Selectors(links=XPATH["links"], title="h1.story-title::text")
    )
    assert reports["courier"].new_articles == 3
    assert "Reservoir levels reach a ten-year high after a wet winter" in {a.title for a in stored}


@pytest.mark.parametrize(
    ("expression", "kind"),
    [
        ("//a/@href", "xpath"),
        ("./a", "xpath"),
        ("(//a)[1]", "xpath"),
        ("../a", "xpath"),
        ("  //a", "xpath"),
        ("a.x::attr(href)", "css"),
        ("h2 > a", "css"),
        ("*", "css"),
    ],
)
def test_selectors_are_xpath_when_they_start_like_a_path(expression: str, kind: str) -> None:
    assert selector_kind(expression) == kind


def _page(title: str, text: str) -> Reply:
    html = f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1><p>{text}</p></article>"
    return Reply(body=html, headers={"Content-Type": "text/html"})


def test_links_and_fields_from_elements_strings_and_attributes() -> None:
    page = Selector(
        text="""<div class="card"><h2><a href="/a">A</a></h2></div><div class="card"><a href="/b">B</a></div>
        <h2 class="t">  The <em>real</em> title </h2>
        <meta property="article:published_time" content="2024-03-01">
        <div class="body"><p>One.</p><p>Two.</p></div>"""
    )
    assert link_hrefs(page, "div.card") == ["/a", "/b"]  # an element without href: the first inside it
    assert link_hrefs(page, "//a/@href") == ["/a", "/b"]
    fields = select_fields(page, Selectors(links="a", title="h2.t", text="div.body", published="meta"))
    assert fields is not None
    assert fields.title == "The real title" and fields.text == "One.\nTwo."
    assert fields.published == datetime(2024, 3, 1, tzinfo=UTC)
    assert select_fields(page, Selectors(links="a")) is None  # no field selector: the extractor alone
