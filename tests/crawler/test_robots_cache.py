"""robots.txt kept across crawls for as long as the host allows, 24 hours at most."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from scrapy.http import Response

from crawler.robotscache import MAX_AGE, ROBOTS_CACHE, lifetime
from crawler.runner import CrawlService
from db.engine import Database
from tests.crawler.helpers import context
from tests.servers import Reply, TestServer

Run = Callable[[Any], Any]
RSS = {"Content-Type": "application/rss+xml"}
FEED = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
ROBOTS = b"User-agent: *\nDisallow: /private/\n"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def serve(server: TestServer, robots_headers: dict[str, str]) -> list[tuple[str, str]]:
    server.set("/robots.txt", Reply(body=ROBOTS, headers={"Content-Type": "text/plain", **robots_headers}))
    server.set("/public/feed.xml", body=FEED, headers=RSS)
    server.set("/private/feed.xml", body=FEED, headers=RSS)
    return [("public", server.url("/public/feed.xml")), ("private", server.url("/private/feed.xml"))]


def test_robots_txt_is_fetched_once_while_fresh_and_again_once_expired(
    database: Database, run_on_reactor: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    monkeypatch.setattr(ROBOTS_CACHE, "clock", clock)
    service = CrawlService()
    with TestServer() as server:
        ctx = context(database, *serve(server, {"Cache-Control": "max-age=600"}))
        outcomes = [run_on_reactor(service.crawl(ctx))]
        clock.now += 599
        outcomes.append(run_on_reactor(service.crawl(ctx)))
        fetched_while_fresh = server.count("/robots.txt")
        clock.now += 2
        outcomes.append(run_on_reactor(service.crawl(ctx)))

    assert fetched_while_fresh == 1
    assert server.count("/robots.txt") == 2
    assert server.count("/private/feed.xml") == 0  # the kept copy is obeyed like a fresh one
    for reports in outcomes:
        assert reports["public"].outcome in ("ok", "unchanged")
        assert reports["private"].outcome == "error" and "robots.txt" in (reports["private"].error or "")


def test_a_robots_txt_that_failed_is_asked_for_again_by_the_next_crawl(
    database: Database, run_on_reactor: Run
) -> None:
    service = CrawlService()
    with TestServer() as server:
        sources = serve(server, {})
        server.set("/robots.txt", Reply(status=503))
        ctx = context(database, *sources, settings={"RETRY_TIMES": 0})
        run_on_reactor(service.crawl(ctx))
        run_on_reactor(service.crawl(ctx))

    assert server.count("/robots.txt") == 2


def test_a_robots_txt_that_says_no_store_is_not_kept(database: Database, run_on_reactor: Run) -> None:
    service = CrawlService()
    with TestServer() as server:
        ctx = context(database, *serve(server, {"Cache-Control": "no-store"}))
        run_on_reactor(service.crawl(ctx))
        run_on_reactor(service.crawl(ctx))

    assert server.count("/robots.txt") == 2


def test_the_cache_can_be_turned_off(database: Database, run_on_reactor: Run) -> None:
    service = CrawlService()
    with TestServer() as server:
        ctx = context(database, *serve(server, {}), settings={"NEWSMON_ROBOTSTXT_MAX_AGE": 0})
        run_on_reactor(service.crawl(ctx))
        run_on_reactor(service.crawl(ctx))

    assert server.count("/robots.txt") == 2


def response(status: int = 200, **headers: str) -> Response:
    named = {name.replace("_", "-"): value for name, value in headers.items()}
    return Response("https://example.com/robots.txt", status=status, headers=named, body=ROBOTS)


@pytest.mark.parametrize(
    ("answer", "seconds"),
    [
        (response(), MAX_AGE),  # nothing said: a day, as Google does
        (response(Cache_Control="max-age=3600"), 3600),
        (response(Cache_Control="public, max-age=3600", Age="600"), 3000),
        (response(Cache_Control="max-age=9999999"), MAX_AGE),  # never more than a day
        (response(Cache_Control="no-cache"), 0),
        (response(Cache_Control="max-age=0"), 0),
        (response(Cache_Control="max-age=soon"), 0),
        (response(Expires="Fri, 01 Mar 2024 09:00:00 GMT", Date="Fri, 01 Mar 2024 08:00:00 GMT"), 3600),
        (response(Expires="0"), 0),  # an Expires that does not parse is in the past
        (response(404), MAX_AGE),  # no robots.txt: everything allowed, for a day
        (response(429), 0),
        (response(503, Cache_Control="max-age=3600"), 0),
    ],
)
def test_how_long_a_robots_txt_is_kept(answer: Response, seconds: float) -> None:
    assert lifetime(answer) == seconds
