"""Unchanged feeds (304) cost no per-source database work: the validators of every source of a
crawl are read in one query, and each source still sends its own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import pytest
from scrapy.http import Response
from sqlalchemy import event

from crawler import settings as default_settings
from crawler.runner import CrawlService
from db.engine import Database
from tests.crawler.helpers import context, fetch_log
from tests.servers import Reply, TestServer

Run = Callable[[Any], Any]
FEED = '<?xml version="1.0"?><rss version="2.0"><channel><title>{0}</title></channel></rss>'


def test_a_crawl_reads_the_validators_of_all_its_sources_at_once(
    database: Database, run_on_reactor: Run
) -> None:
    names = [f"feed{n}" for n in range(6)]
    reads: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().startswith("SELECT") and "sources.etag" in statement:
            reads.append(statement)

    with TestServer() as server:
        for n, name in enumerate(names):
            headers = {"Content-Type": "application/rss+xml", "ETag": f'"v{n}"'}
            server.set(f"/{name}.xml", Reply(body=FEED.format(name), headers=headers, conditional=True))
        ctx = context(database, *((name, server.url(f"/{name}.xml")) for name in names))
        service = CrawlService()
        run_on_reactor(service.crawl(ctx))
        event.listen(database.engine, "before_cursor_execute", count)
        reports = run_on_reactor(service.crawl(ctx))
        polls = {h.path: h.headers.get("if-none-match") for h in server.hits if h.path.endswith(".xml")}

    assert {name: r.outcome for name, r in reports.items()} == dict.fromkeys(names, "not_modified")
    assert polls == {f"/{name}.xml": f'"v{n}"' for n, name in enumerate(names)}
    assert len(reads) == 1
    assert [log.outcome for log in fetch_log(database, "feed3")] == ["ok", "not_modified"]


class _SeenBySpider:
    """A spider middleware noting the status of every response that reaches the spider."""

    statuses: ClassVar[list[int]] = []

    def process_spider_input(self, response: Response) -> None:
        self.statuses.append(response.status)


@pytest.mark.parametrize("middleware", [800, None], ids=["not-modified-middleware", "without-it"])
def test_a_304_is_recorded_without_reaching_the_spider(
    database: Database, run_on_reactor: Run, middleware: int | None
) -> None:
    _SeenBySpider.statuses = []
    downloader = {
        **default_settings.DOWNLOADER_MIDDLEWARES,
        "crawler.middlewares.NotModifiedMiddleware": middleware,
    }
    settings = {
        "SPIDER_MIDDLEWARES": {**default_settings.SPIDER_MIDDLEWARES, f"{__name__}._SeenBySpider": 10},
        "DOWNLOADER_MIDDLEWARES": downloader,
    }
    headers = {"Content-Type": "application/rss+xml", "ETag": '"v1"'}
    with TestServer({"/f.xml": Reply(body=FEED.format("f"), headers=headers, conditional=True)}) as server:
        ctx = context(database, ("f", server.url("/f.xml")), settings=settings)
        service = CrawlService()
        run_on_reactor(service.crawl(ctx))
        reports = run_on_reactor(service.crawl(ctx))

    assert reports["f"].outcome == "not_modified"
    assert [(log.outcome, log.http_status) for log in fetch_log(database, "f")] == [
        ("ok", 200),
        ("not_modified", 304),
    ]
    # The scraper's work on a response (spider middlewares, callback, output tasks) is spared a 304.
    assert _SeenBySpider.statuses == ([200] if middleware else [200, 304])
