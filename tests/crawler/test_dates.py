"""Dates as feeds, pages and sitemaps write them, and the source's time zone for those without offset."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from crawler.dates import parse_date
from crawler.extract import extract_page
from crawler.feeds import parse_feed
from crawler.runner import CrawlService
from crawler.sitemaps import parse_sitemap
from newsmon.wiring import App
from tests.crawler.helpers import TEST_SETTINGS, articles
from tests.servers import Reply, TestServer

PARIS = ZoneInfo("Europe/Paris")
BERLIN = ZoneInfo("Europe/Berlin")
Run = Callable[[Any], Any]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # ISO 8601 and W3C datetimes (pages, JSON Feed, sitemaps).
        ("2024-03-14T07:15:00-05:00", utc(2024, 3, 14, 12, 15)),
        ("2024-03-12T08:00Z", utc(2024, 3, 12, 8)),
        ("2024-03-12", utc(2024, 3, 12)),
        ("2024-03", utc(2024, 3, 1)),
        ("2024", utc(2024, 1, 1)),
        ("2024-04-30T17:23:42", utc(2024, 4, 30, 17, 23, 42)),  # no offset: the zone's (UTC here)
        # RFC 822 and what real feeds make of it.
        ("Thu, 14 Mar 2024 07:15:00 GMT", utc(2024, 3, 14, 7, 15)),
        ("Sat, Dec 16 2023 02:02:33 PM", utc(2023, 12, 16, 14, 2, 33)),
        ("Sat, Dec 16 2023 12:30:00 AM", utc(2023, 12, 16, 0, 30)),
        ("Wed, 16 Nov 2022 00:38:15 CET", utc(2022, 11, 15, 23, 38, 15)),
        ("Tue, 15 Mar 2022 14:30:00 MESZ", utc(2022, 3, 15, 12, 30)),
        ("March 13, 2024", utc(2024, 3, 13)),
        # French, German, Spanish, Italian and Portuguese names.
        ("mer, 16 nov 2022 00:38:15 +0100", utc(2022, 11, 15, 23, 38, 15)),
        ("Seg, 24 Set 2018", utc(2018, 9, 24)),
        ("mar, 15 mars 2022 10:00:00 +0100", utc(2022, 3, 15, 9)),  # Tuesday first, March after
        ("Di, 05 Okt 2021 08:00:00 +0200", utc(2021, 10, 5, 6)),
        ("Dienstag, 15. März 2022 um 14:30 Uhr", utc(2022, 3, 15, 14, 30)),
        ("16 de noviembre de 2022 a las 14:30", utc(2022, 11, 16, 14, 30)),
        ("mercredi 16 novembre 2022 à 14h30", utc(2022, 11, 16, 14, 30)),
        ("1er mai 2024", utc(2024, 5, 1)),
        ("16 févr. 2024", utc(2024, 2, 16)),
        ("martedì 3 dicembre 2024, 10:15", utc(2024, 12, 3, 10, 15)),
        ("Qua, 05 Out 2022 12:00:00 -0300", utc(2022, 10, 5, 15)),
        ("15.03.2024 10:00", utc(2024, 3, 15, 10)),
        ("03.04.2024", utc(2024, 4, 3)),  # dotted: day first
        # Not dates, or not dated enough: nothing is guessed.
        ("  Published 13 March 2024, 09:30  ", None),
        ("Thursday morning", None),
        ("March 13", None),  # no year: not this year's by default
        ("garbage 2024 words", None),
        ("yesterday", None),
        ("2024-00", None),
        ("0001-01-01T00:00:00+01:00", None),  # before year 1 in UTC
        ("16 nov 2022 " + "x" * 200, None),
        ("", None),
    ],
)
def test_dates_as_feeds_pages_and_sitemaps_write_them(text: str, expected: datetime | None) -> None:
    assert parse_date(text) == expected


def test_a_date_without_offset_is_read_in_the_sources_zone() -> None:
    assert parse_date("2024-04-30T17:23:42", PARIS) == utc(2024, 4, 30, 15, 23, 42)  # CEST
    assert parse_date("2024-01-30 17:23", PARIS) == utc(2024, 1, 30, 16, 23)  # CET
    assert parse_date("2024-04-30", PARIS) == utc(2024, 4, 29, 22)  # the start of that day there
    assert parse_date("Seg, 24 Set 2018 10:00", ZoneInfo("America/Sao_Paulo")) == utc(2018, 9, 24, 13)
    # An offset, or a zone name, is the date's own: the source's zone does not move it.
    assert parse_date("2024-04-30T17:23:42+00:00", PARIS) == utc(2024, 4, 30, 17, 23, 42)
    assert parse_date("Wed, 16 Nov 2022 00:38:15 GMT", PARIS) == utc(2022, 11, 16, 0, 38, 15)


def test_a_page_date_without_offset_is_kept_in_the_sources_zone() -> None:
    html = """<html lang="de"><head><title>Neue Förderrunde</title>
    <meta property="article:published_time" content="2024-04-30T17:23:42"></head>
    <body><article><h1>Neue Förderrunde</h1><p>Das Start-up hat eine neue Finanzierungsrunde
    abgeschlossen, wie das Unternehmen am Dienstag mitteilte. Das Geld soll in die Entwicklung
    neuer Modelle fließen und das Team in Berlin vergrößern.</p></article></body></html>"""
    assert extract_page(html).published == utc(2024, 4, 30, 17, 23, 42)
    assert extract_page(html, BERLIN).published == utc(2024, 4, 30, 15, 23, 42)


FEED_DATES = (
    "mer, 16 nov 2022 00:38:15 +0100",
    "Seg, 24 Set 2018",
    "Sat, Dec 16 2023 02:02:33 PM",
    "Wed, 16 Nov 2022 09:00:00",
    "Wed, 16 Nov 2022 09:00:00 +0000",
)
RSS = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Le Fil</title>'
    + "".join(
        f"<item><title>{i}</title><link>https://fil.example.fr/{i}</link><pubDate>{d}</pubDate></item>"
        for i, d in enumerate(FEED_DATES)
    )
    + "</channel></rss>"
)


def test_feed_dates_in_other_languages_with_pm_and_without_offset() -> None:
    feed = parse_feed(RSS.encode(), "https://fil.example.fr/rss", zone=PARIS)
    assert [e.published for e in feed.entries] == [
        utc(2022, 11, 15, 23, 38, 15),
        utc(2018, 9, 23, 22),  # a day in Paris
        utc(2023, 12, 16, 13, 2, 33),  # 14:02:33 in Paris
        utc(2022, 11, 16, 8),  # no offset: Paris time
        utc(2022, 11, 16, 9),
    ]


def test_json_feed_dates_in_rfc_822_form() -> None:
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "J",
        "items": [
            {"id": "1", "url": "https://j.example/1", "date_published": "Wed, 16 Nov 2022 00:38:15 +0100"},
            {"id": "2", "url": "https://j.example/2", "date_published": "2022-11-16T10:00:00",
             "date_modified": "Thu, 17 Nov 2022 08:00:00 GMT"},
        ],
    }  # fmt: skip
    feed = parse_feed(json.dumps(document).encode(), "https://j.example/feed.json", zone=BERLIN)
    assert feed.entries[0].published == utc(2022, 11, 15, 23, 38, 15)
    assert feed.entries[1].published == utc(2022, 11, 16, 9)
    assert feed.entries[1].updated == utc(2022, 11, 17, 8)


def test_sitemap_dates_without_offset_are_in_the_sources_zone() -> None:
    body = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
      xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
      <url><loc>https://s.example/a</loc><lastmod>2024-03-12T08:00:00</lastmod>
      <news:news><news:publication_date>2024-03-12T07:30:00+00:00</news:publication_date></news:news></url>
    </urlset>"""
    (entry,) = parse_sitemap(body, "https://s.example/sitemap.xml", zone=BERLIN).entries
    assert entry.lastmod == utc(2024, 3, 12, 7)
    assert entry.published == utc(2024, 3, 12, 7, 30)


def test_a_sources_timezone_from_config_dates_its_articles(tmp_path: Path, run_on_reactor: Run) -> None:
    feed = """<?xml version="1.0"?><rss version="2.0"><channel><title>Kurier</title>
    <item><title>Eins</title><link>{base}/eins</link><pubDate>Di, 15 Mär 2022 14:30:00</pubDate></item>
    </channel></rss>"""
    page = "<html><body><article><h1>Eins</h1><p>Ein Text über den Tag.</p></article></body></html>"
    with TestServer() as server:
        server.set(
            "/feed.xml", Reply(body=feed.format(base=server.base_url), headers={"Content-Type": "text/xml"})
        )
        server.set("/eins", Reply(body=page, headers={"Content-Type": "text/html"}))
        config = tmp_path / "config.yaml"
        config.write_text(
            f"""
database: sqlite:///{tmp_path / "newsmon.db"}
crawl: {{download_delay: 0s, autothrottle: false}}
sources:
  - name: kurier
    url: {server.url("/feed.xml")}
    timezone: Europe/Berlin
""",
            encoding="utf-8",
        )
        app = App.open(config)
        try:
            ctx = app.crawl_context()
            run_on_reactor(CrawlService(TEST_SETTINGS).crawl(ctx))
            (stored,) = articles(app.database)
        finally:
            app.database.dispose()
    assert ctx.sources[0].timezone == BERLIN
    assert stored.published is not None
    assert stored.published.astimezone(UTC) == utc(2022, 3, 15, 13, 30)
