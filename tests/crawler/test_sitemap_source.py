"""sitemap sources: news sitemaps, indexes, gzip, age bounds and newest-first, real crawls into SQLite."""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from crawler.context import CrawlContext, CrawlSource
from crawler.errors import NotASitemapError
from crawler.runner import CrawlService
from crawler.sitemaps import parse_sitemap, period_end
from crawler.spiders.options import SitemapOptions
from db.engine import Database
from newsmon.wiring import App
from tests.crawler.helpers import SITE, TEST_SETTINGS, articles, fetch_log
from tests.servers import TestServer

Run = Callable[[Any], Any]

NEWS = "/sitemap/news/"
NEWEST_FIRST = ["solar-farm", "library-reopens", "mercado", "harbour-dredging"]  # tram-line is 5 days old
XML = {"Content-Type": "application/xml"}
_PLUS_TWO = timezone(timedelta(hours=2))


def fill(name: str, base: str, now: datetime) -> str:
    """A sitemap template from tests/crawler/site/sitemap with its base URL and its dates."""

    def ago(match: re.Match[str]) -> str:
        # A +02:00 offset on purpose: stored times must come out in UTC.
        when = (now - timedelta(hours=int(match[1]))).astimezone(_PLUS_TWO)
        return when.isoformat(timespec="seconds")

    text = (SITE / "sitemap" / name).read_text(encoding="utf-8").replace("{{BASE}}", base)
    return re.sub(r"\{\{AGO:(\d+)\}\}", ago, text)


def sitemap_context(
    database: Database, url: str, max_age: timedelta | None = None, **settings: Any
) -> CrawlContext:
    options = SitemapOptions(max_age=max_age) if max_age else None
    source = CrawlSource("post", "sitemap", url, options=options)
    return CrawlContext(database=database, sources=(source,), settings={**TEST_SETTINGS, **settings})


def slugs(paths: list[str]) -> list[str]:
    return [p.removeprefix(NEWS).removesuffix(".html") for p in paths if p.startswith(NEWS)]


def test_a_news_sitemap_is_followed_newest_first_within_two_days(
    database: Database, run_on_reactor: Run
) -> None:
    now = datetime.now(UTC)
    with TestServer(directory=SITE) as server:
        server.set("/news.xml", body=fill("news-sitemap.xml", server.base_url, now), headers=XML)
        ctx = sitemap_context(database, server.url("/news.xml"), CONCURRENT_REQUESTS=1)
        reports = run_on_reactor(CrawlService().crawl(ctx))

    report = reports["post"]
    assert report.outcome == "ok" and report.entries == 4 and report.new_articles == 4
    assert slugs(server.paths()) == NEWEST_FIRST  # one request at a time: the order they were asked in
    stored = {a.url.removeprefix(server.base_url + NEWS): a for a in articles(database)}
    assert set(stored) == {f"{slug}.html" for slug in NEWEST_FIRST}  # canonical: no utm_source
    solar = stored["solar-farm.html"]
    assert solar.title == "A floating solar farm opens on the old quarry lake"
    assert "four thousand homes" in solar.text and "© Coastal Post" not in solar.text
    # news:publication_date is the article's time, in UTC.
    assert solar.published is not None
    assert abs(solar.published - (now - timedelta(hours=1))) < timedelta(seconds=1)
    library = stored["library-reopens.html"]  # published 3 h ago, modified 50 h ago
    assert library.published is not None
    assert abs(library.published - (now - timedelta(hours=3))) < timedelta(seconds=1)
    assert stored["mercado.html"].language == "es"
    assert [log.outcome for log in fetch_log(database, "post")] == ["ok"]


def test_the_age_bound_and_the_follow_cap(database: Database, run_on_reactor: Run) -> None:
    now = datetime.now(UTC)
    service = CrawlService()
    with TestServer(directory=SITE) as server:
        server.set("/news.xml", body=fill("news-sitemap.xml", server.base_url, now), headers=XML)
        young = sitemap_context(database, server.url("/news.xml"), max_age=timedelta(hours=12))
        first = run_on_reactor(service.crawl(young))
        first_stored = {a.url for a in articles(database)}
        capped = sitemap_context(database, server.url("/news.xml"), NEWSMON_MAX_FOLLOW=1)
        second = run_on_reactor(service.crawl(capped))
        third = run_on_reactor(service.crawl(capped))
        fourth = run_on_reactor(service.crawl(capped))

    assert first["post"].entries == 3  # 1 h, 3 h and 10 h old
    assert {u.removeprefix(server.base_url + NEWS) for u in first_stored} == {
        "solar-farm.html",
        "library-reopens.html",
        "mercado.html",
    }
    # One page a crawl, the newest not yet stored; the unchanged sitemap is read again each time.
    assert second["post"].new_articles == 1 and slugs(server.paths())[-1] == "harbour-dredging"
    assert third["post"].followed == 0 and fourth["post"].outcome == "ok"
    assert server.count(NEWS + "tram-line.html") == 0
    for slug in NEWEST_FIRST:
        assert server.count(f"{NEWS}{slug}.html") == 1


def test_a_sitemap_index_with_a_gzipped_child(database: Database, run_on_reactor: Run) -> None:
    now = datetime.now(UTC)
    with TestServer(directory=SITE) as server:
        base = server.base_url
        news = gzip.compress(fill("news-sitemap.xml", base, now).encode())
        server.set("/sitemap/index.xml", body=fill("sitemap-index.xml", base, now), headers=XML)
        server.set("/sitemap/news-sitemap.xml.gz", body=news, headers={"Content-Type": "application/x-gzip"})
        server.set("/sitemap/pages.xml", body=fill("pages.xml", base, now), headers=XML)
        reports = run_on_reactor(
            CrawlService().crawl(sitemap_context(database, server.url("/sitemap/index.xml")))
        )

    assert reports["post"].outcome == "ok" and reports["post"].new_articles == 4
    assert server.count("/sitemap/news-sitemap.xml.gz") == 1 and server.count("/sitemap/pages.xml") == 1
    # Older than two days by their lastmod, or by the month in their name: never fetched.
    assert server.count("/sitemap/old.xml") == 0 and server.count("/sitemap/archive-2019-05.xml") == 0
    # Undated pages beside dated news: their age is unknown, they are not followed.
    assert server.count("/sitemap/about.html") == 0
    assert sorted(slugs([a.url.removeprefix(base) for a in articles(database)])) == sorted(NEWEST_FIRST)


def test_robots_txt_names_the_sitemaps(database: Database, run_on_reactor: Run) -> None:
    now = datetime.now(UTC)
    with TestServer(directory=SITE) as server:
        robots = f"User-agent: *\nDisallow: /private/\nSitemap: {server.url('/news.xml')}\n"
        server.set("/robots.txt", body=robots, headers={"Content-Type": "text/plain"})
        server.set("/news.xml", body=fill("news-sitemap.xml", server.base_url, now), headers=XML)
        reports = run_on_reactor(CrawlService().crawl(sitemap_context(database, server.url("/robots.txt"))))

    assert reports["post"].outcome == "ok" and reports["post"].new_articles == 4


def test_a_sitemap_without_dates_is_followed_in_its_own_order(
    database: Database, run_on_reactor: Run
) -> None:
    with TestServer(directory=SITE) as server:
        urls = "".join(
            f"<url><loc>{server.url(NEWS + s + '.html')}</loc></url>" for s in ("tram-line", "mercado")
        )
        server.set("/plain.xml", body=f"<urlset>{urls}</urlset>", headers=XML)
        ctx = sitemap_context(database, server.url("/plain.xml"), CONCURRENT_REQUESTS=1)
        reports = run_on_reactor(CrawlService().crawl(ctx))

    assert reports["post"].new_articles == 2
    assert slugs(server.paths()) == ["tram-line", "mercado"]


def test_indexes_nest_three_deep_at_most(database: Database, run_on_reactor: Run) -> None:
    now = datetime.now(UTC)
    with TestServer(directory=SITE) as server:
        for level in range(4):  # /i0.xml → /i1.xml → /i2.xml → /i3.xml → /i4.xml, each an index of the next
            child = f"<sitemap><loc>{server.url(f'/i{level + 1}.xml')}</loc></sitemap>"
            server.set(f"/i{level}.xml", body=f"<sitemapindex>{child}</sitemapindex>", headers=XML)
        server.set("/i4.xml", body=fill("news-sitemap.xml", server.base_url, now), headers=XML)
        too_deep = sitemap_context(database, server.url("/i0.xml"))
        refused = run_on_reactor(CrawlService().crawl(too_deep))["post"]
        deep_enough = sitemap_context(database, server.url("/i1.xml"))
        read = run_on_reactor(CrawlService().crawl(deep_enough))["post"]

    assert refused.new_articles == 0 and any("nested deeper than 3" in p for p in refused.problems)
    assert read.outcome == "ok" and read.new_articles == 4  # i1 → i2 → i3 → i4, the sitemap
    assert server.count("/i4.xml") == 1


def test_what_is_not_a_sitemap_fails_the_source(database: Database, run_on_reactor: Run) -> None:
    with TestServer(directory=SITE) as server:
        server.set("/index.xml", body="<sitemapindex><sitemap><loc>/gone.xml</loc></sitemap></sitemapindex>")
        ctx = CrawlContext(
            database=database,
            sources=(
                CrawlSource("page", "sitemap", server.url(NEWS + "mercado.html")),
                CrawlSource("index", "sitemap", server.url("/index.xml")),
            ),
            settings=TEST_SETTINGS,
        )
        reports = run_on_reactor(CrawlService().crawl(ctx))

    assert reports["page"].outcome == "error" and "not a sitemap" in (reports["page"].error or "")
    assert "<html>" in (reports["page"].error or "")
    assert reports["index"].outcome == "error" and "could be read" in (reports["index"].error or "")
    assert any("HTTP 404" in p for p in reports["index"].problems)
    assert articles(database) == []


def test_a_sitemap_source_from_config_has_its_max_age(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        f"""
database: sqlite:///{tmp_path / "newsmon.db"}
sources:
  - name: post
    type: sitemap
    url: https://example.org/news-sitemap.xml
    max_age: 6h
  - name: other
    type: sitemap
    url: https://example.org/sitemap.xml
""",
        encoding="utf-8",
    )
    app = App.open(config)
    try:
        post, other = app.crawl_context().sources
    finally:
        app.database.dispose()
    assert post.options == SitemapOptions(max_age=timedelta(hours=6))
    assert other.options == SitemapOptions(max_age=timedelta(days=2))  # declared once, in the options model


# Parsing, without a crawl.


def test_parse_a_news_sitemap() -> None:
    body = fill("news-sitemap.xml", "https://post.example", datetime(2024, 3, 12, 12, tzinfo=UTC)).encode()
    sitemap = parse_sitemap(gzip.compress(body), "https://post.example/s.xml.gz")
    assert sitemap.kind == "urlset" and len(sitemap.entries) == 5
    solar = sitemap.entries[2]
    assert solar.loc == "https://post.example/sitemap/news/solar-farm.html?utm_source=sitemap"
    assert solar.title == "A floating solar farm opens on the old quarry lake"  # not the image's title
    assert solar.published == datetime(2024, 3, 12, 11, tzinfo=UTC) and solar.language == "en"
    assert sitemap.entries[3].lastmod == datetime(2024, 3, 12, 2, tzinfo=UTC)
    assert sitemap.entries[3].published is None and sitemap.entries[3].title == ""


@pytest.mark.parametrize(
    "body",
    [b"", b"<html><body>hi</body></html>", b'<rss version="2.0"><channel/></rss>', b"\x1f\x8b\x08 broken"],
)
def test_parse_refuses_what_is_not_a_sitemap(body: bytes) -> None:
    with pytest.raises(NotASitemapError):
        parse_sitemap(body, "https://post.example/s.xml")


def test_parse_caps_a_gzip_bomb() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * 5_000_000 + b"</urlset>")
    with pytest.raises(NotASitemapError, match="cannot be unpacked"):
        parse_sitemap(bomb, "https://post.example/s.xml.gz", max_size=1_000_000)


def test_entities_are_not_expanded() -> None:
    body = b"""<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]>
      <urlset><url><loc>https://post.example/&x;</loc></url></urlset>"""
    sitemap = parse_sitemap(body, "https://post.example/s.xml")
    assert all("root:" not in e.loc for e in sitemap.entries)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.example/sitemap-2024-03.xml", datetime(2024, 4, 1, tzinfo=UTC)),
        ("https://a.example/sitemaps/2024/02/28/news.xml", datetime(2024, 2, 29, tzinfo=UTC)),
        ("https://a.example/post-sitemap202312.xml", datetime(2024, 1, 1, tzinfo=UTC)),
        ("https://a.example/post-sitemap2.xml", None),
        ("https://a.example/sitemap-123456789.xml", None),
    ],
)
def test_period_in_a_sitemap_url(url: str, expected: datetime | None) -> None:
    assert period_end(url) == expected
