"""Whole crawls against a local server: fetch, parse, extract, store, re-crawl."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crawler.runner import CrawlService
from db.engine import Database
from tests.crawler.helpers import SITE, articles, context, fetch_log, keys, source_row
from tests.servers import Reply, TestServer

Run = Callable[[Any], Any]
BOILERPLATE = (
    "Tous droits réservés",
    "Gérer les cookies",
    "Inscrivez-vous à notre newsletter",
    "À lire aussi",
)


def test_a_crawl_stores_each_article_with_text_language_and_canonical_url(
    database: Database, run_on_reactor: Run
) -> None:
    with TestServer(directory=SITE) as server:
        ctx = context(database, ("jds", server.url("/fr/feed.xml")), ("harbour", server.url("/en/atom.xml")))
        reports = run_on_reactor(CrawlService().crawl(ctx))

    assert {name: r.outcome for name, r in reports.items()} == {"jds": "ok", "harbour": "ok"}
    assert reports["jds"].new_articles == 2 and reports["harbour"].new_articles == 1
    stored = {a.url.removeprefix(server.base_url): a for a in articles(database)}
    assert set(stored) == {
        "/fr/2024/03/satellite-glaciers.html",  # utm_* dropped
        "/fr/2024/03/abeilles-vergers.html",  # xtor dropped
        "/en/2024/03/autonomous-cranes",  # trailing slash dropped
    }
    glaciers = stored["/fr/2024/03/satellite-glaciers.html"]
    assert glaciers.title == "Un satellite européen cartographie les glaciers alpins au centimètre près"
    assert "altimètre radar interférométrique" in glaciers.text  # only in the page body
    assert not [b for b in BOILERPLATE if b in glaciers.text]
    assert not glaciers.text.startswith(glaciers.title)
    assert glaciers.language == "fr"
    assert glaciers.published is not None and glaciers.published.isoformat() == "2024-03-12T06:45:00+00:00"
    assert glaciers.authors == ["Camille Fournier"]
    assert glaciers.lead.startswith("Depuis son orbite à 690 kilomètres") and len(glaciers.lead) <= 400
    assert glaciers.summary  # the page's description, or the feed's summary
    cranes = stored["/en/2024/03/autonomous-cranes"]
    assert cranes.language == "en"
    assert cranes.published is not None and cranes.published.isoformat() == "2024-03-12T09:30:00+00:00"
    assert [log.outcome for log in fetch_log(database, "jds")] == ["ok"]
    assert source_row(database, "jds").status == "ok"


def test_a_recrawl_fetches_no_article_page_again(database: Database, run_on_reactor: Run) -> None:
    service = CrawlService()
    with TestServer(directory=SITE) as server:
        ctx = context(database, ("jds", server.url("/fr/feed.xml")))
        run_on_reactor(service.crawl(ctx))
        first = server.paths()
        reports = run_on_reactor(service.crawl(ctx))
        # The feed changed (a new variant of a stored entry and one new entry): still no old page again.
        feed = (SITE / "fr/feed.xml").read_text().replace("{{BASE}}", server.base_url)
        feed = feed.replace("xtor=RSS-3208", "utm_source=twitter")
        server.set("/fr/feed.xml", body=feed, headers={"Content-Type": "application/rss+xml"})
        third = run_on_reactor(service.crawl(ctx))

    assert first.count("/fr/2024/03/satellite-glaciers.html") == 1
    assert reports["jds"].outcome == "unchanged"  # same bytes: not even parsed
    assert third["jds"].outcome == "ok" and third["jds"].followed == 0
    assert server.count("/fr/2024/03/satellite-glaciers.html") == 1
    assert server.count("/fr/2024/03/abeilles-vergers.html") == 1
    assert len(articles(database)) == 2


def test_url_and_guid_variants_are_one_article(database: Database, run_on_reactor: Run) -> None:
    page = (SITE / "fr/2024/03/abeilles-vergers.html").read_text()
    item = """<item><title>Les abeilles sauvages reviennent</title><link>{link}</link>
      <guid isPermaLink="false">{guid}</guid><pubDate>Mon, 11 Mar 2024 16:20:00 +0100</pubDate></item>"""

    def feed(*items: tuple[str, str]) -> str:
        body = "".join(item.format(link=link, guid=guid) for link, guid in items)
        return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{body}</channel></rss>'

    with TestServer() as server:
        base = server.base_url
        server.set("/a/", body=page.replace("{{BASE}}", base), headers={"Content-Type": "text/html"})
        server.set("/b", body=page.replace("{{BASE}}", base), headers={"Content-Type": "text/html"})
        rss = {"Content-Type": "application/rss+xml"}
        # Source one: the article under a tracking URL. Source two: the same URL spelled otherwise.
        server.set("/one.xml", body=feed((f"{base}/a/?utm_source=rss#top", "g-1")), headers=rss)
        variant = f"HTTP://127.0.0.1:{server.port}/a?fbclid=xyz"
        server.set("/two.xml", body=feed((variant, "other")), headers=rss)
        ctx = context(database, ("one", server.url("/one.xml")), ("two", server.url("/two.xml")))
        service = CrawlService()
        run_on_reactor(service.crawl(ctx, ["one"]))
        run_on_reactor(service.crawl(ctx, ["two"]))
        # Later the first source moves the article to another URL, same GUID: still known.
        server.set("/one.xml", body=feed((f"{base}/b", "g-1")), headers=rss)
        reports = run_on_reactor(service.crawl(ctx, ["one"]))

    assert reports["one"].followed == 0
    assert server.count("/b") == 0
    assert server.count("/a/") + server.count("/a") == 1
    assert len(articles(database)) == 1
    # The page's rel=canonical names another URL: it is one of the article's keys too.
    assert f"url://127.0.0.1:{server.port}/fr/2024/03/abeilles-vergers.html" in keys(database)


def test_304_reaches_the_spider_and_costs_no_parse(database: Database, run_on_reactor: Run) -> None:
    feed = (SITE / "en/atom.xml").read_bytes()
    with TestServer(directory=SITE) as server:
        atom = feed.replace(b"{{BASE}}", server.base_url.encode())
        headers = {
            "Content-Type": "application/atom+xml",
            "ETag": '"v1"',
            "Last-Modified": "Tue, 12 Mar 2024 10:00:00 GMT",
        }
        server.set("/en/atom.xml", Reply(body=atom, headers=headers, conditional=True))
        ctx = context(database, ("harbour", server.url("/en/atom.xml")))
        service = CrawlService()
        first = run_on_reactor(service.crawl(ctx))
        second = run_on_reactor(service.crawl(ctx))
        polls = [h for h in server.hits if h.path == "/en/atom.xml"]

    assert first["harbour"].outcome == "ok"
    assert second["harbour"].outcome == "not_modified" and second["harbour"].http_status == 304
    assert "if-none-match" not in polls[0].headers
    assert polls[1].headers["if-none-match"] == '"v1"'
    assert polls[1].headers["if-modified-since"] == "Tue, 12 Mar 2024 10:00:00 GMT"
    assert [log.outcome for log in fetch_log(database, "harbour")] == ["ok", "not_modified"]
    row = source_row(database, "harbour")
    assert row.etag == '"v1"' and row.status == "ok"


def test_broken_feeds_are_recorded_and_never_stop_the_others(database: Database, run_on_reactor: Run) -> None:
    with TestServer() as closed:
        dead = closed.url("/feed.xml")  # nothing listens there any more
    with TestServer(directory=SITE) as server:
        server.set("/slow.xml", Reply(body=b"<rss/>", delay=5))
        server.set("/boom.xml", Reply(status=500, body=b"oops"))
        ctx = context(
            database,
            ("good", server.url("/fr/feed.xml")),
            ("missing", server.url("/nothing-here.xml")),
            ("html", server.url("/fr/2024/03/abeilles-vergers.html")),
            ("refused", dead),
            ("slow", server.url("/slow.xml")),
            ("boom", server.url("/boom.xml")),
            settings={"DOWNLOAD_TIMEOUT": 1, "RETRY_TIMES": 1},
        )
        reports = run_on_reactor(CrawlService().crawl(ctx))

    assert reports["good"].outcome == "ok" and reports["good"].new_articles == 2
    assert len(articles(database)) == 2
    errors = {name: r.error or "" for name, r in reports.items() if r.outcome == "error"}
    assert set(errors) == {"missing", "html", "refused", "slow", "boom"}
    for name, error in errors.items():
        assert error.startswith(f"source {name}: ")
        assert reports[name].url in error
    assert "HTTP 404" in errors["missing"]
    assert "HTML page, not a feed" in errors["html"]
    assert "refused" in errors["refused"].lower()
    assert "timed out" in errors["slow"].lower()
    assert "HTTP 500" in errors["boom"] and server.count("/boom.xml") == 2  # retried once
    for name in errors:
        row = source_row(database, name)
        assert row.status == "failing" and row.failures == 1 and row.last_error == errors[name]
    assert source_row(database, "good").status == "ok"


def test_robots_txt_is_obeyed_for_every_request_queued_behind_its_download(
    database: Database, run_on_reactor: Run
) -> None:
    # Scrapy 2.19 lets all but the first two requests queued behind robots.txt through.
    feed = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
    with TestServer() as server:
        server.set("/robots.txt", Reply(body=b"User-agent: *\nDisallow: /private/\n", delay=0.5))
        sources = []
        for i in range(10):
            path = f"/private/{i}.xml" if i < 8 else f"/public/{i}.xml"
            server.set(path, body=feed, headers={"Content-Type": "application/rss+xml"})
            sources.append((f"s{i}", server.url(path)))
        reports = run_on_reactor(CrawlService().crawl(context(database, *sources)))

    assert [p for p in server.paths() if p.startswith("/private/")] == []
    assert server.count("/robots.txt") == 1
    assert [reports[f"s{i}"].outcome for i in range(10)] == ["error"] * 8 + ["ok"] * 2
    assert "robots.txt" in (reports["s0"].error or "")


def test_a_page_forbidden_or_gone_is_stored_from_the_feed(database: Database, run_on_reactor: Run) -> None:
    with TestServer(directory=SITE) as server:
        server.set("/fr/2024/03/abeilles-vergers.html", Reply(status=410))
        server.set("/fr/2024/03/satellite-glaciers.html", Reply(status=503))
        ctx = context(database, ("jds", server.url("/fr/feed.xml")))
        reports = run_on_reactor(CrawlService().crawl(ctx))

    stored = articles(database)
    assert [a.title for a in stored] == ["Les abeilles sauvages reviennent dans les vergers bio"]
    assert stored[0].text == "Une étude sur trois ans compte les pollinisateurs."
    assert reports["jds"].outcome == "ok" and reports["jds"].new_articles == 1
    # The 503 page is left for the next poll, and said so in the fetch log.
    assert any("HTTP 503" in p for p in reports["jds"].problems)
    assert "HTTP 503" in (fetch_log(database, "jds")[0].error or "")


def test_the_feeds_full_content_wins_over_a_walled_page(database: Database, run_on_reactor: Run) -> None:
    body = "Le texte intégral de l'article, tel que le flux le publie, avec tous ses paragraphes. " * 8
    feed = f"""<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
      <channel><title>t</title><language>fr</language><item><title>Un article réservé aux abonnés</title>
      <link>{{base}}/paywalled</link><guid>p-1</guid><description>Le début.</description>
      <content:encoded><![CDATA[<p>{body}</p>]]></content:encoded></item></channel></rss>"""
    wall = "<html><body><article><h1>Un article</h1><p>Abonnez-vous pour lire la suite.</p></article></body>"
    with TestServer() as server:
        xml = feed.replace("{base}", server.base_url)
        server.set("/feed.xml", body=xml, headers={"Content-Type": "text/xml"})
        server.set("/paywalled", body=wall, headers={"Content-Type": "text/html"})
        run_on_reactor(CrawlService().crawl(context(database, ("p", server.url("/feed.xml")))))

    (stored,) = articles(database)
    assert stored.text.startswith("Le texte intégral") and stored.language == "fr"
