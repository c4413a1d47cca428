"""Article pages that fail: retried on later polls with back-off, then stored from the feed; and
entries without a link, stored from the feed at once. Both marked ``text_from: feed``."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from crawler.feedtypes import FeedEntry
from crawler.retries import RetryPolicy, pack_entry, unpack_entry
from crawler.runner import CrawlService
from db.engine import Database
from db.models import PendingPage, utcnow
from db.queries import get_article
from tests.crawler.helpers import articles, fetch_log, keys, source_row
from tests.crawler.helpers import context as make_context
from tests.servers import Reply, TestServer

Run = Callable[[Any], Any]
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
HTML = {"Content-Type": "text/html; charset=utf-8"}
PROSE = "The harbour council approved the new tram line on Tuesday after a long public debate. " * 6


def _rss(*items: str) -> str:
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{"".join(items)}</channel></rss>'
    )


def _item(server: TestServer, slug: str) -> str:
    return (
        f"<item><title>Story {slug}</title><link>{server.url(f'/{slug}.html')}</link>"
        f"<guid>g-{slug}</guid><description>Summary of story {slug}.</description></item>"
    )


def _page(slug: str) -> Reply:
    body = f"<html><head><title>Story {slug}</title></head><body><article><h1>Story {slug}</h1><p>{PROSE}</p>"
    return Reply(body=body + "</article></body></html>", headers=HTML)


def _pending(database: Database) -> list[PendingPage]:
    with database.read() as session:
        return list(session.scalars(select(PendingPage).order_by(PendingPage.id)))


def _age_pending(database: Database, *, failing_for: timedelta = timedelta(0)) -> None:
    """What time does to the pending pages: their back-off over, failing since ``failing_for`` ago."""
    now = utcnow()
    with database.write() as session:
        session.execute(update(PendingPage).values(next_attempt=now, first_failed=now - failing_for))


def test_a_failed_page_is_retried_after_its_back_off_though_the_feed_is_unchanged(
    database: Database, run_on_reactor: Run
) -> None:
    service = CrawlService()
    with TestServer() as server:
        server.set("/feed.xml", Reply(body=_rss(_item(server, "a"), _item(server, "b")), headers=RSS))
        server.set("/a.html", _page("a"))
        server.set("/b.html", Reply(status=503))
        ctx = make_context(database, ("s", server.url("/feed.xml")))
        first = run_on_reactor(service.crawl(ctx))
        (pending,) = _pending(database)
        assert pending.url == server.url("/b.html") and pending.attempts == 1
        assert timedelta(minutes=9) < pending.next_attempt - utcnow() <= timedelta(minutes=10)
        asked = server.count("/b.html")

        # Same feed bytes, back-off not over: the page waits.
        second = run_on_reactor(service.crawl(ctx))
        assert second["s"].outcome == "unchanged" and server.count("/b.html") == asked

        # Back-off over, the page is back: fetched and stored from its page, with the feed unchanged.
        _age_pending(database)
        server.set("/b.html", _page("b"))
        third = run_on_reactor(service.crawl(ctx))

    assert first["s"].new_articles == 1 and third["s"].new_articles == 1
    assert third["s"].outcome == "unchanged" and third["s"].retried == 1
    assert [a.title for a in articles(database)] == ["Story a", "Story b"]
    assert {a.text_from for a in articles(database)} == {"page"}
    assert _pending(database) == []


def test_a_page_failing_past_the_bound_is_stored_from_the_feed_and_marked(
    database: Database, run_on_reactor: Run
) -> None:
    service = CrawlService()
    with TestServer() as server:
        server.set("/feed.xml", Reply(body=_rss(_item(server, "b")), headers=RSS))
        server.set("/b.html", Reply(status=503))
        ctx = make_context(database, ("s", server.url("/feed.xml")))
        run_on_reactor(service.crawl(ctx))
        assert articles(database) == []
        _age_pending(database, failing_for=timedelta(hours=47))
        run_on_reactor(service.crawl(ctx))
        assert articles(database) == [] and _pending(database)[0].attempts == 2
        _age_pending(database, failing_for=timedelta(hours=48, minutes=1))
        reports = run_on_reactor(service.crawl(ctx))

    (stored,) = articles(database)
    assert (stored.title, stored.text, stored.text_from) == ("Story b", "Summary of story b.", "feed")
    assert stored.url == server.url("/b.html")
    shown = get_article(database, stored.id)
    assert shown is not None and json.loads(json.dumps(shown.as_dict()))["text_from"] == "feed"
    assert _pending(database) == []
    assert any("HTTP 503" in p and "stored from the feed" in p for p in reports["s"].problems)


def test_a_source_whose_pages_mostly_fail_is_stale_naming_the_failure(
    database: Database, run_on_reactor: Run
) -> None:
    with TestServer() as server:
        items = [_item(server, slug) for slug in ("a", "b", "c")]
        server.set("/feed.xml", Reply(body=_rss(*items), headers=RSS))
        server.set("/a.html", _page("a"))
        server.set("/b.html", Reply(status=503))
        server.set("/c.html", Reply(status=503))
        ctx = make_context(database, ("s", server.url("/feed.xml")))
        run_on_reactor(CrawlService().crawl(ctx))

    row = source_row(database, "s")
    assert row.status == "stale"
    assert row.last_error is not None
    assert row.last_error.startswith("2 of 3 article pages could not be fetched; the first: HTTP 503 from ")
    assert "HTTP 503" in (fetch_log(database, "s")[0].error or "")


def test_entries_without_a_link_are_stored_from_the_feed_keyed_by_their_id(
    database: Database, run_on_reactor: Run
) -> None:
    content = "<p>" + PROSE + "</p>"
    atom = f"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
      <title>t</title><id>urn:feed</id><updated>2024-03-12T06:45:00Z</updated>
      <entry><title>Atom entry with content</title><id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
      <updated>2024-03-12T06:45:00Z</updated>
      <content type="html">{content.replace("<", "&lt;")}</content></entry>
    </feed>"""
    rss = _rss(
        '<item><title>RSS item, guid no permalink</title><guid isPermaLink="false">item-42</guid>'
        "<description>What the item says.</description></item>",
        "<item><title>Nothing to key it by</title><description>x</description></item>",
    )
    service = CrawlService()
    with TestServer() as server:
        server.set("/atom.xml", Reply(body=atom, headers={"Content-Type": "application/atom+xml"}))
        server.set("/rss.xml", Reply(body=rss, headers=RSS))
        ctx = make_context(database, ("atom", server.url("/atom.xml")), ("rss", server.url("/rss.xml")))
        reports = run_on_reactor(service.crawl(ctx))
        # A changed feed lists them again: known by their id, not stored twice.
        server.set("/rss.xml", Reply(body=rss.replace("What the item says.", "Edited."), headers=RSS))
        again = run_on_reactor(service.crawl(ctx))

    stored = {a.title: a for a in articles(database)}
    assert set(stored) == {"Atom entry with content", "RSS item, guid no permalink"}
    atom_article = stored["Atom entry with content"]
    assert atom_article.text.startswith("The harbour council") and atom_article.text_from == "feed"
    rss_article = stored["RSS item, guid no permalink"]
    assert rss_article.text == "What the item says." and rss_article.text_from == "feed"
    assert rss_article.url == server.url("/rss.xml") + "#item-42"
    assert keys(database)["guid:rss:item-42"] == rss_article.id
    assert (
        reports["rss"].new_articles == 1 and again["rss"].outcome == "ok" and again["rss"].new_articles == 0
    )
    assert any("neither a link nor an id" in p for p in reports["rss"].problems)
    assert set(server.paths()) == {"/robots.txt", "/atom.xml", "/rss.xml"}  # no page asked for


def test_the_retry_back_off_doubles_up_to_its_cap() -> None:
    policy = RetryPolicy(first=timedelta(minutes=10), cap=timedelta(hours=6))
    assert [policy.delay(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (10, 20, 40)]
    assert policy.delay(10_000) == timedelta(hours=6)
    assert not policy.given_up(utcnow() - timedelta(hours=47), utcnow())
    assert policy.given_up(utcnow() - timedelta(hours=48), utcnow())


def test_a_pending_entry_survives_its_round_trip_through_json() -> None:
    entry = FeedEntry(
        title="T",
        link="https://news.example/a",
        guid="g",
        published=utcnow().replace(microsecond=0),
        updated=None,
        summary="S",
        authors=("A", "B"),
        language="fr",
        content="C",
    )
    assert unpack_entry(json.loads(json.dumps(pack_entry(entry, "de")))) == (entry, "de")
